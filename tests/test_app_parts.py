"""The page's pieces without Streamlit: flywheel picture, Markdown export, page callbacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant import Session, Settings, Step
from assistant import page as pg
from assistant.export import export_filename, export_markdown
from assistant.flywheel_graph import HIGHLIGHT, flywheel_dot
from assistant.journal import Journal
from assistant.types import LOOP, Answer, Citation, Source

NOW = dt.datetime(2026, 1, 2, 3, 4)


def an_answer(text="Start with Deliver Results. “Do what you are asked.” [1]", step=Step.DELIVER_RESULTS) -> Answer:
    sources = [
        Source(id="a1", title="Career Growth", kind="article", section="Step 1: Deliver Results", score=0.8,
               text="## Step 1\nDo what you are asked. By the date you are asked to do it by. " + "More. " * 100),
        Source(id="p1", title="Principles", kind="principle", section="Earn Trust", score=0.5,
               text=". Trust is currency, earned by results."),
    ]
    return Answer(text=text, sources=sources, step=step, in_scope=True, next_action="List your commitments.",
                  mode="offline", citations=[Citation(n=1, source_id="a1", verified=True, quote="Do what you are asked.")])


def answered_session(name=None) -> Session:
    session = Session(name=name)
    session.add_user_turn("I'm stuck in a rut")
    answer = an_answer()
    session.add_assistant_turn(answer)
    pg.enrich_turn(session.turns[-1], answer)
    return session


# --- the flywheel picture ------------------------------------------------------
def test_dot_draws_the_wheel_with_every_step_and_the_hub():
    dot = flywheel_dot()
    assert dot.startswith("digraph flywheel {") and dot.rstrip().endswith("}")
    for step in Step:
        assert f"  {step.value} [" in dot
    for a, b in zip(LOOP, LOOP[1:] + LOOP[:1]):
        assert f"{a.value} -> {b.value}" in dot
    assert HIGHLIGHT not in dot and "step not set yet" in dot and "Spin 1" in dot


@pytest.mark.parametrize("step", list(Step))
def test_dot_highlights_exactly_the_current_step(step):
    dot = flywheel_dot(step, spin=4)
    highlighted = [line for line in dot.splitlines() if HIGHLIGHT in line]
    assert len(highlighted) == 1 and highlighted[0].strip().startswith(step.value)
    assert 'label="Spin 4"' in dot and f"Spin 4: you are at {step.label}" in dot
    assert 'label="spin 5"' in dot  # the edge back to the start opens the next spin


def test_dot_accepts_step_values_and_bad_spins():
    assert flywheel_dot("earn_trust", spin=0) == flywheel_dot(Step.EARN_TRUST, spin=1)


# --- export --------------------------------------------------------------------------
def test_export_has_the_journal_and_the_conversation():
    session = answered_session(name="Ana")
    session.add_commitment("List your commitments.")
    session.add_commitment("Ship the report")
    session.set_commitment_done(1)
    text = export_markdown(session, now=NOW)
    assert text.startswith("# Flywheel Mentor — Ana\n")
    assert "_Exported 2026-01-02 03:04_" in text
    assert "- **Spin:** 1" in text and "- **Current step:** Deliver Results" in text
    assert "- [ ] List your commitments. _(spin 1, Deliver Results)_" in text
    assert "- [x] Ship the report" in text
    assert "### You · " in text and "I'm stuck in a rut" in text
    assert "### Mentor · " in text and "- **Step:** Deliver Results" in text
    assert "- **Next action:** List your commitments." in text
    assert "1. [article] Career Growth — Step 1: Deliver Results" in text
    assert "> Do what you are asked." in text  # the cited quote
    assert "2. [principle] Principles — Earn Trust" in text


def test_export_of_an_empty_session():
    text = export_markdown(Session(), now=NOW)
    assert "_No commitments yet._" in text and "_No messages in this conversation._" in text
    assert "- **Current step:** not set" in text


def test_export_filename():
    assert export_filename(Session(name="Ana López"), now=NOW) == "flywheel-mentor-ana-l-pez-20260102-0304.md"
    assert export_filename(Session(), now=NOW) == "flywheel-mentor-20260102-0304.md"


# --- page helpers and callbacks -------------------------------------------------------
def test_enrich_turn_quotes_the_cited_passage_or_the_start_of_the_passage():
    session = answered_session()
    a1, p1 = session.turns[-1].sources
    assert a1["quote"] == "Do what you are asked." and a1["cited"] is True and a1["score"] == 0.8
    assert p1["quote"] == "Trust is currency, earned by results." and p1["cited"] is False  # no leading '.'
    long = pg._trim("## Heading\n" + "Word. " * 200)
    assert len(long) <= pg.QUOTE_CHARS + 2 and "Heading" not in long and long.endswith("…")


def test_state_guard_runs_once():
    state: dict = {}
    session = pg.init_state(state)
    page_id = state[pg.PAGE_ID]
    session.add_user_turn("hello")
    assert pg.init_state(state) is session and state[pg.PAGE_ID] == page_id


def test_failure_then_retry_and_typed_question_wins():
    state: dict = {}
    pg.init_state(state)
    from assistant import ProviderUnavailableError

    failure = pg.failed(state, "q1", ProviderUnavailableError("could not connect to the model at localhost"))
    assert failure.retryable and "could not connect" in failure.message and "intact" in failure.message
    pg.retry(state)
    assert state[pg.FAILURE] is None and pg.take_question(state, None) == "q1"
    assert pg.take_question(state, None) is None  # a retry is taken once

    pg.failed(state, "q2", RuntimeError("boom with internals"))
    assert "RuntimeError" in state[pg.FAILURE].message and "boom" not in state[pg.FAILURE].message
    assert pg.take_question(state, "new question") == "new question" and state[pg.FAILURE] is None


def test_an_interrupted_turn_leaves_no_dangling_question():
    state: dict = {}
    session = pg.init_state(state)
    session.add_user_turn("first")
    pg.interrupted(state, "first")
    assert session.turns == []
    pg.interrupted(state, "nothing to drop")
    assert session.turns == []


def test_failure_messages_never_carry_credentials():
    from assistant import ProviderError

    state: dict = {}
    pg.init_state(state)
    failure = pg.failed(state, "q", ProviderError(
        "could not connect to the model at http://bob:hunter2@10.0.0.5:11434/v1 (key sk-abcdefghijklmnopqrstu)"))
    assert "hunter2" not in failure.message and "bob" not in failure.message
    assert "sk-abcdefghijklmnopqrstu" not in failure.message and "http://[redacted]@10.0.0.5:11434/v1" in failure.message


def test_input_errors_are_not_retryable():
    from assistant import EmptyQuestionError

    state: dict = {}
    pg.init_state(state)
    assert pg.failed(state, " ", EmptyQuestionError()).retryable is False


def test_sidebar_callbacks_edit_the_session():
    state: dict = {}
    session = pg.init_state(state)
    state[pg.W_SPIN] = 3
    pg.on_spin(state)
    state[pg.W_STEP] = "bias_for_action"
    pg.on_step(state)
    assert (session.spin, session.step) == (3, Step.BIAS_FOR_ACTION)
    state[pg.W_STEP] = ""
    pg.on_step(state)
    assert session.step is None
    pg.commit(state, "Ship it")
    state[pg.W_NEW_COMMITMENT] = "  I will call the customer  "
    pg.on_new_commitment(state)
    assert [c.text for c in session.commitments] == ["Ship it", "I will call the customer"]
    assert state[pg.W_NEW_COMMITMENT] == ""
    key = pg.commitment_key(0, session.commitments[0])
    state[key] = True
    pg.on_commitment(state, 0, key)
    assert session.commitments[0].done
    pg.sync_widgets(state)
    assert state[pg.W_SPIN] == 3 and state[key] is True
    pg.start_next_spin(state)
    assert (session.spin, session.step) == (4, Step.DELIVER_RESULTS)
    session.add_user_turn("hi")
    pg.new_conversation(state)
    assert session.turns == [] and len(session.commitments) == 2


def test_name_restores_or_starts_saving(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    state: dict = {}
    session = pg.init_state(state)
    session.spin = 2
    state[pg.W_NAME] = "Ana"
    pg.on_name(state, journal)
    assert session.name == "Ana" and journal.load("Ana").spin == 2
    session.spin = 5
    assert pg.autosave(state, journal) is True and pg.autosave(state, journal) is False  # only when changed
    other: dict = {}
    pg.init_state(other)
    other[pg.W_NAME] = "ANA"
    pg.on_name(other, journal)
    assert pg.session_of(other).spin == 5 and other[pg.NOTICE][0] == "success"
    other[pg.W_NAME] = ""
    pg.on_name(other, journal)
    assert pg.session_of(other).name is None


def test_mode_badge_never_shows_the_key(monkeypatch):
    from assistant import Mentor

    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-abcdefghijklmnop")
    monkeypatch.setenv("MENTOR_MODEL", "gpt-test")
    text, colour, hint = pg.mode_badge(Mentor(Settings.from_env()))
    assert text == "model: gpt-test" and hint is None
    monkeypatch.delenv("OPENAI_API_KEY")
    text, colour, hint = pg.mode_badge(Mentor(Settings.from_env()))
    assert text == "offline" and "OPENAI_API_KEY" in hint
    key = pg.mentor_cache_key(Settings.from_env(api_key="sk-secret-abcdefghijklmnop"))
    assert "secret" not in key and key != pg.mentor_cache_key(Settings.from_env())


# --- `mentor app` -----------------------------------------------------------------------
def test_mentor_app_starts_streamlit_on_localhost(tmp_path):
    import subprocess
    import sys
    import time
    import urllib.request

    from assistant.app_command import app_path, streamlit_argv
    from page_server import free_port

    assert app_path().is_file() and app_path().name == "app.py"
    argv = streamlit_argv(app_path(), "127.0.0.1", 8501, True)
    assert argv[1:4] == ["-m", "streamlit", "run"] and "--server.headless" in argv

    port = free_port()
    mentor = str(Path(sys.executable).with_name("mentor"))
    proc = subprocess.Popen([mentor, "app", "--headless", "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "mentor app did not start"
                time.sleep(0.1)
    finally:
        import os
        import signal

        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: mentor and the streamlit it started
        proc.wait(timeout=15)
