"""Engines and migrations. Every difference between SQLite and PostgreSQL lives here."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.engine import make_url

ENV_VAR = "FREEDOMLEDGER_DB"
DEFAULT_PATH = "freedomledger.db"
MIGRATIONS = Path(__file__).with_name("migrations")
# Execution options for a read-only connection (ignored by PostgreSQL).
READ_ONLY = {"sqlite_begin": "DEFERRED"}


def resolve_url(value: str | None = None) -> str:
    """Turn `--db` / $FREEDOMLEDGER_DB / the default into a SQLAlchemy URL.

    A bare path means a SQLite file; `postgresql://…` URLs are used as they are, with the
    psycopg 3 driver chosen for them.
    """
    value = value or os.environ.get(ENV_VAR) or DEFAULT_PATH
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | None = None, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """An engine whose transactions are safe for concurrent readers and one writer.

    SQLite: WAL so readers never block on the writer, foreign keys on, and
    `BEGIN IMMEDIATE` so that two writers queue at the start of a transaction instead of
    one failing half-way with "database is locked" (the Datasette habit).

    PostgreSQL: `pool_size` connections are kept open. It must cover the threads that use the
    database at once (the web server's handler threads and its background work): past it,
    each extra connection is opened and closed per use, which cost a tenth of the person
    page's throughput and lost psycopg's prepared statements (docs/benchmarks.md).
    """
    url = resolve_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_size=pool_size)
    _ping_idle_connections(engine)
    return engine


PING_IDLE_S = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    """Test a pooled connection before use only when it has sat idle for PING_IDLE_S.

    A connection the server dropped while it was idle (a restart, an idle timeout) is found
    here and replaced, as SQLAlchemy's pool_pre_ping would. pre_ping itself pays a round trip
    at every checkout, for connections used milliseconds ago. If the server goes away under
    load, statements on such connections fail once and SQLAlchemy then replaces the whole pool.
    """

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        now = time.monotonic()
        idle = now - record.info.get("used_at", now)
        record.info["used_at"] = now
        if idle < PING_IDLE_S:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            if not dbapi_connection.autocommit:
                dbapi_connection.rollback()
        except Exception as exc:  # noqa: BLE001 - any failure means: not this connection
            raise DisconnectionError(f"a pooled connection is gone: {exc}") from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Readers ask for a deferred BEGIN (see READ_ONLY) so they never take the write lock.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (creating it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_initialised(engine: Engine) -> bool:
    return "persons" in inspect(engine).get_table_names()
