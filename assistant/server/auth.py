"""Bearer tokens for `mentor serve`, each mapped to a user id, and per-token rate limits.

Tokens come from `MENTOR_API_TOKENS` ("alice:<token>,bob:<token>") or from a file
(`MENTOR_API_TOKENS_FILE`) of lines `<user id> sha256:<hex digest of the token>`, so
the server never needs the tokens themselves. `mentor serve --add-token USER`
makes a token, prints it once and appends its hash to the file. Only hashes are
kept in memory; a request's token is hashed and looked up.

Rate limits are a token bucket per token, in this process: with N workers behind a
load balancer a token gets up to N times the rate (see the README).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

MIN_TOKEN_CHARS = 16
USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
HASH_LINE = re.compile(r"^(?P<user>\S+)\s+sha256:(?P<digest>[0-9a-f]{64})\s*$")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "fm-" + secrets.token_urlsafe(32)


def _check_user(user: str, where: str) -> str:
    if not USER_ID.match(user):
        raise InputError(f"{where}: the user id {user[:40]!r} is not valid; use letters, digits and . _ @ + -")
    return user


def parse_env_tokens(raw: str) -> dict[str, str]:
    """MENTOR_API_TOKENS → {digest: user}."""
    table: dict[str, str] = {}
    for n, item in enumerate(filter(None, (p.strip() for p in raw.split(","))), 1):
        user, sep, token = item.partition(":")
        if not sep or not token:
            raise InputError(f"MENTOR_API_TOKENS entry {n} is not user:token; write e.g. alice:{new_token()}")
        _check_user(user.strip(), f"MENTOR_API_TOKENS entry {n}")
        if len(token.strip()) < MIN_TOKEN_CHARS:
            raise InputError(f"MENTOR_API_TOKENS entry {n} (user {user.strip()}): the token is shorter than "
                             f"{MIN_TOKEN_CHARS} characters; make one with `mentor serve --add-token {user.strip()}`")
        table[token_digest(token.strip())] = user.strip()
    return table


def parse_token_file(path: Path) -> dict[str, str]:
    """A file of `<user> sha256:<digest>` lines (blank lines and # comments allowed) → {digest: user}."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"MENTOR_API_TOKENS_FILE {path} could not be read ({exc.strerror}); "
                         "create it with `mentor serve --add-token USER`") from None
    table: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = HASH_LINE.match(line)
        if not match:
            raise InputError(f"{path}:{n} is not `<user> sha256:<64 hex digits>`")
        table[match["digest"]] = _check_user(match["user"], f"{path}:{n}")
    return table


def add_token(path: Path, user: str) -> str:
    """Make a token for `user`, append its hash to the file, return the token (shown once)."""
    _check_user(user, "--add-token")
    token = new_token()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{user} sha256:{token_digest(token)}\n")
    path.chmod(0o600)
    return token


@dataclass
class TokenTable:
    by_digest: dict[str, str]

    @classmethod
    def from_config(cls, config) -> "TokenTable":
        table: dict[str, str] = {}
        if config.tokens:
            table.update(parse_env_tokens(config.tokens))
        if config.tokens_file:
            table.update(parse_token_file(config.tokens_file))
        return cls(table)

    def user_for(self, token: str | None) -> str | None:
        if not token:
            return None
        return self.by_digest.get(token_digest(token))

    def __len__(self) -> int:
        return len(self.by_digest)


class RateLimiter:
    """A token bucket per key: `rate` requests a minute, bursts up to `burst`."""

    def __init__(self, per_minute: int, burst: int | None = None, clock=time.monotonic) -> None:
        self.per_minute = per_minute
        self.capacity = float(burst or per_minute or 1)
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self._rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self._rate
