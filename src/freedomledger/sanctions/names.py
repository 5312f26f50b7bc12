"""Finding list entities by name or by list id.

The exact-match key (`norm_name`) only has to make "Belavia" find "BELAVIA": case, accents
and punctuation go, the script stays. Anything fuzzier — Лукашэнка for LUKASHENKA,
Navumau for Naumov — is the name engine's job (`freedomledger.names`), used when the exact
key finds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from freedomledger.store.sanctions_tables import list_entities, list_entity_names, sanction_lists

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def norm_name(text: str) -> str:
    if text.isascii():
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


@dataclass
class EntityMatch:
    entity_id: int
    list_key: str
    authority: str
    external_id: str
    name: str | None
    schema: str
    matched_name: str
    score: float
    how: str  # id | exact | contains | fuzzy

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _lists_filter(authority: str | None, list_key: str | None) -> list[Any]:
    conditions = []
    if authority:
        conditions.append(sanction_lists.c.authority == authority.upper())
    if list_key:
        conditions.append(sanction_lists.c.key == list_key)
    return conditions


def _base(conditions: list[Any]):  # type: ignore[no-untyped-def]
    return (select(list_entities.c.id, sanction_lists.c.key, sanction_lists.c.authority,
                   list_entities.c.external_id, list_entities.c.primary_name,
                   list_entities.c.schema)
            .join(sanction_lists, sanction_lists.c.id == list_entities.c.list_id)
            .where(*conditions))


def find_entities(conn: Connection, query: str, *, authority: str | None = None,
                  list_key: str | None = None, limit: int = 5,
                  min_score: float = 0.8) -> list[EntityMatch]:
    """Entities matching `query`, best first: "LIST:ID" or a bare list id; else names.

    An exact (normalised) name match wins. Then a name containing every word of the query
    ("Belavia" finds "OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES"). Then the name
    engine, for spellings and scripts that differ (Лукашэнка for LUKASHENKA).
    """
    conditions = _lists_filter(authority, list_key)
    query = query.strip()
    if ":" in query:
        key, _, ext = query.partition(":")
        rows = conn.execute(_base([*conditions, sanction_lists.c.key == key.strip(),
                                   list_entities.c.external_id == ext.strip()])).all()
        if rows:
            return [_match(r, r.primary_name or query, 1.0, "id") for r in rows]
    rows = conn.execute(_base([*conditions, list_entities.c.external_id == query])).all()
    if rows:
        return [_match(r, r.primary_name or query, 1.0, "id") for r in rows]
    norm = norm_name(query)
    if not norm:
        return []
    rows = conn.execute(_base([*conditions, list_entity_names.c.norm == norm])
                        .join(list_entity_names, list_entity_names.c.entity_id == list_entities.c.id)
                        .add_columns(list_entity_names.c.name).distinct()).all()
    if rows:
        return _dedupe([_match(r, r.name, 1.0, "exact") for r in rows])[:limit]
    words = norm.split()
    like = [list_entity_names.c.norm.like(f"%{w}%") for w in words]
    rows = conn.execute(_base([*conditions, *like])
                        .join(list_entity_names, list_entity_names.c.entity_id == list_entities.c.id)
                        .add_columns(list_entity_names.c.name).limit(500)).all()
    matches = [_match(r, r.name, 0.9, "contains") for r in rows
               if set(words) <= set(norm_name(r.name).split())]
    if matches:
        return _dedupe(matches)[:limit]
    return _fuzzy(conn, query, conditions, limit, min_score)


def _match(row: Any, matched: str, score: float, how: str) -> EntityMatch:
    return EntityMatch(row.id, row.key, row.authority, row.external_id, row.primary_name,
                       row.schema, matched, score, how)


def _dedupe(matches: list[EntityMatch]) -> list[EntityMatch]:
    best: dict[int, EntityMatch] = {}
    for m in matches:
        if m.entity_id not in best or m.score > best[m.entity_id].score:
            best[m.entity_id] = m
    return sorted(best.values(), key=lambda m: (-m.score, m.list_key, m.external_id))


_INDEX_CACHE: dict[tuple[Any, ...], Any] = {}


def _fuzzy(conn: Connection, query: str, conditions: list[Any], limit: int,
           min_score: float) -> list[EntityMatch]:
    """Rank every name of the chosen lists with the name engine (freedomledger.names).

    The index is kept per process and rebuilt when the number of names changes, so a web
    process or a batch of questions pays for it once."""
    from freedomledger.names import NameIndex

    count = conn.execute(select(func.count()).select_from(
        _base(conditions).join(list_entity_names,
                               list_entity_names.c.entity_id == list_entities.c.id)
        .add_columns(list_entity_names.c.id.label("nid")).subquery())).scalar_one()
    if not count:
        return []
    key = (str(conn.engine.url), tuple(str(c.compile(compile_kwargs={"literal_binds": True}))
                                       for c in conditions), count)
    cached = _INDEX_CACHE.get(key)
    if cached is None:
        rows = conn.execute(_base(conditions)
                            .join(list_entity_names,
                                  list_entity_names.c.entity_id == list_entities.c.id)
                            .add_columns(list_entity_names.c.name)).all()
        index = NameIndex("person")
        by_id: dict[str, Any] = {}
        for r in rows:
            index.add(str(r.id), r.name, "person" if r.schema == "person" else "organization")
            by_id[str(r.id)] = r
        cached = (index.build(), by_id)
        _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = cached
    index, by_id = cached
    out = []
    for hit in index.search(query, top_k=limit, min_score=min_score):
        r = by_id[hit.id]
        out.append(_match(r, hit.name, float(hit.score), "fuzzy"))
    return _dedupe(out)[:limit]
