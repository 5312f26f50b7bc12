"""The dashboard's "held over time" chart: the one place that glues the page to a chart maker.

`held_chart` uses the stats package (freedomledger.stats, its held_over_time query and
freedomledger.charts) when it is installed; otherwise it counts here, in one pass over the
status changes, and draws a plain SVG line. Swap the body of `held_chart` to change either.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from calendar import monthrange
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import Connection, select

from freedomledger.model import HOLDING, RELEASING
from freedomledger.store.tables import persons, status_changes


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    points, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        points.append(dt.date(year, month, monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if points:
        points[-1] = min(points[-1], last)
    return points


def held_series(conn: Connection, *, public: bool, today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """(date, persons held on that date) at each month end, the last point being today.

    Held on a date means: the latest custody-deciding status dated on or before it is a
    holding one, the same rule as queries.list_persons(held=True, as_of=date).
    """
    today = today or dt.date.today()
    holding = {s.value for s in HOLDING}
    deciding = sorted(holding | {s.value for s in RELEASING})
    query = (
        select(status_changes.c.person_id, status_changes.c.status, status_changes.c.date_start)
        .join(persons, persons.c.id == status_changes.c.person_id)
        .where(status_changes.c.status.in_(deciding), status_changes.c.retracted_at.is_(None),
               persons.c.retracted_at.is_(None))
        .order_by(status_changes.c.person_id, status_changes.c.date_start, status_changes.c.id)
    )
    if public:
        query = query.where(persons.c.published.is_(True))
    rows = conn.execute(query).all()
    if not rows:
        return []
    start = max(min(r.date_start for r in rows), dt.date(2020, 1, 1))
    points = month_ends(start, today)
    delta = [0] * (len(points) + 1)
    for _, changes in groupby(rows, key=lambda r: r.person_id):
        held = False
        for change in changes:
            now_held = change.status in holding
            if now_held != held:
                # Counted from the first point on or after the change's date.
                delta[bisect_left(points, change.date_start)] += 1 if now_held else -1
                held = now_held
    series, running = [], 0
    for point, step in zip(points, delta):
        running += step
        series.append((point, running))
    return series


def svg_line(series: list[tuple[dt.date, int]], title: str, width: int = 720, height: int = 220) -> str:
    """A self-contained SVG line chart (attributes only, no styles or scripts)."""
    if not series:
        return ""
    left, right, top, bottom = 48, 12, 16, 28
    top_value = max(v for _, v in series) or 1
    span_x = max(len(series) - 1, 1)

    def x(i: int) -> float:
        return left + (width - left - right) * i / span_x

    def y(v: int) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{y(top_value) + 4:.1f}" text-anchor="end" font-size="11">{top_value}</text>',
        f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, (day, _) in enumerate(series):
        if day.month == 1 or (i == 0 and day.month <= 6):
            parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" font-size="11">{day.year}</text>')
    parts.append(f'<polyline fill="none" stroke="#8b1a1a" stroke-width="2" points="{points}"/>')
    last_day, last_value = series[-1]
    parts.append(f'<circle cx="{x(len(series) - 1):.1f}" cy="{y(last_value):.1f}" r="3.5" fill="#8b1a1a">'
                 f'<title>{last_day.isoformat()}: {last_value}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def held_chart(conn: Connection, *, public: bool, title: str) -> dict[str, Any]:
    """{"svg", "series", "held_now"} for the dashboard and /api/stats.

    With the stats package: its monthly series (a point estimate with the range that
    imprecise dates allow) drawn by its matplotlib chart. Without it: the count above.
    """
    try:
        from freedomledger import charts
        from freedomledger.stats import StatsFilter
        from freedomledger.store.stats_queries.reads import held_over_time
    except ImportError:
        series = held_series(conn, public=public)
        return {
            "svg": svg_line(series, title),
            "series": [{"date": d.isoformat(), "held": v} for d, v in series],
            "held_now": series[-1][1] if series else 0,
        }
    points = held_over_time(conn, StatsFilter(public=public, since=dt.date(2020, 1, 1)))
    figure = charts.held_chart(points, title=title)
    return {
        "svg": charts.svg_text(figure, title=title) if points else "",
        "series": [{"date": p.day.isoformat(), "held": p.point, "lower": p.lower, "upper": p.upper}
                   for p in points],
        "held_now": points[-1].point if points else 0,
    }
