"""`KnowledgeStore`: the knowledge chunks in one Chroma collection, and idempotent indexing.

`index()` parses every file and embeds what changed before its first write, so a
bad file or a failed embedding writes nothing. Then, per file, it upserts the new
chunks, deletes the stale ones, removes deleted files' chunks, and writes the
manifest and the new generation *last* (see `state.py`). A run killed anywhere
in between leaves a store that disagrees with its manifest: `check()` finds that
on the next open and `index()` repairs it without re-embedding what is already
there. Writers hold the backend's write lock.

Reads never return a chunk whose text is gone: results without a document (a
stale in-memory index in another process) are dropped, and `existing()` lets the
retriever confirm ids that came from an older snapshot.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..embeddings import DIMENSION, MODEL_NAME
from ..errors import MentorError, StoreError
from ..types import IndexReport
from .backend import EmbeddedBackend, HttpBackend
from .embedding_function import MentorEmbeddingFunction
from .state import FileEntry, Health, IndexState, Manifest, disagreement, state_metadata

log = logging.getLogger("assistant.store")

COLLECTION = "flywheel-knowledge"
_STATE_KEYS = ("generation", "index_id", "manifest", "flywheel", "indexed_at")


@dataclass
class StoredChunk:
    id: str
    text: str
    meta: dict


class KnowledgeStore:
    def __init__(self, path: Path | None = None, embedder=None, *, url: str | None = None) -> None:
        if url:
            self.backend = HttpBackend(url)
        elif path is not None:
            self.backend = EmbeddedBackend(Path(path))
        else:
            raise ValueError("KnowledgeStore needs a path (embedded) or a url (Chroma server)")
        self.path = Path(path) if path is not None and not url else None
        self.embedder = embedder
        self._lock = threading.RLock()
        self._collection = None
        self._collection_client = None
        self._version = 0  # bumped on every write by this object, so in-process readers can cache

    @classmethod
    def from_settings(cls, settings, embedder=None) -> "KnowledgeStore":
        return cls(settings.store_dir, embedder, url=settings.chroma_url)

    @property
    def location(self) -> str:
        return self.backend.location

    @property
    def version(self) -> int:
        return self._version

    @contextmanager
    def _chroma(self, doing: str):
        """Chroma's own errors become a StoreError naming the cause and the fix."""
        try:
            yield
        except MentorError:
            raise
        except Exception as exc:
            raise self.backend.explain(exc, doing) from exc

    def _embedding_function(self) -> MentorEmbeddingFunction:
        return MentorEmbeddingFunction(self.embedder)

    @property
    def collection(self):
        with self._lock:
            client = self.backend.client()
            if self._collection is None or self._collection_client is not client:
                with self._chroma("opening"):
                    self._collection = client.get_or_create_collection(
                        COLLECTION,
                        embedding_function=self._embedding_function(),
                        configuration={"hnsw": {"space": "cosine"}},
                        metadata={"embedding_model": MODEL_NAME},
                    )
                self._collection_client = client
            return self._collection

    # --- the index's record of itself ------------------------------------------------
    def state(self) -> IndexState:
        """One small read: the collection's metadata (generation, manifest, flywheel)."""
        from chromadb.errors import NotFoundError

        client = self.backend.client()
        with self._chroma("reading"):
            try:
                collection = client.get_collection(COLLECTION, embedding_function=self._embedding_function())
            except NotFoundError:  # deleted behind our back: start a new, empty one
                with self._lock:
                    self._collection = None
                collection = self.collection
        with self._lock:
            if self._collection_client is client:
                self._collection = collection  # keeps a collection replaced elsewhere current
        return IndexState.of(collection)

    def generation_token(self) -> tuple:
        """What changes whenever any process finishes an index run that changed something."""
        return self.state().token

    def follow(self, token: tuple) -> None:
        """After noticing `token`: make sure our reads see it (reopens a stale embedded client)."""
        if self.backend.follow(token):
            with self._lock:
                self._collection = None

    def check(self) -> Health:
        """Compare the store with its manifest. Never raises: problems are in the result."""
        try:
            damage = self.backend.problem()
            if damage is not None:
                raise self.backend.explain(RuntimeError(damage), "reading")
            state = self.state()
            self.follow(state.token)
            with self._chroma("reading"):
                got = self.collection.get(include=["metadatas"])
        except StoreError as exc:
            return Health(False, str(exc), unreadable=True, error=exc)
        from ..knowledge import CHUNKER_VERSION

        stored = {
            cid: ((meta or {}).get("file", ""), (meta or {}).get("file_digest", ""))
            for cid, meta in zip(got["ids"], got["metadatas"])
        }
        problem = disagreement(state.manifest, stored, CHUNKER_VERSION)
        return Health(problem is None, problem, len(stored), state.generation, state.token)

    # --- reads ----------------------------------------------------------------------------
    def count(self) -> int:
        with self._chroma("counting"):
            return self.collection.count()

    def all_chunks(self) -> list[StoredChunk]:
        with self._chroma("reading"):
            got = self.collection.get(include=["documents", "metadatas"])
        return [
            StoredChunk(i, d, m or {}) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]) if d is not None
        ]

    def query(self, embedding, n: int) -> list[tuple[StoredChunk, float]]:
        if n <= 0:
            return []
        with self._chroma("searching"):
            got = self.collection.query(
                query_embeddings=[embedding], n_results=n, include=["documents", "metadatas", "distances"]
            )
        return [
            (StoredChunk(i, d, m or {}), 1.0 - float(dist))
            for i, d, m, dist in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
            if d is not None  # an id whose text is gone (deleted since this client loaded its vectors)
        ]

    def existing(self, ids: list[str]) -> set[str]:
        """Which of `ids` the store holds now."""
        if not ids:
            return set()
        with self._chroma("reading"):
            return set(self.collection.get(ids=list(ids), include=[])["ids"])

    # --- writes -------------------------------------------------------------------------
    def index(self, knowledge_dir: Path, rebuild: bool = False, progress: bool = False) -> IndexReport:
        from ..knowledge import CHUNKER_VERSION, chunk_file, load_knowledge

        started = time.perf_counter()
        files = load_knowledge(knowledge_dir)  # raises KnowledgeFileError before any write
        with self.backend.write_lock():
            moved = self._set_aside_if_unreadable() if rebuild else None
            # Another process may have written since we opened (even a run killed before
            # it bumped the generation): write through a client that has read it all.
            self.backend.reopen()
            col = self.collection
            state = self.state()
            manifest = state.manifest if state.manifest and state.manifest.chunker == CHUNKER_VERSION else None
            with self._chroma("reading"):
                existing = col.get(include=["metadatas"])
            stored: dict[str, dict[str, str]] = {}  # file -> {chunk id: file digest}
            for chunk_id, meta in zip(existing["ids"], existing["metadatas"]):
                meta = meta or {}
                stored.setdefault(meta.get("file", ""), {})[chunk_id] = meta.get("file_digest", "")

            report = IndexReport(files=[kf.name for kf in files], moved_aside=moved)
            entries: dict[str, FileEntry] = {}
            plan = []  # (file, chunks to write, stale ids)
            for kf in files:
                have = stored.get(kf.name, {})
                known = manifest.files.get(kf.name) if manifest else None
                if (not rebuild and known is not None and known.digest == kf.digest
                        and set(known.ids) == have.keys() and all(d == kf.digest for d in have.values())):
                    entries[kf.name] = known
                    report.unchanged += 1
                    continue
                chunks = chunk_file(kf)
                ids = {c.id for c in chunks}
                entries[kf.name] = FileEntry(kf.digest, tuple(sorted(ids)))
                # Chunks already stored from this version of the file (a repair) are not embedded again.
                write = chunks if rebuild else [c for c in chunks if have.get(c.id) != kf.digest]
                stale = have.keys() - ids
                if not write and not stale:
                    report.unchanged += 1
                    continue
                plan.append((kf, write, stale))
                if have:
                    report.updated += 1
                else:
                    report.added += 1
            removed = [name for name in stored if name not in entries]
            report.removed = len([name for name in removed if name])

            # Embed everything first: a failure here writes nothing.
            to_embed = [c for _, chunks, _ in plan for c in chunks]
            vectors = self._embed_with_progress([c.embedding_text for c in to_embed], progress)
            by_id = {c.id: v for c, v in zip(to_embed, vectors)}

            with self._chroma("writing"):
                for kf, chunks, stale in plan:  # new before stale: the old passages answer until replaced
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
                for name in removed:
                    col.delete(ids=sorted(stored[name]))
                    self._version += 1
                self._write_state(col, state, Manifest(entries, CHUNKER_VERSION), _flywheel_of(files),
                                  force=bool(plan or removed or rebuild))
                report.chunks = col.count()
        report.seconds = time.perf_counter() - started
        return report

    def _write_state(self, col, state: IndexState, manifest: Manifest, flywheel: dict | None, force: bool) -> None:
        """Last write of a run: the manifest and a new generation, in one metadata update."""
        base = {k: v for k, v in state.metadata.items() if k not in _STATE_KEYS}
        base["embedding_model"] = MODEL_NAME
        index_id = uuid.uuid4().hex[:16]
        meta = state_metadata(base, state.generation + 1, index_id, manifest, flywheel, round(time.time(), 3))
        if not force and all(meta.get(k) == state.metadata.get(k) for k in ("manifest", "flywheel")):
            return  # nothing changed: the generation stays, readers reload nothing
        col.modify(metadata=meta)
        self._version += 1
        self.backend.wrote((str(col.id), state.generation + 1, index_id))

    def _set_aside_if_unreadable(self) -> str | None:
        """For `--rebuild`: a store that cannot be read is renamed aside (never deleted)."""
        problem = self.backend.problem()
        if problem is None:
            try:
                with self._chroma("reading"):
                    col = self.collection
                    if col.count():  # the vector index too, not only the SQLite side
                        col.query(query_embeddings=[[1.0] + [0.0] * (DIMENSION - 1)], n_results=1)
                    col.get(limit=1, include=["documents", "metadatas"])
                self.state()
                return None
            except StoreError as exc:
                if self.backend.kind != "embedded":
                    raise
                problem = str(exc)
        with self._lock:
            self._collection = None
            self._collection_client = None
            target = self.backend.move_aside()
        log.warning("moved the unreadable index aside to %s (%s); building a new one", target, problem)
        return str(target)

    def _embed_with_progress(self, texts: list[str], progress: bool):
        if not texts:
            return []
        if not progress:
            return self.embedder.embed(texts)
        import numpy as np
        from tqdm import tqdm

        batch = self.embedder.batch_size
        out = []
        with tqdm(total=len(texts), desc="embedding", unit="chunk") as bar:
            for start in range(0, len(texts), batch):
                out.append(self.embedder.embed(texts[start : start + batch]))
                bar.update(len(texts[start : start + batch]))
        return np.concatenate(out)


def _flywheel_of(files) -> dict | None:
    """The flywheel as indexed: what `Flywheel` keeps of the file's front matter
    (load_knowledge guarantees one flywheel file)."""
    from ..flywheel import Flywheel

    for kf in files:
        if kf.kind == "flywheel":
            return Flywheel.from_meta(kf.meta).meta
    return None
