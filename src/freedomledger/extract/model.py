"""Result types of extraction and their JSON form.

Plain dataclasses: the extractor builds thousands of these per second and they carry no
validation of their own. `to_dict()` gives the documented JSON, keys in the documented order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from freedomledger.extract.deals import Concession, Mediator
from freedomledger.extract.statements import Statement

RELEASE_KINDS = ("release", "release_recap")
OTHER_KINDS = ("arrest", "sentence", "sanctions_imposed", "sanctions_lifted", "envoy_appointed")


@dataclass(slots=True)
class PersonRef:
    name: str
    person_id: str | None
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "person_id": self.person_id, "span": list(self.span)}


@dataclass(slots=True)
class CountPart:
    """A number that is part of the total: "14 foreigners", "15 sent to Lithuania"."""

    count: int | None
    text: str
    destination: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "text": self.text, "destination": self.destination}


@dataclass(slots=True)
class Event:
    kind: str
    date: str | None = None  # FuzzyDate notation: 2026-03-19, 2026-03, 2026 or a..b
    date_precision: str | None = None  # day | month | year | range
    date_basis: str | None = None
    count: int | None = None
    count_text: str | None = None
    count_qualifier: str | None = None  # more_than | at_least | about | nearly | up_to | dozens …
    count_parts: list[CountPart] = field(default_factory=list)
    country: str | None = None
    destination: list[str] = field(default_factory=list)
    released: list[PersonRef] = field(default_factory=list)
    mediators: list[Mediator] = field(default_factory=list)
    concessions: list[Concession] = field(default_factory=list)
    reported_by: list[str] = field(default_factory=list)
    confidence: float = 0.0
    subjects: list[PersonRef] = field(default_factory=list)  # other kinds: who or what it is about
    evidence: tuple[int, int] | None = None  # span of the sentence that reports the event

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "date": self.date,
            "date_precision": self.date_precision,
            "date_basis": self.date_basis,
            "count": self.count,
            "count_text": self.count_text,
            "count_qualifier": self.count_qualifier,
            "count_parts": [p.to_dict() for p in self.count_parts],
            "country": self.country,
            "destination": list(self.destination),
            "released": [p.to_dict() for p in self.released],
            "mediators": [{"name": m.name, "kind": m.kind} for m in self.mediators],
            "concessions": [{"by": c.by, "type": c.type, "targets": list(c.targets)}
                            for c in self.concessions],
            "reported_by": list(self.reported_by),
            "confidence": round(self.confidence, 2),
            "evidence": list(self.evidence) if self.evidence else None,
        }
        if self.kind not in RELEASE_KINDS:
            data["subjects"] = [p.to_dict() for p in self.subjects]
        return data


@dataclass(slots=True)
class Source:
    file: str | None
    url: str | None
    published: str | None
    title: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "url": self.url, "published": self.published}
        if self.title is not None:
            data["title"] = self.title
        if self.line is not None:
            data["line"] = self.line
        return data


@dataclass(slots=True)
class Extraction:
    source: Source
    events: list[Event] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    language: str = "en"
    text: str | None = None  # the text spans index into, when asked for

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source.to_dict(),
            "language": self.language,
            "events": [e.to_dict() for e in self.events],
            "statements": [{"speaker": s.speaker, "quote": s.quote, "channel": s.channel,
                            "span": list(s.span)} for s in self.statements],
        }
        if self.text is not None:
            data["text"] = self.text
        return data
