"""Write endpoints for editors: edits with optimistic locking, ingestion and review."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from freedomledger.ledger import Ledger, LedgerError
from freedomledger.ledger.registry import lookup_id
from freedomledger.model import Gender, OrgKind
from freedomledger.store.tables import organizations, persons, proposals, release_events
from freedomledger.web.api.common import Cursor, Item, Limit, RowId, actor, after_id, etag_json, page_by_id, web
from freedomledger.web.errors import ERROR_RESPONSES, ApiError, ErrorBody

router = APIRouter(responses=ERROR_RESPONSES | {409: {"model": ErrorBody, "description": "conflict"}})  # type: ignore[arg-type]
Code = Field(pattern=r"^[A-Z]{2}$")


class PersonChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: str | None = Field(None, max_length=20_000)
    confidential_notes: str | None = Field(None, max_length=20_000)
    published: bool | None = None
    gender: Gender | None = None
    roles: list[str] | None = Field(None, max_length=20)
    citizenships: list[str] | None = Field(None, max_length=10)


class OrganizationChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: str | None = Field(None, max_length=20_000)
    published: bool | None = None
    kind: OrgKind | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")


class ReleaseChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: str | None = Field(None, max_length=20_000)
    published: bool | None = None
    announced_count: int | None = Field(None, ge=0, le=1_000_000)


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int = Field(ge=1, le=2**31, description="The version you read; a newer one is a 409.")
    reason: str | None = Field(None, max_length=2000)


class PersonEdit(Edit):
    changes: PersonChanges


class OrganizationEdit(Edit):
    changes: OrganizationChanges


class ReleaseEdit(Edit):
    changes: ReleaseChanges


def apply_edit(ledger: Ledger, who: str, table: Any, key: str, changes: BaseModel, version: int,
               reason: str | None) -> dict[str, Any]:
    values = changes.model_dump(exclude_unset=True, mode="json")
    if "citizenships" in values and values["citizenships"] is not None:
        bad = [c for c in values["citizenships"] if not (isinstance(c, str) and len(c) == 2 and c.isalpha())]
        if bad:
            raise ApiError(422, f"changes.citizenships: {bad[0]!r} is not a two-letter country code",
                           field="changes.citizenships")
        values["citizenships"] = [c.upper() for c in values["citizenships"]]
    for name in ("roles", "citizenships"):
        if name in values and values[name] is None:
            values[name] = []
    if not values:
        raise ApiError(422, "changes: nothing to change", field="changes")
    with ledger.transaction(who) as tx:
        row_id = lookup_id(tx, table, key)
        changed = tx.update(table, row_id, values, expected_version=version, reason=reason)
        row = tx.row(table, row_id)
    return {"key": row["key"], "version": row["version"], "changed": changed}


@router.patch("/persons/{key}", response_model=Item, tags=["persons"])
def edit_person(request: Request, key: str, edit: PersonEdit) -> dict[str, Any]:
    """Change a person's editable fields; `expected_version` guards against lost updates (409)."""
    return apply_edit(web(request).ledger, actor(request), persons, key, edit.changes, edit.expected_version,
                      edit.reason)


@router.patch("/organizations/{key}", response_model=Item, tags=["organizations"])
def edit_organization(request: Request, key: str, edit: OrganizationEdit) -> dict[str, Any]:
    return apply_edit(web(request).ledger, actor(request), organizations, key, edit.changes,
                      edit.expected_version, edit.reason)


@router.patch("/releases/{key}", response_model=Item, tags=["releases"])
def edit_release(request: Request, key: str, edit: ReleaseEdit) -> dict[str, Any]:
    return apply_edit(web(request).ledger, actor(request), release_events, key, edit.changes,
                      edit.expected_version, edit.reason)


def ingest_module() -> Any:
    """The ingestion service, or a 503 naming what is missing while it is not installed."""
    try:
        from freedomledger import ingest
        from freedomledger.extract import extract_document  # noqa: F401 - ingest needs it at call time
    except ImportError as exc:
        raise ApiError(503, f"ingestion is not available on this server ({exc})", code="unavailable") from None
    return ingest


class Article(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=1_000_000)
    published: dt.date | None = None
    url: str | None = Field(None, max_length=2000, pattern=r"^https?://")
    title: str | None = Field(None, max_length=500)
    outlet: str | None = Field(None, max_length=200)


@router.post("/ingest", response_model=Item, tags=["review"], status_code=201,
             responses={503: {"model": ErrorBody, "description": "ingestion not installed"}})
def ingest_article(request: Request, article: Article) -> dict[str, Any]:
    """Store an article and propose the facts it states; returns the new proposal ids."""
    from freedomledger.web.sanitise import article_text

    ingest = ingest_module()
    text = article_text(article.text)
    if not text.strip():
        raise ApiError(422, "text: the article has no text", field="text")
    result = ingest.ingest_text(web(request).ledger, text, actor=actor(request), published=article.published,
                                url=article.url, title=article.title, outlet=article.outlet,
                                resolver=web(request).search.person_resolver())
    return {"source_id": result.source_id, "new_source": result.new_source, "proposal_ids": result.proposal_ids}


@router.get("/proposals", response_model=Item, tags=["review"])
def list_proposals(request: Request,
                   status: Literal["pending", "accepted", "rejected"] | None = "pending",
                   cursor: str | None = Cursor, limit: int = Limit) -> Response:
    ingest = ingest_module()
    with web(request).ledger.read() as conn:
        items = ingest.list_proposals(conn, status=status, after_id=after_id(cursor), limit=limit + 1)
    return etag_json(request, page_by_id(items, limit))


@router.get("/proposals/{proposal_id}", response_model=Item, tags=["review"])
def get_proposal(request: Request, proposal_id: Annotated[int, RowId]) -> Response:
    ingest = ingest_module()
    with web(request).ledger.read() as conn:
        found = ingest.get_proposal(conn, proposal_id)
    if found is None:
        raise ApiError(404, f"no proposal {proposal_id}")
    return etag_json(request, found)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "edit", "reject"]
    edits: dict[str, Any] | None = None
    note: str | None = Field(None, max_length=2000)
    expected_version: int | None = Field(None, ge=1, le=2**31)


@router.post("/proposals/{proposal_id}/decision", response_model=Item, tags=["review"])
def decide(request: Request, proposal_id: Annotated[int, RowId], body: Decision) -> dict[str, Any]:
    """Accept, edit-then-accept or reject a proposal. A stale expected_version is a 409."""
    ingest = ingest_module()
    ledger = web(request).ledger
    with ledger.read() as conn:
        exists = conn.execute(proposals.select().where(proposals.c.id == proposal_id)).first()
    if exists is None:
        raise ApiError(404, f"no proposal {proposal_id}")
    try:
        resolver = web(request).search.person_resolver(fresh=True) if body.decision != "reject" else None
        return dict(ingest.decide(ledger, proposal_id, body.decision, actor=actor(request), edits=body.edits,
                                  note=body.note, expected_version=body.expected_version, resolver=resolver))
    except LedgerError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError(422, f"edits: {exc}", field="edits") from None

