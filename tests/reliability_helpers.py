"""Shared tools for the reliability tests: whole-database fingerprints and generated inputs.

The fingerprint is deliberately independent of freedomledger.backup (it reflects the live
schema and reads every row itself) so that it can judge the backup code rather than trust it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select, text

from freedomledger.store import db

Fingerprint = dict[str, list[tuple[Any, ...]]]

# Columns a clock or a calendar fills in; two runs of the same import differ only there.
VOLATILE = frozenset({"created_at", "updated_at", "at", "retrieved", "decided_at", "retracted_at"})


def _engine(target: str | Engine) -> tuple[Engine, bool]:
    if isinstance(target, Engine):
        return target, False
    return db.make_engine(target), True


def _normal(value: Any) -> Any:
    """One spelling per value, whichever database it came from."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def fingerprint(target: str | Engine, *, ignore: Iterable[str] = ()) -> Fingerprint:
    """Every row of every table (and the schema revision), ordered, with normalised values.

    `ignore` names columns to leave out everywhere (e.g. VOLATILE, to compare two imports).
    """
    engine, own = _engine(target)
    skip = set(ignore)
    try:
        meta = MetaData()
        meta.reflect(bind=engine)
        result: Fingerprint = {}
        with engine.connect() as conn:
            conn.execution_options(**db.READ_ONLY)
            for table in sorted(meta.tables.values(), key=lambda t: t.name):
                columns = [c for c in table.columns if c.name not in skip]
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(select(*columns).order_by(*order)).all()
                result[table.name] = [tuple(_normal(v) for v in row) for row in rows]
    finally:
        if own:
            engine.dispose()
    return result


