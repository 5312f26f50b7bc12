"""`freedomledger report`: a self-contained HTML file with the deal rows and inline SVG charts,
and nothing confidential or unpublished in the public edition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from freedomledger.ledger import Ledger
from freedomledger.ledger import events as ev
from freedomledger.ledger import registry as reg
from freedomledger.ledger.loading import load_dataset
from freedomledger.model import FuzzyDate, Name, Person, ReleaseEvent, Status, StatusChange
from freedomledger.sources.sample import read_dataset
from freedomledger.store.tables import deals, release_events
from test_stats_cli import DATASET, cli_app

SECRET_NAME = "Zyxwvut Hiddenperson"
SECRET_NOTE = "CONFIDENTIAL-NOTE-7731"
HIDDEN_RELEASE = "rel-unpublished-77"


@pytest.fixture
def url(ledger: Ledger) -> str:
    """The fixture dataset, plus an unpublished person freed in the deal's release, an
    unpublished release linked to the deal, and confidential notes."""
    with ledger.transaction("tester") as tx:
        load_dataset(tx, read_dataset(DATASET))
        source_id, _ = tx.source(kind="manual", key="report-test")
        hidden = reg.upsert_person(tx, Person(
            key="hidden-person", names=[Name(text=SECRET_NAME)], published=False,
            confidential_notes=SECRET_NOTE), source_id)
        rel_1 = reg.lookup_id(tx, release_events, "rel-1")
        reg.add_status(tx, hidden, StatusChange(status=Status.detained, date=FuzzyDate.parse("2022-02-02")), source_id)
        reg.add_status(tx, hidden, StatusChange(status=Status.released, date=FuzzyDate.parse("2026-03-19")),
                       source_id, release_event_id=rel_1)
        other = ev.upsert_release(tx, ReleaseEvent(
            key=HIDDEN_RELEASE, releasing_state="BY", date=FuzzyDate.parse("2026-04-01"), announced_count=77,
            notes=SECRET_NOTE), source_id)
        ev.set_published(tx, release_events, other, False, "not yet confirmed")
        ev.link_deal(tx, reg.lookup_id(tx, deals, "deal-1"), source_id, release_event_id=other)
    return ledger.engine.url.render_as_string(hide_password=False)


def build(url: str, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli_app(), ["--db", url, "report", "--out", str(out), "--as-of", "2026-11-01",
                                            "--no-refresh", *extra])
    assert result.exit_code == 0, result.output
    index = out / "index.html"
    assert index.exists()
    return index.read_text(encoding="utf-8")


def test_public_report_has_deals_and_charts_and_nothing_confidential(url: str, tmp_path: Path) -> None:
    public = build(url, tmp_path / "public", "--public")
    assert "Public edition" in public
    assert "deal-1" in public and "Release of 250 for sanctions relief" in public
    assert "Hanna Prykladava" in public and "Envoy Example" in public  # a named prisoner and the mediator
    assert "Example Wire" in public  # a source of the deal
    assert len(re.findall(r"<svg\b", public)) == 3 and "<title>Persons held over time</title>" in public
    # Self-contained: no scripts, no style sheets or images to fetch; links only to sources.
    assert "<script" not in public and "<link" not in public and "<img" not in public
    assert not re.search(r'\s(src|href)="(?!https?://|#)', public)
    for secret in (SECRET_NAME, SECRET_NOTE, HIDDEN_RELEASE, "family contact kept private"):
        assert secret not in public
    for data_file in ("held.csv", "flows.csv", "deals.json", "releases.csv"):
        text = (tmp_path / "public" / "data" / data_file).read_text(encoding="utf-8")
        assert SECRET_NAME not in text and HIDDEN_RELEASE not in text
    for chart in ("held", "flows", "deals"):
        assert (tmp_path / "public" / "charts" / f"{chart}.png").stat().st_size > 1000
        assert (tmp_path / "public" / "charts" / f"{chart}.svg").read_text().lstrip().startswith("<?xml")

    # The internal edition counts what the public one leaves out, but never shows
    # confidential fields either.
    internal = build(url, tmp_path / "internal")
    assert "do not publish" in internal
    assert SECRET_NAME in internal and HIDDEN_RELEASE in internal
    assert SECRET_NOTE not in internal
    # Announced and named in the deal row: the unpublished release (77) and the unpublished
    # person count only internally.
    counts = re.compile(r"deal-1 .*?<td class=\"n\">([\d,]+)</td>\s*<td class=\"n\">(\d+)</td>", re.S)
    assert counts.search(internal).groups() == ("327", "2")  # type: ignore[union-attr]
    assert counts.search(public).groups() == ("250", "1")  # type: ignore[union-attr]


def test_report_on_an_empty_ledger_still_renders(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    html = build(sqlite_ledger.engine.url.render_as_string(hide_password=False), tmp_path / "empty", "--public")
    assert "No deals in the window" in html and len(re.findall(r"<svg\b", html)) == 3
