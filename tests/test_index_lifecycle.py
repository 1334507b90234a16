"""The index's life cycle: generation, manifest, repair after a crash, a damaged store,
and a long-running Mentor that notices a re-index made by another process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from assistant import Mentor, Settings
from assistant.errors import StoreDamagedError
from assistant.knowledge import chunk_knowledge, load_knowledge
from assistant.store.backend import sqlite_problem
from conftest import ROOT


def mentor_for(home, knowledge, **overrides):
    return Mentor(Settings(home=home, knowledge_dir=knowledge, provider="offline", **overrides))


def expected_ids(knowledge) -> set[str]:
    return {c.id for c in chunk_knowledge(load_knowledge(knowledge))}


def stored_ids(mentor) -> set[str]:
    return {c.id for c in mentor.store.all_chunks()}


# A child process that indexes and is SIGKILLed right after its first write (an upsert).
KILLED_AFTER_FIRST_WRITE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from chromadb.api.models.Collection import Collection
    from assistant import Mentor, Settings

    real_upsert = Collection.upsert

    def upsert_then_die(self, *args, **kwargs):
        real_upsert(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    Collection.upsert = upsert_then_die
    Mentor(Settings(home=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2]), provider="offline")).index()
    print("the index run finished, but it should have been killed")
""")


