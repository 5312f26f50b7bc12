"""The name index behind search and screening: built once per process, rebuilt on change.

The index itself is the names package's `NameIndex` (any script, any romanisation). When that
package is not installed the small `_FallbackIndex` below stands in: ASCII folding plus a
consonant skeleton for candidates and rapidfuzz for scores. It is kept only here.

Freshness: each lookup compares the ledger's newest audit id with the one the index was
built at (at most once a second). A stale index keeps answering while a new one is built in
a thread; when the last build was quick (a small ledger) the lookup waits for the new one.
Visibility never depends on the index: every hit is re-read from the database with the
caller's visibility before it is shown.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from rapidfuzz import fuzz

from freedomledger.ledger import Ledger, queries
from freedomledger.web import data

log = logging.getLogger("freedomledger.web")


# A surname alone scores about 0.65 against "given name + surname", so one-word searches keep
# hits from 0.5 up. Names of several words keep 0.7 and up: a lower floor lets every namesake
# sharing only a given name in, which costs ~10x the scoring time on a million names.
# Screening uses its own, stricter threshold.
ONE_WORD_MIN_SCORE = 0.5
SEARCH_MIN_SCORE = 0.7
SEARCH_TOP_K = 100


def min_score_for(query: str) -> float:
    return ONE_WORD_MIN_SCORE if len(query.split()) <= 1 else SEARCH_MIN_SCORE


@dataclass
class Hit:
    id: str
    name: str
    score: float
    explanation: str = ""


def _hit(raw: Any) -> Hit:
    get = raw.get if isinstance(raw, dict) else lambda k, d=None: getattr(raw, k, d)
    explanation = get("explanation", "") or ""
    if not isinstance(explanation, str):
        explanation = "; ".join(str(e) for e in explanation) if isinstance(explanation, (list, tuple)) else str(explanation)
    score = float(get("score", 0.0) or 0.0)
    return Hit(str(get("id")), str(get("name", "") or ""), score if score <= 1.0 else score / 100.0, explanation)


_DIGRAPHS = (("shch", "s"), ("kh", "h"), ("zh", "z"), ("sh", "s"), ("ch", "c"), ("ts", "c"), ("tz", "c"),
             ("cz", "c"), ("sz", "s"), ("dz", "d"), ("w", "v"), ("g", "h"), ("x", "ks"), ("q", "k"))


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", anyascii(text).lower()).split())


def _skeleton(token: str) -> str:
    for digraph, single in _DIGRAPHS:
        token = token.replace(digraph, single)
    consonants = re.sub(r"[aeiouyj]+", "", token[1:])
    return (token[:1] if token[:1] not in "aeiouyj" else "a") + consonants


class _FallbackIndex:
    """Stand-in for names.NameIndex: good enough for Latin/Cyrillic spellings of one name."""

    def __init__(self) -> None:
        self._names: list[tuple[str, str, str]] = []
        self._postings: dict[str, list[int]] = defaultdict(list)

    def add(self, entity_id: str, name: str, kind: str | None = None) -> None:
        folded = _fold(name)
        position = len(self._names)
        self._names.append((entity_id, name, folded))
        for token in set(folded.split()):
            if len(token) > 1:
                self._postings[_skeleton(token)[:4]].append(position)

    def build(self) -> None:
        return None

    def search(self, name: str, top_k: int = 10, min_score: float = 0.6) -> list[Hit]:
        folded = _fold(name)
        tokens = [t for t in folded.split() if len(t) > 1]
        if not tokens:
            return []
        counts: dict[int, int] = defaultdict(int)
        lists = [self._postings.get(_skeleton(t)[:4], []) for t in tokens]
        for positions in lists:
            for position in positions:
                counts[position] += 1
        # Common skeletons: with several tokens, keep the names that share at least two.
        need = 2 if len(lists) > 1 and len(counts) > 20_000 else 1
        candidates = [p for p, c in counts.items() if c >= need]
        best: dict[str, Hit] = {}
        for position in candidates:
            entity_id, text, other = self._names[position]
            score = fuzz.token_sort_ratio(folded, other) / 100.0
            if score >= min_score and (entity_id not in best or best[entity_id].score < score):
                best[entity_id] = Hit(entity_id, text, score, f"spelling similarity {score:.2f} after transliteration")
        return sorted(best.values(), key=lambda h: -h.score)[:top_k]


def _new_index() -> Any:
    try:
        from freedomledger.names import NameIndex
    except ImportError:
        return _FallbackIndex()
    return NameIndex()


def engine_name() -> str:
    try:
        import freedomledger.names  # noqa: F401
    except ImportError:
        return "fallback"
    return "freedomledger.names"


class IndexNotReady(Exception):
    def __init__(self, progress: str):
        super().__init__(progress)
        self.progress = progress


@dataclass
class _Built:
    index: Any
    version: int
    seconds: float
    names: int


@dataclass
class _Slot:
    built: _Built | None = None
    thread: threading.Thread | None = None
    error: str | None = None
    checked_at: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


class NameSearch:
    """The per-process indexes: one over public names, one over all names."""

    def __init__(self, ledger: Ledger, *, wait_s: float = 5.0, quick_s: float = 1.0):
        self.ledger, self.wait_s, self.quick_s = ledger, wait_s, quick_s
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
        try:
            with self.ledger.read() as conn:
                version = data.ledger_version(conn)
                rows = queries.all_names(conn, public=public)
            index = _new_index()
            for key, text, kind in rows:
                index.add(f"{kind}:{key}", text, kind)
            if hasattr(index, "build"):
                index.build()
            self._slots[public].built = _Built(index, version, time.perf_counter() - started, len(rows))
            self._slots[public].error = None
        except Exception as exc:  # the server must keep serving; the next lookup retries
            log.exception("building the name index failed")
            self._slots[public].error = type(exc).__name__
        finally:
            done.set()

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = {"engine": engine_name()}
        for public, slot in self._slots.items():
            built = slot.built
            result["public" if public else "all"] = (
                {"names": built.names, "version": built.version, "build_seconds": round(built.seconds, 3)}
                if built else {"state": "building" if slot.thread and slot.thread.is_alive() else "not built",
                               "error": slot.error}
            )
        return result

    def index(self, public: bool) -> Any:
        slot = self._slots[public]
        if slot.built is None:
            done = self.start(public)
            if not done.wait(self.wait_s) or slot.built is None:
                raise IndexNotReady("the name index could not be built; the server log says why" if slot.error
                                    else "the name index is being built; try again in a few seconds")
            slot.checked_at = time.monotonic()
            return slot.built.index
        now = time.monotonic()
        if now - slot.checked_at >= 1.0:
            slot.checked_at = now
            with self.ledger.read() as conn:
                version = data.ledger_version(conn)
            if version != slot.built.version:
                done = self.start(public)
                if slot.built.seconds <= self.quick_s:
                    done.wait(self.wait_s)
        return slot.built.index

    def hits(self, public: bool, query: str, top_k: int, min_score: float) -> list[Hit]:
        return [_hit(h) for h in self.index(public).search(query, top_k=top_k, min_score=min_score)]


def run_search(
    conn: Any, names: NameSearch, query: str, *, public: bool, script: str, status: str | None = None,
    country: str | None = None, since: Any = None, until: Any = None, kind: str | None = None,
    top_k: int = SEARCH_TOP_K, min_score: float | None = None,
) -> list[dict[str, Any]]:
    """Ranked persons and organisations for a name (the best `top_k`), re-read with the
    caller's visibility."""
    hits = names.hits(public, query, top_k, min_score_for(query) if min_score is None else min_score)
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.id not in best or best[hit.id].score < hit.score:
            best[hit.id] = hit
    person_keys = [i.split(":", 1)[1] for i in best if i.startswith("person:")]
    org_keys = [i.split(":", 1)[1] for i in best if i.startswith("organization:")]
    results: list[dict[str, Any]] = []
    if kind in (None, "person"):
        ids = data.person_ids_for_keys(conn, person_keys)
        for row in data.browse_persons(conn, public=public, script=script, status=status, country=country,
                                       since=since, until=until, ids=list(ids.values()), limit=None):
            hit = best[f"person:{row['key']}"]
            results.append({"kind": "person", **row, "matched": hit.name, "score": round(hit.score, 3),
                            "explanation": hit.explanation})
    if kind in (None, "organization") and not (status or country or since or until):
        for org in data.organizations_by_keys(conn, org_keys, public=public):
            hit = best[f"organization:{org['key']}"]
            results.append({"kind": "organization", **org, "matched": hit.name, "score": round(hit.score, 3),
                            "explanation": hit.explanation})
    results.sort(key=lambda r: (-r["score"], r["name"]))
    return results
