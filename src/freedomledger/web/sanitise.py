"""Turning pasted or uploaded articles into plain text, and marking what a proposal quotes.

HTML goes through nh3 first (the allow-list sanitiser), so nothing a page carried (scripts,
handlers, styles) survives even as text; lxml then reads the clean markup as paragraphs.
The result is only ever shown escaped.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import nh3

BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}
_TAG = re.compile(r"<\s*/?\s*(?:p|div|br|html|body|article|span|a|h[1-6]|li|ul|table|script|style|iframe|img)\b",
                  re.I)


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text[:20_000]))


def article_text(raw: str) -> str:
    """Plain text with one paragraph per line; HTML input is sanitised before it is read."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not looks_like_html(text):
        return text.strip()
    clean = nh3.clean(text, tags=BLOCKS | {"span", "a", "em", "strong", "b", "i", "u", "td", "th", "ul", "ol",
                                           "table", "tbody", "thead"}, attributes={}, link_rel=None)
    root = lxml.html.fromstring(f"<div>{clean}</div>")
    for element in root.iter():
        if element.tag in BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _spans(value: Any, text: str, found: list[tuple[int, int, str]], label: str = "") -> None:
    """Collect character spans a proposal points at: [start, end] pairs, start/end keys, quotes."""
    if isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
        if isinstance(start, int) and isinstance(end, int):
            found.append((start, end, label))
        for key, inner in value.items():
            if key in ("span", "spans", "char_span") and isinstance(inner, (list, tuple)) and len(inner) == 2 \
                    and all(isinstance(i, int) for i in inner):
                found.append((inner[0], inner[1], label))
            elif key in ("quote", "count_text", "sentence", "evidence") and isinstance(inner, str) and inner:
                at = text.find(inner)
                if at >= 0:
                    found.append((at, at + len(inner), key))
            else:
                _spans(inner, text, found, key if isinstance(key, str) else label)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _spans(inner, text, found, label)


def highlight(text: str, payload: Any) -> list[tuple[str, str | None]]:
    """The text cut into (segment, label) pieces; label is None outside any highlighted span."""
    found: list[tuple[int, int, str]] = []
    _spans(payload, text, found)
    spans = sorted((s, e, l) for s, e, l in found if 0 <= s < e <= len(text))
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for start, end, label in spans:
        if end <= position:
            continue
        start = max(start, position)
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((text[start:end], label or "fact"))
        position = end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
