"""Reading articles: plain text, HTML pages and JSON-lines feeds, each into a `Document`.

HTML goes through nh3 (the ammonia sanitiser) so that scripts, styles, comments and every
attribute we do not need are gone before anything else reads it; lxml then gives the tree in
which navigation, asides, share bars and hidden elements are dropped and the article body is
laid out as paragraphs. Character spans reported by the extractor index into `Document.text`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import nh3
from lxml import etree


class InputError(ValueError):
    """Bad input, with where it is and how to fix it in the message."""


@dataclass(slots=True)
class Document:
    text: str
    file: str | None = None
    url: str | None = None
    published: dt.date | None = None
    title: str | None = None
    line: int | None = None  # line number in a JSON-lines feed
    section: str | None = None  # e.g. "Opinion", from HTML metadata


# Zero-width and bidi controls hide inside names copied from the web ("Mar\u200bfa"); other
# control characters are noise. Both are replaced one for one by a space or removed.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitise_text(text: str) -> str:
    """NFC, no invisible or control characters, no-break spaces as spaces."""
    text = text.translate(_INVISIBLE)
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return unicodedata.normalize("NFC", text)


def parse_published(value: object, where: str) -> dt.date | None:
    """A publication date from metadata: "2026-03-20" or an ISO timestamp."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: 'published' must be a string like 2026-03-20, got {value!r}")
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise InputError(
            f"{where}: 'published' is {value!r}; use an ISO date such as 2026-03-20"
        ) from None


# ---------------------------------------------------------------------------------- HTML

_ALLOWED_TAGS = {
    "html", "body", "article", "main", "section", "div", "p", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "li", "blockquote", "br", "span", "a", "em", "strong", "b", "i", "u",
    "time", "header", "footer", "nav", "aside", "figure", "figcaption", "table", "thead",
    "tbody", "tr", "td", "th", "dl", "dt", "dd", "q", "cite", "small", "sup", "sub", "abbr",
    "pre", "code", "mark", "form", "button", "label", "picture", "caption",
}
# Removed with their content, not just unwrapped.
_DROP_CONTENT = {"script", "style", "noscript", "template", "iframe", "svg", "object",
                 "embed", "title", "head", "select", "textarea", "canvas", "video", "audio"}
_BOILERPLATE_TAGS = {"nav", "aside", "footer", "form", "button", "figure", "picture"}
_BOILERPLATE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|sidebar|related|recommended|share|sharing|social|"
    r"newsletter|subscribe|subscription|cookie|consent|advert|ads?|ad-slot|promo|banner|"
    r"comments?|breadcrumbs?|footer|masthead|paywall|popup|modal|outbrain|taboola|tags?|"
    r"read-?more|more-stories|most-read|trending|caption|credit|byline)(?:$|[\s_-])",
    re.I,
)
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
               "li", "blockquote", "header", "table", "tr", "ul", "ol", "dl", "dt", "dd",
               "pre", "body", "html", "caption"}


