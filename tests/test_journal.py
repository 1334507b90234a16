"""The journal: journeys (state + append-only turns in threads) and feedback, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import threading

import pytest

from assistant import InputError, Session, Settings, Step
from assistant.journal import (
    SCHEMA_VERSION,
    Journal,
    JournalError,
    JournalNameError,
    JourneyGoneError,
    merge_states,
    owner_for_identity,
    owner_for_name,
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


def ask_turn(session: Session, text: str) -> None:
    """A question and its answer, as the page or the CLI adds them."""
    session.add_user_turn(text)
    session.add_assistant_turn(Answer(text=f"answer to {text}", sources=[], step=Step.EARN_TRUST, in_scope=True,
                                      next_action=None, mode="offline"))


@pytest.fixture
def journal(journal_target) -> Journal:
    return Journal(journal_target)


# --- schema ---------------------------------------------------------------------------
def test_lives_under_mentor_home_unless_a_database_url_is_set(monkeypatch):
    settings = Settings.from_env()
    assert settings.journal_path == settings.home / "journal.sqlite3"
    assert Journal.from_settings(settings).path == settings.journal_path
    monkeypatch.setenv("MENTOR_DATABASE_URL", "postgresql://u:pw@127.0.0.1:5432/mentor")
    journal = Journal.from_settings(Settings.from_env())
    assert journal.backend == "postgresql" and journal.path is None
    assert "pw" not in journal.where and "127.0.0.1:5432/mentor" in journal.where
    assert "pw" not in repr(Settings.from_env())


def test_schema_is_created_on_first_use_with_its_version(journal):
    assert journal.owners() == []
    assert journal.schema_version == SCHEMA_VERSION
    assert journal.counts() == {"journeys": 0, "threads": 0, "turns": 0, "feedback": 0}


def test_sqlite_runs_in_wal_mode(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    journal.names()
    with sqlite3.connect(journal.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    from assistant.journal import dispose_engines

    journal = Journal(tmp_path / "j.sqlite3")
    journal.names()
    with sqlite3.connect(journal.path) as conn:
        conn.execute("UPDATE mentor_schema SET version = ?", (SCHEMA_VERSION + 1,))
    dispose_engines()  # a new process
    with pytest.raises(JournalError, match="newer version"):
        Journal(tmp_path / "j.sqlite3").names()


def test_a_first_version_sqlite_journal_is_migrated_without_losing_anything(tmp_path):
    """Journals written before PostgreSQL support (schema 1: one JSON row per name) move to threads of turns."""
    path = tmp_path / "journal.sqlite3"
    old = a_session()
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE journeys (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, data TEXT NOT NULL,
                                   created_at REAL NOT NULL, updated_at REAL NOT NULL);
            CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, answer_key TEXT UNIQUE, name TEXT,
                question TEXT NOT NULL, answer TEXT NOT NULL, step TEXT, source_ids TEXT NOT NULL,
                rating INTEGER NOT NULL CHECK (rating IN (-1, 1)), comment TEXT, mode TEXT,
                created_at REAL NOT NULL, updated_at REAL NOT NULL);
            CREATE INDEX feedback_created ON feedback (created_at);
            PRAGMA user_version = 1;
        """)
        conn.execute("INSERT INTO journeys VALUES (?, ?, ?, 1.0, 2.0)", ("ana", "Ana", json.dumps(old.to_dict())))
        conn.execute("INSERT INTO feedback (answer_key, name, question, answer, step, source_ids, rating, comment, "
                     "mode, created_at, updated_at) VALUES ('ana:1', 'Ana', 'q', 'a', 'earn_trust', '[\"s1\"]', -1, "
                     "'meh', 'offline', 3.0, 3.0)")
    journal = Journal(path)
    assert journal.schema_version == SCHEMA_VERSION
    loaded = journal.load("ANA")
    assert loaded.to_dict() == old.to_dict()
    [row] = journal.feedback()
    assert (row.owner, row.rating, row.comment, row.source_ids) == (owner_for_name("Ana"), -1, "meh", ["s1"])
    assert journal.forget(owner_for_name("ana")).total == 1 + 1 + 2 + 1


# --- names ------------------------------------------------------------------------------
def test_names_are_cleaned_and_normalised():
    assert validate_name("  Ana   Lopez ") == "Ana Lopez"
    assert validate_name("O'Neil-Smith") == "O'Neil-Smith"
    assert validate_name("José") == "José"
    assert validate_name("Ａｎａ") == "Ana"  # fullwidth letters are NFKC-normalised


