"""A static HTML report a journalist can open offline or publish.

    build_report(conn, StatsFilter(public=True), Path("report"))

writes report/index.html (tables, charts as inline SVG, sources, method notes; no scripts,
no external files), plus the charts as PNG/SVG under charts/ and the tables as CSV/JSON
under data/ for reuse. With `public` every figure comes from the public views: unpublished
persons and releases are not counted and confidential fields are never read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection

from freedomledger import charts
from freedomledger.stats import FlowRow, Period, StatsFilter, totals
from freedomledger.stats.flows import RELEASE_KINDS
from freedomledger.store import stats_queries as sq

TEMPLATES = Path(__file__).with_name("report_templates")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: "–" if v is None else (f"{v:,.0f}" if isinstance(v, float) else f"{v:,}")
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
    env.filters["safe_url"] = _safe_url
    return env


def _safe_url(url: str | None) -> str | None:
    """Only web links: a source URL is user data and must not become a javascript: link."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _notes(f: StatsFilter) -> str:
    visibility = "public records only" if f.public else "INTERNAL: includes unpublished records"
    return f"Freedom Ledger, as of {f.today.isoformat()} ({visibility})."


def chart_figures(conn: Connection, f: StatsFilter) -> dict[str, Any]:
    """The three figures and the data behind them."""
    monthly = f.with_(period=Period.month) if f.period in (Period.day,) else f
    held = sq.held_over_time(conn, monthly)
    flow_rows = sq.flows(conn, monthly)
    releases = sq.release_rows(conn, f)
    actions = sq.sanction_timeline(conn, f)
    deals = sq.deal_ledger(conn, f)
    note = _notes(f)
    window = (f.first_day, f.last_day + dt.timedelta(days=15))
    return {
        "held": (charts.held_chart(held, title="Political prisoners held", note=note, window=window), held),
        "flows": (charts.flows_chart(flow_rows, title=f"Into and out of custody per {monthly.period.value}",
                                     note=note, window=window), flow_rows),
        "deals": (charts.deals_timeline(releases, actions, deals, title="Releases, deals and sanctions actions",
                                        note=note, window=window), (releases, actions, deals)),
    }


def write_charts(conn: Connection, f: StatsFilter, out: Path) -> list[Path]:
    written: list[Path] = []
    for name, (fig, _) in chart_figures(conn, f).items():
        written.extend(charts.save(fig, out / name))
    return written


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _yearly(rows: Sequence[FlowRow]) -> list[dict[str, Any]]:
    years: dict[str, list[FlowRow]] = {}
    for row in rows:
        years.setdefault(row.start.isoformat()[:4], []).append(row)
    out = []
    for year, group in years.items():
        total = totals(group)
        out.append(total.as_dict() | {"period": year})
    return out


def build_report(conn: Connection, f: StatsFilter, out: Path, *, title: str = "Political prisoners and the deals "
                 "that freed them") -> Path:
    """Write the report folder; returns the path of index.html."""
    out.mkdir(parents=True, exist_ok=True)
    figures = chart_figures(conn, f)
    held = figures["held"][1]
    flow_rows: list[FlowRow] = figures["flows"][1]
    releases, actions, deal_rows = figures["deals"][1]
    start = sq.held_on_day(conn, f, f.first_day)
    now = held[-1] if held else None
    flow_total = totals(flow_rows)
    served = sq.time_served(conn, f)
    share = sq.exile(conn, f)
    ranked = sq.largest(conn, f, 10)
    all_time = f.with_(since=dt.date(1900, 1, 1))
    latest = max(releases, key=lambda r: (r.date_start, r.key)) if releases else None
    compared = sq.compare_release(conn, latest.key, f) if latest else None
    counterpart_totals = sq.deal_totals(conn, all_time)
    relief = sq.relief_by_authority(conn, f)

    captions = {"held": "Persons held over time", "flows": "Detentions and releases per period",
                "deals": "Releases and sanctions actions on one time axis"}
    svgs = {}
    for name, (fig, _) in figures.items():
        document = charts.svg_document(fig)
        charts.save(fig, out / "charts" / name, svg=document)
        svgs[name] = charts.svg_text(fig, title=captions[name], document=document)

    sources: dict[str, dict[str, Any]] = {}
    for deal in deal_rows:
        for s in deal.sources:
            sources.setdefault(s.get("key") or s.get("url") or s.get("title") or "?", s)

    data_dir = out / "data"
    data_dir.mkdir(exist_ok=True)
    held_rows = [{"period": p.period, "day": p.day.isoformat(), "held": p.point, "certainly": p.lower,
                  "possibly": p.upper} for p in held]
    (data_dir / "held.csv").write_text(_csv(held_rows, ["period", "day", "held", "certainly", "possibly"]),
                                       encoding="utf-8")
    flow_dicts = [r.as_dict() for r in flow_rows]
    (data_dir / "flows.csv").write_text(
        _csv(flow_dicts, ["period", "start", "end", "new", "released", "net", "ratio", *RELEASE_KINDS,
                          "new_uncertain", "released_uncertain"]), encoding="utf-8")
    (data_dir / "deals.json").write_text(json.dumps([d.as_dict() for d in deal_rows], ensure_ascii=False, indent=2,
                                                    default=str), encoding="utf-8")
    (data_dir / "releases.csv").write_text(
        _csv([r.as_dict() for r in releases], ["key", "date", "releasing_state", "kind", "announced", "named",
                                                "count", "counted_by"]), encoding="utf-8")

    html = _environment().get_template("report.html.j2").render(
        title=title, f=f, public=f.public, generated=dt.date.today().isoformat(),
        now=now, start=start, held=held, flow_total=flow_total, yearly=_yearly(flow_rows),
        release_kinds=RELEASE_KINDS, served=served, share=share, ranked=ranked, compared=compared,
        deals=deal_rows, counterpart_totals=counterpart_totals, relief=relief, svgs=svgs,
        sources=sorted(sources.values(), key=lambda s: (s.get("published") or "", s.get("outlet") or "")),
        actions_count=sum(a["count"] for a in actions),
    )
    index = out / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
