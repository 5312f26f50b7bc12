"""Labelled name pairs for bench_names.py, built from the real data in ../shared/data.

Positives are spellings of one person that a source itself pairs: Latin and Russian Cyrillic
names of one PEP (RuPEP, FBK lists), the Belarusian- and Russian-based Latin spellings the UK
Sanctions List gives one Belarus-regime subject, the many spellings of Putin, the EU names of
Belarusian persons in OpenSanctions fixtures, and moov-io/watchman's cross-script pairs.

Hard negatives are constructed from the same people:
  family     - two different people with one surname and different given names;
  gender     - a masculine and a feminine form of one surname (Ivanov / Ivanova);
  one_letter - one person's name with a surname one consonant away (Statkevich / Stankevich);
  random     - two random people.
The Latin side of a negative comes from one person and the Cyrillic side from another, so the
cross-script negatives are as hard as the cross-script positives.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

CYR_VOWELS = set("аеёиоуыэюяіў")
_CYR = re.compile(r"[а-яёіўґєї]", re.I)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    category: str
    cross_script: bool


@dataclass(frozen=True)
class Person:
    """A person with a Latin and a Cyrillic name split into given / patronymic / surname."""

    latin: tuple[str, str, str]
    cyrillic: tuple[str, str, str]

    def latin_name(self) -> str:
        return " ".join(p for p in self.latin if p)

    def cyrillic_name(self) -> str:
        return " ".join(p for p in self.cyrillic if p)


def is_cyrillic(text: str) -> bool:
    return bool(_CYR.search(text))


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)


def _split(name: str, surname_first: bool) -> tuple[str, str, str] | None:
    parts = name.translate(_INVISIBLE).split()
    if len(parts) < 2 or any(len(p.strip(".")) < 2 for p in parts):
        return None
    if surname_first:
        parts = parts[1:] + parts[:1]
    given, surname = parts[0], parts[-1]
    patronymic = " ".join(parts[1:-1])
    return given, patronymic, surname


def _pure(cyr: tuple[str, str, str]) -> bool:
    """No Latin letters inside the Cyrillic name (look-alike typos would fake negatives)."""
    return not any(ch.isascii() and ch.isalpha() for ch in "".join(cyr))


def load_people(data: Path) -> list[Person]:
    people: list[Person] = []
    peps = data / "names" / "ru_by_peps"
    with open(peps / "ru_bl_peps_parsed.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lat, cyr = _split(row["NAME_EN"], False), _split(row["NAME_RU"], False)
            if lat and cyr and len(row["NAME_EN"].split()) == len(row["NAME_RU"].split()) and _pure(cyr):
                people.append(Person(lat, cyr))
    with open(peps / "navalny_list_parsed.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            en, ru = row[" Name eng"].strip(), row["Name rus"].strip()
            lat, cyr = _split(en, True), _split(ru, True)
            if lat and cyr and len(en.split()) == len(ru.split()) and _pure(cyr):
                people.append(Person(lat, cyr))
    return people


def load_uk_belarus(data: Path) -> dict[str, list[str]]:
    """UK Sanctions List names of Belarus-regime persons, by subject."""
    base = data / "uk" / "uk_sanctions_list_2026-05"
    kinds = {}
    with open(base / "subjects.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kinds[row["unique_id"]] = row["subject_type"]
    names: dict[str, list[str]] = defaultdict(list)
    with open(base / "subject_names.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            uid = row["unique_id"]
            if uid.startswith("BEL") and kinds.get(uid) == "individual":
                if row["full_name"] not in names[uid]:
                    names[uid].append(row["full_name"])
    return names


def load_putin(data: Path) -> list[str]:
    path = data / "names" / "putin_variants" / "putin_names.txt"
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def load_watchman(data: Path) -> list[tuple[str, str, str]]:
    path = data / "names" / "watchman_cross_script" / "cross_script_pairs.csv"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, expected, _min, desc = line.split(",", 3)
        out.append((query, expected, desc))
    return out


def load_yente_persons(data: Path) -> list[list[str]]:
    path = data / "opensanctions" / "yente_fixtures" / "t1_entities.ftm.json"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        ent = json.loads(line)
        if ent["schema"] == "Person":
            out.append(ent["properties"].get("name", []))
    return out


def _latin_cyrillic(name: str) -> bool:
    return all(ch.isascii() or is_cyrillic(ch) or not ch.isalpha() or ord(ch) < 0x250 for ch in name)


def positives(data: Path, people: list[Person], rng: random.Random, n_peps: int) -> list[Pair]:
    out: list[Pair] = []
    for p in rng.sample(people, min(n_peps, len(people))):
        out.append(Pair(p.latin_name(), p.cyrillic_name(), True, "peps_latin_cyrillic", True))
    for names in load_uk_belarus(data).values():
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                out.append(Pair(names[i], names[j], True, "uk_belarus_latin", False))
    putin = [n for n in load_putin(data) if _latin_cyrillic(n)]
    ref = "Владимир Владимирович Путин"
    for n in putin:
        if n != ref:
            out.append(Pair(ref, n, True, "putin_variants", not is_cyrillic(n)))
    for names in load_yente_persons(data):
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                cross = is_cyrillic(names[i]) != is_cyrillic(names[j])
                out.append(Pair(names[i], names[j], True, "eu_belarus_persons", cross))
    for query, expected, _desc in load_watchman(data):
        cat = "watchman_cyrillic" if is_cyrillic(query) else "watchman_other_scripts"
        out.append(Pair(query, expected, True, cat, True))
    return out


def _consonant_edit(a: str, b: str) -> bool:
    """a and b differ by one edit that involves a consonant (not е/ё, not a vowel swap)."""
    if Levenshtein.distance(a, b) != 1:
        return False
    if len(a) != len(b) and any(x * 2 in (a + b) for x in set(a + b)):
        return False  # a doubled letter dropped (Файзуллин / Faizulin) is one surname
    for op, i, j in Levenshtein.editops(a, b):
        chars = set()
        if op in ("replace", "delete"):
            chars.add(a[i])
        if op in ("replace", "insert"):
            chars.add(b[j])
        if chars & CYR_VOWELS or chars & set("ьъй"):
            return False
    return True


def negatives(people: list[Person], rng: random.Random, n_each: int) -> list[Pair]:
    out: list[Pair] = []
    by_surname: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        by_surname[p.cyrillic[2].lower().replace("ё", "е")].append(p)

    def given(p: Person) -> str:
        return p.cyrillic[0].lower().replace("ё", "е")

    family = []
    for group in by_surname.values():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                a, b = group[i], group[j]
                if Levenshtein.distance(given(a), given(b)) > 1:
                    family.append((a, b))
    for a, b in rng.sample(family, min(n_each, len(family))):
        out.append(Pair(a.latin_name(), b.cyrillic_name(), False, "neg_family", True))

    gender = []
    for surname, group in by_surname.items():
        fem = by_surname.get(surname + "а")
        if not fem and surname.endswith("ий"):
            fem = by_surname.get(surname[:-2] + "ая")
        if fem:
            gender.extend((m, f) for m in group[:3] for f in fem[:3])
    for a, b in rng.sample(gender, min(n_each, len(gender))):
        out.append(Pair(a.latin_name(), b.cyrillic_name(), False, "neg_gender", True))

    surnames = list(by_surname)
    by_len: dict[int, list[str]] = defaultdict(list)
    for s in surnames:
        by_len[len(s)].append(s)
    one_letter = []
    for s in rng.sample(surnames, min(len(surnames), 6000)):
        for t in by_len[len(s)] + by_len[len(s) + 1]:
            if t != s and _consonant_edit(s, t):
                one_letter.append((by_surname[s][0], by_surname[t][0]))
                break
    for a, b in rng.sample(one_letter, min(n_each, len(one_letter))):
        # a's given name and patronymic with b's surname: only the surname differs.
        cyr = " ".join(x for x in (a.cyrillic[0], a.cyrillic[1], b.cyrillic[2]) if x)
        out.append(Pair(a.latin_name(), cyr, False, "neg_one_letter", True))

    for _ in range(n_each):
        a, b = rng.sample(people, 2)
        if a.cyrillic[2] != b.cyrillic[2]:
            out.append(Pair(a.latin_name(), b.cyrillic_name(), False, "neg_random", True))
    return out


# Hand-made Belarusian cases from the issue; kept tiny and exact.
BELARUS_CASES: tuple[Pair, ...] = tuple(
    Pair(a, b, same, "belarus_cases", True)
    for a, b, same in (
        ("Valiantsin Stefanovich", "Валентин Стефанович", True),
        ("Валянцін Стэфановіч", "Valentin Stefanovich", True),
        ("Valiancin Stefanovič", "Валентин Стефанович", True),
        ("Viktar Babaryka", "Эдуард Бабарико", False),
        ("Siarhei Tsikhanouski", "Светлана Тихановская", False),
        ("Mikalai Statkevich", "Николай Станкевич", False),
        ("Sviatlana Tsikhanouskaya", "Святлана Ціханоўская", True),
        ("Aliaksandr Lukashenka", "Александр Лукашенко", True),
        ("Ales Bialiatski", "Алесь Беляцкий", True),
        ("Maryia Kalesnikava", "Мария Колесникова", True),
        ("Ihar Losik", "Ягор Лосик", False),
    )
)


def build_pairs(data: Path, seed: int = 7, n_peps: int = 3000, n_neg: int = 800) -> list[Pair]:
    rng = random.Random(seed)
    people = load_people(data)
    return positives(data, people, rng, n_peps) + negatives(people, rng, n_neg) + list(BELARUS_CASES)
