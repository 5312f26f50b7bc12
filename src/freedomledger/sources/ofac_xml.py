"""OFAC's two XML publications: `sdn.xml` (and `consolidated.xml`) and `sdn_advanced.xml`.

* `sdn.xml` follows OFAC's sdnList schema (namespace `http://tempuri.org/sdnList.xsd`, later
  `https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML`):
  `publshInformation/Publish_Date` (MM/DD/YYYY) then one `sdnEntry` per entry with uid,
  names, sdnType, programList, akaList (category strong/weak), addressList,
  nationalityList, dateOfBirthList, vesselInfo and remarks.
* `sdn_advanced.xml` follows the UN "Advanced Sanctions List Standard" as OFAC publishes it:
  coded reference tables (`ReferenceValueSets`) first, then `Locations`, then one
  `DistinctParty` per entry (names as `NamePartValue`s inside `Alias/DocumentedName`),
  and the programs in separate `SanctionsEntry/SanctionsMeasure` elements joined by
  ProfileID. Codes are resolved through the file's own reference tables, by label, because
  OFAC does not promise the numeric IDs.

Both use the same entity numbers as the legacy CSV (uid = FixedRef = ent_num), so their
snapshots line up with CSV snapshots of the same list. Files are streamed (the advanced file
is over 100 MB), namespaces are ignored: OFAC has changed them before.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from lxml import etree

from freedomledger.model import is_number
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
    partial_date,
    read_bytes,
    sorted_unique,
    unique_names,
)
from freedomledger.sources.xml_stream import local_name

SDN = "ofac-sdn"


def _child(elem: etree._Element, name: str) -> etree._Element | None:
    for child in elem:
        if local_name(child.tag) == name:
            return child
    return None


def _children(elem: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in elem if local_name(c.tag) == name]


def _text(elem: etree._Element | None, name: str | None = None) -> str | None:
    if elem is not None and name is not None:
        elem = _child(elem, name)
    if elem is None:
        return None
    return clean_text(elem.text)


def _descendants(elem: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in elem.iter() if local_name(e.tag) == name]


def _iterparse(name: str, data: bytes):  # type: ignore[no-untyped-def]
    return etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=True,
                           resolve_entities=False, no_network=True, remove_comments=True)


def _syntax_error(name: str, exc: etree.XMLSyntaxError) -> ListFormatError:
    return ListFormatError(
        f"is not well-formed XML: {exc.msg}.",
        file=name,
        line=exc.lineno,
        hint="the download is probably truncated or damaged; download it again.",
    )


def sniff(data: bytes) -> str | None:
    """'sdn' or 'advanced' by the root element, None when neither."""
    head = data[:4096].decode("utf-8", "ignore")
    if "<sdnList" in head:
        return "sdn"
    if "<Sanctions" in head:
        return "advanced"
    return None


def parse_ofac_xml(name: str, data: bytes, list_id: str = SDN) -> ParsedList:
    kind = sniff(data)
    if kind == "sdn":
        return parse_sdn_xml(name, data, list_id)
    if kind == "advanced":
        return parse_advanced_xml(name, data, list_id)
    raise ListFormatError(
        "is neither OFAC sdn.xml (root <sdnList>) nor sdn_advanced.xml (root <Sanctions>).",
        file=name,
        line=1,
        hint="check that this is the OFAC XML download and the --list option.",
    )


# --- sdn.xml ------------------------------------------------------------------------------

_SDN_TYPES = {
    "individual": EntitySchema.person,
    "entity": EntitySchema.organization,
    "vessel": EntitySchema.vessel,
    "aircraft": EntitySchema.aircraft,
}


def _person_name(last: str | None, first: str | None) -> str | None:
    # The legacy CSV writes "LAST, First"; keep that so names compare across formats.
    if last and first:
        return f"{last}, {first}"
    return last or first


def _publish_date(text: str | None, name: str, line: int | None) -> dt.datetime | None:
    if not text:
        return None
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ListFormatError(f"Publish_Date {text!r} is not a date (MM/DD/YYYY).", file=name,
                          line=line, field="Publish_Date", hint="pass --date instead.")


def parse_sdn_xml(name: str, data: bytes, list_id: str = SDN) -> ParsedList:
    entries: list[ListEntry] = []
    published: dt.datetime | None = None
    record_count: int | None = None
    seen: dict[str, int] = {}
    try:
        for event, elem in _iterparse(name, data):
            if event != "end":
                continue
            tag = local_name(elem.tag)
            if tag == "publshInformation":
                published = _publish_date(_text(elem, "Publish_Date"), name, elem.sourceline)
                count = _text(elem, "Record_Count")
                record_count = int(count) if count and is_number(count) else None
                elem.clear()
            elif tag == "sdnEntry":
                entry = _sdn_entry(elem, name, list_id)
                if entry.external_id in seen:
                    raise ListFormatError(
                        f"uid {entry.external_id} appears twice (first on line "
                        f"{seen[entry.external_id]}).",
                        file=name, line=elem.sourceline, field="uid",
                        hint="the file is damaged; download it again.",
                    )
                seen[entry.external_id] = elem.sourceline or 0
                entries.append(entry)
                elem.clear()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(name, exc) from exc
    warnings = []
    if record_count is not None and record_count != len(entries):
        warnings.append(f"Record_Count says {record_count} entries, the file holds "
                        f"{len(entries)}.")
    return ParsedList(list_id=list_id, entries=entries, files=(name,),
                      content_hash=hash_files([(name, data)]), coverage=ALL_COVERAGE,
                      published=published, warnings=warnings, authority="US")


def _sdn_entry(elem: etree._Element, file: str, list_id: str) -> ListEntry:
    line = elem.sourceline
    uid = _text(elem, "uid")
    if not uid or not is_number(uid):
        raise ListFormatError(f"uid must be a whole number, found {uid!r}.", file=file,
                              line=line, field="sdnEntry/uid",
                              hint="the entry is damaged.")
    kind = (_text(elem, "sdnType") or "").lower()
    if kind not in _SDN_TYPES:
        raise ListFormatError(f"unknown sdnType {kind!r}.", file=file, line=line,
                              field="sdnEntry/sdnType",
                              hint="expected Individual, Entity, Vessel or Aircraft.")
    primary = _person_name(_text(elem, "lastName"), _text(elem, "firstName"))
    if not primary:
        raise ListFormatError(f"entry {uid} has no name.", file=file, line=line,
                              field="sdnEntry/lastName", hint="the entry is damaged.")
    names = [make_name(primary, ListNameKind.primary)]
    for aka in _descendants(elem, "aka"):
        text = _person_name(_text(aka, "lastName"), _text(aka, "firstName"))
        if text:
            weak = (_text(aka, "category") or "").lower() == "weak"
            names.append(make_name(text, ListNameKind.weak_alias if weak else ListNameKind.alias))
    programs = sorted_unique(_text(p) for p in _descendants(elem, "program"))
    addresses, countries = [], []
    for address in _descendants(elem, "address"):
        parts = [_text(address, f) for f in ("address1", "address2", "address3", "city",
                                             "stateOrProvince", "postalCode", "country")]
        text = ", ".join(p for p in parts if p)
        if text:
            addresses.append(text)
    for tag in ("nationality", "citizenship"):
        for item in _descendants(elem, tag):
            value = _text(item, "country")
            if value:
                countries.append(country_code(value))
    births = [parse_loose_date(_text(d, "dateOfBirth")) for d in _descendants(elem, "dateOfBirthItem")]
    vessel = _child(elem, "vesselInfo")
    details: dict[str, str | None] = {"title": _text(elem, "title")}
    if vessel is not None:
        details.update({
            "call_sign": _text(vessel, "callSign"),
            "vessel_type": _text(vessel, "vesselType"),
            "vessel_flag": _text(vessel, "vesselFlag"),
            "vessel_owner": _text(vessel, "vesselOwner"),
            "tonnage": _text(vessel, "tonnage"),
            "gross_registered_tonnage": _text(vessel, "grossRegisteredTonnage"),
        })
    return ListEntry(
        list_id=list_id,
        external_id=str(int(uid)),
        schema=_SDN_TYPES[kind],
        names=unique_names(names),
        programs=programs,
        birth_dates=sorted_unique(births),
        countries=sorted_unique(countries),
        addresses=tuple(addresses),
        remarks=_text(elem, "remarks"),
        details=make_details(details),
        coverage=ALL_COVERAGE,
    )


# --- sdn_advanced.xml ---------------------------------------------------------------------


class _Refs:
    """The file's own code tables, by label."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, str]] = defaultdict(dict)
        self.party_type_of_subtype: dict[str, str] = {}
        self.country_iso: dict[str, str] = {}
        self.locations: dict[str, tuple[str, str | None]] = {}

    def load(self, sets: etree._Element) -> None:
        for group in sets:
            for value in group:
                kind = local_name(value.tag)
                ident = value.get("ID")
                if ident is None:
                    continue
                self.values[kind][ident] = clean_text(value.text) or ""
                if kind == "PartySubType" and value.get("PartyTypeID"):
                    self.party_type_of_subtype[ident] = value.get("PartyTypeID") or ""
                if kind == "Country" and value.get("ISO2"):
                    self.country_iso[ident] = (value.get("ISO2") or "").lower()

    def label(self, kind: str, ident: str | None) -> str:
        return self.values.get(kind, {}).get(ident or "", "")

    def load_location(self, loc: etree._Element) -> None:
        parts = [_text(v) for v in _descendants(loc, "Value")]
        country_el = _child(loc, "LocationCountry")
        iso = None
        if country_el is not None:
            ident = country_el.get("CountryID")
            iso = self.country_iso.get(ident or "") or country_code(self.label("Country", ident) or "")
            parts.append(self.label("Country", ident))
        self.locations[loc.get("ID") or ""] = (", ".join(p for p in parts if p), iso)


