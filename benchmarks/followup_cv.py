"""How well whole conversations are followed, on conversations the models never saw.

    python benchmarks/followup_cv.py             # 5-fold, by conversation
    python benchmarks/followup_cv.py --errors    # and every misplaced turn: move, reason, labelled → placed

`dialogue_cv.py` scores the transition model alone, teacher-forced. This scores what a mentee
meets: each fold trains the step and transition models without one fifth of
`training/conversations.yaml` (their first turns and their follow-ups), then runs those
conversations through the real offline `Mentor.ask`, free-running (each turn starts where the
mentor's last answer put the mentee, as in `mentor eval`), and counts the follow-up turns whose
answer lands on the labelled step. The breakdown by placement reason shows which part of the
pipeline (the facts' rules, the transition model, the step model) misplaces what.

Never reads an eval split. A few minutes on 2 cores; loops are bounded by the data.
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--errors", action="store_true", help="print every misplaced follow-up")
    parser.add_argument("--teacher-forced", action="store_true",
                        help="start each turn at its labelled step before it (scores each turn alone, no carried-over errors)")
    parser.add_argument("--no-second-opinion", action="store_true",
                        help="without the follow-up step model (the transition model alone decides)")
    args = parser.parse_args()
    os.environ.setdefault("MENTOR_HOME", tempfile.mkdtemp(prefix="followup-cv-"))

    from assistant import Mentor, Session
    from assistant.types import Step
    from assistant.dialogue import meaning
    from assistant.dialogue.manager import read_follow_up

    conversations = [c for c in meaning.training_data()[1] if c["turns"]]
    situations = meaning.training_data()[0]
    mentor = Mentor()
    dialogue = mentor.dialogue
    embedder = dialogue.embedder
    understand = dialogue.understand
    last = {}

    def recording_understand(*a, **kw):
        last["state"] = understand(*a, **kw)
        return last["state"]

    dialogue.understand = recording_understand
    order = np.random.RandomState(args.seed).permutation(len(conversations))
    by_reason: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    by_move: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    errors = []
    first = [0, 0]
    carried = [[0, 0], [0, 0]]  # [right, total] for turns that start on the labelled step, and for turns that don't
    originals = meaning.training_data
    try:
        for k in range(args.folds):
            unseen = [conversations[i] for i in order[k::args.folds]]
            seen = [c for c in conversations if not any(c is u for u in unseen)]
            meaning.training_data = lambda seen=seen: (situations, seen)  # noqa: E731
            dialogue.step_model = meaning.StepModel(embedder, None)
            read = lambda text, vector: read_follow_up(dialogue.understanding, text, vector)  # noqa: E731
            dialogue.transitions = meaning.TransitionModel(dialogue.step_model, embedder, read, None)
            dialogue.follow_up_steps = (meaning.FollowUpStepModel(dialogue.transitions, embedder, read, None)
                                        if not args.no_second_opinion else _Silent())
            for conversation in unseen:
                session = Session()
                labelled = None
                for i, turn in enumerate(conversation["turns"]):
                    if args.teacher_forced and labelled is not None:
                        session.step = Step(labelled)
                    before = session.step.value if session.step else None
                    on_track = before == labelled
                    labelled = turn.get("step") or labelled
                    last.clear()
                    answer = mentor.ask(turn["text"], session=session)
                    if i == 0:
                        first[0] += (answer.step.value if answer.step else None) == turn.get("step")
                        first[1] += 1
                        continue
                    if turn.get("move") in ("factual", "thanks") and not turn.get("step"):
                        continue
                    got = answer.step.value if answer.step else None
                    right = got == turn.get("step")
                    reason = last["state"].placement.reason if "state" in last else "guard"
                    for table, key in ((by_reason, reason), (by_move, turn.get("move", "?"))):
                        table[key][0] += right
                        table[key][1] += 1
                    carried[0 if on_track else 1][0] += right
                    carried[0 if on_track else 1][1] += 1
                    if not right:
                        errors.append((turn.get("move"), reason, before, turn.get("step"), got, turn["text"]))
    finally:
        meaning.training_data = originals
    right = sum(r for r, _ in by_move.values())
    total = sum(n for _, n in by_move.values())
    print(f"follow-ups placed right: {right / total:.3f} of {total}  [{args.folds}-fold by conversation, {'teacher-forced' if args.teacher_forced else 'free-running'}]")
    print(f"  first turns placed right: {first[0]}/{first[1]}; follow-ups starting on the labelled step: "
          f"{carried[0][0]}/{carried[0][1]}, starting elsewhere (an earlier miss carried): {carried[1][0]}/{carried[1][1]}")
    for title, table in (("by placement reason", by_reason), ("by labelled move", by_move)):
        print(f"  {title}: " + ", ".join(f"{key} {r}/{n}" for key, (r, n) in sorted(table.items(), key=lambda kv: -kv[1][1])))
    if args.errors:
        for move, reason, before, expected, got, text in errors:
            print(f"- [{move} | {reason}] from {before}: {expected} → {got}: {text[:160]}")


class _Silent:
    """No follow-up step model: `predict` never has an opinion."""

    def predict(self, *args, **kwargs):
        return None


if __name__ == "__main__":
    main()
