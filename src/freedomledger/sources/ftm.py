"""FollowTheMoney entity files and OpenSanctions delta feeds.

* Entity files (`*.ftm.json`, JSON lines, one entity per line): the listed subjects are the
  entities marked `"target": true` (or, in files without that flag, the persons,
  organisations, vessels and aircraft with the `sanction` topic). `Sanction` entities in the
  same file give their programs; `Address` entities their addresses.
* Delta feeds (`*.delta.json`, lines `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`): one file
  per version, applied in order on top of the list's previous snapshot. A DEL names only the
  entity id; it is a removal from the list (a delisting, once the importer applies it).

Entities are read through followthemoney's model, so an unknown schema is an error and
property values are the ones FtM accepts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData

from freedomledger.sources.common import (
    ALL_COVERAGE,
    EntitySchema,
    ListEntry,
    ListFormatError,
    ListName,
    ListNameKind,
    ParsedList,
    clean_text,
    decode_bytes,
    hash_files,
    make_details,
    make_name,
    parse_loose_date,
    sorted_unique,
)

FTM = "ftm"
_VERSION = re.compile(r"(\d{14})")
_SCHEMAS = (("Person", EntitySchema.person), ("Vessel", EntitySchema.vessel),
            ("Airplane", EntitySchema.aircraft), ("Organization", EntitySchema.organization),
            ("LegalEntity", EntitySchema.organization))
_AUTHORITIES = {"us": "US", "gb": "UK", "eu": "EU", "un": "UN"}


def version_date(name: str) -> dt.datetime | None:
    """The version time in OpenSanctions names like `20240528014702-pfh.entities.delta.json`."""
    m = _VERSION.search(Path(name).name)
    return dt.datetime.strptime(m.group(1), "%Y%m%d%H%M%S") if m else None


def authority_for(datasets: set[str]) -> str | None:
    """US/UK/EU/UN when every dataset is one authority's list (by OpenSanctions' prefix)."""
    found = {_AUTHORITIES.get(d.split("_", 1)[0]) for d in datasets}
    return found.pop() if len(found) == 1 and None not in found else None


def _lines(name: str, data: bytes):  # type: ignore[no-untyped-def]
    text = decode_bytes(data, name)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"is not valid JSON: {exc.msg} (column {exc.colno}).",
                                  file=name, line=number,
                                  hint="each line must hold one complete JSON object.") from exc


_SHAPES: tuple[tuple[str, type, bool], ...] = (
    # (key, type, whether it is a list of strings)
    ("id", str, False), ("schema", str, False), ("caption", str, False),
    ("datasets", list, True), ("referents", list, True), ("properties", dict, False),
)


def _check_shape(raw: dict[str, Any], name: str, line: int) -> None:
    """Refuse values of the wrong JSON type with a clear error, before FtM sees them."""
    for key, wanted, of_strings in _SHAPES:
        value = raw.get(key)
        if value is None:
            continue
        if of_strings:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = isinstance(value, wanted)
        if not ok:
            kind = "a list of text" if of_strings else ("text" if wanted is str else "an object")
            raise ListFormatError(f"{key} must be {kind}, found {json.dumps(value)[:60]}.",
                                  file=name, line=line, field=key,
                                  hint="the entity is damaged; export it again.")
    for prop, values in (raw.get("properties") or {}).items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ListFormatError(f"property {prop!r} must be a list of text.", file=name,
                                  line=line, field=f"properties.{prop}",
                                  hint="the entity is damaged; export it again.")


def _proxy(raw: Any, name: str, line: int):  # type: ignore[no-untyped-def]
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ListFormatError("the entity has no id.", file=name, line=line, field="id",
                              hint="each line must be a FollowTheMoney entity with an id.")
    _check_shape(raw, name, line)
    try:
        return model.get_proxy(raw, cleaned=False)
    except (InvalidData, ValueError, TypeError) as exc:
        raise ListFormatError(f"is not a FollowTheMoney entity: {exc}.", file=name, line=line,
                              field="schema", hint="check the schema name.") from exc


def _is_target(raw: dict[str, Any], proxy: Any) -> bool:
    if "target" in raw:
        return bool(raw["target"])
    return "sanction" in proxy.get("topics") and any(
        proxy.schema.is_a(s) for s, _ in _SCHEMAS)


def _schema_of(proxy: Any) -> EntitySchema:
    for schema, mapped in _SCHEMAS:
        if proxy.schema.is_a(schema):
            return mapped
    return EntitySchema.other


class _Collector:
    def __init__(self, name: str, list_id: str) -> None:
        self.name = name
        self.list_id = list_id
        self.targets: dict[str, tuple[dict[str, Any], Any]] = {}
        self.programs: dict[str, set[str]] = defaultdict(set)
        self.listed: dict[str, list[str]] = defaultdict(list)
        self.addresses: dict[str, str] = {}
        self.datasets: set[str] = set()

    def add(self, raw: dict[str, Any], line: int) -> None:
        proxy = _proxy(raw, self.name, line)
        if proxy.schema.is_a("Sanction"):
            for target in proxy.get("entity"):
                self.programs[target].update(proxy.get("programId") or proxy.get("program"))
                self.listed[target].extend(proxy.get("listingDate") or proxy.get("startDate"))
        elif proxy.schema.is_a("Address"):
            full = proxy.first("full") or proxy.caption
            if full:
                self.addresses[proxy.id] = full
        elif _is_target(raw, proxy):
            if proxy.id in self.targets:
                raise ListFormatError(f"entity {proxy.id} appears twice.", file=self.name,
                                      line=line, field="id", hint="the file is damaged.")
            self.targets[proxy.id] = (raw, proxy)
            self.datasets.update(raw.get("datasets") or [])

    def entries(self) -> list[ListEntry]:
        return [self._entry(raw, proxy) for raw, proxy in self.targets.values()]

    def _entry(self, raw: dict[str, Any], proxy: Any) -> ListEntry:
        names = sorted(t for t in {clean_text(n) for n in proxy.get("name")} if t)
        caption = clean_text(raw.get("caption")) or proxy.caption
        primary = caption if caption in names else (names[0] if names else caption)
        listed: list[ListName] = [make_name(primary, ListNameKind.primary)] if primary else []
        for prop, kind in (("name", ListNameKind.alias), ("alias", ListNameKind.alias),
                           ("previousName", ListNameKind.alias),
                           ("weakAlias", ListNameKind.weak_alias)):
            for text in sorted(t for t in {clean_text(v) for v in proxy.get(prop, quiet=True)}
                               if t):
                if text != primary:
                    listed.append(make_name(text, kind))
        seen: set[tuple[str, ListNameKind]] = set()
        unique = []
        for n in listed:
            if (n.text, n.kind) not in seen:
                seen.add((n.text, n.kind))
                unique.append(n)
        countries = [c for prop in ("nationality", "citizenship", "country")
                     for c in proxy.get(prop, quiet=True)]
        addresses = [self.addresses[a] for a in proxy.get("addressEntity", quiet=True)
                     if a in self.addresses] + list(proxy.get("address", quiet=True))
        listed_on = [parse_loose_date(d) for d in self.listed.get(proxy.id, [])]
        return ListEntry(
            list_id=self.list_id,
            external_id=proxy.id,
            schema=_schema_of(proxy),
            names=tuple(unique),
            programs=sorted_unique(self.programs.get(proxy.id, set())),
            birth_dates=sorted_unique(parse_loose_date(d) for d in
                                      proxy.get("birthDate", quiet=True)),
            countries=sorted_unique(countries),
            addresses=tuple(sorted(set(addresses))),
            remarks="; ".join(sorted(proxy.get("notes", quiet=True))) or None,
            listed_on=min((d for d in listed_on if d), default=None),
            details=make_details({"position": "; ".join(sorted(proxy.get("position",
                                                                         quiet=True))) or None,
                                  "referents": "; ".join(sorted(raw.get("referents") or []))
                                  or None}),
            coverage=ALL_COVERAGE,
        )


def list_key(datasets: set[str], fallback: str) -> str:
    if len(datasets) == 1:
        return f"{FTM}-{next(iter(datasets))}"
    return f"{FTM}-{re.sub(r'[^a-z0-9_]+', '_', fallback.lower()).strip('_')}"


def parse_ftm_entities(name: str, data: bytes, list_id: str | None = None) -> ParsedList:
    """A full snapshot from a FollowTheMoney entity file."""
    collector = _Collector(name, list_id or FTM)
    for line, raw in _lines(name, data):
        if isinstance(raw, dict) and "op" in raw and "entity" in raw:
            raise ListFormatError("holds delta operations (op/entity), not entities.",
                                  file=name, line=line, field="op",
                                  hint="name delta files *.delta.json or import their folder.")
        collector.add(raw, line)
    if list_id is None:
        collector.list_id = list_key(collector.datasets, Path(name).name.split(".")[0])
    return ParsedList(list_id=collector.list_id, entries=collector.entries(), files=(name,),
                      content_hash=hash_files([(name, data)]), coverage=ALL_COVERAGE,
                      authority=authority_for(collector.datasets))


def parse_ftm_delta(name: str, data: bytes, list_id: str) -> ParsedList:
    """One version of an OpenSanctions delta feed, dated by the version in its name."""
    collector = _Collector(name, list_id)
    removed: list[str] = []
    for line, raw in _lines(name, data):
        if not isinstance(raw, dict) or raw.get("op") not in ("ADD", "MOD", "DEL"):
            raise ListFormatError(f"op must be ADD, MOD or DEL, found {raw.get('op') if isinstance(raw, dict) else raw!r}.",
                                  file=name, line=line, field="op",
                                  hint="this is not an OpenSanctions delta file.")
        entity = raw.get("entity")
        if not isinstance(entity, dict) or not entity.get("id"):
            raise ListFormatError("the operation has no entity id.", file=name, line=line,
                                  field="entity.id", hint="the line is damaged.")
        if raw["op"] == "DEL":
            removed.append(entity["id"])
        else:
            collector.add(entity, line)
    return ParsedList(list_id=list_id, entries=collector.entries(), files=(name,),
                      content_hash=hash_files([(name, data)]), coverage=ALL_COVERAGE,
                      published=version_date(name), mode="delta", removed=removed,
                      authority=authority_for(collector.datasets))
