"""The Streamlit page, driven headlessly with streamlit.testing.v1.AppTest.

Each test points MENTOR_HOME at a private copy of the built index (no index
build per test) and clears st.cache_resource so every test gets its own Mentor.
"""

from __future__ import annotations

import gc
import socket
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant import Session, Settings, Step
from assistant.journal import Journal

from fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
RUT = "I'm stuck in a rut at work, how do I get out?"
SECRET = "sk-test-DoNotShowThisKey-1234567890abcdef"


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def session_of(at: AppTest) -> Session:
    return at.session_state["session"]


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, captions, alerts, labels), for `in` checks."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.label for e in at.button] + [e.label for e in at.expander] + [e.label for e in at.text_input]
    parts += [e.proto.label for e in at.get("badge")]
    return "\n".join(parts)


def graph_spec(at: AppTest) -> str:
    charts = at.get("graphviz_chart")
    assert charts, "no flywheel picture in the sidebar"
    return charts[0].proto.spec


def download_text(at: AppTest) -> str:
    """The bytes behind the sidebar's download button, from Streamlit's media storage."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    url = at.get("download_button")[0].proto.url
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    for manager in (o for o in gc.get_objects() if isinstance(o, MediaFileManager)):
        try:
            return manager._storage.get_file(file_id).content.decode()
        except Exception:
            continue
    raise AssertionError(f"download {url} not found")


def test_first_load_shows_an_empty_chat_and_the_sidebar(app_home):
    at = new_app()
    assert not at.exception
    assert len(at.chat_message) == 0
    shown = texts(at)
    assert "offline" in shown and "OPENAI_API_KEY" in shown  # the mode badge and how to connect a model
    assert "Spin 1" in graph_spec(at)
    assert at.sidebar.number_input[0].value == 1
    assert [b.label for b in at.sidebar.button] == ["Start next spin", "New conversation"]
    assert at.chat_input[0].proto.max_chars == 8000  # the question limit, enforced where the user types


def test_ask_shows_answer_sources_step_and_next_action(app_home):
    at = ask(new_app(), RUT)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    answer = at.chat_message[1]
    assert "Deliver Results" in answer.markdown[0].value
    sources = answer.expander[0]
    assert sources.label.startswith("Sources (")
    shown = "\n".join(m.value for m in sources.markdown)
    assert "-badge[" in shown and "**[1]" in shown  # badge + numbered title
    assert any(m.value.startswith("> ") for m in sources.markdown)  # a quoted passage
    assert "Diagnosed step: **Deliver Results**" in [c.value for c in answer.caption]
    assert any(m.value.startswith("**Next action:**") for m in answer.markdown)
    assert answer.button[0].label == "Commit to this"
    # the sidebar follows the diagnosed step
    assert at.sidebar.selectbox[0].value == Step.DELIVER_RESULTS.value
    spec = graph_spec(at)
    assert 'deliver_results [label="1\\nDeliver\\nResults", pos="0.00,1.55!", tooltip="Deliver Results", fillcolor="#f97316"' in spec


def test_follow_up_keeps_history(app_home):
    at = ask(new_app(), RUT)
    first_answer = at.chat_message[1].markdown[0].value
    at = ask(at, "And what comes after that?")
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    assert at.chat_message[0].markdown[0].value == RUT
    assert at.chat_message[1].markdown[0].value == first_answer
    assert len(session_of(at).turns) == 4


def test_two_browser_sessions_share_the_mentor_but_not_their_state(app_home):
    first = ask(new_app(), RUT)
    second = new_app()
    assert len(first.chat_message) == 2 and len(second.chat_message) == 0
    assert session_of(second).turns == [] and session_of(second) is not session_of(first)
    ask(second, "What does Frugality mean?")
    assert session_of(first).turns[0].text == RUT and len(session_of(first).turns) == 2
    assert session_of(second).turns[0].text == "What does Frugality mean?"
    # One Mentor per process: both sessions answered through the same cached object.
    mentors = [v for v in gc.get_objects() if type(v).__name__ == "Mentor" and v.settings.home == app_home]
    assert len(mentors) == 1


def test_commit_new_conversation_and_next_spin(app_home):
    at = ask(new_app(), RUT)
    action = session_of(at).turns[-1].next_action
    at.chat_message[1].button[0].click().run()
    assert [c.text for c in session_of(at).commitments] == [action]
    assert at.chat_message[1].button[0].label == "Committed ✓" and at.chat_message[1].button[0].disabled
    assert at.sidebar.checkbox[0].label.startswith(action)

    next(b for b in at.sidebar.button if b.label == "New conversation").click().run()
    assert len(at.chat_message) == 0 and session_of(at).turns == []
    assert len(session_of(at).commitments) == 1  # the journey stays

    next(b for b in at.sidebar.button if b.label == "Start next spin").click().run()
    assert session_of(at).spin == 2 and session_of(at).step is Step.DELIVER_RESULTS
    assert at.sidebar.number_input[0].value == 2
    assert "Spin 2" in graph_spec(at)


def test_spin_tracker_and_commitments_persist_across_restart(app_home):
    at = new_app()
    at.sidebar.text_input(key="w_name").input("Ana Lopez").run()
    at = ask(at, RUT)
    at.chat_message[1].button[0].click().run()  # commit to the next action
    at.sidebar.text_input(key="w_new_commitment").input("I will ship the load test by Friday").run()
    at.sidebar.number_input[0].set_value(3).run()
    at.sidebar.selectbox[0].set_value(Step.OWNERSHIP_THINK_BIG.value).run()
    at.sidebar.checkbox[0].check().run()
    assert not at.exception
    before = session_of(at)
    assert (before.spin, before.step) == (3, Step.OWNERSHIP_THINK_BIG)
    assert [c.done for c in before.commitments] == [True, False]

    # a restart: a fresh Mentor (cache cleared) and a fresh browser session on the same MENTOR_HOME
    st.cache_resource.clear()
    again = new_app()
    assert again.sidebar.number_input[0].value == 1 and len(again.chat_message) == 0
    again.sidebar.text_input(key="w_name").input("ana lopez").run()  # names are case-insensitive
    after = session_of(again)
    assert after.name == "Ana Lopez"
    assert (after.spin, after.step) == (3, Step.OWNERSHIP_THINK_BIG)
    assert [(c.text, c.done) for c in after.commitments] == [(c.text, c.done) for c in before.commitments]
    assert [m.name for m in again.chat_message] == ["user", "assistant"]
    assert again.sidebar.number_input[0].value == 3
    assert again.sidebar.selectbox[0].value == Step.OWNERSHIP_THINK_BIG.value
    assert [cb.value for cb in again.sidebar.checkbox] == [True, False]
    assert "Welcome back, Ana Lopez" in texts(again)
    # the restored answer still shows its quoted sources
    assert any(m.value.startswith("> ") for m in again.chat_message[1].expander[0].markdown)


def test_a_bad_name_gets_a_clear_message(app_home):
    at = new_app()
    at.sidebar.text_input(key="w_name").input("<script>").run()
    assert not at.exception
    assert any("not allowed" in e.value and "letters, numbers" in e.value for e in at.error)
    assert session_of(at).name is None


def test_feedback_is_stored(app_home):
    at = ask(new_app(), RUT)
    turn = session_of(at).turns[1]
    at.chat_message[1].feedback[0].set_value(1).run()  # thumbs up
    journal = Journal(Settings.from_env().journal_path)
    rows = journal.feedback()
    assert len(rows) == 1
    row = rows[0]
    assert (row.rating, row.question, row.answer, row.step, row.mode) == (1, RUT, turn.text, "deliver_results", "offline")
    assert row.source_ids == [s["id"] for s in turn.sources] and row.source_ids

    at.chat_message[1].feedback[0].set_value(0).run()  # changed mind: thumbs down, same row
    at.chat_message[1].text_input[0].input("too generic").run()
    rows = journal.feedback()
    assert len(rows) == 1 and rows[0].rating == -1 and rows[0].comment == "too generic"


def test_export_downloads_conversation_and_journal(app_home):
    at = ask(new_app(), RUT)
    at.chat_message[1].button[0].click().run()
    text = download_text(at)
    turn = session_of(at).turns[1]
    assert text.startswith("# Flywheel Mentor")
    assert "- **Spin:** 1" in text and "- **Current step:** Deliver Results" in text
    assert f"- [ ] {turn.next_action}" in text
    assert RUT in text and turn.text.splitlines()[0] in text
    assert "[flywheel]" in text or "[article]" in text
    assert at.get("download_button")[0].proto.url.endswith(".md")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_failing_model_turn_is_a_chat_message_with_retry(app_home, monkeypatch):
    monkeypatch.setenv("MENTOR_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("MENTOR_MODEL", "test-model")
    monkeypatch.setenv("MENTOR_MAX_RETRIES", "0")
    monkeypatch.setenv("MENTOR_TIMEOUT", "2")
    at = ask(new_app(), RUT)
    assert not at.exception
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    error = at.chat_message[1].error[0].value
    assert "could not" in error and "Traceback" not in error
    assert at.chat_message[1].button[0].label == "Retry"
    assert session_of(at).turns == []  # nothing half-recorded
    shown = texts(at)
    assert "model: test-model" in shown
    assert SECRET not in shown and SECRET[:12] not in shown

    at.chat_message[1].button[0].click().run()  # retrying while the model is still down fails the same way
    assert not at.exception
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[0].markdown[0].value == RUT and at.chat_message[1].error


def test_a_failed_turn_keeps_the_conversation_and_retry_answers(app_home, monkeypatch):
    with FakeOpenAI() as server:
        monkeypatch.setenv("MENTOR_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("MENTOR_MAX_RETRIES", "0")
        monkeypatch.setenv("MENTOR_TIMEOUT", "5")
        at = ask(new_app(), RUT)
        assert [m.name for m in at.chat_message] == ["user", "assistant"]
        first = at.chat_message[1].markdown[0].value
        assert "Deliver Results" in first

        server.fail(500, always=True)
        at = ask(at, "How do I earn more trust from my manager?")
        assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
        assert at.chat_message[3].error and at.chat_message[3].button[0].label == "Retry"
        assert at.chat_message[1].markdown[0].value == first  # the earlier turn is intact
        assert len(session_of(at).turns) == 2

        server.clear()
        at.chat_message[3].button[0].click().run()
        assert not at.exception
        assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
        assert not at.chat_message[3].error
        assert at.chat_message[2].markdown[0].value == "How do I earn more trust from my manager?"
        assert len(session_of(at).turns) == 4


def test_sidebar_shows_what_i_know_and_a_fact_can_be_removed(app_home):
    at = ask(new_app(), "My director trusts me and I want to own something bigger than the billing team's backlog")
    shown = texts(at)
    assert "What I know about you" in shown
    assert "People around you trust you with more" in shown
    assert "trusted" in session_of(at).profile.facts
    at.button(key="w_forget_trusted").click().run()
    assert "trusted" not in session_of(at).profile.facts
    assert "People around you trust you with more" not in texts(at)


def test_a_clarifying_question_offers_quick_replies_that_resolve_the_step(app_home):
    at = new_app()
    session = session_of(at)
    session.profile.pending_clarification = []
    mentor = at.session_state  # the page's state; the Mentor itself is cached
    # Drive the clarifying path deterministically: a stored clarifying turn with two options.
    options = ["I'm still building a track record of hitting my dates",
               "I deliver reliably, but people don't hand me more yet"]
    session.add_user_turn("I'm not sure where I am")
    session.turns.append(type(session.turns[0])(role="assistant", text="Are you A, or B?", options=options))
    session.profile.pending_clarification = [Step.DELIVER_RESULTS.value, Step.EARN_TRUST.value]
    at.run()
    buttons = {b.label: b for b in at.button}
    assert set(options) <= set(buttons)
    buttons[options[1]].click().run()
    assert not at.exception
    session = session_of(at)
    assert session.turns[-2].text == options[1]
    assert session.step in (Step.DELIVER_RESULTS, Step.EARN_TRUST)
    assert session.profile.pending_clarification == []
    assert not [b for b in at.button if b.label in options]  # answered: the quick replies are gone
    del mentor


def test_retry_after_a_turn_that_failed_after_streaming_asks_the_question_once(app_home, monkeypatch):
    """A failure after the answer streamed (the question already in the history) must not
    leave the question behind for Retry to add a second time."""
    from assistant.mentor import Mentor

    real_finish = Mentor._finish
    calls = {"n": 0}

    def finish_fails_once(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise AttributeError("'NoneType' object has no attribute 'lower'")
        return real_finish(self, *args, **kwargs)

    monkeypatch.setattr(Mentor, "_finish", finish_fails_once)
    at = ask(new_app(), RUT)
    assert "Something went wrong" in at.chat_message[1].error[0].value
    assert session_of(at).turns == []

    at.chat_message[1].button[0].click().run()
    assert not at.exception
    assert [t.role for t in session_of(at).turns] == ["user", "assistant"]
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[0].markdown[0].value == RUT
