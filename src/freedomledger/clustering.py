"""Do two reports describe the same release? Pure rules, no I/O.

Ten outlets tell one release ten ways: "Thursday" vs "19 March", 250 vs "about 250" vs 249,
Stefanovich vs Стэфановіч. Two reports are one event when the releasing state agrees, the
dates fall within a few days of each other, and either the counts are compatible or the named
people overlap. A report of 15 sent to Lithuania is not a different event from the 250 freed
that day; the extractor marks such subsets, so counts here are totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

# Releases announced on the same day are often reported a day or two later ("on Thursday",
# "this week"); the 2025-2026 Belarus releases were months apart, so a few days is safe.
DATE_WINDOW_DAYS = 3
# Outlets round and disagree (249 vs 250, "more than 50" vs 52).
COUNT_TOLERANCE = 0.1


@dataclass
class ReleaseSummary:
    country: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    count: int | None
    names: list[str] = field(default_factory=list)
    person_ids: set[str] = field(default_factory=set)


@dataclass
class Match:
    same: bool
    score: float
    reasons: list[str]


def _date_gap(a: ReleaseSummary, b: ReleaseSummary) -> int | None:
    if a.date_start is None or b.date_start is None:
        return None
    a_end, b_end = a.date_end or a.date_start, b.date_end or b.date_start
    if a_end < b.date_start:
        return (b.date_start - a_end).days
    if b_end < a.date_start:
        return (a.date_start - b_end).days
    return 0


def counts_compatible(a: int | None, b: int | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= max(1, COUNT_TOLERANCE * max(a, b))


def name_overlap(
    a: ReleaseSummary, b: ReleaseSummary, same_name: Callable[[str, str], bool]
) -> int:
    shared = len(a.person_ids & b.person_ids)
    unmatched_b = list(b.names)
    for name in a.names:
        for other in unmatched_b:
            if same_name(name, other):
                shared += 1
                unmatched_b.remove(other)
                break
    return shared


def same_release(
    a: ReleaseSummary,
    b: ReleaseSummary,
    same_name: Callable[[str, str], bool] = lambda x, y: x.casefold() == y.casefold(),
) -> Match:
    reasons: list[str] = []
    if a.country and b.country and a.country != b.country:
        return Match(False, 0.0, [f"different releasing states {a.country} / {b.country}"])
    gap = _date_gap(a, b)
    if gap is None:
        return Match(False, 0.0, ["a date is missing"])
    if gap > DATE_WINDOW_DAYS:
        return Match(False, 0.0, [f"dates {gap} days apart"])
    reasons.append("same date" if gap == 0 else f"dates {gap} day(s) apart")
    overlap = name_overlap(a, b, same_name)
    compatible = counts_compatible(a.count, b.count)
    if a.count is not None and b.count is not None:
        reasons.append(f"counts {a.count} / {b.count} " + ("agree" if compatible else "differ"))
    if overlap:
        reasons.append(f"{overlap} named person(s) in common")
    if not compatible and overlap < 2:
        return Match(False, 0.2, reasons)
    score = 0.6 + (0.2 if gap == 0 else 0.1) + min(0.2, 0.1 * overlap)
    if compatible and a.count is not None and a.count == b.count:
        score += 0.1
    return Match(True, min(1.0, score), reasons)
