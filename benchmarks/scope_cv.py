"""How well the scope model tells career-growth questions from career-adjacent and off-topic ones
on messages it was not trained on.

    python benchmarks/scope_cv.py            # 5-fold cross-validation on assistant/dialogue/training/
    python benchmarks/scope_cv.py --folds 10

Each fold trains `meaning.ScopeModel` on the other folds and reads the held-back situations. For
a range of thresholds it prints how many flywheel questions would be turned away (the costly
error) and how many adjacent / off-topic messages are caught, by the model alone and together
with the word lists (`manager.adjacent_topic`, the guard's off-topic list). Never an eval split.
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

    from pathlib import Path

    from assistant.dialogue import meaning
    from assistant.dialogue.answers import load_entries
    from assistant.dialogue.manager import adjacent_topic
    from assistant.embeddings import shared_embedder
    from assistant.guard import classify_scope
    from assistant.knowledge import load_knowledge

    embedder = shared_embedder()
    flywheel = next(f for f in load_knowledge(Path(__file__).parent.parent / "knowledge") if f.kind == "flywheel")
    # what the product trains on (`DialogueManager`): the training files and the answer bank's phrasings
    texts, scopes = meaning.scope_examples(tuple(p for entry in load_entries(flywheel.meta) for p in entry.asked_as))
    vectors = embedder.embed(texts)
    order = np.random.RandomState(args.seed).permutation(len(texts))
    probabilities = [None] * len(texts)
    for k in range(args.folds):
        unseen = set(order[k::args.folds].tolist())
        seen = [i for i in range(len(texts)) if i not in unseen]
        model = meaning.ScopeModel(embedder, None, ([texts[i] for i in seen], [scopes[i] for i in seen]))
        for i in unseen:
            probabilities[i] = model.probabilities(texts[i], vectors[i])

    words = ["adjacent" if adjacent_topic(t) else "off_topic" if classify_scope(t, 1.0).reason == "off_topic" else "flywheel"
             for t in texts]
    counts = {s: scopes.count(s) for s in meaning.SCOPES}
    print(f"{len(texts)} messages: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + f"  [{args.folds}-fold]")

    def line(name, verdicts):
        away = sum(v != "flywheel" for v, s in zip(verdicts, scopes) if s == "flywheel")
        caught = {s: sum(v == s for v, g in zip(verdicts, scopes) if g == s) for s in ("adjacent", "off_topic")}
        either = sum(v != "flywheel" for v, s in zip(verdicts, scopes) if s != "flywheel")
        print(f"{name:<28} flywheel turned away {away}/{counts['flywheel']}   adjacent {caught['adjacent']}/{counts['adjacent']}"
              f"   off-topic {caught['off_topic']}/{counts['off_topic']}   off the wheel {either}/{len(texts) - counts['flywheel']}")

    line("word lists alone", words)
    for floor in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        model = [next((s for s in ("adjacent", "off_topic") if p[s] >= floor), "flywheel") for p in probabilities]
        line(f"model ≥ {floor}", model)
        line("  word lists, then model", [w if w != "flywheel" else m for w, m in zip(words, model)])


if __name__ == "__main__":
    main()
