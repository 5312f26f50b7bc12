"""From a path and a list kind to dated snapshots, ready to import. No database here.

One path may hold one snapshot (an sdn.csv folder, a UN XML file) or many (a folder or
archive of git-scraped sdn_<time>.csv versions, a folder of OpenSanctions delta files).
Snapshots are yielded one at a time, parsed lazily, so memory stays flat however many
versions an archive holds.

The date of a snapshot is, in this order: the publication date the file states; the time in
its file name (sdn_20240503T184323Z.csv, 20240528014702-pfh.entities.delta.json); the date
the user gives. With none of these, the import is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from freedomledger.sources import eu, ftm, ofac, ofac_xml, uk, un
from freedomledger.sources.common import ListFormatError, ParsedList, read_bytes

KINDS = ("ofac-sdn", "ofac-cons", "uk", "ukhmt", "un", "eu", "ftm")
AUTHORITIES = {"ofac-sdn": "US", "ofac-cons": "US", "uk": "UK", "ukhmt": "UK", "un": "UN",
               "eu": "EU"}
TITLES = {
    "ofac-sdn": "OFAC Specially Designated Nationals and Blocked Persons List",
    "ofac-cons": "OFAC Consolidated Sanctions List (non-SDN)",
    "uk": "UK Sanctions List",
    "ukhmt": "HM Treasury Consolidated List of Financial Sanctions Targets",
    "un": "UN Security Council Consolidated List",
    "eu": "EU Consolidated Financial Sanctions List",
}
_ARCHIVES = (".tar", ".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".zip")
_HISTORY_FILE = re.compile(r"^sdn_\d{8}T\d{6}Z\.csv$", re.IGNORECASE)


@dataclass
class SnapshotInput:
    parsed: ParsedList
    taken_at: dt.datetime
    date_source: str  # file | file_name | user


def parse_date(text: str) -> dt.datetime:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] as the user types it for --date."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--date {text!r} is not a date; use YYYY-MM-DD "
                         "(or YYYY-MM-DDTHH:MM when two versions share a day)") from None
    return value.replace(tzinfo=None) if value.tzinfo is None else \
        value.astimezone(dt.UTC).replace(tzinfo=None)


def _dated(parsed: ParsedList, name: str, user_date: dt.datetime | None,
           from_name: dt.datetime | None) -> SnapshotInput:
    if parsed.published is not None:
        if user_date is not None and user_date.date() != parsed.published.date():
            parsed.warnings.append(
                f"--date {user_date.date()} ignored: the file states its publication date, "
                f"{parsed.published.date()}.")
        return SnapshotInput(parsed, parsed.published, "file")
    if from_name is not None:
        return SnapshotInput(parsed, from_name, "file_name")
    if user_date is not None:
        return SnapshotInput(parsed, user_date, "user")
    raise ListFormatError(
        "does not state its publication date.", file=name,
        hint="pass --date YYYY-MM-DD: the date the list was published (or downloaded).")


def _is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(_ARCHIVES)


def _archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes), one member in memory at a time.

    Tar archives are read as a stream, in archive order: listing a compressed tar first
    would decompress it once per member. Snapshots out of order are still stored right
    (the importer slots them between their neighbours), only more slowly."""
    if path.name.lower().endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(n for n in archive.namelist() if not n.endswith("/")):
                yield name, archive.read(name)
        return
    try:
        with tarfile.open(path, "r|*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ListFormatError(f"is not a readable archive: {exc}.", file=path,
                              hint="download it again; it may be truncated.") from exc


def _ofac_member(name: str, data: bytes, kind: str, user_date: dt.datetime | None,
                 member: str | None = None,
                 cache: ofac.RowCache | None = None) -> SnapshotInput | None:
    """One OFAC file, `name` as shown to the user, `member` its own name inside an archive."""
    member = member or name
    base = Path(member).name.lower()
    if base.endswith(".json"):
        parsed = ofac.parse_ofac_json(name, data, kind, row_cache=cache)
        if cache is not None:
            cache.rotate()
        return _dated(parsed, name, user_date, None)
    if base.endswith(".xml"):
        return _dated(ofac_xml.parse_ofac_xml(name, data, kind), name, user_date, None)
    if _HISTORY_FILE.match(Path(member).name) or base in ("sdn.csv", "cons_prim.csv"):
        parsed = ofac.parse_ofac_files({"main": (name, data)}, kind, row_cache=cache)
        if cache is not None:
            cache.rotate()
        return _dated(parsed, name, user_date, ofac.date_from_name(member))
    return None


