"""Benchmark the sanctions-list importers and history on the real OFAC files.

    .venv/bin/python bench/bench_sanctions.py [--data ../shared/data] [--db URL] [--quick]

Measures, on a fresh ledger (a temporary SQLite file unless --db names a PostgreSQL URL):
  1. parsing one full SDN snapshot (sdn_20240503T184323Z.csv, 14,965 entries);
  2. importing it into the ledger;
  3. diffing two snapshots: two consecutive full versions, and 2024-05-03 against the
     2025-02 add/alt snapshot where every entry's content differs (pure diff of the parsed
     files); and the incremental import of a next version, which includes its diff;
  4. importing all 308 historical versions from the .tar.xz (time, memory every 25
     versions next to the list's size, rows stored per version);
  5. comparing the changes found with the derived change list shipped beside them, row by
     row and as counts per program and month;
  6. answering the Belavia question on the shared files (2024-05-03 + the two 2025 add/alt
     snapshots);
  7. the 9 versions of the 2026 JSON rebuild against their change list.
--quick stops after step 3. Numbers go to stdout (and --json-out FILE).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from freedomledger.ledger import Ledger
from freedomledger.sanctions import (
    diff_states,
    import_path,
    import_snapshots,
    monthly_report,
    read_path,
    status_as_of,
    verify,
)
from freedomledger.sources import ofac
from freedomledger.store.sanctions_tables import list_changes, list_memberships

REPO = Path(__file__).resolve().parent.parent
HISTORY = "ofac/sdn_history_2021-2024"
ARCHIVE = "sdn_csv_308_versions_2021-08-18_2024-05-03.tar.xz"
LAST = "sdn_20240503T184323Z.csv"


def rss_mb() -> float:
    """Current (not peak) resident memory of this process."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


_CREATED: list[tuple[str, str, Ledger]] = []  # PostgreSQL databases to drop at the end


def fresh_ledger(url: str | None, tmp: Path, name: str) -> Ledger:
    if url:
        database = f"bench_sanctions_{name}_{os.getpid()}"
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"')
        ledger = Ledger.open(f"{url.rsplit('/', 1)[0]}/{database}")
        _CREATED.append((url, database, ledger))
        return ledger
    return Ledger.open(str(tmp / f"{name}.db"))


