"""The service layer: one unit of work per change, every write audited, nothing deleted.

    ledger = Ledger.open("ledger.db")            # creates/migrates the schema
    with ledger.transaction(actor="alice") as tx:
        person_id = registry.add_person(tx, person, source_id=...)
    with ledger.read() as conn:
        queries.person_view(conn, "maria-kalesnikava")

A transaction either commits whole or leaves the database as it was: importers build all
their rows inside one `transaction()` and raise on the first bad row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, select, text, update

from freedomledger.store import db
from freedomledger.store.tables import audit_log, claims, sources, utcnow


class LedgerError(Exception):
    """An error a user can act on: what went wrong, where, and how to fix it."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message, self.where, self.hint = message, where, hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class NotFound(LedgerError):
    pass


class Conflict(LedgerError):
    """A write based on a stale version of a record (optimistic locking)."""


def jsonable(value: Any) -> Any:
    """Values as they go into JSON columns and audit records."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def content_hash(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


class Tx:
    """One write transaction: inserts, updates and retractions that audit themselves."""

    def __init__(self, conn: Connection, actor: str):
        self.conn = conn
        self.actor = actor
        self.changes = 0

    def _audit(
        self,
        action: str,
        table: Table,
        row_id: int | None,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        reason: str | None = None,
    ) -> None:
        self.changes += 1
        self.conn.execute(
            insert(audit_log).values(
                at=utcnow(),
                actor=self.actor,
                action=action,
                subject_table=table.name,
                subject_id=row_id,
                before=jsonable(before) if before is not None else None,
                after=jsonable(after) if after is not None else None,
                reason=reason,
            )
        )

    def insert(self, table: Table, values: Mapping[str, Any], *, reason: str | None = None) -> int:
        row_id = self.conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
        self._audit("create", table, row_id, None, values, reason)
        return int(row_id)

    def row(self, table: Table, row_id: int) -> dict[str, Any]:
        found = self.conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
        if found is None:
            raise NotFound(f"no {table.name} row with id {row_id}")
        return dict(found)

    def update(
        self,
        table: Table,
        row_id: int,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> bool:
        """Apply `changes`; returns False when nothing differs. Stale versions raise Conflict."""
        before = self.row(table, row_id)
        has_version = "version" in table.c
        if expected_version is not None and has_version and before["version"] != expected_version:
            raise Conflict(
                f"{table.name} {row_id} was changed by someone else "
                f"(you edited version {expected_version}, it is now at {before['version']})",
                hint="reload the record and apply your edit again",
            )
        delta = {k: v for k, v in changes.items() if jsonable(before.get(k)) != jsonable(v)}
        if not delta:
            return False
        statement = update(table).where(table.c.id == row_id)
        if has_version:
            # The version check in WHERE closes the race between our read and our write.
            statement = statement.where(table.c.version == before["version"])
            delta = {**delta, "version": before["version"] + 1}
        if self.conn.execute(statement.values(**delta)).rowcount != 1:
            raise Conflict(f"{table.name} {row_id} changed while it was being edited", hint="retry")
        self._audit(
            "update", table, row_id, {k: before.get(k) for k in delta}, delta, reason
        )
        return True

    def retract(self, table: Table, row_id: int, reason: str) -> None:
        if not reason.strip():
            raise LedgerError("a retraction needs a reason", hint="say why the fact is withdrawn")
        before = self.row(table, row_id)
        if before.get("retracted_at") is not None:
            return
        self.conn.execute(
            update(table)
            .where(table.c.id == row_id)
            .values(retracted_at=utcnow(), retracted_reason=reason)
        )
        self._audit("retract", table, row_id, {"retracted_at": None}, {"retracted_reason": reason}, reason)

    def source(
        self,
        *,
        kind: str,
        key: str | None = None,
        outlet: str | None = None,
        title: str | None = None,
        url: str | None = None,
        published: dt.date | None = None,
        published_precision: str | None = None,
        text: str | None = None,
        file_name: str | None = None,
    ) -> tuple[int, bool]:
        """Find or create a source; identical documents are stored once. Returns (id, created)."""
        digest = content_hash(text) if text is not None else None
        for column, value in (("key", key), ("content_hash", digest)):
            if value is None:
                continue
            existing = self.conn.execute(
                select(sources.c.id).where(sources.c[column] == value)
            ).scalar()
            if existing is not None:
                return int(existing), False
        values = dict(
            key=key, kind=kind, outlet=outlet, title=title, url=url, published=published,
            published_precision=published_precision or ("day" if published else None),
            retrieved=dt.date.today() if text is not None else None,
            content_hash=digest, text=text, file_name=file_name,
        )
        return self.insert(sources, values), True

    def claim(
        self,
        source_id: int,
        table: Table,
        row_id: int,
        *,
        field: str = "*",
        value: Any = None,
        quote: str | None = None,
        span: tuple[int, int] | None = None,
        status: str = "accepted",
        reason: str | None = None,
    ) -> int:
        """Record that `source_id` states this fact; the same claim twice is kept once."""
        existing = self.conn.execute(
            select(claims.c.id).where(
                claims.c.source_id == source_id,
                claims.c.subject_table == table.name,
                claims.c.subject_id == row_id,
                claims.c.field == field,
            )
        ).all()
        for (claim_id,) in existing:
            if jsonable(self.row(claims, claim_id)["value"]) == jsonable(value):
                return int(claim_id)
        return self.insert(
            claims,
            dict(
                source_id=source_id, subject_table=table.name, subject_id=row_id,
                field=field, value=jsonable(value), quote=quote,
                span_start=span[0] if span else None, span_end=span[1] if span else None,
                status=status, reason=reason, created_by=self.actor,
            ),
        )


WRITER_LOCK = 0x464C_4C44  # "FLLD": the PostgreSQL advisory lock that writers queue on


class Ledger:
    """The ledger over one database. Cheap to create; holds only an engine."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True, pool_size: int = 5) -> Ledger:
        engine = db.make_engine(url, pool_size=pool_size)
        if create:
            db.migrate(engine)
        elif not db.is_initialised(engine):
            raise LedgerError(
                f"no ledger at {engine.url.render_as_string(hide_password=True)}",
                hint="run `freedomledger init` first, or pass --db",
            )
        return cls(engine)

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Tx]:
        if not actor:
            raise LedgerError("every change needs an actor", hint="pass --actor or set $USER")
        with self.engine.begin() as conn:
            if not db.is_sqlite(self.engine):
                # Writers queue, one at a time, as SQLite's BEGIN IMMEDIATE makes them do.
                # Without it two reviews could both find a key free (a new person's, a new
                # release's) and the second would fail on the unique index; edits are rare
                # and short, so the queue costs nothing a reader would notice.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
            yield Tx(conn, actor)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if db.is_sqlite(self.engine):
                conn.execution_options(**db.READ_ONLY)
            else:
                # Under READ COMMITTED every statement sees its own snapshot, in a transaction or
                # not; without one, a page saves the BEGIN and ROLLBACK round trips.
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    def close(self) -> None:
        self.engine.dispose()
