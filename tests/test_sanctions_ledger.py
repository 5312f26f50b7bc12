"""Sanctions snapshots in the ledger: import, history, "as of" answers, atomicity.

Runs on SQLite and PostgreSQL (the `ledger` fixture), on the small fixtures.
"""

from __future__ import annotations

import datetime as dt
import io
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freedomledger.ledger import Ledger, LedgerError
from freedomledger.ledger import events as ev
from freedomledger.model import FuzzyDate, SanctionAction, SanctionActionKind
from freedomledger.sanctions import (
    changes,
    find_entities,
    import_path,
    lists_view,
    status_as_of,
    timeline,
)
from freedomledger.sources.common import ListFormatError
from freedomledger.store.sanctions_tables import (
    TABLES,
    list_changes,
    list_entities,
    list_memberships,
    list_snapshots,
)
from freedomledger.store.tables import audit_log, claims, sanction_actions

FIX = Path(__file__).parent / "fixtures" / "sanctions"
V1, V2, ADD_ALT = FIX / "ofac_2024-01", FIX / "ofac_2024-06", FIX / "ofac_2025-01_add_alt"
DATES = {V1: "2024-01-15", V2: "2024-06-15", ADD_ALT: "2025-01-10"}


def _import(ledger: Ledger, *folders: Path) -> list:
    results = []
    for folder in folders:
        results += import_path(ledger, folder, "ofac-sdn", actor="test", date=DATES[folder])
    return results


def _change_set(ledger: Ledger) -> set[tuple[str, str, str, str]]:
    with ledger.read() as conn:
        return {(r["date"]["start"], r["date"]["end"], r["action"], r["external_id"])
                for r in changes(conn, list_key="ofac-sdn")}


def _counts(ledger: Ledger) -> dict[str, int]:
    with ledger.read() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (*TABLES, sanction_actions, claims, audit_log)}


EXPECTED = {
    ("2024-01-15", "2024-06-15", "delisted", "306"),
    ("2024-01-15", "2024-06-15", "designated", "34752"),
    ("2024-01-15", "2024-06-15", "amended", "32746"),   # BELARUS-EO → BELARUS-EO14038
    ("2024-01-15", "2024-06-15", "amended", "44541"),   # one alias added
    ("2024-06-15", "2025-01-10", "delisted", "44541"),
}


def test_history_from_three_snapshots(ledger: Ledger) -> None:
    results = _import(ledger, V1, V2, ADD_ALT)
    assert [(r.designated, r.delisted, r.amended) for r in results] == [(0, 0, 0), (1, 1, 2), (0, 1, 0)]
    assert _change_set(ledger) == EXPECTED
    with ledger.read() as conn:
        rows = {r["external_id"]: r for r in changes(conn, list_key="ofac-sdn")
                if r["action"] != "designated"}
        assert rows["32746"]["programs_before"] == ["BELARUS-EO"]
        assert rows["32746"]["programs"] == ["BELARUS-EO14038"]
        assert rows["44541"]["action"] == "delisted"
        # The add/alt-only snapshot knows no programs or primary name: they come from the
        # newest snapshot that does.
        assert rows["44541"]["programs"] == ["BELARUS-EO14038"]
        assert rows["44541"]["name"] == "OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES"
        # Every change is a sanction action claimed by the two snapshots around it.
        action_id = rows["44541"]["sanction_action_id"]
        action = conn.execute(select(sanction_actions).where(sanction_actions.c.id == action_id)
                              ).mappings().one()
        assert (action["authority"], action["action"], action["date_precision"]) == \
            ("US", "delisted", "range")
        assert (action["date_start"], action["date_end"]) == (dt.date(2024, 6, 15), dt.date(2025, 1, 10))
        assert conn.execute(select(func.count()).select_from(claims).where(
            claims.c.subject_table == "sanction_actions", claims.c.subject_id == action_id)
        ).scalar_one() == 2
        lists = lists_view(conn)
        assert [(lst["list"], lst["snapshot_count"]) for lst in lists] == [("ofac-sdn", 3)]


