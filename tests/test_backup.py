"""Backups: restore into an empty database gives back every row, on and across both databases."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, null, select, text

from conftest import pg_admin_url
from freedomledger import backup as bk
from freedomledger.ledger import Ledger
from freedomledger.ledger import registry as reg
from freedomledger.ledger.loading import import_registry, load_dataset
from freedomledger.model import Name, Person
from freedomledger.sources.registry import read_registry
from freedomledger.sources.sample import read_dataset
from freedomledger.store import db
from freedomledger.store.auth_tables import users
from freedomledger.store.tables import audit_log, claims, persons
from reliability_helpers import EmptyDatabases, describe_difference, fingerprint, named_rows, row_counts

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[EmptyDatabases]:
    factory = EmptyDatabases(tmp_path, pg_admin_url())
    yield factory
    factory.close()


def populate(ledger: Ledger) -> None:
    """Every kind of row the ledger holds: facts, claims, audit, edits, retractions, users."""
    with ledger.transaction("backup-test") as tx:
        load_dataset(tx, read_dataset(FIXTURES / "dataset"))
        file_source, _ = tx.source(kind="registry", title="good.csv", text="x", file_name="good.csv")
        import_registry(tx, read_registry(FIXTURES / "registry" / "good.csv"), file_source_id=file_source)
    with ledger.transaction("editor") as tx:
        person_id = reg.lookup_id(tx, persons, "test-one")
        tx.update(persons, person_id, {"notes": "edited: «quotes», emoji 🕊, tab\tand newline\n"},
                  expected_version=1, reason="test")
        tx.retract(persons, reg.lookup_id(tx, persons, "test-two"), "duplicate record")
        # A JSON column holding SQL NULL (not JSON null) must come back as SQL NULL.
        tx.conn.execute(insert(claims).values(source_id=file_source, subject_table="persons", subject_id=person_id,
                                              field="raw", value=null(), created_by="backup-test"))
        tx.conn.execute(insert(users).values(username="editor", password_hash="$argon2id$placeholder", role="editor"))


def sql_nulls(url: str) -> int:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(claims).where(claims.c.value.is_(null()))).scalar_one()
    engine.dispose()
    return int(found)


@pytest.fixture(params=["sqlite", "postgresql"])
def source_url(request: pytest.FixtureRequest, empty_db: EmptyDatabases) -> str:
    url = empty_db(request.param)
    ledger = Ledger.open(url)
    populate(ledger)
    ledger.close()
    return url


@pytest.mark.parametrize("target_kind", ["sqlite", "postgresql"])
def test_restore_gives_back_every_row(source_url: str, target_kind: str, empty_db: EmptyDatabases,
                                      tmp_path: Path) -> None:
    archive = tmp_path / "ledger.zip"
    manifest = bk.backup(db.make_engine(source_url), archive)
    assert manifest.tables["persons"].rows >= 5 and manifest.tables["audit_log"].rows > 50
    target = empty_db(target_kind)
    report = bk.restore(archive, db.make_engine(target))
    before, after = fingerprint(source_url), fingerprint(target)
    assert before == after, describe_difference(before, after)
    assert report.total_rows == sum(row_counts(before).values()) - 1  # alembic_version is not data
    assert sql_nulls(target) == sql_nulls(source_url) == 1
    # Backups of equal data are equal, whichever database they were taken from.
    again = bk.backup(db.make_engine(target), tmp_path / "again.zip")
    assert {n: t.sha256 for n, t in again.tables.items()} == {n: t.sha256 for n, t in manifest.tables.items()}


def test_next_insert_after_restore_does_not_collide(source_url: str, empty_db: EmptyDatabases,
                                                   tmp_path: Path) -> None:
    archive = tmp_path / "ledger.zip"
    bk.backup(db.make_engine(source_url), archive)
    target = empty_db("postgresql" if source_url.startswith("postgresql") else "sqlite")
    bk.restore(archive, db.make_engine(target))
    ledger = Ledger.open(target, create=False)
    with ledger.read() as conn:
        highest = conn.execute(select(func.max(persons.c.id))).scalar_one()
        audit_highest = conn.execute(select(func.max(audit_log.c.id))).scalar_one()
    with ledger.transaction("after-restore") as tx:
        source_id, _ = tx.source(kind="manual", key="after-restore")
        new_id = reg.upsert_person(tx, Person(key="new-after-restore", names=[Name(text="New Person")]), source_id)
    with ledger.read() as conn:
        assert conn.execute(select(func.max(audit_log.c.id))).scalar_one() > audit_highest
    assert new_id == highest + 1
    ledger.close()


def test_sqlite_online_copy_restores_into_postgresql(empty_db: EmptyDatabases, tmp_path: Path) -> None:
    source = empty_db("sqlite")
    ledger = Ledger.open(source)
    populate(ledger)
    copy = tmp_path / "copy.db"
    manifest = bk.backup(ledger.engine, copy, fmt="sqlite")
    assert bk.verify(copy).tables == manifest.tables
    assert fingerprint(f"sqlite:///{copy}") == fingerprint(source)
    target = empty_db("postgresql")
    bk.restore(copy, db.make_engine(target))
    assert fingerprint(target) == fingerprint(source)
    ledger.close()


def test_restore_refuses_a_non_empty_target_unless_forced(source_url: str, ledger: Ledger, tmp_path: Path) -> None:
    archive = tmp_path / "ledger.zip"
    bk.backup(db.make_engine(source_url), archive)
    with ledger.transaction("someone") as tx:
        source_id, _ = tx.source(kind="manual", key="existing")
        reg.upsert_person(tx, Person(key="existing-person", names=[Name(text="Existing")]), source_id)
    before = fingerprint(ledger.engine)
    with pytest.raises(bk.BackupError, match="not empty.*--force"):
        bk.restore(archive, ledger.engine)
    assert fingerprint(ledger.engine) == before
    bk.restore(archive, ledger.engine, force=True)
    assert fingerprint(ledger.engine) == fingerprint(source_url)


def test_a_refused_row_leaves_the_target_as_it_was(empty_db: EmptyDatabases, tmp_path: Path) -> None:
    """PostgreSQL refuses NUL characters that SQLite keeps; the restore must then write nothing."""
    source = empty_db("sqlite")
    ledger = Ledger.open(source)
    populate(ledger)
    with ledger.transaction("x") as tx:
        tx.update(persons, reg.lookup_id(tx, persons, "test-one"), {"notes": "NUL\x00here"})
    archive = tmp_path / "nul.zip"
    bk.backup(ledger.engine, archive)
    target = empty_db("postgresql")
    with pytest.raises(bk.BackupError, match="table .*, rows id .*refused.*nothing was restored"):
        bk.restore(archive, db.make_engine(target))
    assert all(not rows for name, rows in fingerprint(target).items() if name != "alembic_version")
    ledger.close()


def test_backup_while_the_ledger_is_written_is_one_consistent_snapshot(ledger: Ledger, tmp_path: Path) -> None:
    """A writer adds persons (each with its audit row) while backups run: every backup holds
    whole transactions only, so persons and their 'create' audit rows always match up."""
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            with ledger.transaction("writer") as tx:
                tx.insert(persons, {"key": f"w-{n}", "citizenships": [], "roles": []})
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archives = []
        for i in range(3):
            while len(written) < 5 * (i + 1):
                stop.wait(0.01)
            bk.backup(ledger.engine, tmp_path / f"b{i}.zip")
            archives.append(tmp_path / f"b{i}.zip")
    finally:
        stop.set()
        thread.join()
    counts = []
    for archive in archives:
        bk.verify(archive)
        with zipfile.ZipFile(archive) as z:
            people = [json.loads(line) for line in z.open("tables/persons.jsonl")]
            audit = [json.loads(line) for line in z.open("tables/audit_log.jsonl")]
            manifest = json.loads(z.read("manifest.json"))
        at = {c: i for i, c in enumerate(manifest["tables"]["audit_log"]["columns"])}
        created = {row[at["subject_id"]] for row in audit if row[at["subject_table"]] == "persons"
                   and row[at["action"]] == "create"}
        assert created == {row[0] for row in people}
        counts.append(len(people))
    assert counts == sorted(counts) and counts[-1] > 0


def test_verify_catches_damage(source_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    bk.backup(db.make_engine(source_url), good)

    def rewrite(name: str, change) -> Path:  # type: ignore[no-untyped-def]
        out = tmp_path / name
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                data = change(item.filename, src.read(item))
                if data is not None:
                    dst.writestr(item.filename, data)
        return out

    def edit_manifest(fn):  # type: ignore[no-untyped-def]
        return lambda n, d: json.dumps(fn(json.loads(d))).encode() if n == "manifest.json" else d

    cases = {
        "no manifest": (rewrite("cut.zip", lambda n, d: None if n == "manifest.json" else d), "no manifest"),
        "tampered row": (rewrite("tampered.zip", lambda n, d: d.replace(b"Volha", b"Olga")
                                 if n == "tables/names.jsonl" else d), "names: .* do not match"),
        "missing table": (rewrite("missing.zip", lambda n, d: None if n == "tables/deals.jsonl" else d),
                          "deals is listed in the manifest but missing"),
        "unknown revision": (rewrite("future.zip", edit_manifest(lambda m: {**m, "schema_revision": "9999"})),
                             "revision '9999' is unknown"),
        "dropped table": (rewrite("dropped.zip", edit_manifest(
            lambda m: {**m, "tables": {k: v for k, v in m["tables"].items() if k != "meetings"}})),
            "table meetings of schema .* is missing"),
        "truncated file": (tmp_path / "short.zip", "damaged|no manifest"),
        "not a backup": (tmp_path / "notes.txt", "not a Freedom Ledger backup"),
    }
    (tmp_path / "short.zip").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (tmp_path / "notes.txt").write_text("hello")
    bk.verify(good)
    for label, (path, message) in cases.items():
        with pytest.raises(bk.BackupError, match=message) as caught:
            bk.verify(path)
        assert str(path) in str(caught.value), label


def test_a_failed_backup_leaves_no_file_and_keeps_the_old_one(sqlite_ledger: Ledger, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    populate(sqlite_ledger)
    out = tmp_path / "ledger.zip"
    bk.backup(sqlite_ledger.engine, out)
    old = out.read_bytes()
    real = bk._table_rows

    def failing(conn, table, kinds):  # type: ignore[no-untyped-def]
        if table.name == "persons":
            raise OSError(28, "No space left on device")
        return real(conn, table, kinds)

    monkeypatch.setattr(bk, "_table_rows", failing)
    with pytest.raises(OSError):
        bk.backup(sqlite_ledger.engine, out)
    assert out.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_restore_of_an_older_schema_upgrades_after(empty_db: EmptyDatabases, tmp_path: Path) -> None:
    """A backup taken at revision 0001 restores into a new database, which ends at head."""
    old = empty_db("sqlite")
    engine = db.make_engine(old)
    db.migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO persons (id, key, gender, citizenships, roles, published, version, "
                          "created_at, updated_at) VALUES (7, 'old-one', 'female', '[]', '[]', 1, 1, "
                          "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"))
    archive = tmp_path / "old.zip"
    assert bk.backup(engine, archive).schema_revision == "0001"
    target = empty_db("postgresql" if pg_admin_url() else "sqlite")
    report = bk.restore(archive, db.make_engine(target))
    assert report.upgraded_to == bk.head_revision() != "0001"
    old_rows = named_rows(old, "persons")
    assert named_rows(target, "persons", columns=old_rows[0]) == old_rows


# --- the commands ----------------------------------------------------------------------------

def _cli_app():  # type: ignore[no-untyped-def]
    """The main app when it has the commands; else the three commands on an app of their own,
    with --db as the main app has it."""
    import typer

    from freedomledger import cli
    from freedomledger.cli.backup import backup, restore, verify

    if {c.name or c.callback.__name__ for c in cli.app.registered_commands} >= {"backup", "restore", "verify"}:
        return cli.app
    app = typer.Typer()

    @app.callback()
    def options(db: str = typer.Option(..., "--db")) -> None:
        """The commands read --db from the root context, as under the real app."""

    for command in (backup, restore, verify):
        app.command()(command)
    return app


def test_commands_back_up_verify_and_restore(empty_db: EmptyDatabases, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    runner, app = CliRunner(), _cli_app()
    source = empty_db("sqlite")
    ledger = Ledger.open(source)
    populate(ledger)
    ledger.close()
    archive = tmp_path / "b.zip"
    made = runner.invoke(app, ["--db", source, "backup", str(archive), "--json"])
    assert made.exit_code == 0, made.output
    summary = json.loads(made.stdout)
    assert summary["tables"]["persons"]["rows"] >= 5 and summary["bytes"] == archive.stat().st_size
    checked = runner.invoke(app, ["--db", source, "verify", str(archive), "--compare", "--json"])
    assert checked.exit_code == 0 and json.loads(checked.stdout)["ok"] is True
    target = empty_db("postgresql" if pg_admin_url() else "sqlite")
    restored = runner.invoke(app, ["--db", target, "restore", str(archive)])
    assert restored.exit_code == 0 and "restored" in restored.stdout
    assert fingerprint(target) == fingerprint(source)
    again = runner.invoke(app, ["--db", target, "restore", str(archive)])
    assert again.exit_code != 0 and "not empty" in _error_text(again)
    # The ledger moves on: --compare now says where it differs.
    with Ledger.open(target, create=False).transaction("later") as tx:
        tx.update(persons, reg.lookup_id(tx, persons, "test-one"), {"notes": "changed later"})
    stale = runner.invoke(app, ["--db", target, "verify", str(archive), "--compare", "--json"])
    assert stale.exit_code != 0 and "persons" in _error_text(stale) and "audit_log" in _error_text(stale)


def _error_text(result) -> str:  # type: ignore[no-untyped-def]
    """What the user was told: the main app prints the error; a bare app raises it."""
    try:
        stderr = result.stderr
    except ValueError:  # older click: stderr mixed into output
        stderr = ""
    return f"{stderr}{result.output}{result.exception if isinstance(result.exception, bk.BackupError) else ''}"


def test_real_cli_reports_a_bad_backup_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from freedomledger import cli

    if "verify" not in {c.name or c.callback.__name__ for c in cli.app.registered_commands}:
        pytest.skip("`freedomledger verify` is not registered on the main CLI yet (see cli/backup.py)")
    exe = Path(sys.executable).with_name("freedomledger")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    run = subprocess.run([exe, "--db", str(tmp_path / "x.db"), "verify", str(bad)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and str(bad) in run.stderr and "damaged" in run.stderr
