"""Recording the changes found between two snapshots, in bulk.

Each change becomes a `list_changes` row (the structured detail) and a `sanction_actions`
row (the ledger's view, which deals can link to), claimed by the two snapshots' sources, with
an audit record for every row, as `Tx.insert` and `Tx.claim` would write them one by one.
Done in bulk because a single OFAC update can hold thousands of changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from freedomledger.ledger import Tx, jsonable
from freedomledger.sanctions.diff import Change, display_name
from freedomledger.sanctions.state import ListState, Snap, bulk_insert, chunks
from freedomledger.store.sanctions_tables import list_changes, list_entities
from freedomledger.store.tables import audit_log, claims, sanction_actions, utcnow


def entity_data(tx: Tx, eids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in chunks(eids):
        for row in tx.conn.execute(select(list_entities.c.id, list_entities.c.data)
                                   .where(list_entities.c.id.in_(chunk))):
            out[row.id] = row.data or {}
    return out


def record_changes(tx: Tx, state: ListState, changes: list[Change], before: Snap,
                   after: Snap) -> None:
    """Store changes in bulk: list_changes rows, sanction_actions rows (the ledger's
    view, linkable to deals), a claim per action for each of the two snapshots, and an
    audit record for every row created, as `Tx.insert`/`Tx.claim` would write them."""
    if not changes:
        return
    eids = [state.entity_ids[c.external_id] for c in changes]
    # A membership-only snapshot (add/alt.csv) knows neither the primary name nor the
    # programs: take them from the newest data that does.
    newest = entity_data(tx, eids)
    start, end = before.as_of, after.as_of
    actions: list[dict[str, Any]] = []
    for change, eid in zip(changes, eids, strict=True):
        fallback = newest.get(eid, {})
        if change.action != "amended":
            change.programs = change.programs or list(fallback.get("programs") or [])
            change.name = display_name(fallback) or change.name
        actions.append({
            "key": f"list:{state.key}:{eid}:{change.action}:{before.id}-{after.id}",
            "authority": state.authority,
            "program": clip("; ".join(change.programs) or None, 120),
            "action": change.action, "date_start": start, "date_end": end,
            "date_precision": "day" if start == end else "range",
            "target_name": clip(change.name, 500), "list_entity_id": eid,
            "notes": change_note(change, before, after), "version": 1,
            "created_at": utcnow(), "updated_at": utcnow(),
        })
    # Plain executemany, ids read back by key: RETURNING with a guaranteed row order
    # makes SQLite insert one row per statement.
    bulk_insert(tx.conn, sanction_actions, actions)
    ids_by_key: dict[str, int] = {}
    for chunk in chunks([a["key"] for a in actions]):
        for key, action_id in tx.conn.execute(select(sanction_actions.c.key, sanction_actions.c.id)
                                              .where(sanction_actions.c.key.in_(chunk))):
            ids_by_key[key] = action_id
    action_ids = [ids_by_key[a["key"]] for a in actions]
    claim_rows: list[dict[str, Any]] = []
    for action_id, values in zip(action_ids, actions, strict=True):
        for snap in (after, before):
            if snap.source_id is not None:
                claim_rows.append({
                    "source_id": snap.source_id, "subject_table": sanction_actions.name,
                    "subject_id": action_id, "field": "*", "value": None,
                    "quote": values["notes"], "status": "accepted",
                    "reason": "list snapshot comparison", "created_by": tx.actor,
                    "created_at": utcnow(), "updated_at": utcnow()})
    bulk_insert(tx.conn, claims, claim_rows)
    claim_ids: dict[tuple[int, int], int] = {}
    for chunk in chunks(action_ids):
        for claim_id, subject_id, source_id in tx.conn.execute(
                select(claims.c.id, claims.c.subject_id, claims.c.source_id)
                .where(claims.c.subject_table == sanction_actions.name,
                       claims.c.subject_id.in_(chunk))):
            claim_ids[(subject_id, source_id)] = claim_id
    now = utcnow()
    audits = [{"at": now, "actor": tx.actor, "action": "create",
               "subject_table": sanction_actions.name, "subject_id": action_id,
               "before": None, "after": jsonable(values),
               "reason": "derived from list snapshots"}
              for action_id, values in zip(action_ids, actions, strict=True)]
    audits += [{"at": now, "actor": tx.actor, "action": "create",
                "subject_table": claims.name,
                "subject_id": claim_ids[(values["subject_id"], values["source_id"])],
                "before": None, "after": jsonable(values), "reason": "list snapshot comparison"}
               for values in claim_rows]
    bulk_insert(tx.conn, audit_log, audits)
    tx.changes += len(audits)
    rows = [{"list_id": state.list_id, "entity_id": eid, "action": change.action,
             "before_snapshot_id": before.id, "after_snapshot_id": after.id,
             "date_start": start, "date_end": end, "name": clip(change.name, 500),
             "programs": change.programs, "programs_before": change.programs_before,
             "names_added": change.names_added, "names_removed": change.names_removed,
             "sanction_action_id": action_id}
            for change, eid, action_id in zip(changes, eids, action_ids, strict=True)]
    bulk_insert(tx.conn, list_changes, rows)


def retract_between(tx: Tx, state: ListState, prev: Snap | None, nxt: Snap,
                    snap: Snap) -> None:
    if prev is None:
        return
    c = list_changes.c
    rows = tx.conn.execute(select(c.id, c.sanction_action_id).where(
        c.list_id == state.list_id, c.before_snapshot_id == prev.id,
        c.after_snapshot_id == nxt.id, c.retracted_at.is_(None))).all()
    reason = (f"superseded: snapshot {snap.id} ({snap.as_of}) was imported between "
              f"{prev.as_of} and {nxt.as_of}")
    for row in rows:
        tx.conn.execute(update(list_changes).where(c.id == row.id)
                        .values(retracted_at=utcnow(), retracted_reason=reason))
        if row.sanction_action_id is not None:
            tx.retract(sanction_actions, row.sanction_action_id, reason)


def clip(text: str | None, size: int) -> str | None:
    if text is None or len(text) <= size:
        return text
    return text[: size - 1] + "…"


def change_note(change: Change, before: Snap, after: Snap) -> str:
    seen = f"snapshot {before.as_of} → snapshot {after.as_of}"
    if change.action == "designated":
        return f"absent from the list snapshot of {before.as_of}, listed in that of {after.as_of}"
    if change.action == "delisted":
        return f"listed in the list snapshot of {before.as_of}, absent from that of {after.as_of}"
    parts = []
    if set(change.programs) != set(change.programs_before):
        parts.append(f"programs {'; '.join(change.programs_before) or '-'} → "
                     f"{'; '.join(change.programs) or '-'}")
    if change.names_added:
        parts.append("names added: " + "; ".join(change.names_added))
    if change.names_removed:
        parts.append("names removed: " + "; ".join(change.names_removed))
    return f"{', '.join(parts)} ({seen})"
