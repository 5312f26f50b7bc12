"""`freedomledger sanctions …`: import list snapshots and ask what was listed when."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from freedomledger.cli._common import JsonOption, actor, console, fail, open_ledger, print_json, print_table
from freedomledger.ledger import LedgerError
from freedomledger.sanctions import (
    KINDS,
    changes,
    import_path,
    lists_view,
    monthly_report,
    status_as_of,
    timeline,
)
from freedomledger.sanctions import screening as sanctions_screening
from freedomledger.sanctions import verify as verify_mod
from freedomledger.sources.common import ListFormatError

sanctions_app = typer.Typer(
    help="Sanctions lists kept as dated snapshots: import them, ask who was listed when, "
    "and what changed.",
    no_args_is_help=True,
)

# `freedomledger screen QUERIES --against ofac@2025-02-01` reads the lists from the ledger
# given by --db; the loader opens it only when such a spec is used.
sanctions_screening.register(open_ledger)

AuthorityOption = typer.Option(None, "--authority", help="US, UK, EU, UN …")
ListOption = typer.Option(None, "--list", help="One list, e.g. ofac-sdn (see `sanctions lists`).")


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date; use YYYY-MM-DD")


@sanctions_app.command("import")
def import_cmd(
    path: Path = typer.Argument(..., help="A list file, a folder of list files or an archive "
                                "of versions."),
    kind: str = typer.Option(..., "--list", help=f"The list format: {', '.join(KINDS)}."),
    date: str | None = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) when "
                                    "the file does not state one."),
    authority: str | None = typer.Option(None, "--authority", help="Authority for a new "
                                         "FollowTheMoney list (US, UK, EU, UN …)."),
    key: str | None = typer.Option(None, "--key", help="List key for FollowTheMoney files "
                                   "\\[default: from the dataset name]."),
    json_out: bool = JsonOption,
) -> None:
    """Import snapshots; a snapshot already held (same content) is skipped. One transaction:
    a bad file anywhere leaves the ledger unchanged."""
    if kind not in KINDS:
        fail(f"--list {kind!r} is not a list format; choose one of {', '.join(KINDS)}")
    ledger = open_ledger()
    try:
        results = import_path(ledger, path, kind, actor=actor(), date=date,
                              authority=authority.upper() if authority else None, list_key=key)
    except (ListFormatError, LedgerError, ValueError) as exc:
        fail(f"{exc}\nNothing was imported.")
    if json_out:
        print_json([r.to_dict() for r in results])
        return
    rows = [{"list": r.list_key, "as_of": r.as_of, "entries": r.entry_count,
             "designated": r.designated, "delisted": r.delisted, "amended": r.amended,
             "status": "imported" if r.created else "already held"} for r in results]
    print_table(rows, ["list", "as_of", "entries", "designated", "delisted", "amended",
                       "status"], title=f"{len(results)} snapshot(s)")
    for r in results:
        for warning in r.warnings:
            console.print(f"[yellow]note[/] {r.as_of}: {warning}", highlight=False)


@sanctions_app.command("lists")
def lists_cmd(list_key: str | None = ListOption, json_out: bool = JsonOption) -> None:
    """The lists held and their snapshots."""
    try:
        with open_ledger().read() as conn:
            data = lists_view(conn, list_key)
    except LedgerError as exc:
        fail(str(exc))
    if json_out:
        print_json(data)
        return
    if list_key:
        for lst in data:
            print_table(lst["snapshots"], ["id", "date", "date_source", "entries", "mode", "file"],
                        title=f"{lst['list']} ({lst['authority']})")
        return
    print_table(data, ["list", "authority", "snapshot_count", "first", "last",
                       "entities_ever_listed", "title"], title="Sanctions lists held")


def _print_status(result: dict[str, Any]) -> None:
    entity = result["entity"]
    verdict = {True: "[bold red]LISTED[/]", False: "[bold green]NOT LISTED[/]",
               None: "[bold yellow]UNKNOWN[/]"}[result["listed"]]
    console.print(f"{entity['name']} — {entity['list']} {entity['external_id']} "
                  f"({entity['authority']}): {verdict} on {result['as_of']}", highlight=False)
    if result["programs"]:
        console.print(f"  programs: {', '.join(result['programs'])}", highlight=False)
    console.print(f"  {result['explanation']}", highlight=False)
    evidence = result["evidence"]
    for label, key in (("last snapshot listing it", "last_listing_snapshot"),
                       ("first snapshot without it", "first_absent_snapshot")):
        snap = evidence.get(key)
        if snap:
            console.print(f"  {label}: {snap['date']} ({snap['file']})", highlight=False)
    since = result.get("since")
    if since and since.get("first_listed_snapshot"):
        absent = since.get("last_absent_snapshot")
        first = since["first_listed_snapshot"]["date"]
        text = (f"between {absent['date']} and {first}" if absent
                else f"at least {first} (the first snapshot held)")
        if since.get("listed_on"):
            text += f"; the list gives {since['listed_on']}"
        console.print(f"  listed since: {text}", highlight=False)
    for action in result.get("other_evidence") or []:
        console.print(f"  other evidence: {action['action']} {action['date_text']} "
                      f"({action.get('notes') or ''})", highlight=False)


@sanctions_app.command("status")
def status_cmd(
    name: str = typer.Argument(..., help="A name, or LIST:ID such as ofac-sdn:44541."),
    authority: str | None = AuthorityOption,
    list_key: str | None = ListOption,
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD \\[default: today]."),
    json_out: bool = JsonOption,
) -> None:
    """Was NAME listed on a date? With the snapshots that show it."""
    day = _day(as_of, "--as-of")
    with open_ledger().read() as conn:
        data = status_as_of(conn, name, as_of=day, authority=authority, list_key=list_key)
    if json_out:
        print_json(data)
        return
    if not data["results"]:
        fail(f"no list entity matches {name!r}"
             + (f" on {authority.upper()} lists" if authority else ""), code=2)
    for result in data["results"]:
        _print_status(result)


@sanctions_app.command("timeline")
def timeline_cmd(
    name: str = typer.Argument(..., help="A name, or LIST:ID such as ofac-sdn:44541."),
    authority: str | None = AuthorityOption,
    list_key: str | None = ListOption,
    json_out: bool = JsonOption,
) -> None:
    """Every change known for NAME, from snapshots and from other evidence."""
    with open_ledger().read() as conn:
        data = timeline(conn, name, authority=authority, list_key=list_key)
    if json_out:
        print_json(data)
        return
    if not data["results"]:
        fail(f"no list entity matches {name!r}", code=2)
    for result in data["results"]:
        entity = result["entity"]
        rows = [{"when": _when(e["date"]), "action": e["action"], "basis": e["basis"],
                 "programs": ", ".join(e.get("programs") or []),
                 "evidence": _evidence_text(e)} for e in result["events"]]
        print_table(rows, ["when", "action", "basis", "programs", "evidence"],
                    title=f"{entity['name']} ({entity['list']} {entity['external_id']})")


def _when(date: dict[str, Any]) -> str:
    if date.get("start") and date.get("end") and date["start"] != date["end"]:
        return f"{date['start']} .. {date['end']}"
    return str(date.get("end") or date.get("start") or "?")


def _evidence_text(event: dict[str, Any]) -> str:
    if event["basis"] == "evidence":
        sources = event.get("sources") or []
        return "; ".join(str(s.get("title") or s.get("url") or s.get("key")) for s in sources)
    ev = event.get("evidence") or {}
    parts = []
    if ev.get("before"):
        parts.append(f"last seen {ev['before']['date']}")
    if ev.get("after"):
        parts.append(f"first seen {ev['after']['date']}")
    return ", ".join(parts)


@sanctions_app.command("changes")
def changes_cmd(
    authority: str | None = AuthorityOption,
    list_key: str | None = ListOption,
    program: str | None = typer.Option(None, "--program", help="Program glob, e.g. 'BELARUS*'."),
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD."),
    action: list[str] = typer.Option([], "--action", help="designated, delisted, amended, "
                                      "eased … (repeatable)."),
    json_out: bool = JsonOption,
) -> None:
    """Designations, delistings and amendments, each with its evidence."""
    with open_ledger().read() as conn:
        rows = changes(conn, authority=authority, list_key=list_key, program=program,
                       since=_day(since, "--since"), until=_day(until, "--until"),
                       actions=action or None)
    if json_out:
        print_json(rows)
        return
    print_table([{"when": _when(r["date"]), "action": r["action"],
                  "who": r.get("name") or r.get("target_name") or "",
                  "list": r.get("list") or r.get("authority"),
                  "programs": ", ".join(r.get("programs") or []),
                  "basis": r["basis"], "evidence": _evidence_text(r)} for r in rows],
                ["when", "action", "who", "list", "programs", "basis", "evidence"],
                title=f"{len(rows)} change(s)")


@sanctions_app.command("report")
def report_cmd(
    authority: str | None = AuthorityOption,
    list_key: str | None = ListOption,
    program: str | None = typer.Option(None, "--program", help="Program glob, e.g. 'BELARUS*'."),
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD."),
    json_out: bool = JsonOption,
) -> None:
    """Designations, delistings and program changes per program and month."""
    with open_ledger().read() as conn:
        rows = monthly_report(conn, authority=authority, list_key=list_key, program=program,
                              since=_day(since, "--since"), until=_day(until, "--until"))
    if json_out:
        print_json(rows)
        return
    print_table(rows, ["program", "month", "designated", "delisted", "program_changed"],
                title="Changes per program and month (month of the first snapshot showing them)")


@sanctions_app.command("verify")
def verify_cmd(
    change_list: Path = typer.Argument(..., help="A change list CSV (snapshot_before, "
                                       "snapshot_after, change, ent_num, …)."),
    list_key: str = typer.Option("ofac-sdn", "--list", help="The list it describes."),
    json_out: bool = JsonOption,
) -> None:
    """Compare the ledger's changes with a change list computed elsewhere."""
    if not change_list.is_file():
        fail(f"{change_list}: no such file")
    with open_ledger().read() as conn:
        result = verify_mod.compare(conn, list_key, change_list)
    if json_out:
        print_json(result.to_dict())
    else:
        console.print(f"expected {result.expected} changes, the ledger has {result.found}: "
                      + ("[green]they agree[/]" if result.agrees else
                         f"[red]{len(result.missing)} missing, {len(result.unexpected)} "
                         "unexpected[/]"), highlight=False)
    if not result.agrees:
        raise typer.Exit(1)
