"""`freedomledger serve` and `freedomledger user ...`: the web server and its accounts.

Register in cli/__init__.py:
    from freedomledger.cli.web import serve, user_app
    app.command()(serve)
    app.add_typer(user_app, name="user")
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from freedomledger.cli._common import (
    JsonOption,
    actor,
    console,
    err_console,
    fail,
    open_ledger,
    print_json,
    print_table,
)

user_app = typer.Typer(help="Web users (viewer, editor, admin) and their API tokens.", no_args_is_help=True)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    public: bool | None = typer.Option(
        None, "--public/--no-public",
        help="Let anonymous visitors read published records \\[default: on, or $FREEDOMLEDGER_PUBLIC].",
    ),
    secure_cookies: bool = typer.Option(
        True, "--secure-cookies/--insecure-cookies",
        help="Mark cookies Secure (browsers still accept them on http://127.0.0.1 and localhost).",
    ),
    workers: int = typer.Option(1, min=1, max=32, help="Server processes, each with its own listening socket. "
                                "Above 1, login rate limits and import progress are per process."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request."),
) -> None:
    """Serve the web app and the JSON API (OpenAPI at /openapi.json)."""
    import uvicorn

    from freedomledger.web import workers as workers_module
    from freedomledger.web.app import create_app
    from freedomledger.web.settings import PUBLIC_ENV, Settings

    ledger = open_ledger(create=False)  # a clear error when the ledger does not exist yet
    url = ledger.engine.url.render_as_string(hide_password=False)
    try:
        settings = Settings.from_env(db_url=url, public=public, secure_cookies=secure_cookies)
    except ValueError as exc:
        fail(str(exc))
    where = f"http://{host}:{port}/"
    console.print(f"serving {ledger.engine.url.render_as_string(hide_password=True)} at {where} "
                  f"({'public' if settings.public else 'closed to anonymous visitors'})")
    options: dict[str, Any] = {"proxy_headers": False, "server_header": False, "log_level": "info",
                               "access_log": access_log}
    if workers == 1:
        uvicorn.run(create_app(settings, ledger=ledger), host=host, port=port, **options)
        return
    ledger.close()
    # Worker processes build their own app from the environment.
    os.environ["FREEDOMLEDGER_DB"] = url
    os.environ[PUBLIC_ENV] = "1" if settings.public else "0"
    os.environ["FREEDOMLEDGER_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    if workers_module.can_balance():
        try:
            status = workers_module.serve_workers(host, port, workers, options)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port or --host")
        raise typer.Exit(status)
    # The name index is built in a thread at start-up and can keep a worker from answering
    # the supervisor's health check for a while; a short timeout would kill and restart it.
    uvicorn.run(workers_module.APP, factory=True, host=host, port=port, workers=workers,
                timeout_worker_healthcheck=900, **options)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
        return password
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="Username: lowercase letters, digits, '.', '_' or '-'."),
    role: str = typer.Option(..., "--role", help="viewer, editor or admin."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create a user; the password is prompted for (there is never a default one)."""
    from freedomledger.web import auth

    ledger = open_ledger(create=False)
    password = _password(password_stdin)
    auth.create_user(ledger, name, password, role, actor=actor())
    console.print(f"user {name.lower()} added as {role}")


@user_app.command("list")
def user_list(json_out: bool = JsonOption) -> None:
    """List users with their role and whether they are active."""
    from freedomledger.web import auth

    with open_ledger(create=False).read() as conn:
        rows = auth.list_users(conn)
    if json_out:
        print_json(rows)
    else:
        print_table(rows, ["username", "role", "active", "created_at"], title="Users")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    from freedomledger.web import auth

    auth.set_active(open_ledger(create=False), name, False, actor=actor())
    console.print(f"user {name} disabled")


@user_app.command("enable")
def user_enable(name: str) -> None:
    """Enable a disabled user again."""
    from freedomledger.web import auth

    auth.set_active(open_ledger(create=False), name, True, actor=actor())
    console.print(f"user {name} enabled")


@user_app.command("password")
def user_password(
    name: str, password_stdin: bool = typer.Option(False, "--password-stdin", help="Read it from standard input."),
) -> None:
    """Set a new password; the user's browser sessions end."""
    from freedomledger.web import auth

    auth.set_password(open_ledger(create=False), name, _password(password_stdin), actor=actor())
    console.print(f"password of {name} changed")


@user_app.command("token")
def user_token(name: str, label: str | None = typer.Option(None, help="What the token is for.")) -> None:
    """Create an API token for the user (same role). It is shown once: store it now."""
    from freedomledger.web import auth

    token_id, token = auth.create_token(open_ledger(create=False), name, label, actor=actor())
    err_console.print(f"token {token_id} for {name}; it will not be shown again. Use it as "
                      "`Authorization: Bearer <token>`.")
    sys.stdout.write(token + "\n")


@user_app.command("tokens")
def user_tokens(name: str | None = typer.Argument(None), json_out: bool = JsonOption) -> None:
    """List API tokens (never the tokens themselves)."""
    from freedomledger.web import auth

    with open_ledger(create=False).read() as conn:
        rows = auth.list_tokens(conn, name)
    if json_out:
        print_json(rows)
    else:
        print_table(rows, ["id", "username", "label", "created_at", "revoked_at"], title="API tokens")


@user_app.command("revoke")
def user_revoke(token_id: int = typer.Argument(..., help="The token's id (from `user tokens`).")) -> None:
    """Revoke an API token."""
    from freedomledger.web import auth

    auth.revoke_token(open_ledger(create=False), token_id, actor=actor())
    console.print(f"token {token_id} revoked")


__all__ = ["serve", "user_app"]
