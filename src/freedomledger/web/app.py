"""The application factory: `create_app(settings)` builds one FastAPI app; importing does nothing.

    uvicorn --factory freedomledger.web.app:app_from_env     # or `freedomledger serve`

Layers, outermost first: security headers -> last-resort 500 -> Guard (who is asking, may
they, CSRF, body size) -> FastAPI (routers for /api, HTML pages, /static).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from freedomledger import __version__ as VERSION
from freedomledger.ledger import Ledger
from freedomledger.web import auth, errors, i18n
from freedomledger.web.access import Guard, is_api
from freedomledger.web.auth import ANONYMOUS, Sessions, User
from freedomledger.web.jobs import ImportJobs
from freedomledger.web.search import NameSearch
from freedomledger.web.security import RateLimiter, SecurityHeaders
from freedomledger.web.settings import Settings

HERE = Path(__file__).parent
SCRIPTS = ("latin", "cyrillic")
log = logging.getLogger("freedomledger.web")


SLOW_S = 0.25  # seconds; the held chart costs 0.13-0.18 s on the sample, 0.3 s at 1M persons
SLOW_REFRESH_S = 30.0


@dataclass
class _Cached:
    version: int
    value: Any
    seconds: float
    computed: int  # how many times; the first includes imports and warm-up
    at: float  # time.monotonic() when computed


GC_THRESHOLDS = (10_000, 20, 10)  # see create_app's lifespan


class Templates(jinja2.Environment):
    """Jinja with dict keys looked up first: `r.name` of a page's row (a dict) is `r["name"]`.
    Jinja's own order, attribute first, raises and catches an AttributeError for each such
    lookup, which took a quarter of a search page's render (25 rows, ~10 fields each); a key
    now also wins over a dict method of the same name, as the templates expect
    (`page.items` is the page's items)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class WebState:
    """Everything the handlers share, kept on `app.state.web`."""

    def __init__(self, settings: Settings, ledger: Ledger):
        self.settings, self.ledger = settings, ledger
        self.sessions = Sessions(auth.server_secret(ledger, settings.secret), settings.session_max_age_s)
        self.limiter = RateLimiter(settings.login_attempts, settings.login_window_s)
        self.search = NameSearch(ledger, wait_s=settings.index_wait_s)
        self.jobs = ImportJobs()
        self.cache: dict[tuple[str, bool], _Cached] = {}
        self._cache_locks: dict[tuple[str, bool], threading.Lock] = {}
        self.templates = Templates(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True, extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,  # templates ship with the package; no stat() of each one per page
        )

    # --- identity ------------------------------------------------------------------------
    def user_for_token(self, token: str) -> User | None:
        with self.ledger.read() as conn:
            return auth.user_for_token(conn, token)

    def user_for_session(self, session: dict[str, Any]) -> User | None:
        with self.ledger.read() as conn:
            return self.sessions.user(conn, session)

    def cookie_header(self, name: str, value: str, max_age: int | None = None) -> str:
        age = self.settings.session_max_age_s if max_age is None else max_age
        secure = "; Secure" if self.settings.secure_cookies else ""
        return f"{name}={value}; Path=/; Max-Age={age}; HttpOnly; SameSite=Lax{secure}"

    def cached(self, name: str, public_view: bool, make: Any) -> Any:
        """A value computed once per ledger version and visibility (e.g. the held chart).

        One computation at a time per value: concurrent requests wait for it rather than
        each computing it. A value that took over `SLOW_S` to compute (the chart over a
        million persons) is not recomputed inside a request: the last one is served while a
        thread computes the new one, at most once per `SLOW_REFRESH_S` (or ten times its
        cost), so under steady writes it lags by up to that much instead of keeping the
        database busy with nothing else.
        """
        from freedomledger.web.data import ledger_version

        slot = (name, public_view)
        with self.ledger.read() as conn:
            version = ledger_version(conn)
        entry = self.cache.get(slot)
        if entry is not None and entry.version == version:
            return entry.value
        lock = self._cache_locks.setdefault(slot, threading.Lock())
        if entry is not None and entry.seconds >= SLOW_S and entry.computed > 1:
            due = time.monotonic() - entry.at >= max(SLOW_REFRESH_S, 10 * entry.seconds)
            if due and lock.acquire(blocking=False):
                threading.Thread(target=self._compute, args=(slot, make, lock), daemon=True).start()
            return entry.value
        with lock:
            entry = self.cache.get(slot)
            if entry is None or entry.version != version:
                entry = self._compute(slot, make)
        return entry.value

    def _compute(self, slot: tuple[str, bool], make: Any, release: threading.Lock | None = None) -> _Cached:
        from freedomledger.web.data import ledger_version

        try:
            started = time.perf_counter()
            with self.ledger.read() as conn:
                version = ledger_version(conn)
                value = make(conn)
            before = self.cache.get(slot)
            entry = _Cached(version, value, time.perf_counter() - started, (before.computed if before else 0) + 1,
                            time.monotonic())
            self.cache[slot] = entry
            return entry
        finally:
            if release is not None:
                release.release()

    # --- rendering -------------------------------------------------------------------------
    def context(self, request: Request) -> dict[str, Any]:
        state = request.scope.get("state", {})
        user: User = state.get("user", ANONYMOUS)
        lang = i18n.pick_language(request.cookies.get("fl_lang"), request.headers.get("accept-language"),
                                  self.settings.default_lang)
        return {
            "request": request, "user": user, "csrf": state.get("csrf", ""), "script": script_of(request),
            "lang": lang, "_": i18n.translator(lang), "public_on": self.settings.public,
            "version": VERSION, "path": request.url.path,
            "next_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        }

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        page = self.templates.get_template(template).render(**self.context(request), **values)
        return HTMLResponse(page, status_code=status)

    def error_response(self, request: Request, status: int, code: str, message: str,
                       field: str | None = None) -> Response:
        accept = request.headers.get("accept", "")
        if is_api(request.url.path) or ("application/json" in accept and "text/html" not in accept):
            return JSONResponse(errors.error_body(code, message, field), status_code=status)
        return self.render(request, "error.html", status=status, status_code=status, code=code, message=message)


def script_of(request: Request) -> str:
    chosen = request.cookies.get("fl_script")
    return chosen if chosen in SCRIPTS else "latin"


class _LastResort:
    """Turns an unhandled exception into the standard 500 body, inside the security headers."""

    def __init__(self, app: Any, web: WebState):
        self.app, self.web = app, web

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if scope["type"] != "http" or started:
                raise
            # The traceback is logged without request headers or bodies (tokens, passwords).
            log.error("unhandled error on %s %s\n%s", scope["method"], scope["path"], traceback.format_exc())
            response = JSONResponse(errors.error_body("internal", "internal error; it has been logged"),
                                    status_code=500) if is_api(scope["path"]) else HTMLResponse(
                "<h1>Internal error</h1><p>It has been logged.</p>", status_code=500)
            await response(scope, receive, send)


def create_app(settings: Settings | None = None, *, ledger: Ledger | None = None) -> FastAPI:
    """Open the ledger (it must exist: `freedomledger init`) and build the app around it."""
    from freedomledger.web import pages, pages_editor
    from freedomledger.web.api import router as api_router

    settings = settings or Settings.from_env()
    # Beyond the handler threads: the search index's builder, the cached values' refresher
    # and import jobs.
    ledger = ledger or Ledger.open(settings.db_url, create=False, pool_size=settings.threads + 4)
    web = WebState(settings, ledger)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Handlers run in threads that share one GIL: a few threads per worker serve more
        # requests per second than anyio's default of 40, which mostly trade the GIL
        # (docs/benchmarks.md, web section).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # Under load a request lives ~100 ms, mostly queued. With CPython's default thresholds
        # (700, 10, 10) its objects outlive two young collections and reach the oldest
        # generation; full collections then came every few seconds, each walking the name
        # engine's caches (0.2-0.5 s at 1,000,000 names), and the search page's p95 grew from
        # 105 to 280 ms within two minutes. Young collections every 10,000 allocations and
        # middle ones every 200,000 let request objects die young (docs/benchmarks.md).
        gc.set_threshold(*GC_THRESHOLDS)
        if settings.build_index_on_start:
            # Anonymous readers and viewers search the public index; the full one is built at
            # the first editor's search, so start-up does half the work.
            web.search.start(public=True)
        yield

    app = FastAPI(
        title="Freedom Ledger", version=VERSION, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="Political prisoners, their releases, the deals behind them and sanctions relief. "
        "Errors always have the body {\"error\": {\"code\", \"message\", \"field\"}}.",
    )
    app.state.web = web
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_router)
    app.include_router(pages.router)
    app.include_router(pages_editor.router)
    errors.register(app, web)
    app.add_middleware(Guard, fastapi_app=app, web=web)
    app.add_middleware(_LastResort, web=web)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory`: settings from the environment."""
    return create_app(Settings.from_env())
