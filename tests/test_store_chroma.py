"""The index as Chroma users expect it: a registered embedding function and list metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from assistant.embeddings import DIMENSION
from assistant.store import COLLECTION, MentorEmbeddingFunction
from conftest import ROOT

PLAIN_CHROMA = textwrap.dedent("""
    import json, sys
    import chromadb
    import assistant.store  # registers the collection's embedding function with Chroma

    col = chromadb.PersistentClient(path=sys.argv[1]).get_collection(sys.argv[2])
    hits = col.query(query_texts=["What does Frugality mean?"], n_results=3, include=["metadatas"])
    trust = col.get(where={"steps": {"$contains": "earn_trust"}}, include=["metadatas"])
    print(json.dumps({"top": hits["metadatas"][0], "trust": trust["metadatas"]}))
""")


def test_the_embedding_function_is_registered_with_chroma():
    from chromadb.utils.embedding_functions import known_embedding_functions

    assert known_embedding_functions[MentorEmbeddingFunction.name()] is MentorEmbeddingFunction
    ef = MentorEmbeddingFunction()
    vectors = ef(["hello world"])
    assert len(vectors) == 1 and len(vectors[0]) == DIMENSION
    assert MentorEmbeddingFunction.build_from_config(ef.get_config()).get_config() == ef.get_config()
    with pytest.raises(ValueError, match="all-MiniLM-L6-v2"):
        MentorEmbeddingFunction.build_from_config({"model": "some-other-model"})


def test_plain_chromadb_in_another_process_can_query_texts(built_home):
    result = subprocess.run(
        [sys.executable, "-c", PLAIN_CHROMA, str(built_home / "chroma"), COLLECTION],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["top"][0]["section"] == "Frugality" and got["top"][0]["kind"] == "principle"
    assert got["trust"] and all("earn_trust" in m["steps"] and isinstance(m["steps"], list) for m in got["trust"])


def test_sources_carry_steps_as_a_list(shared_mentor):
    sources = shared_mentor.retrieve("Step 2: Earn Trust. The principles at work here", k=10)
    guide = [s for s in sources if s.kind == "guide" and s.steps]
    assert guide and all(isinstance(s.steps, list) and len(s.steps) == 1 for s in guide)
    assert ["earn_trust"] in [s.steps for s in guide]
    stored = shared_mentor.store.collection.get(where={"steps": {"$contains": "earn_trust"}}, include=["metadatas"])
    assert stored["ids"] and all("earn_trust" in m["steps"] for m in stored["metadatas"])
