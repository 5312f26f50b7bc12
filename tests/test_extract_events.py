"""Which events an article yields: only real, recent releases are kind "release"."""

from __future__ import annotations

import datetime as dt

import pytest

from freedomledger.extract import extract_document


def kinds(text: str, published: dt.date) -> list[tuple[str, str | None]]:
    return [(e.kind, e.date) for e in extract_document(text, published=published).events]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Police in Hrodna detained five people on Tuesday over comments online, Viasna said.",
         dt.date(2025, 10, 8), [("arrest", "2025-10-07")]),
        ("A court in Minsk on Tuesday sentenced blogger Dzianis Harbatsevich to four years.",
         dt.date(2025, 11, 5), [("sentence", "2025-11-04")]),
        ("The European Union on Monday imposed sanctions on 25 Belarusian judges.",
         dt.date(2025, 10, 21), [("sanctions_imposed", "2025-10-20")]),
        ("Poland's foreign ministry on Wednesday appointed diplomat Tomasz Wierzbicki as its special "
         "envoy for political prisoners.", dt.date(2026, 1, 15), [("envoy_appointed", "2026-01-14")]),
        ("Viasna released its half-year report on Tuesday, saying 1,100 people remain behind bars. "
         "A press release from the ministry disagreed.", dt.date(2025, 7, 15), []),
        ("Tsikhanouskaya urged Europe to press Minsk to free all political prisoners and said "
         "further releases could follow.", dt.date(2025, 10, 1), []),
    ],
)
def test_non_release_articles(text: str, published: dt.date, expected: list) -> None:
    assert kinds(text, published) == expected


def test_subjects_of_other_events() -> None:
    event = extract_document("A court in Minsk on Tuesday sentenced blogger Dzianis Harbatsevich to "
                             "four years.", published=dt.date(2025, 11, 5)).events[0]
    assert [p.name for p in event.subjects] == ["Dzianis Harbatsevich"]
    assert "subjects" in event.to_dict() and event.released == []


def test_old_release_in_the_lead_is_a_recap() -> None:
    text = ("Ales Bialiatski, freed in December after more than four years in prison, says he will "
            "return to human rights work. He was one of 123 prisoners released on 13 December 2025.")
    events = extract_document(text, published=dt.date(2026, 1, 5)).events
    assert [(e.kind, e.date, e.count) for e in events] == [("release_recap", "2025-12-13", 123)]
    assert [p.name for p in events[0].released] == ["Ales Bialiatski"]


def test_background_mention_of_an_earlier_release_is_a_separate_recap() -> None:
    text = ("Belarus freed 250 political prisoners on Thursday. It follows the release of 52 "
            "prisoners in September 2025. The authorities have released dozens of prisoners in "
            "recent months.")
    events = extract_document(text, published=dt.date(2026, 3, 20)).events
    assert [(e.kind, e.date, e.count) for e in events] == [
        ("release", "2026-03-19", 250), ("release_recap", "2025-09", 52)]


def test_timeline_gives_one_recap_per_release() -> None:
    text = ("How Belarus freed prisoners in 2025.\n\nOn 12 February 2025, three people were freed. "
            "On 21 June, Belarus freed 14 prisoners. On 13 December, 123 prisoners were released.")
    events = extract_document(text, published=dt.date(2026, 1, 10)).events
    assert [(e.kind, e.date, e.count) for e in events] == [
        ("release_recap", "2025-02-12", 3), ("release_recap", "2025-06-21", 14),
        ("release_recap", "2025-12-13", 123)]


def test_opinion_is_never_a_new_release() -> None:
    text = ("Opinion | The prisoners are a currency\n\nLast Saturday's release of 123 prisoners is "
            "welcome. Governments should not lift sanctions.")
    assert kinds(text, dt.date(2025, 12, 20)) == [("release_recap", "2025-12-13")]


def test_undated_release_uses_publication_date_and_says_so() -> None:
    event = extract_document("Belarus has freed 14 prisoners, the foreign ministry said.",
                             published=dt.date(2025, 6, 21)).events[0]
    assert (event.kind, event.date) == ("release", "2025-06-21")
    assert "publication date" in event.date_basis
    dated = extract_document("Belarus freed 14 prisoners on Saturday.", published=dt.date(2025, 6, 21)).events[0]
    assert dated.confidence > event.confidence


def test_concessions_lifted_and_eased_with_targets() -> None:
    text = ("Belarus released 250 political prisoners on Thursday, and the United States eased "
            "sanctions on Belinvestbank, the Development Bank and the Finance Ministry in return. "
            "Washington also lifted the remaining sanctions on potash giant Belaruskali as part of the deal.")
    event = extract_document(text, published=dt.date(2026, 3, 20)).events[0]
    assert [(c.by, c.type, c.targets) for c in event.concessions] == [
        ("US", "sanctions_eased", ["Belinvestbank", "Development Bank", "Finance Ministry"]),
        ("US", "sanctions_lifted", ["Belaruskali"])]


def test_denied_trade_off_is_no_concession() -> None:
    text = ("Lithuania said on Friday that the release of 52 prisoners a day earlier was not in "
            "exchange for lifting Western sanctions.")
    event = extract_document(text, published=dt.date(2025, 9, 12)).events[0]
    assert (event.date, event.concessions) == ("2025-09-11", [])


def test_mediators_from_titles_talks_and_thanks() -> None:
    text = ("Belarus freed 52 prisoners on Thursday after talks with the United States. U.S. envoy "
            "John Coale thanked the Lithuanian government for its help.")
    event = extract_document(text, published=dt.date(2025, 9, 11)).events[0]
    assert [(m.name, m.kind) for m in event.mediators] == [
        ("John Coale", "person"), ("United States", "state"), ("Lithuania", "state")]


def test_belarusian_release() -> None:
    text = ("Сёння, 19 сакавіка, на волю выйшлі 250 палітвязняў. Сярод вызваленых — Марфа Рабкова і "
            "Насця Лойка. 15 чалавек былі вывезеныя ў Літву.")
    result = extract_document(text, published=dt.date(2026, 3, 19))
    event = result.events[0]
    assert (event.kind, event.date, event.count, event.destination) == ("release", "2026-03-19", 250, ["LT"])
    assert [p.name for p in event.released] == ["Марфа Рабкова", "Насця Лойка"]
    assert result.language == "be"
