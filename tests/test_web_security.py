"""Sessions, CSRF, rate limiting, headers, uploads, escaping and secrets."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_web_support import (  # noqa: F401 - fixtures are used by name
    PASSWORD, anon, app, bearer, client, csrf_of, login, sqlite_web,
)

from freedomledger.ledger import LedgerError
from freedomledger.ledger import registry as reg
from freedomledger.model import Name, Person
from freedomledger.web import auth
from freedomledger.web.access import SESSION_COOKIE
from freedomledger.web.sanitise import article_text, highlight
from freedomledger.web.security import RateLimiter


def test_security_headers_everywhere(anon) -> None:
    for path in ("/", "/api/persons", "/static/app.css", "/nowhere", "/api/audit", "/login"):
        headers = anon.get(path).headers
        csp = headers["content-security-policy"]
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'self'" in script_src, path
        assert "frame-ancestors 'none'" in csp, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"], path


def test_session_cookie_flags(anon) -> None:
    anon.get("/login")
    login(anon, "viewer")
    page = anon.get("/login")
    set_cookie = anon.post("/login", data={"username": "viewer", "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)}).headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "Secure" in set_cookie and "SameSite=Lax" in set_cookie


def test_login_and_logout(anon) -> None:
    login(anon, "editor")
    assert anon.get("/api/me").json()["role"] == "editor"
    stolen = anon.cookies.get(SESSION_COOKIE)
    logout = anon.post("/logout", data={"csrf_token": csrf_of(anon.get("/").text)})
    assert logout.status_code == 303
    assert anon.get("/api/me").json()["role"] == "public"
    anon.cookies.set(SESSION_COOKIE, stolen)  # replaying the old cookie does not bring the session back
    assert anon.get("/api/me").json()["role"] == "public"


def test_disabling_or_new_password_ends_sessions(sqlite_web, app) -> None:
    with client(app) as c:
        login(c, "viewer")
        assert c.get("/api/me").json()["role"] == "viewer"
        auth.set_password(sqlite_web.ledger, "viewer", "another long password", actor="test")
        assert c.get("/api/me").json()["role"] == "public"
        login(c, "viewer", "another long password")
        auth.set_active(sqlite_web.ledger, "viewer", False, actor="test")
        assert c.get("/api/me").json()["role"] == "public"
        assert c.get("/api/me", headers=bearer(sqlite_web.tokens["viewer"])).status_code == 401


def test_csrf_is_checked_on_every_cookie_post(anon) -> None:
    page = anon.get("/login")
    no_token = anon.post("/login", data={"username": "editor", "password": PASSWORD})
    assert no_token.status_code == 403
    wrong = anon.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": "x" * 64})
    assert wrong.status_code == 403
    login(anon, "editor")
    assert anon.post("/ingest", data={"text": "hello"}).status_code == 403
    body = {"expected_version": 1, "changes": {"notes": "x"}}
    assert anon.patch("/api/persons/ivan-example", json=body).status_code == 403
    token = csrf_of(anon.get("/").text)
    assert anon.patch("/api/persons/ivan-example", json=body, headers={"X-CSRF-Token": token}).status_code == 200
    assert page.status_code == 200


def test_login_rate_limit_per_user_and_address(app) -> None:
    with client(app) as c:
        for _ in range(5):
            token = csrf_of(c.get("/login").text)
            assert c.post("/login", data={"username": "admin", "password": "wrong password!",
                                          "csrf_token": token}).status_code == 401
        token = csrf_of(c.get("/login").text)
        blocked = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
        assert blocked.status_code == 429
        login(c, "viewer")  # another username is not blocked


def test_rate_limiter_is_bounded_and_forgets() -> None:
    limiter = RateLimiter(attempts=2, window_s=10, max_keys=100)
    for i in range(1000):
        limiter.failed(f"user{i}|ip", now=0.0)
    assert len(limiter) == 100
    limiter.failed("a|ip", 0.0)
    limiter.failed("a|ip", 1.0)
    assert limiter.retry_after("a|ip", 2.0) == pytest.approx(8.0)
    assert limiter.retry_after("a|ip", 10.5) == 0.0


def test_passwords_and_tokens_are_never_logged(sqlite_web, app, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with client(app) as c:
        token = csrf_of(c.get("/login").text)
        c.post("/login", data={"username": "editor", "password": "a wrong secret pw", "csrf_token": token})
        login(c, "editor")
        c.get("/api/me", headers=bearer(sqlite_web.tokens["admin"]))
        c.get("/api/me", headers=bearer("flt_not-a-real-token"))
    text = caplog.text
    for secret in ("a wrong secret pw", PASSWORD, sqlite_web.tokens["admin"], "flt_not-a-real-token"):
        assert secret not in text


def test_processes_starting_at_once_share_one_session_key(ledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two server processes on a new PostgreSQL ledger both find no key; the one whose insert
    loses must use the winner's key, not fail to start (found by `serve --workers 2`)."""
    from sqlalchemy import insert

    from freedomledger.store.auth_tables import app_secrets

    if ledger.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE queues the two; there is no race to lose")
    real_utcnow = auth.utcnow

    def other_process_first():  # type: ignore[no-untyped-def]
        # Runs inside our transaction, after its look found no key and before its insert.
        monkeypatch.setattr(auth, "utcnow", real_utcnow)
        with ledger.engine.begin() as other:
            other.execute(insert(app_secrets).values(name="session", value="w" * 64, created_at=real_utcnow()))
        return real_utcnow()

    monkeypatch.setattr(auth, "utcnow", other_process_first)
    assert auth.server_secret(ledger, None) == "w" * 64


