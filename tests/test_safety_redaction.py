"""One redaction module (assistant/safety/redaction.py), used everywhere: a table of secrets
and of text that must survive, then each place it is applied (logs, journal, export, errors,
the chained cause of a ProviderError)."""

from __future__ import annotations

import io
import logging
import traceback

import pytest

from assistant import Session
from assistant.export import export_markdown
from assistant.journal import Journal
from assistant.safety.redaction import REDACTED, RedactingFilter, install_log_redaction, redact

# (case id, text, the secret part that must be gone, what must remain)
SECRETS = [
    ("openai key", "key sk-abcdefghijklmnopqrstuvwxyz0123456789 end", "sk-abcdefghijklmnop", "key [redacted] end"),
    ("openai project key", "sk-proj-AbC123_dEf456-GhI789jKl012mNo345", "sk-proj-AbC123", "[redacted]"),
    ("short sk key", "Incorrect API key provided: sk-abc123def456.", "sk-abc123def456", "Incorrect API key provided: [redacted]."),
    ("service account key", "sk-svcacct-0123456789abcdefABCDEF", "sk-svcacct-0123", "[redacted]"),
    ("langsmith key", "LANGSMITH_API_KEY=lsv2_pt_0123456789abcdef0123456789abcdef_0123abcd", "lsv2_pt_0123",
     "LANGSMITH_API_KEY=[redacted]"),
    ("langsmith personal key in prose", "my key is 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", "lsv2_sk_9f8e",
     "my key is [redacted]"),
    ("bearer header", "Authorization: Bearer abc.def-ghi_jkl012345", "abc.def-ghi", "Authorization: [redacted]"),
    ("bearer in prose", "sent bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9", "sent bearer [redacted]"),
    ("basic auth header", "authorization=Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA", "authorization=[redacted]"),
    ("header in a dict repr", "{'authorization': 'Bearer tok_0123456789'}", "tok_0123456789",
     "{'authorization': '[redacted]'}"),
    ("url credentials", "postgresql://mentor:hunter2@db.example:5432/j", "hunter2",
     "postgresql://[redacted]@db.example:5432/j"),
    ("url token", "https://ghp_0123456789abcdef@github.com/o/r", "ghp_0123456789abcdef", "https://[redacted]@github.com/o/r"),
    ("api_key assignment", 'api_key="abcdef0123456789"', "abcdef0123456789", 'api_key="[redacted]"'),
    ("x-api-key header", "x-api-key: 0123456789abcdef", "0123456789abcdef", "x-api-key: [redacted]"),
    ("password field", "password: hunter22!", "hunter22", "password: [redacted]"),
]

KEEP = [
    "I'm stuck in a rut at work, how do I get out?",
    "My task-management tool and a desk-bound job: sk- is a prefix, not a key.",
    "The flywheel: Deliver Results → Earn Trust [1]. Email me at ana@example.com.",
    "Bearer bonds and the authorization process at my company",
    "https://example.com/path?x=1 and postgresql://localhost/db",
    "My password is weak (short) and the secret is consistency.",
]


@pytest.mark.parametrize("case,text,secret,expected", SECRETS, ids=[c[0] for c in SECRETS])
def test_redaction_table(case, text, secret, expected):
    out = redact(text)
    assert secret not in out
    assert out == expected


@pytest.mark.parametrize("text", KEEP)
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_the_configured_key_is_redacted_whatever_its_shape(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "plainlocalkey42")
    monkeypatch.setenv("LANGSMITH_API_KEY", "ls-custom-value")
    monkeypatch.setenv("MENTOR_API_TOKENS", "tok-one-111, tok-two-222")
    text = "sent plainlocalkey42 then ls-custom-value and tok-two-222"
    assert redact(text) == f"sent {REDACTED} then {REDACTED} and {REDACTED}"
    assert redact("explicit-secret-9 here", ("explicit-secret-9",)) == f"{REDACTED} here"


def test_log_records_are_redacted_including_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("assistant.test-redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install_log_redaction()
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        logger.warning("model said %s", "Incorrect API key provided: sk-abc123def456")
        try:
            raise RuntimeError("401 from https://u:pw-secret-1@api.example: lsv2_pt_0123456789abcdef")
        except RuntimeError:
            logger.exception("call failed with key %s", "sk-proj-ZZZZ0000zzzz1111")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    for secret in ("sk-abc123def456", "pw-secret-1", "lsv2_pt_0123456789abcdef", "sk-proj-ZZZZ0000zzzz1111"):
        assert secret not in out
    assert out.count(REDACTED) >= 4 and "Traceback" in out and "RuntimeError" in out


def test_journal_uses_the_same_patterns(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    session = Session(name="Ana")
    session.add_user_turn("my langsmith key lsv2_pt_0123456789abcdef0123 and sk-abc123def456 leaked")
    journal.save(session)
    text = journal.load("Ana").turns[0].text
    assert "lsv2_pt" not in text and "sk-abc123def456" not in text and text.count(REDACTED) == 2


def test_markdown_export_is_redacted_and_sanitised():
    session = Session(name="Ana")
    session.add_user_turn("key sk-proj-AbC123dEf456GhI789 and ![x](http://evil.example/?c=1)")
    session.add_commitment("call https://u:pw-123456@host.example ![y](http://evil.example/2)")
    out = export_markdown(session)
    assert "sk-proj-AbC123" not in out and "pw-123456" not in out
    assert "![" not in out and "(image not shown: x)" in out and "(image not shown: y)" in out


def _format(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


@pytest.mark.parametrize("status", [401, 400, 503])
def test_a_provider_error_never_carries_the_key_into_a_traceback(status, fake_openai, tmp_path):
    """The fake provider echoes the Authorization header it received in its error body (as some
    providers do); neither the ProviderError nor anything chained to it may hold the key."""
    from assistant.errors import ProviderError
    from assistant.llm import LLMAnswerer
    from assistant.settings import Settings
    from assistant.types import AnswerRequest

    key = "sk-proj-EchoedBackKey0123456789abcdef"
    fake_openai.fail(status, always=True, message="Incorrect API key provided: {api_key} (header: {authorization})")
    settings = Settings(home=tmp_path, provider="openai", base_url=fake_openai.base_url, api_key=key,
                        max_retries=1, timeout=5)
    answerer = LLMAnswerer(settings)
    with pytest.raises(ProviderError) as info:
        list(answerer.stream(AnswerRequest("How do I earn trust?", "How do I earn trust?", [], None, None, "career")))
    assert fake_openai.chat_requests and key in fake_openai.last.headers["authorization"]  # the key was sent
    text = _format(info.value)
    assert key not in text and key[8:24] not in text
    assert REDACTED in text  # the redacted provider message is kept for debugging
    chain, seen = info.value, []
    while chain is not None:
        seen.append(chain)
        assert key not in str(chain) and key not in repr(getattr(chain, "args", ()))
        chain = chain.__cause__ or chain.__context__
    assert len(seen) == 2  # the ProviderError and its redacted cause, nothing else


from tests.fake_openai import fake_openai  # noqa: E402,F401  (fixture)