def named_rows(target: str | Engine, table: str, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows of one table as {column: value}, ordered by primary key; only `columns` if given."""
    engine, own = _engine(target)
    try:
        meta = MetaData()
        meta.reflect(bind=engine, only=[table])
        t = meta.tables[table]
        with engine.connect() as conn:
            rows = conn.execute(select(t).order_by(*t.primary_key.columns)).mappings().all()
    finally:
        if own:
            engine.dispose()
    wanted = set(columns) if columns is not None else None
    return [{k: _normal(v) for k, v in row.items() if wanted is None or k in wanted} for row in rows]


def digest(fp: Fingerprint) -> str:
    return hashlib.sha256(json.dumps(fp, sort_keys=True, default=str).encode()).hexdigest()


def row_counts(fp: Fingerprint) -> dict[str, int]:
    return {name: len(rows) for name, rows in fp.items()}


def _short(row: tuple[Any, ...], width: int = 60) -> str:
    return "(" + ", ".join(repr(v)[:width] for v in row) + ")"


def describe_difference(a: Fingerprint, b: Fingerprint, limit: int = 3) -> str:
    """A short account of where two fingerprints differ, for assertion messages."""
    lines = []
    for name in sorted(set(a) | set(b)):
        left, right = a.get(name), b.get(name)
        if left == right:
            continue
        if left is None or right is None:
            lines.append(f"{name}: only in {'second' if left is None else 'first'}")
            continue
        lines.append(f"{name}: {len(left)} rows vs {len(right)} rows")
        shown = 0
        for x, y in zip(left, right, strict=False):
            if x != y and shown < limit:
                lines.append(f"  {_short(x)}\n  {_short(y)}")
                shown += 1
    return "\n".join(lines) or "identical"


# --- generated inputs ------------------------------------------------------------------------

_GIVEN = ["Aliaksandr", "Maryia", "Ihar", "Volha", "Siarhei", "Hanna", "Mikalai", "Iryna", "Pavel", "Nasta"]
_FAMILY = ["Kaliesnik", "Babaryk", "Losik", "Bialiatsk", "Tsikhanousk", "Znak", "Statkevich", "Ulasau"]
_CYR = str.maketrans({"a": "а", "e": "е", "i": "і", "o": "о", "k": "к", "s": "с", "l": "л", "n": "н",
                      "r": "р", "u": "у", "t": "т", "m": "м", "h": "г", "v": "в", "b": "б", "y": "ы"})


def make_registry_csv(path: Path, rows: int, *, seed: int = 7, prefix: str = "gen") -> Path:
    """A registry CSV in the project layout with `rows` distinct persons (deterministic)."""
    rng = random.Random(seed)
    columns = ["key", "name", "other_names", "gender", "birth_date", "citizenships", "roles",
               "detained", "sentenced", "sentence", "articles", "facility", "released",
               "release_status", "notes", "confidential_notes", "source_url", "source_outlet",
               "source_date"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(rows):
            given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
            name = f"{given} {family}{i}"
            detained = dt.date(2020, 8, 1) + dt.timedelta(days=rng.randrange(1500))
            sentenced = detained + dt.timedelta(days=rng.randrange(30, 400))
            released = sentenced + dt.timedelta(days=rng.randrange(100, 900)) if rng.random() < 0.4 else None
            writer.writerow([
                f"{prefix}-{i:06d}", name, f"{name.lower().translate(_CYR).title()}|{given[0]}. {family}{i}",
                rng.choice(["female", "male", "unknown"]), f"{rng.randrange(1950, 2004)}",
                "BY", "political_prisoner", detained.isoformat(), sentenced.isoformat(),
                f"{rng.randrange(1, 16)} years", "342|361-1", f"penal colony no. {rng.randrange(1, 20)}",
                released.isoformat() if released else "", rng.choice(["pardoned", "released", "deported"]) if released else "",
                "generated for the reliability tests", "", f"https://example.org/registry/{prefix}/{i}",
                "Example NGO", "2026-01-15",
            ])
    return path


def pg_admin_url_of(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(str(make_url(db.resolve_url(url)).database))


def checkpoint_sqlite(url: str) -> None:
    """Fold the WAL into the main file and empty it, so that its growth means new writes."""
    import sqlite3

    conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def table_sizes_pg(engine: Engine, tables: Iterable[str]) -> Mapping[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text("SELECT pg_relation_size(:t)"), {"t": t}).scalar_one()) for t in tables}


# --- databases the tests create themselves ---------------------------------------------------

def create_pg_database(admin_url: str, name: str) -> str:
    """A new, empty PostgreSQL database (no schema); returns its URL."""
    from sqlalchemy import create_engine

    admin = create_engine(db.resolve_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(db.resolve_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class EmptyDatabases:
    """Hands out new databases without a schema, and drops them afterwards."""

    def __init__(self, tmp_path: Path, admin_url: str | None):
        self.tmp_path, self.admin_url = tmp_path, admin_url
        self.created: list[str] = []

    def __call__(self, kind: str) -> str:
        import uuid

        name = f"fl_rel_{uuid.uuid4().hex[:10]}"
        if kind == "sqlite":
            return f"sqlite:///{self.tmp_path / (name + '.db')}"
        if not self.admin_url:
            import pytest

            pytest.skip("no PostgreSQL server (set $FREEDOMLEDGER_TEST_PG, as scripts/test.sh does)")
        self.created.append(name)
        return create_pg_database(self.admin_url, name)

    def close(self) -> None:
        for name in self.created:
            assert self.admin_url
            drop_pg_database(self.admin_url, name)


# --- killing a writer in the middle of its transaction ---------------------------------------

class WriteWatcher:
    """Tells when another process is inside a write transaction that has reached the disk.

    SQLite: the write lock is held (a `BEGIN IMMEDIATE` with no timeout fails) and the WAL has
    grown by `min_growth` bytes since the checkpoint this watcher makes at its start: for a
    single-transaction writer that means uncommitted pages spilled from its cache to disk (a
    bare WAL header or a frame or two appear early, so the threshold must be well above 0).
    PostgreSQL: another backend of this database holds a transaction id (it has written) and
    the tables have grown on disk by `min_growth` bytes. With `min_growth=0` it only waits for a
    write transaction to be open (for writers that commit many small transactions).
    """

    def __init__(self, url: str, min_growth: int = 64 * 1024):
        self.url, self.min_growth = url, min_growth
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            checkpoint_sqlite(url)
            self.path = sqlite_path(url)
        else:
            self.engine = db.make_engine(url)
            self.baseline = self._pg_size()

    def _pg_size(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT COALESCE(SUM(pg_relation_size(c.oid)), 0) FROM pg_class c "
                "WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace")).scalar_one())

    def wal_size(self) -> int:
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.stat().st_size if wal.exists() else 0

    def mid_write(self) -> bool:
        if self.sqlite:
            import sqlite3

            if self.wal_size() < self.min_growth:
                return False
            probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                probe.close()
        with self.engine.connect() as conn:
            writing = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")).scalar_one()
        return bool(writing) and (not self.min_growth or self._pg_size() - self.baseline >= self.min_growth)

    def close(self) -> None:
        if not self.sqlite:
            self.engine.dispose()


def kill_mid_write(command: list[str], url: str, *, timeout: float = 120.0, ready=None,
                   min_growth: int = 64 * 1024) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Run `command`, SIGKILL it once it is inside a write transaction that reached the disk.

    `ready`, if given, is a further condition (called with the watcher) to wait for. Returns
    (the process's exit status, its stderr); the status is -SIGKILL when the kill landed.
    """
    import os
    import signal
    import subprocess
    import time

    watcher = WriteWatcher(url, min_growth)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if (ready is None or ready(watcher)) and watcher.mid_write():
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.002)  # short transactions (one per article) leave short windows
        else:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                raise AssertionError(f"{command} never reached a write within {timeout} s")
        _, err = proc.communicate(timeout=30)
        return proc.returncode, err
    finally:
        watcher.close()


