"""The page's journeys: New conversation keeps history, Forget me, two tabs, sign-in identity, exposure warning."""

from __future__ import annotations

import pytest

from assistant import InputError, Settings
from assistant import page as pg
from assistant.journal import Journal, owner_for_identity
from test_app import RUT, ask, new_app, session_of, texts

BET = "My project failed. Should I keep going or pull the plug?"


def sidebar_button(at, label: str):
    return next(b for b in at.sidebar.button if b.label == label)


def named(at, name: str = "Ana"):
    at.sidebar.text_input(key="w_name").input(name).run()
    return at


def test_new_conversation_on_a_restored_journey_keeps_the_saved_history(app_home):
    at = ask(named(new_app()), RUT)
    at = new_app()  # a later visit restores the journey
    named(at, "ana")
    assert [t.text for t in session_of(at).turns if t.role == "user"] == [RUT]
    sidebar_button(at, "New conversation").click().run()
    assert session_of(at).turns == [] and len(at.chat_message) == 0
    ask(at, BET)
    journal = Journal(Settings.from_env().journal_path)
    journey, latest = journal.open_named("Ana", create=False)
    assert [t.text for t in latest.turns if t.role == "user"] == [BET]
    threads = journal.threads(journey)
    assert [t.turns for t in threads] == [2, 2]  # nothing erased: the first conversation is a thread of its own
    assert "Earlier conversations (1)" in texts(at)
    assert any(RUT in t.value for t in at.sidebar.get("text"))


def test_forget_me_asks_first_then_deletes_the_journey_and_feedback(app_home):
    at = ask(named(new_app()), RUT)
    at.chat_message[1].feedback[0].set_value(0).run()  # thumbs down, stored with the journey's owner
    journal = Journal(Settings.from_env().journal_path)
    assert journal.counts()["feedback"] == 1

    sidebar_button(at, "Forget me").click().run()
    assert "cannot be undone" in texts(at)
    sidebar_button(at, "Cancel").click().run()
    assert journal.load("Ana") is not None  # nothing deleted without the confirmation

    sidebar_button(at, "Forget me").click().run()
    sidebar_button(at, "Delete everything").click().run()
    assert not at.exception
    assert journal.counts() == {"journeys": 0, "threads": 0, "turns": 0, "feedback": 0}
    assert "Forgotten" in texts(at) and session_of(at).turns == [] and session_of(at).name is None
    ask(at, BET)  # the tab goes on unsaved: nothing is written back
    assert journal.counts()["journeys"] == 0


def test_two_tabs_on_one_name_keep_both_tabs_turns(app_home):
    tab_a = ask(named(new_app()), RUT)
    tab_b = ask(named(new_app(), "ANA"), BET)
    assert [t.text for t in session_of(tab_b).turns if t.role == "user"] == [RUT, BET]
    ask(tab_a, "How do I earn trust with a new manager?")
    questions = [t.text for t in Journal(Settings.from_env().journal_path).load("Ana").turns if t.role == "user"]
    assert questions == [RUT, BET, "How do I earn trust with a new manager?"]
    assert [t.text for t in session_of(tab_a).turns if t.role == "user"] == questions  # tab A sees tab B's turn


def test_without_sign_in_the_page_keeps_the_local_name_box(app_home):
    at = new_app()
    assert at.sidebar.text_input(key="w_name") is not None
    assert "Sign out" not in texts(at) and "Forget me" not in texts(at)  # nothing saved yet, nothing to forget


# --- page logic without Streamlit --------------------------------------------------------------
USER = {"is_logged_in": True, "iss": "http://127.0.0.1:9400", "sub": "u-123", "name": "Ana Lopez"}


def test_a_signed_in_journey_is_keyed_by_issuer_and_subject(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    state: dict = {}
    pg.init_state(state)
    pg.use_signed_in_journey(state, journal, USER)
    assert state[pg.OWNER] == (owner_for_identity(USER["iss"], "u-123"), "Ana Lopez")
    assert journal.owners() == []  # nothing is stored until there is something to keep
    pg.session_of(state).add_commitment("Ship the report")
    assert pg.autosave(state, journal)
    assert journal.owners() == [owner_for_identity(USER["iss"], "u-123")]

    other: dict = {}
    pg.init_state(other)
    pg.use_signed_in_journey(other, journal, {**USER, "sub": "u-999", "name": "Ana Lopez"})  # same name, another person
    assert pg.session_of(other).commitments == []
    again: dict = {}
    pg.init_state(again)
    pg.use_signed_in_journey(again, journal, {**USER, "name": "Someone Else"})  # same iss+sub, any display name
    assert [c.text for c in pg.session_of(again).commitments] == ["Ship the report"]


def test_an_identity_without_issuer_or_subject_is_refused(tmp_path):
    state: dict = {}
    pg.init_state(state)
    with pytest.raises(InputError, match="issuer and a subject"):
        pg.use_signed_in_journey(state, Journal(tmp_path / "j.sqlite3"), {"is_logged_in": True, "email": "a@b.c"})


def test_switching_accounts_in_one_tab_swaps_the_journey(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    state: dict = {}
    pg.init_state(state)
    pg.use_signed_in_journey(state, journal, USER)
    pg.session_of(state).add_commitment("Ana's commitment")
    pg.autosave(state, journal)
    pg.use_signed_in_journey(state, journal, {**USER, "sub": "u-2", "name": "Bo"})
    assert pg.session_of(state).commitments == [] and pg.session_of(state).name == "Bo"


@pytest.mark.parametrize("host, warns", [("localhost:8501", False), ("127.0.0.1:8501", False), ("[::1]:8501", False),
                                         ("mentor.example.com", True), ("10.0.0.5:8501", True), (None, False)])
def test_the_page_warns_when_served_beyond_localhost_without_sign_in(host, warns):
    warning = pg.exposure_warning(host)
    assert bool(warning) is warns
    if warns:
        assert "[auth]" in warning and host.split(":")[0] in warning


def test_auth_is_configured_only_with_an_auth_section():
    assert pg.auth_configured({"auth": {"client_id": "x"}}) is True
    assert pg.auth_configured({}) is False

    class Missing:
        def __contains__(self, key):
            raise FileNotFoundError("no secrets.toml")

    assert pg.auth_configured(Missing()) is False


def test_feedback_is_filed_under_the_journeys_owner(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    state: dict = {}
    pg.init_state(state)
    pg.use_signed_in_journey(state, journal, USER)
    session = pg.session_of(state)
    session.add_user_turn(RUT)
    from assistant.types import Answer

    session.add_assistant_turn(Answer(text="Deliver first.", sources=[], step=None, in_scope=True, next_action=None,
                                      mode="offline"))
    state["w_fb"] = 0
    pg.record_feedback(state, journal, 1, "w_fb")
    [row] = journal.feedback()
    assert row.owner == owner_for_identity(USER["iss"], "u-123") and row.name is None
    assert journal.forget(row.owner).feedback == 1
