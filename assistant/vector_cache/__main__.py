"""`python -m assistant.vector_cache`: recompute the shipped vectors from a fresh first run on
the packaged knowledge (everything a first `mentor index` and first answer embed), as float16,
and the dialogue's trained weights (`dialogue.meaning`: the step and transition models;
`dialogue.fact_ranker`: which sentences answer a factual question)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from . import folder


def first_run(home: Path) -> Path:
    """Everything a first `mentor index` and first answer compute, into `home`'s cache."""
    from assistant import Mentor, Settings

    mentor = Mentor(Settings(home=home, provider="offline"))
    mentor.index()
    mentor.ask("I'm stuck in a rut at work, how do I get out?")  # the injection guard's exemplars too
    mentor.diagnose("I'm stuck in a rut at work")  # the public diagnose()'s signal phrases
    return home / "cache"


def main() -> None:
    target = folder()
    for pattern in ("signals-*.npy", "*-model-*.npz"):  # else the runs below would be served from them
        for old in target.glob(pattern):
            old.unlink()
    homes = [Path(tempfile.mkdtemp(prefix="mentor-vectors-")) for _ in range(2)]
    try:
        count = 0
        for path in sorted(first_run(homes[0]).glob("signals-*.npy")):
            np.save(target / path.name, np.load(path).astype(np.float16))
            count += 1
        # The weights are trained on the vectors as a user's first run reads them (the float16
        # ones just shipped), so their names match the hash that run computes.
        for path in sorted(first_run(homes[1]).glob("*-model-*.npz")):
            shutil.copyfile(path, target / path.name)
            count += 1
        print(f"{count} files written to {target}")
    finally:
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
