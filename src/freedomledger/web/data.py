"""What pages and API endpoints read, with visibility decided once per call.

Everything here takes `public`: true for anonymous users and viewers (see auth.User). The
ledger's queries hide confidential fields and unpublished persons; the extra checks here
cover what those views leave to their callers (unpublished release events and organisations,
unpublished persons named inside other records).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, String, and_, any_, bindparam, cast, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from freedomledger import exports
from freedomledger.ledger import NotFound, queries
from freedomledger.ledger.registry import lookup_id
from freedomledger.model import HOLDING, RELEASING, Status
from freedomledger.store.json_sql import iso_date, json_fields, json_rows
from freedomledger.store.tables import deals as deals_table
from freedomledger.store.tables import (
    names,
    organizations,
    persons,
    proposals,
    release_events,
    sanction_actions,
    status_changes,
)

HOLDING_VALUES = sorted(s.value for s in HOLDING)
RELEASING_VALUES = sorted(s.value for s in RELEASING)
STATUS_FILTERS = ("held", "released", *sorted(s.value for s in Status))


def one_of(column: Any, values: Collection[str]) -> Any:
    """`column IN (...)` over constants. A plain list becomes an expanding parameter, whose
    SQL text SQLAlchemy rewrites at every execution (a tenth of the client's time to read a
    page of persons, measured); values given as literals are compiled once, with the statement."""
    return column.in_([literal(v) for v in values])


def any_of(column: Any, parameter: str, dialect: str) -> Any:
    """`column` equal to one of the list passed as `parameter`: `= ANY(array)` on PostgreSQL,
    one SQL text for any length (prepared once); an expanding `IN` elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(parameter, type_=ARRAY(column.type)))
    return column.in_(bindparam(parameter, expanding=True))


@lru_cache(maxsize=4)
def _names_statement(column: Any) -> Any:
    # Built once per owner column with an expanding parameter: the pages that list persons
    # call this on every request, and building the statement cost more than running it.
    return (select(column.label("owner"), names.c.text, names.c.script)
            .where(column.in_(bindparam("owners", expanding=True)), names.c.retracted_at.is_(None))
            .order_by(names.c.id))


