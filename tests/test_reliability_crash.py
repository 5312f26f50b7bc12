"""Crash safety: a writer killed with SIGKILL in the middle of its transaction leaves the ledger
exactly as before (or, had the commit won the race, exactly as after), never in between, and
running the same command again completes. Real processes, real CLI, both databases."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freedomledger.ledger import Ledger
from freedomledger.ledger.loading import load_dataset
from freedomledger.sources.sample import read_dataset
from freedomledger.store import db
from freedomledger.store.tables import persons, status_changes
from reliability_helpers import (
    describe_difference,
    fingerprint,
    kill_mid_write,
    make_registry_csv,
    sqlite_path,
)

FIXTURES = Path(__file__).parent / "fixtures"
CLI = str(Path(sys.executable).with_name("freedomledger"))
# Sized so that the import's transaction spills to disk well before it commits: SQLite keeps
# ~2 MB of dirty pages in memory (≈250 persons), PostgreSQL writes heap pages as it goes.
ROWS = {"sqlite": 400, "postgresql": 100}


def preload(url: str) -> None:
    ledger = Ledger.open(url, create=False)
    with ledger.transaction("preload") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
    ledger.close()


def expected_import(path: Path) -> tuple[set[str], int]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    statuses = sum(bool(r[c]) for r in rows for c in ("detained", "recognised", "sentenced", "released") if c in r)
    return {r["key"] for r in rows}, statuses


def import_state(url: str, keys: set[str]) -> tuple[int, int]:
    """How many of the file's persons, and of their status changes, the ledger holds."""
    engine = db.make_engine(url)
    with engine.connect() as conn:
        ids = select(persons.c.id).where(persons.c.key.in_(keys))
        found = conn.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
        statuses = conn.execute(select(func.count()).select_from(status_changes)
                                .where(status_changes.c.person_id.in_(ids))).scalar_one()
    engine.dispose()
    return int(found), int(statuses)


def assert_untouched(before: dict, after: dict) -> None:  # type: ignore[type-arg]
    """Rows that existed before are unchanged (new ones may follow them)."""
    for name, rows in before.items():
        if name == "alembic_version":
            continue
        assert after[name][: len(rows)] == rows, f"{name} changed:\n" + describe_difference(
            {name: rows}, {name: after[name][: len(rows)]})