def test_spellings_of_one_name_share_a_journey(journal):
    journal.save(a_session("Straße"))
    assert journal.load("STRASSE").spin == 2
    assert journal.load("ｓｔｒａｓｓｅ").spin == 2
    assert journal.names() == ["Straße"]


@pytest.mark.parametrize("lookalike", ["Аna", "Ana Lореz", "Αlice"])  # Cyrillic А / о е, Greek Α
def test_mixed_script_lookalikes_are_refused(journal, lookalike):
    with pytest.raises(JournalNameError, match="mixes alphabets"):
        journal.load(lookalike)


@pytest.mark.parametrize("name", ["Анна", "山田 Taro", "たなか 太郎", "김 Minsoo", "Ελένη"])
def test_names_in_one_script_or_a_usual_mix_are_accepted(name):
    assert validate_name(name) == name


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65, "<script>", "a/b", "name;drop table", "../etc"])
def test_bad_names_are_refused_with_a_clear_message(journal, bad):
    with pytest.raises(JournalNameError) as info:
        journal.load(bad)
    assert isinstance(info.value, InputError)
    assert "letters, numbers" in str(info.value)


def test_signed_in_identities_are_issuer_plus_subject():
    assert owner_for_identity("http://127.0.0.1:9000", "u1") != owner_for_identity("http://other", "u1")
    with pytest.raises(InputError):
        owner_for_identity("", "u1")


# --- journeys ----------------------------------------------------------------------------
def test_save_and_load_round_trip_the_whole_journey(journal):
    session = a_session()
    journal.save(session)
    loaded = journal.load("ana")
    assert loaded.to_dict() == session.to_dict()
    assert (loaded.spin, loaded.step, loaded.name) == (2, Step.DELIVER_RESULTS, "Ana")
    assert [(c.text, c.done) for c in loaded.commitments] == [("ship the report by Friday", True),
                                                               ("List your commitments.", False)]


def test_every_session_field_but_the_turns_is_the_journeys_state(journal):
    """New Session fields persist without a schema change: the state is to_dict() minus the turns."""
    journey, session = journal.open_named("Ana")
    ask_turn(session, "How do I earn trust?")
    journal.sync(journey, session)
    import sqlalchemy as sa

    from assistant.journal.schema import journeys, turns

    with journal.engine.connect() as conn:
        state = conn.execute(sa.select(journeys.c.state)).scalar_one()
        stored_turns = conn.execute(sa.select(sa.func.count()).select_from(turns)).scalar_one()
    expected = session.to_dict()
    expected.pop("turns")
    assert state == expected
    assert stored_turns == 2


def test_saving_again_appends_and_updates_one_journey(journal):
    session = a_session()
    journal.save(session)
    session.start_next_spin()
    ask_turn(session, "And now?")
    journal.save(session)
    assert journal.names() == ["Ana"]
    loaded = journal.load("ANA")
    assert loaded.spin == 3 and len(loaded.turns) == 4
    assert journal.counts()["turns"] == 4  # the first two turns were not written twice


def test_two_tabs_on_one_journey_merge_their_turns(journal):
    tab_a, session_a = journal.open_named("Ana")
    tab_b, session_b = journal.open_named("ana")
    ask_turn(session_a, "question from tab A")
    ask_turn(session_b, "question from tab B")
    journal.sync(tab_a, session_a)
    journal.sync(tab_b, session_b)
    texts = [t.text for t in session_b.turns if t.role == "user"]
    assert texts == ["question from tab A", "question from tab B"]
    journal.sync(tab_a, session_a)  # tab A picks up tab B's turns on its next save
    assert [t.text for t in session_a.turns] == [t.text for t in session_b.turns]
    assert len(journal.load("Ana").turns) == 4


def test_state_changes_from_two_tabs_are_merged(journal):
    tab_a, session_a = journal.open_named("Ana")
    tab_b, session_b = journal.open_named("Ana")
    session_a.start_next_spin()  # spin 2 in tab A
    session_b.add_commitment("Ask my manager for the on-call rota")  # a commitment in tab B
    journal.sync(tab_a, session_a)
    journal.sync(tab_b, session_b)
    loaded = journal.load("Ana")
    assert loaded.spin == 2 and loaded.step is Step.DELIVER_RESULTS
    assert [c.text for c in loaded.commitments] == ["Ask my manager for the on-call rota"]
    session_a.add_commitment("Write the post-mortem")
    journal.sync(tab_a, session_a)
    assert [c.text for c in journal.load("Ana").commitments] == ["Ask my manager for the on-call rota",
                                                                  "Write the post-mortem"]


