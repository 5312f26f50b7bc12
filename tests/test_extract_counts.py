"""Numbers in words and digits, count phrases, qualifiers and subsets."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.extract import extract_document
from freedomledger.extract.counts import find_counts
from freedomledger.extract.numbers import number_to_words, parse_number

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def british_words(n: int) -> str:
    """An independent spelling: British style, with "and" and hyphens ("two hundred and fifty")."""
    if n < 20:
        return _UNITS[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _UNITS[n % 10])
    rest = n % 100
    return _UNITS[n // 100] + " hundred" + ("" if rest == 0 else " and " + british_words(rest))


@given(st.integers(0, 999))
def test_number_words_round_trip_british(n: int) -> None:
    assert parse_number(british_words(n)) == n


@given(st.integers(0, 999), st.sampled_from(["en", "ru", "be"]))
def test_number_words_round_trip_icu_spelling(n: int, locale: str) -> None:
    assert parse_number(number_to_words(n, locale)) == n


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,100", 1100), ("1 100", 1100), ("250", 250), ("Fourteen", 14), ("a dozen", 12),
     ("one thousand two hundred", 1200), ("ста двадцати трём", 123), ("пятидесяти двух", 52),
     ("трое", 3), ("дзвесце пяцьдзесят", 250), ("political", None), ("", None)],
)
def test_parse_number(text: str, value: int | None) -> None:
    assert parse_number(text) == value


def counts(text: str, releasing: str | None = "BY"):
    return [(c.value, c.qualifier, c.role, c.destination) for c in find_counts(text, 0, len(text), releasing)]


def test_total_with_qualifier_and_words() -> None:
    assert counts("Belarus freed more than 50 political prisoners.") == [(50, "more_than", "total", None)]
    assert counts("At least 18 people were pardoned.") == [(18, "at_least", "total", None)]
    assert counts("Lukashenko pardoned two hundred and fifty people.") == [(250, None, "total", None)]
    assert counts("It has released dozens of prisoners in recent months.") == [(None, "dozens", "cumulative", None)]


def test_subsets_are_not_totals() -> None:
    assert counts("Fourteen foreigners were among the 52 freed.") == [
        (14, None, "subset", None), (52, None, "total", None)]
    assert counts("Belarus released 123 prisoners; 114 were taken to Ukraine and nine to Lithuania.") == [
        (123, None, "total", None), (114, None, "subset", "UA"), (9, None, "subset", "LT")]
    assert counts("Six Lithuanians and two Poles were among them.") == [
        (6, None, "subset", None), (2, None, "subset", None)]
    assert counts("Беларусь освободила 52 политзаключённых, среди них 14 иностранцев.") == [
        (52, None, "total", None), (14, None, "subset", None)]


def test_people_still_held_and_years_are_not_release_counts() -> None:
    assert counts("Belarus still holds more than 1,100 political prisoners.") == [
        (1100, "more_than", "held", None)]
    assert counts("He was sentenced to 15 years in 2021.") == []


def test_event_count_uses_the_total_not_the_subset() -> None:
    text = ("Belarus freed 250 political prisoners on Thursday. Of those freed, 15 were taken to "
            "Lithuania. Belarus still holds more than 1,000 people.")
    event = extract_document(text, published=dt.date(2026, 3, 20)).events[0]
    assert (event.count, event.count_text) == (250, "250 political prisoners")
    assert [(p.count, p.destination) for p in event.count_parts] == [(15, "LT")]
    assert event.destination == ["LT"]


def test_named_person_plus_others_is_the_total() -> None:
    text = "Belarus on Saturday freed Siarhei Tsikhanouski and 13 other prisoners."
    assert extract_document(text, published=dt.date(2025, 6, 21)).events[0].count == 14


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_no_crash_on_arbitrary_text(text: str) -> None:
    result = extract_document(text, published=dt.date(2026, 3, 20))
    data = result.to_dict()
    assert isinstance(data["events"], list)
    for event in result.events:
        for person in event.released:
            start, end = person.span
            assert 0 <= start < end <= len(text)


_WORDS = st.sampled_from(["Belarus", "freed", "released", "pardoned", "250", "fourteen", "prisoners",
                          "on", "Thursday", "including", "John", "Coale", "Marfa", "Rabkova", "not",
                          "among", "sanctions", "lifted", "in", "return", "«Вясна»", "освобождены",
                          "13", "December", ",", ".", "\n\n", '"', "U.S.", "envoy", "Lithuania"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=60))
def test_no_crash_on_news_like_word_salad(words: list[str]) -> None:
    text = " ".join(words)
    result = extract_document(text, published=dt.date(2026, 3, 20))
    for event in result.events:
        assert 0.0 <= event.confidence <= 1.0
        for person in event.released:
            # The span is the mention: the full name, or its surname when written alone.
            written = " ".join(text[person.span[0]:person.span[1]].split())
            assert written in (person.name, person.name.split()[-1])
