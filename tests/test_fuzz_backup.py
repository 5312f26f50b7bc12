"""Fuzzing backup.verify and backup.restore: a backup file is input like any other. Damaged or
hostile archives (including ones whose hashes were recomputed to match) are refused with
BackupError naming the file, and a refused restore leaves the target without a row."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freedomledger import backup as bk
from freedomledger.ledger import Ledger
from freedomledger.ledger.loading import load_dataset
from freedomledger.sources.sample import read_dataset
from freedomledger.store import db
from reliability_helpers import fingerprint, fuzz_settings, json_values, mutations, no_hang, note

DATASET = Path(__file__).parent / "fixtures" / "dataset"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A small real archive, and an empty migrated SQLite file to copy as a restore target."""
    folder = tmp_path_factory.mktemp("fuzz-backup")
    ledger = Ledger.open(str(folder / "source.db"))
    with ledger.transaction("fuzz") as tx:
        load_dataset(tx, read_dataset(DATASET))
    archive = folder / "good.zip"
    bk.backup(ledger.engine, archive)
    ledger.close()
    empty = folder / "empty.db"
    db.migrate(db.make_engine(f"sqlite:///{empty}"))
    with zipfile.ZipFile(archive) as z:
        members = {name: z.read(name) for name in z.namelist()}
    return {"archive": archive.read_bytes(), "members": members, "empty": empty}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _resealed(members: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute the manifest's counts and hashes, as a careful forger would."""
    try:
        manifest = json.loads(members["manifest.json"])
        for name, info in manifest["tables"].items():
            data = members.get(f"tables/{name}.jsonl", b"")
            info["rows"], info["sha256"] = data.count(b"\n"), hashlib.sha256(data).hexdigest()
        return {**members, "manifest.json": json.dumps(manifest).encode()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return members


def check(data: bytes, empty: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backup.zip"
        path.write_bytes(data)
        try:
            with no_hang():
                bk.verify(path)
        except bk.BackupError as exc:
            assert str(path) in str(exc), f"the error does not name the file: {exc}"
            note("refused by verify")
            return
        target = Path(tmp) / "target.db"
        shutil.copy(empty, target)
        try:
            with no_hang():
                bk.restore(path, db.make_engine(f"sqlite:///{target}"))
            note("restored")
        except bk.BackupError as exc:
            assert str(path) in str(exc) or "target" in str(exc), exc
            rows = fingerprint(f"sqlite:///{target}")
            assert all(not r for n, r in rows.items() if n != "alembic_version"), "a refused restore wrote rows"
            note("refused by restore")


def row_edits(members: dict[str, bytes]):  # type: ignore[no-untyped-def]
    """Values inside rows or the manifest replaced, then (half the time) the archive resealed."""
    json_value = json_values()

    @st.composite
    def edits(draw: st.DrawFn) -> bytes:
        return _edit(draw, members, json_value)

    return edits()


def _edit(draw: st.DrawFn, members: dict[str, bytes], json_value) -> bytes:  # type: ignore[no-untyped-def]
    edited = dict(members)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(edited)))
        lines = edited[name].decode().splitlines() if name != "manifest.json" else [edited[name].decode()]
        if not lines:
            continue
        i = draw(st.integers(0, len(lines) - 1))
        doc = json.loads(lines[i])
        if isinstance(doc, list) and doc:
            doc[draw(st.integers(0, len(doc) - 1))] = draw(json_value)
        elif isinstance(doc, dict):
            key = draw(st.sampled_from(sorted(doc)))
            doc[key] = draw(json_value) if draw(st.booleans()) else doc[key]
            if key == "tables" and isinstance(doc[key], dict) and doc[key]:
                table = draw(st.sampled_from(sorted(doc[key])))
                if isinstance(doc[key][table], dict):
                    field = draw(st.sampled_from(["columns", "kinds", "rows"]))
                    doc[key][table] = {**doc[key][table], field: draw(json_value)}
        lines[i] = json.dumps(doc)
        edited[name] = ("\n".join(lines) + ("\n" if name != "manifest.json" else "")).encode()
    return _zip(_resealed(edited) if draw(st.booleans()) else edited)


def test_the_untouched_archive_restores(material: dict[str, object]) -> None:
    check(material["archive"], material["empty"])  # type: ignore[arg-type]


def test_verify_and_restore_on_byte_edits(material: dict[str, object]) -> None:
    @fuzz_settings(share=0.15)  # each example may restore a database: half a parser's share
    @given(mutations(material["archive"]))  # type: ignore[arg-type]
    def run(data: bytes) -> None:
        check(data, material["empty"])  # type: ignore[arg-type]

    run()


def test_verify_and_restore_on_edited_rows_and_manifest(material: dict[str, object]) -> None:
    @fuzz_settings(share=0.35)
    @given(row_edits(material["members"]))  # type: ignore[arg-type]
    def run(data: bytes) -> None:
        check(data, material["empty"])  # type: ignore[arg-type]

    run()
