"""What every sanctions-list parser produces: `ListEntry` rows inside a `ParsedList`.

Parsers are pure: they read bytes and return these types, nothing else. Storage, diffing and
history live in `freedomledger.sanctions`. Everything here is hashable and deterministic so
that two parses of the same file give the same content hashes, which is what makes snapshot
history cheap to store (an entity's data is stored once per run of unchanged hashes).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any


class EntitySchema(StrEnum):
    person = "person"
    organization = "organization"
    vessel = "vessel"
    aircraft = "aircraft"
    other = "other"


class ListNameKind(StrEnum):
    primary = "primary"
    alias = "alias"
    weak_alias = "weak_alias"


class Coverage(StrEnum):
    """Which facets of an entry a list file carries.

    OFAC alone ships four files; a folder may hold only some of them (add.csv + alt.csv
    without sdn.csv), and the 2021-2024 history holds sdn.csv alone. Diffs compare only the
    facets both snapshots cover, so that a missing file never reads as an amendment.
    """

    identity = "identity"  # schema and primary name
    programs = "programs"
    aliases = "aliases"
    addresses = "addresses"
    details = "details"  # remarks, birth dates, nationalities


ALL_COVERAGE: frozenset[Coverage] = frozenset(Coverage)


class ListFormatError(ValueError):
    """A list file that cannot be read as the format it claims to be.

    The message names the file, the line (or XML element) and the field, and says how to fix
    it, because the person who sees it is usually holding a file they downloaded themselves.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.detail = message
        self.hint = hint
        where = []
        if self.file:
            where.append(self.file)
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field {field!r}")
        text = (", ".join(where) + ": " if where else "") + message
        if hint:
            text += f" How to fix: {hint}"
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class ListName:
    text: str
    kind: ListNameKind = ListNameKind.primary
    script: str = "latin"
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "kind": self.kind.value, "script": self.script}
        if self.lang:
            data["lang"] = self.lang
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListName:
        return cls(data["text"], ListNameKind(data["kind"]), data["script"], data.get("lang"))


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entity on one list, as one file states it.

    `names[0]` is the primary name when the file states one; an entry from a file that gives
    only aliases and addresses (OFAC add.csv/alt.csv alone) has `coverage` without
    `identity` and may have no primary name at all: it still proves the entity is listed.
    """

    list_id: str
    external_id: str
    schema: EntitySchema = EntitySchema.other
    names: tuple[ListName, ...] = ()
    programs: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    remarks: str | None = None
    listed_on: str | None = None
    details: tuple[tuple[str, str], ...] = ()
    coverage: frozenset[Coverage] = ALL_COVERAGE
    # Memo for to_dict() and content_hash (the dataclass is frozen; this dict is not).
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def primary_name(self) -> str | None:
        for name in self.names:
            if name.kind is ListNameKind.primary:
                return name.text
        return self.names[0].text if self.names else None

    @property
    def name_texts(self) -> list[str]:
        return [n.text for n in self.names]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `from_dict(to_dict())` gives an equal entry.

        Computed once and shared: callers must not modify it."""
        memo = self._memo.get("dict")
        if memo is not None:
            return memo  # type: ignore[no-any-return]
        data: dict[str, Any] = {
            "list": self.list_id,
            "id": self.external_id,
            "schema": self.schema.value,
            "names": [n.to_dict() for n in self.names],
            "programs": list(self.programs),
            "coverage": sorted(c.value for c in self.coverage),
        }
        for key, value in (
            ("birth_dates", list(self.birth_dates)),
            ("countries", list(self.countries)),
            ("addresses", list(self.addresses)),
        ):
            if value:
                data[key] = value
        if self.remarks:
            data["remarks"] = self.remarks
        if self.listed_on:
            data["listed_on"] = self.listed_on
        if self.details:
            data["details"] = dict(self.details)
        self._memo["dict"] = data
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListEntry:
        return cls(
            list_id=data["list"],
            external_id=data["id"],
            schema=EntitySchema(data["schema"]),
            names=tuple(ListName.from_dict(n) for n in data.get("names", ())),
            programs=tuple(data.get("programs", ())),
            birth_dates=tuple(data.get("birth_dates", ())),
            countries=tuple(data.get("countries", ())),
            addresses=tuple(data.get("addresses", ())),
            remarks=data.get("remarks"),
            listed_on=data.get("listed_on"),
            details=tuple(sorted(data.get("details", {}).items())),
            coverage=frozenset(Coverage(c) for c in data.get("coverage", ALL_COVERAGE)),
        )

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON form: equal data, equal hash, across runs."""
        if "hash" not in self._memo:
            self._memo["hash"] = content_hash_of(self.to_dict())
        return self._memo["hash"]  # type: ignore[no-any-return]


def content_hash_of(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class ParsedList:
    """The result of parsing one snapshot (one file or one folder of related files).

    `published` is set only when the file itself states its date; otherwise the importer
    must be told the date. `mode` is "full" for a complete list and "delta" for a change
    feed (OpenSanctions ADD/MOD/DEL), whose `removed` ids leave the list and whose `entries`
    are added or replaced on top of the previous snapshot.
    """

    list_id: str
    entries: list[ListEntry]
    files: tuple[str, ...]
    content_hash: str
    coverage: frozenset[Coverage] = ALL_COVERAGE
    published: dt.datetime | None = None
    mode: str = "full"
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    authority: str | None = None

    def by_id(self) -> dict[str, ListEntry]:
        return {e.external_id: e for e in self.entries}


def hash_files(named_bytes: Iterable[tuple[str, bytes]]) -> str:
    """One hash for a snapshot that spans several files: the names do not count, the bytes do."""
    digests = sorted(hashlib.sha256(data).hexdigest() for _, data in named_bytes)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


# --- text helpers -------------------------------------------------------------------------


def decode_bytes(data: bytes, file: str | Path) -> str:
    """Decode a list file whose encoding nobody wrote down.

    Official CSVs come as UTF-8 (sometimes with a BOM), Windows-1252 or Latin-1. UTF-8 is
    tried strictly first because a cp1252 text that happens to decode as UTF-8 is
    vanishingly rare; cp1252 next because it is what Windows tools write; Latin-1 last
    because it decodes any byte, so it never fails.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ListFormatError(
                f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({exc}).",
                file=file,
                hint="re-export the file as UTF-8.",
            ) from exc
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


