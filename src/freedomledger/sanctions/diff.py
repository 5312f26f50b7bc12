"""Comparing two snapshots of one list: who was designated, delisted or amended. Pure.

Entries are compared by content hash first (cheap); only entries whose hash differs are
looked at closely, and then only on the facets both snapshots carry (see
`sources.common.Coverage`): an sdn.csv-only snapshot next to an add/alt-only one shares no
name or program facet, so it can show designations and delistings but never an amendment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DESIGNATED = "designated"
DELISTED = "delisted"
AMENDED = "amended"


@dataclass
class Change:
    external_id: str
    action: str
    name: str | None
    programs: list[str] = field(default_factory=list)
    programs_before: list[str] = field(default_factory=list)
    names_added: list[str] = field(default_factory=list)
    names_removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id, "action": self.action, "name": self.name,
            "programs": self.programs, "programs_before": self.programs_before,
            "names_added": self.names_added, "names_removed": self.names_removed,
        }


def display_name(data: Mapping[str, Any] | None) -> str | None:
    """The primary name, else the first name the data holds."""
    if not data:
        return None
    names = data.get("names") or []
    for name in names:
        if name.get("kind") == "primary":
            return str(name["text"])
    return str(names[0]["text"]) if names else None


def _name_facet(data: Mapping[str, Any], facets: set[str]) -> set[str]:
    # Weak aliases count only where both sides carry aliases *and* details: OFAC's CSV
    # states them in the remarks, not in alt.csv, so an alt.csv-only snapshot lacks them.
    weak_ok = {"aliases", "details"} <= facets
    out: set[str] = set()
    for name in data.get("names") or []:
        kind = name.get("kind")
        if (kind == "primary" and "identity" in facets) or \
                (kind == "alias" and "aliases" in facets) or (kind == "weak_alias" and weak_ok):
            out.add(name["text"])
    return out


def compare_data(before: Mapping[str, Any], after: Mapping[str, Any]) -> Change | None:
    """An `amended` change when names or programs differ on facets both sides cover."""
    facets = set(before.get("coverage") or []) & set(after.get("coverage") or [])
    names_before = _name_facet(before, facets)
    names_after = _name_facet(after, facets)
    added = sorted(names_after - names_before)
    removed = sorted(names_before - names_after)
    programs_before = list(before.get("programs") or [])
    programs_after = list(after.get("programs") or [])
    program_change = "programs" in facets and set(programs_before) != set(programs_after)
    if not added and not removed and not program_change:
        return None
    return Change(
        external_id=str(after.get("id") or before.get("id")),
        action=AMENDED,
        name=display_name(after) or display_name(before),
        programs=programs_after if "programs" in facets else programs_before,
        programs_before=programs_before,
        names_added=added,
        names_removed=removed,
    )


def diff_states(
    before: Mapping[str, str],
    after: Mapping[str, str],
    data_before: Callable[[list[str]], Mapping[str, Mapping[str, Any]]],
    data_after: Callable[[list[str]], Mapping[str, Mapping[str, Any]]],
) -> list[Change]:
    """Changes from state `before` to state `after`, each a mapping external id → content hash.

    Data is fetched only for the ids that need it, through the two callables (the importer
    reads it from the database or from the parsed file), so a diff of two 15,000-entry
    snapshots touches the data of the few hundred entries that changed.
    """
    added = [e for e in after if e not in before]
    removed = [e for e in before if e not in after]
    touched = [e for e in after if e in before and before[e] != after[e]]
    old = data_before(removed + touched)
    new = data_after(added + touched)
    changes: list[Change] = []
    for ext in added:
        data = new.get(ext) or {}
        changes.append(Change(ext, DESIGNATED, display_name(data), list(data.get("programs") or [])))
    for ext in removed:
        data = old.get(ext) or {}
        changes.append(Change(ext, DELISTED, display_name(data), list(data.get("programs") or [])))
    for ext in touched:
        change = compare_data(old.get(ext) or {}, new.get(ext) or {})
        if change is not None:
            change.external_id = ext
            changes.append(change)
    return changes
