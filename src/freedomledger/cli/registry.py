"""Commands for the registry: persons, organisations, status changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from freedomledger.cli._common import JsonOption, actor, console, fail, open_ledger, print_json, print_table
from freedomledger.ledger import Tx, queries
from freedomledger.ledger import registry as reg
from freedomledger.model import FuzzyDate, Name, NameKind, Organization, Person, Status, StatusChange, is_number
from freedomledger.store.tables import organizations, persons

person_app = typer.Typer(help="Add, show, list and edit persons.", no_args_is_help=True)
org_app = typer.Typer(help="Add, show and list organisations.", no_args_is_help=True)
status_app = typer.Typer(help="Record status changes (detained, sentenced, released …).", no_args_is_help=True)

SourceUrl = typer.Option(None, "--source-url", help="Address of the document stating this.")
SourceOutlet = typer.Option(None, "--source-outlet", help="Who published it (e.g. Viasna, Reuters).")
SourceDate = typer.Option(None, "--source-date", help="Publication date, YYYY-MM-DD.")


def source_from_options(tx: Tx, url: str | None, outlet: str | None, published: str | None) -> int:
    """Every fact needs a source; the CLI refuses to write one without."""
    if not url and not outlet:
        fail("every fact needs a source: pass --source-url and/or --source-outlet (with --source-date)")
    try:
        date = dt.date.fromisoformat(published) if published else None
    except ValueError:
        fail(f"--source-date {published!r} is not a date (use YYYY-MM-DD)")
    key = url or f"{outlet}:{date or 'undated'}".lower().replace(" ", "-")
    source_id, _ = tx.source(key=key, kind="article" if url else "manual", url=url, outlet=outlet, published=date)
    return source_id


def parse_date(value: str, option: str) -> FuzzyDate:
    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        fail(f"{option}: {exc}")


@person_app.command("add")
def person_add(
    key: str = typer.Argument(..., help="Stable id, lowercase, e.g. maria-kalesnikava."),
    name: str = typer.Argument(..., help="The main written form of the name."),
    other_name: list[str] = typer.Option([], "--name", help="Another spelling (repeatable)."),
    gender: str = typer.Option("unknown", help="female|male|other|unknown"),
    birth_date: str | None = typer.Option(None, help="YYYY, YYYY-MM or YYYY-MM-DD."),
    citizenship: list[str] = typer.Option([], help="ISO country code (repeatable)."),
    notes: str | None = typer.Option(None, help="Public notes."),
    confidential_notes: str | None = typer.Option(None, help="Notes never shown publicly."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Add a person (or add names and sources to an existing one with the same key)."""
    person = Person(
        key=key, names=[Name(text=name, kind=NameKind.official)] + [Name(text=n) for n in other_name],
        gender=gender, birth_date=parse_date(birth_date, "--birth-date") if birth_date else None,
        citizenships=citizenship, notes=notes, confidential_notes=confidential_notes,
    )
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        person_id = reg.upsert_person(tx, person, source_from_options(tx, source_url, source_outlet, source_date))
    console.print(f"person {key} (id {person_id}) saved")


@person_app.command("show")
def person_show(
    key: str = typer.Argument(..., help="Person key or id."),
    public: bool = typer.Option(False, "--public", help="Show only what the public may see."),
    json_out: bool = JsonOption,
) -> None:
    """Show a person: names, status history and sources."""
    with open_ledger().read() as conn:
        view = queries.person_view(conn, key, public=public)
    if json_out:
        print_json(view)
        return
    console.print(f"[bold]{view['name']}[/] ({view['key']}) — {'HELD' if view['held'] else 'not held'}")
    print_table(view["names"], ["text", "script", "lang", "kind"], title="Names")
    print_table(view["status_history"], ["date", "status", "release", "details"], title="Status history")
    if view.get("confidential_notes"):
        console.print(f"[yellow]confidential:[/] {view['confidential_notes']}")


@person_app.command("list")
def person_list(
    held: bool | None = typer.Option(None, "--held/--not-held", help="Only those held / not held."),
    as_of: str | None = typer.Option(None, "--as-of", help="Status as of this date (YYYY-MM-DD)."),
    public: bool = typer.Option(False, "--public"),
    json_out: bool = JsonOption,
) -> None:
    """List persons with their current custody status."""
    date = parse_date(as_of, "--as-of").end if as_of else None
    with open_ledger().read() as conn:
        rows = queries.list_persons(conn, held=held, as_of=date, public=public)
    if json_out:
        print_json(rows)
    else:
        print_table(rows, ["key", "name", "status", "since"], title=f"{len(rows)} persons")