def _date_of(elem: etree._Element | None) -> str | None:
    if elem is None:
        return None
    return partial_date(_text(elem, "Year"), _text(elem, "Month"), _text(elem, "Day"))


def parse_advanced_xml(name: str, data: bytes, list_id: str = SDN) -> ParsedList:
    refs = _Refs()
    published: dt.datetime | None = None
    parties: dict[str, dict[str, Any]] = {}
    programs: dict[str, set[str]] = defaultdict(set)
    listed: dict[str, list[str]] = defaultdict(list)
    depth = 0
    try:
        for event, elem in _iterparse(name, data):
            if event == "start":
                depth += 1
                continue
            depth -= 1
            tag = local_name(elem.tag)
            if tag == "DateOfIssue" and depth == 1:
                issued = _date_of(elem)
                if issued and len(issued) == 10:
                    published = dt.datetime.fromisoformat(issued)
                elem.clear()
            elif tag == "ReferenceValueSets":
                refs.load(elem)
                elem.clear()
            elif tag == "Location" and depth == 2:
                refs.load_location(elem)
                elem.clear()
            elif tag == "DistinctParty":
                party = _party(elem, refs, name)
                if party["id"] in parties:
                    raise ListFormatError(f"FixedRef {party['id']} appears twice.", file=name,
                                          line=elem.sourceline, field="DistinctParty/@FixedRef",
                                          hint="the file is damaged; download it again.")
                parties[party["id"]] = party
                elem.clear()
            elif tag == "SanctionsEntry":
                profile = elem.get("ProfileID")
                if not profile:
                    raise ListFormatError("a SanctionsEntry has no ProfileID.", file=name,
                                          line=elem.sourceline,
                                          field="SanctionsEntry/@ProfileID",
                                          hint="the file is damaged.")
                for measure in _children(elem, "SanctionsMeasure"):
                    if refs.label("SanctionsType", measure.get("SanctionsTypeID")) == "Program":
                        program = _text(measure, "Comment")
                        if program:
                            programs[profile].add(program)
                for entry_event in _children(elem, "EntryEvent"):
                    when = _date_of(_child(entry_event, "Date"))
                    if when:
                        listed[profile].append(when)
                elem.clear()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(name, exc) from exc
    entries = []
    for ident, party in parties.items():
        profile = party["profile"]
        entries.append(ListEntry(
            list_id=list_id,
            external_id=ident,
            schema=party["schema"],
            names=unique_names(party["names"]),
            programs=tuple(sorted(programs.get(profile, ()))),
            birth_dates=sorted_unique(party["births"]),
            countries=sorted_unique(party["countries"]),
            addresses=tuple(party["addresses"]),
            remarks=party["remarks"],
            listed_on=min(listed[profile]) if listed.get(profile) else None,
            coverage=ALL_COVERAGE,
        ))
    return ParsedList(list_id=list_id, entries=entries, files=(name,),
                      content_hash=hash_files([(name, data)]), coverage=ALL_COVERAGE,
                      published=published, authority="US")


