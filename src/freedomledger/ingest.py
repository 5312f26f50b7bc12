"""News ingestion: an article in, pending proposals out; a person accepts, edits or rejects.

    result = ingest_text(ledger, text, published=date, url=url, actor="alice")
    decide(ledger, proposal_id, "accept", actor="bob")

The article is stored once as a Source (identical text is recognised by its hash). Each
extracted event becomes a proposal. A release that is already in the ledger, or already
proposed by another report, is proposed as another report *of that event* rather than a new
one; accepting it adds this source's claims to the event, and values that differ are kept
as competing claims.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from anyascii import anyascii
from sqlalchemy import Connection, select

from freedomledger import clustering
from freedomledger.ledger import Ledger, LedgerError, NotFound, Tx, jsonable
from freedomledger.ledger import events as ev
from freedomledger.ledger import registry as reg
from freedomledger.model import FuzzyDate, Name, Person, ReleaseEvent, Status, StatusChange
from freedomledger.store.tables import persons, proposals, release_events, status_changes, utcnow

Resolver = Callable[[str], "str | None"]
RELEASE_KINDS = {"release"}
RECAP_KINDS = {"release_recap"}
DECISIONS = ("accept", "reject", "edit")


@dataclass
class IngestResult:
    source_id: int
    new_source: bool
    proposal_ids: list[int] = field(default_factory=list)
    extracted: dict[str, Any] = field(default_factory=dict)


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if hasattr(result, "model_dump"):
        return dict(result.model_dump(mode="json"))
    if is_dataclass(result):
        return asdict(result)  # type: ignore[arg-type]
    raise TypeError(f"cannot read extractor result of type {type(result).__name__}")


def person_resolver(conn: Connection, threshold: float | None = None) -> Resolver:
    """Map a name as written in an article to a person key, through the name engine."""
    from freedomledger.ledger.queries import all_names
    from freedomledger.names import NameIndex

    index = NameIndex()
    for key, text, _ in all_names(conn, kinds=("person",)):
        index.add(key, text)
    index.build()

    def resolve(name: str) -> str | None:
        hits = index.search(name, top_k=1)
        if not hits:
            return None
        hit = hits[0]
        ok = hit.match if threshold is None else hit.score >= threshold
        return str(hit.id) if ok else None

    return resolve


def ingest_text(
    ledger: Ledger,
    text: str,
    *,
    actor: str,
    published: dt.date | None = None,
    url: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    file_name: str | None = None,
    resolver: Resolver | None = None,
) -> IngestResult:
    """Store the article and propose the facts it states. Writes one transaction."""
    from freedomledger.extract import extract_document

    if not text.strip():
        raise LedgerError("the article is empty", where=file_name or url)
    if resolver is None:
        with ledger.read() as conn:
            resolver = person_resolver(conn)
    extracted = _as_dict(extract_document(text, published=published, url=url, resolver=resolver))
    with ledger.transaction(actor) as tx:
        source_id, created = tx.source(
            kind="article", url=url, outlet=outlet, title=title, published=published,
            text=text, file_name=file_name,
        )
        result = IngestResult(source_id, created, extracted=extracted)
        if not created:
            return result  # the same document again: its proposals already exist
        for event in extracted.get("events", []):
            result.proposal_ids.append(_propose(tx, source_id, event, extracted.get("statements", [])))
    return result


def _summary(event: dict[str, Any]) -> clustering.ReleaseSummary:
    date = _event_date(event)
    released = event.get("released") or []
    return clustering.ReleaseSummary(
        country=event.get("country"),
        date_start=date.start if date else None,
        date_end=date.end if date else None,
        count=event.get("count"),
        names=[r["name"] for r in released if r.get("name")],
        person_ids={r["person_id"] for r in released if r.get("person_id")},
    )


def _event_date(event: dict[str, Any]) -> FuzzyDate | None:
    text = event.get("date")
    if not text:
        return None
    try:
        return FuzzyDate.parse(str(text))
    except ValueError:
        return None


def _same_name(a: str, b: str) -> bool:
    try:
        from freedomledger.names import compare

        return bool(compare(a, b, kind="person").match)
    except ImportError:  # pragma: no cover - the name engine ships with the package
        return anyascii(a).casefold() == anyascii(b).casefold()


def _find_release(tx: Tx, event: dict[str, Any]) -> dict[str, Any] | None:
    """An accepted release event, or a pending proposal, that this report also describes."""
    summary = _summary(event)
    if summary.date_start is None:
        return None
    window = dt.timedelta(days=clustering.DATE_WINDOW_DAYS + 1)
    candidates = tx.conn.execute(
        select(release_events).where(
            release_events.c.retracted_at.is_(None),
            release_events.c.date_start <= (summary.date_end or summary.date_start) + window,
            release_events.c.date_end >= summary.date_start - window,
        )
    ).mappings().all()
    best: dict[str, Any] | None = None
    for row in candidates:
        named = tx.conn.execute(
            select(persons.c.key).join(status_changes, status_changes.c.person_id == persons.c.id)
            .where(status_changes.c.release_event_id == row["id"])
        ).scalars().all()
        other = clustering.ReleaseSummary(
            country=row["releasing_state"], date_start=row["date_start"], date_end=row["date_end"],
            count=row["announced_count"], person_ids=set(named),
        )
        match = clustering.same_release(summary, other, _same_name)
        if match.same and (best is None or match.score > best["score"]):
            best = {"release_key": row["key"], "score": match.score, "reasons": match.reasons}
    if best is not None:
        return best
    pending = tx.conn.execute(
        select(proposals.c.id, proposals.c.payload).where(
            proposals.c.kind == "release", proposals.c.status == "pending"
        ).order_by(proposals.c.id)
    ).all()
    for proposal_id, payload in pending:
        match = clustering.same_release(summary, _summary(payload["event"]), _same_name)
        if match.same:
            cluster = payload.get("match", {}).get("proposal_id") or proposal_id
            return {"proposal_id": cluster, "score": match.score, "reasons": match.reasons}
    return None


def _propose(tx: Tx, source_id: int, event: dict[str, Any], statements: list[dict[str, Any]]) -> int:
    kind = str(event.get("kind") or "unknown")
    payload: dict[str, Any] = {"event": event, "statements": statements}
    if kind in RELEASE_KINDS | RECAP_KINDS:
        found = _find_release(tx, event)
        if found is not None:
            payload["match"] = found
    return tx.insert(
        proposals,
        dict(source_id=source_id, kind="release" if kind in RELEASE_KINDS else kind,
             payload=jsonable(payload), status="pending"),
    )


def list_proposals(conn: Connection, status: str | None = "pending", *, proposal_id: int | None = None,
                   after_id: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    """Proposals by id, each with its source's text; optionally one, or a page after `after_id`."""
    from freedomledger.store.tables import sources

    query = (
        select(proposals, sources.c.url, sources.c.outlet, sources.c.published, sources.c.text)
        .join(sources, sources.c.id == proposals.c.source_id)
        .where(proposals.c.id > after_id)
        .order_by(proposals.c.id)
        .limit(limit)
    )
    if status:
        query = query.where(proposals.c.status == status)
    if proposal_id is not None:
        query = query.where(proposals.c.id == proposal_id)
    return [
        {
            "id": r["id"], "kind": r["kind"], "status": r["status"], "version": r["version"],
            "payload": r["payload"], "target_table": r["target_table"], "target_id": r["target_id"],
            "note": r["note"], "decided_by": r["decided_by"],
            "source": {"id": r["source_id"], "url": r["url"], "outlet": r["outlet"],
                       "published": r["published"].isoformat() if r["published"] else None},
            "text": r["text"],
        }
        for r in conn.execute(query).mappings()
    ]


