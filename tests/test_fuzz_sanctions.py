"""Fuzzing the sanctions list parsers on mutated real-format inputs.

Each parser starts from its fixture file (tests/fixtures/sanctions/, in the official layouts)
and gets byte-level edits, edits that keep the format (an XML element's text or attribute, a
CSV cell) and arbitrary bytes. Property: a ParsedList, or ListFormatError naming the file,
within a bounded time. Crashes in parsers this suite does not own are listed in KNOWN with a
minimal input and pinned by strict xfail tests, so the owner sees them.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from reliability_helpers import NASTY, fuzz_settings, json_values, mutations, no_hang, replace_at, tree_paths

SANCTIONS = Path(__file__).parent / "fixtures" / "sanctions"
SOURCES = Path(__file__).parent.parent / "src" / "freedomledger" / "sources"


def _module(name: str):  # type: ignore[no-untyped-def]
    if not (SOURCES / f"{name}.py").exists():
        pytest.skip(f"sources/{name}.py is not written yet")
    return importlib.import_module(f"freedomledger.sources.{name}")


def _fixture(relative: str) -> bytes:
    path = SANCTIONS / relative
    if not path.exists():
        pytest.skip(f"fixture {relative} is not there yet")
    return path.read_bytes()


OFAC_ROLES = {"main": "sdn.csv", "add": "add.csv", "alt": "alt.csv", "comments": "sdn_comments.csv"}
OFAC_JSON = json.dumps({"published": "2025-02-03", "entries": [
    {"uid": 9760, "name": "LUKASHENKA, Alyaksandr Ryhorovich", "type": "individual",
     "programs": ["BELARUS"], "alternateNames": ["LUKASHENKO, Alexander"]},
    {"uid": 32746, "name": "BELARUSKALI OAO", "type": "entity", "programs": ["BELARUS-EO"]},
]}).encode()


# Each target: (fixture bytes loader, parse(data) -> object, the file name the error must name)
def _ofac_csv(role: str) -> Callable[[bytes], object]:
    def parse(data: bytes) -> object:
        ofac = _module("ofac")
        files = {r: (name, data if r == role else _fixture(f"ofac_2024-06/{name}")) for r, name in OFAC_ROLES.items()}
        return ofac.parse_ofac_files(files)
    return parse


def _in_folder(files: dict[str, bytes], parse: Callable[[Path], object]) -> object:
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            (Path(tmp) / name).write_bytes(data)
        return parse(Path(tmp))


def _uk_tables(data: bytes, changed: str) -> object:
    uk = _module("uk")
    files = {p.name: p.read_bytes() for p in (SANCTIONS / "uk_2026-04").glob("*.csv")}
    files[changed] = data
    return _in_folder(files, uk.parse_uk_tables)


TARGETS: dict[str, tuple[Callable[[], bytes], Callable[[bytes], object], str]] = {
    "ofac-sdn.csv": (lambda: _fixture("ofac_2024-06/sdn.csv"), _ofac_csv("main"), "sdn.csv"),
    "ofac-alt.csv": (lambda: _fixture("ofac_2024-06/alt.csv"), _ofac_csv("alt"), "alt.csv"),
    "ofac-add.csv": (lambda: _fixture("ofac_2024-06/add.csv"), _ofac_csv("add"), "add.csv"),
    "ofac-json": (lambda: OFAC_JSON, lambda d: _module("ofac").parse_ofac_json("sdn.json", d), "sdn.json"),
    "ofac-sdn.xml": (lambda: _fixture("sdn_2025-02-03.xml"),
                     lambda d: _module("ofac_xml").parse_sdn_xml("sdn.xml", d), "sdn.xml"),
    "ofac-advanced.xml": (lambda: _fixture("sdn_advanced_2025-12-31.xml"),
                          lambda d: _module("ofac_xml").parse_advanced_xml("sdn_advanced.xml", d), "sdn_advanced.xml"),
    "un.xml": (lambda: _fixture("un_2026-02-27.xml"), lambda d: _module("un").parse_un_xml("un.xml", d), "un.xml"),
    "eu.xml": (lambda: _fixture("eu_fsf_2025-06-10.xml"), lambda d: _module("eu").parse_eu_xml("eu.xml", d), "eu.xml"),
    "uk-subjects.csv": (lambda: _fixture("uk_2026-04/subjects.csv"), lambda d: _uk_tables(d, "subjects.csv"), ""),
    "uk-names.csv": (lambda: _fixture("uk_2026-04/subject_names.csv"),
                     lambda d: _uk_tables(d, "subject_names.csv"), ""),
    "ukhmt.csv": (lambda: _fixture("ukhmt_2016-03-23.csv"),
                  lambda d: _in_folder({"hmt.csv": d}, lambda f: _module("uk").parse_ukhmt_csv(f / "hmt.csv")),
                  "hmt.csv"),
    "ftm-entities": (lambda: _fixture("ftm_eu_fsf_entities.ftm.json"),
                     lambda d: _module("ftm").parse_ftm_entities("eu_fsf.ftm.json", d), "eu_fsf.ftm.json"),
    "ftm-delta": (lambda: _fixture("ftm_delta/20260301120000-aaa.entities.delta.json"),
                  lambda d: _module("ftm").parse_ftm_delta("20260301120000-aaa.entities.delta.json", d, "ftm-x"),
                  "20260301120000-aaa.entities.delta.json"),
}

# (target name prefix, exception type, message pattern, the strict xfail test that pins it).
# Empty: the crashes found here were fixed by the parsers' owner; the regression tests at the
# end of this file keep them fixed.
KNOWN: list[tuple[str, type[BaseException], str, str]] = []


def check(target: str, data: bytes) -> None:
    from freedomledger.sources.common import ListFormatError

    _, parse, file_name = TARGETS[target]
    try:
        with no_hang():
            parse(data)
        event("parsed")
    except ListFormatError as exc:
        assert exc.file, f"the error names no file: {exc}"
        assert file_name in exc.file or not file_name, f"the error names {exc.file}, not {file_name}"
        event("ListFormatError")
    except Exception as exc:  # noqa: BLE001 - the property is about which errors escape
        for where, kind, pattern, _test in KNOWN:
            if target.startswith(where) and isinstance(exc, kind) and re.search(pattern, str(exc)):
                event(f"known bug: {kind.__name__}")
                return
        raise


# --- format-keeping edits ----------------------------------------------------------------------

fuzz_text = st.one_of(st.text(max_size=40), st.sampled_from([n.decode("latin-1") for n in NASTY]),
                      st.from_regex(r"\A-?\d{1,12}\Z"), st.from_regex(r"\A\d{4}-\d{2}-\d{2}(T\d\d:\d\d:\d\d)?\Z"),
                      st.from_regex(r"\A\d{1,2}/\d{1,2}/\d{4}\Z"))


def xml_edits(base: bytes):  # type: ignore[no-untyped-def]
    """`base` (XML) with some elements' text or attributes replaced, or elements removed."""
    from lxml import etree

    count = sum(1 for _ in etree.fromstring(base).iter())
    edit = st.tuples(st.integers(0, count - 1), st.sampled_from(["text", "attr", "drop", "dup"]), fuzz_text)

    def apply(edits: list[tuple[int, str, str]]) -> bytes:
        root = etree.fromstring(base)
        for index, kind, text in edits:
            nodes = list(root.iter())
            node = nodes[min(index, len(nodes) - 1)]
            clean = "".join(c for c in text if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd")
            if kind == "text":
                node.text = clean
            elif kind == "attr" and node.attrib:
                node.set(sorted(node.attrib)[index % len(node.attrib)], clean)
            elif kind == "drop" and node.getparent() is not None:
                node.getparent().remove(node)
            elif kind == "dup" and node.getparent() is not None:
                node.addnext(etree.fromstring(etree.tostring(node)))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def csv_edits(base: bytes, encoding: str):  # type: ignore[no-untyped-def]
    """`base` (CSV) with some cells replaced, rows dropped or cells added."""
    rows = list(csv.reader(io.StringIO(base.decode(encoding))))
    edit = st.tuples(st.integers(0, max(len(rows) - 1, 0)), st.integers(0, 40),
                     st.sampled_from(["cell", "drop", "extra"]), fuzz_text)

    def apply(edits: list[tuple[int, int, str, str]]) -> bytes:
        table = [list(r) for r in rows]
        for r, c, kind, text in edits:
            if not table:
                break
            row = table[min(r, len(table) - 1)]
            if kind == "cell" and row:
                row[c % len(row)] = text
            elif kind == "drop":
                table.remove(row)
            elif kind == "extra":
                row.append(text)
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table)
        return out.getvalue().encode(encoding, errors="replace")

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def json_lines_edits(base: bytes):  # type: ignore[no-untyped-def]
    """JSON (one document, or one per line) with values swapped anywhere in the trees."""
    json_value = json_values()

    lines = [json.loads(line) for line in base.decode().splitlines() if line.strip()]

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        docs = list(lines)
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(docs) - 1))
            path = draw(st.sampled_from(list(tree_paths(docs[i]))))
            docs[i] = replace_at(docs[i], path, draw(json_value | fuzz_text))
        return "\n".join(json.dumps(d, ensure_ascii=False) for d in docs).encode()

    return build()


