"""Backups that any installation can check and restore, on SQLite or PostgreSQL.

The main format is a logical dump: a ZIP archive holding one JSON-lines member per table
(`tables/<name>.jsonl`, one JSON array per row, in primary-key order) and a `manifest.json`
with, per table, the column names and kinds, the row count and the SHA-256 of the member,
plus the Alembic revision of the schema. The manifest is written last, so an archive cut
short has none and is refused. Because values are written in one spelling whichever database
they came from, a SQLite backup restores into PostgreSQL and back, and two backups of the same
data have the same per-table hashes. Everything is read in one snapshot (a deferred read
transaction under WAL on SQLite, REPEATABLE READ on PostgreSQL), so a backup can be taken
while the ledger is in use.

A SQLite ledger can also be copied page by page with SQLite's online backup API
(`fmt="sqlite"`); such a copy is a working ledger file, and `restore` accepts it as a source.

A hand-written dump rather than pg_dump: pg_dump output cannot be loaded into SQLite, needs
matching client binaries, and cannot be verified without a server. Backups hold confidential
notes and password hashes; keep them as protected as the database itself.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, Text, cast, func, insert, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import DBAPIError

from freedomledger import __version__
from freedomledger.ledger import LedgerError
from freedomledger.store import db

FORMAT = "freedomledger-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
BATCH = 1000
_ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(LedgerError):
    """A backup cannot be written, checked or restored; says which file, table or row."""


@dataclass
class TableInfo:
    columns: list[str]
    kinds: list[str]
    rows: int = 0
    sha256: str = ""


@dataclass
class Manifest:
    schema_revision: str | None
    source_dialect: str
    tables: dict[str, TableInfo] = field(default_factory=dict)
    created_at: str = ""
    app_version: str = __version__
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Read a manifest, checking every field's type (it comes from a file)."""
        tables = data.get("tables")
        if not isinstance(tables, dict):
            raise ValueError("'tables' is not a mapping")
        infos = {}
        for name, info in tables.items():
            if not (isinstance(info, dict) and set(info) == {"columns", "kinds", "rows", "sha256"}
                    and isinstance(info["columns"], list) and all(isinstance(c, str) for c in info["columns"])
                    and isinstance(info["kinds"], list) and len(info["kinds"]) == len(info["columns"])
                    and all(k in KINDS for k in info["kinds"]) and type(info["rows"]) is int
                    and isinstance(info["sha256"], str)):
                raise ValueError(f"the entry for table {name!r} is malformed")
            infos[name] = TableInfo(**info)
        fields = {k: v for k, v in data.items() if k != "tables"}
        types = {"schema_revision": str, "source_dialect": str, "created_at": str, "app_version": str,
                 "format": str, "format_version": int}
        if set(fields) != set(types) or any(type(fields[k]) is not t for k, t in types.items()):
            raise ValueError(f"the fields must be {', '.join(sorted(types))}, with their types")
        return cls(tables=infos, **fields)

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


# --- one spelling per value -----------------------------------------------------------------

_KIND_OF_TYPE = ((sqltypes.JSON, "json"), (sqltypes.DateTime, "datetime"), (sqltypes.Date, "date"),
                 (sqltypes.Time, "time"), (sqltypes.Boolean, "bool"), (sqltypes.Integer, "int"),
                 (sqltypes.Numeric, "decimal"), (sqltypes.LargeBinary, "bytes"))
KINDS = frozenset(name for _, name in _KIND_OF_TYPE) | {"text"}


def _kind(type_: sqltypes.TypeEngine[Any]) -> str:
    for cls, name in _KIND_OF_TYPE:
        if isinstance(type_, cls):
            return name
    return "text"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":  # read as text (see _select) so that SQL NULL and JSON null stay apart
        return canonical_json(json.loads(value))
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "bytes":
        return bytes(value).hex()
    if kind == "bool":
        return bool(value)
    return value


_PLAIN = {"bool": bool, "int": int, "text": str}


def _decode(value: Any, kind: str, json_null: Any) -> Any:
    """The Python value for a column of `kind`; ValueError if `value` is not one."""
    if value is None:
        return None
    if kind in _PLAIN:
        if type(value) is not _PLAIN[kind]:
            raise ValueError(f"{value!r} is not a {kind} value")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a {kind} value")
    if kind == "json":
        parsed = json.loads(value)
        return json_null if parsed is None else parsed
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "decimal":
        try:
            return decimal.Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal value") from None
    return bytes.fromhex(value)


