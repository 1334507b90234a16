"""The value types of the public API: Step, Source, Citation, Answer, IndexReport.

Plain dataclasses with `to_dict()` so the CLI's `--json`, the page and the eval
suites all see the same field names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Step(str, Enum):
    """Where a mentee is on the flywheel. Values are stable: APIs and evals use them."""

    DELIVER_RESULTS = "deliver_results"
    EARN_TRUST = "earn_trust"
    OWNERSHIP_THINK_BIG = "ownership_think_big"
    INVENT_AND_SIMPLIFY = "invent_and_simplify"
    BIAS_FOR_ACTION = "bias_for_action"
    ARE_RIGHT_A_LOT = "are_right_a_lot"
    CUSTOMER_OBSESSION = "customer_obsession"

    def __str__(self) -> str:  # so f"{step}" prints the value, not Step.X
        return self.value

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def next(self) -> "Step":
        """The step the wheel turns to next (Are Right a Lot turns back to Deliver Results)."""
        if self is Step.CUSTOMER_OBSESSION:
            return Step.OWNERSHIP_THINK_BIG
        order = LOOP.index(self)
        return LOOP[(order + 1) % len(LOOP)]


_LABELS = {
    Step.DELIVER_RESULTS: "Deliver Results",
    Step.EARN_TRUST: "Earn Trust",
    Step.OWNERSHIP_THINK_BIG: "Ownership + Think Big",
    Step.INVENT_AND_SIMPLIFY: "Invent and Simplify",
    Step.BIAS_FOR_ACTION: "Bias for Action",
    Step.ARE_RIGHT_A_LOT: "Are Right a Lot",
    Step.CUSTOMER_OBSESSION: "Customer Obsession",
}

def step_label(value: str | None) -> str:
    """Human label for a stored step value ("not set" when empty; unknown values shown as-is)."""
    if not value:
        return "not set"
    try:
        return Step(value).label
    except ValueError:
        return value


LOOP: tuple[Step, ...] = (
    Step.DELIVER_RESULTS,
    Step.EARN_TRUST,
    Step.OWNERSHIP_THINK_BIG,
    Step.INVENT_AND_SIMPLIFY,
    Step.BIAS_FOR_ACTION,
    Step.ARE_RIGHT_A_LOT,
)

KINDS = ("article", "principle", "flywheel")  # knowledge file kinds
SOURCE_KINDS = ("article", "principle", "guide")  # a flywheel file's passages are the mentor's notes: "guide"


def source_label(title: str, section: str) -> str:
    """How a passage is named to people: "Title — Section" (just the title when they match)."""
    return f"{title} — {section}" if section and section != title else title


@dataclass
class Source:
    """One retrieved passage. `score` is the fused relevance in (0, 1], higher is better."""

    id: str
    title: str
    kind: str
    text: str
    score: float
    section: str = ""
    steps: list[str] = field(default_factory=list)
    spin: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        return source_label(self.title, self.section)


@dataclass
class Citation:
    """A `[n]` marker in an answer: which source it points to and whether it checked out."""

    n: int
    source_id: str | None
    verified: bool
    quote: str | None = None
    problem: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    text: str
    sources: list[Source]
    step: Step | None
    in_scope: bool
    next_action: str | None
    mode: str  # "offline" | "llm"
    citations: list[Citation] = field(default_factory=list)
    question: str = ""
    standalone_question: str | None = None
    model: str | None = None
    notice: str | None = None
    step_confidence: float = 0.0  # how sure the placement is, 0..1
    alternatives: list[Step] = field(default_factory=list)  # close runners-up to `step`
    move: str | None = None  # what the message did: new_situation, progress, objection, ...
    clarifying_question: str | None = None  # set when the mentor asks instead of placing
    options: list[str] = field(default_factory=list)  # quick replies for the clarifying question
    facts: list[str] = field(default_factory=list)  # profile facts known after this turn

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "sources": [s.to_dict() for s in self.sources],
            "step": self.step.value if self.step else None,
            "in_scope": self.in_scope,
            "next_action": self.next_action,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "question": self.question,
            "standalone_question": self.standalone_question,
            "model": self.model,
            "notice": self.notice,
            "step_confidence": self.step_confidence,
            "alternatives": [s.value for s in self.alternatives],
            "move": self.move,
            "clarifying_question": self.clarifying_question,
            "options": list(self.options),
            "facts": list(self.facts),
        }


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    moved_aside: str | None = None  # `--rebuild` set an unreadable store aside here (kept, not deleted)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        text = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged files; {self.chunks} chunks in the store ({self.seconds:.2f}s)"
        )
        if self.moved_aside:
            text = f"the unreadable store was moved aside to {self.moved_aside} (nothing deleted)\n" + text
        return text


@dataclass
class AnswerRequest:
    """Everything an answerer (offline composer or LLM chain) gets for one turn."""

    question: str  # what the mentee typed
    standalone_question: str  # rewritten from history for retrieval (same as question on a first turn)
    sources: list[Source]
    step: Step | None
    session: object | None = None  # assistant.session.Session
    scope_reason: str = "career"  # "career" | "injection" | "off_topic"
    model_unavailable: str | None = None  # set when the follow-up rewrite already found the model down
    vector: object | None = None  # the question's embedding
    search_vector: object | None = None  # the standalone question's embedding (retrieval, factual answers)
    state: object | None = None  # assistant.dialogue.manager.TurnState: move, facts, placement, profile
    composition: object | None = None  # the offline composer's output, once written