def _format_edits(target: str, base: bytes):  # type: ignore[no-untyped-def]
    if target.endswith(".xml"):
        return xml_edits(base)
    if target.startswith(("ftm", "ofac-json")):
        return json_lines_edits(base)
    return csv_edits(base, "latin-1" if target.startswith(("ofac", "ukhmt")) else "utf-8-sig")


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_parser_reads_its_unmutated_fixture(target: str) -> None:
    """The fuzzing starts from inputs each parser accepts."""
    load, parse, _ = TARGETS[target]
    assert parse(load()) is not None


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_parser_on_byte_edits(target: str) -> None:
    base = TARGETS[target][0]()

    @fuzz_settings(share=0.4)
    @given(mutations(base))
    def run(data: bytes) -> None:
        check(target, data)

    run()


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_parser_on_format_keeping_edits(target: str) -> None:
    base = TARGETS[target][0]()

    @fuzz_settings(share=0.5)
    @given(_format_edits(target, base))
    def run(data: bytes) -> None:
        check(target, data)

    run()


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_parser_on_arbitrary_bytes(target: str) -> None:
    TARGETS[target][0]()  # skips when the parser or its fixture is missing

    @fuzz_settings(share=0.1)
    @given(st.binary(max_size=500))
    def run(data: bytes) -> None:
        check(target, data)

    run()


