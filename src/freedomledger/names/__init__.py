"""Name engine: normalise, transliterate, compare and search names of people and
organisations across Belarusian, Russian and Ukrainian Cyrillic and their Latin spellings.

    >>> from freedomledger.names import compare
    >>> compare("Valiantsin Stefanovich", "Валентин Стефанович").match
    True

See docs/names.md for how it works and what it does not cover.
"""

from freedomledger.names.aliases import Alias, cyrillic_forms, generate_aliases, word_forms
from freedomledger.names.compare import (
    DEFAULT_THRESHOLD,
    Comparison,
    TokenPair,
    compare,
    compare_parsed,
    token_similarity,
)
from freedomledger.names.equivalents import GIVEN_NAMES, GivenName
from freedomledger.names.index import DEFAULT_MIN_SCORE, Hit, NameIndex
from freedomledger.names.normalize import normalize, tokenize
from freedomledger.names.phonetic import cyrillic_language, fine_keys, skeleton
from freedomledger.names.screening import (
    InputError,
    ScreenResult,
    build_index,
    read_names,
    read_queries,
    register_against_loader,
    registered_loaders,
    resolve_against,
    screen,
)
from freedomledger.names.tokens import ParsedName, TokenInfo, parse_name, token_info
from freedomledger.names.translit import SYSTEM_LABELS, SYSTEMS, to_latin, transliterate

__all__ = [
    "DEFAULT_MIN_SCORE",
    "DEFAULT_THRESHOLD",
    "GIVEN_NAMES",
    "SYSTEMS",
    "SYSTEM_LABELS",
    "Alias",
    "Comparison",
    "GivenName",
    "Hit",
    "InputError",
    "NameIndex",
    "ParsedName",
    "ScreenResult",
    "TokenInfo",
    "TokenPair",
    "build_index",
    "compare",
    "compare_parsed",
    "cyrillic_forms",
    "cyrillic_language",
    "fine_keys",
    "generate_aliases",
    "normalize",
    "parse_name",
    "read_names",
    "read_queries",
    "register_against_loader",
    "registered_loaders",
    "resolve_against",
    "screen",
    "skeleton",
    "to_latin",
    "token_info",
    "token_similarity",
    "tokenize",
    "transliterate",
    "word_forms",
]