def get_proposal(conn: Connection, proposal_id: int) -> dict[str, Any] | None:
    found = list_proposals(conn, status=None, proposal_id=proposal_id)
    return found[0] if found else None


def decide(
    ledger: Ledger,
    proposal_id: int,
    decision: str,
    *,
    actor: str,
    edits: dict[str, Any] | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    resolver: Resolver | None = None,
) -> dict[str, Any]:
    """Accept, edit-then-accept, or reject one proposal. Returns what was written.

    `resolver` finds the registry's person for a name the report's reading left unresolved
    (someone an earlier acceptance created). Without one, an index of every person is built
    inside the transaction: fine for the CLI on a small ledger, minutes on a million."""
    if decision not in DECISIONS:
        raise LedgerError(f"unknown decision {decision!r}", hint="use accept, edit or reject")
    with ledger.transaction(actor) as tx:
        proposal = tx.row(proposals, proposal_id)
        if proposal["status"] != "pending":
            raise LedgerError(f"proposal {proposal_id} was already {proposal['status']}",
                              hint="list pending ones with `freedomledger review`")
        payload = dict(proposal["payload"])
        if decision == "reject":
            tx.update(proposals, proposal_id,
                      {"status": "rejected", "decided_by": actor, "decided_at": utcnow(), "note": note},
                      expected_version=expected_version, reason=note)
            return {"proposal": proposal_id, "status": "rejected"}
        if decision == "edit":
            if not edits:
                raise LedgerError("an edit needs the changed fields")
            payload["event"] = {**payload["event"], **edits}
            payload["edited_by"] = actor
        target = _apply(tx, proposal, payload, resolver)
        tx.update(
            proposals, proposal_id,
            {"status": "accepted", "decided_by": actor, "decided_at": utcnow(), "note": note,
             "payload": jsonable(payload), "target_table": target[0], "target_id": target[1]},
            expected_version=expected_version, reason=note,
        )
        return {"proposal": proposal_id, "status": "accepted", "target": {"table": target[0], "id": target[1]}}


