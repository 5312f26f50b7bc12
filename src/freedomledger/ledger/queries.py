"""Reading the ledger: the views the CLI, the web app and exports share.

Every view takes `public`: when true, unpublished records and confidential fields are left
out here, at the one place that reads them, so no caller can forget to hide them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, or_, select

from freedomledger.ledger.registry import lookup_id
from freedomledger.model import HOLDING, RELEASING, is_held
from freedomledger.store.json_sql import iso_date, json_rows
from freedomledger.store.tables import (
    affiliations,
    audit_log,
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

CONFIDENTIAL_PERSON_FIELDS = ("confidential_notes",)


def fuzzy(row: Any, prefix: str = "date") -> str | None:
    """A stored fuzzy date as text: 2025-12-13, 2025-12, 2025 or start..end."""
    start, end, precision = row[f"{prefix}_start"], row[f"{prefix}_end"], row[f"{prefix}_precision"]
    if start is None:
        return None
    if precision == "day":
        return start.isoformat()
    if precision == "month":
        return start.isoformat()[:7]
    if precision == "year":
        return start.isoformat()[:4]
    return f"{start.isoformat()}..{end.isoformat()}"


def sources_of(conn: Connection, table: Table, row_id: int, field: str | None = None) -> list[dict[str, Any]]:
    """The claims about one row, each with its source."""
    query = (
        select(claims, sources.c.key.label("source_key"), sources.c.outlet, sources.c.title,
               sources.c.url, sources.c.published)
        .join(sources, sources.c.id == claims.c.source_id)
        .where(claims.c.subject_table == table.name, claims.c.subject_id == row_id)
        .order_by(claims.c.id)
    )
    if field is not None:
        query = query.where(claims.c.field == field)
    return [
        {
            "claim_id": r["id"], "field": r["field"], "value": r["value"], "status": r["status"],
            "reason": r["reason"], "quote": r["quote"],
            "span": [r["span_start"], r["span_end"]] if r["span_start"] is not None else None,
            "source": {"key": r["source_key"], "outlet": r["outlet"], "title": r["title"],
                       "url": r["url"], "published": r["published"].isoformat() if r["published"] else None},
        }
        for r in conn.execute(query).mappings()
    ]


def _source_dict(r: Any) -> dict[str, Any]:
    published = r["published"]
    return {"key": r["key"], "outlet": r["outlet"], "title": r["title"], "url": r["url"],
            "published": published if isinstance(published, str) or published is None else published.isoformat()}


@lru_cache(maxsize=64)
def _sources_statement(table_names: tuple[str, ...]) -> Any:
    # Built once per combination of tables, with expanding parameters: a statement object that
    # is reused skips SQLAlchemy's construction and cache-key work (a third of a page's CPU).
    conditions = [and_(claims.c.subject_table == name, claims.c.subject_id.in_(bindparam(f"ids_{name}", expanding=True)))
                  for name in table_names]
    return (
        select(claims.c.subject_table, claims.c.subject_id, sources.c.key, sources.c.outlet, sources.c.title,
               sources.c.url, sources.c.published)
        .join(sources, sources.c.id == claims.c.source_id)
        .where(or_(*conditions))
        .order_by(claims.c.id)
    )


def _sources_of_rows(conn: Connection, wanted: dict[Table, list[int]]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """The sources of many rows of several tables in one query (a page shows dozens of facts),
    by (table name, row id)."""
    found: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    asked = {table.name: ids for table, ids in wanted.items() if ids}
    if not asked:
        return found
    statement = _sources_statement(tuple(sorted(asked)))
    for r in conn.execute(statement, {f"ids_{name}": ids for name, ids in asked.items()}).mappings():
        found[(r["subject_table"], r["subject_id"])].append(_source_dict(r))
    return found


def _sources_by_row(conn: Connection, table: Table, row_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The sources of many rows of one table, by row id."""
    return {row_id: found for (_, row_id), found in _sources_of_rows(conn, {table: row_ids}).items()}


