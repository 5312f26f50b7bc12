"""The aggregate queries behind held, flows, time served, releases and sanctions timelines.

Each returns aggregated rows only (per day, per kind, per number of days — a few thousand at
most), never one row per person or status change; the pure functions in freedomledger.stats
turn them into answers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, case, exists, func, or_, select, true, union_all
from sqlalchemy.sql.elements import ColumnElement

from freedomledger.model import RELEASING, Status
from freedomledger.stats import (
    ExileShare,
    FlowRow,
    HeldPoint,
    LargestSince,
    ReleaseRow,
    ServedSummary,
    StatsFilter,
    exile_share,
    flow_series,
    held_series,
    largest_releases,
    largest_since,
    spans,
    summarise_served,
)
from freedomledger.stats.periods import Span
from freedomledger.store.stats_queries.summary import (
    mark_rows,
    person_filter,
    sources,
    stats_held_marks,
    stats_transitions,
    transition_rows,
)
from freedomledger.store.tables import (
    deal_links,
    deals,
    persons,
    release_events,
    sanction_actions,
    status_changes,
)

# "Time served before release" leaves out deaths in custody: they end custody, not by release.
SERVED_KINDS = tuple(sorted(s.value for s in RELEASING - {Status.died_in_custody}))


def _combined(conn: Connection, parts: list[Any], keys: list[str], sums: list[str]) -> list[tuple[Any, ...]]:
    """Union per-source aggregates and add them up by key (the stored + fresh correction)."""
    u = union_all(*parts).subquery("parts")
    query = (
        select(*(u.c[k] for k in keys), *(func.sum(u.c[s]).label(s) for s in sums))
        .group_by(*(u.c[k] for k in keys))
    )
    return [tuple(row) for row in conn.execute(query)]


def held_deltas(conn: Connection, f: StatsFilter) -> list[tuple[dt.date, int, int, int]]:
    """(day, change of point, of lower bound, of upper bound) up to `f.last_day`, summed over persons."""
    parts = []
    for source, sign in sources(conn, stats_held_marks, mark_rows):
        parts.append(
            select(source.c.day,
                   (sign * func.sum(source.c.d_point)).label("dp"),
                   (sign * func.sum(source.c.d_lower)).label("dl"),
                   (sign * func.sum(source.c.d_upper)).label("du"))
            .where(source.c.day <= f.last_day, *person_filter(source, public=f.public, citizenship=f.citizenship))
            .group_by(source.c.day)
        )
    rows = _combined(conn, parts, ["day"], ["dp", "dl", "du"])
    return [(_as_date(d), int(p), int(lo), int(up)) for d, p, lo, up in rows if p or lo or up]


def held_over_time(conn: Connection, f: StatsFilter) -> list[HeldPoint]:
    """Persons held at the end of each period from `f.first_day` to `f.last_day`."""
    return held_series(held_deltas(conn, f), spans(f.first_day, f.last_day, f.period))


def held_on_day(conn: Connection, f: StatsFilter, day: dt.date | None = None) -> HeldPoint:
    """Persons held on one day (default: `f.last_day`, i.e. as_of)."""
    day = day or f.last_day
    narrowed = f.with_(until=day, since=None) if day <= f.today else f
    return held_series(held_deltas(conn, narrowed), [Span(day, day, day.isoformat())])[0]


def flow_moves(conn: Connection, f: StatsFilter) -> list[tuple[dt.date, dt.date, int, str, int]]:
    """(day, day_end, direction, kind, count) of moves into and out of custody in the window."""
    parts = []
    for source, sign in sources(conn, stats_transitions, transition_rows):
        parts.append(
            select(source.c.day, source.c.day_end, source.c.direction, source.c.kind,
                   (sign * func.count()).label("n"))
            .where(source.c.day >= f.first_day, source.c.day <= f.last_day,
                   *person_filter(source, public=f.public, citizenship=f.citizenship))
            .group_by(source.c.day, source.c.day_end, source.c.direction, source.c.kind)
        )
    rows = _combined(conn, parts, ["day", "day_end", "direction", "kind"], ["n"])
    return [(_as_date(d), _as_date(e), int(k), str(kind), int(n)) for d, e, k, kind, n in rows if n]


def flows(conn: Connection, f: StatsFilter) -> list[FlowRow]:
    return flow_series(flow_moves(conn, f), spans(f.first_day, f.last_day, f.period))


def served_rows(conn: Connection, f: StatsFilter, kinds: tuple[str, ...] = SERVED_KINDS) -> list[tuple[str, int, int, int, int]]:
    """(kind, days served, shortest, longest, count) for releases in the window."""
    parts = []
    for source, sign in sources(conn, stats_transitions, transition_rows):
        # The window test is written on coalesce(day, day) (day is never NULL) so that no
        # planner takes the day index for it: the GROUP BY then streams through
        # ix_stats_transitions_served in order instead of sorting every release (4 s -> 0.5 s
        # on SQLite at a million persons). Kinds are filtered afterwards for the same reason.
        day = func.coalesce(source.c.day, source.c.day)
        parts.append(
            select(source.c.kind, source.c.served_days, source.c.served_min, source.c.served_max,
                   (sign * func.count()).label("n"))
            .where(source.c.direction == -1, day >= f.first_day, day <= f.last_day,
                   *person_filter(source, public=f.public, citizenship=f.citizenship))
            .group_by(source.c.kind, source.c.served_days, source.c.served_min, source.c.served_max)
        )
    rows = _combined(conn, parts, ["kind", "served_days", "served_min", "served_max"], ["n"])
    return [(str(k), int(d), int(lo), int(hi), int(n)) for k, d, lo, hi, n in rows if n and k in kinds]


def time_served(conn: Connection, f: StatsFilter, kinds: tuple[str, ...] = SERVED_KINDS) -> ServedSummary:
    return summarise_served(served_rows(conn, f, kinds))


# --- releases ------------------------------------------------------------------------------


def named_counts(public: bool) -> Any:
    """Subquery (release_event_id, named): how many persons the ledger names per release."""
    sc, p = status_changes, persons
    # Persons not to count, as an exclusion list: few in practice, so the count reads the
    # release index alone instead of looking up every named person's row.
    hidden: ColumnElement[bool] = p.c.retracted_at.is_not(None)
    if public:
        hidden = or_(hidden, p.c.published.is_not(true()))
    return (
        select(sc.c.release_event_id, func.count(sc.c.person_id.distinct()).label("named"))
        .where(sc.c.retracted_at.is_(None), sc.c.release_event_id.is_not(None),
               sc.c.person_id.not_in(select(p.c.id).where(hidden)))
        .group_by(sc.c.release_event_id)
        .subquery("named")
    )


def release_rows(conn: Connection, f: StatsFilter, *, window: bool = True) -> list[ReleaseRow]:
    """Release events with the number of persons the ledger names for each.

    `window=False` ignores since/until (but not as_of), for "largest since" comparisons.
    """
    re = release_events
    named = named_counts(f.public)
    query = (
        select(re, func.coalesce(named.c.named, 0).label("named"))
        .outerjoin(named, named.c.release_event_id == re.c.id)
        .where(re.c.retracted_at.is_(None), re.c.date_start <= f.today)
        .order_by(re.c.date_start, re.c.id)
    )
    if f.public:
        query = query.where(re.c.published.is_(true()))
    if f.country:
        query = query.where(re.c.releasing_state == f.country)
    if window:
        query = query.where(re.c.date_start >= f.first_day, re.c.date_start <= f.last_day)
    rows = conn.execute(query).mappings().all()
    deal_keys: dict[int, list[str]] = defaultdict(list)
    for event_id, key in conn.execute(
        select(deal_links.c.release_event_id, deals.c.key)
        .join(deals, deals.c.id == deal_links.c.deal_id)
        .where(deal_links.c.release_event_id.is_not(None), deal_links.c.retracted_at.is_(None),
               deals.c.retracted_at.is_(None))
    ):
        deal_keys[event_id].append(key)
    from freedomledger.ledger.queries import fuzzy

    return [
        ReleaseRow(
            key=r["key"], date=fuzzy(r) or "", date_start=_as_date(r["date_start"]), date_end=_as_date(r["date_end"]),
            releasing_state=r["releasing_state"], kind=r["kind"], announced=r["announced_count"],
            named=int(r["named"]), destination=tuple(r["destination"] or ()),
            destination_counts=tuple(sorted((str(k), int(v)) for k, v in (r["destination_counts"] or {}).items())),
            deals=tuple(sorted(deal_keys.get(r["id"], []))),
        )
        for r in rows
    ]


def largest(conn: Connection, f: StatsFilter, top: int | None = 10) -> list[ReleaseRow]:
    return largest_releases(release_rows(conn, f), top)


def compare_release(conn: Connection, key: str, f: StatsFilter) -> LargestSince:
    """How release `key` compares with every earlier release (as of `f.as_of`)."""
    rows = release_rows(conn, f, window=False)
    try:
        return largest_since(rows, key)
    except KeyError:
        from freedomledger.ledger import NotFound

        raise NotFound(f"no release {key!r}" + (" visible publicly" if f.public else ""),
                       hint="list them with `freedomledger release list`") from None


def exile(conn: Connection, f: StatsFilter) -> ExileShare:
    return exile_share(release_rows(conn, f))


# --- sanctions -----------------------------------------------------------------------------


def sanction_timeline(conn: Connection, f: StatsFilter) -> list[dict[str, Any]]:
    """Sanction actions per day, authority and kind, and how many of them a deal names."""
    sa = sanction_actions
    linked = exists().where(deal_links.c.sanction_action_id == sa.c.id, deal_links.c.retracted_at.is_(None))
    query = (
        select(sa.c.date_start, sa.c.date_end, sa.c.authority, sa.c.action, func.count().label("n"),
               func.sum(case((linked, 1), else_=0)).label("linked"))
        .where(sa.c.retracted_at.is_(None), sa.c.date_start >= f.first_day, sa.c.date_start <= f.last_day)
        .group_by(sa.c.date_start, sa.c.date_end, sa.c.authority, sa.c.action)
        .order_by(sa.c.date_start)
    )
    if f.authority:
        query = query.where(sa.c.authority == f.authority)
    return [
        {"date_start": _as_date(r.date_start), "date_end": _as_date(r.date_end), "authority": r.authority,
         "action": r.action, "count": int(r.n), "linked": int(r.linked or 0)}
        for r in conn.execute(query)
    ]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


__all__ = [
    "SERVED_KINDS", "compare_release", "exile", "flow_moves", "flows", "held_deltas", "held_on_day",
    "held_over_time", "largest", "release_rows", "sanction_timeline", "served_rows", "time_served",
]
