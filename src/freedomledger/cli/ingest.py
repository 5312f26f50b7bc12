"""Commands for news ingestion: `ingest`, `review` and `events`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from freedomledger.cli._common import actor, console, fail, open_ledger, print_json, print_table
from freedomledger.model import is_number


def ingest(
    files: list[Path] = typer.Argument(..., help="Articles: plain text, HTML or a JSON-lines feed."),
    published: str | None = typer.Option(None, help="Publication date (YYYY-MM-DD) for files that do not state one."),
    url: str | None = typer.Option(None, help="Address of the article, for files that do not state one."),
    outlet: str | None = typer.Option(None, help="Who published it."),
    json_out: bool = typer.Option(False, "--json", help="Print the proposals as JSON."),
) -> None:
    """Store articles as sources and propose the facts they state, for review.

    A report of a release already in the ledger (or already proposed) is proposed as another
    source of that event, not as a new event. Nothing becomes a fact until it is accepted
    with `freedomledger review`.
    """
    from freedomledger.extract.text import InputError, read_documents
    from freedomledger.ingest import ingest_text, person_resolver

    date = _date(published, "--published")
    documents = []
    for path in files:
        try:
            documents.extend(read_documents(path, published=date, url=url))
        except InputError as exc:
            fail(str(exc))
    ledger = open_ledger(create=True)
    with ledger.read() as conn:
        resolver = person_resolver(conn)
    results = []
    for document in documents:
        where = document.file + (f":{document.line}" if document.line else "") if document.file else "input"
        result = ingest_text(
            ledger, document.text, actor=actor(), published=document.published, url=document.url,
            title=document.title, outlet=outlet, file_name=where, resolver=resolver,
        )
        results.append({"file": where, "source_id": result.source_id, "new_source": result.new_source,
                        "proposals": result.proposal_ids})
        if not json_out:
            if not result.new_source:
                console.print(f"{where}: already ingested (source {result.source_id}); nothing new")
            else:
                ids = ", ".join(map(str, result.proposal_ids)) or "none"
                console.print(f"{where}: source {result.source_id}, proposals: {ids}", highlight=False)
    if json_out:
        print_json(results)


def review(
    show: int | None = typer.Option(None, "--show", help="Show one proposal with its quoted text."),
    accept: list[int] = typer.Option([], "--accept", help="Accept this proposal (repeatable)."),
    reject: list[int] = typer.Option([], "--reject", help="Reject this proposal (repeatable)."),
    accept_all: bool = typer.Option(False, "--accept-all", help="Accept every pending release proposal."),
    set_field: list[str] = typer.Option([], "--set", help="Edit before accepting: field=value (e.g. count=249)."),
    note: str | None = typer.Option(None, help="Why (kept with the decision)."),
    status: str = typer.Option("pending", help="Which proposals to list: pending|accepted|rejected|all."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """List proposals waiting for review, show one, and accept, edit or reject them."""
    from freedomledger.ingest import decide, get_proposal, list_proposals

    ledger = open_ledger()
    if show is not None:
        with ledger.read() as conn:
            found = get_proposal(conn, show)
        if found is None:
            fail(f"no proposal {show}")
        _print_proposal(found, json_out)
        return
    edits = _edits(set_field)
    decisions = [(pid, "edit" if edits else "accept") for pid in accept] + [(pid, "reject") for pid in reject]
    if accept_all:
        with ledger.read() as conn:
            decisions += [(p["id"], "accept") for p in list_proposals(conn) if p["kind"] == "release"]
    if decisions:
        for proposal_id, decision in decisions:
            outcome = decide(ledger, proposal_id, decision, actor=actor(), edits=edits or None, note=note)
            console.print(f"proposal {proposal_id}: {outcome['status']}")
        return
    with ledger.read() as conn:
        rows = list_proposals(conn, status=None if status == "all" else status)
    if json_out:
        print_json([{k: v for k, v in r.items() if k != "text"} for r in rows])
        return
    print_table(
        [
            {
                "id": r["id"], "kind": r["kind"], "status": r["status"],
                "date": r["payload"]["event"].get("date"), "count": r["payload"]["event"].get("count"),
                "released": ", ".join(p["name"] for p in r["payload"]["event"].get("released") or []),
                "same_as": (r["payload"].get("match") or {}).get("release_key")
                or (r["payload"].get("match") or {}).get("proposal_id"),
                "source": r["source"]["url"] or r["source"]["outlet"] or r["source"]["id"],
            }
            for r in rows
        ],
        ["id", "kind", "status", "date", "count", "released", "same_as", "source"],
        title=f"{len(rows)} {status} proposals",
    )


def _edits(pairs: list[str]) -> dict[str, object]:
    edits: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            fail(f"--set {pair!r}: expected field=value")
        edits[name] = int(value) if is_number(value) else value
    return edits


def _print_proposal(proposal: dict, json_out: bool) -> None:  # type: ignore[type-arg]
    if json_out:
        print_json(proposal)
        return
    event = proposal["payload"]["event"]
    console.print(f"[bold]proposal {proposal['id']}[/] ({proposal['kind']}, {proposal['status']})")
    for key in ("date", "date_basis", "count", "count_text", "country", "destination", "reported_by"):
        if event.get(key) not in (None, [], ""):
            console.print(f"  {key}: {event[key]}")
    text = proposal["text"] or ""
    for person in event.get("released") or []:
        span = person.get("span") or [0, 0]
        start, end = max(0, span[0] - 60), min(len(text), span[1] + 60)
        quote = text[start:span[0]] + "[bold yellow]" + text[span[0]:span[1]] + "[/]" + text[span[1]:end]
        console.print(f"  released: {person['name']} → {person.get('person_id') or 'new person'}")
        console.print(f"    …{' '.join(quote.split())}…", highlight=False)
    match = proposal["payload"].get("match")
    if match:
        console.print(f"  same event as: {match.get('release_key') or 'proposal ' + str(match.get('proposal_id'))}"
                      f" ({'; '.join(match.get('reasons', []))})")


def events(
    fmt: str = typer.Option("table", "--format", help="table | json"),
) -> None:
    """List release events with all their sources and claims."""
    from freedomledger.cli.events import print_releases
    from freedomledger.ledger import queries

    with open_ledger().read() as conn:
        rows = queries.list_releases(conn)
    if fmt == "json":
        print_json(rows)
    elif fmt == "table":
        print_releases(rows)
    else:
        fail(f"--format {fmt!r}: use table or json")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date (use YYYY-MM-DD)")
