"""Who is asking: roles, users, passwords (argon2), API tokens and signed session cookies.

Passwords are hashed with argon2-cffi; API tokens are random and only their SHA-256 is
stored; sessions are itsdangerous-signed cookies naming a user, a random session id and a
fingerprint of the password hash, so a password change or a disabled account ends every
session at the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from freedomledger.ledger import Ledger, LedgerError, NotFound
from freedomledger.store.auth_tables import api_tokens, app_secrets, users
from freedomledger.store.tables import utcnow


class Role(IntEnum):
    """Ordered: each role may do everything the ones below it may."""

    anyone = 0  # even with public access switched off (login page, static files)
    public = 1  # anonymous readers, when public access is on
    viewer = 2
    editor = 3
    admin = 4


USER_ROLES = (Role.viewer, Role.editor, Role.admin)
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 12
TOKEN_PREFIX = "flt_"
_hasher = PasswordHasher()
# Verifying against this when a username is unknown keeps the time of a failed login the
# same whether or not the user exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    via: str  # "anonymous", "session" or "token"

    @property
    def is_anonymous(self) -> bool:
        return self.via == "anonymous"

    @property
    def sees_confidential(self) -> bool:
        """Editors and admins see unpublished records and confidential fields; nobody else."""
        return self.role >= Role.editor

    @property
    def public_view(self) -> bool:
        return not self.sees_confidential


ANONYMOUS = User(0, "anonymous", Role.public, "anonymous")


def parse_role(text: str) -> Role:
    try:
        role = Role[text.strip().lower()]
    except KeyError:
        role = None
    if role not in USER_ROLES:
        raise LedgerError(f"unknown role {text!r}", hint="use viewer, editor or admin")
    return role


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise LedgerError(f"the password is too short ({len(password)} characters)",
                          hint=f"use at least {MIN_PASSWORD} characters")


def create_user(ledger: Ledger, username: str, password: str, role: str, *, actor: str) -> int:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise LedgerError(f"username {username!r} is not allowed",
                          hint="2-80 characters: lowercase letters, digits, '.', '_' or '-'")
    parsed = parse_role(role)
    check_password_strength(password)
    with ledger.transaction(actor) as tx:
        exists = tx.conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if exists is not None:
            raise LedgerError(f"user {username!r} already exists")
        # The audit record must not carry the hash, so it is written after the audited insert.
        user_id = tx.insert(users, dict(username=username, password_hash="[set]", role=parsed.name, active=True))
        tx.conn.execute(update(users).where(users.c.id == user_id).values(password_hash=_hasher.hash(password)))
    return user_id


def _user_row(conn: Connection, username: str) -> dict[str, Any]:
    row = conn.execute(select(users).where(users.c.username == username.strip().lower())).mappings().first()
    if row is None:
        raise NotFound(f"no user {username!r}", hint="list them with `freedomledger user list`")
    return dict(row)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(users.c.id, users.c.username, users.c.role, users.c.active, users.c.created_at)
        .order_by(users.c.username)
    ).mappings()
    return [dict(r) | {"created_at": r["created_at"].isoformat(timespec="seconds")} for r in rows]


def set_active(ledger: Ledger, username: str, active: bool, *, actor: str) -> None:
    with ledger.transaction(actor) as tx:
        tx.update(users, _user_row(tx.conn, username)["id"], {"active": active})


def set_password(ledger: Ledger, username: str, password: str, *, actor: str) -> None:
    check_password_strength(password)
    with ledger.transaction(actor) as tx:
        user_id = _user_row(tx.conn, username)["id"]
        tx.update(users, user_id, {"password_hash": "[changed]"}, reason="password changed")
        tx.conn.execute(update(users).where(users.c.id == user_id).values(password_hash=_hasher.hash(password)))


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    row = conn.execute(
        select(users).where(users.c.username == username.strip().lower())
    ).mappings().first()
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row["active"]:
        return None
    return User(row["id"], row["username"], Role[row["role"]], "session")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(ledger: Ledger, username: str, label: str | None, *, actor: str) -> tuple[int, str]:
    """A new API token for the user; the token itself is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ledger.transaction(actor) as tx:
        user = _user_row(tx.conn, username)
        if not user["active"]:
            raise LedgerError(f"user {username!r} is disabled", hint="enable the user first")
        token_id = tx.insert(api_tokens, dict(user_id=user["id"], label=label, token_hash="[set]"))
        tx.conn.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                        .values(token_hash=token_digest(token)))
    return token_id, token


