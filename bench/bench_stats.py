"""Benchmark the statistics on a synthetic ledger of 1,000,000 persons and ~5,000,000 status
changes, on a SQLite file and on PostgreSQL, and print how long each statistic takes.

    .venv/bin/python bench/bench_stats.py                      # generate (if needed) and time
    .venv/bin/python bench/bench_stats.py --regenerate         # rebuild both databases
    .venv/bin/python bench/bench_stats.py --persons 100000     # a smaller run

The data is written with bulk INSERTs (sqlite3 `executemany`; PostgreSQL `COPY`) straight into
the tables, BYPASSING the audited service layer: there are no audit-log rows, no claims and no
sources for the synthetic facts. That is only acceptable for a benchmark; never load real data
this way. The schema itself comes from the project's migrations (so the benchmark measures the
indexes the project ships).

PostgreSQL comes from $FREEDOMLEDGER_TEST_PG (an admin URL, as for the tests); the benchmark
creates and uses its own database `fl_bench_stats` on that server. The SQLite file defaults to
/tmp/fl-bench-stats.db. Each statistic is run `--repeat` times on a warm database and the
best and the median wall time are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from freedomledger.ledger import Ledger
from freedomledger.store import db

PG_ENV = "FREEDOMLEDGER_TEST_PG"
PG_DATABASE = "fl_bench_stats"
FIRST_DAY = dt.date(2020, 8, 9)
LAST_DAY = dt.date(2026, 10, 31)
# Registry snapshots: a "former" prisoner without a release date was freed somewhere between
# the last known event and the next snapshot, so range ends cluster on these days.
SNAPSHOTS = [dt.date(y, m, 15) for y in range(2021, 2027) for m in (2, 8)]
RELEASE_KINDS = (
    ("released", 0.33), ("pardoned", 0.25), ("sentence_served", 0.27), ("deported", 0.08),
    ("exchanged", 0.04), ("died_in_custody", 0.03),
)
NOW = "2026-11-01 00:00:00"

# ---------------------------------------------------------------------------------------
# Synthetic histories
# ---------------------------------------------------------------------------------------

_ISO: dict[int, str] = {}


def iso(ordinal: int) -> str:
    # Formatting 10 million dates dominates generation time otherwise.
    found = _ISO.get(ordinal)
    if found is None:
        found = _ISO[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return found


def month_span(ordinal: int) -> tuple[int, int]:
    day = dt.date.fromordinal(ordinal)
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first.toordinal(), nxt.toordinal() - 1


_SNAP_ORD = [d.toordinal() for d in SNAPSHOTS]


def next_snapshot(ordinal: int) -> int:
    for snap in _SNAP_ORD:
        if snap >= ordinal:
            return snap
    return LAST_DAY.toordinal()


class Histories:
    """Random but plausible custody histories, one person at a time.

    Each history: a detention (some dated only to the month), often a charge (not deciding),
    a recognition (sometimes a range up to the next registry snapshot), a verdict (some dated
    to the month), transfers, and for most a release of some kind (some only bracketed by two
    snapshots); a few are detained again after release.
    """

    def __init__(self, seed: int, release_events: int):
        self.rng = random.Random(seed)
        self.release_events = release_events
        self.first = FIRST_DAY.toordinal()
        self.last = LAST_DAY.toordinal()

    def day(self, ordinal: int, month_share: float = 0.0) -> tuple[str, str, str]:
        if self.rng.random() < month_share:
            start, end = month_span(ordinal)
            return iso(start), iso(min(end, self.last)), "month"
        return iso(ordinal), iso(ordinal), "day"

    def person(self) -> list[tuple[str, str, str, str, int | None]]:
        """(status, date_start, date_end, precision, release_event_id) in date order."""
        rng = self.rng
        out: list[tuple[str, str, str, str, int | None]] = []
        t = self.first + int((self.last - self.first) * rng.random() ** 1.3)
        spells = 2 if rng.random() < 0.08 else 1
        for spell in range(spells):
            if t > self.last:
                break
            out.append(("detained" if spell == 0 else "re_detained", *self.day(t, 0.15), None))
            if rng.random() < 0.7:
                c = min(t + rng.randint(5, 60), self.last)
                out.append(("charged", *self.day(c), None))
            if rng.random() < 0.8:
                r = min(t + rng.randint(0, 120), self.last)
                if rng.random() < 0.2:
                    out.append(("recognised_political_prisoner", iso(t), iso(max(next_snapshot(r), r)), "range", None))
                else:
                    out.append(("recognised_political_prisoner", *self.day(r), None))
            v = t + rng.randint(60, 420)
            if v <= self.last and rng.random() < 0.85:
                out.append(("sentenced", *self.day(v, 0.25), None))
                t = v
            for _ in range(rng.choice((0, 1, 1, 2, 2))):
                tr = t + rng.randint(20, 300)
                if tr <= self.last:
                    out.append(("transferred", *self.day(tr), None))
                    t = tr
            if rng.random() < 0.75:
                rel = t + rng.randint(30, 1000)
                if rel > self.last:
                    break
                kind = rng.choices([k for k, _ in RELEASE_KINDS], [w for _, w in RELEASE_KINDS])[0]
                event = rng.randint(1, self.release_events) if kind in ("pardoned", "deported", "exchanged") else None
                if rng.random() < 0.1:
                    out.append((kind, iso(t + 1), iso(max(next_snapshot(rel), t + 1)), "range", event))
                else:
                    out.append((kind, *self.day(rel, 0.1), event))
                t = rel + rng.randint(30, 700)
            else:
                break
        out.sort(key=lambda row: row[1])
        return out


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def generate_rows(persons: int, seed: int, release_events: int) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
    """Batches of (persons, names, status_changes) rows, ids assigned here."""
    hist = Histories(seed, release_events)
    rng = random.Random(seed + 1)
    change_id = 0
    batch_p: list[tuple] = []
    batch_n: list[tuple] = []
    batch_s: list[tuple] = []
    for pid in range(1, persons + 1):
        citizenship = '["BY"]' if rng.random() < 0.97 else rng.choice(('["LT"]', '["PL"]', '["UA"]', '["BY", "PL"]'))
        published = rng.random() > 0.01
        retracted = NOW if rng.random() < 0.001 else None
        batch_p.append((pid, f"bench-{pid}", "unknown", citizenship, "[]", published, retracted, NOW, NOW))
        batch_n.append((pid, pid, f"Person {pid}", "latin", "official", NOW, NOW))
        for status, start, end, precision, event in hist.person():
            change_id += 1
            retracted_change = NOW if rng.random() < 0.002 else None
            batch_s.append((change_id, pid, status, start, end, precision, "{}", event, retracted_change, NOW, NOW))
        if len(batch_s) >= 200_000:
            yield batch_p, batch_n, batch_s
            batch_p, batch_n, batch_s = [], [], []
    yield batch_p, batch_n, batch_s


def side_rows(seed: int, release_events: int, deals: int, actions: int) -> dict[str, list[tuple]]:
    """Release events, sanction actions, deals and links (small tables)."""
    rng = random.Random(seed + 2)
    span = (LAST_DAY - FIRST_DAY).days
    out: dict[str, list[tuple]] = {"release_events": [], "sanction_actions": [], "deals": [], "deal_links": [],
                                   "release_mediators": []}
    for i in range(1, release_events + 1):
        day = iso(FIRST_DAY.toordinal() + rng.randint(0, span))
        dest = rng.choice(([], ["LT"], ["LT", "PL"], ["UA"]))
        counts = {d: rng.randint(1, 40) for d in dest} if dest and rng.random() < 0.6 else {}
        kind = rng.choice(("pardon", "deportation", "exchange", "amnesty", "other"))
        out["release_events"].append((i, f"bench-rel-{i}", "BY", day, day, "day", kind, rng.randint(1, 300),
                                      json.dumps(dest), json.dumps(counts), True, NOW, NOW))
        out["release_mediators"].append((i, i, rng.choice(("United States", "Lithuania", "Vatican")), "state", NOW, NOW))
    for i in range(1, actions + 1):
        start = FIRST_DAY.toordinal() + rng.randint(0, span)
        precise = rng.random() < 0.7
        end = start if precise else min(start + rng.randint(1, 120), LAST_DAY.toordinal())
        out["sanction_actions"].append((i, f"bench-act-{i}", rng.choice(("US", "EU", "UK", "CA")), "BELARUS",
                                        rng.choice(("designated", "delisted", "eased", "general_licence", "amended")),
                                        iso(start), iso(end), "day" if precise else "range",
                                        f"Target {i}", NOW, NOW))
    link = 0
    for i in range(1, deals + 1):
        out["deals"].append((i, f"bench-deal-{i}", f"Deal {i}", rng.choice(("US", "LT", "PL", None)), NOW, NOW))
        for event in rng.sample(range(1, release_events + 1), 2):
            link += 1
            out["deal_links"].append((link, i, event, None, NOW, NOW))
        for action in rng.sample(range(1, actions + 1), 3):
            link += 1
            out["deal_links"].append((link, i, None, action, NOW, NOW))
    return out


COLUMNS = {
    "persons": ("id", "key", "gender", "citizenships", "roles", "published", "retracted_at", "created_at",
                "updated_at"),
    "names": ("id", "person_id", "text", "script", "kind", "created_at", "updated_at"),
    "status_changes": ("id", "person_id", "status", "date_start", "date_end", "date_precision", "details",
                       "release_event_id", "retracted_at", "created_at", "updated_at"),
    "release_events": ("id", "key", "releasing_state", "date_start", "date_end", "date_precision", "kind",
                       "announced_count", "destination", "destination_counts", "published", "created_at",
                       "updated_at"),
    "release_mediators": ("id", "release_event_id", "name", "kind", "created_at", "updated_at"),
    "sanction_actions": ("id", "key", "authority", "program", "action", "date_start", "date_end",
                         "date_precision", "target_name", "created_at", "updated_at"),
    "deals": ("id", "key", "title", "counterpart", "created_at", "updated_at"),
    "deal_links": ("id", "deal_id", "release_event_id", "sanction_action_id", "created_at", "updated_at"),
}
VERSIONED = {"persons", "status_changes", "release_events", "sanction_actions", "deals"}


def columns(table: str) -> tuple[str, ...]:
    return COLUMNS[table] + (("version",) if table in VERSIONED else ())


def with_version(table: str, row: tuple) -> tuple:
    return row + (1,) if table in VERSIONED else row


def load(url: str, args: argparse.Namespace) -> dict[str, int]:
    """Create the schema with the migrations, then bulk-load every table. Returns row counts."""
    engine = db.make_engine(url)
    db.migrate(engine)
    engine.dispose()
    side = side_rows(args.seed, args.release_events, args.deals, args.actions)
    counts = {"persons": 0, "status_changes": 0}
    started = time.perf_counter()
    if url.startswith("sqlite"):
        raw = sqlite3.connect(url.removeprefix("sqlite:///"))
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-1000000")

        def put(table: str, rows: list[tuple]) -> None:
            cols = columns(table)
            values = [tuple(int(v) if isinstance(v, bool) else v for v in with_version(table, r)) for r in rows]
            raw.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)

        for table in ("release_events", "release_mediators", "sanction_actions", "deals", "deal_links"):
            put(table, side[table])
        for persons, names, changes in generate_rows(args.persons, args.seed, args.release_events):
            put("persons", persons)
            put("names", names)
            put("status_changes", changes)
            counts["persons"] += len(persons)
            counts["status_changes"] += len(changes)
            raw.commit()
            progress(counts, started)
        raw.execute("ANALYZE")
        raw.commit()
        raw.close()
    else:
        import psycopg

        pg_url = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(pg_url) as raw:
            def put(table: str, rows: list[tuple]) -> None:
                cols = columns(table)
                with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(with_version(table, row))

            for table in ("release_events", "release_mediators", "sanction_actions", "deals", "deal_links"):
                put(table, side[table])
            for persons, names, changes in generate_rows(args.persons, args.seed, args.release_events):
                put("persons", persons)
                put("names", names)
                put("status_changes", changes)
                counts["persons"] += len(persons)
                counts["status_changes"] += len(changes)
                raw.commit()
                progress(counts, started)
            for table in COLUMNS:
                # COPY with explicit ids leaves the sequences behind; keep later inserts working.
                raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {table}))")
            raw.commit()
            raw.autocommit = True
            raw.execute("VACUUM ANALYZE")
    print(f"  loaded {counts['persons']:,} persons and {counts['status_changes']:,} status changes "
          f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return counts


def progress(counts: dict[str, int], started: float) -> None:
    print(f"\r  {counts['persons']:,} persons, {counts['status_changes']:,} changes, "
          f"{time.perf_counter() - started:.0f} s", end="", file=sys.stderr)


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------


def statistics_to_time(as_of: dt.date) -> list[tuple[str, Callable[[Any], Any]]]:
    from freedomledger.stats import Period, StatsFilter
    from freedomledger.store import stats_queries as sq

    f = StatsFilter(as_of=as_of, period=Period.month)
    return [
        ("held, monthly since 2020", lambda c: sq.held_over_time(c, f)),
        ("held, monthly, public", lambda c: sq.held_over_time(c, f.with_(public=True))),
        ("held, yearly, citizenship LT", lambda c: sq.held_over_time(c, f.with_(period=Period.year, citizenship="LT"))),
        ("held on one day (as_of)", lambda c: sq.held_on_day(c, f)),
        ("flows, monthly", lambda c: sq.flows(c, f)),
        ("flows, quarterly, public", lambda c: sq.flows(c, f.with_(period=Period.quarter, public=True))),
        ("time served", lambda c: sq.time_served(c, f)),
        ("largest releases", lambda c: sq.largest(c, f)),
        ("largest since (one release)", lambda c: sq.compare_release(c, "bench-rel-1", f)),
        ("exile share", lambda c: sq.exile(c, f)),
        ("deal ledger", lambda c: sq.deal_ledger(c, f)),
        ("deal totals per counterpart", lambda c: sq.deal_totals(c, f.with_(since=dt.date(2024, 1, 1)))),
        ("sanctions timeline", lambda c: sq.sanction_timeline(c, f)),
        ("one person", lambda c: sq.person_stats(c, "bench-777", f)),
    ]


def time_all(ledger: Ledger, repeat: int, as_of: dt.date, label: str) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for name, fn in statistics_to_time(as_of):
        times = []
        for _ in range(repeat):
            with ledger.read() as conn:
                started = time.perf_counter()
                fn(conn)
                times.append(time.perf_counter() - started)
        results[name] = {"best": min(times), "median": statistics.median(times)}
        print(f"  {label:<26} {name:<32} best {min(times):6.2f} s   median {statistics.median(times):6.2f} s",
              flush=True)
    return results


def touch_persons(ledger: Ledger, count: int, seed: int) -> None:
    """Simulate recent edits: `count` persons get a new status change, written now."""
    from freedomledger.store.tables import status_changes, utcnow

    rng = random.Random(seed + 3)
    with ledger.engine.begin() as conn:
        total = conn.execute(text("SELECT max(id) FROM persons")).scalar_one()
        now = utcnow()
        rows = [
            {"person_id": rng.randint(1, total), "status": rng.choice(("pardoned", "re_detained", "transferred")),
             "date_start": dt.date(2026, 10, 20), "date_end": dt.date(2026, 10, 20), "date_precision": "day",
             "details": {}, "version": 1, "created_at": now, "updated_at": now}
            for _ in range(count)
        ]
        conn.execute(status_changes.insert(), rows)


def fresh_held_seconds(ledger: Ledger) -> float:
    """The held series computed with no summary at all (every history windowed afresh)."""
    from sqlalchemy import func, select

    from freedomledger.store.stats_queries.summary import events, mark_rows

    marks = mark_rows(events()).subquery()
    query = select(marks.c.day, func.sum(marks.c.d_point), func.sum(marks.c.d_lower),
                   func.sum(marks.c.d_upper)).group_by(marks.c.day)
    with ledger.read() as conn:
        started = time.perf_counter()
        conn.execute(query).all()
        return time.perf_counter() - started


def prepare(backend: str, args: argparse.Namespace) -> str:
    """The URL of a benchmark database holding the synthetic ledger (loaded if needed)."""
    if backend == "sqlite":
        path = Path(args.sqlite)
        url = f"sqlite:///{path}"
        if args.regenerate:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        if not path.exists() or _persons(url) != args.persons:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            print(f"generating {args.persons:,} persons into {path}", file=sys.stderr)
            load(url, args)
        return url
    admin = args.pg or os.environ.get(PG_ENV)
    if not admin:
        raise SystemExit(f"no PostgreSQL: pass --pg or set ${PG_ENV} (or use --only sqlite)")
    base = db.resolve_url(admin).rsplit("/", 1)[0]
    url = f"{base}/{PG_DATABASE}"
    engine = create_engine(db.resolve_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DATABASE}).scalar()
        if exists and (args.regenerate or _persons(url) != args.persons):
            conn.execute(text(f'DROP DATABASE "{PG_DATABASE}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
            print(f"generating {args.persons:,} persons into PostgreSQL database {PG_DATABASE}", file=sys.stderr)
            load(url, args)
    engine.dispose()
    return url


def _persons(url: str) -> int | None:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM persons")).scalar_one())
    except Exception:  # noqa: BLE001 - no database or no schema yet: needs loading
        return None
    finally:
        engine.dispose()


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    from freedomledger.store import stats_queries as sq

    url = prepare(backend, args)
    ledger = Ledger.open(url)  # brings the schema to head (the statistics indexes included)
    out: dict[str, Any] = {"backend": backend}
    with ledger.engine.connect() as conn:
        out["persons"] = conn.execute(text("SELECT count(*) FROM persons")).scalar_one()
        out["status_changes"] = conn.execute(text("SELECT count(*) FROM status_changes")).scalar_one()
    print(f"\n{backend}: {out['persons']:,} persons, {out['status_changes']:,} status changes", flush=True)
    if args.fresh:
        out["held_without_summary"] = fresh_held_seconds(ledger)
        print(f"  held series with no summary (window functions over everything): "
              f"{out['held_without_summary']:.1f} s", flush=True)
    with ledger.read() as conn:
        mark = sq.watermark(conn)
    if mark is None or args.rebuild:
        result = sq.refresh(ledger, full=True)
        out["refresh_full"] = result["seconds"]
        print(f"  full refresh of the summary: {result['seconds']:.1f} s", flush=True)
    out["summary"] = time_all(ledger, args.repeat, args.as_of, "summary up to date")
    touch_persons(ledger, args.changed, args.seed)
    out["changed"] = args.changed
    out["with_pending"] = time_all(ledger, args.repeat, args.as_of, f"{args.changed:,} persons changed")
    result = sq.refresh(ledger)
    out["refresh_incremental"] = result["seconds"]
    print(f"  incremental refresh ({result['persons']:,} persons): {result['seconds']:.2f} s", flush=True)
    ledger.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--release-events", type=int, default=300)
    parser.add_argument("--deals", type=int, default=60)
    parser.add_argument("--actions", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", default="/tmp/fl-bench-stats.db", help="SQLite file to use")
    parser.add_argument("--pg", default=None, help=f"PostgreSQL admin URL [default: ${PG_ENV}]")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="run on one database only")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the synthetic data")
    parser.add_argument("--rebuild", action="store_true", help="time a full summary refresh even if one exists")
    parser.add_argument("--fresh", action="store_true", help="also time the held series with no summary")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--changed", type=int, default=1000, help="persons edited before the second round")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 1))
    parser.add_argument("--json", type=Path, help="also write the timings here")
    args = parser.parse_args()
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    results = [run(backend, args) for backend in backends]
    slowest = max(
        (t["median"], r["backend"], round_name)
        for r in results for round_name in ("summary", "with_pending") for t in r[round_name].values()
    )
    print(f"\nslowest statistic: {slowest[0]:.2f} s (median, {slowest[1]}, {slowest[2]})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
