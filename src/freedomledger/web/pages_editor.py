"""HTML pages for editors and admins: ingest an article, review proposals, import a registry
file with progress, edit a person, read the audit trail. Every form carries the CSRF token
(checked by access.Guard before these handlers run)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from freedomledger.ledger import Conflict, LedgerError
from freedomledger.model import is_number
from freedomledger.store.tables import persons
from freedomledger.web import data
from freedomledger.web.api.admin import audit_rows
from freedomledger.web.api.common import MAX_ID, RowId, actor, after_id, decode_cursor, encode_cursor, web
from freedomledger.web.api.write import PersonChanges, apply_edit, ingest_module
from freedomledger.web.errors import ApiError
from freedomledger.web.sanitise import article_text, highlight
from freedomledger.web.search import IndexNotReady

router = APIRouter(include_in_schema=False)
ARTICLE_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html", ".md": "text/markdown"}
REGISTRY_TYPES = {".csv", ".json"}


async def _read_upload(upload: UploadFile, allowed: set[str], limit: int) -> bytes:
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in allowed:
        raise ApiError(415, f"file: {upload.filename!r} is not one of {', '.join(sorted(allowed))}", field="file")
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise ApiError(413, f"file: larger than {limit // 1024} KiB", field="file")
    return content


def _decode(content: bytes, name: str) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, f"file: {name!r} is not UTF-8 text", field="file") from None


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> Response:
    return web(request).render(request, "ingest.html", message=None, form={})


@router.post("/ingest", response_class=HTMLResponse)
async def ingest(
    request: Request, text: str = Form("", max_length=1_000_000), url: str = Form("", max_length=2000),
    published: str = Form("", max_length=10), title: str = Form("", max_length=500),
    file: UploadFile | None = File(None),
) -> Response:
    state = web(request)
    _ = state.context(request)["_"]
    form = {"text": text, "url": url, "published": published, "title": title}
    if file is not None and file.filename:
        raw = _decode(await _read_upload(file, set(ARTICLE_TYPES), state.settings.max_upload_bytes), file.filename)
    else:
        raw = text
    body = article_text(raw)
    try:
        day = dt.date.fromisoformat(published) if published else None
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("the address must start with http:// or https://")
        if not body:
            raise ValueError(_("Paste an article or choose a file."))
        module = ingest_module()
    except ValueError as exc:
        return state.render(request, "ingest.html", status=422, message=str(exc), form=form)
    from starlette.concurrency import run_in_threadpool

    try:
        result = await run_in_threadpool(lambda: module.ingest_text(
            state.ledger, body, actor=actor(request), published=day, url=url or None, title=title or None,
            file_name=file.filename if file is not None and file.filename else None,
            resolver=state.search.person_resolver()))
    except LedgerError as exc:
        return state.render(request, "ingest.html", status=422, message=str(exc), form=form)
    except IndexNotReady as exc:
        return state.render(request, "ingest.html", status=503, message=exc.progress, form=form)
    if not result.proposal_ids:
        note = _("This article was ingested before.") if not result.new_source else _("No facts were found.")
        return state.render(request, "ingest.html", message=note, form={})
    return RedirectResponse(f"/review/{result.proposal_ids[0]}", status_code=303)


REVIEW_PAGE = 100


@router.get("/review", response_class=HTMLResponse)
def review_list(request: Request, status: str = Query("pending", pattern="^(pending|accepted|rejected)$"),
                cursor: str | None = Query(None, max_length=200)) -> Response:
    module = ingest_module()
    after = after_id(cursor)
    with web(request).ledger.read() as conn:
        items = module.list_proposals(conn, status=status, after_id=after, limit=REVIEW_PAGE + 1)
    more = len(items) > REVIEW_PAGE
    items = items[:REVIEW_PAGE]
    return web(request).render(request, "review_list.html", items=items, which=status,
                               next_cursor=encode_cursor(after=items[-1]["id"]) if more else None)


def _proposal(request: Request, proposal_id: int) -> dict[str, Any]:
    module = ingest_module()
    with web(request).ledger.read() as conn:
        found = module.get_proposal(conn, proposal_id)
    if found is None:
        raise ApiError(404, f"no proposal {proposal_id}")
    return dict(found)


@router.get("/review/{proposal_id}", response_class=HTMLResponse)
def review(request: Request, proposal_id: Annotated[int, RowId]) -> Response:
    proposal = _proposal(request, proposal_id)
    pieces = highlight(proposal.get("text") or "", proposal.get("payload"))
    return web(request).render(request, "review.html", p=proposal, pieces=pieces, message=None)


@router.post("/review/{proposal_id}", response_class=HTMLResponse)
def decide(
    request: Request, proposal_id: Annotated[int, RowId], decision: str = Form(..., pattern="^(accept|edit|reject)$"),
    version: int = Form(..., ge=1, le=MAX_ID), note: str = Form("", max_length=2000),
    date: str = Form("", max_length=30), count: str = Form("", max_length=12),
) -> Response:
    state = web(request)
    edits: dict[str, Any] = {}
    if decision == "edit":
        if date:
            edits["date"] = date
        if count:
            if not is_number(count) or len(count) > 9:
                raise ApiError(422, "count: a whole number", field="count")
            edits["count"] = int(count)
    module = ingest_module()
    try:
        module.decide(state.ledger, proposal_id, decision, actor=actor(request), edits=edits or None,
                      note=note or None, expected_version=version,
                      resolver=state.search.person_resolver(fresh=True) if decision != "reject" else None)
    except LedgerError as exc:
        proposal = _proposal(request, proposal_id)
        pieces = highlight(proposal.get("text") or "", proposal.get("payload"))
        status = 409 if isinstance(exc, Conflict) else 422
        return state.render(request, "review.html", status=status, p=proposal, pieces=pieces, message=str(exc))
    return RedirectResponse(f"/review/{proposal_id}", status_code=303)


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request) -> Response:
    return web(request).render(request, "import.html", job=None, message=None)


@router.post("/import", response_class=HTMLResponse)
async def import_file(request: Request, file: UploadFile = File(...), snapshot: str = Form("", max_length=10)) -> Response:
    state = web(request)
    content = await _read_upload(file, REGISTRY_TYPES, state.settings.max_registry_bytes)
    _decode(content, file.filename or "")
    try:
        day = dt.date.fromisoformat(snapshot) if snapshot else None
    except ValueError:
        return state.render(request, "import.html", status=422, job=None, message="snapshot: use YYYY-MM-DD")
    suffix = Path(file.filename or "").suffix.lower()
    # The registry readers take a path; the job deletes this file when it ends.
    handle = tempfile.NamedTemporaryFile("wb", suffix=suffix, prefix="fl-import-", delete=False)
    with handle:
        handle.write(content)
    job = state.jobs.start(state.ledger, Path(handle.name), Path(file.filename or "upload").name,
                           actor(request), day)
    return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)


@router.get("/import/jobs/{job_id}")
def import_job(request: Request, job_id: str) -> Response:
    job = web(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, "no such import (imports are kept in memory until the server restarts)")
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(job.as_dict())
    return web(request).render(request, "import.html", job=job, message=None)


@router.get("/persons/{key}/edit", response_class=HTMLResponse)
def edit_form(request: Request, key: str) -> Response:
    with web(request).ledger.read() as conn:
        view = data.person(conn, key, public=False)
    return web(request).render(request, "person_edit.html", person=view, message=None)


@router.post("/persons/{key}/edit", response_class=HTMLResponse)
def edit(
    request: Request, key: str, version: int = Form(..., ge=1, le=MAX_ID), notes: str = Form("", max_length=20_000),
    confidential_notes: str = Form("", max_length=20_000), published: str = Form(""),
    reason: str = Form("", max_length=2000),
) -> Response:
    state = web(request)
    changes = PersonChanges.model_validate({"notes": notes or None, "confidential_notes": confidential_notes or None,
                                            "published": published == "on"})
    try:
        apply_edit(state.ledger, actor(request), persons, key, changes, version, reason or None)
    except Conflict as exc:
        with state.ledger.read() as conn:
            view = data.person(conn, key, public=False)
        return state.render(request, "person_edit.html", status=409, person=view, message=str(exc))
    return RedirectResponse(f"/persons/{key}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, table: str | None = Query(None, max_length=40),
          actor_name: str | None = Query(None, alias="actor", max_length=120),
          cursor: str | None = Query(None, max_length=200)) -> Response:
    before = decode_cursor(cursor, "before").get("before")
    size = web(request).settings.page_size * 2
    with web(request).ledger.read() as conn:
        rows = audit_rows(conn, table=table or None, subject_id=None, actor=actor_name or None, before_id=before,
                          limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(before=rows[-1]["id"]) if more else None
    return web(request).render(request, "audit.html", rows=rows, next_cursor=next_cursor,
                               filters={"table": table or "", "actor": actor_name or ""})
