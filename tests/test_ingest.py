"""News ingestion end to end: articles become proposals, reports of one release cluster,
accepted proposals become sourced facts, and non-release stories propose no release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from freedomledger.cli import app
from freedomledger.ingest import decide, ingest_text, list_proposals
from freedomledger.ledger import Ledger, LedgerError, queries
from freedomledger.ledger.loading import load_dataset
from freedomledger.sources.sample import default_dir, read_dataset
from freedomledger.store.tables import release_events, sources

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
MARCH_20 = dt.date(2026, 3, 20)


def ingest(ledger: Ledger, name: str, published: dt.date = MARCH_20) -> list[int]:
    text = (ARTICLES / name).read_text()
    return ingest_text(ledger, text, actor="tester", published=published, file_name=name).proposal_ids


def release_count(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(release_events)).scalar_one())


def test_two_reports_of_one_new_release_become_one_event(ledger: Ledger) -> None:
    [first] = ingest(ledger, "wire-250.txt")
    [second] = ingest(ledger, "ngo-249.txt")
    with ledger.read() as conn:
        pending = {p["id"]: p for p in list_proposals(conn)}
    assert pending[first]["payload"]["event"]["count"] == 250
    assert pending[second]["payload"]["match"]["proposal_id"] == first
    decide(ledger, first, "accept", actor="editor")
    decide(ledger, second, "accept", actor="editor")
    assert release_count(ledger) == 1
    with ledger.read() as conn:
        [event] = queries.list_releases(conn)
    assert event["date"] == "2026-03-19" and event["releasing_state"] == "BY"
    counts = {(c["value"], c["status"]) for c in event["claims"] if c["field"] == "announced_count"}
    assert counts == {(250, "accepted"), (249, "competing")}  # the conflict is kept, not resolved
    names = {p["name"] for p in event["released"]}
    # Stefanovich is one person although the reports spell him two ways
    assert len(event["released"]) == 3, names
    assert "John Coale" in {m["name"] for m in event["mediators"]}
    assert len({c["source"]["key"] or c["claim_id"] for c in event["claims"]}) >= 2


def test_report_of_a_known_release_attaches_to_it(ledger: Ledger) -> None:
    with ledger.transaction("loader") as tx:
        load_dataset(tx, read_dataset(default_dir()))
    before = release_count(ledger)
    [proposal] = ingest(ledger, "wire-250.txt")
    with ledger.read() as conn:
        [pending] = list_proposals(conn)
    assert pending["payload"]["match"]["release_key"] == "rel-2026-03-19"
    resolved = {r["name"]: r["person_id"] for r in pending["payload"]["event"]["released"]}
    assert resolved == {"Valiantsin Stefanovich": "valiantsin-stefanovich", "Nasta Loika": "nasta-loika"}
    outcome = decide(ledger, proposal, "accept", actor="editor")
    assert outcome["target"]["table"] == "release_events"
    assert release_count(ledger) == before
    with ledger.read() as conn:
        event = queries.release_view(conn, "rel-2026-03-19")
        deal = queries.deal_view(conn, event["deals"][0])
    assert any(c["source"]["key"] is None and c["field"] == "*" for c in event["claims"])
    # The "Finance Ministry" concession names an organisation in the ledger ("banks" does not):
    # the sample already records that delisting, so the article becomes one more source of it.
    from_news = [a for a in deal["sanction_actions"] if any(s["key"] is None for s in a["sources"])]
    assert [(a["target"], a["action"], a["date"]) for a in from_news] == [
        ("ministry-of-finance-by", "delisted", "2026-03-19")]


def test_an_arrest_report_proposes_no_release(ledger: Ledger) -> None:
    ids = ingest(ledger, "arrest.txt")
    with ledger.read() as conn:
        kinds = [p["kind"] for p in list_proposals(conn) if p["id"] in ids]
    assert "release" not in kinds
    for proposal_id in ids:
        with pytest.raises(LedgerError, match="adds no fact"):
            decide(ledger, proposal_id, "accept", actor="editor")
    assert release_count(ledger) == 0


def test_the_same_document_twice_is_one_source_and_no_new_proposals(ledger: Ledger) -> None:
    first = ingest(ledger, "wire-250.txt")
    again = ingest(ledger, "wire-250.txt")
    assert first and again == []
    with ledger.read() as conn:
        assert conn.execute(select(func.count()).select_from(sources)).scalar_one() == 1


def test_reject_and_edit_decisions(ledger: Ledger) -> None:
    [proposal] = ingest(ledger, "wire-250.txt")
    decide(ledger, proposal, "edit", actor="editor", edits={"count": 251}, note="official figure")
    with ledger.read() as conn:
        [event] = queries.list_releases(conn)
    assert event["announced_count"] == 251
    with pytest.raises(LedgerError, match="already accepted"):
        decide(ledger, proposal, "reject", actor="editor")
    [other] = ingest(ledger, "ngo-249.txt")
    decide(ledger, other, "reject", actor="editor", note="duplicate")
    with ledger.read() as conn:
        assert [p["status"] for p in list_proposals(conn, status=None)] == ["accepted", "rejected"]


def test_cli_ingest_review_events(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    result = runner.invoke(app, ["--db", db, "ingest", str(ARTICLES / "wire-250.txt"), "--published", "2026-03-20"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--db", db, "review"])
    assert "1 pending proposals" in result.output
    result = runner.invoke(app, ["--db", db, "review", "--accept-all"])
    assert "proposal 1: accepted" in result.output
    result = runner.invoke(app, ["--db", db, "events", "--format", "json"])
    assert '"announced_count": 250' in result.output
    result = runner.invoke(app, ["--db", db, "ingest", str(tmp_path / "missing.txt")])
    assert result.exit_code != 0 and "cannot read" in result.output


def test_canonical_example_article(shared_data: Path, tmp_path: Path) -> None:
    """The issue's acceptance example, on the report that started the project."""
    ledger = Ledger.open(str(tmp_path / "example.db"))
    text = (shared_data / "examples" / "belarus-250-release-2026-03.txt").read_text()
    result = ingest_text(ledger, text, actor="tester", published=MARCH_20)
    with ledger.read() as conn:
        [proposal] = [p for p in list_proposals(conn) if p["id"] in result.proposal_ids]
    event = proposal["payload"]["event"]
    assert (event["date"], event["count"]) == ("2026-03-19", 250)
    assert {r["name"] for r in event["released"]} == {"Valentin Stefanovich", "Marfa Rabkova", "Anastasiya Loika"}
    assert {m["name"] for m in event["mediators"]} >= {"John Coale", "Lithuania"}
    assert event["reported_by"] == ["Viasna"]
    targets = {t for c in event["concessions"] for t in c["targets"]}
    assert {"banks", "fertiliser producers", "Finance Ministry"} <= targets
    ledger.close()