def test_no_default_secret(sqlite_web) -> None:
    first = auth.server_secret(sqlite_web.ledger, None)
    assert len(first) >= 40 and auth.server_secret(sqlite_web.ledger, None) == first
    with pytest.raises(LedgerError):
        auth.server_secret(sqlite_web.ledger, "short")
    with pytest.raises(LedgerError):
        auth.create_user(sqlite_web.ledger, "weak", "short", "viewer", actor="test")


def test_open_redirects_are_refused(anon) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        response = anon.get("/prefs/script", params={"value": "cyrillic", "next": target})
        assert response.headers["location"] == "/"


def test_upload_limits(app) -> None:
    with client(app) as c:
        login(c, "editor")
        token = csrf_of(c.get("/ingest").text)
        big = c.post("/ingest", data={"csrf_token": token}, files={"file": ("a.txt", b"x" * (3 * 1024 * 1024))})
        assert big.status_code == 413
        wrong = c.post("/ingest", data={"csrf_token": token}, files={"file": ("a.exe", b"MZ")})
        assert wrong.status_code == 415


def test_user_input_is_escaped(sqlite_web, app) -> None:
    with sqlite_web.ledger.transaction("test") as tx:
        source, _ = tx.source(kind="manual", key="xss")
        reg.upsert_person(tx, Person(key="xss-person", names=[Name(text="<script>alert(1)</script> Xss")]), source)
    with client(app) as c:
        page = c.get("/persons/xss-person").text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        results = c.get("/search", params={"q": "<script>alert(1)</script> Xss"}).text
        assert "<script>alert(1)" not in results


def test_article_html_is_sanitised() -> None:
    html = ('<p>Released <b>today</b>.</p><script>steal()</script><p onclick="x()">Second '
            '<a href="javascript:bad()">link</a></p><style>p{}</style>')
    text = article_text(html)
    assert text == "Released today.\nSecond link"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.tuples(st.integers(-5, 320), st.integers(-5, 320)), max_size=6))
def test_highlight_keeps_the_text(text: str, spans: list[tuple[int, int]]) -> None:
    payload = {"event": {"people": [{"span": [a, b]} for a, b in spans]}}
    pieces = highlight(text, payload)
    assert "".join(piece for piece, _ in pieces) == text
    assert all(piece for piece, _ in pieces)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_script_content_never_survives(raw: str) -> None:
    text = article_text("<p>" + raw + "</p><script>alert(1)</script>")
    assert "alert(1)" not in text or "alert(1)" in raw
    assert "<script" not in text.lower() or "<script" in raw.lower()
