"""Sanctions-list parsers: each format on small fixtures, bad input, text handling."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.sources import eu, ftm, ofac, ofac_xml, uk, un
from freedomledger.sources.common import (
    Coverage,
    EntitySchema,
    ListEntry,
    ListFormatError,
    ListName,
    ListNameKind,
    csv_rows,
    decode_bytes,
    detect_script,
    parse_loose_date,
    partial_date,
)

FIX = Path(__file__).parent / "fixtures" / "sanctions"


def test_ofac_four_files_join_on_ent_num() -> None:
    parsed = ofac.parse_ofac_folder(FIX / "ofac_2024-01")
    by_id = parsed.by_id()
    assert set(by_id) == {"9760", "32746", "44541", "306", "15036"}
    assert parsed.coverage == frozenset(Coverage)
    luka = by_id["9760"]
    assert luka.schema is EntitySchema.person
    assert luka.primary_name == "LUKASHENKA, Alyaksandr Ryhorovich"
    assert ("LUKASHENKO, Aleksandr Grigorevich", ListNameKind.alias) in \
        [(n.text, n.kind) for n in luka.names]
    # The weak a.k.a. in the remarks becomes a weak alias.
    assert ("BATKA", ListNameKind.weak_alias) in [(n.text, n.kind) for n in luka.names]
    assert luka.birth_dates == ("1954-08-30",)
    assert luka.countries == ("by",)
    assert dict(luka.details)["title"] == "President of the Republic of Belarus"
    # "-0- " in the type column is an entity; the remark is continued from sdn_comments.csv.
    kali = by_id["32746"]
    assert kali.schema is EntitySchema.organization
    assert kali.remarks.endswith("MINSK REGION EXECUTIVE COMMITTEE; Linked To: STATE AUTHORITY "
                                 "FOR MILITARY INDUSTRY.")
    assert by_id["15036"].programs == ("IFSR", "SDGT")
    # Latin-1 bytes decode to the right letters, not mojibake.
    assert by_id["15036"].primary_name == "SÃO TOMÉ SHIPPING"
    assert by_id["44541"].addresses == ("14A, Nemiga str., Minsk 220004, Belarus",)


def test_ofac_add_alt_only_is_a_membership_snapshot() -> None:
    parsed = ofac.parse_ofac_folder(FIX / "ofac_2025-01_add_alt")
    assert parsed.coverage == frozenset({Coverage.aliases, Coverage.addresses})
    ids = {e.external_id for e in parsed.entries}
    assert "44541" not in ids and {"9760", "32746", "34752", "15036"} <= ids
    # 15036 has an address row but no alias: membership comes from add.csv.
    entry = parsed.by_id()["15036"]
    assert entry.names == () and entry.programs == ()


def test_ofac_alt_alone_cannot_establish_membership(tmp_path: Path) -> None:
    shutil.copy(FIX / "ofac_2024-01" / "alt.csv", tmp_path / "alt.csv")
    with pytest.raises(ListFormatError, match="add.csv"):
        ofac.parse_ofac_folder(tmp_path)


def test_ofac_consolidated_files_need_their_own_list(tmp_path: Path) -> None:
    shutil.copy(FIX / "ofac_2024-01" / "sdn.csv", tmp_path / "cons_prim.csv")
    with pytest.raises(ListFormatError, match="--list ofac-cons"):
        ofac.parse_ofac_folder(tmp_path, "ofac-sdn")
    parsed = ofac.parse_ofac_folder(tmp_path, "ofac-cons")
    assert parsed.list_id == "ofac-cons" and len(parsed.entries) == 5


@pytest.mark.parametrize(
    ("content", "line", "field", "message"),
    [
        (b'1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,"B","X"\r\n', 2, None,
         "3 fields where 12"),
        (b'1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\nx7,"B",-0- ,"X",-0- ,-0- ,'
         b'-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n', 2, "ent_num", "whole number"),
        (b'1,"A","ship","X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n', 1, "SDN_Type",
         "unknown entry type"),
        (b'1,-0- ,-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n', 1, "SDN_Name", "no name"),
        (b'1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n1,"B",-0- ,"X",-0- ,-0- ,'
         b'-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n', 2, "ent_num", "appears twice"),
        (b'1,"A,-0- ,"X",-0- \r\n', 1, None, "not valid CSV"),
    ],
)
def test_ofac_malformed_rows_name_file_line_and_field(
        content: bytes, line: int, field: str | None, message: str) -> None:
    with pytest.raises(ListFormatError) as info:
        ofac.parse_ofac_files({"main": ("bad/sdn.csv", content)})
    error = info.value
    assert error.file == "bad/sdn.csv"
    assert error.line == line
    assert error.field == field
    assert message in str(error)
    assert "How to fix" in str(error)


def test_ofac_history_file_names_give_the_time() -> None:
    assert ofac.date_from_name("x/sdn_20240503T184323Z.csv") == dt.datetime(2024, 5, 3, 18, 43, 23)
    assert ofac.date_from_name("sdn.csv") is None
    assert ofac.file_role("sdn_20240503T184323Z.csv") == ("ofac-sdn", "main")
    # The derived change list beside the history is not a version of the list.
    assert ofac.file_role("sdn_changes_2021-08_2024-05.csv") is None
    assert ofac.file_role("SDN_COMMENTS.CSV") == ("ofac-sdn", "comments")


def test_ofac_json_rebuild_states_its_date() -> None:
    data = (b'{"published": "2026-08-20", "entries": [{"uid": 44541, "name": "BELAVIA", '
            b'"type": "entity", "programs": ["BELARUS-EO14038"], "alternateNames": ["B2"]}]}')
    parsed = ofac.parse_ofac_json("ofac-sdn.json", data)
    assert parsed.published == dt.datetime(2026, 8, 20)
    entry = parsed.entries[0]
    assert (entry.external_id, entry.schema, entry.programs) == \
        ("44541", EntitySchema.organization, ("BELARUS-EO14038",))
    with pytest.raises(ListFormatError, match="uid"):
        ofac.parse_ofac_json("x.json", b'{"entries": [{"uid": "abc", "name": "X", "type": "entity"}]}')


def test_ofac_sdn_xml() -> None:
    parsed = ofac_xml.parse_ofac_xml_path(FIX / "sdn_2025-02-03.xml")
    assert parsed.published == dt.datetime(2025, 2, 3)
    by_id = parsed.by_id()
    luka = by_id["9760"]
    assert luka.primary_name == "LUKASHENKA, Alyaksandr Ryhorovich"
    assert ("BATKA", ListNameKind.weak_alias) in [(n.text, n.kind) for n in luka.names]
    assert luka.birth_dates == ("1954-08-30",) and luka.countries == ("by",)
    assert by_id["44580"].schema is EntitySchema.aircraft
    assert by_id["44541"].programs == ("BELARUS-EO14038",)
    assert parsed.warnings == []


def test_ofac_advanced_xml_resolves_codes_by_label() -> None:
    parsed = ofac_xml.parse_ofac_xml_path(FIX / "sdn_advanced_2025-12-31.xml")
    assert parsed.published == dt.datetime(2025, 12, 31)
    by_id = parsed.by_id()
    luka = by_id["9760"]
    assert luka.schema is EntitySchema.person
    assert luka.primary_name == "LUKASHENKA, Alyaksandr Ryhorovich"
    cyrillic = [n for n in luka.names if n.script == "cyrillic"]
    assert [n.text for n in cyrillic] == ["ЛУКАШЭНКА, Аляксандр Рыгоравіч"]
    assert luka.programs == ("BELARUS",) and luka.listed_on == "2006-05-19"
    assert luka.birth_dates == ("1954-08-30",) and luka.countries == ("by",)
    bank = by_id["34752"]
    assert bank.schema is EntitySchema.organization
    assert ("BELINVESTBANK", ListNameKind.weak_alias) in [(n.text, n.kind) for n in bank.names]
    assert bank.addresses == ("Minsk, Belarus",)


def test_ofac_xml_truncated_file_is_a_clear_error() -> None:
    data = (FIX / "sdn_2025-02-03.xml").read_bytes()[:900]
    with pytest.raises(ListFormatError) as info:
        ofac_xml.parse_ofac_xml("sdn.xml", data)
    assert info.value.line is not None and "well-formed" in str(info.value)
    with pytest.raises(ListFormatError, match="neither"):
        ofac_xml.parse_ofac_xml("other.xml", b"<?xml version='1.0'?><other/>")


def test_uk_tables() -> None:
    parsed = uk.parse_uk_tables(FIX / "uk_2026-04")
    by_id = parsed.by_id()
    navumau = by_id["BEL0001"]
    assert navumau.programs == ("Belarus",)
    assert navumau.primary_name == "Uladzimir Uladzimiravich Navumau"
    assert "Vladimir Vladimirovich Naumov" in navumau.name_texts
    assert navumau.birth_dates == ("1956-02-07",) and navumau.countries == ("by",)
    assert navumau.listed_on == "2020-12-31"
    assert by_id["RUS0270"].schema is EntitySchema.vessel
    assert ("Belkali", ListNameKind.weak_alias) in [(n.text, n.kind) for n in by_id["BEL0150"].names]
    assert parsed.published is None


def test_uk_tables_bad_id(tmp_path: Path) -> None:
    shutil.copytree(FIX / "uk_2026-04", tmp_path / "uk")
    path = tmp_path / "uk" / "subjects.csv"
    path.write_text(path.read_text().replace("BEL0150", "B-150"))
    with pytest.raises(ListFormatError) as info:
        uk.parse_uk_tables(tmp_path / "uk")
    assert info.value.line == 3 and info.value.field == "unique_id"


def test_ukhmt_cp1252_groups_rows() -> None:
    parsed = uk.parse_ukhmt_csv(FIX / "ukhmt_2016-03-23.csv")
    assert parsed.published == dt.datetime(2016, 3, 23)
    person = parsed.by_id()["8905"]
    assert person.primary_name == "Dzmitry Valerievich PAULICHENKA"
    assert person.name_texts[1:] == ["Dmitri Valerievich PAVLICHENKO"]
    assert person.remarks == "Head of ‘Honour’."  # cp1252 curly quotes decoded
    assert person.birth_dates == ("1966",) and person.programs == ("Belarus",)
    # A group with only an AKA row still gets a primary name.
    assert parsed.by_id()["12871"].names[0].kind is ListNameKind.primary


def test_ukhmt_with_utf8_bom(tmp_path: Path) -> None:
    text = (FIX / "ukhmt_2016-03-23.csv").read_bytes().decode("cp1252")
    path = tmp_path / "hmt.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert uk.parse_ukhmt_csv(path).by_id()["8905"].remarks == "Head of ‘Honour’."


def test_un_xml() -> None:
    path = FIX / "un_2026-02-27.xml"
    parsed = un.parse_un_xml(str(path), path.read_bytes())
    assert parsed.published == dt.datetime(2026, 2, 27, 0, 0, 9, 554000)
    person = parsed.by_id()["CDi.001"]
    assert person.primary_name == "ERIC BADEGE" and person.programs == ("DRC",)
    assert ("Badege", ListNameKind.weak_alias) in [(n.text, n.kind) for n in person.names]
    assert person.countries == ("cd",) and person.birth_dates == ("1971",)
    assert parsed.by_id()["YEe.001"].schema is EntitySchema.organization


def test_eu_xml() -> None:
    path = FIX / "eu_fsf_2025-06-10.xml"
    parsed = eu.parse_eu_xml(str(path), path.read_bytes())
    assert parsed.published == dt.datetime(2025, 6, 10, 16, 41, 33, 547000)  # UTC
    luka = parsed.by_id()["2486"]
    assert luka.programs == ("BLR",) and luka.birth_dates == ("1954-08-30",)
    assert [(n.script, n.lang) for n in luka.names if n.script == "cyrillic"] == \
        [("cyrillic", "be"), ("cyrillic", "ru")]
    kali = parsed.by_id()["7214"]
    assert kali.listed_on == "2021-12-02" and kali.schema is EntitySchema.organization
    assert ("Belkali", ListNameKind.weak_alias) in [(n.text, n.kind) for n in kali.names]


def test_ftm_entities_and_sanctions() -> None:
    path = FIX / "ftm_eu_fsf_entities.ftm.json"
    parsed = ftm.parse_ftm_entities(str(path), path.read_bytes())
    assert parsed.list_id == "ftm-eu_fsf" and parsed.authority == "EU"
    kali = parsed.by_id()["by-belaruskali"]
    assert kali.programs == ("EU-BLR",) and kali.addresses == ("Soligorsk, Belarus",)
    assert kali.listed_on == "2021-12-02"
    luka = parsed.by_id()["by-lukashenka"]
    assert ("Batka", ListNameKind.weak_alias) in [(n.text, n.kind) for n in luka.names]
    assert len(parsed.entries) == 2  # Address and Sanction entities are not targets


def test_ftm_bad_line_and_schema() -> None:
    with pytest.raises(ListFormatError) as info:
        ftm.parse_ftm_entities("e.json", b'{"id": "a", "schema": "Person"}\n{"id": \n')
    assert info.value.line == 2
    with pytest.raises(ListFormatError, match="FollowTheMoney"):
        ftm.parse_ftm_entities("e.json", b'{"id": "a", "schema": "Starship", "properties": {}}\n')


def test_ftm_delta_ops() -> None:
    files = sorted((FIX / "ftm_delta").iterdir())
    last = ftm.parse_ftm_delta(str(files[-1]), files[-1].read_bytes(), "ftm-test")
    assert last.mode == "delta" and last.removed == ["by-belaruskali"]
    assert last.published == dt.datetime(2026, 3, 22, 12, 0)
    with pytest.raises(ListFormatError, match="op must be"):
        ftm.parse_ftm_delta("20240101000000-x.delta.json", b'{"op": "UPSERT", "entity": {}}\n', "k")


# --- text handling, property-based -------------------------------------------------------

_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                 max_size=40).filter(lambda s: s.strip() != "")


@given(_names, st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
@settings(max_examples=150)
def test_decode_reads_back_the_text_in_every_encoding(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        # Bytes that are also valid UTF-8 are read as UTF-8 (for ASCII text, the same thing).
        expected = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        expected = text
    assert decode_bytes(data, "f.csv") == expected


@given(st.lists(st.lists(_names, min_size=1, max_size=5), min_size=1, max_size=8), st.booleans())
@settings(max_examples=100)
def test_csv_rows_survive_quoting_and_line_endings(rows: list[list[str]], crlf: bool) -> None:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if crlf else "\n",
               quoting=csv.QUOTE_ALL).writerows(rows)
    parsed = [row for _, row in csv_rows(buffer.getvalue() + "\x1a", "f.csv")]
    # A record holding one blank field is a blank line to these formats.
    assert parsed == [row for row in rows if not (len(row) == 1 and not row[0].strip())]


@given(st.builds(
    ListEntry,
    list_id=st.sampled_from(["ofac-sdn", "uk"]),
    external_id=st.text("0123456789", min_size=1, max_size=6),
    schema=st.sampled_from(list(EntitySchema)),
    names=st.lists(st.builds(ListName, _names, st.sampled_from(list(ListNameKind)),
                             st.sampled_from(["latin", "cyrillic", "other"])),
                   max_size=4).map(tuple),
    programs=st.lists(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789", min_size=1, max_size=15),
                      max_size=3).map(lambda p: tuple(sorted(set(p)))),
    remarks=st.none() | _names,
    coverage=st.sets(st.sampled_from(list(Coverage)), min_size=1).map(frozenset),
))
@settings(max_examples=150)
def test_entry_round_trip_and_stable_hash(entry: ListEntry) -> None:
    again = ListEntry.from_dict(entry.to_dict())
    assert again == entry
    assert again.content_hash == entry.content_hash
    changed = ListEntry.from_dict({**entry.to_dict(), "programs": [*entry.programs, "ZZ-NEW"]})
    assert changed.content_hash != entry.content_hash


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_loose_dates(day: dt.date) -> None:
    assert parse_loose_date(day.isoformat()) == day.isoformat()
    assert parse_loose_date(day.strftime("%d %b %Y")) == day.isoformat()
    assert parse_loose_date(day.strftime("%d/%m/%Y")) == day.isoformat()
    assert parse_loose_date(day.strftime("%b %Y")) == day.isoformat()[:7]
    assert partial_date(day.year, 0, 0) == f"{day.year:04d}"


def test_detect_script() -> None:
    assert detect_script("Лукашэнка") == "cyrillic"
    assert detect_script("Lukashenka") == "latin"
    assert detect_script("Łukašenka") == "latin"
    assert detect_script("1234") == "latin"
    assert detect_script("卢卡申科") == "other"


# --- wrong value types are refused with ListFormatError, not a crash -----------------------


def test_unicode_digits_are_not_entity_numbers() -> None:
    row = '4\u00b2,"X","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    with pytest.raises(ListFormatError) as info:
        ofac.parse_ofac_files({"main": ("sdn.csv", row.encode("utf-8"))})
    assert info.value.field == "ent_num" and info.value.line == 1


@pytest.mark.parametrize(("entry", "field"), [
    ({"uid": 1, "name": [], "type": "individual"}, "entries[0].name"),
    ({"uid": 1, "name": "X", "type": "individual", "programs": 5}, "entries[0].programs"),
    ({"uid": 1, "name": "X", "type": "individual", "alternateNames": [1.5]},
     "entries[0].alternateNames"),
    ({"uid": True, "name": "X", "type": "individual"}, "entries[0].uid"),
])
def test_ofac_json_wrong_types(entry: dict, field: str) -> None:
    import json

    with pytest.raises(ListFormatError) as info:
        ofac.parse_ofac_json("sdn.json", json.dumps({"entries": [entry]}).encode())
    assert info.value.field == field and info.value.file == "sdn.json"


@pytest.mark.parametrize(("change", "field"), [
    ({"datasets": [None]}, "datasets"), ({"datasets": True}, "datasets"),
    ({"caption": []}, "caption"), ({"schema": []}, "schema"),
    ({"properties": {"name": "not a list"}}, "properties.name"),
])
def test_ftm_wrong_types(change: dict, field: str) -> None:
    import json

    lines = (FIX / "ftm_eu_fsf_entities.ftm.json").read_text().splitlines()
    first = {**json.loads(lines[0]), **change}
    data = "\n".join([json.dumps(first), *lines[1:]]).encode()
    with pytest.raises(ListFormatError) as info:
        ftm.parse_ftm_entities("e.ftm.json", data)
    assert (info.value.field, info.value.line) == (field, 1)


def test_absurd_date_parts_do_not_crash() -> None:
    assert partial_date(2024, 2, 99999999999999999999) == "2024-02"
    assert partial_date(2024, 99999999999999999999, 1) == "2024"
    data = (FIX / "sdn_advanced_2025-12-31.xml").read_bytes().replace(
        b"<Day>31</Day>", b"<Day>99999999999999999999</Day>", 1)
    assert ofac_xml.parse_advanced_xml("a.xml", data).published is None
