"""Read endpoints: the data behind every page, with public views below the editor role."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from freedomledger import exports
from freedomledger.ledger import queries
from freedomledger.web import chart, data
from freedomledger.web.api.common import (
    Cursor,
    Item,
    Limit,
    Page,
    ScriptParam,
    after_id,
    etag_json,
    page_by_id,
    page_by_offset,
    public,
    script,
    user,
    web,
)
from freedomledger.web.errors import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)  # type: ignore[arg-type]
StatusFilter = Query(None, description="held, released, or a status value (the current custody status).",
                     pattern="^(" + "|".join(data.STATUS_FILTERS) + ")$")
CountryFilter = Query(None, pattern="^[A-Za-z]{2}$", description="Citizenship (ISO code).")
Since = Query(None, description="Some status change on or after this date.")
Until = Query(None, description="Some status change on or before this date.")


@router.get("/me", response_model=Item, tags=["session"])
def me(request: Request) -> dict[str, Any]:
    """Who the server thinks you are, and what you may see."""
    caller = user(request)
    return {"username": None if caller.is_anonymous else caller.username, "role": caller.role.name,
            "sees_confidential": caller.sees_confidential}


@router.get("/persons", response_model=Page, tags=["persons"])
def list_persons(
    request: Request, status: str | None = StatusFilter, country: str | None = CountryFilter,
    since: dt.date | None = Since, until: dt.date | None = Until,
    script_: str | None = ScriptParam, cursor: str | None = Cursor, limit: int = Limit,
) -> Response:
    """Persons in ledger order, with their current status; filter like the search page."""
    with web(request).ledger.read() as conn:
        rows = data.browse_persons(conn, public=public(request), script=script(request, script_), status=status,
                                   country=country, since=since, until=until, after_id=after_id(cursor),
                                   limit=limit + 1)
    return etag_json(request, page_by_id(rows, limit))


@router.get("/persons/{key}", response_model=Item, tags=["persons"])
def get_person(request: Request, key: str, script_: str | None = ScriptParam) -> Response:
    """One person: names with sources, status history, release, sources of every fact."""
    with web(request).ledger.read() as conn:
        view = data.person(conn, key, public=public(request), script=script(request, script_))
    return etag_json(request, view)


@router.get("/organizations", response_model=Page, tags=["organizations"])
def list_organizations(request: Request, cursor: str | None = Cursor, limit: int = Limit) -> Response:
    with web(request).ledger.read() as conn:
        rows = data.organizations_list(conn, public=public(request), after_id=after_id(cursor), limit=limit + 1)
    return etag_json(request, page_by_id(rows, limit))


@router.get("/organizations/{key}", response_model=Item, tags=["organizations"])
def get_organization(request: Request, key: str, as_of: dt.date | None = None) -> Response:
    """An organisation with its sanction actions and, per authority, whether it is listed on `as_of`."""
    with web(request).ledger.read() as conn:
        view = data.organization(conn, key, public=public(request), as_of=as_of)
    return etag_json(request, view)


@router.get("/organizations/{key}/sanctions", response_model=Item, tags=["sanctions"])
def organization_sanctions(request: Request, key: str, as_of: dt.date | None = None) -> Response:
    """Sanctions status per authority on `as_of` (default today) and each authority's timeline."""
    with web(request).ledger.read() as conn:
        view = data.organization(conn, key, public=public(request), as_of=as_of)
    return etag_json(request, {"organization": view["key"], "name": view["name"], "sanctions": view["sanctions"]})


@router.get("/releases", response_model=Page, tags=["releases"])
def list_releases(request: Request, script_: str | None = ScriptParam, cursor: str | None = Cursor,
                  limit: int = Limit) -> Response:
    with web(request).ledger.read() as conn:
        rows = data.releases(conn, public=public(request), script=script(request, script_))
    return etag_json(request, page_by_offset(rows, cursor, limit))


@router.get("/releases/{key}", response_model=Item, tags=["releases"])
def get_release(request: Request, key: str, script_: str | None = ScriptParam) -> Response:
    """A release event: count announced vs named, named people, mediators, every source's claims."""
    with web(request).ledger.read() as conn:
        view = data.release(conn, key, public=public(request), script=script(request, script_))
    return etag_json(request, view)


@router.get("/deals", response_model=Page, tags=["deals"])
def list_deals(request: Request, script_: str | None = ScriptParam, cursor: str | None = Cursor,
               limit: int = Limit) -> Response:
    with web(request).ledger.read() as conn:
        rows = data.deals(conn, public=public(request), script=script(request, script_))
    return etag_json(request, page_by_offset(rows, cursor, limit))


@router.get("/deals/{key}", response_model=Item, tags=["deals"])
def get_deal(request: Request, key: str, script_: str | None = ScriptParam) -> Response:
    with web(request).ledger.read() as conn:
        view = data.deal(conn, key, public=public(request), script=script(request, script_))
    return etag_json(request, view)


@router.get("/sanctions", response_model=Page, tags=["sanctions"])
def list_sanctions(
    request: Request, authority: str | None = Query(None, pattern="^[A-Za-z]{2,8}$"),
    action: Literal["designated", "delisted", "eased", "general_licence", "amended"] | None = None,
    since: dt.date | None = None, until: dt.date | None = None, cursor: str | None = Cursor, limit: int = Limit,
) -> Response:
    """Sanction actions by date, filtered by authority, kind of action and period."""
    with web(request).ledger.read() as conn:
        rows = data.sanction_list(conn, public=public(request), authority=authority, action=action,
                                  since=since, until=until)
    return etag_json(request, page_by_offset(rows, cursor, limit))


@router.get("/stats", response_model=Item, tags=["stats"])
def stats(request: Request) -> Response:
    """Held today and at each month end, releases, named vs announced, deals."""
    state = web(request)
    hide = public(request)
    held = state.cached("held-en", hide, lambda conn: chart.held_chart(
        conn, public=hide, title="Political prisoners held, by month"))
    with state.ledger.read() as conn:
        totals = queries.release_totals(conn, public=hide)
    return etag_json(request, {"held_now": held["held_now"], "held_series": held["series"], **totals})


@router.get("/export", tags=["export"], responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
def export(request: Request, format: Literal["json", "csv", "ftm"] = "json") -> Response:
    """The whole ledger. Below the editor role it is the public export: no unpublished records,
    no confidential fields."""
    hide = public(request)
    with web(request).ledger.read() as conn:
        if format == "csv":
            return Response(exports.export_persons_csv(conn, public=hide), media_type="text/csv")
        if format == "ftm":
            return Response(exports.dumps_jsonl(exports.export_ftm(conn, public=hide)),
                            media_type="application/x-ndjson")
        payload = exports.export_json(conn, public=hide)
        # The deal and action views leave hiding unpublished linked records to their callers.
        payload["deals"] = data.deals(conn, public=hide)
    payload["sanction_actions"] = [a for a in payload["sanction_actions"]
                                   if not hide or a["target"] is None or a["target"] in _visible_targets(payload)]
    return Response(json.dumps(payload, ensure_ascii=False, default=str), media_type="application/json")


def _visible_targets(payload: dict[str, Any]) -> set[str]:
    return {p["key"] for p in payload["persons"]} | {o["key"] for o in payload["organizations"]}
