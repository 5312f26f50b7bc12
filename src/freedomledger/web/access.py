"""Who may call what: one table of minimum roles, enforced for every request in one place.

`ACCESS` names every route ("METHOD /path/{param}") with the least role that may use it. A
route missing from the table is refused to all but admins, and the access-matrix test fails
until it is added, so a new route can never be public by accident.

`Guard` is the ASGI middleware that enforces it: it finds the caller (bearer token, session
cookie or nobody), matches the route, answers 401/403 before any handler runs, limits the
body size, and checks the CSRF token of every unsafe request that relies on a cookie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.routing import Mount, compile_path

from freedomledger.web.auth import ANONYMOUS, Role, User
from freedomledger.web.security import ASGIApp, BodyTooLarge, Receive, Scope, Send, read_body, replay

if TYPE_CHECKING:
    from fastapi import FastAPI

    from freedomledger.web.app import WebState

R = Role
ACCESS: dict[str, Role] = {
    # Always reachable, so that a closed server can still be logged into.
    "GET /static": R.anyone,
    "GET /login": R.anyone,
    "POST /login": R.anyone,
    "POST /logout": R.anyone,
    "GET /prefs/script": R.anyone,
    "GET /healthz": R.anyone,
    # Reading: anonymous when public access is on; public views only below editor.
    "GET /openapi.json": R.public,
    "GET /": R.public,
    "GET /search": R.public,
    "GET /persons/{key}": R.public,
    "GET /organizations/{key}": R.public,
    "GET /releases": R.public,
    "GET /releases/{key}": R.public,
    "GET /deals": R.public,
    "GET /deals/{key}": R.public,
    "GET /api/me": R.public,
    "GET /api/persons": R.public,
    "GET /api/persons/{key}": R.public,
    "GET /api/organizations": R.public,
    "GET /api/organizations/{key}": R.public,
    "GET /api/organizations/{key}/sanctions": R.public,
    "GET /api/releases": R.public,
    "GET /api/releases/{key}": R.public,
    "GET /api/deals": R.public,
    "GET /api/deals/{key}": R.public,
    "GET /api/sanctions": R.public,
    "GET /api/stats": R.public,
    "GET /api/search": R.public,
    "GET /api/screen": R.public,
    "GET /api/export": R.public,
    # Editing.
    "GET /ingest": R.editor,
    "POST /ingest": R.editor,
    "GET /review": R.editor,
    "GET /review/{proposal_id}": R.editor,
    "POST /review/{proposal_id}": R.editor,
    "GET /import": R.editor,
    "POST /import": R.editor,
    "GET /import/jobs/{job_id}": R.editor,
    "GET /persons/{key}/edit": R.editor,
    "POST /persons/{key}/edit": R.editor,
    "PATCH /api/persons/{key}": R.editor,
    "PATCH /api/organizations/{key}": R.editor,
    "PATCH /api/releases/{key}": R.editor,
    "POST /api/ingest": R.editor,
    "GET /api/proposals": R.editor,
    "GET /api/proposals/{proposal_id}": R.editor,
    "POST /api/proposals/{proposal_id}/decision": R.editor,
    # Administration.
    "GET /audit": R.admin,
    "GET /api/audit": R.admin,
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "fl_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    pattern: re.Pattern[str]

    def keys(self) -> list[str]:
        return [f"{m} {self.path}" for m in sorted(self.methods)]


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every route of the app, flattened through included routers, with its path pattern."""
    try:  # FastAPI >= 0.160 keeps included routers nested; this is its public way to walk them
        from fastapi.routing import iter_route_contexts

        found = [(c.path, c.methods, c.original_route) for c in iter_route_contexts(app.routes)]
    except ImportError:
        found = [(getattr(r, "path", None), getattr(r, "methods", None), r) for r in app.routes]
    table = []
    for path, methods, route in found:
        if not path:
            continue
        if isinstance(route, Mount):
            pattern = re.compile("^" + re.escape(path) + "(/.*)?$")
            methods = {"GET"}
        else:
            pattern = compile_path(path)[0]
        table.append(RouteInfo(path, frozenset(m for m in (methods or {"GET"}) if m != "HEAD"), pattern))
    return table


def route_key(table: list[RouteInfo], method: str, path: str) -> str | None:
    """'METHOD /template' of the route this request reaches, or None for an unknown path."""
    method = "GET" if method == "HEAD" else method
    partial = None
    for info in table:
        if info.pattern.match(path):
            if method in info.methods:
                return f"{method} {info.path}"
            partial = partial or f"{method} {info.path}"
    # A known path with another method: the router answers 405, under that path's rules.
    return partial


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


