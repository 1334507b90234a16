"""Reading a message by meaning: the nearest labelled examples decide (k-nearest neighbours).

Patterns (`understanding.FACT_PATTERNS`) are precise but only know the words they were
written for. This module catches the paraphrases: each clause of the message is embedded
(MiniLM) and compared with labelled example utterances (`exemplars.yaml`: facts, a `none`
class of career messages that state no fact, including negated and wished-for facts, and
moves). The k most similar examples vote, weighted by similarity; a label is taken only
when it wins the vote against `none` and its best example is close enough. The example
vectors are computed once and cached on disk (`diagnosis.signal_vectors`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

NONE = "none"
_CLAUSE_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+(?:but|although|though|however)\s+|,\s+(?=(?:and|so)\s+)", re.I)
MAX_CLAUSES = 6


@lru_cache(maxsize=1)
def exemplar_data() -> dict:
    import yaml

    return yaml.safe_load(Path(__file__).with_name("exemplars.yaml").read_text(encoding="utf-8"))


def clauses(text: str) -> list[tuple[str, int, int]]:
    """The message's clauses as (text, start, end); the longest ones when there are too many."""
    found, start = [], 0
    for match in [*_CLAUSE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        part = text[start:end]
        stripped = part.strip(" ,-–—")
        if len(stripped.split()) >= 3:
            offset = start + part.index(stripped)
            found.append((stripped, offset, offset + len(stripped)))
        start = match.end() if match else start
    if len(found) > MAX_CLAUSES:
        found = sorted(found, key=lambda c: -len(c[0]))[:MAX_CLAUSES]
    return found


@dataclass(frozen=True)
class Vote:
    label: str
    share: float  # the winner's share of the k neighbours' similarity mass
    best: float  # similarity of the closest example carrying the label
    evidence: str  # the clause that voted


class NearestExamples:
    """k-NN over one group of labelled examples (`labels[i]` for `vectors[i]`)."""

    def __init__(self, labels: list[str], vectors: np.ndarray, k: int) -> None:
        self.labels = np.array(labels)
        self.vectors = vectors
        self.k = min(k, len(labels))

    def vote(self, vector: np.ndarray, evidence: str = "") -> Vote | None:
        if not self.k:
            return None
        sims = self.vectors @ vector
        top = np.argpartition(-sims, self.k - 1)[: self.k]
        mass: dict[str, float] = {}
        best: dict[str, float] = {}
        for i in top:
            label, sim = str(self.labels[i]), float(max(sims[i], 0.0))
            mass[label] = mass.get(label, 0.0) + sim
            best[label] = max(best.get(label, 0.0), sim)
        winner = max(mass, key=mass.get)
        total = sum(mass.values()) or 1.0
        return Vote(winner, mass[winner] / total, best[winner], evidence)


class MeaningReader:
    """Facts and moves by meaning. Built once per Mentor."""

    def __init__(self, embedder, cache_dir: Path | None = None) -> None:
        from ..diagnosis import signal_vectors

        data = exemplar_data()
        settings = data.get("knn") or {}
        self.k = int(settings.get("k", 7))
        self.min_best = float(settings.get("min_best", 0.55))
        self.min_share = float(settings.get("min_share", 0.5))
        self.min_best_relaxed = float(settings.get("min_best_relaxed", 0.45))
        self.embedder = embedder
        fact_labels, fact_texts = _flatten(data.get("facts") or {})
        none_texts = list(data.get("none") or [])
        move_labels, move_texts = _flatten(data.get("moves") or {})
        vectors = signal_vectors(fact_texts + none_texts + move_texts, embedder, cache_dir)
        n_facts = len(fact_texts) + len(none_texts)
        self.facts = NearestExamples(fact_labels + [NONE] * len(none_texts), vectors[:n_facts], self.k)
        self.moves = NearestExamples(move_labels, vectors[n_facts:], self.k)

    def _accept(self, vote: Vote | None) -> bool:
        return vote is not None and vote.label != NONE and vote.best >= self.min_best and vote.share >= self.min_share

    def read_facts(self, text: str) -> dict[str, Vote]:
        """The facts the message's clauses state, each with its strongest vote."""
        parts = clauses(text) or [(text.strip(), 0, len(text))]
        # Each clause alone, as the examples were embedded (pooling inside the message blurs them);
        # a one-clause message is its own (cached) vector.
        vectors = [self.embedder.embed_one(text if len(parts) == 1 else part) for part, _, _ in parts]
        found: dict[str, Vote] = {}
        for (part, _, _), vector in zip(parts, vectors):
            vote = self.facts.vote(vector, part)
            if self._accept(vote) and (vote.label not in found or vote.share > found[vote.label].share):
                found[vote.label] = vote
        return found

    def read_move(self, vector: np.ndarray | None, text: str = "", relaxed: bool = False) -> Vote | None:
        """The move the whole message makes, when the examples agree on one; else None.
        `relaxed`: mid-conversation, where "a new situation" is the unlikely reading, the
        plurality of the neighbours is enough (the move examples have no `none` class)."""
        if vector is None:
            return None
        vote = self.moves.vote(vector, text)
        if vote is None:
            return None
        if relaxed:
            return vote if vote.best >= self.min_best_relaxed else None
        return vote if self._accept(vote) else None


def _flatten(groups: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    labels, texts = [], []
    for label, examples in groups.items():
        for example in examples or []:
            labels.append(label)
            texts.append(example)
    return labels, texts
