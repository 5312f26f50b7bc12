"""`freedomledger names ...` (compare, aliases, translit) and `freedomledger screen`."""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from freedomledger.names import (
    DEFAULT_MIN_SCORE,
    DEFAULT_THRESHOLD,
    SYSTEMS,
    InputError,
    build_index,
    compare,
    generate_aliases,
    read_queries,
    resolve_against,
    transliterate,
)
from freedomledger.names import screen as run_screen

names_app = typer.Typer(help="Compare, romanise and find other spellings of names.", no_args_is_help=True)
_out = Console()
_err = Console(stderr=True)


class Kind(str, Enum):
    person = "person"
    organization = "organization"


class Format(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    table = "table"


def _fail(message: str, code: int = 1) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _warn(message: str) -> None:
    _err.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)


def _json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@names_app.command("compare")
def compare_cmd(
    a: str = typer.Argument(..., help="First name."),
    b: str = typer.Argument(..., help="Second name."),
    kind: Kind = typer.Option(Kind.person, "--kind", help="person or organization."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", min=0.0, max=1.0),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Score two names (0..1), say whether they match and why."""
    result = compare(a, b, kind.value, threshold)
    if as_json:
        _json({"a": a, "b": b, **result.to_dict()})
        return
    colour = "green" if result.match else "red"
    _out.print(f"[bold {colour}]{'MATCH' if result.match else 'NO MATCH'}[/] {result.score:.3f}")
    table = Table("A", "B", "score", "why")
    for pair in result.alignment:
        table.add_row(pair.a, pair.b, f"{pair.score:.2f}", pair.describe().split("(", 1)[1].rsplit(",", 1)[0])
    for tok in result.unmatched_a:
        table.add_row(tok, "", "", "only in A")
    for tok in result.unmatched_b:
        table.add_row("", tok, "", "only in B")
    _out.print(table)
    for note in result.notes:
        _out.print(f"- {note}")


@names_app.command("aliases")
def aliases_cmd(
    name: str = typer.Argument(..., help="A person's name in any script."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Likely other spellings: Belarusian and Russian Cyrillic, BGN, national, passport..."""
    aliases = generate_aliases(name)
    if as_json:
        _json([{"name": a.name, "system": a.system} for a in aliases])
        return
    table = Table("spelling", "system")
    for a in aliases:
        table.add_row(a.name, a.system)
    _out.print(table)


@names_app.command("translit")
def translit_cmd(
    text: str = typer.Argument(..., help="Cyrillic text."),
    system: str = typer.Option("bgn", "--system", help=f"One of: {', '.join(SYSTEMS)}."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Romanise Cyrillic text in one system."""
    if system not in SYSTEMS:
        raise _fail(f"unknown system {system!r}; use one of {', '.join(SYSTEMS)}")
    out = transliterate(text, system)
    if as_json:
        _json({"text": text, "system": system, "latin": out})
    else:
        sys.stdout.write(out + "\n")


def _write(results: list, fmt: Format) -> None:  # type: ignore[type-arg]
    if fmt is Format.jsonl:
        for r in results:
            sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["query_id", "query", "rank", "id", "name", "score", "match", "explanation"])
        for r in results:
            if not r.hits:
                writer.writerow([r.query_id, r.query, "", "", "", "", "", ""])
            for rank, h in enumerate(r.hits, start=1):
                writer.writerow([r.query_id, r.query, rank, h.id, h.name, f"{h.score:.4f}",
                                 "true" if h.match else "false", h.explanation])  # fmt: skip
    else:
        table = Table("query id", "query", "#", "id", "name", "score", "match")
        for r in results:
            if not r.hits:
                table.add_row(r.query_id, r.query, "", "", "[dim]no hit[/]", "", "")
            for rank, h in enumerate(r.hits, start=1):
                first = rank == 1
                table.add_row(r.query_id if first else "", r.query if first else "", str(rank), h.id,
                              h.name, f"{h.score:.3f}", "[green]yes[/]" if h.match else "no")  # fmt: skip
        _out.print(table)


def screen(
    queries: Path = typer.Argument(
        ..., help="CSV with id,name columns, or a text file with one name a line."
    ),
    against: str = typer.Option(
        ..., "--against",
        help="CSV/text file of id,name (one id may repeat: aliases), or a registered list "
        "such as 'ledger' or 'ofac@DATE'.",
    ),
    top: int = typer.Option(10, "--top", min=1, help="Hits per query."),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", min=0.0, max=1.0, help="Score at which a hit is a match."
    ),
    min_score: float | None = typer.Option(
        None, "--min-score", min=0.0, max=1.0,
        help=f"Lowest score shown (default: the lower of {DEFAULT_MIN_SCORE} and the threshold).",
    ),
    fmt: Format = typer.Option(Format.jsonl, "--format", help="jsonl, csv or table."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed input rows instead of stopping."),
    kind: Kind | None = typer.Option(None, "--kind", help="Only screen against persons or organizations."),
) -> None:
    """Screen a list of names against another list (or the registry, or a sanctions list)."""
    try:
        query_rows = read_queries(queries, skip_bad=skip_bad, warn=_warn)
        rows = resolve_against(against, skip_bad=skip_bad, warn=_warn)
        index = build_index(rows, kind.value if kind else "person")
    except InputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot read input: {exc}") from None
    results = []
    gen = run_screen(query_rows, index, top, threshold, kind.value if kind else None, min_score)
    with Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=_err, transient=True, disable=len(query_rows) < 200) as progress:  # fmt: skip
        task = progress.add_task("screen", total=len(query_rows))
        for result in gen:
            results.append(result)
            progress.advance(task)
    _write(results, fmt)
