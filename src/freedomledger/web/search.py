"""The name index behind search and screening: built once per process, kept fresh by a delta.

The index is the names package's `NameIndex` (any script, any romanisation). Building it over
a million persons takes minutes, so a change to the ledger does not rebuild it. Instead each
lookup (at most once a second) reads the audit log since the build: the persons and
organisations whose names or visibility changed since then are "touched"; a small delta
index holds their current names, and their entries in the main index are ignored. Only when
the delta grows past `DELTA_MAX_NAMES` is the main index rebuilt, in a thread, while the old
one keeps answering.

Visibility never depends on the index alone: every hit is re-read from the database with the
caller's visibility before it is shown.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from freedomledger.ledger import Ledger, queries
from freedomledger.names import Hit, NameIndex
from freedomledger.store.tables import audit_log, names as names_table, organizations, persons
from freedomledger.web import data

log = logging.getLogger("freedomledger.web")


# A surname alone scores about 0.65 against "given name + surname", so one-word searches keep
# hits from 0.5 up. Names of several words keep 0.7 and up: a lower floor lets every namesake
# sharing only a given name in, which costs ~10x the scoring time on a million names.
# Screening uses its own, stricter threshold.
ONE_WORD_MIN_SCORE = 0.5
SEARCH_MIN_SCORE = 0.7
SEARCH_TOP_K = 100
# Past this many names in the delta, the main index is rebuilt (the delta is rebuilt at every
# change, so it must stay small: ~50 us per name).
DELTA_MAX_NAMES = 5_000
_WATCHED = (names_table.name, persons.name, organizations.name)


def min_score_for(query: str) -> float:
    return ONE_WORD_MIN_SCORE if len(query.split()) <= 1 else SEARCH_MIN_SCORE


class IndexNotReady(Exception):
    def __init__(self, progress: str):
        super().__init__(progress)
        self.progress = progress


@dataclass
class _Built:
    index: NameIndex
    version: int  # the newest audit id the index reflects
    seconds: float
    names: int


@dataclass
class _Delta:
    """What changed since the main index was built: entities to ignore there, their names now."""
    version: int  # the newest audit id read
    person_ids: frozenset[int]
    org_ids: frozenset[int]
    touched: frozenset[str]  # the same entities as index ids ("person:key")
    index: NameIndex | None
    names: int


@dataclass
class _Slot:
    built: _Built | None = None
    delta: _Delta | None = None
    thread: threading.Thread | None = None
    error: str | None = None
    checked_at: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


def _index_of(rows: list[tuple[str, str, str]]) -> NameIndex:
    index = NameIndex()
    for key, text, kind in rows:
        index.add(f"{kind}:{key}", text, kind)
    return index.build()


def _touched_between(conn: Any, after: int, upto: int) -> tuple[set[int], set[int]]:
    """(person ids, organisation ids) whose names or visibility changed in audit ids
    `after` < id <= `upto`."""
    rows = conn.execute(
        select(audit_log.c.subject_table, audit_log.c.subject_id)
        .where(audit_log.c.id > after, audit_log.c.id <= upto, audit_log.c.subject_table.in_(_WATCHED))
    ).all()
    person_ids = {r.subject_id for r in rows if r.subject_table == persons.name}
    org_ids = {r.subject_id for r in rows if r.subject_table == organizations.name}
    name_ids = [r.subject_id for r in rows if r.subject_table == names_table.name]
    for start in range(0, len(name_ids), 500):
        for owner_person, owner_org in conn.execute(
            select(names_table.c.person_id, names_table.c.organization_id)
            .where(names_table.c.id.in_(name_ids[start:start + 500]))
        ):
            if owner_person is not None:
                person_ids.add(owner_person)
            if owner_org is not None:
                org_ids.add(owner_org)
    return person_ids, org_ids


class NameSearch:
    """The per-process indexes: one over public names, one over all names."""

    def __init__(self, ledger: Ledger, *, wait_s: float = 5.0, check_every_s: float = 1.0,
                 delta_max_names: int = DELTA_MAX_NAMES):
        self.ledger, self.wait_s, self.check_every_s = ledger, wait_s, check_every_s
        self.delta_max_names = delta_max_names
        self._slots = {True: _Slot(), False: _Slot()}
        self._lock = threading.Lock()

    def start(self, public: bool) -> threading.Event:
        """Begin a (re)build in the background unless one is running; returns its done-event."""
        with self._lock:
            slot = self._slots[public]
            if slot.thread is None or not slot.thread.is_alive():
                slot.done = threading.Event()
                slot.thread = threading.Thread(target=self._build, args=(public, slot.done),
                                               name=f"name-index-{'public' if public else 'all'}", daemon=True)
                slot.thread.start()
            return slot.done

    def _build(self, public: bool, done: threading.Event) -> None:
        started = time.perf_counter()
        slot = self._slots[public]
        try:
            with self.ledger.read() as conn:
                version = data.ledger_version(conn)
                rows = queries.all_names(conn, public=public)
            built = _Built(_index_of(rows), version, time.perf_counter() - started, len(rows))
            # The index is tens of millions of objects. Left to the cyclic garbage collector,
            # every full collection walks them all and stalls the worker for seconds (seen as
            # request timeouts under load); frozen, they are skipped. Reference counting still
            # frees an index that is replaced.
            gc.freeze()
            with self._lock:
                slot.built, slot.delta, slot.error = built, None, None
                slot.checked_at = 0.0  # changes made during the build go into a delta at once
        except Exception as exc:  # the server must keep serving; the next lookup retries
            log.exception("building the name index failed")
            slot.error = type(exc).__name__
        finally:
            done.set()

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = {"engine": "freedomledger.names"}
        for public, slot in self._slots.items():
            built, delta = slot.built, slot.delta
            result["public" if public else "all"] = (
                {"names": built.names, "version": built.version, "build_seconds": round(built.seconds, 3),
                 "delta_names": delta.names if delta else 0,
                 "delta_version": delta.version if delta else built.version}
                if built else {"state": "building" if slot.thread and slot.thread.is_alive() else "not built",
                               "error": slot.error}
            )
        return result

    def _current(self, public: bool, fresh: bool = False) -> tuple[_Built, _Delta | None]:
        slot = self._slots[public]
        if slot.built is None:
            done = self.start(public)
            if not done.wait(self.wait_s) or slot.built is None:
                raise IndexNotReady("the name index could not be built; the server log says why" if slot.error
                                    else "the name index is being built; try again in a few seconds")
        now = time.monotonic()
        if fresh or now - slot.checked_at >= self.check_every_s:
            slot.checked_at = now
            self._refresh(public, slot)
        built = slot.built
        assert built is not None
        delta = slot.delta
        return built, delta if delta is not None and delta.touched else None

    def _refresh(self, public: bool, slot: _Slot) -> None:
        """Bring the delta up to the ledger's newest change (cheap when nothing changed)."""
        built = slot.built
        assert built is not None
        if slot.thread is not None and slot.thread.is_alive():
            return  # a rebuild is under way; it will take every change in
        last = slot.delta
        seen = last.version if last else built.version
        with self.ledger.read() as conn:
            newest = data.ledger_version(conn)
            if newest == seen:
                return
            # Only the audit rows since the last look are read; the delta keeps what came before.
            person_ids, org_ids = _touched_between(conn, seen, newest)
            if last is not None:
                if not (person_ids or org_ids):
                    with self._lock:  # nothing that search sees changed
                        if slot.built is built:
                            slot.delta = replace(last, version=newest)
                    return
                person_ids |= last.person_ids
                org_ids |= last.org_ids
            rows = queries.all_names(conn, public=public, person_ids=person_ids, organization_ids=org_ids)
            touched = frozenset(
                [f"person:{k}" for k in data.keys_of(conn, persons, person_ids)]
                + [f"organization:{k}" for k in data.keys_of(conn, organizations, org_ids)])
        if len(rows) > self.delta_max_names:
            # Too much to index at every change: rebuild the main index in the background.
            # Until it is ready, the last delta keeps answering (stale for these entities).
            self.start(public)
            return
        delta = _Delta(newest, frozenset(person_ids), frozenset(org_ids), touched,
                       _index_of(rows) if rows else None, len(rows))
        with self._lock:
            if slot.built is built:
                slot.delta = delta

    def hits(self, public: bool, query: str, top_k: int, min_score: float, fresh: bool = False) -> list[Hit]:
        """The best hits; `fresh` takes in every committed change first, not only those a
        second old."""
        built, delta = self._current(public, fresh)
        if delta is None:
            found = built.index.search(query, top_k=top_k, min_score=min_score)
        else:
            extra = min(len(delta.touched), top_k)
            found = [h for h in built.index.search(query, top_k=top_k + extra, min_score=min_score)
                     if h.id not in delta.touched]
            if delta.index is not None:
                found += delta.index.search(query, top_k=top_k, min_score=min_score)
            found.sort(key=lambda h: -h.score)
        return found[:top_k]

    def person_resolver(self, fresh: bool = False) -> Any:
        """For ingestion and review: a name as written in an article -> the key of the person
        it names, through the full index (unpublished persons too). Building an index per
        article, as the CLI's resolver does, would take minutes on a large ledger. `fresh`:
        see hits (a review must see the persons the previous review created)."""

        def resolve(name: str) -> str | None:
            for hit in self.hits(False, name, top_k=5, min_score=SEARCH_MIN_SCORE, fresh=fresh):
                if hit.id.startswith("person:"):
                    return hit.id.split(":", 1)[1] if hit.match else None
            return None

        return resolve


