"""Search (one box, any script) and screening (is this name in the ledger?)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from freedomledger.web import data
from freedomledger.web.api.common import (
    Cursor,
    Limit,
    Page,
    ScriptParam,
    after_id,
    decode_cursor,
    encode_cursor,
    etag_json,
    page_by_id,
    public,
    script,
    web,
)
from freedomledger.web.api.read import CountryFilter, Since, StatusFilter, Until
from freedomledger.web.errors import ERROR_RESPONSES, ApiError, ErrorBody
from freedomledger.web.search import run_search

router = APIRouter(responses=ERROR_RESPONSES)  # type: ignore[arg-type]
UNAVAILABLE = {503: {"model": ErrorBody, "description": "the name index is still being built"}}
MAX_QUERY = 200


def _query_tag(*parts: Any) -> int:
    """Ties a search cursor to its query so that it cannot page through another one."""
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:6], "big")


def search_page(
    request: Request, q: str, *, status: str | None, country: str | None, since: dt.date | None,
    until: dt.date | None, kind: str | None, script_name: str, cursor: str | None, limit: int,
) -> dict[str, Any]:
    """One page of search results: ranked name matches, or, without a name, the filtered list."""
    state = web(request)
    hide = public(request)
    q = " ".join(q.split())
    with state.ledger.read() as conn:
        if not q:
            rows = data.browse_persons(conn, public=hide, script=script_name, status=status, country=country,
                                       since=since, until=until, after_id=after_id(cursor), limit=limit + 1)
            page = page_by_id([{"kind": "person", **r} for r in rows], limit)
            return page | {"query": q, "total": None}
        tag = _query_tag(q, status, country, since, until, kind, hide)
        where = decode_cursor(cursor, "offset", "tag") if cursor else {"offset": 0, "tag": tag}
        if where["tag"] != tag:
            raise ApiError(422, "cursor: it belongs to another search", field="cursor")
        offset = where["offset"]
        total, chunk = run_search(conn, state.search, q, public=hide, script=script_name, status=status,
                                  country=country, since=since, until=until, kind=kind, page=(offset, limit))
    more = offset + limit < total
    return {"items": chunk, "next_cursor": encode_cursor(offset=offset + limit, tag=tag) if more else None,
            "query": q, "total": total}


@router.get("/search", response_model=Page, tags=["search"], responses=UNAVAILABLE)  # type: ignore[arg-type]
def search(
    request: Request,
    q: str = Query("", max_length=MAX_QUERY, description="A name in any script or romanisation."),
    status: str | None = StatusFilter, country: str | None = CountryFilter,
    since: dt.date | None = Since, until: dt.date | None = Until,
    kind: Literal["person", "organization"] | None = None,
    script_: str | None = ScriptParam, cursor: str | None = Cursor, limit: int = Limit,
) -> Response:
    """Persons and organisations whose names match `q` ("Калеснікава", "Kolesnikova" and
    "Kalesnikava" find the same person), best first, each with the name that matched, a score
    and why. Without `q`: persons matching the filters, in ledger order."""
    page = search_page(request, q, status=status, country=country, since=since, until=until, kind=kind,
                       script_name=script(request, script_), cursor=cursor, limit=limit)
    return etag_json(request, page)


@router.get("/screen", response_model=Page, tags=["search"], responses=UNAVAILABLE)  # type: ignore[arg-type]
def screen(
    request: Request,
    name: list[str] = Query(..., min_length=1, max_length=50, description="Names to screen (repeat up to 50)."),
    threshold: float = Query(0.85, ge=0.0, le=1.0, description="Least score that counts as a match."),
    kind: Literal["person", "organization"] | None = None,
) -> Response:
    """For each name, the ledger's persons and organisations that match it at `threshold` or better."""
    state = web(request)
    hide = public(request)
    names = [" ".join(n.split())[:MAX_QUERY] for n in name]
    items = []
    with state.ledger.read() as conn:
        for text in names:
            if not text:
                raise ApiError(422, "name: an empty name cannot be screened", field="name")
            _, matches = run_search(conn, state.search, text, public=hide, script="latin", kind=kind,
                                    top_k=20, min_score=threshold)
            kept = [{k: m[k] for k in ("kind", "key", "name", "matched", "score", "explanation")}
                    for m in matches if m["score"] >= threshold]
            items.append({"name": text, "matched": bool(kept), "matches": kept})
    return etag_json(request, {"items": items, "next_cursor": None})

