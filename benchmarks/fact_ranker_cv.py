"""How well the factual-answer ranker finds the answering sentence for questions it was not trained on.

    python benchmarks/fact_ranker_cv.py             # 5-fold cross-validation
    python benchmarks/fact_ranker_cv.py --folds 10
    python benchmarks/fact_ranker_cv.py --by-author   # train on three authors, test on the fourth

On `assistant/dialogue/training/facts.yaml` (never on an eval split): each fold trains the ranker
on the other folds' questions and ranks every sentence of the article for the held-back ones.
Prints, for the ranker and for the hand-weighted score it replaced, how often the top sentence
is one of the labelled answers (top-1), how often one is among the top three (top-3), and how
often the sentences `SentenceIndex.answer_sentences` returns include one (answered).
Loops are bounded by the data; nothing is contacted.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--by-author", action="store_true",
                        help="hold back one author's questions at a time (new wordings, as a user's would be)")
    parser.add_argument("--show", action="store_true", help="print the held-back questions the ranker misses")
    args = parser.parse_args()

    from assistant import Mentor, Settings
    from assistant.dialogue import fact_ranker

    with tempfile.TemporaryDirectory() as home:
        mentor = Mentor(Settings(home=Path(home), provider="offline"))
        mentor.index()
        dialogue = mentor.dialogue
        index, embedder = dialogue.sentences, dialogue.embedder
        questions = fact_ranker.training_questions()
        vectors = embedder.embed([q["question"] for q in questions])
        probe = index.ranker
        gold = [set(probe.locate(q["answers"])) for q in questions]
        order = np.random.RandomState(args.seed).permutation(len(questions))
        if args.by_author:
            authors = sorted({q.get("author", "") for q in questions})
            folds = [{i for i, q in enumerate(questions) if q.get("author", "") == a} for a in authors]
            label = "leave one author out"
        else:
            folds = [set(order[k::args.folds].tolist()) for k in range(args.folds)]
            label = f"{args.folds}-fold"
        counts = {"ranker": [0, 0, 0], "no ranker": [0, 0, 0]}
        original = fact_ranker.training_questions
        try:
            for unseen in folds:
                fact_ranker.training_questions = lambda: [q for i, q in enumerate(questions) if i not in unseen]  # noqa: E731
                index.ranker = fact_ranker.FactRanker(index, embedder, None)
                for i in sorted(unseen):
                    if not gold[i]:
                        continue
                    question, vector = questions[i]["question"], vectors[i]
                    ranked = np.argsort(-index.ranker.probabilities(question, vector))
                    returned = {s.position for s in index.answer_sentences(question, vector)}
                    tally = counts["ranker"]
                    tally[0] += ranked[0] in gold[i]
                    tally[1] += bool(set(ranked[:3].tolist()) & gold[i])
                    tally[2] += bool(returned & gold[i])
                    if args.show and not returned & gold[i]:
                        print("MISS", question, "|", index.sentences[ranked[0]].text[:100])
                    saved, index.ranker = index.ranker, None
                    hand = {s.position for s in index.answer_sentences(question, vector)}
                    counts["no ranker"][2] += bool(hand & gold[i])
                    index.ranker = saved
        finally:
            fact_ranker.training_questions = original
        n = sum(1 for g in gold if g)
        for name, (top1, top3, answered) in counts.items():
            ranks = f"top-1 {top1 / n:.3f}  top-3 {top3 / n:.3f}  " if name == "ranker" else " " * 26
            print(f"{name:10s} {ranks}answered {answered / n:.3f}  of {n} questions  [{label}]")


if __name__ == "__main__":
    main()
