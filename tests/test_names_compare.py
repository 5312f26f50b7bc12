"""compare(): the issue's cases, explanations, and properties that must hold for any input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.names import DEFAULT_THRESHOLD, compare, parse_name

FIXTURES = Path(__file__).parent / "fixtures" / "names"
with open(FIXTURES / "pairs.csv", encoding="utf-8") as fh:
    PAIRS = list(csv.DictReader(fh))


@pytest.mark.parametrize("row", PAIRS, ids=lambda r: f"{r['a']}|{r['b']}")
def test_labelled_pairs(row: dict[str, str]) -> None:
    result = compare(row["a"], row["b"], row["kind"])
    expected = row["same"] == "1"
    assert result.match is expected, f"{row['why']}: {result.explanation}"
    assert (result.score >= DEFAULT_THRESHOLD) is expected


def test_explanation_names_the_tokens_and_the_reason() -> None:
    result = compare("Valiantsin Stefanovich", "Валентин Стефанович")
    assert "valiantsin ~ валентин" in result.explanation
    assert "given-name equivalent" in result.explanation
    assert "Валянцін/Валентин" in result.explanation
    pairs = {(p.a, p.b): p.reason for p in result.alignment}
    assert pairs == {("valiantsin", "валентин"): "given", ("stefanovich", "стефанович"): "translit"}


def test_gender_conflict_is_explained() -> None:
    result = compare("Siarhei Tsikhanouski", "Sviatlana Tsikhanouskaya")
    assert not result.match
    assert any(p.reason == "gender" for p in result.alignment)
    assert "masculine and a feminine" in result.explanation


def test_family_members_score_well_below_the_threshold() -> None:
    assert compare("Viktar Babaryka", "Eduard Babaryka").score < 0.7
    assert compare("Mikalai Statkevich", "Mikalai Stankevich").score < 0.75


def test_patronymic_on_one_side_is_free_but_a_different_one_costs() -> None:
    same = compare("Aliaksandr Lukashenka", "Aliaksandr Ryhoravich Lukashenka")
    assert same.score == pytest.approx(1.0)
    assert "patronymic present on one side" in same.explanation
    assert compare("Ivan Petrovich Ivanov", "Ivan Sergeevich Ivanov").score < 0.7


def test_initials_alone_do_not_match_a_full_name() -> None:
    assert compare("V. P.", "Vladimir Putin").score <= 0.5


def test_a_shared_given_name_alone_is_weak_evidence() -> None:
    assert compare("Vasil K.", "Vasil Ivanavich Kutsevalau").score <= 0.69
    assert compare("Kutsevalau V.", "Vasil Kutsevalau").match
    assert compare("V. Putin", "Vladimir Putin").match  # the surname is the evidence
    assert compare("Ivan Bogdan", "Іван Багдан").match  # a surname that is also a given name


def test_surname_alone_is_a_partial_match() -> None:
    result = compare("Putin", "Vladimir Putin")
    assert 0.5 < result.score < DEFAULT_THRESHOLD


def test_threshold_is_a_parameter() -> None:
    result = compare("Putin", "Vladimir Putin", threshold=0.5)
    assert result.match and result.threshold == 0.5


def test_organization_legal_forms_are_noted() -> None:
    result = compare("ОАО «Беларуськалий»", "Belaruskali", kind="organization")
    assert result.match and "legal forms ignored" in result.explanation


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        compare("a", "b", kind="vessel")


def test_empty_names_never_match() -> None:
    assert compare("", "Ivan Ivanov").score == 0.0
    assert not compare("   ", "  ").match


def test_to_dict_is_json_ready() -> None:
    d = compare("Ihar Losik", "Игорь Лосик").to_dict()
    assert d["match"] is True and d["alignment"][0]["reason"] in {"given", "translit", "same"}


# Text that names can contain, plus the nasty kinds: control characters, emoji, mixed scripts.
name_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=60),
    st.lists(st.sampled_from(["Valiantsin", "Валянцін", "Stefanovich", "Стэфановіч", "S.", "ОАО",
                              "Łukašenka", "Ivanova", "😀", "\x00", "-", "Пу́тин", "日本", "ʹ"]),
             max_size=6).map(" ".join),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(name_text, name_text, st.sampled_from(["person", "organization"]))
def test_compare_is_symmetric_and_bounded(a: str, b: str, kind: str) -> None:
    ab = compare(a, b, kind)
    ba = compare(b, a, kind)
    assert ab.score == ba.score
    assert 0.0 <= ab.score <= 1.0
    assert ab.match == (ab.score >= ab.threshold)
    assert isinstance(ab.explanation, str)


@settings(max_examples=100, deadline=None)
@given(name_text)
def test_a_name_matches_itself(a: str) -> None:
    result = compare(a, a)
    if any(t.role != "I" for t in parse_name(a).tokens):  # initials alone never confirm a name
        assert result.score >= 0.99


@pytest.mark.parametrize(
    "text",
    ["", " ", "\x00\x01\x02", "😀😀", "a" * 10_000, "Иван " * 2_000, "Ivan\u200bIvanov",
     "Valiantsin 日本 Стэфановіч ﷽", "\u0301\u0301", "ⅠⅡⅢ", "İstanbul", "ǅemal"],
)
def test_no_input_crashes(text: str) -> None:
    for kind in ("person", "organization"):
        result = compare(text, "Valiantsin Stefanovich", kind)
        assert 0.0 <= result.score <= 1.0
