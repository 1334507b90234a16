"""How well the dialogue's learned models place messages they were not trained on.

    python benchmarks/dialogue_cv.py            # 5-fold cross-validation of both models
    python benchmarks/dialogue_cv.py --folds 10

On `assistant/dialogue/training/` (never on an eval split): each fold trains the model on the
other folds and places the held-back messages.

* step model: first messages, placed by the top step (`StepModel.scores`);
* transition model: follow-up turns, teacher-forced (the step before each turn is its label),
  right when "stay"/"advance" lands on the labelled step after the turn;
* for comparison, the facts alone (`placement.stage_from_facts` on what the patterns read;
  no fact counts as wrong), the reading the learned models replaced on first messages.

Prints one line per model (a few minutes on 2 cores: each fold trains both models).
Loops are bounded by the data; nothing is contacted.
"""

from __future__ import annotations

import argparse

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from assistant.dialogue import meaning
    from assistant.dialogue.manager import read_follow_up
    from assistant.dialogue.placement import stage_from_facts
    from assistant.dialogue.understanding import Understanding, find_facts
    from assistant.embeddings import shared_embedder

    embedder = shared_embedder()
    texts, steps = meaning.training_situations()
    turns = meaning.training_followups()
    vectors = embedder.embed(texts)
    understanding = Understanding(embedder, None)

    def read(text, vector):
        return read_follow_up(understanding, text, vector)

    facts_right = sum(stage_from_facts(set(find_facts(t)), set())[0] is s for t, s in zip(texts, steps))
    order = np.random.RandomState(args.seed).permutation(len(texts))
    step_right = 0
    originals = meaning.training_situations, meaning.training_followups
    try:
        for k in range(args.folds):
            unseen = set(order[k::args.folds].tolist())
            meaning.training_situations = lambda: (  # noqa: E731
                [t for i, t in enumerate(texts) if i not in unseen], [s for i, s in enumerate(steps) if i not in unseen])
            model = meaning.StepModel(embedder, None)
            for i in unseen:
                scores = model.scores(texts[i], vectors[i], find_facts(texts[i]))
                step_right += max(scores, key=scores.get) is steps[i]
        meaning.training_situations = originals[0]
        step_model = meaning.StepModel(embedder, None)
        turn_vectors = embedder.embed([t for t, _, _, _ in turns])
        order = np.random.RandomState(args.seed).permutation(len(turns))
        turn_right = 0
        for k in range(args.folds):
            unseen = set(order[k::args.folds].tolist())
            meaning.training_followups = lambda: [t for i, t in enumerate(turns) if i not in unseen]  # noqa: E731
            model = meaning.TransitionModel(step_model, embedder, read, None)
            for i in unseen:
                text, before, after, earlier = turns[i]
                move, facts = read(text, turn_vectors[i])
                known = set().union(*(find_facts(e) for e in earlier))
                verdict = model.predict(text, turn_vectors[i], move, facts, before, known)
                placed = before if verdict == "stay" else meaning.advance(before) if verdict == "advance" else None
                turn_right += placed is after
    finally:
        meaning.training_situations, meaning.training_followups = originals
    print(f"step model, first messages:  {step_right / len(texts):.3f} of {len(texts)} "
          f"(facts alone: {facts_right / len(texts):.3f})  [{args.folds}-fold]")
    print(f"transition model, follow-ups: {turn_right / len(turns):.3f} of {len(turns)}  [{args.folds}-fold, teacher-forced]")


if __name__ == "__main__":
    main()
