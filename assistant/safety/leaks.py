"""Does a model's answer repeat the system prompt? Checked while the answer streams.

`PromptLeakGuard(protected, allowed)` knows every run of `SHINGLE_WORDS` words in the
protected text (the mentor's instructions), minus the runs that also occur in text the
answer may legitimately repeat (the flywheel summary, the passages, the mentee's own
message). An answer containing one of the remaining runs has leaked the instructions.

`guard_stream(pieces, guard)` passes text through while holding back the last
`SHINGLE_WORDS - 1` words, so a leaked run is caught before any complete run of it is
shown; on a leak it stops reading the model and reports it through `LeakState`. When
the model fails mid-answer the held-back words are released before the error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

SHINGLE_WORDS = 8
REFUSAL = (
    "I can't share or change my instructions, but I'm happy to help with your career. "
    "Tell me where you are stuck (a project, your manager, a bet that failed) and I'll place it on the flywheel."
)
NOTICE = "The model's answer repeated the mentor's instructions, so it was withheld."

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


class PromptLeakGuard:
    def __init__(self, protected: str | Iterable[str], allowed: Iterable[str] = (), n: int = SHINGLE_WORDS) -> None:
        self.n = n
        texts = [protected] if isinstance(protected, str) else list(protected)
        runs: set[tuple[str, ...]] = set()
        for text in texts:
            runs |= shingles(text, n)
        for text in allowed:
            runs -= shingles(text or "", n)
        self._runs = runs

    def leaks(self, answer: str) -> list[str]:
        """The protected runs found in `answer` (as text), in order of appearance."""
        w = words(answer)
        found = []
        for i in range(len(w) - self.n + 1):
            run = tuple(w[i : i + self.n])
            if run in self._runs:
                found.append(" ".join(run))
        return found

    def __bool__(self) -> bool:
        return bool(self._runs)


@dataclass
class LeakState:
    leaked: list[str] = field(default_factory=list)


def _hold_back_start(text: str, n_words: int) -> int:
    """Index where the last `n_words` whitespace-separated tokens of `text` begin (the last
    one may be a partial word). The full text is checked before anything is released, so
    this only limits how much of the start of a leaked run is shown."""
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    if len(starts) <= n_words:
        return 0
    return starts[-n_words] if n_words > 0 else len(text)


def guard_stream(pieces: Iterable[str], guard: PromptLeakGuard, state: LeakState) -> Iterator[str]:
    """Yield `pieces` (re-chunked) unless the text leaks; on a leak, stop reading the
    model (its generator is closed) and record the leaked runs in `state`."""
    if not guard:
        yield from pieces
        return
    text, shown = "", 0
    iterator = iter(pieces)
    try:
        for piece in iterator:
            text += piece
            found = guard.leaks(text)
            if found:
                state.leaked = found
                return
            cut = _hold_back_start(text, guard.n - 1)
            if cut > shown:
                yield text[shown:cut]
                shown = cut
    except Exception:
        # The model failed mid-answer: what was held back holds no leak (it was checked), so
        # release it before the error, as an unguarded stream would have.
        if text[shown:]:
            yield text[shown:]
        raise
    else:
        if text[shown:]:
            yield text[shown:]
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