def test_import_killed_mid_transaction_leaves_before_or_after(db_url: str, tmp_path: Path,
                                                              request: pytest.FixtureRequest) -> None:
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    preload(db_url)
    registry = make_registry_csv(tmp_path / "registry.csv", ROWS[kind])
    keys, statuses = expected_import(registry)
    before = fingerprint(db_url)
    command = [CLI, "--db", db_url, "--actor", "crash-test", "import", str(registry)]

    code, err = kill_mid_write(command, db_url)
    assert code == -signal.SIGKILL, f"the import ended on its own ({code}) before the kill: {err[-500:]}"
    if kind == "sqlite":
        # The kill left uncommitted frames in the WAL: recovery must ignore them.
        wal = sqlite_path(db_url).with_name(sqlite_path(db_url).name + "-wal")
        assert wal.stat().st_size >= 64 * 1024
    after_kill = fingerprint(db_url)
    found = import_state(db_url, keys)
    if after_kill == before:
        outcome = "before"
    else:  # the commit won the race with the kill: then all of it must be there
        assert found == (len(keys), statuses), describe_difference(before, after_kill)
        assert_untouched(before, after_kill)
        outcome = "after"
    request.node.user_properties.append(("outcome", outcome))
    if kind == "sqlite":
        engine = db.make_engine(db_url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        engine.dispose()

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert import_state(db_url, keys) == (len(keys), statuses)
    assert_untouched(before, fingerprint(db_url))


# --- news ingestion and bulk review: one transaction per article, per decision --------------------

ARTICLES = 10


def _ingest_in_process(url: str, feed: Path) -> None:
    """What `freedomledger ingest FEED` does, through the library (for the reference ledger)."""
    from freedomledger.extract.text import read_documents
    from freedomledger.ingest import ingest_text, person_resolver

    ledger = Ledger.open(url, create=False)
    with ledger.read() as conn:
        resolver = person_resolver(conn)
    for document in read_documents(feed):
        ingest_text(ledger, document.text, actor="reference", published=document.published, url=document.url,
                    title=document.title, file_name=document.file, resolver=resolver)
    ledger.close()


def _accept_all_in_process(url: str) -> None:
    from freedomledger.ingest import decide, list_proposals

    ledger = Ledger.open(url, create=False)
    with ledger.read() as conn:
        pending = [p["id"] for p in list_proposals(conn) if p["kind"] == "release"]
    for proposal_id in pending:
        decide(ledger, proposal_id, "accept", actor="reference")
    ledger.close()


def article_state(url: str) -> list[tuple[object, ...]]:
    """Per article (by content hash, in the order stored): its proposals' kind, payload, status,
    and how many facts of each table its source backs. Free of ids, clocks and actors."""
    import json as _json

    from sqlalchemy import text as sql

    engine = db.make_engine(url)
    with engine.connect() as conn:
        articles = conn.execute(sql("SELECT id, content_hash FROM sources WHERE kind = 'article' "
                                    "AND content_hash IS NOT NULL ORDER BY id")).all()
        state = []
        for source_id, digest in articles:
            proposals = conn.execute(sql("SELECT kind, payload, status FROM proposals WHERE source_id = :s "
                                         "ORDER BY id"), {"s": source_id}).all()
            facts = conn.execute(sql("SELECT subject_table, count(*) FROM claims WHERE source_id = :s "
                                     "GROUP BY subject_table ORDER BY subject_table"), {"s": source_id}).all()
            state.append((digest, [(k, _json.dumps(_json.loads(p) if isinstance(p, str) else p, sort_keys=True), s)
                                   for k, p, s in proposals], [tuple(f) for f in facts]))
    engine.dispose()
    return state


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A feed, and what a ledger holds after ingesting it whole, and after accepting it all
    (computed once, through the library, on SQLite)."""
    from reliability_helpers import make_feed

    folder = tmp_path_factory.mktemp("news")
    feed = make_feed(folder / "feed.jsonl", ARTICLES)
    url = f"sqlite:///{folder / 'reference.db'}"
    db.migrate(db.make_engine(url))
    preload(url)
    _ingest_in_process(url, feed)
    ingested = article_state(url)
    releases_before = _count(url, "SELECT count(*) FROM release_events")
    _accept_all_in_process(url)
    return {"feed": feed, "ingested": ingested, "accepted": article_state(url),
            "new_releases": _count(url, "SELECT count(*) FROM release_events") - releases_before}


_engines: dict[str, object] = {}


def _count(url: str, query: str) -> int:
    from sqlalchemy import text as sql

    engine = _engines.setdefault(url, db.make_engine(url))
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.execution_options(**db.READ_ONLY)
        return int(conn.execute(sql(query)).scalar_one())


def _at_least(url: str, query: str, wanted: int):  # type: ignore[no-untyped-def]
    """A `ready` condition for kill_mid_write that stays true once met."""
    met = []

    def ready(_watcher) -> bool:  # type: ignore[no-untyped-def]
        if not met and _count(url, query) >= wanted:
            met.append(True)
        return bool(met)

    return ready


def test_ingest_killed_mid_feed_keeps_whole_articles_only(db_url: str, news: dict) -> None:  # type: ignore[type-arg]
    feed, reference = news["feed"], news["ingested"]
    assert len(reference) == ARTICLES and all(len(r[1]) == 1 for r in reference)
    preload(db_url)
    before = fingerprint(db_url)
    command = [CLI, "--db", db_url, "--actor", "crash-test", "ingest", str(feed)]
    code, err = kill_mid_write(
        command, db_url, min_growth=0,
        ready=_at_least(db_url, "SELECT count(*) FROM sources WHERE content_hash IS NOT NULL", 3))
    assert code == -signal.SIGKILL, f"the ingest ended on its own ({code}): {err[-500:]}"
    state = article_state(db_url)
    # Articles are written one transaction each: a prefix of whole articles, none cut in half.
    assert 3 <= len(state) < ARTICLES and state == reference[: len(state)]
    assert_untouched(before, fingerprint(db_url))
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert article_state(db_url) == reference


def test_review_accept_all_killed_midway_applies_whole_decisions_only(db_url: str, news: dict) -> None:  # type: ignore[type-arg]
    feed, reference = news["feed"], news["accepted"]
    assert news["new_releases"] == ARTICLES  # one new release per article: nothing clusters
    preload(db_url)
    _ingest_in_process(db_url, feed)
    pending = article_state(db_url)
    releases_before = _count(db_url, "SELECT count(*) FROM release_events")
    command = [CLI, "--db", db_url, "--actor", "crash-test", "review", "--accept-all"]
    code, err = kill_mid_write(
        command, db_url, min_growth=0,
        ready=_at_least(db_url, "SELECT count(*) FROM proposals WHERE status = 'accepted'", 2))
    assert code == -signal.SIGKILL, f"the review ended on its own ({code}): {err[-500:]}"
    state = article_state(db_url)
    accepted = [i for i, (_, proposals, _) in enumerate(state) if proposals[0][2] == "accepted"]
    assert 2 <= len(accepted) < ARTICLES
    for i, article in enumerate(state):
        # Each decision is whole: accepted with all of its facts, or pending with none of them.
        assert article == (reference[i] if i in accepted else pending[i]), f"article {i} is half-applied"
    assert _count(db_url, "SELECT count(*) FROM release_events") == releases_before + len(accepted)
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert article_state(db_url) == reference


@pytest.fixture(autouse=True)
def _dispose_engines():  # type: ignore[no-untyped-def]
    yield
    while _engines:
        _engines.popitem()[1].dispose()  # type: ignore[attr-defined]
