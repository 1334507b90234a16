"""OpenAI chat-completions shapes: requests in, completions, SSE chunks and errors out.

The conversation is stateless per request: `messages` is replayed into a Session
(user and assistant turns; system messages are the client's own and are not
instructions to the mentor). The last message must be the user's question. The
Answer's text is the reply; everything else about it (step, next action, sources,
citations, mode) comes back in an extra `mentor` field — on the completion, and
as the last SSE chunk (`choices: []`) before `[DONE]`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..session import Session, Turn
from .config import MODEL_ID

ROLES_REPLAYED = ("user", "assistant")
ROLES_IGNORED = ("system", "developer")
MAX_MESSAGES = 200


class APIError(Exception):
    """An error returned to the client in OpenAI's shape."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p, ... are accepted and ignored
    model: str
    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    user: str | None = Field(default=None, max_length=128)


def message_text(message: Message, index: int) -> str:
    content = message.content
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if part.get("type") != "text" or not isinstance(part.get("text"), str):
            raise APIError(400, f"messages[{index}] has a {part.get('type')!r} part; the mentor reads text only",
                           param=f"messages[{index}].content")
        parts.append(part["text"])
    return "\n".join(parts)


def replay(request: ChatRequest, session: Session | None = None) -> tuple[str, Session]:
    """The question (the last user message) and a Session holding the turns before it."""
    if request.model != MODEL_ID:
        raise APIError(404, f"The model `{request.model}` does not exist; this server has `{MODEL_ID}`",
                       code="model_not_found", param="model")
    session = session or Session()
    session.turns = []
    conversation = []
    for i, message in enumerate(request.messages):
        if message.role in ROLES_IGNORED:
            continue
        if message.role not in ROLES_REPLAYED:
            raise APIError(400, f"messages[{i}] has role {message.role!r}; use system, user or assistant",
                           param=f"messages[{i}].role")
        conversation.append((i, message.role, message_text(message, i)))
    if not conversation or conversation[-1][1] != "user":
        raise APIError(400, "the last message must be the user's question (role 'user')", param="messages")
    *history, (_, _, question) = conversation
    for _, role, text in history:
        if role == "user":
            session.add_user_turn(text)
        else:
            session.turns.append(Turn(role="assistant", text=text))
    return question, session


def new_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex


def mentor_field(answer, session: Session | None = None) -> dict:
    """Everything about the answer but its text: the same names as `mentor ask --json`."""
    data = answer.to_dict()
    data.pop("text", None)
    data["step_label"] = answer.step.label if answer.step else None
    if session is not None:
        data["spin"] = session.spin
    return data


def completion(answer, completion_id: str, session: Session | None = None) -> dict:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": "stop",
                     "logprobs": None}],
        "mentor": mentor_field(answer, session),
    }


def chunk(completion_id: str, delta: dict | None = None, finish: Literal["stop"] | None = None,
          extra: dict | None = None) -> dict:
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID,
            "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish,
                                                  "logprobs": None}]}
    if extra:
        body.update(extra)
    return body


def sse(data: dict | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


def stream_events(pieces: Iterator[str], completion_id: str, on_done) -> Iterator[str]:
    """SSE lines: the role, each text piece, the finish, then the `mentor` chunk and [DONE].
    `on_done()` returns the mentor field once the pieces are exhausted."""
    yield sse(chunk(completion_id, {"role": "assistant", "content": ""}))
    for piece in pieces:
        if piece:
            yield sse(chunk(completion_id, {"content": piece}))
    yield sse(chunk(completion_id, {}, finish="stop"))
    yield sse(chunk(completion_id, None, extra={"mentor": on_done()}))
    yield sse("[DONE]")
