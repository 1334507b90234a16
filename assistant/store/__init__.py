"""The vector store and the index's life cycle.

- `knowledge_store`: `KnowledgeStore`, the chunks in one Chroma collection;
  idempotent, crash-safe indexing; reads that never return a deleted chunk.
- `state`: the index's record of itself (generation, manifest, flywheel), kept in
  the collection's metadata and written last; `Health` from comparing the two.
- `backend`: embedded `PersistentClient` (default) or `HttpClient` when
  MENTOR_CHROMA_URL is set; stale-client reopening, the writers' lock, naming a
  damaged database, moving a damaged store aside.
- `embedding_function`: the collection's embedding function, registered with
  Chroma, so plain `chromadb` clients can `query(query_texts=...)`.

`assistant.Mentor` is the only caller in the product; it checks the generation
once per turn and reloads what it derived from the index when it changes.
"""

from .embedding_function import MentorEmbeddingFunction
from .knowledge_store import COLLECTION, KnowledgeStore, StoredChunk
from .state import Health, IndexState

__all__ = ["COLLECTION", "Health", "IndexState", "KnowledgeStore", "MentorEmbeddingFunction", "StoredChunk"]
