"""The domain model: what the ledger knows about, as plain validated types. No I/O here.

These types are the single definition the rest derives from: the database tables mirror
them (store/tables.py), the JSON API serialises them, and the sample-data loader validates
against them. States are enums so that an unknown status is an error, not a silent string.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from enum import StrEnum
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Script(StrEnum):
    latin = "latin"
    cyrillic = "cyrillic"
    other = "other"


class NameKind(StrEnum):
    official = "official"
    romanisation = "romanisation"
    alias = "alias"
    former = "former"
    pen_name = "pen_name"
    abbreviation = "abbreviation"


class Gender(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = "unknown"


class OrgKind(StrEnum):
    company = "company"
    bank = "bank"
    airline = "airline"
    state_body = "state_body"
    ngo = "ngo"
    state = "state"
    media = "media"
    other = "other"


class Status(StrEnum):
    detained = "detained"
    charged = "charged"
    recognised_political_prisoner = "recognised_political_prisoner"
    sentenced = "sentenced"
    transferred = "transferred"
    released = "released"
    pardoned = "pardoned"
    deported = "deported"
    exchanged = "exchanged"
    sentence_served = "sentence_served"
    died_in_custody = "died_in_custody"
    re_detained = "re_detained"


# Which statuses mean "held" from that date on, and which end it. "charged" alone does not
# decide: Viasna counts people under house arrest as persecuted, not imprisoned. A
# recognition counts as held because Viasna recognises people who are in custody.
HOLDING = frozenset(
    {
        Status.detained,
        Status.re_detained,
        Status.sentenced,
        Status.transferred,
        Status.recognised_political_prisoner,
    }
)
RELEASING = frozenset(
    {
        Status.released,
        Status.pardoned,
        Status.deported,
        Status.exchanged,
        Status.sentence_served,
        Status.died_in_custody,
    }
)


def is_held(history: "Iterable[Status | str]") -> bool:
    """Whether the last custody-deciding status in a date-ordered history means held."""
    held = False
    for status in history:
        status = Status(status)
        if status in HOLDING:
            held = True
        elif status in RELEASING:
            held = False
    return held


class DatePrecision(StrEnum):
    day = "day"
    month = "month"
    year = "year"
    range = "range"


class ReleaseKind(StrEnum):
    pardon = "pardon"
    deportation = "deportation"
    exchange = "exchange"
    amnesty = "amnesty"
    end_of_sentence = "end_of_sentence"
    other = "other"


class SanctionActionKind(StrEnum):
    designated = "designated"
    delisted = "delisted"
    eased = "eased"
    general_licence = "general_licence"
    amended = "amended"


class SourceKind(StrEnum):
    article = "article"
    ngo_report = "ngo_report"
    official_notice = "official_notice"
    list_snapshot = "list_snapshot"
    registry = "registry"
    manual = "manual"


class ClaimStatus(StrEnum):
    accepted = "accepted"
    competing = "competing"
    rejected = "rejected"
    retracted = "retracted"


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class FuzzyDate(BaseModel):
    """A date as precisely as a source knows it: the earliest and latest day it can mean.

    "2025-12" is any day in December 2025; a range is what list snapshots give ("last seen
    listed 2026-03-21, first seen absent 2026-07-23"). Statistics use both ends so that
    uncertainty is shown rather than hidden.
    """

    model_config = ConfigDict(frozen=True)

    start: dt.date
    end: dt.date
    precision: DatePrecision

    @model_validator(mode="after")
    def _ordered(self) -> FuzzyDate:
        if self.end < self.start:
            raise ValueError(f"date range ends ({self.end}) before it starts ({self.start})")
        return self

    @classmethod
    def parse(cls, text: str | dt.date, end: str | dt.date | None = None) -> FuzzyDate:
        """Parse "2025", "2025-12", "2025-12-13" (or a date), optionally with a range end."""
        first = _parse_partial(text)
        if end is None:
            return first
        last = _parse_partial(end)
        return cls(start=first.start, end=last.end, precision=DatePrecision.range)

    def iso(self) -> str:
        """The shortest text that says what is known: 2025-12-13, 2025-12, 2025, or a range."""
        if self.precision is DatePrecision.day:
            return self.start.isoformat()
        if self.precision is DatePrecision.month:
            return self.start.isoformat()[:7]
        if self.precision is DatePrecision.year:
            return self.start.isoformat()[:4]
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.iso()


def _parse_partial(value: str | dt.date) -> FuzzyDate:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return FuzzyDate(start=value, end=value, precision=DatePrecision.day)
    text = str(value).strip()
    if ".." in text:
        first, _, last = text.partition("..")
        return FuzzyDate.parse(first, last)
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    y = int(year)
    if month is None:
        return FuzzyDate(start=dt.date(y, 1, 1), end=dt.date(y, 12, 31), precision=DatePrecision.year)
    m = int(month)
    if not 1 <= m <= 12:
        raise ValueError(f"not a date: {text!r} (month {m} is out of range)")
    if day is None:
        last = calendar.monthrange(y, m)[1]
        return FuzzyDate(start=dt.date(y, m, 1), end=dt.date(y, m, last), precision=DatePrecision.month)
    try:
        exact = dt.date(y, m, int(day))
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from None
    return FuzzyDate(start=exact, end=exact, precision=DatePrecision.day)


def detect_script(text: str) -> Script:
    """The script of a name: the one most of its letters are written in."""
    counts = {Script.latin: 0, Script.cyrillic: 0, Script.other: 0}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            counts[Script.latin] += 1
        elif name.startswith("CYRILLIC"):
            counts[Script.cyrillic] += 1
        else:
            counts[Script.other] += 1
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else Script.other


def is_number(value: object) -> bool:
    """A whole number written in ASCII digits. (str.isdigit accepts '²' and other Unicode
    digits, which int() then refuses.)"""
    return isinstance(value, str) and value.isascii() and value.isdigit()


class Name(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    lang: str | None = Field(default=None, max_length=8)
    kind: NameKind = NameKind.alias
    script: Script | None = None

    @field_validator("text")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = " ".join(unicodedata.normalize("NFC", value).split())
        if not cleaned:
            raise ValueError("name is empty")
        return cleaned

    @model_validator(mode="after")
    def _script(self) -> Name:
        if self.script is None:
            object.__setattr__(self, "script", detect_script(self.text))
        return self


class Source(BaseModel):
    """A document a fact comes from."""

    key: str | None = None
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_precision: DatePrecision | None = None
    retrieved: dt.date | None = None
    kind: SourceKind = SourceKind.article
    content_hash: str | None = None


class Claim(BaseModel):
    """One fact as one source states it. Several claims on one field may compete."""

    field: str = "*"
    value: Any = None
    quote: str | None = None
    span: tuple[int, int] | None = None
    status: ClaimStatus = ClaimStatus.accepted
    reason: str | None = None


class Person(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9:._-]*$", max_length=120)
    names: list[Name] = Field(min_length=1)
    gender: Gender = Gender.unknown
    birth_date: FuzzyDate | None = None
    citizenships: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    notes: str | None = None
    confidential_notes: str | None = None
    published: bool = True


class Organization(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9:._-]*$", max_length=120)
    names: list[Name] = Field(min_length=1)
    kind: OrgKind = OrgKind.other
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    ids: dict[str, str] = Field(default_factory=dict)
    notes: str | None = None
    published: bool = True


class StatusChange(BaseModel):
    status: Status
    date: FuzzyDate
    details: dict[str, Any] = Field(default_factory=dict)


class ReleaseEvent(BaseModel):
    key: str
    releasing_state: str = Field(pattern=r"^[A-Z]{2}$")
    date: FuzzyDate
    kind: ReleaseKind = ReleaseKind.other
    announced_count: int | None = Field(default=None, ge=0)
    destination: list[str] = Field(default_factory=list)
    destination_counts: dict[str, int] = Field(default_factory=dict)
    notes: str | None = None


class SanctionAction(BaseModel):
    authority: str = Field(pattern=r"^[A-Z]{2,8}$")
    program: str | None = None
    action: SanctionActionKind
    date: FuzzyDate
    target_name: str | None = None
    notes: str | None = None


class Deal(BaseModel):
    key: str
    title: str
    counterpart: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    notes: str | None = None


class Meeting(BaseModel):
    date: FuzzyDate
    place: str | None = None
    description: str
