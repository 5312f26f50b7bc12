"""Faults and hostile input at the edge, through the real command: whatever goes wrong, the user
gets one clear line and a non-zero exit, never a traceback, and the ledger is left as it was."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from reliability_helpers import fingerprint

CLI = str(Path(sys.executable).with_name("freedomledger"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


def clean_failure(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 1 and "Traceback" not in result.stderr and "error:" in result.stderr


HOSTILE_ROWS = {
    # A real-world URL can be long (tracking parameters, archive.org prefixes).
    "long-source-url": {"key": "long-url", "name": "Long Url", "source_url": "https://example.org/" + "a" * 300,
                        "source_outlet": "Example"},
    "long-outlet": {"key": "long-outlet", "name": "Long Outlet", "source_outlet": "O" * 250},
    "nul-character": {"key": "nul-name", "name": "Nul\x00Name", "source_outlet": "Example"},
}

@pytest.mark.parametrize("case", sorted(HOSTILE_ROWS))
def test_hostile_registry_row_is_imported_or_refused_cleanly(db_url: str, tmp_path: Path, case: str,
                                                             request: pytest.FixtureRequest) -> None:
    row = HOSTILE_ROWS[case]
    path = tmp_path / f"{case}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    before = fingerprint(db_url)
    result = run("--db", db_url, "import", str(path))
    if result.returncode == 0:
        assert len(fingerprint(db_url)["persons"]) == len(before["persons"]) + 1
    else:
        assert clean_failure(result), result.stderr[-1500:]
        assert str(path.name) in result.stderr
        assert fingerprint(db_url) == before



@pytest.mark.parametrize("url", ["postgresql://fl@127.0.0.1:1/nowhere", "/nonexistent-folder/ledger.db"],
                         ids=["postgresql-down", "sqlite-unwritable"])
def test_unreachable_database_is_one_clear_line(url: str) -> None:
    result = run("--db", url, "person", "list")
    assert clean_failure(result), result.stderr[-800:]


def test_a_connection_the_server_dropped_is_replaced(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: a pooled connection that the server ended (a restart, an idle timeout) is
    tested when it has been idle and replaced, without an error; one used moments ago is not
    tested, fails once, and the pool is renewed."""
    import sqlalchemy as sa

    from freedomledger.ledger import Ledger
    from freedomledger.store import db

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop connections")
    ledger = Ledger.open(db_url, create=False, pool_size=1)
    admin = sa.create_engine(db.resolve_url(db_url), poolclass=sa.pool.NullPool)

    def backend() -> int:
        with ledger.read() as conn:
            return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    def drop(pid: int) -> None:
        with admin.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()

    try:
        first = backend()
        drop(first)
        monkeypatch.setattr(db, "PING_IDLE_S", 0.0)  # as if it had sat idle
        second = backend()
        assert second != first
        monkeypatch.setattr(db, "PING_IDLE_S", 3600.0)  # used moments ago: not tested
        drop(second)
        with pytest.raises(sa.exc.DBAPIError) as failed:
            backend()
        assert failed.value.connection_invalidated
        assert backend() not in (first, second)
    finally:
        admin.dispose()
        ledger.close()