# OFAC ends its legacy files with a DOS end-of-file byte (Ctrl-Z), on a line of its own.
_EOF_MARK = "\x1a"


def csv_rows(
    text: str, file: str | Path, *, delimiter: str = ","
) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank CSV record; CRLF and LF alike."""
    text = text.rstrip(_EOF_MARK + "\r\n\t ")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip(_EOF_MARK + " ")):
                continue
            yield line, row
    except csv.Error as exc:
        raise ListFormatError(
            f"is not valid CSV: {exc}.",
            file=file,
            line=reader.line_num,
            hint="check for an unbalanced double quote on or just before this line.",
        ) from exc


_WS = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    value = _WS.sub(" ", value).strip()
    return value or None


@lru_cache(maxsize=65536)
def detect_script(text: str) -> str:
    """'latin', 'cyrillic' or 'other', by the majority of letters (digits do not vote)."""
    if text.isascii():
        return "latin"
    counts = {"latin": 0, "cyrillic": 0, "other": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            counts["latin"] += 1
        elif name.startswith("CYRILLIC"):
            counts["cyrillic"] += 1
        else:
            counts["other"] += 1
    if not any(counts.values()):
        return "latin"
    return max(counts, key=lambda k: counts[k])


def make_name(text: str, kind: ListNameKind, lang: str | None = None) -> ListName:
    return ListName(text, kind, detect_script(text), lang)


def unique_names(names: Iterable[ListName]) -> tuple[ListName, ...]:
    """Drop repeats (same text and kind), keep order; a primary name stays first."""
    seen: set[tuple[str, ListNameKind]] = set()
    out: list[ListName] = []
    for name in names:
        key = (name.text, name.kind)
        if name.text and key not in seen:
            seen.add(key)
            out.append(name)
    out.sort(key=lambda n: n.kind is not ListNameKind.primary)
    return tuple(out)


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO 3166 alpha-2 (lower case) for a country name or code; FtM's table knows the
    spellings lists use ("Korea, North", "Russia", "Palestinian")."""
    from followthemoney import registry

    return registry.country.clean(value)


def sorted_unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
)}


def partial_date(year: str | int | None, month: str | int | None = None,
                 day: str | int | None = None) -> str | None:
    """ISO text at the precision known: '1954', '1954-08' or '1954-08-30'; None if no year."""
    try:
        y = int(str(year).strip()) if year not in (None, "") else None
    except ValueError:
        return None
    if y is None or not 1000 <= y <= 2999:
        return None
    try:
        m = int(str(month).strip()) if month not in (None, "", "0", "00") else None
        d = int(str(day).strip()) if day not in (None, "", "0", "00") else None
    except ValueError:
        return f"{y:04d}"
    if m is None or not 1 <= m <= 12:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        return dt.date(y, m, d).isoformat()
    except (ValueError, OverflowError):  # a day of 99999999999999999999 overflows a C long
        return f"{y:04d}-{m:02d}"


_DMY = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")


def parse_loose_date(text: str | None) -> str | None:
    """Dates as lists write them: '30 Aug 1954', 'Aug 1954', '1954', '30/08/1954',
    '1954-08-30'. Returns partial ISO text, or None when it is not a date at all."""
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return partial_date(text)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:T.*)?", text)
    if m:
        return partial_date(*m.groups())
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if m:
        return partial_date(m.group(3), m.group(2), m.group(1))
    m = _DMY.match(text)
    if m and m.group(2).lower() in _MONTHS:
        return partial_date(m.group(3), _MONTHS[m.group(2).lower()], m.group(1))
    return None


def require_columns(header: Sequence[str], needed: Iterable[str], file: str | Path) -> None:
    missing = [c for c in needed if c not in header]
    if missing:
        raise ListFormatError(
            f"the header lacks column(s) {', '.join(map(repr, missing))}"
            f" (found: {', '.join(header[:12])}{'…' if len(header) > 12 else ''}).",
            file=file,
            line=1,
            hint="check that this is the file the --list option names.",
        )


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ListFormatError(f"cannot be read: {exc.strerror}.", file=path) from exc


def make_details(values: Mapping[str, str | None]) -> tuple[tuple[str, str], ...]:
    """Format-specific facts (title, vessel flag, …) as a sorted tuple, empties dropped."""
    return tuple(sorted((k, v) for k, v in values.items() if v))
