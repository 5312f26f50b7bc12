"""OFAC's legacy CSV files (SDN and the consolidated non-SDN list) and the JSON rebuild.

Layout (OFAC's data specification; no header row, `-0-` means empty):

    sdn.csv / cons_prim.csv   ent_num, name, type, programs, title, call sign, vessel type,
                              tonnage, GRT, vessel flag, vessel owner, remarks
    add.csv / cons_add.csv    ent_num, add_num, address, city/state/postal, country, remarks
    alt.csv / cons_alt.csv    ent_num, alt_num, alt type (aka/fka/nka), alt name, remarks
    sdn_comments.csv          ent_num, the rest of a remark that sdn.csv cut off

A folder may hold any subset. Without sdn.csv the snapshot still proves who was listed,
because OFAC gives every entry at least one add.csv row (an all-`-0-` row when it knows no
address): an add.csv + alt.csv pair is a *membership* snapshot keyed by ent_num, with
aliases and addresses but no primary name, type or programs. Diffs across it report only
designations and delistings (see `Coverage`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from freedomledger.model import is_number
from freedomledger.sources.common import (
    Coverage,
    EntitySchema,
    ListEntry,
    ListFormatError,
    ListName,
    ListNameKind,
    ParsedList,
    clean_text,
    country_code,
    csv_rows,
    decode_bytes,
    hash_files,
    make_details,
    make_name,
    parse_loose_date,
    read_bytes,
    sorted_unique,
    unique_names,
)

SDN = "ofac-sdn"
CONS = "ofac-cons"

_TYPES = {
    "": EntitySchema.organization,
    "individual": EntitySchema.person,
    "vessel": EntitySchema.vessel,
    "aircraft": EntitySchema.aircraft,
    "entity": EntitySchema.organization,
}
_ALT_KINDS = {"aka", "fka", "nka"}
_FIELDS = {"main": 12, "add": 6, "alt": 5, "comments": 2}
_FIELD_NAMES = {
    "main": ["ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
             "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks"],
    "add": ["ent_num", "Add_num", "Address", "City/State/Province/Postal Code", "Country",
            "Add_remarks"],
    "alt": ["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"],
    "comments": ["ent_num", "Remarks_Extended"],
}

_WEAK_AKA = re.compile(r"\ba\.k\.a\.,?\s+'([^']{2,}?)'(?=[.;,]|$)")
_DOB = re.compile(r"\bDOB\s+([^;]+)")
_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([^;.]+)")
_HISTORY_NAME = re.compile(r"(\d{8}T\d{6}Z)", re.IGNORECASE)


def _empty(value: str) -> str | None:
    value = value.strip()
    # "-0" is what is left of "-0-" at the end of a truncated file (seen in the wild).
    if value in ("-0-", "-0", ""):
        return None
    return value


class RowCache:
    """Parsed entries of the previous version, by their raw row.

    Consecutive versions of a list share almost every row; a history of 308 versions
    re-parses only the rows that changed. Only two versions are held at a time, so memory
    does not grow with the number of versions."""

    def __init__(self) -> None:
        self.previous: dict[tuple[str, ...], ListEntry] = {}
        self.current: dict[tuple[str, ...], ListEntry] = {}

    def get(self, key: tuple[str, ...]) -> ListEntry | None:
        entry = self.current.get(key) or self.previous.get(key)
        if entry is not None:
            self.current[key] = entry
        return entry

    def put(self, key: tuple[str, ...], entry: ListEntry) -> None:
        self.current[key] = entry

    def rotate(self) -> None:
        self.previous, self.current = self.current, {}


def file_role(name: str) -> tuple[str, str] | None:
    """(list id, role) for an OFAC legacy file name, or None when it is not one."""
    base = Path(name).name.lower()
    if not base.endswith(".csv"):
        return None
    stem = base[:-4]
    if stem in ("sdn_comments", "cons_comments"):
        return (SDN if stem.startswith("sdn") else CONS), "comments"
    if stem in ("add", "alt"):
        return SDN, stem
    if stem in ("cons_add", "cons_alt"):
        return CONS, stem[5:]
    if stem == "cons_prim":
        return CONS, "main"
    if stem == "sdn" or _HISTORY_NAME.fullmatch(stem[4:] if stem.startswith("sdn_") else ""):
        return SDN, "main"
    return None


def date_from_name(name: str) -> dt.datetime | None:
    """The scrape time in names like `sdn_20240503T184323Z.csv` (git-scraped history)."""
    m = _HISTORY_NAME.search(Path(name).name)
    if not m:
        return None
    return dt.datetime.strptime(m.group(1).upper(), "%Y%m%dT%H%M%SZ")


def parse_ofac_folder(path: Path, list_id: str = SDN) -> ParsedList:
    """Parse a folder holding some of sdn.csv, add.csv, alt.csv, sdn_comments.csv (or the
    cons_* files)."""
    files: dict[str, tuple[str, bytes]] = {}
    for child in sorted(path.iterdir()):
        role = file_role(child.name)
        if role is None or not child.is_file():
            continue
        found_list, kind = role
        if found_list != list_id:
            other = "--list ofac-cons" if found_list == CONS else "--list ofac-sdn"
            raise ListFormatError(
                f"is a file of the {found_list} list, not {list_id}.",
                file=child,
                hint=f"import this folder with {other}.",
            )
        if kind in files:
            raise ListFormatError(
                f"holds two {kind} files ({files[kind][0]} and {child.name}).",
                file=path,
                hint="import one snapshot per folder; put history versions in separate "
                "folders or an archive.",
            )
        files[kind] = (str(child), read_bytes(child))
    if not files:
        raise ListFormatError(
            "holds no OFAC list files (sdn.csv, add.csv, alt.csv, cons_prim.csv …).",
            file=path,
            hint="point at the folder that holds the downloaded CSV files.",
        )
    return parse_ofac_files(files, list_id)


def parse_ofac_file(path: Path, list_id: str = SDN) -> ParsedList:
    """Parse a single legacy main file (sdn.csv or cons_prim.csv)."""
    return parse_ofac_files({"main": (str(path), read_bytes(path))}, list_id)


def parse_ofac_files(files: Mapping[str, tuple[str, bytes]], list_id: str = SDN, *,
                     row_cache: RowCache | None = None) -> ParsedList:
    """Parse OFAC legacy CSVs given as {role: (file name, bytes)}; roles are main, add, alt,
    comments. `row_cache` (for a lone main file only) reuses the previous version's work."""
    if row_cache is not None and set(files) != {"main"}:
        row_cache = None
    if "main" not in files and "add" not in files:
        present = ", ".join(name for name, _ in files.values())
        raise ListFormatError(
            f"{present or 'nothing'} cannot establish who is listed: alt.csv and the comments "
            "file cover only some entries.",
            hint="include sdn.csv (or cons_prim.csv) or at least add.csv, which has a row for "
            "every entry.",
        )
    warnings: list[str] = []
    rows = {role: list(_rows(role, name, data)) for role, (name, data) in files.items()}
    main: dict[str, tuple[int, list[str]]] = {}
    for line, row in rows.get("main", []):
        ent = row[0]
        if ent in main:
            raise ListFormatError(
                f"ent_num {ent} appears twice (first on line {main[ent][0]}).",
                file=files["main"][0], line=line, field="ent_num",
                hint="the file is damaged; download it again.",
            )
        main[ent] = (line, row)

    aliases: dict[str, list[ListName]] = defaultdict(list)
    for _, row in rows.get("alt", []):
        name = clean_text(_empty(row[3]) or "")
        if name:
            aliases[row[0]].append(make_name(name, ListNameKind.alias))
    addresses: dict[str, list[str]] = defaultdict(list)
    countries: dict[str, list[str | None]] = defaultdict(list)
    add_ids: set[str] = set()
    for _, row in rows.get("add", []):
        add_ids.add(row[0])
        parts = [clean_text(_empty(v) or "") for v in row[2:5]]
        text = ", ".join(p for p in parts if p)
        if text:
            addresses[row[0]].append(text)
        if parts[2]:
            countries[row[0]].append(country_code(parts[2]))
    comments: dict[str, str] = {}
    for _, row in rows.get("comments", []):
        comments[row[0]] = comments.get(row[0], "") + row[1]

    entries: list[ListEntry] = []
    if main:
        coverage = {Coverage.identity, Coverage.programs, Coverage.details}
        if "alt" in files:
            coverage.add(Coverage.aliases)
        if "add" in files:
            coverage.add(Coverage.addresses)
        orphans = (set(aliases) | add_ids | set(comments)) - set(main)
        if orphans:
            sample = ", ".join(sorted(orphans, key=int)[:5])
            warnings.append(
                f"{len(orphans)} ent_num(s) in add/alt/comments have no sdn.csv row and were "
                f"ignored (e.g. {sample})."
            )
        frozen = frozenset(coverage)
        for ent, (line, row) in main.items():
            key = (list_id, *row)
            cached = row_cache.get(key) if row_cache is not None else None
            if cached is None:
                cached = _main_entry(list_id, ent, line, row, files["main"][0],
                                     aliases.get(ent, []), addresses.get(ent, []),
                                     countries.get(ent, []), comments.get(ent), frozen)
                if row_cache is not None:
                    row_cache.put(key, cached)
            entries.append(cached)
    else:
        if "comments" in files:
            warnings.append("sdn_comments.csv ignored: without sdn.csv its remark "
                            "continuations have no beginning.")
        frozen = frozenset({Coverage.aliases, Coverage.addresses})
        for ent in sorted(add_ids | set(aliases), key=int):
            entries.append(ListEntry(
                list_id=list_id,
                external_id=ent,
                names=unique_names(aliases.get(ent, [])),
                addresses=tuple(addresses.get(ent, [])),
                countries=sorted_unique(countries.get(ent, [])),
                coverage=frozen,
            ))
        missing = set(aliases) - add_ids
        if missing and "add" in files:
            warnings.append(f"{len(missing)} ent_num(s) appear only in alt.csv.")
    return ParsedList(
        list_id=list_id,
        entries=entries,
        files=tuple(name for name, _ in files.values()),
        content_hash=hash_files(files.values()),
        coverage=frozen,
        published=None,
        warnings=warnings,
        authority="US",
    )


