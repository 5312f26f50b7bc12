"""Access control, generated from the app's own routes: role x route, with public access on
and off, and a check that no route is missing from the one table of minimum roles."""

from __future__ import annotations

import pytest
from test_web_support import (  # noqa: F401 - fixtures are used by name
    app, bearer, client, login, make_app, sqlite_web,
)

from freedomledger.web.access import ACCESS, route_table
from freedomledger.web.auth import Role

SAMPLE_KEYS = {"/persons": "anna-example", "/organizations": "state-us", "/releases": "rel-1", "/deals": "deal-1",
               "/api/persons": "anna-example", "/api/organizations": "state-us", "/api/releases": "rel-1",
               "/api/deals": "deal-1"}
CALLERS = ("anonymous", "viewer", "editor", "admin")


def concrete(path: str) -> str:
    """A real URL for a route template."""
    if path == "/static":
        return "/static/app.css"
    if "{key}" in path:
        prefix = path.split("/{key}")[0]
        path = path.replace("{key}", SAMPLE_KEYS[prefix])
    return path.replace("{proposal_id}", "1").replace("{job_id}", "no-such-job")


def test_every_route_has_exactly_one_entry(app) -> None:
    keys = {key for info in route_table(app) for key in info.keys()}
    assert keys, "no routes found"
    assert sorted(keys - ACCESS.keys()) == [], "routes without a minimum role in access.ACCESS"
    assert sorted(ACCESS.keys() - keys) == [], "entries in access.ACCESS for routes that no longer exist"


def test_unlisted_route_is_admin_only(sqlite_web) -> None:
    from fastapi import FastAPI

    app: FastAPI = make_app(sqlite_web.ledger)

    @app.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "x"}

    with client(app) as c:
        assert c.get("/api/forgotten").status_code == 401
        assert c.get("/api/forgotten", headers=bearer(sqlite_web.tokens["editor"])).status_code == 403
        assert c.get("/api/forgotten", headers=bearer(sqlite_web.tokens["admin"])).status_code == 200


@pytest.mark.parametrize("public_on", [True, False], ids=["public", "closed"])
def test_role_by_route_matrix(sqlite_web, public_on: bool) -> None:
    app = make_app(sqlite_web.ledger, public=public_on)
    checked = 0
    with client(app) as c:
        for info in route_table(app):
            for method in sorted(info.methods):
                needed = ACCESS[f"{method} {info.path}"]
                url = concrete(info.path)
                for caller in CALLERS:
                    headers = {"Accept": "application/json"}
                    if caller == "anonymous":
                        level = Role.public if public_on else Role.anyone
                    else:
                        level = Role[caller]
                        headers |= bearer(sqlite_web.tokens[caller])
                    response = c.request(method, url, headers=headers, json={} if method != "GET" else None)
                    where = f"{caller} {method} {url} (needs {needed.name})"
                    if level >= needed:
                        refused = response.status_code in (401, 403)
                        # Anonymous form posts without a session fail the CSRF check, not the role check.
                        csrf = refused and response.json()["error"]["code"] == "csrf"
                        assert not refused or csrf, f"{where}: refused with {response.status_code}"
                        assert response.status_code < 500, f"{where}: {response.status_code}"
                    else:
                        expected = 401 if caller == "anonymous" else 403
                        assert response.status_code == expected, f"{where}: got {response.status_code}"
                        assert response.json()["error"]["code"] in ("unauthorised", "forbidden")
                    checked += 1
    assert checked >= 4 * len(ACCESS)


def test_closed_server_still_offers_login(sqlite_web) -> None:
    with client(make_app(sqlite_web.ledger, public=False)) as c:
        assert c.get("/").status_code == 401
        assert "/login" in c.get("/").text
        assert c.get("/api/persons").status_code == 401
        assert c.get("/openapi.json").status_code == 401
        assert c.get("/login").status_code == 200
        assert c.get("/static/app.css").status_code == 200
        login(c, "viewer")
        assert c.get("/").status_code == 200
        assert c.get("/api/persons").status_code == 200
