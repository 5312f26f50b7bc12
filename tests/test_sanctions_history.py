"""Snapshot history, property-based: any import order gives the history of the sorted order.

Random small lists (a few entities, two programs, two spellings) over a few dates are
imported in a random order; the stored memberships must list exactly each snapshot's
entities at each date, and the changes must be those of comparing consecutive snapshots
directly with the pure differ. SQLite in memory keeps each example fast; the same code runs
on PostgreSQL in test_sanctions_ledger.py.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from freedomledger.ledger import Ledger
from freedomledger.sanctions import SnapshotInput, diff_states, import_snapshots
from freedomledger.sources.common import (
    ALL_COVERAGE,
    EntitySchema,
    ListEntry,
    ListNameKind,
    ParsedList,
    content_hash_of,
    make_name,
)
from freedomledger.store import db
from freedomledger.store.sanctions_tables import list_changes, list_entities, list_memberships
from freedomledger.store.tables import metadata

IDS = ["1", "2", "3", "4", "5"]
_entity = st.tuples(st.sampled_from(["SDGT", "BELARUS"]), st.sampled_from(["ALPHA", "ALFA"]))
_snapshot = st.dictionaries(st.sampled_from(IDS), _entity, max_size=len(IDS))


def _parsed(index: int, members: dict[str, tuple[str, str]]) -> ParsedList:
    entries = [ListEntry("test-list", ext, EntitySchema.organization,
                         (make_name(f"{name} {ext}", ListNameKind.primary),), (program,),
                         coverage=ALL_COVERAGE)
               for ext, (program, name) in sorted(members.items())]
    digest = content_hash_of([index, [e.to_dict() for e in entries]])
    return ParsedList("test-list", entries, (f"v{index}",), digest, authority="US")


def _ledger() -> Ledger:
    engine = db.make_engine("sqlite://")
    metadata.create_all(engine)
    return Ledger(engine)


@given(st.lists(_snapshot, min_size=2, max_size=5), st.randoms(use_true_random=False))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_import_order_gives_the_sorted_history(snapshots: list[dict], rnd) -> None:
    base = dt.datetime(2024, 1, 1)
    items = [SnapshotInput(_parsed(i, m), base + dt.timedelta(days=30 * i), "user")
             for i, m in enumerate(snapshots)]
    order = list(items)
    rnd.shuffle(order)
    ledger = _ledger()
    for item in order:  # one transaction each, as separate imports would be
        import_snapshots(ledger, [item], "test")

    with ledger.read() as conn:
        ext_of = dict(conn.execute(select(list_entities.c.id, list_entities.c.external_id)).all())
        # An open run (no last snapshot) reaches the newest snapshot.
        spans = [(ext_of[e], f, l or dt.datetime.max) for e, f, l in conn.execute(
            select(list_memberships.c.entity_id, list_memberships.c.first_at,
                   list_memberships.c.last_at))]
        stored = {(ext_of[r.entity_id], r.action, r.date_start, r.date_end) for r in conn.execute(
            select(list_changes).where(list_changes.c.retracted_at.is_(None)))}
    for item in items:
        listed = {ext for ext, first, last in spans if first <= item.taken_at <= last}
        assert listed == {e.external_id for e in item.parsed.entries}

    expected = set()
    for old, new in zip(items, items[1:]):
        before = {e.external_id: e for e in old.parsed.entries}
        after = {e.external_id: e for e in new.parsed.entries}
        found = diff_states(
            {k: e.content_hash for k, e in before.items()},
            {k: e.content_hash for k, e in after.items()},
            lambda ids, d=before: {i: d[i].to_dict() for i in ids},
            lambda ids, d=after: {i: d[i].to_dict() for i in ids})
        expected |= {(c.external_id, c.action, old.taken_at.date(), new.taken_at.date())
                     for c in found}
    assert stored == expected
    ledger.close()
