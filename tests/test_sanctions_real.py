"""The importers on the real list files in ../shared/data (skipped when absent).

The full 308-version OFAC history is @slow (about two minutes); the normal suite imports
the first versions of it and checks them against the change list shipped beside them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import pytest

from freedomledger.ledger import Ledger
from freedomledger.sanctions import import_path, import_snapshots, read_path, status_as_of
from freedomledger.sanctions import verify
from freedomledger.sources import ftm, ofac, uk, un
from freedomledger.sources.common import Coverage

HISTORY = "ofac/sdn_history_2021-2024"
ARCHIVE = "sdn_csv_308_versions_2021-08-18_2024-05-03.tar.xz"
CHANGES = "sdn_changes_2021-08_2024-05.csv"


@pytest.mark.parametrize(("folder", "count", "coverage"), [
    ("ofac/ofac_2019-01", 7379, set(Coverage)),
    ("ofac/ofac_2021-07", 8976, set(Coverage)),
    ("ofac/ofac_2025-02_add_alt", 16989, {Coverage.aliases, Coverage.addresses}),
    ("ofac/ofac_2025-12_add_alt", 18494, {Coverage.aliases, Coverage.addresses}),
])
def test_ofac_legacy_folders(shared_data: Path, folder: str, count: int, coverage: set) -> None:
    parsed = ofac.parse_ofac_folder(shared_data / folder)
    assert len(parsed.entries) == count
    assert parsed.coverage == frozenset(coverage)


def test_belavia_in_the_real_files(shared_data: Path) -> None:
    before = ofac.parse_ofac_folder(shared_data / "ofac/ofac_2025-02_add_alt").by_id()
    after = ofac.parse_ofac_folder(shared_data / "ofac/ofac_2025-12_add_alt").by_id()
    assert "44541" in before and "44541" not in after
    assert "BELAVIA BELARUSIAN AIRLINES" in before["44541"].name_texts
    full = ofac.parse_ofac_folder(shared_data / "ofac/ofac_2021-07").by_id()
    # The remark cut off in sdn.csv is continued from sdn_comments.csv.
    assert full["12300"].remarks.endswith("Linked To: R D I S.A.")


def test_other_real_lists(shared_data: Path) -> None:
    cons = ofac.parse_ofac_folder(shared_data / "ofac/ofac_consolidated_2025-12", "ofac-cons")
    assert len(cons.entries) == 442
    uk_list = uk.parse_uk_tables(shared_data / "uk/uk_sanctions_list_2026-05")
    assert len(uk_list.entries) == 6046
    assert sum(1 for e in uk_list.entries if e.programs == ("Belarus",)) == 167
    hmt = uk.parse_ukhmt_csv(shared_data / "uk/ukhmt_2016/ukhmt_2016-03-25.csv")
    assert len(hmt.entries) == 1924 and hmt.published == dt.datetime(2016, 3, 23)
    assert sum(1 for e in hmt.entries if "Belarus" in e.programs) == 4
    path = shared_data / "un/un_consolidated_2026-02.xml"
    un_list = un.parse_un_xml(str(path), path.read_bytes())
    assert len(un_list.entries) == 1003 and un_list.published.date() == dt.date(2026, 2, 27)
    path = shared_data / "ofac/sdn_2026_json/ofac-sdn.json"
    rebuilt = ofac.parse_ofac_json(str(path), path.read_bytes())
    assert len(rebuilt.entries) == 19249 and rebuilt.published == dt.datetime(2026, 8, 20)
    path = shared_data / "opensanctions/yente_fixtures/t1_entities.ftm.json"
    t1 = ftm.parse_ftm_entities(str(path), path.read_bytes())
    assert len(t1.entries) == 6 and t1.list_id == "ftm-eu_fsf"
    assert any(n.script == "cyrillic" for e in t1.entries for n in e.names)


def test_belavia_listed_and_then_not(shared_data: Path, sqlite_ledger: Ledger) -> None:
    """The question this work exists for, on the real files: was Belavia (ent 44541) on the
    US list on 2025-02-01 and on 2025-12-31? The two 2025 files are add.csv/alt.csv only;
    they establish membership by entity number."""
    ofac_dir = shared_data / "ofac"
    import_path(sqlite_ledger, shared_data / HISTORY / "sdn_20240503T184323Z.csv", "ofac-sdn",
                actor="test")
    import_path(sqlite_ledger, ofac_dir / "ofac_2025-02_add_alt", "ofac-sdn", actor="test",
                date="2025-02-27")
    import_path(sqlite_ledger, ofac_dir / "ofac_2025-12_add_alt", "ofac-sdn", actor="test",
                date="2025-12-24")
    with sqlite_ledger.read() as conn:
        feb = status_as_of(conn, "Belavia", authority="US", as_of=dt.date(2025, 2, 1))["results"]
        dec = status_as_of(conn, "Belavia", authority="US", as_of=dt.date(2025, 12, 31))["results"]
    assert [r["entity"]["external_id"] for r in feb] == ["44541"]
    assert feb[0]["listed"] is True and feb[0]["programs"] == ["BELARUS-EO14038"]
    assert feb[0]["evidence"]["next_snapshot"]["date"] == "2025-02-27"
    assert feb[0]["evidence"]["next_snapshot"]["lists_it"] is True
    assert dec[0]["listed"] is False
    assert dec[0]["evidence"]["last_listing_snapshot"]["date"] == "2025-02-27"
    assert dec[0]["evidence"]["first_absent_snapshot"]["date"] == "2025-12-24"


def test_first_history_versions_match_the_change_list(shared_data: Path, ledger: Ledger) -> None:
    first = list(itertools.islice(read_path(shared_data / HISTORY / ARCHIVE, "ofac-sdn"), 3))
    import_snapshots(ledger, first, "test")
    stamps = [item.taken_at.strftime(verify.STAMP) for item in first]
    pairs = set(zip(stamps, stamps[1:]))
    rows = verify.read_change_list(shared_data / HISTORY / CHANGES)
    expected = {k for k in verify.expected_keys(rows) if (k[0], k[1]) in pairs}
    with ledger.read() as conn:
        found = verify.ledger_keys(conn, "ofac-sdn")
    assert expected, "the first versions have changes to compare"
    assert found == expected


@pytest.mark.slow
def test_full_history_matches_the_change_list(shared_data: Path, sqlite_ledger: Ledger,
                                              request: pytest.FixtureRequest) -> None:
    # Two to four minutes: only when asked for (-m slow, or the variable below), so the
    # normal suite stays within its time budget; bench/bench_sanctions.py runs it too.
    if "slow" not in (request.config.getoption("-m") or "") and \
            not os.environ.get("FREEDOMLEDGER_FULL_HISTORY"):
        pytest.skip("the 308-version OFAC import takes minutes: run with -m slow "
                    "or FREEDOMLEDGER_FULL_HISTORY=1")
    results = import_path(sqlite_ledger, shared_data / HISTORY / ARCHIVE, "ofac-sdn", actor="test")
    assert len(results) == 308
    with sqlite_ledger.read() as conn:
        comparison = verify.compare(conn, "ofac-sdn", shared_data / HISTORY / CHANGES)
    assert comparison.agrees, comparison.to_dict()
    assert comparison.expected_by_kind == {"designated": 6809, "delisted": 927,
                                           "program_changed": 280}
