"""Synthetic but realistic name corpus for the index benchmark.

Name parts are real: given names, patronymics and surnames of the RuPEP/FBK persons (Russian
Cyrillic) and of Viasna's political prisoners (Belarusian Latin), with their gender and
their frequencies. An entity is a random (given name, patronymic or none, surname) of one
gender; its aliases are the spellings a registry or sanctions list would carry: Russian and
Belarusian Cyrillic, BGN/PCGN, ICAO, Belarusian passport and national-system romanisations,
in "Given Surname" or "SURNAME Given" order, with or without the patronymic. The spellings
come from the alias generator (freedomledger.names.aliases), word by word.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bench_names_data import load_people

from freedomledger.names.aliases import word_forms
from freedomledger.names.translit import transliterate

SYSTEMS = ("ru-Cyrl", "be-Cyrl", "bgn-ru", "icao", "passport", "national", "bgn-be")


@dataclass(frozen=True)
class Template:
    given: str
    patronymic: str
    surname: str


@dataclass
class Pools:
    given: dict[str, list[str]]
    patronymic: dict[str, list[str]]
    surname: dict[str, list[str]]


def _gender_of(patronymic: str, given: str) -> str:
    p = patronymic.lower()
    if p.endswith(("на", "на.")):
        return "f"
    if p.endswith(("вич", "ич")):
        return "m"
    return "f" if given.lower().endswith(("а", "я")) else "m"


def load_pools(data: Path) -> Pools:
    given: dict[str, Counter[str]] = {"m": Counter(), "f": Counter()}
    pats: dict[str, Counter[str]] = {"m": Counter(), "f": Counter()}
    surnames: dict[str, Counter[str]] = {"m": Counter(), "f": Counter()}
    for p in load_people(data):
        g, pat, sur = p.cyrillic
        if not g.isalpha() or not sur.replace("-", "").isalpha():
            continue
        gender = _gender_of(pat, g)
        given[gender][g.capitalize()] += 1
        surnames[gender][sur.capitalize()] += 1
        if pat and pat.isalpha():
            pats[gender][pat.capitalize()] += 1
    viasna = json.loads((data / "viasna" / "prisoners.json").read_text(encoding="utf-8"))
    for rec in viasna:
        parts = rec.get("name", "").split()
        if len(parts) == 2 and all(x.isalpha() for x in parts):
            gender = "f" if rec.get("gender") == "female" else "m"
            given[gender][parts[0]] += 1
            surnames[gender][parts[1]] += 1

    def expand(c: Counter[str]) -> list[str]:
        return [name for name, n in c.items() for _ in range(min(n, 50))]

    return Pools(
        {g: expand(c) for g, c in given.items()},
        {g: expand(c) for g, c in pats.items()},
        {g: expand(c) for g, c in surnames.items()},
    )


def random_template(pools: Pools, rng: random.Random) -> Template:
    gender = "f" if rng.random() < 0.3 else "m"
    pat = rng.choice(pools.patronymic[gender]) if rng.random() < 0.6 else ""
    return Template(rng.choice(pools.given[gender]), pat, rng.choice(pools.surname[gender]))


@lru_cache(maxsize=500_000)
def spell(word: str, system: str, patronymic: bool) -> str:
    be, ru = word_forms(word, patronymic)
    if system == "ru-Cyrl":
        return ru
    if system == "be-Cyrl":
        return be
    if system in ("bgn-ru", "icao"):
        return transliterate(ru, system)
    return transliterate(be, system)


def render(t: Template, system: str, surname_first: bool, with_patronymic: bool) -> str:
    given = spell(t.given, system, False)
    surname = spell(t.surname, system, False)
    pat = spell(t.patronymic, system, True) if (t.patronymic and with_patronymic) else ""
    if surname_first:
        return " ".join(x for x in (surname.upper() + ",", given, pat) if x)
    return " ".join(x for x in (given, pat, surname) if x)


def entity_aliases(t: Template, rng: random.Random) -> list[str]:
    systems = rng.sample(SYSTEMS, rng.randint(1, 5))
    out = []
    for system in systems:
        name = render(t, system, rng.random() < 0.2, rng.random() < 0.7)
        if name not in out:
            out.append(name)
    return out


def make_corpus(data: Path, size: int, seed: int = 11) -> tuple[list[tuple[str, str]], list[Template]]:
    """(id, alias) rows, `size` of them, and the template of every entity."""
    rng = random.Random(seed)
    pools = load_pools(data)
    rows: list[tuple[str, str]] = []
    templates: list[Template] = []
    while len(rows) < size:
        t = random_template(pools, rng)
        eid = f"E{len(templates)}"
        templates.append(t)
        for alias in entity_aliases(t, rng):
            rows.append((eid, alias))
    return rows[:size], templates


def make_queries(templates: list[Template], pools: Pools | None, n: int, data: Path,
                 seed: int = 5) -> list[str]:  # fmt: skip
    """Queries: 90% other spellings of indexed entities, 10% names not in the corpus."""
    rng = random.Random(seed)
    pools = pools or load_pools(data)
    out = []
    for _ in range(n):
        t = rng.choice(templates) if rng.random() < 0.9 else random_template(pools, rng)
        out.append(render(t, rng.choice(SYSTEMS), rng.random() < 0.3, rng.random() < 0.5))
    return out
