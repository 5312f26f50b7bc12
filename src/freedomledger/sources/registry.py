"""Registry files: the project's CSV layout and the Viasna-style JSON. Pure parsing.

Both produce `RegistryRecord`s (a Person, its status changes and its source); the ledger
applies them in one transaction, so a bad row anywhere means nothing is written.

CSV layout (UTF-8, header row required; `|` separates several values in one cell):

    key            required  stable id, lowercase (e.g. maria-kalesnikava)
    name           required  the main written form
    other_names              other spellings, e.g. "Марыя Калеснікава|Maria Kolesnikova"
    gender                   female|male|other|unknown
    birth_date               YYYY, YYYY-MM or YYYY-MM-DD
    citizenships             ISO codes, e.g. BY|PL
    roles                    e.g. political_prisoner|journalist
    detained                 date of detention
    recognised               date recognised as a political prisoner
    sentenced                date of the verdict
    sentence                 free text, e.g. "11 years"
    articles                 criminal code articles, e.g. 361-3|357
    facility                 where held
    released                 date of release
    release_status           released|pardoned|deported|exchanged|sentence_served (default released)
    notes                    public notes
    confidential_notes       never shown publicly
    source_url, source_outlet, source_date   the document the row comes from
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from freedomledger.model import FuzzyDate, Name, NameKind, Person, Status, StatusChange

CSV_COLUMNS = (
    "key", "name", "other_names", "gender", "birth_date", "citizenships", "roles", "detained",
    "recognised", "sentenced", "sentence", "articles", "facility", "released", "release_status",
    "notes", "confidential_notes", "source_url", "source_outlet", "source_date",
)
RELEASE_STATUSES = {"released", "pardoned", "deported", "exchanged", "sentence_served"}


class RegistryError(ValueError):
    """A registry file is malformed: names the file, the row and the field."""


@dataclass
class RegistrySource:
    key: str
    url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    title: str | None = None


@dataclass
class RegistryRecord:
    person: Person
    statuses: list[StatusChange] = field(default_factory=list)
    source: RegistrySource | None = None
    warnings: list[str] = field(default_factory=list)


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def read_csv(path: Path) -> Iterator[RegistryRecord]:
    try:
        yield from _read_csv(path)
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 (byte {exc.start}); convert it, e.g. iconv -f cp1251 -t utf-8") from None


def _read_csv(path: Path) -> Iterator[RegistryRecord]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if unknown:
            raise RegistryError(
                f"{path}: unknown column(s) {', '.join(unknown)}; the layout is documented in "
                "`freedomledger import --help`"
            )
        for required in ("key", "name"):
            if required not in header:
                raise RegistryError(f"{path}: missing required column {required!r}")
        for row_number, row in enumerate(reader, start=2):
            if None in row:
                raise RegistryError(f"{path}:{row_number}: more cells than columns")
            yield _csv_record(path, row_number, row)


# What the database columns hold; PostgreSQL refuses longer text and NUL characters.
SOURCE_FIELD_LIMIT = 200


def _check_cells(where: str, row: dict[str, str]) -> None:
    for column, value in row.items():
        if value and "\x00" in value:
            raise RegistryError(f"{where}: field {column!r}: contains a NUL character; remove it")
    for column in ("source_url", "source_outlet", "key"):
        if len(row.get(column) or "") > SOURCE_FIELD_LIMIT:
            raise RegistryError(
                f"{where}: field {column!r}: longer than {SOURCE_FIELD_LIMIT} characters; shorten it"
            )


def _csv_record(path: Path, row_number: int, row: dict[str, str]) -> RegistryRecord:
    where = f"{path}:{row_number}"
    _check_cells(where, row)

    def date(column: str) -> FuzzyDate | None:
        value = (row.get(column) or "").strip()
        if not value:
            return None
        try:
            return FuzzyDate.parse(value)
        except ValueError as exc:
            raise RegistryError(f"{where}: field {column!r}: {exc}") from None

    try:
        names = [Name(text=row["name"], kind=NameKind.official)]
        names += [Name(text=n, kind=NameKind.alias) for n in _split(row.get("other_names"))]
        person = Person(
            key=(row.get("key") or "").strip(),
            names=names,
            gender=(row.get("gender") or "unknown").strip() or "unknown",
            birth_date=date("birth_date"),
            citizenships=_split(row.get("citizenships")),
            roles=_split(row.get("roles")),
            notes=row.get("notes") or None,
            confidential_notes=row.get("confidential_notes") or None,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        column = {"names": "name"}.get(str(first["loc"][0]), str(first["loc"][0]))
        raise RegistryError(f"{where}: field {column!r}: {first['msg']}") from None
    statuses: list[StatusChange] = []
    if detained := date("detained"):
        statuses.append(StatusChange(status=Status.detained, date=detained))
    if recognised := date("recognised"):
        statuses.append(StatusChange(status=Status.recognised_political_prisoner, date=recognised))
    if sentenced := date("sentenced"):
        details = {k: v for k, v in (
            ("sentence", row.get("sentence") or None),
            ("articles", _split(row.get("articles")) or None),
            ("facility", row.get("facility") or None),
        ) if v}
        statuses.append(StatusChange(status=Status.sentenced, date=sentenced, details=details))
    if released := date("released"):
        kind = (row.get("release_status") or "released").strip()
        if kind not in RELEASE_STATUSES:
            raise RegistryError(
                f"{where}: field 'release_status': {kind!r} is not one of {', '.join(sorted(RELEASE_STATUSES))}"
            )
        statuses.append(StatusChange(status=Status(kind), date=released))
    source = None
    if row.get("source_url") or row.get("source_outlet"):
        published = date("source_date")
        source = RegistrySource(
            key=row.get("source_url") or f"{row.get('source_outlet')}:{published}",
            url=row.get("source_url") or None,
            outlet=row.get("source_outlet") or None,
            published=published.start if published else None,
        )
    return RegistryRecord(person, statuses, source)


# --- Viasna-style JSON ---------------------------------------------------------------------

VIASNA_SNAPSHOT_NOTE = "Viasna political prisoner profile"
_MISSING = {"", "FALSE", "false", "unknown", "-"}


def _viasna_value(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise TypeError(f"{name} is {type(value).__name__}, expected text")
    text = unicodedata.normalize("NFC", str(value)).strip()
    return None if text in _MISSING else text


def _slug_name(url: str | None) -> str | None:
    """Viasna's profile slug is a second, diacritic-free romanisation: andrej-capiuk."""
    if not url:
        return None
    slug = url.rstrip("./").rsplit("/", 1)[-1]
    if not re.fullmatch(r"[a-z0-9-]+", slug) or slug.isdigit():
        return None
    return " ".join(part.capitalize() for part in slug.split("-") if part and not part.isdigit()) or None


