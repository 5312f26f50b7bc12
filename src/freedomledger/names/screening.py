"""Screening: many query names against a list of names, and where such lists come from.

`--against` specs resolve through a small registry of loaders. A loader maps a spec string
to an iterable of (id, name) or (id, name, kind) rows; several rows with one id are that
entity's aliases. CSV and text files are built in; other modules register loaders for their
sources (e.g. "ledger" for the registry, "ofac@2024-05-01" for a dated sanctions list):

    register_against_loader("ofac", load_ofac)          # matches "ofac" and "ofac@..." / "ofac:..."
    register_against_loader(lambda spec: ..., loader)   # any predicate
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from freedomledger.names.compare import DEFAULT_THRESHOLD
from freedomledger.names.index import DEFAULT_MIN_SCORE, Hit, NameIndex
from freedomledger.names.normalize import MAX_NAME_CHARS

Row = tuple[str, str] | tuple[str, str, str]
Loader = Callable[[str], Iterable[Row]]


class InputError(ValueError):
    """Input the user must fix; the message says where (file, line) and how."""


@dataclass(frozen=True)
class BadRow:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


@dataclass
class NameRows:
    rows: list[tuple[str, str, int]] = field(default_factory=list)  # (id, name, line)
    bad: list[BadRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    match: Callable[[str], bool]
    loader: Loader
    description: str


_LOADERS: list[_Entry] = []


def register_against_loader(match: str | Callable[[str], bool], loader: Loader,
                            description: str = "") -> None:  # fmt: skip
    """Register a source of names for `--against`. A string matches the spec itself and
    "<prefix>@..." or "<prefix>:..." (the part after @ or : is for the loader, e.g. a date).
    Later registrations win over earlier ones."""
    predicate: Callable[[str], bool]
    if isinstance(match, str):
        prefix = match

        def by_prefix(spec: str) -> bool:
            return spec == prefix or spec.startswith((prefix + "@", prefix + ":"))

        predicate = by_prefix
        description = description or prefix
    else:
        predicate = match
    _LOADERS.append(_Entry(predicate, loader, description or getattr(loader, "__name__", "loader")))


def registered_loaders() -> list[str]:
    return [e.description for e in _LOADERS]


def resolve_against(spec: str, skip_bad: bool = False,
                    warn: Callable[[str], None] | None = None) -> Iterable[Row]:  # fmt: skip
    """The (id, name[, kind]) rows that an --against spec names."""
    for entry in reversed(_LOADERS):
        if entry.match(spec):
            return entry.loader(spec)
    path = Path(spec)
    if path.is_file():
        rows = read_names(path, repeat_ids=True)
        _raise_if_bad(rows, skip_bad, warn)
        return [(i, n) for i, n, _line in rows.rows]
    known = ", ".join(registered_loaders()) or "none"
    raise InputError(
        f"--against {spec!r}: no such file, and no registered list has that name "
        f"(registered: {known}). Give a CSV with id,name columns or a text file with one name a line."
    )


def _raise_if_bad(rows: NameRows, skip_bad: bool, warn: Callable[[str], None] | None = None) -> None:
    if rows.bad and skip_bad and warn is not None:
        for bad in rows.bad:
            warn(f"skipped {bad}")
    if rows.bad and not skip_bad:
        shown = "\n".join(f"  {b}" for b in rows.bad[:20])
        more = f"\n  ... and {len(rows.bad) - 20} more" if len(rows.bad) > 20 else ""
        raise InputError(
            f"{len(rows.bad)} malformed row(s); fix them or pass --skip-bad to skip them:\n{shown}{more}"
        )


def _check_name(name: str) -> str | None:
    if not name.strip():
        return "the name is empty"
    if len(name) > MAX_NAME_CHARS:
        return f"the name is {len(name)} characters long (at most {MAX_NAME_CHARS})"
    if any(ord(ch) < 32 and ch not in "\t" for ch in name):
        return "the name contains control characters"
    return None


def _decode_lines(path: Path, out: NameRows) -> list[str]:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    texts = []
    for n, raw in enumerate(lines, start=1):
        try:
            texts.append(raw.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as exc:
            problem = f"not UTF-8 ({exc.reason} at byte {exc.start}); save the file as UTF-8"
            out.bad.append(BadRow(str(path), n, problem))
            texts.append("")
    if texts and texts[-1] == "":
        texts.pop()
    return texts


def read_names(path: str | Path, repeat_ids: bool = False) -> NameRows:
    """Read a CSV with id,name columns (other columns ignored) or a text file with one name a
    line (its id is the line number). Problems are collected in .bad with their line."""
    path = Path(path)
    out = NameRows()
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    lines = _decode_lines(path, out)
    if path.suffix.lower() in (".csv", ".tsv"):
        _read_csv(path, lines, out, repeat_ids)
    else:
        for n, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            problem = _check_name(line)
            if problem:
                out.bad.append(BadRow(str(path), n, problem))
            else:
                out.rows.append((str(n), line.strip(), n))
    return out


def _read_csv(path: Path, lines: list[str], out: NameRows, repeat_ids: bool) -> None:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    if not lines:
        raise InputError(f"{path}: the file is empty; it needs a header line with id,name")
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    cols = [h.strip().lower() for h in header]
    if "name" not in cols or "id" not in cols:
        raise InputError(f"{path}:1: the header must have 'id' and 'name' columns (found: {', '.join(header)})")
    i_id, i_name = cols.index("id"), cols.index("name")
    # Quoted fields may span lines; csv handles that, we track the line each record starts on.
    text = "\n".join(lines[1:])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    seen: set[str] = set()
    line = 2
    for record in reader:
        start = line
        line = reader.line_num + 2
        if not record or not any(c.strip() for c in record):
            continue
        if len(record) <= max(i_id, i_name):
            out.bad.append(BadRow(str(path), start, f"{len(record)} field(s), the header has {len(cols)}"))
            continue
        rid, name = record[i_id].strip(), record[i_name]
        problem = "the id is empty" if not rid else _check_name(name)
        if not problem and not repeat_ids and rid in seen:
            problem = f"the id {rid!r} appears twice"
        if problem:
            out.bad.append(BadRow(str(path), start, problem))
            continue
        seen.add(rid)
        out.rows.append((rid, name.strip(), start))


def read_queries(path: str | Path, skip_bad: bool = False,
                 warn: Callable[[str], None] | None = None) -> list[tuple[str, str]]:  # fmt: skip
    """Query rows of a file; malformed rows raise InputError unless skip_bad (then warn)."""
    rows = read_names(path, repeat_ids=False)
    _raise_if_bad(rows, skip_bad, warn)
    return [(i, n) for i, n, _line in rows.rows]


def build_index(rows: Iterable[Row], kind: str = "person") -> NameIndex:
    """A NameIndex from (id, name) or (id, name, kind) rows."""
    index = NameIndex(kind)
    for row in rows:
        index.add(row[0], row[1], row[2] if len(row) > 2 else None)
    return index.build()


@dataclass(frozen=True)
class ScreenResult:
    query_id: str
    query: str
    hits: list[Hit]

    def to_dict(self) -> dict[str, object]:
        return {"query_id": self.query_id, "query": self.query,
                "matches": [h.to_dict() for h in self.hits]}  # fmt: skip


def screen(queries: Iterable[tuple[str, str]], index: NameIndex, top: int = 10,
           threshold: float = DEFAULT_THRESHOLD, kind: str | None = None,
           min_score: float | None = None) -> Iterator[ScreenResult]:  # fmt: skip
    """Search every query; hits are best first, `match` where score >= threshold."""
    floor = min(DEFAULT_MIN_SCORE, threshold) if min_score is None else min_score
    for qid, name in queries:
        yield ScreenResult(qid, name, index.search(name, top, kind, floor, threshold))
