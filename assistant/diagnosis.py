"""Step diagnosis: where on the flywheel is the mentee, from what they say?

Deterministic and offline. A message that is not about the mentee's own
situation (a question about the article, a definition) gets `None`. Otherwise
each step is scored by the mean embedding similarity of the message to that
step's three closest signal phrases (from knowledge/flywheel.md) plus a small
bonus for the step's keywords; the best step wins.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from .flywheel import Flywheel
from .types import Step

FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|we're|our|us)\b", re.IGNORECASE)
# Questions about the article or a principle's meaning, even when phrased with "I".
FACTUAL = re.compile(
    r"\b(?:the author|author's|carlos|he|his|him|the article|the post|the writer)\b"
    r"|\bwhat (?:does|do|is|are)\b[^?]{0,60}\b(?:mean|means|stand for|definition)\b"
    r"|\b(?:define|definition of|explain the|what is the flywheel|what are the (?:steps|principles))\b"
    r"|\bspin\s*#?\s*\d\b",
    re.IGNORECASE,
)
KEYWORD_BONUS = 0.06
NEIGHBOURS = 3
_WORD = re.compile(r"[a-z0-9']+")


def signal_vectors(signals: list[str], embedder, cache_dir: Path | None) -> np.ndarray:
    """Embeddings of the signal phrases, cached on disk by content hash: embedding a few
    hundred phrases costs seconds, and a cold `mentor ask` must not pay that."""
    if not signals:
        return np.zeros((0, 384), dtype=np.float32)
    from .embeddings import MODEL_NAME

    digest = hashlib.sha256("\n".join([MODEL_NAME, *signals]).encode()).hexdigest()[:20]
    from .vector_cache import shipped

    packaged = shipped(f"signals-{digest}.npy", len(signals))
    if packaged is not None:  # computed for exactly these texts and shipped with the package
        return packaged
    path = Path(cache_dir) / f"signals-{digest}.npy" if cache_dir else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape == (len(signals), 384):
                return vectors
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt below
    vectors = embedder.embed(signals)
    if path is not None:
        write_atomically(path, lambda tmp: np.save(tmp, vectors))
    return vectors


def write_atomically(path: Path, write) -> None:
    """A cache file whole or not at all: `write(tmp)` beside it, then rename over it, so a
    reader (another process, a crash) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp" + path.suffix)
    write(tmp)
    tmp.replace(path)


def is_personal(message: str) -> bool:
    return bool(FIRST_PERSON.search(message)) and not FACTUAL.search(message)


def add_keyword_bonus(scores: dict[Step, float], message: str, flywheel: Flywheel) -> dict[Step, float]:
    """Each step's keywords in the message (up to three) add KEYWORD_BONUS to its score: naming a
    principle ("how is Think Big different…") is a strong hint that similarity alone misses."""
    words = _WORD.findall(message.lower())
    out = dict(scores)
    for info in flywheel.steps.values():
        hits = sum(1 for kw in info.keywords if any(w.startswith(kw) for w in words))
        out[info.step] = out.get(info.step, 0.0) + KEYWORD_BONUS * min(hits, 3)
    return out


class StepDiagnoser:
    def __init__(self, flywheel: Flywheel, embedder, cache_dir: Path | None = None) -> None:
        self.flywheel = flywheel
        self.embedder = embedder
        self._steps: list[Step] = []
        signals: list[str] = []
        for info in flywheel.steps.values():
            for signal in info.signals:
                self._steps.append(info.step)
                signals.append(signal)
        self._signal_vectors = signal_vectors(signals, embedder, cache_dir)

    def scores(self, message: str, vector: np.ndarray | None = None) -> dict[Step, float]:
        if vector is None:
            vector = self.embedder.embed_one(message)
        sims = self._signal_vectors @ vector
        by_step: dict[Step, list[float]] = {}
        for step, sim in zip(self._steps, sims):
            by_step.setdefault(step, []).append(float(sim))
        # Mean of the NEIGHBOURS closest signals: one lucky phrase shouldn't decide the step.
        best = {step: float(np.mean(sorted(values)[-NEIGHBOURS:])) for step, values in by_step.items()}
        return add_keyword_bonus(best, message, self.flywheel)

    def diagnose(self, message: str, vector: np.ndarray | None = None) -> Step | None:
        if not is_personal(message):
            return None
        scores = self.scores(message, vector)
        return max(scores, key=scores.get) if scores else None