@person_app.command("edit")
def person_edit(
    key: str = typer.Argument(..., help="Person key or id."),
    expected_version: int | None = typer.Option(None, help="Refuse if the record changed since this version."),
    gender: str | None = typer.Option(None), notes: str | None = typer.Option(None),
    confidential_notes: str | None = typer.Option(None),
    published: bool | None = typer.Option(None, "--published/--unpublished", help="Show publicly or not."),
    add_name: list[str] = typer.Option([], "--add-name", help="Another spelling (repeatable)."),
    reason: str | None = typer.Option(None, help="Why (kept in the audit trail)."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Edit a person's fields; the change and its before/after go into the audit trail."""
    changes: dict[str, Any] = {
        k: v for k, v in dict(gender=gender, notes=notes, confidential_notes=confidential_notes,
                              published=published).items() if v is not None
    }
    if not changes and not add_name:
        fail("nothing to change: give at least one field option")
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        person_id = reg.lookup_id(tx, persons, key)
        if changes:
            tx.update(persons, person_id, changes, expected_version=expected_version, reason=reason)
        if add_name:
            source_id = source_from_options(tx, source_url, source_outlet, source_date)
            for text in add_name:
                reg.add_name(tx, Name(text=text), source_id, person_id=person_id)
    console.print(f"person {key} updated")


@person_app.command("retract")
def person_retract(key: str, reason: str = typer.Option(..., help="Why the record is withdrawn.")) -> None:
    """Withdraw a person record. It is kept, marked retracted, with the reason."""
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        tx.retract(persons, reg.lookup_id(tx, persons, key), reason)
    console.print(f"person {key} retracted")


@org_app.command("add")
def org_add(
    key: str, name: str,
    other_name: list[str] = typer.Option([], "--name", help="Another spelling (repeatable)."),
    kind: str = typer.Option("other", help="company|bank|airline|state_body|ngo|state|media|other"),
    country: str | None = typer.Option(None, help="ISO country code."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Add an organisation (company, bank, state body, NGO, state)."""
    org = Organization(
        key=key, kind=kind, country=country,
        names=[Name(text=name, kind=NameKind.official)] + [Name(text=n) for n in other_name],
    )
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        org_id = reg.upsert_organization(tx, org, source_from_options(tx, source_url, source_outlet, source_date))
    console.print(f"organisation {key} (id {org_id}) saved")


@org_app.command("show")
def org_show(key: str, json_out: bool = JsonOption) -> None:
    """Show an organisation with its names and sanction actions."""
    from freedomledger.exports import org_view

    with open_ledger().read() as conn:
        view = org_view(conn, key)
    if json_out:
        print_json(view)
        return
    console.print(f"[bold]{view['name']}[/] ({view['key']}, {view['kind']}, {view['country'] or '-'})")
    print_table(view["names"], ["text", "script", "lang", "kind"], title="Names")
    print_table(view["sanction_actions"], ["date", "authority", "program", "action"], title="Sanction actions")


@org_app.command("list")
def org_list(json_out: bool = JsonOption) -> None:
    """List organisations."""
    from freedomledger.exports import _org_keys, org_view

    with open_ledger().read() as conn:
        rows = [org_view(conn, k) for k in _org_keys(conn, public=False)]
    if json_out:
        print_json(rows)
    else:
        print_table(rows, ["key", "name", "kind", "country"], title=f"{len(rows)} organisations")


@status_app.command("add")
def status_add(
    person: str = typer.Argument(..., help="Person key or id."),
    status: Status = typer.Argument(..., help="The new status."),
    date: str = typer.Argument(..., help="YYYY, YYYY-MM or YYYY-MM-DD."),
    date_end: str | None = typer.Option(None, help="End of a date range, if the date is uncertain."),
    release: str | None = typer.Option(None, help="Key of the release event this belongs to."),
    detail: list[str] = typer.Option([], help="key=value detail, e.g. sentence_years=11 (repeatable)."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Record a status change for a person."""
    from freedomledger.store.tables import release_events

    details: dict[str, Any] = {}
    for item in detail:
        name, sep, value = item.partition("=")
        if not sep:
            fail(f"--detail {item!r}: expected key=value")
        details[name] = int(value) if is_number(value) else value
    try:
        when = FuzzyDate.parse(date, date_end)
    except ValueError as exc:
        fail(f"date: {exc}")
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        person_id = reg.lookup_id(tx, persons, person)
        release_id = reg.lookup_id(tx, release_events, release) if release else None
        reg.add_status(tx, person_id, StatusChange(status=status, date=when, details=details),
                       source_from_options(tx, source_url, source_outlet, source_date),
                       release_event_id=release_id)
    console.print(f"{person}: {status.value} on {when}")


__all__ = ["org_app", "organizations", "person_app", "source_from_options", "status_app"]
