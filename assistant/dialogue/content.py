"""The mentor's words, read from knowledge/flywheel.md's front matter.

Openers, actions (with a `{thing}` slot for the mentee's own key phrase),
objection responses, progress acknowledgements, the clarifying-question wording,
the author's stories mapped to situations, the manager's view, closings and the
scope line. This module only reads and picks; the composer decides what to say.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..flywheel import Flywheel
from ..types import Step

THING_FALLBACK = "your current work"
# When the mentee hasn't named their work, the slot takes what the step is about.
STEP_THING = {
    "deliver_results": "your current work",
    "earn_trust": "your recent work",
    "ownership_think_big": "the bigger problem you want to own",
    "invent_and_simplify": "the problem you now own",
    "bias_for_action": "your plan",
    "are_right_a_lot": "the project",
    "customer_obsession": "your team's product",
}


@dataclass(frozen=True)
class Objection:
    principle: str
    text: str
    smaller_action: str


@dataclass(frozen=True)
class Story:
    spin: int
    section: str
    steps: tuple[str, ...]
    situations: tuple[str, ...]
    lesson: str


SLOT = re.compile(r"\{thing(?:\|([^}]*))?\}")


def fill(template: str, thing: str | None) -> str:
    """`{thing}` becomes the mentee's name for their work; `{thing|words}` uses `words` when we have
    no name of theirs, where the step's generic one reads badly ("the problem the problem you now own must solve")."""
    theirs = thing is not None and thing not in STEP_THING.values()

    def slot(match: re.Match) -> str:
        if match.group(1) is not None and not theirs:
            return match.group(1)
        return thing or THING_FALLBACK

    return SLOT.sub(slot, template)


def stable_pick(options: list[str], seed: str) -> str:
    """A choice that varies with the message but is the same every time for the same message."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16)
    return options[digest % len(options)]


class Content:
    def __init__(self, flywheel: Flywheel) -> None:
        self.flywheel = flywheel
        self.meta = flywheel.meta
        self._steps = {Step(raw["value"]): raw for raw in self.meta.get("steps", [])}

    def step(self, step: Step) -> dict:
        return self._steps.get(Step(step), {})

    def openers(self, step: Step) -> list[str]:
        return list(self.step(step).get("openers") or [])

    def actions(self, step: Step, branch: str | None = None) -> list[str]:
        raw = self.step(step)
        if branch == "success" and raw.get("actions_success"):
            return list(raw["actions_success"])
        if branch == "failure" and raw.get("actions_failure"):
            return list(raw["actions_failure"])
        return list(raw.get("actions") or raw.get("next_actions") or [])

    def objections(self, step: Step) -> list[Objection]:
        return [Objection(o["principle"], o["text"], o["smaller_action"]) for o in self.step(step).get("objections") or []]

    def progress_acks(self, step: Step) -> list[str]:
        return list(self.step(step).get("progress_ack") or [])

    def clarify(self, step: Step) -> tuple[str, str]:
        raw = self.step(step)
        name = self.flywheel[step].name
        return raw.get("clarify") or f"I think I'm at {name}", raw.get("probe") or f"at {name}"

    def why(self, step: Step) -> str:
        return self.step(step).get("why", "")

    def task(self, step: Step) -> str:
        """The step's `why` as a clause ("make small promises and keep every one, because…"), for
        answers that say it inside a sentence of their own."""
        return self.why(step).removeprefix("That is the moment to ").rstrip(".")

    def arrives_when(self, step: Step) -> str:
        """The step's "moves on when" in a clause: "You get there when {this}"."""
        return self.step(step).get("arrives_when", "")

    def stories(self) -> list[Story]:
        return [Story(int(s["spin"]), s["section"], tuple(s.get("steps") or ()), tuple(s.get("situations") or ()),
                      s.get("lesson", "")) for s in self.meta.get("stories") or []]

    def manager_openers(self) -> list[str]:
        return list((self.meta.get("manager") or {}).get("openers") or [])

    def manager_actions(self, step: Step) -> list[str]:
        return list(((self.meta.get("manager") or {}).get("actions") or {}).get(Step(step).value) or [])

    def closings(self) -> list[str]:
        return list(self.meta.get("closings") or ["Glad it helped. Come back when your next action is done."])

    def direct_answer(self, question: str, step: Step | None, manager: bool = False) -> str | None:
        """The front matter's direct answer to a yes/no question (`direct_answers`), or None; a manager
        asking about a report gets only the answers written for a manager (`who: manager` or `any`)."""
        for entry in self.meta.get("direct_answers") or []:
            if entry.get("steps") and (step is None or step.value not in entry["steps"]):
                continue
            if entry.get("who", "self") not in ("any", "manager" if manager else "self"):
                continue
            if re.search(entry["when"], question, re.IGNORECASE):
                moves = self.flywheel[step].moves_on_when.strip() if step is not None else ""
                return entry["answer"].replace("{moves_on_when}", moves or "the people around you rely on you.")
        return None

    def scope_line(self, topic: str) -> str:
        lines = self.meta.get("scope_line") or {}
        return lines.get(topic) or lines.get("other") or (
            "That's outside what the flywheel article covers, so I'd rather not guess.")

    def pickable_texts(self) -> list[str]:
        """Everything the composer picks by meaning (actions, objections, openers, acks), embedded once."""
        out: list[str] = list(self.manager_openers())
        for step in self._steps:
            out += self.openers(step) + self.progress_acks(step)
            out += self.actions(step) + self.actions(step, "success") + self.actions(step, "failure")
            out += [o.smaller_action for o in self.objections(step)] + self.manager_actions(step)
            out += [o.text for o in self.objections(step)]
        return list(dict.fromkeys(out))
