"""`Mentor`: the one public façade. The page, the CLI and the eval suites call it.

A turn flows one way: validate → (rewrite a follow-up) → scope → retrieve
(hybrid) → diagnose the step → answer (offline composer, or the LLM chain when
a model is configured) → verify citations → update the Session. Everything heavy
(Chroma, the embedding model, the LLM client) is built on first use.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Iterator

from .errors import KnowledgeFileError, MentorError, ProviderCause, ProviderError
from .guard import OFF_TOPIC, Scope, classify_scope, validate_question
from .session import Session
from .settings import Settings
from .tracing import answer_stage, stage, traced, turn
from .types import Answer, AnswerRequest, IndexReport, Source, Step

log = logging.getLogger(__name__)

NEXT_ACTION_LINE = re.compile(r"^\W*(?:your\s+)?next action\W*:?\**\s*(?P<action>.+)$", re.IGNORECASE | re.MULTILINE)
FOLLOW_UP_MAX_WORDS = 25
# A question about the article that leans on the previous turn ("and what did he do after that?").
# A message that starts by leaning on the last one ("and how do I earn trust?").
LEADS_ON = re.compile(r"^\W*(?:and|but|so|then|also|what about|how about|what else|and then|ok so|why|really|"
                      r"how so|like what)\b", re.IGNORECASE)
# A factual question that leans on the one before ("why did it happen?", "what did he do after
# that?"). "He" alone doesn't: it is the author in nearly every question about the article, and
# prefixing the previous question sent "when was he promoted?" looking for the last topic.
REFERS_BACK = re.compile(
    r"^(?:and|but|so|then|what about|how about|what else|after that|and then|why|really|how so|like what)\b"
    r"|\b(?:that|it|this|they|them|there|after that|before that)\b",
    re.IGNORECASE,
)
FACTUAL_FOLLOW_UP_MAX_WORDS = 12  # a longer question names its own subject
MARKER_AT_END = re.compile(r"(?:\s*\[\d{1,3}\])+\s*$")


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


class Mentor:
    # Attributes holding something derived from the index (besides the flywheel and the
    # diagnoser): set to None by `_on_index_changed()` and rebuilt on next use.
    _INDEX_CACHES: tuple[str, ...] = ("_retriever", "_dialogue")

    def __init__(self, settings: Settings | None = None, *, answerer=None) -> None:
        self.settings = settings or Settings.from_env()
        self._answerer = answerer  # injected by tests; otherwise chosen from settings
        self._answerer_injected = answerer is not None
        self._lock = threading.RLock()
        self._store = None
        self._model_location = None
        self._retriever = None
        self._flywheel = None
        self._diagnoser = None
        self._dialogue = None
        self._injection_detector = None
        self._index_token = None  # the index generation this Mentor's caches were built from

    # --- lazily built parts -------------------------------------------------
    @property
    def store(self):
        with self._lock:
            if self._store is None:
                from .embeddings import shared_embedder
                from .store import KnowledgeStore

                self._store = KnowledgeStore.from_settings(self.settings, shared_embedder(self.model_location.path))
            return self._store

    @property
    def model_location(self):
        """Where the embedding model's files come from (`assistant.model_files`); fetched on first use."""
        with self._lock:
            if self._model_location is None:
                from .model_files import resolve

                self._model_location = resolve(self.settings.home, self.settings.embedding_model_dir)
            return self._model_location

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
                    self._answerer = self.dialogue.composer
            return self._answerer

    @property
    def dialogue(self):
        """The dialogue manager (reading, profile, placement, offline voice), built from the index."""
        with self._lock:
            if self._dialogue is None:
                from .dialogue.manager import DialogueManager

                chunks = self.retriever._lexical_index()[1]
                self._dialogue = DialogueManager(self.flywheel, chunks, self.store.embedder, self.settings.home / "cache")
            return self._dialogue

    @property
    def mode(self) -> str:
        return "llm" if self.settings.uses_llm else "offline"

    @property
    def model_name(self) -> str | None:
        return self.settings.model if self.settings.uses_llm else None

    @property
    def injection_detector(self):
        with self._lock:
            if self._injection_detector is None:
                from .safety.injection import InjectionDetector

                self._injection_detector = InjectionDetector(self.store.embedder, cache_dir=self.settings.home / "cache")
            return self._injection_detector

    def _injection(self, question: str) -> bool:
        """Both layers of the injection guard: the regex, then similarity to injection exemplars."""
        return classify_scope(question, 1.0).reason == "injection" or self.injection_detector.flags(question)

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
                  "healthy": False, "problem": None, "repairable": False}
        try:
            store = self.store
            status.update(backend=store.backend.kind, location=store.location)
            health = store.check()
        except MentorError as exc:
            status["problem"] = str(exc)
            return status
        status.update(chunks=health.chunks, generation=health.generation, healthy=health.healthy,
                      problem=health.problem, repairable=health.needs_build)
        return status

    # --- public API ---------------------------------------------------------
    def index(self, rebuild: bool = False, progress: bool = False) -> IndexReport:
        """Bring the index up to date with the knowledge folder (idempotent). With `rebuild`,
        re-embed everything; an unreadable store is moved aside first (never deleted)."""
        with self._lock:
            report = self.store.index(self.settings.knowledge_dir, rebuild=rebuild, progress=progress)
            log.info("index %s: %s", self.store.location, report)
            token = self.store.generation_token()
            if token != self._index_token:
                self.store.follow(token)  # another process may have written right after us
                self._on_index_changed()
                self._index_token = token
            self.dialogue  # the article's sentences, actions and examples now, not on the first question
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
        can be retried. The turn is traced as one `mentor.turn` run (`assistant.tracing`)."""
        with turn(question, session, mode=self.mode, model=self.model_name):
            return self._stream(question, session)

    def _stream(self, question: str, session: Session | None) -> AnswerStream:
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
        """The offline mentor's answer (or redirect) for this turn, as stream pieces."""
        open_items = session.open_commitments if session is not None else []
        state = request.state
        if state is None:  # a redirect: nothing was read or placed
            from .dialogue.manager import TurnState
            from .dialogue.placement import Placement
            from .dialogue.profile import Profile

            state = TurnState(None, Placement(None, 0.0), Profile.from_dict(session.profile.to_dict()) if session else Profile())
            request.state = state
        factual = request.step is None and request.search_vector is not None
        request.composition = self.dialogue.compose(
            request.standalone_question if factual else request.question,
            request.search_vector if factual else request.vector, state, request.sources, spin=session.spin if session else 1,
            open_commitment=open_items[-1].text if open_items else None, scope_reason=request.scope_reason,
            last_action=next((t.next_action for t in reversed(session.turns) if t.next_action), None) if session else None,
        )
        return self.dialogue.composer.stream_text(request.composition.text)

    # --- the turn -----------------------------------------------------------
    def _prepare(self, question: str, session: Session | None) -> AnswerRequest:
        if self._injection(question):  # before any model sees it (the rewrite too)
            return AnswerRequest(question, question, [], None, session, "injection")
        retriever = self.retriever
        dialogue = self.dialogue
        vector = self._embed(question)
        with stage("diagnose"):
            state = dialogue.understand(question, vector, session)
            if self.settings.uses_llm and hasattr(self.answerer, "llm"):
                self._read_with_model(question, session, state)
                state.written_answer = dialogue.written_answer(question, vector, state)  # the model gets the bank's answer too
        move = state.reading.move if state.reading is not None else "new_situation"
        # Only real follow-ups are rewritten (a standalone message costs no extra model call).
        follow_up = (move not in ("new_situation", "factual") or bool(LEADS_ON.match(question))
                     or (move == "factual" and bool(REFERS_BACK.search(question))
                         and len(question.split()) <= FACTUAL_FOLLOW_UP_MAX_WORDS))
        standalone, model_unavailable = self._standalone(question, session, follow_up)
        search_vector = vector if standalone == question else self._standalone_vector(standalone, question, vector, session)
        dense = retriever.dense(standalone, vector=search_vector)
        similarity = dense[0][1] if dense else 0.0
        scope = classify_scope(standalone, similarity)
        mid_conversation = session is not None and session.step is not None and move not in ("factual",)
        placed = state.facts_added or (state.model_read and state.placement.step is not None)
        if state.off_topic and scope.in_scope:  # (a greeting or an injection keeps its own reply)
            scope = Scope(False, "off_topic")
        # Mid-conversation a short follow-up often looks unlike any passage; only the word list's plain off-topic
        # ("last one, unrelated: a good sourdough starter recipe?") leaves the wheel there.
        named_off_topic = scope.reason == "off_topic" and bool(OFF_TOPIC.search(question))
        if not scope.in_scope and not placed and move not in ("thanks", "clarify_answer") \
                and (not mid_conversation or named_off_topic) and scope.reason != "injection":
            return AnswerRequest(question, standalone, [], None, session, scope.reason)
        step = state.placement.step
        sources = retriever.retrieve(
            # A factual answer picks sentences from a wider set of passages.
            standalone, k=self.settings.k if step is not None else max(self.settings.k, 6), dense=dense,
            step=step.value if step is not None else None
        ) if state.adjacent is None else []
        return AnswerRequest(question, standalone, sources, step, session, "career", model_unavailable,
                             vector=vector, state=state, search_vector=search_vector)

    def _embed(self, text: str):
        """The embedding of a message (the embedder keeps the recent ones)."""
        return self.store.embedder.embed_one(text)

    def _standalone_vector(self, standalone: str, question: str, vector, session):
        """An offline follow-up searches with "previous message + this one": the mean of the two
        embeddings (one model call saved), or a fresh embedding of a model's rewrite."""
        import numpy as np

        previous = next((t.text for t in reversed(session.turns) if t.role == "user"), None) if session else None
        if previous is not None and standalone == f"{previous} {question}":
            both = self._embed(previous) + vector
            return both / (np.linalg.norm(both) or 1.0)
        return self._embed(standalone)

    def _read_with_model(self, question: str, session: Session | None, state) -> None:
        """Model mode: one structured call reads the turn; its valid answers replace the offline reading."""
        from .dialogue.llm_reading import read_with_model
        from .dialogue.placement import Placement

        if state.reading is None or state.adjacent:
            return
        context = [t.text for t in session.turns if t.role == "user"] if session is not None else []
        reading = read_with_model(self.answerer.llm, question, context)
        if reading is None:
            return
        state.model_read = True
        if reading.move:
            state.reading.move = reading.move
        user_turns = len(context)
        for key in reading.facts:
            if key not in state.reading.facts:
                state.reading.facts[key] = question[:160]
                state.facts_added.append(key)
                state.profile.add_fact(key, question, turn=user_turns)
        if state.reading.move in ("factual", "thanks"):
            state.placement = Placement(None, 0.0, reason="model")
        elif reading.step is not None:
            previous = session.step if session is not None else None
            state.placement = Placement(reading.step, 0.85, [s for s in state.placement.alternatives if s is not reading.step]
                                        or ([state.placement.step] if state.placement.step not in (None, reading.step) else []),
                                        "model")
            state.moved = previous is not None and reading.step is not previous

    @traced("rewrite")
    def _standalone(self, question: str, session: Session | None, follow_up: bool) -> tuple[str, str | None]:
        """The question to retrieve with, and the model's failure if the rewrite hit one
        (only returned with fallback on; otherwise it raises). Only real follow-ups
        (progress, objections, "what's next", ...) are rewritten."""
        if not follow_up or not session or not any(t.role == "user" for t in session.turns):
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
        if len(question.split()) <= FOLLOW_UP_MAX_WORDS:
            return f"{previous} {question}", failure
        return question, failure

    def _stream_llm(self, answerer, request: AnswerRequest, session) -> AnswerStream:
        outcome: dict = {}
        pieces = self._leak_checked(answerer, request, outcome)
        if not self.settings.fallback_offline:
            return self._wrap(pieces, request, session, mode="llm", model=answerer.model, outcome=outcome)

        def with_fallback() -> Iterator[str]:
            started = False
            try:
                for piece in pieces:
                    started = True
                    yield piece
            except ProviderError as exc:
                if started:  # text is already out: can't swap answers mid-way
                    raise
                outcome.update(mode="offline", model=None, notice=fallback_notice(exc))
                yield from self._offline_pieces(request, session)

        return self._wrap(with_fallback(), request, session, mode="llm", model=answerer.model, outcome=outcome)

    @staticmethod
    def _leak_checked(answerer, request: AnswerRequest, outcome: dict) -> Iterator[str]:
        """The model's pieces, cut off and replaced by a refusal as soon as they repeat a run of
        the system prompt (the answerer says what it must not repeat: `leak_guard`)."""
        pieces = answerer.stream(request)
        make_guard = getattr(answerer, "leak_guard", None)
        if make_guard is None:
            return pieces
        from .safety.leaks import NOTICE, REFUSAL, LeakState, guard_stream

        def checked() -> Iterator[str]:
            state = LeakState()
            yield from guard_stream(pieces, make_guard(request), state)
            if state.leaked:
                log.warning("withheld a model answer that repeated the system prompt (%d runs)", len(state.leaked))
                outcome.update(text=REFUSAL, notice=NOTICE)
                yield "\n\n" + REFUSAL

        return checked()

    def _wrap(self, pieces: Iterator[str], request: AnswerRequest, session, mode: str, model,
              outcome: dict | None = None) -> AnswerStream:
        def guarded() -> Iterator[str]:
            # The user's turn joins the session when the answer starts; if the answer
            # fails or the reader abandons the stream, it is taken back out so the
            # conversation stays consistent and the turn can simply be retried.
            if session is not None:
                session.add_user_turn(request.question)
            completed = False
            failure = None
            try:
                yield from pieces
                completed = True
            except MentorError:
                raise
            except Exception as exc:  # a provider library's own error: never a raw traceback to users
                failure = exc  # raised below, outside this block: its text is redacted, never chained as is
            finally:
                if not completed and session is not None:
                    session.drop_last_user_turn()
            if failure is not None:
                secrets = (self.settings.api_key,) if self.settings.api_key else ()
                raise ProviderError(f"the model call failed ({type(failure).__name__}); try again") from (
                    ProviderCause.of(failure, secrets))

        def finish(text: str) -> Answer:
            # `outcome`: the LLM turn fell back to the offline answer, or its answer was withheld.
            got = outcome or {}
            return self._finish(got.get("text", text), request, session, got.get("mode", mode),
                                got.get("model", model), got.get("notice"))

        return AnswerStream(*answer_stage(guarded(), finish))

    def _finish(self, text: str, request: AnswerRequest, session, mode: str, model, notice: str | None = None) -> Answer:
        from .citations import verify_citations

        composition = request.composition if mode == "offline" else None
        sources = composition.sources if composition is not None and composition.sources else request.sources
        text, citations = verify_citations(text.strip(), sources)
        state = request.state
        placement = state.placement if state is not None else None
        next_action = None
        if composition is not None:
            next_action = composition.next_action
        elif request.scope_reason == "career":
            match = NEXT_ACTION_LINE.search(text)
            if match:
                next_action = MARKER_AT_END.sub("", match.group("action").strip().strip("*").strip())
        answer = Answer(
            text=text,
            sources=sources,
            step=request.step,
            in_scope=request.scope_reason == "career" and (state is None or state.adjacent is None),
            next_action=next_action,
            mode=mode,
            citations=citations,
            question=request.question,
            standalone_question=request.standalone_question if request.standalone_question != request.question else None,
            model=model,
            notice=notice,
            step_confidence=placement.confidence if placement is not None else 0.0,
            alternatives=list(placement.alternatives) if placement is not None and request.step is not None else [],
            move=state.reading.move if state is not None and state.reading is not None else None,
            clarifying_question=composition.clarifying_question if composition is not None else None,
            options=list(composition.options) if composition is not None else [],
            facts=list(state.profile.facts) if state is not None else [],
        )
        if session is not None:
            if state is not None:
                if mode != "offline":
                    state.profile.mark_used("actions", next_action)
                session.profile = state.profile
            session.add_assistant_turn(answer)
        return answer


def fallback_notice(exc: ProviderError) -> str:
    reason = getattr(exc, "reason", None) or str(exc)
    return f"The model is unavailable ({reason}). This is the offline answer, built from the same passages."


def ask(question: str, session: Session | None = None) -> Answer:
    """One-shot use: `assistant.ask("How do I get out of a rut?")`."""
    return Mentor().ask(question, session=session)