def names_by_owner(conn: Connection, column: Any, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    statement = _names_statement(column)
    for start in range(0, len(ids), 500):
        for r in conn.execute(statement, {"owners": ids[start:start + 500]}).mappings():
            found[r["owner"]].append({"text": r["text"], "script": r["script"]})
    return found


def person_names(conn: Connection, keys: list[str], script: str) -> dict[str, str]:
    """Display names in the reader's script for persons given by key."""
    if not keys:
        return {}
    rows = conn.execute(select(persons.c.id, persons.c.key).where(persons.c.key.in_(keys))).all()
    by_id = names_by_owner(conn, names.c.person_id, [r.id for r in rows])
    return {r.key: queries.display_name(by_id.get(r.id, []), script) for r in rows}


def _published_person_keys(conn: Connection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(conn.execute(
        select(persons.c.key).where(persons.c.key.in_(keys), persons.c.published.is_(True),
                                    persons.c.retracted_at.is_(None))
    ).scalars())


def person(conn: Connection, key: str, *, public: bool, script: str = "latin") -> dict[str, Any]:
    view = queries.person_view(conn, key, public=public)
    if public and view.get("retracted"):
        raise NotFound(f"no person {key!r}")
    view["name"] = queries.display_name(view["names"], script)
    view["sanction_actions"] = queries.sanction_action_rows(conn, person_id=view["id"])
    return view


def _check_release(conn: Connection, key: str, public: bool) -> None:
    if not public:
        return
    row = conn.execute(
        select(release_events.c.published, release_events.c.retracted_at)
        .where(release_events.c.id == lookup_id(conn, release_events, key))
    ).one()
    if not row.published or row.retracted_at is not None:
        raise NotFound(f"no release event {key!r}")


def _rename_released(conn: Connection, view: dict[str, Any], script: str) -> dict[str, Any]:
    shown = person_names(conn, [r["key"] for r in view["released"]], script)
    for row in view["released"]:
        row["name"] = shown.get(row["key"], row["name"])
    return view


def release(conn: Connection, key: str, *, public: bool, script: str = "latin") -> dict[str, Any]:
    _check_release(conn, key, public)
    return _rename_released(conn, queries.release_view(conn, key, public=public), script)


def releases(conn: Connection, *, public: bool, script: str = "latin") -> list[dict[str, Any]]:
    return [_rename_released(conn, v, script) for v in queries.list_releases(conn, public=public)]


def _visible_actions(conn: Connection, rows: list[dict[str, Any]], public: bool) -> list[dict[str, Any]]:
    """Sanction actions; for the public, none whose target is an unpublished person or organisation."""
    if not public:
        return rows
    targets = [r["target"] for r in rows if r["target"]]
    shown = _published_person_keys(conn, targets) | set(conn.execute(
        select(organizations.c.key).where(organizations.c.key.in_(targets), organizations.c.published.is_(True),
                                          organizations.c.retracted_at.is_(None))
    ).scalars()) if targets else set()
    return [r for r in rows if r["target"] is None or r["target"] in shown]


def deal(conn: Connection, key: str, *, public: bool, script: str = "latin") -> dict[str, Any]:
    view = queries.deal_view(conn, key, public=public)
    if public:
        keys = [r["key"] for r in view["releases"]]
        visible = set(conn.execute(
            select(release_events.c.key).where(release_events.c.key.in_(keys), release_events.c.published.is_(True),
                                               release_events.c.retracted_at.is_(None))
        ).scalars()) if keys else set()
        view["releases"] = [r for r in view["releases"] if r["key"] in visible]
        view["sanction_actions"] = _visible_actions(conn, view["sanction_actions"], public)
    view["releases"] = [_rename_released(conn, r, script) for r in view["releases"]]
    view["announced_total"] = sum(r["announced_count"] or 0 for r in view["releases"])
    view["named_total"] = sum(r["named_count"] for r in view["releases"])
    return view


def deals(conn: Connection, *, public: bool, script: str = "latin") -> list[dict[str, Any]]:
    ids = conn.execute(select(deals_table.c.id).where(deals_table.c.retracted_at.is_(None))).scalars().all()
    views = [deal(conn, str(i), public=public, script=script) for i in ids]
    return sorted(views, key=lambda d: d["date"] or "")


def organization(conn: Connection, key: str, *, public: bool, as_of: dt.date | None = None) -> dict[str, Any]:
    org_id = lookup_id(conn, organizations, key)
    row = conn.execute(select(organizations.c.key, organizations.c.retracted_at, organizations.c.published)
                       .where(organizations.c.id == org_id)).one()
    if public and (row.retracted_at is not None or not row.published):
        raise NotFound(f"no organization {key!r}")  # the key asked for, never the stored one
    view = exports.org_view(conn, row.key, public=public)
    view["sanctions"] = sanctions_status(view["sanction_actions"], as_of)
    return view


def sanctions_status(actions: list[dict[str, Any]], as_of: dt.date | None) -> list[dict[str, Any]]:
    """Per authority: listed or not on `as_of` (default today), and the actions up to then."""
    day = (as_of or dt.date.today()).isoformat()
    by_authority: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for action in actions:
        by_authority[action["authority"]].append(action)
    result = []
    for authority, rows in sorted(by_authority.items()):
        # Fuzzy dates compare by their text's start: "2025-12" <= "2025-12-31" holds.
        past = [r for r in rows if (r["date"] or "") <= day]
        state = "not listed"
        for r in past:
            if r["action"] == "designated":
                state = "listed"
            elif r["action"] == "delisted":
                state = "delisted"
            elif r["action"] in ("eased", "general_licence") and state == "listed":
                state = "listed, eased"
        result.append({"authority": authority, "status": state, "as_of": day,
                       "programs": sorted({r["program"] for r in rows if r["program"]}),
                       "timeline": rows, "future": len(rows) - len(past)})
    return result


def organizations_list(conn: Connection, *, public: bool, after_id: int, limit: int) -> list[dict[str, Any]]:
    query = (select(organizations.c.id, organizations.c.key, organizations.c.kind, organizations.c.country)
             .where(organizations.c.retracted_at.is_(None), organizations.c.id > after_id)
             .order_by(organizations.c.id).limit(limit))
    if public:
        query = query.where(organizations.c.published.is_(True))
    rows = conn.execute(query).mappings().all()
    shown = names_by_owner(conn, names.c.organization_id, [r["id"] for r in rows])
    return [dict(r) | {"name": queries.display_name(shown.get(r["id"], []))} for r in rows]


def organizations_by_keys(conn: Connection, keys: list[str], *, public: bool) -> list[dict[str, Any]]:
    if not keys:
        return []
    query = (select(organizations.c.id, organizations.c.key, organizations.c.kind, organizations.c.country)
             .where(organizations.c.key.in_(keys), organizations.c.retracted_at.is_(None)))
    if public:
        query = query.where(organizations.c.published.is_(True))
    rows = conn.execute(query).mappings().all()
    shown = names_by_owner(conn, names.c.organization_id, [r["id"] for r in rows])
    return [dict(r) | {"name": queries.display_name(shown.get(r["id"], [])),
                       "names": [n["text"] for n in shown.get(r["id"], [])]} for r in rows]


def sanction_list(conn: Connection, *, public: bool, authority: str | None = None, action: str | None = None,
                  since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    conditions = []
    if authority:
        conditions.append(sanction_actions.c.authority == authority.upper())
    if action:
        conditions.append(sanction_actions.c.action == action)
    if since:
        conditions.append(sanction_actions.c.date_end >= since)
    if until:
        conditions.append(sanction_actions.c.date_start <= until)
    rows = queries.sanction_action_rows(conn, and_(*conditions) if conditions else None)
    return _visible_actions(conn, rows, public)


def custody(ids: list[int] | Any | None = None) -> Any:
    """Per person, the latest custody-deciding status (a subquery).

    The same rule as queries.list_persons, with an optional restriction to some persons so
    that a page of results does not rank every status change in the ledger.
    """
    conditions = [one_of(status_changes.c.status, HOLDING_VALUES + RELEASING_VALUES),
                  status_changes.c.retracted_at.is_(None)]
    if ids is not None:
        conditions.append(status_changes.c.person_id.in_(ids))
    ranked = (
        select(status_changes.c.person_id, status_changes.c.status, status_changes.c.date_start,
               status_changes.c.date_end, status_changes.c.date_precision,
               func.row_number().over(partition_by=status_changes.c.person_id,
                                      order_by=(status_changes.c.date_start.desc(), status_changes.c.id.desc()))
               .label("rank"))
        .where(*conditions).subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def browse_persons(
    conn: Connection, *, public: bool, script: str, status: str | None = None, country: str | None = None,
    since: dt.date | None = None, until: dt.date | None = None, ids: list[int] | None = None,
    after_id: int = 0, limit: int | None = 50,
) -> list[dict[str, Any]]:
    """Persons with display name, current status and citizenships; filters as on the search page.

    status: "held", "released", or one status value (the latest custody-deciding status).
    country: a citizenship code. since/until: some status change falls in that period.
    Without a status filter the page of persons is chosen first and only its statuses are
    ranked, which keeps paging through a million persons cheap.
    """
    rows = filtered_persons(conn, public=public, status=status, country=country, since=since, until=until,
                            ids=ids, after_id=after_id, limit=limit)
    return person_rows(conn, rows, script)


def filtered_persons(
    conn: Connection, *, public: bool, status: str | None = None, country: str | None = None,
    since: dt.date | None = None, until: dt.date | None = None, ids: list[int] | None = None,
    keys: list[str] | None = None, after_id: int = 0, limit: int | None = 50,
) -> list[Any]:
    """(id, key, citizenships) of the persons that pass the filters, by id."""
    conditions = [persons.c.retracted_at.is_(None), persons.c.id > after_id]
    if public:
        conditions.append(persons.c.published.is_(True))
    if ids is not None:
        conditions.append(persons.c.id.in_(ids))
    if keys is not None:
        conditions.append(persons.c.key.in_(keys))
    if country:
        # Citizenships are a JSON list; its text form holds each code in quotes on both databases.
        conditions.append(cast(persons.c.citizenships, String).like(f'%"{country.upper()}"%'))
    if since or until:
        period = [status_changes.c.person_id == persons.c.id, status_changes.c.retracted_at.is_(None)]
        if since:
            period.append(status_changes.c.date_end >= since)
        if until:
            period.append(status_changes.c.date_start <= until)
        conditions.append(select(status_changes.c.id).where(*period).exists())
    columns = (persons.c.id, persons.c.key, persons.c.citizenships)
    if status:
        last = custody(ids) if keys is None else custody(select(persons.c.id).where(persons.c.key.in_(keys)))
        query = select(*columns).join(last, last.c.person_id == persons.c.id)
        if status == "held":
            query = query.where(one_of(last.c.status, HOLDING_VALUES))
        elif status == "released":
            query = query.where(one_of(last.c.status, RELEASING_VALUES))
        else:
            query = query.where(last.c.status == status)
    else:
        query = select(*columns)
    query = query.where(*conditions).order_by(persons.c.id)
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query).mappings())


@lru_cache(maxsize=8)
def _shown_statement(by: str, public: bool, dialect: str) -> Any:
    """Persons (by id or key) with their names and latest custody-deciding status as JSON: a
    page of persons in one query."""
    shown_names = select(json_rows({"id": names.c.id, "text": names.c.text, "script": names.c.script})).where(
        names.c.person_id == persons.c.id, names.c.retracted_at.is_(None))
    latest = (
        select(json_fields({"status": status_changes.c.status, "date_start": status_changes.c.date_start,
                            "date_end": status_changes.c.date_end,
                            "date_precision": status_changes.c.date_precision}))
        .where(status_changes.c.person_id == persons.c.id, status_changes.c.retracted_at.is_(None),
               one_of(status_changes.c.status, HOLDING_VALUES + RELEASING_VALUES))
        .order_by(status_changes.c.date_start.desc(), status_changes.c.id.desc())  # as custody() ranks
        .limit(1)
    )
    return select(
        persons.c.id, persons.c.key, persons.c.citizenships,
        shown_names.scalar_subquery().label("names_json"), latest.scalar_subquery().label("custody_json"),
    ).where(any_of(persons.c.id if by == "id" else persons.c.key, "wanted", dialect),
            persons.c.retracted_at.is_(None), *([persons.c.published.is_(True)] if public else []))


def _shown(r: Any, script: str) -> dict[str, Any]:
    shown = sorted(r["names_json"], key=lambda n: n["id"])
    now = r["custody_json"]
    if now:
        now = now | {"date_start": iso_date(now["date_start"]), "date_end": iso_date(now["date_end"])}
    return {
        "id": r["id"], "key": r["key"], "name": queries.display_name(shown, script),
        "names": [n["text"] for n in shown],
        "status": now["status"] if now else None, "since": queries.fuzzy(now) if now else None,
        "held": bool(now and now["status"] in HOLDING_VALUES), "citizenships": r["citizenships"],
    }


def person_rows(conn: Connection, rows: list[Any], script: str) -> list[dict[str, Any]]:
    """Display name, names, current status and citizenships of persons (rows of filtered_persons),
    in their order."""
    if not rows:
        return []
    statement = _shown_statement("id", False, conn.dialect.name)
    found = {r["id"]: _shown(r, script) for r in conn.execute(statement, {"wanted": [r["id"] for r in rows]}).mappings()}
    return [found[r["id"]] for r in rows if r["id"] in found]


def shown_persons(conn: Connection, keys: list[str], *, public: bool, script: str) -> dict[str, dict[str, Any]]:
    """person_rows of the persons with these keys that the caller may see, by key."""
    if not keys:
        return {}
    statement = _shown_statement("key", public, conn.dialect.name)
    return {r["key"]: _shown(r, script) for r in conn.execute(statement, {"wanted": keys}).mappings()}


def keys_of(conn: Connection, table: Any, ids: Collection[int]) -> list[str]:
    """Keys of rows of `table` (persons, organisations) by id."""
    chosen, found = sorted(ids), list[str]()
    for start in range(0, len(chosen), 500):
        found += conn.execute(select(table.c.key).where(table.c.id.in_(chosen[start:start + 500]))).scalars()
    return found


def pending_proposals(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """Waiting proposals, read from the table so the dashboard works before ingestion is set up."""
    rows = conn.execute(
        select(proposals.c.id, proposals.c.kind, proposals.c.created_at, proposals.c.source_id)
        .where(proposals.c.status == "pending").order_by(proposals.c.id.desc()).limit(limit)
    ).mappings()
    return [dict(r) | {"created_at": r["created_at"].isoformat(timespec="minutes")} for r in rows]


def count_pending(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(proposals).where(proposals.c.status == "pending"))
               .scalar() or 0)


def ledger_version(conn: Connection) -> int:
    """The newest audit id: any change to the ledger moves it (caches key on it)."""
    from freedomledger.store.tables import audit_log

    return int(conn.execute(select(func.max(audit_log.c.id))).scalar() or 0)


def latest_actions(conn: Connection, *, public: bool, limit: int = 8) -> list[dict[str, Any]]:
    ids = conn.execute(
        select(sanction_actions.c.id).where(sanction_actions.c.retracted_at.is_(None))
        .order_by(sanction_actions.c.date_start.desc(), sanction_actions.c.id.desc()).limit(limit * 3)
    ).scalars().all()
    rows = queries.sanction_action_rows(conn, sanction_actions.c.id.in_(ids)) if ids else []
    rows = _visible_actions(conn, rows, public)
    return sorted(rows, key=lambda r: r["date"] or "", reverse=True)[:limit]


def latest_releases(conn: Connection, *, public: bool, script: str, limit: int = 6) -> list[dict[str, Any]]:
    query = (select(release_events.c.key).where(release_events.c.retracted_at.is_(None))
             .order_by(release_events.c.date_start.desc(), release_events.c.id.desc()).limit(limit))
    if public:
        query = query.where(release_events.c.published.is_(True))
    return [release(conn, k, public=public, script=script) for k in conn.execute(query).scalars()]