# --- crashes the fuzzing found, since fixed by the parsers' owner: they must stay fixed ----------

def _lfe():  # type: ignore[no-untyped-def]
    from freedomledger.sources.common import ListFormatError

    return ListFormatError


def _reads_or_refuses(parse, name: str) -> None:  # type: ignore[no-untyped-def]
    """Either outcome is correct; any other exception is the old crash coming back."""
    try:
        parse()
    except _lfe() as exc:
        assert name in str(exc)


@pytest.mark.parametrize("role", ["main", "add", "alt"])
def test_ofac_ent_num_of_unicode_digits_is_a_list_format_error(role: str) -> None:
    name = OFAC_ROLES[role]
    rows = {"main": b'4\xb2,"X","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
            "add": b'4\xb2,1,-0- ,-0- ,-0- ,-0- \r\n', "alt": b'4\xb2,1,"aka","X",-0- \r\n'}
    data = _fixture(f"ofac_2024-06/{name}").rstrip(b"\x1a") + rows[role] + b"\x1a"
    _reads_or_refuses(lambda: _ofac_csv(role)(data), name)


@pytest.mark.parametrize("entry", [
    {"uid": 1, "name": [], "type": "individual"},
    {"uid": 1, "name": "X", "type": "individual", "programs": 5},
    {"uid": 1, "name": "X", "type": "individual", "alternateNames": 1.5},
])
def test_ofac_json_values_of_the_wrong_type_are_list_format_errors(entry: dict) -> None:  # type: ignore[type-arg]
    ofac = _module("ofac")
    _reads_or_refuses(lambda: ofac.parse_ofac_json("sdn.json", json.dumps({"entries": [entry]}).encode()), "sdn.json")


@pytest.mark.parametrize("change", [{"datasets": [None]}, {"datasets": True}, {"datasets": [{}]},
                                    {"caption": []}, {"schema": []}],
                         ids=["datasets-null", "datasets-bool", "datasets-object", "caption-list", "schema-list"])
def test_ftm_values_of_the_wrong_type_are_list_format_errors(change: dict) -> None:  # type: ignore[type-arg]
    ftm = _module("ftm")
    lines = [json.loads(line) for line in _fixture("ftm_eu_fsf_entities.ftm.json").decode().splitlines() if line.strip()]
    lines[0] = {**lines[0], **change}
    data = "\n".join(json.dumps(d) for d in lines).encode()
    _reads_or_refuses(lambda: ftm.parse_ftm_entities("entities.ftm.json", data), "entities.ftm.json")


def test_date_part_too_large_for_a_c_long_is_handled() -> None:
    ofac_xml = _module("ofac_xml")
    data = _fixture("sdn_advanced_2025-12-31.xml").replace(b"<Day>31</Day>", b"<Day>99999999999999999999</Day>", 1)
    _reads_or_refuses(lambda: ofac_xml.parse_advanced_xml("sdn_advanced.xml", data), "sdn_advanced.xml")
