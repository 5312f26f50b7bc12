"""The alias generator."""

from __future__ import annotations

import pytest

from freedomledger.names import compare, cyrillic_forms, generate_aliases


def _by_system(name: str) -> dict[str, str]:
    return {a.system: a.name for a in generate_aliases(name)}


def test_belarusian_latin_name_gets_both_cyrillic_forms_and_romanisations() -> None:
    out = _by_system("Valiantsin Stefanovich")
    assert out["be-Cyrl"] == "Валянцін Стэфановіч"
    assert out["ru-Cyrl"] == "Валентин Стефанович"
    assert out["national"] == "Valiancin Stefanovič"
    assert out["bgn-ru (Russian form)"] == "Valentin Stefanovich"


def test_russian_cyrillic_name_with_patronymic() -> None:
    be, ru = cyrillic_forms("Александр Григорьевич Лукашенко")
    assert be == "Аляксандр Рыгоравіч Лукашэнка"
    assert ru == "Александр Григорьевич Лукашенко"
    assert _by_system("Александр Григорьевич Лукашенко")["passport"] == "Aliaksandr Ryhoravich Lukashenka"


def test_surname_is_not_mistaken_for_a_patronymic_in_two_word_names() -> None:
    be, _ru = cyrillic_forms("Валентин Стефанович")
    assert be.startswith("Валянцін ") and "Сцяпан" not in be


@pytest.mark.parametrize(
    "name",
    ["Sviatlana Tsikhanouskaya", "Мария Колесникова", "Siarhei Mikalaevich Ivanou",
     "LUKASHENKA Aliaksandr", "Viktar Babaryka", "Ales Bialiatski"],
)  # fmt: skip
def test_every_alias_matches_the_original(name: str) -> None:
    aliases = generate_aliases(name)
    assert aliases[0].name == name
    assert len({a.name for a in aliases}) == len(aliases)
    assert len(aliases) >= 4
    for alias in aliases:
        result = compare(name, alias.name)
        assert result.match, f"{alias.system}: {result.explanation}"


def test_case_of_the_input_is_kept() -> None:
    out = _by_system("LUKASHENKA Aliaksandr")
    assert out["be-Cyrl"] == "ЛУКАШЭНКА Аляксандр"
