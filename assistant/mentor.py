"""`Mentor`: the one public façade. The page, the CLI and the eval suites call it.

A turn flows one way: validate → (rewrite a follow-up) → scope → retrieve
(hybrid) → diagnose the step → answer (offline composer, or the LLM chain when
a model is configured) → verify citations → update the Session. Everything heavy
(Chroma, the embedding model, the LLM client) is built on first use.

The index can change under a running Mentor (`mentor index` in another process,
another server sharing the Chroma server): each turn compares the index's
generation (one small Chroma read) and, when it moved, `_on_index_changed()`
drops everything derived from the index. The first use checks the store against
its manifest and repairs an interrupted index run.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Iterator

from .errors import KnowledgeFileError, MentorError, ProviderError
from .guard import classify_scope, validate_question
from .session import Session
from .settings import Settings
from .types import Answer, AnswerRequest, IndexReport, Source, Step

NEXT_ACTION_LINE = re.compile(r"^\W*(?:your\s+)?next action\W*:?\**\s*(?P<action>.+)$", re.IGNORECASE | re.MULTILINE)
FOLLOW_UP = re.compile(
    r"^(?:and|but|so|then|what about|how about|what else|after that|and then|ok|okay|why|really|"
    r"what did he|what happened|what next|and after|how so|like what|such as|does that|is that)\b"
    r"|\b(?:that|it|this|he|his|him|they|them|there)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 25
MARKER_AT_END = re.compile(r"(?:\s*\[\d{1,3}\])+\s*$")


ASKS_WHAT_NEXT = re.compile(r"\b(?:after that|what next|what's next|then what|and then|next step|what comes next)\b", re.I)


class AnswerStream:
    """Iterate to receive text pieces as they arrive; `.answer` holds the Answer once done."""

    def __init__(self, pieces: Iterator[str], finish) -> None:
        self._pieces = pieces
        self._finish = finish
        self._parts: list[str] = []
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            self._parts.append(piece)
            yield piece
        self._answer = self._finish("".join(self._parts))

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            for _ in self:
                pass
        return self._answer

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def close(self) -> None:
        """Abandon the turn (e.g. Ctrl-C mid-answer): the session drops the unanswered question."""
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()


log = logging.getLogger("assistant.mentor")


class Mentor:
    # Attributes holding something derived from the index (besides the flywheel and the
    # diagnoser): set to None by `_on_index_changed()` and rebuilt on next use.
    _INDEX_CACHES: tuple[str, ...] = ("_retriever",)

    def __init__(self, settings: Settings | None = None, *, answerer=None) -> None:
        self.settings = settings or Settings.from_env()
        self._answerer = answerer  # injected by tests; otherwise chosen from settings
        self._answerer_injected = answerer is not None
        self._lock = threading.RLock()
        self._store = None
        self._retriever = None
        self._flywheel = None
        self._diagnoser = None
        self._index_token = None  # the index generation this Mentor's caches were built from

    # --- lazily built parts -------------------------------------------------
    @property
    def store(self):
        with self._lock:
            if self._store is None:
                from .embeddings import shared_embedder
                from .store import KnowledgeStore

                self._store = KnowledgeStore.from_settings(self.settings, shared_embedder())
            return self._store

    @property
    def retriever(self):
        with self._lock:
            if self._retriever is None:
                from .retrieval import HybridRetriever

                if self._index_token is None:
                    self._open_index()
                self._retriever = HybridRetriever(self.store)
            return self._retriever

    @property
    def flywheel(self):
        """The flywheel as last indexed (kept with the index, so a broken edit to the file
        never takes a running mentor down); the knowledge folder's before the first index."""
        with self._lock:
            if self._flywheel is None:
                from .flywheel import Flywheel

                snapshot = self.store.state().flywheel
                self._flywheel = Flywheel.from_meta(snapshot) if snapshot else Flywheel.load(self.settings.knowledge_dir)
            return self._flywheel

    @property
    def diagnoser(self):
        with self._lock:
            if self._diagnoser is None:
                from .diagnosis import StepDiagnoser

                self._diagnoser = StepDiagnoser(self.flywheel, self.store.embedder, self.settings.home / "cache")
            return self._diagnoser

    @property
    def answerer(self):
        with self._lock:
            if self._answerer is None:
                if self.settings.uses_llm:
                    from .llm import LLMAnswerer

                    self._answerer = LLMAnswerer(self.settings, self.flywheel)
                else:
                    from .composer import OfflineComposer

                    self._answerer = OfflineComposer(self.flywheel)
            return self._answerer

    @property
    def mode(self) -> str:
        return "llm" if self.settings.uses_llm else "offline"

    @property
    def model_name(self) -> str | None:
        return self.settings.model if self.settings.uses_llm else None

    # --- the index's life cycle ----------------------------------------------
    def _open_index(self) -> None:
        """First use: check the store against its manifest; build or repair it when they
        disagree (an empty store, an interrupted index run, an index from an older version)."""
        with self._lock:
            health = self.store.check()
            if health.healthy:
                self._index_token = health.token
                return
            if not health.needs_build:
                raise health.error
            with self.store.backend.write_lock():
                health = self.store.check()  # another process may have just finished it
                if health.healthy:
                    self._index_token = health.token
                    return
                if health.chunks:
                    log.warning("repairing the index: %s", health.problem)
                try:
                    self.index()
                except KnowledgeFileError:
                    if not health.chunks:
                        raise
                    log.warning("could not repair the index (a knowledge file is broken); answering from it as it is")
                    self._index_token = health.token

    def _sync_index(self) -> None:
        """Once per turn: one small read of the index generation; reload if it moved on."""
        if self._index_token is None:
            self.retriever  # first use: opens, checks and repairs
            return
        token = self.store.generation_token()
        if token == self._index_token:
            return
        with self._lock:
            if token == self._index_token:
                return
            replaced = self._index_token is not None and token[0] != self._index_token[0]
            self.store.follow(token)
            self._on_index_changed()
            self._index_token = None if replaced else token  # a new collection is checked like a first open
        log.info("the index changed (generation %s): reloaded", token[1])

    def _on_index_changed(self) -> None:
        """Drop everything derived from the index; each part is rebuilt on next use."""
        with self._lock:
            self._flywheel = None
            self._diagnoser = None
            for name in self._INDEX_CACHES:
                setattr(self, name, None)
            if not self._answerer_injected:
                self._answerer = None  # the composer and the LLM chain hold the flywheel

    def index_status(self) -> dict:
        """The index at a glance (for `mentor doctor`); never raises, never writes."""
        status = {"backend": None, "location": None, "chunks": None, "generation": None,
                  "healthy": False, "problem": None}
        try:
            store = self.store
            status.update(backend=store.backend.kind, location=store.location)
            health = store.check()
        except MentorError as exc:
            status["problem"] = str(exc)
            return status
        status.update(chunks=health.chunks, generation=health.generation, healthy=health.healthy,
                      problem=health.problem)
        return status

    # --- public API ---------------------------------------------------------
    def index(self, rebuild: bool = False, progress: bool = False) -> IndexReport:
        """Bring the index up to date with the knowledge folder (idempotent). With `rebuild`,
        re-embed everything; an unreadable store is moved aside first (never deleted)."""
        with self._lock:
            report = self.store.index(self.settings.knowledge_dir, rebuild=rebuild, progress=progress)
            token = self.store.generation_token()
            if token != self._index_token:
                self.store.follow(token)  # another process may have written right after us
                self._on_index_changed()
                self._index_token = token
            self.diagnoser  # embeds the flywheel's signal phrases now, not on the first question
            return report

    def retrieve(self, question: str, k: int | None = None) -> list[Source]:
        question = validate_question(question, self.settings.max_question_chars)
        self._sync_index()
        return self.retriever.retrieve(question, k=self.settings.k if k is None else k)

    def diagnose(self, message: str) -> Step | None:
        message = validate_question(message, self.settings.max_question_chars)
        self._sync_index()
        return self.diagnoser.diagnose(message)

    def ask(self, question: str, session: Session | None = None) -> Answer:
        return self.stream(question, session=session).answer

    def stream(self, question: str, session: Session | None = None) -> AnswerStream:
        """Start a turn. Validation errors (and a failed follow-up rewrite) raise here; model
        errors raise while iterating. On any failure the session is left as it was, so the turn
        can be retried."""
        question = validate_question(question, self.settings.max_question_chars)
        self._sync_index()
        request = self._prepare(question, session)
        answerer = self.answerer
        if request.scope_reason != "career" or getattr(answerer, "mode", "") == "offline":
            return self._wrap(self._offline_pieces(request, session), request, session, "offline", None)
        if request.model_unavailable:  # the rewrite just failed: don't wait through the retries twice
            outcome = {"mode": "offline", "model": None, "notice": request.model_unavailable}
            return self._wrap(self._offline_pieces(request, session), request, session, "offline", None, outcome)
        return self._stream_llm(answerer, request, session)

    def _offline_pieces(self, request: AnswerRequest, session: Session | None) -> Iterator[str]:
        """The offline composer's answer (or redirect) for this turn, as stream pieces."""
        from .composer import OfflineComposer

        composer = self.answerer if isinstance(self.answerer, OfflineComposer) else OfflineComposer(self.flywheel)
        composition = composer.compose(request.question, request.sources, request.step, session, request.scope_reason)
        return composer.stream_text(composition.text)

    # --- the turn -----------------------------------------------------------
    def _prepare(self, question: str, session: Session | None) -> AnswerRequest:
        if classify_scope(question, 1.0).reason == "injection":  # before any model sees it (the rewrite too)
            return AnswerRequest(question, question, [], None, session, "injection")
        standalone, model_unavailable = self._standalone(question, session)
        retriever = self.retriever
        vector = self.store.embedder.embed_one(standalone)
        dense = retriever.dense(standalone, vector=vector)
        similarity = dense[0][1] if dense else 0.0
        scope = classify_scope(standalone, similarity)
        if not scope.in_scope:
            return AnswerRequest(question, standalone, [], None, session, scope.reason)
        step = self._diagnose_turn(question, standalone, vector, session)
        sources = retriever.retrieve(
            standalone, k=self.settings.k, dense=dense, step=step.value if step is not None else None
        )
        return AnswerRequest(question, standalone, sources, step, session, scope.reason, model_unavailable)

    def _diagnose_turn(self, question: str, standalone: str, vector, session: Session | None) -> Step | None:
        if standalone == question:
            return self.diagnoser.diagnose(question, vector)
        # A follow-up: "and after that?" moves one step on; otherwise diagnose the rewritten question.
        if session is not None and session.step is not None and ASKS_WHAT_NEXT.search(question):
            return session.step.next
        return self.diagnoser.diagnose(question) or self.diagnoser.diagnose(standalone, vector)

    def _standalone(self, question: str, session: Session | None) -> tuple[str, str | None]:
        """The question to retrieve with, and the model's failure if the rewrite hit one
        (only returned with fallback on; otherwise it raises)."""
        if not session or not any(t.role == "user" for t in session.turns):
            return question, None
        failure = None
        if self.settings.uses_llm and hasattr(self.answerer, "rewrite"):
            try:
                return self.answerer.rewrite(question, session), None
            except ProviderError as exc:
                if not self.settings.fallback_offline:
                    raise  # from stream(), before the turn is recorded: the session is untouched
                failure = fallback_notice(exc)
        previous = next(t.text for t in reversed(session.turns) if t.role == "user")
        if len(question.split()) <= FOLLOW_UP_MAX_WORDS and FOLLOW_UP.search(question):
            return f"{previous} {question}", failure
        return question, failure

    def _stream_llm(self, answerer, request: AnswerRequest, session) -> AnswerStream:
        if not self.settings.fallback_offline:
            return self._wrap(answerer.stream(request), request, session, mode="llm", model=answerer.model)
        outcome: dict = {}

        def with_fallback() -> Iterator[str]:
            started = False
            try:
                for piece in answerer.stream(request):
                    started = True
                    yield piece
            except ProviderError as exc:
                if started:  # text is already out: can't swap answers mid-way
                    raise
                outcome.update(mode="offline", model=None, notice=fallback_notice(exc))
                yield from self._offline_pieces(request, session)

        return self._wrap(with_fallback(), request, session, mode="llm", model=answerer.model, outcome=outcome)

    def _wrap(self, pieces: Iterator[str], request: AnswerRequest, session, mode: str, model,
              outcome: dict | None = None) -> AnswerStream:
        def guarded() -> Iterator[str]:
            # The user's turn joins the session when the answer starts; if the answer
            # fails or the reader abandons the stream, it is taken back out so the
            # conversation stays consistent and the turn can simply be retried.
            if session is not None:
                session.add_user_turn(request.question)
            completed = False
            try:
                yield from pieces
                completed = True
            except MentorError:
                raise
            except Exception as exc:  # a provider library's own error: never a raw traceback to users
                raise ProviderError(f"the model call failed ({type(exc).__name__}); try again") from exc
            finally:
                if not completed and session is not None:
                    session.drop_last_user_turn()

        def finish(text: str) -> Answer:
            if outcome:  # the LLM turn fell back to the offline answer
                return self._finish(text, request, session, outcome["mode"], outcome["model"], outcome["notice"])
            return self._finish(text, request, session, mode, model)

        return AnswerStream(guarded(), finish)

    def _finish(self, text: str, request: AnswerRequest, session, mode: str, model, notice: str | None = None) -> Answer:
        from .citations import verify_citations

        text, citations = verify_citations(text.strip(), request.sources)
        next_action = None
        if request.scope_reason == "career":
            match = NEXT_ACTION_LINE.search(text)
            if match:
                next_action = MARKER_AT_END.sub("", match.group("action").strip().strip("*").strip())
            elif request.step is not None and self.flywheel[request.step].next_actions:
                next_action = self.flywheel[request.step].next_actions[0]
        answer = Answer(
            text=text,
            sources=request.sources,
            step=request.step,
            in_scope=request.scope_reason == "career",
            next_action=next_action,
            mode=mode,
            citations=citations,
            question=request.question,
            standalone_question=request.standalone_question if request.standalone_question != request.question else None,
            model=model,
            notice=notice,
        )
        if session is not None:
            session.add_assistant_turn(answer)
        return answer


def fallback_notice(exc: ProviderError) -> str:
    reason = getattr(exc, "reason", None) or str(exc)
    return f"The model is unavailable ({reason}). This is the offline answer, built from the same passages."


def ask(question: str, session: Session | None = None) -> Answer:
    """One-shot use: `assistant.ask("How do I get out of a rut?")`."""
    return Mentor().ask(question, session=session)
