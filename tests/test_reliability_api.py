"""Hostile requests to the API: oversized and deeply nested bodies, bytes that are not UTF-8,
path tricks. Each is refused with a 4xx and the standard error body, never a 5xx, never a file
from outside the static folder."""

from __future__ import annotations

import pytest
from test_web_support import bearer, client, sqlite_web, web_ledger  # noqa: F401 - fixtures are used by name

ERROR_KEYS = {"code", "message", "field"}


def refused(response, *codes: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in codes, (response.status_code, response.text[:300])
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
        assert set(response.json()["error"]) == ERROR_KEYS


@pytest.fixture
def api(sqlite_web):  # type: ignore[no-untyped-def]
    from test_web_support import make_app

    with client(make_app(sqlite_web.ledger)) as c:
        yield c, bearer(sqlite_web.tokens["editor"])


def test_oversized_body_is_413(api) -> None:
    c, editor = api
    body = b'{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    refused(c.post("/api/ingest", content=body, headers=editor | {"content-type": "application/json"}), 413)
    # A Content-Length that lies about a large body is refused before it is read.
    refused(c.post("/api/ingest", content=b"{}", headers=editor | {"content-type": "application/json",
                                                                   "content-length": str(50 * 1024 * 1024)}),
            400, 413)


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_refused(api, depth: int) -> None:
    c, editor = api
    body = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
    refused(c.post("/api/ingest", content=body, headers=editor | {"content-type": "application/json"}), 400, 413, 422)
    edit = b'{"notes": "x", "version": 1, "extra": ' + b"{\"a\":" * depth + b"1" + b"}" * depth + b"}"
    refused(c.patch("/api/persons/anna-example", content=edit, headers=editor | {"content-type": "application/json"}),
            400, 413, 422)


def test_bytes_that_are_not_utf8_are_refused(api) -> None:
    c, editor = api
    for body in (b'{"text": "\xff\xfe Minsk"}', b"\xc3\x28", b'{"text": "\xed\xa0\x80"}'):
        refused(c.post("/api/ingest", content=body, headers=editor | {"content-type": "application/json"}), 400, 422)
    refused(c.get("/api/search", params={"q": b"\xff".decode("latin-1")}), 200)  # a real character, not bytes
    refused(c.get("/api/search?q=%FF%FE"), 200, 400, 422)


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc%2fpasswd",
    "/static/%00", "/persons/..%2f..%2fetc%2fpasswd", "/persons/a%00b", "/api/persons/%2e%2e",
    "/api/persons/" + "a" * 10_000, "//etc/passwd", "/api/../api/persons/anna-example",
])
def test_path_tricks_reach_no_file_and_no_error(api, path: str) -> None:
    c, _ = api
    response = c.get(path)
    assert response.status_code < 500, (path, response.status_code)
    assert "root:" not in response.text


def test_numbers_too_large_for_a_row_id_are_refused(web_ledger) -> None:  # type: ignore[no-untyped-def]
    """Found by schemathesis: GET /api/proposals/<40 digits> overflowed the driver, and a key of
    '³' (str.isdigit accepts superscripts, int does not) raised ValueError: both were 500s."""
    import base64
    import json

    from test_web_support import make_app

    cursor = base64.urlsafe_b64encode(json.dumps({"after": 2**40}).encode()).decode().rstrip("=")
    before = base64.urlsafe_b64encode(json.dumps({"before": 2**40}).encode()).decode().rstrip("=")
    editor = bearer(web_ledger.tokens["admin"])
    with client(make_app(web_ledger.ledger)) as c:
        for path in ("/api/persons/³", "/api/persons/" + "9" * 30, "/persons/" + "9" * 30, "/api/releases/3000000000",
                     "/api/proposals/3000000000", "/api/proposals/" + "9" * 40, f"/api/persons?cursor={cursor}",
                     "/api/audit?subject_id=3000000000", f"/api/audit?cursor={before}"):
            refused(c.get(path, headers=editor), 404, 422)
        refused(c.post("/api/proposals/3000000000/decision", json={"decision": "reject"}, headers=editor), 404, 422)
