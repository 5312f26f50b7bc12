"""Date expressions in news text and their resolution against the publication date."""

from __future__ import annotations

import datetime as dt

import dateparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.extract.dates import (
    find_dates,
    weekday_after,
    weekday_before,
    weekday_on_or_before,
)

FRIDAY = dt.date(2026, 3, 20)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def only(text: str, published: dt.date | None = FRIDAY):
    found = find_dates(text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [("Monday", "2026-03-16"), ("Tuesday", "2026-03-17"), ("Wednesday", "2026-03-18"),
     ("Thursday", "2026-03-19"), ("Friday", "2026-03-20"), ("Saturday", "2026-03-14"),
     ("Sunday", "2026-03-15")],
)
def test_bare_weekday_is_the_last_such_day_on_or_before_publication(weekday: str, expected: str) -> None:
    mention = only(f"Belarus freed 250 political prisoners on {weekday}.")
    assert mention.iso() == expected
    assert mention.precision == "day"


def test_basis_says_what_was_written_and_what_it_was_counted_from() -> None:
    mention = only("Belarus freed 250 political prisoners on Thursday following talks.")
    assert mention.basis == "'on Thursday' before 2026-03-20"
    same_day = only("Belarus freed prisoners on Friday.")
    assert same_day.iso() == "2026-03-20"
    assert "publication day" in same_day.basis


def test_last_and_next_weekday_and_future_tense() -> None:
    assert only("He was freed last Friday.").iso() == "2026-03-13"
    assert only("They will meet next Monday.").iso() == "2026-03-23"
    assert only("The envoy will return to Minsk on Tuesday.").iso() == "2026-03-24"


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 6))
def test_weekday_rules_property(published: dt.date, weekday: int) -> None:
    on_or_before = weekday_on_or_before(weekday, published)
    before = weekday_before(weekday, published)
    after = weekday_after(weekday, published)
    for day in (on_or_before, before, after):
        assert day.weekday() == weekday
    assert 0 <= (published - on_or_before).days <= 6
    assert 1 <= (published - before).days <= 7
    assert 1 <= (after - published).days <= 7


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("freed on December 13, 2025.", "2025-12-13", "day"),
        ("freed on 13 December 2025.", "2025-12-13", "day"),
        ("freed on 13.12.2025.", "2025-12-13", "day"),
        ("freed on 2025-12-13.", "2025-12-13", "day"),
        ("freed on Dec. 13.", "2025-12-13", "day"),
        ("released on Sept. 11, 2025.", "2025-09-11", "day"),
        ("freed in December.", "2025-12", "month"),
        ("freed in June 2025.", "2025-06", "month"),
        ("freed in mid-December.", "2025-12", "month"),
        ("freed last June.", "2025-06", "month"),
        ("In 2025, three groups were freed.", "2025", "year"),
        ("freed yesterday.", "2026-03-19", "day"),
        ("Yesterday, Belarus freed", "2026-03-19", "day"),
        ("freed three days ago.", "2026-03-17", "day"),
        ("freed last month.", "2026-02", "month"),
        ("freed last year.", "2025", "year"),
        ("freed last week.", "2026-03-09..2026-03-15", "range"),
    ],
)
def test_absolute_and_relative_english(text: str, iso: str, precision: str) -> None:
    mention = only(text)
    assert (mention.iso(), mention.precision) == (iso, precision)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("освобождены 13 декабря 2025 года", "2025-12-13"),
        ("освобождены в четверг", "2026-03-19"),
        ("освободили в пятницу", "2026-03-20"),
        ("вызвалілі 19 сакавіка", "2026-03-19"),
        ("вызвалены ў чацвер", "2026-03-19"),
        ("вызвалены ў пятніцу", "2026-03-20"),
        ("освобождены вчера", "2026-03-19"),
        ("вызвалены ўчора", "2026-03-19"),
        ("у снежні 2025 года", "2025-12"),
        ("в декабре", "2025-12"),
    ],
)
def test_russian_and_belarusian(text: str, iso: str) -> None:
    assert only(text).iso() == iso


def test_day_and_month_without_year_is_not_after_publication() -> None:
    # Published in March 2026: "December 13" is December 2025, "March 19" is this year.
    assert only("freed on December 13.").iso() == "2025-12-13"
    assert only("freed on March 19.").iso() == "2026-03-19"


def test_a_day_earlier_counts_from_the_date_given_before_it() -> None:
    found = find_dates("The ministry said on Friday that the release a day earlier was no trade-off.",
                       dt.date(2025, 9, 13))
    assert [d.iso() for d in found] == ["2025-09-12", "2025-09-11"]


def test_relative_dates_without_publication_date_stay_unresolved() -> None:
    mention = only("Belarus freed 52 prisoners on Thursday.", published=None)
    assert mention.first is None and mention.iso() is None
    assert "no publication date" in mention.basis
    assert only("freed on 13 December 2025.", published=None).iso() == "2025-12-13"


def test_words_that_look_like_months_are_not_dates() -> None:
    assert find_dates("The march was peaceful and officials may decide later.", FRIDAY) == []
    assert find_dates("He spent 2020 election night in a cell.", FRIDAY) == []


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.booleans())
def test_explicit_dates_agree_with_dateparser(day: dt.date, day_first: bool) -> None:
    # dateparser is an independent oracle for written-out dates.
    text = (f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day_first
            else f"{_MONTHS[day.month - 1]} {day.day}, {day.year}")
    mention = only(f"They were freed on {text}.")
    parsed = dateparser.parse(text, languages=["en"])
    assert parsed is not None
    assert mention.iso() == parsed.date().isoformat() == day.isoformat()
