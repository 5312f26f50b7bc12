"""NameIndex: search must give the same results as comparing with every name."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from freedomledger.names import NameIndex, compare, generate_aliases
from freedomledger.names.index import _min_hits

FIXTURES = Path(__file__).parent / "fixtures" / "names"


def _list() -> list[tuple[str, str]]:
    with open(FIXTURES / "list.csv", encoding="utf-8") as fh:
        return [(r["id"], r["name"]) for r in csv.DictReader(fh)]


def test_search_finds_cross_script_aliases_with_best_hit_per_id() -> None:
    index = NameIndex.from_pairs(_list())
    hits = index.search("Валянцін Стэфановіч")
    assert [h.id for h in hits] == ["A"]  # two aliases of A, one hit
    assert hits[0].match and hits[0].name == "Valiantsin Stefanovich"
    assert "transliteration" in hits[0].explanation


def test_family_members_are_not_matches() -> None:
    index = NameIndex.from_pairs(_list())
    ids = {h.id for h in index.search("Viktar Babaryka", min_score=0.0) if h.match}
    assert ids == {"D"}
    assert all(h.id != "C" or not h.match for h in index.search("Sviatlana Tsikhanouskaya", min_score=0.0))


@pytest.mark.parametrize("query", ["Lukashenko Alexander", "Валянцін Стэфановіч", "Babaryka V.", "Tsikhanouskaya"])
def test_hits_agree_with_compare(query: str) -> None:
    # The index ranks by its fast score and explains a hit only when asked: both must be what
    # compare() says of the two names.
    index = NameIndex.from_pairs(_list())
    hits = index.search(query, min_score=0.0)
    assert hits
    for hit in hits:
        full = compare(query, hit.name)
        assert hit.score == full.score
        assert hit.match == full.match
        assert hit.explanation == full.explanation


def _corpus(n_people: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    given = ["Аляксандр", "Сяргей", "Мікалай", "Святлана", "Марыя", "Ігар", "Ягор", "Віктар",
             "Эдуард", "Валянцін", "Наталля", "Вольга", "Дзмітрый", "Ганна"]
    surnames = ["Іваноў", "Ціханоўскі", "Статкевіч", "Станкевіч", "Бабарыка", "Лукашэнка",
                "Калеснікаў", "Навумаў", "Шэйман", "Лосік", "Бяляцкі", "Стэфановіч", "Казлоў"]
    patronymics = ["Мікалаевіч", "Уладзіміравіч", "Сяргеевіч", "Рыгоравіч", ""]
    rows = []
    for i in range(n_people):
        name = " ".join(x for x in (rng.choice(given), rng.choice(patronymics), rng.choice(surnames)) if x)
        for alias in rng.sample(generate_aliases(name), 3):
            rows.append((f"e{i}", alias.name))
    return rows


@pytest.mark.parametrize("query", ["Siarhei Ivanou", "Valentin Stefanovich", "Мария Калесникова",
                                   "Ihar Losik", "Mikalai Statkevich", "Lukashenka", "S. Ivanou",
                                   "Siarhei Nikolaevich Ivanou", "IVANOV, Sergei Grigorievich",
                                   "Aliaksandr Uladzimiravich Babaryka"])
def test_search_equals_exhaustive_search(query: str) -> None:
    index = _INDEX
    fast = index.search(query, top_k=10)
    slow = index.search_exhaustive(query, top_k=10)
    assert [h.score for h in fast] == pytest.approx([h.score for h in slow])
    if slow:  # ids may differ only among hits tied with the last one
        cutoff = slow[-1].score + 1e-9
        assert {h.id for h in fast if h.score > cutoff} == {h.id for h in slow if h.score > cutoff}


_INDEX = NameIndex.from_pairs(_corpus(300, seed=3))


def test_organization_words_run_together_are_found() -> None:
    index = NameIndex("organization")
    index.add("bk", "ОАО «Беларуськалий»")
    index.add("bb", "Belarusbank")
    assert [h.id for h in index.search("Belarus Kali")] == ["bk"]
    assert [h.id for h in index.search("OJSC Belaruskali")] == ["bk"]


@pytest.mark.parametrize("query", ["Siarhei Ivanou", "Ihar Losik", "Valiancin Stefanovič"])
def test_low_floor_search_equals_exhaustive_search(query: str) -> None:
    fast = _INDEX.search(query, top_k=10, min_score=0.55)
    slow = _INDEX.search_exhaustive(query, top_k=10, min_score=0.55)
    assert [h.score for h in fast] == pytest.approx([h.score for h in slow])


def test_index_is_frozen_after_build() -> None:
    index = NameIndex.from_pairs([("1", "Ivan Ivanov")])
    with pytest.raises(RuntimeError, match="built"):
        index.add("2", "Petr Petrov")
    assert len(index) == 1 and index.n_ids == 1


def test_search_builds_lazily_and_filters_by_kind() -> None:
    index = NameIndex()
    index.add("bk", "ОАО «Беларуськалий»", kind="organization")
    index.add("p", "Belaruskali Ivan")
    hits = index.search("Belaruskali", kind="organization")
    assert [h.id for h in hits] == ["bk"]
    assert all(h.id == "p" for h in index.search("Ivan Belaruskali", kind="person"))


def test_empty_and_odd_queries_return_nothing_or_hits_without_error() -> None:
    index = NameIndex.from_pairs(_list())
    for query in ["", "   ", "😀", "V. P.", "x" * 5000]:
        assert isinstance(index.search(query), list)


def test_fewest_query_tokens_a_hit_must_hold() -> None:
    assert _min_hits(1, 0.0, 0.7) == 1
    assert _min_hits(2, 0.0, 0.7) == 2  # "Putin" alone scores 0.67 against "Vladimir Putin"
    assert _min_hits(2, 0.5, 0.7) == 1  # an agreeing patronymic adds weight
    assert _min_hits(3, 0.0, 0.7) == 2
    assert _min_hits(2, 0.0, 0.5) == 1
