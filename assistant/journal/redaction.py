"""Secrets never reach the journal: the configured key and anything shaped like an API key."""

from __future__ import annotations

import re

SECRET_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),  # OpenAI-style keys (sk-..., sk-proj-...)
    re.compile(r"\b(?:Bearer|Authorization:)\s+[A-Za-z0-9._\-]{16,}", re.IGNORECASE),
)
REDACTED = "[redacted]"


def redact(text: str | None, secrets: tuple[str, ...] = ()) -> str | None:
    """Remove API keys (the configured one and anything shaped like a key)."""
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_tree(value, secrets: tuple[str, ...] = ()):
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [redact_tree(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: redact_tree(v, secrets) for k, v in value.items()}
    return value
