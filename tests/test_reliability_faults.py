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
