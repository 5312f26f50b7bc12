"""Romanisation systems and the phonetic keys that join them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from freedomledger.names import SYSTEMS, fine_keys, skeleton, transliterate
from freedomledger.names.phonetic import cyrillic_language

# Belarusian national system: official romanised names of Belarusian towns.
NATIONAL = {
    "Мінск": "Minsk", "Магілёў": "Mahilioŭ", "Гомель": "Homieĺ", "Віцебск": "Viciebsk",
    "Брэст": "Brest", "Гродна": "Hrodna", "Маладзечна": "Maladziečna", "Ваўкавыск": "Vaŭkavysk",
    "Салігорск": "Salihorsk", "Жодзіна": "Žodzina", "Шчучын": "Ščučyn", "Рэчыца": "Rečyca",
    "Барысаў": "Barysaŭ", "Ельск": "Jeĺsk", "Любань": "Liubań",
}  # fmt: skip


@pytest.mark.parametrize(("cyrillic", "latin"), NATIONAL.items())
def test_national_system(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, "national") == latin


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("national", "Sviatlana Cichanoŭskaja"),
        ("lacinka", "Sviatłana Cichanoŭskaja"),
        ("passport", "Sviatlana Tsikhanouskaia"),
        ("bgn-be", "Svyatlana Tsikhanowskaya"),
        ("bgn", "Svyatlana Tsikhanowskaya"),
    ],
)
def test_one_belarusian_name_in_each_system(system: str, expected: str) -> None:
    assert transliterate("Святлана Ціханоўская", system) == expected


def test_case_is_kept_for_all_caps_surnames() -> None:
    assert transliterate("ЛУКАШЭНКА Аляксандр", "passport") == "LUKASHENKA Aliaksandr"
    assert transliterate("Щеглова", "icao") == "Shcheglova"


def test_passport_writes_g_as_h_but_icao_as_g() -> None:
    assert transliterate("Сяргей", "passport") == "Siarhei"
    assert transliterate("Сергей", "icao") == "Sergei"


def test_unknown_system_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown transliteration system"):
        transliterate("Мінск", "klingon")
    assert "national" in SYSTEMS


def test_language_guess() -> None:
    assert cyrillic_language("ціханоўская") == "be"
    assert cyrillic_language("тихановская") == "ru"
    assert cyrillic_language("володимир ігорович") == "uk"


# One name, many spellings: every spelling must reach the same skeleton.
FAMILIES = [
    ["Valiantsin", "Valiancin", "Валянцін", "Валентин", "Valentin", "Valyantsin", "Walentin"],
    ["Tsikhanouskaya", "Cichanoŭskaja", "Ціханоўская", "Тихановская", "Tikhanovskaya",
     "Tsikhanowskaya", "Tichanowskaja", "Cichanouska"],
    ["Lukashenka", "Lukašenka", "Łukašenka", "Лукашэнка", "Лукашенко", "Lukaschenko",
     "Łukaszenka", "Lukashenko"],
    ["Stefanovich", "Stefanovič", "Стэфановіч", "Стефанович", "Stefanowitsch", "Stefanovitj",
     "Stefanowicz"],
    ["Navumau", "Naumov", "Навумаў", "Наумов", "Naumow"],
    ["Sheiman", "Sjejman", "Шэйман", "Шейман", "Scheiman", "Sheyman"],
    ["Dzmitry", "Dmitri", "Дзмітрый", "Дмитрий", "Dmitrij", "Dmytro"],
    ["Uladzimir", "Vladimir", "Уладзімір", "Владимир", "Wladimir", "Władimir", "Volodymyr"],
    ["Belaruskali", "Беларуськалий", "Беларуськалій"],
]  # fmt: skip


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f[0])
def test_spellings_share_a_skeleton(family: list[str]) -> None:
    sets = []
    for spelling in family:
        word = spelling.lower()
        sets.append({skeleton(k) for k in fine_keys(word, cyrillic_language(word))})
    common = set.intersection(*sets)
    assert common, f"no shared skeleton: {list(zip(family, sets))}"


def test_different_names_keep_different_skeletons() -> None:
    def sk(word: str) -> set[str]:
        return {skeleton(k) for k in fine_keys(word)}

    assert not sk("statkevich") & sk("stankevich")
    assert not sk("ihar") & sk("yahor")
    assert not sk("anna") & sk("yana")


def test_fine_keys_are_bounded_and_never_empty() -> None:
    for word in ["chchchchchch", "cccccc", "", "x", "ччч", "日本"]:
        keys = fine_keys(word)
        assert 1 <= len(keys) <= 4


def test_cldr_bgn_vectors(shared_data: Path) -> None:
    """ICU's BGN transforms agree with the CLDR test data (ʹ marks dropped for names)."""
    base = shared_data / "translit" / "cldr41" / "testData"
    for lang, system in (("be", "bgn-be"), ("ru", "bgn-ru"), ("uk", "bgn-uk")):
        lines = (base / f"{lang}-Latn-t-{lang}-m0-bgn.txt").read_text(encoding="utf-8").splitlines()
        pairs = [ln.split("\t") for ln in lines if "\t" in ln and not ln.startswith("#")]
        ok = sum(transliterate(src, system) == exp.replace("ʹ", "").replace("ʺ", "").replace("·", "")
                 for src, exp in pairs)  # fmt: skip
        assert ok / len(pairs) > 0.97, (lang, ok, len(pairs))


def test_iuliia_icao_samples(shared_data: Path) -> None:
    schema = json.loads((shared_data / "translit" / "iuliia" / "icao_doc_9303.json").read_text(encoding="utf-8"))
    for src, expected in schema["samples"]:
        assert transliterate(src, "icao") == expected
