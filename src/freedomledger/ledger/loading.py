"""Apply a parsed dataset (sources/sample.py) to the ledger in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from freedomledger.ledger import Tx
from freedomledger.ledger import events as ev
from freedomledger.ledger import registry as reg
from freedomledger.model import Meeting
from freedomledger.sources.registry import RegistryRecord
from freedomledger.sources.sample import Dataset
from freedomledger.store.tables import release_events

# States appear as organisations of kind "state" keyed "state-xx" in datasets; mediators
# given only as a country code are shown by this name.
STATE_NAMES = {"US": "United States", "LT": "Lithuania", "BY": "Belarus", "UA": "Ukraine", "PL": "Poland"}


def load_dataset(tx: Tx, data: Dataset) -> Counter[str]:
    """Write every record; returns how many of each kind were applied."""
    counts: Counter[str] = Counter()
    source_ids: dict[str, int] = {}
    for key, src in data.sources.items():
        source_ids[key], _ = tx.source(
            key=key, kind=src.kind.value, outlet=src.outlet, title=src.title, url=src.url,
            published=src.published,
            published_precision=src.published_precision.value if src.published_precision else None,
        )
        counts["sources"] += 1

    def first_source(refs: list[str], what: str) -> int:
        if not refs:
            raise ValueError(f"{what} has no source")
        return source_ids[refs[0]]

    org_ids: dict[str, int] = {}
    for key, rec in data.organizations.items():
        org_id = reg.upsert_organization(tx, rec.value, first_source(rec.refs["sources"], key))
        for extra in rec.refs["sources"][1:]:
            tx.claim(source_ids[extra], reg.organizations, org_id)
        org_ids[key] = org_id
        counts["organizations"] += 1

    person_ids: dict[str, int] = {}
    for key, rec in data.persons.items():
        statuses = rec.refs["status"]
        person_sources = rec.refs["sources"] or [s for _, s, _ in statuses]
        person_id = reg.upsert_person(tx, rec.value, first_source(person_sources, key))
        for extra in person_sources[1:]:
            tx.claim(source_ids[extra], reg.persons, person_id)
        person_ids[key] = person_id
        for aff in rec.refs["affiliations"]:
            reg.add_affiliation(tx, person_id, org_ids[aff["org"]], aff.get("role"), source_ids[aff["source"]])
        counts["persons"] += 1

    release_ids: dict[str, int] = {}
    for key, rec in data.releases.items():
        sources = rec.refs["sources"]
        event_id = ev.upsert_release(tx, rec.value, source_ids[sources[0]])
        for extra in sources[1:]:
            tx.claim(source_ids[extra], release_events, event_id)
        for claim in rec.refs["count_claims"]:
            ev.claim_value(tx, release_events, event_id, "announced_count", claim["value"],
                           source_ids[claim["source"]])
        for mediator in rec.refs["mediators"]:
            if "person" in mediator:
                pid = person_ids[mediator["person"]]
                name = data.persons[mediator["person"]].value.names[0].text
                name = _latin_name(data.persons[mediator["person"]].value.names) or name
                ev.add_mediator(tx, event_id, name, "person", source_ids[sources[0]], person_id=pid)
            else:
                org = data.organizations[mediator["org"]].value
                name = _latin_name(org.names) or org.names[0].text
                ev.add_mediator(tx, event_id, name, org.kind.value, source_ids[sources[0]],
                                organization_id=org_ids[mediator["org"]])
        release_ids[key] = event_id
        counts["releases"] += 1

    for key, rec in data.persons.items():
        for change, source, release in rec.refs["status"]:
            reg.add_status(tx, person_ids[key], change, source_ids[source],
                           release_event_id=release_ids.get(release) if release else None)
            counts["status_changes"] += 1

    action_ids: dict[str, int] = {}
    for key, rec in data.sanctions.items():
        target = rec.refs["target"]
        action_ids[key] = ev.upsert_sanction_action(
            tx, rec.value, source_ids[rec.refs["source"]], key=key,
            organization_id=org_ids.get(target), person_id=person_ids.get(target),
        )
        counts["sanction_actions"] += 1

    for key, rec in data.deals.items():
        source_id = first_source(rec.refs["sources"], key)
        deal_id = ev.upsert_deal(tx, rec.value, source_id)
        for release in rec.refs["releases"]:
            ev.link_deal(tx, deal_id, source_id, release_event_id=release_ids[release])
        for action in rec.refs["sanctions"]:
            ev.link_deal(tx, deal_id, source_id, sanction_action_id=action_ids[action])
        for meeting, participants, meeting_source in rec.refs["meetings"]:
            assert isinstance(meeting, Meeting)
            ev.add_meeting(tx, deal_id, meeting, participants,
                           source_ids[meeting_source] if meeting_source else source_id)
        counts["deals"] += 1
    return counts


def _latin_name(names: list) -> str | None:  # type: ignore[type-arg]
    for name in names:
        if name.script and name.script.value == "latin":
            return str(name.text)
    return None


def import_registry(tx: Tx, records: Iterable[RegistryRecord], *, file_source_id: int) -> Counter[str]:
    """Apply registry records; each fact is claimed by its row's source, else by the file."""
    counts: Counter[str] = Counter()
    for record in records:
        source_id = file_source_id
        if record.source is not None:
            source_id, _ = tx.source(
                key=record.source.key, kind="registry", outlet=record.source.outlet,
                url=record.source.url, published=record.source.published, title=record.source.title,
            )
        before = tx.changes
        person_id = reg.upsert_person(tx, record.person, source_id)
        for change in record.statuses:
            reg.add_status(tx, person_id, change, source_id)
        counts["persons"] += 1
        counts["status_changes"] += len(record.statuses)
        counts["warnings"] += len(record.warnings)
        if tx.changes != before:
            counts["changed"] += 1
    return counts
