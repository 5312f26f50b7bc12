"""Exports: JSON and CSV for people, and FollowTheMoney entities for the OpenSanctions/Aleph world.

All exports go through the same public/non-public views as the web app: a public export
leaves out unpublished records and confidential fields.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from followthemoney import model as ftm_model
from sqlalchemy import Connection, select

from freedomledger.ledger import queries
from freedomledger.store.tables import organizations

ID_PREFIX = "fl"
STATE_NAMES = {"BY": "Belarus", "US": "United States", "LT": "Lithuania", "UA": "Ukraine", "PL": "Poland"}


def export_json(conn: Connection, *, public: bool) -> dict[str, Any]:
    persons = [queries.person_view(conn, p["id"], public=public)
               for p in queries.list_persons(conn, public=public)]
    return {
        "persons": persons,
        "organizations": [org_view(conn, key, public=public) for key in _org_keys(conn, public)],
        "releases": queries.list_releases(conn, public=public),
        "sanction_actions": queries.sanction_action_rows(conn, public=public),
        "deals": queries.list_deals(conn, public=public),
    }


def _org_keys(conn: Connection, public: bool) -> list[str]:
    query = select(organizations.c.key).where(organizations.c.retracted_at.is_(None)).order_by(organizations.c.id)
    if public:
        query = query.where(organizations.c.published.is_(True))
    return list(conn.execute(query).scalars())


def org_view(conn: Connection, key: str, *, public: bool = False) -> dict[str, Any]:
    from freedomledger.ledger.registry import lookup_id
    from freedomledger.store.tables import names, sanction_actions

    org_id = lookup_id(conn, organizations, key)
    row = conn.execute(select(organizations).where(organizations.c.id == org_id)).mappings().one()
    if public and not row["published"]:
        from freedomledger.ledger import NotFound

        raise NotFound(f"no organization {key!r}")
    name_rows = [
        dict(r) for r in conn.execute(
            select(names.c.text, names.c.script, names.c.lang, names.c.kind)
            .where(names.c.organization_id == org_id, names.c.retracted_at.is_(None))
            .order_by(names.c.id)
        ).mappings()
    ]
    return {
        "id": row["id"], "key": row["key"], "name": queries.display_name(name_rows), "kind": row["kind"],
        "country": row["country"], "ids": row["ids"], "notes": row["notes"], "names": name_rows,
        "version": row["version"],
        "sanction_actions": queries.sanction_action_rows(
            conn, sanction_actions.c.organization_id == org_id, public=public),
        "sources": [c["source"] for c in queries.sources_of(conn, organizations, org_id)],
    }


PERSON_CSV_COLUMNS = ("key", "name", "other_names", "gender", "birth_date", "citizenships",
                      "current_status", "since", "held", "sources")


def export_persons_csv(conn: Connection, *, public: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PERSON_CSV_COLUMNS)
    writer.writeheader()
    for summary in queries.list_persons(conn, public=public):
        view = queries.person_view(conn, summary["id"], public=public)
        history = view["status_history"]
        writer.writerow({
            "key": view["key"], "name": view["name"],
            "other_names": "|".join(n["text"] for n in view["names"] if n["text"] != view["name"]),
            "gender": view["gender"], "birth_date": view["birth_date"] or "",
            "citizenships": "|".join(view["citizenships"]),
            "current_status": view["current_status"] or "",
            "since": history[-1]["date"] if history else "",
            "held": "yes" if view["held"] else "no",
            "sources": "|".join(sorted({s["url"] or s["key"] or "" for s in view["sources"]} - {""})),
        })
    return out.getvalue()


def export_ftm(conn: Connection, *, public: bool) -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities: Person, Organization/Company, Sanction and Event (releases)."""
    data = export_json(conn, public=public)
    for person in data["persons"]:
        entity = ftm_model.make_entity("Person")
        entity.id = f"{ID_PREFIX}-person-{person['key']}"
        entity.add("name", person["name"])
        entity.add("alias", [n["text"] for n in person["names"] if n["text"] != person["name"]])
        if person["gender"] in ("male", "female", "other"):
            entity.add("gender", person["gender"])
        if person["birth_date"] and ".." not in person["birth_date"]:
            entity.add("birthDate", person["birth_date"])
        entity.add("nationality", [c.lower() for c in person["citizenships"]])
        entity.add("notes", person["notes"])
        entity.add("sourceUrl", [s["url"] for s in person["sources"] if s["url"]])
        yield entity.to_dict()
    for org in data["organizations"]:
        schema = "Company" if org["kind"] in ("company", "bank", "airline") else "Organization"
        if org["kind"] == "state":
            continue  # states are jurisdictions in FtM, not entities
        entity = ftm_model.make_entity(schema)
        entity.id = f"{ID_PREFIX}-org-{org['key']}"
        entity.add("name", org["name"])
        entity.add("alias", [n["text"] for n in org["names"] if n["text"] != org["name"]])
        if org["country"]:
            entity.add("jurisdiction", org["country"].lower())
        entity.add("notes", org["notes"])
        yield entity.to_dict()
        for action in org["sanction_actions"]:
            sanction = ftm_model.make_entity("Sanction")
            sanction.id = f"{ID_PREFIX}-sanction-{action['id']}"
            sanction.add("entity", entity.id)
            sanction.add("authority", action["authority"])
            sanction.add("program", action["program"])
            sanction.add("status", action["action"])
            date_text = action["date"] or ""
            field = "startDate" if action["action"] == "designated" else "endDate"
            sanction.add(field, date_text.split("..")[0] if date_text else None)
            sanction.add("summary", action["notes"])
            yield sanction.to_dict()
    for release in data["releases"]:
        event = ftm_model.make_entity("Event")
        event.id = f"{ID_PREFIX}-release-{release['key']}"
        count = release["announced_count"]
        event.add("name", f"Release of {count if count is not None else 'prisoners'} by "
                          f"{STATE_NAMES.get(release['releasing_state'], release['releasing_state'])}")
        if release["date"] and ".." not in release["date"]:
            event.add("date", release["date"])
        event.add("country", release["releasing_state"].lower())
        event.add("involved", [f"{ID_PREFIX}-person-{p['key']}" for p in release["released"]])
        event.add("summary", release["notes"])
        yield event.to_dict()


def dumps_jsonl(entities: Iterator[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities)