def _pg_admin(url: str, *statements: str) -> None:
    from sqlalchemy import create_engine, text

    from freedomledger.store import db

    admin = create_engine(db.resolve_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def drop_created() -> None:
    for url, database, ledger in _CREATED:
        ledger.close()
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _CREATED.clear()


def timed(label: str, results: dict[str, Any], fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    results[label] = round(seconds, 3)
    print(f"{label:<44} {seconds:8.2f} s", flush=True)
    return value


def repeated(label: str, results: dict[str, Any], runs: int, fn) -> Any:  # type: ignore[no-untyped-def]
    """Run `fn(i)` `runs` times; report the median and the best (the machine is shared, so
    single runs are noisy)."""
    times, value = [], None
    for i in range(runs):
        start = time.perf_counter()
        value = fn(i)
        times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    results[label] = {"median": round(median, 3), "best": round(times[0], 3), "runs": runs}
    print(f"{label:<44} {median:8.2f} s median, {times[0]:.2f} s best of {runs}", flush=True)
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--db", help="PostgreSQL admin URL (postgresql://…/postgres); "
                        "default: SQLite files in a temporary folder")
    parser.add_argument("--quick", action="store_true", help="stop after the diff timings")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of steps 1-3 (the median and the best are reported)")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    data: Path = args.data
    if not (data / HISTORY / ARCHIVE).exists():
        print(f"real data not found under {data} (pass --data)", file=sys.stderr)
        return 2
    results: dict[str, Any] = {"database": "postgresql" if args.db else "sqlite",
                               "started": dt.datetime.now().isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        last = data / HISTORY / LAST

        # 1-2: one full snapshot (parse, then parse + hash + store).
        ofac.parse_ofac_file(last)  # warm-up: imports and country tables load once
        parsed = repeated("parse one full SDN snapshot (14,965)", results, args.repeat,
                          lambda i: ofac.parse_ofac_file(last))
        results["entries"] = len(parsed.entries)
        ledgers = [fresh_ledger(args.db, tmp, f"one{i}") for i in range(args.repeat)]
        repeated("import one full SDN snapshot", results, args.repeat,
                 lambda i: import_path(ledgers[i], last, "ofac-sdn", actor="bench"))

        # 3: two consecutive versions (the first two of the history).
        items = list(itertools.islice(read_path(data / HISTORY / ARCHIVE, "ofac-sdn"), 2))
        old, new = ({e.external_id: e for e in i.parsed.entries} for i in items)

        def pure_diff() -> list:
            return diff_states({k: e.content_hash for k, e in old.items()},
                               {k: e.content_hash for k, e in new.items()},
                               lambda ids: {i: old[i].to_dict() for i in ids},
                               lambda ids: {i: new[i].to_dict() for i in ids})

        for entry in (*old.values(), *new.values()):
            entry.content_hash  # noqa: B018 - hashes are computed at parse time in real use
        found = repeated("diff two snapshots (pure)", results, args.repeat, lambda i: pure_diff())
        results["diff_changes"] = len(found)
        # The worst case: 2024-05-03 (sdn.csv) against 2025-02 (add/alt.csv): every entry's
        # content differs, so every entry is compared facet by facet.
        old = {e.external_id: e for e in parsed.entries}
        new = {e.external_id: e for e in ofac.parse_ofac_folder(
            data / "ofac/ofac_2025-02_add_alt").entries}
        for entry in (*old.values(), *new.values()):
            entry.content_hash  # noqa: B018
        found = repeated("diff two snapshots, all 15k entries touched", results, args.repeat,
                         lambda i: pure_diff())
        results["diff_all_touched_changes"] = len(found)
        old, new = ({e.external_id: e for e in i.parsed.entries} for i in items)
        twos = [fresh_ledger(args.db, tmp, f"two{i}") for i in range(args.repeat)]
        for two in twos:
            import_snapshots(two, [items[0]], "bench")
        repeated("import next version incl. diff (ledger)", results, args.repeat,
                 lambda i: import_snapshots(twos[i], [items[1]], "bench"))
        del items, old, new
        if args.quick:
            return _finish(results, args.json_out)

        # 4-5: the whole history.
        history = fresh_ledger(args.db, tmp, "history")
        samples: list[dict[str, Any]] = []
        start = time.perf_counter()

        def stream():  # type: ignore[no-untyped-def]
            for index, item in enumerate(read_path(data / HISTORY / ARCHIVE, "ofac-sdn")):
                if index % 25 == 0:
                    gc.collect()
                    samples.append({"versions": index, "entries": len(item.parsed.entries),
                                    "rss_mb": round(rss_mb(), 1),
                                    "seconds": round(time.perf_counter() - start, 1)})
                    print(f"  {index:>3} versions  {samples[-1]['seconds']:>6} s  "
                          f"rss {samples[-1]['rss_mb']:>6} MB  list {len(item.parsed.entries)}",
                          flush=True)
                yield item

        imported = timed("import 308 historical versions", results, import_snapshots,
                         history, stream(), "bench")
        results["versions"] = len(imported)
        results["memory_samples"] = samples
        with history.read() as conn:
            memberships = conn.execute(select(func.count()).select_from(list_memberships)).scalar_one()
            changes_rows = conn.execute(select(func.count()).select_from(list_changes)).scalar_one()
            total_entries = sum(r.entry_count for r in imported)
            results["membership_rows"] = memberships
            results["entries_over_all_versions"] = total_entries
            results["change_rows"] = changes_rows
            print(f"  membership rows {memberships:,} for {total_entries:,} entries over "
                  f"{len(imported)} versions ({total_entries / memberships:.0f}x fewer)")
            comparison = timed("compare with the derived change list", results, verify.compare,
                               conn, "ofac-sdn", data / HISTORY / "sdn_changes_2021-08_2024-05.csv")
            results["comparison"] = comparison.to_dict()
            print(f"  agrees: {comparison.agrees}  expected {comparison.expected_by_kind}  "
                  f"found {comparison.found_by_kind}")
            ours = {(r["program"], r["month"], kind): r[kind]
                    for r in monthly_report(conn, list_key="ofac-sdn")
                    for kind in ("designated", "delisted", "program_changed") if r[kind]}
            theirs = verify.monthly_counts_from_change_list(verify.read_change_list(
                data / HISTORY / "sdn_changes_2021-08_2024-05.csv"))
            results["monthly_report_agrees"] = ours == theirs
            results["monthly_cells"] = len(theirs)
            belarus = {k: v for k, v in ours.items() if k[0].startswith("BELARUS")}
            results["belarus_monthly"] = {f"{p} {m} {k}": v for (p, m, k), v in sorted(belarus.items())}
            print(f"  per program and month: {len(theirs)} cells, agree: {ours == theirs}")

        # 6: the Belavia question on the shared files.
        bel = fresh_ledger(args.db, tmp, "belavia")
        import_path(bel, last, "ofac-sdn", actor="bench")
        import_path(bel, data / "ofac/ofac_2025-02_add_alt", "ofac-sdn", actor="bench",
                    date="2025-02-27")
        import_path(bel, data / "ofac/ofac_2025-12_add_alt", "ofac-sdn", actor="bench",
                    date="2025-12-24")
        with bel.read() as conn:
            answers = {}
            for day in ("2025-02-01", "2025-12-31"):
                result = timed(f"status Belavia as of {day}", results, status_as_of, conn,
                               "Belavia", authority="US", as_of=dt.date.fromisoformat(day))
                answers[day] = result["results"][0]["listed"]
            results["belavia"] = answers
            print(f"  Belavia listed: {answers}")

        # 7: the JSON rebuild's 9 versions.
        json_ledger = fresh_ledger(args.db, tmp, "json")
        rebuilt = data / "ofac/sdn_2026_json"
        timed("import 9 JSON-rebuild versions (19k each)", results, import_path, json_ledger,
              rebuilt / "ofac-sdn_json_9_versions_2026-07-23_2026-08-20.tar.xz", "ofac-sdn",
              actor="bench")
        with json_ledger.read() as conn:
            check = verify.compare(conn, "ofac-sdn", rebuilt / "sdn_changes_2026-07-23_2026-08-20.csv")
        results["json_comparison"] = check.to_dict()
        print(f"  JSON rebuild agrees with its change list: {check.agrees} "
              f"{check.expected_by_kind}")
    return _finish(results, args.json_out)


def _finish(results: dict[str, Any], out: Path | None) -> int:
    if out:
        out.write_text(json.dumps(results, indent=2))
    ok = results.get("comparison", {}).get("agrees", True) and \
        results.get("json_comparison", {}).get("agrees", True)
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        code = main()
    finally:
        drop_created()
    sys.exit(code)