def _line(values: list[Any]) -> bytes:
    return (canonical_json(values) + "\n").encode("utf-8")


# --- reading a database ---------------------------------------------------------------------

def _reflect(conn: Connection) -> dict[str, Table]:
    meta = MetaData()
    meta.reflect(bind=conn)
    return {t.name: t for t in meta.sorted_tables if t.name != VERSION_TABLE}


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except DBAPIError:
        return None


def _select(table: Table):  # type: ignore[no-untyped-def]
    cols = [cast(c, Text).label(c.name) if _kind(c.type) == "json" else c for c in table.columns]
    return select(*cols).order_by(*(table.primary_key.columns or table.columns))


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one committed state of the database."""
    conn = engine.connect()
    if db.is_sqlite(engine):
        conn.execution_options(**db.READ_ONLY)
    else:
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def _table_rows(conn: Connection, table: Table, kinds: list[str]) -> Iterator[list[Any]]:
    result = conn.execution_options(yield_per=BATCH).execute(_select(table))
    for row in result:
        yield [_encode(v, k) for v, k in zip(row, kinds, strict=True)]


def _table_lines(conn: Connection, table: Table, kinds: list[str]) -> Iterator[bytes]:
    return (_line(values) for values in _table_rows(conn, table, kinds))


def live_manifest(engine: Engine) -> Manifest:
    """The manifest a backup of this database would have now (for comparing with a backup)."""
    with _snapshot(engine) as conn:
        manifest = Manifest(_revision(conn), engine.dialect.name)
        for name, table in _reflect(conn).items():
            info = TableInfo([c.name for c in table.columns], [_kind(c.type) for c in table.columns])
            digest = hashlib.sha256()
            for line in _table_lines(conn, table, info.kinds):
                digest.update(line)
                info.rows += 1
            info.sha256 = digest.hexdigest()
            manifest.tables[name] = info
    return manifest


# --- writing a backup -----------------------------------------------------------------------

def _atomic_target(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(handle)
    return Path(name)


def backup(engine: Engine, out: Path, *, fmt: str = "archive") -> Manifest:
    """Write a backup of the ledger to `out` (replaced only once the new one is complete)."""
    if fmt == "sqlite":
        return _sqlite_copy(engine, out)
    if fmt != "archive":
        raise BackupError(f"unknown backup format {fmt!r}", hint="use archive or sqlite")
    partial = _atomic_target(out)
    try:
        with _snapshot(engine) as conn, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            manifest = Manifest(_revision(conn), engine.dialect.name)
            if manifest.schema_revision is None:
                raise BackupError("the database has no ledger schema", hint="check --db")
            for name, table in _reflect(conn).items():
                info = TableInfo([c.name for c in table.columns], [_kind(c.type) for c in table.columns])
                digest = hashlib.sha256()
                with archive.open(f"tables/{name}.jsonl", "w", force_zip64=True) as member:
                    for line in _table_lines(conn, table, info.kinds):
                        member.write(line)
                        digest.update(line)
                        info.rows += 1
                info.sha256 = digest.hexdigest()
                manifest.tables[name] = info
            manifest.created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            archive.writestr(MANIFEST, json.dumps(manifest.to_dict(), indent=1, ensure_ascii=False))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _sqlite_copy(engine: Engine, out: Path) -> Manifest:
    if not db.is_sqlite(engine):
        raise BackupError("--format sqlite copies a SQLite ledger only", hint="use the archive format")
    partial = _atomic_target(out)
    try:
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            with target:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
            target.close()
        finally:
            raw.close()
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return verify(out)


# --- reading a backup -----------------------------------------------------------------------

def _kind_of_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read the backup: {exc.strerror}", where=str(path)) from None
    if head.startswith(_ZIP_MAGIC):
        return "archive"
    if head == _SQLITE_MAGIC:
        return "sqlite"
    raise BackupError("not a Freedom Ledger backup (neither a backup archive nor a SQLite file)",
                      where=str(path), hint="give the file `freedomledger backup` wrote")


def _file_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> Manifest:
    try:
        data = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError("the archive has no manifest: the backup did not finish", where=str(path)) from None
    except (ValueError, RecursionError) as exc:
        raise BackupError(f"the manifest is not valid JSON: {exc}", where=f"{path}:{MANIFEST}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("the manifest does not describe a Freedom Ledger backup", where=f"{path}:{MANIFEST}")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format version {data.get('format_version')} is not supported",
                          where=str(path), hint=f"this version reads format {FORMAT_VERSION}")
    try:
        return Manifest.from_dict(data)
    except ValueError as exc:
        raise BackupError(f"the manifest is malformed: {exc}", where=f"{path}:{MANIFEST}") from None


def _archive_rows(archive: zipfile.ZipFile, path: Path, name: str, info: TableInfo) -> Iterator[list[Any]]:
    member = f"tables/{name}.jsonl"
    try:
        handle = archive.open(member)
    except KeyError:
        raise BackupError(f"table {name} is listed in the manifest but missing", where=str(path)) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                values = json.loads(raw)
            except (ValueError, RecursionError):
                raise BackupError("a row is not valid JSON", where=f"{path}:{member}:{number}") from None
            if not isinstance(values, list) or len(values) != len(info.columns):
                raise BackupError(f"a row has not the {len(info.columns)} values of the manifest",
                                  where=f"{path}:{member}:{number}")
            yield values


@lru_cache(maxsize=8)
def schema_at(revision: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Tables, with (column, kind) pairs, that the migrations create at `revision`."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = db.make_engine(str(Path(scratch) / "schema.db"))
        try:
            db.migrate(engine, revision)
            with engine.connect() as conn:
                return {n: tuple((c.name, _kind(c.type)) for c in t.columns) for n, t in _reflect(conn).items()}
        finally:
            engine.dispose()


@lru_cache(maxsize=1)  # reading the migration scripts takes tens of milliseconds; they do not change
def _scripts():  # type: ignore[no-untyped-def]
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    return ScriptDirectory.from_config(config)


def known_revision(revision: str | None) -> bool:
    from alembic.util import CommandError

    if not revision:
        return False
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def head_revision() -> str:
    return str(_scripts().get_current_head())


def _check_schema(manifest: Manifest, where: str) -> None:
    if not known_revision(manifest.schema_revision):
        raise BackupError(f"schema revision {manifest.schema_revision!r} is unknown to this version",
                          where=where, hint="restore it with the Freedom Ledger version that wrote it, or newer")
    expected = schema_at(str(manifest.schema_revision))
    found = {n: tuple(zip(t.columns, t.kinds, strict=True)) for n, t in manifest.tables.items()}
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            raise BackupError(f"table {name} of schema {manifest.schema_revision} is missing", where=where)
        if name not in expected:
            raise BackupError(f"table {name} is not part of schema {manifest.schema_revision}", where=where)
        if expected[name] != found[name]:
            raise BackupError(f"table {name} has columns {found[name]}, schema {manifest.schema_revision} "
                              f"has {expected[name]}", where=where)


def verify(path: Path) -> Manifest:
    """Check a backup is complete and intact; returns its manifest or raises BackupError."""
    if _kind_of_file(path) == "sqlite":
        engine = _file_engine(path)
        try:
            with engine.connect() as conn:
                problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
            if problems != ["ok"]:
                raise BackupError(f"the SQLite file is damaged: {'; '.join(problems[:5])}", where=str(path))
            manifest = live_manifest(engine)
        except DBAPIError as exc:
            raise BackupError(f"cannot read the SQLite file: {exc.orig}", where=str(path)) from None
        finally:
            engine.dispose()
        _check_schema(manifest, str(path))
        return manifest
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            _check_schema(manifest, str(path))
            for name, info in manifest.tables.items():
                digest, rows = hashlib.sha256(), 0
                for values in _archive_rows(archive, path, name, info):
                    digest.update(_line(values))
                    rows += 1
                    _decoded(values, info, f"{path}:tables/{name}.jsonl:{rows}")
                if rows != info.rows or digest.hexdigest() != info.sha256:
                    raise BackupError(f"table {name}: {rows} rows do not match the manifest "
                                      f"({info.rows} rows, sha256 {info.sha256[:12]}…)", where=str(path))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        # zipfile reports a damaged directory as OSError (a seek to a bad offset), too.
        raise BackupError(f"the archive is damaged: {exc}", where=str(path)) from None
    return manifest


# --- restoring ------------------------------------------------------------------------------

@dataclass
class RestoreReport:
    source: str
    schema_revision: str | None
    upgraded_to: str | None
    tables: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def _has_rows(conn: Connection, tables: dict[str, Table]) -> list[str]:
    return [n for n, t in tables.items() if conn.execute(select(func.count()).select_from(t)).scalar()]


def _prepare_target(engine: Engine, revision: str) -> None:
    """Give an empty database the backup's schema; refuse one at another revision."""
    if not db.is_initialised(engine):
        db.migrate(engine, revision)
        return
    current = db.current_revision(engine)
    if current != revision:
        raise BackupError(f"the target database is at schema {current}, the backup at {revision}",
                          hint="restore into a new, empty database; it is upgraded after the restore")


