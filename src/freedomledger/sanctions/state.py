"""What the importer keeps about a list while it works: snapshots, memberships, entity ids."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.sql import sqltypes

from freedomledger.store.sanctions_tables import list_entities

CHUNK = 2000


@dataclass(slots=True)
class Member:
    id: int
    entity_id: int
    first_id: int
    last_id: int | None  # None: the run is open, it reaches the newest snapshot
    first_at: dt.datetime
    last_at: dt.datetime | None
    hash: str


@dataclass(slots=True)
class Snap:
    id: int
    taken_at: dt.datetime
    as_of: dt.date
    source_id: int | None


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class ListState:
    """What the importer keeps per list between snapshots of one batch."""

    def __init__(self, conn: Connection, list_id: int, key: str, authority: str) -> None:
        self.list_id, self.key, self.authority = list_id, key, authority
        self.entity_ids: dict[str, int] = {}
        self.entity_hash: dict[int, str] = {}
        self.entity_ext: dict[int, str] = {}
        for row in conn.execute(select(list_entities.c.id, list_entities.c.external_id,
                                       list_entities.c.content_hash)
                                .where(list_entities.c.list_id == list_id)):
            self.entity_ids[row.external_id] = row.id
            self.entity_ext[row.id] = row.external_id
            self.entity_hash[row.id] = row.content_hash
        # Members of the newest snapshot, kept so that consecutive appends skip a reload.
        self.latest: tuple[int, dict[str, Member]] | None = None




def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows, all with the same keys. On PostgreSQL through COPY: an OFAC snapshot
    is some 50,000 rows, and executemany spends most of its time in per-row round trips and
    parameter adaptation there. Other databases use a plain executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        for chunk in chunks(rows):
            conn.execute(insert(table), chunk)
        return
    columns = list(rows[0])
    is_json = [isinstance(table.c[name].type, sqltypes.JSON) for name in columns]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name], ensure_ascii=False) if js and row[name] is not None
                            else row[name] for name, js in zip(columns, is_json, strict=True)])