def _apply(tx: Tx, proposal: dict[str, Any], payload: dict[str, Any],
           resolver: Resolver | None = None) -> tuple[str, int]:
    event = payload["event"]
    source_id = proposal["source_id"]
    if proposal["kind"] not in ("release", "release_recap"):
        raise LedgerError(
            f"proposal {proposal['id']} is a {proposal['kind']!r} report, which adds no fact by itself",
            hint="reject it, or record the fact with `freedomledger status add`",
        )
    event_id = _target_event(tx, payload)
    if proposal["kind"] == "release_recap":
        if event_id is None:
            raise LedgerError("this recap refers to no release in the ledger", hint="reject it")
        tx.claim(source_id, release_events, event_id, reason="recap of an earlier release")
        return release_events.name, event_id
    date = _event_date(event)
    if date is None:
        raise LedgerError(f"proposal {proposal['id']} has no usable date", hint="edit it with a date")
    if event_id is None:
        event_id = ev.upsert_release(tx, ReleaseEvent(
            key=_new_release_key(tx, event, date), releasing_state=event.get("country") or "BY",
            date=date, announced_count=event.get("count"),
            destination=[d for d in event.get("destination") or [] if re.fullmatch(r"[A-Z]{2}", d)],
        ), source_id)
    else:
        tx.claim(source_id, release_events, event_id)
    if event.get("count") is not None:
        ev.claim_value(tx, release_events, event_id, "announced_count", event["count"], source_id,
                       quote=event.get("count_text"))
    # Named people are "released": when a report says some went abroad ("15 of the 250 to
    # Lithuania") it rarely says who, so deportation stays a fact of the event (destination)
    # until a source states it for the person.
    status = Status.released
    resolve: Resolver | None = resolver
    for person in event.get("released") or []:
        if not person.get("person_id"):
            # People created by an earlier acceptance were unknown when this report was read.
            resolve = resolve or person_resolver(tx.conn)
            person = {**person, "person_id": resolve(str(person["name"]))}
        person_id = _person_for(tx, person, source_id)
        existing = tx.conn.execute(select(status_changes.c.id).where(
            status_changes.c.person_id == person_id, status_changes.c.release_event_id == event_id,
            status_changes.c.retracted_at.is_(None),
        )).scalar()
        if existing is not None:
            # Another report of a release we already record for this person: one more source.
            tx.claim(source_id, status_changes, int(existing), quote=person.get("name"),
                     span=tuple(person["span"]) if person.get("span") else None)
            continue
        reg.add_status(tx, person_id, StatusChange(status=status, date=date), source_id,
                       release_event_id=event_id, quote=person.get("name"))
    for mediator in event.get("mediators") or []:
        ev.add_mediator(tx, event_id, mediator["name"], mediator.get("kind") or "person", source_id)
    if event.get("concessions"):
        tx.claim(source_id, release_events, event_id, field="concessions", value=event["concessions"])
        _record_concessions(tx, event_id, event["concessions"], date, source_id)
    return release_events.name, event_id


