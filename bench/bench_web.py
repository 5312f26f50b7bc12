"""Web benchmark: search and person pages under concurrent load, on a generated large ledger.

    # PostgreSQL, 1,000,000 persons (generated once into that database), 50 clients:
    .venv/bin/python bench/bench_web.py --db postgresql://fl@127.0.0.1:54329/fl_bench \
        --persons 1000000 --clients 50 --workers 2
    # SQLite, 10 clients:
    .venv/bin/python bench/bench_web.py --db /tmp/fl_bench.db --persons 1000000 --clients 10 --workers 2

Generation writes persons, names (Latin and Cyrillic) and status changes with bulk inserts
(COPY on PostgreSQL) straight into the tables. The server is `freedomledger serve --workers N`
in a subprocess on a free loopback port. The load
generator is closed-loop (each client sends its next request when the previous one is
answered): wrk (`apt install wrk`) with bench/wrk_paths.lua when installed, else asyncio +
httpx in this process (which takes most of a core itself). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

from freedomledger.ledger import Ledger
from freedomledger.store.tables import names, persons, status_changes

REPO = Path(__file__).resolve().parent.parent
SYLLABLES = [("ka", "ка"), ("le", "ле"), ("sni", "сні"), ("ko", "ко"), ("va", "ва"), ("ma", "ма"), ("ra", "ра"),
             ("bo", "бо"), ("da", "да"), ("ni", "ні"), ("tsi", "ці"), ("ha", "га"), ("lu", "лу"), ("ze", "зе"),
             ("pa", "па"), ("ro", "ро"), ("shu", "шу"), ("mi", "мі"), ("to", "то"), ("vi", "ві"), ("bu", "бу"),
             ("dre", "дрэ"), ("hor", "гор"), ("zha", "жа"), ("ste", "сце"), ("fa", "фа"), ("ny", "ны"),
             ("kra", "кра"), ("sa", "са"), ("ly", "лы"), ("che", "чэ"), ("dzi", "дзі"), ("ye", "е"), ("hu", "гу")]
ENDINGS = [("ava", "ава"), ("ich", "іч"), ("enka", "энка"), ("ski", "скі"), ("au", "аў"), ("uk", "ук"),
           ("ovich", "овіч"), ("ina", "іна"), ("yonak", "ёнак"), ("ets", "ец")]
GIVEN = [("Maria", "Марыя"), ("Ivan", "Іван"), ("Anna", "Ганна"), ("Siarhei", "Сяргей"), ("Ales", "Алесь"),
         ("Volha", "Вольга"), ("Mikalai", "Мікалай"), ("Tatsiana", "Таццяна"), ("Pavel", "Павел"),
         ("Iryna", "Ірына"), ("Andrei", "Андрэй"), ("Natallia", "Наталля"), ("Dzmitry", "Дзмітрый"),
         ("Alena", "Алена"), ("Viktar", "Віктар"), ("Yulia", "Юлія"), ("Uladzimir", "Уладзімір"),
         ("Sviatlana", "Святлана"), ("Raman", "Раман"), ("Kseniya", "Ксенія"), ("Yauhen", "Яўген"),
         ("Maryna", "Марына"), ("Aliaksandr", "Аляксандр"), ("Darya", "Дар'я"), ("Ihar", "Ігар"),
         ("Palina", "Паліна"), ("Vadzim", "Вадзім"), ("Hanna", "Ганна"), ("Artsiom", "Арцём"), ("Liudmila", "Людміла")]


def fake_person(rng: random.Random) -> tuple[str, str]:
    parts = [rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))]
    ending, given = rng.choice(ENDINGS), rng.choice(GIVEN)
    latin = "".join(p[0] for p in parts) + ending[0]
    cyrillic = "".join(p[1] for p in parts) + ending[1]
    return f"{given[0]} {latin.capitalize()}", f"{given[1]} {cyrillic.capitalize()}"


def _rows(count: int, seed: int) -> Any:
    """(person row, [name rows], [status rows]) for ids 1..count, deterministic."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 1, 1)
    name_id = status_id = 0
    for pid in range(1, count + 1):
        latin, cyrillic = fake_person(rng)
        person = (pid, f"p-{pid:07d}", "unknown", '["BY"]', "[]", rng.random() > 0.02, 1, now, now)
        person_names = []
        for text_, script in ((latin, "latin"), (cyrillic, "cyrillic")):
            name_id += 1
            person_names.append((name_id, pid, text_, script, "romanisation" if script == "latin" else "official", now, now))
        detained = dt.date(2020, 6, 1) + dt.timedelta(days=rng.randint(0, 1800))
        changes = [("detained", detained)]
        if rng.random() < 0.7:
            changes.append(("sentenced", detained + dt.timedelta(days=rng.randint(60, 300))))
        if rng.random() < 0.4:
            changes.append(("released", changes[-1][1] + dt.timedelta(days=rng.randint(100, 900))))
        statuses = []
        for status, day in changes:
            status_id += 1
            statuses.append((status_id, pid, status, day, day, "day", "{}", 1, now, now))
        yield person, person_names, statuses


