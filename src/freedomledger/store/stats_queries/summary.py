"""Custody marks: the per-person summary the held/flow/served statistics are read from.

Why a summary at all: the statistics need every person's history in date order (window
functions over status_changes). On 5,000,000 status changes that pass takes minutes (175 s
on SQLite, 69 s on PostgreSQL; docs/benchmarks.md), far over the 2 s a query may
take. So the same window-function SQL writes its result per person into two narrow tables:

- `stats_held_marks`: the days a person's held intervals start or end, with the change to
  the point estimate, the lower bound and the upper bound (see stats/custody.py);
- `stats_transitions`: each move into (+1) or out of (-1) custody, with its kind and, for a
  release, the days served since the matching move in.

A query sums those tables (a covering-index scan) and corrects for persons changed since
the summary was written: their stored rows are subtracted and their marks computed afresh
from status_changes, all in the same statement. Answers are therefore always current; the
summary only makes them fast. Changed persons are found by `updated_at` (indexed), which
every insert, update and retraction through the service layer sets. `refresh` folds the
changes into the summary; without any refresh every query computes everything afresh,
which is fine for ledgers of tens of thousands of persons.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CTE, Select

from freedomledger.model import HOLDING, RELEASING
from freedomledger.stats.custody import SPECIFIC_RELEASES
from freedomledger.store.tables import metadata, persons, status_changes, utcnow

# Bump when the meaning of the stored marks changes: a summary written by another version
# is ignored (queries compute afresh) until the next refresh rebuilds it.
SUMMARY_VERSION = "1"
# Writes whose `updated_at` is this close before the last refresh are treated as changed
# again. A write's `updated_at` is taken when its statement is sent; the refresh holds off
# writers while it reads (see `refresh`), so only differences between the clocks of the
# machines that write need covering.
MARGIN = dt.timedelta(seconds=30)

HOLD = sorted(s.value for s in HOLDING)
DECIDE = sorted(s.value for s in HOLDING | RELEASING)
SPECIFIC = sorted(s.value for s in SPECIFIC_RELEASES)

stats_held_marks = Table(
    "stats_held_marks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("published", Boolean, nullable=False),
    Column("citizenships", String(200), nullable=False),
    Column("d_point", SmallInteger, nullable=False),
    Column("d_lower", SmallInteger, nullable=False),
    Column("d_upper", SmallInteger, nullable=False),
    # Covering: the held series is a GROUP BY day over this index alone.
    Index("ix_stats_held_marks_cover", "day", "published", "citizenships", "d_point", "d_lower", "d_upper"),
)

stats_transitions = Table(
    "stats_transitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, nullable=False, index=True),
    Column("change_id", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("day_end", Date, nullable=False),
    Column("published", Boolean, nullable=False),
    Column("citizenships", String(200), nullable=False),
    Column("direction", SmallInteger, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("served_days", Integer),
    Column("served_min", Integer),
    Column("served_max", Integer),
    Index("ix_stats_transitions_flows", "day", "day_end", "direction", "kind", "published", "citizenships"),
    # In GROUP BY order, so time served streams through the index without a sort.
    Index("ix_stats_transitions_served", "direction", "kind", "served_days", "served_min", "served_max",
          "day", "published", "citizenships"),
)

stats_state = Table(
    "stats_state",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

# Finding the persons changed since the last refresh must not scan millions of rows.
Index("ix_status_changes_updated_at", status_changes.c.updated_at)
Index("ix_persons_updated_at", persons.c.updated_at)
# Counting the persons each release names reads this index alone (no table lookups).
Index("ix_status_changes_release_person", status_changes.c.release_event_id, status_changes.c.retracted_at,
      status_changes.c.person_id)

MARK_COLUMNS = ("person_id", "day", "published", "citizenships", "d_point", "d_lower", "d_upper")
TRANSITION_COLUMNS = ("person_id", "change_id", "day", "day_end", "published", "citizenships", "direction",
                      "kind", "served_days", "served_min", "served_max")


class days_between(FunctionElement):  # noqa: N801 - used like a SQL function
    """Whole days from the second date to the first; each database spells it differently."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


