"""Read a YAML dataset (the bundled sample, or one a user writes in the same layout).

The layout is documented in sample_data/README.md. Parsing is pure: it returns validated
records and never touches a database; `ledger.loading.load_dataset` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from freedomledger.model import (
    Deal,
    FuzzyDate,
    Meeting,
    Name,
    Organization,
    Person,
    ReleaseEvent,
    SanctionAction,
    Source,
    StatusChange,
)

class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text so that a bad one gets our error."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

FILES = ("sources", "organizations", "persons", "releases", "sanctions", "deals")


class DatasetError(ValueError):
    """A dataset file is malformed; the message names the file, the entry and the field."""


@dataclass
class Record:
    """One validated entry plus the references it makes to others by key."""

    value: Any
    refs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dataset:
    sources: dict[str, Source] = field(default_factory=dict)
    organizations: dict[str, Record] = field(default_factory=dict)
    persons: dict[str, Record] = field(default_factory=dict)
    releases: dict[str, Record] = field(default_factory=dict)
    sanctions: dict[str, Record] = field(default_factory=dict)
    deals: dict[str, Record] = field(default_factory=dict)


def default_dir() -> Path:
    """The sample dataset shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "sample_data"


def _date(value: Any, end: Any = None) -> FuzzyDate:
    return FuzzyDate.parse(str(value), str(end) if end is not None else None)


class _Reader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.where = ""

    def load(self, stem: str) -> list[dict[str, Any]]:
        path = self.directory / f"{stem}.yaml"
        if not path.exists():
            return []
        try:
            items = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or []
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
        except yaml.YAMLError as exc:
            raise DatasetError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise DatasetError(f"{path}: expected a list of mappings, one per {stem[:-1]}")
        return items

    def fail(self, message: str) -> DatasetError:
        return DatasetError(f"{self.where}: {message}")


