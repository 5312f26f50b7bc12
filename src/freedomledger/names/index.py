"""NameIndex: search many names (with aliases) for the best matches of one query.

Candidates come from an inverted index of token keys (phonetic skeletons, given-name classes,
patronymic stems, foreign-ending stems, initials, and for organisations the skeleton of the
joined words), plus skeletons one edit away through a deletion index over the skeleton
vocabulary. Every candidate is scored with compare()'s own function, so a hit's score is
exactly compare(query, alias). Why no hit is missed, and the one approximation: docs/names.md,
"Index"; search_exhaustive() is the brute-force reference the tests and the benchmark use.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial

import numpy as np
from rapidfuzz.distance import Levenshtein

from freedomledger.names.compare import (
    CAP_GIVEN_ONLY,
    DEFAULT_THRESHOLD,
    S_MISSING_NAME,
    W_MISSING_NAME,
    W_INITIAL,
    W_NAME,
    W_PATRONYMIC,
    compare_parsed,
    ending_stripped,
    score_tokens,
)
from freedomledger.names.normalize import normalize
from freedomledger.names.phonetic import skeleton
from freedomledger.names.tokens import KINDS, ParsedName, TokenInfo, make_parsed, parse_name, split_name

DEFAULT_MIN_SCORE = 0.7
MAX_SCORED = 400  # candidates scored per query and kind, best-hitting first
# Skeletons one edit apart only matter for long ones: a token pair whose skeletons differ
# scores 0.7 * ((fine + skeleton similarity) / 2) ** 3, which stays below what a hit at
# min_score 0.7 needs (about 0.4) unless the skeleton has five or more letters.
FUZZY_MIN_LEN = 5
_EMPTY = np.empty(0, dtype=np.int32)


def _merge(arrays: Sequence[np.ndarray | None]) -> np.ndarray:
    """Sorted union of sorted alias arrays."""
    present = [a for a in arrays if a is not None and len(a)]
    if not present:
        return _EMPTY
    if len(present) == 1:
        return present[0]
    # A stable sort of concatenated sorted runs is a merge (timsort): far faster than
    # np.unique, which hashes.
    merged = np.concatenate(present)
    merged.sort(kind="stable")
    keep = np.empty(len(merged), dtype=bool)
    keep[0] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


def _member_any(values: np.ndarray, arrays: list[np.ndarray]) -> np.ndarray:
    """Boolean mask: which values are in any of the sorted arrays."""
    if len(arrays) == 1:
        return _member(values, arrays[0])
    out = np.zeros(len(values), dtype=bool)
    for arr in arrays:
        out |= _member(values, arr)
    return out


def _member(values: np.ndarray, sorted_arr: np.ndarray) -> np.ndarray:
    """Boolean mask: which values are in sorted_arr."""
    if len(sorted_arr) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_arr, values)
    mask: np.ndarray = sorted_arr.take(pos, mode="clip") == values
    return mask


@dataclass(frozen=True, slots=True)
class _Postings:
    info: TokenInfo
    core: list[np.ndarray]  # aliases sharing a key with the token
    anchor: list[np.ndarray]  # ... through a token that is not a given name, if the query's is
    near: np.ndarray  # aliases with a skeleton one edit away (and no key of the token)
    initial: np.ndarray  # aliases with an initial that can stand for the token
    size: int  # of all the arrays: drivers are the tokens with the fewest

    @property
    def full(self) -> list[np.ndarray]:
        return [*self.core, self.near, self.initial]


def _compact(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Fewer arrays for membership tests: large ones stay as they are (merging the postings
    of a common given name costs more than it saves), small ones are merged."""
    small = [a for a in arrays if len(a) <= 4096]
    if len(small) <= 1:
        return arrays
    return [a for a in arrays if len(a) > 4096] + [_merge(small)]


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    name: str
    score: float
    match: bool
    explain: Callable[[], str] = field(compare=False, repr=False)

    @property
    def explanation(self) -> str:
        """How the two names compare, worked out when asked: a search ranks up to top_k hits and
        a page shows a few (the full comparison of all of them was a third of a search)."""
        return self.explain()

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "score": round(self.score, 4),
                "match": self.match, "explanation": self.explanation}  # fmt: skip


