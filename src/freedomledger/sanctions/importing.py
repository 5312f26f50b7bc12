"""Importing list snapshots: memberships as runs of snapshots, changes as dated intervals.

A snapshot may arrive out of order (an older file found later). It is then slotted between
its neighbours P (the last snapshot before it) and N (the first after it): memberships that
ran across P..N are split or extended, the changes once derived from P→N are retracted and
P→S, S→N derived instead. Appending (no N) is the common, fast case: every membership that
ends at P and whose content did not change is extended with one UPDATE per chunk.

Everything for one call happens in one transaction: a malformed file anywhere in a batch
leaves the ledger as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update

from freedomledger.ledger import Ledger, LedgerError, Tx, jsonable
from freedomledger.sanctions.diff import Change, diff_states, display_name
from freedomledger.sanctions.names import norm_name
from freedomledger.sanctions.readers import AUTHORITIES, TITLES, SnapshotInput
from freedomledger.sanctions.recording import clip, record_changes, retract_between
from freedomledger.sanctions.state import ListState, Member, Snap, bulk_insert, chunks
from freedomledger.sources.common import Coverage, ListEntry
from freedomledger.store.sanctions_tables import (
    list_entities,
    list_entity_names,
    list_memberships,
    list_snapshots,
    sanction_lists,
)
from freedomledger.store.tables import utcnow


@dataclass
class ImportResult:
    list_key: str
    snapshot_id: int
    as_of: dt.date
    taken_at: dt.datetime
    date_source: str
    created: bool
    file_name: str
    entry_count: int
    designated: int = 0
    delisted: int = 0
    amended: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self.__dict__)  # type: ignore[no-any-return]


class SnapshotImporter:
    """Adds snapshots inside one ledger transaction (see `import_snapshots`)."""

    def __init__(self, tx: Tx, *, authority: str | None = None) -> None:
        self.tx = tx
        self.conn = tx.conn
        self.authority = authority
        self.lists: dict[str, ListState] = {}

    # --- lists and snapshots ---------------------------------------------------------

    def _list(self, key: str, authority: str | None) -> ListState:
        if key in self.lists:
            return self.lists[key]
        row = self.conn.execute(select(sanction_lists).where(sanction_lists.c.key == key)
                                ).mappings().first()
        if row is None:
            authority = self.authority or authority or AUTHORITIES.get(key) or "OTHER"
            values = {"key": key, "authority": authority, "title": TITLES.get(key)}
            list_id = self.tx.insert(sanction_lists, values)
        else:
            list_id, authority = row["id"], row["authority"]
        state = ListState(self.conn, list_id, key, str(authority))
        self.lists[key] = state
        return state

    def _neighbours(self, state: ListState, taken_at: dt.datetime) -> tuple[Snap | None, Snap | None]:
        s = list_snapshots.c
        cols = (s.id, s.taken_at, s.as_of, s.source_id)
        prev = self.conn.execute(select(*cols).where(s.list_id == state.list_id, s.taken_at < taken_at)
                                 .order_by(s.taken_at.desc()).limit(1)).first()
        nxt = self.conn.execute(select(*cols).where(s.list_id == state.list_id, s.taken_at > taken_at)
                                .order_by(s.taken_at).limit(1)).first()
        return (Snap(*prev) if prev else None, Snap(*nxt) if nxt else None)

    def _members_at(self, state: ListState, snap: Snap | None) -> dict[str, Member]:
        if snap is None:
            return {}
        if state.latest is not None and state.latest[0] == snap.id:
            return state.latest[1]
        m = list_memberships.c
        rows = self.conn.execute(
            select(m.id, m.entity_id, m.first_snapshot_id, m.last_snapshot_id, m.first_at,
                   m.last_at, m.content_hash)
            .where(m.list_id == state.list_id, m.first_at <= snap.taken_at,
                   or_(m.last_at.is_(None), m.last_at >= snap.taken_at)))
        return {state.entity_ext[r[1]]: Member(*r) for r in rows}

    def _membership_data(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for chunk in chunks(ids):
            for row in self.conn.execute(select(list_memberships.c.id, list_memberships.c.data)
                                         .where(list_memberships.c.id.in_(chunk))):
                out[row.id] = row.data
        return out

    # --- the import ------------------------------------------------------------------

    def add(self, item: SnapshotInput) -> ImportResult:
        parsed = item.parsed
        state = self._list(parsed.list_id, parsed.authority)
        file_name = ", ".join(parsed.files)
        existing = self.conn.execute(
            select(list_snapshots.c.id, list_snapshots.c.as_of, list_snapshots.c.taken_at,
                   list_snapshots.c.date_source, list_snapshots.c.entry_count,
                   sanction_lists.c.key)
            .join(sanction_lists, sanction_lists.c.id == list_snapshots.c.list_id)
            .where(list_snapshots.c.content_hash == parsed.content_hash)).first()
        if existing is not None:
            return ImportResult(existing.key, existing.id, existing.as_of, existing.taken_at,
                                existing.date_source, False, file_name, existing.entry_count,
                                warnings=[f"already imported as snapshot {existing.id} of "
                                          f"{existing.key} ({existing.as_of}); nothing changed"])
        taken_at = item.taken_at
        clash = self.conn.execute(
            select(list_snapshots.c.id, list_snapshots.c.file_name)
            .where(list_snapshots.c.list_id == state.list_id,
                   list_snapshots.c.taken_at == taken_at)).first()
        if clash is not None:
            raise LedgerError(
                f"{state.key} already has a different snapshot dated {taken_at.isoformat()} "
                f"(snapshot {clash.id}, {clash.file_name})",
                where=file_name,
                hint="give this file its own date and time, e.g. --date "
                     f"{taken_at.date()}T12:00, if both versions are real")
        prev, nxt = self._neighbours(state, taken_at)
        if parsed.mode == "delta" and nxt is not None:
            raise LedgerError(
                f"a delta applies to the newest snapshot of {state.key}, but snapshot "
                f"{nxt.id} ({nxt.as_of}) is newer than this one ({taken_at.date()})",
                where=file_name, hint="import delta files in version order")
        if parsed.mode == "delta" and prev is None:
            parsed.warnings.append("first delta of this list: applied to an empty list")

        source_id, _ = self.tx.source(
            kind="list_snapshot", key=f"list-snapshot:{parsed.content_hash}",
            title=f"{state.key} snapshot of {taken_at.date()}", published=taken_at.date(),
            file_name=file_name[:2000])
        snap_id = self.tx.insert(list_snapshots, {
            "list_id": state.list_id, "taken_at": taken_at, "as_of": taken_at.date(),
            "date_source": item.date_source, "mode": parsed.mode,
            "coverage": sorted(c.value for c in parsed.coverage),
            "content_hash": parsed.content_hash, "file_name": file_name,
            "entry_count": 0, "warnings": parsed.warnings, "source_id": source_id,
            "imported_at": utcnow(), "imported_by": self.tx.actor,
        })
        snap = Snap(snap_id, taken_at, taken_at.date(), source_id)
        before = self._members_at(state, prev)
        after_next = self._members_at(state, nxt)

        entries: dict[str, ListEntry] = {}
        hashes: dict[str, str] = {}
        if parsed.mode == "delta":
            hashes = {ext: m.hash for ext, m in before.items()}
            for ext in parsed.removed:
                hashes.pop(ext, None)
        for entry in parsed.entries:
            entries[entry.external_id] = entry
            hashes[entry.external_id] = entry.content_hash
        self._ensure_entities(state, entries, hashes)
        members, fresh = self._apply_intervals(state, snap, prev, nxt, before, after_next,
                                               hashes, entries)
        self.conn.execute(update(list_snapshots).where(list_snapshots.c.id == snap_id)
                          .values(entry_count=len(hashes)))
        if nxt is None:
            self._refresh_entities(state, entries)
        self._add_names(state, {ext: entries[ext] for ext in fresh if ext in entries})

        counts = {"designated": 0, "delisted": 0, "amended": 0}
        if prev is not None:
            found = self._diff(before, hashes, entries)
            for change in found:
                counts[change.action] += 1
            record_changes(self.tx, state, found, prev, snap)
        if nxt is not None:
            retract_between(self.tx, state, prev, nxt, snap)
            next_hashes = {ext: m.hash for ext, m in after_next.items()}
            record_changes(self.tx, state, self._diff_forward(hashes, entries, after_next,
                                                           next_hashes), snap, nxt)
        state.latest = (snap_id, members) if nxt is None else None
        self.tx._audit("import", list_snapshots, snap_id, None, {
            "list": state.key, "as_of": taken_at, "file": file_name, "entries": len(hashes),
            **counts}, reason=f"{state.key} snapshot imported")
        return ImportResult(state.key, snap_id, snap.as_of, taken_at, item.date_source, True,
                            file_name, len(hashes), warnings=list(parsed.warnings), **counts)

    def _ensure_entities(self, state: ListState, entries: Mapping[str, ListEntry],
                         hashes: Mapping[str, str]) -> None:
        new = [ext for ext in hashes if ext not in state.entity_ids]
        if not new:
            return
        rows: list[dict[str, Any]] = []
        for ext in new:
            entry = entries[ext]
            rows.append({"list_id": state.list_id, "external_id": ext,
                         "schema": entry.schema.value,
                         "primary_name": clip(display_name(entry.to_dict()), 500),
                         "data": entry.to_dict(), "content_hash": entry.content_hash})
        # Plain executemany, ids read back: a multi-row INSERT … RETURNING is one huge
        # statement that psycopg re-parses per batch, several times slower on PostgreSQL.
        bulk_insert(self.conn, list_entities, rows)
        for chunk in chunks(new):
            for eid, ext in self.conn.execute(
                    select(list_entities.c.id, list_entities.c.external_id)
                    .where(list_entities.c.list_id == state.list_id,
                           list_entities.c.external_id.in_(chunk))):
                state.entity_ids[ext] = eid
                state.entity_ext[eid] = ext
        for values in rows:
            state.entity_hash[state.entity_ids[values["external_id"]]] = values["content_hash"]

    def _apply_intervals(self, state: ListState, snap: Snap, prev: Snap | None,
                         nxt: Snap | None, before: Mapping[str, Member],
                         after_next: Mapping[str, Member], hashes: Mapping[str, str],
                         entries: Mapping[str, ListEntry]) -> tuple[dict[str, Member], set[str]]:
        """Make memberships cover the new snapshot. Returns the members of the new snapshot
        and the ids whose content is new (a membership that starts at it).

        A run that reaches the newest snapshot is open (no last snapshot), so appending a
        version touches only the entries that changed: runs of entries gone or changed are
        closed at P, new content opens a run at S; unchanged entries cost nothing."""
        appending = nxt is None
        extend_to_s: list[int] = []
        start_at_s: list[int] = []
        set_last: list[dict[str, Any]] = []
        removed: list[int] = []
        inserts: list[dict[str, Any]] = []
        tails: list[Member] = []
        members: dict[str, Member] = {}

        def close_at_prev(member: Member) -> None:
            assert prev is not None
            set_last.append({"mid": member.id, "sid": prev.id, "at": prev.taken_at})

        for ext in set(hashes) | set(before) | set(after_next):
            h = hashes.get(ext)
            mp, mn = before.get(ext), after_next.get(ext)
            if mp is not None and mn is not None and mp.id == mn.id:
                # Listed across P..N in one run: untouched if S agrees, else split around S.
                if h == mp.hash:
                    members[ext] = mp
                    continue
                close_at_prev(mp)
                tails.append(mp)
                if h is not None:
                    inserts.append(self._new_member(state, ext, snap, h, entries, open_=False))
                continue
            back = mp is not None and mp.hash == h
            fwd = mn is not None and mn.hash == h
            if h is None or not back:
                if appending and mp is not None:
                    close_at_prev(mp)  # gone, or its content changed: the run ends at P
                if h is None:
                    continue
            if back and fwd:
                assert mp is not None and mn is not None
                set_last.append({"mid": mp.id, "sid": mn.last_id, "at": mn.last_at})
                removed.append(mn.id)
                members[ext] = mp
            elif back:
                assert mp is not None
                if not appending:
                    extend_to_s.append(mp.id)
                    mp.last_id, mp.last_at = snap.id, snap.taken_at
                members[ext] = mp
            elif fwd:
                assert mn is not None
                start_at_s.append(mn.id)
                members[ext] = mn
            else:
                inserts.append(self._new_member(state, ext, snap, h, entries, open_=appending))
        m = list_memberships.c
        for chunk in chunks(extend_to_s):
            self.conn.execute(update(list_memberships).where(m.id.in_(chunk))
                              .values(last_snapshot_id=snap.id, last_at=snap.taken_at))
        for chunk in chunks(start_at_s):
            self.conn.execute(update(list_memberships).where(m.id.in_(chunk))
                              .values(first_snapshot_id=snap.id, first_at=snap.taken_at))
        if set_last:
            self.conn.execute(update(list_memberships).where(m.id == bindparam("mid"))
                              .values(last_snapshot_id=bindparam("sid"), last_at=bindparam("at")),
                              set_last)
        for chunk in chunks(removed):
            self.conn.execute(delete(list_memberships).where(m.id.in_(chunk)))
        if tails:
            assert nxt is not None
            data = self._membership_data([t.id for t in tails])
            for t in tails:
                inserts.append({"list_id": state.list_id, "entity_id": t.entity_id,
                                "first_snapshot_id": nxt.id, "last_snapshot_id": t.last_id,
                                "first_at": nxt.taken_at, "last_at": t.last_at,
                                "content_hash": t.hash, "data": data[t.id]})
        bulk_insert(self.conn, list_memberships, inserts)
        if inserts:
            for row in self.conn.execute(
                    select(m.id, m.entity_id, m.first_snapshot_id, m.last_snapshot_id,
                           m.first_at, m.last_at, m.content_hash)
                    .where(m.list_id == state.list_id, m.first_at == snap.taken_at)):
                members[state.entity_ext[row.entity_id]] = Member(*row)
        fresh = {ext for ext, m in members.items() if m.first_id == snap.id}
        return members, fresh

    def _new_member(self, state: ListState, ext: str, snap: Snap, content_hash: str,
                    entries: Mapping[str, ListEntry], *, open_: bool) -> dict[str, Any]:
        return {"list_id": state.list_id, "entity_id": state.entity_ids[ext],
                "first_snapshot_id": snap.id, "last_snapshot_id": None if open_ else snap.id,
                "first_at": snap.taken_at, "last_at": None if open_ else snap.taken_at,
                "content_hash": content_hash, "data": entries[ext].to_dict()}

    def _refresh_entities(self, state: ListState, entries: Mapping[str, ListEntry]) -> None:
        """Keep each entity's newest identity data (primary name, type, programs)."""
        rows = []
        for ext, entry in entries.items():
            eid = state.entity_ids[ext]
            if state.entity_hash.get(eid) == entry.content_hash:
                continue
            if Coverage.identity not in entry.coverage and state.entity_hash.get(eid):
                continue
            state.entity_hash[eid] = entry.content_hash
            rows.append({"eid": eid, "schema": entry.schema.value,
                         "primary_name": clip(display_name(entry.to_dict()), 500),
                         "data": entry.to_dict(), "content_hash": entry.content_hash})
        if rows:
            self.conn.execute(update(list_entities).where(list_entities.c.id == bindparam("eid"))
                              .values(schema=bindparam("schema"),
                                      primary_name=bindparam("primary_name"),
                                      data=bindparam("data"),
                                      content_hash=bindparam("content_hash")), rows)

    def _add_names(self, state: ListState, entries: Mapping[str, ListEntry]) -> None:
        wanted: dict[int, list[tuple[str, str, str]]] = {}
        for ext, entry in entries.items():
            wanted[state.entity_ids[ext]] = [(n.text, n.kind.value, n.script)
                                             for n in entry.names]
        known: set[tuple[int, str, str]] = set()
        ids = list(wanted)
        for chunk in chunks(ids):
            for row in self.conn.execute(select(list_entity_names.c.entity_id,
                                                list_entity_names.c.name,
                                                list_entity_names.c.kind)
                                         .where(list_entity_names.c.entity_id.in_(chunk))):
                known.add((row.entity_id, row.name, row.kind))
        rows = []
        for eid, names in wanted.items():
            for text, kind, script in names:
                if (eid, text[:500], kind) not in known:
                    known.add((eid, text[:500], kind))
                    rows.append({"entity_id": eid, "name": text[:500],
                                 "norm": norm_name(text)[:500], "kind": kind, "script": script})
        bulk_insert(self.conn, list_entity_names, rows)

    # --- changes ---------------------------------------------------------------------

    def _diff(self, before: Mapping[str, Member], hashes: Mapping[str, str],
              entries: Mapping[str, ListEntry]) -> list[Change]:
        old_hashes = {ext: m.hash for ext, m in before.items()}

        def old_data(ids: list[str]) -> dict[str, Mapping[str, Any]]:
            data = self._membership_data([before[e].id for e in ids])
            return {e: data[before[e].id] for e in ids}

        def new_data(ids: list[str]) -> dict[str, Mapping[str, Any]]:
            return {e: entries[e].to_dict() for e in ids if e in entries}

        return diff_states(old_hashes, hashes, old_data, new_data)

    def _diff_forward(self, hashes: Mapping[str, str],
                      entries: Mapping[str, ListEntry], after_next: Mapping[str, Member],
                      next_hashes: Mapping[str, str]) -> list[Change]:
        def old_data(ids: list[str]) -> dict[str, Mapping[str, Any]]:
            return {e: entries[e].to_dict() for e in ids if e in entries}

        def new_data(ids: list[str]) -> dict[str, Mapping[str, Any]]:
            data = self._membership_data([after_next[e].id for e in ids])
            return {e: data[after_next[e].id] for e in ids}

        return diff_states(hashes, next_hashes, old_data, new_data)

def import_snapshots(ledger: Ledger, inputs: Iterable[SnapshotInput], actor: str, *,
                     authority: str | None = None) -> list[ImportResult]:
    """Import snapshots in one transaction; any error leaves the ledger unchanged."""
    with ledger.transaction(actor) as tx:
        importer = SnapshotImporter(tx, authority=authority)
        return [importer.add(item) for item in inputs]


__all__ = ["ImportResult", "SnapshotImporter", "import_snapshots"]