def display_name(name_rows: list[dict[str, Any]], script: str = "latin") -> str:
    """The name to show: in the wanted script, preferring mixed case (list names are often
    in capitals) and official forms; else the first name at all."""
    candidates = [r for r in name_rows if r["script"] == script]
    if not candidates:
        return str(name_rows[0]["text"]) if name_rows else "?"

    def rank(row: dict[str, Any]) -> tuple[bool, bool]:
        text = str(row["text"])
        return (text.isupper(), row.get("kind") not in ("official", None))

    return str(min(candidates, key=rank)["text"])


def status_history(conn: Connection, person_id: int) -> list[dict[str, Any]]:
    return list(person_view(conn, person_id)["status_history"])


def _person_statement(by: str, public: bool) -> Any:
    """The person row with its names, statuses, affiliations and every claim's source, each list
    aggregated as JSON: one round trip for the whole view (was six)."""
    of_person = persons.c.id
    names_json = select(json_rows({
        "id": names.c.id, "text": names.c.text, "script": names.c.script, "lang": names.c.lang, "kind": names.c.kind,
    })).where(names.c.person_id == of_person, names.c.retracted_at.is_(None))
    statuses_json = select(json_rows({
        "id": status_changes.c.id, "status": status_changes.c.status, "date_start": status_changes.c.date_start,
        "date_end": status_changes.c.date_end, "date_precision": status_changes.c.date_precision,
        "details": status_changes.c.details, "release": release_events.c.key,
    })).select_from(
        status_changes.outerjoin(release_events, release_events.c.id == status_changes.c.release_event_id)
    ).where(status_changes.c.person_id == of_person, status_changes.c.retracted_at.is_(None))
    # One subquery per kind of row whose claims the page shows: each is an index lookup from
    # the person's rows into claims (one OR-ed condition made PostgreSQL scan all claims).
    source_fields = {
        "claim": claims.c.id, "subject_table": claims.c.subject_table, "subject_id": claims.c.subject_id,
        "key": sources.c.key, "outlet": sources.c.outlet, "title": sources.c.title, "url": sources.c.url,
        "published": sources.c.published,
    }
    with_source = claims.join(sources, sources.c.id == claims.c.source_id)
    sources_json = [
        select(json_rows(source_fields)).select_from(with_source)
        .where(claims.c.subject_table == persons.name, claims.c.subject_id == of_person),
        *(select(json_rows(source_fields)).select_from(table.join(
            with_source, and_(claims.c.subject_table == table.name, claims.c.subject_id == table.c.id)))
          .where(table.c.person_id == of_person)
          for table in (names, status_changes)),
    ]
    affiliations_json = select(json_rows({"organization": organizations.c.key, "role": affiliations.c.role})).select_from(
        affiliations.join(organizations, organizations.c.id == affiliations.c.organization_id)
    ).where(affiliations.c.person_id == of_person, affiliations.c.retracted_at.is_(None),
            *([organizations.c.published.is_(True)] if public else []))
    return select(
        persons,
        names_json.scalar_subquery().label("names_json"),
        statuses_json.scalar_subquery().label("statuses_json"),
        *(query.scalar_subquery().label(f"sources_json_{n}") for n, query in enumerate(sources_json)),
        affiliations_json.scalar_subquery().label("affiliations_json"),
    ).where((persons.c.key if by == "key" else persons.c.id) == bindparam("wanted"))


# Built once: a reused statement skips SQLAlchemy's construction and cache-key work.
_PERSON = {(by, public): _person_statement(by, public) for by in ("key", "id") for public in (False, True)}