@lru_cache(maxsize=300_000)
def token_keys(info: TokenInfo) -> tuple[str, ...]:
    """Index keys of a token: skeletons (and foreign-ending stems) under "s:" for tokens that
    are not known given names and "t:" for those that are, given-name classes "g:",
    patronymic stems "p:". Two tokens with similarity >= 0.8 share at least one key."""
    prefix = "t:" if info.classes else "s:"
    keys = [prefix + s for s in info.skels]
    keys += [prefix + s for s in ending_stripped(info)]
    keys += ["g:" + c for c in info.classes]
    keys += ["p:" + c for c in info.pstems]
    return tuple(dict.fromkeys(keys))


def _skeleton_keys(info: TokenInfo) -> list[str]:
    skels = list(dict.fromkeys([*info.skels, *ending_stripped(info)]))
    return ["s:" + s for s in skels] + ["t:" + s for s in skels]


def _deletions(s: str) -> set[str]:
    return {s[:i] + s[i + 1 :] for i in range(len(s))}


def _min_hits(n: int, patronymic_weight: float, min_score: float) -> int:
    """Fewest of the query's n name tokens a hit must hold: the best score with h of them
    perfect and the others unmatched, an agreeing patronymic adding weight."""
    for h in range(1, n + 1):
        k = n - h
        weight = h * W_NAME + k * W_MISSING_NAME + patronymic_weight
        score = math.exp(k * W_MISSING_NAME * math.log(S_MISSING_NAME) / weight)
        if score >= min_score - 1e-9:
            return h
    return n + 1


