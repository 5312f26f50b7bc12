"""What every API router shares: the caller, opaque cursors, ETag'd JSON responses."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from fastapi import Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from freedomledger.ledger import jsonable
from freedomledger.web.app import WebState, script_of
from freedomledger.web.auth import ANONYMOUS, User
from freedomledger.web.errors import ApiError


def web(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


def user(request: Request) -> User:
    return request.scope.get("state", {}).get("user", ANONYMOUS)  # type: ignore[no-any-return]


def actor(request: Request) -> str:
    return f"web:{user(request).username}"


def public(request: Request) -> bool:
    return user(request).public_view


def script(request: Request, chosen: str | None) -> str:
    return chosen if chosen in ("latin", "cyrillic") else script_of(request)


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last.")


class Item(BaseModel):
    model_config = {"extra": "allow"}


def encode_cursor(**values: Any) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *expected: str) -> dict[str, Any]:
    """The values inside a cursor from encode_cursor; a tampered or foreign one is a 422."""
    if not cursor:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, dict) or set(values) != set(expected) or not all(
        # Every value but a search's tag (a hash) is compared with an INTEGER column.
        isinstance(values[k], int) and 0 <= values[k] <= (2**62 if k == "tag" else MAX_ID) for k in expected
    ):
        raise ApiError(422, "cursor: not a cursor this endpoint gave out", field="cursor")
    return values


# Row ids and versions are INTEGER columns (32 bits on PostgreSQL); a larger number would
# overflow in the database driver (a 500) instead of matching nothing.
MAX_ID = 2**31 - 1
RowId = Path(ge=1, le=MAX_ID)
Limit = Query(25, ge=1, le=200, description="Items per page.")
Cursor = Query(None, max_length=200, description="Opaque cursor from the previous page's next_cursor.")
ScriptParam = Query(None, alias="script", pattern="^(latin|cyrillic)$", description="Script for display names "
                    "(default: the fl_script cookie, else latin).")


def page_by_offset(items: list[dict[str, Any]], cursor: str | None, limit: int) -> dict[str, Any]:
    offset = decode_cursor(cursor, "offset").get("offset", 0)
    chunk = items[offset:offset + limit]
    more = offset + limit < len(items)
    return {"items": chunk, "next_cursor": encode_cursor(offset=offset + limit) if more else None}


def page_by_id(items: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """Keyset page: `items` were fetched with limit+1 rows after the cursor's id."""
    more = len(items) > limit
    chunk = items[:limit]
    return {"items": chunk, "next_cursor": encode_cursor(after=chunk[-1]["id"]) if more and chunk else None}


def after_id(cursor: str | None) -> int:
    return int(decode_cursor(cursor, "after").get("after", 0))


def etag_json(request: Request, payload: Any, status: int = 200) -> Response:
    """JSON with a strong ETag; a matching If-None-Match gets 304 and no body."""
    body = json.dumps(jsonable(payload), ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"etag": tag, "cache-control": "private, no-cache", "vary": "Authorization, Cookie"}
    wanted = request.headers.get("if-none-match", "")
    if tag in [t.strip().removeprefix("W/") for t in wanted.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type="application/json", headers=headers)