def list_tokens(conn: Connection, username: str | None = None) -> list[dict[str, Any]]:
    query = (
        select(api_tokens.c.id, users.c.username, api_tokens.c.label, api_tokens.c.created_at,
               api_tokens.c.revoked_at)
        .join(users, users.c.id == api_tokens.c.user_id).order_by(api_tokens.c.id)
    )
    if username:
        query = query.where(users.c.username == username.strip().lower())
    return [
        dict(r) | {"created_at": r["created_at"].isoformat(timespec="seconds"),
                   "revoked_at": r["revoked_at"].isoformat(timespec="seconds") if r["revoked_at"] else None}
        for r in conn.execute(query).mappings()
    ]


def revoke_token(ledger: Ledger, token_id: int, *, actor: str) -> None:
    with ledger.transaction(actor) as tx:
        row = tx.row(api_tokens, token_id)
        if row["revoked_at"] is None:
            tx.update(api_tokens, token_id, {"revoked_at": utcnow()}, reason="revoked")


def user_for_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(users.c.id, users.c.username, users.c.role)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == token_digest(token), api_tokens.c.revoked_at.is_(None),
               users.c.active.is_(True))
    ).mappings().first()
    return User(row["id"], row["username"], Role[row["role"]], "token") if row else None


def server_secret(ledger: Ledger, given: str | None) -> str:
    """The session-signing key: the one given, else the one kept in the ledger, else a new one."""
    if given:
        if len(given) < 32:
            raise LedgerError("$FREEDOMLEDGER_SECRET is too short", hint="use at least 32 random characters")
        return given
    with ledger.read() as conn:
        found = conn.execute(select(app_secrets.c.value).where(app_secrets.c.name == "session")).scalar()
    if found:
        return str(found)
    fresh = secrets.token_urlsafe(48)
    try:
        with ledger.engine.begin() as conn:
            existing = conn.execute(select(app_secrets.c.value).where(app_secrets.c.name == "session")).scalar()
            if existing is not None:
                return str(existing)
            conn.execute(insert(app_secrets).values(name="session", value=fresh, created_at=utcnow()))
            return fresh
    except IntegrityError:
        # Server processes starting at once on PostgreSQL (SQLite's BEGIN IMMEDIATE queues
        # them): both found no key, the other's insert won; use its key.
        with ledger.read() as conn:
            return str(conn.execute(select(app_secrets.c.value).where(app_secrets.c.name == "session")).scalar_one())


class Sessions:
    """Signed session cookies: {sid, uid, pw}. uid 0 is an anonymous visitor (for login CSRF)."""

    def __init__(self, secret: str, max_age_s: int):
        self._serializer = URLSafeTimedSerializer(secret, salt="freedomledger-session")
        self._csrf_key = hashlib.sha256(b"csrf:" + secret.encode("utf-8")).digest()
        self.max_age_s = max_age_s
        # Logged-out session ids, remembered until their cookies would have expired anyway.
        self._ended: dict[str, float] = {}

    def new(self, user_id: int = 0, password_hash: str = "") -> tuple[str, dict[str, Any]]:
        data = {"sid": secrets.token_urlsafe(18), "uid": user_id, "pw": _fingerprint(password_hash)}
        return self._serializer.dumps(data), data

    def read(self, cookie: str | None) -> dict[str, Any] | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age_s)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            return None
        return None if data["sid"] in self._ended else data

    def end(self, sid: str, now: float) -> None:
        self._ended = {k: v for k, v in self._ended.items() if v > now}
        if len(self._ended) < 100_000:
            self._ended[sid] = now + self.max_age_s

    def user(self, conn: Connection, data: dict[str, Any]) -> User | None:
        if not data.get("uid"):
            return None
        row = conn.execute(select(users).where(users.c.id == int(data["uid"]))).mappings().first()
        if row is None or not row["active"] or _fingerprint(row["password_hash"]) != data.get("pw"):
            return None
        return User(row["id"], row["username"], Role[row["role"]], "session")

    def csrf_token(self, sid: str) -> str:
        return hmac.new(self._csrf_key, sid.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, sid: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(sid), str(token))


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16] if password_hash else ""


def password_hash_of(conn: Connection, user_id: int) -> str:
    return str(conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar() or "")
