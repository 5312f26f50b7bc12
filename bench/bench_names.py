"""Benchmark of the name engine: match quality on real labelled pairs, search quality, and
index speed/recall at scale on a synthetic corpus.

    .venv/bin/python bench/bench_names.py                 # everything, 1,000,000 aliases
    .venv/bin/python bench/bench_names.py --size 100000   # smaller index
    .venv/bin/python bench/bench_names.py --skip-scale    # quality only (~30 s)

Results go to stdout (and to --json-out). docs/benchmarks.md records one run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from anyascii import anyascii
from bench_names_corpus import load_pools, make_corpus, make_queries
from bench_names_data import Pair, build_pairs, load_people, load_uk_belarus
from rapidfuzz import fuzz, process

from freedomledger.names import DEFAULT_THRESHOLD, NameIndex, compare, parse_name
from freedomledger.names.compare import score_tokens, token_similarity
from freedomledger.names.index import DEFAULT_MIN_SCORE

REPO = Path(__file__).resolve().parent.parent


def _baseline_text(name: str) -> str:
    return anyascii(name).lower()


def baseline_score(a: str, b: str) -> float:
    return fuzz.token_sort_ratio(_baseline_text(a), _baseline_text(b)) / 100.0


def prf(labels: list[bool], scores: list[float], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for y, s in zip(labels, scores) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores) if y and s < threshold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_threshold(labels: list[bool], scores: list[float]) -> float:
    grid = sorted(set(round(s, 3) for s in scores))
    return max(grid, key=lambda t: (prf(labels, scores, t)[2], -abs(t - 0.85)))


def subset_name(p: Pair) -> str:
    if p.category == "watchman_other_scripts":
        return "other scripts (Arabic, CJK, Greek...)"
    if p.cross_script:
        return "cross-script Cyrillic <-> Latin"
    return "Latin <-> Latin (be/ru spellings)"


def quality(data: Path, n_peps: int, n_neg: int, seed: int) -> dict[str, object]:
    pairs = build_pairs(data, seed=seed, n_peps=n_peps, n_neg=n_neg)
    t0 = time.perf_counter()
    ours = [compare(p.a, p.b).score for p in pairs]
    t_ours = time.perf_counter() - t0
    base = [baseline_score(p.a, p.b) for p in pairs]
    labels = [p.same for p in pairs]
    rng = random.Random(seed)
    dev = [rng.random() < 0.5 for _ in pairs]
    dev_y = [y for y, d in zip(labels, dev) if d]
    dev_s = [s for s, d in zip(ours, dev) if d]
    calibrated = best_threshold(dev_y, dev_s)
    precise = min((t for t in sorted(set(round(x, 3) for x in dev_s)) if prf(dev_y, dev_s, t)[0] >= 0.999),
                  default=None)  # fmt: skip
    base_thr = best_threshold(labels, base)
    report: dict[str, object] = {"pairs": len(pairs), "compare_per_s": len(pairs) / t_ours,
                                 "threshold_default": DEFAULT_THRESHOLD,
                                 "threshold_best_f1_on_dev": calibrated,
                                 "threshold_lowest_with_precision_0.999_on_dev": precise,
                                 "baseline_threshold": base_thr, "subsets": {}, "categories": {}}  # fmt: skip
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        groups[subset_name(p)].append(i)
        groups["all"].append(i)
    for name, idx in groups.items():
        y = [labels[i] for i in idx]
        o = [ours[i] for i in idx]
        b = [base[i] for i in idx]
        yt = [labels[i] for i in idx if not dev[i]]
        ot = [ours[i] for i in idx if not dev[i]]
        report["subsets"][name] = {  # type: ignore[index]
            "n": len(idx), "positives": sum(y),
            "ours": prf(y, o, DEFAULT_THRESHOLD),
            "ours_test_half": prf(yt, ot, DEFAULT_THRESHOLD),
            "baseline": prf(y, b, base_thr),
            "baseline_own_best": prf(y, b, best_threshold(y, b)) if len(set(y)) > 1 else None,
        }  # fmt: skip
    cats: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        cats[p.category].append(i)
    for cat, idx in sorted(cats.items()):
        ok = sum((ours[i] >= DEFAULT_THRESHOLD) == labels[i] for i in idx)
        okb = sum((base[i] >= base_thr) == labels[i] for i in idx)
        report["categories"][cat] = {"n": len(idx), "ours_accuracy": ok / len(idx),  # type: ignore[index]
                                     "baseline_accuracy": okb / len(idx)}  # fmt: skip
    return report


def search_quality(data: Path, n_queries: int, seed: int) -> dict[str, object]:
    """Recall@1/@10 of the right entity, real names: RuPEP persons indexed by their Cyrillic
    name and searched by their Latin name; UK Belarus subjects with one spelling held out."""
    rng = random.Random(seed)
    people = load_people(data)
    entries: list[tuple[str, str]] = [(f"P{i}", p.cyrillic_name()) for i, p in enumerate(people)]
    queries: list[tuple[str, str]] = []
    for i in rng.sample(range(len(people)), min(n_queries, len(people))):
        queries.append((f"P{i}", people[i].latin_name()))
    for uid, names in load_uk_belarus(data).items():
        if len(names) < 2:
            continue
        held = rng.randrange(len(names))
        queries.append((uid, names[held]))
        entries.extend((uid, n) for k, n in enumerate(names) if k != held)
    index = NameIndex.from_pairs(entries)
    choices = [_baseline_text(n) for _id, n in entries]
    owners = [i for i, _n in entries]
    # Namesakes: the sources list some people twice (RuPEP and the UK list, or two RuPEP
    # records) and different people with one name; a top hit whose indexed name is the
    # truth's name letter for letter (ё as е) cannot be told apart by name and is counted.
    spelled: dict[str, set[str]] = defaultdict(set)
    for i, n in entries:
        spelled[i].add(anyascii(n.replace("ё", "е").replace("Ё", "Е")).lower())
    found = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}

    def tally(key: str, qid: str, ids: list[str]) -> None:
        found[key][0] += ids[:1] == [qid]
        found[key][1] += bool(ids) and (ids[0] == qid or bool(spelled[ids[0]] & spelled[qid]))
        found[key][2] += qid in ids[:10]

    t0 = time.perf_counter()
    for qid, q in queries:
        tally("ours", qid, [h.id for h in index.search(q, top_k=10)])
    t_ours = time.perf_counter() - t0
    for qid, q in queries:
        seen: list[str] = []
        for _c, _s, k in process.extract(_baseline_text(q), choices, scorer=fuzz.token_sort_ratio, limit=40):
            if owners[k] not in seen:
                seen.append(owners[k])
        tally("baseline", qid, seen)
    n = len(queries)
    return {"queries": n, "index_names": len(entries), "ours_qps": n / t_ours,
            "recall@1": found["ours"][0] / n, "recall@1_namesakes_count": found["ours"][1] / n,
            "recall@10": found["ours"][2] / n, "baseline_recall@1": found["baseline"][0] / n,
            "baseline_recall@1_namesakes_count": found["baseline"][1] / n,
            "baseline_recall@10": found["baseline"][2] / n}  # fmt: skip


def _vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class VocabReference:
    """Exact top-k without the index: every distinct token of the corpus is compared with
    the query tokens; a name scoring above CAP_NO_NAME (0.5) must contain a token with
    similarity >= 0.8 to a query token (compare caps all others at 0.5), so scoring exactly
    the names holding such a token gives the brute-force result for min_score > 0.5."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index
        by_token: dict[int, list[int]] = defaultdict(list)
        self.vocab: dict[int, object] = {}
        for alias, (infos, _roles) in enumerate(index._tokens):
            for info in infos:
                by_token[id(info)].append(alias)
                self.vocab[id(info)] = info
        self.by_token = {k: np.asarray(v, dtype=np.int32) for k, v in by_token.items()}

    def search(self, query: str, top_k: int, min_score: float) -> list[float]:
        q = parse_name(query)
        qtok = [t.info for t in q.tokens if t.role != "I"]
        arrays = [self.by_token[k] for k, v in self.vocab.items()
                  if any(token_similarity(a, v)[0] >= 0.8 for a in qtok)]  # type: ignore[arg-type]
        if not arrays:
            return []
        cands = np.unique(np.concatenate(arrays))
        best: dict[int, float] = {}
        qi = [t.info for t in q.tokens]
        qr = "".join(t.role for t in q.tokens)
        idx = self.index
        for alias in cands.tolist():
            infos, roles = idx._tokens[alias]
            s = score_tokens(qi, qr, query, infos, roles, idx._names[alias], "person")
            owner = idx._owner[alias]
            if s >= min_score and s > best.get(owner, -1.0):
                best[owner] = s
        return sorted(best.values(), reverse=True)[:top_k]