def test_status_as_of_with_evidence(ledger: Ledger) -> None:
    _import(ledger, V1, V2, ADD_ALT)
    with ledger.read() as conn:
        before = status_as_of(conn, "44541", authority="US", as_of=dt.date(2023, 12, 1))
        listed = status_as_of(conn, "Belavia", authority="US", as_of=dt.date(2024, 3, 1))
        gone = status_as_of(conn, "ofac-sdn:44541", as_of=dt.date(2025, 2, 1))
        nowhere = status_as_of(conn, "Belavia", authority="UK", as_of=dt.date(2025, 2, 1))
    assert before["results"][0]["listed"] is None
    result = listed["results"][0]
    assert result["listed"] is True
    assert result["programs"] == ["BELARUS-EO14038"]
    assert result["evidence"]["snapshot_at_or_before"]["date"] == "2024-01-15"
    assert result["evidence"]["next_snapshot"]["lists_it"] is True
    assert result["evidence"]["first_absent_snapshot"]["date"] == "2025-01-10"
    assert result["since"]["last_absent_snapshot"] is None  # listed since the first snapshot held
    result = gone["results"][0]
    assert result["listed"] is False
    assert result["evidence"]["last_listing_snapshot"]["date"] == "2024-06-15"
    assert result["evidence"]["first_absent_snapshot"]["date"] == "2025-01-10"
    assert "2024-06-15" in result["explanation"] and "2025-01-10" in result["explanation"]
    assert nowhere["results"] == []


def test_reimport_is_a_no_op(ledger: Ledger) -> None:
    _import(ledger, V1, V2)
    before = _counts(ledger)
    again = import_path(ledger, V2, "ofac-sdn", actor="test", date="2030-01-01")
    assert again[0].created is False and "already imported" in again[0].warnings[0]
    assert _counts(ledger) == before


@pytest.mark.parametrize("order", [(V1, ADD_ALT, V2), (ADD_ALT, V2, V1), (V2, V1, ADD_ALT)])
def test_out_of_order_imports_give_the_same_history(ledger: Ledger, order: tuple[Path, ...]) -> None:
    _import(ledger, *order)
    assert _change_set(ledger) == EXPECTED
    with ledger.read() as conn:
        days = [dt.date(2024, 3, 1), dt.date(2024, 7, 1), dt.date(2025, 2, 1)]
        answers = [status_as_of(conn, "ofac-sdn:44541", as_of=d)["results"][0]["listed"] for d in days]
        assert answers == [True, True, False]
        # Memberships never overlap: each entity is covered at most once per instant.
        rows = conn.execute(select(list_memberships.c.entity_id, list_memberships.c.first_at,
                                   list_memberships.c.last_at)).all()
    by_entity: dict[int, list] = {}
    for entity_id, first, last in rows:  # an open run (last None) reaches the newest snapshot
        by_entity.setdefault(entity_id, []).append((first, last or dt.datetime.max))
    for spans in by_entity.values():
        spans.sort()
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))
    if order == (V1, ADD_ALT, V2):
        # V1→ADD_ALT changes were superseded, kept as retracted, not deleted.
        with ledger.read() as conn:
            retracted = conn.execute(select(func.count()).select_from(list_changes)
                                     .where(list_changes.c.retracted_at.is_not(None))).scalar_one()
        assert retracted > 0


