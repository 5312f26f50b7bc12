"""News extraction: article text in, proposed structured facts out.

Pure code: nothing here reads a database or writes anywhere. `extract_document` takes the text
of one article and returns an `Extraction` (events, statements) whose `to_dict()` is the JSON
the `freedomledger extract` command prints. Linking freed people to registry records is done by
an injected `resolver` (name -> person id or None), so this package does not depend on the
registry or the name engine.

    >>> result = extract_document(text, published=date(2026, 3, 20))
    >>> result.events[0].kind, result.events[0].count
    ('release', 250)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from freedomledger.extract.dates import find_dates
from freedomledger.extract.context import is_opinion
from freedomledger.extract.events import build_events
from freedomledger.extract.model import Event, Extraction, PersonRef, Source
from freedomledger.extract.people import find_people
from freedomledger.extract.segment import find_quotes, split_sentences
from freedomledger.extract.statements import Statement, find_statements
from freedomledger.extract.text import Document, InputError, parse_feed, read_documents
from freedomledger.extract.triggers import find_triggers

__all__ = [
    "Document", "Event", "Extraction", "InputError", "PersonRef", "Source", "Statement",
    "detect_language", "extract", "extract_document", "parse_feed", "read_documents",
]


def detect_language(text: str) -> str:
    """"en", "ru" or "be" (Cyrillic with і/ў is Belarusian); other Latin text reports as "en"."""
    text = text[:4000]
    cyrillic = len(re.findall(r"[а-яёіў]", text, re.I))
    latin = len(re.findall(r"[a-z]", text, re.I))
    if cyrillic <= latin:
        return "en"
    belarusian = len(re.findall(r"[іў]", text, re.I))
    russian = len(re.findall(r"[иъщ]", text, re.I))
    return "be" if belarusian > russian else "ru"


def extract_document(
    text: str,
    *,
    published: dt.date | str | None = None,
    url: str | None = None,
    resolver: Callable[[str], str | None] | None = None,
    title: str | None = None,
    file: str | None = None,
    section: str | None = None,
) -> Extraction:
    """Events and statements in one article.

    `published` anchors relative dates ("on Thursday", "yesterday"); without it they stay
    unresolved. `resolver` maps a freed person's name to a registry id (or None).
    """
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    quotes = find_quotes(text)
    sentences = split_sentences(text, quotes)
    dates = find_dates(text, published)
    people = find_people(text)
    content = [s for s in sentences if not s.boilerplate]
    triggers = find_triggers(text, content, quotes)
    opinion = is_opinion(title, section, text, quotes)
    events = build_events(text, sentences, triggers, dates, people, published, title=title,
                          opinion=opinion, resolver=resolver, quotes=quotes)
    statements = find_statements(text, sentences, quotes, people)
    source = Source(file=file, url=url, published=published.isoformat() if published else None,
                    title=title)
    return Extraction(source=source, events=events, statements=statements,
                      language=detect_language(text))


def extract(document: Document, resolver: Callable[[str], str | None] | None = None,
            *, include_text: bool = False) -> Extraction:
    """`extract_document` for a `Document` read by `read_documents`."""
    result = extract_document(document.text, published=document.published, url=document.url,
                              resolver=resolver, title=document.title, file=document.file,
                              section=document.section)
    result.source.line = document.line
    if include_text:
        result.text = document.text
    return result
