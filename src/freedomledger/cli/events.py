"""Commands for release events and deals."""

from __future__ import annotations

import typer

from freedomledger.cli._common import JsonOption, actor, console, fail, open_ledger, print_json, print_table
from freedomledger.cli.registry import SourceDate, SourceOutlet, SourceUrl, parse_date, source_from_options
from freedomledger.ledger import events as ev
from freedomledger.ledger import queries
from freedomledger.ledger.registry import add_status, lookup_id
from freedomledger.model import Deal, ReleaseEvent, ReleaseKind, Status, StatusChange
from freedomledger.store.tables import deals, persons, release_events, sanction_actions

release_app = typer.Typer(help="Add, show and list release events.", no_args_is_help=True)
deal_app = typer.Typer(help="Deals: releases, sanction actions and meetings that belong together.",
                       no_args_is_help=True)


@release_app.command("add")
def release_add(
    key: str = typer.Argument(..., help="Stable id, e.g. rel-2026-03-19."),
    date: str = typer.Option(..., help="YYYY-MM-DD (or YYYY-MM)."),
    state: str = typer.Option("BY", help="Releasing state (ISO code)."),
    count: int | None = typer.Option(None, help="Announced number released."),
    kind: ReleaseKind = typer.Option(ReleaseKind.other, help="How they were released."),
    destination: list[str] = typer.Option([], help="Where they were sent (ISO code, repeatable)."),
    mediator: list[str] = typer.Option([], help="Mediator name (repeatable)."),
    person: list[str] = typer.Option([], help="Key of a person released (repeatable)."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Add a release event, with its named persons and mediators."""
    event = ReleaseEvent(key=key, releasing_state=state, date=parse_date(date, "--date"), kind=kind,
                         announced_count=count, destination=destination)
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        source_id = source_from_options(tx, source_url, source_outlet, source_date)
        event_id = ev.upsert_release(tx, event, source_id)
        for name in mediator:
            ev.add_mediator(tx, event_id, name, "person", source_id)
        status = Status.deported if destination else Status.released
        for person_key in person:
            add_status(tx, lookup_id(tx, persons, person_key), StatusChange(status=status, date=event.date),
                       source_id, release_event_id=event_id)
    console.print(f"release {key} saved")


@release_app.command("show")
def release_show(key: str, json_out: bool = JsonOption) -> None:
    """Show a release event: counts announced vs named, people, mediators, sources."""
    with open_ledger().read() as conn:
        view = queries.release_view(conn, key)
    if json_out:
        print_json(view)
        return
    console.print(
        f"[bold]{view['key']}[/]: {view['releasing_state']} released "
        f"{view['announced_count'] if view['announced_count'] is not None else '?'} on {view['date']} "
        f"({view['named_count']} named in the ledger); to {', '.join(view['destination']) or '-'}"
    )
    print_table(view["released"], ["key", "name", "status"], title="Named")
    print_table(view["mediators"], ["name", "kind"], title="Mediators")
    print_table(
        [{"field": c["field"], "value": c["value"], "status": c["status"],
          "source": c["source"]["outlet"] or c["source"]["key"], "published": c["source"]["published"]}
         for c in view["claims"]],
        ["field", "value", "status", "source", "published"], title="Claims",
    )


@release_app.command("list")
def release_list(json_out: bool = JsonOption) -> None:
    """List release events in date order."""
    with open_ledger().read() as conn:
        rows = queries.list_releases(conn)
    if json_out:
        print_json(rows)
        return
    print_releases(rows)


def print_releases(rows: list[dict]) -> None:  # type: ignore[type-arg]
    print_table(
        [r | {"to": ", ".join(r["destination"]), "mediated_by": ", ".join(m["name"] for m in r["mediators"])}
         for r in rows],
        ["date", "key", "announced_count", "named_count", "to", "mediated_by"],
        title=f"{len(rows)} release events",
    )


@deal_app.command("add")
def deal_add(
    key: str, title: str,
    counterpart: str | None = typer.Option(None, help="The other state (ISO code), e.g. US."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Add a deal."""
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        ev.upsert_deal(tx, Deal(key=key, title=title, counterpart=counterpart),
                       source_from_options(tx, source_url, source_outlet, source_date))
    console.print(f"deal {key} saved")


@deal_app.command("link")
def deal_link(
    deal: str = typer.Argument(..., help="Deal key."),
    release: list[str] = typer.Option([], help="Release event key (repeatable)."),
    action: list[str] = typer.Option([], help="Sanction action key or id (repeatable)."),
    source_url: str | None = SourceUrl, source_outlet: str | None = SourceOutlet,
    source_date: str | None = SourceDate,
) -> None:
    """Link release events and sanction actions to a deal."""
    if not release and not action:
        fail("nothing to link: give --release and/or --action")
    ledger = open_ledger()
    with ledger.transaction(actor()) as tx:
        deal_id = lookup_id(tx, deals, deal)
        source_id = source_from_options(tx, source_url, source_outlet, source_date)
        for key in release:
            ev.link_deal(tx, deal_id, source_id, release_event_id=lookup_id(tx, release_events, key))
        for key in action:
            ev.link_deal(tx, deal_id, source_id, sanction_action_id=lookup_id(tx, sanction_actions, key))
    console.print(f"deal {deal}: linked {len(release)} release(s), {len(action)} action(s)")


@deal_app.command("suggest")
def deal_suggest(
    window: int = typer.Option(14, help="Days around a release to look for sanction actions."),
    json_out: bool = JsonOption,
) -> None:
    """Suggest sanction actions that may belong to a release's deal (same counterpart, close dates)."""
    with open_ledger().read() as conn:
        rows = queries.suggest_deal_links(conn, window_days=window)
    if json_out:
        print_json(rows)
    else:
        print_table(rows, ["release", "deal", "action_id", "authority", "action", "target", "date"],
                    title=f"{len(rows)} candidate links (link with `freedomledger deal link`)")


@deal_app.command("show")
def deal_show(key: str, json_out: bool = JsonOption) -> None:
    """Show a deal: its meetings, releases and sanction actions."""
    with open_ledger().read() as conn:
        view = queries.deal_view(conn, key)
    if json_out:
        print_json(view)
    else:
        print_deals([view])


@deal_app.command("list")
def deal_list(json_out: bool = JsonOption) -> None:
    """List deals in date order."""
    with open_ledger().read() as conn:
        rows = queries.list_deals(conn)
    if json_out:
        print_json(rows)
    else:
        print_deals(rows)


def _concessions(actions: list[dict]) -> str:  # type: ignore[type-arg]
    """"US: Belavia (general_licence, delisted); Belaruskali (eased)" — one entry per target."""
    by_target: dict[tuple[str, str], list[str]] = {}
    for action in actions:
        kinds = by_target.setdefault((action["authority"], action["target_name"] or "?"), [])
        if action["action"] not in kinds:
            kinds.append(action["action"])
    return "; ".join(f"{auth}: {target} ({', '.join(kinds)})" for (auth, target), kinds in by_target.items())


def print_deals(rows: list[dict]) -> None:  # type: ignore[type-arg]
    print_table(
        [
            {
                "date": d["date"], "deal": d["title"], "counterpart": d["counterpart"],
                "released": " + ".join(str(r["announced_count"] or "?") for r in d["releases"]),
                "sanction_actions": _concessions(d["sanction_actions"]),
            }
            for d in rows
        ],
        ["date", "deal", "counterpart", "released", "sanction_actions"],
        title=f"{len(rows)} deals",
    )