def _history_archive(path: Path, versions: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:xz") as archive:
        for name, data in versions:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_malformed_version_in_a_batch_leaves_the_ledger_unchanged(ledger: Ledger, tmp_path: Path) -> None:
    _import(ledger, V1)
    before = _counts(ledger)
    good = (V2 / "sdn.csv").read_bytes()
    bad = good.replace(b'"BELARUS-EO14038",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Tax', b'"BELARUS-EO14038",-0- ,"Tax', 1)
    archive = _history_archive(tmp_path / "versions.tar.xz", [
        ("sdn_20240701T120000Z.csv", good), ("sdn_20240702T120000Z.csv", bad)])
    with pytest.raises(ListFormatError) as info:
        import_path(ledger, archive, "ofac-sdn", actor="test")
    assert "sdn_20240702T120000Z.csv" in str(info.value)
    assert info.value.line == 3 and "fields" in str(info.value)
    assert _counts(ledger) == before


def test_history_archive_dates_come_from_member_names(ledger: Ledger, tmp_path: Path) -> None:
    archive = _history_archive(tmp_path / "versions.tar.xz", [
        ("sdn_20240115T184323Z.csv", (V1 / "sdn.csv").read_bytes()),
        ("sdn_20240615T184323Z.csv", (V2 / "sdn.csv").read_bytes())])
    results = import_path(ledger, archive, "ofac-sdn", actor="test")
    assert [(r.taken_at, r.date_source) for r in results] == [
        (dt.datetime(2024, 1, 15, 18, 43, 23), "file_name"),
        (dt.datetime(2024, 6, 15, 18, 43, 23), "file_name")]
    # sdn.csv alone covers no aliases: the alias added in V2 is not an amendment here.
    assert (results[1].designated, results[1].delisted, results[1].amended) == (1, 1, 1)


def test_a_date_is_required_when_the_file_states_none(ledger: Ledger) -> None:
    with pytest.raises(ListFormatError, match="--date"):
        import_path(ledger, V1, "ofac-sdn", actor="test")
    results = import_path(ledger, FIX / "sdn_2025-02-03.xml", "ofac-sdn", actor="test",
                          date="2025-03-01")
    assert (results[0].as_of, results[0].date_source) == (dt.date(2025, 2, 3), "file")
    assert "ignored" in results[0].warnings[0]


def test_two_contents_cannot_share_one_date(ledger: Ledger) -> None:
    import_path(ledger, V1, "ofac-sdn", actor="test", date="2024-01-15")
    with pytest.raises(LedgerError, match="already has a different snapshot"):
        import_path(ledger, V2, "ofac-sdn", actor="test", date="2024-01-15")
    results = import_path(ledger, V2, "ofac-sdn", actor="test", date="2024-01-15T18:00")
    assert results[0].created


def test_xml_formats_line_up_with_csv_by_entity_number(ledger: Ledger) -> None:
    import_path(ledger, V2, "ofac-sdn", actor="test", date="2024-06-15")
    import_path(ledger, FIX / "sdn_2025-02-03.xml", "ofac-sdn", actor="test")
    import_path(ledger, FIX / "sdn_advanced_2025-12-31.xml", "ofac-sdn", actor="test")
    with ledger.read() as conn:
        rows = changes(conn, list_key="ofac-sdn", since=dt.date(2025, 1, 1))
        entity_count = conn.execute(select(func.count()).select_from(list_entities)).scalar_one()
    found = {(r["date"]["end"], r["action"], r["external_id"]) for r in rows}
    assert ("2025-12-31", "delisted", "44541") in found
    assert ("2025-02-03", "designated", "44580") in found
    assert entity_count == 6  # 9760, 32746, 44541, 15036, 34752 from V2, 44580 from the XML


def test_ftm_delta_feed(ledger: Ledger) -> None:
    results = import_path(ledger, FIX / "ftm_delta", "ftm", actor="test", authority="EU")
    assert [r.as_of.isoformat() for r in results] == ["2026-03-01", "2026-03-15", "2026-03-22"]
    assert [r.entry_count for r in results] == [2, 2, 1]
    with ledger.read() as conn:
        listed = status_as_of(conn, "Belaruskali", as_of=dt.date(2026, 3, 20))["results"][0]
        gone = status_as_of(conn, "Belaruskali", as_of=dt.date(2026, 3, 23))["results"][0]
        history = changes(conn, authority="EU")
        cyrillic = find_entities(conn, "Аляксандр Лукашэнка")
    assert (listed["listed"], gone["listed"]) == (True, False)
    assert listed["entity"]["list"] == "ftm-ftm_delta"
    assert {(r["action"], r["external_id"]) for r in history} == {
        ("amended", "by-lukashenka"), ("delisted", "by-belaruskali")}
    assert [m.external_id for m in cyrillic] == ["by-lukashenka"]


def test_delta_cannot_go_before_the_newest_snapshot(ledger: Ledger, tmp_path: Path) -> None:
    import_path(ledger, FIX / "ftm_delta", "ftm", actor="test", list_key="ftm-x")
    # Other bytes under an older version name: a delta that would land in the past.
    older = tmp_path / "20260201120000-zzz.entities.delta.json"
    older.write_bytes((FIX / "ftm_delta" / "20260301120000-aaa.entities.delta.json").read_bytes() + b"\n")
    with pytest.raises(LedgerError, match="version order"):
        import_path(ledger, older, "ftm", actor="test", list_key="ftm-x")


def test_news_evidence_settles_what_snapshots_bracket(ledger: Ledger) -> None:
    _import(ledger, V1, V2, ADD_ALT)
    with ledger.read() as conn:
        entity_id = conn.execute(select(list_entities.c.id).where(
            list_entities.c.external_id == "44541")).scalar_one()
    with ledger.transaction("test") as tx:
        source_id, _ = tx.source(kind="article", key="news-belavia", outlet="Reuters",
                                 title="US lifts sanctions on Belavia", url="https://example.org/b",
                                 published=dt.date(2024, 9, 11))
        ev.upsert_sanction_action(tx, SanctionAction(
            authority="US", program="BELARUS-EO14038", action=SanctionActionKind.delisted,
            date=FuzzyDate.parse("2024-09-11"), target_name="Belavia"), source_id,
            list_entity_id=entity_id)
    with ledger.read() as conn:
        early = status_as_of(conn, "ofac-sdn:44541", as_of=dt.date(2024, 9, 1))["results"][0]
        late = status_as_of(conn, "ofac-sdn:44541", as_of=dt.date(2024, 10, 1))["results"][0]
        story = timeline(conn, "ofac-sdn:44541")["results"][0]["events"]
        belarus = changes(conn, authority="US", program="BELARUS*", since=dt.date(2024, 7, 1))
    assert (early["listed"], early["basis"]) == (True, "snapshots")
    assert (late["listed"], late["basis"]) == (False, "evidence")
    assert [e["basis"] for e in story if e["action"] == "delisted"] == ["evidence", "snapshots"]
    assert {(r["basis"], r["action"]) for r in belarus} == {("evidence", "delisted"),
                                                           ("snapshots", "delisted")}
    evidence = next(r for r in belarus if r["basis"] == "evidence")
    assert evidence["sources"][0]["outlet"] == "Reuters"


def test_other_lists_import(ledger: Ledger) -> None:
    import_path(ledger, FIX / "uk_2026-04", "uk", actor="test", date="2026-04-30")
    import_path(ledger, FIX / "ukhmt_2016-03-23.csv", "ukhmt", actor="test")
    import_path(ledger, FIX / "un_2026-02-27.xml", "un", actor="test")
    import_path(ledger, FIX / "eu_fsf_2025-06-10.xml", "eu", actor="test")
    import_path(ledger, FIX / "ftm_eu_fsf_entities.ftm.json", "ftm", actor="test",
                date="2026-01-01")
    with ledger.read() as conn:
        held = {lst["list"]: lst["authority"] for lst in lists_view(conn)}
        naumov = status_as_of(conn, "Vladimir Vladimirovich Naumov", authority="UK",
                              as_of=dt.date(2026, 5, 1))["results"]
        snapshots = conn.execute(select(func.count()).select_from(list_snapshots)).scalar_one()
    assert held == {"uk": "UK", "ukhmt": "UK", "un": "UN", "eu": "EU", "ftm-eu_fsf": "EU"}
    assert snapshots == 5
    assert [(r["entity"]["list"], r["listed"]) for r in naumov] == [("uk", True)]
    assert naumov[0]["programs"] == ["Belarus"]
