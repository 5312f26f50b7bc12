"""Load test: readers and editors at once, then a check that no acknowledged write was lost.

    bash scripts/postgres.sh    # then: createdb -h 127.0.0.1 -p 54329 -U fl fl_bench
    .venv/bin/python bench/bench_load.py --db postgresql://fl@127.0.0.1:54329/fl_bench \
        --persons 1000000 --clients 50 --seconds 60
    # a small, quick run (what CI does, as a test, on a few thousand persons):
    .venv/bin/python bench/bench_load.py --db /tmp/fl_load.db --persons 5000 --clients 10 --seconds 10

What it does:
1. Fills an empty database with --persons generated persons (bench_web.generate), once.
2. Makes --proposals pending review proposals: the fixture articles are ingested for real
   (extraction and all), then their proposals are copied, each with its own source, in one
   audited transaction, as `ingest` would have written them.
3. Starts `freedomledger serve --workers N` on loopback and waits for the name index.
4. Runs --clients closed-loop clients for --seconds: each request is a write with
   probability --write-share (an editor's review decision through the JSON API: accept or
   reject, alternately, on a proposal no other client touches), else a read: a person page
   (HTML), a name search (HTML or JSON) or the statistics (JSON), chosen at random.
5. Stops the server, then reads the database: every write the server acknowledged (HTTP 200)
   must be there (the proposal carries that decision, by that editor; an accepted one points
   at its new row; the audit log has the change). A write that was not acknowledged may or may
   not have happened; it is counted, not checked.

Throughput, latency percentiles and errors are reported per kind of request and overall.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import generate, latency_summary, start_server  # noqa: E402

from freedomledger.ingest import ingest_text  # noqa: E402
from freedomledger.ledger import Ledger, jsonable  # noqa: E402
from freedomledger.store.tables import audit_log, metadata, names, persons, proposals, sources  # noqa: E402
from freedomledger.web import auth  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "tests" / "fixtures" / "articles"


def make_proposals(ledger: Ledger, count: int, run: str) -> list[int]:
    """`count` pending proposals: the fixture articles ingested, their proposals copied.

    Names in the articles are not resolved against the ledger (the resolver answers None):
    the CLI's resolver builds an index of every person, minutes at a million, and what is
    measured here is the review, not the extraction."""
    made: list[int] = []
    templates = []
    for path in sorted(ARTICLES.glob("*.txt")):
        # The fixtures are reports of 20 March 2026 (tests/test_ingest.py reads them the same way).
        result = ingest_text(ledger, path.read_text(encoding="utf-8") + f"\n\n[load test {run}]",
                             actor="bench-load", published=dt.date(2026, 3, 20), file_name=f"{run}-{path.name}",
                             outlet="bench", resolver=lambda name: None)
        made += result.proposal_ids
    with ledger.read() as conn:
        for row in conn.execute(select(proposals.c.id, proposals.c.kind, proposals.c.payload, sources.c.text)
                                .join(sources, sources.c.id == proposals.c.source_id)
                                .where(proposals.c.id.in_(made), proposals.c.kind == "release")).mappings():
            templates.append(dict(row))
    made = [pid for pid in made if pid in {t["id"] for t in templates}]  # an arrest report cannot be accepted
    if not templates:
        sys.exit("the fixture articles gave no release proposals to copy")
    with ledger.transaction("bench-load") as tx:
        for i in range(count - len(made)):
            template = templates[i % len(templates)]
            payload = dict(template["payload"])
            payload.pop("match", None)  # each copy stands for a report of its own
            source_id, _ = tx.source(kind="article", outlet="bench", title=f"load test copy {i}",
                                     text=template["text"] + f"\n[copy {run}-{i}]", file_name=f"{run}-copy-{i}.txt")
            made.append(tx.insert(proposals, dict(source_id=source_id, kind=template["kind"],
                                                  payload=jsonable(payload), status="pending")))
    return made


class Recorder:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {}
        self.errors: dict[str, dict[str, int]] = {}
        self.acknowledged: dict[int, str] = {}
        self.unacknowledged: list[int] = []

    def ok(self, kind: str, seconds: float) -> None:
        self.latency.setdefault(kind, []).append(seconds)

    def error(self, kind: str, what: str) -> None:
        self.errors.setdefault(kind, {}).setdefault(what, 0)
        self.errors[kind][what] += 1


def summary(latencies: list[float], seconds: float, errors: dict[str, int]) -> dict[str, Any]:
    return latency_summary(latencies, seconds) | {"errors": sum(errors.values()), "error_kinds": errors}


async def run_load(base: str, token: str, pending: list[int], keys: list[str], queries: list[str],
                   clients: int, seconds: float, write_share: float, seed: int) -> tuple[Recorder, float]:
    record = Recorder()
    rng = random.Random(seed)
    queue = list(reversed(pending))
    editor = {"authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds
    decisions = 0

    async def one(http: httpx.AsyncClient) -> None:
        nonlocal decisions
        while time.perf_counter() < deadline:
            roll = rng.random()
            if roll < write_share and queue:
                proposal_id = queue.pop()
                decision = "accept" if decisions % 2 == 0 else "reject"
                decisions += 1
                kind = "write"
                request = http.build_request("POST", f"/api/proposals/{proposal_id}/decision", headers=editor,
                                             json={"decision": decision, "note": "load test"})
            else:
                proposal_id, decision = 0, ""
                pick = rng.random()
                if pick < 0.45:
                    kind, path = "person", "/persons/" + rng.choice(keys)
                elif pick < 0.70:
                    kind, path = "search", "/search?q=" + quote(rng.choice(queries))
                elif pick < 0.90:
                    kind, path = "api-search", "/api/search?q=" + quote(rng.choice(queries))
                else:
                    kind, path = "stats", "/api/stats"
                request = http.build_request("GET", path)
            began = time.perf_counter()
            try:
                response = await http.send(request)
            except httpx.HTTPError as exc:
                record.error(kind, type(exc).__name__)
                if kind == "write":
                    record.unacknowledged.append(proposal_id)
                continue
            if response.status_code != 200:
                record.error(kind, str(response.status_code))
                if kind == "write":
                    record.unacknowledged.append(proposal_id)
                    print(f"write refused: {response.status_code} {response.text[:300]}", flush=True)
                continue
            record.ok(kind, time.perf_counter() - began)
            if kind == "write":
                body = response.json()
                if body.get("proposal") != proposal_id or body.get("status") != decision + "ed":
                    record.error(kind, "unexpected body")
                record.acknowledged[proposal_id] = decision

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(one(http) for _ in range(clients)))
    return record, time.perf_counter() - began


def wait_for_editor_index(base: str, token: str, workers: int) -> None:
    """Reviews resolve names through the index over all names (unpublished too), which each
    worker builds at its first editor request; the load starts once every worker has it, as
    on a server that has been up a while."""
    deadline = time.monotonic() + 1800
    in_a_row = 0
    while time.monotonic() < deadline:
        # A new connection each time, so that the requests spread over the workers (each
        # starts its own build); 10 answers per worker in a row make a worker left out unlikely.
        status = httpx.get(base + "/api/search", params={"q": "Ivan"}, headers={"authorization": f"Bearer {token}"},
                           timeout=60).status_code
        in_a_row = in_a_row + 1 if status == 200 else 0
        if in_a_row >= 10 * workers:
            return
        time.sleep(0.2 if status == 200 else 2)
    sys.exit("the editors' index was not ready after 30 minutes")


def check_writes(ledger: Ledger, record: Recorder, editor: str) -> dict[str, Any]:
    """Every acknowledged decision, read back from the database."""
    missing: list[int] = []
    ids = sorted(record.acknowledged)
    with ledger.read() as conn:
        found: dict[int, Any] = {}
        audited: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in conn.execute(select(proposals).where(proposals.c.id.in_(chunk))).mappings():
                found[row["id"]] = row
            audited |= set(conn.execute(
                select(audit_log.c.subject_id).where(audit_log.c.subject_table == proposals.name,
                                                     audit_log.c.subject_id.in_(chunk),
                                                     audit_log.c.actor == editor)).scalars())
        targets_missing = 0
        for proposal_id in ids:
            row, decision = found.get(proposal_id), record.acknowledged[proposal_id]
            if (row is None or row["status"] != decision + "ed" or row["decided_by"] != editor
                    or proposal_id not in audited):
                missing.append(proposal_id)
            elif decision == "accept":
                table = metadata.tables.get(row["target_table"] or "")
                if table is None or conn.execute(select(table.c.id).where(table.c.id == row["target_id"])).first() is None:
                    targets_missing += 1
                    missing.append(proposal_id)
        applied_unacknowledged = sum(
            1 for pid in record.unacknowledged
            if conn.execute(select(proposals.c.status).where(proposals.c.id == pid)).scalar() != "pending")
    return {"acknowledged": len(ids), "lost": len(missing), "lost_ids": missing[:20],
            "accepted_without_target": targets_missing, "unacknowledged": len(record.unacknowledged),
            "unacknowledged_but_applied": applied_unacknowledged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="postgresql:// URL or SQLite path (created if needed)")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--write-share", type=float, default=0.05)
    parser.add_argument("--proposals", type=int, default=3000, help="pending proposals to decide")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    ledger = Ledger.open(args.db)
    with ledger.read() as conn:
        have = conn.execute(select(func.count()).select_from(persons)).scalar_one()
    results: dict[str, Any] = {"db": ledger.engine.dialect.name, "clients": args.clients, "seconds": args.seconds,
                               "write_share": args.write_share, "workers": args.workers, "cpus": os.cpu_count()}
    if have == 0:
        results["generate_s"] = round(generate(ledger, args.persons), 1)
        print(f"generated {args.persons} persons in {results['generate_s']} s", flush=True)
    run = f"{int(time.time())}"
    editor = f"load-editor-{run}"
    actor = f"web:{editor}"  # how the server names an editor in the audit log
    auth.create_user(ledger, editor, "load test password " + run, "editor", actor="bench-load")
    token = auth.create_token(ledger, editor, "load test", actor="bench-load")[1]
    started = time.perf_counter()
    pending = make_proposals(ledger, args.proposals, run)
    results["proposals_made_s"] = round(time.perf_counter() - started, 1)
    with ledger.read() as conn:
        results["persons"] = conn.execute(select(func.count()).select_from(persons)).scalar_one()
        top = conn.execute(select(func.max(persons.c.id))).scalar_one()
        rng = random.Random(args.seed)
        ids = [rng.randint(1, top) for _ in range(3000)]
        keys = list(conn.execute(select(persons.c.key).where(persons.c.id.in_(ids[:1500]),
                                                              persons.c.published.is_(True))).scalars())
        found = list(conn.execute(select(names.c.text).join(persons, persons.c.id == names.c.person_id)
                                  .where(persons.c.id.in_(ids[1500:]), persons.c.published.is_(True))).scalars())
    queries = found + [t.split()[-1] for t in found[:300]]
    url = ledger.engine.url.render_as_string(hide_password=False)
    ledger.close()

    server, base, timings = start_server(url, args.workers, needs_index=True)
    results.update(timings)
    try:
        started = time.perf_counter()
        wait_for_editor_index(base, token, args.workers)
        results["editor_index_ready_s"] = round(time.perf_counter() - started, 1)
        print(f"editors' index (unpublished names too) ready after {results['editor_index_ready_s']} s", flush=True)
        record, elapsed = asyncio.run(run_load(base, token, pending, keys, queries, args.clients, args.seconds,
                                               args.write_share, args.seed))
    finally:
        server.terminate()
        server.wait(60)
    results["elapsed_s"] = round(elapsed, 1)
    results["load_average_after"] = round(os.getloadavg()[0], 1)
    every = [x for values in record.latency.values() for x in values]
    all_errors: dict[str, int] = {}
    for kinds in record.errors.values():
        for what, n in kinds.items():
            all_errors[what] = all_errors.get(what, 0) + n
    results["overall"] = summary(every, elapsed, all_errors)
    for kind in sorted(set(record.latency) | set(record.errors)):
        results[kind] = summary(record.latency.get(kind, []), elapsed, record.errors.get(kind, {}))
    ledger = Ledger.open(url, create=False)
    results["writes"] = check_writes(ledger, record, actor)
    ledger.close()
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    if results["writes"]["lost"] or results["overall"]["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
