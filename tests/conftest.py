"""Fixtures shared by the whole suite.

`ledger` is a fresh, migrated ledger, once on a SQLite file and once on PostgreSQL. The
PostgreSQL server comes from $FREEDOMLEDGER_TEST_PG (scripts/test.sh starts one and sets
it); without it the PostgreSQL half is skipped with that reason, except under CI, where a
missing server is a failure rather than a silent skip.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from freedomledger.ledger import Ledger
from freedomledger.store import db

REPO = Path(__file__).resolve().parent.parent
PG_ENV = "FREEDOMLEDGER_TEST_PG"
SHARED_ENV = "FREEDOMLEDGER_SHARED_DATA"
_template_ready: dict[str, str] = {}
_counter = itertools.count()


def shared_data_dir() -> Path:
    return Path(os.environ.get(SHARED_ENV) or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data files in ../shared/data, or a skip saying they are absent."""
    path = shared_data_dir()
    if not (path / "README.md").exists():
        pytest.skip(f"real data folder {path} is absent (set ${SHARED_ENV} to point at it)")
    return path


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI"):
        raise RuntimeError(f"${PG_ENV} is not set: CI must test on PostgreSQL (run scripts/test.sh)")
    return url


def _pg_database(admin_url: str) -> str:
    """A new database copied from a migrated template (much faster than migrating each time)."""
    admin = create_engine(db.resolve_url(admin_url), isolation_level="AUTOCOMMIT")
    base = admin_url.rsplit("/", 1)[0]
    template = f"fl_template_{os.getpid()}"
    try:
        with admin.connect() as conn:
            if template not in _template_ready:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{template}"'))
                conn.execute(text(f'CREATE DATABASE "{template}"'))
                engine = db.make_engine(f"{base}/{template}")
                db.migrate(engine)
                engine.dispose()
                _template_ready[template] = template
            name = f"fl_test_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    return f"{base}/{name}"


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_templates() -> Iterator[None]:
    """The per-process template database goes when the session ends (each costs ~10 MB)."""
    yield
    admin_url = os.environ.get(PG_ENV)
    if admin_url and _template_ready:
        base = admin_url.rsplit("/", 1)[0]
        for template in _template_ready:
            _drop_pg_database(admin_url, f"{base}/{template}")


def _drop_pg_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(db.resolve_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, migrated database: a SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        db.migrate(db.make_engine(url))
        yield url
        return
    admin_url = pg_admin_url()
    if not admin_url:
        pytest.skip(f"no PostgreSQL server (set ${PG_ENV}, as scripts/test.sh does)")
    url = _pg_database(admin_url)
    yield url
    _drop_pg_database(admin_url, url)


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    ledger = Ledger.open(db_url, create=False)
    yield ledger
    ledger.close()


@pytest.fixture
def sqlite_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """For tests about SQLite itself (file locking, online backup)."""
    ledger = Ledger.open(str(tmp_path / "ledger.db"))
    yield ledger
    ledger.close()
