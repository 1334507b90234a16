"""A mentee's conversation and journey: turns, current spin and step, commitments.

A Session is plain data (`to_dict`/`from_dict` round-trip) so the page can keep it
in `st.session_state` and the journal can save it to SQLite.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from .dialogue.profile import Profile
from .types import Step

COMMITMENT_PATTERN = re.compile(
    r"\b(?:I will|I'll|I am going to|I'm going to|I commit to|I promise to|my plan is to)\s+(?P<what>[^.!?\n]{6,200})",
    re.IGNORECASE,
)


VAGUE_COMMITMENT = re.compile(r"^\w+\s+(?:that|it|this|those|these|so)\b", re.IGNORECASE)
# "I'm worried that if I wait he will get it and I will stay with the boring reports": a fear, not a promise.
NOT_A_PROMISE = re.compile(r"\b(?:if|worr\w*|afraid|scared|fear\w*|otherwise|or else|unless|maybe|might|(?:feels?|feeling|seems?|looks?) like|"
                           r"probably)\b", re.IGNORECASE)
# "I'm going to be on probation forever": a prediction about themselves, not something they will do.
A_PREDICTION = re.compile(r"^(?:be|get|end up|have to|need to|lose|fail|never)\b", re.IGNORECASE)
# "I'll just keep my head down and let the work talk": deciding not to act is not a commitment to hold them to.
NOT_AN_ACTION = re.compile(r"^(?:just\s+)?(?:keep (?:my head down|quiet|going|doing (?:what|my)|it to myself)|let (?:the|my) (?:work|results?) "
                           r"(?:talk|speak)|wait(?: and see| it out)?|see (?:what|how)|stay (?:quiet|put|in my lane)|leave it|let it (?:go|be|slide)|"
                           r"think about it|sleep on it|deal with it|figure it out|"
                           # "ok I'll stop asking about that": about this conversation, not their work
                           r"stop (?:asking|talking|bringing (?:it|that|this) up|mentioning|going on)|drop it|give up|not bother)\b",
                           re.IGNORECASE)
COMMITMENT_END = re.compile(r",|;|\s+(?:and also|but|because|so that|or)\s+", re.IGNORECASE)


@dataclass
class Turn:
    role: str  # "user" | "assistant"
    text: str
    step: str | None = None
    sources: list[dict] = field(default_factory=list)
    next_action: str | None = None
    mode: str | None = None
    at: float = field(default_factory=time.time)
    options: list[str] = field(default_factory=list)  # quick replies offered with a clarifying question

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Commitment:
    text: str
    done: bool = False
    step: str | None = None
    spin: int = 1
    at: float = field(default_factory=time.time)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Session:
    turns: list[Turn] = field(default_factory=list)
    spin: int = 1
    step: Step | None = None
    commitments: list[Commitment] = field(default_factory=list)
    name: str | None = None
    profile: Profile = field(default_factory=Profile)  # what the mentee told us; what we already said

    # --- conversation -------------------------------------------------
    def add_user_turn(self, text: str) -> Turn:
        turn = Turn(role="user", text=text)
        self.turns.append(turn)
        for match in COMMITMENT_PATTERN.finditer(text):
            sentence = re.split(r"[.!?\n]", text[:match.start()])[-1]
            if NOT_A_PROMISE.search(sentence):
                continue
            what = COMMITMENT_END.split(match.group("what"))[0].strip()
            if not VAGUE_COMMITMENT.match(what) and not A_PREDICTION.match(what) and not NOT_AN_ACTION.match(what):
                # "I'll do that", "I'll just keep my head down": nothing to hold them to
                self.add_commitment(what)
        return turn

    def add_assistant_turn(self, answer) -> Turn:
        turn = Turn(
            role="assistant",
            text=answer.text,
            step=answer.step.value if answer.step else None,
            sources=[{"id": s.id, "title": s.title, "kind": s.kind, "section": s.section} for s in answer.sources],
            next_action=answer.next_action,
            mode=answer.mode,
            options=list(getattr(answer, "options", []) or []),
        )
        self.turns.append(turn)
        # A clarifying question doesn't place anyone yet: the reply will.
        if answer.step is not None and not getattr(answer, "clarifying_question", None):
            self.move_to(answer.step)
        return turn

    def drop_last_user_turn(self) -> None:
        """Undo a turn whose answer failed, so it can be retried without duplicating history."""
        if self.turns and self.turns[-1].role == "user":
            self.turns.pop()

    # --- the journey --------------------------------------------------
    def move_to(self, step: Step) -> None:
        """Record the mentee's step; coming back round to Deliver Results after
        Are Right a Lot is a new spin."""
        step = Step(step)
        if self.step is Step.ARE_RIGHT_A_LOT and step is Step.DELIVER_RESULTS:
            self.spin += 1
        self.step = step

    def start_next_spin(self) -> None:
        self.spin += 1
        self.step = Step.DELIVER_RESULTS

    def add_commitment(self, text: str) -> Commitment | None:
        text = " ".join(text.split())
        if not text:
            return None
        for existing in self.commitments:
            if existing.text.lower() == text.lower() and not existing.done:
                return existing
        commitment = Commitment(text=text, step=self.step.value if self.step else None, spin=self.spin)
        self.commitments.append(commitment)
        return commitment

    def set_commitment_done(self, index: int, done: bool = True) -> None:
        self.commitments[index].done = done

    @property
    def open_commitments(self) -> list[Commitment]:
        return [c for c in self.commitments if not c.done]

    def clear(self) -> None:
        """A new conversation: turns go, the journey (spin, step, commitments, facts) stays;
        the mentor may say things again in a new conversation."""
        self.turns.clear()
        self.profile.said.clear()
        self.profile.pending_clarification = []

    # --- persistence --------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "spin": self.spin,
            "step": self.step.value if self.step else None,
            "turns": [t.to_dict() for t in self.turns],
            "commitments": [c.to_dict() for c in self.commitments],
            "profile": self.profile.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Session":
        return cls(
            name=data.get("name"),
            spin=int(data.get("spin") or 1),
            step=Step(data["step"]) if data.get("step") else None,
            turns=[Turn(**t) for t in data.get("turns", [])],
            commitments=[Commitment(**c) for c in data.get("commitments", [])],
            profile=Profile.from_dict(data.get("profile")),
        )
