"""The ledger core on both databases: writes, provenance, audit, conflicts, rollback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freedomledger.ledger import Conflict, Ledger, LedgerError, queries
from freedomledger.ledger import events as ev
from freedomledger.ledger import registry as reg
from freedomledger.ledger.loading import load_dataset
from freedomledger.model import FuzzyDate, Name, Person, Status, StatusChange
from freedomledger.sources.sample import DatasetError, read_dataset
from freedomledger.store.tables import audit_log, claims, persons, release_events, status_changes

FIXTURES = Path(__file__).parent / "fixtures"


def count(ledger: Ledger, table) -> int:  # type: ignore[no-untyped-def]
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def add_person(ledger: Ledger, key: str = "p-one", *statuses: tuple[str, str]) -> int:
    with ledger.transaction("tester") as tx:
        source_id, _ = tx.source(kind="manual", key="src-1", outlet="Test")
        person_id = reg.upsert_person(
            tx, Person(key=key, names=[Name(text="Maryia Test"), Name(text="Мария Тест")]), source_id
        )
        for status, date in statuses:
            reg.add_status(tx, person_id, StatusChange(status=status, date=FuzzyDate.parse(date)), source_id)
    return person_id


def test_person_with_names_statuses_and_sources(ledger: Ledger) -> None:
    add_person(ledger, "p-one", ("detained", "2020-09-07"), ("sentenced", "2021-09"))
    with ledger.read() as conn:
        view = queries.person_view(conn, "p-one")
    assert [n["script"] for n in view["names"]] == ["latin", "cyrillic"]
    assert [h["status"] for h in view["status_history"]] == ["detained", "sentenced"]
    assert view["status_history"][1]["date"] == "2021-09"
    assert view["held"] is True
    assert view["sources"][0]["outlet"] == "Test"
    # every status change is backed by a claim pointing at the source
    assert all(h["sources"] for h in view["status_history"])


def test_person_view_is_one_statement_with_every_fact_sourced(ledger: Ledger) -> None:
    from sqlalchemy import event

    add_person(ledger, "p-one", ("sentenced", "2021-09"), ("detained", "2020-09-07"))
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(ledger.engine, "before_cursor_execute", seen)
    try:
        with ledger.read() as conn:
            view = queries.person_view(conn, "p-one")
    finally:
        event.remove(ledger.engine, "before_cursor_execute", seen)
    assert len([s for s in statements if s.startswith("SELECT")]) == 1  # SQLite also sends BEGIN
    # the lists come back from JSON aggregates in no set order: the view sorts them
    assert [h["status"] for h in view["status_history"]] == ["detained", "sentenced"]
    assert [n["text"] for n in view["names"]] == ["Maryia Test", "Мария Тест"]
    assert all(n["sources"] and n["sources"][0]["key"] == "src-1" for n in view["names"])
    assert view["status_history"][0]["date"] == "2020-09-07"


def test_held_follows_the_latest_deciding_status(ledger: Ledger) -> None:
    add_person(ledger, "freed", ("detained", "2020-01-01"), ("pardoned", "2025-06-21"))
    add_person(ledger, "rearrested", ("detained", "2020-01-01"), ("released", "2021-01-01"),
               ("re_detained", "2022-05-01"))
    with ledger.read() as conn:
        held_now = {p["key"] for p in queries.list_persons(conn, held=True)}
        held_2021 = {p["key"] for p in queries.list_persons(conn, held=True, as_of=dt.date(2021, 6, 1))}
        held_2024 = {p["key"] for p in queries.list_persons(conn, held=True, as_of=dt.date(2024, 1, 1))}
    assert held_now == {"rearrested"}
    assert held_2021 == {"freed"}
    assert held_2024 == {"freed", "rearrested"}


def test_same_fact_twice_is_one_fact_with_more_sources(ledger: Ledger) -> None:
    person_id = add_person(ledger, "p-one", ("detained", "2020-09-07"))
    with ledger.transaction("tester") as tx:
        other, _ = tx.source(kind="manual", key="src-2", outlet="Other")
        reg.add_status(tx, person_id, StatusChange(status=Status.detained, date=FuzzyDate.parse("2020-09-07")), other)
    assert count(ledger, status_changes) == 1
    with ledger.read() as conn:
        history = queries.status_history(conn, person_id)
    assert {s["outlet"] for s in history[0]["sources"]} == {"Test", "Other"}


def test_every_write_is_audited_with_before_and_after(ledger: Ledger) -> None:
    person_id = add_person(ledger)
    with ledger.transaction("editor-a") as tx:
        tx.update(persons, person_id, {"notes": "new note"}, reason="clarified")
    with ledger.read() as conn:
        trail = queries.history(conn, table="persons", subject_id=person_id)
    assert [t["action"] for t in trail] == ["update", "create"]
    assert trail[0]["actor"] == "editor-a"
    assert trail[0]["before"] == {"notes": None, "version": 1}
    assert trail[0]["after"]["notes"] == "new note"
    assert trail[0]["reason"] == "clarified"


def test_stale_edit_is_a_conflict_not_an_overwrite(ledger: Ledger) -> None:
    person_id = add_person(ledger)
    with ledger.transaction("editor-a") as tx:
        tx.update(persons, person_id, {"notes": "A"}, expected_version=1)
    with pytest.raises(Conflict, match="changed by someone else"):
        with ledger.transaction("editor-b") as tx:
            tx.update(persons, person_id, {"notes": "B"}, expected_version=1)
    with ledger.read() as conn:
        assert queries.person_view(conn, person_id)["notes"] == "A"


def test_retraction_keeps_the_row_and_the_reason(ledger: Ledger) -> None:
    person_id = add_person(ledger)
    with ledger.transaction("admin") as tx:
        tx.retract(persons, person_id, "duplicate of another record")
    assert count(ledger, persons) == 1
    with ledger.read() as conn:
        assert queries.list_persons(conn) == []
        assert queries.person_view(conn, person_id)["retracted"] == "duplicate of another record"
    with pytest.raises(LedgerError, match="needs a reason"):
        with ledger.transaction("admin") as tx:
            tx.retract(persons, person_id, " ")


def test_an_error_midway_leaves_nothing_written(ledger: Ledger) -> None:
    before = count(ledger, audit_log)
    with pytest.raises(RuntimeError):
        with ledger.transaction("tester") as tx:
            source_id, _ = tx.source(kind="manual", key="s")
            reg.upsert_person(tx, Person(key="half", names=[Name(text="Half Written")]), source_id)
            raise RuntimeError("crash in the middle")
    assert count(ledger, persons) == 0
    assert count(ledger, audit_log) == before


def test_dataset_loads_once_and_again_changes_nothing(ledger: Ledger) -> None:
    data = read_dataset(FIXTURES / "dataset")
    with ledger.transaction("loader") as tx:
        counts = load_dataset(tx, data)
    assert counts["persons"] == 3 and counts["releases"] == 1 and counts["deals"] == 1
    audit_rows = count(ledger, audit_log)
    with ledger.transaction("loader") as tx:
        load_dataset(tx, data)
        assert tx.changes == 0
    assert count(ledger, audit_log) == audit_rows


def test_competing_count_claims_are_kept_side_by_side(ledger: Ledger) -> None:
    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
    with ledger.read() as conn:
        view = queries.release_view(conn, "rel-1")
    counts = {(c["value"], c["status"]) for c in view["claims"] if c["field"] == "announced_count"}
    assert counts == {(250, "accepted"), (249, "competing")}
    assert view["announced_count"] == 250 and view["named_count"] == 1
    assert {m["name"] for m in view["mediators"]} == {"Envoy Example", "United States"}
    # an editor decides the other outlet was right, and says why
    with ledger.transaction("editor") as tx:
        event_id = view["id"]
        losing = next(c["claim_id"] for c in view["claims"] if c["value"] == 249)
        ev.accept_value(tx, release_events, event_id, "announced_count", losing, "official list has 249 names")
    with ledger.read() as conn:
        after = queries.release_view(conn, "rel-1")
        statuses = {c["value"]: (c["status"], c["reason"]) for c in after["claims"] if c["field"] == "announced_count"}
    assert after["announced_count"] == 249
    assert statuses[249] == ("accepted", "official list has 249 names")
    assert statuses[250][0] == "competing"


def test_deal_links_release_meeting_and_sanction_action(ledger: Ledger) -> None:
    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
    with ledger.read() as conn:
        deal = queries.deal_view(conn, "deal-1")
    assert [r["key"] for r in deal["releases"]] == ["rel-1"]
    assert deal["sanction_actions"][0]["date"] == "2026-03-21..2026-07-23"
    assert deal["sanction_actions"][0]["target_name"] == "Potash Company"
    assert deal["meetings"][0]["place"] == "Minsk"


def test_public_view_hides_confidential_fields(ledger: Ledger) -> None:
    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
    with ledger.read() as conn:
        private = queries.person_view(conn, "anna-example")
        public = queries.person_view(conn, "anna-example", public=True)
    assert private["confidential_notes"] == "family contact kept private"
    assert "confidential_notes" not in public


def test_every_fact_row_has_a_claim(ledger: Ledger) -> None:
    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
    from freedomledger.store import tables

    fact_tables = [tables.persons, tables.organizations, tables.names, tables.status_changes,
                   tables.release_events, tables.release_mediators, tables.sanction_actions,
                   tables.deals, tables.deal_links, tables.meetings]
    with ledger.read() as conn:
        for table in fact_tables:
            ids = set(conn.execute(select(table.c.id)).scalars())
            claimed = set(conn.execute(
                select(claims.c.subject_id).where(claims.c.subject_table == table.name)).scalars())
            assert ids and ids <= claimed, f"{table.name} rows without a claim: {ids - claimed}"


def test_dataset_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    for name in ("sources", "organizations", "persons", "releases", "sanctions", "deals"):
        (tmp_path / f"{name}.yaml").write_text((FIXTURES / "dataset" / f"{name}.yaml").read_text())
    broken = (tmp_path / "persons.yaml").read_text().replace("date: 2021-07-14", "date: 2021-02-30")
    (tmp_path / "persons.yaml").write_text(broken)
    with pytest.raises(DatasetError, match=r"persons.yaml entry 1 \(anna-example\).*2021-02-30"):
        read_dataset(tmp_path)
    (tmp_path / "persons.yaml").write_text(broken.replace("2021-02-30", "2021-02-28").replace(
        "release: rel-1", "release: rel-404"))
    with pytest.raises(DatasetError, match="unknown release 'rel-404'"):
        read_dataset(tmp_path)


def test_deal_link_suggestions_find_close_actions_not_yet_linked(ledger: Ledger) -> None:
    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
        source_id, _ = tx.source(kind="manual", key="notice")
        from freedomledger.model import SanctionAction

        near = ev.upsert_sanction_action(tx, SanctionAction(
            authority="US", action="eased", date=FuzzyDate.parse("2026-03-25"), target_name="A bank"), source_id)
        ev.upsert_sanction_action(tx, SanctionAction(
            authority="US", action="eased", date=FuzzyDate.parse("2026-06-01"), target_name="Far away"), source_id)
        ev.upsert_sanction_action(tx, SanctionAction(
            authority="EU", action="designated", date=FuzzyDate.parse("2026-03-20"), target_name="Other authority"),
            source_id)
    with ledger.read() as conn:
        suggestions = queries.suggest_deal_links(conn, window_days=14)
    # the already-linked potash delisting and the far or foreign actions are not suggested
    assert [(s["action_id"], s["deal"]) for s in suggestions] == [(near, "deal-1")]


def test_public_views_hide_unpublished_releases_and_targets(ledger: Ledger) -> None:
    from freedomledger.ledger import NotFound
    from freedomledger.store.tables import organizations

    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
    with ledger.read() as conn:
        release_id = queries.release_view(conn, "rel-1")["id"]
        org_id = conn.execute(select(organizations.c.id).where(organizations.c.key == "potash-co")).scalar_one()
    with ledger.transaction("editor") as tx:
        ev.set_published(tx, organizations, org_id, False, "target under embargo")
    with ledger.read() as conn:
        assert queries.deal_view(conn, "deal-1", public=True)["sanction_actions"] == []
        assert len(queries.deal_view(conn, "deal-1")["sanction_actions"]) == 1
    with ledger.transaction("editor") as tx:
        ev.set_published(tx, release_events, release_id, False, "names not yet confirmed")
    with ledger.read() as conn:
        with pytest.raises(NotFound):
            queries.release_view(conn, "rel-1", public=True)
        assert queries.deal_view(conn, "deal-1", public=True)["releases"] == []
        assert queries.list_releases(conn, public=True) == []