# What a reported concession means as a sanction action. "Lifted" in the press may later turn
# out to be a licence; the claim keeps the outlet's word and a reviewer can correct it.
CONCESSION_ACTIONS = {"sanctions_lifted": "delisted", "sanctions_eased": "eased"}
# Below the engine's default: news drops the country ("Finance Ministry" for the Belarusian
# Finance Ministry, 0.79), and a reviewer sees every link before it counts.
CONCESSION_TARGET_SCORE = 0.75


def _record_concessions(
    tx: Tx, event_id: int, concessions: list[dict[str, Any]], date: FuzzyDate, source_id: int
) -> None:
    """Link the release to a deal with the counterpart, and turn each concession target that
    names an organisation in the ledger into a sanction action of that deal."""
    from freedomledger.ledger.queries import all_names
    from freedomledger.model import Deal, SanctionAction
    from freedomledger.names import NameIndex
    from freedomledger.store.tables import deal_links, deals

    index = NameIndex(kind="organization")
    for key, text, _ in all_names(tx.conn, kinds=("organization",)):
        index.add(key, text)
    index.build()
    event_key = tx.row(release_events, event_id)["key"]
    for concession in concessions:
        counterpart = str(concession.get("by") or "")
        if not re.fullmatch(r"[A-Z]{2}", counterpart):
            continue
        deal_id = tx.conn.execute(
            select(deal_links.c.deal_id).join(deals, deals.c.id == deal_links.c.deal_id).where(
                deal_links.c.release_event_id == event_id, deals.c.counterpart == counterpart,
                deal_links.c.retracted_at.is_(None),
            )
        ).scalar()
        if deal_id is None:
            deal_id = ev.upsert_deal(tx, Deal(
                key=f"deal-{event_key}-{counterpart.lower()}", counterpart=counterpart,
                title=f"Release of {date} and {counterpart} concessions (from news reports)",
            ), source_id)
            ev.link_deal(tx, deal_id, source_id, release_event_id=event_id)
        action = CONCESSION_ACTIONS.get(str(concession.get("type")))
        if action is None:
            continue
        for target in concession.get("targets") or []:
            hits = index.search(str(target), top_k=1)
            if not hits or hits[0].score < CONCESSION_TARGET_SCORE:
                continue  # "banks", "fertiliser producers": too general to name a target
            org_id = reg.lookup_id(tx, reg.organizations, hits[0].id)
            action_id = ev.upsert_sanction_action(tx, SanctionAction(
                authority=counterpart, action=action, date=date, target_name=str(target),
                notes="as reported in the news; check the official notice",
            ), source_id, organization_id=org_id)
            ev.link_deal(tx, deal_id, source_id, sanction_action_id=action_id)


def _target_event(tx: Tx, payload: dict[str, Any]) -> int | None:
    match = payload.get("match") or {}
    if match.get("release_key"):
        return reg.lookup_id(tx, release_events, match["release_key"])
    if match.get("proposal_id"):
        first = tx.row(proposals, int(match["proposal_id"]))
        if first["status"] == "accepted" and first["target_table"] == release_events.name:
            return int(first["target_id"])
    return None


def _new_release_key(tx: Tx, event: dict[str, Any], date: FuzzyDate) -> str:
    base = f"rel-{(event.get('country') or 'xx').lower()}-{date.start.isoformat()}"
    # One query for the keys in use (one per probe was slow with many releases on a day).
    taken = set(tx.conn.execute(select(release_events.c.key).where(
        (release_events.c.key == base) | release_events.c.key.startswith(f"{base}-", autoescape=True))).scalars())
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _person_for(tx: Tx, person: dict[str, Any], source_id: int) -> int:
    """The named person's id: the one the name engine found, or a new record."""
    name = str(person["name"])
    if person.get("person_id"):
        try:
            person_id = reg.lookup_id(tx, persons, person["person_id"])
        except NotFound:
            pass
        else:
            # The article's spelling is one more attested form of the name.
            reg.add_name(tx, Name(text=name), source_id, person_id=person_id)
            return person_id
    base = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-") or "person"
    key, n = base, 1
    while tx.conn.execute(select(persons.c.id).where(persons.c.key == key)).scalar():
        n += 1
        key = f"{base}-{n}"
    return reg.upsert_person(tx, Person(key=key, names=[Name(text=name)], roles=["political_prisoner"]), source_id)
