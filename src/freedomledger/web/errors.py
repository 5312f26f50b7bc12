"""One error shape for every failure: {"error": {"code", "message", "field"}} in the API,
the same text on an HTML error page for browsers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from freedomledger.ledger import Conflict, LedgerError, NotFound
from freedomledger.web.search import IndexNotReady

if TYPE_CHECKING:
    from freedomledger.web.app import WebState

CODES = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 429: "rate_limited", 500: "internal", 503: "unavailable"}


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


class ApiError(Exception):
    """Raised by handlers for an expected failure; becomes the standard error response."""

    def __init__(self, status: int, message: str, *, code: str | None = None, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.code = code or CODES.get(status, "error")
        self.headers = headers or {}


# For the OpenAPI document: every API route may answer these with the error body.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": CODES[status].replace("_", " ")}
    for status in (400, 401, 403, 404, 422)
}


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


def register(app: FastAPI, web: WebState) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):  # type: ignore[no-untyped-def]
        response = web.error_response(request, exc.status, exc.code, exc.message, exc.field)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):  # type: ignore[no-untyped-def]
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = _field_of(tuple(first.get("loc", ())))
        message = str(first.get("msg", "invalid request"))
        return web.error_response(request, 422, "invalid", f"{field}: {message}" if field else message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):  # type: ignore[no-untyped-def]
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
        response = web.error_response(request, exc.status_code, CODES.get(exc.status_code, "error"), message)
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    @app.exception_handler(IndexNotReady)
    async def _index_building(request: Request, exc: IndexNotReady):  # type: ignore[no-untyped-def]
        # Search, screening, ingestion and review need the name index; until a worker has
        # built it they answer this, and a client retries.
        response = web.error_response(request, 503, "index_building", exc.progress)
        response.headers["retry-after"] = "5"
        return response

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError):  # type: ignore[no-untyped-def]
        status = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 400
        return web.error_response(request, status, CODES[status], str(exc))
