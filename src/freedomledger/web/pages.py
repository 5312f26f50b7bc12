"""HTML pages for readers: dashboard, search, person, organisation, release and deal pages,
plus login/logout and the script preference."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from freedomledger.web import chart, data
from freedomledger.web.access import SESSION_COOKIE
from freedomledger.web.api.common import public, user, web
from freedomledger.web.api.search import search_page
from freedomledger.web.app import script_of
from freedomledger.web.auth import Role, authenticate, password_hash_of
from freedomledger.web.errors import ApiError
from freedomledger.web.search import IndexNotReady

router = APIRouter(include_in_schema=False)
log = logging.getLogger("freedomledger.web")


def safe_next(target: str | None) -> str:
    """Only same-site paths: no scheme, no host, no protocol-relative '//' (open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    state, hide, script = web(request), public(request), script_of(request)
    _ = state.context(request)["_"]
    held = state.cached(f"held-{state.context(request)['lang']}", hide, lambda conn: chart.held_chart(
        conn, public=hide, title=_("Political prisoners held, by month")))
    with state.ledger.read() as conn:
        releases = data.latest_releases(conn, public=hide, script=script)
        actions = data.latest_actions(conn, public=hide)
        deals = data.deals(conn, public=hide, script=script)
        waiting = data.pending_proposals(conn) if user(request).role >= Role.editor else []
        waiting_count = data.count_pending(conn) if waiting else 0
    return state.render(request, "dashboard.html", held=held, releases=releases, actions=actions, deals=deals,
                        waiting=waiting, waiting_count=waiting_count)


def _form_date(name: str, value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ApiError(422, f"{name}: not a date (use YYYY-MM-DD)", field=name) from None


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, q: str = Query("", max_length=200), status: str = Query("", max_length=40),
    country: str = Query("", max_length=2), since: str = Query("", max_length=10),
    until: str = Query("", max_length=10), cursor: str | None = Query(None, max_length=200),
) -> Response:
    """The search form sends every field, empty ones too; empty means "any"."""
    state = web(request)
    if status and status not in data.STATUS_FILTERS:
        raise ApiError(422, f"status: not one of {', '.join(data.STATUS_FILTERS)}", field="status")
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise ApiError(422, "country: a two-letter code", field="country")
    start, end = _form_date("since", since), _form_date("until", until)
    try:
        page = search_page(request, q, status=status or None, country=country or None, since=start, until=end,
                           kind=None, script_name=script_of(request), cursor=cursor or None,
                           limit=state.settings.page_size)
        warming = None
    except IndexNotReady as exc:
        page, warming = {"items": [], "next_cursor": None, "total": 0, "query": q}, exc.progress
    filters = {"q": q, "status": status, "country": country, "since": since, "until": until}
    return state.render(request, "search.html", page=page, filters=filters, warming=warming,
                        statuses=data.STATUS_FILTERS)


@router.get("/persons/{key}", response_class=HTMLResponse)
def person(request: Request, key: str) -> Response:
    state = web(request)
    with state.ledger.read() as conn:
        view = data.person(conn, key, public=public(request), script=script_of(request))
    return state.render(request, "person.html", person=view)


@router.get("/organizations/{key}", response_class=HTMLResponse)
def organization(request: Request, key: str, as_of: dt.date | None = None) -> Response:
    state = web(request)
    with state.ledger.read() as conn:
        view = data.organization(conn, key, public=public(request), as_of=as_of)
        lists = snapshot_evidence(conn, view["name"], as_of)
    return state.render(request, "organization.html", org=view, as_of=(as_of or dt.date.today()).isoformat(),
                        lists=lists)


def snapshot_evidence(conn: Any, name: str, as_of: dt.date | None) -> list[dict[str, Any]] | None:
    """What the sanctions list snapshots say about this name, when that package is installed."""
    try:
        from freedomledger.sanctions.queries import status_as_of
    except ImportError:
        return None
    from sqlalchemy.exc import DBAPIError

    try:
        return list(status_as_of(conn, name, as_of=as_of, limit=3).get("results", []))
    except DBAPIError as exc:  # snapshot tables not created in this ledger yet
        log.info("list snapshots unavailable: %s", type(exc).__name__)
        conn.rollback()
        return None


@router.get("/releases", response_class=HTMLResponse)
def releases(request: Request) -> Response:
    state = web(request)
    with state.ledger.read() as conn:
        rows = data.releases(conn, public=public(request), script=script_of(request))
    return state.render(request, "releases.html", releases=sorted(rows, key=lambda r: r["date"] or "", reverse=True))


def claims_by_field(claims: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        grouped[claim["field"]].append(claim)
    return dict(grouped)


@router.get("/releases/{key}", response_class=HTMLResponse)
def release(request: Request, key: str) -> Response:
    state = web(request)
    with state.ledger.read() as conn:
        view = data.release(conn, key, public=public(request), script=script_of(request))
    return state.render(request, "release.html", release=view, claims=claims_by_field(view["claims"]))


@router.get("/deals", response_class=HTMLResponse)
def deals(request: Request) -> Response:
    state = web(request)
    with state.ledger.read() as conn:
        rows = data.deals(conn, public=public(request), script=script_of(request))
    return state.render(request, "deals.html", deals=rows)


@router.get("/deals/{key}", response_class=HTMLResponse)
def deal(request: Request, key: str) -> Response:
    state = web(request)
    with state.ledger.read() as conn:
        view = data.deal(conn, key, public=public(request), script=script_of(request))
    return state.render(request, "deal.html", deal=view,
                        claims={r["key"]: claims_by_field(r["claims"]) for r in view["releases"]})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = Query("/", max_length=500)) -> Response:
    return web(request).render(request, "login.html", next=safe_next(next), message=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, username: str = Form(..., max_length=80), password: str = Form(..., max_length=1000),
    next: str = Form("/", max_length=500),
) -> Response:
    state = web(request)
    _ = state.context(request)["_"]
    client = request.client.host if request.client else "?"
    key = f"{username.strip().lower()}|{client}"
    wait = state.limiter.retry_after(key, time.monotonic())
    if wait > 0:
        return state.render(request, "login.html", status=429, next=safe_next(next),
                            message=_("Too many failed attempts. Try again in %(s)s seconds.", s=int(wait) + 1))
    with state.ledger.read() as conn:
        found = authenticate(conn, username, password)
        pw_hash = password_hash_of(conn, found.id) if found else ""
    if found is None:
        state.limiter.failed(key, time.monotonic())
        log.info("failed login for a username from %s", client)  # neither the name nor the password
        return state.render(request, "login.html", status=401, next=safe_next(next),
                            message=_("Wrong username or password."))
    state.limiter.reset(key)
    old = request.scope["state"].get("session")
    if old:
        state.sessions.end(old["sid"], time.time())
    cookie, _session = state.sessions.new(found.id, pw_hash)  # a fresh session id: no fixation
    response = RedirectResponse(safe_next(next), status_code=303)
    response.headers.append("set-cookie", state.cookie_header(SESSION_COOKIE, cookie))
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    state = web(request)
    session = request.scope["state"].get("session")
    if session:
        state.sessions.end(session["sid"], time.time())
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", state.cookie_header(SESSION_COOKIE, "", max_age=0))
    return response


@router.get("/prefs/script")
def choose_script(request: Request, value: str = Query(..., pattern="^(latin|cyrillic)$"),
                  next: str = Query("/", max_length=500)) -> Response:
    """Remember the reader's script for names (a preference, not a secret: no server state)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.headers.append("set-cookie", web(request).cookie_header("fl_script", value, max_age=365 * 86400))
    return response


@router.get("/healthz")
def health(request: Request) -> Response:
    status = web(request).search.status()
    return JSONResponse({"ok": True, "index_ready": {k: "names" in status[k] for k in ("public", "all")}})
