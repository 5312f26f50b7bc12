"""The deal ledger: every deal with its releases, concessions, meetings and sources.

`ledger.queries.deal_view` answers for one deal and lists every released person with every
source, which is right for a deal's own page. A ledger of many deals whose releases name
hundreds of persons needs the same facts for all deals at once, so this module reads each
kind of fact for every deal in one query (about ten queries in all, however many deals),
counts released persons in SQL and lists only the first few by name. The output has the
shape of deal_view, so the pure `stats.deal_row` shapes either.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Table, func, select, true

from freedomledger.stats import DealRow, StatsFilter, counterpart_totals, deal_row
from freedomledger.stats.deals import CounterpartTotal
from freedomledger.store.tables import (
    claims,
    deal_links,
    deals,
    meetings,
    names,
    organizations,
    persons,
    release_events,
    release_mediators,
    sanction_actions,
    sources,
    status_changes,
)

# How many persons a deal row names; the full count is in `named`. A release of hundreds
# would otherwise put hundreds of names in one table cell.
NOTABLE_LIMIT = 12


def deal_ledger(conn: Connection, f: StatsFilter) -> list[DealRow]:
    """One row per deal in date order, narrowed by the filter's window, country, authority,
    counterpart and as_of; with `f.public` unpublished releases and persons are left out."""
    query = select(deals).where(deals.c.retracted_at.is_(None)).order_by(deals.c.id)
    if f.counterpart:
        query = query.where(deals.c.counterpart == f.counterpart)
    rows = []
    for view in deal_views(conn, list(conn.execute(query).mappings()), public=f.public):
        row = deal_row(view, as_of=f.as_of, since=f.since, until=f.until, country=f.country, authority=f.authority)
        if row is not None:
            rows.append(row)
    return sorted(rows, key=lambda r: (r.date or "", r.key))


def deal_totals(conn: Connection, f: StatsFilter) -> list[CounterpartTotal]:
    return counterpart_totals(deal_ledger(conn, f))


def deal_views(conn: Connection, deal_rows: list[Any], *, public: bool) -> list[dict[str, Any]]:
    from freedomledger.ledger.queries import fuzzy
    from freedomledger.store.stats_queries.reads import named_counts

    deal_ids = [d["id"] for d in deal_rows]
    if not deal_ids:
        return []
    links = conn.execute(
        select(deal_links).where(deal_links.c.deal_id.in_(deal_ids), deal_links.c.retracted_at.is_(None))
    ).mappings().all()
    release_ids = {link["release_event_id"] for link in links if link["release_event_id"]}
    action_ids = {link["sanction_action_id"] for link in links if link["sanction_action_id"]}
    meeting_ids = {link["meeting_id"] for link in links if link["meeting_id"]}

    visible = [release_events.c.id.in_(release_ids), release_events.c.retracted_at.is_(None)]
    if public:
        visible.append(release_events.c.published.is_(true()))
    release_rows = {r["id"]: r for r in conn.execute(select(release_events).where(*visible)).mappings()}
    counted = named_counts(public)
    counts = {int(k): int(n) for k, n in conn.execute(
        select(counted.c.release_event_id, counted.c.named).where(counted.c.release_event_id.in_(release_rows))
    )}
    first = _first_named(conn, list(release_rows), public)
    mediators: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in conn.execute(
        select(release_mediators.c.release_event_id, release_mediators.c.name, release_mediators.c.kind)
        .where(release_mediators.c.release_event_id.in_(release_rows), release_mediators.c.retracted_at.is_(None))
        .order_by(release_mediators.c.id)
    ).mappings():
        mediators[m["release_event_id"]].append({"name": m["name"], "kind": m["kind"]})
    release_sources = _sources(conn, release_events, list(release_rows))
    actions = _actions(conn, list(action_ids))
    meeting_rows = {m["id"]: m for m in conn.execute(
        select(meetings).where(meetings.c.id.in_(meeting_ids), meetings.c.retracted_at.is_(None))
    ).mappings()} if meeting_ids else {}
    deal_sources = _sources(conn, deals, deal_ids)

    releases = {
        event_id: {
            "key": r["key"], "date": fuzzy(r), "date_start": r["date_start"], "kind": r["kind"],
            "releasing_state": r["releasing_state"], "announced_count": r["announced_count"],
            "named_count": counts.get(event_id, 0), "released": first.get(event_id, []),
            "destination": r["destination"], "mediators": mediators.get(event_id, []),
            "claims": [{"source": s} for s in release_sources.get(event_id, [])],
        }
        for event_id, r in release_rows.items()
    }
    by_deal: dict[int, list[Any]] = defaultdict(list)
    for link in links:
        by_deal[link["deal_id"]].append(link)
    views = []
    for deal in deal_rows:
        own = by_deal.get(deal["id"], [])
        own_releases = [releases[k["release_event_id"]] for k in own if k["release_event_id"] in releases]
        own_meetings = [meeting_rows[k["meeting_id"]] for k in own if k["meeting_id"] in meeting_rows]
        views.append({
            "key": deal["key"], "title": deal["title"], "counterpart": deal["counterpart"], "notes": deal["notes"],
            "releases": sorted(own_releases, key=lambda r: (r["date_start"], r["key"])),
            "sanction_actions": sorted(
                (actions[k["sanction_action_id"]] for k in own if k["sanction_action_id"] in actions),
                key=lambda a: (a["date_start"], a["id"])),
            "meetings": [{"date": fuzzy(m), "place": m["place"], "description": m["description"]}
                         for m in sorted(own_meetings, key=lambda m: m["date_start"])],
            "sources": deal_sources.get(deal["id"], []),
        })
    return views


def _first_named(conn: Connection, event_ids: list[int], public: bool) -> dict[int, list[dict[str, str]]]:
    """Per release, the first few persons the ledger names as freed (by person id: the order
    they entered the ledger)."""
    from freedomledger.ledger.queries import display_name

    if not event_ids:
        return {}
    # Rank the distinct persons of each release on the release index alone, then check
    # visibility for the few candidates only (a join over every named person is 5x slower
    # for releases of hundreds); a margin of candidates covers hidden ones.
    sc = status_changes
    named = (
        select(sc.c.release_event_id, sc.c.person_id)
        .where(sc.c.release_event_id.in_(event_ids), sc.c.retracted_at.is_(None))
        .distinct()
        .subquery()
    )
    ranked = select(
        named, func.row_number().over(partition_by=named.c.release_event_id,
                                      order_by=named.c.person_id).label("rank"),
    ).subquery()
    visible = [persons.c.retracted_at.is_(None)]
    if public:
        visible.append(persons.c.published.is_(true()))
    candidates = conn.execute(
        select(ranked.c.release_event_id, ranked.c.person_id)
        .join(persons, persons.c.id == ranked.c.person_id)
        .where(ranked.c.rank <= NOTABLE_LIMIT * 5, *visible)
        .order_by(ranked.c.release_event_id, ranked.c.rank)
    ).all()
    per_release: dict[int, list[int]] = defaultdict(list)
    for event_id, person_id in candidates:
        if len(per_release[event_id]) < NOTABLE_LIMIT:
            per_release[event_id].append(person_id)
    chosen = [(e, p) for e, people in per_release.items() for p in people]
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    person_ids = sorted({p for _, p in chosen})
    for start in range(0, len(person_ids), 500):
        for r in conn.execute(
            select(names.c.person_id, names.c.text, names.c.script)
            .where(names.c.person_id.in_(person_ids[start:start + 500]), names.c.retracted_at.is_(None))
            .order_by(names.c.id)
        ).mappings():
            found[r["person_id"]].append(dict(r))
    out: dict[int, list[dict[str, str]]] = defaultdict(list)
    for event_id, person_id in chosen:
        out[event_id].append({"name": display_name(found.get(person_id, []))})
    return out


def _sources(conn: Connection, table: Table, row_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The sources of claims about each row, in claim order, each source once per row."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not row_ids:
        return out
    for r in conn.execute(
        select(claims.c.subject_id, sources.c.key, sources.c.outlet, sources.c.title, sources.c.url,
               sources.c.published)
        .join(sources, sources.c.id == claims.c.source_id)
        .where(claims.c.subject_table == table.name, claims.c.subject_id.in_(row_ids))
        .order_by(claims.c.id)
    ).mappings():
        source = {"key": r["key"], "outlet": r["outlet"], "title": r["title"], "url": r["url"],
                  "published": r["published"].isoformat() if r["published"] else None}
        if source not in out[r["subject_id"]]:
            out[r["subject_id"]].append(source)
    return out


def _actions(conn: Connection, action_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Sanction actions as `ledger.queries.sanction_action_rows` gives them, for many at once."""
    from freedomledger.ledger.queries import display_name, fuzzy

    if not action_ids:
        return {}
    sa = sanction_actions
    rows = conn.execute(
        select(sa, organizations.c.key.label("org_key"), persons.c.key.label("person_key"))
        .outerjoin(organizations, organizations.c.id == sa.c.organization_id)
        .outerjoin(persons, persons.c.id == sa.c.person_id)
        .where(sa.c.id.in_(action_ids), sa.c.retracted_at.is_(None))
    ).mappings().all()
    org_ids = sorted({r["organization_id"] for r in rows if r["organization_id"]})
    org_names: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if org_ids:
        for r in conn.execute(
            select(names.c.organization_id, names.c.text, names.c.script)
            .where(names.c.organization_id.in_(org_ids), names.c.retracted_at.is_(None)).order_by(names.c.id)
        ).mappings():
            org_names[r["organization_id"]].append(dict(r))
    action_sources = _sources(conn, sa, [r["id"] for r in rows])
    return {
        r["id"]: {
            "id": r["id"], "key": r["key"], "authority": r["authority"], "program": r["program"],
            "action": r["action"], "date": fuzzy(r), "date_start": r["date_start"],
            "target": r["org_key"] or r["person_key"],
            "target_name": (display_name(org_names[r["organization_id"]]) if org_names.get(r["organization_id"])
                            else r["target_name"]),
            "sources": action_sources.get(r["id"], []),
        }
        for r in rows
    }
