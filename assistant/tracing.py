"""Tracing a whole turn as one LangChain run tree (what LangSmith shows), and stage timings.

One run named `mentor.turn` per `Mentor.stream`/`ask`, tagged `flywheel-mentor`, with the
mentee's spin, the mode and the model as metadata from the start, and the diagnosed step
(and the mode actually used, after a fallback) added before it ends. Its children are the
turn's stages, in order: `diagnose` (the dialogue's reading of the turn and the step; in model
mode its structured read nests here), `rewrite` (a follow-up made standalone), `retrieve.dense`
and `retrieve` (dense search, then the fused step-aware ranking), `answer` (the streamed text;
the model's own runs, `mentor.answer` → ChatOpenAI, nest under it) and `verify` (the citation
check).

It uses LangChain's callback system, so whatever LangChain would trace is attached with no
code here: LangSmith when LANGSMITH_TRACING=true, or any handler a configure hook adds
(tests use one). With no handler, nothing is recorded and the cost is a few function calls.
Every stage also logs its duration at INFO (`mentor -v` shows them).

The hooks in `assistant.mentor` are deliberately tiny: `turn(...)` around the turn,
`@traced(name)` on a stage's function or `with stage(name):` around a block, and
`answer_stage(pieces, finish)` around the stream.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

log = logging.getLogger(__name__)

TAGS = ["flywheel-mentor"]
_current: contextvars.ContextVar["Turn | None"] = contextvars.ContextVar("mentor_turn", default=None)


class Turn:
    """One traced turn. Built by `turn()`; stages attach to it while it is current."""

    def __init__(self, question: str, metadata: dict[str, Any]) -> None:
        from langchain_core.callbacks import CallbackManager

        self.started = time.perf_counter()
        self.metadata = dict(metadata)
        manager = CallbackManager.configure(inheritable_tags=TAGS, inheritable_metadata=self.metadata)
        self.run = manager.on_chain_start(None, {"question": question}, name="mentor.turn") if manager.handlers else None
        self.ended = False

    # --- stages ---------------------------------------------------------------------
    @contextmanager
    def stage(self, name: str, inputs: dict | None = None) -> Iterator[dict]:
        """A child run around a block; LangChain runnables called inside nest under it.
        Yields a dict the block may fill with the stage's outputs."""
        outputs: dict[str, Any] = {}
        started = time.perf_counter()
        run = self.run.get_child().on_chain_start(None, inputs or {}, name=name) if self.run else None
        token = _set_langchain_parent(run)
        try:
            yield outputs
        except BaseException as exc:
            if run is not None:
                run.on_chain_error(exc)
            raise
        else:
            if run is not None:
                run.on_chain_end(outputs)
        finally:
            _reset_langchain_parent(token)
            log.info("turn stage %s: %.0f ms", name, (time.perf_counter() - started) * 1000)

    def stream_stage(self, name: str, pieces: Iterator[str]) -> Iterator[str]:
        """A child run open while `pieces` is consumed; each piece is produced inside it, so the
        model's streamed run nests under this stage whoever iterates and from wherever."""
        started = time.perf_counter()
        run = self.run.get_child().on_chain_start(None, {}, name=name) if self.run else None
        context = contextvars.copy_context()
        context.run(_current.set, self)
        if run is not None:
            context.run(_set_langchain_parent, run)
        parts: list[str] = []
        try:
            while True:
                try:
                    piece = context.run(next, pieces)
                except StopIteration:
                    break
                parts.append(piece)
                yield piece
        except BaseException as exc:  # a provider error, or the reader abandoned the stream
            close = getattr(pieces, "close", None)
            if close is not None:
                context.run(close)
            if run is not None:
                run.on_chain_error(exc)
            log.info("turn stage %s: stopped after %.0f ms (%s)", name, (time.perf_counter() - started) * 1000,
                     type(exc).__name__)
            self.fail(exc)
            raise
        if run is not None:
            run.on_chain_end({"text": "".join(parts)})
        log.info("turn stage %s: %.0f ms", name, (time.perf_counter() - started) * 1000)

    # --- the end ----------------------------------------------------------------------
    def finish(self, answer) -> None:
        """End `mentor.turn` with the Answer's essentials, its step and mode added to the metadata."""
        if self.ended:
            return
        self.ended = True
        step = getattr(answer, "step", None)
        extra = {"mentor_step": getattr(step, "value", step), "mentor_mode": getattr(answer, "mode", None)}
        self.metadata.update(extra)
        log.info("turn: %.0f ms (mode %s, step %s)", (time.perf_counter() - self.started) * 1000,
                 extra["mentor_mode"], extra["mentor_step"])
        if self.run is None:
            return
        _annotate(self.run, extra)
        self.run.on_chain_end({
            "text": getattr(answer, "text", ""),
            "step": extra["mentor_step"],
            "in_scope": getattr(answer, "in_scope", None),
            "sources": [getattr(s, "id", None) for s in getattr(answer, "sources", [])],
        })

    def fail(self, exc: BaseException) -> None:
        if self.ended:
            return
        self.ended = True
        log.info("turn failed after %.0f ms (%s)", (time.perf_counter() - self.started) * 1000, type(exc).__name__)
        if self.run is not None:
            self.run.on_chain_error(exc)


