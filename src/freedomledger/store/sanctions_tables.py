"""Sanctions lists and their history, stored as dated snapshots.

A snapshot is one file (or folder) of one list as published on one date. Storing every
entity of every snapshot would cost 15,000 rows per OFAC version; instead an entity's
presence is stored as *memberships*: runs of consecutive snapshots over which the entity
was listed with unchanged content (same content hash). 308 OFAC versions then cost one row
per entity per change, not per version. "Was X listed on date D?" is a lookup of the
membership that covers the last snapshot at or before D. A run still going at the newest
snapshot is open (no last snapshot), so a new version touches only what changed.

`list_changes` holds the designations, delistings and amendments found by comparing
consecutive snapshots, each dated by the interval between the two snapshots (an action
seen only in snapshots did not happen on a known day). Each change is also a row in the
ledger's `sanction_actions` (with `list_entity_id` set) so that deals can link to it.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from freedomledger.store.tables import Json, metadata, utcnow

sanction_lists = Table(
    "sanction_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("authority", String(8), nullable=False),
    Column("title", String(200)),
    Column("created_at", DateTime, nullable=False, default=utcnow),
)

list_snapshots = Table(
    "list_snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("sanction_lists.id"), nullable=False),
    # Ordering key: the publication (or scrape) time; midnight when only the day is known.
    Column("taken_at", DateTime, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("date_source", String(12), nullable=False),  # file | file_name | user
    Column("mode", String(10), nullable=False, default="full"),  # full | delta
    Column("coverage", Json, nullable=False, default=list),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("file_name", Text),
    Column("entry_count", Integer, nullable=False),
    Column("warnings", Json, nullable=False, default=list),
    Column("source_id", ForeignKey("sources.id")),
    Column("imported_at", DateTime, nullable=False, default=utcnow),
    Column("imported_by", String(120), nullable=False),
    UniqueConstraint("list_id", "taken_at", name="uq_list_snapshots_list_taken"),
)

list_entities = Table(
    "list_entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("sanction_lists.id"), nullable=False),
    Column("external_id", String(120), nullable=False),
    Column("schema", String(20), nullable=False),
    Column("primary_name", String(500)),
    # The newest data that states the entity's identity (primary name, type, programs).
    Column("data", Json, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("organization_id", ForeignKey("organizations.id")),
    Column("person_id", ForeignKey("persons.id")),
    UniqueConstraint("list_id", "external_id", name="uq_list_entities_list_external"),
)

list_entity_names = Table(
    "list_entity_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", ForeignKey("list_entities.id"), nullable=False, index=True),
    Column("name", String(500), nullable=False),
    # Case-folded, accent-stripped form for exact lookups; fuzzy search uses the name engine.
    Column("norm", String(500), nullable=False, index=True),
    Column("kind", String(12), nullable=False),
    Column("script", String(10), nullable=False),
)

list_memberships = Table(
    "list_memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("sanction_lists.id"), nullable=False),
    Column("entity_id", ForeignKey("list_entities.id"), nullable=False),
    Column("first_snapshot_id", ForeignKey("list_snapshots.id"), nullable=False),
    # NULL while the run is open: listed in every snapshot from the first to the newest.
    # Appending a version then rewrites only the runs that end, not every listed entity.
    Column("last_snapshot_id", ForeignKey("list_snapshots.id")),
    # Copies of the two snapshots' taken_at, so "covers time t" is a range test.
    Column("first_at", DateTime, nullable=False),
    Column("last_at", DateTime),
    Column("content_hash", String(64), nullable=False),
    Column("data", Json, nullable=False),
    Index("ix_list_memberships_entity_first", "entity_id", "first_at"),
    Index("ix_list_memberships_list_last", "list_id", "last_at"),
    Index("ix_list_memberships_list_first", "list_id", "first_at"),
)

list_changes = Table(
    "list_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("sanction_lists.id"), nullable=False),
    Column("entity_id", ForeignKey("list_entities.id"), nullable=False, index=True),
    Column("action", String(12), nullable=False),  # designated | delisted | amended
    Column("before_snapshot_id", ForeignKey("list_snapshots.id"), nullable=False),
    Column("after_snapshot_id", ForeignKey("list_snapshots.id"), nullable=False),
    # Last seen in the old state .. first seen in the new one.
    Column("date_start", Date, nullable=False),
    Column("date_end", Date, nullable=False),
    Column("name", String(500)),
    Column("programs", Json, nullable=False, default=list),
    Column("programs_before", Json, nullable=False, default=list),
    Column("names_added", Json, nullable=False, default=list),
    Column("names_removed", Json, nullable=False, default=list),
    Column("sanction_action_id", ForeignKey("sanction_actions.id")),
    Column("retracted_at", DateTime),
    Column("retracted_reason", Text),
    Index("ix_list_changes_list_date", "list_id", "date_end"),
    Index("ix_list_changes_pair", "before_snapshot_id", "after_snapshot_id"),
)

TABLES = (sanction_lists, list_snapshots, list_entities, list_entity_names, list_memberships,
          list_changes)
