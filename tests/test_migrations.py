"""Migrations: a ledger made by the first schema keeps every row when upgraded; every
migration's downgrade and upgrade round-trip; the tables in code and the migrations agree."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from conftest import pg_admin_url
from freedomledger.backup import head_revision, reset_sequences
from freedomledger.ledger import Ledger, queries
from freedomledger.ledger import registry as reg
from freedomledger.model import Name, Person
from freedomledger.store import db
from freedomledger.store.tables import metadata
from reliability_helpers import EmptyDatabases, named_rows

FIXTURE = Path(__file__).parent / "fixtures" / "migrations" / "ledger-0001.sql"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    factory = EmptyDatabases(tmp_path, pg_admin_url())
    yield factory(request.param)
    factory.close()


def revisions() -> list[str]:
    """Revision ids from the first to the head."""
    from freedomledger.backup import _scripts

    return [r.revision for r in reversed(list(_scripts().walk_revisions()))]


def load_0001(url: str) -> Engine:
    engine = db.make_engine(url)
    db.migrate(engine, "0001")
    script = FIXTURE.read_text(encoding="utf-8")
    if db.is_sqlite(engine):
        raw = sqlite3.connect(engine.url.database)  # executescript runs the whole file
        raw.executescript(script)
        raw.close()
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql(script)
            reset_sequences(conn)
    return engine


def rows_0001(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    return {t: named_rows(engine, t) for t in tables}


def test_upgrade_from_the_first_schema_keeps_every_row(empty_url: str) -> None:
    engine = load_0001(empty_url)
    old = rows_0001(engine)
    assert sum(map(len, old.values())) == FIXTURE.read_text().count("\nINSERT INTO ")
    assert len(old["persons"]) == 5 and len(old["audit_log"]) > 50
    db.migrate(engine)
    assert db.current_revision(engine) == head_revision()
    for table, rows in old.items():
        columns = rows[0].keys() if rows else ()
        assert named_rows(engine, table, columns=columns) == rows, table
    # The upgraded ledger works: reads, and a write whose new ids follow the old ones.
    ledger = Ledger(engine)
    with ledger.read() as conn:
        view = queries.person_view(conn, "test-one")
        assert view["notes"] == "it's edited;\nover two lines" and view["held"] is True
        assert {p["key"] for p in queries.list_persons(conn)} >= {"anna-example", "test-one"}
    with ledger.transaction("after-upgrade") as tx:
        source_id, _ = tx.source(kind="manual", key="after-upgrade")
        new_id = reg.upsert_person(tx, Person(key="after-upgrade", names=[Name(text="After Upgrade")]), source_id)
    assert new_id == max(r["id"] for r in old["persons"]) + 1
    engine.dispose()


def schema(engine: Engine) -> dict[str, Any]:
    """What a migration can change: tables, columns, keys, indexes, constraints."""
    found = inspect(engine)
    result: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        if table == "alembic_version":
            continue
        result[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            "pk": found.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in found.get_foreign_keys(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
        }
    return result



def test_every_migration_downgrades_and_upgrades_again(empty_url: str, request: pytest.FixtureRequest) -> None:
    """Walk up one revision at a time, then down to the first and up again: the schema at each
    revision is the same both ways, and the rows of the first schema survive the trip."""
    engine = load_0001(empty_url)
    old = rows_0001(engine)
    config = db.alembic_config(engine)
    chain = revisions()
    assert chain[0] == "0001" and chain[-1] == head_revision()
    seen = {"0001": schema(engine)}
    for revision in chain[1:]:
        command.upgrade(config, revision)
        seen[revision] = schema(engine)
    for revision in reversed(chain[:-1]):
        command.downgrade(config, revision)
        assert schema(engine) == seen[revision], f"downgrade to {revision} does not give back its schema"
    for table, rows in old.items():
        assert named_rows(engine, table) == rows, f"{table} changed by the round trip"
    for revision in chain[1:]:
        command.upgrade(config, revision)
        assert schema(engine) == seen[revision], f"upgrade to {revision} differs the second time"
    command.downgrade(config, "base")
    assert schema(engine) == {}
    engine.dispose()


def test_tables_in_code_and_migrations_agree(db_url: str) -> None:
    """A table or column added to `metadata` without a migration would be missing from every
    database `freedomledger init` creates. Make one with store/make_migration.py."""
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == [], "tables and migrations disagree:\n" + "\n".join(map(str, differences[:20]))


def test_first_revision_fixture_is_what_revision_0001_creates() -> None:
    """The fixture's INSERTs name only tables and columns that revision 0001 has."""
    from freedomledger.backup import schema_at

    tables = schema_at("0001")
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("INSERT INTO "):
            table, _, rest = line[len("INSERT INTO "):].partition(" (")
            columns = rest.split(")", 1)[0].split(", ")
            assert columns == [c for c, _ in tables[table]], table