def person_view(conn: Connection, key_or_id: str | int, *, public: bool = False) -> dict[str, Any]:
    """Everything about one person, each fact with its sources, in one query."""
    row = conn.execute(_PERSON["key", public], {"wanted": str(key_or_id)}).mappings().first()
    if row is None:
        person_id = lookup_id(conn, persons, key_or_id)  # a numeric id, or NotFound
        row = conn.execute(_PERSON["id", public], {"wanted": person_id}).mappings().one()
    person_id = row["id"]
    if public and (not row["published"] or row["retracted_at"] is not None):
        from freedomledger.ledger import NotFound

        raise NotFound(f"no person {key_or_id!r}")
    found: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    claims_found = [claim for n in range(3) for claim in row[f"sources_json_{n}"]]
    for claim in sorted(claims_found, key=lambda c: c["claim"]):
        found[(claim["subject_table"], claim["subject_id"])].append(_source_dict(claim))
    name_rows = sorted(row["names_json"], key=lambda n: n["id"])
    for name in name_rows:
        name["sources"] = found.get((names.name, name["id"]), [])
    history = []
    for r in sorted(row["statuses_json"], key=lambda s: (s["date_start"] is None, s["date_start"] or "", s["id"])):
        r["date_start"], r["date_end"] = iso_date(r["date_start"]), iso_date(r["date_end"])
        history.append({"id": r["id"], "status": r["status"], "date": fuzzy(r), "precision": r["date_precision"],
                        "details": r["details"], "release": r["release"],
                        "sources": found.get((status_changes.name, r["id"]), [])})
    view = {
        "id": row["id"], "key": row["key"], "name": display_name(name_rows),
        "names": name_rows, "gender": row["gender"], "birth_date": fuzzy(row, "birth"),
        "citizenships": row["citizenships"], "roles": row["roles"], "notes": row["notes"],
        "published": row["published"], "version": row["version"],
        "status_history": history,
        "current_status": history[-1]["status"] if history else None,
        "held": is_held(h["status"] for h in history),
        "affiliations": sorted(row["affiliations_json"], key=lambda a: (a["organization"], a["role"] or "")),
        "sources": found.get((persons.name, person_id), []),
        "retracted": row["retracted_reason"],
    }
    if not public:
        for field in CONFIDENTIAL_PERSON_FIELDS:
            view[field] = row[field]
    return view


