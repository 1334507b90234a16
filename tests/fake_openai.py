"""A real OpenAI-compatible HTTP server for tests and the benchmark.

`FakeOpenAI` listens on 127.0.0.1 (port 0, so the OS picks a free one) in a
background thread and serves `POST /v1/chat/completions`, both as one JSON body
and, when the request says `"stream": true`, as server-sent events in the
`chat.completion.chunk` shape ending with `data: [DONE]`. It answers from a
queue of scripted replies and failures and records every request (path,
headers, JSON body) so tests can assert on what the client really sent.

    server.reply("Hello [1]")           # next request gets this text
    server.fail(429)                    # next request gets a 429 ...
    server.fail(500, always=True)       # ... or every request gets a 500
    server.fail(401, message="bad key {api_key}")   # the error body echoes the key it was sent
    server.slow(2.0)                    # next request waits 2 s before answering
    server.cut_off("partial text")      # stream stops mid-way (see `abrupt`)
    server.malformed()                  # the next body / SSE event is not JSON
    server.latency = 0.2                # every request waits 200 ms first (benchmark)

It is a plain `http.server` on HTTP/1.1 with chunked streaming, so it exercises
the real `openai` (httpx2) and `langchain-openai` clients end to end.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import pytest

DEFAULT_REPLY = (
    "**Where you are:** most likely at Deliver Results [1].\n\n"
    "**What the flywheel says:** results build the track record that trust is made of [1].\n\n"
    "**Next action:** Pick one commitment due this week and deliver it on time.\n\n"
    "**Where I might be wrong:** I only know what you told me."
)

ERROR_BODIES = {
    400: ("invalid_request_error", "Bad request"),
    401: ("invalid_request_error", "Incorrect API key provided."),
    403: ("permission_denied", "You are not allowed to use this model."),
    404: ("invalid_request_error", "The model does not exist or you do not have access to it."),
    429: ("rate_limit_exceeded", "Rate limit reached. Please try again later."),
    500: ("server_error", "The server had an error while processing your request."),
    502: ("server_error", "Bad gateway."),
    503: ("server_error", "The engine is currently overloaded."),
}


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None
    raw: bytes = b""
    at: float = field(default_factory=time.perf_counter)

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages", [])

    @property
    def model(self) -> str | None:
        return (self.body or {}).get("model")

    @property
    def stream(self) -> bool:
        return bool((self.body or {}).get("stream"))

    def text(self, role: str | None = None) -> str:
        """All message contents (of one role, if given) joined, for `in` assertions."""
        return "\n".join(_content(m) for m in self.messages if role is None or m.get("role") == role)


def _content(message: dict) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content


@dataclass
class Script:
    """One scripted outcome for one request."""

    kind: str  # reply | status | slow | cut_off | malformed
    text: str = ""
    status: int = 200
    delay: float = 0.0
    abrupt: bool = True
    retry_after: float | None = None
    message: str | None = None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # dropped connections are expected here
        pass


class FakeOpenAI:
    def __init__(self, *, latency: float = 0.0, chunk_delay: float = 0.0, default_reply: str = DEFAULT_REPLY,
                 model: str | None = None) -> None:
        self.latency = latency  # seconds before every response starts (a model's time to first token)
        self.chunk_delay = chunk_delay  # seconds between streamed chunks
        self.default_reply = default_reply
        self.model = model  # overrides the model echoed back (default: the requested one)
        self.models = ["fake-model"]  # what GET /v1/models lists
        self.responder: Callable[[Recorded], str] | None = None  # dynamic replies when the queue is empty
        self.requests: list[Recorded] = []
        self.read_requests: list[Recorded] = []  # JSON-mode "read the turn" calls, kept apart from chat_requests
        self._readings: deque[str] = deque()
        self.default_reading = '{"move": null, "step": null, "facts": []}'
        self._queue: deque[Script] = deque()
        self._always: Script | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = 0

    # --- scripting ----------------------------------------------------------
    def reading(self, *bodies) -> "FakeOpenAI":
        """Queue the JSON the next structured "read the turn" calls get (dicts or raw text)."""
        for body in bodies:
            self._readings.append(body if isinstance(body, str) else json.dumps(body))
        return self

    def reply(self, *texts: str) -> "FakeOpenAI":
        for text in texts:
            self._queue.append(Script("reply", text=text))
        return self

    def fail(self, status: int, *, times: int = 1, always: bool = False, retry_after: float | None = None,
             message: str | None = None) -> "FakeOpenAI":
        """Answer with an OpenAI-style error body and this HTTP status."""
        script = Script("status", status=status, retry_after=retry_after, message=message)
        if always:
            self._always = script
        else:
            self._queue.extend(Script("status", status=status, retry_after=retry_after, message=message)
                               for _ in range(times))
        return self

    def slow(self, seconds: float, text: str | None = None, *, always: bool = False) -> "FakeOpenAI":
        script = Script("slow", delay=seconds, text=self.default_reply if text is None else text)
        if always:
            self._always = script
        else:
            self._queue.append(script)
        return self

    def cut_off(self, text: str = "The flywheel starts with Deliver", *, abrupt: bool = True) -> "FakeOpenAI":
        """Stream `text`, then stop without a finish_reason or [DONE].
        abrupt=True drops the connection mid-body (incomplete chunked encoding);
        abrupt=False ends the HTTP body cleanly but early."""
        self._queue.append(Script("cut_off", text=text, abrupt=abrupt))
        return self

    def malformed(self) -> "FakeOpenAI":
        self._queue.append(Script("malformed"))
        return self

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._always = None
            self.requests.clear()
            self.responder = None

    # --- inspection ---------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def last(self) -> Recorded:
        return self.chat_requests[-1]

    # --- lifecycle ----------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- used by the handler ------------------------------------------------
    def _next(self, recorded: Recorded) -> Script:
        with self._lock:
            self.requests.append(recorded)
            if self._always is not None:
                return self._always
            if self._queue:
                return self._queue.popleft()
        text = self.responder(recorded) if self.responder else self.default_reply
        return Script("reply", text=text)

    def _new_id(self) -> str:
        with self._lock:
            self._ids += 1
            return f"chatcmpl-fake{self._ids}"

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stop.wait(seconds)


def pieces(text: str) -> Iterator[str]:
    """Split a reply like a tokenizer would: a word and its trailing space per chunk."""
    return iter(re.findall(r"\S+\s*|\s+", text))


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # keep test output clean
        pass

    # --- routes -------------------------------------------------------------
    def do_GET(self) -> None:
        with self.fake._lock:
            self.fake.requests.append(Recorded("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, None))
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "tests"}
                                                        for name in self.fake.models]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        recorded = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            # Anything else (e.g. LangSmith run uploads when LANGSMITH_ENDPOINT points here): accept and record.
            with self.fake._lock:
                self.fake.requests.append(recorded)
            self._json(202, {})
            return
        if ((body or {}).get("response_format") or {}).get("type") == "json_object":
            with self.fake._lock:
                self.fake.read_requests.append(recorded)
                text = self.fake._readings.popleft() if self.fake._readings else self.fake.default_reading
            self._serve(Script("reply", text=text), recorded)
            return
        script = self.fake._next(recorded)
        try:
            self._serve(script, recorded)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client gave up (e.g. its timeout): nothing to do

    # --- responses ----------------------------------------------------------
    def _serve(self, script: Script, recorded: Recorded) -> None:
        fake = self.fake
        fake._wait(fake.latency)
        if script.kind == "slow":
            fake._wait(script.delay)
        if script.kind == "status":
            error_type, message = ERROR_BODIES.get(script.status, ("server_error", f"HTTP {script.status}"))
            message = script.message or message
            # "{authorization}" / "{api_key}" in a scripted message echo what the client sent, like
            # providers that quote the key back in an error body (tests check it never leaks).
            auth = recorded.headers.get("authorization", "")
            message = message.replace("{authorization}", auth).replace("{api_key}", auth.removeprefix("Bearer "))
            headers = {"retry-after": str(script.retry_after)} if script.retry_after is not None else {}
            self._json(script.status, {"error": {"message": message, "type": error_type, "param": None,
                                                 "code": error_type}}, headers)
            return
        model = fake.model or recorded.model or "fake-model"
        if recorded.stream:
            self._stream(script, model, recorded)
        elif script.kind == "malformed":
            self._raw(200, b'{"id": "chatcmpl-bad", "object": "chat.completion", "choices": [{"index": 0, "mess',
                      "application/json")
        else:
            text = script.text
            self._json(200, {
                "id": fake._new_id(), "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": len(text.split()), "total_tokens": 10 + len(text.split())},
            })

    def _stream(self, script: Script, model: str, recorded: Recorded) -> None:
        fake = self.fake
        cid, created = fake._new_id(), int(time.time())

        def chunk(delta: dict, finish: str | None = None, choices: bool = True, usage: dict | None = None) -> bytes:
            data = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if choices else []}
            if usage is not None:
                data["usage"] = usage
            return b"data: " + json.dumps(data).encode() + b"\n\n"

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        if script.kind == "cut_off" and not script.abrupt:
            self.send_header("Connection", "close")
        self.end_headers()
        self._chunk(chunk({"role": "assistant", "content": ""}))
        if script.kind == "malformed":
            self._chunk(b'data: {"id": "chatcmpl-bad", "choices": [{"delta": {"content": "Hel\n\n')
            self._end()
            return
        words = list(pieces(script.text))
        if script.kind == "cut_off":
            for word in words:
                self._chunk(chunk({"content": word}))
            if script.abrupt:
                # Drop the connection without the terminating zero-length chunk.
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
            else:
                self._end()
                self.close_connection = True
            return
        for i, word in enumerate(words):
            if i and fake.chunk_delay:
                fake._wait(fake.chunk_delay)
            self._chunk(chunk({"content": word}))
        self._chunk(chunk({}, finish="stop"))
        if ((recorded.body or {}).get("stream_options") or {}).get("include_usage"):
            n = len(words)
            self._chunk(chunk({}, choices=False, usage={"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n}))
        self._chunk(b"data: [DONE]\n\n")
        self._end()

    # --- low-level writers --------------------------------------------------
    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json", headers)

    def _raw(self, status: int, data: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


# --- pytest fixtures ---------------------------------------------------------
@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh OpenAI-compatible server on 127.0.0.1 for one test."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()
