"""Which of the article's sentences answer a factual question: a small learned ranker.

Every (question, sentence) pair is described by a few dozen numbers: how close the two are in
meaning (the sentence alone, and embedded under its section), BM25 over sentences, how well
the sentence's neighbours and its passage match, by meaning and by BM25 over passages (a
story's answer often sits one sentence after the best match), and whether the sentence carries what the question's type asks for
(a number, a time, a reason, a principle's name), and how close the most similar labelled
question that this sentence answers is (the article is fixed, so "a question like this one was
answered by that sentence" carries over to new wordings). A linear scorer over those numbers,
softmax over the article's sentences, is trained at first use on `training/facts.yaml`:
questions written by four helpers from the article alone, each labelled with the sentences
that answer it. It replaces weights that were tuned by
hand on one eval split and did not carry over to the held-out ones.

Its settings were chosen by cross-validation on the training questions
(`benchmarks/fact_ranker_cv.py`), never on an eval split.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from ..retrieval import spin_mentioned, tokenize

QUESTION_TYPES = ("number", "when", "why", "principle", "what")
# "he", "his", "the author": a question about the story, which the principles file doesn't tell.
ABOUT_AUTHOR = re.compile(r"\b(?:he|his|him|author|article|post)\b", re.IGNORECASE)


class FactRanker:
    ITERATIONS = 300
    LEARNING_RATE = 0.5
    L2 = 1e-3

    def __init__(self, index, embedder, cache_dir: Path | None = None) -> None:
        """`index`: the `SentenceIndex` whose sentences are ranked."""
        from rank_bm25 import BM25Okapi

        from ..diagnosis import signal_vectors
        from .meaning import cached_softmax

        self.index = index
        sentences = index.sentences
        self.weights = None
        self._known_vectors: np.ndarray | None = None
        if not sentences:
            return
        self.plain_vectors = signal_vectors([s.text for s in sentences], embedder, cache_dir)
        # Passages: the chunks the sentences come from, embedded under their section and summary.
        chunk_ids = list(dict.fromkeys(s.chunk_id for s in sentences))
        chunks = [index.chunks[c] for c in chunk_ids]
        self.chunk_vectors = signal_vectors(
            [f"{c.meta.get('section', '')}. {c.meta.get('context', '')}\n{c.text}" for c in chunks], embedder, cache_dir)
        self._chunk_bm25 = BM25Okapi([tokenize(c.text) for c in chunks])
        self._neighbours = _neighbour_indices(sentences)
        self._chunk_of = _group_indices([s.chunk_id for s in sentences])  # positions in `chunk_ids`, in the same order
        self._section_of = _group_indices([s.section for s in sentences])
        self._spins = np.array([s.spin if s.spin is not None else -1 for s in sentences])
        self._traits = sentence_traits(sentences)
        questions = [q for q in training_questions() if q["answers"]]
        located = [(q, self.locate(q["answers"])) for q in questions]
        located = [(q, gold) for q, gold in located if gold]
        if not located:
            return
        q_vectors = signal_vectors([q["question"] for q, _ in located], embedder, cache_dir)
        # The labelled questions are also remembered: "a question like this one was answered by
        # that sentence" is a feature (each training question is described without itself).
        self._known_vectors = q_vectors
        self._known_answers = np.stack([np.isin(np.arange(len(sentences)), gold) for _, gold in located])

        def features() -> np.ndarray:
            return np.concatenate([self.features(q["question"], v, leave_out=i)
                                   for i, ((q, _), v) in enumerate(zip(located, q_vectors))])

        targets = self._known_answers.reshape(-1).astype(np.int64)
        settings = (self.ITERATIONS, self.LEARNING_RATE, self.L2)
        key = "\n".join([" ".join(map(str, settings)), *(s.text for s in sentences),
                         *(f"{q['question']}\t{gold}" for q, gold in located)])
        self.weights, self.bias = cached_softmax(
            "fact-model", key, np.concatenate([q_vectors, self.plain_vectors, self.chunk_vectors, index.vectors]), features, targets, 2,
            cache_dir, fitter=partial(fit_listwise, group=len(sentences)), iterations=self.ITERATIONS,
            learning_rate=self.LEARNING_RATE, l2=self.L2)

    def locate(self, answers: list[str]) -> list[int]:
        """Indices of the sentences a labelled answer quotes (a sentence may be split differently)."""
        out = []
        for answer in answers:
            answer = answer.strip()
            for i, s in enumerate(self.index.sentences):
                if s.text == answer or (len(s.text) > 12 and s.text in answer) or (len(answer) > 12 and answer in s.text):
                    out.append(i)
        return sorted(set(out))

    def features(self, question: str, vector: np.ndarray, leave_out: int | None = None) -> np.ndarray:
        """One row per sentence (`leave_out`: a remembered question not to count, the question itself)."""
        from .sentences import QUESTION_NOISE, question_type

        index = self.index
        sentences = index.sentences
        n = len(sentences)
        contextual = index.vectors @ vector
        plain = self.plain_vectors @ vector
        terms = [t for t in tokenize(question) if t not in QUESTION_NOISE]
        lexical = _scaled(index.bm25.get_scores(terms) if terms else np.zeros(n))
        qtype = question_type(question)
        about_author = bool(ABOUT_AUTHOR.search(question))
        spin = spin_mentioned(question)
        mixed = np.maximum(contextual, plain)
        before, after = self._neighbours
        chunk_best = _group_max(mixed, self._chunk_of)
        section_best = _group_max(mixed, self._section_of)
        chunk_mean = _group_mean(mixed, self._chunk_of)
        passage_words = _scaled(self._chunk_bm25.get_scores(terms) if terms else np.zeros(len(self.chunk_vectors)))[self._chunk_of]
        passage_meaning = self.chunk_vectors @ vector
        passage_meaning = np.column_stack([passage_meaning, passage_meaning - passage_meaning.max()])[self._chunk_of]
        remembered = self._remembered(vector, leave_out)
        cues, shape = self._traits
        asked = np.array([qtype == t for t in QUESTION_TYPES[:4]], np.float32)
        spins = self._spins
        rows = np.column_stack([
            contextual, plain, contextual - contextual.max(), plain - plain.max(),
            _rank_flags(mixed, (1, 3, 10)),
            lexical, _rank_flags(lexical, (1, 3)),
            np.where(before >= 0, mixed[before], 0.0), np.where(after >= 0, mixed[after], 0.0),
            np.where(before >= 0, lexical[before], 0.0),
            chunk_best, chunk_mean, section_best, section_best - mixed.max(),
            passage_words, passage_words == 1.0, passage_meaning,
            remembered, remembered - remembered.max(), (remembered == remembered.max()) & (remembered > 0),
            cues * asked, cues, shape, shape[:, 0] * about_author,  # shape[:, 0]: from the principles file
            (spins == spin) if spin is not None else np.zeros(n),
            (spins >= 0) & (spins != spin) if spin is not None else np.zeros(n),
        ]).astype(np.float32)
        return rows

    def _remembered(self, vector: np.ndarray, leave_out: int | None) -> np.ndarray:
        """Per sentence: how close the most similar labelled question it answers is to this one."""
        if self._known_vectors is None:
            return np.zeros(len(self.index.sentences))
        similarity = self._known_vectors @ vector
        if leave_out is not None:
            similarity[leave_out] = -1.0
        return np.where(self._known_answers, similarity[:, None], 0.0).max(0)

    def probabilities(self, question: str, vector: np.ndarray) -> np.ndarray:
        """How likely each sentence is to be the answer (summing to 1 over the article)."""
        if self.weights is None:
            return np.zeros(len(self.index.sentences), np.float32)
        logits = self.features(question, vector) @ self.weights[:, 1]
        p = np.exp(logits - logits.max())
        return p / p.sum()


def sentence_traits(sentences) -> tuple[np.ndarray, np.ndarray]:
    """What each sentence carries, whatever the question: (cues for a number, a time, a reason,
    a principle's name; its shape: from the principles file, a question, a quote, a colon, a
    signpost, its length)."""
    from .sentences import BECAUSE, NUMBER, PRINCIPLE_NAME, SIGNPOST, SPIN_MENTION, YEAR_OR_TIME

    cues = np.array([[bool(NUMBER.search(s.text)), bool(YEAR_OR_TIME.search(s.text) or SPIN_MENTION.search(s.text)),
                      bool(BECAUSE.search(s.text)), bool(PRINCIPLE_NAME.search(s.text))] for s in sentences], np.float32)
    shape = np.array([[s.kind == "principle", s.text.rstrip("\"”’)").endswith("?"), s.text.startswith(("“", '"')),
                       s.text.endswith(":"), bool(SIGNPOST.match(s.text)), min(len(s.text.split()), 40) / 40]
                      for s in sentences], np.float32)
    return cues, shape


def fit_listwise(x: np.ndarray, y: np.ndarray, classes: int, *, group: int, iterations: int, learning_rate: float,
                 l2: float) -> tuple[np.ndarray, np.ndarray]:
    """A linear scorer trained so that, for each question (`group` consecutive rows, one per
    sentence), the softmax over its sentences puts its mass on the labelled ones. Ranking all
    sentences of a question against each other learned better than yes/no per sentence
    (5-fold on the first 176 questions, top-1 0.54 against 0.47). Returned in `fit_softmax`'s shape: class 1's column scores."""
    rows = x.reshape(-1, group, x.shape[1]).astype(np.float64)
    target = y.reshape(-1, group).astype(np.float64)
    target /= np.maximum(target.sum(1, keepdims=True), 1.0)
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        scores = rows @ w
        p = np.exp(scores - scores.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        grad = np.einsum("qnd,qn->d", rows, p - target) / len(rows)
        w -= learning_rate * (grad + l2 * w)
    weights = np.zeros((x.shape[1], classes), np.float32)
    weights[:, 1] = w
    return weights, np.zeros(classes, np.float32)


def _neighbour_indices(sentences) -> tuple[np.ndarray, np.ndarray]:
    """The sentence before and after each one within its section (-1: none)."""
    before = np.array([i - 1 if i and sentences[i - 1].section == s.section else -1 for i, s in enumerate(sentences)])
    after = np.array([i + 1 if i + 1 < len(sentences) and sentences[i + 1].section == s.section else -1
                      for i, s in enumerate(sentences)])
    return before, after


def _scaled(scores: np.ndarray) -> np.ndarray:
    """BM25 scores over the best one (all zeros stay zeros)."""
    return scores / (float(np.max(scores)) or 1.0)


def _group_indices(keys: list) -> np.ndarray:
    ids: dict = {}
    return np.array([ids.setdefault(k, len(ids)) for k in keys])


def _group_max(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    best = np.full(groups.max() + 1, -np.inf)
    np.maximum.at(best, groups, values)
    return best[groups]


def _group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    sums = np.bincount(groups, weights=values)
    counts = np.bincount(groups)
    return (sums / counts)[groups]


def _rank_flags(values: np.ndarray, tops: tuple[int, ...]) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    rank = np.empty(len(values), np.int64)
    rank[order] = np.arange(len(values))
    return np.column_stack([rank < k for k in tops]).astype(np.float32)


@lru_cache(maxsize=1)
def training_questions() -> list[dict]:
    from ..yamlio import load_yaml

    path = Path(__file__).with_name("training") / "facts.yaml"
    if not path.exists():
        return []
    return [q for q in load_yaml(path.read_text(encoding="utf-8")) or [] if q.get("question") and q.get("answers")]