def _party(elem: etree._Element, refs: _Refs, file: str) -> dict[str, Any]:
    ident = elem.get("FixedRef")
    if not ident or not is_number(ident):
        raise ListFormatError(f"FixedRef must be a whole number, found {ident!r}.", file=file,
                              line=elem.sourceline, field="DistinctParty/@FixedRef",
                              hint="the entry is damaged.")
    profile = _child(elem, "Profile")
    if profile is None:
        raise ListFormatError(f"DistinctParty {ident} has no Profile.", file=file,
                              line=elem.sourceline, field="DistinctParty/Profile",
                              hint="the entry is damaged.")
    subtype = profile.get("PartySubTypeID")
    sub_label = refs.label("PartySubType", subtype).lower()
    type_label = refs.label("PartyType", refs.party_type_of_subtype.get(subtype or "")).lower()
    if sub_label in ("vessel", "aircraft"):
        schema = EntitySchema(sub_label)
    elif type_label == "individual":
        schema = EntitySchema.person
    elif type_label == "entity":
        schema = EntitySchema.organization
    else:
        schema = EntitySchema.other
    names: list[ListName] = []
    for identity in _descendants(profile, "Identity"):
        part_types = {g.get("ID"): refs.label("NamePartType", g.get("NamePartTypeID"))
                      for g in _descendants(identity, "NamePartGroup")}
        for alias in _children(identity, "Alias"):
            if alias.get("Primary") == "true" and identity.get("Primary") != "false":
                kind = ListNameKind.primary
            elif alias.get("LowQuality") == "true":
                kind = ListNameKind.weak_alias
            else:
                kind = ListNameKind.alias
            for documented in _children(alias, "DocumentedName"):
                text = _compose(documented, part_types, schema)
                if text:
                    names.append(make_name(text, kind))
    if not any(n.kind is ListNameKind.primary for n in names):
        raise ListFormatError(f"DistinctParty {ident} has no primary name.", file=file,
                              line=elem.sourceline, field="Identity/Alias[@Primary='true']",
                              hint="the entry is damaged.")
    births: list[str | None] = []
    countries: list[str | None] = []
    addresses: list[str] = []
    for feature in _children(profile, "Feature"):
        label = refs.label("FeatureType", feature.get("FeatureTypeID")).lower()
        for version in _children(feature, "FeatureVersion"):
            if label == "birthdate":
                start = _descendants(version, "From")
                births.append(_date_of(start[0]) if start else None)
            for where in _children(version, "VersionLocation"):
                text, iso = refs.locations.get(where.get("LocationID") or "", ("", None))
                if "nationality" in label or "citizenship" in label:
                    countries.append(iso)
                elif label in ("location", "address") and text:
                    addresses.append(text)
    return {
        "id": str(int(ident)),
        "profile": profile.get("ID") or ident,
        "schema": schema,
        "names": names,
        "births": births,
        "countries": countries,
        "addresses": addresses,
        "remarks": _text(elem, "Comment"),
    }


def _compose(documented: etree._Element, part_types: dict[str | None, str],
             schema: EntitySchema) -> str | None:
    last: list[str] = []
    rest: list[str] = []
    for value in _descendants(documented, "NamePartValue"):
        text = clean_text(value.text)
        if not text:
            continue
        if part_types.get(value.get("NamePartGroupID")) == "Last Name":
            last.append(text)
        else:
            rest.append(text)
    if schema is EntitySchema.person and last:
        return _person_name(" ".join(last), " ".join(rest) or None)
    return " ".join(last + rest) or None


def parse_ofac_xml_path(path: Path, list_id: str = SDN) -> ParsedList:
    return parse_ofac_xml(str(path), read_bytes(path), list_id)
