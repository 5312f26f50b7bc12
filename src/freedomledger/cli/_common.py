"""What every command shares: the ledger from --db, output as tables or JSON, clean errors."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from freedomledger.ledger import Ledger

try:  # recent typer releases carry their own copy of click, with its own context stack
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on the real click
    from click import get_current_context  # type: ignore[assignment]

console = Console()
err_console = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _root_option(name: str) -> str | None:
    """An option given before the command (`freedomledger --db X person list`).

    Read from the running click context rather than kept in a global, so that one process
    running several commands (tests, the web app) never sees a previous command's --db.
    """
    ctx = get_current_context(silent=True)
    value = ctx.find_root().params.get(name) if ctx is not None else None
    return str(value) if value else None


def current_db() -> str | None:
    return _root_option("db") or os.environ.get("FREEDOMLEDGER_DB") or None


def open_ledger(*, create: bool = False) -> Ledger:
    return Ledger.open(current_db(), create=create)


def actor() -> str:
    return (_root_option("actor_name") or os.environ.get("FREEDOMLEDGER_ACTOR")
            or f"cli:{getpass.getuser()}")


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], *, title: str | None = None,
    formatters: dict[str, Callable[[Any], str]] | None = None,
) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column.replace("_", " "))
    formatters = formatters or {}
    for row in rows:
        table.add_row(*(
            formatters[c](row.get(c)) if c in formatters else ("" if row.get(c) is None else str(row.get(c)))
            for c in columns
        ))
    console.print(table)
