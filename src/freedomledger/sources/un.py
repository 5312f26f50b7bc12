"""The UN Security Council consolidated list (XML, sc-sanctions.xsd).

Root `CONSOLIDATED_LIST` with a `dateGenerated` attribute (the publication date), then
`INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY`. The external id is the UN reference number
(e.g. `CDi.001`), which the UN keeps for the life of a listing; `UN_LIST_TYPE` (the
committee's regime, e.g. DRC, Al-Qaida) is the program.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from freedomledger.sources.common import (
    ALL_COVERAGE,
    EntitySchema,
    ListEntry,
    ListFormatError,
    ListName,
    ListNameKind,
    ParsedList,
    clean_text,
    country_code,
    hash_files,
    make_details,
    make_name,
    parse_loose_date,
    sorted_unique,
    unique_names,
)
from freedomledger.sources.xml_stream import stream_entries

UN = "un"


def _text(elem: etree._Element, tag: str) -> str | None:
    child = elem.find(tag)
    return clean_text(child.text) if child is not None else None


def _values(elem: etree._Element, tag: str) -> list[str]:
    return [v for v in (clean_text(x.text) for x in elem.findall(f"{tag}/VALUE")) if v]


def parse_un_xml(name: str, data: bytes) -> ParsedList:
    root, entries = stream_entries(name, data, root="CONSOLIDATED_LIST", what="the UN Security Council consolidated list",
                                   entry_tags=("INDIVIDUAL", "ENTITY"), id_field="REFERENCE_NUMBER", read_entry=_entry)
    published: dt.datetime | None = None
    if root.get("dateGenerated"):
        try:
            published = dt.datetime.fromisoformat(root["dateGenerated"].replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            published = None
    return ParsedList(list_id=UN, entries=entries, files=(name,),
                      content_hash=hash_files([(name, data)]), coverage=ALL_COVERAGE,
                      published=published, authority="UN")


def _entry(elem: etree._Element, file: str) -> ListEntry:
    is_person = elem.tag == "INDIVIDUAL"
    ref = _text(elem, "REFERENCE_NUMBER") or _text(elem, "DATAID")
    if not ref:
        raise ListFormatError("an entry has neither REFERENCE_NUMBER nor DATAID.", file=file,
                              line=elem.sourceline, field="REFERENCE_NUMBER",
                              hint="the entry is damaged.")
    parts = [_text(elem, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                      "FOURTH_NAME")]
    primary = " ".join(p for p in parts if p)
    if not primary:
        raise ListFormatError(f"entry {ref} has no name.", file=file, line=elem.sourceline,
                              field="FIRST_NAME", hint="the entry is damaged.")
    names: list[ListName] = [make_name(primary, ListNameKind.primary)]
    original = _text(elem, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(make_name(original, ListNameKind.alias))
    alias_tag = "INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS"
    for alias in elem.findall(alias_tag):
        text = _text(alias, "ALIAS_NAME")
        if not text:
            continue
        quality = (_text(alias, "QUALITY") or "").lower()
        kind = ListNameKind.weak_alias if quality == "low" else ListNameKind.alias
        for piece in text.split("; "):
            if piece.strip():
                names.append(make_name(piece.strip(), kind))
    births: list[str | None] = []
    for dob in elem.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        value = _text(dob, "DATE") or _text(dob, "YEAR")
        if value:
            births.append(parse_loose_date(value))
        elif _text(dob, "FROM_YEAR"):
            births.append(parse_loose_date(_text(dob, "FROM_YEAR")))
    countries = [country_code(v) for v in _values(elem, "NATIONALITY")]
    addresses = []
    for address in elem.findall("INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS"):
        pieces = [_text(address, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE",
                                                "COUNTRY")]
        text = ", ".join(p for p in pieces if p)
        if text:
            addresses.append(text)
    remarks = _text(elem, "COMMENTS1")
    return ListEntry(
        list_id=UN,
        external_id=ref,
        schema=EntitySchema.person if is_person else EntitySchema.organization,
        names=unique_names(names),
        programs=sorted_unique([_text(elem, "UN_LIST_TYPE")]),
        birth_dates=sorted_unique(births),
        countries=sorted_unique(countries),
        addresses=tuple(addresses),
        remarks=remarks,
        listed_on=parse_loose_date(_text(elem, "LISTED_ON")),
        details=make_details({
            "title": "; ".join(_values(elem, "TITLE")) or None,
            "designation": "; ".join(_values(elem, "DESIGNATION")) or None,
            "dataid": _text(elem, "DATAID"),
        }),
        coverage=ALL_COVERAGE,
    )
