"""`mentor serve`: the mentor as an OpenAI-compatible HTTP endpoint.

* `config`: the server's settings from the environment (tokens, rate limit), read at start;
* `auth`: bearer tokens → user ids (MENTOR_API_TOKENS, or a file of hashed tokens) and
  per-token rate limits;
* `protocol`: OpenAI chat-completions shapes — messages replayed into a Session, the
  Answer as a completion or as SSE chunks, OpenAI-shaped errors;
* `app`: the FastAPI application (`/v1/chat/completions`, `/v1/models`, `/healthz`,
  `/readyz`), one Mentor per process;
* `command`: the `mentor serve` command (uvicorn, one or more workers).

Every answer comes from `assistant.Mentor`; nothing here decides what to answer.
"""
