"""MENTOR_CHROMA_URL: the same index on a real Chroma server (`chroma run`, started on 127.0.0.1)."""

from __future__ import annotations

import shutil

import pytest

from assistant import InputError, Mentor, Settings
from assistant.errors import StoreUnavailableError
from assistant.store import COLLECTION
from chroma_server import ChromaServer, chroma_command, free_port
from conftest import KNOWLEDGE

QUESTIONS = ["What does Frugality mean?", "I'm stuck in a rut, how do I get out?",
             "What did the author do in his second spin?", "My bet failed, should I pull the plug?"]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if chroma_command() is None:
        pytest.skip("the `chroma` command (package chromadb) is not installed")
    root = tmp_path_factory.mktemp("chroma-server")
    with ChromaServer(root / "data", root / "server.log") as server:
        yield server


@pytest.fixture
def server_url(chroma_server):
    """The server, emptied of our collection before each test."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server.port,
                                 settings=ChromaSettings(anonymized_telemetry=False))
    if COLLECTION in {c.name for c in client.list_collections()}:
        client.delete_collection(COLLECTION)
    return chroma_server.url


def server_mentor(home, url, knowledge=KNOWLEDGE) -> Mentor:
    return Mentor(Settings(home=home, knowledge_dir=knowledge, provider="offline", chroma_url=url))


def test_indexing_and_retrieval_behave_exactly_as_embedded(home, server_url, shared_mentor):
    mentor = server_mentor(home, server_url)
    report = mentor.index()
    assert (report.added, report.updated, report.removed) == (3, 0, 0)
    assert report.chunks == shared_mentor.store.count()
    for question in QUESTIONS:
        assert [s.id for s in mentor.retrieve(question)] == [s.id for s in shared_mentor.retrieve(question)], question
    again = mentor.index()
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    status = mentor.index_status()
    assert status == {"backend": "http", "location": server_url, "chunks": report.chunks, "generation": 1,
                      "healthy": True, "problem": None, "repairable": False}
    listed = mentor.store.collection.get(where={"steps": {"$contains": "earn_trust"}}, include=["metadatas"])
    assert listed["ids"] and all(isinstance(m["steps"], list) for m in listed["metadatas"])
    assert not (home / "chroma").exists()  # nothing embedded on the side


def test_a_reindex_through_one_mentor_is_seen_by_another_sharing_the_server(home, tmp_path, server_url,
                                                                              small_knowledge):
    other_home = tmp_path / "other-home"
    shutil.copytree(home, other_home)
    writer = server_mentor(home, server_url, small_knowledge)
    reader = server_mentor(other_home, server_url, small_knowledge)
    writer.index()
    before = reader.retrieve("What does Frugality mean?", k=1)[0]
    assert before.section == "Frugality"

    path = small_knowledge / "principles.md"
    path.write_text(path.read_text().replace("constraints breed", "a zebra-striped budget breeds"))
    assert writer.index().updated == 1

    after = reader.retrieve("zebra-striped budget frugality", k=4)
    assert "zebra-striped" in after[0].text
    assert before.id not in {s.id for s in reader.retrieve("What does Frugality mean?", k=10)}
    assert reader.index_status()["generation"] == writer.index_status()["generation"] == 2


def test_a_first_use_on_an_empty_server_builds_the_index(home, server_url, small_knowledge):
    answer = server_mentor(home, server_url, small_knowledge).ask("How do I earn my manager's trust?")
    assert answer.sources and answer.in_scope


def test_an_unreachable_server_is_a_clear_error_without_credentials(tmp_path):
    url = f"http://mentor:hunter2@127.0.0.1:{free_port()}"  # nothing listens there
    mentor = server_mentor(tmp_path / "home", url)
    with pytest.raises(StoreUnavailableError) as caught:
        mentor.retrieve("trust")
    message = str(caught.value)
    assert "cannot reach the Chroma server" in message and "chroma run" in message
    assert "hunter2" not in message and "mentor:" not in message
    status = mentor.index_status()
    assert status["healthy"] is False and status["backend"] == "http"
    assert "hunter2" not in status["location"] and "hunter2" not in status["problem"]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:8000", "127.0.0.1:8000", "http://127.0.0.1:80x0", "http://h:1/db"])
def test_a_malformed_chroma_url_says_what_to_set(tmp_path, url):
    with pytest.raises(InputError, match="http://HOST:PORT"):
        server_mentor(tmp_path / "home", url).retrieve("trust")