def _last_custody_status(as_of: dt.date | None) -> Any:
    """Per person, the latest status that decides custody, on or before `as_of`."""
    deciding = [s.value for s in HOLDING | RELEASING]
    conditions = [status_changes.c.status.in_(deciding), status_changes.c.retracted_at.is_(None)]
    if as_of is not None:
        conditions.append(status_changes.c.date_start <= as_of)
    ranked = (
        select(
            status_changes.c.person_id,
            status_changes.c.status,
            status_changes.c.date_start,
            status_changes.c.date_end,
            status_changes.c.date_precision,
            func.row_number()
            .over(
                partition_by=status_changes.c.person_id,
                order_by=(status_changes.c.date_start.desc(), status_changes.c.id.desc()),
            )
            .label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def list_persons(
    conn: Connection,
    *,
    held: bool | None = None,
    as_of: dt.date | None = None,
    public: bool = False,
    limit: int | None = None,
    after_id: int = 0,
) -> list[dict[str, Any]]:
    """Persons with their display name and current status, optionally only those held."""
    last = _last_custody_status(as_of)
    query = (
        select(persons.c.id, persons.c.key, persons.c.published, last.c.status,
               last.c.date_start, last.c.date_end, last.c.date_precision)
        .outerjoin(last, last.c.person_id == persons.c.id)
        .where(persons.c.retracted_at.is_(None), persons.c.id > after_id)
        .order_by(persons.c.id)
    )
    if public:
        query = query.where(persons.c.published.is_(True))
    holding = [s.value for s in HOLDING]
    if held is True:
        query = query.where(last.c.status.in_(holding))
    elif held is False:
        query = query.where(or_(last.c.status.is_(None), last.c.status.not_in(holding)))
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).mappings().all()
    first_names = _first_names(conn, [r["id"] for r in rows])
    return [
        {
            "id": r["id"], "key": r["key"], "name": first_names.get(r["id"], "?"),
            "status": r["status"], "since": fuzzy(r) if r["date_start"] else None,
            "held": r["status"] in holding,
        }
        for r in rows
    ]


def _first_names(conn: Connection, person_ids: list[int]) -> dict[int, str]:
    """A display name per person: the first Latin name, else the first name."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk_start in range(0, len(person_ids), 500):
        chunk = person_ids[chunk_start : chunk_start + 500]
        for r in conn.execute(
            select(names.c.person_id, names.c.text, names.c.script, names.c.kind)
            .where(names.c.person_id.in_(chunk), names.c.retracted_at.is_(None))
            .order_by(names.c.id)
        ).mappings():
            found[r["person_id"]].append(dict(r))
    return {pid: display_name(rows) for pid, rows in found.items()}


def release_view(conn: Connection, key_or_id: str | int, *, public: bool = False) -> dict[str, Any]:
    event_id = lookup_id(conn, release_events, key_or_id)
    row = conn.execute(select(release_events).where(release_events.c.id == event_id)).mappings().one()
    if public and (not row["published"] or row["retracted_at"] is not None):
        from freedomledger.ledger import NotFound

        raise NotFound(f"no release {key_or_id!r}")
    released = conn.execute(
        select(persons.c.id, persons.c.key, status_changes.c.status)
        .join(status_changes, status_changes.c.person_id == persons.c.id)
        .where(status_changes.c.release_event_id == event_id,
               status_changes.c.retracted_at.is_(None),
               *( [persons.c.published.is_(True)] if public else [] ))
        .order_by(persons.c.id)
    ).mappings().all()
    shown = _first_names(conn, [r["id"] for r in released])
    mediators = conn.execute(
        select(release_mediators.c.name, release_mediators.c.kind)
        .where(release_mediators.c.release_event_id == event_id, release_mediators.c.retracted_at.is_(None))
        .order_by(release_mediators.c.id)
    ).mappings().all()
    return {
        "id": row["id"], "key": row["key"], "releasing_state": row["releasing_state"],
        "date": fuzzy(row), "precision": row["date_precision"], "kind": row["kind"],
        "announced_count": row["announced_count"], "named_count": len(released),
        "destination": row["destination"], "destination_counts": row["destination_counts"],
        "notes": row["notes"], "version": row["version"],
        "released": [{"key": r["key"], "name": shown.get(r["id"], "?"), "status": r["status"]} for r in released],
        "mediators": [dict(m) for m in mediators],
        "claims": sources_of(conn, release_events, event_id),
        "deals": [
            r[0] for r in conn.execute(
                select(deals.c.key).join(deal_links, deal_links.c.deal_id == deals.c.id)
                .where(deal_links.c.release_event_id == event_id, deal_links.c.retracted_at.is_(None))
            )
        ],
    }


def list_releases(conn: Connection, *, public: bool = False) -> list[dict[str, Any]]:
    ids = conn.execute(
        select(release_events.c.id)
        .where(release_events.c.retracted_at.is_(None),
               *([release_events.c.published.is_(True)] if public else []))
        .order_by(release_events.c.date_start, release_events.c.id)
    ).scalars().all()
    return [release_view(conn, i, public=public) for i in ids]


def _actions_query(condition: Any, public: bool) -> Any:
    query = (
        select(sanction_actions, organizations.c.key.label("org_key"), persons.c.key.label("person_key"))
        .outerjoin(organizations, organizations.c.id == sanction_actions.c.organization_id)
        .outerjoin(persons, persons.c.id == sanction_actions.c.person_id)
        .where(sanction_actions.c.retracted_at.is_(None))
        .order_by(sanction_actions.c.date_start, sanction_actions.c.id)
    )
    if condition is not None:
        query = query.where(condition)
    if public:
        # an action on an unpublished target would reveal the target
        query = query.where(or_(organizations.c.id.is_(None), organizations.c.published.is_(True)),
                            or_(persons.c.id.is_(None), persons.c.published.is_(True)))
    return query


# A person page asks for its actions on every view: that statement is built once.
_ACTIONS_ON_PERSON = {public: _actions_query(sanction_actions.c.person_id == bindparam("person_id"), public)
                      for public in (False, True)}


def sanction_action_rows(conn: Connection, condition: Any = None, *, public: bool = False,
                         person_id: int | None = None) -> list[dict[str, Any]]:
    """Sanction actions (those meeting `condition`, or those on one person), each with its
    target and sources."""
    if person_id is not None:
        query, params = _ACTIONS_ON_PERSON[public], {"person_id": person_id}
    else:
        query, params = _actions_query(condition, public), {}
    rows = conn.execute(query, params).mappings().all()
    org_names = _org_names(conn, [r["organization_id"] for r in rows if r["organization_id"]])
    sources_by_action = _sources_by_row(conn, sanction_actions, [r["id"] for r in rows])
    return [
        {
            "id": r["id"], "key": r["key"], "authority": r["authority"], "program": r["program"],
            "action": r["action"], "date": fuzzy(r), "precision": r["date_precision"],
            "target": r["org_key"] or r["person_key"],
            "target_name": org_names.get(r["organization_id"]) or r["target_name"],
            "notes": r["notes"],
            "sources": sources_by_action.get(r["id"], []),
        }
        for r in rows
    ]


def _org_names(conn: Connection, org_ids: list[int]) -> dict[int, str]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if org_ids:
        for r in conn.execute(
            select(names.c.organization_id, names.c.text, names.c.script, names.c.kind)
            .where(names.c.organization_id.in_(set(org_ids)), names.c.retracted_at.is_(None))
            .order_by(names.c.id)
        ).mappings():
            found[r["organization_id"]].append(dict(r))
    return {oid: display_name(rows) for oid, rows in found.items()}


def deal_view(conn: Connection, key_or_id: str | int, *, public: bool = False) -> dict[str, Any]:
    deal_id = lookup_id(conn, deals, key_or_id)
    row = conn.execute(select(deals).where(deals.c.id == deal_id)).mappings().one()
    links = conn.execute(
        select(deal_links).where(deal_links.c.deal_id == deal_id, deal_links.c.retracted_at.is_(None))
    ).mappings().all()
    release_ids = [l["release_event_id"] for l in links if l["release_event_id"]]
    action_ids = [l["sanction_action_id"] for l in links if l["sanction_action_id"]]
    meeting_ids = [l["meeting_id"] for l in links if l["meeting_id"]]
    if public:
        release_ids = list(conn.execute(
            select(release_events.c.id).where(release_events.c.id.in_(release_ids),
                                              release_events.c.published.is_(True),
                                              release_events.c.retracted_at.is_(None))
        ).scalars()) if release_ids else []
    releases = [release_view(conn, i, public=public) for i in release_ids]
    releases.sort(key=lambda r: r["date"] or "")
    meeting_rows = conn.execute(
        select(meetings).where(meetings.c.id.in_(meeting_ids)).order_by(meetings.c.date_start)
    ).mappings().all() if meeting_ids else []
    return {
        "id": row["id"], "key": row["key"], "title": row["title"], "counterpart": row["counterpart"],
        "notes": row["notes"],
        "date": releases[0]["date"] if releases else None,
        "releases": releases,
        "sanction_actions": sanction_action_rows(conn, sanction_actions.c.id.in_(action_ids), public=public)
        if action_ids else [],
        "meetings": [
            {"date": fuzzy(m), "place": m["place"], "description": m["description"],
             "participants": m["participants"]}
            for m in meeting_rows
        ],
        "sources": [c["source"] for c in sources_of(conn, deals, deal_id)],
    }


def release_totals(conn: Connection, *, public: bool = False) -> dict[str, int]:
    """How many releases, people announced and named, and deals: the sums list_releases and
    list_deals would give, in a few small queries instead of a view per release."""
    visible = [release_events.c.retracted_at.is_(None), *([release_events.c.published.is_(True)] if public else [])]
    count, announced = conn.execute(
        select(func.count(), func.coalesce(func.sum(release_events.c.announced_count), 0)).where(*visible)).one()
    # In two steps: joined in one statement, PostgreSQL misjudges how few status changes name
    # a release (nearly all have none) and scans every person (0.3 s at a million).
    named_ids = list(conn.execute(
        select(status_changes.c.person_id).where(
            status_changes.c.release_event_id.in_(select(release_events.c.id).where(*visible)),
            status_changes.c.retracted_at.is_(None))).scalars())
    shown = set(named_ids)
    if public and named_ids:
        shown = set()
        unique = sorted(set(named_ids))
        for start in range(0, len(unique), 500):
            shown |= set(conn.execute(select(persons.c.id).where(
                persons.c.id.in_(unique[start:start + 500]), persons.c.published.is_(True))).scalars())
    named = sum(1 for person_id in named_ids if person_id in shown)
    deal_count = conn.execute(select(func.count()).select_from(deals).where(deals.c.retracted_at.is_(None))).scalar_one()
    return {"releases": int(count), "announced_released": int(announced), "named_released": int(named),
            "deals": int(deal_count)}


def list_deals(conn: Connection, *, public: bool = False) -> list[dict[str, Any]]:
    ids = conn.execute(
        select(deals.c.id).where(deals.c.retracted_at.is_(None)).order_by(deals.c.id)
    ).scalars().all()
    views = [deal_view(conn, i, public=public) for i in ids]
    return sorted(views, key=lambda d: d["date"] or "")


def history(
    conn: Connection, *, table: str | None = None, subject_id: int | None = None,
    actor: str | None = None, limit: int = 200,
) -> list[dict[str, Any]]:
    """The audit trail, newest first."""
    conditions = []
    if table:
        conditions.append(audit_log.c.subject_table == table)
    if subject_id is not None:
        conditions.append(audit_log.c.subject_id == subject_id)
    if actor:
        conditions.append(audit_log.c.actor == actor)
    rows = conn.execute(
        select(audit_log).where(and_(*conditions) if conditions else True)
        .order_by(audit_log.c.id.desc()).limit(limit)
    ).mappings()
    return [dict(r) | {"at": r["at"].isoformat(timespec="seconds")} for r in rows]


def all_names(conn: Connection, *, public: bool = False, person_ids: Collection[int] | None = None,
              organization_ids: Collection[int] | None = None,
              kinds: Collection[str] = ("person", "organization")) -> list[tuple[str, str, str]]:
    """(entity key, name, kind) for every live name, to build a name index from; with ids
    given, only the names of those persons and organisations; only those of `kinds`."""
    result: list[tuple[str, str, str]] = []
    for owner, column, kind, ids in (
        (persons, names.c.person_id, "person", person_ids),
        (organizations, names.c.organization_id, "organization", organization_ids),
    ):
        if kind not in kinds:
            continue
        query = (
            select(owner.c.key, names.c.text)
            .join(names, column == owner.c.id)
            .where(names.c.retracted_at.is_(None), owner.c.retracted_at.is_(None))
        )
        if public:
            query = query.where(owner.c.published.is_(True))
        if ids is None:
            result.extend((key, text, kind) for key, text in conn.execute(query))
            continue
        chosen = sorted(ids)
        for start in range(0, len(chosen), 500):
            chunk = query.where(owner.c.id.in_(chosen[start:start + 500]))
            result.extend((key, text, kind) for key, text in conn.execute(chunk))
    return result


def suggest_deal_links(conn: Connection, *, window_days: int = 14) -> list[dict[str, Any]]:
    """Sanction actions that may belong with a release: the same counterpart, dates close.

    A candidate is an action whose date range comes within `window_days` of a release and
    that is not yet linked to that release's deal. Relief is often announced the day of the
    release and formalised weeks later, so the window is generous and a person decides.
    """
    window = dt.timedelta(days=window_days)
    releases = conn.execute(
        select(release_events.c.id, release_events.c.key, release_events.c.date_start,
               release_events.c.date_end, deal_links.c.deal_id, deals.c.key.label("deal_key"),
               deals.c.counterpart)
        .outerjoin(deal_links, and_(deal_links.c.release_event_id == release_events.c.id,
                                    deal_links.c.retracted_at.is_(None)))
        .outerjoin(deals, deals.c.id == deal_links.c.deal_id)
        .where(release_events.c.retracted_at.is_(None))
    ).mappings().all()
    linked = {
        (r.deal_id, r.sanction_action_id)
        for r in conn.execute(select(deal_links.c.deal_id, deal_links.c.sanction_action_id)
                              .where(deal_links.c.sanction_action_id.is_not(None),
                                     deal_links.c.retracted_at.is_(None)))
    }
    suggestions = []
    for release in releases:
        condition = and_(
            sanction_actions.c.date_start <= release["date_end"] + window,
            sanction_actions.c.date_end >= release["date_start"] - window,
        )
        if release["counterpart"]:
            condition = and_(condition, sanction_actions.c.authority == release["counterpart"])
        for action in sanction_action_rows(conn, condition):
            if (release["deal_id"], action["id"]) in linked:
                continue
            suggestions.append({
                "release": release["key"], "deal": release["deal_key"],
                "action_id": action["id"], "action_key": action["key"],
                "authority": action["authority"], "action": action["action"],
                "target": action["target_name"], "date": action["date"],
            })
    return suggestions