def recall_against(ref: list[float], got: list[float]) -> tuple[int, int]:
    """Hits of the reference top-k that the index matched (ties count as found)."""
    return sum(1 for i, s in enumerate(ref) if i < len(got) and got[i] >= s - 1e-9), len(ref)


def scale(data: Path, size: int, n_queries: int, n_ref: int, n_brute: int, seed: int) -> dict[str, object]:
    t0 = time.perf_counter()
    rows, templates = make_corpus(data, size, seed)
    t_corpus = time.perf_counter() - t0
    peak_ok = _reset_peak()
    rss0 = _vm("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    index = NameIndex()
    index.add_many(rows)
    index.build()
    t_build, c_build = time.perf_counter() - t0, time.process_time() - c0
    peak = _vm("VmHWM")
    rss1 = _vm("VmRSS")
    pools = load_pools(data)
    for q in make_queries(templates, pools, 50, data, seed + 100):
        index.search(q)  # warm-up
    # Three passes over three different query sets; the median pass is reported.
    passes = []
    for rep in range(3):
        qs = make_queries(templates, pools, n_queries, data, seed + 1 + rep)
        t0, c0 = time.perf_counter(), time.process_time()
        res = [index.search(q, top_k=10) for q in qs]
        passes.append((time.process_time() - c0, time.perf_counter() - t0, qs, res))
    c_search, t_search, queries, results = sorted(passes, key=lambda p: p[0])[1]
    qps_passes = [round(n_queries / p[0]) for p in passes]
    sample = random.Random(seed).sample(range(len(queries)), min(n_ref, len(queries)))
    ref = VocabReference(index)
    found = total = 0
    t0 = time.perf_counter()
    for k in sample:
        f, n = recall_against(ref.search(queries[k], 10, DEFAULT_MIN_SCORE), [h.score for h in results[k]])
        found += f
        total += n
    t_ref = time.perf_counter() - t0
    brute_agree = 0
    t0 = time.perf_counter()
    for k in sample[:n_brute]:
        brute = [h.score for h in index.search_exhaustive(queries[k], top_k=10)]
        brute_agree += ref.search(queries[k], 10, DEFAULT_MIN_SCORE) == brute
    t_brute = time.perf_counter() - t0
    n_q = len(queries)
    return {
        "aliases": len(index), "entities": index.n_ids, "corpus_s": t_corpus,
        "build_s": t_build, "build_cpu_s": c_build,
        "build_peak_rss_mb": peak / 2**20 if peak_ok else None,
        "rss_before_build_mb": rss0 / 2**20, "rss_after_build_mb": rss1 / 2**20,
        "queries": n_q, "qps": n_q / t_search, "qps_cpu": n_q / c_search,
        "qps_cpu_each_pass": qps_passes,
        "ms_per_query": 1000 * t_search / n_q, "ref_queries": len(sample),
        "recall@10_vs_exact": found / total if total else None, "ref_hits": total, "ref_s": t_ref,
        "brute_force_checked": min(n_brute, len(sample)),
        "reference_equals_brute_force": brute_agree, "brute_s": t_brute,
    }  # fmt: skip


def _fmt(report: dict[str, object]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--size", type=int, default=1_000_000, help="aliases in the synthetic index")
    ap.add_argument("--queries", type=int, default=2000, help="timed queries on the synthetic index")
    ap.add_argument("--ref-queries", type=int, default=100, help="queries checked against the exact reference")
    ap.add_argument("--brute-queries", type=int, default=2, help="queries also run by literal brute force")
    ap.add_argument("--pairs", type=int, default=3000, help="RuPEP positive pairs in the quality set")
    ap.add_argument("--negatives", type=int, default=800, help="hard negatives per kind")
    ap.add_argument("--search-queries", type=int, default=2000, help="real-data search queries")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    if not (args.data / "README.md").exists():
        sys.exit(f"data folder {args.data} not found; pass --data")
    out: dict[str, object] = {}
    if not args.skip_scale:
        # First, in a fresh process, as a screening run would build and search its index.
        out["scale"] = scale(args.data, args.size, args.queries, args.ref_queries, args.brute_queries, args.seed)
        print("== index at scale\n" + _fmt(out["scale"]), flush=True)  # type: ignore[arg-type]
    if not args.skip_quality:
        out["quality"] = quality(args.data, args.pairs, args.negatives, args.seed)
        print("== match quality\n" + _fmt(out["quality"]), flush=True)  # type: ignore[arg-type]
        out["search"] = search_quality(args.data, args.search_queries, args.seed)
        print("== search quality (real names)\n" + _fmt(out["search"]), flush=True)  # type: ignore[arg-type]
    if args.json_out:
        args.json_out.write_text(_fmt(out), encoding="utf-8")


if __name__ == "__main__":
    main()
