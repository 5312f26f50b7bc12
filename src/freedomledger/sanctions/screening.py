"""Sanctions lists as `--against` sources for `freedomledger screen`.

    freedomledger screen names.csv --against ofac              # every OFAC list, newest snapshot
    freedomledger screen names.csv --against ofac@2025-02-01   # as listed on that day
    freedomledger screen names.csv --against uk@2026-05-01     # any list key or authority

The names are those of the snapshot in force on the day (the last one at or before it), so
screening against a past date uses the names the list carried then. Row ids are
`LIST:EXTERNAL_ID`, which `sanctions status` and `sanctions timeline` accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from sqlalchemy import Connection, or_, select

from freedomledger.ledger import Ledger, LedgerError
from freedomledger.store.sanctions_tables import (
    list_entities,
    list_memberships,
    list_snapshots,
    sanction_lists,
)

# Spec prefixes that stand for a family of lists rather than one list key.
FAMILIES = {"ofac": ("US", "ofac-"), "us": ("US", ""), "uk": ("UK", ""), "eu": ("EU", ""),
            "un": ("UN", "")}

Row = tuple[str, str, str]


def parse_spec(spec: str) -> tuple[str, dt.date | None]:
    """'ofac@2025-02-01' → ('ofac', 2025-02-01); 'ofac' → ('ofac', None)."""
    for sep in ("@", ":"):
        if sep in spec:
            name, _, when = spec.partition(sep)
            try:
                return name.strip().lower(), dt.date.fromisoformat(when.strip())
            except ValueError:
                raise ValueError(f"--against {spec!r}: {when!r} is not a date; use "
                                 f"{name}@YYYY-MM-DD") from None
    return spec.strip().lower(), None


def _list_ids(conn: Connection, name: str) -> list[int]:
    rows = conn.execute(select(sanction_lists.c.id, sanction_lists.c.key,
                               sanction_lists.c.authority)).all()
    exact = [r.id for r in rows if r.key.lower() == name]
    if exact:
        return exact
    if name in FAMILIES:
        authority, prefix = FAMILIES[name]
        return [r.id for r in rows if r.authority == authority and r.key.startswith(prefix)]
    return []


def names_as_of(conn: Connection, name: str, as_of: dt.date | None = None) -> Iterator[Row]:
    """(LIST:ID, name, person|organization) for every name of every entity listed on `as_of`
    (default: the newest snapshot) in the lists `name` stands for."""
    list_ids = _list_ids(conn, name)
    if not list_ids:
        known = [r.key for r in conn.execute(select(sanction_lists.c.key))]
        raise ValueError(f"--against {name!r}: no such sanctions list in the ledger "
                         f"(held: {', '.join(known) or 'none'}; families: ofac, us, uk, eu, un)")
    for list_id in list_ids:
        query = select(list_snapshots.c.taken_at).where(list_snapshots.c.list_id == list_id)
        if as_of is not None:
            query = query.where(list_snapshots.c.taken_at
                                < dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
        at = conn.execute(query.order_by(list_snapshots.c.taken_at.desc()).limit(1)).scalar()
        if at is None:
            continue
        rows = conn.execute(
            select(sanction_lists.c.key, list_entities.c.external_id, list_entities.c.schema,
                   list_entities.c.data.label("newest"), list_memberships.c.data)
            .join(list_entities, list_entities.c.id == list_memberships.c.entity_id)
            .join(sanction_lists, sanction_lists.c.id == list_memberships.c.list_id)
            .where(list_memberships.c.list_id == list_id, list_memberships.c.first_at <= at,
                   or_(list_memberships.c.last_at.is_(None), list_memberships.c.last_at >= at)))
        for r in rows:
            kind = "person" if r.schema == "person" else "organization"
            names = [n["text"] for n in (r.data.get("names") or [])]
            if "identity" not in (r.data.get("coverage") or []):
                # A membership-only snapshot lacks the primary name: add the newest one.
                names += [n["text"] for n in (r.newest or {}).get("names") or []
                          if n.get("kind") == "primary"]
            for text in dict.fromkeys(names):
                yield (f"{r.key}:{r.external_id}", text, kind)


def make_loader(open_ledger: Callable[[], Ledger]) -> Callable[[str], list[Row]]:
    def load(spec: str) -> list[Row]:
        from freedomledger.names.screening import InputError

        try:
            name, as_of = parse_spec(spec)
            ledger = open_ledger()
            with ledger.read() as conn:
                return list(names_as_of(conn, name, as_of))
        except (ValueError, LedgerError) as exc:
            # The screen command reports InputError as a user error, not a crash.
            raise InputError(str(exc)) from exc

    return load


def is_sanctions_spec(spec: str) -> bool:
    name = spec.partition("@")[0].partition(":")[0].strip().lower()
    from freedomledger.sanctions.readers import KINDS

    return name in FAMILIES or name in KINDS or name.startswith("ftm-")


def register(open_ledger: Callable[[], Ledger]) -> None:
    """Make the sanctions lists available to `freedomledger screen --against`."""
    from freedomledger.names.screening import register_against_loader

    register_against_loader(is_sanctions_spec, make_loader(open_ledger),
                            "sanctions lists: ofac, us, uk, eu, un or a list key, "
                            "optionally @YYYY-MM-DD")
