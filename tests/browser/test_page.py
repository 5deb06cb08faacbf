"""The web page in a real browser (issue 4, item 4): Debian's headless Chromium, via Playwright.

A live uvicorn server on a loopback port serves a store built from our example reports
(examples/*.txt). The tests run an example query and read its rows, open the system network
and click a node to read its facts with their source sentences, switch between Vietnamese and
English, and save a screenshot (tests/artifacts/page.png; copied to docs/page.png for the README
when that is missing or UPDATE_SCREENSHOT=1). Chromium is the system one
(``/usr/bin/chromium``, installed by ``.ci/run``); nothing is downloaded (never
``playwright install``). Without it these tests skip with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.loader import ingest_paths
from api.settings import Settings
from graph.store import Store
from tests.api.api_testkit import live_app
from tests.conftest import EXAMPLES, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "page.png"
TIMEOUT_MS = 20_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: install Debian's chromium (`apt-get install -y chromium`; "
               ".ci/run does it)",
    ),
]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    store = Store(None)
    summary = ingest_paths(store, sorted(EXAMPLES.glob("*.txt")))
    assert summary.documents >= 3 and not summary.failures, summary.failures
    with live_app(create_app(Settings(), store)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "/")
    page.click("button[data-lang=vi]")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _run_example(page: Any, name: str) -> None:
    page.select_option("#example", name)
    page.click("#run")
    page.wait_for_selector("#results tbody tr")


def _open_network(page: Any) -> int:
    page.click("a[href='#network']")
    page.wait_for_function(
        "() => { const r = document.getElementById('cy')._cyreg; "
        "return r && r.cy && r.cy.nodes().length > 0; }")
    return int(page.evaluate("() => document.getElementById('cy')._cyreg.cy.nodes().length"))


def _click_node_with_facts(page: Any) -> str:
    """Clicks (a real mouse click on the canvas) a node that is the subject of some facts."""
    target = page.evaluate(
        """async () => {
          const facts = (await (await fetch('/facts?format=json')).json()).rows;
          const subjects = new Set(facts.map((f) => f.subject));
          const cy = document.getElementById('cy')._cyreg.cy;
          const node = cy.nodes().filter((n) => subjects.has(n.id()))[0];
          cy.zoom(1.5); cy.center(node);
          const p = node.renderedPosition();
          const box = document.getElementById('cy').getBoundingClientRect();
          return { id: node.id(), x: box.left + p.x, y: box.top + p.y };
        }"""
    )
    page.mouse.click(target["x"], target["y"])
    page.wait_for_selector("#node-panel h3")
    return str(target["id"])


def test_an_example_query_shows_rows(page: Any) -> None:
    examples = page.eval_on_selector_all("#example option", "els => els.map(e => e.value)")
    assert "ontime_rates_ranked" in examples and len(examples) >= 16  # 15 queries + "choose"
    _run_example(page, "ontime_rates_ranked")
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 1
    headers = page.eval_on_selector_all("#results thead th", "els => els.map(e => e.textContent)")
    assert headers[:3] == ["period", "rank", "place"]
    assert "dòng" in page.text_content("#sparql-status")  # "{n} dòng · … ms"
    assert "#query=" in page.url  # the permalink holds the query


def test_the_network_has_nodes_and_a_click_lists_facts_with_sentences(page: Any) -> None:
    assert _open_network(page) >= 5
    node = _click_node_with_facts(page)
    panel = page.locator("#node-panel")
    assert page.text_content("#node-panel .iri")
    facts = panel.locator("ul.evidence").last.locator("li")
    assert facts.count() >= 1, f"no facts listed for {node}"
    first = facts.first
    assert first.locator(".sentence").text_content()  # the source sentence
    assert first.locator("mark").count() == 1  # the number highlighted in it
    assert first.locator("mark").text_content() in first.locator(".sentence").text_content()


def test_language_switch(page: Any) -> None:
    assert page.text_content("#sparql h2") == "Truy vấn SPARQL"
    page.click("button[data-lang=en]")
    assert page.text_content("#sparql h2") == "SPARQL query"
    assert page.text_content("#facts h2") == "Facts and their source sentences"
    assert page.get_attribute("html", "lang") == "en"
    page.click("button[data-lang=vi]")
    assert page.text_content("#network h2") == "Mạng các hệ thống thông tin"
    assert page.get_attribute("html", "lang") == "vi"


def test_screenshot(page: Any) -> None:
    """The picture in the README: a query answered, the network with a node's facts open."""
    _run_example(page, "ontime_rates_ranked")
    page.wait_for_selector("#facts-table tbody tr")
    # the SHACL panel has answered (its "checking…" text ends with an ellipsis)
    page.wait_for_function(
        "() => { const t = document.getElementById('validation-status').textContent; "
        "return t.length > 0 && !t.endsWith('…'); }")
    _open_network(page)
    _click_node_with_facts(page)
    page.evaluate("() => { document.getElementById('cy')._cyreg.cy.fit(undefined, 30); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    # docs/page.png (the README's picture) is written when missing or when asked for with
    # UPDATE_SCREENSHOT=1, so that a test run does not leave a changed binary in the work tree.
    if not DOCS_SCREENSHOT.exists() or os.environ.get("UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)
