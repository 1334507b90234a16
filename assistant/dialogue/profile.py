"""The mentee profile: what the mentee has told us, and what the mentor already said.

Plain data that rides on the `Session` (and so is saved with a named journey).
Facts are the dialogue state the wheel is placed from; each keeps the mentee's own
words as evidence and the turn it came from, and can be removed by the mentee
(the page's "What I know about you"). `said` remembers the openers, actions and
quotes already used, so the mentor never repeats itself within a session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# value -> (what the page shows, the clause the mentor uses when explaining a placement)
FACTS: dict[str, tuple[str, str]] = {
    "new_in_role": ("You are new in your role or team", "you are still new there"),
    "slipping": ("Some of your commitments have been slipping", "some of your commitments have slipped"),
    "caused_incident": ("You were behind an incident or outage", "an incident has left your trust balance below zero"),
    "has_track_record": ("You have a track record of delivering", "you already have a record of delivering"),
    "wants_scope": ("You want more scope or responsibility", "you want more scope"),
    "trusted": ("People around you trust you with more", "people already trust you"),
    "manager_said_no": ("Your manager said no to a proposal", "the bigger ask got a no"),
    "idea_approved": ("Your idea or pitch was approved", "your bigger idea has been agreed"),
    "designing": ("You are working out how to solve a big problem", "you are working out how to solve it"),
    "stuck_in_analysis": ("Your plan is stuck before it ships", "the plan exists but isn't moving"),
    "shipped": ("You shipped it and results are coming in", "it is out and the results are coming in"),
    "failed": ("It failed, was cancelled or wasn't adopted", "the bet didn't work out"),
    "checked_closely": ("People still double-check your work or leave you out", "people still double-check you or leave you out"),
    "pitching": ("You are about to pitch a bigger idea", "you are about to pitch something bigger"),
    "customer_focus": ("You want your work to matter to the people who use it", "the open question is who your work is really for"),
    "manages_others": ("You are asking as a manager about someone you support", "you are asking about someone you support"),
}

# A later fact makes an earlier one stale: shipping ends "stuck", approval answers "said no".
SUPERSEDES: dict[str, tuple[str, ...]] = {
    "shipped": ("stuck_in_analysis", "designing", "failed"),
    "failed": ("stuck_in_analysis", "designing", "shipped"),
    "idea_approved": ("manager_said_no", "pitching"),
    "manager_said_no": ("pitching",),
    "stuck_in_analysis": ("designing",),
    "trusted": ("new_in_role", "slipping", "checked_closely"),
    "checked_closely": ("trusted",),  # "she's back to reviewing every email"
    "has_track_record": ("new_in_role", "slipping"),
    "caused_incident": ("trusted",),
}

# The steps a fact is a reason for: "since the bet didn't work out" explains Are Right a Lot, not
# the Ownership step the mentee has moved on to since.
EXPLAINS: dict[str, tuple[str, ...]] = {
    "new_in_role": ("deliver_results",),
    "slipping": ("deliver_results",),
    "caused_incident": ("deliver_results",),
    "has_track_record": ("earn_trust", "ownership_think_big"),
    "wants_scope": ("deliver_results", "earn_trust", "ownership_think_big"),
    "trusted": ("ownership_think_big",),
    "manager_said_no": ("deliver_results", "earn_trust", "ownership_think_big"),
    "idea_approved": ("invent_and_simplify",),
    "designing": ("invent_and_simplify",),
    "stuck_in_analysis": ("bias_for_action",),
    "shipped": ("are_right_a_lot",),
    "failed": ("are_right_a_lot",),
    "checked_closely": ("deliver_results", "earn_trust"),
    "pitching": ("ownership_think_big",),
    "customer_focus": ("customer_obsession", "ownership_think_big"),
    "manages_others": (),
}

MAX_KEY_PHRASES = 8


@dataclass
class Fact:
    key: str
    evidence: str  # the mentee's own words that told us
    turn: int = 0  # index of the user turn it came from
    at: float = field(default_factory=time.time)

    @property
    def label(self) -> str:
        return FACTS[self.key][0]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Profile:
    facts: dict[str, Fact] = field(default_factory=dict)
    key_phrases: list[str] = field(default_factory=list)
    said: dict[str, list[str]] = field(default_factory=dict)  # "openers" | "actions" | "quotes" | ...
    pending_clarification: list[str] = field(default_factory=list)  # two step values we asked between

    # --- facts ----------------------------------------------------------------
    def has(self, key: str) -> bool:
        return key in self.facts

    def add_fact(self, key: str, evidence: str, turn: int = 0) -> Fact:
        if key not in FACTS:
            raise ValueError(f"unknown fact {key!r}; known facts: {', '.join(FACTS)}")
        for stale in SUPERSEDES.get(key, ()):
            if stale in self.facts and self.facts[stale].turn < turn:  # one message may say both
                del self.facts[stale]
        fact = Fact(key=key, evidence=" ".join(evidence.split())[:160], turn=turn)
        self.facts[key] = fact
        return fact

    def remove_fact(self, key: str) -> bool:
        """The mentee says we got it wrong: forget it (placement stops using it)."""
        return self.facts.pop(key, None) is not None

    def fresh(self, turn: int) -> set[str]:
        return {k for k, f in self.facts.items() if f.turn == turn}

    def remember_phrases(self, phrases: list[str]) -> None:
        for phrase in phrases:
            if phrase in self.key_phrases:
                self.key_phrases.remove(phrase)
            self.key_phrases.append(phrase)
        del self.key_phrases[:-MAX_KEY_PHRASES]

    # --- what the mentor already said ---------------------------------------
    def used(self, kind: str) -> list[str]:
        return self.said.setdefault(kind, [])

    def mark_used(self, kind: str, text: str | None) -> None:
        if text and text not in self.used(kind):
            self.used(kind).append(text)

    def describe(self) -> list[str]:
        """The facts as sentences, oldest first (the page and the LLM prompt show these)."""
        return [f.label for f in sorted(self.facts.values(), key=lambda f: (f.turn, f.at))]

    # --- persistence ----------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "facts": {k: f.to_dict() for k, f in self.facts.items()},
            "key_phrases": list(self.key_phrases),
            "said": {k: list(v) for k, v in self.said.items()},
            "pending_clarification": list(self.pending_clarification),
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "Profile":
        data = data or {}
        facts = {}
        for key, raw in (data.get("facts") or {}).items():
            if key in FACTS and isinstance(raw, dict):
                facts[key] = Fact(key=key, evidence=str(raw.get("evidence", "")), turn=int(raw.get("turn", 0)),
                                  at=float(raw.get("at", time.time())))
        return cls(
            facts=facts,
            key_phrases=[str(p) for p in data.get("key_phrases") or []][-MAX_KEY_PHRASES:],
            said={str(k): [str(x) for x in v] for k, v in (data.get("said") or {}).items() if isinstance(v, list)},
            pending_clarification=[str(s) for s in data.get("pending_clarification") or []],
        )
