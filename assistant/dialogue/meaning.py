"""Reading a message by meaning: three small models learned from labelled examples.

Patterns (`understanding.FACT_PATTERNS`) are precise but only know the words they were
written for; on messages nobody tuned them on they placed about 63% of first messages
right. The models here learn from data instead (see `training/`, written and labelled by
nine separate authors from the article alone, never from an eval split):

- `StepModel`: where a message puts the mentee. A softmax regression over the message's
  MiniLM vector, the facts the patterns found, and hashed words.
- `TransitionModel`: mid-conversation, whether a message keeps the mentee where they are,
  moves them on one step, or puts them elsewhere.
- `MeaningReader`: what a mid-conversation message does (objection, outcome, progress,
  "what's next"): the k nearest move examples (`exemplars.yaml`) vote.

All are built once per Mentor over the vector retrieval already computed (no extra
encoding); example vectors ship precomputed (`assistant.vector_cache`) and trained weights
are cached on disk, keyed by what they were trained on.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..types import Step
from .placement import advance

SCORE_SCALE = 0.2  # probabilities scaled to the range of the old similarity scores (CLARIFY_MARGIN)


@lru_cache(maxsize=1)
def exemplar_data() -> dict:
    from ..yamlio import load_yaml

    return load_yaml(Path(__file__).with_name("exemplars.yaml").read_text(encoding="utf-8"))


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


class StepModel:
    """Where a message puts the mentee: a softmax regression over what the message says.

    Trained at first use on `training/situations.yaml` (the situations with a step) plus the
    first turns of `training/conversations.yaml`.
    Each message is read three ways, concatenated:
    its MiniLM vector (meaning), the facts the patterns found in it (`understanding.find_facts`:
    precise where they fire) and hashed word unigrams and bigrams (the cue words a long message's
    vector averages away: "late", "prod", "approved", "nobody uses it").
    Its settings were chosen by 5-fold cross-validation on the training data, never on an eval
    split (`benchmarks/dialogue_cv.py`; numbers in the README).

    `scores(...)` returns probabilities × SCORE_SCALE, the range `placement.CLARIFY_MARGIN` is in.
    """

    ITERATIONS = 500
    LEARNING_RATE = 2.0
    L2 = 5e-3
    INPUT_SCALE = 20.0
    FACT_WEIGHT = 0.5
    WORDS_WEIGHT = 1.5
    WORD_BUCKETS = 2048

    def __init__(self, embedder, cache_dir: Path | None = None) -> None:
        from ..diagnosis import signal_vectors
        from .understanding import FACT_PATTERNS, find_facts

        self.fact_names = tuple(FACT_PATTERNS)
        texts, steps = training_situations()
        self.steps = sorted(set(steps), key=lambda s: list(Step).index(s))
        self.training_vectors = np.zeros((0, 384), np.float32)  # one per training situation (the composer's hub correction reuses them)
        if not texts:
            self.weights, self.bias = np.zeros((0, 0), np.float32), np.zeros(0, np.float32)
            return
        vectors = self.training_vectors = signal_vectors(texts, embedder, cache_dir)
        targets = np.array([self.steps.index(s) for s in steps])
        settings = (self.ITERATIONS, self.LEARNING_RATE, self.L2, self.INPUT_SCALE, self.FACT_WEIGHT,
                    self.WORDS_WEIGHT, self.WORD_BUCKETS, *self.fact_names)
        key = "\n".join([" ".join(map(str, settings)), *(f"{s.value}\t{t}" for s, t in zip(steps, texts))])
        self.weights, self.bias = cached_softmax(
            "step-model", key, vectors, lambda: np.stack([self.features(t, v, find_facts(t)) for t, v in zip(texts, vectors)]),
            targets, len(self.steps), cache_dir, iterations=self.ITERATIONS, learning_rate=self.LEARNING_RATE, l2=self.L2)

    def features(self, text: str, vector: np.ndarray, facts) -> np.ndarray:
        stated = np.array([1.0 if name in facts else 0.0 for name in self.fact_names], np.float32)
        return np.concatenate([vector, stated * self.FACT_WEIGHT, word_buckets(text, self.WORD_BUCKETS) * self.WORDS_WEIGHT]
                              ) * self.INPUT_SCALE

    def probabilities(self, text: str, vector: np.ndarray, facts) -> np.ndarray:
        """One probability per step in `self.steps`."""
        return softmax(self.features(text, vector, facts) @ self.weights + self.bias)

    def scores(self, text: str, vector: np.ndarray | None, facts=(), probabilities: np.ndarray | None = None
               ) -> dict[Step, float]:
        """`probabilities` × SCORE_SCALE by step; pass `probabilities` when already computed for this message."""
        if vector is None or not self.steps:
            return {}
        if probabilities is None:
            probabilities = self.probabilities(text, vector, facts)
        return {step: float(p) * SCORE_SCALE for step, p in zip(self.steps, probabilities)}


def softmax(logits: np.ndarray) -> np.ndarray:
    p = np.exp(logits - logits.max())
    return p / p.sum()


SCOPES = ("flywheel", "adjacent", "off_topic")


class ScopeModel:
    """Is a first message about growing at work (the flywheel's question), career-adjacent (pay, visas,
    interviews, contracts: the article can't answer), or not about careers at all?

    A softmax regression over the message's MiniLM vector and hashed words, trained at first use on
    every situation in `training/situations.yaml` with its `scope` label (the lookalikes too: a
    pastry chef whose menu ideas are ignored is a career question, a team-party chili recipe is
    not). The word lists in `guard` and `manager.ADJACENT` stay the precise first layer; this
    catches what they miss, and only says so when it is sure (`SURE`, chosen by 5-fold
    cross-validation on the training data: `python benchmarks/scope_cv.py`).
    """

    ITERATIONS = 400
    LEARNING_RATE = 2.0
    L2 = 5e-3
    INPUT_SCALE = 20.0
    WORDS_WEIGHT = 1.0
    WORD_BUCKETS = 2048
    # How sure it must be before a message leaves the wheel: a career question turned away costs more
    # than an aside answered on the wheel. At 0.7, 5-fold on everything it learns from: 2 of 4,104
    # career and article questions turned away, 136 of 280 adjacent or off-topic ones caught (the
    # word lists alone: 35 turned away, 92 caught).
    SURE = {"adjacent": 0.7, "off_topic": 0.7}
    # The word lists already named an adjacent topic and the message states facts about the mentee's work: how
    # sure the model must be that the question is about the topic (5-fold, `benchmarks/scope_cv.py`).
    ADJACENT_DESPITE_FACTS = 0.5

    def __init__(self, embedder, cache_dir: Path | None = None,
                 examples: tuple[list[str], list[str]] | None = None) -> None:
        """`examples`: (texts, scopes) to learn from; `scope_examples()` when not given."""
        from ..diagnosis import signal_vectors

        texts, scopes = examples if examples is not None else scope_examples()
        if not texts:
            self.weights, self.bias = np.zeros((0, 0), np.float32), np.zeros(0, np.float32)
            return
        vectors = signal_vectors(texts, embedder, cache_dir)
        targets = np.array([SCOPES.index(s) for s in scopes])
        settings = (self.ITERATIONS, self.LEARNING_RATE, self.L2, self.INPUT_SCALE, self.WORDS_WEIGHT, self.WORD_BUCKETS)
        key = "\n".join([" ".join(map(str, settings)), *(f"{s}\t{t}" for s, t in zip(scopes, texts))])
        self.weights, self.bias = cached_softmax(
            "scope-model", key, vectors, lambda: np.stack([self.features(t, v) for t, v in zip(texts, vectors)]),
            targets, len(SCOPES), cache_dir, iterations=self.ITERATIONS, learning_rate=self.LEARNING_RATE, l2=self.L2)

    def features(self, text: str, vector: np.ndarray) -> np.ndarray:
        return np.concatenate([vector, word_buckets(text, self.WORD_BUCKETS) * self.WORDS_WEIGHT]) * self.INPUT_SCALE

    def probabilities(self, text: str, vector: np.ndarray) -> dict[str, float]:
        if vector is None or not self.weights.size:
            return {"flywheel": 1.0, "adjacent": 0.0, "off_topic": 0.0}
        return {scope: float(x) for scope, x in zip(SCOPES, softmax(self.features(text, vector) @ self.weights + self.bias))}

    def adjacent_despite_facts(self, text: str, vector: np.ndarray | None) -> bool:
        """A message the word lists call adjacent that also tells us about the mentee's work ("i'm on opt and my
        manager hasn't mentioned h1b sponsorship, should i bring it up now or wait until i've proven myself?"):
        adjacent when the model leans that way (`ADJACENT_DESPITE_FACTS`), since facts alone kept such questions
        on the wheel; a growth question that mentions pay ("I've delivered for two years, how do I ask for the
        promotion and the raise?") stays on it."""
        return vector is not None and self.probabilities(text, vector)["adjacent"] >= self.ADJACENT_DESPITE_FACTS

    def sure(self, text: str, vector: np.ndarray) -> str:
        """"adjacent" or "off_topic" when the model is sure of it, else "flywheel"."""
        p = self.probabilities(text, vector)
        return next((scope for scope, floor in self.SURE.items() if p[scope] >= floor), "flywheel")


TRANSITIONS = ("stay", "advance", "elsewhere")
MOVES = ("progress", "new_situation", "objection", "whats_next", "outcome_success", "outcome_failure",
         "clarify_answer", "after_that")


class TransitionModel:
    """Mid-conversation: does this message keep the mentee where they are, move them on one
    step (they met the step's "moves on when" condition), or put them elsewhere?

    "Merged milestone 1 behind a flag, it's off for everyone" keeps Bias for Action; "12 people
    use it daily" moves on. Trained on the follow-up turns of `training/conversations.yaml`,
    teacher-forced (the step before each turn is its label), over: the step model's
    probabilities for the current and the next step, the move the message reads as, the facts
    it states and the ones earlier turns stated, where the facts' rules alone would put the
    mentee (`placement.stage_from_facts`), and its vector and words, the vector once more per
    current step. It decides every follow-up (an incident aside): the rules' verdict is one of
    its inputs, not an override. Chosen by 5-fold cross-validation by conversation on those
    turns (`benchmarks/dialogue_cv.py`, `benchmarks/followup_cv.py`; numbers in the README).
    """

    ITERATIONS = 2000
    LEARNING_RATE = 0.5
    L2 = 1e-2
    PROBABILITY_SCALE = 5.0
    MEANING_WEIGHT = 2.0
    # The message's vector again, once per step it is said at: what meets the condition depends on the
    # step ("shipped v0" moves Bias for Action on; "closed my tickets on time" only Deliver Results).
    STEP_MEANING_WEIGHT = 6.0
    WORD_BUCKETS = 2048

    def __init__(self, step_model: StepModel, embedder, read, cache_dir: Path | None = None) -> None:
        """`read(text, vector) -> (move, facts)`: the dialogue's reading of a mid-conversation message."""
        from ..diagnosis import signal_vectors

        self.step_model = step_model
        turns = training_followups()
        if not turns or not step_model.steps:
            self.weights = None
            return
        texts = [t for t, _, _, _ in turns]
        vectors = signal_vectors(texts, embedder, cache_dir)
        earlier_texts = sorted({e for _, _, _, earlier in turns for e in earlier})
        earlier_vectors = dict(zip(earlier_texts, signal_vectors(earlier_texts, embedder, cache_dir)))
        targets = np.array([0 if after is before else 1 if after is advance(before) else 2 for _, before, after, _ in turns])

        def features() -> np.ndarray:
            facts_of = {text: set(read(text, vector)[1]) for text, vector in earlier_vectors.items()}
            rows = []
            for (text, before, _, earlier), vector in zip(turns, vectors):
                move, facts = read(text, vector)
                known = set().union(*(facts_of[e] for e in earlier))
                rows.append(self.features(text, vector, move, facts, before, known))
            return np.stack(rows)

        settings = (self.ITERATIONS, self.LEARNING_RATE, self.L2, self.PROBABILITY_SCALE, self.MEANING_WEIGHT,
                    self.STEP_MEANING_WEIGHT, self.WORD_BUCKETS, hashlib.sha256(step_model.weights.tobytes()).hexdigest())
        key = "\n".join([" ".join(map(str, settings)),
                         *(f"{b.value}\t{a.value}\t{t}\t{len(e)}" for t, b, a, e in turns)])
        self.weights, self.bias = cached_softmax("transition-model", key, vectors, features, targets, len(TRANSITIONS),
                                                 cache_dir, iterations=self.ITERATIONS, learning_rate=self.LEARNING_RATE,
                                                 l2=self.L2)

    def features(self, text: str, vector: np.ndarray, move: str, facts, before: Step, known=frozenset(),
                 probabilities: np.ndarray | None = None) -> np.ndarray:
        """`probabilities`: the step model's for this message, when already computed."""
        from .placement import ORDER, stage_from_facts

        if probabilities is None:
            probabilities = self.step_model.probabilities(text, vector, facts)
        p = dict(zip(self.step_model.steps, probabilities))
        after = advance(before)
        # What the facts' rules alone would say (with what earlier turns told us), as one input among the others.
        stated, _ = stage_from_facts(set(facts), set(known))
        other = stated is not None and stated not in (before, after)
        relation = [stated is None, stated is before, stated is after,
                    other and ORDER.get(stated, 99) < ORDER.get(before, -1), other and not ORDER.get(stated, 99) < ORDER.get(before, -1)]
        elsewhere = max([v for k, v in p.items() if k not in (before, after)] or [0.0])
        head = np.array([p.get(before, 0.0), p.get(after, 0.0), elsewhere], np.float32) * self.PROBABILITY_SCALE
        at = np.array([step is before for step in Step], np.float32)
        return np.concatenate([head, np.array([move == m for m in MOVES] + relation, np.float32),
                               np.array([name in facts for name in self.step_model.fact_names]
                                        + [name in known for name in self.step_model.fact_names], np.float32),
                               [min(len(text.split()), 60) / 60],
                               vector * self.MEANING_WEIGHT, word_buckets(text, self.WORD_BUCKETS) * self.MEANING_WEIGHT,
                               np.outer(at, vector).ravel() * self.STEP_MEANING_WEIGHT])

    def predict(self, text: str, vector: np.ndarray | None, move: str, facts, before: Step, known=frozenset()) -> str | None:
        """"stay", "advance" or "elsewhere" (None: no model, or no vector)."""
        if self.weights is None or vector is None:
            return None
        return self.verdict(self.features(text, vector, move, facts, before, known))

    def verdict(self, features: np.ndarray) -> str:
        """The transition for one row of `features(...)`."""
        return TRANSITIONS[int(np.argmax(features @ self.weights + self.bias))]


class FollowUpStepModel:
    """Mid-conversation, a second opinion on where a follow-up puts the mentee: which step, read
    from the message, the step we had them at, and the whole conversation so far.

    The transition model only says stay, move on or elsewhere from the step we had them at, and
    learned from turns that start on the right step: after one misplaced turn it keeps the mentee
    on the wrong step ("follow-ups that start after an earlier miss": 33 of 205 right in
    `benchmarks/followup_cv.py`). This model names the step itself, over the transition model's
    inputs plus the step model's probabilities for every step, the step the facts' rules name,
    and the step model's reading of all the mentee's messages together; it is trained on every
    follow-up turn said from its labelled step and, at `NEIGHBOUR_WEIGHT`, from each
    neighbouring step (the same message and the same right answer, so it learns to correct a
    step we had one off). It overrules the transition model only when it is at least
    `placement.OVERRULE` sure of another step (chosen by 5-fold cross-validation by conversation
    on the training conversations; numbers in the README).
    """

    NEIGHBOUR_WEIGHT = 0.3
    CONVERSATION_WEIGHT = 5.0

    def __init__(self, transitions: TransitionModel, embedder, read, cache_dir: Path | None = None) -> None:
        from ..diagnosis import signal_vectors

        self.transitions = transitions
        self.embedder = embedder
        turns = training_followups()
        if transitions.weights is None or not turns:
            self.weights = None
            return
        texts = sorted({t for t, _, _, _ in turns} | {e for _, _, _, earlier in turns for e in earlier})
        vector_of = dict(zip(texts, signal_vectors(texts, embedder, cache_dir)))
        rows = []  # (turn, the step we had them at, weight)
        for turn in turns:
            _, before, _, _ = turn
            rows.append((turn, before, 1.0))
            if before is not Step.CUSTOMER_OBSESSION:
                rows += [(turn, neighbour, self.NEIGHBOUR_WEIGHT) for neighbour in neighbours(before)]
        targets = np.array([STEPS.index(after) for (_, _, after, _), _, _ in rows])
        sample_weight = np.array([w for _, _, w in rows], np.float32)

        def features() -> np.ndarray:
            reading = {text: read(text, vector) for text, vector in vector_of.items()}
            out = []
            for (text, _, _, earlier), before, _ in rows:
                move, facts = reading[text]
                known = set().union(*(set(reading[e][1]) for e in earlier))
                together = np.mean([vector_of[t] for t in (*earlier, text)], axis=0)
                out.append(self.features(text, vector_of[text], move, facts, before, known, list(earlier), together))
            return np.stack(out)

        settings = (TransitionModel.ITERATIONS, TransitionModel.LEARNING_RATE, TransitionModel.L2, self.NEIGHBOUR_WEIGHT,
                    self.CONVERSATION_WEIGHT, hashlib.sha256(transitions.step_model.weights.tobytes()).hexdigest())
        key = "\n".join([" ".join(map(str, settings)),
                         *(f"{b.value}\t{a.value}\t{t}\t{len(e)}\t{w}" for (t, _, a, e), b, w in rows)])
        self.weights, self.bias = cached_softmax(
            "follow-up-step-model", key, np.stack([vector_of[t] for (t, _, _, _), _, _ in rows]), features, targets,
            len(STEPS), cache_dir, iterations=TransitionModel.ITERATIONS, learning_rate=TransitionModel.LEARNING_RATE,
            l2=TransitionModel.L2, sample_weight=sample_weight)

    def features(self, text: str, vector: np.ndarray, move: str, facts, before: Step, known, earlier: list[str],
                 together: np.ndarray, probabilities: np.ndarray | None = None,
                 transition_features: np.ndarray | None = None) -> np.ndarray:
        """`probabilities` (the step model's for this message) and `transition_features` (the
        transition model's row for it): pass them when already computed."""
        from .placement import stage_from_facts

        step_model = self.transitions.step_model
        if probabilities is None:
            probabilities = step_model.probabilities(text, vector, facts)
        if transition_features is None:
            transition_features = self.transitions.features(text, vector, move, facts, before, known, probabilities)
        every = np.zeros(len(STEPS), np.float32)
        every[[STEPS.index(s) for s in step_model.steps]] = probabilities
        stated, _ = stage_from_facts(set(facts), set(known))
        norm = float(np.linalg.norm(together))
        whole = np.zeros(len(STEPS), np.float32)
        whole[[STEPS.index(s) for s in step_model.steps]] = step_model.probabilities(
            " ".join([*earlier, text]), together / norm if norm else together, set(facts) | set(known))
        return np.concatenate([transition_features, one_hot(before) * 2, every * 5, one_hot(stated), whole * self.CONVERSATION_WEIGHT])

    def predict(self, text: str, vector: np.ndarray | None, move: str, facts, before: Step, known,
                earlier: list[str], probabilities: np.ndarray | None = None,
                transition_features: np.ndarray | None = None) -> tuple[Step, float] | None:
        """The step it reads and how sure it is (None: no model, or no vector)."""
        if self.weights is None or vector is None:
            return None
        together = np.mean([*self.embedder.embed(earlier), vector], axis=0) if earlier else vector
        p = softmax(self.features(text, vector, move, facts, before, known, earlier, together, probabilities,
                                  transition_features) @ self.weights + self.bias)
        best = int(np.argmax(p))
        return STEPS[best], float(p[best])


STEPS = tuple(Step)


def one_hot(step: Step | None) -> np.ndarray:
    out = np.zeros(len(STEPS), np.float32)
    if step is not None:
        out[STEPS.index(step)] = 1.0
    return out


def neighbours(step: Step) -> tuple[Step, Step]:
    """The steps either side of this one on the wheel (Deliver Results and Are Right a Lot are neighbours).
    A tuple, not a set: a set of str enums iterates in a per-process order, and the trained weights'
    cache key must not."""
    loop = STEPS[:6]
    i = loop.index(step)
    return loop[(i - 1) % 6], loop[(i + 1) % 6]


def cached_softmax(name: str, key: str, vectors: np.ndarray, features, y: np.ndarray, classes: int,
                   cache_dir: Path | None, fitter=None, **fit) -> tuple[np.ndarray, np.ndarray]:
    """`fit_softmax` (or `fitter`, same signature) on `features()`, cached by a hash of what the weights depend on: `key` (the
    settings, texts and labels), the texts' vectors, and the code and data that turn them into
    features (`reading_fingerprint`). Features are only computed on a miss. The weights shipped
    in `assistant.vector_cache` are looked up first, then `cache_dir`'s."""
    from ..vector_cache import folder

    weighting = fit["sample_weight"].tobytes() if fit.get("sample_weight") is not None else b""
    digest = hashlib.sha256(key.encode() + vectors.tobytes() + y.tobytes() + weighting + reading_fingerprint()).hexdigest()[:20]
    filename = f"{name}-{digest}.npz"
    for path in (folder() / filename, Path(cache_dir) / filename if cache_dir else None):
        if path is not None and path.exists():
            try:
                saved = np.load(path)
                if saved["weights"].shape[1] == classes and len(saved["bias"]) == classes:
                    return saved["weights"], saved["bias"]
            except (OSError, ValueError, KeyError):
                pass  # a damaged cache file is retrained below
    weights, bias = (fitter or fit_softmax)(features(), y, classes, **fit)
    if cache_dir is not None:
        from ..diagnosis import write_atomically

        write_atomically(Path(cache_dir) / filename, lambda tmp: np.savez(tmp, weights=weights, bias=bias))
    return weights, bias


@lru_cache(maxsize=1)
def reading_fingerprint() -> bytes:
    """The source of everything that turns a message into features (patterns, moves, placement
    rules, the move examples): any edit to them retrains the models rather than reusing weights."""
    here = Path(__file__).parent
    names = ("meaning.py", "understanding.py", "placement.py", "manager.py", "exemplars.yaml", "sentences.py",
             "fact_ranker.py")
    try:
        return hashlib.sha256(b"".join((here / name).read_bytes() for name in names)).digest()
    except OSError:  # sources not on disk (a zipped install): texts, labels and vectors still key the cache
        return b""


def training_followups() -> list[tuple[str, Step, Step, tuple[str, ...]]]:
    """(message, step before, step after, the conversation's earlier messages) for every follow-up turn
    with a step on both sides."""
    out = []
    for conversation in training_data()[1]:
        before = None
        turns = conversation["turns"]
        for i, turn in enumerate(turns):
            after = Step(turn["step"]) if turn.get("step") else None
            if i and before is not None and after is not None:
                out.append((turn["text"], before, after, tuple(t["text"] for t in turns[:i])))
            before = after or before
    return out


@lru_cache(maxsize=1)
def training_data() -> tuple[list[dict], list[dict]]:
    return training_file("situations.yaml"), training_file("conversations.yaml")


@lru_cache(maxsize=None)
def training_file(name: str) -> list[dict]:
    """One file of `training/`, parsed (an empty list for an empty file)."""
    from ..yamlio import load_yaml

    return load_yaml((Path(__file__).with_name("training") / name).read_text(encoding="utf-8")) or []


def training_situations() -> tuple[list[str], list[Step]]:
    """The labelled first messages the step model learns from (adjacent and off-topic ones aside)."""
    situations, conversations = training_data()
    pairs = [(s["text"], s["step"]) for s in situations if s.get("step")]
    pairs += [(c["turns"][0]["text"], c["turns"][0]["step"]) for c in conversations
              if c["turns"] and c["turns"][0].get("step") and c["turns"][0].get("move") == "new_situation"]
    return [t for t, _ in pairs], [Step(s) for _, s in pairs]


def training_scopes() -> tuple[list[str], list[str]]:
    """Every labelled situation with its scope (flywheel, adjacent, off_topic); the conversations' first turns,
    the questions about the article (`fact_ranker.training_questions`) and the mentees' own questions
    (`training/questions.yaml`, its off-topic ones aside) are on the wheel's side: in scope."""
    from .fact_ranker import training_questions

    situations, conversations = training_data()
    pairs = [(s["text"], s["scope"]) for s in situations if s.get("scope") in SCOPES]
    pairs += [(c["turns"][0]["text"], "flywheel") for c in conversations
              if c["turns"] and c["turns"][0].get("step") and c["turns"][0].get("move") == "new_situation"]
    pairs += [(q["question"], "flywheel") for q in training_questions()]
    pairs += [(q["msg"], "off_topic" if q.get("kind") == "offtopic" else "flywheel") for q in training_file("questions.yaml")]
    return [t for t, _ in pairs], [s for _, s in pairs]


def scope_examples(in_scope: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """`training_scopes()`, plus more messages known to be career questions (the answer bank's phrasings:
    short questions such as "should I ask for a promotion?", which the situations rarely are)."""
    texts, scopes = training_scopes()
    return texts + list(in_scope), scopes + ["flywheel"] * len(in_scope)


def word_buckets(text: str, buckets: int) -> np.ndarray:
    """Hashed word unigrams and bigrams, as a unit vector (crc32: stable across runs, unlike hash())."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    out = np.zeros(buckets, np.float32)
    for gram in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))]:
        out[zlib.crc32(gram.encode()) % buckets] = 1.0
    norm = float(np.linalg.norm(out))
    return out / norm if norm else out


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, *, iterations: int, learning_rate: float,
                l2: float, sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent (a few hundred examples:
    well under a second; no scikit-learn in the install for one small model). `sample_weight`: how
    much each example counts (all alike when not given)."""
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    share = (np.full(len(x), 1.0 / len(x)) if sample_weight is None else sample_weight / sample_weight.sum())
    share = share.astype(np.float32)[:, None]
    for _ in range(iterations):
        logits = x @ weights + bias
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        grad = (p - onehot) * share
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
