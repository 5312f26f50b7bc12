"""Fuzzing the article extractor: any text in, an Extraction out (spans inside the text, JSON
that serialises), within a bounded time; and the document readers (feeds, HTML, text files)
fail only with InputError naming the file."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from reliability_helpers import Hang, fuzz_settings, mutations, no_hang

EXTRACT = Path(__file__).parent / "fixtures" / "extract"
PACKAGE = Path(__file__).parent.parent / "src" / "freedomledger" / "extract" / "__init__.py"
pytestmark = pytest.mark.skipif(not PACKAGE.exists(), reason="the extractor is not written yet")

ARTICLES = [EXTRACT / name for name in ("release-wire.txt", "ru-release.txt")]
KNOWN: list[tuple[type[BaseException], str, str]] = []
published_dates = st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
# The extractor's known slowness (see test_extractor_is_not_quadratic_on_long_words) is set off
# by a long run of word characters; examples that have one may take seconds, so the extractor's
# examples are bounded by no_hang() rather than by hypothesis's 2 s deadline.
LONG_WORD = re.compile(r"[\w'’.-]{1500,}")
EXTRACT_LIMIT_S = 10.0


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """The first text with certain letters makes rigour build its territory-name index (about
    8 s on a 2-core machine, once per process); pay it here, not inside an example's deadline."""
    from freedomledger.extract import extract_document

    extract_document("=Üû<ÑÐ»\U000f90eaØ\U000fa10c\x89£ÙÝ~ Belarus", published=dt.date(2025, 1, 1))


def _known(exc: BaseException) -> bool:
    for kind, pattern, _test in KNOWN:
        if isinstance(exc, kind) and re.search(pattern, str(exc)):
            event(f"known bug: {kind.__name__}")
            return True
    return False


def _article(index: int) -> str:
    path = ARTICLES[index]
    if not path.exists():
        pytest.skip(f"fixture {path.name} is not there yet")
    return path.read_text(encoding="utf-8")


def check_extraction(text: str, published: dt.date | None) -> None:
    from freedomledger.extract import extract_document

    try:
        with no_hang(EXTRACT_LIMIT_S):
            result = extract_document(text, published=published, url="https://example.org/x",
                                      resolver=lambda name: "p-1" if len(name) % 2 else None)
    except Hang:
        if LONG_WORD.search(text):
            event("known bug: quadratic on a long word")
            return
        raise
    except Exception as exc:  # noqa: BLE001 - the extractor documents no error for text input
        if _known(exc):
            return
        raise
    data = result.to_dict()
    json.dumps(data)
    event(f"{len(data['events'])} events")
    spans = [tuple(s["span"]) for s in data["statements"]]
    for e in result.events:
        spans += [p.span for p in getattr(e, "released", []) or []]
        if e.evidence:
            spans.append(e.evidence)
    for start, end in spans:
        assert 0 <= start <= end <= len(text), f"span {start}..{end} outside a text of {len(text)}"


words = st.sampled_from([
    "Belarus", "freed", "pardoned", "released", "52", "prisoners", "on Thursday", "yesterday", "U.S.",
    "envoy", "Lukashenka", "Ihar Losik", "помиловал", "освобождены", "вызвалілі", "палітвязняў", "14",
    "sanctions", "Belavia", "1,100", "999999999999999999999", "Sept 12", "2025-06-21", "31 February",
    "\"", "«", "»", ".", ",", "\n\n", "Mr.", "—", "including", "among them", "Lithuania", "Poland",
])
sentences = st.lists(words, min_size=1, max_size=25).map(" ".join)


@fuzz_settings(share=0.25, deadline_ms=None)
@given(st.text(max_size=1500), published_dates)
def test_extractor_on_random_text(text: str, published: dt.date | None) -> None:
    check_extraction(text, published)


@fuzz_settings(share=0.35, deadline_ms=None)
@given(st.lists(sentences, min_size=1, max_size=12).map(". ".join), published_dates)
def test_extractor_on_news_like_word_salad(text: str, published: dt.date | None) -> None:
    check_extraction(text, published)


@fuzz_settings(share=0.4, deadline_ms=None)
@given(st.integers(0, len(ARTICLES) - 1).flatmap(
    lambda i: mutations(ARTICLES[i].read_bytes() if ARTICLES[i].exists() else b"")), published_dates)
def test_extractor_on_mutated_articles(data: bytes, published: dt.date | None) -> None:
    check_extraction(data.decode("utf-8", errors="replace"), published)


@pytest.mark.parametrize("index", range(len(ARTICLES)))
def test_unmutated_articles_give_events(index: int) -> None:
    """The mutation test starts from articles the extractor understands."""
    from freedomledger.extract import extract_document

    assert extract_document(_article(index), published=dt.date(2025, 9, 12)).events


# --- the document readers: InputError naming the file, nothing else ------------------------------

def read_file(name: str, data: bytes) -> None:
    from freedomledger.extract import InputError, read_documents

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            with no_hang():
                documents = read_documents(path, published=dt.date(2026, 1, 1))
            for document in documents:
                assert isinstance(document.text, str)
            event("read")
        except InputError as exc:
            assert str(path) in str(exc), f"the error does not name the file: {exc}"
            event("InputError")
        except Exception as exc:  # noqa: BLE001 - only InputError is documented
            if not _known(exc):
                raise


READERS = {"feed.jsonl": "feed.jsonl", "page.html": "page.html", "release-wire.txt": "article.txt"}


@pytest.mark.parametrize("fixture", sorted(READERS))
def test_document_reader_on_mutated_files(fixture: str) -> None:
    base = (EXTRACT / fixture).read_bytes() if (EXTRACT / fixture).exists() else None
    if base is None:
        pytest.skip(f"fixture {fixture} is not there yet")

    @fuzz_settings(share=0.2)
    @given(mutations(base))
    def run(data: bytes) -> None:
        read_file(READERS[fixture], data)

    run()


@fuzz_settings(share=0.2)
@given(st.sampled_from(["a.jsonl", "a.html", "a.txt"]), st.binary(max_size=600))
def test_document_reader_on_arbitrary_bytes(name: str, data: bytes) -> None:
    read_file(name, data)


def test_html_of_control_characters_is_read_or_refused_cleanly(tmp_path: Path) -> None:
    """Fuzzing found that an .html file of only b'\\x07' made lxml raise ValueError (crash 10)."""
    from freedomledger.extract import InputError, read_documents

    path = tmp_path / "page.html"
    for content in (b"\x07", b"<p>Minsk\x07 \x1b released</p>"):
        path.write_bytes(content)
        try:
            documents = read_documents(path)
        except InputError as exc:
            assert str(path) in str(exc)
        else:
            assert all("\x07" not in d.text and "\x1b" not in d.text for d in documents)


def test_extractor_is_not_quadratic_on_long_words() -> None:
    """Two places had the quadratic pattern; deals.py's _PLACE was fixed in b82b6a0, which a
    4,000-character token no longer shows. 32,000 characters show what remains."""
    from freedomledger.extract import extract_document

    for text in ("Belarus freed 5 prisoners after talks with " + "A" * 32000 + ".",
                 "Belarus freed 5 prisoners. " + "A" * 32000 + "."):
        # Linear code needs a fraction of a second for this; the regex engine checks for the
        # alarm as it goes, so a slow match is interrupted at the limit.
        with no_hang(2.0):
            extract_document(text, published=dt.date(2025, 1, 1))