def run_search(
    conn: Any, names: NameSearch, query: str, *, public: bool, script: str, status: str | None = None,
    country: str | None = None, since: Any = None, until: Any = None, kind: str | None = None,
    top_k: int = SEARCH_TOP_K, min_score: float | None = None, page: tuple[int, int] | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Ranked persons and organisations for a name (the best `top_k`), the shown ones re-read
    with the caller's visibility: (how many, the results). With `page` (offset, limit) only
    that slice is returned, and only its persons are read."""
    hits = names.hits(public, query, top_k, min_score_for(query) if min_score is None else min_score)
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.id not in best or best[hit.id].score < hit.score:
            best[hit.id] = hit
    person_keys = [i.split(":", 1)[1] for i in best if i.startswith("person:")]
    org_keys = [i.split(":", 1)[1] for i in best if i.startswith("organization:")]
    filtered = bool(status or country or since or until)
    ranked: list[tuple[Hit, str, str]] = []  # (hit, kind, key)
    people: dict[str, Any] = {}  # key -> row
    orgs: dict[str, Any] = {}
    if kind in (None, "person") and person_keys:
        if filtered:
            people = {r["key"]: r for r in data.filtered_persons(
                conn, public=public, status=status, country=country, since=since, until=until, keys=person_keys,
                limit=None)}
        # Without filters the index's hits are the answer: it holds only what this caller may
        # see, within a second of every change, and the shown page is read again below.
        ranked += [(best[f"person:{k}"], "person", k) for k in person_keys if not filtered or k in people]
    if kind in (None, "organization") and org_keys and not filtered:
        for org in data.organizations_by_keys(conn, org_keys, public=public):
            orgs[org["key"]] = org
            ranked.append((best[f"organization:{org['key']}"], "organization", org["key"]))
    ranked.sort(key=lambda r: (-r[0].score, r[0].name, r[2]))
    chosen = ranked if page is None else ranked[page[0]:page[0] + page[1]]
    page_keys = [key for _, what, key in chosen if what == "person"]
    if filtered:
        details = {r["key"]: r for r in data.person_rows(conn, [people[key] for key in page_keys], script)}
    else:
        details = data.shown_persons(conn, page_keys, public=public, script=script)
    results = []
    for hit, what, key in chosen:
        shown = details.get(key) if what == "person" else orgs[key]
        if shown is None:  # hidden or retracted since the index last looked
            continue
        results.append({"kind": what, **shown, "matched": hit.name, "score": round(hit.score, 3),
                        "explanation": hit.explanation})
    return len(ranked), results