class NameIndex:
    """An index of names, several per id (aliases), searched with search()."""

    def __init__(self, kind: str = "person", threshold: float = DEFAULT_THRESHOLD) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind = kind
        self.threshold = threshold
        self._ids: list[str] = []
        self._id_pos: dict[str, int] = {}
        self._names: list[str] = []
        self._owner: list[int] = []
        self._kinds = bytearray()
        self._tokens: list[tuple[tuple[TokenInfo, ...], str]] = []
        self._lists: dict[str, list[int]] | None = defaultdict(list)
        self._postings: dict[str, np.ndarray] = {}
        self._dels: dict[str, list[str]] = {}
        self._cache: dict[int, _Postings] = {}
        self._built = False

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], kind: str = "person",
                   threshold: float = DEFAULT_THRESHOLD) -> NameIndex:  # fmt: skip
        index = cls(kind, threshold)
        index.add_many(pairs)
        return index.build()

    def __len__(self) -> int:
        return len(self._names)

    @property
    def n_ids(self) -> int:
        return len(self._ids)

    def add(self, entity_id: str, name: str, kind: str | None = None) -> None:
        """Add one name of an entity; several names of one id are its aliases."""
        if self._built:
            raise RuntimeError("the index is built: create a new NameIndex to add names")
        kind = kind or self.kind
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        entity_id = str(entity_id)
        pos = self._id_pos.get(entity_id)
        if pos is None:
            pos = self._id_pos[entity_id] = len(self._ids)
            self._ids.append(entity_id)
        norm = normalize(name)
        infos, roles, _forms = split_name(norm, kind)
        alias = len(self._names)
        self._names.append(name)
        self._owner.append(pos)
        self._kinds.append(KINDS.index(kind))
        self._tokens.append((tuple(infos), "".join(roles)))
        lists = self._lists
        assert lists is not None
        seen: set[str] = set()
        for info, role in zip(infos, roles):
            if role == "I":
                # An initial can stand for a query token (V. for Vladimir): index its letters.
                for letter in info.letters:
                    key = "i:" + letter
                    if key not in seen:
                        seen.add(key)
                        lists[key].append(alias)
                continue
            keys = token_keys(info)
            if role == "N" and info.pgender:
                # A patronymic-shaped name ("Vasiliy Ivanovich", a surname Stefanovich) can
                # pair with a query's patronymic: findable from it.
                keys = keys + tuple("np:" + sk for sk in info.skels)
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    lists[key].append(alias)
        if kind == "organization" and len(infos) > 1:
            # Words run together: "Belarus Kali" is found by "Belaruskali" and vice versa.
            joined = "s:" + skeleton("".join(i.keys[0] for i in infos))
            if joined not in seen:
                lists[joined].append(alias)

    def add_many(self, pairs: Iterable[tuple[str, str]], kind: str | None = None) -> None:
        for entity_id, name in pairs:
            self.add(entity_id, name, kind)

    def build(self) -> NameIndex:
        """Freeze the index: postings become arrays, the fuzzy skeleton index is made."""
        if self._built:
            return self
        assert self._lists is not None
        vocab: set[str] = set()
        for key, lst in self._lists.items():
            self._postings[key] = np.asarray(lst, dtype=np.int32)
            if key[:2] in ("s:", "t:") and len(key) - 2 >= FUZZY_MIN_LEN and key[2:] not in vocab:
                vocab.add(key[2:])
                for d in _deletions(key[2:]):
                    self._dels.setdefault(d, []).append(key[2:])
        self._lists = None
        self._owner_arr = np.asarray(self._owner, dtype=np.int32)
        self._has_p = np.fromiter(("P" in roles for _infos, roles in self._tokens), dtype=bool,
                                  count=len(self._tokens))  # fmt: skip
        self._n_name = np.fromiter((roles.count("N") for _i, roles in self._tokens),
                                   dtype=np.int16, count=len(self._tokens))  # fmt: skip
        self._kinds_arr = np.frombuffer(bytes(self._kinds), dtype=np.uint8)
        present = set(self._kinds)
        self._present_kinds = [k for k in KINDS if KINDS.index(k) in present] or [self.kind]
        self._built = True
        return self

    freeze = build

    def _fuzzy(self, skel: str) -> list[str]:
        """Skeletons in the index at Levenshtein distance 1 from skel (skel excluded)."""
        if len(skel) < FUZZY_MIN_LEN - 1:
            return []
        found: set[str] = set()
        for probe in _deletions(skel) | {skel}:
            found.update(self._dels.get(probe, ()))
            if probe != skel and ("s:" + probe in self._postings or "t:" + probe in self._postings):
                found.add(probe)
        found.discard(skel)
        return [f for f in found if len(f) >= FUZZY_MIN_LEN and Levenshtein.distance(f, skel, score_cutoff=1) <= 1]

    def _arrays(self, keys: Iterable[str]) -> list[np.ndarray]:
        return [a for a in (self._postings.get(k) for k in keys) if a is not None]

    def _token_postings(self, info: TokenInfo) -> _Postings:
        """Posting arrays of one query token, cached: query tokens, above all given names,
        recur from query to query."""
        cached = self._cache.get(id(info))
        if cached is not None and cached.info is info:
            return cached
        skel_keys = _skeleton_keys(info)
        other = [k for k in token_keys(info) if k[:2] not in ("s:", "t:")]
        core = self._arrays(dict.fromkeys(skel_keys + other))
        # Tokens that agree with this one and are not both given names (the surname evidence
        # every hit needs, see compare.CAP_GIVEN_ONLY).
        anchor = core if not info.classes else self._arrays(k for k in skel_keys if k[:2] == "s:")
        near = {p + f for sk in info.skels for f in self._fuzzy(sk) for p in ("s:", "t:")}
        initial = self._arrays("i:" + letter for letter in info.letters)
        near_arr, initial_arr = _merge(self._arrays(near)), _merge(initial)
        size = sum(len(a) for a in core) + len(near_arr) + len(initial_arr)
        entry = _Postings(info, _compact(core), anchor, near_arr, initial_arr, size)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[id(info)] = entry
        return entry

    def _candidates(self, q: ParsedName, min_score: float) -> np.ndarray:
        """Aliases that can score >= min_score, most promising first, at most MAX_SCORED."""
        names = [t.info for t in q.tokens if t.role == "N"]
        patronymics = [t.info for t in q.tokens if t.role == "P"]
        required = names or patronymics
        if not required:
            return _EMPTY
        postings = sorted((self._token_postings(i) for i in required), key=lambda p: p.size)
        n = len(required)
        pw = W_PATRONYMIC if (patronymics and names) else 0.0
        h_min = _min_hits(n, pw, min_score)
        if h_min > n:
            return _EMPTY
        # Two ways to list every possible hit; the one with fewer postings is used.
        # (1) A hit holds keys (or near skeletons, or initials) of at least h_min query tokens,
        # so it is in the postings of one of the n - h_min + 1 rarest tokens.
        drivers = [a for p in postings[: n - h_min + 1] for a in p.full]
        if h_min == 1 and n > 1 and q.kind == "person" and min_score > CAP_GIVEN_ONLY:
            # With one token to spare, the rarer ones cover every hit holding two; a hit
            # holding one must agree through a token that is not a given name (else it is
            # capped below min_score): the anchors of the commonest token.
            drivers = [a for p in postings[:-1] for a in p.full] + postings[-1].anchor
        if q.kind == "person" and min_score > CAP_GIVEN_ONLY:
            # (2) A hit agrees with some query token through a token that is not a given name
            # (anchors), or, when every query name is a given name, confirms all of them.
            anchored = [a for p in postings for a in p.anchor]
            if all(p.info.classes for p in postings):
                anchored += postings[0].core
            if sum(map(len, anchored)) < sum(map(len, drivers)):
                drivers = anchored
        if patronymics and names and min_score > CAP_GIVEN_ONLY:
            # A patronymic-shaped name token of a hit may be what agrees with the query's
            # patronymic ("Vasiliy Ivanovich" for "Vasiliy Ivanovich Kutsevalov").
            drivers += self._arrays("np:" + sk for pat in patronymics for sk in pat.skels)
        joined = _EMPTY
        if q.kind == "organization" and len(q.tokens) > 1:
            # Words run together: "Belarus Kali" is found by "Belaruskali" and vice versa.
            joined_key = skeleton("".join(t.info.keys[0] for t in q.tokens))
            joined = _merge(self._arrays(["s:" + joined_key, "t:" + joined_key]))
            drivers.append(joined)
        cands = _merge(drivers)
        if len(cands) == 0:
            return cands
        p_hit = np.zeros(len(cands), dtype=bool)
        if patronymics and names:
            # A different patronymic weighs like a different name: names with a patronymic
            # must share one with the query (names without one stay).
            for pat in patronymics:
                p_hit |= _member_any(cands, self._token_postings(pat).full)
            has_p = self._has_p[cands]
            first = ~has_p | p_hit
            if len(joined):
                first |= _member(cands, joined)
            cands, p_hit = cands[first], p_hit[first]
        # Approximate upper bound of each candidate's score (compare's weights). A query token
        # whose key the candidate holds counts as a perfect pair; one matched only by a
        # skeleton one edit away as at most 0.7 (compare's ceiling for such pairs) with the
        # smallest weight; one matched only by an initial as a perfect initial pair. The
        # query's other name tokens and the candidate's name tokens beyond the hits are
        # unmatched (pairs sharing no key score about 0.5 at most, no better than unmatched
        # for hits above 0.7), except candidate tokens that the query's initials or a shared
        # patronymic can pair with. A candidate below min_score cannot be a hit.
        core_hits = np.zeros(len(cands), dtype=np.int16)
        near_hits = np.zeros(len(cands), dtype=np.int16)
        init_hits = np.zeros(len(cands), dtype=np.int16)
        for p in postings:
            core = _member_any(cands, p.core)
            core_hits += core
            if len(p.near):
                near = ~core & _member(cands, p.near)
                near_hits += near
                core |= near
            if len(p.initial):
                init_hits += ~core & _member(cands, p.initial)
        hits = core_hits + near_hits + init_hits
        has_p = self._has_p[cands]
        q_initials = sum(1 for t in q.tokens if t.role == "I")
        spare = q_initials + (p_hit & ~has_p)
        missing = (len(required) - hits) + np.maximum(self._n_name[cands] - hits - spare, 0)
        near_ok = min_score > CAP_GIVEN_ONLY  # the 0.7 ceiling only bounds hits above it
        near_log = math.log(0.7) if near_ok else 0.0
        near_w = W_PATRONYMIC if near_ok else W_NAME
        num = missing * (W_MISSING_NAME * math.log(S_MISSING_NAME)) + near_hits * (near_w * near_log)
        weight = (core_hits * W_NAME + near_hits * near_w + init_hits * W_INITIAL
                  + missing * W_MISSING_NAME + p_hit * W_PATRONYMIC)  # fmt: skip
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.exp(num / weight)
        keep = (hits > 0) & (bound >= min_score - 1e-9)
        if len(joined):
            keep |= _member(cands, joined)
        kept: np.ndarray = cands[keep]
        if len(kept) > MAX_SCORED:
            order = np.argsort(-core_hits[keep], kind="stable")[:MAX_SCORED]
            kept = kept[np.sort(order)]
        return kept

    def _finish(self, q: ParsedName, scored: dict[int, tuple[float, int]], top_k: int,
                threshold: float) -> list[Hit]:  # fmt: skip
        ranked = heapq.nsmallest(top_k, scored.items(), key=lambda kv: (-kv[1][0], self._ids[kv[0]]))
        # The fast score is compare()'s score (the same alignment, in the same canonical order).
        return [Hit(self._ids[owner], self._names[alias], score, score >= threshold,
                    partial(self._explain, q, alias, threshold))
                for owner, (score, alias) in ranked]

    def _explain(self, q: ParsedName, alias: int, threshold: float) -> str:
        infos, roles = self._tokens[alias]
        return compare_parsed(q, make_parsed(self._names[alias], "", q.kind, infos, roles), threshold).explanation

    def search(self, name: str, top_k: int = 10, kind: str | None = None,
               min_score: float = DEFAULT_MIN_SCORE, threshold: float | None = None) -> list[Hit]:  # fmt: skip
        """Best hit per id, best first, among names scoring >= min_score."""
        return self._search(name, top_k, kind, min_score, threshold, exhaustive=False)

    def search_exhaustive(self, name: str, top_k: int = 10, kind: str | None = None,
                          min_score: float = DEFAULT_MIN_SCORE,
                          threshold: float | None = None) -> list[Hit]:  # fmt: skip
        """Brute force: compare the query with every name (the reference for search())."""
        return self._search(name, top_k, kind, min_score, threshold, exhaustive=True)

    def _search(self, name: str, top_k: int, kind: str | None, min_score: float,
                threshold: float | None, exhaustive: bool) -> list[Hit]:  # fmt: skip
        if not self._built:
            self.build()
        threshold = self.threshold if threshold is None else threshold
        kinds = [kind] if kind else self._present_kinds
        hits: list[Hit] = []
        for knd in kinds:
            if knd not in KINDS:
                raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {knd!r}")
            q = parse_name(name, knd)
            code = KINDS.index(knd)
            if exhaustive:
                cands = np.arange(len(self._names), dtype=np.int32)
            else:
                cands = self._candidates(q, min_score)
            if len(cands):
                cands = cands[self._kinds_arr[cands] == code]
            best: dict[int, tuple[float, int]] = {}
            owners = self._owner_arr[cands].tolist()
            qi = [t.info for t in q.tokens]
            qr = "".join(t.role for t in q.tokens)
            tokens, names = self._tokens, self._names
            for alias, owner in zip(cands.tolist(), owners):
                infos, roles = tokens[alias]
                score = score_tokens(qi, qr, name, infos, roles, names[alias], knd)
                if score >= min_score:
                    kept = best.get(owner)
                    if kept is None or score > kept[0]:
                        best[owner] = (score, alias)
            hits.extend(self._finish(q, best, top_k, threshold))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:top_k]