# --- workers for the concurrency tests (run in their own processes) --------------------------

def _wait_until(start_at: float) -> None:
    """Line the processes up after their slow imports, so that they really overlap."""
    import time

    time.sleep(max(0.0, start_at - time.time()))


def edit_worker(url: str, key: str, edits: int, token: str, start_at: float = 0) -> None:
    """Append `token-i` to a person's notes `edits` times, as an editor with a form would: read
    the record, then write it back with the version read, retrying on Conflict. Prints
    'conflicts N'. Any other error (e.g. "database is locked") ends the process with a traceback."""
    from freedomledger.ledger import Conflict, Ledger
    from freedomledger.ledger.registry import lookup_id
    from freedomledger.store.tables import persons

    ledger = Ledger.open(url, create=False)
    conflicts = 0
    _wait_until(start_at)
    for i in range(edits):
        while True:
            with ledger.read() as conn:
                person_id = lookup_id(conn, persons, key)
                row = conn.execute(select(persons.c.notes, persons.c.version)
                                   .where(persons.c.id == person_id)).one()
            try:
                with ledger.transaction(f"editor-{token}") as tx:
                    tx.update(persons, person_id, {"notes": f"{row.notes or ''}|{token}-{i}"},
                              expected_version=row.version)
                break
            except Conflict:
                conflicts += 1
    ledger.close()
    print(f"conflicts {conflicts}", flush=True)


def read_worker(url: str, seconds: float, start_at: float = 0) -> None:
    """Read the registry over and over while others write; prints how many reads it made."""
    import time

    from freedomledger.ledger import Ledger, queries

    ledger = Ledger.open(url, create=False)
    _wait_until(start_at)
    reads, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        with ledger.read() as conn:
            queries.list_persons(conn)
        reads += 1
    ledger.close()
    print(f"reads {reads}", flush=True)


def run_workers(calls: list[str], timeout: float = 120) -> list[tuple[int, str, str]]:
    """Start one Python process per call (e.g. "edit_worker('url', 'k', 5, 'a')") at once."""
    import subprocess
    import sys

    here = str(Path(__file__).resolve().parent)
    procs = [
        subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {here!r}); "
                          f"from reliability_helpers import *; {call}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for call in calls
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        results.append((proc.returncode, out, err))
    return results


# --- fuzzing ---------------------------------------------------------------------------------

FUZZ_ENV = "FREEDOMLEDGER_FUZZ_EXAMPLES"
FUZZ_DEFAULT = 200
# A parser that takes longer than this on one small input is treated as hanging.
HANG_SECONDS = 20.0


def fuzz_settings(share: float = 1.0, deadline_ms: int | None = 2000):  # type: ignore[no-untyped-def]
    """Hypothesis settings: a parser gets FUZZ_DEFAULT examples in CI (${FUZZ_ENV} for long
    runs), split between its strategies by `share`.

    The deadline is per example and generous, because CI machines are shared; a real hang is
    stopped by `no_hang` instead of stalling the suite. CI runs are derandomized (the same
    examples every time); long runs are random.
    """
    import os

    from hypothesis import HealthCheck, settings

    count = max(10, round(int(os.environ.get(FUZZ_ENV) or FUZZ_DEFAULT) * share))
    return settings(max_examples=count, deadline=deadline_ms, derandomize=not os.environ.get(FUZZ_ENV),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture],
                    database=None)


class Hang(Exception):
    """Raised inside a parser that ran past HANG_SECONDS."""


