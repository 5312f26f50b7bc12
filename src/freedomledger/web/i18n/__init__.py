"""Translation catalogues: one JSON file per language, {"English text": "translation"}.

Chosen over gettext .po/.mo files so that adding a language is copying en.json and
translating its values, with no compile step and nothing binary in the repository.
Templates call `_("text")` (or `_("%(n)s people", n=3)`); Jinja's i18n extension is loaded
so that `Environment.extract_translations` can list every message the templates use (the
catalogue test checks that en.json has each one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
Translator = Callable[..., str]


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """The catalogues shipped with the package, listed once (every page asks)."""
    return tuple(sorted(p.stem for p in HERE.glob("*.json")))


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    path = HERE / f"{lang}.json"
    if lang not in languages():
        return {}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items() if not k.startswith("@")}


def translator(lang: str) -> Translator:
    table = catalogue(lang)

    def gettext(message: str, **values: Any) -> str:
        text = table.get(message) or message
        return text % values if values else text

    return gettext


def pick_language(cookie: str | None, accept_language: str | None, default: str = "en") -> str:
    available = languages()
    if cookie in available:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in available:
            return code
    return default
