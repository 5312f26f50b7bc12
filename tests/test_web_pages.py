"""HTML pages through TestClient: what each page shows, editing with a stale form, script choice."""

from __future__ import annotations

import re

import pytest

from test_web_support import (  # noqa: F401 - fixtures are used by name
    app,
    client,
    csrf_of,
    login,
    sqlite_web,
)


def test_reader_pages_show_their_records(app) -> None:
    with client(app) as c:
        dashboard = c.get("/").text
        assert "Release of 250 for sanctions relief" in dashboard and "<svg" in dashboard
        person = c.get("/persons/maria-kalesnikava").text
        assert "Марыя Калеснікава" in person and "2021-09-06" in person and "sentence years" in person
        release = c.get("/releases/rel-1").text
        assert "249" in release and "250" in release and "competing" in release.lower()
        deal = c.get("/deals/deal-1").text
        assert "Envoy meets the president" in deal
        assert c.get("/persons/nobody").status_code == 404
        assert c.get("/search", params={"since": "yesterday"}).status_code == 422


def test_script_choice_changes_names_everywhere(app) -> None:
    with client(app) as c:
        switched = c.get("/prefs/script", params={"value": "cyrillic", "next": "/releases/rel-1"})
        assert switched.status_code == 303 and switched.headers["location"] == "/releases/rel-1"
        assert "Ганна Прыкладава" in c.get("/releases/rel-1").text
        assert "Ганна Прыкладава" in c.get("/search", params={"q": "Prykladava"}).text
        c.get("/prefs/script", params={"value": "latin"})
        assert "Hanna Prykladava" in c.get("/releases/rel-1").text


def test_person_edit_form_and_stale_version(sqlite_web, app) -> None:
    with client(app) as c:
        login(c, "editor")
        form = c.get("/persons/ivan-example/edit").text
        version = int(re.search(r'name="version" value="(\d+)"', form).group(1))
        token = csrf_of(form)
        saved = c.post("/persons/ivan-example/edit", data={"csrf_token": token, "version": version,
                                                           "notes": "moved", "published": "on"})
        assert saved.status_code == 303
        assert "moved" in c.get("/persons/ivan-example").text
        stale = c.post("/persons/ivan-example/edit", data={"csrf_token": token, "version": version,
                                                           "notes": "other", "published": "on"})
        assert stale.status_code == 409 and "changed by someone else" in stale.text
    with client(app) as anonymous:
        assert "moved" in anonymous.get("/persons/ivan-example").text


def test_audit_page_lists_changes_for_admins(sqlite_web, app) -> None:
    with client(app) as c:
        login(c, "admin")
        page = c.get("/audit", params={"table": "users"}).text
        assert "users" in page and "argon2" not in page


def test_review_list_pages_through_proposals(app, monkeypatch) -> None:
    from freedomledger.ingest import ingest_text
    from freedomledger.web import pages_editor

    ledger = app.state.web.ledger
    for day in ("11 September 2025", "21 June 2025", "10 January 2026"):
        ingest_text(ledger, f"MINSK, {day}. Belarus pardoned 14 political prisoners after talks with a US envoy.",
                    actor="test", resolver=lambda name: None)
    monkeypatch.setattr(pages_editor, "REVIEW_PAGE", 2)
    with client(app) as c:
        login(c, "editor")
        first = c.get("/review").text
        shown = re.findall(r'href="/review/(\d+)"', first)
        assert len(shown) == 2 and "Next page" in first
        cursor = re.search(r'cursor=([^"&]+)"', first).group(1)
        second = c.get(f"/review?status=pending&cursor={cursor}").text
        rest = re.findall(r'href="/review/(\d+)"', second)
        assert rest and not set(rest) & set(shown) and int(min(rest)) > int(max(shown))


def test_templates_read_dict_keys_before_attributes() -> None:
    import jinja2

    from freedomledger.web.app import Templates

    env = Templates(undefined=jinja2.StrictUndefined, autoescape=True)
    page = {"items": ["a", "b"], "name": "<b>x</b>"}
    # Jinja's own order gives the dict's items() method here; pages mean the key.
    assert env.from_string("{{ page.items|join(',') }} {{ page.name }}").render(page=page) == "a,b &lt;b&gt;x&lt;/b&gt;"
    assert env.from_string("{{ page.keys()|list|length }}").render(page=page) == "2"  # methods stay reachable
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ page.missing }}").render(page=page)


def test_a_serving_app_collects_request_garbage_young(app) -> None:
    # Request objects living ~100 ms under load must not reach the oldest generation, whose
    # full collections walk the name engine's caches (docs/benchmarks.md, web section).
    import gc

    from freedomledger.web.app import GC_THRESHOLDS

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        with client(app) as c:
            assert c.get("/healthz").status_code == 200
            assert gc.get_threshold() == GC_THRESHOLDS
        young, middle, _ = GC_THRESHOLDS
        assert young * middle >= 100_000  # allocations between middle collections
    finally:
        gc.set_threshold(*before)
