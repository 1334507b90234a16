"""Precomputed example and phrase vectors shipped with the package, so a first run on the
default knowledge doesn't spend seconds embedding them.

`diagnosis.signal_vectors` looks here before MENTOR_HOME's cache: files are named by the
same content hash (model name + texts), so a shipped file is only ever used for exactly the
texts it was computed from; anything else (edited examples, another knowledge folder) is
embedded and cached in MENTOR_HOME as before. Stored as float16 (half the size; cosine
similarities move by ~1e-3). The dialogue's trained weights ship here too (`*-model-*.npz`,
named by a hash of what they were trained on: texts, labels, vectors and the source of the code
that reads them, `dialogue.meaning.reading_fingerprint`; anything else trains its own). Regenerate after changing the examples, the training data, the
flywheel's phrases or the knowledge files: `python -m assistant.vector_cache`
(tests/test_vector_cache.py fails when the shipped files are stale).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DIMENSION = 384


def shipped(name: str, rows: int) -> np.ndarray | None:
    """The shipped vectors named `name` (float32), or None when there are none for these texts."""
    from importlib.resources import files

    resource = files(__name__) / name
    try:
        if not resource.is_file():
            return None
        with resource.open("rb") as f:
            vectors = np.load(f)
    except (OSError, ValueError):
        return None
    return vectors.astype(np.float32) if vectors.shape == (rows, DIMENSION) else None


def folder() -> Path:
    return Path(__file__).parent
