"""The page in a real browser: Debian's chromium driven by Playwright against `streamlit run`.

Needs `apt-get install -y chromium` (never `playwright install`); skipped with a
reason when /usr/bin/chromium is not there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from page_server import CHROMIUM, CHROMIUM_ARGS, PageServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is not installed (apt-get install -y chromium); the browser test needs it"),
]

QUESTION = "I'm stuck in a rut at work, how do I get out?"


@pytest.fixture
def page_url(home_copy, tmp_path):
    with PageServer({"MENTOR_HOME": str(home_copy)}, log_path=tmp_path / "streamlit.log") as server:
        yield server.url


def test_ask_in_a_real_browser(page_url, tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    shot = Path(os.environ.get("MENTOR_SCREENSHOT", tmp_path / "page.png"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(page_url, wait_until="domcontentloaded")
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=180_000)  # first start loads the mentor (slow on a busy machine)
            # the flywheel picture: graphviz rendered to an SVG in the sidebar
            page.locator("[data-testid='stGraphVizChart'] svg").first.wait_for(timeout=30_000)

            box.fill(QUESTION)
            box.press("Enter")
            messages = page.get_by_test_id("stChatMessage")
            answer = messages.nth(1)
            answer.get_by_text("Next action:", exact=False).first.wait_for(timeout=120_000)
            assert QUESTION in messages.nth(0).inner_text()
            assert "Deliver Results" in answer.inner_text()

            page.get_by_test_id("stFeedback").first.wait_for(timeout=10_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(shot))

            sources = answer.get_by_test_id("stExpander")
            assert "Sources (" in sources.inner_text()
            sources.locator("summary").click()
            sources.locator("blockquote").first.wait_for(timeout=10_000)  # a quoted passage

            svg = page.locator("[data-testid='stGraphVizChart'] svg").first
            svg_text = svg.inner_html()
            assert "Deliver" in svg_text and "Spin 1" in svg_text and "#f97316" in svg_text.lower()
            assert "Traceback" not in page.content()
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
