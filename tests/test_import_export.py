"""Registry import (CSV, Viasna JSON), exports (JSON, CSV, FollowTheMoney) and the CLI around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from followthemoney import model as ftm_model
from sqlalchemy import func, select
from typer.testing import CliRunner

from freedomledger.cli import app
from freedomledger.ledger import Ledger, queries
from freedomledger.store.tables import audit_log, persons

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def cli(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, "--actor", "tester", *args])
    return result.exit_code, result.output


def table_count(db_url: str, table) -> int:  # type: ignore[no-untyped-def]
    ledger = Ledger.open(db_url, create=False)
    with ledger.read() as conn:
        n = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    ledger.close()
    return n


def test_csv_import_creates_people_statuses_and_is_idempotent(db_url: str) -> None:
    code, out = cli(db_url, "import", str(FIXTURES / "registry" / "good.csv"))
    assert code == 0, out
    assert "2 persons" in out and "2 new or changed" in out
    audit_rows = table_count(db_url, audit_log)
    code, out = cli(db_url, "import", str(FIXTURES / "registry" / "good.csv"))
    assert code == 0 and "0 new or changed" in out
    assert table_count(db_url, audit_log) == audit_rows
    ledger = Ledger.open(db_url, create=False)
    with ledger.read() as conn:
        one = queries.person_view(conn, "test-one")
        two = queries.person_view(conn, "test-two")
    assert {n["text"] for n in one["names"]} == {"Aliaksei Testau", "Алексей Тестов", "Aleksei Testov"}
    assert one["birth_date"] == "1985-02" and one["held"] is True
    assert one["status_history"][1]["details"] == {"sentence": "5 years", "articles": ["342", "361-1"]}
    assert one["sources"][0]["url"] == "https://example.org/p/1"
    assert [h["status"] for h in two["status_history"]] == ["detained", "deported"]
    assert two["held"] is False


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("bad_date.csv", r"bad_date.csv:3: field 'detained'"),
        ("bad_column.csv", "unknown column(s) nickname"),
    ],
)
def test_bad_csv_is_refused_whole_with_file_row_and_field(db_url: str, fixture: str, message: str) -> None:
    code, out = cli(db_url, "import", str(FIXTURES / "registry" / fixture))
    assert code != 0
    assert message in " ".join(out.split())
    assert table_count(db_url, persons) == 0  # the good row before the bad one is not written


def test_missing_file_and_unknown_person_are_clear_errors(db_url: str, tmp_path: Path) -> None:
    code, out = cli(db_url, "import", str(tmp_path / "nope.csv"))
    assert code != 0 and "no such file" in out
    code, out = cli(db_url, "person", "show", "nobody-here")
    assert code != 0 and "no person 'nobody-here'" in out


def test_person_edit_with_stale_version_is_refused(db_url: str) -> None:
    cli(db_url, "import", str(FIXTURES / "registry" / "good.csv"))
    assert cli(db_url, "person", "edit", "test-one", "--notes", "first", "--expected-version", "1")[0] == 0
    code, out = cli(db_url, "person", "edit", "test-one", "--notes", "second", "--expected-version", "1")
    assert code != 0 and "changed by someone else" in out
    code, out = cli(db_url, "history", "--subject", "test-one", "--json")
    changes = [e for e in json.loads(out) if e["action"] == "update"]
    assert [c["after"]["notes"] for c in changes] == ["first"]


def test_facts_without_a_source_are_refused(db_url: str) -> None:
    code, out = cli(db_url, "person", "add", "no-source", "Some Name")
    assert code != 0 and "every fact needs a source" in out


def test_exports_and_public_filter(db_url: str, tmp_path: Path) -> None:
    assert cli(db_url, "load-sample", str(FIXTURES / "dataset"))[0] == 0
    code, out = cli(db_url, "export", "--format", "json")
    full = json.loads(out)
    code, out = cli(db_url, "export", "--format", "json", "--public")
    public = json.loads(out)
    assert "family contact kept private" in json.dumps(full)
    assert "family contact kept private" not in json.dumps(public)
    code, out = cli(db_url, "export", "--format", "csv")
    assert out.splitlines()[0].startswith("key,name,other_names")
    assert "anna-example,Hanna Prykladava" in out


def test_ftm_export_loads_with_followthemoney(db_url: str) -> None:
    assert cli(db_url, "load-sample", str(FIXTURES / "dataset"))[0] == 0
    code, out = cli(db_url, "export", "--format", "ftm", "--public")
    assert code == 0
    proxies = [ftm_model.get_proxy(json.loads(line)) for line in out.splitlines()]
    by_schema: dict[str, list] = {}
    for proxy in proxies:
        by_schema.setdefault(proxy.schema.name, []).append(proxy)
    assert {"Person", "Company", "Sanction", "Event"} <= set(by_schema)
    anna = next(p for p in by_schema["Person"] if p.id == "fl-person-anna-example")
    assert "Ганна Прыкладава" in anna.get("alias")
    sanction = by_schema["Sanction"][0]
    assert sanction.get("entity") == ["fl-org-potash-co"]
    event = by_schema["Event"][0]
    assert "fl-person-anna-example" in event.get("involved")


@pytest.mark.slow
def test_viasna_registry_imports_with_warnings(shared_data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    code, out = cli(url, "import", str(shared_data / "viasna" / "prisoners.json"), "--snapshot-date", "2023-02-15")
    assert code == 0, out
    # 3,084 records, 15 without a name
    assert "3069 persons" in out
    ledger = Ledger.open(url, create=False)
    with ledger.read() as conn:
        first = queries.person_view(conn, "viasna-1")
        held = queries.list_persons(conn, held=True)
        public = queries.person_view(conn, "viasna-1", public=True)
    assert {n["text"] for n in first["names"]} == {"Andrei Chapiuk", "Andrej Capiuk"}
    assert [h["status"] for h in first["status_history"]] == ["detained", "sentenced"]
    assert first["confidential_notes"] == "counsel: Raman Biziuk"
    assert "confidential_notes" not in public
    assert 1300 < len(held) < 1500  # ~1,439 "active" records; a few carry a release date
