"""Sanctions lists as dated snapshots: import them, keep their history, answer "as of".

    from freedomledger.sanctions import import_path, status_as_of
    results = import_path(ledger, Path("ofac/ofac_2025-02_add_alt"), "ofac-sdn",
                          date="2025-02-27", actor="alice")
    with ledger.read() as conn:
        status_as_of(conn, "Belavia", authority="US", as_of=date(2025, 12, 31))

Parsing lives in `freedomledger.sources` (pure); this package stores snapshots
(`importing`), compares them (`diff`) and answers questions (`queries`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from freedomledger.ledger import Ledger
from freedomledger.sanctions.diff import Change, compare_data, diff_states
from freedomledger.sanctions.importing import ImportResult, SnapshotImporter, import_snapshots
from freedomledger.sanctions.names import EntityMatch, find_entities, norm_name
from freedomledger.sanctions.queries import (
    changes,
    entity_status,
    lists_view,
    monthly_report,
    status_as_of,
    timeline,
)
from freedomledger.sanctions.readers import KINDS, SnapshotInput, parse_date, read_path


def import_path(ledger: Ledger, path: Path, kind: str, *, actor: str,
                date: dt.datetime | str | None = None, authority: str | None = None,
                list_key: str | None = None) -> list[ImportResult]:
    """Import every snapshot `path` holds as list `kind`, in one transaction."""
    return import_snapshots(ledger, read_path(path, kind, date, list_key=list_key), actor,
                            authority=authority)


__all__ = [
    "KINDS", "Change", "EntityMatch", "ImportResult", "SnapshotImporter", "SnapshotInput",
    "changes", "compare_data", "diff_states", "entity_status", "find_entities", "import_path",
    "import_snapshots", "lists_view", "monthly_report", "norm_name", "parse_date", "read_path",
    "status_as_of", "timeline",
]
