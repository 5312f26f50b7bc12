"""`freedomledger extract`: proposed facts from news articles (reads files, writes nothing)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from freedomledger.extract import Extraction, InputError, extract as extract_one, read_documents

_out = Console()
_err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    _err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-03-20",
                                 param_hint="--published") from None


def _print_table(result: Extraction) -> None:
    source = result.source
    where = source.file or "-"
    if source.line:
        where += f", line {source.line}"
    _out.print(f"[bold]{escape(where)}[/]  published {source.published or 'unknown'}  "
               f"language {result.language}", highlight=False)
    if not result.events:
        _out.print("  no events found")
    for event in result.events:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="dim")
        table.add_column()
        count = "" if event.count is None else str(event.count)
        if event.count_qualifier:
            count = f"{count} ({event.count_qualifier})".strip()
        rows = [
            ("kind", event.kind),
            ("date", f"{event.date or '?'} ({event.date_precision or '-'}; {event.date_basis or 'no basis'})"),
            ("count", f"{count}  “{event.count_text}”" if event.count_text else count),
            ("parts", "; ".join(p.text + (f" -> {p.destination}" if p.destination else "")
                                for p in event.count_parts)),
            ("country", event.country or ""),
            ("destination", ", ".join(event.destination)),
            ("released" if event.kind.startswith("release") else "subjects",
             ", ".join(p.name + (f" [{p.person_id}]" if p.person_id else "")
                       for p in (event.released or event.subjects))),
            ("mediators", ", ".join(f"{m.name} ({m.kind})" for m in event.mediators)),
            ("concessions", "; ".join(f"{c.by or '?'} {c.type}: {', '.join(c.targets)}"
                                      for c in event.concessions)),
            ("reported by", ", ".join(event.reported_by)),
            ("confidence", f"{event.confidence:.2f}"),
        ]
        for name, value in rows:
            if value:
                table.add_row(name, escape(value))
        _out.print(table)
    for statement in result.statements:
        channel = f" on {statement.channel}" if statement.channel else ""
        _out.print(f"  [bold]{escape(statement.speaker or 'unknown speaker')}[/]{escape(channel)}: "
                   f"“{escape(statement.quote)}”", highlight=False)


def _ledger_resolver():  # type: ignore[no-untyped-def]
    """Link released people to the registry when a ledger exists (--db or the default file);
    without one, names stay unlinked. Reads only: extraction never writes."""
    from sqlalchemy.engine import make_url

    from freedomledger.cli._common import current_db
    from freedomledger.ingest import person_resolver
    from freedomledger.ledger import Ledger
    from freedomledger.store import db

    url = make_url(db.resolve_url(current_db()))
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None
    engine = db.make_engine(url.render_as_string(hide_password=False))
    if not db.is_initialised(engine):
        return None
    with Ledger(engine).read() as conn:
        return person_resolver(conn)


def extract(
    files: list[Path] = typer.Argument(
        ..., help="Articles: plain text, HTML, or a JSON-lines feed with "
                  '{"url", "published", "title", "text"} per line.'),
    published: str | None = typer.Option(
        None, "--published", help="Publication date (YYYY-MM-DD) for documents that do not "
                                  "carry one; relative dates ('on Thursday') count from it."),
    url: str | None = typer.Option(None, "--url", help="Source URL for documents without one."),
    output_format: str = typer.Option("text", "--format", help="text (a table) or json (one JSON "
                                                                "object per document, one per line)."),
    with_text: bool = typer.Option(False, "--with-text", help="Include the extracted text that "
                                                              "spans index into (JSON only)."),
) -> None:
    """Propose release events, deals and statements found in news articles.

    Reads the files, prints what it finds; writes nothing. Every input is read and checked
    before anything is printed, so a bad feed line stops the run with no partial output.
    """
    if output_format not in {"text", "json"}:
        raise typer.BadParameter(f"{output_format!r}; use text or json", param_hint="--format")
    day = _parse_date(published)
    documents = []
    for path in files:
        try:
            documents.extend(read_documents(path, published=day, url=url))
        except InputError as exc:
            _fail(str(exc))
    resolver = _ledger_resolver()
    results = [extract_one(document, resolver, include_text=with_text) for document in documents]
    if output_format == "json":
        sys.stdout.write("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in results))
        return
    for result in results:
        _print_table(result)


app = typer.Typer(help="Extract proposed facts from news articles.", no_args_is_help=True)
app.command("extract")(extract)