def _annotate(run_manager, metadata: dict) -> None:
    """Add metadata to a run that already started: tracers keep the run object until it ends
    (LangSmith sends it with the end-of-run update)."""
    for handler in run_manager.handlers:
        run = getattr(handler, "run_map", {}).get(str(run_manager.run_id))
        if run is not None:
            run.extra.setdefault("metadata", {}).update(metadata)
    run_manager.metadata.update(metadata)


def _set_langchain_parent(run_manager):
    """Make LangChain runnables started from here children of `run_manager`'s run."""
    if run_manager is None:
        return None
    from langchain_core.runnables.config import var_child_runnable_config

    return var_child_runnable_config.set({"callbacks": run_manager.get_child()})


def _reset_langchain_parent(token) -> None:
    if token is not None:
        from langchain_core.runnables.config import var_child_runnable_config

        var_child_runnable_config.reset(token)


# --- the hooks Mentor uses ------------------------------------------------------------------
@contextmanager
def turn(question: str, session=None, *, mode: str, model: str | None) -> Iterator[Turn]:
    """Open `mentor.turn` and make it current for the stages that follow. An exception here ends
    it as failed; otherwise it stays open until the answer stream finishes (`answer_stage`)."""
    metadata = {"mentor_mode": mode, "mentor_model": model, "mentor_spin": getattr(session, "spin", None)}
    current = Turn(question, metadata)
    token = _current.set(current)
    try:
        yield current
    except BaseException as exc:
        current.fail(exc)
        raise
    finally:
        _current.reset(token)


@contextmanager
def stage(name: str) -> Iterator[dict]:
    """Run a block as the stage `name` of the current turn (nothing when no turn is current).
    Yields a dict the block may fill with the stage's outputs."""
    current = _current.get()
    if current is None:
        yield {}
        return
    with current.stage(name) as outputs:
        yield outputs


def traced(name: str) -> Callable:
    """Decorator: run the function as the stage `name` of the current turn (plain call otherwise)."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            current = _current.get()
            if current is None:
                return func(*args, **kwargs)
            with current.stage(name) as outputs:
                result = func(*args, **kwargs)
                outputs["output"] = _brief(result)
                return result

        return wrapper

    return decorate


def _brief(value):
    """A small, JSON-friendly view of a stage's result for the trace (ids, not whole passages)."""
    if isinstance(value, (list, tuple)):
        return [_brief(v) for v in value[:10]]
    for attr in ("id", "value"):  # a Source / StoredChunk, a Step
        if hasattr(value, attr) and isinstance(getattr(value, attr), str):
            return getattr(value, attr)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return type(value).__name__


def answer_stage(pieces: Iterator[str], finish: Callable[[str], Any]) -> tuple[Iterator[str], Callable[[str], Any]]:
    """Wrap an answer stream's pieces (the `answer` stage) and its finishing step (which verifies
    and builds the Answer: the `verify` stage nests there) so the turn ends with the Answer."""
    current = _current.get()
    if current is None:
        return pieces, finish

    def finishing(text: str):
        token = _current.set(current)
        try:
            answer = finish(text)
        except BaseException as exc:
            current.fail(exc)
            raise
        finally:
            _current.reset(token)
        current.finish(answer)
        return answer

    return current.stream_stage("answer", pieces), finishing


def with_handler(handler) -> Any:
    """The callbacks for a LangChain call that needs its own handler (e.g. a finish-reason
    recorder) without cutting it off from the current run: the inherited callbacks plus it."""
    from langchain_core.runnables.config import ensure_config

    inherited = ensure_config().get("callbacks")
    if inherited is None:
        return [handler]
    if isinstance(inherited, list):
        return [*inherited, handler]
    merged = inherited.copy()
    merged.add_handler(handler, inherit=True)
    return merged
