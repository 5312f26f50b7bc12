"""Person names in news text, with the titles and nationalities written around them.

Names are runs of two to four capitalised words (Latin or Cyrillic, hyphens and apostrophes
allowed, one line break allowed inside for hard-wrapped text) with titles, places,
organisations and calendar words cut away. A surname used alone later ("Coale said") is tied
back to the full name written earlier. What part a person plays in a release (freed, mediator,
speaker, official) is decided elsewhere from the sentence structure; this module records the
titles ("U.S. envoy", "President") that those rules read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from freedomledger.extract.lexicon import (
    HEAD_OF_STATE_TITLES,
    MEDIATOR_TITLES,
    OFFICIAL_TITLES,
    is_stop_token,
    territory_code,
)

_TOKEN = r"\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:[-'’]\p{Lu}?\p{Ll}{2,})*"
_RUN = regex.compile(rf"(?<![\p{{L}}\d])({_TOKEN})(?:(?:[ \t]+|[ \t]*\n[ \t]*)({_TOKEN})){{0,5}}(?![\p{{L}}\d])")
_TOKENS = regex.compile(_TOKEN)
_TITLE_WORDS = sorted(set(OFFICIAL_TITLES), key=len, reverse=True)
_TITLE_BEFORE = regex.compile(
    r"(?P<nat>\b(?:U\.S\.|US|U\.K\.|UK|EU|\p{Lu}[\p{L}'’.-]+)\s+|(?:американск|амерыканск|литовск|"
    r"літоўск|польск|латвийск|латвійск|украинск|украінск)\p{L}*\s+)?"
    r"(?i:(?:(?:special|deputy|chief|former|acting|top|senior|presidential|new|the)\s+)*)"
    rf"(?P<title>(?i:{'|'.join(regex.escape(t) for t in _TITLE_WORDS)}))"
    r"(?:\s+(?:of|for|to)\s+(?:the\s+)?(?:(?i:president|government|prime\s+minister)\s+of\s+(?:the\s+)?)?"
    r"(?P<of>\p{Lu}[\p{L}.]+(?:\s+\p{Lu}\p{L}+)?))?"
    r"(?:\s+(?i:президента|прэзідэнта))?(?:\s+(?P<nat2>США|ЗША|U\.S\.|US))?,?\s*$",
)
_TITLE_AFTER = regex.compile(
    r",\s+(?:the\s+|a\s+)?(?P<nat>U\.S\.|US|(?:\p{Lu}[\p{L}'’.-]+\s+){0,3}\p{Lu}[\p{L}'’.-]+(?:'s|’s)?\s+)?\s*"
    r"(?i:(?:(?:special|deputy|chief|former|acting|top|senior|presidential|new)\s+)*)"
    rf"(?P<title>(?i:{'|'.join(regex.escape(t) for t in _TITLE_WORDS)}))\b"
    r"(?:\s+(?:of|for|to)\s+(?:the\s+)?(?P<of>\p{Lu}[\p{L}.]+))?",
)
_OFFICIAL = frozenset(OFFICIAL_TITLES) - {"leader", "opposition leader"}
_CYRILLIC_ADJ = {"американск": "US", "амерыканск": "US", "литовск": "LT", "літоўск": "LT",
                 "польск": "PL", "латвийск": "LV", "латвійск": "LV", "украинск": "UA", "украінск": "UA"}


@dataclass(slots=True)
class PersonMention:
    start: int
    end: int
    name: str  # as written, whitespace normalised
    full: str  # the full name this mention refers to (itself, or an earlier full name)
    title: str | None = None  # lower case, e.g. "envoy", "president"
    nationality: str | None = None  # ISO code of the title's state ("U.S. envoy" -> US)


@dataclass(slots=True)
class PersonIndex:
    mentions: list[PersonMention] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # full name -> title
    nationality: dict[str, str] = field(default_factory=dict)  # full name -> ISO code

    def in_range(self, start: int, end: int) -> list[PersonMention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]

    def title_of(self, full: str) -> str | None:
        return self.titles.get(full)

    def is_official(self, full: str) -> bool:
        return self.titles.get(full) in _OFFICIAL

    def is_mediator_title(self, full: str) -> bool:
        return self.titles.get(full) in MEDIATOR_TITLES

    def is_head_of_state(self, full: str) -> bool:
        return self.titles.get(full) in HEAD_OF_STATE_TITLES


def _clean_runs(text: str, match: regex.Match[str]) -> list[tuple[int, int]]:
    """Sub-runs of two to four non-stop tokens inside one capitalised run."""
    tokens = [(t.start(), t.end()) for t in _TOKENS.finditer(text, match.start(), match.end())]
    runs: list[list[tuple[int, int]]] = [[]]
    for start, end in tokens:
        token = text[start:end]
        if is_stop_token(token):
            runs.append([])
        else:
            runs[-1].append((start, end))
    spans = []
    for run in runs:
        if 2 <= len(run) <= 4:
            spans.append((run[0][0], run[-1][1]))
    return spans


def _title_before(text: str, start: int) -> tuple[str | None, str | None]:
    window = text[max(0, start - 80):start]
    window = window.rsplit(".\n", 1)[-1]
    m = _TITLE_BEFORE.search(window)
    if m is None:
        return None, None
    title = m.group("title").lower()
    nationality = None
    for group in ("nat", "nat2", "of"):
        value = m.group(group)
        if not value:
            continue
        value = value.strip()
        code = None
        for stem, iso in _CYRILLIC_ADJ.items():
            if value.lower().startswith(stem):
                code = iso
        code = code or territory_code(value.removesuffix("'s").removesuffix("’s"))
        if code:
            nationality = code
            break
    return title, nationality


def _nationality_from_titles(text: str, name: str) -> str | None:
    """The state a named head of state leads, from a title elsewhere ("U.S. President Donald Trump")."""
    surname = name.split()[-1]
    for m in regex.finditer(rf"(?P<nat>U\.S\.|US|\p{{Lu}}[\p{{L}}'’.-]+)\s+(?i:president|prime\s+minister|leader)\s+"
                            rf"(?:\p{{Lu}}\p{{L}}+\s+)?{regex.escape(surname)}\b", text):
        code = territory_code(m.group("nat").removesuffix("'s"))
        if code:
            return code
    return None


def find_people(text: str) -> PersonIndex:
    """All person-name mentions in the text, in order, with surnames tied to full names."""
    index = PersonIndex()
    surnames: dict[str, str] = {}
    for match in _RUN.finditer(text):
        for start, end in _clean_runs(text, match):
            name = regex.sub(r"\s+", " ", text[start:end])
            title, nationality = _title_before(text, start)
            after = _TITLE_AFTER.match(text, end, min(len(text), end + 80))
            if after is not None and title is None:
                title = after.group("title").lower()
                for group in ("nat", "of"):
                    value = (after.group(group) or "").strip().removesuffix("'s").removesuffix("’s")
                    code = territory_code(value) if value else None
                    if value and code is None:
                        # "Keith Kellogg, President Donald Trump's special envoy": the state of
                        # the person named, when an earlier title says it.
                        words = value.split()
                        for m in reversed(index.mentions):
                            if m.full.split()[-1] == words[-1] and index.nationality.get(m.full):
                                code = index.nationality[m.full]
                                break
                        code = code or _nationality_from_titles(text, value)
                    if code:
                        nationality = code
                        break
            mention = PersonMention(start, end, name, name, title, nationality)
            index.mentions.append(mention)
            surnames.setdefault(name.split()[-1].lower(), name)
            if title and name not in index.titles:
                index.titles[name] = title
            if nationality and name not in index.nationality:
                index.nationality[name] = nationality
    # A surname alone, after its full name has been written: "Coale wrote on X".
    known = {m.start for m in index.mentions}
    for token in _TOKENS.finditer(text):
        key = token.group(0).lower().removesuffix("'s").removesuffix("’s")
        full = surnames.get(key)
        if full is None or token.start() in known:
            continue
        if any(m.start <= token.start() < m.end for m in index.mentions):
            continue
        first_full = next(m for m in index.mentions if m.full == full)
        if token.start() < first_full.start:
            continue
        title, nationality = _title_before(text, token.start())
        if title and full not in index.titles:
            index.titles[full] = title
        if nationality and full not in index.nationality:
            index.nationality[full] = nationality
        index.mentions.append(PersonMention(token.start(), token.end(), token.group(0), full,
                                            title, nationality))
    index.mentions.sort(key=lambda m: m.start)
    return index
