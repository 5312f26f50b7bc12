"""Alias generator: the likely other spellings of one name.

Given a name in any of Belarusian Cyrillic, Russian Cyrillic or a Latin spelling, produce its
Belarusian and Russian Cyrillic forms and their romanisations (BGN/PCGN, national system,
Łacinka, passport/ICAO). Given names and patronymics convert through the equivalence table;
other words (surnames) through the regular Belarusian <-> Russian spelling correspondences
written below by hand, since no library converts between the two orthographies. Stress is
not known, so akanne (unstressed о -> а) is not applied: the output is "likely", not certain,
which is enough for search and for showing users what to look for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from freedomledger.names.equivalents import GIVEN_BY_ID, given_name_classes
from freedomledger.names.phonetic import cyrillic_language, fine_keys, skeleton
from freedomledger.names.translit import transliterate

_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_WORD_RE = re.compile(r"[\w'’ʼ]+|[^\w'’ʼ]+")
_HARD_BE = set("жшчрц")  # Belarusian writes ы/э, never і/е, after these
_VOWELS = set("аеёиоуыэюяіўї")


@dataclass(frozen=True)
class Alias:
    name: str
    system: str  # "be-Cyrl", "ru-Cyrl", or a transliteration system of translit.py


def _case_like(src: str, out: str) -> str:
    if src.isupper() and len(src) > 1:
        return out.upper()
    if src[:1].isupper():
        return out[:1].upper() + out[1:]
    return out


def _given(word: str, lang: str) -> tuple[str, str] | None:
    """(be, ru) Cyrillic forms of a known given name, when the word spells the standard
    Belarusian, Russian or Ukrainian form (a variant such as Ales stays itself)."""
    keys = fine_keys(word.lower(), lang)
    classes = given_name_classes(keys)
    if len(classes) != 1:
        return None
    g = GIVEN_BY_ID[next(iter(classes))]
    mine = {skeleton(k) for k in keys}
    for form, lg in ((g.be, "be"), (g.ru, "ru"), (g.uk, "uk")):
        if mine & {skeleton(k) for k in fine_keys(form.lower(), lg)}:
            return g.be, g.ru
    return None


_PATRONYMIC_RE = re.compile(r"^(.+?)(авіч|евіч|ович|евич|авна|аўна|еўна|овна|евна)$")


def _form_patronymic(given: str, lang: str, female: bool) -> str:
    if lang == "ru":
        if given.endswith("ий"):
            stem, soft = given[:-2] + "ь", True
        elif given[-1] in "йь":
            stem, soft = given[:-1], True
        else:
            stem, soft = given, False
        return stem + (("евна" if female else "евич") if soft else ("овна" if female else "ович"))
    if given[-1] in "йь":
        stem, soft = given[:-1], True
    else:
        stem, soft = given, False
    return stem + (("еўна" if female else "евіч") if soft else ("аўна" if female else "авіч"))


def _patronymic(word: str, lang: str) -> tuple[str, str] | None:
    """(be, ru) forms of a patronymic whose stem is a known given name."""
    m = _PATRONYMIC_RE.match(word.lower())
    if not m:
        return None
    stem, suffix = m.groups()
    female = suffix.endswith("на")
    for cand in (stem, stem + "й", stem + "ь", stem + "ий", stem.rstrip("ьъ'") + "ий"):
        forms = _given(cand, lang)
        if forms:
            be, ru = forms
            return _form_patronymic(be, "be", female), _form_patronymic(ru, "ru", female)
    return None


def _be_to_ru_word(word: str) -> str:
    w = word.lower().replace("’", "'").replace("ʼ", "'")
    for be_end, ru_end in (("скі", "ский"), ("цкі", "цкий"), ("енка", "енко"), ("аў", "ов"),
                           ("оў", "ов"), ("еў", "ев"), ("ава", "ова"), ("ка", "ко"),
                           ("ла", "ло"), ("ы", "ый")):  # fmt: skip
        if w.endswith(be_end) and len(w) > len(be_end) + 1:
            w = w[: -len(be_end)] + "\0" + ru_end
            break
    out: list[str] = []
    for i, ch in enumerate(w):
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch == "\0":
            continue
        if ch == "і":
            out.append("и")
        elif ch == "ы" and out[-1:] not in (["ж"], ["ш"], ["ц"]) and nxt:
            out.append("и")
        elif ch == "ў":
            out.append("в")
        elif ch == "э":
            out.append("е")
        elif ch == "ц" and nxt in "іеёюяь":
            out.append("т")
        elif ch == "з" and out[-1:] == ["д"] and nxt in "іеёюяь":
            continue  # дз -> д before soft vowels
        elif ch == "'":
            out.append("ь")
        else:
            out.append(ch)
    return "".join(out)


def _ru_to_be_word(word: str) -> str:
    w = word.lower()
    for ru_end, be_end in (("ский", "скі"), ("цкий", "цкі"), ("енко", "енка"), ("ов", "оў"),
                           ("ев", "еў"), ("ий", "і"), ("ый", "ы")):  # fmt: skip
        if w.endswith(ru_end) and len(w) > len(ru_end) + 1:
            w = w[: -len(ru_end)] + "\0" + be_end
            break
    out: list[str] = []
    for i, ch in enumerate(w):
        prev = out[-1] if out else ""
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch == "\0":
            continue
        if ch == "и":
            out.append("ы" if prev in _HARD_BE else "і")
        elif ch == "е" and prev in _HARD_BE:
            out.append("э")
        elif ch == "щ":
            out.append("шч")
        elif ch == "ъ":
            out.append("'")
        elif ch == "т" and nxt in "иеёюяь":
            out.append("ц")
        elif ch == "д" and nxt in "иеёюяь":
            out.append("дз")
        elif ch == "в" and prev in _VOWELS and (not nxt or nxt not in _VOWELS) and i > 0:
            out.append("ў")
        else:
            out.append(ch)
    return "".join(out)


# Latin -> Belarusian Cyrillic, longest spelling first. Belarusian orthography is the target
# because Belarusian-based Latin spellings keep more of the sounds (dz, ts, h, u).
_LATIN_TO_BE: list[tuple[str, str]] = [
    ("shch", "шч"), ("dzh", "дж"), ("sch", "ш"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"),
    ("sh", "ш"), ("ts", "ц"), ("ya", "я"), ("ia", "я"), ("ja", "я"), ("yu", "ю"), ("iu", "ю"),
    ("ju", "ю"), ("ye", "е"), ("ie", "е"), ("je", "е"), ("yo", "ё"), ("io", "ё"), ("jo", "ё"),
    ("č", "ч"), ("š", "ш"), ("ž", "ж"), ("ŭ", "ў"), ("ł", "л"), ("ć", "ць"), ("ś", "сь"),
    ("ź", "зь"), ("ń", "нь"), ("ĺ", "ль"), ("x", "кс"), ("w", "ў"), ("q", "к"),
    ("a", "а"), ("b", "б"), ("c", "ц"), ("d", "д"), ("e", "э"), ("f", "ф"), ("g", "г"),
    ("h", "г"), ("i", "і"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"),
    ("y", "ы"), ("z", "з"),
]  # fmt: skip


def _latin_word_to_be(word: str) -> str:
    w = word.lower()
    out: list[str] = []
    i = 0
    while i < len(w):
        for lat, cyr in _LATIN_TO_BE:
            if w.startswith(lat, i):
                prev = out[-1][-1:] if out else ""
                if cyr == "ы" and (prev in _VOWELS or i + 1 < len(w) and w[i + 1] in "aeiou"):
                    cyr = "й"  # y after a vowel or before one is a glide
                elif cyr == "і" and prev in _VOWELS and (i + 1 == len(w) or w[i + 1] not in "aeiou"):
                    cyr = "й"
                elif cyr == "у" and prev in "аоэе" and (i + 1 == len(w) or w[i + 1] not in "aeiou"):
                    cyr = "ў"
                elif cyr == "і" and prev in "жшчр":
                    cyr = "ы"
                elif cyr == "э" and prev and prev not in "тджшчрц" and prev not in _VOWELS:
                    cyr = "е"  # passport spellings write both е and э as e
                out.append(cyr)
                i += len(lat)
                break
        else:
            out.append(w[i])
            i += 1
    return "".join(out)


@lru_cache(maxsize=200_000)
def word_forms(word: str, patronymic: bool = False, lang: str | None = None) -> tuple[str, str]:
    """(Belarusian, Russian) Cyrillic forms of one word of a name, in the word's letter case.

    patronymic says the word stands where a patronymic stands (third-or-later word); lang is
    the language of the whole name when the word is Cyrillic ("be" or "ru")."""
    if _CYR_RE.search(word):
        src = lang or ("be" if cyrillic_language(word.lower()) == "be" else "ru")
        forms = _given(word, src) or (_patronymic(word, src) if patronymic else None)
        if forms is None:
            forms = (word, _be_to_ru_word(word)) if src == "be" else (_ru_to_be_word(word), word)
    else:
        forms = _given(word, "be")
        if forms is None:
            be_guess = _latin_word_to_be(word)
            pat = _patronymic(be_guess, "be") if patronymic else None
            forms = pat or (be_guess, _be_to_ru_word(be_guess))
    return _case_like(word, forms[0]), _case_like(word, forms[1])


def cyrillic_forms(name: str) -> tuple[str, str]:
    """(Belarusian, Russian) Cyrillic forms of a whole name in any script."""
    lang = None
    if _CYR_RE.search(name):
        lang = "be" if cyrillic_language(name.lower()) == "be" else "ru"
    pieces = _WORD_RE.findall(name)
    n_words = sum(1 for p in pieces if p[:1].isalpha())
    be_parts: list[str] = []
    ru_parts: list[str] = []
    n_word = -1
    for piece in pieces:
        if not piece[:1].isalpha():
            be_parts.append(piece)
            ru_parts.append(piece)
            continue
        n_word += 1
        be, ru = word_forms(piece, n_words >= 3 and n_word > 0, lang)
        be_parts.append(be)
        ru_parts.append(ru)
    return "".join(be_parts), "".join(ru_parts)


def generate_aliases(name: str) -> list[Alias]:
    """Likely other spellings of a person's name, the input first."""
    out: list[Alias] = []
    be, ru = cyrillic_forms(name)
    if _CYR_RE.search(name):
        out.append(Alias(name, f"{cyrillic_language(name.lower())}-Cyrl"))
    else:
        out.append(Alias(name, "input"))
    out.append(Alias(be, "be-Cyrl"))
    out.append(Alias(ru, "ru-Cyrl"))
    for system in ("passport", "national", "bgn-be", "lacinka"):
        out.append(Alias(transliterate(be, system), system))
    for system in ("bgn-ru", "icao"):
        out.append(Alias(transliterate(ru, system), f"{system} (Russian form)"))
    seen: set[str] = set()
    unique = []
    for alias in out:
        if alias.name and alias.name not in seen:
            seen.add(alias.name)
            unique.append(alias)
    return unique
