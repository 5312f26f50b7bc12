"""No secret ships in the code: no default password, key or token, no credentials in URLs, and
no log or print call that is handed a password, token or secret.

The checks read the source with `ast` (names and values, not comments or help text), so that a
column called `password_hash` or an environment variable *name* is not mistaken for a secret.
Each check is first shown to catch a planted example, so a silent pass means something.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENSITIVE = re.compile(r"passw(or)?d|passphrase|secret|token|api_?key|private_?key|credential", re.I)
# Values that are not secrets even under a sensitive name: env-var names, empty, placeholders
# such as "<token>", algorithm or field names.
NOT_A_SECRET = re.compile(r"^([A-Z][A-Z0-9_]*|[a-z][a-z0-9_.]*_(hash|id|name|file|env|header|kind|label|field|path)|"
                          r"<[^>]*>|\*+|argon2(id)?|sha256|bearer|Bearer|x-[a-z-]+|[a-z_]+)$")
URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]+@", re.I)
LOG_FUNCTIONS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print", "echo"}
SKIP_NAMES = re.compile(r"hash|_id$|^id$|kind|label|count|len|prefix|expires|created|revoked|checked|verify|valid", re.I)


REGEX_SYNTAX = re.compile(r"\(\?|\\[pdswbDSW]|\[\^|\{\d")


def _is_secret_literal(node: ast.AST | None) -> bool:
    """A string that could be a password or key: one word, not a name or a regular expression
    (the extractor's word "tokens" are patterns, not credentials)."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 3
            and not any(c.isspace() for c in node.value) and not NOT_A_SECRET.match(node.value)
            and not REGEX_SYNTAX.search(node.value))


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _sensitive(name: str) -> bool:
    return bool(SENSITIVE.search(name)) and not SKIP_NAMES.search(name)


def hard_coded_secrets(source: str, where: str = "<code>") -> list[str]:
    """Places where a sensitive name is given a literal value, or a secret has a default."""
    found: list[str] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        pairs: list[tuple[str, ast.AST | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(_name(t), node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(_name(node.target), node.value)]
        elif isinstance(node, ast.keyword) and node.arg:
            pairs = [(node.arg, node.value)]
        elif isinstance(node, ast.Dict):
            pairs = [(_name(k), v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
            pairs = list(zip((a.arg for a in args), defaults + node.args.kw_defaults, strict=False))
        elif isinstance(node, ast.Call) and node.args:
            func = _name(node.func)
            first = node.args[0]
            # os.environ.get("X_PASSWORD", "default") / os.getenv(...) / typer.Option("dflt", "--token")
            if func in ("get", "getenv", "setdefault") and len(node.args) > 1 and _sensitive(_name(first)):
                pairs = [(_name(first), node.args[1])]
            elif func in ("Option", "Argument"):
                flags = [_name(a) for a in node.args[1:]]
                if any(_sensitive(f) for f in flags):
                    pairs = [(flags[0], first)]
        for name, value in pairs:
            if _sensitive(name) and _is_secret_literal(value):
                found.append(f"{where}:{getattr(value, 'lineno', '?')}: {name} = {ast.unparse(value)[:40]}")
    return found


def secrets_in_logs(source: str, where: str = "<code>") -> list[str]:
    """Log or print calls handed a password/token/secret variable (directly or in an f-string)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _name(node.func) in LOG_FUNCTIONS):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for inner in ast.walk(arg):
                name = _name(inner) if isinstance(inner, (ast.Name, ast.Attribute)) else ""
                if name and _sensitive(name):
                    found.append(f"{where}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def python_files() -> list[Path]:
    return sorted((REPO / "src").rglob("*.py"))


def test_the_checks_catch_planted_secrets() -> None:
    planted = '''
ADMIN_PASSWORD = "changeme"
settings = {"secret_key": "dev-secret-123"}
def login(user, password="admin123"): ...
key = os.environ.get("FREEDOMLEDGER_SECRET", "not-so-secret")
opt = typer.Option("hunter2", "--password")
engine = create_engine(url, password="pw-literal")
logger.info("login %s with %s", user, password)
print(f"token is {api_token}")
'''
    assert len(hard_coded_secrets(planted)) == 5
    assert len(secrets_in_logs(planted)) == 2
    harmless = '''
ENV_SECRET = "FREEDOMLEDGER_SECRET_KEY"
password_hash = Column("password_hash", String(200))
token = secrets.token_urlsafe(32)
header = {"token_type": "bearer"}
opt = typer.Option(None, "--password", envvar="FREEDOMLEDGER_PASSWORD")
log.info("token %s revoked", token_id)
'''
    assert hard_coded_secrets(harmless) == [] and secrets_in_logs(harmless) == []
    assert URL_CREDENTIALS.search("postgresql://fl:hunter2@db/x") and not URL_CREDENTIALS.search(
        "postgresql://fl@127.0.0.1:54329/postgres")


def test_no_hard_coded_secret_in_the_package() -> None:
    found = [hit for path in python_files()
             for hit in hard_coded_secrets(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))]
    assert found == [], "hard-coded secrets or secret defaults:\n" + "\n".join(found)


def test_no_password_or_token_is_logged() -> None:
    found = [hit for path in python_files()
             for hit in secrets_in_logs(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))]
    assert found == [], "log/print calls handed a secret:\n" + "\n".join(found)


def test_no_credentials_in_urls_or_config() -> None:
    candidates = [*python_files(), *(REPO / "scripts").glob("*"), *REPO.glob("*.toml"), *REPO.glob("*.cfg"),
                  *REPO.glob("*.ini"), *REPO.glob("*.y*ml"), *REPO.glob("Dockerfile*"), *REPO.glob(".env*"),
                  *(REPO / "src").rglob("*.html"), *(REPO / "src").rglob("*.js")]
    found = []
    for path in candidates:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if URL_CREDENTIALS.search(line) or "PRIVATE KEY-----" in line:
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:80]}")
    assert found == [], "credentials in files that ship:\n" + "\n".join(found)
