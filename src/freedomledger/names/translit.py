"""Romanisation of Belarusian, Russian and Ukrainian Cyrillic.

BGN/PCGN and ISO 9 come from ICU's CLDR transforms (PyICU). ICU has no Belarusian national
system, no Łacinka and no passport/ICAO 9303 rules, so those three are written here as small
context-aware letter tables (our own data, from the published rules):

* ``national`` - the Belarusian national system (2000, revised 2007; adopted by the UN for
  geographic names): Minsk, Mahilioŭ, Homieĺ, Viciebsk; diacritics č š ž ŭ ć ś ź ń ĺ.
* ``lacinka`` - classical Belarusian Łacinka: Łukašenka, Cichanoŭskaja (ł for hard л).
* ``icao`` - ICAO Doc 9303 (machine-readable passports): Iuliia, Shcheglova, Tsikhanouskaia.
* ``passport`` - Belarusian passport practice: ICAO letters but г as h (Siarhei, Hleb).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

import icu

from freedomledger.names.phonetic import cyrillic_language

_ICU_IDS = {
    "bgn-be": "Belarusian-Latin/BGN",
    "bgn-ru": "Russian-Latin/BGN",
    "bgn-uk": "Ukrainian-Latin/BGN",
    "iso9": "Cyrillic-Latin",
}
_VOWELS = set("аеёиоуыэюяіїєў")  # ў counts: е after ў is iotated ("Vaŭjer" is rare but right)
_SOFTENERS = set("ьіеёюяє")
_APOSTROPHES = "'’ʼ"


@lru_cache(maxsize=8)
def _icu(system: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(_ICU_IDS[system])


_LOCK = threading.Lock()  # ICU transliterator objects are not safe to share across threads


def _icu_translit(text: str, system: str) -> str:
    with _LOCK:
        out = str(_icu(system).transliterate(text))
    # BGN marks soft and hard signs with prime letters; names in documents never carry them.
    return out.replace("ʹ", "").replace("ʺ", "").replace("·", "")


def _match_case(src: str, out: str, next_upper: bool) -> str:
    if not src.isupper() or not out:
        return out
    return out.upper() if (next_upper or len(out) == 1) else out[0].upper() + out[1:]


Rule = Callable[[str, str, str], str]


def _render(text: str, rule: Rule) -> str:
    """Apply rule(letter, previous letter, next letter) -> Latin, keeping the letter case."""
    lower = text.lower()
    out: list[str] = []
    for i, ch in enumerate(lower):
        prev = lower[i - 1] if i else ""
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        latin = rule(ch, prev, nxt)
        next_upper = i + 1 < len(text) and text[i + 1].isupper()
        prev_upper = i > 0 and text[i - 1].isupper()
        out.append(_match_case(text[i], latin, next_upper or prev_upper))
    return "".join(out)


def _iotated(prev: str) -> bool:
    """е/ё/ю/я are written with j after a vowel, a sign, an apostrophe or at a word start."""
    return not prev or not prev.isalpha() or prev in _VOWELS or prev in "ьъ" or prev in _APOSTROPHES


_NATIONAL = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "ж": "ž", "з": "z", "і": "i",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ў": "ŭ", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š",
    "щ": "šč", "ы": "y", "э": "e", "ъ": "",
}  # fmt: skip
_NATIONAL_SOFT = {"з": "ź", "л": "ĺ", "н": "ń", "с": "ś", "ц": "ć"}
_IOTATED = {"е": "e", "ё": "o", "ю": "u", "я": "a", "є": "e"}


def _national(ch: str, prev: str, nxt: str) -> str:
    if ch in _NATIONAL_SOFT and nxt == "ь":
        return _NATIONAL_SOFT[ch]
    if ch == "ь":
        return "" if prev in _NATIONAL_SOFT else "'"
    if ch in _IOTATED:
        return ("j" if _iotated(prev) else "i") + _IOTATED[ch]
    if ch in _APOSTROPHES:
        return ""
    return _NATIONAL.get(ch, ch)


def _lacinka(ch: str, prev: str, nxt: str) -> str:
    if ch == "л":
        return "l" if (nxt in _SOFTENERS) else "ł"
    if ch in _IOTATED:
        if prev == "л":
            return _IOTATED[ch]  # the softness is shown by l instead of ł
        return ("j" if _iotated(prev) else "i") + _IOTATED[ch]
    if ch == "і" and prev == "л":
        return "i"
    if ch == "ь":
        return "" if prev in _NATIONAL_SOFT else "'"
    if ch in _NATIONAL_SOFT and nxt == "ь" and ch != "л":
        return _NATIONAL_SOFT[ch]
    if ch in _APOSTROPHES:
        return ""
    return _NATIONAL.get(ch, ch)


_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip


def _icao(ch: str, prev: str, nxt: str) -> str:
    return _ICAO.get(ch, ch)


def _passport(ch: str, prev: str, nxt: str) -> str:
    if ch == "г":
        return "h"
    return _ICAO.get(ch, ch)


_OWN: dict[str, Rule] = {
    "national": _national,
    "lacinka": _lacinka,
    "icao": _icao,
    "passport": _passport,
}
SYSTEMS: tuple[str, ...] = (*_ICU_IDS, *_OWN, "bgn")
SYSTEM_LABELS = {
    "bgn-be": "BGN/PCGN (Belarusian)",
    "bgn-ru": "BGN/PCGN (Russian)",
    "bgn-uk": "BGN/PCGN (Ukrainian)",
    "bgn": "BGN/PCGN for the detected language",
    "iso9": "ISO 9 (ICU Cyrillic-Latin)",
    "national": "Belarusian national system (2007)",
    "lacinka": "Belarusian Łacinka",
    "icao": "ICAO Doc 9303 (passports)",
    "passport": "Belarusian passport (ICAO letters, г as h)",
}


def transliterate(text: str, system: str = "bgn") -> str:
    """Romanise Cyrillic text in one system; Latin text passes through unchanged."""
    if system == "bgn":
        system = "bgn-" + cyrillic_language(text.lower())
    if system in _ICU_IDS:
        return _icu_translit(text, system)
    rule = _OWN.get(system)
    if rule is None:
        raise ValueError(f"unknown transliteration system {system!r}; use one of {', '.join(SYSTEMS)}")
    return _render(text, rule)


def to_latin(text: str) -> str:
    """ASCII-friendly romanisation of any script (BGN for Cyrillic, ICU Any-Latin otherwise)."""
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        return transliterate(text, "bgn")
    with _LOCK:
        return str(_any_latin().transliterate(text))


@lru_cache(maxsize=1)
def _any_latin() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin")
