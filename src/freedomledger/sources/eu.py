"""The EU Financial Sanctions Files consolidated list (XML, `xmlFullSanctionsList_1_1`).

Root `export` (namespace `http://eu.europa.ec/fpi/fsd/export`) with a `generationDate`
attribute, then one `sanctionEntity` per listed subject. Almost everything is attributes:
`sanctionEntity/@logicalId` (stable across versions, the external id), `@euReferenceNumber`,
`subjectType/@code` (person, enterprise), `regulation/@programme` (BLR, RUS, …; one per
legal act, so the set of them is the programs), `nameAlias/@wholeName` with
`@nameLanguage` and `@strong`, `birthdate/@birthdate`, `citizenship/@countryIso2Code` and
`address/@...`. The EU marks no primary name: the first `nameAlias` is taken as the one the
list leads with, as the EU's own PDF does.
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
    hash_files,
    make_details,
    make_name,
    parse_loose_date,
    partial_date,
    sorted_unique,
    unique_names,
)
from freedomledger.sources.xml_stream import local_name, stream_entries

EU = "eu"
_TYPES = {"person": EntitySchema.person, "enterprise": EntitySchema.organization,
          "vessel": EntitySchema.vessel, "aircraft": EntitySchema.aircraft}


def _kids(elem: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in elem if local_name(c.tag) == name]


def _attr(elem: etree._Element, name: str) -> str | None:
    return clean_text(elem.get(name))


def parse_eu_xml(name: str, data: bytes) -> ParsedList:
    root, entries = stream_entries(name, data, root="export", what="the EU Financial Sanctions Files XML",
                                   entry_tags=("sanctionEntity",), id_field="sanctionEntity/@logicalId",
                                   read_entry=_entry)
    published: dt.datetime | None = None
    if root.get("generationDate"):
        try:
            published = dt.datetime.fromisoformat(root["generationDate"])
            if published.tzinfo is not None:
                published = published.astimezone(dt.UTC).replace(tzinfo=None)
        except ValueError:
            published = None
    return ParsedList(list_id=EU, entries=entries, files=(name,),
                      content_hash=hash_files([(name, data)]), coverage=ALL_COVERAGE,
                      published=published, authority="EU")


def _entry(elem: etree._Element, file: str) -> ListEntry:
    ident = _attr(elem, "logicalId")
    if not ident:
        raise ListFormatError("a sanctionEntity has no logicalId.", file=file,
                              line=elem.sourceline, field="sanctionEntity/@logicalId",
                              hint="the entry is damaged.")
    subject = _kids(elem, "subjectType")
    code = (_attr(subject[0], "code") or "").lower() if subject else ""
    if code not in _TYPES:
        raise ListFormatError(f"unknown subjectType code {code!r} for entity {ident}.",
                              file=file, line=elem.sourceline, field="subjectType/@code",
                              hint="expected person or enterprise.")
    names: list[ListName] = []
    for alias in _kids(elem, "nameAlias"):
        text = _attr(alias, "wholeName")
        if not text:
            parts = [_attr(alias, k) for k in ("firstName", "middleName", "lastName")]
            text = " ".join(p for p in parts if p)
        if not text:
            continue
        weak = (alias.get("strong") or "true").lower() == "false"
        kind = ListNameKind.alias
        if not names:
            kind = ListNameKind.primary
        elif weak:
            kind = ListNameKind.weak_alias
        lang = (_attr(alias, "nameLanguage") or "").lower() or None
        names.append(make_name(text, kind, lang))
    if not names:
        raise ListFormatError(f"entity {ident} has no nameAlias with a name.", file=file,
                              line=elem.sourceline, field="nameAlias/@wholeName",
                              hint="the entry is damaged.")
    programs = [_attr(r, "programme") for r in _kids(elem, "regulation")]
    listed = [parse_loose_date(_attr(r, "publicationDate")) for r in _kids(elem, "regulation")]
    births = []
    for birth in _kids(elem, "birthdate"):
        value = _attr(birth, "birthdate")
        births.append(parse_loose_date(value) if value else
                      partial_date(birth.get("year"), birth.get("monthOfYear"),
                                   birth.get("dayOfMonth")))
    countries = [(_attr(c, "countryIso2Code") or "").lower() or None
                 for c in _kids(elem, "citizenship")]
    addresses = []
    for address in _kids(elem, "address"):
        pieces = [_attr(address, k) for k in ("street", "poBox", "city", "zipCode", "region",
                                               "place", "countryDescription")]
        text = ", ".join(p for p in pieces if p)
        if text:
            addresses.append(text)
    remarks = " ".join(t for t in (clean_text(r.text) for r in _kids(elem, "remark")) if t)
    designated = parse_loose_date(_attr(elem, "designationDate"))
    return ListEntry(
        list_id=EU,
        external_id=ident,
        schema=_TYPES[code],
        names=unique_names(names),
        programs=sorted_unique(programs),
        birth_dates=sorted_unique(births),
        countries=sorted_unique(c for c in countries if c and c != "00"),
        addresses=tuple(addresses),
        remarks=remarks or None,
        listed_on=designated or min((d for d in listed if d), default=None),
        details=make_details({"eu_reference": _attr(elem, "euReferenceNumber"),
                              "un_reference": _attr(elem, "unitedNationId")}),
        coverage=ALL_COVERAGE,
    )
