"""The pure statistics core: the held-on-a-day definition against an exhaustive brute force,
periods, flows bucketing, quantiles, release comparisons, exile shares."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.model import HOLDING, RELEASING, Status, is_held
from freedomledger.stats import (
    Event,
    Period,
    ReleaseRow,
    exile_share,
    flow_series,
    held_on,
    held_series,
    largest_since,
    quantile,
    spans,
    spells,
    summarise_served,
    totals,
    transitions,
)

D0 = dt.date(2024, 1, 1)
DECIDING = sorted(HOLDING | RELEASING)


@st.composite
def small_history(draw: st.DrawFn, days: int = 6, size: int = 4) -> list[Event]:
    """A few changes with ranges inside a short window, in (start, insertion) order."""
    events = []
    for _ in range(draw(st.integers(0, size))):
        start = draw(st.integers(0, days - 1))
        length = draw(st.sampled_from([0, 0, 1, 2, days]))
        end = min(start + length, days - 1)
        status = draw(st.sampled_from(DECIDING + [Status.charged]))
        events.append(Event(status, D0 + dt.timedelta(start), D0 + dt.timedelta(end)))
    return sorted(events, key=lambda e: e.start)  # stable: ties keep insertion order


def enumerate_states(history: list[Event], day: dt.date) -> set[bool]:
    """Every answer "held on `day`?" over every choice of actual days for the changes.

    A choice gives each custody-deciding change a day inside its range, never earlier than
    the change before it (the list order is the order things happened in; changes that do
    not decide custody, like a charge, play no part); the changes done by `day` are then
    those with a day <= `day`, and is_held reads them.
    """
    history = [e for e in history if e.status in HOLDING | RELEASING]
    choices = [
        [e.start + dt.timedelta(k) for k in range((e.end - e.start).days + 1)] for e in history
    ]
    seen: set[bool] = set()
    for picked in itertools.product(*choices):
        if any(picked[i] > picked[i + 1] for i in range(len(picked) - 1)):
            continue
        seen.add(is_held(e.status for e, when in zip(history, picked) if when <= day))
    return seen


@settings(max_examples=300, deadline=None)
@given(small_history(), st.integers(-1, 7))
def test_held_on_matches_exhaustive_enumeration(history: list[Event], offset: int) -> None:
    day = D0 + dt.timedelta(offset)
    state = held_on(history, day)
    possible = enumerate_states(history, day)
    assert state.upper == (True in possible)
    assert state.lower == (possible == {True})
    # The point estimate is the reading with every change on its first day.
    assert state.point == is_held(e.status for e in history if e.start <= day)
    assert state.lower <= state.point <= state.upper


@given(small_history(days=40, size=8))
def test_spells_alternate_and_match_is_held(history: list[Event]) -> None:
    moves = transitions(history)
    assert [m.direction for m in moves] == [1 if i % 2 == 0 else -1 for i in range(len(moves))]
    # After the last move the point estimate is what is_held says of the whole history.
    assert (bool(moves) and moves[-1].direction == 1) == is_held(e.status for e in history)
    for spell in spells(history):
        if spell.ended is not None:
            shortest, longest = spell.days_bounds() or (0, 0)
            assert 0 <= shortest <= max(0, spell.days() or 0) <= longest


def test_released_then_deported_the_same_day_counts_as_deportation() -> None:
    day = dt.date(2025, 12, 13)
    history = [
        Event(Status.detained, dt.date(2021, 7, 14), dt.date(2021, 7, 14)),
        Event(Status.released, day, day),
        Event(Status.deported, day, day),
    ]
    moves = transitions(history)
    assert [(m.direction, m.kind) for m in moves] == [(1, Status.detained), (-1, Status.deported)]


def test_month_precision_gives_a_band() -> None:
    history = [Event(Status.detained, dt.date(2020, 9, 1), dt.date(2020, 9, 30))]
    mid = held_on(history, dt.date(2020, 9, 15))
    assert (mid.point, mid.lower, mid.upper) == (True, False, True)
    after = held_on(history, dt.date(2020, 10, 1))
    assert (after.point, after.lower, after.upper) == (True, True, True)


@given(st.dates(dt.date(2019, 1, 1), dt.date(2027, 1, 1)), st.integers(0, 900),
       st.sampled_from(list(Period)))
def test_spans_partition_the_window(first: dt.date, length: int, period: Period) -> None:
    last = first + dt.timedelta(length)
    parts = spans(first, last, period)
    assert parts[0].start == first and parts[-1].end == last
    for a, b in zip(parts, parts[1:]):
        assert b.start == a.end + dt.timedelta(1)
    assert len({p.label for p in parts}) == len(parts)


def test_held_series_samples_the_running_sum_at_period_ends() -> None:
    deltas = [(dt.date(2020, 1, 10), 2, 1, 3), (dt.date(2020, 2, 5), -1, 0, -1), (dt.date(2020, 3, 1), 1, 1, 1)]
    series = held_series(deltas, spans(dt.date(2020, 1, 1), dt.date(2020, 3, 15), Period.month))
    assert [(p.period, p.point, p.lower, p.upper) for p in series] == [
        ("2020-01", 2, 1, 3), ("2020-02", 1, 1, 2), ("2020-03", 2, 2, 3),
    ]
    assert series[-1].day == dt.date(2020, 3, 15)


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 60), st.sampled_from([1, -1]),
                          st.sampled_from(["released", "pardoned", "deported"]), st.integers(1, 5)),
                max_size=40))
def test_flows_per_period_add_up_to_the_total(raw: list[tuple[int, int, int, str, int]]) -> None:
    start = dt.date(2024, 1, 1)
    moves = [(start + dt.timedelta(d), start + dt.timedelta(d + extra), k, kind, n) for d, extra, k, kind, n in raw]
    last = start + dt.timedelta(500)
    months = flow_series(moves, spans(start, last, Period.month))
    years = flow_series(moves, spans(start, last, Period.year))
    whole = totals(months)
    assert whole.new == sum(r.new for r in years) == sum(n for _, _, k, _, n in moves if k > 0)
    assert whole.released == sum(r.released for r in years) == sum(sum(r.by_kind.values()) for r in months)
    for row in months:
        assert 0 <= row.new_uncertain <= row.new and 0 <= row.released_uncertain <= row.released
        assert row.ratio is None or row.ratio >= 0


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=60), st.sampled_from([0.25, 0.5, 0.75]))
def test_quantile_of_a_frequency_table_matches_statistics(values: list[int], q: float) -> None:
    freq: dict[int, int] = {}
    for v in values:
        freq[v] = freq.get(v, 0) + 1
    if q == 0.5:
        assert quantile(freq, q) == statistics.median(values)
    expected = statistics.quantiles(values, n=4, method="inclusive")[[0.25, 0.5, 0.75].index(q)] if len(values) > 1 else values[0]
    assert abs((quantile(freq, q) or 0) - expected) < 1e-9


def test_served_summary_buckets_every_release() -> None:
    rows = [("pardoned", 100, 90, 110, 2), ("released", 800, 800, 800, 3), ("deported", 2000, 1990, 2010, 1)]
    summary = summarise_served(rows)
    assert summary.releases == 6 == sum(n for _, n in summary.histogram)
    assert summary.median_days == 800
    assert summary.by_kind["pardoned"]["releases"] == 2


def _release(key: str, day: int, count: int | None, named: int = 0, dest: tuple[str, ...] = (),
             counts: tuple[tuple[str, int], ...] = ()) -> ReleaseRow:
    date = dt.date(2025, 1, 1) + dt.timedelta(day)
    return ReleaseRow(key, date.isoformat(), date, date, "BY", "pardon", count, named, dest, counts)


def test_largest_since_names_the_last_release_at_least_as_large() -> None:
    rows = [_release("a", 0, 100), _release("b", 10, 30), _release("c", 20, 50), _release("d", 30, 40)]
    assert largest_since(rows, "d").previous_larger.key == "c"  # type: ignore[union-attr]
    assert largest_since(rows, "c").previous_larger.key == "a"  # type: ignore[union-attr]
    first = largest_since(rows, "a")
    assert first.previous_larger is None and first.rank == 1 and "first release" in first.headline
    # Without an announced number the named persons are counted.
    assert _release("e", 40, None, named=7).count == 7


def test_exile_share_is_a_range_when_a_destination_has_no_number() -> None:
    rows = [
        _release("all-abroad", 0, 10, dest=("LT", "UA"), counts=(("LT", 4), ("UA", 6))),
        _release("unknown-split", 5, 20, dest=("LT",)),
        _release("partly", 9, 50, dest=("LT",), counts=(("LT", 5),)),
        _release("no-destination", 12, 7),
    ]
    share = exile_share(rows)
    assert (share.exiled_lower, share.exiled_upper, share.released) == (15, 35, 80)
    assert share.not_reported_releases == 1 and share.not_reported_released == 7
    assert share.share_lower is not None and share.share_upper is not None
    assert 0 <= share.share_lower <= share.share_upper <= 1
