"""Fast checks without the index: the fake server speaks the protocol the real
`openai` client expects, and the prompt helpers and retry policy behave."""

from __future__ import annotations

import openai
import pytest

from assistant.errors import ProviderAuthError, ProviderResponseError, ProviderUnavailableError
from assistant.llm import LLMAnswerer, api_key_for
from assistant.prompts import (
    clean_rewrite,
    neutralise,
    render_mentee,
    render_passages,
)
from assistant.session import Session, Turn
from assistant.settings import Settings
from assistant.types import AnswerRequest, Source, Step
from tests.fake_openai import FakeOpenAI, fake_openai  # noqa: F401  (fixture)

MESSAGES = [{"role": "user", "content": "hi"}]


def client(server: FakeOpenAI, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-x", max_retries=0, timeout=kw.pop("timeout", 5), **kw)


# --- the fake server, through the real SDK ------------------------------------------
def test_fake_server_plain_and_streamed_replies(fake_openai):  # noqa: F811
    fake_openai.reply("one two three", "four five")
    c = client(fake_openai)
    plain = c.chat.completions.create(model="m1", messages=MESSAGES)
    assert plain.choices[0].message.content == "one two three" and plain.model == "m1"
    chunks = list(c.chat.completions.create(model="m2", messages=MESSAGES, stream=True))
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == "four five"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [r.model for r in fake_openai.chat_requests] == ["m1", "m2"]
    assert fake_openai.last.stream and fake_openai.last.headers["authorization"] == "Bearer sk-x"


def test_fake_server_scripted_failures(fake_openai):  # noqa: F811
    c = client(fake_openai, timeout=0.2)
    fake_openai.fail(401)
    with pytest.raises(openai.AuthenticationError):
        c.chat.completions.create(model="m", messages=MESSAGES)
    fake_openai.fail(429, retry_after=1)
    with pytest.raises(openai.RateLimitError) as info:
        c.chat.completions.create(model="m", messages=MESSAGES)
    assert info.value.response.headers["retry-after"] == "1"
    fake_openai.slow(1.0)
    with pytest.raises(openai.APITimeoutError):
        c.chat.completions.create(model="m", messages=MESSAGES)
    fake_openai.cut_off("partial", abrupt=True)
    with pytest.raises(openai.APIConnectionError):
        list(c.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    fake_openai.cut_off("partial words", abrupt=False)
    chunks = list(c.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert all(ch.choices[0].finish_reason is None for ch in chunks), "ended early: no finish_reason"
    fake_openai.malformed()
    with pytest.raises(ValueError):
        c.chat.completions.create(model="m", messages=MESSAGES)
    fake_openai.fail(500, always=True)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            c.chat.completions.create(model="m", messages=MESSAGES)


# --- prompt helpers -----------------------------------------------------------------
def test_neutralise_defuses_only_our_delimiters():
    text = "a </passages> b <Passages> c <mentee> d </conversation> e <b>bold</b>"
    out = neutralise(text)
    assert "</passages>" not in out and "<Passages>" not in out and "<mentee>" not in out
    assert "</conversation>" not in out and "<b>bold</b>" in out


def test_render_passages_numbers_from_one_and_marks_spins():
    sources = [Source(id="a", title="T", kind="article", text="alpha", score=1.0, section="S", spin=2),
               Source(id="b", title="P", kind="principle", text="beta", score=0.5)]
    text = render_passages(sources)
    assert text.startswith("[1] T — S (the author's spin 2) — article\nalpha")
    assert "\n\n[2] P — principle\nbeta" in text
    assert render_passages([]).startswith("(no passages")


def test_render_mentee_lists_spin_step_and_open_commitments_only():
    session = Session(spin=2, step=Step.BIAS_FOR_ACTION)
    session.add_commitment("demo the prototype on Friday")
    session.add_commitment("write the design doc")
    session.set_commitment_done(1)
    text = render_mentee(session, Step.ARE_RIGHT_A_LOT)
    assert "Spin of their own flywheel: 2" in text and "Bias for Action" in text
    assert "- demo the prototype on Friday" in text and "design doc" not in text
    assert "Step for this message (from their facts and the flywheel's transitions): Are Right a Lot" in text
    assert "nothing known" in render_mentee(None, None)


def test_history_keeps_newest_turns_within_budget_starting_with_the_mentee():
    session = Session()
    for i in range(10):
        session.turns += [Turn("user", f"q{i} " + "a" * 100), Turn("assistant", f"r{i} " + "b" * 100)]
    session.turns.append(Turn("user", "the question being answered"))
    kept = LLMAnswerer._history(session, "the question being answered", max_turns=5, max_chars=10_000, turn_chars=50)
    assert [m.type for m in kept] == ["human", "ai", "human", "ai"]  # 5 newest, minus a leading assistant turn
    assert kept[-1].content.startswith("r9") and all(len(m.content) <= 50 for m in kept)
    small = LLMAnswerer._history(session, "the question being answered", max_turns=20, max_chars=250,
                                 turn_chars=1000)
    assert sum(len(m.content) for m in small) <= 250 and small[-1].content.startswith("r9")
    assert small[0].type == "human"


def test_clean_rewrite_falls_back_to_the_question_on_unusable_output():
    assert clean_rewrite('Standalone question: "What did he do in spin 2?"', "and then?") == "What did he do in spin 2?"
    assert clean_rewrite("", "and then?") == "and then?"
    assert clean_rewrite("x" * 5000, "and then?") == "and then?"
    assert clean_rewrite("What next?\nBecause the user asked...", "q") == "What next?"


# --- keys and the retry policy ------------------------------------------------------------
def test_api_key_choice():
    assert api_key_for(Settings(provider="openai", api_key="sk-real")) == "sk-real"
    assert api_key_for(Settings(provider="openai", base_url="http://localhost:11434/v1")) == "sk-local-no-key"


def _answerer(server: FakeOpenAI, **kw) -> LLMAnswerer:
    settings = Settings(provider="openai", base_url=server.base_url, api_key="sk-unit-key-123456",
                        timeout=kw.pop("timeout", 5), max_retries=kw.pop("max_retries", 2))
    return LLMAnswerer(settings, None)


REQUEST = AnswerRequest("How do I earn trust?", "How do I earn trust?",
                        [Source(id="a", title="T", kind="article", text="Trust is currency.", score=1.0)], Step.EARN_TRUST)


def test_the_sdk_retries_with_backoff_and_honours_retry_after(fake_openai):  # noqa: F811
    answerer = _answerer(fake_openai, max_retries=3)
    assert answerer.llm.max_retries == 3  # MENTOR_MAX_RETRIES goes to the openai client
    fake_openai.fail(503).fail(429, retry_after=0.7).reply("ok [1]")
    assert "".join(answerer.stream(REQUEST)) == "ok [1]"
    first, second, third = (r.at for r in fake_openai.chat_requests)
    assert 0.3 <= second - first < 0.7  # the SDK's first backoff: 0.5 s, jittered down by up to 25 %
    assert third - second >= 0.7  # Retry-After honoured


def test_each_failure_is_mapped_and_only_transient_ones_retried(fake_openai):  # noqa: F811
    answerer = _answerer(fake_openai, max_retries=1)
    fake_openai.fail(401, message="bad key sk-unit-key-123456")
    with pytest.raises(ProviderAuthError) as info:
        "".join(answerer.stream(REQUEST))
    assert "sk-unit-key-123456" not in str(info.value) and len(fake_openai.chat_requests) == 1
    fake_openai.fail(500, times=2)
    with pytest.raises(ProviderUnavailableError, match="after 2 attempts"):
        "".join(answerer.stream(REQUEST))
    assert len(fake_openai.chat_requests) == 3  # the 500 was retried once
    fake_openai.cut_off("Trust is", abrupt=False)
    with pytest.raises(ProviderResponseError, match="cut off"):
        "".join(answerer.stream(REQUEST))
    fake_openai.fail(404)
    with pytest.raises(Exception, match="MENTOR_MODEL"):
        "".join(answerer.stream(REQUEST))
    assert len(fake_openai.chat_requests) == 5  # neither the cut-off stream nor the 404 was retried


def test_an_injected_langchain_fake_model_streams_through_the_same_chain():
    from langchain_core.language_models import GenericFakeChatModel

    fake = GenericFakeChatModel(messages=iter(["Trust is currency [1].\n**Next action:** Ship it."]))
    answerer = LLMAnswerer(Settings(provider="openai", api_key="sk-x"), None, llm=fake)
    assert "".join(answerer.stream(REQUEST)) == "Trust is currency [1].\n**Next action:** Ship it."
