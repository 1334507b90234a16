"""The index's own record of itself, kept in the collection's metadata and written last.

One `collection.modify(metadata=...)` at the end of every index run that changed
something writes, atomically:

- `generation` (a counter) and `index_id` (random per run): with the collection's
  id they form the *token* every `Mentor` compares once per turn to notice a
  re-index made by any process, on any host sharing the server;
- `manifest`: the intended contents, per knowledge file its content digest and
  chunk ids. A run killed between writes leaves the previous manifest, so the
  store and its manifest disagree and the next open repairs it;
- `flywheel`: the flywheel's steps as indexed, so every process answers with the
  same flywheel as the passages it retrieves.

Being in the collection, the record travels with it: embedded or on a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

FORMAT = 1


@dataclass(frozen=True)
class FileEntry:
    digest: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    files: dict[str, FileEntry]
    chunker: str

    def ids(self) -> set[str]:
        return {i for entry in self.files.values() for i in entry.ids}

    def to_json(self) -> str:
        files = {name: {"digest": e.digest, "ids": sorted(e.ids)} for name, e in sorted(self.files.items())}
        return json.dumps({"format": FORMAT, "chunker": self.chunker, "files": files}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Manifest | None":
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                return None
            files = {name: FileEntry(str(e["digest"]), tuple(e["ids"])) for name, e in data["files"].items()}
            return cls(files=files, chunker=str(data["chunker"]))
        except (TypeError, ValueError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class IndexState:
    """What one read of the collection's metadata says."""

    collection_id: str
    generation: int = 0
    index_id: str | None = None
    metadata: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def token(self) -> tuple:
        return (self.collection_id, self.generation, self.index_id)

    @classmethod
    def of(cls, collection) -> "IndexState":
        meta = dict(collection.metadata or {})
        generation = meta.get("generation")
        return cls(
            collection_id=str(collection.id),
            generation=generation if isinstance(generation, int) else 0,
            index_id=meta.get("index_id"),
            metadata=meta,
        )

    @cached_property
    def manifest(self) -> Manifest | None:
        raw = self.metadata.get("manifest")
        return Manifest.from_json(raw) if isinstance(raw, str) else None

    @cached_property
    def flywheel(self) -> dict | None:
        """The flywheel front matter (`{"steps": [...]}`) as it was indexed."""
        raw = self.metadata.get("flywheel")
        try:
            data = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            return None
        return data if isinstance(data, dict) and isinstance(data.get("steps"), list) else None


def state_metadata(base: dict, generation: int, index_id: str, manifest: Manifest, flywheel: dict | None,
                   indexed_at: float) -> dict:
    """The collection metadata to write last (Chroma's modify replaces the whole mapping)."""
    meta = dict(base)
    meta.update(generation=generation, index_id=index_id, manifest=manifest.to_json(), indexed_at=indexed_at)
    if flywheel is not None:
        meta["flywheel"] = json.dumps(flywheel, ensure_ascii=False, default=str, separators=(",", ":"))
    return meta


@dataclass(frozen=True)
class Health:
    """The result of comparing the store with its manifest (see `KnowledgeStore.check`)."""

    healthy: bool
    problem: str | None = None
    chunks: int | None = None
    generation: int | None = None
    token: tuple | None = None
    unreadable: bool = False  # the store could not be read at all (damaged, or the server is down)
    error: Exception | None = field(default=None, compare=False, repr=False)  # why, when unreadable

    @property
    def needs_build(self) -> bool:
        """Something `index()` can fix (everything but a store that cannot be read)."""
        return not self.healthy and not self.unreadable


def disagreement(manifest: Manifest | None, stored: dict[str, tuple[str, str]], chunker: str) -> str | None:
    """Why the stored chunks ({id: (file, digest)}) are not what the manifest says, or None."""
    if manifest is None:
        if not stored:
            return "the index has not been built yet"
        return (f"the store holds {len(stored)} chunks but no manifest (a first build that was interrupted, "
                "or an index written by an older version)")
    if manifest.chunker != chunker:
        return f"the index was built by chunker version {manifest.chunker}; this version chunks with {chunker}"
    expected = {i: (name, entry.digest) for name, entry in manifest.files.items() for i in entry.ids}
    missing = expected.keys() - stored.keys()
    extra = stored.keys() - expected.keys()
    wrong = [i for i in expected.keys() & stored.keys() if stored[i] != expected[i]]
    if not (missing or extra or wrong):
        return None
    parts = []
    if missing:
        parts.append(f"{len(missing)} chunk(s) missing")
    if extra:
        parts.append(f"{len(extra)} chunk(s) not in the manifest")
    if wrong:
        parts.append(f"{len(wrong)} chunk(s) from another version of their file")
    files = sorted({expected.get(i, stored.get(i))[0] for i in missing | extra | set(wrong)})
    return f"the store disagrees with its manifest ({', '.join(parts)}; files: {', '.join(files)}): an index run was interrupted"
