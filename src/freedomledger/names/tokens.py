"""Parsed names: tokens with their phonetic keys, roles and equivalence classes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from freedomledger.names.equivalents import (
    GIVEN_BY_ID,
    ending_gender,
    given_name_classes,
    patronymic_gender,
    patronymic_stems,
)
from freedomledger.names.normalize import normalize, strip_legal_forms, strip_titles
from freedomledger.names.phonetic import cyrillic_language, fine_keys, skeleton

Kind = Literal["person", "organization"]
KINDS: tuple[str, ...] = ("person", "organization")
MAX_TOKENS = 12  # names longer than this are compared on their first tokens only

# Two-letter abbreviations that stand for one sound in Latin spellings (Yu. for Юрий).
_DIGRAPH_INITIALS = frozenset("yu ya ye yo ju ja je jo zh sh ch kh ts dz sz cz".split())


# eq=False: identity hashing, because token_info() returns one shared object per token and
# the similarity cache is keyed on these objects.
@dataclass(frozen=True, slots=True, eq=False)
class TokenInfo:
    """What one normalised token can stand for, independent of its place in a name."""

    text: str
    lang: str
    keys: tuple[str, ...]
    skels: tuple[str, ...]
    classes: frozenset[str]
    pstems: frozenset[str]
    pgender: str | None
    genders: frozenset[str]
    letters: frozenset[str]
    is_initial: bool


def _first_letters(keys: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for key in keys:
        if not key:
            continue
        out.add(key[0].lower())
        if key[0] == "j" and len(key) > 1:
            out.add(key[1].lower())
        if key[0] == "u" and len(key) > 1 and key[1] not in "aeiou":
            out.add("v")  # Уладзімір is V. in Russian documents
    return {"i" if ch == "j" else ch for ch in out}


@lru_cache(maxsize=300_000)
def token_info(text: str, lang: str = "ru") -> TokenInfo:
    keys = fine_keys(text, lang)
    skels = tuple(dict.fromkeys(skeleton(k) for k in keys))
    classes = given_name_classes(keys)
    pgender = patronymic_gender(keys)
    pstems = patronymic_stems(keys) if pgender else frozenset()
    genders = _intern(frozenset(g for g in (ending_gender(k) for k in keys) if g))
    # One Latin or Cyrillic letter is an initial; one CJK character is a whole name.
    is_initial = (len(text) == 1 and text < "\u0530") or text in _DIGRAPH_INITIALS
    letters = _first_letters(keys)
    for cid in classes:
        g = GIVEN_BY_ID[cid]
        for spelling, lg in ((g.be, "be"), (g.ru, "ru"), (g.uk, "uk")):
            letters |= _first_letters(fine_keys(spelling.lower(), lg))
    return TokenInfo(
        text, lang, keys, skels, classes, pstems, pgender, genders, _intern(frozenset(letters)),
        is_initial,
    )


_INTERNED: dict[frozenset[str], frozenset[str]] = {}


def _intern(value: frozenset[str]) -> frozenset[str]:
    """Share the few distinct small sets between the many tokens of a large index."""
    if len(value) > 3:
        return value
    return _INTERNED.setdefault(value, value)


@dataclass(frozen=True, slots=True)
class Token:
    info: TokenInfo
    role: str  # "N" name, "P" patronymic, "I" initial
    position: int

    @property
    def text(self) -> str:
        return self.info.text


@dataclass(frozen=True, slots=True)
class ParsedName:
    original: str
    normalized: str
    kind: str
    tokens: tuple[Token, ...]
    legal_forms: tuple[str, ...]


def _roles(infos: list[TokenInfo]) -> list[str]:
    """Initials are I; a patronymic-shaped token right after a plain one, in a name of three
    or more tokens, is P (so "Stefanovich" stays a surname in "Valentin Stefanovich" and in
    "STEFANOVICH Valentin Ivanovich")."""
    roles = ["I" if i.is_initial else "N" for i in infos]
    full = [k for k, i in enumerate(infos) if not i.is_initial]
    if len(full) >= 3:
        for pos, k in enumerate(full):
            if infos[k].pgender and pos > 0 and not infos[full[pos - 1]].pgender:
                roles[k] = "P"
    return roles


def split_name(norm: str, kind: str) -> tuple[list[TokenInfo], list[str], tuple[str, ...]]:
    """Token infos, roles and removed legal forms of a normalised name."""
    forms: tuple[str, ...] = ()
    if kind == "organization":
        kept, forms = strip_legal_forms(norm)
        words = list(kept)
    else:
        words = strip_titles(norm.split())
    words = words[:MAX_TOKENS]
    lang = cyrillic_language(norm)
    infos = [token_info(w, lang) for w in words]
    roles = _roles(infos) if kind == "person" else ["N"] * len(infos)
    return infos, roles, forms


def make_parsed(original: str, norm: str, kind: str, infos: list[TokenInfo] | tuple[TokenInfo, ...],
                roles: list[str] | str, forms: tuple[str, ...] = ()) -> ParsedName:  # fmt: skip
    tokens = tuple(Token(i, r, k) for k, (i, r) in enumerate(zip(infos, roles)))
    return ParsedName(original, norm, kind, tokens, forms)


@lru_cache(maxsize=100_000)
def parse_name(text: str, kind: str = "person") -> ParsedName:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    norm = normalize(text)
    infos, roles, forms = split_name(norm, kind)
    return make_parsed(text, norm, kind, infos, roles, forms)
