"""The dashboard's "held over time" chart: the one place that glues the page to a chart maker.

The counts come from the stats package (its held_over_time query, a point estimate with the
range that imprecise dates allow); the drawing from freedomledger.charts (matplotlib, as SVG).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from freedomledger import charts
from freedomledger.stats import StatsFilter
from freedomledger.store.stats_queries.reads import held_over_time


def held_chart(conn: Connection, *, public: bool, title: str) -> dict[str, Any]:
    """{"svg", "series", "held_now"} for the dashboard and /api/stats."""
    points = held_over_time(conn, StatsFilter(public=public, since=dt.date(2020, 1, 1)))
    figure = charts.held_chart(points, title=title)
    return {
        "svg": charts.svg_text(figure, title=title) if points else "",
        "series": [{"date": p.day.isoformat(), "held": p.point, "lower": p.lower, "upper": p.upper}
                   for p in points],
        "held_now": points[-1].point if points else 0,
    }
