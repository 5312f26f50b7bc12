"""Reading articles: HTML boilerplate and sanitising, JSON-lines feeds, plain text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomledger.extract import InputError, extract, read_documents
from freedomledger.extract.text import html_to_document, parse_feed, sanitise_text

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def test_html_keeps_the_article_and_drops_everything_else() -> None:
    doc = read_documents(FIXTURES / "page.html")[0]
    assert doc.title == "Belarus frees 14 | Example News"
    assert doc.url == "https://example.org/news/belarus-frees-14"
    assert doc.published == dt.date(2025, 6, 23)
    assert "Belarus freed 14 prisoners on Saturday" in doc.text
    assert "They were taken to Lithuania." in doc.text
    for junk in ("999", "500", "Also hidden", "300", "700", "Share on X", "Copyright", "Home",
                 "color: red", "document.write"):
        assert junk not in doc.text
    # Block elements become paragraphs.
    assert "\n\nBelarus freed 14" in doc.text


def test_html_extraction_end_to_end() -> None:
    doc = read_documents(FIXTURES / "page.html")[0]
    event = extract(doc).events[0]
    assert (event.kind, event.date, event.count) == ("release", "2025-06-21", 14)
    assert [p.name for p in event.released] == ["Siarhei Tsikhanouski"]
    assert event.destination == ["LT"]
    assert doc.text[event.released[0].span[0]:event.released[0].span[1]] == "Siarhei Tsikhanouski"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_html_reader_survives_arbitrary_markup(body: str) -> None:
    doc = html_to_document(f"<html><body><p>{body}</p><script>alert(1)</script></body></html>")
    assert "alert(1)" not in doc.text
    assert "<script" not in doc.text


def test_sanitise_removes_invisible_characters_and_normalises() -> None:
    assert sanitise_text("Mar\u200bfa\u00a0Rabkova\r\n") == "Marfa Rabkova\n"
    assert sanitise_text("Ales\x07 Bialiatski") == "Ales  Bialiatski"
    assert sanitise_text("e\u0301") == "\u00e9"


def test_feed_reads_every_line_and_skips_blank_ones() -> None:
    docs = read_documents(FIXTURES / "feed.jsonl")
    assert [(d.url, d.published, d.line) for d in docs] == [
        ("https://example.org/a", dt.date(2026, 3, 6), 1),
        ("https://example.org/b", dt.date(2025, 10, 21), 3)]
    kinds = [[e.kind for e in extract(d).events] for d in docs]
    assert kinds == [["release"], ["sanctions_imposed"]]


def test_malformed_feed_line_names_the_line() -> None:
    with pytest.raises(InputError, match=r"feed-bad-line3\.jsonl, line 3: invalid JSON"):
        read_documents(FIXTURES / "feed-bad-line3.jsonl")
    with pytest.raises(InputError, match=r"line 1, field 'published'.*2026-03-20"):
        read_documents(FIXTURES / "feed-bad-date.jsonl")
    with pytest.raises(InputError, match=r"line 2, field 'text': missing or empty"):
        parse_feed('{"text": "ok"}\n{"url": "x"}\n', file="f.jsonl")
    with pytest.raises(InputError, match=r"line 1: expected a JSON object"):
        parse_feed("[1, 2]\n", file="f.jsonl")


def test_plain_text_defaults_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Belarus freed 3 prisoners on Wednesday.", encoding="utf-8")
    doc = read_documents(path, published=dt.date(2025, 2, 13), url="https://example.org/x")[0]
    assert (doc.published, doc.url, doc.text) == (dt.date(2025, 2, 13), "https://example.org/x",
                                                 "Belarus freed 3 prisoners on Wednesday.")
    bad = tmp_path / "b.txt"
    bad.write_bytes("Беларусь".encode("cp1251"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_documents(bad)
    with pytest.raises(InputError, match="cannot read"):
        read_documents(tmp_path / "missing.txt")
