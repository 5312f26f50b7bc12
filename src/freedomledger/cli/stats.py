"""`freedomledger stats …` and `freedomledger report`: the answers, as tables, JSON or CSV.

    freedomledger stats held --period year --since 2020
    freedomledger stats flows --period quarter --format csv
    freedomledger stats deals --counterpart US --since 2024
    freedomledger stats person "Maria Kalesnikava"
    freedomledger stats releases --compare rel-2026-03-19
    freedomledger report --out report/ --public
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from freedomledger.cli._common import console, err_console, fail, open_ledger, print_json, print_table
from freedomledger.ledger import Ledger
from freedomledger.model import FuzzyDate
from freedomledger.stats import Period, StatsFilter, totals
from freedomledger.stats.flows import RELEASE_KINDS
from freedomledger.store import stats_queries as sq

stats_app = typer.Typer(
    help="Statistics: persons held over time, flows in and out of custody, the deal ledger, "
    "release comparisons, time served, one person's record.",
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


# Ledgers larger than this get the summary tables refreshed before a statistic is read,
# so that the query scans the summary rather than every status change (see
# store/stats_queries/summary.py). Smaller ones are fast enough computed afresh.
AUTO_REFRESH_PERSONS = 20_000
AUTO_REFRESH_PENDING = 2_000

FormatOpt = typer.Option(Format.table, "--format", "-f", help="table, json or csv.")
AsOfOpt = typer.Option(None, "--as-of", help="Answer as of this date (YYYY-MM-DD, YYYY-MM, YYYY) \\[default: today].")
SinceOpt = typer.Option(None, help="Window start (YYYY-MM-DD, YYYY-MM, YYYY) \\[default: 2020-01-01].")
UntilOpt = typer.Option(None, help="Window end \\[default: --as-of].")
PeriodOpt = typer.Option(Period.month, help="Granularity of series: day, month, quarter or year.")
CountryOpt = typer.Option(None, help="Releasing state of release events (ISO code, e.g. BY).")
AuthorityOpt = typer.Option(None, help="Sanctions authority of the concessions (US, EU, UK …).")
CounterpartOpt = typer.Option(None, help="The state a deal was made with (ISO code, e.g. US).")
CitizenshipOpt = typer.Option(None, help="Only persons holding this citizenship (ISO code).")
PublicOpt = typer.Option(False, "--public", help="Only what the public may see (published records).")
RefreshOpt = typer.Option(True, "--refresh/--no-refresh",
                          help="Update the statistics summary first when a large ledger needs it.")


def _date(value: str | None, option: str, *, end: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        parsed = FuzzyDate.parse(value)
    except ValueError as exc:
        fail(f"{option}: {exc}")
    return parsed.end if end else parsed.start


def make_filter(
    *, as_of: str | None = None, since: str | None = None, until: str | None = None,
    period: Period = Period.month, country: str | None = None, authority: str | None = None,
    counterpart: str | None = None, citizenship: str | None = None, public: bool = False,
) -> StatsFilter:
    try:
        return StatsFilter(
            as_of=_date(as_of, "--as-of", end=True), since=_date(since, "--since", end=False),
            until=_date(until, "--until", end=True), period=period, country=country, authority=authority,
            counterpart=counterpart, citizenship=citizenship, public=public,
        )
    except ValueError as exc:
        fail(str(exc))


def ensure_summary(ledger: Ledger) -> None:
    """Refresh the summary of a large ledger when it is missing or far behind; never fatal."""
    try:
        with ledger.read() as conn:
            waiting = sq.pending(conn)
            if waiting is None:
                from freedomledger.store.tables import persons

                size = conn.execute(select(func.count()).select_from(persons)).scalar_one()
                if size < AUTO_REFRESH_PERSONS:
                    return
            elif waiting < AUTO_REFRESH_PENDING:
                return
        err_console.print("[dim]updating the statistics summary …[/]", highlight=False)
        sq.refresh(ledger)
    except SQLAlchemyError as exc:  # e.g. a read-only database user: answer without the summary
        err_console.print(f"[yellow]warning:[/] statistics summary not updated ({exc.__class__.__name__}); "
                          "answers are exact but slower", highlight=False)


@contextmanager
def reading(refresh: bool) -> Iterator[Connection]:
    ledger = open_ledger()
    if refresh:
        ensure_summary(ledger)
    with ledger.read() as conn:
        yield conn


def emit(fmt: Format, data: Any, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str) -> None:
    """JSON gets `data` whole; CSV and tables get `rows` with `columns`."""
    if fmt is Format.json:
        print_json(data)
    elif fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        print_table(rows, columns, title=title)


def _filter_dict(f: StatsFilter) -> dict[str, Any]:
    return {"as_of": f.today.isoformat(), "since": f.first_day.isoformat(), "until": f.last_day.isoformat(),
            "period": f.period.value, "country": f.country, "authority": f.authority,
            "counterpart": f.counterpart, "citizenship": f.citizenship, "public": f.public}


@stats_app.command("held")
def held(
    fmt: Format = FormatOpt, as_of: str | None = AsOfOpt, since: str | None = SinceOpt,
    until: str | None = UntilOpt, period: Period = PeriodOpt, citizenship: str | None = CitizenshipOpt,
    public: bool = PublicOpt, refresh: bool = RefreshOpt,
) -> None:
    """Persons held at the end of each period: point estimate, certainly held, possibly held."""
    f = make_filter(as_of=as_of, since=since, until=until, period=period, citizenship=citizenship, public=public)
    with reading(refresh) as conn:
        series = sq.held_over_time(conn, f)
        start = sq.held_on_day(conn, f, f.first_day)
    rows = [{"period": p.period, "day": p.day.isoformat(), "held": p.point, "certainly": p.lower,
             "possibly": p.upper} for p in series]
    now = series[-1] if series else None
    data = {"filter": _filter_dict(f), "series": rows,
            "start": {"day": start.day.isoformat(), "held": start.point, "certainly": start.lower,
                      "possibly": start.upper},
            "now": rows[-1] if rows else None,
            "change": (now.point - start.point) if now else None}
    if fmt is Format.table and now:
        console.print(
            f"[bold]{now.point:,}[/] held on {now.day} (certainly {now.lower:,}, possibly {now.upper:,}); "
            f"{start.point:,} on {start.day} ({now.point - start.point:+,})", highlight=False,
        )
    emit(fmt, data, rows, ["period", "day", "held", "certainly", "possibly"],
         title="Persons held at the end of each period")


@stats_app.command("flows")
def flows(
    fmt: Format = FormatOpt, as_of: str | None = AsOfOpt, since: str | None = SinceOpt,
    until: str | None = UntilOpt, period: Period = PeriodOpt, citizenship: str | None = CitizenshipOpt,
    public: bool = PublicOpt, refresh: bool = RefreshOpt,
) -> None:
    """Newly held vs released per period, by kind of release; net change and the ratio
    new/released (how many were jailed for each person freed)."""
    f = make_filter(as_of=as_of, since=since, until=until, period=period, citizenship=citizenship, public=public)
    with reading(refresh) as conn:
        rows = sq.flows(conn, f)
    total = totals(rows)
    dicts = [r.as_dict() for r in rows]
    data = {"filter": _filter_dict(f), "periods": dicts, "total": total.as_dict()}
    kinds = list(RELEASE_KINDS)
    if fmt is Format.table:  # a terminal has no room for kinds that never occur
        kinds = [k for k in RELEASE_KINDS if total.by_kind.get(k)]
    columns = ["period", "new", "released", "net", "ratio", *kinds, "released_uncertain"]
    emit(fmt, data, dicts + ([total.as_dict()] if fmt is Format.table else []), columns,
         title="Into and out of custody (released by kind; uncertain = date may fall in a later period)")


@stats_app.command("deals")
def deals(
    fmt: Format = FormatOpt, as_of: str | None = AsOfOpt, since: str | None = typer.Option(
        None, help="Only deals dated from here (YYYY-MM-DD, YYYY-MM, YYYY)."),
    until: str | None = UntilOpt, country: str | None = CountryOpt, authority: str | None = AuthorityOpt,
    counterpart: str | None = CounterpartOpt, public: bool = PublicOpt,
) -> None:
    """The deal ledger: one row per deal (date, states, mediators, numbers announced and named,
    notable names, concessions, sources), then totals per counterpart."""
    f = make_filter(as_of=as_of, since=since, until=until, country=country, authority=authority,
                    counterpart=counterpart, public=public)
    with reading(False) as conn:
        rows = sq.deal_ledger(conn, f)
        sums = sq.deal_totals(conn, f)
        relief = sq.relief_by_authority(conn, f)
    data = {"filter": _filter_dict(f), "deals": [r.as_dict() for r in rows],
            "totals": [t.as_dict() for t in sums], "sanction_actions": relief}
    if fmt is Format.table:
        # A terminal is too narrow for every field: names and concessions are summarised
        # (the JSON and CSV have them in full).
        table = Table(title="Deals (full detail: --format json or csv)", title_justify="left")
        for name, wrap in (("date", False), ("deal", False), ("with", False), ("brokered by", True),
                           ("announced", False), ("named", False), ("notable", True), ("concessions", True)):
            table.add_column(name, no_wrap=not wrap, justify="right" if name in ("announced", "named") else "left")
        for line in map(_deal_line, rows):
            table.add_row(*("" if v is None else str(v) for v in line.values()))
        console.print(table)
        print_table([t.as_dict() | {"by_action": ", ".join(f"{k} {v}" for k, v in t.by_action.items())}
                     for t in sums],
                    ["counterpart", "deals", "releases", "announced", "named", "concessions", "relief",
                     "by_action", "first", "last"], title="Totals per counterpart")
        print_table(relief, ["authority", "action", "actions", "in_deals"],
                    title="All sanctions actions in the window, and how many a deal names")
    else:
        emit(fmt, data, [r.flat() for r in rows], ["date", "deal", "counterpart", "releasing_state", "mediators",
                                                   "announced", "named", "notable", "concessions", "sources"],
             title="Deals")


def _deal_line(row: Any) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for c in row.concessions:
        label = f"{c['authority']} {c['action'].replace('_', ' ')}"
        kinds[label] = kinds.get(label, 0) + 1
    notable = ", ".join(row.notable[:3]) + (f" +{len(row.notable) - 3}" if len(row.notable) > 3 else "")
    return {"date": row.date, "deal": row.key, "with": row.counterpart, "brokered_by": ", ".join(row.mediators[:3]),
            "announced": row.announced, "named": row.named, "notable": notable,
            "concessions": ", ".join(f"{k} x{v}" for k, v in kinds.items()) or "none reported"}


@stats_app.command("person")
def person(
    name: str = typer.Argument(..., help="Key, id, or a name as the ledger writes it."),
    fmt: Format = FormatOpt, as_of: str | None = AsOfOpt, public: bool = PublicOpt,
) -> None:
    """One person: held now (with bounds), spells in custody, first release, time served,
    releases and deals they were part of."""
    f = make_filter(as_of=as_of, public=public)
    with reading(False) as conn:
        data = sq.person_stats(conn, name, f)
    if fmt is Format.table:
        held_now = data["held"]
        state = "held" if held_now["point"] else "not held"
        if held_now["certainly"] != held_now["possibly"]:
            state += " (uncertain: dates are imprecise)"
        first = data["first_release"]
        console.print(
            f"[bold]{data['name']}[/] ({data['key']}): {state} as of {data['as_of']}; "
            f"first detained {data['first_detained'] or '-'}; "
            f"first released {first['date'] + ' (' + first['kind'] + ')' if first else '-'}; "
            f"{data['days_held_total']:,} days in custody in all", highlight=False,
        )
    emit(fmt, data, data["spells"], ["from", "entered_by", "to", "ended_by", "days", "days_shortest",
                                      "days_longest"], title="Spells in custody")
    if fmt is Format.table and data["releases"]:
        print_table([r | {"deals": ", ".join(r["deals"]), "mediators": ", ".join(r["mediators"]),
                          "destination": ", ".join(r["destination"])} for r in data["releases"]],
                    ["key", "date", "kind", "announced", "destination", "mediators", "deals"], title="Releases")


@stats_app.command("releases")
def releases(
    fmt: Format = FormatOpt, as_of: str | None = AsOfOpt, since: str | None = SinceOpt,
    until: str | None = UntilOpt, country: str | None = CountryOpt, public: bool = PublicOpt,
    top: int = typer.Option(10, help="How many of the largest to list."),
    compare: str | None = typer.Option(None, help="A release key: the largest since when?"),
) -> None:
    """The largest releases in the window, the share freed into exile, and (with --compare)
    whether a release is the largest since some date."""
    f = make_filter(as_of=as_of, since=since, until=until, country=country, public=public)
    with reading(False) as conn:
        ranked = sq.largest(conn, f, top)
        share = sq.exile(conn, f)
        compared = sq.compare_release(conn, compare, f) if compare else None
    rows = [r.as_dict() | {"deals": ", ".join(r.deals), "destination": ", ".join(r.destination)} for r in ranked]
    data = {"filter": _filter_dict(f), "largest": [r.as_dict() for r in ranked], "exile": share.as_dict(),
            "compare": compared.as_dict() if compared else None}
    if fmt is Format.table and compared:
        console.print(compared.headline, highlight=False)
    emit(fmt, data, rows, ["key", "date", "releasing_state", "kind", "count", "counted_by", "named",
                           "destination", "deals"], title="Largest releases")
    if fmt is Format.table and share.released:
        console.print(
            f"Sent abroad: {share.exiled_lower:,}–{share.exiled_upper:,} of {share.released:,} freed "
            f"({share.share_lower:.0%}–{share.share_upper:.0%}) in {share.releases} releases with a reported "
            f"destination; {share.not_reported_releases} releases ({share.not_reported_released:,} freed) "
            "report none.", highlight=False,
        )


@stats_app.command("served")
def served(
    fmt: Format = FormatOpt, as_of: str | None = AsOfOpt, since: str | None = SinceOpt,
    until: str | None = UntilOpt, citizenship: str | None = CitizenshipOpt, public: bool = PublicOpt,
    refresh: bool = RefreshOpt,
) -> None:
    """Time served before release, for releases in the window: median (with the range the
    fuzzy dates allow), quartiles and distribution."""
    f = make_filter(as_of=as_of, since=since, until=until, citizenship=citizenship, public=public)
    with reading(refresh) as conn:
        summary = sq.time_served(conn, f)
    data = {"filter": _filter_dict(f), **summary.as_dict()}
    if fmt is Format.table and summary.releases:
        console.print(
            f"{summary.releases:,} releases; median {summary.median_days:,.0f} days "
            f"(shortest reading {summary.median_days_shortest:,.0f}, longest {summary.median_days_longest:,.0f}); "
            f"quartiles {summary.p25_days:,.0f}–{summary.p75_days:,.0f} days", highlight=False,
        )
    emit(fmt, data, [{"bucket": b, "releases": n} for b, n in summary.histogram], ["bucket", "releases"],
         title="Time served before release")


@stats_app.command("refresh")
def refresh_summary(full: bool = typer.Option(False, "--full", help="Rebuild from scratch.")) -> None:
    """Update the statistics summary tables (run after a large import; queries stay exact without it)."""
    result = sq.refresh(open_ledger(), full=full)
    console.print(f"statistics summary: {result['mode']} refresh in {result['seconds']} s"
                  + (f", {result['persons']:,} persons updated" if result["persons"] is not None else ""))


@stats_app.command("charts")
def charts(
    out: Path = typer.Option(..., "--out", help="Folder to write PNG and SVG files into."),
    as_of: str | None = AsOfOpt, since: str | None = SinceOpt, until: str | None = UntilOpt,
    period: Period = PeriodOpt, authority: str | None = AuthorityOpt, public: bool = PublicOpt,
    refresh: bool = RefreshOpt,
) -> None:
    """Draw the held, flows and deals-timeline charts as PNG and SVG."""
    from freedomledger import report as report_module

    f = make_filter(as_of=as_of, since=since, until=until, period=period, authority=authority, public=public)
    with reading(refresh) as conn:
        written = report_module.write_charts(conn, f, out)
    for path in written:
        console.print(f"wrote {path}")


def report(
    out: Path = typer.Option(..., "--out", help="Folder to write the report into (created if needed)."),
    public: bool = typer.Option(False, "--public", help="Use public views only: for publishing."),
    as_of: str | None = AsOfOpt, since: str | None = SinceOpt,
    period: Period = typer.Option(Period.month, help="Granularity of the series."),
    title: str = typer.Option("Political prisoners and the deals that freed them", help="Report title."),
    refresh: bool = RefreshOpt,
) -> None:
    """Write a self-contained static HTML report (tables, charts as inline SVG, sources) that
    opens offline; with --public it holds only what the public may see."""
    from freedomledger import report as report_module

    f = make_filter(as_of=as_of, since=since, period=period, public=public)
    with reading(refresh) as conn:
        index = report_module.build_report(conn, f, out, title=title)
    console.print(f"wrote {index}" + (" (public)" if public else " (INTERNAL: do not publish; use --public)"))


__all__ = ["report", "stats_app"]
