"""Reading a message by meaning, learned from labelled examples (`exemplars.yaml`).

Patterns (`understanding.FACT_PATTERNS`) are precise but only know the words they were
written for. Two readers here cover the rest, both over the message's MiniLM vector
(the one retrieval already computed, so they cost no extra encoding):

- `StepPrior`: where the message puts the mentee when no pattern said so. A softmax
  regression trained on the flywheel's signal phrases and on the fact examples, each
  labelled with the step its fact puts a mentee at (`placement.FACT_STAGE`). It replaces
  plain topic similarity as the placement prior: it learns which directions of the
  embedding tell steps apart instead of averaging a few nearest phrases.
- `MeaningReader`: what a mid-conversation message does (objection, outcome, progress,
  "what's next"): the k nearest move examples vote, weighted by similarity.

Both are built once per Mentor; example vectors and trained weights are cached on disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..types import Step

SCORE_SCALE = 0.2  # probabilities scaled to the range of the old similarity scores (CLARIFY_MARGIN)


@lru_cache(maxsize=1)
def exemplar_data() -> dict:
    import yaml

    return yaml.safe_load(Path(__file__).with_name("exemplars.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Vote:
    label: str
    share: float  # the winner's share of the k neighbours' similarity mass
    best: float  # similarity of the closest example carrying the label


class NearestExamples:
    """k-NN over one group of labelled examples (`labels[i]` for `vectors[i]`)."""

    def __init__(self, labels: list[str], vectors: np.ndarray, k: int) -> None:
        self.labels = np.array(labels)
        self.vectors = vectors
        self.k = min(k, len(labels))

    def vote(self, vector: np.ndarray) -> Vote | None:
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
        return Vote(winner, mass[winner] / (sum(mass.values()) or 1.0), best[winner])


class MeaningReader:
    """Moves by meaning (the k nearest move examples vote)."""

    def __init__(self, embedder, cache_dir: Path | None = None) -> None:
        from ..diagnosis import signal_vectors

        data = exemplar_data()
        knn = data.get("knn") or {}
        self.min_best = float(knn.get("min_best", 0.62))
        self.min_share = float(knn.get("min_share", 0.45))
        self.min_best_relaxed = float(knn.get("min_best_relaxed", 0.45))
        labels, texts = _flatten(data.get("moves") or {})
        self.moves = NearestExamples(labels, signal_vectors(texts, embedder, cache_dir), int(knn.get("k", 9)))

    def read_move(self, vector: np.ndarray | None, relaxed: bool = False) -> Vote | None:
        """The move the whole message makes, when the examples agree on one; else None.
        `relaxed`: mid-conversation, where "a new situation" is the unlikely reading, the
        plurality of the neighbours is enough (the move examples have no `none` class)."""
        if vector is None:
            return None
        vote = self.moves.vote(vector)
        if vote is None:
            return None
        if relaxed:
            return vote if vote.best >= self.min_best_relaxed else None
        return vote if vote.best >= self.min_best and vote.share >= self.min_share else None


class StepPrior:
    """`scores(vector) -> {Step: score}`: a softmax regression's probabilities × SCORE_SCALE."""

    ITERATIONS = 500
    LEARNING_RATE = 2.0
    L2 = 1e-3
    INPUT_SCALE = 10.0  # unit vectors × 10: logits with room to separate the classes

    def __init__(self, flywheel, embedder, cache_dir: Path | None = None) -> None:
        from ..diagnosis import signal_vectors
        from .placement import FACT_STAGE

        texts: list[str] = []
        steps: list[Step] = []
        for info in flywheel.steps.values():
            for signal in info.signals:
                texts.append(signal)
                steps.append(info.step)
        for fact, examples in (exemplar_data().get("facts") or {}).items():
            if fact in FACT_STAGE:
                texts += examples
                steps += [FACT_STAGE[fact]] * len(examples)
        self.steps = sorted(set(steps), key=lambda s: list(Step).index(s))
        if not texts:
            self.weights, self.bias = np.zeros((384, 0), np.float32), np.zeros(0, np.float32)
            return
        vectors = signal_vectors(texts, embedder, cache_dir)
        targets = np.array([self.steps.index(s) for s in steps])
        self.weights, self.bias = self._trained(vectors, targets, texts, steps, cache_dir)

    def _trained(self, vectors, targets, texts, steps, cache_dir) -> tuple[np.ndarray, np.ndarray]:
        key = "\n".join([f"{self.ITERATIONS} {self.LEARNING_RATE} {self.L2} {self.INPUT_SCALE}",
                         *(f"{s.value}\t{t}" for s, t in zip(steps, texts))])
        path = Path(cache_dir) / f"step-prior-{hashlib.sha256(key.encode()).hexdigest()[:20]}.npz" if cache_dir else None
        if path is not None and path.exists():
            try:
                saved = np.load(path)
                if saved["weights"].shape == (vectors.shape[1], len(self.steps)):
                    return saved["weights"], saved["bias"]
            except (OSError, ValueError, KeyError):
                pass  # a damaged cache file is retrained below
        weights, bias = fit_softmax(vectors * self.INPUT_SCALE, targets, len(self.steps),
                                    iterations=self.ITERATIONS, learning_rate=self.LEARNING_RATE, l2=self.L2)
        if path is not None:
            from ..diagnosis import write_atomically

            write_atomically(path, lambda tmp: np.savez(tmp, weights=weights, bias=bias))
        return weights, bias

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        logits = (vector * self.INPUT_SCALE) @ self.weights + self.bias
        logits = logits - logits.max()
        p = np.exp(logits)
        return p / p.sum()

    def scores(self, vector: np.ndarray | None) -> dict[Step, float]:
        if vector is None or not self.steps:
            return {}
        return {step: float(p) * SCORE_SCALE for step, p in zip(self.steps, self.probabilities(vector))}


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, *, iterations: int, learning_rate: float,
                l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent (a few hundred examples:
    well under a second; no scikit-learn in the install for one small model)."""
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    for _ in range(iterations):
        logits = x @ weights + bias
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        grad = (p - onehot) / len(x)
        weights -= learning_rate * (x.T @ grad + l2 * weights)
        bias -= learning_rate * grad.sum(0)
    return weights, bias


def _flatten(groups: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    labels, texts = [], []
    for label, examples in groups.items():
        for example in examples or []:
            labels.append(label)
            texts.append(example)
    return labels, texts
