"""Fuzzing the registry readers (CSV and Viasna JSON) and the model's FuzzyDate and Name.

Property: whatever the bytes, the reader yields records or raises its documented error
(RegistryError, a ValueError naming the file), within a bounded time. Known crashes in code
this suite does not own are listed in KNOWN with a minimal failing input, each pinned by a
strict xfail test, so that they stay visible until fixed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from freedomledger.model import FuzzyDate, Name
from freedomledger.sources.registry import CSV_COLUMNS, RegistryError, read_registry
from reliability_helpers import fuzz_settings, json_values, mutations, no_hang

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_CSV = (FIXTURES / "registry" / "good.csv").read_bytes()
VIASNA_SAMPLE = json.dumps([
    {"id": 101, "name": "Андрэй Цапюк", "url": "https://prisoners.spring96.org/be/person/andrej-capiuk",
     "gender": "male", "birthday": "1985-02-03", "arrested": "2021-05-04", "verdict_date": "2022-01-10",
     "decision": "5 years", "penalty": "colony", "articles/0": "342", "prison/title": "IK-3",
     "judge": "N.N.", "councel": "L.L.", "status": "active", "description": "journalist"},
    {"id": 102, "name": "Вольга Т.", "status": "former", "arrested": "2020-08-10", "release_date": "2025-06-21"},
], ensure_ascii=False).encode()

# (exception type, message pattern, the xfail test below that pins it)
KNOWN: list[tuple[type[BaseException], str, str]] = []  # every crash found so far is fixed


def read_all(data: bytes, suffix: str, snapshot: dt.date | None = None) -> int:
    """Write `data` to a file and read every record; returns how many there were."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"registry{suffix}"
        path.write_bytes(data)
        try:
            with no_hang():
                return sum(1 for _ in read_registry(path, snapshot=snapshot))
        except RegistryError as exc:
            assert str(path) in str(exc), f"the error does not name the file: {exc}"
            event("RegistryError")
            return -1
        except Exception as exc:  # noqa: BLE001 - the property is about which errors escape
            for kind, pattern, _test in KNOWN:
                if isinstance(exc, kind) and re.search(pattern, str(exc)):
                    event(f"known bug: {kind.__name__}")
                    return -1
            raise


# --- CSV ---------------------------------------------------------------------------------------

cell = st.one_of(
    st.text(max_size=30),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z"),
    st.sampled_from(["", "|", "||", "male", "female", "pardoned", "BY|PL", "political_prisoner", "-0-"]),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    import csv
    import io

    optional = [c for c in CSV_COLUMNS if c not in ("key", "name")]
    header = ["key", "name"] + draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)))
    header = draw(st.permutations(header))
    if draw(st.booleans()):
        header.append(draw(st.text(min_size=1, max_size=10)))  # an unknown column
    rows = draw(st.lists(st.lists(cell, min_size=len(header) - 1, max_size=len(header) + 1), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])), errors="surrogatepass")


@fuzz_settings(share=0.25)
@given(st.binary(max_size=2000))
def test_csv_reader_on_arbitrary_bytes(data: bytes) -> None:
    read_all(data, ".csv")


@fuzz_settings(share=0.5)
@given(csv_files())
def test_csv_reader_on_random_rows(data: bytes) -> None:
    read_all(data, ".csv")


@fuzz_settings(share=0.25)
@given(mutations(GOOD_CSV))
def test_csv_reader_on_mutated_good_file(data: bytes) -> None:
    read_all(data, ".csv")


# --- Viasna JSON -------------------------------------------------------------------------------

json_value = json_values()
VIASNA_FIELDS = ["name", "url", "gender", "birthday", "arrested", "verdict_date", "release_date", "status",
                 "description", "councel", "decision", "penalty", "judge", "prison/title", "articles/0"]
viasna_value = st.one_of(
    json_value,
    st.dates(dt.date(1800, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["active", "former", "FALSE", "-", "unknown", "male", "female", "https://x.org/a-b"]),
)


@st.composite
def viasna_files(draw: st.DrawFn) -> bytes:
    records = []
    for _ in range(draw(st.integers(0, 5))):
        record = {"id": draw(st.integers(0, 10**6) | st.text(max_size=8) | json_value)}
        for name in draw(st.lists(st.sampled_from(VIASNA_FIELDS), unique=True)):
            record[name] = draw(viasna_value)
        records.append(record)
    return json.dumps(records, ensure_ascii=draw(st.booleans())).encode()


@fuzz_settings(share=0.25)
@given(st.binary(max_size=2000))
def test_viasna_reader_on_arbitrary_bytes(data: bytes) -> None:
    read_all(data, ".json")


@fuzz_settings(share=0.5)
@given(viasna_files(), st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))
def test_viasna_reader_on_random_records(data: bytes, snapshot: dt.date | None) -> None:
    read_all(data, ".json", snapshot)


@fuzz_settings(share=0.25)
@given(mutations(VIASNA_SAMPLE))
def test_viasna_reader_on_mutated_sample(data: bytes) -> None:
    read_all(data, ".json", dt.date(2026, 1, 1))


# --- FuzzyDate and Name ------------------------------------------------------------------------

date_text = st.one_of(
    st.text(max_size=25),
    st.from_regex(r"\A\d{1,5}(-\d{1,3}(-\d{1,3})?)?\Z"),
    st.tuples(st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z"), st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z"))
    .map("..".join),
)


@fuzz_settings()
@given(date_text)
def test_fuzzy_date_parse_fails_only_with_value_error(text: str) -> None:
    try:
        with no_hang():
            parsed = FuzzyDate.parse(text)
    except ValueError:
        event("ValueError")
        return
    assert parsed.start <= parsed.end
    assert FuzzyDate.parse(parsed.iso()) == parsed  # what it prints, it reads back


@fuzz_settings()
@given(st.text(max_size=600))
def test_name_is_cleaned_or_refused(text: str) -> None:
    from pydantic import ValidationError

    try:
        name = Name(text=text)
    except ValidationError:
        event("ValidationError")
        return
    assert name.text and name.text == name.text.strip() and "  " not in name.text
    assert unicodedata.is_normalized("NFC", name.text)
    assert Name(text=name.text).text == name.text  # cleaning twice changes nothing


# --- crashes the fuzzing found, since fixed: they must stay fixed ---------------------------------

def _read(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"registry{suffix}"
    path.write_bytes(data)
    with pytest.raises(RegistryError, match=re.escape(str(path))):
        list(read_registry(path, snapshot=dt.date(2026, 1, 1)))


@pytest.mark.parametrize("data,suffix", [(b"\x80", ".csv"), (b"key,name\nk,\x80\n", ".csv"), (b"\x80", ".json")])
def test_non_utf8_file_is_a_registry_error(tmp_path: Path, data: bytes, suffix: str) -> None:
    _read(tmp_path, data, suffix)


@pytest.mark.parametrize("record", [
    {"id": None, "name": "a"},               # key 'viasna-None' fails the key pattern
    {"id": "A B", "name": "a"},              # likewise
    {"id": 1, "name": "a", "gender": "x"},   # not a Gender
    {"id": 1, "name": "a" * 501},            # Name longer than 500
    {"id": 1, "name": "a", "articles/0": []},  # unhashable in `v not in _MISSING`
])
def test_bad_viasna_field_values_are_registry_errors(tmp_path: Path, record: dict) -> None:  # type: ignore[type-arg]
    _read(tmp_path, json.dumps([record]).encode(), ".json")
