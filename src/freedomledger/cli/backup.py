"""`freedomledger backup`, `restore` and `verify`: copies of the ledger that can be checked.

Register them on the main app as top-level commands:

    app.command()(backup); app.command()(restore); app.command()(verify)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from freedomledger import backup as bk
from freedomledger.cli._common import JsonOption, console, open_ledger, print_json, print_table, current_db
from freedomledger.store import db


def _manifest_rows(manifest: bk.Manifest) -> list[dict[str, Any]]:
    return [{"table": n, "rows": t.rows, "sha256": t.sha256[:16]} for n, t in sorted(manifest.tables.items())]


def backup(
    out: Path = typer.Argument(..., help="File to write (e.g. ledger-2026-03-01.zip); replaced only when complete."),
    fmt: str = typer.Option(
        "archive", "--format",
        help="archive: every table as JSON lines in a ZIP with a manifest (any database, restores into "
        "SQLite or PostgreSQL). sqlite: a page copy of a SQLite ledger (SQLite's online backup).",
    ),
    json_out: bool = JsonOption,
) -> None:
    """Back up the ledger while it is in use: one consistent snapshot of every table.

    The backup holds confidential notes and password hashes: store it as safely as the database.
    """
    ledger = open_ledger()
    try:
        manifest = bk.backup(ledger.engine, out, fmt=fmt)
    finally:
        ledger.close()
    summary = {"file": str(out), "bytes": out.stat().st_size, "format": fmt, **manifest.to_dict()}
    if json_out:
        print_json(summary)
        return
    console.print(
        f"wrote {out} ({summary['bytes']:,} bytes): {len(manifest.tables)} tables, "
        f"{manifest.total_rows:,} rows, schema {manifest.schema_revision}"
    )


def restore(
    source: Path = typer.Argument(..., help="A backup archive, or a SQLite ledger file, to restore from."),
    force: bool = typer.Option(False, "--force", help="Replace the contents of a non-empty target ledger."),
    json_out: bool = JsonOption,
) -> None:
    """Restore a backup into the ledger at --db, in one transaction (all or nothing).

    The backup is verified first. The target must be empty unless --force.

    A new database gets the backup's schema, then is upgraded to the current one.

    SQLite and PostgreSQL backups restore into either.
    """
    engine = db.make_engine(current_db())
    try:
        report = bk.restore(source, engine, force=force)
    finally:
        engine.dispose()
    if json_out:
        print_json({**report.__dict__, "total_rows": report.total_rows})
        return
    upgraded = f", upgraded to schema {report.upgraded_to}" if report.upgraded_to else ""
    console.print(
        f"restored {report.total_rows:,} rows in {len(report.tables)} tables from {source} "
        f"(schema {report.schema_revision}{upgraded})"
    )


def verify(
    file: Path = typer.Argument(..., help="The backup to check."),
    compare: bool = typer.Option(
        False, "--compare", help="Also check that the ledger at --db holds exactly what the backup holds."
    ),
    json_out: bool = JsonOption,
) -> None:
    """Check that a backup is complete and intact: manifest, row counts, SHA-256 of every table,
    and a schema revision this version knows. Exit status 1 if anything is wrong."""
    manifest = bk.verify(file)
    differing: list[str] = []
    if compare:
        ledger = open_ledger()
        try:
            live = bk.live_manifest(ledger.engine)
        finally:
            ledger.close()
        names = set(live.tables) | set(manifest.tables)
        differing = sorted(n for n in names if (live.tables.get(n) or bk.TableInfo([], [])).sha256
                           != (manifest.tables.get(n) or bk.TableInfo([], [])).sha256)
        if live.schema_revision != manifest.schema_revision:
            differing.insert(0, f"schema {live.schema_revision} vs {manifest.schema_revision}")
    if json_out:
        print_json({"file": str(file), "ok": not differing, "differs": differing, **manifest.to_dict()})
    else:
        print_table(_manifest_rows(manifest), ["table", "rows", "sha256"],
                    title=f"{file}: schema {manifest.schema_revision}, {manifest.total_rows:,} rows")
        if compare and not differing:
            console.print("the ledger matches the backup, table by table")
    if differing:
        raise bk.BackupError(f"the ledger differs from the backup in: {', '.join(differing)}", where=str(file))
    if not json_out:
        console.print("backup verified")
