"""Numbers written in digits or words, in English, Russian and Belarusian.

The word lists are not typed in: ICU's rule-based spell-out (through PyICU) writes every number
from 0 to 999 in every cardinal rule set it has for a language, which for Russian includes all
six cases and three genders ("двухсот пятидесяти", "ста двадцати трём"). Reading a number back
is then a dictionary lookup on the normalised phrase; thousands are composed from that.
"""

from __future__ import annotations

import re
from functools import lru_cache

import icu

_LOCALES = ("en", "ru", "be")
_THOUSAND = {"thousand": 1, "тысяча": 1, "тысячи": 1, "тысяч": 1, "тысячу": 1, "тысячей": 1,
             "тысячы": 1, "тысячаў": 1}
_ENGLISH_EXTRA = {"a hundred": 100, "one dozen": 12, "a dozen": 12, "dozen": 12,
                  "two dozen": 24, "three dozen": 36,
                  # Collective numerals, the usual way to count people in Russian/Belarusian.
                  "двое": 2, "трое": 3, "четверо": 4, "пятеро": 5, "шестеро": 6, "семеро": 7,
                  "восьмеро": 8, "девятеро": 9, "десятеро": 10, "чацвёра": 4, "чацвера": 4,
                  "пяцёра": 5, "пяцера": 5, "шасцёра": 6, "сямёра": 7, "дзесяцёра": 10}


def _normalise(phrase: str) -> str:
    phrase = phrase.lower().replace("ё", "е").replace("\u00ad", "")
    phrase = re.sub(r"[-‐‑–]", " ", phrase)
    phrase = re.sub(r"\band\b", " ", phrase)  # British "two hundred and fifty"
    return re.sub(r"\s+", " ", phrase).strip()


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, int]:
    words: dict[str, int] = {}
    for locale in _LOCALES:
        formatter = icu.RuleBasedNumberFormat(icu.URBNFRuleSetTag.SPELLOUT, icu.Locale(locale))
        rule_sets = [formatter.getRuleSetName(i) for i in range(formatter.getNumberOfRuleSetNames())]
        for rule_set in rule_sets:
            if "cardinal" not in rule_set and rule_set != "%spellout-numbering":
                continue
            for number in range(1000):
                phrase = _normalise(formatter.format(number, rule_set))
                words.setdefault(phrase, number)
    words.update(_ENGLISH_EXTRA)
    return words


@lru_cache(maxsize=1)
def number_word_pattern() -> str:
    """A regex alternation of every single word that can be part of a number phrase."""
    tokens = {token for phrase in _lexicon() for token in phrase.split()}
    tokens.update(_THOUSAND)
    tokens.discard("a")
    # Longest first so that "seventeen" wins over "seven".
    return "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))


def words_to_number(phrase: str) -> int | None:
    """Value of a number written in words ("two hundred and fifty", "сто двадцать три")."""
    text = _normalise(phrase)
    if not text:
        return None
    lexicon = _lexicon()
    if text in lexicon:
        return lexicon[text]
    tokens = text.split()
    for index, token in enumerate(tokens):
        if token in _THOUSAND:
            left = " ".join(tokens[:index])
            right = " ".join(tokens[index + 1:])
            high = 1 if not left or left in {"a", "one"} else lexicon.get(left)
            low = 0 if not right else lexicon.get(right)
            if high is None or low is None:
                return None
            return high * 1000 + low
    return None


_DIGITS = re.compile(r"^\d{1,3}(?:[,\s\u202f\u00a0]\d{3})+$|^\d+$")


def parse_number(text: str) -> int | None:
    """Digits ("1,100", "1 100") or words; None when the text is not a number."""
    stripped = text.strip()
    if _DIGITS.match(stripped):
        return int(re.sub(r"\D", "", stripped))
    return words_to_number(stripped)


def number_to_words(number: int, locale: str = "en") -> str:
    """ICU's spelling of a number, used by tests as an independent oracle."""
    formatter = icu.RuleBasedNumberFormat(icu.URBNFRuleSetTag.SPELLOUT, icu.Locale(locale))
    return str(formatter.format(number))
