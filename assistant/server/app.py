"""The FastAPI application behind `mentor serve`.

One Mentor per process, loaded at start-up (index and embedder warm). Requests
are answered in FastAPI's thread pool; the Mentor is safe to share between
threads. With the journal on (the default), each API user's journey (spin,
step, commitments — not the conversation, which comes in `messages`) is kept
under the owner `api:<user>` (plus the request's `user` field, so one bot token
can serve many people) and each answered turn is appended to it.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import asynccontextmanager, nullcontext

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, MentorError, ProviderError
from ..settings import Settings
from . import protocol
from .auth import RateLimiter, TokenTable
from .config import MODEL_ID, ServerConfig

log = logging.getLogger("assistant.server")


class Runtime:
    """What one worker process holds: the Mentor, the journal, tokens and the rate limiter."""

    def __init__(self, settings: Settings, config: ServerConfig, mentor=None) -> None:
        self.settings = settings
        self.config = config
        self.tokens = TokenTable.from_config(config)
        if not len(self.tokens) and not config.no_auth:
            raise InputError("no API tokens: set MENTOR_API_TOKENS=user:token (or MENTOR_API_TOKENS_FILE), "
                             "make one with `mentor serve --add-token USER`, or use --no-auth on 127.0.0.1")
        self.limiter = RateLimiter(config.rate_per_minute, config.burst)
        self._mentor = mentor
        self._journal = None
        self._slots = threading.BoundedSemaphore(config.answer_slots) if config.answer_slots > 0 else None

    @property
    def mentor(self):
        if self._mentor is None:
            from ..mentor import Mentor

            mentor = Mentor(self.settings)
            mentor.retriever  # the index (built if empty) and the embedder, before the first request
            mentor.dialogue  # the reader, step models and sentences every answer uses
            self._mentor = mentor
        return self._mentor

    def answer_slot(self):
        """Held while an offline answer is worked out (ServerConfig.answer_slots); a no-op otherwise."""
        if self._slots is None or self.mentor.mode != "offline":
            return nullcontext()
        return self._slots

    @property
    def journal(self):
        if self._journal is None and self.config.journal:
            from ..journal import Journal

            self._journal = Journal.from_settings(self.settings)
        return self._journal


class WorkerHeader:
    """`X-Mentor-Worker: <pid>` on every response (which process answered, for debugging a load
    balancer). Plain ASGI: `@app.middleware("http")` would copy every response body through a
    task and a memory stream."""

    def __init__(self, app, worker: str) -> None:
        self.app = app
        self.header = (b"x-mentor-worker", worker.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        await self.app(scope, receive, send_with_header)


def create_app(settings: Settings | None = None, config: ServerConfig | None = None, mentor=None) -> FastAPI:
    settings = settings or Settings.from_env()
    runtime = Runtime(settings, config or ServerConfig.from_env(), mentor)

    @asynccontextmanager
    async def lifespan(_app):
        runtime.mentor  # load before taking traffic
        if runtime.journal is not None:
            runtime.journal.ping()  # the schema is ready before the first request
        yield

    app = FastAPI(title="Flywheel Mentor", version="1", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    worker = str(os.getpid())

    app.add_middleware(WorkerHeader, worker=worker)

    @app.exception_handler(protocol.APIError)
    async def _api_error(_request, exc: protocol.APIError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request, exc: Exception):  # never a traceback or a plain-text 500 to a client
        log.exception("unexpected error")
        error = protocol.APIError(500, f"the mentor failed unexpectedly ({type(exc).__name__}); try again",
                                  type_="server_error")
        return JSONResponse(error.body(), status_code=500)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or None
        if first.get("type") == "json_invalid" or not where:
            message = ('the request body must be a JSON object like {"model": "flywheel-mentor", "messages": '
                       '[{"role": "user", "content": "..."}]} sent with Content-Type: application/json')
        else:
            message = f"{where or 'the request'}: {first.get('msg', 'invalid')}"
        return JSONResponse(protocol.APIError(400, message, param=where).body(), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request, exc: StarletteHTTPException):
        message = "no such endpoint: use POST /v1/chat/completions or GET /v1/models" if exc.status_code == 404 \
            else str(exc.detail)
        return JSONResponse(protocol.APIError(exc.status_code, message).body(), status_code=exc.status_code)

    def authenticate(request: Request) -> str:
        if runtime.config.no_auth:
            return "local"
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise protocol.APIError(401, "You didn't provide an API key. Send `Authorization: Bearer <token>`; "
                                         "the server's tokens come from MENTOR_API_TOKENS or MENTOR_API_TOKENS_FILE",
                                    code="invalid_api_key")
        user = runtime.tokens.user_for(token.strip())
        if user is None:
            raise protocol.APIError(401, "Incorrect API key provided. Ask the server's operator for a token "
                                         "(mentor serve --add-token USER)", code="invalid_api_key")
        wait = runtime.limiter.take(token.strip())
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            raise protocol.APIError(
                429, f"Rate limit reached for user {user}: {runtime.limiter.per_minute} requests per minute. "
                     f"Try again in {seconds} s.", type_="requests", code="rate_limit_exceeded",
                headers={"Retry-After": str(seconds)})
        return user

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        checks, ready = {}, True
        try:
            chunks = runtime.mentor.store.count()
            checks["index"] = {"ok": chunks > 0, "chunks": chunks}
            ready &= chunks > 0
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            checks["index"] = {"ok": False, "error": type(exc).__name__}
            ready = False
        if runtime.journal is not None:
            try:
                runtime.journal.ping()
                checks["database"] = {"ok": True, "backend": runtime.journal.backend}
            except MentorError:
                checks["database"] = {"ok": False, "backend": runtime.journal.backend}
                ready = False
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/v1/models")
    def models(_user: str = Depends(authenticate)):
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 1735689600,
                                            "owned_by": "flywheel-mentor"}]}

    @app.post("/v1/chat/completions")
    def chat_completions(body: protocol.ChatRequest, user: str = Depends(authenticate)):
        with runtime.answer_slot():
            return _chat_completion(body, user)

    def _chat_completion(body: protocol.ChatRequest, user: str):
        journey, session = _journey(runtime, user, body)
        question, session = protocol.replay(body, session)
        if not session.turns:  # a first message: a new conversation in the journey
            session.clear()  # (what the mentor already said in the last one may be said again)
            if journey is not None and not journey.created:
                _new_conversation(runtime, journey)
        if journey is not None:
            runtime.journal.mark_saved(journey, session.turns)
        completion_id = protocol.new_id()
        try:
            stream = runtime.mentor.stream(question, session)
        except InputError as exc:
            raise protocol.APIError(400, str(exc), param="messages") from None
        except ProviderError as exc:
            raise _provider_error(exc) from None

        def done():
            answer = stream.answer
            _record(runtime, journey, session)
            return protocol.mentor_field(answer, session)

        if body.stream:
            return StreamingResponse(_guarded(protocol.stream_events(iter(stream), completion_id, done),
                                              completion_id),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        try:
            answer = stream.answer
        except ProviderError as exc:
            raise _provider_error(exc) from None
        except MentorError as exc:
            raise protocol.APIError(500, f"the mentor failed: {exc}", type_="server_error") from None
        _record(runtime, journey, session)
        return protocol.completion(answer, completion_id, session)

    return app


def _journey(runtime: Runtime, user: str, body: protocol.ChatRequest):
    journal = runtime.journal
    if journal is None:
        return None, None
    from ..journal import owner_for_api_user

    owner = owner_for_api_user(user if not body.user else f"{user}/{body.user}")
    try:
        journey, session = journal.open(owner, body.user or user, turns=False)
    except MentorError as exc:
        log.warning("journal unavailable, answering without the journey: %s", exc)
        return None, None
    return journey, session


def _new_conversation(runtime: Runtime, journey) -> None:
    try:
        runtime.journal.start_thread(journey)
    except MentorError as exc:
        log.warning("journal: could not start a thread: %s", exc)


def _record(runtime: Runtime, journey, session) -> None:
    """Append the answered turn and the journey's state; a journal failure never costs the answer."""
    if journey is None:
        return
    try:
        runtime.journal.sync(journey, session, reload=False)
    except MentorError as exc:
        log.warning("journal: the turn was not saved: %s", exc)


def _provider_error(exc: ProviderError) -> protocol.APIError:
    return protocol.APIError(503, f"the mentor's model is unavailable: {exc}", type_="server_error",
                             code="model_unavailable")


def _guarded(events, completion_id: str):
    """SSE events; a failure mid-stream ends it with an OpenAI-shaped error event."""
    try:
        yield from events
    except MentorError as exc:
        status = 503 if isinstance(exc, ProviderError) else 500
        error = protocol.APIError(status, f"the answer failed: {exc}", type_="server_error")
        yield protocol.sse(error.body())
    except Exception as exc:  # noqa: BLE001 - never a traceback to the client
        log.exception("unexpected error while streaming %s", completion_id)
        yield protocol.sse(protocol.APIError(500, f"the answer failed ({type(exc).__name__})",
                                             type_="server_error").body())


def create_app_from_env() -> FastAPI:
    """The uvicorn factory (`--workers N` imports this in each worker)."""
    return create_app()
