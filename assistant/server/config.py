"""The server's settings, read from the environment when the app is made (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

MODEL_ID = "flywheel-mentor"
DEFAULT_RATE_PER_MINUTE = 120


@dataclass(frozen=True)
class ServerConfig:
    tokens: str | None = field(default=None, repr=False)  # MENTOR_API_TOKENS: "user:token,user2:token2"
    tokens_file: Path | None = None  # MENTOR_API_TOKENS_FILE: lines "user sha256:<hex>"
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE  # per token; 0 turns the limit off
    burst: int | None = None  # bucket size; default: the per-minute rate
    no_auth: bool = False  # only for 127.0.0.1 (mentor serve --no-auth)
    journal: bool = True  # keep each API user's journey (spin, step, commitments) in the journal
    # Offline answers are CPU work: this many at a time per worker, the rest wait their turn in
    # order (threads sharing one GIL slow every request down together and make the tail long).
    # Model-backed answers wait on the network and are not limited. 0 = no limit.
    answer_slots: int = 2

    @classmethod
    def from_env(cls, **overrides) -> "ServerConfig":
        env = os.environ
        values = dict(
            tokens=env.get("MENTOR_API_TOKENS") or None,
            tokens_file=Path(env["MENTOR_API_TOKENS_FILE"]).expanduser() if env.get("MENTOR_API_TOKENS_FILE") else None,
            rate_per_minute=_int(env, "MENTOR_API_RATE", DEFAULT_RATE_PER_MINUTE),
            burst=_int(env, "MENTOR_API_BURST", None),
            no_auth=env.get("MENTOR_API_NO_AUTH", "") == "1",
            journal=env.get("MENTOR_API_JOURNAL", "1") != "0",
            answer_slots=_int(env, "MENTOR_SERVE_ANSWER_SLOTS", 2),
        )
        values.update(overrides)
        return cls(**values)


def _int(env, name: str, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a whole number; set it to e.g. {default or 60}") from None
    if value < 0:
        raise InputError(f"{name} must be 0 or more, not {value}")
    return value