def test_merge_keeps_each_sides_changes():
    base = {"spin": 1, "step": None, "commitments": [{"text": "a", "done": False}], "profile": {"role": "dev"}}
    mine = {**base, "spin": 2, "commitments": [{"text": "a", "done": False}, {"text": "b", "done": False}]}
    theirs = {**base, "step": "earn_trust", "commitments": [{"text": "a", "done": False}, {"text": "c", "done": False}],
              "profile": {"role": "dev", "team": "infra"}}
    merged = merge_states(base, mine, theirs)
    assert merged["spin"] == 2 and merged["step"] == "earn_trust" and merged["profile"] == {"role": "dev", "team": "infra"}
    assert [c["text"] for c in merged["commitments"]] == ["a", "b", "c"]


def _writer(target: str, worker: int, rounds: int) -> None:
    journal = Journal(target)
    journey, session = journal.open_named("Ana")
    for i in range(rounds):
        ask_turn(session, f"w{worker} q{i}")
        session.add_commitment(f"w{worker} commitment {i}")
        journal.sync(journey, session)


def test_concurrent_writers_never_lose_a_turn(journal_target):
    """Threads in two processes append to one journey at once: every turn and commitment survives."""
    target = str(journal_target)
    rounds, threads_per_process = 12, 3
    Journal(target).open_named("Ana")  # the schema and the journey exist before the race
    ctx = multiprocessing.get_context("spawn")
    other = ctx.Process(target=_process_writers, args=(target, 100, threads_per_process, rounds))
    other.start()
    _process_writers(target, 0, threads_per_process, rounds)
    other.join(120)
    assert other.exitcode == 0
    loaded = Journal(target).load("Ana")
    questions = [t.text for t in loaded.turns if t.role == "user"]
    expected = {f"w{w} q{i}" for w in list(range(3)) + list(range(100, 103)) for i in range(rounds)}
    assert len(questions) == len(expected) and set(questions) == expected
    assert len(loaded.turns) == 2 * len(expected)
    for w in list(range(3)) + list(range(100, 103)):  # each writer's turns in its own order
        mine = [q for q in questions if q.startswith(f"w{w} ")]
        assert mine == [f"w{w} q{i}" for i in range(rounds)]
    assert {c.text for c in loaded.commitments} == {f"w{w} commitment {i}" for w in list(range(3)) +
                                                    list(range(100, 103)) for i in range(rounds)}


