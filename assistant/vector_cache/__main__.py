"""`python -m assistant.vector_cache`: recompute the shipped vectors from a fresh first run on
the packaged knowledge (everything a first `mentor index` and first answer embed), as float16."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from . import folder


def main() -> None:
    from assistant import Mentor, Settings

    target = folder()
    for old in target.glob("signals-*.npy"):  # else the run below would be served from them
        old.unlink()
    home = Path(tempfile.mkdtemp(prefix="mentor-vectors-"))
    try:
        mentor = Mentor(Settings(home=home, provider="offline"))
        mentor.index()
        mentor.ask("I'm stuck in a rut at work, how do I get out?")  # the injection guard's exemplars too
        mentor.diagnose("I'm stuck in a rut at work")  # the public diagnose()'s signal phrases
        count = 0
        for path in sorted((home / "cache").glob("signals-*.npy")):
            np.save(target / path.name, np.load(path).astype(np.float16))
            count += 1
        print(f"{count} vector files written to {target}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
