"""`freedomledger extract` end to end: the canonical report, feeds, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from freedomledger.cli.extract import extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
runner = CliRunner()


def _app() -> typer.Typer:
    # The command as the top-level CLI registers it, plus a second command so that typer keeps
    # the command name (a one-command app would swallow it).
    app = typer.Typer()
    app.command("extract")(extract)
    app.command("noop")(lambda: None)
    return app


def run(*args: str):
    return runner.invoke(_app(), ["extract", *args])


def test_canonical_example(shared_data: Path) -> None:
    path = shared_data / "examples" / "belarus-250-release-2026-03.txt"
    result = run(str(path), "--published", "2026-03-20", "--format", "json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["source"] == {"file": str(path), "url": None, "published": "2026-03-20"}
    releases = [e for e in data["events"] if e["kind"] == "release"]
    assert len(releases) == 1
    event = releases[0]
    assert (event["date"], event["date_precision"], event["date_basis"]) == (
        "2026-03-19", "day", "'on Thursday' before 2026-03-20")
    assert (event["count"], event["count_text"], event["country"]) == (250, "250 political prisoners", "BY")
    assert [p["name"] for p in event["released"]] == ["Valentin Stefanovich", "Marfa Rabkova", "Anastasiya Loika"]
    text = path.read_text(encoding="utf-8")
    for person in event["released"]:
        start, end = person["span"]
        assert " ".join(text[start:end].split()) == person["name"]
    assert event["mediators"] == [{"name": "John Coale", "kind": "person"},
                                  {"name": "United States", "kind": "state"},
                                  {"name": "Lithuania", "kind": "state"}]
    assert event["concessions"] == [{"by": "US", "type": "sanctions_lifted",
                                     "targets": ["banks", "fertiliser producers", "Finance Ministry"]}]
    assert event["reported_by"] == ["Viasna"]
    names = {p["name"] for p in event["released"]}
    assert not names & {"Sviatlana Tsikhanouskaya", "Alexander Lukashenko", "Donald Trump", "John Coale"}
    coale = [s for s in data["statements"] if s["speaker"] == "John Coale"]
    assert [s["channel"] for s in coale[:2]] == ["X", "X"]
    assert coale[0]["quote"].startswith("Today's release of 250 individuals")


def test_own_fixture_article_as_json() -> None:
    result = run(str(FIXTURES / "release-wire.txt"), "--published", "2025-09-12", "--format", "json",
                 "--url", "https://example.org/wire")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"]["url"] == "https://example.org/wire"
    event = data["events"][0]
    assert (event["kind"], event["date"], event["count"]) == ("release", "2025-09-11", 52)
    assert event["concessions"] == [{"by": "US", "type": "sanctions_lifted", "targets": ["Belavia"]}]
    assert [(s["speaker"], s["channel"]) for s in data["statements"]] == [("John Coale", "X")]


def test_feed_prints_one_json_object_per_document() -> None:
    result = run(str(FIXTURES / "feed.jsonl"), "--format", "json")
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["source"]["line"] for o in objects] == [1, 3]
    assert [o["events"][0]["kind"] for o in objects] == ["release", "sanctions_imposed"]


def test_table_output_names_the_release() -> None:
    result = run(str(FIXTURES / "release-wire.txt"), "--published", "2025-09-12")
    assert result.exit_code == 0, result.output
    assert "release" in result.stdout and "Ihar Losik" in result.stdout


def test_malformed_feed_fails_with_line_number_and_prints_nothing() -> None:
    result = run(str(FIXTURES / "feed.jsonl"), str(FIXTURES / "feed-bad-line3.jsonl"), "--format", "json")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "line 3" in result.stderr and "invalid JSON" in result.stderr


def test_bad_options_are_rejected() -> None:
    bad_date = run(str(FIXTURES / "release-wire.txt"), "--published", "12/09/2025")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    bad_format = run(str(FIXTURES / "release-wire.txt"), "--format", "xml")
    assert bad_format.exit_code == 2
    missing = run(str(FIXTURES / "no-such-file.txt"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