def _rows(role: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    text = decode_bytes(data, name)
    width = _FIELDS[role]
    for line, row in csv_rows(text, name):
        if row[0].strip().lower() in ("ent_num", "uid"):
            raise ListFormatError(
                "has a header row; OFAC's legacy files have none.",
                file=name, line=line,
                hint="this looks like a rebuilt or converted file; import the official "
                "download, or the JSON rebuild with its .json name.",
            )
        if len(row) != width:
            raise ListFormatError(
                f"has {len(row)} fields where {width} are expected "
                f"({', '.join(_FIELD_NAMES[role])}).",
                file=name, line=line,
                hint="check for a missing comma or an unquoted comma inside a name.",
            )
        ent = row[0].strip()
        if not is_number(ent):
            raise ListFormatError(
                f"ent_num must be a whole number, found {row[0]!r}.",
                file=name, line=line, field="ent_num",
                hint="the row is damaged or the file is not an OFAC legacy CSV.",
            )
        row[0] = str(int(ent))
        yield line, row


def _programs(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return sorted_unique(p.strip(" []") for p in value.split("] ["))


def _main_entry(
    list_id: str,
    ent: str,
    line: int,
    row: list[str],
    file: str,
    aliases: list[ListName],
    addresses: list[str],
    countries: list[str | None],
    comment: str | None,
    coverage: frozenset[Coverage],
) -> ListEntry:
    name = clean_text(_empty(row[1]) or "")
    if not name:
        raise ListFormatError("the entry has no name.", file=file, line=line, field="SDN_Name",
                              hint="the row is damaged; download the file again.")
    kind = (_empty(row[2]) or "").lower()
    if kind not in _TYPES:
        raise ListFormatError(
            f"unknown entry type {row[2]!r}; expected individual, vessel, aircraft or -0-.",
            file=file, line=line, field="SDN_Type",
            hint="columns may be shifted; check the quoting on this line.",
        )
    programs = _programs(_empty(row[3]))
    remark_raw = _empty(row[11]) or ""
    if comment:
        # sdn.csv cuts long remarks mid-word; the comments file holds the rest verbatim.
        remark_raw += comment
    remarks = clean_text(remark_raw)
    names = [make_name(name, ListNameKind.primary), *aliases]
    births: list[str | None] = []
    nationalities: list[str | None] = list(countries)
    if remarks:
        names += [make_name(m, ListNameKind.weak_alias) for m in _WEAK_AKA.findall(remarks)]
        births = [parse_loose_date(m.strip()) for m in _DOB.findall(remarks)]
        nationalities += [country_code(m.strip()) for m in _NATIONALITY.findall(remarks)]
    details = make_details({
        "title": clean_text(_empty(row[4])),
        "call_sign": clean_text(_empty(row[5])),
        "vessel_type": clean_text(_empty(row[6])),
        "tonnage": clean_text(_empty(row[7])),
        "gross_registered_tonnage": clean_text(_empty(row[8])),
        "vessel_flag": clean_text(_empty(row[9])),
        "vessel_owner": clean_text(_empty(row[10])),
    })
    return ListEntry(
        list_id=list_id,
        external_id=ent,
        schema=_TYPES[kind],
        names=unique_names(names),
        programs=programs,
        birth_dates=sorted_unique(births),
        countries=sorted_unique(nationalities),
        addresses=tuple(addresses),
        remarks=remarks,
        details=details,
        coverage=coverage,
    )


# --- the JSON rebuild (github.com/kindrat86/ofac-sdn-json) --------------------------------


def parse_ofac_json(name: str, data: bytes, list_id: str = SDN, *,
                    row_cache: RowCache | None = None) -> ParsedList:
    """Parse the JSON rebuild of SDN.CSV + ALT.CSV: {published, entries: [{uid, name, type,
    programs, alternateNames}]}. It states its publication date; it has no addresses or
    remarks, so its coverage is identity, programs and aliases."""
    try:
        doc = json.loads(decode_bytes(data, name))
    except json.JSONDecodeError as exc:
        raise ListFormatError(f"is not valid JSON: {exc.msg}.", file=name, line=exc.lineno,
                              hint="download the file again; it may be truncated.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise ListFormatError("has no 'entries' array; it is not the OFAC SDN JSON rebuild.",
                              file=name, hint="check the --list option.")
    published = None
    if doc.get("published"):
        try:
            published = dt.datetime.fromisoformat(str(doc["published"]))
        except ValueError as exc:
            raise ListFormatError(f"'published' is not a date: {doc['published']!r}.",
                                  file=name, field="published",
                                  hint="use YYYY-MM-DD or pass --date.") from exc
    coverage = frozenset({Coverage.identity, Coverage.programs, Coverage.aliases})
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(doc["entries"]):
        where = f"entries[{index}]"
        uid = item.get("uid") if isinstance(item, dict) else None
        if isinstance(uid, bool) or not isinstance(uid, int | str) or \
                not is_number(str(uid).strip()):
            raise ListFormatError(f"uid must be a whole number, found {uid!r}.", file=name,
                                  field=f"{where}.uid", hint="the entry is damaged.")
        uid = str(int(str(uid)))
        if uid in seen:
            raise ListFormatError(f"uid {uid} appears twice.", file=name, field=f"{where}.uid",
                                  hint="the file is damaged; download it again.")
        seen.add(uid)
        for prop, wanted in (("name", str), ("type", str), ("programs", list),
                             ("alternateNames", list)):
            value = item.get(prop)
            if value is not None and not isinstance(value, wanted):
                raise ListFormatError(
                    f"{prop} must be {'text' if wanted is str else 'a list'}, found "
                    f"{type(value).__name__}.", file=name, field=f"{where}.{prop}",
                    hint="the entry is damaged; download the file again.")
            if wanted is list and value and not all(isinstance(v, str) for v in value):
                raise ListFormatError(f"{prop} must hold only text.", file=name,
                                      field=f"{where}.{prop}",
                                      hint="the entry is damaged; download the file again.")
        key = (list_id, uid, item.get("name") or "", item.get("type") or "",
               *(item.get("programs") or []), "|", *(item.get("alternateNames") or []))
        cached = row_cache.get(key) if row_cache is not None else None
        if cached is not None:
            entries.append(cached)
            continue
        primary = clean_text(item.get("name"))
        if not primary:
            raise ListFormatError("the entry has no name.", file=name, field=f"{where}.name",
                                  hint="the entry is damaged.")
        kind = str(item.get("type") or "").lower()
        if kind not in _TYPES:
            raise ListFormatError(f"unknown type {item.get('type')!r}.", file=name,
                                  field=f"{where}.type",
                                  hint="expected individual, entity, vessel or aircraft.")
        aliases = [make_name(a, ListNameKind.alias)
                   for a in (clean_text(x) for x in item.get("alternateNames") or []) if a]
        entry = ListEntry(
            list_id=list_id,
            external_id=uid,
            schema=_TYPES[kind],
            names=unique_names([make_name(primary, ListNameKind.primary), *aliases]),
            programs=sorted_unique(str(p).strip() for p in item.get("programs") or []),
            coverage=coverage,
        )
        if row_cache is not None:
            row_cache.put(key, entry)
        entries.append(entry)
    return ParsedList(
        list_id=list_id,
        entries=entries,
        files=(name,),
        content_hash=hash_files([(name, data)]),
        coverage=coverage,
        published=published,
        authority="US",
    )
