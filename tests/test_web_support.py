"""Shared fixtures for the web tests: a ledger with public, unpublished and confidential data,
users of every role with API tokens, and clients that log in like a browser.

Import with `from test_web_support import *` (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from freedomledger.ledger import Ledger
from freedomledger.ledger import events as ev
from freedomledger.ledger import registry as reg
from freedomledger.ledger.loading import load_dataset
from freedomledger.model import (
    FuzzyDate,
    Name,
    NameKind,
    Organization,
    Person,
    ReleaseEvent,
    SanctionAction,
    SanctionActionKind,
    Status,
    StatusChange,
)
from freedomledger.sources.sample import read_dataset
from freedomledger.store.tables import release_events
from freedomledger.web import auth
from freedomledger.web.app import create_app
from freedomledger.web.settings import Settings

DATASET = Path(__file__).parent / "fixtures" / "dataset"
# Production argon2 settings cost ~0.15 s a hash; tests make several users per test, so they
# use the cheapest settings. Verification reads the settings from each hash, so logins work.
auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery staple"
# Strings that only unpublished records or confidential fields contain. None may ever reach
# an anonymous visitor or a viewer.
SECRETS = (
    "family contact kept private",  # anna-example's confidential note (fixture dataset)
    "CONFIDENTIAL-MARKER",
    "Secretus",
    "Hiddenov",
    "Хідэнаў",
    "rel-hidden",
    "Hidden Holdings",
    "org-hidden",
)
ROLES = ("viewer", "editor", "admin")


@dataclass
class WebLedger:
    ledger: Ledger
    tokens: dict[str, str]


def fill(ledger: Ledger) -> dict[str, str]:
    """Load the fixture dataset plus the records the web tests need; returns a token per role."""
    with ledger.transaction("test") as tx:
        load_dataset(tx, read_dataset(DATASET))
        source, _ = tx.source(kind="manual", key="web-test-source", title="web test notes")
        maria = reg.upsert_person(tx, Person(
            key="maria-kalesnikava",
            names=[Name(text="Марыя Калеснікава", lang="be", kind=NameKind.official),
                   Name(text="Maria Kalesnikava", lang="be", kind=NameKind.romanisation)],
            citizenships=["BY"], confidential_notes="lawyer line CONFIDENTIAL-MARKER-1",
        ), source)
        reg.add_status(tx, maria, StatusChange(status=Status.detained, date=FuzzyDate.parse("2020-09-07")), source)
        reg.add_status(tx, maria, StatusChange(status=Status.sentenced, date=FuzzyDate.parse("2021-09-06"),
                                               details={"sentence_years": 11}), source)
        hidden = reg.upsert_person(tx, Person(
            key="hidden-person", published=False, confidential_notes="CONFIDENTIAL-MARKER-2",
            names=[Name(text="Secretus Hiddenov"), Name(text="Сэкрэтус Хідэнаў")],
        ), source)
        reg.add_status(tx, hidden, StatusChange(status=Status.detained, date=FuzzyDate.parse("2022-01-10")), source)
        rel = ev.upsert_release(tx, ReleaseEvent(key="rel-hidden", releasing_state="BY",
                                                 date=FuzzyDate.parse("2024-05-01"), announced_count=3), source)
        tx.update(release_events, rel, {"published": False})
        org = reg.upsert_organization(tx, Organization(key="org-hidden", published=False,
                                                       names=[Name(text="Hidden Holdings")]), source)
        ev.upsert_sanction_action(tx, SanctionAction(authority="EU", action=SanctionActionKind.designated,
                                                     date=FuzzyDate.parse("2023-01-01")), source,
                                  key="eu-hidden", organization_id=org)
    tokens = {}
    for role in ROLES:
        auth.create_user(ledger, role, PASSWORD, role, actor="test")
        tokens[role] = auth.create_token(ledger, role, "tests", actor="test")[1]
    return tokens


def make_app(ledger: Ledger, **settings: object) -> FastAPI:
    values = {"secret": "s" * 40, "index_wait_s": 30.0} | settings
    return create_app(Settings(**values), ledger=ledger)  # type: ignore[arg-type]


def client(app: FastAPI) -> TestClient:
    # https, so that the Secure session cookie is sent back like a browser would.
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False, follow_redirects=False)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(c: TestClient, username: str, password: str = PASSWORD) -> None:
    page = c.get("/login")
    response = c.post("/login", data={"username": username, "password": password, "next": "/",
                                      "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def web_ledger(ledger: Ledger) -> WebLedger:
    """SQLite and PostgreSQL (through conftest's `ledger`)."""
    return WebLedger(ledger, fill(ledger))


@pytest.fixture
def sqlite_web(tmp_path: Path) -> Iterator[WebLedger]:
    """SQLite only: for tests about the web layer itself, not about the database."""
    ledger = Ledger.open(str(tmp_path / "web.db"))
    yield WebLedger(ledger, fill(ledger))
    ledger.close()


@pytest.fixture
def app(sqlite_web: WebLedger) -> FastAPI:
    return make_app(sqlite_web.ledger)


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    with client(app) as c:
        yield c


__all__ = [
    "PASSWORD", "ROLES", "SECRETS", "WebLedger", "anon", "app", "bearer", "client", "csrf_of", "fill", "login",
    "make_app", "sqlite_web", "web_ledger",
]
