"""Comparisons reporters write about releases: the largest since when, who went into exile. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReleaseRow:
    """A release event as the comparisons need it. `count` is the announced number when
    there is one, else the number of persons the ledger names (`counted_by` says which)."""

    key: str
    date: str
    date_start: dt.date
    date_end: dt.date
    releasing_state: str
    kind: str
    announced: int | None
    named: int
    destination: tuple[str, ...] = ()
    destination_counts: tuple[tuple[str, int], ...] = ()
    deals: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return self.announced if self.announced is not None else self.named

    @property
    def counted_by(self) -> str:
        return "announced" if self.announced is not None else "named"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(date_start=self.date_start.isoformat(), date_end=self.date_end.isoformat(),
                   destination=list(self.destination), destination_counts=dict(self.destination_counts),
                   deals=list(self.deals), count=self.count, counted_by=self.counted_by)
        return out


def largest_releases(rows: Iterable[ReleaseRow], top: int | None = None) -> list[ReleaseRow]:
    """Largest first; among equal counts the earlier first."""
    ranked = sorted(rows, key=lambda r: (-r.count, r.date_start, r.key))
    return ranked[:top] if top else ranked


@dataclass(frozen=True)
class LargestSince:
    """How a release compares with the ones before it.

    `previous_larger` is the latest earlier release at least as large: the release is "the
    largest since" that one. None means no earlier release in the ledger was as large.
    """

    release: ReleaseRow
    previous_larger: ReleaseRow | None
    earlier_releases: int
    rank: int
    of: int

    @property
    def headline(self) -> str:
        r = self.release
        if self.previous_larger is None:
            if not self.earlier_releases:
                return f"{r.key} ({r.count}) is the first release in the ledger"
            return f"{r.key} ({r.count}) is the largest release in the ledger so far"
        p = self.previous_larger
        return f"{r.key} ({r.count}) is the largest release since {p.date} ({p.key}, {p.count})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release.as_dict(),
            "previous_larger": self.previous_larger.as_dict() if self.previous_larger else None,
            "earlier_releases": self.earlier_releases, "rank": self.rank, "of": self.of,
            "headline": self.headline,
        }


def largest_since(rows: Sequence[ReleaseRow], key: str) -> LargestSince:
    by_key = {r.key: r for r in rows}
    if key not in by_key:
        raise KeyError(key)
    target = by_key[key]
    earlier = [r for r in rows if r.date_start < target.date_start]
    larger = [r for r in earlier if r.count >= target.count]
    previous = max(larger, key=lambda r: (r.date_start, r.key)) if larger else None
    ranked = largest_releases(rows)
    return LargestSince(target, previous, len(earlier), ranked.index(target) + 1, len(ranked))


@dataclass
class ExileShare:
    """How many of those freed were sent out of the releasing state.

    Only releases whose destination is reported count. Where every reported destination
    has a number, the rest are taken to have stayed; where a foreign destination has no
    number, anywhere from the numbers given to all of the release may have left, so the
    share is a range (`lower` .. `upper`).
    """

    released: int = 0
    exiled_lower: int = 0
    exiled_upper: int = 0
    releases: int = 0
    not_reported_releases: int = 0
    not_reported_released: int = 0
    per_release: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share_lower(self) -> float | None:
        return round(self.exiled_lower / self.released, 3) if self.released else None

    @property
    def share_upper(self) -> float | None:
        return round(self.exiled_upper / self.released, 3) if self.released else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "released": self.released, "exiled_lower": self.exiled_lower,
            "exiled_upper": self.exiled_upper, "share_lower": self.share_lower,
            "share_upper": self.share_upper, "releases": self.releases,
            "not_reported_releases": self.not_reported_releases,
            "not_reported_released": self.not_reported_released,
            "per_release": self.per_release,
        }


def exile_share(rows: Iterable[ReleaseRow]) -> ExileShare:
    out = ExileShare()
    for r in rows:
        abroad = [d for d in r.destination if d != r.releasing_state]
        counts = dict(r.destination_counts)
        if not r.destination:
            out.not_reported_releases += 1
            out.not_reported_released += r.count
            continue
        counted_abroad = sum(n for d, n in counts.items() if d != r.releasing_state)
        counted_all = sum(counts.values())
        lower = min(counted_abroad, r.count)
        missing = any(d not in counts for d in abroad)
        upper = max(lower, r.count - (counted_all - counted_abroad)) if missing else lower
        out.releases += 1
        out.released += r.count
        out.exiled_lower += lower
        out.exiled_upper += upper
        out.per_release.append({
            "key": r.key, "date": r.date, "released": r.count, "destination": list(r.destination),
            "exiled_lower": lower, "exiled_upper": upper,
        })
    return out
