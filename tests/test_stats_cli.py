"""`freedomledger stats …` on the fixture dataset, through typer's CliRunner, on both databases;
and the statistics after edits through the audited service layer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from freedomledger.cli import _Group
from freedomledger.cli.stats import report, stats_app
from freedomledger.ledger import Ledger
from freedomledger.ledger import registry as reg
from freedomledger.ledger.loading import load_dataset
from freedomledger.model import FuzzyDate, Status, StatusChange
from freedomledger.sources.sample import read_dataset
from freedomledger.stats import StatsFilter
from freedomledger.store import stats_queries as sq

DATASET = Path(__file__).parent / "fixtures" / "dataset"
runner = CliRunner()


def cli_app() -> typer.Typer:
    """The stats commands under a `--db` option, with the main app's error handling."""
    app = typer.Typer(cls=_Group, pretty_exceptions_enable=False)

    @app.callback()
    def options(db: str = typer.Option(..., "--db")) -> None:
        """Commands read --db from the root context (cli/_common.current_db)."""

    app.add_typer(stats_app, name="stats")
    app.command()(report)
    return app


@pytest.fixture
def loaded(ledger: Ledger) -> str:
    with ledger.transaction("tester") as tx:
        load_dataset(tx, read_dataset(DATASET))
    return ledger.engine.url.render_as_string(hide_password=False)


def run(url: str, *args: str) -> typer.testing.Result:  # type: ignore[name-defined]
    return runner.invoke(cli_app(), ["--db", url, *args])


def test_held_json_counts_the_fixture_people(loaded: str) -> None:
    result = run(loaded, "stats", "held", "--format", "json", "--as-of", "2026-06-30", "--period", "year")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Anna (detained 2021, freed 2026-03-19) and Ivan (detained 2020-09, known only to the month).
    by_year = {row["period"]: row for row in data["series"]}
    assert by_year["2020"]["held"] == 1 and by_year["2025"]["held"] == 2
    assert data["now"]["held"] == 1 and data["now"]["day"] == "2026-06-30"
    assert data["start"]["held"] == 0 and data["change"] == 1
    assert list(by_year) == [str(y) for y in range(2020, 2027)]


def test_held_band_shows_a_date_known_only_to_the_month(loaded: str) -> None:
    result = run(loaded, "stats", "held", "--format", "json", "--as-of", "2020-09-15", "--since", "2020-09-15")
    data = json.loads(result.stdout)
    assert (data["now"]["held"], data["now"]["certainly"], data["now"]["possibly"]) == (1, 0, 1)


def test_held_csv_and_table(loaded: str) -> None:
    result = run(loaded, "stats", "held", "--format", "csv", "--as-of", "2021-12-31", "--period", "quarter")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0].keys() == {"period", "day", "held", "certainly", "possibly"}
    assert rows[-1]["period"] == "2021-Q4" and rows[-1]["held"] == "2"
    table = run(loaded, "stats", "held", "--as-of", "2021-12-31", "--period", "year")
    assert table.exit_code == 0 and "held on 2021-12-31" in table.stdout


def test_flows_total_and_kinds(loaded: str) -> None:
    result = run(loaded, "stats", "flows", "--format", "json", "--as-of", "2026-12-31", "--period", "year")
    data = json.loads(result.stdout)
    assert data["total"]["new"] == 2 and data["total"]["released"] == 1 and data["total"]["net"] == 1
    y2026 = next(p for p in data["periods"] if p["period"] == "2026")
    assert (y2026["new"], y2026["released"], y2026["ratio"]) == (0, 1, 0)
    assert next(p for p in data["periods"] if p["period"] == "2025")["ratio"] is None  # nobody freed