def reset_sequences(conn: Connection) -> None:
    """After rows were written with explicit ids, make PostgreSQL's sequences start past them.

    SQLite needs nothing: it takes the next rowid from the highest one present.
    """
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for name, table in _reflect(conn).items():
        for column in table.primary_key.columns:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": quote(name), "c": column.name}).scalar()
            if sequence:
                highest = f"SELECT MAX({quote(column.name)}) FROM {quote(name)}"
                conn.execute(text(f"SELECT setval(:s, COALESCE(({highest}), 0) + 1, false)"), {"s": sequence})


def restore(path: Path, engine: Engine, *, force: bool = False) -> RestoreReport:
    """Load a verified backup into `engine`'s database in one transaction.

    The target must be empty (or `force=True`, which replaces everything in it). A target
    without a schema gets the backup's schema first and is upgraded to the current one after.
    """
    manifest = verify(path)
    revision = str(manifest.schema_revision)
    _prepare_target(engine, revision)
    counts: dict[str, int] = {}
    source_kind = _kind_of_file(path)
    with engine.begin() as conn:
        tables = _reflect(conn)
        occupied = _has_rows(conn, tables)
        if occupied and not force:
            raise BackupError(f"the target database is not empty ({', '.join(occupied[:5])} have rows)",
                              hint="restore into an empty database, or pass --force to replace its contents")
        for table in reversed(list(tables.values())):
            conn.execute(table.delete())
        with _RowSource(path, source_kind) as rows:
            for name, table in tables.items():
                info = manifest.tables[name]
                counts[name] = _load_table(conn, table, info, rows.of(name, info), path)
        reset_sequences(conn)
    upgraded = None
    if revision != head_revision():
        db.migrate(engine)
        upgraded = head_revision()
    return RestoreReport(str(path), revision, upgraded, counts)


