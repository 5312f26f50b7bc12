"""The statistics SQL against a pure-Python brute force over random histories, on SQLite and
PostgreSQL, with and without the summary tables, and after changes the summary has not seen.

Histories are written straight into the tables (not through the audited service layer) so
that each example is cheap; `updated_at` is set the way the service layer sets it, since
the summary relies on it to find what changed. test_stats_ledger.py covers the service
layer path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, update

from freedomledger.ledger import Ledger
from freedomledger.model import Status
from freedomledger.stats import (
    Event,
    Period,
    StatsFilter,
    held_counts,
    spells,
    transitions,
)
from freedomledger.store import stats_queries as sq
from freedomledger.store.tables import persons, status_changes

D0 = dt.date(2024, 1, 1)
WINDOW = 45
OLD = dt.datetime(2020, 1, 1)  # "written long before the last refresh"
STATUSES = [s for s in Status]


@dataclass
class Change:
    status: Status
    start: int
    length: int
    retracted: bool = False

    def event(self) -> Event:
        return Event(self.status, D0 + dt.timedelta(self.start), D0 + dt.timedelta(self.start + self.length))


@dataclass
class Someone:
    changes: list[Change]
    published: bool = True
    retracted: bool = False
    citizenships: list[str] = field(default_factory=lambda: ["BY"])


change_st = st.builds(
    Change,
    status=st.sampled_from(STATUSES),
    start=st.integers(0, WINDOW - 5),
    length=st.sampled_from([0, 0, 0, 1, 3, 10, 30]),
    retracted=st.sampled_from([False, False, False, False, False, True]),
)
someone_st = st.builds(
    Someone,
    changes=st.lists(change_st, max_size=6),
    published=st.sampled_from([True, True, True, False]),
    retracted=st.sampled_from([False, False, False, False, True]),
    citizenships=st.sampled_from([["BY"], ["BY"], ["LT"], ["BY", "PL"]]),
)


def histories(people: list[Someone], *, public: bool = False, citizenship: str | None = None) -> list[list[Event]]:
    """What the SQL should see: visible persons, unretracted changes in (start, id) order."""
    out = []
    for person in people:
        if person.retracted or (public and not person.published):
            continue
        if citizenship and citizenship not in person.citizenships:
            continue
        live = [c for c in person.changes if not c.retracted]
        out.append(sorted((c.event() for c in live), key=lambda e: e.start))  # stable: id order on ties
    return out


def write(ledger: Ledger, people: list[Someone], when: dt.datetime = OLD) -> list[tuple[int, list[int]]]:
    """Replace everything with `people`; returns (person id, change ids) per person."""
    ids: list[tuple[int, list[int]]] = []
    with ledger.engine.begin() as conn:
        for table in (sq.stats_held_marks, sq.stats_transitions, sq.stats_state, status_changes, persons):
            conn.execute(delete(table))
        for n, person in enumerate(people):
            person_id = conn.execute(insert(persons).values(
                key=f"p{n}", gender="unknown", citizenships=person.citizenships, roles=[],
                published=person.published, retracted_at=when if person.retracted else None,
                created_at=when, updated_at=when,
            ).returning(persons.c.id)).scalar_one()
            change_ids = [
                conn.execute(insert(status_changes).values(
                    person_id=person_id, status=c.status.value, date_start=c.event().start,
                    date_end=c.event().end, date_precision="range" if c.length else "day", details={},
                    retracted_at=when if c.retracted else None, created_at=when, updated_at=when,
                ).returning(status_changes.c.id)).scalar_one()
                for c in person.changes
            ]
            ids.append((person_id, change_ids))
    return ids


def check_held(ledger: Ledger, people: list[Someone], public: bool = False, citizenship: str | None = None) -> None:
    f = StatsFilter(since=D0 - dt.timedelta(2), until=D0 + dt.timedelta(WINDOW + 35), period=Period.day,
                    as_of=D0 + dt.timedelta(WINDOW + 35), public=public, citizenship=citizenship)
    with ledger.read() as conn:
        series = sq.held_over_time(conn, f)
    expected = histories(people, public=public, citizenship=citizenship)
    for point in series:
        p, lo, up = held_counts(expected, point.day)
        assert (point.point, point.lower, point.upper) == (p, lo, up), f"on {point.day}"
        assert 0 <= point.lower <= point.point <= point.upper


def check_moves(ledger: Ledger, people: list[Someone], public: bool = False) -> None:
    f = StatsFilter(since=D0 - dt.timedelta(2), until=D0 + dt.timedelta(WINDOW + 35), period=Period.month,
                    as_of=D0 + dt.timedelta(WINDOW + 35), public=public)
    with ledger.read() as conn:
        moves = Counter({(d, e, k, kind): n for d, e, k, kind, n in sq.flow_moves(conn, f)})
        served = Counter({row[:4]: row[4] for row in sq.served_rows(conn, f, tuple(s.value for s in Status))})
        series = sq.held_over_time(conn, f)
        flows = sq.flows(conn, f)
    expected_moves: Counter[tuple[object, ...]] = Counter()
    expected_served: Counter[tuple[object, ...]] = Counter()
    for history in histories(people, public=public):
        for m in transitions(history):
            expected_moves[(m.start, m.end, m.direction, m.kind.value)] += 1
        for s in spells(history):
            if s.ended is not None:
                low, high = s.days_bounds() or (0, 0)
                expected_served[(s.ended.kind.value, s.days(), low, high)] += 1
    assert moves == expected_moves
    assert served == expected_served
    # The revolving door balances: the held count moves by exactly new - released.
    before = held_counts(histories(people, public=public), f.first_day - dt.timedelta(1))[0]
    for point, row in zip(series, flows):
        assert point.point - before == row.new - row.released, row.period
        before = point.point
        assert row.new >= 0 and row.released >= 0


# Each example costs a few queries on a real database; these counts keep the file to ~20 s
# over both databases while still reaching ties, ranges, retractions and unpublished persons.
def examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@examples(20)
@given(st.lists(someone_st, max_size=12), st.sampled_from([None, "LT"]), st.booleans())
def test_held_counts_match_brute_force(ledger: Ledger, people: list[Someone], citizenship: str | None,
                                       public: bool) -> None:
    write(ledger, people)
    check_held(ledger, people, public=public, citizenship=citizenship)
    sq.refresh(ledger)
    check_held(ledger, people, public=public, citizenship=citizenship)


@examples(12)
@given(st.lists(someone_st, max_size=12), st.booleans())
def test_flows_and_time_served_match_brute_force(ledger: Ledger, people: list[Someone], public: bool) -> None:
    write(ledger, people)
    check_moves(ledger, people, public=public)
    sq.refresh(ledger)
    check_moves(ledger, people, public=public)


@examples(8)
@given(st.lists(someone_st, min_size=1, max_size=10), st.data())
def test_changes_after_a_refresh_are_counted(ledger: Ledger, people: list[Someone], data: st.DataObject) -> None:
    """Refresh, then change some persons: answers stay exact before and after the next refresh."""
    ids = write(ledger, people)
    sq.refresh(ledger)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with ledger.engine.begin() as conn:
        for index in data.draw(st.sets(st.integers(0, len(people) - 1), max_size=3), label="changed"):
            person, (person_id, change_ids) = people[index], ids[index]
            what = data.draw(st.sampled_from(["add", "retract", "unpublish", "retract-person"]), label="change")
            if what == "add":
                change = data.draw(change_st, label="added")
                conn.execute(insert(status_changes).values(
                    person_id=person_id, status=change.status.value, date_start=change.event().start,
                    date_end=change.event().end, date_precision="day", details={},
                    retracted_at=now if change.retracted else None, created_at=now, updated_at=now))
                person.changes.append(change)
            elif what == "retract" and change_ids:
                k = data.draw(st.integers(0, len(change_ids) - 1), label="retracted")
                conn.execute(update(status_changes).where(status_changes.c.id == change_ids[k])
                             .values(retracted_at=now, updated_at=now))
                person.changes[k].retracted = True
            elif what == "unpublish":
                conn.execute(update(persons).where(persons.c.id == person_id).values(published=False, updated_at=now))
                person.published = False
            else:
                conn.execute(update(persons).where(persons.c.id == person_id).values(retracted_at=now, updated_at=now))
                person.retracted = True
    with ledger.read() as conn:
        assert sq.pending(conn) is not None
    check_held(ledger, people)
    check_held(ledger, people, public=True)
    check_moves(ledger, people)
    result = sq.refresh(ledger)
    assert result["mode"] == "incremental"
    check_held(ledger, people, public=True)
    check_moves(ledger, people)


def test_citizenship_filter_reads_the_json_list(ledger: Ledger) -> None:
    people = [
        Someone([Change(Status.detained, 0, 0)], citizenships=["BY", "PL"]),
        Someone([Change(Status.detained, 0, 0)], citizenships=["LT"]),
        Someone([Change(Status.detained, 0, 0)], citizenships=["BY"]),
    ]
    write(ledger, people)
    f = StatsFilter(as_of=D0 + dt.timedelta(5), citizenship="pl")
    with ledger.read() as conn:
        assert sq.held_on_day(conn, f).point == 1
        assert sq.held_on_day(conn, f.with_(citizenship="BY")).point == 2
        assert sq.held_on_day(conn, f.with_(citizenship=None)).point == 3
    assert json.dumps(["BY", "PL"])  # the stored form the filter matches against


@pytest.mark.parametrize("full", [False, True])
def test_refresh_with_nothing_changed_keeps_the_answers(ledger: Ledger, full: bool) -> None:
    people = [Someone([Change(Status.detained, 0, 0), Change(Status.sentenced, 3, 10), Change(Status.pardoned, 20, 0)]),
              Someone([Change(Status.recognised_political_prisoner, 2, 30)])]
    write(ledger, people)
    assert sq.refresh(ledger)["mode"] == "full"
    again = sq.refresh(ledger, full=full)
    assert again["mode"] == ("full" if full else "incremental")
    assert again["persons"] in (None, 0)
    check_held(ledger, people)
    check_moves(ledger, people)