def _least(a: Any, b: Any) -> ColumnElement[Any]:
    """The earlier of two dates where NULL means "never" (no later change bounds it)."""
    return case((a.is_(None), b), (b.is_(None), a), (a < b, a), else_=b)


def _later(a: Any, b: Any) -> ColumnElement[Any]:
    """The later of two dates, both known."""
    return case((a > b, a), else_=b)


def events(person_condition: ColumnElement[bool] | None = None) -> CTE:
    """`events_select` as a common table expression, for statistics read afresh."""
    return events_select(person_condition).cte("ev")


def events_select(person_condition: ColumnElement[bool] | None = None) -> Select[Any]:
    """Every custody-deciding change with what its neighbours in the history say.

    Per person, in (date_start, id) order — the order `is_held` reads a history in:
      h    1 when the change holds, ph the same for the change before (0 for the first);
      ns, nst  start and status of the next change;
      m    the earliest end among the changes after this one (NULL: none after);
      r    the start of the first releasing change after this one;
      sf   the start of the first holding change from this one on;
      rn   the position in the history.
    """
    sc, p = status_changes, persons
    h = case((sc.c.status.in_(HOLD), 1), else_=0)
    w: dict[str, Any] = {"partition_by": sc.c.person_id, "order_by": (sc.c.date_start, sc.c.id)}
    query = (
        select(
            sc.c.person_id, sc.c.id.label("change_id"), sc.c.status,
            sc.c.date_start.label("s"), sc.c.date_end.label("e"),
            p.c.published, cast(p.c.citizenships, String).label("citizenships"),
            h.label("h"),
            func.lag(h, 1, 0).over(**w).label("ph"),
            func.lead(sc.c.date_start).over(**w).label("ns"),
            func.lead(sc.c.status).over(**w).label("nst"),
            func.min(sc.c.date_end).over(**w, rows=(1, None)).label("m"),
            func.min(case((h == 0, sc.c.date_start))).over(**w, rows=(1, None)).label("r"),
            # sf reuses the frame of m and r (one window pass fewer over millions of rows):
            # from this change on = this change if it holds, else the first holding one after.
            case((h == 1, sc.c.date_start),
                 else_=func.min(case((h == 1, sc.c.date_start))).over(**w, rows=(1, None))).label("sf"),
            func.row_number().over(**w).label("rn"),
        )
        .join(p, p.c.id == sc.c.person_id)
        .where(sc.c.retracted_at.is_(None), sc.c.status.in_(DECIDE), p.c.retracted_at.is_(None))
    )
    if person_condition is not None:
        query = query.where(person_condition)
    return query


def _events_table() -> Table:
    """A temporary table for `events_select` while a refresh runs: the window functions
    are computed once for both summary tables instead of once for each."""
    return Table(
        "stats_events_tmp", MetaData(),
        Column("person_id", Integer), Column("change_id", Integer), Column("status", String(40)),
        Column("s", Date), Column("e", Date), Column("published", Boolean), Column("citizenships", String(200)),
        Column("h", Integer), Column("ph", Integer), Column("ns", Date), Column("nst", String(40)),
        Column("m", Date), Column("r", Date), Column("sf", Date), Column("rn", Integer),
        prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
    )