def _load_table(conn: Connection, table: Table, info: TableInfo, rows: Iterator[list[Any]], path: Path) -> int:
    for column in table.columns:
        if isinstance(column.type, sqltypes.JSON):
            column.type.none_as_null = True  # SQL NULL stays NULL; JSON null is sent as JSON.NULL
    json_null = sqltypes.JSON.NULL
    batch: list[dict[str, Any]] = []
    total = 0

    def flush() -> None:
        try:
            conn.execute(insert(table), batch)
        except DBAPIError as exc:
            first, last = batch[0].get("id"), batch[-1].get("id")
            raise BackupError(f"table {table.name}, rows id {first}..{last}: the database refused them: "
                              f"{str(exc.orig).splitlines()[0]}", where=str(path),
                              hint="nothing was restored") from None
        batch.clear()

    for values in rows:
        total += 1
        batch.append(_decoded(values, info, f"{path}:tables/{table.name}.jsonl:{total}", json_null))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return total


def _decoded(values: list[Any], info: TableInfo, where: str, json_null: Any = None) -> dict[str, Any]:
    try:
        return {c: _decode(v, k, json_null) for c, v, k in zip(info.columns, values, info.kinds, strict=True)}
    except (ValueError, RecursionError) as exc:
        raise BackupError(f"a value does not fit its column: {str(exc)[:200]}", where=where) from None


class _RowSource:
    """Rows of each table from an archive or from a SQLite ledger file, in one spelling."""

    def __init__(self, path: Path, kind: str):
        self.path, self.kind = path, kind
        self._archive: zipfile.ZipFile | None = None
        self._conn: Connection | None = None
        self._engine: Engine | None = None

    def __enter__(self) -> _RowSource:
        if self.kind == "archive":
            self._archive = zipfile.ZipFile(self.path)
        else:
            self._engine = _file_engine(self.path)
            self._conn = self._engine.connect()
            self._tables = _reflect(self._conn)
        return self

    def of(self, name: str, info: TableInfo) -> Iterator[list[Any]]:
        if self._archive is not None:
            return _archive_rows(self._archive, self.path, name, info)
        assert self._conn is not None
        return _table_rows(self._conn, self._tables[name], info.kinds)

    def __exit__(self, *exc: object) -> None:
        if self._archive is not None:
            self._archive.close()
        if self._conn is not None and self._engine is not None:
            self._conn.close()
            self._engine.dispose()