def _meta(tree: etree._Element, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            if found and str(found[0]).strip():
                return str(found[0]).strip()
    return None


def _json_ld_published(tree: etree._Element) -> str | None:
    for block in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                return item["datePublished"]
    return None


def _is_hidden(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _layout(root: etree._Element) -> str:
    """Text of a cleaned tree with paragraph breaks between block elements.

    Written by hand because lxml's itertext()/text_content() flatten blocks together and the
    sentence splitter needs paragraph boundaries.
    """
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = re.sub(r"\s+", " ", "".join(current)).strip()
        if joined:
            blocks.append(joined)
        current.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "br":
            current.append(" ")
        elif tag:
            is_block = tag in _BLOCK_TAGS
            if is_block:
                flush()
            if el.text:
                current.append(el.text)
            for child in el:
                walk(child)
            if is_block:
                flush()
        if el.tail:
            current.append(el.tail)

    walk(root)
    flush()
    return "\n\n".join(blocks)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_to_document(html: str | bytes, *, file: str | None = None) -> Document:
    """Article text and metadata (title, canonical URL, publication date) from an HTML page."""
    try:
        full = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"{file or 'HTML input'}: cannot parse HTML ({exc})") from None
    title = _meta(full, "og:title", "twitter:title")
    if title is None:
        found = full.xpath("//title/text()")
        title = str(found[0]).strip() if found else None
    url = _meta(full, "og:url")
    canonical = full.xpath("//link[@rel='canonical']/@href")
    if canonical:
        url = str(canonical[0]).strip()
    published_raw = (
        _meta(full, "article:published_time", "datePublished", "pubdate", "publishdate",
              "date", "DC.date.issued", "dcterms.created")
        or _json_ld_published(full)
    )
    if published_raw is None:
        times = full.xpath("//article//time/@datetime | //time[@pubdate]/@datetime")
        published_raw = str(times[0]) if times else None
    try:
        published = parse_published(published_raw, file or "HTML metadata")
    except InputError:
        published = None  # a malformed meta tag should not reject the page
    section = _meta(full, "article:section")

    body_html = etree.tostring(full, encoding="unicode", method="html")
    cleaned = nh3.clean(
        body_html,
        tags=_ALLOWED_TAGS,
        clean_content_tags=_DROP_CONTENT,
        attributes={"*": {"class", "id", "role", "hidden", "aria-hidden", "style"}},
        strip_comments=True,
        link_rel=None,
    )
    # lxml builds trees only of XML-compatible text: control characters (which no article
    # needs) would make it raise ValueError.
    tree = lxml.html.fragment_fromstring(_CONTROL.sub("", cleaned), create_parent="div")
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        classes = f"{el.get('class') or ''} {el.get('id') or ''}"
        role = el.get("role") or ""
        if (el.tag in _BOILERPLATE_TAGS or role in {"navigation", "complementary", "banner"}
                or _BOILERPLATE_CLASS.search(classes) or _is_hidden(el)):
            el.drop_tree()
    articles = tree.xpath("//article") or tree.xpath("//main | //*[@role='main']")
    root = max(articles, key=lambda a: len(a.text_content())) if articles else tree
    text = sanitise_text(_layout(root))
    return Document(text=text, file=file, url=url, published=published, title=title,
                    section=section)


# ----------------------------------------------------------------------------- feeds

_FEED_HINT = ('each line must be one JSON object such as {"url": "https://…", '
              '"published": "2026-03-20", "title": "…", "text": "…"}')


def parse_feed(content: str, *, file: str | None = None) -> list[Document]:
    """Documents from a JSON-lines feed; the first bad line stops everything (no partial use)."""
    where = file or "feed"
    documents: list[Document] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{where}, line {number}: invalid JSON ({exc.msg} at column {exc.colno}); {_FEED_HINT}"
            ) from None
        if not isinstance(item, dict):
            raise InputError(f"{where}, line {number}: expected a JSON object, got "
                             f"{type(item).__name__}; {_FEED_HINT}")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{where}, line {number}, field 'text': missing or empty; {_FEED_HINT}")
        for key in ("url", "title"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise InputError(f"{where}, line {number}, field {key!r}: must be a string")
        published = parse_published(item.get("published"), f"{where}, line {number}, field 'published'")
        if text.lstrip().startswith("<"):
            document = html_to_document(text, file=file)
        else:
            document = Document(text=sanitise_text(text), file=file)
        document.url = item.get("url") or document.url
        document.published = published or document.published
        document.title = item.get("title") or document.title
        document.line = number
        documents.append(document)
    return documents


# ----------------------------------------------------------------------------- files

def detect_format(path: Path, head: str) -> str:
    """"html", "jsonl" or "text", from the extension and, failing that, the content."""
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix in {".txt", ".text", ".md"}:
        return "text"
    stripped = head.lstrip()
    if stripped.startswith("{"):
        return "jsonl"
    if re.match(r"<(?:!doctype|html|head|body|article|div|p)\b", stripped, re.I):
        return "html"
    return "text"


def read_documents(
    path: Path, *, published: dt.date | None = None, url: str | None = None
) -> list[Document]:
    """Every document in one file. `published` and `url` fill in what the file does not say."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    kind = detect_format(path, raw[:512].decode("utf-8", "replace"))
    if kind == "html":
        documents = [html_to_document(raw, file=str(path))]  # lxml honours <meta charset>
    else:
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not UTF-8 (byte {exc.start}); convert it, e.g. iconv -f cp1251 -t utf-8"
            ) from None
        if kind == "jsonl":
            documents = parse_feed(content, file=str(path))
        else:
            documents = [Document(text=sanitise_text(content), file=str(path))]
    for document in documents:
        document.published = document.published or published
        document.url = document.url or url
    return documents
