"""How varied the offline mentor's next actions are across mentees, on messages it was never tuned on.

    python benchmarks/action_variety.py              # 36-situation draws, as in an eval split
    python benchmarks/action_variety.py --size 40 --draws 200

Runs every labelled first message of `training/situations.yaml` through the real offline
`Mentor.ask` (each in a fresh session), then draws random sets of `--size` answers, the size
of an eval split's situations, and reports the distinct-action ratio `mentor eval` reports
(distinct next actions / answers with one), its mean and its worst 5% over the draws. Also:
how many of each step's actions are ever picked, and the share of the most-picked one (an
action close in meaning to many messages wins for all of them), and how close the picked
action is to the message (mean cosine), so variety bought with relevance shows.

Reads no eval split; loops are bounded by the data.
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=36)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("MENTOR_HOME", tempfile.mkdtemp(prefix="action-variety-"))

    from assistant import Mentor, Session
    from assistant.dialogue import meaning

    situations = [s for s in meaning.training_data()[0] if s.get("step") and s.get("scope", "flywheel") == "flywheel"]
    mentor = Mentor()
    embedder = mentor.dialogue.embedder
    picked: list[tuple[str, str, str]] = []  # (step, action, the message)
    for case in situations:
        answer = mentor.ask(case["text"], session=Session())
        if answer.next_action and answer.step is not None and not answer.clarifying_question:
            picked.append((answer.step.value, answer.next_action, case["text"]))
    message_vectors = embedder.embed([m for _, _, m in picked])
    action_vectors = embedder.embed([a for _, a, _ in picked])
    closeness = float(np.mean(np.sum(message_vectors * action_vectors, axis=1)))
    rng = np.random.RandomState(args.seed)
    ratios = []
    for _ in range(args.draws):
        draw = rng.choice(len(picked), size=min(args.size, len(picked)), replace=False)
        actions = [picked[i][1] for i in draw]
        ratios.append(len(set(actions)) / len(actions))
    ratios = np.array(ratios)
    print(f"distinct-action ratio over {args.draws} draws of {args.size} answers: mean {ratios.mean():.3f}, "
          f"worst 5% {np.percentile(ratios, 5):.3f}  ({len(picked)} answers with an action, "
          f"{len(set(a for _, a, _ in picked))} distinct); mean cosine message-action {closeness:.3f}")
    by_step = collections.defaultdict(collections.Counter)
    for step, action, _ in picked:
        by_step[step][action] += 1
    for step, counts in by_step.items():
        top, n = counts.most_common(1)[0]
        print(f"  {step}: {len(counts)} distinct over {sum(counts.values())} answers; most-picked {n} ({top[:70]}…)")


if __name__ == "__main__":
    main()
