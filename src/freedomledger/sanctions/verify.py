"""Check the ledger's derived changes against a change list computed elsewhere.

The OFAC history in the shared data ships with `sdn_changes_*.csv`, built independently from
the same 308 versions: one row per entity added, removed or moved to other programs between
two consecutive versions. Agreement, row for row, is the test that the snapshot history is
stored and diffed correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from freedomledger.store.sanctions_tables import (
    list_changes,
    list_entities,
    list_snapshots,
    sanction_lists,
)

_KINDS = {"added": "designated", "removed": "delisted", "program_changed": "program_changed",
          "programs_changed": "program_changed"}
STAMP = "%Y%m%dT%H%M%SZ"
DAY = "%Y-%m-%d"

Key = tuple[str, str, str, str]  # (before stamp, after stamp, kind, external id)


@dataclass
class Comparison:
    expected: int
    found: int
    missing: list[Key] = field(default_factory=list)
    unexpected: list[Key] = field(default_factory=list)
    expected_by_kind: dict[str, int] = field(default_factory=dict)
    found_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        return not self.missing and not self.unexpected

    def to_dict(self) -> dict[str, Any]:
        return {"agrees": self.agrees, "expected": self.expected, "found": self.found,
                "expected_by_kind": self.expected_by_kind, "found_by_kind": self.found_by_kind,
                "missing": [list(k) for k in self.missing[:20]],
                "unexpected": [list(k) for k in self.unexpected[:20]]}


def read_change_list(path: Path) -> list[dict[str, str]]:
    """Rows of a change list; both layouts in the shared data are read (snapshot_before /
    snapshot_after / ent_num with scrape times, published_before / published_after / uid
    with publication days)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    renames = {"published_before": "snapshot_before", "published_after": "snapshot_after",
               "uid": "ent_num"}
    return [{renames.get(k, k): v for k, v in row.items()} for row in rows]


def stamp_format(rows: list[dict[str, str]]) -> str:
    return STAMP if rows and "T" in rows[0]["snapshot_before"] else DAY


def expected_keys(rows: list[dict[str, str]]) -> set[Key]:
    return {(r["snapshot_before"], r["snapshot_after"], _KINDS[r["change"]], r["ent_num"])
            for r in rows}


def ledger_keys(conn: Connection, list_key: str, fmt: str = STAMP) -> set[Key]:
    """The ledger's changes for a list, keyed like the change list: program changes are the
    amendments whose program set differs (name-only amendments are not in that list)."""
    before = list_snapshots.alias("b")
    after = list_snapshots.alias("a")
    rows = conn.execute(
        select(list_changes.c.action, list_changes.c.programs, list_changes.c.programs_before,
               list_entities.c.external_id, before.c.taken_at.label("b"),
               after.c.taken_at.label("a"))
        .join(list_entities, list_entities.c.id == list_changes.c.entity_id)
        .join(sanction_lists, sanction_lists.c.id == list_changes.c.list_id)
        .join(before, before.c.id == list_changes.c.before_snapshot_id)
        .join(after, after.c.id == list_changes.c.after_snapshot_id)
        .where(sanction_lists.c.key == list_key, list_changes.c.retracted_at.is_(None)))
    keys: set[Key] = set()
    for r in rows:
        kind = r.action
        if kind == "amended":
            if set(r.programs) == set(r.programs_before):
                continue
            kind = "program_changed"
        keys.add((r.b.strftime(fmt), r.a.strftime(fmt), kind, r.external_id))
    return keys


def compare(conn: Connection, list_key: str, change_list: Path) -> Comparison:
    rows = read_change_list(change_list)
    expected = expected_keys(rows)
    found = ledger_keys(conn, list_key, stamp_format(rows))
    return Comparison(
        expected=len(expected), found=len(found),
        missing=sorted(expected - found), unexpected=sorted(found - expected),
        expected_by_kind=dict(Counter(k[2] for k in expected)),
        found_by_kind=dict(Counter(k[2] for k in found)),
    )


def monthly_counts_from_change_list(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], int]:
    """(program, YYYY-MM of the later version, kind) → count, from the change list."""
    counts: Counter[tuple[str, str, str]] = Counter()
    fmt = stamp_format(rows)
    for r in rows:
        month = dt.datetime.strptime(r["snapshot_after"], fmt).strftime("%Y-%m")
        separator = "] [" if "] [" in r["program"] or fmt == STAMP else ";"
        programs = {p.strip(" []") for p in r["program"].split(separator) if p.strip(" []")}
        for program in programs or {"(none)"}:
            counts[(program, month, _KINDS[r["change"]])] += 1
    return dict(counts)
