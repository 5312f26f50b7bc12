"""The load test, small: readers and editors against a real server at once, and no acknowledged
write lost. The full run (50 clients, 60 s, 1,000,000 persons on PostgreSQL) is the same script
with other numbers: docs/reliability.md, section 7."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mixed_load_loses_no_acknowledged_write(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    db = db_url.removeprefix("sqlite:///")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_load.py"), "--db", db, "--persons", "2000", "--clients", "10",
         "--seconds", "8", "--proposals", "150", "--write-share", "0.1", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.exists(), done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    writes = result["writes"]
    assert writes["acknowledged"] >= 5, writes  # accepted and rejected decisions really happened
    assert writes["lost"] == 0 and writes["accepted_without_target"] == 0, writes
    assert result["overall"]["errors"] == 0, result["overall"]
    for kind in ("person", "search", "api-search", "stats", "write"):
        assert result[kind]["requests"] > 0, (kind, result[kind])
    assert done.returncode == 0, done.stderr[-3000:]