def read_ofac(path: Path, kind: str, user_date: dt.datetime | None) -> Iterator[SnapshotInput]:
    if path.is_dir():
        names = {p.name.lower() for p in path.iterdir()}
        if names & {"sdn.csv", "add.csv", "alt.csv", "cons_prim.csv", "cons_add.csv",
                    "cons_alt.csv"}:
            yield _dated(ofac.parse_ofac_folder(path, kind), str(path), user_date, None)
            return
        # A history folder: archives of versions and loose timestamped copies.
        found = False
        for child in sorted(path.iterdir()):
            if _is_archive(child):
                found = True
                yield from read_ofac(child, kind, None)
            elif _HISTORY_FILE.match(child.name):
                found = True
                item = _ofac_member(str(child), read_bytes(child), kind, None)
                if item:
                    yield item
        if not found:
            raise ListFormatError(
                "holds no OFAC list files (sdn.csv/add.csv/alt.csv, cons_*.csv, "
                "sdn_<time>.csv versions or archives of them).", file=path,
                hint="point at the folder or file you downloaded.")
        return
    if _is_archive(path):
        count = 0
        cache = ofac.RowCache()
        for name, data in _archive_members(path):
            item = _ofac_member(f"{path.name}:{name}", data, kind, None, member=name,
                                cache=cache)
            if item is not None:
                count += 1
                yield item
        if count == 0:
            raise ListFormatError("holds no OFAC list versions.", file=path,
                                  hint="expected sdn_<time>.csv, .json or .xml members.")
        return
    data = read_bytes(path)
    base = path.name.lower()
    if base.endswith(".xml"):
        yield _dated(ofac_xml.parse_ofac_xml(str(path), data, kind), str(path), user_date, None)
    elif base.endswith(".json"):
        yield _dated(ofac.parse_ofac_json(str(path), data, kind), str(path), user_date, None)
    elif base.endswith(".csv"):
        role = ofac.file_role(path.name)
        if role is not None and role[1] != "main":
            # add.csv or alt.csv alone: read the folder so its siblings come along.
            raise ListFormatError(
                f"is OFAC's {role[1]} file; import the folder that holds it.", file=path,
                hint=f"run the import on {path.parent}.")
        parsed = ofac.parse_ofac_files({"main": (str(path), data)}, kind)
        yield _dated(parsed, str(path), user_date, ofac.date_from_name(path.name))
    else:
        raise ListFormatError("is not an OFAC list file (.csv, .xml, .json or an archive).",
                              file=path, hint="check the path and the --list option.")


def read_ftm(path: Path, user_date: dt.datetime | None,
             list_key: str | None = None) -> Iterator[SnapshotInput]:
    deltas: list[Path] = []
    if path.is_dir():
        deltas = sorted(p for p in path.iterdir() if p.name.endswith(".delta.json"))
        if not deltas:
            raise ListFormatError(
                "holds no OpenSanctions delta files (*.delta.json).", file=path,
                hint="import FollowTheMoney entity files one file at a time.")
        key = list_key or ftm.list_key(set(), path.name)
    elif path.name.endswith(".delta.json"):
        deltas = [path]
        key = list_key or ftm.list_key(set(), path.parent.name)
    else:
        parsed = ftm.parse_ftm_entities(str(path), read_bytes(path), list_key)
        yield _dated(parsed, str(path), user_date, None)
        return
    for delta in deltas:
        parsed = ftm.parse_ftm_delta(str(delta), read_bytes(delta), key)
        yield _dated(parsed, str(delta), None if len(deltas) > 1 else user_date, None)


def read_path(path: Path, kind: str, date: dt.datetime | str | None = None,
              *, list_key: str | None = None) -> Iterator[SnapshotInput]:
    """Yield the dated snapshots that `path` holds for list kind `kind` (see KINDS)."""
    user_date = parse_date(date) if isinstance(date, str) else date
    if kind not in KINDS:
        raise ValueError(f"unknown list {kind!r}; choose one of {', '.join(KINDS)}")
    if not path.exists():
        raise ListFormatError("does not exist.", file=path, hint="check the path.")
    if kind in ("ofac-sdn", "ofac-cons"):
        yield from read_ofac(path, kind, user_date)
    elif kind == "uk":
        folder = path if path.is_dir() else path.parent
        yield _dated(uk.parse_uk_tables(folder), str(folder), user_date, None)
    elif kind == "ukhmt":
        yield _dated(uk.parse_ukhmt_csv(path), str(path), user_date, None)
    elif kind == "un":
        yield _dated(un.parse_un_xml(str(path), read_bytes(path)), str(path), user_date, None)
    elif kind == "eu":
        yield _dated(eu.parse_eu_xml(str(path), read_bytes(path)), str(path), user_date, None)
    else:
        yield from read_ftm(path, user_date, list_key)
