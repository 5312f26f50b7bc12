"""Per-person answers and the sanctions-relief summary, built on the ledger's own views.

A person is read through `ledger.queries.person_view`, which already knows what the public
may not see; this module adds the custody arithmetic from freedomledger.stats.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Connection, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from freedomledger.model import Status
from freedomledger.stats import Event, StatsFilter, held_on, spells
from freedomledger.stats.deals import RELIEF
from freedomledger.store.tables import (
    deal_links,
    names,
    persons,
    release_events,
    sanction_actions,
    status_changes,
)


def _hidden_releases(conn: Connection, public: bool) -> set[str]:
    """Releases a deal view must not show: retracted ones, and unpublished ones for the public."""
    condition: ColumnElement[bool] = release_events.c.retracted_at.is_not(None)
    if public:
        condition = or_(condition, release_events.c.published.is_not(true()))
    return set(conn.execute(select(release_events.c.key).where(condition)).scalars())


def relief_by_authority(conn: Connection, f: StatsFilter) -> list[dict[str, Any]]:
    """All sanction actions in the window per authority and kind, and how many a deal names.

    The deal ledger shows only concessions linked to a deal; this shows what else the same
    authorities did in the window, so a reader sees how much relief no deal accounts for.
    """
    sa = sanction_actions
    linked = select(deal_links.c.sanction_action_id).where(
        deal_links.c.sanction_action_id.is_not(None), deal_links.c.retracted_at.is_(None)
    )
    query = (
        select(sa.c.authority, sa.c.action, func.count().label("actions"),
               func.count(sa.c.id).filter(sa.c.id.in_(linked)).label("in_deals"))
        .where(sa.c.retracted_at.is_(None), sa.c.date_start >= f.first_day, sa.c.date_start <= f.last_day)
        .group_by(sa.c.authority, sa.c.action)
        .order_by(sa.c.authority, sa.c.action)
    )
    if f.authority:
        query = query.where(sa.c.authority == f.authority)
    return [
        {"authority": r.authority, "action": r.action, "relief": r.action in RELIEF,
         "actions": int(r.actions), "in_deals": int(r.in_deals)}
        for r in conn.execute(query)
    ]


def find_person(conn: Connection, text: str, *, public: bool = False) -> int:
    """A person's id from a key, an id, or a name written as the ledger has it (any case)."""
    from freedomledger.ledger import LedgerError, NotFound
    from freedomledger.ledger.queries import display_name
    from freedomledger.ledger.registry import lookup_id

    try:
        return lookup_id(conn, persons, text)
    except NotFound:
        pass
    visible = [persons.c.retracted_at.is_(None)]
    if public:
        visible.append(persons.c.published.is_(true()))
    wanted = " ".join(text.split())
    for condition in (
        names.c.text == wanted,
        func.lower(names.c.text) == wanted.lower(),
        func.lower(names.c.text).like(f"%{wanted.lower()}%"),
    ):
        found = sorted(set(conn.execute(
            select(names.c.person_id).join(persons, persons.c.id == names.c.person_id)
            .where(condition, *visible)
        ).scalars()))
        if len(found) == 1:
            return int(found[0])
        if len(found) > 1:
            shown = []
            for person_id in found[:8]:
                key = conn.execute(select(persons.c.key).where(persons.c.id == person_id)).scalar_one()
                rows = [dict(r) for r in conn.execute(
                    select(names.c.text, names.c.script).where(names.c.person_id == person_id)
                ).mappings()]
                shown.append(f"{key} ({display_name(rows)})")
            raise LedgerError(f"{text!r} matches {len(found)} persons: {', '.join(shown)}",
                              hint="give the person's key instead")
    raise NotFound(f"no person {text!r}", hint="search with `freedomledger person list` or give the key")


def person_stats(conn: Connection, text: str, f: StatsFilter) -> dict[str, Any]:
    """One person in numbers: held now (with bounds), each spell in custody, first release,
    time served, the releases and deals they were part of."""
    from freedomledger.ledger.queries import person_view, release_view

    person_id = find_person(conn, text, public=f.public)
    view = person_view(conn, person_id, public=f.public)
    rows = conn.execute(
        select(status_changes.c.status, status_changes.c.date_start, status_changes.c.date_end,
               status_changes.c.details, release_events.c.key.label("release"))
        .outerjoin(release_events, release_events.c.id == status_changes.c.release_event_id)
        .where(status_changes.c.person_id == person_id, status_changes.c.retracted_at.is_(None),
               status_changes.c.date_start <= f.today)
        .order_by(status_changes.c.date_start, status_changes.c.id)
    ).mappings().all()
    history = [Event(Status(r["status"]), _date(r["date_start"]), _date(r["date_end"])) for r in rows]
    state = held_on(history, f.today)
    spell_rows = []
    for spell in spells(history):
        bounds = spell.days_bounds()
        spell_rows.append({
            "from": _fuzzy(spell.began.start, spell.began.end), "entered_by": spell.began.kind.value,
            "to": _fuzzy(spell.ended.start, spell.ended.end) if spell.ended else None,
            "ended_by": spell.ended.kind.value if spell.ended else None,
            "days": spell.days() if spell.ended else (f.today - spell.began.start).days,
            "days_shortest": bounds[0] if bounds else None, "days_longest": bounds[1] if bounds else None,
            "ongoing": spell.ended is None,
        })
    release_keys = list(dict.fromkeys(r["release"] for r in rows if r["release"]))
    hidden = _hidden_releases(conn, f.public)
    releases = []
    for key in release_keys:
        if key in hidden:
            continue
        rv = release_view(conn, key, public=f.public)
        releases.append({"key": rv["key"], "date": rv["date"], "kind": rv["kind"],
                         "announced": rv["announced_count"], "destination": rv["destination"],
                         "deals": rv["deals"], "mediators": [m["name"] for m in rv["mediators"]]})
    destinations = Counter(
        str(r["details"].get("destination")) for r in rows
        if isinstance(r["details"], dict) and r["details"].get("destination")
    )
    ended = [s for s in spell_rows if not s["ongoing"]]
    return {
        "key": view["key"], "name": view["name"], "names": [n["text"] for n in view["names"]],
        "as_of": f.today.isoformat(),
        "held": {"point": state.point, "certainly": state.lower, "possibly": state.upper},
        "current_status": rows[-1]["status"] if rows else None,
        "first_detained": spell_rows[0]["from"] if spell_rows else None,
        "first_release": ({"date": ended[0]["to"], "kind": ended[0]["ended_by"],
                           "release": releases[0]["key"] if releases else None} if ended else None),
        "spells": spell_rows,
        "days_held_total": sum(s["days"] for s in spell_rows),
        "releases": releases,
        "destinations": sorted(destinations),
        "sources": view["sources"],
    }


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _fuzzy(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
