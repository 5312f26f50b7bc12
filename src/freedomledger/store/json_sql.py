"""JSON built inside the database, the same SQL expression on SQLite and PostgreSQL.

A page that shows one record with its names, statuses and sources used to read them in one
statement each. Aggregating each list into a JSON array in a subquery reads them all in one
round trip, which is most of a page's cost on PostgreSQL (docs/benchmarks.md, web section).
SQLAlchemy has no portable JSON constructor, so these two small constructs render the
dialect's own functions:

    json_rows({"id": names.c.id, "text": names.c.text})
      PostgreSQL: coalesce(json_agg(json_build_object('id', names.id, 'text', names.text)), '[]')
      SQLite:     json_group_array(json_object('id', names.id, 'text', names.text))

The arrays come back as Python lists. Their order is not defined (SQLite before 3.44 has no
ORDER BY inside an aggregate): callers sort. Dates come back as ISO text on both.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import JSON, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

_KEY = re.compile(r"[a-z_][a-z0-9_]*\Z")


class json_object(FunctionElement[Any]):  # noqa: N801 - named like the SQL function it renders
    """One JSON object from alternating key and value expressions."""

    type = JSON()
    inherit_cache = True
    name = "json_object"


class json_array_agg(FunctionElement[Any]):  # noqa: N801
    """The aggregate of its argument's values as a JSON array; [] when there are no rows."""

    type = JSON()
    inherit_cache = True
    name = "json_array_agg"


def iso_date(value: str | None) -> dt.date | None:
    """A date as a JSON aggregate gives it back (ISO text, or null)."""
    return dt.date.fromisoformat(value) if value else None


def json_fields(fields: dict[str, Any]) -> json_object:
    """A JSON object of one row, keyed by the names in `fields` (code constants)."""
    pairs: list[Any] = []
    for key, column in fields.items():
        if not _KEY.match(key):
            raise ValueError(f"JSON key {key!r} must be a lower-case identifier")
        pairs += [literal_column(f"'{key}'"), column]
    return json_object(*pairs)


def json_rows(fields: dict[str, Any]) -> json_array_agg:
    """A JSON array with one object per row, keyed by the names in `fields`."""
    return json_array_agg(json_fields(fields))


@compiles(json_object, "postgresql")
def _object_pg(element: json_object, compiler: Any, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


@compiles(json_object)
def _object_sqlite(element: json_object, compiler: Any, **kw: Any) -> str:
    # SQLite keeps JSON columns as text: json() nests their value instead of quoting it.
    parts = [f"json({compiler.process(c, **kw)})" if isinstance(c.type, JSON) else compiler.process(c, **kw)
             for c in element.clauses]
    return f"json_object({', '.join(parts)})"


@compiles(json_array_agg, "postgresql")
def _array_pg(element: json_array_agg, compiler: Any, **kw: Any) -> str:
    return f"coalesce(json_agg({compiler.process(element.clauses, **kw)}), '[]'::json)"


@compiles(json_array_agg)
def _array_sqlite(element: json_array_agg, compiler: Any, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"