def _process_writers(target: str, first: int, count: int, rounds: int) -> None:
    threads = [threading.Thread(target=_writer, args=(target, first + n, rounds)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)


def test_new_conversation_keeps_the_saved_history_as_a_thread(journal):
    journey, session = journal.open_named("Ana")
    ask_turn(session, "first conversation")
    session.spin = 3
    journal.new_thread(journey, session)
    assert session.turns == [] and session.spin == 3
    ask_turn(session, "second conversation")
    journal.sync(journey, session)
    threads = journal.threads(journey)
    assert [t.turns for t in threads] == [2, 2]
    old = journal.thread_turns(journey, threads[0].id)
    assert [t["text"] for t in old if t["role"] == "user"] == ["first conversation"]
    restored = journal.load("Ana")  # the latest conversation comes back, the journey's state with it
    assert [t.text for t in restored.turns if t.role == "user"] == ["second conversation"]
    assert restored.spin == 3


def test_a_thread_of_another_journey_is_not_readable_through_mine(journal):
    mine, _ = journal.open_named("Ana")
    theirs, session = journal.open_named("Bo")
    ask_turn(session, "Bo's secret")
    journal.sync(theirs, session)
    assert journal.thread_turns(mine, theirs.thread_id) == []


def test_forget_me_deletes_the_journey_and_its_feedback_and_leaves_no_orphans(journal):
    journey, session = journal.open_named("Ana")
    ask_turn(session, "mine")
    journal.new_thread(journey, session)
    ask_turn(session, "mine again")
    journal.sync(journey, session)
    journal.record_feedback(question="mine", answer="a", rating=-1, name="Ana", answer_key="ana:1")
    other_journey, other = journal.open(owner_for_identity("http://idp", "bo"), "Bo")
    ask_turn(other, "Bo's")
    journal.sync(other_journey, other)
    journal.record_feedback(question="Bo's", answer="a", rating=1, owner=other_journey.owner)

    report = journal.forget(journey.owner)
    assert (report.journeys, report.threads, report.turns, report.feedback) == (1, 2, 4, 1)
    assert journal.load("Ana") is None
    assert journal.counts() == {"journeys": 1, "threads": 1, "turns": 2, "feedback": 1}
    assert [r.question for r in journal.feedback()] == ["Bo's"]
    import sqlalchemy as sa

    from assistant.journal.schema import journeys, threads, turns

    with journal.engine.connect() as conn:
        orphans = conn.execute(sa.select(sa.func.count()).select_from(turns).where(
            ~turns.c.journey_id.in_(sa.select(journeys.c.id)) | ~turns.c.thread_id.in_(sa.select(threads.c.id))
        )).scalar_one()
    assert orphans == 0
    with pytest.raises(JourneyGoneError, match="Forget me"):  # another tab still open on it saves nothing
        ask_turn(session, "after forgetting")
        journal.sync(journey, session)
    assert journal.load("Ana") is None


def test_unknown_name_loads_nothing_and_delete_works(journal):
    assert journal.load("nobody") is None
    journal.save(a_session("Bo"))
    assert journal.delete("bo") is True
    assert journal.load("Bo") is None


def test_saving_needs_a_name(journal):
    with pytest.raises(JournalNameError, match="empty"):
        journal.save(a_session(name=None))


# --- feedback ---------------------------------------------------------------------------
def test_feedback_rows_hold_everything_the_evals_need(journal):
    row_id = journal.record_feedback(question="How do I earn trust?", answer="Deliver first [1].", rating=1,
                                     step="earn_trust", source_ids=["s1", "s2"], comment=" good ", mode="llm",
                                     name="Ana")
    [row] = journal.feedback()
    assert row.id == row_id
    assert (row.question, row.answer, row.rating, row.step, row.source_ids, row.comment, row.mode, row.name) == (
        "How do I earn trust?", "Deliver first [1].", 1, "earn_trust", ["s1", "s2"], "good", "llm", "Ana")
    assert row.owner == owner_for_name("ana") and row.created_at > 0


def test_rating_the_same_answer_again_updates_its_row(journal):
    first = journal.record_feedback(question="q", answer="a", rating=1, answer_key="page:1")
    second = journal.record_feedback(question="q", answer="a", rating=-1, answer_key="page:1")
    assert first == second
    assert journal.set_feedback_comment("page:1", "missed the point")
    [row] = journal.feedback()
    assert (row.rating, row.comment) == (-1, "missed the point")
    journal.record_feedback(question="q2", answer="a2", rating=1, answer_key="page:2")
    assert [r.rating for r in journal.feedback()] == [-1, 1]


@pytest.mark.parametrize("rating", [0, 2, "up", None, True])
def test_only_thumbs_up_or_down(tmp_path, rating):
    with pytest.raises(InputError):
        Journal(tmp_path / "j.sqlite3").record_feedback(question="q", answer="a", rating=rating)


# --- secrets and failures ---------------------------------------------------------------
def test_secrets_are_never_stored(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3", secrets=("my-local-server-token",))
    session = Session(name="Ana")
    session.add_user_turn(f"my key is {KEY} and my token is my-local-server-token, help")
    journal.save(session)
    journal.record_feedback(question=f"q {KEY}", answer="a", rating=1, comment=f"Bearer {KEY}")
    from assistant.journal import dispose_engines

    dispose_engines()  # checkpoint and close, then read every byte on disk
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("j.sqlite3*"))
    assert KEY.encode() not in raw and b"my-local-server-token" not in raw
    assert "[redacted]" in journal.load("Ana").turns[0].text


def test_settings_key_is_redacted(monkeypatch):
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
    with pytest.raises(JournalError, match="could not be used"):
        Journal(blocker / "journal.sqlite3").names()


def test_an_unreachable_database_names_the_problem_but_never_the_password(postgres):
    from page_server import free_port

    journal = Journal(f"postgresql://mentor:hunter2-secret@127.0.0.1:{free_port()}/nope")
    with pytest.raises(JournalError) as info:
        journal.ping()
    message = str(info.value)
    assert "hunter2-secret" not in message and "check MENTOR_DATABASE_URL" in message
    assert "hunter2-secret" not in repr(info.value.__cause__) if info.value.__cause__ else True


def test_an_unsupported_database_url_says_what_to_use():
    with pytest.raises(InputError, match="postgresql://"):
        Journal("mysql://u:p@host/db")


def test_the_file_is_private_to_this_machine(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    journal.save(a_session())
    assert journal.path.is_file() and os.path.getsize(journal.path) > 0
