"""Calendar periods (day, month, quarter, year) that series are reported by. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Period(StrEnum):
    day = "day"
    month = "month"
    quarter = "quarter"
    year = "year"


@dataclass(frozen=True, order=True)
class Span:
    """One period: its first and last day and the label reporters write for it."""

    start: dt.date
    end: dt.date
    label: str


def period_start(day: dt.date, period: Period) -> dt.date:
    if period is Period.day:
        return day
    if period is Period.month:
        return day.replace(day=1)
    if period is Period.quarter:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def _next_start(start: dt.date, period: Period) -> dt.date:
    if period is Period.day:
        return start + dt.timedelta(days=1)
    months = {Period.month: 1, Period.quarter: 3, Period.year: 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def label(start: dt.date, period: Period) -> str:
    if period is Period.day:
        return start.isoformat()
    if period is Period.month:
        return start.isoformat()[:7]
    if period is Period.quarter:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def span_of(day: dt.date, period: Period) -> Span:
    start = period_start(day, period)
    return Span(start, _next_start(start, period) - dt.timedelta(days=1), label(start, period))


def spans(first: dt.date, last: dt.date, period: Period) -> list[Span]:
    """The periods that touch [first, last], in order, cut to [first, last] at both ends.

    The spans partition [first, last] exactly, so per-period flows add up to the whole.
    Cutting the last period matters for "held" counts, which are taken on the period's last
    day: the current month is counted as of `last` (usually today), not as of its end.
    """
    if last < first:
        return []
    out: list[Span] = []
    start = period_start(first, period)
    while start <= last:
        nxt = _next_start(start, period)
        out.append(Span(max(start, first), min(nxt - dt.timedelta(days=1), last), label(start, period)))
        start = nxt
    return out
