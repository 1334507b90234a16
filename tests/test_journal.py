"""The journal: a local SQLite file of named journeys and answer feedback."""

from __future__ import annotations

import os
import sqlite3

import pytest

from assistant import InputError, Session, Settings, Step
from assistant.journal import (
    SCHEMA_VERSION,
    Journal,
    JournalError,
    JournalNameError,
    redact,
    validate_name,
)
from assistant.types import Answer, Source

KEY = "sk-proj-ThisIsASecretKey1234567890"


def a_session(name: str | None = "Ana") -> Session:
    session = Session(name=name)
    session.add_user_turn("I'm stuck in a rut. I will ship the report by Friday.")
    source = Source(id="s1", title="The career growth flywheel", kind="guide", text="Deliver.", score=0.9,
                    section="Step 1: Deliver Results")
    session.add_assistant_turn(Answer(text="Start with Deliver Results.", sources=[source], step=Step.DELIVER_RESULTS,
                                      in_scope=True, next_action="List your commitments.", mode="offline"))
    session.add_commitment("List your commitments.")
    session.set_commitment_done(0)
    session.spin = 2
    return session


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "home" / "journal.sqlite3")


def test_lives_under_mentor_home():
    settings = Settings.from_env()
    assert settings.journal_path == settings.home / "journal.sqlite3"
    assert Journal.from_settings(settings).path == settings.journal_path


def test_schema_is_created_on_first_use_with_wal_and_a_version(journal):
    assert not journal.path.exists()
    assert journal.names() == []
    assert journal.path.exists()
    assert journal.schema_version == SCHEMA_VERSION
    with sqlite3.connect(journal.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"journeys", "feedback"} <= tables


def test_a_newer_schema_is_refused_with_a_clear_message(journal):
    journal.names()
    with sqlite3.connect(journal.path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(JournalError, match="newer version"):
        journal.names()


def test_save_and_load_round_trip_the_whole_journey(journal):
    session = a_session()
    journal.save(session)
    loaded = journal.load("ana")  # case-insensitive
    assert loaded is not None
    assert loaded.to_dict() == session.to_dict()
    assert (loaded.spin, loaded.step, loaded.name) == (2, Step.DELIVER_RESULTS, "Ana")
    assert [(c.text, c.done) for c in loaded.commitments] == [("ship the report by Friday", True),
                                                               ("List your commitments.", False)]


def test_saving_again_updates_one_row(journal):
    session = a_session()
    journal.save(session)
    session.start_next_spin()
    journal.save(session)
    assert journal.names() == ["Ana"]
    assert journal.load("ANA").spin == 3


def test_unknown_name_loads_nothing_and_delete_works(journal):
    assert journal.load("nobody") is None
    journal.save(a_session("Bo"))
    assert journal.delete("bo") is True
    assert journal.load("Bo") is None


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65, "<script>", "a/b", "name;drop table", "../etc"])
def test_bad_names_are_refused_with_a_clear_message(journal, bad):
    with pytest.raises(JournalNameError) as info:
        journal.load(bad)
    assert isinstance(info.value, InputError)
    assert "letters, numbers" in str(info.value)


def test_names_are_cleaned():
    assert validate_name("  Ana   Lopez ") == "Ana Lopez"
    assert validate_name("O'Neil-Smith") == "O'Neil-Smith"
    assert validate_name("José") == "José"


def test_saving_needs_a_name(journal):
    with pytest.raises(JournalNameError, match="empty"):
        journal.save(a_session(name=None))


def test_feedback_rows_hold_everything_the_evals_need(journal):
    row_id = journal.record_feedback(question="How do I earn trust?", answer="Deliver first [1].", rating=1,
                                     step="earn_trust", source_ids=["s1", "s2"], comment=" good ", mode="llm",
                                     name="Ana")
    rows = journal.feedback()
    assert len(rows) == 1
    row = rows[0]
    assert row.id == row_id
    assert (row.question, row.answer, row.rating, row.step, row.source_ids, row.comment, row.mode, row.name) == (
        "How do I earn trust?", "Deliver first [1].", 1, "earn_trust", ["s1", "s2"], "good", "llm", "Ana")
    assert row.created_at > 0


def test_rating_the_same_answer_again_updates_its_row(journal):
    first = journal.record_feedback(question="q", answer="a", rating=1, answer_key="page:1")
    second = journal.record_feedback(question="q", answer="a", rating=-1, answer_key="page:1")
    assert first == second
    assert journal.set_feedback_comment("page:1", "missed the point")
    [row] = journal.feedback()
    assert (row.rating, row.comment) == (-1, "missed the point")
    journal.record_feedback(question="q2", answer="a2", rating=1, answer_key="page:2")
    assert [r.rating for r in journal.feedback()] == [-1, 1]


@pytest.mark.parametrize("rating", [0, 2, "up", None])
def test_only_thumbs_up_or_down(journal, rating):
    with pytest.raises(InputError):
        journal.record_feedback(question="q", answer="a", rating=rating)


def test_secrets_are_never_stored(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3", secrets=("my-local-server-token",))
    session = Session(name="Ana")
    session.add_user_turn(f"my key is {KEY} and my token is my-local-server-token, help")
    journal.save(session)
    journal.record_feedback(question=f"q {KEY}", answer="a", rating=1, comment=f"Bearer {KEY}")
    raw = journal.path.read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("j.sqlite3-wal") if p.exists()
    )
    assert KEY.encode() not in raw and b"my-local-server-token" not in raw
    assert "[redacted]" in journal.load("Ana").turns[0].text


def test_settings_key_is_redacted(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "plainkey-without-prefix-123")
    journal = Journal.from_settings(Settings.from_env())
    journal.record_feedback(question="plainkey-without-prefix-123", answer="a", rating=-1)
    assert journal.feedback()[0].question == "[redacted]"


def test_redact_leaves_normal_text_alone():
    text = "I will ask my skip-level for the sk-ills review; see doc-1234."
    assert redact(text) == text


def test_an_unwritable_home_is_a_journal_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    journal = Journal(blocker / "journal.sqlite3")
    with pytest.raises(JournalError, match="could not be used"):
        journal.names()


def test_the_file_is_private_to_this_machine(journal):
    journal.save(a_session())
    assert journal.path.is_file() and os.path.getsize(journal.path) > 0