def test_deals_ledger_rows_and_totals(loaded: str) -> None:
    result = run(loaded, "stats", "deals", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    deal = data["deals"][0]
    assert deal["key"] == "deal-1" and deal["counterpart"] == "US" and deal["announced"] == 250
    assert deal["named"] == 1 and deal["notable"] == ["Hanna Prykladava"]
    assert "Envoy Example" in deal["mediators"]
    assert deal["concessions"][0]["authority"] == "US" and deal["concessions"][0]["action"] == "delisted"
    assert {s["key"] for s in deal["sources"]} >= {"wire-2026-03-19", "ngo-2026-03-20"}
    assert data["totals"][0]["counterpart"] == "US" and data["totals"][0]["relief"] == 1
    # Before the release nothing of the deal had happened but the meeting.
    early = json.loads(run(loaded, "stats", "deals", "--format", "json", "--as-of", "2026-03-19").stdout)
    assert early["deals"][0]["concessions"] == [] and early["deals"][0]["announced"] == 250
    none = json.loads(run(loaded, "stats", "deals", "--format", "json", "--counterpart", "LT").stdout)
    assert none["deals"] == []
    table = run(loaded, "stats", "deals")
    assert "deal-1" in table.stdout and "Totals per counterpart" in table.stdout


def test_person_by_name_and_by_key(loaded: str) -> None:
    result = run(loaded, "stats", "person", "hanna prykladava", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["key"] == "anna-example" and data["held"]["point"] is False
    assert data["first_release"]["date"] == "2026-03-19" and data["first_release"]["release"] == "rel-1"
    assert data["spells"][0]["days"] == (dt.date(2026, 3, 19) - dt.date(2021, 7, 14)).days
    assert data["releases"][0]["deals"] == ["deal-1"]
    ivan = json.loads(run(loaded, "stats", "person", "ivan-example", "--format", "json", "--as-of", "2020-09-10").stdout)
    assert ivan["held"] == {"point": True, "certainly": False, "possibly": True}


def test_releases_compare_and_exile(loaded: str) -> None:
    result = run(loaded, "stats", "releases", "--format", "json", "--compare", "rel-1", "--since", "2026")
    data = json.loads(result.stdout)
    assert data["largest"][0]["key"] == "rel-1" and data["largest"][0]["count"] == 250
    assert data["compare"]["previous_larger"] is None and data["compare"]["earlier_releases"] == 0
    assert data["exile"]["exiled_lower"] == 15 and data["exile"]["released"] == 250


def test_served_summary(loaded: str) -> None:
    data = json.loads(run(loaded, "stats", "served", "--format", "json", "--as-of", "2026-12-31").stdout)
    assert data["releases"] == 1 and data["median_days"] == (dt.date(2026, 3, 19) - dt.date(2021, 7, 14)).days


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "held", "--as-of", "2026-13-01"], "--as-of"),
        (["stats", "held", "--since", "2026-01-01", "--as-of", "2025-01-01"], "window is empty"),
        (["stats", "person", "nobody at all"], "no person"),
        (["stats", "releases", "--compare", "rel-missing"], "no release"),
    ],
)
def test_bad_input_is_a_clear_error(loaded: str, args: list[str], message: str) -> None:
    result = run(loaded, *args)
    assert result.exit_code == 1
    assert message in result.output


def test_stats_follow_edits_made_through_the_service_layer(loaded: str, ledger: Ledger) -> None:
    """After a refresh, a new status written by the audited service layer counts at once."""
    sq.refresh(ledger)
    f = StatsFilter(as_of=dt.date(2026, 6, 30))
    with ledger.read() as conn:
        assert sq.held_on_day(conn, f).point == 1
    with ledger.transaction("tester") as tx:
        source_id, _ = tx.source(kind="manual", key="test-release-of-ivan")
        ivan = reg.lookup_id(tx, reg.persons, "ivan-example")
        reg.add_status(tx, ivan, StatusChange(status=Status.pardoned, date=FuzzyDate.parse("2026-05")), source_id)
    with ledger.read() as conn:
        assert sq.pending(conn)
        assert sq.held_on_day(conn, f).point == 0
        # The pardon is known only to the month: on 10 May he may or may not be out yet.
        mid_may = sq.held_on_day(conn, f.with_(as_of=dt.date(2026, 5, 10)))
        assert (mid_may.point, mid_may.lower, mid_may.upper) == (0, 0, 1)
    result = run(loaded, "stats", "refresh")
    assert result.exit_code == 0 and "refresh" in result.stdout
    with ledger.read() as conn:
        assert sq.held_on_day(conn, f).point == 0
