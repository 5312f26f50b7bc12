"""`freedomledger screen` and `freedomledger names ...` through typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from freedomledger.cli.names import names_app, screen
from freedomledger.names import InputError, read_names, register_against_loader, resolve_against
from freedomledger.names import screening

FIXTURES = Path(__file__).parent / "fixtures" / "names"
runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(names_app, name="names")
    app.command()(screen)
    return app


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(_app(), list(args))


def test_screen_jsonl() -> None:
    result = _invoke("screen", str(FIXTURES / "queries.csv"), "--against", str(FIXTURES / "list.csv"))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query_id"] for r in lines] == ["q1", "q2", "q3", "q4"]
    q1 = lines[0]["matches"]
    assert q1[0]["id"] == "A" and q1[0]["match"] is True
    assert set(q1[0]) == {"id", "name", "score", "match", "explanation"}
    assert lines[1]["matches"][0]["id"] == "B"
    assert lines[3]["matches"] == []
    scores = [m["score"] for m in q1]
    assert scores == sorted(scores, reverse=True)


def test_screen_text_queries_csv_and_table_formats() -> None:
    result = _invoke("screen", str(FIXTURES / "queries.txt"), "--against", str(FIXTURES / "list.csv"),
                     "--format", "csv", "--top", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0].startswith("query_id,query,rank,id,name,score,match")
    assert rows[1].startswith("1,Valentin Stefanovich,1,A,")
    assert rows[2].startswith("4,\"LUKASHENKO, Alexander\",1,G,")
    table = _invoke("screen", str(FIXTURES / "queries.csv"), "--against", str(FIXTURES / "list.csv"),
                    "--format", "table")  # fmt: skip
    assert table.exit_code == 0 and "no hit" in table.stdout


def test_threshold_decides_match() -> None:
    result = _invoke("screen", str(FIXTURES / "queries.csv"), "--against", str(FIXTURES / "list.csv"),
                     "--threshold", "0.99")  # fmt: skip
    q1 = json.loads(result.stdout.splitlines()[0])["matches"]
    assert all(m["match"] == (m["score"] >= 0.99) for m in q1)


def test_bad_rows_stop_before_any_output() -> None:
    result = _invoke("screen", str(FIXTURES / "bad_queries.csv"), "--against", str(FIXTURES / "list.csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "bad_queries.csv:3: the name is empty" in result.stderr
    assert "bad_queries.csv:4: the id is empty" in result.stderr
    assert "bad_queries.csv:5: the name contains control characters" in result.stderr


def test_skip_bad_reports_and_goes_on() -> None:
    result = _invoke("screen", str(FIXTURES / "bad_queries.csv"), "--against", str(FIXTURES / "list.csv"),
                     "--skip-bad")  # fmt: skip
    assert result.exit_code == 0
    assert "skipped" in result.stderr and "bad_queries.csv:3" in result.stderr
    assert [json.loads(x)["query_id"] for x in result.stdout.splitlines()] == ["q1"]


def test_bad_utf8_is_reported_with_its_line() -> None:
    rows = read_names(FIXTURES / "bad_utf8.txt")
    assert [b.line for b in rows.bad] == [2] and "UTF-8" in rows.bad[0].problem
    assert rows.rows == [("1", "Valentin Stefanovich", 1)]


def test_unknown_against_is_a_clear_error() -> None:
    result = _invoke("screen", str(FIXTURES / "queries.csv"), "--against", "nosuchlist@2020")
    assert result.exit_code == 1 and "no registered list" in result.stderr


def test_csv_without_required_columns(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("who,what\n1,Ivan\n", encoding="utf-8")
    with pytest.raises(InputError, match="x.csv:1: the header must have 'id' and 'name'"):
        read_names(bad)


def test_registered_loader_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screening, "_LOADERS", [])
    seen = []

    def load(spec: str) -> list[tuple[str, str]]:
        seen.append(spec)
        return [("ofac-1", "LUKASHENKO, Alexander Grigorievich"), ("ofac-2", "BELARUSKALI OAO", "organization")]

    register_against_loader("ofac", load, "OFAC SDN list")
    assert list(resolve_against("ofac@2024-05-01")) and seen == ["ofac@2024-05-01"]
    result = _invoke("screen", str(FIXTURES / "queries.txt"), "--against", "ofac@2024-05-01")
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["matches"][0]["id"] == "ofac-1"
    with pytest.raises(InputError, match="OFAC SDN list"):
        resolve_against("unknown-list")


def test_names_compare_json_and_text() -> None:
    result = _invoke("names", "compare", "--json", "Valiantsin Stefanovich", "Валентин Стефанович")
    data = json.loads(result.stdout)
    assert data["match"] is True and data["alignment"][0]["reason"] == "given"
    text = _invoke("names", "compare", "Viktar Babaryka", "Eduard Babaryka")
    assert text.exit_code == 0 and "NO MATCH" in text.stdout
    org = _invoke("names", "compare", "--kind", "organization", "--json", "OAO Belaruskali", "Беларуськалий")
    assert json.loads(org.stdout)["match"] is True


def test_names_aliases_and_translit() -> None:
    data = json.loads(_invoke("names", "aliases", "--json", "Sviatlana Tsikhanouskaya").stdout)
    assert {"name": "Светлана Тихановская", "system": "ru-Cyrl"} in data
    out = _invoke("names", "translit", "--system", "national", "Магілёў")
    assert out.stdout.strip() == "Mahilioŭ"
    bad = _invoke("names", "translit", "--system", "nope", "Мінск")
    assert bad.exit_code == 1
