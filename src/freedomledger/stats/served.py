"""Time served before release: median and distribution, with the fuzzy-date bounds. Pure."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# (label, first day, first day of the next bucket); the last bucket is open.
BUCKETS: tuple[tuple[str, int, float], ...] = (
    ("under 6 months", 0, 183),
    ("6-12 months", 183, 365),
    ("1-2 years", 365, 730),
    ("2-3 years", 730, 1096),
    ("3-5 years", 1096, 1826),
    ("5 years or more", 1826, math.inf),
)


def quantile(freq: Mapping[int, int], q: float) -> float | None:
    """The q-quantile of values given as {value: how many}, interpolating like numpy's default.

    Written by hand because the counts come pre-aggregated from SQL (one row per distinct
    number of days), and expanding them into a list for `statistics` would undo that.
    """
    total = sum(n for n in freq.values() if n > 0)
    if total == 0:
        return None
    position = (total - 1) * q
    low_rank, high_rank = math.floor(position), math.ceil(position)
    low = high = None
    seen = 0
    for value in sorted(freq):
        n = freq[value]
        if n <= 0:
            continue
        if low is None and seen + n > low_rank:
            low = value
        if seen + n > high_rank:
            high = value
            break
        seen += n
    assert low is not None and high is not None
    return low + (high - low) * (position - low_rank)


@dataclass
class ServedSummary:
    """Days in custody from entering it to each release in the window."""

    releases: int = 0
    median_days: float | None = None
    median_days_shortest: float | None = None
    median_days_longest: float | None = None
    p25_days: float | None = None
    p75_days: float | None = None
    mean_days: float | None = None
    max_days: int | None = None
    histogram: list[tuple[str, int]] = field(default_factory=list)
    by_kind: dict[str, dict[str, float | int | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "releases": self.releases, "median_days": self.median_days,
            "median_days_shortest": self.median_days_shortest,
            "median_days_longest": self.median_days_longest,
            "median_years": round(self.median_days / 365.25, 2) if self.median_days is not None else None,
            "p25_days": self.p25_days, "p75_days": self.p75_days, "mean_days": self.mean_days,
            "max_days": self.max_days,
            "histogram": [{"bucket": b, "releases": n} for b, n in self.histogram],
            "by_kind": self.by_kind,
        }


def summarise_served(rows: Iterable[tuple[str, int, int, int, int]]) -> ServedSummary:
    """From (kind, days, shortest days, longest days, count) rows."""
    point: Counter[int] = Counter()
    shortest: Counter[int] = Counter()
    longest: Counter[int] = Counter()
    per_kind: dict[str, Counter[int]] = {}
    for kind, days, low, high, n in rows:
        if n <= 0:
            continue
        point[days] += n
        shortest[low] += n
        longest[high] += n
        per_kind.setdefault(kind, Counter())[days] += n
    total = sum(point.values())
    summary = ServedSummary(releases=total)
    if not total:
        summary.histogram = [(label, 0) for label, _, _ in BUCKETS]
        return summary
    summary.median_days = quantile(point, 0.5)
    summary.median_days_shortest = quantile(shortest, 0.5)
    summary.median_days_longest = quantile(longest, 0.5)
    summary.p25_days = quantile(point, 0.25)
    summary.p75_days = quantile(point, 0.75)
    summary.mean_days = round(sum(d * n for d, n in point.items()) / total, 1)
    summary.max_days = max(point)
    summary.histogram = [
        (label, sum(n for d, n in point.items() if low <= d < high)) for label, low, high in BUCKETS
    ]
    summary.by_kind = {
        kind: {"releases": sum(c.values()), "median_days": quantile(c, 0.5)}
        for kind, c in sorted(per_kind.items())
    }
    return summary
