"""Who was freed: names in the freed slot, and everyone else left out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from freedomledger.extract import extract_document
from freedomledger.extract.people import find_people

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def released(text: str, published: dt.date = dt.date(2026, 3, 20)) -> list[str]:
    events = [e for e in extract_document(text, published=published).events if e.kind == "release"]
    return [p.name for e in events for p in e.released]


def test_list_cue_after_release() -> None:
    text = ("Belarus freed 250 political prisoners on Thursday. Among those released were human "
            "rights activists Valentin Stefanovich, Marfa\nRabkova and Anastasiya Loika, Belarusian "
            "rights group Viasna reported.")
    assert released(text) == ["Valentin Stefanovich", "Marfa Rabkova", "Anastasiya Loika"]


def test_active_passive_and_including() -> None:
    assert released("Belarus on Saturday freed Ales Bialiatski and Maria Kalesnikava.",
                    dt.date(2025, 12, 13)) == ["Ales Bialiatski", "Maria Kalesnikava"]
    assert released("Ihar Losik and Irina Slavnikova were freed on Thursday.",
                    dt.date(2025, 9, 12)) == ["Ihar Losik", "Irina Slavnikova"]
    assert released("Belarus released 123 prisoners on Saturday, including Viktar Babaryka.",
                    dt.date(2025, 12, 13)) == ["Viktar Babaryka"]


def test_agents_mediators_speakers_and_relatives_are_not_freed() -> None:
    text = ("Belarus on Saturday freed Siarhei Tsikhanouski, the husband of opposition leader "
            "Sviatlana Tsikhanouskaya, hours after U.S. envoy Keith Kellogg met President "
            "Alexander Lukashenko. Tsikhanouskaya said she was grateful.")
    assert released(text, dt.date(2025, 6, 21)) == ["Siarhei Tsikhanouski"]


def test_people_not_freed_or_taken_back_are_left_out() -> None:
    text = FIXTURES.joinpath("release-wire.txt").read_text(encoding="utf-8")
    names = released(text, dt.date(2025, 9, 12))
    assert names == ["Ihar Losik", "Irina Slavnikova"]
    assert "Mikalai Statkevich" not in names and "John Coale" not in names


def test_not_among_those_freed() -> None:
    text = ("Human Rights Watch said on Monday that Valiantsin Stefanovich, Marfa Rabkova and Nasta "
            "Loika were not among the 123 prisoners Belarus released on Saturday. Ales Bialiatski, "
            "who was freed on Saturday, had spent four years in custody, while Stefanovich remains "
            "in prison.")
    assert released(text, dt.date(2025, 12, 15)) == ["Ales Bialiatski"]


def test_calls_for_release_name_nobody() -> None:
    text = ("Opposition leader Sviatlana Tsikhanouskaya on Wednesday urged Minsk to free Maria "
            "Kalesnikava and called for the release of Ales Bialiatski.")
    assert extract_document(text, published=dt.date(2025, 10, 1)).events == []


def test_cyrillic_list_and_resolver() -> None:
    text = FIXTURES.joinpath("ru-release.txt").read_text(encoding="utf-8")
    ids = {"Сергей Тихановский": "p-1"}
    result = extract_document(text, published=dt.date(2025, 6, 21), resolver=ids.get)
    event = result.events[0]
    assert [(p.name, p.person_id) for p in event.released] == [
        ("Сергей Тихановский", "p-1"), ("Игорь Карней", None), ("Наталья Дулина", None)]
    assert event.destination == ["LT"] and event.reported_by == ["Viasna"]
    assert result.language == "ru"


def test_spans_point_at_the_mention() -> None:
    text = "Belarus freed 52 prisoners on Thursday, including journalist Ihar Losik."
    person = extract_document(text, published=dt.date(2025, 9, 12)).events[0].released[0]
    assert text[person.span[0]:person.span[1]] == "Ihar Losik"


def test_titles_and_surname_references() -> None:
    index = find_people("U.S. envoy John Coale met President Alexander Lukashenko. Coale said more "
                        "would follow.")
    assert index.titles == {"John Coale": "envoy", "Alexander Lukashenko": "president"}
    assert index.nationality["John Coale"] == "US"
    assert [m.full for m in index.mentions] == ["John Coale", "Alexander Lukashenko", "John Coale"]
    # Places, organisations and calendar words never make a person.
    assert find_people("Human Rights Watch said on Monday in Minsk that Belarus").mentions == []
