"""Phonetic keys that make spellings of one Belarusian/Russian name meet.

No library does this part, so it is written here: ICU and rigour turn Cyrillic into *one*
Latin spelling, but nothing reads the dozen Latin spellings used on passports and sanctions
lists (BGN/PCGN, ISO 9, the Belarusian national system, Łacinka, Polish, German, Swedish,
Dutch, Hungarian...) back into sounds, nor folds the regular Belarusian <-> Russian sound
correspondences (akanne o/a, tsekanne t/ts and d/dz, ў/в, г/h, я/е).

Every token gets two keys:

* a *fine key*: a phoneme string in a small alphabet. Lower-case letters are themselves;
  upper-case letters are single phonemes written with digraphs in Latin: C = ч, S = ш,
  Z = ж, J = дж; x = х, c = ц, j = й or iotation.
* a *skeleton*: the fine key with vowels and j dropped and the Belarusian/Russian
  differences folded (ц->т, дз->д, г/х/h->h, initial у before a consonant->в). Two tokens
  with the same skeleton are spellings of one name unless their endings say otherwise
  (gender), which compare.py checks.

A Latin spelling can be ambiguous ("ch" is ч in English, х in Polish or the national
system); the reader then returns up to four readings.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from functools import lru_cache

import icu

VOWELS = frozenset("aeiou")
MAX_READINGS = 4

# Cyrillic letters as phonemes. е/ё/ю/я/є/ї are iotated ("je"); the iotation is removed
# after consonants by _fold, as almost every Latin spelling does.
_CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "je", "ё": "jo",
    "є": "je", "ж": "Z", "з": "z", "и": "i", "і": "i", "ї": "ji", "й": "j", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ў": "u", "ф": "f", "х": "x", "ц": "c", "ч": "C", "ш": "S", "щ": "SC",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "ju", "я": "ja",
    # Serbian/Macedonian letters, rare in our lists but cheap to read.
    "ђ": "J", "ј": "j", "љ": "l", "њ": "n", "ћ": "C", "џ": "J", "ѓ": "g", "ќ": "k",
    "ѕ": "dz",
}  # fmt: skip

# Latin letters with diacritics whose sound a plain accent strip would lose.
_LATIN_SPECIAL: dict[str, str] = {
    "č": "C", "ĉ": "C", "ç": "C", "š": "S", "ş": "S", "ș": "S", "ŝ": "SC", "ž": "Z",
    "ż": "Z", "ǰ": "J", "ł": "l", "ŭ": "u", "â": "ja", "ê": "je", "ë": "jo", "û": "ju",
    "ï": "ji", "ě": "je", "ř": "rZ", "ţ": "c", "ț": "c", "ą": "on", "ę": "en", "ß": "ss",
    "æ": "e", "ø": "o", "œ": "e", "đ": "J", "ħ": "x", "ı": "i", "þ": "t", "ð": "d",
    "ʹ": "", "ʺ": "",
}  # fmt: skip

# Letters that mark a token as written in a Slavic Latin orthography (Polish, Czech,
# Łacinka, the national system, ISO 9) where "ch" is х and "c" is ц.
_SLAVIC_MARKS = frozenset("čšžŭłćśźżńěřąęĺŕŝĉ")


def cyrillic_language(text: str) -> str:
    """Guess be/uk/ru for Cyrillic text from the letters only one language uses."""
    has_i = "і" in text
    if any(ch in text for ch in "їєґ") or (has_i and "и" in text):
        return "uk"
    if has_i or "ў" in text:
        return "be"
    return "ru"


# Look-alike Latin letters inside Cyrillic words (typos, or evasion on purpose). Cyrillic
# letters inside Latin words are read by their sound instead.
_HOMOGLYPHS = ("aeopcyxkijs", "аеорсухкіјѕ")
_TO_CYRILLIC = str.maketrans(_HOMOGLYPHS[0], _HOMOGLYPHS[1])


def _is_latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


_ANY_LATIN: icu.Transliterator | None = None
_ICU_LOCK = threading.Lock()  # ICU transliterator objects are not safe to share across threads


def _any_latin(text: str) -> str:
    global _ANY_LATIN
    with _ICU_LOCK:
        if _ANY_LATIN is None:
            _ANY_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
        return str(_ANY_LATIN.transliterate(text))


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


def _cyrillic_phonemes(token: str, lang: str) -> str:
    out: list[str] = []
    for ch in token:
        ph = _CYRILLIC.get(ch)
        if ph is None:
            out.append(ch)
        elif ch == "г" and lang in ("be", "uk"):
            out.append("h")
        elif ch == "и" and lang == "uk":
            out.append("i")
        else:
            out.append(ph)
    return "".join(out)


def _strip_marks(text: str) -> str:
    """Map special letters, then drop remaining accents and anything that is not a letter."""
    out: list[str] = []
    for ch in text:
        special = _LATIN_SPECIAL.get(ch)
        if special is not None:
            out.append(special)
            continue
        if ch.isascii():
            if ch.isalpha() or ch.isdigit():
                out.append(ch)
            continue
        for part in unicodedata.normalize("NFKD", ch):
            if part.isascii() and (part.isalpha() or part.isdigit()):
                out.append(part)
    return "".join(out)


# Multigraphs of Latin spellings, longest first; values are phoneme strings or a tuple of
# readings when the spelling is ambiguous across orthographies.
_MULTI: list[tuple[str, str | tuple[str, ...]]] = [
    ("schtsch", "SC"), ("shtch", "SC"), ("shch", "SC"), ("szcz", "SC"), ("sch", "S"),
    ("tsch", "C"), ("dsch", "J"), ("dzh", "J"), ("dzs", "J"), ("tch", ("C", "tC")),
    ("tsj", "C"), ("tsh", "tS"),
    ("dZ", "J"), ("zh", "Z"), ("kh", "x"), ("sh", "S"), ("sz", "S"), ("cz", "C"),
    ("cs", "C"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("th", "t"), ("gh", "g"),
    ("x", "ks"), ("q", "k"), ("w", "v"),
]  # fmt: skip


_MULTI_MAP = dict(_MULTI)
_SEG_RE = re.compile(
    r"ch|ck|tj(?![aeiouy])|oe(?=[^aeiouy])|[sz]j(?=[aeou])|"
    + "|".join(re.escape(p) for p, _v in _MULTI)
    + r"|.",
    re.DOTALL,
)


def _latin_segments(word: str, slavic: bool) -> list[str | tuple[str, ...]]:
    segs: list[str | tuple[str, ...]] = []
    n = len(word)
    for m in _SEG_RE.finditer(word):
        g = m.group()
        i = m.start()
        if len(g) > 1:
            if g == "ch":
                segs.append("x" if slavic else ("C", "x"))
            elif g == "ck":
                # "-cki" in Polish/national spellings is цкі; in Germanic names "ck" is k.
                segs.append("ck" if (slavic or word[i + 2 : i + 3] in ("i", "y", "a", "e")) else "k")
            elif g == "tj":
                segs.append("C")  # Swedish "-vitj" for -вич
            elif g == "oe":
                segs.append(("u", "oe"))  # Dutch oe is у (Poetin, Wladimirowitsj)
            elif g == "sj":
                segs.append(("S", "sj"))  # Swedish/Dutch sj = ш ("Sjejman"), else s + iotation
            elif g == "zj":
                segs.append(("Z", "zj"))
            else:
                segs.append(_MULTI_MAP[g])
        elif g in _MULTI_MAP:
            segs.append(_MULTI_MAP[g])
        elif g == "j" and i == 0 and n > 1 and word[1] in "aeiou" and not slavic:
            segs.append(("j", "J"))  # English j is дж (Jasharbek), elsewhere й
        elif g == "c":
            nxt = word[i + 1 : i + 2]
            if i == n - 1 and i > 0:
                segs.append(("C", "c", "k"))  # "-vic" with its diacritic lost
            elif slavic or (nxt and nxt in "eijy"):
                segs.append("c")
            else:
                segs.append(("k", "c"))
        elif g == "y":
            segs.append("i")
        elif g == "h" and not slavic:
            # h is г in Belarusian/Ukrainian spellings and х in ISO 9, Czech and some
            # Ukrainian passports; slavic-marked tokens use "ch" for х, so h is г there.
            segs.append(("h", "x"))
        else:
            segs.append(g)
    return segs


def _fold(ph: str) -> str:
    """Normalise glides, iotation and doubled letters so spellings of one sound agree."""
    s = list(ph)
    n = len(s)
    for k in range(n):
        if s[k] != "i":
            continue
        prev = s[k - 1] if k else ""
        nxt = s[k + 1] if k + 1 < n else ""
        if nxt in VOWELS and (not prev or prev not in VOWELS):
            s[k] = "j"  # "ia", "iu", "ie" after a consonant or at the start: я, ю, е
        elif prev in VOWELS and nxt not in VOWELS:
            s[k] = "j"  # "ai", "ei", "oi": й
    out: list[str] = []
    for k, ch in enumerate(s):
        prev = out[-1] if out else ""
        nxt = s[k + 1] if k + 1 < len(s) else ""
        if ch == "j":
            if prev == "j":
                continue
            if prev == "i" and (nxt in VOWELS or not nxt):
                if nxt:
                    out[-1] = "j"  # "ija" -> "ja"
                continue  # final "ij" -> "i"
        if ch == "u" and prev in ("a", "e", "o") and nxt not in VOWELS:
            ch = "v"  # Belarusian ў after a vowel: "Navumau" ~ "Naumov"
        if ch == prev and ch not in VOWELS:
            continue
        out.append(ch)
    # iotated e after a consonant is written plain e in most romanisations.
    res = "".join(out).replace("dZ", "J")
    if "je" in res:
        res = "".join(
            ""
            if c == "j" and res[k + 1 : k + 2] == "e" and k and res[k - 1] not in VOWELS
            and res[k - 1] != "j"
            else c
            for k, c in enumerate(res)
        )
    return res


@lru_cache(maxsize=400_000)
def fine_keys(token: str, lang: str = "ru") -> tuple[str, ...]:
    """All readings of one normalised token as phoneme strings (at most MAX_READINGS)."""
    if not token:
        return ("",)
    n_cyr = sum(1 for ch in token if _is_cyrillic(ch))
    if n_cyr:
        if 2 * n_cyr >= len(token):
            # Cyrillic spells sounds unambiguously: no Latin parsing, only folding.
            cyr = token.translate(_TO_CYRILLIC)
            return (_fold(_strip_marks(_cyrillic_phonemes(cyr, lang))),)
        token = "".join(_CYRILLIC.get(ch, ch).lower() if _is_cyrillic(ch) else ch for ch in token)
    elif not token.isascii() and any(ch.isalpha() and not _is_latin(ch) for ch in token):
        token = _any_latin(token)  # Greek, Arabic, CJK...: ICU's general romanisation
    slavic = any(ch in _SLAVIC_MARKS for ch in token)
    word = _strip_marks(token)
    if not slavic and ("cz" in word or "sz" in word):
        slavic = True
    segs = _latin_segments(word, slavic)
    options = [s if isinstance(s, tuple) else (s,) for s in segs]
    readings: list[str] = []
    for combo in itertools.islice(itertools.product(*options), MAX_READINGS):
        key = _fold("".join(combo))
        if key not in readings:
            readings.append(key)
    return tuple(readings)


_INITIAL_VOWEL = {
    "a": "A", "o": "A", "e": "E", "je": "E", "ja": "E", "jo": "E", "i": "I", "ji": "I",
    "u": "U", "ju": "U",
}  # fmt: skip


@lru_cache(maxsize=400_000)
def skeleton(key: str) -> str:
    """Consonant skeleton of a fine key with Belarusian/Russian differences folded."""
    if key[:1] == "u" and len(key) > 1 and key[1] not in VOWELS:
        key = "v" + key[1:]  # Уладзімір ~ Владимир
    out: list[str] = []
    # Short names differ mostly by their first vowel (Ihar/Yahor, Anna/Yana), so a leading
    # vowel is kept as a class: а/о (akanne: Aleh ~ Oleg), е/я/ё (Yauhen ~ Evgeny), і, у/ю.
    head = key[:2] if key[:1] == "j" else key[:1]
    marker = _INITIAL_VOWEL.get(head)
    if marker:
        out.append(marker)
    n = len(key)
    k = 0
    gap = False
    while k < n:
        ch = key[k]
        if ch in VOWELS or ch == "j":
            gap = True
            k += 1
            continue
        nxt = key[k + 1] if k + 1 < n else ""
        if ch == "d" and nxt == "z":
            k += 1  # дз ~ д (Dzmitry ~ Dmitry, Uladzimir ~ Vladimir)
        elif ch == "d" and nxt == "Z":
            ch = "d" if out else "J"  # дж inside a word is often spelled dz (Khadzimurat)
            k += 1
        elif ch == "J" and out:
            ch = "d"
        elif ch == "c" and nxt in ("i", "e", "j"):
            ch = "t"  # ц ~ т before soft vowels (Valiantsin ~ Valentin, Tsikhanouskaya)
        elif ch == "g":
            ch = "h"  # Belarusian and Ukrainian г is h, Russian г is g
        elif ch in "sS" and nxt == "C":
            ch = "S"
            k += 1  # щ, шч, сч ~ ш: German and English spellings write all as "sch"
        if gap or not out or out[-1] != ch:
            out.append(ch)
        gap = False
        k += 1
    return "".join(out)


# u (у/ю) is stable across be/ru/uk spellings; the strict classes also keep i apart from
# a/e/o, for matching against the spellings of the given-name table.
_VOWEL_CLASS = {"u": "u"}
_VOWEL_CLASS_STRICT = {"u": "u", "i": "i"}


@lru_cache(maxsize=400_000)
def vowel_gaps(key: str, strict: bool = False) -> tuple[str, ...]:
    """Vowel classes between the consonants of the skeleton of key (same consonant steps as
    skeleton()): lets compare tell Sheiman (ей) from Shuman (у), which share a skeleton."""
    if key[:1] == "u" and len(key) > 1 and key[1] not in VOWELS:
        key = "v" + key[1:]
    gaps: list[str] = []
    cur: set[str] = set()
    k = 0
    n = len(key)
    while k < n:
        ch = key[k]
        if ch in VOWELS:
            cur.add((_VOWEL_CLASS_STRICT if strict else _VOWEL_CLASS).get(ch, "a"))
        elif ch != "j":
            gaps.append("".join(sorted(cur)))
            cur = set()
            if ch == "d" and k + 1 < n and key[k + 1] in "zZ":
                k += 1
            elif ch in "sS" and k + 1 < n and key[k + 1] == "C":
                k += 1
        k += 1
    gaps.append("".join(sorted(cur)))
    return tuple(gaps)


def vowels_compatible(a: str, b: str, strict: bool = False) -> bool:
    """Two fine keys with one skeleton: no gap has a u on one side and only other vowels on
    the other (an empty gap is compatible: Belarusian adds and drops vowels around ў)."""
    ga, gb = vowel_gaps(a, strict), vowel_gaps(b, strict)
    if len(ga) != len(gb):
        return True  # doubled consonants collapsed differently; the skeletons agree anyway
    return all(not x or not y or set(x) & set(y) for x, y in zip(ga, gb))


def skeletons(token: str, lang: str = "ru") -> frozenset[str]:
    return frozenset(skeleton(k) for k in fine_keys(token, lang))
