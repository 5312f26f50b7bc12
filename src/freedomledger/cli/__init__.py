"""The `freedomledger` command: a thin layer over the library.

Each command opens the ledger from --db / $FREEDOMLEDGER_DB (a SQLite path or a
postgresql:// URL; default ./freedomledger.db), calls one library function and prints the
result as a table or, with --json, as JSON.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from freedomledger.cli._common import (
    JsonOption,
    actor,
    console,
    err_console,
    fail,
    open_ledger,
    print_json,
    print_table,
)
from freedomledger.cli.backup import backup, restore, verify
from freedomledger.cli.events import deal_app, print_deals, print_releases, release_app
from freedomledger.cli.extract import extract
from freedomledger.cli.ingest import events, ingest, review
from freedomledger.cli.names import names_app, screen
from freedomledger.cli.registry import org_app, person_app, status_app
from freedomledger.cli.sanctions import sanctions_app
from freedomledger.cli.stats import report, stats_app
from freedomledger.cli.web import serve, user_app
from freedomledger.ledger import LedgerError, queries
from freedomledger.ledger.loading import import_registry, load_dataset
from freedomledger.model import is_number
from freedomledger.sources.registry import RegistryError, read_registry
from freedomledger.sources.sample import DatasetError, default_dir, read_dataset

def user_errors() -> tuple[type[Exception], ...]:
    """Errors that mean "your input is wrong": one clear line and exit 1, no traceback."""
    from freedomledger.extract.text import InputError

    from freedomledger.names.screening import InputError as ScreenInputError

    return (LedgerError, DatasetError, RegistryError, InputError, ScreenInputError, ValidationError,
            OperationalError)


def report_user_error(exc: Exception) -> None:
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        message = (f"cannot use the database ({reason}); check --db / $FREEDOMLEDGER_DB, that the "
                   "server is running and the file is writable")
    elif isinstance(exc, ValidationError):
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or exc.title
        message = f"{exc.title} {place}: {first['msg']}"
    else:
        message = str(exc)
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


class _Group(TyperGroup):
    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except user_errors() as exc:
            report_user_error(exc)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    name="freedomledger",
    help="A sourced, audited ledger of political prisoners, their releases, the deals behind them "
    "and the sanctions relief that paid for them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(person_app, name="person")
app.add_typer(org_app, name="org")
app.add_typer(status_app, name="status")
app.add_typer(release_app, name="release")
app.add_typer(deal_app, name="deal")
app.command()(extract)
app.command()(ingest)
app.command()(review)
app.command()(events)
app.add_typer(names_app, name="names")
app.command()(screen)
app.add_typer(sanctions_app, name="sanctions")
app.add_typer(stats_app, name="stats")
app.command()(report)
app.command()(serve)
app.command()(backup)
app.command()(restore)
app.command()(verify)
app.add_typer(user_app, name="user")


def _ledger_names(spec: str) -> list[tuple[str, str, str]]:
    """`screen --against ledger`: every name of every person and organisation in the registry."""
    with open_ledger().read() as conn:
        return queries.all_names(conn)


def _register_screening_sources() -> None:
    # Sanctions lists register themselves when cli/sanctions.py is imported (above).
    from freedomledger.names.screening import register_against_loader, registered_loaders

    if not any(d.startswith("ledger:") for d in registered_loaders()):
        register_against_loader("ledger", _ledger_names, "ledger: the registry itself (--db)")


@app.callback()
def _options(
    db: str | None = typer.Option(
        None, "--db", envvar="FREEDOMLEDGER_DB",
        help="SQLite file path or postgresql:// URL \\[default: ./freedomledger.db].",
    ),
    actor_name: str | None = typer.Option(
        None, "--actor", envvar="FREEDOMLEDGER_ACTOR", help="Who is making changes (for the audit trail).",
    ),
) -> None:
    del db, actor_name  # each command reads them from the click context (cli/_common.py)
    _register_screening_sources()


@app.command()
def init() -> None:
    """Create the ledger (or upgrade its schema to the current version)."""
    ledger = open_ledger(create=True)
    console.print(f"ledger ready at {ledger.engine.url.render_as_string(hide_password=True)}")


@app.command("load-sample")
def load_sample(
    directory: Path | None = typer.Argument(None, help="Dataset folder \\[default: the bundled sample]."),
) -> None:
    """Load a YAML dataset (the bundled sample by default). Loading twice changes nothing."""
    data = read_dataset(directory or default_dir())
    ledger = open_ledger(create=True)
    with ledger.transaction(actor()) as tx:
        counts = load_dataset(tx, data)
        changes = tx.changes
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    console.print(f"loaded {summary}; {changes} changes written")


@app.command()
def demo(
    as_of: str | None = typer.Option(None, help="Answer as of this date (YYYY-MM-DD)."),
) -> None:
    """Load the bundled sample into the ledger and show who is held, the releases and the deals."""
    load_sample(None)
    date = dt.date.fromisoformat(as_of) if as_of else None
    with open_ledger().read() as conn:
        held = queries.list_persons(conn, held=True, as_of=date)
        releases = queries.list_releases(conn)
        deals = queries.list_deals(conn)
    print_table(held, ["key", "name", "status", "since"],
                title=f"Still held according to the ledger's sources: {len(held)}")
    print_releases(releases)
    print_deals(deals)


@app.command("import")
def import_file(
    path: Path = typer.Argument(..., help="Registry file: .csv (project layout) or .json (Viasna style)."),
    snapshot_date: str | None = typer.Option(
        None, help="Date the file describes (YYYY-MM-DD); needed for Viasna JSON to date open statuses.",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print each warning."),
) -> None:
    """Import a registry file in one transaction: a bad row means nothing is written.

    The CSV layout (one row per person) is documented in docs/registry.md: key, name,
    other_names, gender, birth_date, citizenships, roles, detained, recognised, sentenced,
    sentence, articles, facility, released, release_status, notes, confidential_notes,
    source_url, source_outlet, source_date. Several values in one cell are separated by `|`.
    """
    snapshot = dt.date.fromisoformat(snapshot_date) if snapshot_date else None
    ledger = open_ledger(create=True)
    data = path.read_bytes() if path.exists() else None
    if data is None:
        fail(f"{path}: no such file")
    records = list(read_registry(path, snapshot=snapshot))
    with ledger.transaction(actor()) as tx:
        file_source, _ = tx.source(kind="registry", title=f"registry file {path.name}",
                                   text=data.decode("utf-8", errors="replace"), file_name=path.name,
                                   published=snapshot)
        counts = import_registry(tx, records, file_source_id=file_source)
    if verbose:
        for record in records:
            for warning in record.warnings:
                err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(
        f"{path.name}: {counts['persons']} persons, {counts['status_changes']} status changes, "
        f"{counts['changed']} new or changed, {counts['warnings']} warnings"
    )


@app.command()
def export(
    fmt: str = typer.Option("json", "--format", help="json | csv | ftm (FollowTheMoney entities, JSON lines)."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output."),
    public: bool = typer.Option(False, "--public", help="Only what the public may see."),
) -> None:
    """Export the ledger as JSON, a persons CSV, or FollowTheMoney entities."""
    import json

    from freedomledger import exports

    with open_ledger().read() as conn:
        if fmt == "json":
            text = json.dumps(exports.export_json(conn, public=public), ensure_ascii=False, indent=2, default=str)
        elif fmt == "csv":
            text = exports.export_persons_csv(conn, public=public)
        elif fmt == "ftm":
            text = exports.dumps_jsonl(exports.export_ftm(conn, public=public))
        else:
            fail(f"--format {fmt!r}: use json, csv or ftm")
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@app.command()
def history(
    table: str | None = typer.Option(None, help="Only changes to this table (e.g. persons)."),
    subject: str | None = typer.Option(None, help="Only changes to this record (id, or person key)."),
    actor_name: str | None = typer.Option(None, "--by", help="Only changes by this actor."),
    limit: int = typer.Option(50, help="How many, newest first."),
    json_out: bool = JsonOption,
) -> None:
    """Show the audit trail: who changed what, when, before and after."""
    from freedomledger.ledger.registry import lookup_id
    from freedomledger.store.tables import persons

    with open_ledger().read() as conn:
        subject_id = None
        if subject is not None:
            numeric = is_number(subject)
            subject_id = int(subject) if numeric else lookup_id(conn, persons, subject)
            table = table or (None if numeric else "persons")
        rows = queries.history(conn, table=table, subject_id=subject_id, actor=actor_name, limit=limit)
    if json_out:
        print_json(rows)
    else:
        print_table([r | {"change": _describe_change(r)} for r in rows],
                    ["at", "actor", "action", "subject_table", "subject_id", "change", "reason"],
                    title="Audit trail (newest first)")


def _describe_change(row: dict) -> str:  # type: ignore[type-arg]
    """One short line per audit entry: field: before → after, or the new row's main fields."""
    before, after = row["before"] or {}, row["after"] or {}
    if row["action"] == "update":
        return "; ".join(f"{k}: {before.get(k)!r} → {v!r}" for k, v in after.items() if k != "version")
    shown = {k: v for k, v in after.items() if v not in (None, [], {}, "") and k not in ("created_by",)}
    text = ", ".join(f"{k}={v}" for k, v in list(shown.items())[:4])
    return text if len(text) < 90 else text[:87] + "…"


def main() -> None:
    app()
