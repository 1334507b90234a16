"""Answers written by a language model: OpenAI or any OpenAI-compatible server.

`LLMAnswerer` is built by `Mentor.answerer` only when `settings.uses_llm`, so
`ChatOpenAI` (which raises without a key) is never constructed offline. It is
an LCEL chain, `prompt | ChatOpenAI | StrOutputParser()`, with:

- the prompts from `assistant.prompts` (passages as numbered, delimited data);
- its own bounded retries (exponential backoff + jitter, Retry-After honoured
  up to a cap) on 429, 5xx, timeouts and connection errors; the client's
  retries are off (`max_retries=0`) so a retry can never happen after text
  has been streamed to the user: once the first piece is out, a failure is
  reported, not retried;
- every provider failure mapped to a `ProviderError` subclass whose message
  says what to do, with the API key redacted;
- a check that a stream really finished (a finish_reason arrived): a stream
  that ends early is an error, not a silently truncated answer.

LangSmith tracing needs no code here: with LANGSMITH_TRACING=true and
LANGSMITH_API_KEY set, LangChain traces every run (named `mentor.answer` and
`mentor.rewrite`, tagged `flywheel-mentor`).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from typing import Any, Callable, Iterator

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.output_parsers import StrOutputParser

from .errors import ProviderAuthError, ProviderError, ProviderResponseError, ProviderUnavailableError
from .prompts import (
    PASSAGES_NOTE,
    REWRITE_TURN_CHARS,
    answer_prompt,
    clean_rewrite,
    flywheel_summary,
    neutralise,
    render_conversation,
    render_mentee,
    render_passages,
    rewrite_prompt,
    trim_history,
)
from .settings import Settings
from .types import AnswerRequest

log = logging.getLogger(__name__)

LOCAL_DUMMY_KEY = "sk-local-no-key"  # local OpenAI-compatible servers ignore the key, the client needs one
OPENAI_URL = "https://api.openai.com/v1"
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_KEYLIKE = re.compile(r"\b(?:sk|lsv2|key)-[A-Za-z0-9_\-*]{6,}")


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
        max_retries=0,  # we retry ourselves, and only before the first streamed piece
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
    backoff_base = 0.5  # seconds before the first retry (doubles each time, with jitter)
    backoff_max = 8.0  # cap on one wait, Retry-After included

    def __init__(self, settings: Settings, flywheel=None, *, llm=None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.flywheel = flywheel
        self.model = settings.model
        self.llm = llm if llm is not None else build_chat_model(settings)
        # OpenAI-style servers always end a complete stream with a finish_reason; test fakes may not.
        self._check_finish = type(self.llm).__module__.startswith("langchain_openai")
        self._sleep = sleep
        self._flywheel_text = flywheel_summary(flywheel)
        self.chain = answer_prompt().partial(flywheel=self._flywheel_text, passages_note=PASSAGES_NOTE) | self.llm | StrOutputParser()
        self.rewrite_chain = rewrite_prompt() | self.llm | StrOutputParser()

    # --- the seam Mentor calls ------------------------------------------------
    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """Text pieces as the model sends them. Raises ProviderError subclasses."""
        inputs = self.answer_inputs(request)
        config = self._config("mentor.answer", request)
        attempt = 0
        while True:
            started = False
            recorder = _FinishRecorder()
            try:
                for piece in self.chain.stream(inputs, config={**config, "callbacks": [recorder]}):
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
                return
            except ProviderError:
                raise
            except Exception as exc:  # the provider library's errors: map them
                self._wait_or_raise(exc, attempt, started)
                attempt += 1

    def rewrite(self, question: str, session) -> str:
        """A standalone question from a follow-up and the conversation so far."""
        history = self._history(session, question, turn_chars=REWRITE_TURN_CHARS)
        if not history:
            return question
        inputs = {"conversation": render_conversation(history), "question": neutralise(question)}
        raw = self._call(lambda: self.rewrite_chain.invoke(inputs, config=self._config("mentor.rewrite", None)))
        return clean_rewrite(raw, question)

    # --- prompt inputs ----------------------------------------------------------
    def answer_inputs(self, request: AnswerRequest) -> dict:
        from langchain_core.messages import AIMessage, HumanMessage

        session = request.session
        history = self._history(session, request.question)
        messages = [HumanMessage(text) if role == "user" else AIMessage(text) for role, text in history]
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

    @staticmethod
    def _history(session, question: str, **budget) -> list[tuple[str, str]]:
        if session is None or not getattr(session, "turns", None):
            return []
        turns = list(session.turns)
        # Mentor records the user's turn before the answer streams: don't send the question twice.
        if turns and turns[-1].role == "user" and turns[-1].text == question:
            turns = turns[:-1]
        return trim_history(turns, **budget)

    def _config(self, name: str, request: AnswerRequest | None) -> dict:
        metadata: dict[str, Any] = {"mentor_model": self.model}
        if request is not None:
            metadata["mentor_step"] = request.step.value if request.step else None
            if request.session is not None:
                metadata["mentor_spin"] = request.session.spin
        return {"run_name": name, "tags": ["flywheel-mentor"], "metadata": metadata}

    # --- retries and errors -----------------------------------------------------
    def _call(self, fn: Callable[[], Any]) -> Any:
        """One non-streaming call with the same retry policy as `stream`."""
        attempt = 0
        while True:
            try:
                return fn()
            except ProviderError:
                raise
            except Exception as exc:
                self._wait_or_raise(exc, attempt, started=False)
                attempt += 1

    def _wait_or_raise(self, exc: Exception, attempt: int, started: bool) -> None:
        """The retry policy for both calls: back off before the next attempt, or raise the
        mapped ProviderError when a retry can't help (text already out, a non-retryable
        error, or the retries used up)."""
        error, retryable = self._classify(exc, started)
        if started or not retryable or attempt >= self.settings.max_retries:
            if retryable and not started:
                error = self._exhausted(error, attempt + 1)
            raise error from exc
        delay = self._delay(attempt, exc)
        log.info("model call failed (%s); retry %d/%d in %.2fs", error, attempt + 1, self.settings.max_retries, delay)
        self._sleep(delay)

    def _delay(self, attempt: int, exc: Exception) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2**attempt))
        delay = delay / 2 + random.uniform(0, delay / 2)  # jitter: spread clients apart
        retry_after = _retry_after(exc)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.backoff_max)

    @property
    def _where(self) -> str:
        # Credentials in a URL (https://user:pass@host) never reach a message.
        return re.sub(r"//[^/@\s]+@", "//***@", self.settings.base_url or OPENAI_URL)

    def _redact(self, text: str) -> str:
        key = self.settings.api_key
        if key and len(key) >= 4:
            text = text.replace(key, "***")
        return _KEYLIKE.sub("***", text)

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
                    f"the model {self.model!r} was not found at {self._where} (404: {detail}). Check MENTOR_MODEL "
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


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    raw = headers.get("retry-after-ms")
    if raw:
        try:
            return float(raw) / 1000
        except ValueError:
            return None
    raw = headers.get("retry-after")
    if raw:
        try:
            return float(raw)
        except ValueError:
            return None
    return None


def _is_validation_error(exc: Exception) -> bool:
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, ValidationError)
