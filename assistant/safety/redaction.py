"""Secrets never reach a log, the journal, an export, an error message or the page.

One pattern set (`PATTERNS`) and one function (`redact`). The configured secrets
themselves (OPENAI_API_KEY, LANGSMITH_API_KEY / LANGCHAIN_API_KEY, MENTOR_API_TOKENS)
are read from the environment when `redact` is called and replaced wherever they
appear, whatever their shape; the patterns catch anything shaped like a key or a
credential even when it is not configured here (a key pasted into a question, a
provider echoing a key back in an error body).

`RedactingFilter` applies the same to log records (message, arguments and the
formatted traceback); `install_log_redaction()` puts it on the handlers that exist.
"""

from __future__ import annotations

import logging
import os
import re
import traceback

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 6  # a configured secret shorter than this is not searched for (it would hit ordinary words)
SECRET_ENV = ("OPENAI_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
TOKEN_LIST_ENV = ("MENTOR_API_TOKENS",)

# (pattern, replacement). Order matters: headers before bare tokens.
PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    # Authorization headers, any scheme: "Authorization: Bearer x", "authorization=Basic x"
    (re.compile(r"\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token|digest)\s+)?[^\s\"',;}]+",
                re.IGNORECASE), r"\1" + REDACTED),
    (re.compile(r"\b(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}", re.IGNORECASE), r"\1" + REDACTED),
    # OpenAI-style keys, long or short: sk-..., sk-proj-..., sk-svcacct-..., sk-ant-...
    (re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{8,}"), REDACTED),
    # LangSmith / LangChain keys: lsv2_pt_..., lsv2_sk_...
    (re.compile(r"(?<![A-Za-z0-9])lsv2_[A-Za-z0-9_]{8,}"), REDACTED),
    # other vendors' key shapes that have shown up in provider errors
    (re.compile(r"(?<![A-Za-z0-9])(?:key|pk|rk)-[A-Za-z0-9]{16,}"), REDACTED),
    # credentials in a URL: scheme://user:pass@host or scheme://token@host
    (re.compile(r"(?<=://)[^/\s@\"'<>]+@"), REDACTED + "@"),
    # name=value / "name": "value" for credential-like names
    (re.compile(r"\b((?:x-)?api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|password|passwd)"
                r"([\"']?\s*[:=]\s*[\"']?)[^\s\"',;}&]{6,}", re.IGNORECASE), r"\1\2" + REDACTED),
)


def configured_secrets() -> tuple[str, ...]:
    """The secret values configured in the environment right now."""
    values = [os.environ.get(name, "") for name in SECRET_ENV]
    for name in TOKEN_LIST_ENV:
        values += re.split(r"[\s,]+", os.environ.get(name, ""))
    return tuple(v.strip() for v in values if v and len(v.strip()) >= MIN_SECRET_CHARS)


def redact(text: str | None, secrets: tuple[str, ...] | list[str] = ()) -> str | None:
    """`text` with every secret replaced by "[redacted]": the given `secrets`, the
    configured ones, and anything matching `PATTERNS`. None and "" pass through."""
    if not text:
        return text
    text = str(text)
    for secret in sorted({s for s in (*secrets, *configured_secrets()) if s and len(s) >= MIN_SECRET_CHARS},
                         key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_tree(value, secrets: tuple[str, ...] | list[str] = ()):
    """`redact` applied to every string inside lists and dicts (keys are left alone)."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [redact_tree(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(redact_tree(v, secrets) for v in value)
    if isinstance(value, dict):
        return {k: redact_tree(v, secrets) for k, v in value.items()}
    return value


class RedactingFilter(logging.Filter):
    """Redacts a record's message (after %-formatting) and its traceback text in place."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_mentor_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), self.secrets)
            record.exc_info = None  # the formatter prints exc_text; the raw exception is not formatted again
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        record._mentor_redacted = True
        return True


def install_log_redaction(secrets: tuple[str, ...] = ()) -> RedactingFilter:
    """Put one `RedactingFilter` on every handler that exists now (the root logger's, every
    named logger's, and Python's last-resort handler). Idempotent."""
    manager = logging.root.manager
    loggers = [logging.root] + [lg for lg in manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    handlers = {id(h): h for lg in loggers for h in lg.handlers}
    if logging.lastResort is not None:
        handlers[id(logging.lastResort)] = logging.lastResort
    existing = None
    for handler in handlers.values():
        for f in handler.filters:
            if isinstance(f, RedactingFilter):
                existing = f
    flt = existing or RedactingFilter(secrets)
    if secrets:
        flt.secrets = tuple(dict.fromkeys((*flt.secrets, *secrets)))
    for handler in handlers.values():
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
