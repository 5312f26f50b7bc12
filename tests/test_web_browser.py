"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium) through Playwright.

The server is uvicorn in a thread on a free loopback port. Screenshots of the key pages go
to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_support import PASSWORD, fill, make_app

from freedomledger.ledger import Ledger

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTICLE = ("MINSK, 11 September 2025. Belarus pardoned 52 political prisoners on Thursday, including "
           "Hanna Prykladava, after talks with a United States envoy. They were taken to Lithuania.")

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium (apt-get install chromium; scripts/test.sh does it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Ledger]]:
    import uvicorn

    ledger = Ledger.open(str(tmp_path_factory.mktemp("browser") / "browser.db"))
    fill(ledger)
    port = free_port()
    config = uvicorn.Config(make_app(ledger), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ledger
    uv.should_exit = True
    thread.join(10)
    ledger.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server[0], viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/")


def test_login_and_dashboard_chart(page) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "editor")
    assert "editor" in page.text_content("[data-testid=user]")
    chart = page.locator("[data-testid=held-chart] svg").first
    # A line is drawn: a polyline (the built-in chart) or paths (the stats package's matplotlib chart).
    assert chart.locator("polyline, path").count() >= 1
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    assert int(page.text_content("[data-testid=held-now]")) >= 1
    shot(page, "dashboard")


def test_cyrillic_search_finds_latin_record(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/search")
    page.fill("input[name=q]", "Калеснікава")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?**")
    link = page.locator("table.results a[href='/persons/maria-kalesnikava']")
    assert link.count() == 1 and link.text_content() == "Maria Kalesnikava"
    shot(page, "search")
    link.click()
    assert page.text_content("[data-testid=person-name]") == "Maria Kalesnikava"
    page.click("text=Кириллица")
    assert page.text_content("[data-testid=person-name]") == "Марыя Калеснікава"
    shot(page, "person-cyrillic")
    page.click("text=Latin")


def test_anonymous_cannot_see_confidential_field(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto("/persons/maria-kalesnikava")
    assert page.locator("[data-testid=confidential]").count() == 0
    assert "CONFIDENTIAL-MARKER" not in page.content()
    shot(page, "person-public")
    response = page.goto("/persons/hidden-person")
    assert response is not None and response.status == 404
    log_in(page, "editor")
    page.goto("/persons/maria-kalesnikava")
    assert "CONFIDENTIAL-MARKER-1" in page.text_content("[data-testid=confidential]")
    shot(page, "person-editor")


def test_release_and_deal_pages(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/releases/rel-1")
    assert page.text_content("[data-testid=announced]").strip() == "250"
    assert page.locator("tr.claim-competing").count() + page.locator("tr.claim-accepted").count() >= 2
    shot(page, "release")
    page.goto("/deals/deal-1")
    shot(page, "deal")
    page.goto("/organizations/state-us")
    shot(page, "organization")


def test_registry_import_shows_progress(page) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "editor")
    page.goto("/import")
    page.set_input_files("input[type=file]", str(Path(__file__).parent / "fixtures" / "registry" / "good.csv"))
    page.click("form[action='/import'] button[type=submit]")
    page.wait_for_selector("#import-job[data-state=done], #import-job[data-state=failed]", timeout=20_000)
    assert page.get_attribute("#import-job", "data-state") == "done", page.text_content("#import-job")
    assert page.get_attribute("#import-job progress", "value") == "100"
    shot(page, "import")


def test_accept_a_proposal(page) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("freedomledger.extract", reason="the extraction package is not installed")
    log_in(page, "editor")
    page.goto("/ingest")
    page.fill("textarea[name=text]", ARTICLE)
    page.fill("input[name=published]", "2025-09-11")
    page.click("form[action='/ingest'] button[type=submit]")
    page.wait_for_url("**/review/*")
    assert page.locator("mark").count() >= 1
    shot(page, "review")
    page.click("[data-testid=accept]")
    page.wait_for_load_state()
    assert page.text_content("[data-testid=proposal-status]") == "accepted"
