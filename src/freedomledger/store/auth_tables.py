"""Users, API tokens and server secrets for the web app (see web/auth.py)."""

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table

from freedomledger.store.tables import metadata, utcnow

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(10), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False, default=utcnow),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("label", String(120)),
    # Only a SHA-256 of the token is kept; the token itself is shown once, at creation.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("revoked_at", DateTime),
)

# Secrets the server generates for itself (the session-signing key) when none is given in
# the environment, so that sessions survive a restart and no default key ships in the code.
app_secrets = Table(
    "app_secrets",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False, default=utcnow),
)
