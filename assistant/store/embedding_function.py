"""The collection's embedding function, registered with Chroma.

Chroma saves the embedding function's `name()` and `get_config()` in the
collection's configuration; any process that has registered a class under that
name can then `query(query_texts=...)` the collection with plain chromadb:

    import chromadb, assistant.store          # the import registers the function
    col = chromadb.PersistentClient(path).get_collection("flywheel-knowledge")
    col.query(query_texts=["how do I earn trust?"], n_results=3)

It embeds with the project's NumPy MiniLM (never Chroma's downloading default).
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, Embeddings, EmbeddingFunction
from chromadb.utils.embedding_functions import register_embedding_function

from ..embeddings import MODEL_NAME

# Stored in every collection's configuration: keep it stable, old stores carry it.
NAME = "flywheel-mentor-minilm-numpy"


@register_embedding_function
class MentorEmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 in NumPy, as a Chroma embedding function (cosine space)."""

    def __init__(self, embedder=None) -> None:
        self._embedder = embedder  # built on first call when not given (the weights are 90 MB)

    def _get(self):
        if self._embedder is None:
            from ..embeddings import shared_embedder

            self._embedder = shared_embedder()
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's protocol names it `input`
        return [row for row in self._get().embed(list(input))]

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "MentorEmbeddingFunction":
        MentorEmbeddingFunction.validate_config(config)
        return MentorEmbeddingFunction()

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if config.get("model") != MODEL_NAME:
            raise ValueError(f"{NAME} embeds with {MODEL_NAME}, not {config.get('model')!r}")

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]