def mark_rows(ev: Any) -> Select[Any]:
    """Per person and day, the changes to the three held counts (stats/custody.py).

    Each change i contributes intervals [from, to) on which it decides the answer:
      point  [s_i, s_next) when i holds — written as +1/-1 where h changes;
      lower  [e_i, min(m_i, r_i)) when i holds: i has surely happened, no later change
             surely has, and no release can have happened yet;
      upper  [max(e_i, sf_i), m_i): i has surely happened, no later change surely has, and
             some holding change from i on may have happened; plus, before any change has
             surely happened, [sf_1, min(e_1, m_1)) on the first row.
    For a given day the "last surely happened" change is unique, so the intervals of one
    person never overlap and their +1/-1 ends can simply be summed.
    """
    c = ev.c
    key = (c.person_id, c.published, c.citizenships)
    release_or_next = _least(c.m, c.r)
    upper_from = _later(c.e, c.sf)
    first_end = _least(c.e, c.m)
    one, zero, minus = literal(1), literal(0), literal(-1)

    def arm(day: Any, dp: Any, dl: Any, du: Any, *where: Any) -> Select[Any]:
        return select(*key, day.label("day"), dp.label("dp"), dl.label("dl"), du.label("du")).where(*where)

    arms = [
        arm(c.s, c.h - c.ph, zero, zero, c.h != c.ph),
        arm(c.e, zero, one, zero, c.h == 1, or_(release_or_next.is_(None), c.e < release_or_next)),
        arm(release_or_next, zero, minus, zero, c.h == 1, release_or_next.is_not(None), c.e < release_or_next),
        arm(upper_from, zero, zero, one, c.sf.is_not(None), or_(c.m.is_(None), upper_from < c.m)),
        arm(c.m, zero, zero, minus, c.sf.is_not(None), c.m.is_not(None), upper_from < c.m),
        arm(c.sf, zero, zero, one, c.rn == 1, c.sf.is_not(None), c.sf < first_end),
        arm(first_end, zero, zero, minus, c.rn == 1, c.sf.is_not(None), c.sf < first_end),
    ]
    u = union_all(*arms).subquery("marks")
    dp, dl, du = func.sum(u.c.dp), func.sum(u.c.dl), func.sum(u.c.du)
    return (
        select(u.c.person_id, u.c.day, u.c.published, u.c.citizenships,
               dp.label("d_point"), dl.label("d_lower"), du.label("d_upper"))
        .group_by(u.c.person_id, u.c.day, u.c.published, u.c.citizenships)
        .having(or_(dp != 0, dl != 0, du != 0))
    )


def transition_rows(ev: Any) -> Select[Any]:
    """Moves into (+1) and out of (-1) custody, with days served for each move out.

    Moves alternate in/out per person (they are where the point estimate flips), so the
    move before a release is the start of the spell it ends.
    """
    c = ev.c
    refined = case(
        (and_(c.status == "released", c.ns == c.s, c.nst.in_(SPECIFIC)), c.nst), else_=c.status
    )
    moves = (
        select(c.person_id, c.change_id, c.s.label("day"), c.e.label("day_end"), c.published, c.citizenships,
               (c.h - c.ph).label("direction"), case((c.h == 1, c.status), else_=refined).label("kind"))
        .where(c.h != c.ph)
        .subquery("moves")
    )
    w: dict[str, Any] = {"partition_by": moves.c.person_id, "order_by": (moves.c.day, moves.c.change_id)}
    paired = select(
        moves, func.lag(moves.c.day).over(**w).label("spell_day"),
        func.lag(moves.c.day_end).over(**w).label("spell_day_end"),
    ).subquery("paired")
    p = paired.c
    out = p.direction < 0
    shortest = days_between(p.day, p.spell_day_end)
    return select(
        p.person_id, p.change_id, p.day, p.day_end, p.published, p.citizenships,
        p.direction, p.kind,
        case((out, days_between(p.day, p.spell_day))).label("served_days"),
        case((out, case((shortest < 0, 0), else_=shortest))).label("served_min"),
        case((out, days_between(p.day_end, p.spell_day))).label("served_max"),
    )


# --- freshness ---------------------------------------------------------------------------


def _state(conn: Connection) -> dict[str, str]:
    return {k: v for k, v in conn.execute(select(stats_state.c.key, stats_state.c.value))}


def watermark(conn: Connection) -> dt.datetime | None:
    """When the summary was last refreshed, or None if there is no usable summary."""
    state = _state(conn)
    if state.get("version") != SUMMARY_VERSION or "refreshed_at" not in state:
        return None
    return dt.datetime.fromisoformat(state["refreshed_at"])


def changed_persons(since: dt.datetime) -> Select[Any]:
    """Ids of persons whose record or status changes were written after `since`."""
    return union(
        select(status_changes.c.person_id).where(status_changes.c.updated_at > since),
        select(persons.c.id).where(persons.c.updated_at > since),
    ).subquery("changed").select()