PERSON_COLS = "id, key, gender, citizenships, roles, published, version, created_at, updated_at"
NAME_COLS = "id, person_id, text, script, kind, created_at, updated_at"
STATUS_COLS = "id, person_id, status, date_start, date_end, date_precision, details, version, created_at, updated_at"


def generate(ledger: Ledger, count: int, seed: int = 7) -> float:
    started = time.perf_counter()
    engine = ledger.engine
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            conn = raw.driver_connection
            with conn.cursor() as cur:
                people, name_rows, status_rows = [], [], []
                for person, person_names, statuses in _rows(count, seed):
                    people.append(person)
                    name_rows.extend(person_names)
                    status_rows.extend(statuses)
                for table, cols, rows in (("persons", PERSON_COLS, people), ("names", NAME_COLS, name_rows),
                                          ("status_changes", STATUS_COLS, status_rows)):
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                for table in ("persons", "names", "status_changes"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            conn.commit()
            with engine.connect() as c:
                c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            cur = raw.cursor()
            cur.execute("BEGIN")
            batch: dict[str, list[Any]] = {"p": [], "n": [], "s": []}

            def flush() -> None:
                cur.executemany(f"INSERT INTO persons ({PERSON_COLS}) VALUES (?,?,?,?,?,?,?,?,?)", batch["p"])
                cur.executemany(f"INSERT INTO names ({NAME_COLS}) VALUES (?,?,?,?,?,?,?)", batch["n"])
                cur.executemany(f"INSERT INTO status_changes ({STATUS_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)", batch["s"])
                for rows in batch.values():
                    rows.clear()

            for person, person_names, statuses in _rows(count, seed):
                batch["p"].append(person)
                batch["n"].extend(person_names)
                batch["s"].extend(statuses)
                if len(batch["p"]) >= 20_000:
                    flush()
            flush()
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
    finally:
        raw.close()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the server processes), in MiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


async def load(base: str, make_path: Any, clients: int, seconds: float, max_requests: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    sent = 0
    rng = random.Random(11)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            path = make_path(rng)
            began = time.perf_counter()
            try:
                response = await http.get(path)
                if response.status_code != 200:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - began)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    elapsed = time.perf_counter() - began
    return latency_summary(latencies, elapsed) | {"errors": errors}


def latency_summary(latencies: list[float], seconds: float) -> dict[str, Any]:
    """Count, rate and percentiles (ms) of request latencies (s) measured over `seconds`."""
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else None

    return {"requests": len(ordered), "rps": round(len(ordered) / seconds, 1), "p50_ms": pct(0.50),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(1000 * statistics.fmean(ordered), 1) if ordered else None}


