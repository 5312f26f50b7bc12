"""`freedomledger user ...` and the pieces of `serve` that run without a server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from test_web_support import bearer, client, make_app
from typer.testing import CliRunner

from freedomledger.cli.web import user_app
from freedomledger.ledger import Ledger
from freedomledger.web import i18n


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "cli.db"
    Ledger.open(str(path)).close()
    monkeypatch.setenv("FREEDOMLEDGER_DB", str(path))
    app = typer.Typer()
    app.add_typer(user_app, name="user")
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(app, list(args), input=input), path


def test_user_lifecycle(cli) -> None:
    run, path = cli
    added = run("user", "add", "Alice", "--role", "editor", "--password-stdin", input="a long enough password\n")
    assert added.exit_code == 0, added.output
    listed = json.loads(run("user", "list", "--json").stdout)
    assert [(u["username"], u["role"], u["active"]) for u in listed] == [("alice", "editor", True)]
    made = run("user", "token", "alice", "--label", "ci")
    assert made.exit_code == 0
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("flt_")
    tokens = run("user", "tokens", "--json").stdout
    assert token not in tokens and json.loads(tokens)[0]["label"] == "ci"
    ledger = Ledger.open(str(path))
    with client(make_app(ledger)) as c:
        assert c.get("/api/me", headers=bearer(token)).json()["role"] == "editor"
        assert run("user", "revoke", str(json.loads(tokens)[0]["id"])).exit_code == 0
        assert c.get("/api/me", headers=bearer(token)).status_code == 401
    ledger.close()


def test_bad_user_input_is_refused(cli) -> None:
    run, _ = cli
    from freedomledger.ledger import LedgerError

    weak = run("user", "add", "bob", "--role", "editor", "--password-stdin", input="short\n")
    assert weak.exit_code != 0 and isinstance(weak.exception, LedgerError)
    role = run("user", "add", "bob", "--role", "owner", "--password-stdin", input="a long enough password\n")
    assert role.exit_code != 0 and "unknown role" in str(role.exception)
    empty = run("user", "add", "bob", "--role", "viewer", "--password-stdin", input="\n")
    assert empty.exit_code != 0
    assert json.loads(run("user", "list", "--json").stdout) == []


def test_catalogue_has_every_message_used() -> None:
    import re

    import jinja2

    web = Path(i18n.__file__).parent.parent
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    used = set()
    for template in (web / "templates").glob("*.html"):
        used |= {m for _, _, m in env.extract_translations(template.read_text()) if isinstance(m, str)}
    for module in web.glob("*.py"):
        used |= set(re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"', module.read_text()))
    catalogue = i18n.catalogue("en")
    assert used and sorted(used - set(catalogue)) == []


def test_translator_and_language_choice() -> None:
    _ = i18n.translator("en")
    assert _("%(n)s matches", n=3) == "3 matches"
    assert _("a message with no entry") == "a message with no entry"
    assert i18n.pick_language(None, "de-DE,en;q=0.8") == "en"
    assert i18n.pick_language("zz", None) == "en"


@pytest.mark.parametrize(("args", "note"), [
    (["--help"], "[default: ./freedomledger.db]"),
    (["serve", "--help"], "[default: on, or $FREEDOMLEDGER_PUBLIC]"),
    (["sanctions", "status", "--help"], "[default: today]"),
])
def test_help_keeps_the_defaults_written_in_it(args: list[str], note: str) -> None:
    # Typer renders help through rich, which took "[default: ...]" for markup and dropped it.
    from freedomledger.cli import app

    shown = CliRunner().invoke(app, args, env={"COLUMNS": "240"})
    assert shown.exit_code == 0
    assert note in " ".join(shown.stdout.split())