def read_viasna_json(path: Path, *, snapshot: dt.date | None = None) -> Iterator[RegistryRecord]:
    """Records of the Viasna-derived registry. Impossible dates are dropped with a warning."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(items, list):
        raise RegistryError(f"{path}: expected a JSON array of prisoner records")
    today = dt.date.today()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or "id" not in item:
            raise RegistryError(f"{path}: record {index}: expected an object with an `id`")
        try:
            name = _viasna_value(item, "name")
            if not name:
                continue  # 15 records carry no name at all: nothing to identify a person by
            yield _viasna_record(path, item, name, today, snapshot)
        except ValidationError as exc:
            first = exc.errors()[0]
            place = ".".join(str(p) for p in first["loc"])
            raise RegistryError(f"{path}: record id {item['id']!r}: field {place}: {first['msg']}") from None
        except TypeError as exc:
            raise RegistryError(f"{path}: record id {item['id']!r}: a field has the wrong type ({exc})") from None


def _viasna_record(
    path: Path, item: dict[str, Any], name: str, today: dt.date, snapshot: dt.date | None
) -> RegistryRecord:
    warnings: list[str] = []
    where = f"{path}: record id {item['id']}"

    def date(field_name: str) -> FuzzyDate | None:
        value = _viasna_value(item, field_name)
        if value is None:
            return None
        try:
            parsed = FuzzyDate.parse(value)
        except ValueError:
            warnings.append(f"{where}: {field_name} {value!r} is not a date; left out")
            return None
        if not dt.date(1900, 1, 1) <= parsed.start <= today:
            warnings.append(f"{where}: {field_name} {value} is impossible; left out")
            return None
        return parsed

    names = [Name(text=name, kind=NameKind.official, lang="be")]
    slug = _slug_name(_viasna_value(item, "url"))
    if slug and slug.casefold() != name.casefold():
        names.append(Name(text=slug, kind=NameKind.romanisation, lang="be"))
    birth = date("birthday")
    if birth and arrested_before(birth, date("arrested")):
        warnings.append(f"{where}: birthday {birth} is after the arrest; left out")
        birth = None
    counsel = _viasna_value(item, "councel")
    person = Person(
        key=f"viasna-{item['id']}",
        names=names,
        gender=_viasna_value(item, "gender") or "unknown",
        birth_date=birth,
        citizenships=[],
        roles=["political_prisoner"] if item.get("status") in ("active", "former") else ["persecuted"],
        notes=_viasna_value(item, "description"),
        # A defence lawyer's name can expose the lawyer to reprisals: never public.
        confidential_notes=f"counsel: {counsel}" if counsel else None,
    )
    statuses: list[StatusChange] = []
    status = item.get("status")
    arrested = date("arrested")
    if arrested and status in ("active", "former"):
        statuses.append(StatusChange(status=Status.detained, date=arrested))
    articles = [v for k in sorted(item) if k.startswith("articles/") and (v := _viasna_value(item, k))]
    if verdict := date("verdict_date"):
        details = {k: v for k, v in (
            ("sentence", _viasna_value(item, "decision")),
            ("penalty", _viasna_value(item, "penalty")),
            ("articles", articles or None),
            ("judge", _viasna_value(item, "judge")),
            ("facility", _viasna_value(item, "prison/title")),
        ) if v}
        if status in ("active", "former"):
            statuses.append(StatusChange(status=Status.sentenced, date=verdict, details=details))
        else:
            # "np": persecuted but not imprisoned (restricted freedom, a fine, house arrest).
            # A verdict without custody must not count as held, so it is kept as "charged".
            details["non_custodial"] = True
            statuses.append(StatusChange(status=Status.charged, date=verdict, details=details))
    released = date("release_date")
    if status == "active":
        if released:
            warnings.append(f"{where}: status 'active' but a release date; release kept")
            statuses.append(StatusChange(status=Status.released, date=released))
        elif not statuses and snapshot:
            statuses.append(StatusChange(
                status=Status.recognised_political_prisoner,
                date=FuzzyDate.parse(snapshot),
            ))
    elif status == "former":
        if released:
            statuses.append(StatusChange(status=Status.released, date=released))
        elif statuses and snapshot:
            # Freed at some point between the last known event and the snapshot: keep the
            # interval rather than invent a day.
            last = max(s.date.start for s in statuses)
            if last <= snapshot:
                statuses.append(StatusChange(status=Status.released, date=FuzzyDate.parse(last, snapshot)))
    source = RegistrySource(
        key=_viasna_value(item, "url") or f"viasna-record-{item['id']}",
        url=_viasna_value(item, "url"),
        outlet="Viasna",
        title=f"{VIASNA_SNAPSHOT_NOTE}: {name}",
        published=snapshot,
    )
    statuses.sort(key=lambda s: s.date.start)
    return RegistryRecord(person, statuses, source, warnings)


def arrested_before(birth: FuzzyDate, arrested: FuzzyDate | None) -> bool:
    return arrested is not None and birth.start >= arrested.start


def read_registry(path: Path, *, snapshot: dt.date | None = None) -> Iterator[RegistryRecord]:
    """Dispatch on the file's type: .csv (the project layout) or .json (Viasna style)."""
    if not path.exists():
        raise RegistryError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".json":
        return read_viasna_json(path, snapshot=snapshot)
    raise RegistryError(f"{path}: unknown registry format {suffix!r}; use .csv or .json")
