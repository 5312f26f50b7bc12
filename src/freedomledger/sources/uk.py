"""UK lists: the UK Sanctions List as normalised tables, and HM Treasury's older
consolidated CSV.

* `uk` — a folder of the UK Sanctions List split into tables (subjects.csv,
  subject_names.csv, subject_dobs.csv, subject_countries.csv; subject_identifiers.csv is
  not needed). The regime is the letter prefix of the UK list ID (BEL0001 → Belarus). The
  tables state no publication date, so the importer needs one.
* `ukhmt` — HM Treasury (OFSI) "Consolidated List of Targets" CSV: a `Last Updated,DD/MM/YYYY`
  line, a header, then one row per name, grouped by `Group ID`. Windows-1252, CRLF.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
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
    partial_date,
    read_bytes,
    require_columns,
    sorted_unique,
    unique_names,
)

UK = "uk"
UKHMT = "ukhmt"

# Regime codes in UK Sanctions List IDs. Only codes whose regime is certain are named; any
# other code is kept as it is rather than guessed.
UK_REGIMES = {
    "AFG": "Afghanistan",
    "AQD": "ISIL (Da'esh) and Al-Qaida",
    "BEL": "Belarus",
    "BIH": "Bosnia and Herzegovina",
    "CAF": "Central African Republic",
    "CHW": "Chemical Weapons",
    "CTD": "Counter-Terrorism (Domestic)",
    "CTI": "Counter-Terrorism (International)",
    "CYB": "Cyber",
    "DPR": "Democratic People's Republic of Korea",
    "DRC": "Democratic Republic of the Congo",
    "GAC": "Global Anti-Corruption",
    "GHR": "Global Human Rights",
    "GUB": "Guinea-Bissau",
    "HAI": "Haiti",
    "INU": "Iran (Nuclear)",
    "IRN": "Iran",
    "IRQ": "Iraq",
    "LIB": "Libya",
    "MAL": "Mali",
    "MYA": "Myanmar",
    "NIC": "Nicaragua",
    "RUS": "Russia",
    "SOM": "Somalia",
    "SSU": "South Sudan",
    "SUD": "Sudan",
    "SYR": "Syria",
    "VEN": "Venezuela",
    "YEM": "Yemen",
}
_UK_TYPES = {
    "individual": EntitySchema.person,
    "entity": EntitySchema.organization,
    "ship": EntitySchema.vessel,
}
_UK_NAME_KINDS = {
    ("primary", ""): ListNameKind.primary,
    ("primary", "good_quality_aka"): ListNameKind.primary,
    ("primary_variation", ""): ListNameKind.alias,
    ("primary_variation", "good_quality_aka"): ListNameKind.alias,
    ("primary_variation", "low_quality_aka"): ListNameKind.weak_alias,
    ("alias", ""): ListNameKind.alias,
    ("alias", "good_quality_aka"): ListNameKind.alias,
    ("alias", "low_quality_aka"): ListNameKind.weak_alias,
}
_UK_ID = re.compile(r"^([A-Z]{3})\d+$")


def _dict_rows(path: Path, needed: tuple[str, ...]):  # type: ignore[no-untyped-def]
    text = decode_bytes(read_bytes(path), path)
    rows = csv_rows(text, path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise ListFormatError("is empty.", file=path, hint="download the file again.") from None
    header = [h.strip() for h in header]
    require_columns(header, needed, path)
    for line, row in rows:
        if len(row) != len(header):
            raise ListFormatError(
                f"has {len(row)} fields where the header has {len(header)}.",
                file=path, line=line,
                hint="check the quoting on this line (a comma inside an unquoted value).",
            )
        yield line, dict(zip(header, row, strict=True))


def _dmy(value: str | None, path: Path, line: int, field: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if not m:
        raise ListFormatError(f"{value!r} is not a DD/MM/YYYY date.", file=path, line=line,
                              field=field, hint="fix the date or leave the cell empty.")
    return partial_date(m.group(3), m.group(2), m.group(1))


def parse_uk_tables(folder: Path) -> ParsedList:
    """The UK Sanctions List as normalised tables in one folder."""
    subjects_path = folder / "subjects.csv"
    names_path = folder / "subject_names.csv"
    for needed in (subjects_path, names_path):
        if not needed.is_file():
            raise ListFormatError(
                f"has no {needed.name}.", file=folder,
                hint="point at the folder holding subjects.csv and subject_names.csv.",
            )
    subjects: dict[str, dict[str, object]] = {}
    for line, row in _dict_rows(subjects_path, ("unique_id", "subject_type", "date_designated")):
        uid = row["unique_id"].strip()
        m = _UK_ID.match(uid)
        if not m:
            raise ListFormatError(f"unique_id {uid!r} is not a UK list ID like BEL0001.",
                                  file=subjects_path, line=line, field="unique_id",
                                  hint="the row is damaged.")
        kind = row["subject_type"].strip().lower()
        if kind not in _UK_TYPES:
            raise ListFormatError(f"unknown subject_type {row['subject_type']!r}.",
                                  file=subjects_path, line=line, field="subject_type",
                                  hint="expected individual, entity or ship.")
        if uid in subjects:
            raise ListFormatError(f"unique_id {uid} appears twice.", file=subjects_path,
                                  line=line, field="unique_id",
                                  hint="the file is damaged; rebuild the tables.")
        subjects[uid] = {
            "schema": _UK_TYPES[kind],
            "program": UK_REGIMES.get(m.group(1), m.group(1)),
            "listed_on": _dmy(row["date_designated"], subjects_path, line, "date_designated"),
            "details": make_details({
                "un_reference": clean_text(row.get("un_reference_number")),
                "ofsi_group_id": clean_text(row.get("ofsi_group_id")),
            }),
        }
    names: dict[str, list[ListName]] = defaultdict(list)
    for line, row in _dict_rows(names_path, ("unique_id", "name_type", "alias_strength",
                                             "full_name")):
        uid = row["unique_id"].strip()
        if uid not in subjects:
            raise ListFormatError(f"unique_id {uid} is not in subjects.csv.", file=names_path,
                                  line=line, field="unique_id",
                                  hint="the tables come from different versions; use one set.")
        key = (row["name_type"].strip(), row["alias_strength"].strip())
        if key not in _UK_NAME_KINDS:
            raise ListFormatError(f"unknown name_type/alias_strength {key}.", file=names_path,
                                  line=line, field="name_type",
                                  hint="expected primary, primary_variation or alias.")
        text = clean_text(row["full_name"])
        if text:
            names[uid].append(make_name(text, _UK_NAME_KINDS[key]))
    births: dict[str, list[str | None]] = defaultdict(list)
    dobs_path = folder / "subject_dobs.csv"
    if dobs_path.is_file():
        for _, row in _dict_rows(dobs_path, ("unique_id", "year", "month", "day")):
            births[row["unique_id"].strip()].append(
                partial_date(row["year"], row["month"], row["day"]))
    countries: dict[str, list[str | None]] = defaultdict(list)
    countries_path = folder / "subject_countries.csv"
    if countries_path.is_file():
        for _, row in _dict_rows(countries_path, ("unique_id", "country_type", "iso")):
            if row["country_type"].strip() == "nationality" and row["iso"].strip():
                countries[row["unique_id"].strip()].append(row["iso"].strip().lower())
    entries = []
    coverage = frozenset({Coverage.identity, Coverage.programs, Coverage.aliases,
                          Coverage.details})
    for uid, subject in subjects.items():
        if not names.get(uid):
            raise ListFormatError(f"subject {uid} has no name in subject_names.csv.",
                                  file=names_path, field="unique_id",
                                  hint="the tables come from different versions; use one set.")
        entries.append(ListEntry(
            list_id=UK,
            external_id=uid,
            schema=subject["schema"],  # type: ignore[arg-type]
            names=unique_names(names[uid]),
            programs=(str(subject["program"]),),
            birth_dates=sorted_unique(births.get(uid, [])),
            countries=sorted_unique(countries.get(uid, [])),
            listed_on=subject["listed_on"],  # type: ignore[arg-type]
            details=subject["details"],  # type: ignore[arg-type]
            coverage=coverage,
        ))
    files = [p for p in (subjects_path, names_path, dobs_path, countries_path) if p.is_file()]
    return ParsedList(
        list_id=UK, entries=entries, files=tuple(str(p) for p in files),
        content_hash=hash_files((str(p), read_bytes(p)) for p in files),
        coverage=coverage, authority="UK",
    )


# --- HM Treasury consolidated list CSV ---------------------------------------------------

_HMT_COLUMNS = ("Name 6", "Name 1", "Group Type", "Alias Type", "Regime", "Group ID")
_HMT_TYPES = {"individual": EntitySchema.person, "entity": EntitySchema.organization,
              "ship": EntitySchema.vessel}


def parse_ukhmt_csv(path: Path) -> ParsedList:
    data = read_bytes(path)
    text = decode_bytes(data, path)
    rows = csv_rows(text, path)
    published = None
    try:
        line, first = next(rows)
    except StopIteration:
        raise ListFormatError("is empty.", file=path, hint="download the file again.") from None
    if first and first[0].strip().lower() == "last updated":
        value = first[1] if len(first) > 1 else ""
        day = _dmy(value, path, line, "Last Updated")
        if day and len(day) == 10:
            published = dt.datetime.fromisoformat(day)
        try:
            line, header = next(rows)
        except StopIteration:
            raise ListFormatError("has no header row.", file=path, line=2,
                                  hint="download the file again.") from None
    else:
        header = first
    header = [h.strip() for h in header]
    require_columns(header, _HMT_COLUMNS, path)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for line, row in rows:
        if len(row) != len(header):
            raise ListFormatError(f"has {len(row)} fields where the header has {len(header)}.",
                                  file=path, line=line,
                                  hint="check the quoting on this line.")
        record = dict(zip(header, row, strict=True))
        gid = record["Group ID"].strip()
        if not is_number(gid):
            raise ListFormatError(f"Group ID must be a whole number, found {gid!r}.",
                                  file=path, line=line, field="Group ID",
                                  hint="the row is damaged.")
        groups[gid].append((line, record))
    entries = []
    for gid, members in groups.items():
        entries.append(_hmt_entry(gid, members, path))
    coverage = frozenset(Coverage)
    return ParsedList(list_id=UKHMT, entries=entries, files=(str(path),),
                      content_hash=hash_files([(str(path), data)]), coverage=coverage,
                      published=published, authority="UK")


def _hmt_name(record: dict[str, str]) -> str | None:
    given = [clean_text(record.get(f"Name {i}")) for i in range(1, 6)]
    parts = [p for p in given if p] + [clean_text(record.get("Name 6")) or ""]
    return clean_text(" ".join(p for p in parts if p))


def _hmt_entry(gid: str, members: list[tuple[int, dict[str, str]]], path: Path) -> ListEntry:
    names: list[ListName] = []
    programs, births, countries, addresses, remarks, listed = set(), [], [], [], [], []
    schema = None
    for line, record in members:
        kind = record["Group Type"].strip().lower()
        if kind not in _HMT_TYPES:
            raise ListFormatError(f"unknown Group Type {record['Group Type']!r}.", file=path,
                                  line=line, field="Group Type",
                                  hint="expected Individual, Entity or Ship.")
        schema = _HMT_TYPES[kind]
        text = _hmt_name(record)
        if not text:
            raise ListFormatError("the row has no name.", file=path, line=line,
                                  field="Name 6", hint="the row is damaged.")
        alias_type = record["Alias Type"].strip().lower()
        names.append(make_name(text, ListNameKind.primary if alias_type.startswith(
            ("prime", "primary")) else ListNameKind.alias))
        if record["Regime"].strip():
            programs.add(clean_text(record["Regime"]) or "")
        dob = (record.get("DOB") or "").strip()
        if dob:
            m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", dob)
            births.append(partial_date(m.group(3), m.group(2), m.group(1)) if m
                          else parse_loose_date(dob))
        for field in ("Nationality",):
            value = clean_text(record.get(field))
            if value:
                countries.append(country_code(value.split(",")[0].strip(" ()")))
        address = ", ".join(p for p in (clean_text(record.get(f"Address {i}")) for i in
                                        range(1, 7)) if p)
        country = clean_text(record.get("Country"))
        full = ", ".join(p for p in (address, clean_text(record.get("Post/Zip Code")),
                                     country) if p)
        if full:
            addresses.append(full)
        if record.get("Other Information", "").strip():
            remarks.append(clean_text(record["Other Information"]) or "")
        listed_on = (record.get("Listed On") or "").strip()
        if listed_on:
            listed.append(_dmy(listed_on, path, line, "Listed On"))
    if not any(n.kind is ListNameKind.primary for n in names):
        # A group without a "Prime Alias" row: its first row is the name the list leads with.
        first = names[0]
        names[0] = ListName(first.text, ListNameKind.primary, first.script)
    first_line, first_record = members[0]
    return ListEntry(
        list_id=UKHMT,
        external_id=gid,
        schema=schema or EntitySchema.other,
        names=unique_names(names),
        programs=tuple(sorted(p for p in programs if p)),
        birth_dates=sorted_unique(births),
        countries=sorted_unique(countries),
        addresses=tuple(dict.fromkeys(addresses)),
        remarks=remarks[0] if remarks else None,
        listed_on=min((d for d in listed if d), default=None),
        details=make_details({"title": clean_text(first_record.get("Title")),
                              "position": clean_text(first_record.get("Position"))}),
        coverage=frozenset(Coverage),
    )