def sources(conn: Connection, stored: Table, fresh: Any) -> list[tuple[Any, int]]:
    """Where a statistic reads its rows from, each with the sign to add it with.

    With a summary: the stored rows, minus the stored rows of changed persons, plus the
    changed persons computed afresh. Without: everyone computed afresh.
    """
    mark = watermark(conn)
    if mark is None:
        return [(fresh(events()).subquery("fresh"), 1)]
    changed = changed_persons(mark - MARGIN)
    stale = select(stored).where(stored.c.person_id.in_(changed)).subquery("stale")
    recent = fresh(events(status_changes.c.person_id.in_(changed_persons(mark - MARGIN)))).subquery("recent")
    return [(stored, 1), (stale, -1), (recent, 1)]


def pending(conn: Connection) -> int | None:
    """How many persons changed since the last refresh (None: no summary yet)."""
    mark = watermark(conn)
    if mark is None:
        return None
    return int(conn.execute(select(func.count()).select_from(changed_persons(mark - MARGIN).subquery())).scalar_one())


def refresh(target: Engine | Any, *, full: bool = False) -> dict[str, Any]:
    """Fold every change since the last refresh into the summary (everything when `full`).

    Runs in one write transaction. On PostgreSQL it first waits for writers in flight and
    holds them off (SHARE lock on persons and status_changes) so that no change can slip
    between what is read and the watermark written; SQLite's write lock does the same.
    """
    engine: Engine = getattr(target, "engine", target)
    started = time.perf_counter()
    # The watermark is taken before the locks: a writer that sent its statement earlier is
    # either waited for (and read) or blocked with an `updated_at` later than this.
    now = utcnow()
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, the write lock
        if conn.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE stats_state IN EXCLUSIVE MODE"))
            conn.execute(text("LOCK TABLE persons, status_changes IN SHARE MODE"))
        mark = None if full else watermark(conn)
        if mark is None:
            mode = "full"
            conn.execute(delete(stats_held_marks))
            conn.execute(delete(stats_transitions))
            wanted = events_select()
            touched = None
        else:
            mode = "incremental"
            changed = changed_persons(mark - MARGIN)
            touched = int(conn.execute(select(func.count()).select_from(changed.subquery())).scalar_one())
            conn.execute(delete(stats_held_marks).where(stats_held_marks.c.person_id.in_(changed)))
            conn.execute(delete(stats_transitions).where(stats_transitions.c.person_id.in_(changed)))
            wanted = events_select(status_changes.c.person_id.in_(changed_persons(mark - MARGIN)))
        ev = _events_table()
        ev.create(conn)
        conn.execute(insert(ev).from_select([c.name for c in ev.c], wanted))
        conn.execute(insert(stats_held_marks).from_select(MARK_COLUMNS, mark_rows(ev)))
        conn.execute(insert(stats_transitions).from_select(TRANSITION_COLUMNS, transition_rows(ev)))
        ev.drop(conn)
        for key, value in (("version", SUMMARY_VERSION), ("refreshed_at", now.isoformat())):
            conn.execute(delete(stats_state).where(stats_state.c.key == key))
            conn.execute(insert(stats_state).values(key=key, value=value))
        if mode == "full" and conn.dialect.name == "sqlite":
            # Fresh planner statistics for the rewritten tables: without them SQLite reads
            # the rows of changed persons through the wrong index (seconds, not milliseconds).
            conn.exec_driver_sql("PRAGMA analysis_limit=2000")  # a sample is enough for a plan
            for table in (stats_held_marks, stats_transitions):
                conn.exec_driver_sql(f"ANALYZE {table.name}")
    if mode == "full" and engine.dialect.name == "postgresql":
        # The same, plus the visibility map that lets PostgreSQL answer from the covering
        # indexes alone; VACUUM cannot run inside the transaction above.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) stats_held_marks, stats_transitions")
    return {"mode": mode, "persons": touched, "seconds": round(time.perf_counter() - started, 2),
            "refreshed_at": now.isoformat()}


def person_filter(source: Any, *, public: bool, citizenship: str | None) -> list[ColumnElement[bool]]:
    """Conditions on a marks/transitions source (stored or fresh): published, citizenship."""
    conditions: list[ColumnElement[bool]] = []
    if public:
        conditions.append(source.c.published.is_(true()))
    if citizenship:
        escaped = citizenship.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(source.c.citizenships.like(f'%"{escaped}"%', escape="\\"))
    return conditions