def start_server(url: str, workers: int, needs_index: bool) -> tuple[subprocess.Popen[bytes], str, dict[str, Any]]:
    """The server with `workers` processes on a free loopback port, once listening (and, with
    `needs_index`, once every worker's public name index is built): (process, base URL, timings)."""
    port = free_port()
    env = os.environ | {"FREEDOMLEDGER_DB": url, "FREEDOMLEDGER_PUBLIC": "1", "FREEDOMLEDGER_SECURE_COOKIES": "0",
                         # Without search phases the index would only be built in the background, eating the CPU
                         # the measured phases need.
                         "FREEDOMLEDGER_BUILD_INDEX": "1" if needs_index else "0"}
    # `freedomledger serve`, as a deployment runs it (each worker with its own socket), minus
    # the access log.
    command = [sys.executable, "-m", "freedomledger", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--no-access-log", "--insecure-cookies"]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    listening = ready = None
    try:
        while ready is None:
            if server.poll() is not None:
                sys.exit("the server exited during start-up")
            try:
                health = httpx.get(base + "/healthz", timeout=2).json()
                listening = listening or time.perf_counter() - started
                if not needs_index:
                    ready = 0.0
                    break
                # Several workers: each builds its index; ask a few times so all are likely ready.
                if health["index_ready"]["public"]:
                    checks = [httpx.get(base + "/healthz", timeout=5).json()["index_ready"]["public"]
                              for _ in range(4 * workers)]
                    if all(checks):
                        ready = time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > 1800:
                sys.exit("the index was not ready after 30 minutes")
            time.sleep(0.5)
    except BaseException:
        server.terminate()
        raise
    timings = {"listening_s": round(listening or 0, 1), "index_ready_s": round(ready, 1) if needs_index else None,
               "server_rss_mib": round(rss_mib(server.pid))}
    print(f"server listening after {timings['listening_s']} s, search index ready after "
          f"{timings['index_ready_s']} s, RSS {timings['server_rss_mib']} MiB, load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    return server, base, timings


def wrk_load(base: str, make_path: Any, clients: int, seconds: float) -> dict[str, Any]:
    """The same closed loop run by wrk (C, a few % of a core) over 5,000 paths drawn up front."""
    import tempfile

    rng = random.Random(11)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("".join(make_path(rng) + "\n" for _ in range(5000)))
    try:
        out = subprocess.run(
            [shutil.which("wrk") or "wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s",
             "-s", str(REPO / "bench" / "wrk_paths.lua"), base],
            env=os.environ | {"WRK_PATHS": f.name}, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    found = json.loads(next(line for line in out.splitlines() if line.startswith("JSON "))[5:])
    errors = {k: v for k, v in found.items() if k.startswith("errors_") and v}
    return {"requests": found["requests"], "errors": errors, "rps": round(found["requests"] / found["seconds"], 1),
            "p50_ms": found["p50_ms"], "p95_ms": found["p95_ms"], "p99_ms": found["p99_ms"],
            "max_ms": found["max_ms"], "generator": "wrk"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="postgresql:// URL or SQLite path (created if needed)")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per phase")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--phases", default="search,person,api-search,api-person")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of unmeasured load before each phase")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--generator", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default: wrk when installed, else asyncio + httpx)")
    args = parser.parse_args()

    ledger = Ledger.open(args.db)
    with ledger.read() as conn:
        have = conn.execute(select(func.count()).select_from(persons)).scalar_one()
    results: dict[str, Any] = {"db": ledger.engine.dialect.name, "persons": args.persons, "clients": args.clients,
                               "workers": args.workers, "cpus": os.cpu_count()}
    if have == 0:
        results["generate_s"] = round(generate(ledger, args.persons), 1)
        print(f"generated {args.persons} persons in {results['generate_s']} s", flush=True)
    elif have < args.persons:
        sys.exit(f"the database holds {have} persons, fewer than --persons; use an empty database")
    with ledger.read() as conn:
        rng = random.Random(5)

        def draw() -> tuple[list[str], list[str]]:
            """(queries, person keys) from random published persons: 80 % full names in Latin or
            Cyrillic, the rest surnames alone."""
            ids = [rng.randint(1, args.persons) for _ in range(3000)]
            sample = [t for (t,) in conn.execute(
                select(names.c.text).join(persons, persons.c.id == names.c.person_id)
                .where(persons.c.id.in_(ids[:1500]), persons.c.published.is_(True)))]
            keys = [k for (k,) in conn.execute(select(persons.c.key).where(persons.c.id.in_(ids[1500:]),
                                                                          persons.c.published.is_(True)))]
            return sample + [t.split()[-1] for t in sample[:300]], keys

        # The warm-up draws other persons than the measured phase, so that it warms the server
        # (prepared statements, caches of code) without fetching the measured rows beforehand.
        measured, warming = draw(), draw()
        results["names_rows"] = conn.execute(select(func.count()).select_from(names)).scalar_one()
        results["status_rows"] = conn.execute(select(func.count()).select_from(status_changes)).scalar_one()
    url = ledger.engine.url.render_as_string(hide_password=False)
    ledger.close()

    server, base, timings = start_server(url, args.workers, any("search" in p for p in args.phases.split(",")))
    results.update(timings)
    try:
        from urllib.parse import quote

        def phases(queries: list[str], keys: list[str]) -> dict[str, Any]:
            return {
                "search": lambda r: "/search?q=" + quote(r.choice(queries)),
                "person": lambda r: "/persons/" + r.choice(keys),
                "api-search": lambda r: "/api/search?q=" + quote(r.choice(queries)),
                "api-person": lambda r: "/api/persons/" + r.choice(keys),
            }

        def run(make_path: Any, seconds: float) -> dict[str, Any]:
            return (wrk_load(base, make_path, args.clients, seconds) if args.generator == "wrk"
                    else asyncio.run(load(base, make_path, args.clients, seconds, args.max_requests)))

        for name in args.phases.split(","):
            run(phases(*warming)[name], args.warm_up)  # not measured
            outcome = run(phases(*measured)[name], args.seconds)
            outcome["load_average"] = round(os.getloadavg()[0], 1)
            results[name] = outcome
            print(f"{name:11s} {json.dumps(outcome)}", flush=True)
    finally:
        server.terminate()
        server.wait(30)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
