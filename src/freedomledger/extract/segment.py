"""Sentences and quotations with character offsets into the article text.

A rule splitter rather than a statistical one: news prose is regular, the offsets must be
exact, and hard-wrapped plain text (single newlines inside sentences) has to survive. A
boundary that falls inside a quotation is not taken, so a two-sentence quote stays attached
to its ", he added."
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt sgt capt maj rep sen gov pres no vs etc approx
    u.s u.k u.n e.u jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp dept
    ул г гг т.е им тыс млн""".split()
)

# Lines that are page furniture in pasted articles, not reporting.
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:related(?: article| story| coverage)?|read (?:more|also)|see also|advertisement|"
    r"share this|subscribe|sign up|follow us|photo|image|watch|listen|more on this|"
    r"читайте также|читайте таксама|чытайце таксама|реклама|рэклама)\b\s*[:|–—-]",
    re.I,
)

_QUOTE_PAIRS = {"“": "”", "«": "»", "„": "“", '"': '"'}
_QUOTE_RE = re.compile(r'“[^“”]{1,1500}?”|«[^«»]{1,1500}?»|„[^„“”]{1,1500}?[“”]|"[^"]{1,1500}?"')
_BOUNDARY = re.compile(r"""([.!?…]+)(["”»’']*)(\s+)(?=["“«„'‘(\[]?[\w\d])|\n[ \t]*\n\s*""")


@dataclass(slots=True, frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    index: int
    boilerplate: bool = False


def find_quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation, marks included; a quote never crosses a blank line."""
    spans = []
    for match in _QUOTE_RE.finditer(text):
        if "\n\n" in match.group(0) or re.search(r"\n\s*\n", match.group(0)):
            continue
        spans.append((match.start(), match.end()))
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < position < end - 1 for start, end in spans)


def split_sentences(text: str, quotes: list[tuple[int, int]] | None = None) -> list[Sentence]:
    quotes = find_quotes(text) if quotes is None else quotes
    cuts: list[tuple[int, bool]] = []  # (position, starts a new paragraph)
    for match in _BOUNDARY.finditer(text):
        if match.group(1) is None:  # blank line
            cuts.append((match.end(), True))
            continue
        dot_end = match.end(2)
        blank = bool(re.search(r"\n[ \t]*\n", match.group(3)))
        if match.group(1) == "." and not match.group(2) and not blank:
            word = re.search(r"([\w.]+)\.$", text[max(0, match.start(1) - 12):match.end(1)])
            token = (word.group(1) if word else "").lower()
            before = text[max(0, match.start(1) - 4):match.start(1) - 1].lower()
            initial = len(token) == 1 and token.isalpha() and before not in {" on", " in"}
            if token in ABBREVIATIONS or initial:
                continue
            if re.fullmatch(r"(?:\w\.)+\w", token):  # initialisms like "U.S" before "envoy"
                if text[match.end():match.end() + 1].islower():
                    continue
        if _inside(dot_end, quotes):
            continue
        cuts.append((dot_end, blank))
    sentences: list[Sentence] = []
    paragraph = 0
    position = 0
    new_paragraph = False
    for cut, para_break in cuts + [(len(text), False)]:
        chunk = text[position:cut]
        stripped_left = len(chunk) - len(chunk.lstrip())
        start = position + stripped_left
        end = position + len(chunk.rstrip())
        if new_paragraph and sentences:
            paragraph += 1
        if end > start:
            body = text[start:end]
            # A furniture line glued to the next sentence by a single newline is split off.
            first_line, sep, rest = body.partition("\n")
            if sep and BOILERPLATE_LINE.match(first_line):
                sentences.append(Sentence(start, start + len(first_line), first_line, paragraph,
                                          len(sentences), True))
                offset = start + len(first_line) + 1
                rest_start = offset + (len(rest) - len(rest.lstrip()))
                sentences.append(Sentence(rest_start, end, text[rest_start:end], paragraph,
                                          len(sentences), False))
            else:
                sentences.append(Sentence(start, end, body, paragraph, len(sentences),
                                          bool(BOILERPLATE_LINE.match(body))))
        new_paragraph = para_break
        position = cut
    return sentences


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
