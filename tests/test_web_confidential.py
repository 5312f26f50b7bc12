"""Confidential fields and unpublished records never reach anonymous visitors or viewers:
every readable route is fetched with visible and hidden keys and with searches for hidden
names, and no response may contain any of the secret strings."""

from __future__ import annotations

import pytest
from test_web_support import (  # noqa: F401 - fixtures are used by name
    SECRETS, bearer, client, make_app, web_ledger,
)

from freedomledger.web.access import ACCESS, route_table
from freedomledger.web.auth import Role

VISIBLE = {"/persons": "anna-example", "/organizations": "state-us", "/releases": "rel-1", "/deals": "deal-1"}
HIDDEN = {"/persons": "hidden-person", "/organizations": "org-hidden", "/releases": "rel-hidden", "/deals": "deal-1"}
# Query strings for list, search and export routes (others ignore unknown parameters).
PROBES = [
    {"q": "Secretus Hiddenov"}, {"q": "Хідэнаў"}, {"name": "Secretus Hiddenov"}, {"name": "Hidden Holdings"},
    {"q": "Hidden Holdings"}, {"q": "Prykladava"}, {"status": "held"}, {"format": "json"}, {"format": "csv"},
    {"format": "ftm"}, {"script": "cyrillic"}, {},
]
RECORD_PROBES = [{}, {"script": "cyrillic"}]


def urls(path: str) -> list[str]:
    if path == "/static":
        return ["/static/app.css", "/static/app.js"]
    if "{key}" not in path:
        return [path]
    prefix = path.split("/{key}")[0].removeprefix("/api")
    return [path.replace("{key}", VISIBLE[prefix]), path.replace("{key}", HIDDEN[prefix]),
            path.replace("{key}", "3"), path.replace("{key}", "5")]  # numeric ids reach records too


def readable_routes(app) -> list[str]:
    return [info.path for info in route_table(app) if "GET" in info.methods
            and ACCESS[f"GET {info.path}"] <= Role.viewer]


@pytest.mark.parametrize("caller", ["anonymous", "viewer"])
def test_no_secret_reaches_public_views(web_ledger, caller: str) -> None:
    if caller == "viewer" and web_ledger.ledger.engine.dialect.name != "sqlite":
        pytest.skip("viewers get the same views as anonymous visitors; the sweep runs for them on SQLite")
    app = make_app(web_ledger.ledger)
    headers = {} if caller == "anonymous" else bearer(web_ledger.tokens[caller])
    fetched = 0
    with client(app) as c:
        routes = readable_routes(app)
        assert "/api/export" in routes and "/persons/{key}" in routes
        for path in routes:
            for url in urls(path):
                for params in (RECORD_PROBES if "{" in path or path == "/static" else PROBES):
                    response = c.get(url, params=params, headers=headers)
                    assert response.status_code < 500, f"{url} {params}: {response.status_code}"
                    body = response.text
                    asked = url + " " + " ".join(params.values())
                    # A 404 may repeat what was asked for; anything else it says must be public.
                    for secret in (s for s in SECRETS if s not in asked):
                        assert secret not in body, f"{caller} saw {secret!r} at {url} {params}"
                    fetched += 1
    assert fetched > 150


def test_editors_do_see_them(web_ledger) -> None:
    """The same probes find the secrets for an editor, so the test above can fail."""
    editor = bearer(web_ledger.tokens["editor"])
    with client(make_app(web_ledger.ledger)) as c:
        assert "CONFIDENTIAL-MARKER-2" in c.get("/api/persons/hidden-person", headers=editor).text
        assert "Secretus" in c.get("/api/search", params={"q": "Secretus Hiddenov"}, headers=editor).text
        assert "rel-hidden" in c.get("/api/releases", headers=editor).text
        assert "family contact kept private" in c.get("/api/export", headers=editor).text
        assert "Hidden Holdings" in c.get("/api/organizations/org-hidden", headers=editor).text
