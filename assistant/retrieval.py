"""Hybrid retrieval: dense (Chroma, MiniLM) + lexical (BM25), fused by reciprocal rank.

Dense search finds paraphrases ("production incident" ~ "outage"); BM25 finds
exact names ("Frugality", "Cybermonday"). Reciprocal rank fusion combines the
two rankings without having to calibrate their scores against each other.
"""

from __future__ import annotations

import re
import threading

from .knowledge import contextual_text, steps_mentioned
from .store import KnowledgeStore, StoredChunk
from .tracing import traced
from .types import Source

RRF_K = 60
CANDIDATES = 30

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
             "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
SPIN_MENTION = re.compile(
    r"\bspin\s*#?\s*(?P<num>[1-9])\b|\b(?P<ord>first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:flywheel\s+)?spin\b",
    re.IGNORECASE,
)


def spin_mentioned(question: str) -> int | None:
    match = SPIN_MENTION.search(question)
    if not match:
        return None
    return int(match.group("num")) if match.group("num") else _ORDINALS[match.group("ord").lower()]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    i'm i've i'd i'll it's don't can't won't get got also like""".split()
)


def _stem(word: str) -> str:
    # A light suffix strip is enough for BM25 over a few dozen passages.
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def stored_steps(meta: dict) -> list[str]:
    """A chunk's step values: a list in the store (a comma-joined string before chunker 4)."""
    steps = meta.get("steps")
    if isinstance(steps, str):
        return [s for s in steps.split(",") if s]
    return [str(s) for s in steps or ()]


def to_source(chunk: StoredChunk, score: float) -> Source:
    meta = chunk.meta
    spin = meta.get("spin")
    return Source(
        id=chunk.id,
        title=meta.get("title", ""),
        kind=meta.get("kind", ""),
        text=chunk.text,
        score=round(float(score), 4),
        section=meta.get("section", ""),
        steps=stored_steps(meta),
        spin=int(spin) if spin is not None else None,
    )


class HybridRetriever:
    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._bm25 = None
        self._chunks: list[StoredChunk] = []
        self._built_for = -1

    def _lexical_index(self):
        with self._lock:
            if self._built_for != self.store.version or self._bm25 is None:
                from rank_bm25 import BM25Okapi

                self._chunks = self.store.all_chunks()
                corpus = [
                    tokenize(contextual_text(c.meta.get("section", ""), c.meta.get("context", ""), c.text))
                    for c in self._chunks
                ]
                self._bm25 = BM25Okapi(corpus) if corpus else None
                self._built_for = self.store.version
            return self._bm25, self._chunks

    @traced("retrieve.dense")
    def dense(self, question: str, n: int = CANDIDATES, vector=None) -> list[tuple[StoredChunk, float]]:
        if vector is None:
            vector = self.store.embedder.embed_one(question)
        return self.store.query(vector, n)

    def lexical(self, question: str, n: int = CANDIDATES) -> list[tuple[StoredChunk, float]]:
        bm25, chunks = self._lexical_index()
        terms = tokenize(question)
        if bm25 is None or not terms:
            return []
        scores = bm25.get_scores(terms)
        ranked = sorted(range(len(chunks)), key=lambda i: scores[i], reverse=True)[:n]
        return [(chunks[i], float(scores[i])) for i in ranked if scores[i] > 0]

    @traced("retrieve")
    def retrieve(self, question: str, k: int = 4, vector=None, step: str | None = None,
                 dense: list | None = None) -> list[Source]:
        """Top-k passages by reciprocal rank fusion of the dense and BM25 rankings.

        `vector` (the question's embedding) or `dense` (an earlier `dense()` result) skip
        repeated work. With `step` (a diagnosed Step value), the article's section on that
        step and the flywheel's passage for it form a third ranking, so the answer can
        quote the author on the step and cite the step's data.
        """
        if k <= 0:
            return []
        dense = dense if dense is not None else self.dense(question, vector=vector)
        rankings = [dense, self.lexical(question)]
        if step:
            rankings.append([(c, s) for c, s in dense if (
                c.meta.get("kind") == "article" and step in steps_mentioned(c.meta.get("section", ""))
                or c.meta.get("kind") == "guide" and stored_steps(c.meta) == [step])])
        fused: dict[str, float] = {}
        chunks: dict[str, StoredChunk] = {}
        for ranking in rankings:
            for rank, (chunk, _) in enumerate(ranking):
                fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (RRF_K + rank + 1)
                chunks[chunk.id] = chunk
        self._boost_named(question, fused, chunks)
        best = len(rankings) / (RRF_K + 1)  # first in every ranking
        order = self._alive(sorted(fused, key=lambda cid: fused[cid], reverse=True), k, {c.id for c, _ in dense})
        return [to_source(chunks[cid], min(1.0, fused[cid] / best)) for cid in order]

    def _alive(self, ranked: list[str], k: int, live: set[str]) -> list[str]:
        """The first k ids the store still holds. Dense hits were just read with their text;
        the lexical ones come from the BM25 snapshot, which another process may have made
        stale since, so those are confirmed with the store (usually none are in the top k)."""
        picked: list[str] = []
        start = 0
        while len(picked) < k and start < len(ranked):
            batch = ranked[start : start + k - len(picked)]
            start += len(batch)
            unsure = [cid for cid in batch if cid not in live]
            present = self.store.existing(unsure) if unsure else set()
            picked.extend(cid for cid in batch if cid in live or cid in present)
        return picked

    def _boost_named(self, question: str, fused: dict[str, float], chunks: dict[str, StoredChunk]) -> None:
        """Exact references win: "the second spin" means the Spin 2 passages, and a
        principle named in the question means its definition. Boosted passages get the
        top fused score, so they lead while keeping their relative order."""
        spin = spin_mentioned(question)
        lowered = question.lower()
        _, all_chunks = self._lexical_index()
        named = []
        for chunk in all_chunks:
            meta = chunk.meta
            if spin is not None and meta.get("spin") == spin:
                named.append(chunk)
            elif meta.get("kind") == "principle" and meta.get("section") and meta["section"].lower() in lowered:
                named.append(chunk)
        top = max(fused.values(), default=0.0)
        for chunk in named:
            chunks[chunk.id] = chunk
            fused[chunk.id] = top + fused.get(chunk.id, 0.0)

