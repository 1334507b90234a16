"""How often the answer bank answers a mentee's question, and how often the answer it picks is a right one.

    python benchmarks/answer_bank_calibration.py            # the sweep over the match floor
    python benchmarks/answer_bank_calibration.py --show     # and the questions answered wrongly at the floor

On `assistant/dialogue/training/questions.yaml`: 180 mentee questions written without sight of the
bank, each labelled afterwards with the bank entries whose answer would be a good reply ([] for
questions the bank doesn't cover). Each question goes through the real first turn: read, placed
on a step, then answered by the bank (`AnswerBank.match`) at each floor. For each floor it prints
how many questions get a written answer, the share of those whose answer is one the labels name
(precision; the labels are strict, so this is a lower bound), and the share of coverable
questions answered rightly (recall).
`answers.MATCH_FLOOR` is chosen from this sweep. Nothing is contacted.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import yaml

DATA = Path(__file__).resolve().parent.parent / "assistant" / "dialogue" / "training" / "questions.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print the wrongly answered questions at the current floor")
    args = parser.parse_args()

    from assistant import Mentor, Settings
    from assistant.dialogue import answers

    cases = [c for c in yaml.safe_load(DATA.read_text()) if c["kind"] == "question"]
    with tempfile.TemporaryDirectory() as home:
        mentor = Mentor(Settings(home=Path(home), provider="offline"))
        mentor.index()
        dialogue = mentor.dialogue
        bank = dialogue.answers
        ids = [e.id for e in bank.entries]
        unknown = {i for c in cases for i in c["answered_by"] if i not in set(ids)}
        if unknown:
            raise SystemExit(f"labels name entries the bank doesn't have: {sorted(unknown)}")
        rows = []  # (message, vector, step, profile, labelled ids) for the questions that reach the bank
        for case in cases:
            vector = dialogue.embedder.embed_one(case["msg"])
            state = dialogue.understand(case["msg"], vector, None)
            if state.placement.step is None or state.placement.ask:
                continue  # factual, outside the wheel, or answered by a clarifying question first
            rows.append((case["msg"], vector, state.placement.step, state.profile, set(case["answered_by"])))

        def given(floor=None):
            return [(bank.match(msg, vector, (step,), profile, floor), labels, msg, vector)
                    for msg, vector, step, profile, labels in rows]

        coverable = sum(1 for c in cases if c["answered_by"])
        print(f"{len(cases)} questions ({coverable} with a labelled answer among {len(ids)} entries); "
              f"{len(rows)} placed on a step without a clarifying question")
        print(f"{'floor':>6} {'answered':>9} {'precision':>10} {'recall':>7}")
        for floor in np.arange(0.50, 0.86, 0.03):
            answered = [(entry.id, labels) for entry, labels, _, _ in given(floor) if entry is not None]
            right = sum(1 for i, labels in answered if i in labels)
            mark = "  <- MATCH_FLOOR" if abs(floor - answers.MATCH_FLOOR) < 0.015 else ""
            print(f"{floor:6.2f} {len(answered):9d} {right / max(len(answered), 1):10.3f} {right / max(coverable, 1):7.3f}{mark}")
        if args.show:
            for entry, labels, message, vector in given():
                if entry is not None and entry.id not in labels:
                    score = bank.similarities(message, vector)[ids.index(entry.id)]
                    print(f"\n{score:.3f} {entry.id} (labelled {sorted(labels) or 'none'})\n  {message}")

if __name__ == "__main__":
    main()
