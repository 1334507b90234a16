"""The persistent Chroma store and idempotent indexing.

One embedded `PersistentClient` per store path per process, a cosine-space
collection, our own NumPy MiniLM embeddings. `index()` compares each file's
content hash with what the store holds: unchanged files are skipped, a changed
file's new chunks are written before its stale ones are deleted, a deleted file's
chunks are removed. Everything is parsed and embedded before the first write, so
a bad file or a failed embedding leaves the previous index answering.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .embeddings import MODEL_NAME, ChromaMiniLM, MiniLMEmbedder
from .errors import StoreError
from .types import IndexReport

COLLECTION = "flywheel-knowledge"

_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def chroma_client(path: Path):
    """Chroma allows one client per path per process: share it."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = str(Path(path).resolve())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            Path(path).mkdir(parents=True, exist_ok=True)
            try:
                client = chromadb.PersistentClient(
                    path=key, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
                )
            except Exception as exc:  # chromadb raises several types for a bad path
                raise StoreError(f"cannot open the store at {key}: {exc}. Check MENTOR_HOME is writable.") from exc
            _clients[key] = client
        return client


@dataclass
class StoredChunk:
    id: str
    text: str
    meta: dict


class KnowledgeStore:
    def __init__(self, path: Path, embedder: MiniLMEmbedder) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self._collection = None
        self._version = 0  # bumped on every write, so readers can cache

    @property
    def collection(self):
        if self._collection is None:
            client = chroma_client(self.path)
            self._collection = client.get_or_create_collection(
                COLLECTION,
                embedding_function=ChromaMiniLM(self.embedder),
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": MODEL_NAME},
            )
        return self._collection

    @property
    def version(self) -> int:
        return self._version

    def count(self) -> int:
        return self.collection.count()

    def all_chunks(self) -> list[StoredChunk]:
        got = self.collection.get(include=["documents", "metadatas"])
        return [StoredChunk(i, d, m or {}) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def query(self, embedding, n: int) -> list[tuple[StoredChunk, float]]:
        n = min(n, self.count())
        if n <= 0:
            return []
        got = self.collection.query(
            query_embeddings=[embedding], n_results=n, include=["documents", "metadatas", "distances"]
        )
        return [
            (StoredChunk(i, d, m or {}), 1.0 - float(dist))
            for i, d, m, dist in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
        ]

    def index(self, knowledge_dir: Path, rebuild: bool = False, progress: bool = False) -> IndexReport:
        from .knowledge import chunk_file, load_knowledge

        started = time.perf_counter()
        files = load_knowledge(knowledge_dir)  # raises KnowledgeFileError before any write
        col = self.collection
        existing = col.get(include=["metadatas"])
        stored: dict[str, tuple[set[str], str]] = {}
        for chunk_id, meta in zip(existing["ids"], existing["metadatas"]):
            meta = meta or {}
            ids, digest = stored.get(meta.get("file", ""), (set(), meta.get("file_digest", "")))
            ids.add(chunk_id)
            stored[meta.get("file", "")] = (ids, digest)

        report = IndexReport(files=[kf.name for kf in files])
        plan = []  # (file, new chunks, stale ids)
        for kf in files:
            old_ids, old_digest = stored.get(kf.name, (set(), None))
            if old_ids and old_digest == kf.digest and not rebuild:
                report.unchanged += 1
                continue
            chunks = chunk_file(kf)
            plan.append((kf, chunks, old_ids - {c.id for c in chunks}))
            if old_ids:
                report.updated += 1
            else:
                report.added += 1
        current = {kf.name for kf in files}
        removed_files = [name for name in stored if name not in current]
        report.removed = len(removed_files)

        # A rebuild re-chunks and re-embeds every file but still writes new before
        # deleting old, so even a rebuild that fails leaves a usable index.
        # Embed everything first: a failure here writes nothing.
        to_embed = [c for _, chunks, _ in plan for c in chunks]
        vectors = self._embed_with_progress([c.embedding_text for c in to_embed], progress)
        by_id = {c.id: v for c, v in zip(to_embed, vectors)}

        for kf, chunks, stale in plan:
            if chunks:
                col.upsert(
                    ids=[c.id for c in chunks],
                    documents=[c.text for c in chunks],
                    metadatas=[c.metadata() for c in chunks],
                    embeddings=[by_id[c.id] for c in chunks],
                )
            if stale:
                col.delete(ids=sorted(stale))
            self._version += 1
        for name in removed_files:
            col.delete(ids=sorted(stored[name][0]))
            self._version += 1
        report.chunks = col.count()
        report.seconds = time.perf_counter() - started
        return report

    def _embed_with_progress(self, texts: list[str], progress: bool):
        if not texts:
            return []
        if not progress:
            return self.embedder.embed(texts)
        from tqdm import tqdm

        import numpy as np

        batch = self.embedder.batch_size
        out = []
        with tqdm(total=len(texts), desc="embedding", unit="chunk") as bar:
            for start in range(0, len(texts), batch):
                out.append(self.embedder.embed(texts[start : start + batch]))
                bar.update(len(texts[start : start + batch]))
        return np.concatenate(out)
