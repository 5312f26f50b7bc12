"""Administration: the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from freedomledger.store.tables import audit_log
from freedomledger.web.api.common import MAX_ID, Cursor, Limit, Page, decode_cursor, encode_cursor, etag_json, web
from freedomledger.web.errors import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)  # type: ignore[arg-type]
# Values that never leave the server, even for admins reading the audit trail.
REDACTED = {"password_hash", "token_hash", "value"}


def redact(table: str, values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None or table not in ("users", "api_tokens", "app_secrets"):
        return values
    return {k: ("[redacted]" if k in REDACTED else v) for k, v in values.items()}


def audit_rows(conn: Any, *, table: str | None, subject_id: int | None, actor: str | None,
               before_id: int | None, limit: int) -> list[dict[str, Any]]:
    """The audit trail newest first, keyset-paged by id (queries.history has no cursor)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if table:
        query = query.where(audit_log.c.subject_table == table)
    if subject_id is not None:
        query = query.where(audit_log.c.subject_id == subject_id)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if before_id:
        query = query.where(audit_log.c.id < before_id)
    return [
        dict(r) | {"at": r["at"].isoformat(timespec="seconds"), "before": redact(r["subject_table"], r["before"]),
                   "after": redact(r["subject_table"], r["after"])}
        for r in conn.execute(query).mappings()
    ]


@router.get("/audit", response_model=Page, tags=["admin"])
def audit(
    request: Request, table: str | None = Query(None, max_length=40), subject_id: int | None = Query(None, ge=0, le=MAX_ID),
    actor: str | None = Query(None, max_length=120), cursor: str | None = Cursor, limit: int = Limit,
) -> Response:
    """Who changed what and when, with the values before and after; newest first."""
    before = decode_cursor(cursor, "before").get("before")
    with web(request).ledger.read() as conn:
        rows = audit_rows(conn, table=table, subject_id=subject_id, actor=actor, before_id=before, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return etag_json(request, {"items": rows, "next_cursor": encode_cursor(before=rows[-1]["id"]) if more else None})
