"""Who is held on a day, with the uncertainty of fuzzy dates. Pure: histories in, counts out.

A person's custody history is the date-ordered list of their custody-deciding status changes
(model.HOLDING starts or continues custody, model.RELEASING ends it; other statuses do not
decide). Each change happened on some unknown day inside its fuzzy date [start, end]; the
order of the list (by start, then by record id) is taken as the order things happened in.

On a day D three answers are given:

- point: the ledger's reading, the one `is_held` and `list_persons(as_of=D)` give: every
  change is taken to happen on its earliest possible day;
- lower ("certainly held"): held whichever days inside their ranges the changes happened on;
- upper ("possibly held"): held for at least one such choice of days.

With the order fixed, the changes that have happened by D are always a prefix of the list.
The longest possible prefix ends at the last change whose range *starts* by D (k_max); the
shortest ends at the last change whose range has *ended* by D (k_min); every length in
between is possible. So the person is possibly held if any change in (k_min .. k_max) holds,
and certainly held if all of them hold (and k_min > 0, since before any change the person
is free). `held_on` is that definition written out; the SQL in store/stats_queries.py
computes the same thing as date intervals, and the tests check one against the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from freedomledger.model import HOLDING, RELEASING, Status
from freedomledger.stats.periods import Span

DECIDING = HOLDING | RELEASING
# A plain "released" said on the same day as a more telling release status is reported as
# the more telling one (freed *and* deported is a deportation).
SPECIFIC_RELEASES = frozenset(RELEASING - {Status.released})


@dataclass(frozen=True)
class Event:
    """One status change as far as custody is concerned: what, and its earliest/latest day."""

    status: Status
    start: dt.date
    end: dt.date

    @property
    def holds(self) -> bool:
        return self.status in HOLDING


@dataclass(frozen=True)
class HeldState:
    point: bool
    lower: bool
    upper: bool


def deciding(history: Iterable[Event]) -> list[Event]:
    """The custody-deciding changes, in the order given (which must be date order)."""
    return [e for e in history if Status(e.status) in DECIDING]


def held_on(history: Sequence[Event], day: dt.date) -> HeldState:
    """Point estimate and bounds for one person on one day (see the module docstring)."""
    events = deciding(history)
    k_max = sum(1 for e in events if e.start <= day)  # starts are sorted, so this is a prefix
    k_min = max((i + 1 for i, e in enumerate(events) if e.end <= day), default=0)
    states = [events[k - 1].holds for k in range(max(k_min, 1), k_max + 1)]
    if k_min == 0:
        states.append(False)  # possibly nothing has happened yet: not held
    point = events[k_max - 1].holds if k_max else False
    return HeldState(point=point, lower=all(states), upper=any(states))


def held_counts(histories: Iterable[Sequence[Event]], day: dt.date) -> tuple[int, int, int]:
    """(point, lower, upper) numbers of persons held on `day`: the brute-force reference."""
    point = lower = upper = 0
    for history in histories:
        state = held_on(history, day)
        point += state.point
        lower += state.lower
        upper += state.upper
    return point, lower, upper


@dataclass(frozen=True)
class Transition:
    """A change of the point estimate: into custody (+1) or out of it (-1), and how."""

    direction: int
    kind: Status
    start: dt.date
    end: dt.date
    index: int


@dataclass(frozen=True)
class Spell:
    """One stretch in custody: the transition in and, unless still held, the one out."""

    began: Transition
    ended: Transition | None

    def days(self) -> int | None:
        return (self.ended.start - self.began.start).days if self.ended else None

    def days_bounds(self) -> tuple[int, int] | None:
        """The shortest and longest the spell can have lasted, given the fuzzy dates."""
        if self.ended is None:
            return None
        shortest = max(0, (self.ended.start - self.began.end).days)
        return shortest, (self.ended.end - self.began.start).days


def transitions(history: Sequence[Event]) -> list[Transition]:
    """Where the point estimate changes. They alternate in (+1) and out (-1), starting in."""
    events = deciding(history)
    out: list[Transition] = []
    held = False
    for i, event in enumerate(events):
        if event.holds == held:
            continue
        held = event.holds
        kind = Status(event.status)
        if not held and kind is Status.released and i + 1 < len(events):
            nxt = events[i + 1]
            if nxt.start == event.start and Status(nxt.status) in SPECIFIC_RELEASES:
                kind = Status(nxt.status)
        out.append(Transition(1 if held else -1, kind, event.start, event.end, i))
    return out


def spells(history: Sequence[Event]) -> list[Spell]:
    moves = transitions(history)
    return [
        Spell(moves[i], moves[i + 1] if i + 1 < len(moves) else None)
        for i in range(0, len(moves), 2)
    ]


@dataclass(frozen=True)
class HeldPoint:
    """Persons held on `day` (the last day of the period, or as_of for the current one)."""

    period: str
    day: dt.date
    point: int
    lower: int
    upper: int


def held_series(deltas: Iterable[tuple[dt.date, int, int, int]], periods: Sequence[Span]) -> list[HeldPoint]:
    """Counts at the end of each period from per-day changes (day, +-point, +-lower, +-upper).

    The changes are the boundaries of everyone's held intervals, summed per day in SQL; a
    running sum gives the count on any day, sampled here on each period's last day.
    """
    ordered = sorted(deltas)
    out: list[HeldPoint] = []
    point = lower = upper = 0
    i = 0
    for span in periods:
        while i < len(ordered) and ordered[i][0] <= span.end:
            _, dp, dl, du = ordered[i]
            point, lower, upper = point + dp, lower + dl, upper + du
            i += 1
        out.append(HeldPoint(span.label, span.end, point, lower, upper))
    return out