def index_killed_after_first_write(home, knowledge):
    result = subprocess.run([sys.executable, "-c", KILLED_AFTER_FIRST_WRITE, str(home), str(knowledge)],
                            capture_output=True, text=True, timeout=600, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr


# --- crash points ----------------------------------------------------------------------
def test_a_first_build_killed_after_its_first_write_is_repaired_on_next_open(home, small_knowledge):
    index_killed_after_first_write(home, small_knowledge)

    mentor = mentor_for(home, small_knowledge)
    partial = mentor.store.count()
    status = mentor.index_status()
    assert 0 < partial < len(expected_ids(small_knowledge))
    assert status["healthy"] is False and "no manifest" in status["problem"]

    answer = mentor.ask("What does Frugality mean?")  # the first use repairs before answering
    assert any(s.kind == "principle" and s.section == "Frugality" for s in answer.sources)
    assert stored_ids(mentor) == expected_ids(small_knowledge)
    assert mentor.index_status()["healthy"] is True
    assert not mentor.index().changed


def test_a_run_killed_between_new_chunks_and_stale_deletes_is_repaired(home, small_knowledge):
    mentor_for(home, small_knowledge).index()
    path = small_knowledge / "principles.md"
    path.write_text(path.read_text().replace("constraints breed", "a budget of zero breeds"))
    index_killed_after_first_write(home, small_knowledge)  # new Frugality chunk in, old one not yet deleted

    mentor = mentor_for(home, small_knowledge)
    assert len(stored_ids(mentor) - expected_ids(small_knowledge)) == 1  # the stale chunk
    status = mentor.index_status()
    assert status["healthy"] is False and "not in the manifest" in status["problem"]

    answer = mentor.ask("What does Frugality mean?")
    frugality = [s for s in answer.sources if s.section == "Frugality"]
    assert len(frugality) == 1 and "budget of zero" in frugality[0].text
    assert stored_ids(mentor) == expected_ids(small_knowledge)
    report = mentor.index()  # and later runs agree there is nothing left to do
    assert (report.added, report.updated, report.removed) == (0, 0, 0)


# --- generation -------------------------------------------------------------------------
def test_generation_moves_only_when_the_index_changes(home, small_knowledge):
    mentor = mentor_for(home, small_knowledge)
    mentor.index()
    first = mentor.index_status()
    assert first["generation"] >= 1 and first["healthy"]
    mentor.index()
    assert mentor.index_status()["generation"] == first["generation"]
    (small_knowledge / "b-note.md").write_text("---\ntitle: Note\nkind: article\n---\n## Note\n\nA quokka note.\n")
    mentor.index()
    assert mentor.index_status()["generation"] == first["generation"] + 1


def test_a_reindex_through_another_mentor_reloads_everything_derived_from_the_index(home, small_knowledge,
                                                                                   monkeypatch):
    reader = mentor_for(home, small_knowledge)
    monkeypatch.setattr(Mentor, "_INDEX_CACHES", Mentor._INDEX_CACHES + ("_dialogue_cache",), raising=False)
    reader.ask("I'm stuck in a rut")
    reader._dialogue_cache = {"built from": "the old index"}
    old = (reader.retriever, reader.diagnoser, reader.flywheel)
    reader.ask("I'm stuck in a rut")
    assert (reader.retriever, reader.diagnoser, reader.flywheel) == old  # nothing changed: nothing reloaded

    flywheel = small_knowledge / "flywheel.md"
    flywheel.write_text(flywheel.read_text().replace("Deliver Results", "Deliver Results Reliably", 1))
    mentor_for(home, small_knowledge).index()

    reader.ask("I'm stuck in a rut")
    assert reader._dialogue_cache is None
    assert all(new is not before for new, before in zip((reader.retriever, reader.diagnoser, reader.flywheel), old))
    names = {info.name for info in reader.flywheel.steps.values()}
    assert "Deliver Results Reliably" in names


def test_a_retrieved_id_whose_text_is_gone_is_never_returned(home, small_knowledge):
    mentor = mentor_for(home, small_knowledge)
    first = mentor.retrieve("frugality budget constraints", k=3)
    gone = next(s for s in first if s.section == "Frugality")
    # Deleted behind the Mentor's back (no new generation): the lexical snapshot still has it.
    mentor.store.collection.delete(ids=[gone.id])
    assert any(c.id == gone.id for c, _ in mentor.retriever.lexical("frugality"))
    again = mentor.retrieve("frugality budget constraints", k=3)
    assert gone.id not in {s.id for s in again} and len(again) == 3


def test_an_index_from_an_older_version_is_rebuilt_on_open(home, small_knowledge):
    mentor = mentor_for(home, small_knowledge)
    mentor.index()
    col = mentor.store.collection
    # What chunker 3 left: comma-joined steps and no manifest.
    got = col.get(include=["metadatas"])
    col.update(ids=got["ids"], metadatas=[{**m, "steps": ",".join(m.get("steps") or []), "file_digest": "old"}
                                          for m in got["metadatas"]])
    col.modify(metadata={"embedding_model": "all-MiniLM-L6-v2"})

    fresh = mentor_for(home, small_knowledge)
    assert "no manifest" in fresh.index_status()["problem"]
    sources = fresh.retrieve("I keep missing deadlines", k=8)
    assert fresh.index_status()["healthy"]
    metas = fresh.store.collection.get(include=["metadatas"])["metadatas"]
    assert all(isinstance(m["steps"], list) for m in metas if "steps" in m)
    assert not any(isinstance(m.get("steps"), str) for m in metas)
    assert all(isinstance(s.steps, list) for s in sources)


# --- a damaged store -------------------------------------------------------------------
def corrupt(db):
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(size // 3)
        f.write(b"\xde\xad\xbe\xef" * 2048)


def test_a_corrupted_database_is_named_and_rebuild_moves_it_aside(home, small_knowledge):
    mentor_for(home, small_knowledge).index()
    db = home / "chroma" / "chroma.sqlite3"
    # Another process's view: a fresh interpreter opening the damaged file.
    corrupt(db)
    env = {**os.environ, "MENTOR_HOME": str(home), "MENTOR_KNOWLEDGE_DIR": str(small_knowledge),
           "MENTOR_PROVIDER": "offline", "PYTHONPATH": str(ROOT)}
    mentor_cmd = [sys.executable, "-m", "assistant"]
    asked = subprocess.run(mentor_cmd + ["ask", "How do I earn trust?"], capture_output=True, text=True,
                           env=env, timeout=600, cwd=ROOT)
    assert asked.returncode == 1, asked.stderr
    assert asked.stderr.startswith("error: ") and "Traceback" not in asked.stderr
    assert "is damaged (SQLite says:" in asked.stderr and "mentor index --rebuild" in asked.stderr
    assert "writable" not in asked.stderr and "panicked" not in asked.stderr

    rebuilt = subprocess.run(mentor_cmd + ["index", "--rebuild"], capture_output=True, text=True,
                             env=env, timeout=600, cwd=ROOT)
    assert rebuilt.returncode == 0, rebuilt.stderr
    aside = [p for p in home.iterdir() if p.name.startswith("chroma.damaged-")]
    assert len(aside) == 1 and (aside[0] / "chroma.sqlite3").exists()  # kept, not deleted
    assert str(aside[0]) in rebuilt.stdout
    assert sqlite_problem(aside[0] / "chroma.sqlite3")  # moved as it was, not repaired or replaced

    answered = subprocess.run(mentor_cmd + ["ask", "--json", "How do I earn trust?"], capture_output=True,
                              text=True, env=env, timeout=600, cwd=ROOT)
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["sources"]


def test_a_database_that_is_not_sqlite_at_all_is_named_in_process(home, small_knowledge):
    (home / "chroma").mkdir(parents=True)
    (home / "chroma" / "chroma.sqlite3").write_bytes(b"not a database " * 500)
    mentor = mentor_for(home, small_knowledge)
    status = mentor.index_status()
    assert status["healthy"] is False and "file is not a database" in status["problem"]
    with pytest.raises(StoreDamagedError, match="mentor index --rebuild"):
        mentor.retrieve("trust")
    report = mentor.index(rebuild=True)
    assert report.moved_aside and "chroma.damaged-" in report.moved_aside
    assert mentor.retrieve("trust") and mentor.index_status()["healthy"]


def test_index_status_has_the_doctor_fields(home, small_knowledge):
    mentor = mentor_for(home, small_knowledge)
    before = mentor.index_status()
    assert before["healthy"] is False and "not been built" in before["problem"] and before["chunks"] == 0
    assert before["repairable"] is True  # `mentor index` fixes it (doctor says so)
    mentor.index()
    status = mentor.index_status()
    assert set(status) == {"backend", "location", "chunks", "generation", "healthy", "problem", "repairable"}
    assert status["backend"] == "embedded" and status["location"] == str((home / "chroma").resolve())
    assert status["chunks"] == len(expected_ids(small_knowledge)) and status["healthy"] and status["problem"] is None


# --- two processes -----------------------------------------------------------------------
@pytest.mark.slow
def test_a_long_running_mentor_never_cites_passages_another_process_deleted(tmp_path, home, small_knowledge):
    """The writer (a second process) re-indexes changed knowledge while this process answers."""
    shutil.copytree(home, tmp_path / "race" / "home")  # the signal-vector cache only
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "reindex_race.py"), "--json", "--rounds", "3",
         "--interval", "0.3", "--seconds", "600", "--workdir", str(tmp_path / "race"),
         "--from-knowledge", str(small_knowledge)],
        capture_output=True, text=True, timeout=900, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    assert numbers["writer_exit"] == 0 and numbers["rounds"] == 3, numbers
    assert numbers["errors"] == 0, numbers["error_samples"]
    assert numbers["answers"] >= 6
    assert numbers["cited_deleted"] == 0
    assert numbers["missed_new_text"] == 0
    assert numbers["final_seen"] is True
