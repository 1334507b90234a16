"""Idempotent indexing on the real persistent Chroma store."""

import pytest

from assistant import KnowledgeFileError, Mentor, Settings, StoreError
from assistant.store import KnowledgeStore


def mentor_for(home, knowledge):
    return Mentor(Settings(home=home, knowledge_dir=knowledge, provider="offline"))


def ids_by_file(mentor):
    out = {}
    for chunk in mentor.store.all_chunks():
        out.setdefault(chunk.meta["file"], set()).add(chunk.id)
    return out


def test_first_use_builds_the_store_itself(tmp_path, knowledge_copy):
    mentor = mentor_for(tmp_path / "fresh", knowledge_copy)
    answer = mentor.ask("How do I get out of a rut?")
    assert mentor.store.count() > 30
    assert answer.sources


def test_indexing_twice_adds_nothing(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    before = ids_by_file(mentor)
    report = mentor.index()
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == 3
    assert ids_by_file(mentor) == before
    assert mentor.store.count() == sum(len(v) for v in before.values())


def test_editing_one_file_replaces_exactly_its_chunks(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    before = ids_by_file(mentor)
    path = knowledge_copy / "leadership-principles.md"
    path.write_text(path.read_text().replace("## Frugality", "## Frugality\n\nThriftiness means zebra-striped budgets."))
    report = mentor.index()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 2)
    after = ids_by_file(mentor)
    assert after["career-growth-flywheel.md"] == before["career-growth-flywheel.md"]
    assert after["flywheel.md"] == before["flywheel.md"]
    changed = after["leadership-principles.md"] ^ before["leadership-principles.md"]
    assert changed and len(changed) < len(before["leadership-principles.md"])  # not the whole file
    assert "zebra-striped" in mentor.retrieve("zebra-striped budgets", k=1)[0].text


def test_deleting_a_file_removes_its_chunks(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    (knowledge_copy / "leadership-principles.md").unlink()
    report = mentor.index()
    assert report.removed == 1
    assert "leadership-principles.md" not in ids_by_file(mentor)
    assert all(s.kind != "principle" for s in mentor.retrieve("What does Frugality mean?", k=10))


def test_a_new_file_is_added(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    (knowledge_copy / "extra.md").write_text("---\ntitle: Extra\nkind: article\n---\n## Note\n\nQuokkas deliver results.\n")
    assert mentor.index().added == 1
    assert mentor.retrieve("quokkas", k=1)[0].title == "Extra"


def test_a_failure_midway_leaves_the_previous_index_answering(home_copy, knowledge_copy, monkeypatch):
    reader = mentor_for(home_copy, knowledge_copy)
    reader.retrieve("trust")  # a long-running Mentor, opened before the failed run
    mentor = mentor_for(home_copy, knowledge_copy)
    before = ids_by_file(mentor)
    for name in ("leadership-principles.md", "career-growth-flywheel.md"):
        path = knowledge_copy / name
        path.write_text(path.read_text() + "\n\nAn appended paragraph about marmots.\n")
    calls = {"n": 0}
    real_upsert = type(mentor.store.collection).upsert

    def failing_upsert(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_upsert(self, *args, **kwargs)

    monkeypatch.setattr(type(mentor.store.collection), "upsert", failing_upsert)
    with pytest.raises(StoreError, match="disk full.*still answers"):
        mentor.index()
    monkeypatch.undo()
    # Still answers, and every file still has its chunks.
    answer = reader.ask("What does Frugality mean?")
    assert answer.sources and any(s.kind == "principle" for s in answer.sources)
    assert set(ids_by_file(mentor)) == set(before)
    assert "disagrees with its manifest" in mentor.index_status()["problem"]
    # The next index run repairs the rest.
    report = mentor.index()
    assert report.updated >= 1 and report.added == 0
    assert mentor.index_status()["healthy"]


def test_a_bad_file_leaves_the_index_untouched(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    before = ids_by_file(mentor)
    (knowledge_copy / "flywheel.md").write_text("---\ntitle: [broken\n---\n")
    with pytest.raises(KnowledgeFileError, match="flywheel.md"):
        mentor.index()
    assert ids_by_file(mentor) == before
    assert mentor.ask("I'm stuck in a rut").step is not None


def test_rebuild_keeps_the_same_content_ids(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    before = ids_by_file(mentor)
    report = mentor.index(rebuild=True)
    assert report.updated == 3
    assert ids_by_file(mentor) == before


def test_store_uses_cosine_space(home_copy, knowledge_copy):
    store = KnowledgeStore(home_copy / "chroma", None)
    config = store.collection.configuration_json
    assert config["hnsw"]["space"] == "cosine"


def test_removing_the_flywheel_file_is_refused_before_any_write(home_copy, knowledge_copy):
    mentor = mentor_for(home_copy, knowledge_copy)
    before = ids_by_file(mentor)
    (knowledge_copy / "flywheel.md").unlink()
    with pytest.raises(KnowledgeFileError, match="kind: flywheel"):
        mentor.index()
    assert ids_by_file(mentor) == before
