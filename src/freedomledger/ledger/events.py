"""Writing release events, sanction actions, deals and the links between them.

Competing values (one outlet says 249, another 250) are kept as claims side by side; the
event row holds the value the ledger currently accepts, and `accept_value` records why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from freedomledger.ledger import LedgerError, Tx, jsonable
from freedomledger.model import Deal, FuzzyDate, Meeting, ReleaseEvent, SanctionAction
from freedomledger.store.tables import (
    claims,
    deal_links,
    deals,
    meetings,
    release_events,
    release_mediators,
    sanction_actions,
)


def _date_values(date: FuzzyDate) -> dict[str, Any]:
    return dict(date_start=date.start, date_end=date.end, date_precision=date.precision.value)


def _upsert_keyed(tx: Tx, table: Table, key: str, values: dict[str, Any], source_id: int) -> int:
    existing = tx.conn.execute(select(table.c.id).where(table.c.key == key)).scalar()
    if existing is None:
        row_id = tx.insert(table, {"key": key, **values})
    else:
        row_id = int(existing)
        tx.update(table, row_id, values)
    tx.claim(source_id, table, row_id)
    return row_id


def upsert_release(tx: Tx, event: ReleaseEvent, source_id: int) -> int:
    values = dict(
        releasing_state=event.releasing_state, kind=event.kind.value,
        announced_count=event.announced_count, destination=list(event.destination),
        destination_counts=dict(event.destination_counts), notes=event.notes,
        **_date_values(event.date),
    )
    event_id = _upsert_keyed(tx, release_events, event.key, values, source_id)
    if event.announced_count is not None:
        tx.claim(source_id, release_events, event_id, field="announced_count", value=event.announced_count)
    return event_id


def add_mediator(
    tx: Tx,
    event_id: int,
    name: str,
    kind: str,
    source_id: int,
    *,
    person_id: int | None = None,
    organization_id: int | None = None,
) -> int:
    existing = tx.conn.execute(
        select(release_mediators.c.id).where(
            release_mediators.c.release_event_id == event_id,
            release_mediators.c.name == name,
            release_mediators.c.retracted_at.is_(None),
        )
    ).scalar()
    mediator_id = int(existing) if existing is not None else tx.insert(
        release_mediators,
        dict(
            release_event_id=event_id, name=name, kind=kind,
            person_id=person_id, organization_id=organization_id,
        ),
    )
    tx.claim(source_id, release_mediators, mediator_id)
    return mediator_id


def claim_value(
    tx: Tx, table: Table, row_id: int, field: str, value: Any, source_id: int,
    *, quote: str | None = None, span: tuple[int, int] | None = None,
) -> int:
    """Add a source's value for a field. If it differs from the accepted one it competes."""
    current = tx.row(table, row_id).get(field)
    status = "accepted" if current is None or jsonable(current) == jsonable(value) else "competing"
    claim_id = tx.claim(
        source_id, table, row_id, field=field, value=value, quote=quote, span=span, status=status
    )
    if current is None:
        tx.update(table, row_id, {field: value}, reason="first claim for this field")
    return claim_id


def accept_value(tx: Tx, table: Table, row_id: int, field: str, claim_id: int, reason: str) -> None:
    """Make one competing claim the accepted value, and say why."""
    chosen = tx.row(claims, claim_id)
    if (chosen["subject_table"], chosen["subject_id"], chosen["field"]) != (table.name, row_id, field):
        raise LedgerError(f"claim {claim_id} is not about {table.name} {row_id}.{field}")
    others = tx.conn.execute(
        select(claims.c.id).where(
            claims.c.subject_table == table.name, claims.c.subject_id == row_id,
            claims.c.field == field, claims.c.status == "accepted", claims.c.id != claim_id,
        )
    ).scalars().all()
    for other in others:
        tx.update(claims, other, {"status": "competing"}, reason=reason)
    tx.update(claims, claim_id, {"status": "accepted", "reason": reason}, reason=reason)
    tx.update(table, row_id, {field: chosen["value"]}, reason=reason)


def upsert_sanction_action(
    tx: Tx,
    action: SanctionAction,
    source_id: int,
    *,
    key: str | None = None,
    organization_id: int | None = None,
    person_id: int | None = None,
    list_entity_id: int | None = None,
) -> int:
    values = dict(
        authority=action.authority, program=action.program, action=action.action.value,
        organization_id=organization_id, person_id=person_id, target_name=action.target_name,
        list_entity_id=list_entity_id, notes=action.notes, **_date_values(action.date),
    )
    if key is not None:
        return _upsert_keyed(tx, sanction_actions, key, values, source_id)
    same = tx.conn.execute(
        select(sanction_actions.c.id).where(
            *(sanction_actions.c[k] == v for k, v in values.items() if k != "notes" and v is not None)
        )
    ).scalar()
    action_id = int(same) if same is not None else tx.insert(sanction_actions, values)
    tx.claim(source_id, sanction_actions, action_id)
    return action_id


def upsert_deal(tx: Tx, deal: Deal, source_id: int) -> int:
    values = dict(title=deal.title, counterpart=deal.counterpart, notes=deal.notes)
    return _upsert_keyed(tx, deals, deal.key, values, source_id)


def add_meeting(tx: Tx, deal_id: int, meeting: Meeting, participants: list[str], source_id: int) -> int:
    existing = tx.conn.execute(
        select(meetings.c.id)
        .join(deal_links, deal_links.c.meeting_id == meetings.c.id)
        .where(
            deal_links.c.deal_id == deal_id,
            meetings.c.date_start == meeting.date.start,
            meetings.c.description == meeting.description,
        )
    ).scalar()
    if existing is not None:
        tx.claim(source_id, meetings, int(existing))
        return int(existing)
    meeting_id = tx.insert(
        meetings,
        dict(place=meeting.place, description=meeting.description, participants=participants,
             **_date_values(meeting.date)),
    )
    tx.claim(source_id, meetings, meeting_id)
    link_deal(tx, deal_id, source_id, meeting_id=meeting_id)
    return meeting_id


def link_deal(
    tx: Tx,
    deal_id: int,
    source_id: int | None,
    *,
    release_event_id: int | None = None,
    sanction_action_id: int | None = None,
    meeting_id: int | None = None,
) -> int:
    """Say that a release, sanction action or meeting belongs to a deal."""
    target = {
        "release_event_id": release_event_id,
        "sanction_action_id": sanction_action_id,
        "meeting_id": meeting_id,
    }
    given = {k: v for k, v in target.items() if v is not None}
    if len(given) != 1:
        raise LedgerError("a deal link joins a deal to exactly one release, action or meeting")
    column, value = next(iter(given.items()))
    existing = tx.conn.execute(
        select(deal_links.c.id).where(
            deal_links.c.deal_id == deal_id, deal_links.c[column] == value,
            deal_links.c.retracted_at.is_(None),
        )
    ).scalar()
    link_id = int(existing) if existing is not None else tx.insert(
        deal_links, {"deal_id": deal_id, column: value}
    )
    if source_id is not None:
        tx.claim(source_id, deal_links, link_id)
    return link_id


def set_published(tx: Tx, table: Table, row_id: int, published: bool, reason: str) -> None:
    tx.update(table, row_id, {"published": published}, reason=reason)


__all__ = [
    "accept_value", "add_mediator", "add_meeting", "claim_value", "link_deal", "set_published",
    "upsert_deal", "upsert_release", "upsert_sanction_action",
]
