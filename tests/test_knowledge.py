"""Loading and chunking knowledge/*.md: front matter, metadata, stable ids, clear errors."""

import pytest

from assistant.errors import KnowledgeFileError
from assistant.knowledge import chunk_file, chunk_knowledge, load_knowledge, read_file
from assistant.types import Step
from conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def files():
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="module")
def chunks(files):
    return chunk_knowledge(files)


def test_every_kind_is_present_with_front_matter(files):
    kinds = {f.kind for f in files}
    assert kinds == {"article", "principle", "flywheel"}
    article = next(f for f in files if f.kind == "article")
    assert article.meta["author"] == "Carlos Arguelles"
    assert str(article.meta["date"]).startswith("2024-05-16")


def test_article_keeps_its_structure(chunks):
    sections = {c.section for c in chunks if c.kind == "article"}
    for step_heading in ("Step 1: Deliver Results", "Step 6: Are Right a Lot", "Conclusion"):
        assert step_heading in sections
    spins = {c.spin for c in chunks if c.spin}
    assert spins == {1, 2, 3, 4, 5}


def test_page_furniture_is_removed(chunks):
    text = "\n".join(c.text for c in chunks)
    assert "10 min read" not in text
    assert "(story here)" not in text


def test_sixteen_principles_each_have_chunks(chunks):
    principles = {c.section for c in chunks if c.kind == "principle" and c.section != c.title}
    assert len(principles) == 16
    assert {"Frugality", "Dive Deep", "Customer Obsession"} <= principles


def test_flywheel_steps_become_guide_passages_tagged_with_their_step(chunks):
    guide = [c for c in chunks if c.kind == "guide" and c.steps]
    assert {c.steps[0] for c in guide} == {s.value for s in Step}
    first = next(c for c in guide if c.steps == ["deliver_results"])
    assert "track record" in first.text.lower()


def test_internal_data_never_becomes_retrievable_text(chunks):
    """Signal lists, keywords, field labels and the mentor's wording stay in the front matter."""
    text = "\n".join(c.text for c in chunks if c.kind == "guide")
    for leak in ("You may be at this step", "Things to do now", "stuck in a rut", "{thing}", "keywords"):
        assert leak not in text


def test_chunks_carry_steps_mentioned_and_respect_the_size_limit(chunks):
    from assistant.knowledge import CHUNK_SIZE

    step2 = [c for c in chunks if c.section == "Step 2: Earn Trust"]
    assert step2 and all("earn_trust" in c.steps for c in step2)
    assert all(len(c.text) <= CHUNK_SIZE for c in chunks if c.kind != "guide")


def test_chunk_ids_are_stable_content_hashes(files):
    first = [c.id for c in chunk_file(files[0])]
    again = [c.id for c in chunk_file(read_file(files[0].path, KNOWLEDGE))]
    assert first == again
    assert len(set(first)) == len(first)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("no front matter here", "missing YAML front matter"),
        ("---\ntitle: [unclosed\n---\nbody", "invalid YAML"),
        ("---\ntitle: T\nkind: poem\n---\nbody", "'kind' must be one of"),
        ("---\nkind: article\n---\nbody", "no 'title'"),
        ("---\ntitle: F\nkind: flywheel\nsteps: []\n---\n", "needs a 'steps' list"),
    ],
)
def test_bad_files_raise_an_error_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "broken.md"
    path.write_text(content)
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, tmp_path)
    assert "broken.md" in str(err.value) and problem in str(err.value)
    assert "mentor index" in str(err.value)


def test_undecodable_file_is_reported(tmp_path):
    (tmp_path / "latin1.md").write_bytes("---\ntitle: caf\xe9\nkind: article\n---\n".encode("latin-1"))
    with pytest.raises(KnowledgeFileError, match="latin1.md.*not UTF-8"):
        load_knowledge(tmp_path)