def no_hang(seconds: float = HANG_SECONDS):  # type: ignore[no-untyped-def]
    """Interrupt the body with Hang after `seconds` (main thread, POSIX; else no guard)."""
    import contextlib
    import signal
    import threading

    @contextlib.contextmanager
    def guard():  # type: ignore[no-untyped-def]
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
            yield
            return

        def stop(_signum, _frame):  # type: ignore[no-untyped-def]
            raise Hang(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return guard()


# Byte strings that tend to break text formats: quotes, separators, markup, odd encodings.
NASTY = [b'"', b",", b"|", b"\n", b"\r\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1a", b"<", b">",
         b"&", b"&amp;", b"]]>", b"<![CDATA[", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b"&a;", b"-0-",
         b"'", b"\\", b"{", b"}", b"[", b"]", b":", b"null", b"9" * 30, b"-1", b"2025-02-30",
         b"0000-00-00", b"\xd0\x9c", b"\xe2\x80\x8b", b"\t", b" " * 50, b"A" * 5000]


def mutations(base: bytes):  # type: ignore[no-untyped-def]
    """A hypothesis strategy of `base` with a few random edits: flips, inserts, cuts, repeats."""
    from hypothesis import strategies as st

    size = max(len(base), 1)
    edit = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, size - 1), st.integers(0, 255)),
        st.tuples(st.just("insert"), st.integers(0, size), st.sampled_from(NASTY) | st.binary(max_size=20)),
        st.tuples(st.just("cut"), st.integers(0, size), st.integers(1, 200)),
        st.tuples(st.just("repeat"), st.integers(0, size), st.integers(1, 200)),
        st.tuples(st.just("truncate"), st.integers(0, size), st.just(0)),
    )

    def apply(edits: list[tuple[str, int, object]]) -> bytes:
        data = bytearray(base)
        for kind, at, arg in edits:
            at = min(at, len(data))
            if kind == "flip" and data:
                data[min(at, len(data) - 1)] = int(arg)  # type: ignore[arg-type]
            elif kind == "insert":
                data[at:at] = arg  # type: ignore[assignment]
            elif kind == "cut":
                del data[at:at + int(arg)]  # type: ignore[call-overload]
            elif kind == "repeat":
                data[at:at] = data[at:at + int(arg)]  # type: ignore[call-overload]
            elif kind == "truncate":
                del data[at:]
        return bytes(data)

    return st.lists(edit, min_size=1, max_size=6).map(apply)


def make_feed(path: Path, articles: int, *, seed: int = 11) -> Path:
    """A JSON-lines news feed: each article reports a different release (its own month), naming
    two freed people, so that no report clusters with another (deterministic)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(articles):
            day = dt.date(2021, 1, 4) + dt.timedelta(days=45 * i)
            count = rng.randrange(3, 60)
            first = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}a{i}"
            second = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}b{i}"
            text = (f"Belarus pardoned {count} political prisoners on {day.strftime('%B')} {day.day}, "
                    f"{day.year}, including {first} and {second}, the presidential press service said. "
                    f"The rights group Viasna confirmed that {first} had been freed.")
            handle.write(json.dumps({"url": f"https://example.org/news/{i}", "published": day.isoformat(),
                                     "title": f"Belarus pardons {count}", "text": text}) + "\n")
    return path


def json_values():  # type: ignore[no-untyped-def]
    """A hypothesis strategy of small JSON values of every type, nested a little."""
    from hypothesis import strategies as st

    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
        max_leaves=5,
    )


def tree_paths(node, prefix=()):  # type: ignore[no-untyped-def]
    """Every path (a tuple of keys and indexes) into a tree of dicts and lists, the root's too."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from tree_paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from tree_paths(v, prefix + (i,))


def replace_at(node, path, new):  # type: ignore[no-untyped-def]
    """A copy of the tree with the value at `path` replaced (the rest shared, not copied)."""
    if not path:
        return new
    copy = dict(node) if isinstance(node, dict) else list(node)
    inner = node.get(path[0]) if isinstance(node, dict) else node[path[0]]
    copy[path[0]] = replace_at(inner, path[1:], new)
    return copy


def note(label: str) -> None:
    """hypothesis.event, also callable outside a hypothesis example (where it does nothing)."""
    from hypothesis import event
    from hypothesis.errors import InvalidArgument

    try:
        event(label)
    except InvalidArgument:
        pass
