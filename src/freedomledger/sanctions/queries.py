"""Questions about sanctions lists: what is held, was X listed on D, what changed.

Every answer carries its evidence: the snapshots it rests on (date, file) and, for changes
known only from snapshots, the interval in which they happened (last seen listed .. first
seen absent) instead of a made-up exact day. Actions recorded from other evidence (official
notices, news) are shown beside them with their sources.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Connection, and_, func, not_, or_, select, true

from freedomledger.ledger import NotFound
from freedomledger.ledger import queries as core_queries
from freedomledger.sanctions.names import EntityMatch, find_entities
from freedomledger.store.sanctions_tables import (
    list_changes,
    list_entities,
    list_memberships,
    list_snapshots,
    sanction_lists,
)
from freedomledger.store.tables import sanction_actions

DERIVED_PREFIX = "list:"


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _snapshot_dict(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": row.id, "date": row.as_of.isoformat(), "taken_at": row.taken_at.isoformat(),
            "file": row.file_name, "date_source": row.date_source}


# --- lists ---------------------------------------------------------------------------


def lists_view(conn: Connection, list_key: str | None = None) -> list[dict[str, Any]]:
    """Each list with its snapshots (date, file, entries, how the date is known)."""
    query = select(sanction_lists).order_by(sanction_lists.c.key)
    if list_key:
        query = query.where(sanction_lists.c.key == list_key)
    out = []
    for lst in conn.execute(query).mappings():
        snaps = conn.execute(
            select(list_snapshots.c.id, list_snapshots.c.as_of, list_snapshots.c.taken_at,
                   list_snapshots.c.file_name, list_snapshots.c.entry_count,
                   list_snapshots.c.date_source, list_snapshots.c.mode,
                   list_snapshots.c.coverage)
            .where(list_snapshots.c.list_id == lst["id"]).order_by(list_snapshots.c.taken_at)
        ).all()
        entities = conn.execute(select(func.count()).select_from(list_entities)
                                .where(list_entities.c.list_id == lst["id"])).scalar_one()
        out.append({
            "list": lst["key"], "authority": lst["authority"], "title": lst["title"],
            "snapshot_count": len(snaps), "entities_ever_listed": entities,
            "first": snaps[0].as_of.isoformat() if snaps else None,
            "last": snaps[-1].as_of.isoformat() if snaps else None,
            "snapshots": [{"id": s.id, "date": s.as_of.isoformat(),
                           "taken_at": s.taken_at.isoformat(), "file": s.file_name,
                           "entries": s.entry_count, "date_source": s.date_source,
                           "mode": s.mode, "coverage": s.coverage} for s in snaps],
        })
    if list_key and not out:
        raise NotFound(f"no list {list_key!r} in the ledger",
                       hint="run `freedomledger sanctions lists` to see the lists held")
    return out


# --- status as of a date -------------------------------------------------------------


def _evidence_rows(conn: Connection, condition: Any) -> list[dict[str, Any]]:
    """Sanction actions recorded from sources other than list snapshots (notices, news),
    in the same shape as snapshot changes: date as {start, end, precision}."""
    sa = sanction_actions.c
    condition = and_(condition, or_(sa.key.is_(None), not_(sa.key.like(f"{DERIVED_PREFIX}%"))))
    rows = core_queries.sanction_action_rows(conn, condition)
    dates = {r.id: r for r in conn.execute(
        select(sa.id, sa.date_start, sa.date_end, sa.date_precision)
        .where(sa.id.in_([r["id"] for r in rows])))} if rows else {}
    out = []
    for r in rows:
        d = dates[r["id"]]
        out.append({**r, "basis": "evidence", "date_text": r["date"],
                    "programs": [r["program"]] if r["program"] else [],
                    "date": {"start": d.date_start.isoformat() if d.date_start else None,
                             "end": d.date_end.isoformat() if d.date_end else None,
                             "precision": d.date_precision}})
    return out


def _evidence_actions(conn: Connection, entity_id: int) -> list[dict[str, Any]]:
    return _evidence_rows(conn, sanction_actions.c.list_entity_id == entity_id)


def entity_status(conn: Connection, match: EntityMatch, as_of: dt.date) -> dict[str, Any]:
    s = list_snapshots.c
    entity = conn.execute(select(list_entities).where(list_entities.c.id == match.entity_id)
                          ).mappings().one()
    snaps = conn.execute(select(s.id, s.as_of, s.taken_at, s.file_name, s.date_source)
                         .where(s.list_id == entity["list_id"]).order_by(s.taken_at)).all()
    position: dict[int | None, int] = {snap.id: i for i, snap in enumerate(snaps)}
    # An open run (no last snapshot) reaches the newest snapshot.
    position[None] = len(snaps) - 1
    members = list(conn.execute(
        select(list_memberships.c.id, list_memberships.c.first_snapshot_id,
               list_memberships.c.last_snapshot_id, list_memberships.c.data)
        .where(list_memberships.c.entity_id == match.entity_id)
        .order_by(list_memberships.c.first_at)).all())
    cutoff = _day_end(as_of)
    upto = [snap for snap in snaps if snap.taken_at < cutoff]
    base = {
        "entity": {"list": match.list_key, "authority": match.authority,
                   "external_id": match.external_id, "name": entity["primary_name"]
                   or match.matched_name, "schema": entity["schema"]},
        "matched_name": match.matched_name, "match": match.how, "as_of": as_of.isoformat(),
    }
    evidence_actions = _evidence_actions(conn, match.entity_id)
    if not upto:
        first = snaps[0] if snaps else None
        return {**base, "listed": None, "programs": [],
                "explanation": f"unknown: the ledger's first snapshot of {match.list_key} is "
                               f"{first.as_of if first else 'missing'}, after {as_of}",
                "evidence": {"snapshot_at_or_before": None, "next_snapshot":
                             _snapshot_dict(first), "last_listing_snapshot": None,
                             "first_absent_snapshot": None},
                "since": None, "other_evidence": evidence_actions}
    at = upto[-1]
    nxt = snaps[len(upto)] if len(upto) < len(snaps) else None

    def covering(snap: Any) -> Any:
        for m in members:
            if position[m.first_snapshot_id] <= position[snap.id] <= position[m.last_snapshot_id]:
                return m
        return None

    current = covering(at)
    earlier = [m for m in members if position[m.first_snapshot_id] <= position[at.id]]
    last_listing = first_absent = None
    if current is not None:
        last_listing = at
        after_run = _run_end(members, position, current)
        idx = position[after_run.last_snapshot_id] + 1
        first_absent = snaps[idx] if idx < len(snaps) else None
    elif earlier:
        last_m = earlier[-1]
        last_listing = snaps[position[last_m.last_snapshot_id]]
        first_absent = snaps[position[last_m.last_snapshot_id] + 1]
    since = None
    if current is not None:
        start = _run_start(members, position, current)
        first_listed = snaps[position[start.first_snapshot_id]]
        before_idx = position[start.first_snapshot_id] - 1
        since = {"first_listed_snapshot": _snapshot_dict(first_listed),
                 "last_absent_snapshot": _snapshot_dict(snaps[before_idx]) if before_idx >= 0
                 else None,
                 "listed_on": (current.data or {}).get("listed_on")
                 or (entity["data"] or {}).get("listed_on")}
    listed: bool | None = current is not None
    data = current.data if current is not None else (earlier[-1].data if earlier else {})
    programs = list(data.get("programs") or []) if "programs" in (data.get("coverage") or []) \
        else list((entity["data"] or {}).get("programs") or [])
    basis = "snapshots"
    explanation = _explain(match.list_key, as_of, at, nxt, listed, last_listing, first_absent,
                           covering(nxt) is not None if nxt is not None else None)
    # An exact date from an official notice or the news settles what two snapshots bracket.
    for action in evidence_actions:
        end = dt.date.fromisoformat(action["date"]["end"]) if action["date"]["end"] else None
        if end is None or end > as_of or end < at.as_of:
            continue
        if listed and action["action"] == "delisted":
            listed, basis = False, "evidence"
            explanation += f"; but a {action['action']} action dated {action['date']['start']} " \
                           "from other evidence falls between that snapshot and the date asked"
        elif not listed and action["action"] == "designated":
            listed, basis = True, "evidence"
            explanation += f"; but a designation dated {action['date']['start']} from other " \
                           "evidence falls between that snapshot and the date asked"
    return {
        **base, "listed": listed, "basis": basis, "programs": programs,
        "explanation": explanation,
        # How old the newest evidence is: a yes from a snapshot ten years before the date
        # asked is a weak yes.
        "snapshot_age_days": (as_of - at.as_of).days,
        "evidence": {
            "snapshot_at_or_before": {**(_snapshot_dict(at) or {}),
                                      "lists_it": current is not None},
            "next_snapshot": {**(_snapshot_dict(nxt) or {}), "lists_it": covering(nxt) is not None}
            if nxt is not None else None,
            "last_listing_snapshot": _snapshot_dict(last_listing),
            "first_absent_snapshot": _snapshot_dict(first_absent),
        },
        "since": since, "other_evidence": evidence_actions,
    }


def _run_start(members: list[Any], position: dict[int | None, int], member: Any) -> Any:
    by_last = {position[m.last_snapshot_id]: m for m in members}
    while position[member.first_snapshot_id] - 1 in by_last:
        member = by_last[position[member.first_snapshot_id] - 1]
    return member


def _run_end(members: list[Any], position: dict[int | None, int], member: Any) -> Any:
    by_first = {position[m.first_snapshot_id]: m for m in members}
    while position[member.last_snapshot_id] + 1 in by_first:
        member = by_first[position[member.last_snapshot_id] + 1]
    return member


def _explain(list_key: str, as_of: dt.date, at: Any, nxt: Any, listed: bool | None,
             last_listing: Any, first_absent: Any, next_lists: bool | None) -> str:
    where = f"the {list_key} snapshot of {at.as_of} ({at.file_name})"
    if listed:
        text = f"listed: {where} lists it"
        if nxt is not None and next_lists:
            text += f", and so does the next one, of {nxt.as_of}"
        elif nxt is not None:
            text += (f"; the next one, of {nxt.as_of}, does not: it was delisted between "
                     f"{at.as_of} and {nxt.as_of}, which the snapshots cannot place "
                     f"relative to {as_of}")
        elif at.as_of < as_of:
            text += f" (the newest snapshot held; nothing is known after {at.as_of})"
        return text
    if last_listing is None:
        return f"not listed: no snapshot of {list_key} up to {as_of} lists it"
    return (f"not listed: {where} does not list it; it was last seen listed in the snapshot "
            f"of {last_listing.as_of} and first seen absent in that of {first_absent.as_of}")


def status_as_of(conn: Connection, query: str, *, as_of: dt.date | None = None,
                 authority: str | None = None, list_key: str | None = None,
                 limit: int = 5) -> dict[str, Any]:
    """Is the entity named `query` listed on `as_of` (default today)?"""
    as_of = as_of or dt.date.today()
    matches = find_entities(conn, query, authority=authority, list_key=list_key, limit=limit)
    return {"query": query, "as_of": as_of.isoformat(), "authority": authority,
            "list": list_key, "results": [entity_status(conn, m, as_of) for m in matches]}


# --- timeline --------------------------------------------------------------------------


def _change_rows(conn: Connection, *conditions: Any) -> list[dict[str, Any]]:
    c = list_changes.c
    before = list_snapshots.alias("before")
    after = list_snapshots.alias("after")
    query = (select(c.id, c.action, c.date_start, c.date_end, c.name, c.programs,
                    c.programs_before, c.names_added, c.names_removed, c.sanction_action_id,
                    sanction_lists.c.key.label("list_key"), sanction_lists.c.authority,
                    list_entities.c.external_id,
                    before.c.id.label("b_id"), before.c.as_of.label("b_as_of"),
                    before.c.file_name.label("b_file"),
                    after.c.id.label("a_id"), after.c.as_of.label("a_as_of"),
                    after.c.file_name.label("a_file"))
             .join(sanction_lists, sanction_lists.c.id == c.list_id)
             .join(list_entities, list_entities.c.id == c.entity_id)
             .join(before, before.c.id == c.before_snapshot_id)
             .join(after, after.c.id == c.after_snapshot_id)
             .where(c.retracted_at.is_(None), *conditions)
             .order_by(c.date_end, c.id))
    return [{
        "action": r.action, "basis": "snapshots", "list": r.list_key,
        "authority": r.authority, "external_id": r.external_id, "name": r.name,
        "programs": r.programs, "programs_before": r.programs_before,
        "names_added": r.names_added, "names_removed": r.names_removed,
        "date": {"start": r.date_start.isoformat(), "end": r.date_end.isoformat(),
                 "precision": "day" if r.date_start == r.date_end else "range"},
        "evidence": {"before": {"id": r.b_id, "date": r.b_as_of.isoformat(), "file": r.b_file},
                     "after": {"id": r.a_id, "date": r.a_as_of.isoformat(), "file": r.a_file}},
        "sanction_action_id": r.sanction_action_id,
    } for r in conn.execute(query)]


def timeline(conn: Connection, query: str, *, authority: str | None = None,
             list_key: str | None = None, limit: int = 5) -> dict[str, Any]:
    """Everything known about the entities named `query`: first snapshot that lists them,
    each change between snapshots, and actions from other evidence, oldest first."""
    results = []
    for match in find_entities(conn, query, authority=authority, list_key=list_key, limit=limit):
        events = _change_rows(conn, list_changes.c.entity_id == match.entity_id)
        first = conn.execute(
            select(list_snapshots.c.id, list_snapshots.c.as_of, list_snapshots.c.taken_at,
                   list_snapshots.c.file_name, list_snapshots.c.date_source)
            .join(list_memberships, list_memberships.c.first_snapshot_id == list_snapshots.c.id)
            .where(list_memberships.c.entity_id == match.entity_id)
            .order_by(list_snapshots.c.taken_at).limit(1)).first()
        designated_seen = any(e["action"] == "designated" for e in events)
        if first is not None and not designated_seen:
            events.insert(0, {"action": "first_seen", "basis": "snapshots",
                              "list": match.list_key, "external_id": match.external_id,
                              "date": {"start": None, "end": first.as_of.isoformat(),
                                       "precision": "range"},
                              "evidence": {"after": _snapshot_dict(first)},
                              "note": "listed in the first snapshot held that lists it; the "
                                      "designation itself is older"})
        evidence = _evidence_actions(conn, match.entity_id)
        events.extend(evidence)
        events.sort(key=lambda e: e["date"]["end"] or "")
        today = entity_status(conn, match, dt.date.today())
        results.append({"entity": today["entity"], "listed_now": today["listed"],
                        "events": events})
    return {"query": query, "results": results}


# --- changes -------------------------------------------------------------------------------


def _program_match(patterns: list[str], programs: list[str]) -> bool:
    if not patterns:
        return True
    folded = [p.casefold() for p in programs]
    return any(fnmatch.fnmatchcase(p, pat.casefold()) for pat in patterns for p in folded)


def changes(conn: Connection, *, authority: str | None = None, list_key: str | None = None,
            program: str | list[str] | None = None, since: dt.date | None = None,
            until: dt.date | None = None, actions: list[str] | None = None,
            include_evidence: bool = True) -> list[dict[str, Any]]:
    """Designations, delistings and amendments, from snapshots and other evidence.

    A snapshot change is included when its interval overlaps [since, until]; `program`
    is a glob (BELARUS*) matched against the programs before and after the change.
    """
    patterns = [program] if isinstance(program, str) else list(program or [])
    conditions: list[Any] = []
    if authority:
        conditions.append(sanction_lists.c.authority == authority.upper())
    if list_key:
        conditions.append(sanction_lists.c.key == list_key)
    if since:
        conditions.append(list_changes.c.date_end >= since)
    if until:
        conditions.append(list_changes.c.date_start <= until)
    if actions:
        conditions.append(list_changes.c.action.in_(actions))
    rows = [r for r in _change_rows(conn, *conditions)
            if _program_match(patterns, list(r["programs"]) + list(r["programs_before"]))]
    if include_evidence and not list_key:
        sa = sanction_actions.c
        cond: list[Any] = []
        if authority:
            cond.append(sa.authority == authority.upper())
        if since:
            cond.append(sa.date_end >= since)
        if until:
            cond.append(sa.date_start <= until)
        if actions:
            cond.append(sa.action.in_(actions))
        for r in _evidence_rows(conn, and_(true(), *cond)):
            if _program_match(patterns, r["programs"]):
                rows.append(r)
    rows.sort(key=lambda r: (r["date"]["end"] or "", r.get("list") or ""))
    return rows


def monthly_report(conn: Connection, *, authority: str | None = None,
                   list_key: str | None = None, since: dt.date | None = None,
                   until: dt.date | None = None,
                   program: str | None = None) -> list[dict[str, Any]]:
    """Designations, delistings and program changes per program and month.

    The month is that of the first snapshot showing the change (an interval's end); an
    entry under several programs counts once under each.
    """
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in changes(conn, authority=authority, list_key=list_key, since=since, until=until,
                       program=program, include_evidence=False):
        month = row["date"]["end"][:7]
        if row["action"] == "amended":
            if set(row["programs"]) == set(row["programs_before"]):
                continue
            kind, programs = "program_changed", row["programs"]
        else:
            kind, programs = row["action"], row["programs"]
        for prog in programs or ["(none)"]:
            counts[(prog, month, kind)] += 1
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"designated": 0, "delisted": 0, "program_changed": 0})
    for (prog, month, kind), n in counts.items():
        table[(prog, month)][kind] = n
    return [{"program": prog, "month": month, **values}
            for (prog, month), values in sorted(table.items())]
