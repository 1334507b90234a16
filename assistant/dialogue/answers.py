"""The answer bank: the mentor's written answers to the questions mentees ask, chosen by meaning.

`knowledge/flywheel.md`'s `answers:` lists one entry per kind of question ("how do I ask for
more scope?", "where do I start on the approved project?"), each with the ways mentees ask
it (`asked_as`), the steps and role it is right for, and the answer. A message that asks
something is scored against every entry: its embedding's cosine to the centroid of the entry's
phrasings, plus BM25 over them. Among the entries for the mentee's role, the closest one that
holds for their step answers when it clears `MATCH_FLOOR` (calibrated on questions written
without sight of the bank) and is near the closest of all (`pick`). Regex-matched
`direct_answers` still come first: they are the narrow, sure cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..diagnosis import signal_vectors
from ..retrieval import tokenize
from ..types import Step
from .profile import Profile

# The score (`AnswerBank.similarities`) at which an entry answers a message.
# Calibrated with `python benchmarks/answer_bank_calibration.py` (see that script for the numbers).
MATCH_FLOOR = 0.65
# Only entries this close to the best one count (see `pick`).
STEP_MARGIN = 0.05
LEXICAL_WEIGHT = 0.15
# A question sentence starts with a question word, or says it is one ("I'm not sure how to…").
ASKS = re.compile(r"^(?:(?:so|but|and|also|ok(?:ay)?|honestly|then|now|well|hi|hey|hello)\b[,.!]?\s*)*"
                  r"(?:how|what|which|who|whom|when|where|why|should|shall|can|could|do|does|did|is|am|are|was|were|would|will|any)\b",
                  re.IGNORECASE)
IMPLICIT = re.compile(r"\b(?:wonder(?:ing)?|not sure|unsure|no idea|don'?t know|do not know|can'?t (?:figure|decide|tell))\s+"
                      r"(?:out\s+)?(?:how|what|which|who|when|where|whether|if)\b"
                      r"|\bany (?:advice|tips|ideas|thoughts|suggestions)\b|\b(?:need|want|looking for) (?:some )?(?:advice|tips|help)\b"
                      r"|\bdon'?t know where to (?:even )?(?:start|begin)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def question_sentences(text: str) -> list[str]:
    """The sentences of a message that ask something: "?"-ended, question-word-led, or "I'm not sure how to…"."""
    out = []
    for sentence in SENTENCE_END.split(text):
        sentence = sentence.strip()
        if len(sentence.split()) < 2:
            continue
        if "?" in sentence or IMPLICIT.search(sentence) or (ASKS.match(sentence) and not sentence.endswith(".")):
            out.append(sentence)
    return out


@dataclass(frozen=True)
class BankEntry:
    id: str
    answer: str
    asked_as: tuple[str, ...]
    steps: tuple[str, ...] = ()  # empty: right at every step
    role: str | None = None  # "self", "manager", or None for either
    # What the answer takes for granted, as a regex over what the mentee has said ("got promoted" for the
    # new-level answer: "how do I get promoted fast?" asks something else). None: nothing.
    premise: re.Pattern | None = None

    def premise_met(self, said: str) -> bool:
        return self.premise is None or bool(self.premise.search(said))

    def holds_for(self, steps: tuple[Step, ...]) -> bool:
        return not self.steps or all(step is not None and step.value in self.steps for step in steps)


def load_entries(meta: dict) -> list[BankEntry]:
    """The front matter's `answers:` (checked when the file is read: `knowledge._check_answers`)."""
    return [BankEntry(id=str(raw["id"]), answer=" ".join(str(raw["answer"]).split()),
                      asked_as=tuple(str(a) for a in raw["asked_as"]),
                      steps=tuple(raw.get("steps") or ()), role=raw.get("role"),
                      premise=re.compile(str(raw["premise"]), re.IGNORECASE) if raw.get("premise") else None)
            for raw in meta.get("answers") or []]


class AnswerBank:
    def __init__(self, entries: list[BankEntry], embedder, cache_dir: Path | None = None) -> None:
        self.entries = entries
        self.embedder = embedder
        phrasings = [text for entry in entries for text in entry.asked_as]
        owner = np.array([i for i, entry in enumerate(entries) for _ in entry.asked_as], dtype=int)
        vectors = signal_vectors(phrasings, embedder, cache_dir) if phrasings else np.zeros((0, 384), dtype=np.float32)
        # One centroid per entry: the mean of its phrasings beat the nearest single phrasing by a wide
        # margin on the calibration questions (see benchmarks/answer_bank_calibration.py).
        centroids = np.zeros((len(entries), vectors.shape[1]), dtype=np.float32)
        np.add.at(centroids, owner, vectors)
        self._centroids = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
        from rank_bm25 import BM25Okapi

        self._bm25 = BM25Okapi([tokenize(" ".join(entry.asked_as)) for entry in entries]) if entries else None

    def similarities(self, message: str, vector: np.ndarray) -> np.ndarray:
        """Each entry's match to a message: cosine to the entry's centroid, plus BM25 over its phrasings
        (scaled so the best entry gets `LEXICAL_WEIGHT`): the words of a question ("promotion",
        "1:1", "deadline") separate entries the embedding puts close together."""
        sims = self._centroids @ vector
        terms = tokenize(message)
        if self._bm25 is not None and terms:
            lexical = self._bm25.get_scores(terms)
            if lexical.max() > 0:
                sims = sims + LEXICAL_WEIGHT * lexical / lexical.max()
        return sims

    def match(self, message: str, vector: np.ndarray | None, steps: tuple[Step, ...], profile: Profile,
              floor: float | None = None) -> BankEntry | None:
        """The entry that answers the message's question, if one is close enough, holds on every one of
        `steps` for the mentee's role (a manager asking about a report, or about themselves), and was
        not given earlier in the conversation. A message that asks nothing gets none."""
        if not self.entries or not question_sentences(message):
            return None
        if vector is None:
            vector = self.embedder.embed_one(message)
        role = "manager" if "manages_others" in profile.facts else "self"
        used = set(profile.used("answers"))
        # Only entries for this role that weren't given yet compete: a manager's answer is no rival for a
        # question about one's own work. Among them, the one for this step must be close to the best.
        # what the mentee has told us: this message, and the words earlier facts and key phrases came from
        said = " ".join([message, *(f.evidence for f in profile.facts.values()), *profile.key_phrases])
        candidates = [e.id not in used and e.role in (None, role) and e.premise_met(said) for e in self.entries]
        sims = np.where(candidates, self.similarities(message, vector), -1.0)
        i = pick(sims, [c and e.holds_for(steps) for c, e in zip(candidates, self.entries)], floor)
        return self.entries[i] if i is not None else None


def pick(sims: np.ndarray, allowed: list[bool], floor: float | None = None) -> int | None:
    """The closest allowed entry, if it clears the floor and is within `STEP_MARGIN` of the closest of all:
    an entry written for another step gives way to the same question's entry for this one, not to a
    different question that happens to clear the floor."""
    floor = MATCH_FLOOR if floor is None else floor
    if not len(sims):
        return None
    best = float(sims.max())
    for i in np.argsort(-sims):
        if sims[i] < max(floor, best - STEP_MARGIN):
            return None
        if allowed[i]:
            return int(i)
    return None
