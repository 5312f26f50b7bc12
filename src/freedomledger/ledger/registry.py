"""Writing the registry: persons, organisations, their names, affiliations and status history.

Every function here is idempotent: applying the same fact twice changes nothing the second
time (so importing a file twice is a no-op), and each fact gets a claim pointing at its source.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, select

from freedomledger.ledger import LedgerError, NotFound, Tx, jsonable
from freedomledger.model import Name, Organization, Person, StatusChange, is_number
from freedomledger.store.tables import (
    affiliations,
    names,
    organizations,
    persons,
    status_changes,
)


def lookup_id(tx_or_conn: Any, table: Table, key_or_id: str | int) -> int:
    """The row id of a person/organisation/event given its key or numeric id."""
    conn = getattr(tx_or_conn, "conn", tx_or_conn)
    text = str(key_or_id)
    condition = table.c.key == text
    if is_number(text) and len(text) < 10:  # an id fits an INTEGER column; a longer number is only a key
        condition = condition | (table.c.id == int(text))
    found = conn.execute(select(table.c.id).where(condition)).scalar()
    if found is None:
        noun = table.name.rstrip("s").replace("_", " ")
        raise NotFound(f"no {noun} {text!r}", hint=f"list them with `freedomledger {_cli_noun(table)} list`")
    return int(found)


def _cli_noun(table: Table) -> str:
    return {"persons": "person", "organizations": "org", "release_events": "release"}.get(table.name, table.name)


def _person_values(person: Person) -> dict[str, Any]:
    birth = person.birth_date
    return dict(
        gender=person.gender.value,
        birth_start=birth.start if birth else None,
        birth_end=birth.end if birth else None,
        birth_precision=birth.precision.value if birth else None,
        citizenships=list(person.citizenships),
        roles=list(person.roles),
        notes=person.notes,
        confidential_notes=person.confidential_notes,
        published=person.published,
    )


def upsert_person(tx: Tx, person: Person, source_id: int) -> int:
    """Create the person, or bring an existing one (same key) up to date. Returns its id."""
    values = _person_values(person)
    existing = tx.conn.execute(select(persons.c.id).where(persons.c.key == person.key)).scalar()
    if existing is None:
        person_id = tx.insert(persons, {"key": person.key, **values})
    else:
        person_id = int(existing)
        tx.update(persons, person_id, values)
    tx.claim(source_id, persons, person_id)
    for name in person.names:
        add_name(tx, name, source_id, person_id=person_id)
    return person_id


def upsert_organization(tx: Tx, org: Organization, source_id: int) -> int:
    values = dict(
        kind=org.kind.value, country=org.country, ids=dict(org.ids), notes=org.notes,
        published=org.published,
    )
    existing = tx.conn.execute(
        select(organizations.c.id).where(organizations.c.key == org.key)
    ).scalar()
    if existing is None:
        org_id = tx.insert(organizations, {"key": org.key, **values})
    else:
        org_id = int(existing)
        tx.update(organizations, org_id, values)
    tx.claim(source_id, organizations, org_id)
    for name in org.names:
        add_name(tx, name, source_id, organization_id=org_id)
    return org_id


def add_name(
    tx: Tx,
    name: Name,
    source_id: int | None,
    *,
    person_id: int | None = None,
    organization_id: int | None = None,
) -> int:
    """Attach a name to its owner; a name the owner already has only gains the source."""
    if (person_id is None) == (organization_id is None):
        raise LedgerError("a name belongs to exactly one person or organisation")
    owner = names.c.person_id == person_id if person_id else names.c.organization_id == organization_id
    existing = tx.conn.execute(
        select(names.c.id).where(owner, names.c.text == name.text, names.c.retracted_at.is_(None))
    ).scalar()
    if existing is not None:
        name_id = int(existing)
    else:
        name_id = tx.insert(
            names,
            dict(
                person_id=person_id, organization_id=organization_id, text=name.text,
                script=name.script.value if name.script else "other", lang=name.lang,
                kind=name.kind.value, source_id=source_id,
            ),
        )
    if source_id is not None:
        tx.claim(source_id, names, name_id, value=name.text)
    return name_id


def add_affiliation(tx: Tx, person_id: int, org_id: int, role: str | None, source_id: int) -> int:
    existing = tx.conn.execute(
        select(affiliations.c.id).where(
            affiliations.c.person_id == person_id,
            affiliations.c.organization_id == org_id,
            affiliations.c.retracted_at.is_(None),
        )
    ).scalar()
    affiliation_id = int(existing) if existing is not None else tx.insert(
        affiliations,
        dict(person_id=person_id, organization_id=org_id, role=role, source_id=source_id),
    )
    tx.claim(source_id, affiliations, affiliation_id)
    return affiliation_id


def add_status(
    tx: Tx,
    person_id: int,
    change: StatusChange,
    source_id: int,
    *,
    release_event_id: int | None = None,
    quote: str | None = None,
) -> int:
    """Record a status change; the same status on the same dates is one fact, more sources."""
    same = tx.conn.execute(
        select(status_changes.c.id).where(
            and_(
                status_changes.c.person_id == person_id,
                status_changes.c.status == change.status.value,
                status_changes.c.date_start == change.date.start,
                status_changes.c.date_end == change.date.end,
                status_changes.c.retracted_at.is_(None),
            )
        )
    ).scalar()
    values = dict(
        person_id=person_id, status=change.status.value,
        date_start=change.date.start, date_end=change.date.end,
        date_precision=change.date.precision.value, details=jsonable(change.details),
        release_event_id=release_event_id,
    )
    if same is None:
        status_id = tx.insert(status_changes, values)
    else:
        status_id = int(same)
        merged = {
            "details": {**tx.row(status_changes, status_id)["details"], **jsonable(change.details)},
        }
        if release_event_id is not None:
            merged["release_event_id"] = release_event_id
        tx.update(status_changes, status_id, merged)
    tx.claim(source_id, status_changes, status_id, quote=quote)
    return status_id
