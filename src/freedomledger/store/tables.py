"""The ledger's tables (SQLAlchemy Core). They mirror model.py; migrations derive from them.

Conventions every fact table follows:
- nothing is hard-deleted: `retracted_at` + `retracted_reason` mark a withdrawn fact;
- editable records carry `version` for optimistic locking (a stale edit is a conflict);
- fuzzy dates are stored as `date_start`, `date_end` and `date_precision` (see model.FuzzyDate);
- provenance lives in `claims`: every fact row has at least one claim pointing at a source.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

# Constraint names must be stable for Alembic to alter them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _timestamps() -> list[Column]:
    return [
        Column("created_at", DateTime, nullable=False, default=utcnow),
        Column("updated_at", DateTime, nullable=False, default=utcnow, onupdate=utcnow),
    ]


def _retraction() -> list[Column]:
    return [Column("retracted_at", DateTime), Column("retracted_reason", Text)]


def _fuzzy_date(prefix: str = "date", nullable: bool = False) -> list[Column]:
    return [
        Column(f"{prefix}_start", Date, nullable=nullable),
        Column(f"{prefix}_end", Date, nullable=nullable),
        Column(f"{prefix}_precision", String(8), nullable=nullable),
    ]


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), unique=True),
    Column("kind", String(20), nullable=False),
    Column("outlet", String(200)),
    Column("title", Text),
    Column("url", Text),
    Column("published", Date),
    # Some reports are known only to the month or year ("Viasna, February 2023").
    Column("published_precision", String(8)),
    Column("retrieved", Date),
    Column("content_hash", String(64), unique=True),
    Column("text", Text),
    Column("file_name", Text),
    *_timestamps(),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("gender", String(10), nullable=False, default="unknown"),
    *_fuzzy_date("birth", nullable=True),
    Column("citizenships", Json, nullable=False, default=list),
    Column("roles", Json, nullable=False, default=list),
    Column("notes", Text),
    Column("confidential_notes", Text),
    Column("published", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
    *_retraction(),
)

organizations = Table(
    "organizations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("country", String(2)),
    Column("ids", Json, nullable=False, default=dict),
    Column("notes", Text),
    Column("published", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
    *_retraction(),
)

names = Table(
    "names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("persons.id"), index=True),
    Column("organization_id", ForeignKey("organizations.id"), index=True),
    Column("text", String(500), nullable=False),
    Column("script", String(10), nullable=False),
    Column("lang", String(8)),
    Column("kind", String(20), nullable=False),
    Column("source_id", ForeignKey("sources.id")),
    *_timestamps(),
    *_retraction(),
    CheckConstraint(
        "(person_id IS NULL) <> (organization_id IS NULL)", name="one_owner"
    ),
)

affiliations = Table(
    "affiliations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("persons.id"), nullable=False, index=True),
    Column("organization_id", ForeignKey("organizations.id"), nullable=False, index=True),
    Column("role", String(100)),
    Column("source_id", ForeignKey("sources.id")),
    *_timestamps(),
    *_retraction(),
)

release_events = Table(
    "release_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("releasing_state", String(2), nullable=False),
    *_fuzzy_date(),
    Column("kind", String(20), nullable=False),
    Column("announced_count", Integer),
    Column("destination", Json, nullable=False, default=list),
    Column("destination_counts", Json, nullable=False, default=dict),
    Column("notes", Text),
    Column("published", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
    *_retraction(),
    Index("ix_release_events_date", "date_start"),
)

status_changes = Table(
    "status_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("persons.id"), nullable=False, index=True),
    Column("status", String(40), nullable=False),
    *_fuzzy_date(),
    Column("details", Json, nullable=False, default=dict),
    Column("release_event_id", ForeignKey("release_events.id"), index=True),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
    *_retraction(),
    Index("ix_status_changes_status_date", "status", "date_start"),
    Index("ix_status_changes_person_date", "person_id", "date_start"),
)

release_mediators = Table(
    "release_mediators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_event_id", ForeignKey("release_events.id"), nullable=False, index=True),
    Column("person_id", ForeignKey("persons.id")),
    Column("organization_id", ForeignKey("organizations.id")),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    *_timestamps(),
    *_retraction(),
)

sanction_actions = Table(
    "sanction_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(160), unique=True),
    Column("authority", String(8), nullable=False),
    Column("program", String(120)),
    Column("action", String(20), nullable=False),
    *_fuzzy_date(),
    Column("organization_id", ForeignKey("organizations.id"), index=True),
    Column("person_id", ForeignKey("persons.id"), index=True),
    Column("target_name", String(500)),
    # Set when the action was derived from list snapshots (see store/sanctions_tables.py).
    Column("list_entity_id", Integer, index=True),
    Column("notes", Text),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
    *_retraction(),
    Index("ix_sanction_actions_authority_date", "authority", "date_start"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("counterpart", String(2)),
    Column("notes", Text),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
    *_retraction(),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    *_fuzzy_date(),
    Column("place", String(200)),
    Column("description", Text, nullable=False),
    Column("participants", Json, nullable=False, default=list),
    *_timestamps(),
    *_retraction(),
)

deal_links = Table(
    "deal_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deal_id", ForeignKey("deals.id"), nullable=False, index=True),
    Column("release_event_id", ForeignKey("release_events.id"), index=True),
    Column("sanction_action_id", ForeignKey("sanction_actions.id"), index=True),
    Column("meeting_id", ForeignKey("meetings.id")),
    *_timestamps(),
    *_retraction(),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("subject_table", String(40), nullable=False),
    Column("subject_id", Integer, nullable=False),
    Column("field", String(60), nullable=False, default="*"),
    Column("value", Json),
    Column("quote", Text),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Column("status", String(12), nullable=False, default="accepted"),
    Column("reason", Text),
    Column("created_by", String(120), nullable=False),
    *_timestamps(),
    Index("ix_claims_subject", "subject_table", "subject_id", "field"),
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("payload", Json, nullable=False),
    Column("status", String(12), nullable=False, default="pending", index=True),
    Column("target_table", String(40)),
    Column("target_id", Integer),
    Column("decided_by", String(120)),
    Column("decided_at", DateTime),
    Column("note", Text),
    Column("version", Integer, nullable=False, default=1),
    *_timestamps(),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, default=utcnow, index=True),
    Column("actor", String(120), nullable=False),
    Column("action", String(20), nullable=False),
    Column("subject_table", String(40), nullable=False),
    Column("subject_id", Integer),
    Column("before", Json),
    Column("after", Json),
    Column("reason", Text),
    Index("ix_audit_log_subject", "subject_table", "subject_id"),
)

# Tables other modules define on this same metadata register themselves on import.
from freedomledger.store import _extensions  # noqa: E402,F401
