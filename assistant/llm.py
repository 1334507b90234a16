"""Answers written by a language model: OpenAI or any OpenAI-compatible server.

`LLMAnswerer` is built by `Mentor.answerer` only when `settings.uses_llm`, so
`ChatOpenAI` (which raises without a key) is never constructed offline. It is
an LCEL chain, `prompt | ChatOpenAI | StrOutputParser()`, with:

- the prompts from `assistant.prompts` (passages as numbered, delimited data),
  the conversation trimmed to its budget with `langchain_core.messages.trim_messages`;
- the `openai` SDK's own retries (`max_retries` = MENTOR_MAX_RETRIES): exponential
  backoff with jitter, Retry-After honoured, and never a retry once a stream has
  started (the SDK retries only the request, before any text arrives); each retry is
  logged by the SDK at INFO (`mentor -v` shows it);
- every provider failure mapped to a `ProviderError` subclass whose message
  says what to do, with the API key redacted;
- a check that a stream really finished (a finish_reason arrived): a stream
  that ends early is an error, not a silently truncated answer.

LangSmith tracing needs no code here: with LANGSMITH_TRACING=true and
LANGSMITH_API_KEY set, LangChain traces every run (named `mentor.answer` and
`mentor.rewrite`, tagged `flywheel-mentor`), nested in the turn's run
(`assistant.tracing`).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterator, NoReturn

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.output_parsers import StrOutputParser

from .errors import ProviderAuthError, ProviderCause, ProviderError, ProviderResponseError, ProviderUnavailableError
from .prompts import (
    MESSAGE_NOTE,
    PASSAGES_NOTE,
    REWRITE_SYSTEM,
    SYSTEM,
    REWRITE_TURN_CHARS,
    answer_prompt,
    clean_rewrite,
    flywheel_summary,
    neutralise,
    render_conversation,
    render_mentee,
    HISTORY_CHARS,
    HISTORY_TURNS,
    TURN_CHARS,
    clip_turn,
    render_passages,
    rewrite_prompt,
)
from .safety.redaction import redact
from .settings import Settings
from .tracing import with_handler
from .types import AnswerRequest

log = logging.getLogger(__name__)

LOCAL_DUMMY_KEY = "sk-local-no-key"  # local OpenAI-compatible servers ignore the key, the client needs one
OPENAI_URL = "https://api.openai.com/v1"
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


def api_key_for(settings: Settings) -> str:
    """The key to hand the client: the real one, or a dummy for a keyless local server."""
    if settings.api_key:
        return settings.api_key
    if settings.base_url:
        return LOCAL_DUMMY_KEY
    raise ProviderError(
        "no model credentials: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible "
        "server such as Ollama), or use MENTOR_PROVIDER=offline"
    )


def build_chat_model(settings: Settings, **overrides):
    """ChatOpenAI for the settings. Call only when `settings.uses_llm`. `overrides` change
    single arguments (the eval judge sets its own model, temperature and retries)."""
    from langchain_openai import ChatOpenAI

    kwargs = dict(
        model=settings.model,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,  # the SDK's backoff; it never retries a started stream
        use_responses_api=False,  # chat completions: what every OpenAI-compatible server speaks
    )
    kwargs.update(overrides)
    if "api_key" not in kwargs:
        kwargs["api_key"] = api_key_for(settings)
    return ChatOpenAI(**kwargs)


class _FinishRecorder(BaseCallbackHandler):
    """Notes the finish_reason the model run ended with (None: the stream was cut off)."""

    def __init__(self) -> None:
        self.finish_reason: str | None = None

    def on_llm_end(self, response, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                info = generation.generation_info or {}
                self.finish_reason = info.get("finish_reason") or self.finish_reason


class LLMAnswerer:
    """The model-backed answerer behind `Mentor`. Same role as `OfflineComposer`."""

    mode = "llm"

    def __init__(self, settings: Settings, flywheel=None, *, llm=None) -> None:
        self.settings = settings
        self.flywheel = flywheel
        self.model = settings.model
        self.llm = llm if llm is not None else build_chat_model(settings)
        # OpenAI-style servers always end a complete stream with a finish_reason; test fakes may not.
        self._check_finish = type(self.llm).__module__.startswith("langchain_openai")
        self._flywheel_text = flywheel_summary(flywheel)
        self.chain = (
            answer_prompt().partial(flywheel=self._flywheel_text, passages_note=PASSAGES_NOTE, message_note=MESSAGE_NOTE)
            | self.llm
            | StrOutputParser()
        )
        self.rewrite_chain = rewrite_prompt() | self.llm | StrOutputParser()

    # --- the seam Mentor calls ------------------------------------------------
    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """Text pieces as the model sends them. Raises ProviderError subclasses."""
        inputs = self.answer_inputs(request)
        config = self._config("mentor.answer", request)
        recorder = _FinishRecorder()
        started = False
        try:
            for piece in self.chain.stream(inputs, config={**config, "callbacks": with_handler(recorder)}):
                if piece:
                    started = True
                    yield piece
            if self._check_finish and not recorder.finish_reason:
                raise ProviderResponseError(
                    "the model's reply was cut off before it finished (the stream ended without a "
                    "finish signal); ask again"
                )
            if recorder.finish_reason == "length":
                log.warning("the model stopped at its output token limit; the answer may be incomplete")
        except ProviderError:
            raise
        except Exception as exc:  # the provider library's errors, after its retries: map them
            self._raise(exc, started)

    def rewrite(self, question: str, session) -> str:
        """A standalone question from a follow-up and the conversation so far."""
        history = self._history(session, question, turn_chars=REWRITE_TURN_CHARS)
        if not history:
            return question
        turns = [("user" if m.type == "human" else "assistant", m.content) for m in history]
        inputs = {"conversation": render_conversation(turns), "question": neutralise(question)}
        try:
            raw = self.rewrite_chain.invoke(inputs, config=self._config("mentor.rewrite", None))
        except ProviderError:
            raise
        except Exception as exc:
            self._raise(exc, started=False)
        return clean_rewrite(raw, question)

    # --- prompt inputs ----------------------------------------------------------
    def answer_inputs(self, request: AnswerRequest) -> dict:
        session = request.session
        messages = self._history(session, request.question)
        standalone = ""
        if request.standalone_question and request.standalone_question != request.question:
            standalone = f"\n(Read in context of the conversation, this asks: {neutralise(request.standalone_question)})"
        return {
            "history": messages,
            "mentee": render_mentee(session, request.step, self.flywheel, getattr(request, "state", None)),
            "passages": render_passages(request.sources),
            "question": neutralise(request.question),
            "standalone": standalone,
        }

    def leak_guard(self, request: AnswerRequest):
        """What the answer to `request` must not repeat: the instructions this answerer sends,
        minus what the answer may quote (the flywheel summary, the passages, the mentee's words)."""
        from .safety.leaks import PromptLeakGuard

        protected = [SYSTEM.replace("{flywheel}", ""), PASSAGES_NOTE, MESSAGE_NOTE, REWRITE_SYSTEM]
        allowed = [self._flywheel_text, request.question, request.standalone_question or "",
                   *(s.text for s in request.sources), *(f"{s.title} {s.section}" for s in request.sources)]
        return PromptLeakGuard(protected, allowed)

    @staticmethod
    def _history(session, question: str, *, turn_chars: int = TURN_CHARS, max_chars: int = HISTORY_CHARS,
                 max_turns: int = HISTORY_TURNS) -> list:
        """The newest turns that fit the budget, oldest first, as chat messages: each turn clipped
        to `turn_chars`, at most `max_turns`, at most `max_chars` in all, starting on the mentee."""
        from langchain_core.messages import AIMessage, HumanMessage, trim_messages

        if session is None or not getattr(session, "turns", None):
            return []
        turns = list(session.turns)
        # Mentor records the user's turn before the answer streams: don't send the question twice.
        if turns and turns[-1].role == "user" and turns[-1].text == question:
            turns = turns[:-1]
        messages = [(HumanMessage if t.role == "user" else AIMessage)(clip_turn(t.text, turn_chars))
                    for t in turns[-max_turns:]]
        return trim_messages(messages, max_tokens=max_chars, token_counter=_characters, strategy="last",
                             start_on="human")

    def _config(self, name: str, request: AnswerRequest | None) -> dict:
        metadata: dict[str, Any] = {"mentor_model": self.model}
        if request is not None:
            metadata["mentor_step"] = request.step.value if request.step else None
            if request.session is not None:
                metadata["mentor_spin"] = request.session.spin
        return {"run_name": name, "tags": ["flywheel-mentor"], "metadata": metadata}

    # --- errors (the SDK has already retried what a retry could fix) ---------------------
    def _raise(self, exc: Exception, started: bool) -> NoReturn:
        """Raise the mapped ProviderError; a retryable one says the retries were used up."""
        # The cause is a redacted summary, never the provider's exception (its message and body
        # can echo the API key); `from` also keeps the implicit context out of tracebacks.
        secrets = (self.settings.api_key,) if self.settings.api_key else ()
        raise ProviderErrors(self.settings).mapped(exc, started) from ProviderCause.of(exc, secrets)


class ProviderErrors:
    """Maps a provider library's exception to a `ProviderError` whose message says what to do
    (credentials and keys redacted). The SDK has already retried what a retry could fix."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def mapped(self, exc: Exception, started: bool = False) -> ProviderError:
        """The error to raise; a retryable one says the retries were used up."""
        error, retryable = self._classify(exc, started)
        if retryable and not started:
            error = self._exhausted(error, self.settings.max_retries + 1)
        return error

    @property
    def _where(self) -> str:
        # Credentials in a URL (https://user:pass@host) never reach a message.
        return self._redact(self.settings.base_url or OPENAI_URL)

    def _redact(self, text: str) -> str:
        return redact(text, (self.settings.api_key,) if self.settings.api_key else ())

    def _detail(self, exc: Exception) -> str:
        message = getattr(exc, "message", None) or str(exc)
        message = " ".join(str(message).split())
        message = re.sub(r"^Error code: \d+ - ", "", message)
        return self._redact(message[:200])

    def _classify(self, exc: Exception, started: bool) -> tuple[ProviderError, bool]:
        """(the error to raise, whether a retry may help)."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            if started:
                return ProviderResponseError(
                    f"the model stopped sending mid-answer (no data for {self.settings.timeout:g}s); ask again"
                ), False
            return ProviderUnavailableError(
                f"the model at {self._where} did not answer within {self.settings.timeout:g}s (MENTOR_TIMEOUT)"
            ), True
        if isinstance(exc, openai.APIConnectionError):
            if started:
                return ProviderResponseError(
                    "the model's reply was cut off mid-answer (the connection dropped); ask again"
                ), False
            return ProviderUnavailableError(f"could not connect to the model at {self._where}"), True
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = self._detail(exc)
            if status in (401, 403):
                return ProviderAuthError(f"{status} from {self._where}: {detail}"), False
            if status == 404:
                return ProviderError(
                    f"the model {self.settings.model!r} was not found at {self._where} (404: {detail}). Check MENTOR_MODEL "
                    "(for Ollama, `ollama pull` it first) and that OPENAI_BASE_URL ends in /v1"
                ), False
            if status in RETRYABLE_STATUS or status >= 500:
                kind = "rate-limited the request" if status == 429 else "had a server error"
                return ProviderUnavailableError(f"the model provider at {self._where} {kind} ({status}: {detail})"), True
            if "context" in detail.lower() and ("length" in detail.lower() or "window" in detail.lower()):
                return ProviderError(
                    "the conversation is too long for the model's context window; start a new conversation"
                ), False
            return ProviderError(f"the model provider rejected the request ({status}: {detail})"), False
        if isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError)) or _is_validation_error(exc):
            return ProviderResponseError(
                f"the model provider at {self._where} sent a malformed response (not the OpenAI chat format); "
                "ask again, and check OPENAI_BASE_URL points at an OpenAI-compatible /v1 endpoint"
            ), False
        if isinstance(exc, openai.APIError):
            return ProviderResponseError(f"the model provider reported an error: {self._detail(exc)}"), False
        return ProviderError(f"the model call failed ({type(exc).__name__}: {self._detail(exc)}); ask again"), False

    def _exhausted(self, error: ProviderError, attempts: int) -> ProviderUnavailableError:
        tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        exhausted = ProviderUnavailableError(
            f"{error} {tries}. Try again in a moment; MENTOR_TIMEOUT and MENTOR_MAX_RETRIES tune the waiting, "
            "and MENTOR_FALLBACK_OFFLINE=1 answers offline meanwhile"
        )
        exhausted.reason = f"{error} {tries}"  # the short form, for a fallback notice
        return exhausted


def provider_error(exc: Exception, settings: Settings) -> ProviderError:
    """The `ProviderError` a turn would raise for this exception (used by `mentor doctor`)."""
    return ProviderErrors(settings).mapped(exc)


def _characters(messages) -> int:
    """The history budget's unit for `trim_messages`: characters of message text."""
    return sum(len(m.content) if isinstance(m.content, str) else len(str(m.content)) for m in messages)


def _is_validation_error(exc: Exception) -> bool:
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, ValidationError)
