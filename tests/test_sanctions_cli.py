"""`freedomledger sanctions …` commands, through typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from freedomledger.cli.sanctions import sanctions_app

FIX = Path(__file__).parent / "fixtures" / "sanctions"
runner = CliRunner()


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    # The sub-app runs without the root command, so --db comes from the environment.
    monkeypatch.setenv("FREEDOMLEDGER_DB", db_url)
    monkeypatch.setenv("FREEDOMLEDGER_ACTOR", "cli-test")
    return db_url


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(sanctions_app, list(args))
    # Rich wraps long lines at the runner's 80 columns; JSON output is never wrapped.
    text = result.output if "--json" in args else " ".join(result.output.split())
    return result.exit_code, text


def test_import_status_changes_and_lists(cli_db: str) -> None:
    code, out = run("import", str(FIX / "ofac_2024-06"), "--list", "ofac-sdn", "--date",
                    "2024-06-15", "--json")
    assert code == 0, out
    assert json.loads(out)[0]["entry_count"] == 5
    code, out = run("import", str(FIX / "ofac_2025-01_add_alt"), "--list", "ofac-sdn",
                    "--date", "2025-01-10")
    assert code == 0 and "2025-01-10" in out
    code, out = run("status", "Belavia", "--authority", "US", "--as-of", "2024-12-31", "--json")
    assert code == 0
    result = json.loads(out)["results"][0]
    assert result["listed"] is True and result["entity"]["external_id"] == "44541"
    code, out = run("status", "Belavia", "--authority", "US", "--as-of", "2025-01-31")
    assert code == 0 and "NOT LISTED" in out and "2024-06-15" in out
    code, out = run("changes", "--authority", "US", "--program", "BELARUS*", "--since",
                    "2024-07-01", "--json")
    rows = json.loads(out)
    assert code == 0 and [(r["action"], r["external_id"]) for r in rows] == [("delisted", "44541")]
    code, out = run("lists", "--json")
    assert code == 0 and json.loads(out)[0]["snapshot_count"] == 2
    code, out = run("timeline", "ofac-sdn:44541", "--json")
    events = json.loads(out)["results"][0]["events"]
    assert [e["action"] for e in events] == ["first_seen", "delisted"]
    code, out = run("report", "--list", "ofac-sdn", "--json")
    assert code == 0 and {"program": "BELARUS-EO14038", "month": "2025-01", "designated": 0,
                          "delisted": 1, "program_changed": 0} in json.loads(out)


def test_bad_input_exits_non_zero_and_writes_nothing(cli_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "sdn.csv").write_bytes(b'44541,"BELAVIA",-0- ,"BELARUS-EO14038"\r\n')
    code, out = run("import", str(bad), "--list", "ofac-sdn", "--date", "2025-01-01")
    assert code == 1
    assert "sdn.csv, line 1" in out and "Nothing was imported" in out
    code, out = run("import", str(FIX / "ofac_2024-06"), "--list", "ofac-sdn")
    assert code == 1 and "--date" in out
    code, out = run("import", str(FIX / "ofac_2024-06"), "--list", "nope")
    assert code == 1 and "ofac-sdn" in out
    code, out = run("lists", "--json")
    assert code == 0 and json.loads(out) == []
    code, out = run("status", "Nobody At All", "--as-of", "2024-01-01")
    assert code == 2 and "no list entity" in out


def test_screen_against_a_dated_list(cli_db: str) -> None:
    from freedomledger.names.screening import InputError, resolve_against

    run("import", str(FIX / "ofac_2024-01"), "--list", "ofac-sdn", "--date", "2024-01-15")
    run("import", str(FIX / "ofac_2025-01_add_alt"), "--list", "ofac-sdn", "--date", "2025-01-10")
    early = {(i, n) for i, n, _k in resolve_against("ofac@2024-02-01")}
    late = {(i, n) for i, n, _k in resolve_against("ofac")}
    assert ("ofac-sdn:44541", "BELAVIA BELARUSIAN AIRLINES") in early
    assert not any(i == "ofac-sdn:44541" for i, _ in late)
    assert not any(i == "ofac-sdn:306" for i, _ in late)  # delisted by then
    # The add/alt-only snapshot has no primary names: the newest known one is added.
    assert ("ofac-sdn:9760", "LUKASHENKA, Alyaksandr Ryhorovich") in late
    with pytest.raises(InputError, match="not a date"):
        resolve_against("ofac@yesterday")
    with pytest.raises(InputError, match="no such sanctions list"):
        resolve_against("eu@2024-01-01")
