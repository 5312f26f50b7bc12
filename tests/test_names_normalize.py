"""Normalisation and tokenisation of names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.names import normalize, tokenize
from freedomledger.names.normalize import MAX_NAME_CHARS, strip_legal_forms


def test_case_punctuation_and_order_marks_go() -> None:
    assert normalize("STEFANOVICH, Valentin") == "stefanovich valentin"
    assert normalize("  Łukašenka-Pilipčuk  ") == "łukašenka pilipčuk"


def test_stress_marks_are_removed_but_letters_with_diacritics_stay() -> None:
    assert normalize("ПУ́ТИН Влади́мир") == "путин владимир"
    assert normalize("Ёлкін Ўладзімір") == "ёлкін ўладзімір"  # breve and diaeresis are letters here
    assert normalize("Valiancin Stefanovič") == "valiancin stefanovič"


def test_apostrophes_and_soft_sign_marks_join_the_word() -> None:
    assert normalize("Мар'яна") == normalize("Марʼяна") == "маряна"
    assert normalize("Gennad'yevich") == "gennadyevich"
    assert normalize("Sʹvyatlana") == "svyatlana"


def test_control_and_format_characters_do_not_survive() -> None:
    assert normalize("Ivan\x00Ivanov\u200b") == "ivan ivanov"
    assert normalize("\t\n ") == ""


def test_long_input_is_cut() -> None:
    assert len(normalize("a" * 50_000)) == MAX_NAME_CHARS


def test_tokenize_splits_on_hyphens_and_spaces() -> None:
    assert tokenize("Tsikhanouskaya-Pilipchuk, S.") == ["tsikhanouskaya", "pilipchuk", "s"]


def test_legal_forms_are_split_off() -> None:
    kept, forms = strip_legal_forms(normalize("ОАО «Беларуськалий»"))
    assert kept == ("беларуськалий",) and forms == ("оао",)
    kept, forms = strip_legal_forms(normalize("Republican Unitary Enterprise Beltelecom"))
    assert kept == ("beltelecom",)
    kept, _ = strip_legal_forms(normalize("ООО"))
    assert kept == ("ооо",)  # a name that is only a legal form keeps it


names = st.text(st.characters(codec="utf-8"), max_size=200)


@settings(max_examples=400, deadline=None)
@given(names)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(names)
def test_normalize_output_is_clean(text: str) -> None:
    out = normalize(text)
    assert out == out.strip() and "  " not in out
    assert all(ch.isprintable() for ch in out)
