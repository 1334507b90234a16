"""Placing the mentee on the wheel: the learned models, the facts, and the flywheel's transitions.

The flywheel is a state machine: a mentee moves on when a step's "moves on when"
condition is met. A first message is placed by the step model (`meaning.StepModel`, which
reads the facts the patterns found along with the message's meaning and words); when its
top two steps are close we ask one short question instead of guessing. Mid-conversation,
the transition model (`meaning.TransitionModel`) decides: stay, move on one step, or
elsewhere, reading what the facts' rules below would say ("she said yes" means the bigger
problem is agreed: Invent and Simplify) along with the message, unless the follow-up step
model (`meaning.FollowUpStepModel`, which reads the whole conversation) is sure of another
step; the rules decide alone when there is no model or no vector, and an incident always
resets the balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..types import Step

# The stage each fact puts a mentee at. The furthest-along fact in a message wins,
# except an incident, which resets the balance below zero (the author's Spin 1).
FACT_STAGE: dict[str, Step] = {
    "new_in_role": Step.DELIVER_RESULTS,
    "slipping": Step.DELIVER_RESULTS,
    "caused_incident": Step.DELIVER_RESULTS,
    "has_track_record": Step.EARN_TRUST,
    "wants_scope": Step.EARN_TRUST,  # refined below: wanting scope is not having the trust to spend
    "checked_closely": Step.EARN_TRUST,
    "trusted": Step.OWNERSHIP_THINK_BIG,
    "pitching": Step.OWNERSHIP_THINK_BIG,
    "manager_said_no": Step.OWNERSHIP_THINK_BIG,  # the ask was made; reshape it
    "idea_approved": Step.INVENT_AND_SIMPLIFY,
    "designing": Step.INVENT_AND_SIMPLIFY,
    "stuck_in_analysis": Step.BIAS_FOR_ACTION,
    "shipped": Step.ARE_RIGHT_A_LOT,
    "failed": Step.ARE_RIGHT_A_LOT,
    "customer_focus": Step.CUSTOMER_OBSESSION,
}
# Facts that say the mentee is still in their step's difficulty, never that they met its condition:
# "nothing is approved, I have trust" said at Ownership keeps them there.
HOLDING_FACTS = {"stuck_in_analysis", "pitching", "manager_said_no", "checked_closely", "slipping", "caused_incident",
                 "failed", "new_in_role", "trusted"}
ORDER = {step: i for i, step in enumerate(
    (Step.DELIVER_RESULTS, Step.EARN_TRUST, Step.OWNERSHIP_THINK_BIG, Step.INVENT_AND_SIMPLIFY,
     Step.BIAS_FOR_ACTION, Step.ARE_RIGHT_A_LOT))}

# The step model (meaning.StepModel; probabilities × 0.2) decides alone only when the best
# step leads the runner-up by this much; otherwise we ask one question. Chosen on the tuning
# sets (evals/mentoring/dev*): 0.025 asks on 2-3% of first messages there; 0.05 asked up to
# 10% without placing more of them right, 0.0125 resolved fewer.
CLARIFY_MARGIN = 0.025
# Mid-conversation, the follow-up step model (`meaning.FollowUpStepModel`) overrules the transition
# model when it is this sure of another step. 5-fold by conversation on the training conversations,
# free-running: 0.5 → 0.727, 0.7 → 0.748, 0.85 → 0.752, 0.95 → 0.723 (the transition model alone: 0.718).
OVERRULE = 0.85


@dataclass
class Placement:
    step: Step | None
    confidence: float
    alternatives: list[Step] = field(default_factory=list)
    reason: str = ""  # "facts" | "transition" | "conversation" | "objection" | "similarity" | "clarified" | "kept"
    ask: bool = False  # ask a clarifying question between step and alternatives[0]
    facts_used: list[str] = field(default_factory=list)


def advance(step: Step) -> Step:
    """The step a mentee who met this step's condition is at (a spin that ends well starts the
    next one at Ownership and Think Big, with more trust than before; `Step.next` wraps to step 1)."""
    return Step.OWNERSHIP_THINK_BIG if step in (Step.ARE_RIGHT_A_LOT, Step.CUSTOMER_OBSESSION) else step.next


def stage_from_facts(facts: set[str], known: set[str]) -> tuple[Step | None, list[str]]:
    """The step the given facts put a mentee at (`known`: facts from earlier turns, for context)."""
    staged = [f for f in facts if f in FACT_STAGE and f != "customer_focus"]
    if not staged and "customer_focus" in facts:
        return Step.CUSTOMER_OBSESSION, ["customer_focus"]
    if not staged:
        return None, []
    if "caused_incident" in facts:
        if "has_track_record" in facts:  # the record since the incident is rebuilt: trust comes next
            return Step.EARN_TRUST, ["caused_incident", "has_track_record"]
        return Step.DELIVER_RESULTS, ["caused_incident"]
    if "checked_closely" in facts and ("slipping" in facts or "slipping" in known and "has_track_record" not in facts):
        # watched because the dates slip: the record first (unless this message says the record is rebuilt)
        return Step.DELIVER_RESULTS, ["slipping", "checked_closely"]
    if "checked_closely" in facts and "new_in_role" in known and not (facts | known) & {"has_track_record", "trusted"}:
        return Step.DELIVER_RESULTS, ["new_in_role", "checked_closely"]  # weeks in and watched closely: no record yet
    if "checked_closely" in facts and not facts & {"idea_approved", "designing", "stuck_in_analysis", "shipped",
                                                  "failed", "pitching"}:
        # "she gave me the AP section, but she wants to see every unit plan": still double-checked
        return Step.EARN_TRUST, ["checked_closely"]
    if "customer_focus" in facts and not facts & {"shipped", "failed", "stuck_in_analysis", "idea_approved"}:
        return Step.CUSTOMER_OBSESSION, ["customer_focus"]
    if "designing" in staged and "trusted" in facts and not facts & {"idea_approved", "stuck_in_analysis", "shipped", "failed"}:
        # Trusted and eyeing a fuzzy problem nobody gave them yet: the ask comes first.
        return Step.OWNERSHIP_THINK_BIG, ["trusted"]
    if "shipped" in facts and facts & {"trusted", "wants_scope"} and not facts & {"failed", "idea_approved"}:
        # "shipped, activation is up, and the VP wants me to own onboarding", "3 teams use my side project daily,
        # should I ask to make it my job?": the win paid out in trust, the next spin
        return Step.OWNERSHIP_THINK_BIG, ["shipped", *sorted(facts & {"trusted", "wants_scope"})]
    best = max(staged, key=lambda f: ORDER[FACT_STAGE[f]])
    step = FACT_STAGE[best]
    if step is Step.EARN_TRUST and set(staged) <= {"wants_scope", "has_track_record", "new_in_role", "slipping"}:
        context = facts | known
        if "wants_scope" in staged and known & {"trusted", "shipped"}:  # trusted, or their last thing took off
            return Step.OWNERSHIP_THINK_BIG, ["wants_scope", *sorted(known & {"trusted", "shipped"})]
        if "wants_scope" in staged and context & {"new_in_role", "slipping"} and "has_track_record" not in facts:
            return Step.DELIVER_RESULTS, [f for f in ("wants_scope", "new_in_role", "slipping") if f in context]
    return step, [f for f in staged if FACT_STAGE[f] is step]


def place(move: str, fresh: set[str], known: set[str], previous: Step | None, scores: dict[Step, float],
          pending: list[str] | None = None, margin: float = CLARIFY_MARGIN, long_message: bool = False,
          vague: bool = False, transition: str | None = None,
          second_opinion: tuple[Step, float] | None = None) -> Placement:
    """Where the mentee is after this message. `vague`: a short first message that states no fact
    ("I'm unhappy at work"): we ask rather than guess, however clear the prior looks. `second_opinion`:
    the follow-up step model's step and how sure it is."""
    ranked = sorted(scores, key=scores.get, reverse=True)
    runner_up = lambda step: [s for s in ranked if s is not step][:1]  # noqa: E731
    # How far the model's best step leads the runner-up (1.0: nothing to compare with).
    gap = scores[ranked[0]] - scores[ranked[1]] if len(ranked) > 1 else 1.0

    if move in ("factual", "thanks"):
        return Placement(None, 0.0, reason="none")

    if "manages_others" in fresh and "manages_others" not in known:
        previous = None  # a question about someone else: their step, not the mentee's own
    step, used = stage_from_facts(fresh, known)
    if pending and previous is None and move in ("after_that", "whats_next") and not fresh:
        # "ok and then?" while our question is open: what comes next depends on the answer, so ask again
        return Placement(Step(pending[0]), 0.5, [Step(v) for v in pending[1:]], "clarify-again", ask=True)
    if move == "clarify_answer" and pending:
        options = [Step(v) for v in pending]
        if step is not None:  # the reply states facts: they decide, even outside the two options
            return Placement(step, 0.9, [s for s in options if s is not step], "clarified", facts_used=used)
        picked = max(options, key=lambda s: scores.get(s, 0.0))
        return Placement(picked, 0.75, [s for s in options if s is not picked], "clarified")
    # Facts that put the mentee earlier than we had them ("the CTO said yes to a pilot" when we had them
    # acting on one) say we had them too far on: they decide, as the model learned from turns that start
    # on the right step and has hardly seen that.
    too_far_on = step is not None and previous is not None and ORDER.get(step, 99) < ORDER.get(previous, -1)
    if previous is not None and transition is not None and "caused_incident" not in fresh and not too_far_on:
        # Mid-conversation the transition model decides; what the facts' rules say is one of its inputs
        # (5-fold on unseen training conversations, `benchmarks/followup_cv.py`: see TransitionModel).
        if transition == "stay":
            target = previous
        elif transition == "advance":
            target = advance(previous)
        else:
            target = step if step not in (None, previous, advance(previous)) else next(
                (s for s in ranked if s not in (previous, advance(previous))), None)
        if second_opinion is not None and second_opinion[0] is not target and second_opinion[1] >= OVERRULE:
            # the whole conversation says we had them wrong (or the transition model missed where this puts them)
            return Placement(second_opinion[0], 0.8, runner_up(second_opinion[0]), "conversation")
        if target is not None:
            reason = "facts" if target is step else "kept" if target is previous else "transition"
            return Placement(target, 0.8, runner_up(target), reason, facts_used=used if target is step else [])
    if previous is None and move == "new_situation" and ranked:
        # A first message: the step model decides (it reads the facts too, alongside the meaning
        # and the words; on unseen messages that beats the facts' own order, see the README).
        # When its top two are close and a stated fact points at one of them, the fact settles it.
        if not (gap < margin and step in ranked[:2] and not vague):
            step, used = None, []
    if (move == "objection" and previous is not None and step is not None and "caused_incident" not in fresh
            and abs(ORDER.get(step, 0) - ORDER.get(previous, 0)) >= 2):
        # Pushback on the advice ("I'm not avoiding it, it's blocked on…") holds the step; a fact in it
        # may still correct us by one step ("she said no" puts a pitch back at Ownership).
        step = None
    if step is Step.OWNERSHIP_THINK_BIG and set(fresh) == {"manager_said_no"} and previous is Step.DELIVER_RESULTS:
        step = None  # a no to someone still building a record: they stay where they are (an objection)
        move = "objection"
    if step is not None:
        if previous is not None and move == "progress" and step is previous and not set(used) & HOLDING_FACTS:
            step = advance(previous)  # progress within the step we were at ("broke it into milestones") moves on
        elif previous is not None and move == "progress" and ORDER.get(step, 9) < ORDER.get(previous, -1) \
                and fresh <= {"has_track_record", "wants_scope"}:
            step = advance(previous)  # "now I have a good record" said later on doesn't send anyone back
        return Placement(step, 0.9, runner_up(step), "facts", facts_used=used)

    if previous is not None and transition == "stay":
        return Placement(previous, 0.8, runner_up(previous), "kept")
    if previous is not None and transition == "advance":
        return Placement(advance(previous), 0.8, [previous], "transition")
    if previous is not None and transition == "elsewhere" and ranked:
        return Placement(ranked[0], 0.7, runner_up(ranked[0]), "similarity")
    if move in ("outcome_success", "outcome_failure"):
        return Placement(Step.ARE_RIGHT_A_LOT, 0.85, runner_up(Step.ARE_RIGHT_A_LOT), "transition")
    if previous is not None:
        if move == "progress":
            if previous is Step.DELIVER_RESULTS and "caused_incident" in known:
                # Cleaning up after an incident is the recovery itself: the record comes next.
                return Placement(previous, 0.75, [previous.next], "kept")
            return Placement(advance(previous), 0.8, [previous], "transition")
        if move in ("objection", "clarify_answer", "whats_next", "after_that", "explain"):
            # "what's next?" and "and then?" ask what to do from here; they don't report that anything changed.
            return Placement(previous, 0.8, runner_up(previous), "kept")

    if not ranked:
        return Placement(None, 0.0, reason="none")
    top = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    confidence = round(min(0.85, 0.5 + gap * 5), 3)
    if previous is not None and move == "new_situation" and (gap < margin or not long_message):
        # Mid-conversation, a message with no new facts is about where we already are.
        return Placement(previous, 0.6, [top] if top is not previous else runner_up(previous), "kept")
    return Placement(top, confidence, [second] if second else [], "similarity",
                     ask=second is not None and (gap < margin or vague) and previous is None)
