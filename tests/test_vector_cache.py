"""The vectors shipped in `assistant/vector_cache/` cover a first run on the packaged knowledge."""

from __future__ import annotations

import numpy as np

from assistant import Mentor, Settings
from assistant.diagnosis import signal_vectors
from assistant.embeddings import shared_embedder


def test_a_first_run_on_the_packaged_knowledge_embeds_and_trains_nothing_itself(tmp_path):
    mentor = Mentor(Settings(home=tmp_path, provider="offline"))
    mentor.index()
    mentor.ask("I'm stuck in a rut at work, how do I get out?")
    computed = sorted(p.name for pattern in ("signals-*.npy", "*-model-*.npz") for p in (tmp_path / "cache").glob(pattern))
    assert computed == [], ("the shipped vectors or trained weights are stale: run `python -m assistant.vector_cache` "
                            f"(computed here: {computed})")


def test_shipped_vectors_match_what_the_model_computes():
    texts = ["I keep missing my deadlines", "my manager trusts me and gives me a lot of autonomy"]
    embedder = shared_embedder()
    shipped = signal_vectors(texts, embedder, None)  # not shipped: computed
    assert np.allclose(shipped, embedder.embed(texts), atol=1e-6)
    from assistant.dialogue.meaning import exemplar_data

    examples = [t for group in exemplar_data()["moves"].values() for t in group]
    served = signal_vectors(examples, embedder, None)
    fresh = embedder.embed(examples[:5])
    assert np.allclose(served[:5], fresh, atol=2e-3)  # float16 on disk: cosines move by ~1e-3


def test_edited_texts_are_embedded_not_served_from_the_package(tmp_path):
    vectors = signal_vectors(["a phrase nobody shipped, 7f3a"], shared_embedder(), tmp_path)
    assert vectors.shape == (1, 384) and len(list(tmp_path.glob("signals-*.npy"))) == 1
