"""Figures for docs/reliability.md: repeated crash trials, backup/restore sizes and times, and
concurrent editors. Prints markdown tables of what it measured.

    .venv/bin/python bench/bench_reliability.py kills --trials 10 --rows 400
    .venv/bin/python bench/bench_reliability.py backup [--registry ../shared/data/viasna/prisoners.json]
    .venv/bin/python bench/bench_reliability.py editors --editors 8 --edits 25

PostgreSQL figures need a server: --pg URL or $FREEDOMLEDGER_TEST_PG (scripts/postgres.sh
prints one). Without it only SQLite is measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from reliability_helpers import (  # noqa: E402
    create_pg_database,
    drop_pg_database,
    fingerprint,
    kill_mid_write,
    make_registry_csv,
    run_workers,
)

from freedomledger import backup as bk  # noqa: E402
from freedomledger.ledger import Ledger  # noqa: E402
from freedomledger.ledger.loading import load_dataset  # noqa: E402
from freedomledger.sources.sample import read_dataset  # noqa: E402
from freedomledger.store import db  # noqa: E402

CLI = str(Path(sys.executable).with_name("freedomledger"))
DATASET = REPO / "tests" / "fixtures" / "dataset"


class Databases:
    def __init__(self, folder: Path, pg: str | None):
        self.folder, self.pg, self.made = folder, pg, []

    def new(self, kind: str, migrated: bool = True) -> str:
        name = f"fl_bench_{uuid.uuid4().hex[:8]}"
        if kind == "sqlite":
            url = f"sqlite:///{self.folder / (name + '.db')}"
        else:
            assert self.pg
            url = create_pg_database(self.pg, name)
            self.made.append(name)
        if migrated:
            db.migrate(db.make_engine(url))
        return url

    def close(self) -> None:
        for name in self.made:
            drop_pg_database(str(self.pg), name)


def kinds(pg: str | None) -> list[str]:
    return ["sqlite", "postgresql"] if pg else ["sqlite"]


def preload(url: str) -> None:
    ledger = Ledger.open(url, create=False)
    with ledger.transaction("bench") as tx:
        load_dataset(tx, read_dataset(DATASET))
    ledger.close()


def bench_kills(args: argparse.Namespace, dbs: Databases) -> None:
    csv_path = make_registry_csv(dbs.folder / "registry.csv", args.rows)
    print(f"### SIGKILL during `freedomledger import` ({args.rows} persons), {args.trials} trials per database\n")
    print("| database | trials | state = before | state = after | in between | reruns completed | "
          "integrity_check ok | killed at (s, median) | import alone (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in kinds(args.pg):
        outcomes = {"before": 0, "after": 0, "between": 0}
        reruns, intact, kill_times, full_times = 0, 0, [], []
        for _ in range(args.trials):
            url = dbs.new(kind)
            preload(url)
            before = fingerprint(url)
            command = [CLI, "--db", url, "--actor", "bench", "import", str(csv_path)]
            start = time.monotonic()
            code, err = kill_mid_write(command, url)
            kill_times.append(time.monotonic() - start)
            if code != -signal.SIGKILL:
                raise SystemExit(f"{kind}: the import ended on its own (exit {code}) before the kill: {err[-300:]}")
            after = fingerprint(url)
            if kind == "sqlite":
                engine = db.make_engine(url)
                with engine.connect() as conn:
                    intact += conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                engine.dispose()
            if after == before:
                outcomes["before"] += 1
            elif len(after["persons"]) == len(before["persons"]) + args.rows:
                outcomes["after"] += 1
            else:
                outcomes["between"] += 1
            start = time.monotonic()
            rerun = subprocess.run(command, capture_output=True, text=True)
            full_times.append(time.monotonic() - start)
            done = fingerprint(url)
            reruns += rerun.returncode == 0 and len(done["persons"]) == len(before["persons"]) + args.rows
        kill_times.sort()
        full_times.sort()
        checked = str(intact) if kind == "sqlite" else "n/a"
        print(f"| {kind} | {args.trials} | {outcomes['before']} | {outcomes['after']} | {outcomes['between']} | "
              f"{reruns} | {checked} | {kill_times[len(kill_times) // 2]:.1f} | {full_times[len(full_times) // 2]:.1f} |")
    print()


def _import_registry(url: str, registry: Path) -> float:
    start = time.monotonic()
    extra = ["--snapshot-date", "2023-02-15"] if registry.suffix == ".json" else []
    subprocess.run([CLI, "--db", url, "--actor", "bench", "import", str(registry), *extra], check=True,
                   capture_output=True)
    return time.monotonic() - start


def bench_backup(args: argparse.Namespace, dbs: Databases) -> None:
    registry = Path(args.registry) if args.registry else make_registry_csv(dbs.folder / "registry.csv", args.rows)
    print(f"### Backup and restore of a ledger holding {registry.name}\n")
    print("| from | to | rows | database size | archive | backup (s) | verify (s) | restore (s) | equal |")
    print("|---|---|---|---|---|---|---|---|---|")
    sources = {}
    for kind in kinds(args.pg):
        url = dbs.new(kind)
        took = _import_registry(url, registry)
        sources[kind] = url
        print(f"<!-- import into {kind}: {took:.1f} s -->")
    for source_kind, url in sources.items():
        engine = db.make_engine(url)
        archive = dbs.folder / f"{source_kind}.zip"
        start = time.monotonic()
        manifest = bk.backup(engine, archive)
        backup_s = time.monotonic() - start
        start = time.monotonic()
        bk.verify(archive)
        verify_s = time.monotonic() - start
        if source_kind == "sqlite":
            size = Path(engine.url.database).stat().st_size  # type: ignore[arg-type]
        else:
            with engine.connect() as conn:
                size = int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())
        expected = fingerprint(url)
        for target_kind in kinds(args.pg):
            target = dbs.new(target_kind, migrated=False)
            start = time.monotonic()
            bk.restore(archive, db.make_engine(target))
            restore_s = time.monotonic() - start
            equal = fingerprint(target) == expected
            print(f"| {source_kind} | {target_kind} | {manifest.total_rows:,} | {size / 2**20:.1f} MiB | "
                  f"{archive.stat().st_size / 2**20:.1f} MiB | {backup_s:.1f} | {verify_s:.1f} | {restore_s:.1f} | "
                  f"{'yes' if equal else 'NO'} |")
        if source_kind == "sqlite":
            copy = dbs.folder / "online-copy.db"
            start = time.monotonic()
            bk.backup(engine, copy, fmt="sqlite")
            print(f"\nSQLite online backup API copy (--format sqlite, verified): {time.monotonic() - start:.1f} s, "
                  f"{copy.stat().st_size / 2**20:.1f} MiB\n")
        engine.dispose()
    print()


def bench_editors(args: argparse.Namespace, dbs: Databases) -> None:
    print(f"### {args.editors} editor processes × {args.edits} edits of one record, plus one reader\n")
    print("| database | edits landed | lost | conflicts retried | 'database is locked' | other errors | "
          "reads during | wall (s) |")
    print("|---|---|---|---|---|---|---|---|")
    from freedomledger.ledger import registry as reg
    from freedomledger.model import Name, Person
    from freedomledger.store.tables import persons

    for kind in kinds(args.pg):
        url = dbs.new(kind)
        ledger = Ledger.open(url, create=False)
        with ledger.transaction("bench") as tx:
            source_id, _ = tx.source(kind="manual", key="bench")
            person_id = reg.upsert_person(tx, Person(key="shared-record", names=[Name(text="Shared")]), source_id)
        start_at = time.time() + 3
        calls = [f"edit_worker({url!r}, 'shared-record', {args.edits}, 'e{n}', {start_at})" for n in range(args.editors)]
        calls.append(f"read_worker({url!r}, 3.0, {start_at})")
        results = run_workers(calls, timeout=600)
        wall = time.time() - start_at  # from the moment the lined-up workers started
        with ledger.read() as conn:
            notes = conn.execute(persons.select().where(persons.c.id == person_id)).mappings().one()["notes"]
        ledger.close()
        landed = len((notes or "").split("|")) - 1
        conflicts = sum(int(out.split()[1]) for code, out, _ in results[:-1] if code == 0 and out)
        locked = sum("database is locked" in err for _, _, err in results)
        other = sum(code != 0 for code, _, _ in results) - locked
        reads = results[-1][1].split()[1] if results[-1][0] == 0 else "failed"
        print(f"| {kind} | {landed} | {args.editors * args.edits - landed} | {conflicts} | {locked} | {other} | "
              f"{reads} | {wall:.1f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["kills", "backup", "editors", "all"])
    parser.add_argument("--pg", default=os.environ.get("FREEDOMLEDGER_TEST_PG"), help="PostgreSQL admin URL")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--rows", type=int, default=400, help="generated registry size")
    parser.add_argument("--registry", help="registry file for the backup figures (default: generated)")
    parser.add_argument("--editors", type=int, default=8)
    parser.add_argument("--edits", type=int, default=25)
    args = parser.parse_args()
    print(f"<!-- bench_reliability {args.what}, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs -->\n")
    folder = Path(tempfile.mkdtemp(prefix="fl-bench-"))
    dbs = Databases(folder, args.pg)
    try:
        for name, fn in (("kills", bench_kills), ("backup", bench_backup), ("editors", bench_editors)):
            if args.what in (name, "all"):
                fn(args, dbs)
    finally:
        dbs.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
