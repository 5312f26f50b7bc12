"""Server settings: explicit arguments first, then environment variables, then defaults.

There is deliberately no default secret: without $FREEDOMLEDGER_SECRET the server makes
one and keeps it in the ledger (auth.server_secret), so sessions survive restarts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from freedomledger.model import is_number

SECRET_ENV = "FREEDOMLEDGER_SECRET"
PUBLIC_ENV = "FREEDOMLEDGER_PUBLIC"
MiB = 1024 * 1024


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_count(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not is_number(value) or int(value) < 1:
        raise ValueError(f"${name} must be a whole number from 1 up, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    db_url: str | None = None
    # Anonymous read access to published records. Off: everything but login answers 401.
    public: bool = True
    secret: str | None = field(default=None, repr=False)
    # Cookies carry `Secure`; browsers accept that on http://127.0.0.1 and localhost too.
    secure_cookies: bool = True
    session_max_age_s: int = 12 * 3600
    max_upload_bytes: int = 2 * MiB
    max_registry_bytes: int = 20 * MiB
    login_attempts: int = 5
    login_window_s: int = 300
    page_size: int = 25
    max_page_size: int = 200
    # How long a search waits for the name index before answering 503 "building".
    index_wait_s: float = 5.0
    build_index_on_start: bool = True
    # Threads per worker process that run request handlers. They share one interpreter lock:
    # at 50 clients 3 answered with a third of the tail latency of 6 (docs/benchmarks.md).
    threads: int = 3
    default_lang: str = "en"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        base = cls(
            db_url=os.environ.get("FREEDOMLEDGER_DB"),
            public=_env_bool(PUBLIC_ENV, True),
            secret=os.environ.get(SECRET_ENV) or None,
            secure_cookies=_env_bool("FREEDOMLEDGER_SECURE_COOKIES", True),
            # Off: the name index is built at the first search instead of at start-up.
            build_index_on_start=_env_bool("FREEDOMLEDGER_BUILD_INDEX", True),
            threads=_env_count("FREEDOMLEDGER_THREADS", cls.threads),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given)  # type: ignore[arg-type]
