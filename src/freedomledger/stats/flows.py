"""In and out of custody per period: the "revolving door". Pure."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from freedomledger.model import RELEASING, Status
from freedomledger.stats.periods import Span

RELEASE_KINDS: tuple[str, ...] = tuple(s.value for s in Status if s in RELEASING)


@dataclass
class FlowRow:
    """One period. `new` entered custody, `released` left it (any way, `by_kind` says how).

    `*_uncertain` count the moves whose fuzzy date reaches outside the period: they are
    counted here by their earliest possible day but may belong to a later period.
    """

    period: str
    start: dt.date
    end: dt.date
    new: int = 0
    released: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    new_uncertain: int = 0
    released_uncertain: int = 0

    @property
    def net(self) -> int:
        return self.new - self.released

    @property
    def ratio(self) -> float | None:
        """New detentions per person freed; None when nobody was freed."""
        return round(self.new / self.released, 2) if self.released else None

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "new": self.new, "released": self.released, "net": self.net, "ratio": self.ratio,
            **{k: self.by_kind.get(k, 0) for k in RELEASE_KINDS},
            "new_uncertain": self.new_uncertain, "released_uncertain": self.released_uncertain,
        }


def flow_series(
    moves: Iterable[tuple[dt.date, dt.date, int, str, int]], periods: Sequence[Span]
) -> list[FlowRow]:
    """Bucket moves (day, day_end, direction +1/-1, kind, count) into the periods.

    A move is counted in the period that holds its earliest possible day, the same rule the
    point estimate of `held` uses, so that held(end) - held(start) == new - released.
    """
    rows = [FlowRow(p.label, p.start, p.end) for p in periods]
    if not rows:
        return rows
    starts = [p.start for p in periods]
    for day, day_end, direction, kind, count in moves:
        if day < periods[0].start or day > periods[-1].end or not count:
            continue
        row = rows[bisect_right(starts, day) - 1]
        uncertain = count if day_end > row.end else 0
        if direction > 0:
            row.new += count
            row.new_uncertain += uncertain
        else:
            row.released += count
            row.released_uncertain += uncertain
            row.by_kind[kind] = row.by_kind.get(kind, 0) + count
    return rows


def totals(rows: Sequence[FlowRow]) -> FlowRow:
    """All periods together (the window as one row)."""
    if not rows:
        return FlowRow("total", dt.date.min, dt.date.min)
    out = FlowRow("total", rows[0].start, rows[-1].end)
    for row in rows:
        out.new += row.new
        out.released += row.released
        out.new_uncertain += row.new_uncertain
        out.released_uncertain += row.released_uncertain
        for kind, count in row.by_kind.items():
            out.by_kind[kind] = out.by_kind.get(kind, 0) + count
    return out
