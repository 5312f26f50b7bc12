"""Quality and speed of news extraction on the labelled corpus in bench/corpus.

    .venv/bin/python bench/bench_extract.py                   # quality per split + throughput
    .venv/bin/python bench/bench_extract.py --split heldout -v  # one split, with every mismatch
    .venv/bin/python bench/bench_extract.py --canonical ../shared/data/examples/belarus-250-release-2026-03.txt

Quality: each article in corpus/manifest.json is read the way `freedomledger extract` reads it
and compared with corpus/expected/<article>.json. Events are paired by kind (same date first);
each field is scored as micro precision/recall over all documents of the split.
Speed: extraction (reading excluded) on articles padded to about 3 KB, one process, after
warm-up, so start-up is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from freedomledger.extract import extract, extract_document, read_documents  # noqa: E402
from freedomledger.extract.text import parse_published  # noqa: E402

FIELDS = ("release events", "recap events", "other events", "date", "count", "released names",
          "destination", "mediators", "concession targets", "reported_by", "statement speakers")


def _norm(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


class Score:
    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.fp: dict[str, int] = defaultdict(int)
        self.fn: dict[str, int] = defaultdict(int)
        self.notes: list[str] = []

    def add_sets(self, field: str, predicted: set[Any], expected: set[Any], where: str) -> None:
        self.tp[field] += len(predicted & expected)
        self.fp[field] += len(predicted - expected)
        self.fn[field] += len(expected - predicted)
        for item in sorted(map(str, predicted - expected)):
            self.notes.append(f"{where}: {field}: unexpected {item}")
        for item in sorted(map(str, expected - predicted)):
            self.notes.append(f"{where}: {field}: missed {item}")

    def row(self, field: str) -> tuple[str, str, str, int, int, int]:
        tp, fp, fn = self.tp[field], self.fp[field], self.fn[field]
        p = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        r = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        f1 = "-"
        if tp:
            pv, rv = tp / (tp + fp), tp / (tp + fn)
            f1 = f"{2 * pv * rv / (pv + rv):.2f}"
        return p, r, f1, tp, fp, fn


def _event_kind_field(kind: str) -> str:
    return {"release": "release events", "release_recap": "recap events"}.get(kind, "other events")


def _pair(predicted: list[dict], expected: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    pairs = []
    left_p = list(predicted)
    left_e = list(expected)
    for exact in (True, False):
        for e in list(left_e):
            for p in left_p:
                if p["kind"] != e["kind"]:
                    continue
                if exact and p.get("date") != e.get("date"):
                    continue
                if not exact and not (p.get("date") or "").startswith((e.get("date") or "")[:7]):
                    continue
                pairs.append((p, e))
                left_p.remove(p)
                left_e.remove(e)
                break
    return pairs, left_p, left_e


def _items(event: dict, field: str, key: int) -> set[Any]:
    if field == "released names":
        names = event.get("released", [])
        return {(key, _norm(n if isinstance(n, str) else n["name"])) for n in names}
    if field == "destination":
        return {(key, d) for d in event.get("destination", [])}
    if field == "mediators":
        return {(key, _norm(m["name"]), m["kind"]) for m in event.get("mediators", [])}
    if field == "concession targets":
        return {(key, c.get("by"), c.get("type"), _norm(t)) for c in event.get("concessions", [])
                for t in c.get("targets", [])}
    if field == "reported_by":
        return {(key, _norm(r)) for r in event.get("reported_by", [])}
    raise KeyError(field)


def score_document(score: Score, predicted: dict, expected: dict, where: str) -> None:
    p_events = predicted["events"]
    e_events = expected["events"]
    pairs, extra, missed = _pair(p_events, e_events)
    for p, e in pairs:
        score.tp[_event_kind_field(e["kind"])] += 1
    for p in extra:
        score.fp[_event_kind_field(p["kind"])] += 1
        score.notes.append(f"{where}: unexpected event {p['kind']} {p.get('date')} count={p.get('count')}")
    for e in missed:
        score.fn[_event_kind_field(e["kind"])] += 1
        score.notes.append(f"{where}: missed event {e['kind']} {e.get('date')} count={e.get('count')}")
    # Fields: items of paired events share a key so they can match; unpaired ones cannot.
    paired_pred = {id(p): i for i, (p, _) in enumerate(pairs)}
    paired_exp = {id(e): i for i, (_, e) in enumerate(pairs)}
    for field in ("released names", "destination", "mediators", "concession targets", "reported_by"):
        pred_items: set[Any] = set()
        exp_items: set[Any] = set()
        for n, p in enumerate(p_events):
            pred_items |= _items(p, field, paired_pred.get(id(p), 1000 + n))
        for n, e in enumerate(e_events):
            exp_items |= _items(e, field, paired_exp.get(id(e), 2000 + n))
        score.add_sets(field, pred_items, exp_items, where)
    pred_dates = {(paired_pred.get(id(p), 1000 + n), p.get("date"), p.get("date_precision"))
                  for n, p in enumerate(p_events)}
    exp_dates = {(paired_exp.get(id(e), 2000 + n), e.get("date"), e.get("date_precision"))
                 for n, e in enumerate(e_events)}
    score.add_sets("date", pred_dates, exp_dates, where)
    pred_counts = {(paired_pred.get(id(p), 1000 + n), p.get("count")) for n, p in enumerate(p_events)
                   if p.get("count") is not None}
    exp_counts = {(paired_exp.get(id(e), 2000 + n), e.get("count")) for n, e in enumerate(e_events)
                  if e.get("count") is not None}
    score.add_sets("count", pred_counts, exp_counts, where)
    if "statements" in expected:
        pred_speakers = {(s["speaker"] and _norm(s["speaker"]), s["channel"]) for s in predicted["statements"]}
        exp_speakers = {(s["speaker"] and _norm(s["speaker"]), s["channel"]) for s in expected["statements"]}
        score.add_sets("statement speakers", pred_speakers, exp_speakers, where)


def evaluate(corpus: Path, split: str) -> tuple[Score, int, int, list[str]]:
    manifest = json.loads((corpus / "manifest.json").read_text())
    score = Score()
    articles = documents = 0
    false_releases: list[str] = []
    for entry in manifest["articles"]:
        if split != "all" and entry["split"] != split:
            continue
        articles += 1
        published = parse_published(entry.get("published"), "manifest")
        docs = read_documents(corpus / entry["article"], published=published)
        expected = json.loads((corpus / entry["expected"]).read_text())["documents"]
        if len(docs) != len(expected):
            raise SystemExit(f"{entry['article']}: {len(docs)} documents but {len(expected)} expected")
        for number, (doc, exp) in enumerate(zip(docs, expected, strict=True), start=1):
            documents += 1
            result = extract(doc).to_dict()
            where = entry["id"] + (f"#{number}" if len(docs) > 1 else "")
            score_document(score, result, exp, where)
            if not any(e["kind"] == "release" for e in exp["events"]) and \
                    any(e["kind"] == "release" for e in result["events"]):
                false_releases.append(where)
    return score, articles, documents, false_releases


def print_quality(corpus: Path, split: str, verbose: bool) -> None:
    score, articles, documents, false_releases = evaluate(corpus, split)
    print(f"\n## Quality, split {split}: {articles} articles, {documents} documents\n")
    print("| field | precision | recall | F1 | TP | FP | FN |")
    print("|---|---|---|---|---|---|---|")
    for field in FIELDS:
        p, r, f1, tp, fp, fn = score.row(field)
        if tp + fp + fn:
            print(f"| {field} | {p} | {r} | {f1} | {tp} | {fp} | {fn} |")
    print(f"\nrelease events proposed for documents that report no new release: "
          f"{len(false_releases)} {false_releases if false_releases else ''}")
    if verbose:
        print("\nMismatches:")
        for note in score.notes:
            print("  " + note)


_PADDING = (
    "Belarus has been ruled by the same leader since 1994, and the West imposed sanctions over "
    "the handling of the 2020 election and the crackdown that followed. Diplomats in the region "
    "say contacts between Minsk and Western capitals remain limited and are mostly conducted "
    "through intermediaries. Economists note that potash and oil products make up a large share "
    "of the country's exports, which were redirected towards Russia and China after the "
    "sanctions. Human rights groups say the courts continue to hand down long prison terms for "
    "social media posts, donations to opposition funds and taking part in protests. "
)


def throughput(corpus: Path, seconds: float) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    texts = []
    for entry in manifest["articles"]:
        published = parse_published(entry.get("published"), "manifest")
        for doc in read_documents(corpus / entry["article"], published=published):
            text = doc.text
            while len(text.encode()) < 3000:
                text += "\n\n" + _PADDING
            texts.append((text[:3200], doc.published))
    for text, published in texts:  # warm-up: lexicons, regex compilation, caches
        extract_document(text, published=published)
    timings = []
    done = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    while time.perf_counter() - start < seconds:
        for text, published in texts:
            t0 = time.process_time()
            extract_document(text, published=published)
            timings.append(time.process_time() - t0)
            done += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = statistics.mean(len(t.encode()) for t, _ in texts)
    # CPU time of this process is the per-core figure; wall time also counts other processes
    # competing for the core, so both are printed.
    print(f"\n## Throughput\n\n{done} extractions of {len(texts)} distinct articles "
          f"(mean {size / 1000:.1f} KB), one process: {done / cpu:.0f} articles per CPU-second "
          f"(median {statistics.median(timings) * 1000:.2f} ms CPU per article); "
          f"wall clock {done / elapsed:.0f} articles/s over {elapsed:.1f} s "
          f"(load average at the end: {os.getloadavg()[0]:.1f}).")


def canonical(path: Path) -> None:
    result = extract_document(path.read_text(encoding="utf-8"), published="2026-03-20")
    print("\n## Canonical example\n")
    print(json.dumps(result.to_dict()["events"], ensure_ascii=False, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO / "bench" / "corpus")
    parser.add_argument("--split", choices=("dev", "heldout", "all", "each"), default="each")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput measuring time")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--canonical", type=Path,
                        default=REPO.parent / "shared" / "data" / "examples" / "belarus-250-release-2026-03.txt")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args()
    splits = ("dev", "heldout", "all") if args.split == "each" else (args.split,)
    for split in splits:
        print_quality(args.corpus, split, args.verbose)
    if args.canonical.exists():
        canonical(args.canonical)
    else:
        print(f"\n(canonical example not found at {args.canonical}; skipped)")
    if not args.no_speed:
        throughput(args.corpus, args.seconds)


if __name__ == "__main__":
    main()
