"""Sign-in in a real browser: Chromium, the real page, and a real OIDC provider on 127.0.0.1.

The provider is `oidc-provider-mock` (a real OpenID Connect server: discovery, authorize,
token, userinfo, JWKS); Streamlit's `st.login` talks to it through Authlib. Two users
sign in, each sees only their own journey, a forged session cookie reads nothing,
and signing out ends the session.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest

from assistant.journal import Journal, owner_for_identity
from page_server import CHROMIUM, CHROMIUM_ARGS, PageServer, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is not installed (apt-get install -y chromium); the browser test needs it"),
]

ALICE_Q = "I'm stuck in a rut at work, how do I get out?"
BOB_Q = "My project failed. Should I keep going or pull the plug?"


@pytest.fixture
def oidc_provider():
    """A real OIDC provider on 127.0.0.1 (any client id is accepted; the user types a `sub`)."""
    oidc = pytest.importorskip("oidc_provider_mock")
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), oidc.app(require_client_registration=False), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def signed_in_page(home_copy, tmp_path, oidc_provider):
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "flywheel-mentor"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n'
    )
    env = {"MENTOR_HOME": str(home_copy)}
    with PageServer(env, port=port, log_path=tmp_path / "streamlit.log",
                    extra_args=("--secrets.files", str(secrets_file))) as server:
        yield server.url, home_copy, oidc_provider


def sign_in(page, url: str, sub: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=180_000)
    page.locator("input[name=sub]").fill(sub, timeout=30_000)  # the provider's authorize form
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text(f"Signed in as {sub}").wait_for(timeout=120_000)


def ask(page, question: str, index: int) -> str:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(2 * index + 1)
    answer.get_by_test_id("stFeedback").wait_for(timeout=120_000)
    return answer.inner_text()


def main_text(page) -> str:
    """The conversation on screen (every chat message), after the page has settled."""
    page.wait_for_timeout(1000)
    return "\n".join(page.get_by_test_id("stChatMessage").all_inner_texts())


def test_two_users_each_see_only_their_own_journey(signed_in_page):
    url, home, issuer = signed_in_page
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
            alice, bob = alice_ctx.new_page(), bob_ctx.new_page()

            sign_in(alice, url, "alice")
            assert "Deliver Results" in ask(alice, ALICE_Q, 0)
            sign_in(bob, url, "bob")
            assert ALICE_Q not in main_text(bob)  # a fresh journey: nothing of alice's
            ask(bob, BOB_Q, 0)

            # the journal holds two journeys, keyed by issuer + sub, never by a typed name
            journal = Journal(home / "journal.sqlite3")
            owners = set(journal.owners())
            assert owners == {owner_for_identity(_issuer_in(owners), "alice"),
                              owner_for_identity(_issuer_in(owners), "bob")}
            assert _issuer_in(owners).startswith(issuer)

            # a new browser session for alice restores her journey, and only hers
            alice.reload(wait_until="domcontentloaded")
            alice.get_by_text(ALICE_Q).first.wait_for(timeout=120_000)
            assert BOB_Q not in main_text(alice)
            assert "Your name" not in alice.content()  # no name box to type someone else's name into

            # a forged cookie (bob's signed cookie with alice's identity swapped in) reads nothing
            forged_ctx = browser.new_context()
            cookie = next(c for c in bob_ctx.cookies() if c["name"].startswith("_streamlit_user"))
            forged_ctx.add_cookies([{**cookie, "value": _swap_identity(cookie["value"], "bob", "alice")}])
            forged = forged_ctx.new_page()
            forged.goto(url, wait_until="domcontentloaded")
            forged.get_by_role("button", name="Sign in").wait_for(timeout=120_000)
            assert ALICE_Q not in main_text(forged) and BOB_Q not in main_text(forged)

            # signing out ends the session: back to the sign-in button, even after a reload
            alice.get_by_role("button", name="Sign out").click()
            end_session = alice.get_by_role("button", name="End session")  # the provider's logout page
            end_session.click(timeout=60_000)
            alice.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
            alice.reload(wait_until="domcontentloaded")
            alice.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
            assert ALICE_Q not in main_text(alice)
            assert "Traceback" not in alice.content() + bob.content()
        finally:
            browser.close()


def _issuer_in(owners: set[str]) -> str:
    return next(iter(owners)).removeprefix("oidc:").rsplit(" ", 1)[0]


def _swap_identity(value: str, old: str, new: str) -> str:
    """Tamper with a signed cookie (itsdangerous: payload.timestamp.signature): put `new` in
    the payload where `old` was, keep the original (now wrong) signature."""
    import zlib

    from itsdangerous.encoding import base64_decode, base64_encode

    value = value.strip('"')
    compressed = value.startswith(".")
    payload, rest = value.lstrip(".").split(".", 1)
    data = base64_decode(payload)
    if compressed:
        data = zlib.decompress(data)
    text = data.decode()
    if old not in text:
        raise AssertionError("the cookie holds no identity to tamper with")
    data = text.replace(old, new).encode()
    encoded = base64_encode(zlib.compress(data) if compressed else data).decode()
    return ("." if compressed else "") + encoded + "." + rest