class Guard:
    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI, web: WebState):
        self.app, self.fastapi_app, self.web = app, fastapi_app, web
        self._table: list[RouteInfo] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        web = self.web
        request = Request(scope)
        state = scope.setdefault("state", {})
        user, session, new_cookie = await self._identify(request)
        if self._table is None:  # built at the first request, when every route is registered
            self._table = route_table(self.fastapi_app)
        key = route_key(self._table, scope["method"], scope["path"])
        needed = ACCESS.get(key, Role.admin) if key else Role.public
        level = user.role if not user.is_anonymous else (Role.public if web.settings.public else Role.anyone)
        if level < needed:
            if user.id == -1:
                await self._refuse(request, 401, "unauthorised", "the API token is unknown or revoked",
                                   send, session, new_cookie)
            elif user.is_anonymous:
                await self._refuse(request, 401, "unauthorised", "log in first", send, session, new_cookie)
            else:
                await self._refuse(request, 403, "forbidden",
                                   f"this needs the {needed.name} role; you are {user.role.name}",
                                   send, session, new_cookie)
            return
        if scope["method"] in UNSAFE:
            limit = web.settings.max_registry_bytes if key == "POST /import" else web.settings.max_upload_bytes
            limit += 64 * 1024  # room for the form fields around an upload of the maximum size
            try:
                declared = int(request.headers.get("content-length") or 0)
                if declared > limit:
                    raise BodyTooLarge
                body = await read_body(receive, limit)
            except BodyTooLarge:
                await self._refuse(request, 413, "too_large",
                                   f"the request body is over {limit // 1024} KiB", send, session, new_cookie)
                return
            except ValueError:
                await self._refuse(request, 400, "bad_request", "bad Content-Length", send, session, new_cookie)
                return
            receive = replay(body)
            if user.via != "token" and not await self._csrf_ok(request, body, session):
                await self._refuse(request, 403, "csrf", "the form has expired or did not come from this site; "
                                   "reload the page and try again", send, session, new_cookie, field=CSRF_FIELD)
                return
        state["user"] = user
        state["session"] = session
        state["csrf"] = web.sessions.csrf_token(session["sid"]) if session else ""
        await self.app(scope, receive, self._with_cookie(send, new_cookie))

    async def _identify(self, request: Request) -> tuple[User, dict[str, Any] | None, str | None]:
        """(user, session data, new cookie to set). Bearer tokens take no cookie and need no CSRF."""
        web = self.web
        authorization = request.headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
            user = await run_in_threadpool(web.user_for_token, token)
            # A wrong token is refused outright rather than read as anonymous, so a client
            # with a revoked token learns of it instead of silently seeing less.
            return (user or User(-1, "invalid-token", Role.anyone, "token")), None, None
        session = web.sessions.read(request.cookies.get(SESSION_COOKIE))
        if session and session.get("uid"):
            user = await run_in_threadpool(web.user_for_session, session)
            if user is not None:
                return user, session, None
            session = None
        if session is None and not is_api(request.url.path):
            # Anonymous browsers get a session id too, so that the login form has a CSRF token.
            cookie, session = web.sessions.new()
            return ANONYMOUS, session, cookie
        return ANONYMOUS, session, None

    async def _csrf_ok(self, request: Request, body: bytes, session: dict[str, Any] | None) -> bool:
        if session is None:
            return False
        token = request.headers.get(CSRF_HEADER)
        content_type = request.headers.get("content-type", "")
        if token is None and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form: FormData = await Request(request.scope, replay(body)).form()
            try:
                value = form.get(CSRF_FIELD)
                token = value if isinstance(value, str) else None
            finally:
                await form.close()
        return self.web.sessions.csrf_ok(session["sid"], token)

    def _with_cookie(self, send: Send, cookie: str | None) -> Send:
        if cookie is None:
            return send

        async def sender(message: dict[str, Any]) -> None:  # type: ignore[override]
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append(
                    (b"set-cookie", self.web.cookie_header(SESSION_COOKIE, cookie).encode("latin-1"))
                )
            await send(message)

        return sender  # type: ignore[return-value]

    async def _refuse(
        self, request: Request, status: int, code: str, message: str, send: Send,
        session: dict[str, Any] | None, cookie: str | None, field: str | None = None,
    ) -> None:
        request.scope["state"].update(
            user=ANONYMOUS, session=session,
            csrf=self.web.sessions.csrf_token(session["sid"]) if session else "",
        )
        response = self.web.error_response(request, status, code, message, field)
        if status == 401 and is_api(request.url.path):
            response.headers["www-authenticate"] = "Bearer"
        await response(request.scope, replay(b""), self._with_cookie(send, cookie))
