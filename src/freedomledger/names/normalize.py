"""Text normalisation and tokenisation of names.

`normalize` keeps the script (Cyrillic stays Cyrillic) and only removes what never tells two
names apart: case, stress marks, apostrophes and soft-sign marks inside words, punctuation,
control and format characters, extra spaces. It is idempotent. Transliteration and phonetic
folding happen later, per token (phonetic.py), so that explanations can show the tokens as
the user wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rigour.names import remove_org_types

from freedomledger.names.equivalents import LEGAL_FORM_PHRASES, LEGAL_FORM_TOKENS, PERSON_TITLES

# Combining acute and grave accents are stress marks in Cyrillic (Влади́мир); on Latin letters
# they are accents that no romanisation of Belarusian or Russian relies on. Łacinka's ć ś ź ń
# lose their acute too, which is harmless: phonetic.py reads ć as ц and ś as с anyway.
_STRESS = frozenset("\u0301\u0300\u0341\u0340")
# Apostrophes and modifier letters used for the Belarusian/Ukrainian apostrophe and for
# soft/hard signs in romanisations (Gennad'yevich, Sʹvyatlana); they join the word.
_JOINERS = frozenset("'’‘ʼʹʺ`´ˈ′″\u02bb\u02bd")


def _strip_leading_marks(word: str) -> str:
    while word and unicodedata.category(word[0]) in ("Mn", "Mc"):
        word = word[1:]
    return word
MAX_NAME_CHARS = 2_000  # longer input is cut: no name is that long, and compare stays fast


_NON_WORD = re.compile(r"[^\w]|_")
_DROP_STRESS = dict.fromkeys(map(ord, _STRESS), None)
_DROP_JOINERS = dict.fromkeys(map(ord, _JOINERS), None)


def _clean_match(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _JOINERS:
        return ""
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Mc"):
        return ch  # marks of Indic and other scripts stay with their letter
    return " "


_ASCII_JUNK = re.compile(r"[^a-z0-9'`]+")


def _normalize_once(text: str) -> str:
    if text.isascii() and text.isprintable():
        # Fast path for plain ASCII names, the bulk of sanctions lists.
        return " ".join(_ASCII_JUNK.sub(" ", text.lower().replace("'", "").replace("`", "")).split())
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFD", text).translate(_DROP_STRESS)
        text = unicodedata.normalize("NFC", text)
    text = _NON_WORD.sub(_clean_match, text.translate(_DROP_JOINERS))
    words = text.split()
    if not text.isascii():
        # A combining mark left at the start of a word by the cleaning modifies nothing.
        words = [_strip_leading_marks(w) for w in words]
    return " ".join(w for w in words if w)


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Case-fold, strip stress marks and punctuation, keep the script. Idempotent."""
    if not isinstance(text, str):
        raise TypeError(f"a name must be a str, not {type(text).__name__}")
    text = _normalize_once(text[: 2 * MAX_NAME_CHARS])
    # Case folding can yield text that NFKC or folding changes once more (rare compatibility
    # characters); iterate to the fixed point so that normalize(normalize(x)) == normalize(x).
    for _ in range(4):
        if text.isascii():
            break  # ASCII output of one pass is already a fixed point
        again = _normalize_once(text)
        if again == text:
            break
        text = again
    return text[:MAX_NAME_CHARS].rstrip()


def tokenize(text: str) -> list[str]:
    return normalize(text).split()


def _remove_phrases(tokens: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


@lru_cache(maxsize=100_000)
def strip_legal_forms(norm: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split normalised organisation name tokens into (name tokens, legal-form tokens)."""
    tokens = norm.split()
    kept = remove_org_types(norm).split()
    kept = _remove_phrases(kept, LEGAL_FORM_PHRASES)
    kept = [t for t in kept if t not in LEGAL_FORM_TOKENS]
    if not kept:  # the name is only a legal form ("OOO"): keep it rather than nothing
        return tuple(tokens), ()
    kept_set = set(kept)
    forms = tuple(t for t in tokens if t not in kept_set)
    return tuple(kept), forms


def strip_titles(tokens: list[str]) -> list[str]:
    kept = [t for t in tokens if t not in PERSON_TITLES]
    return kept if kept else tokens