def read_dataset(directory: Path | None = None) -> Dataset:
    """Parse and cross-check a dataset; raise DatasetError on the first problem."""
    directory = Path(directory or default_dir())
    if not directory.is_dir():
        raise DatasetError(f"{directory}: no such dataset folder")
    reader = _Reader(directory)
    data = Dataset()
    builders = {
        "sources": _source, "organizations": _organization, "persons": _person,
        "releases": _release, "sanctions": _sanction, "deals": _deal,
    }
    for stem in FILES:
        target = getattr(data, stem)
        for index, item in enumerate(reader.load(stem), start=1):
            key = item.get("key")
            reader.where = f"{directory / (stem + '.yaml')} entry {index} ({key or 'no key'})"
            if not key:
                raise reader.fail("missing `key`")
            if not isinstance(key, str):
                raise reader.fail(f"`key` must be text, not {type(key).__name__}")
            if key in target:
                raise reader.fail(f"duplicate key {key!r}")
            try:
                target[key] = builders[stem](dict(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                place = ".".join(str(p) for p in first["loc"])
                raise reader.fail(f"field {place}: {first['msg']}") from None
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise reader.fail(f"unexpected shape or value ({exc})") from None
    try:
        _check_references(data, directory)
        _attest_people(data, directory)
    except (TypeError, AttributeError, KeyError) as exc:
        # a reference written as a list or mapping where a key belongs, or null in a list
        raise DatasetError(f"{directory}: a reference has the wrong shape ({exc}); "
                           "references are plain keys") from None
    return data


def _attest_people(data: Dataset, directory: Path) -> None:
    """A person with no sources of their own (an envoy, a president) is attested by the
    releases and meetings that name them; a person named nowhere with a source is an error."""
    mentions: dict[str, list[str]] = {}
    for rec in data.releases.values():
        keys = rec.refs["persons"] + [m["person"] for m in rec.refs["mediators"] if "person" in m]
        for key in keys:
            mentions.setdefault(key, []).extend(rec.refs["sources"][:1])
    for rec in data.deals.values():
        for _meeting, participants, source in rec.refs["meetings"]:
            for key in participants:
                mentions.setdefault(key, []).append(source or rec.refs["sources"][0])
    for key, rec in data.persons.items():
        if rec.refs["sources"] or rec.refs["status"]:
            continue
        attested = list(dict.fromkeys(mentions.get(key, [])))
        if not attested:
            raise DatasetError(
                f"{directory / 'persons.yaml'} {key}: no source says anything about this person; "
                "add `sources: [...]`"
            )
        rec.refs["sources"] = attested


def _pop_known(item: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(item) - allowed
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def _source(item: dict[str, Any]) -> Source:
    _pop_known(item, {"key", "outlet", "title", "published", "kind", "url"})
    if item.get("published") is not None:
        date = _date(item.pop("published"))
        item["published"], item["published_precision"] = date.start, date.precision
    return Source(**item)


def _names(items: list[dict[str, Any]]) -> list[Name]:
    return [Name(**n) for n in items]


def _organization(item: dict[str, Any]) -> Record:
    _pop_known(item, {"key", "kind", "country", "ids", "names", "sources", "notes"})
    refs = {"sources": list(item.pop("sources", []) or [])}
    item["names"] = _names(item.get("names") or [])
    item["ids"] = {k: str(v) for k, v in (item.get("ids") or {}).items()}
    return Record(Organization(**item), refs)


def _person(item: dict[str, Any]) -> Record:
    _pop_known(item, {
        "key", "gender", "birth_date", "citizenships", "roles", "affiliations", "names", "notes",
        "status", "sources", "confidential_notes", "published",
    })
    statuses = []
    for entry in item.pop("status", []) or []:
        entry = dict(entry)
        _pop_known(entry, {"status", "date", "date_end", "source", "details", "release"})
        if "source" not in entry:
            raise ValueError(f"status {entry.get('status')!r} has no source")
        statuses.append(
            (
                StatusChange(status=entry["status"], date=_date(entry["date"], entry.get("date_end")),
                             details=entry.get("details") or {}),
                entry["source"],
                entry.get("release"),
            )
        )
    refs = {
        "sources": list(item.pop("sources", []) or []),
        "affiliations": list(item.pop("affiliations", []) or []),
        "status": statuses,
    }
    if item.get("birth_date") is not None:
        item["birth_date"] = _date(item["birth_date"])
    item["names"] = _names(item.get("names") or [])
    return Record(Person(**item), refs)


def _release(item: dict[str, Any]) -> Record:
    _pop_known(item, {
        "key", "releasing_state", "date", "date_end", "kind", "announced_count", "count_claims",
        "destination", "destination_counts", "mediators", "persons", "sources", "notes",
    })
    refs = {
        "count_claims": list(item.pop("count_claims", []) or []),
        "mediators": list(item.pop("mediators", []) or []),
        "persons": list(item.pop("persons", []) or []),
        "sources": list(item.pop("sources", []) or []),
    }
    item["date"] = _date(item["date"], item.pop("date_end", None))
    return Record(ReleaseEvent(**item), refs)


def _sanction(item: dict[str, Any]) -> Record:
    _pop_known(item, {"key", "authority", "program", "target", "action", "date", "date_end", "source", "notes"})
    refs = {"key": item.pop("key"), "target": item.pop("target"), "source": item.pop("source")}
    item["date"] = _date(item["date"], item.pop("date_end", None))
    return Record(SanctionAction(**item), refs)


def _deal(item: dict[str, Any]) -> Record:
    _pop_known(item, {"key", "title", "counterpart", "releases", "sanctions", "meetings", "sources", "notes"})
    meetings = []
    for entry in item.pop("meetings", []) or []:
        entry = dict(entry)
        _pop_known(entry, {"date", "date_end", "place", "description", "participants", "source"})
        meeting = Meeting(date=_date(entry["date"], entry.get("date_end")), place=entry.get("place"),
                          description=entry["description"])
        meetings.append((meeting, list(entry.get("participants") or []), entry.get("source")))
    refs = {
        "releases": list(item.pop("releases", []) or []),
        "sanctions": list(item.pop("sanctions", []) or []),
        "sources": list(item.pop("sources", []) or []),
        "meetings": meetings,
    }
    return Record(Deal(**item), refs)


def _check_references(data: Dataset, directory: Path) -> None:
    problems: list[str] = []

    def need(kind: str, pool: dict[str, Any], key: Any, where: str) -> None:
        if key not in pool:
            problems.append(f"{where}: unknown {kind} {key!r}")

    for key, rec in data.organizations.items():
        for s in rec.refs["sources"]:
            need("source", data.sources, s, f"organizations.yaml {key}")
    for key, rec in data.persons.items():
        for s in rec.refs["sources"]:
            need("source", data.sources, s, f"persons.yaml {key}")
        for aff in rec.refs["affiliations"]:
            need("organization", data.organizations, aff.get("org"), f"persons.yaml {key} affiliations")
            need("source", data.sources, aff.get("source"), f"persons.yaml {key} affiliations")
        for change, source, release in rec.refs["status"]:
            need("source", data.sources, source, f"persons.yaml {key} status {change.status.value}")
            if release is not None:
                need("release", data.releases, release, f"persons.yaml {key} status {change.status.value}")
    for key, rec in data.releases.items():
        for s in rec.refs["sources"]:
            need("source", data.sources, s, f"releases.yaml {key}")
        for p in rec.refs["persons"]:
            need("person", data.persons, p, f"releases.yaml {key} persons")
        for claim in rec.refs["count_claims"]:
            need("source", data.sources, claim.get("source"), f"releases.yaml {key} count_claims")
        for m in rec.refs["mediators"]:
            if "person" in m:
                need("person", data.persons, m["person"], f"releases.yaml {key} mediators")
            elif "org" in m:
                need("organization", data.organizations, m["org"], f"releases.yaml {key} mediators")
            else:
                problems.append(f"releases.yaml {key} mediators: each needs `person:` or `org:`")
        if not rec.refs["sources"]:
            problems.append(f"releases.yaml {key}: no sources")
    # A release's named persons are the people whose status links to it: both lists must agree.
    linked = {(release, key) for key, rec in data.persons.items()
              for _c, _s, release in rec.refs["status"] if release}
    listed = {(key, p) for key, rec in data.releases.items() for p in rec.refs["persons"]}
    for release, person in sorted(listed - linked):
        problems.append(f"releases.yaml {release}: lists {person!r}, whose status has no `release: {release}`")
    for release, person in sorted(linked - listed):
        if release in data.releases:
            problems.append(f"persons.yaml {person}: status links {release!r}, which does not list them")
    for key, rec in data.sanctions.items():
        target = rec.refs["target"]
        if target not in data.organizations and target not in data.persons:
            problems.append(f"sanctions.yaml {key}: unknown target {target!r}")
        need("source", data.sources, rec.refs["source"], f"sanctions.yaml {key}")
    for key, rec in data.deals.items():
        for r in rec.refs["releases"]:
            need("release", data.releases, r, f"deals.yaml {key} releases")
        for s in rec.refs["sanctions"]:
            need("sanction action", data.sanctions, s, f"deals.yaml {key} sanctions")
        for s in rec.refs["sources"]:
            need("source", data.sources, s, f"deals.yaml {key}")
        for meeting, participants, source in rec.refs["meetings"]:
            for p in participants:
                need("person", data.persons, p, f"deals.yaml {key} meeting {meeting.date}")
            if source is not None:
                need("source", data.sources, source, f"deals.yaml {key} meeting {meeting.date}")
    if problems:
        raise DatasetError(f"{directory}: " + "; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""))
