"""LLM mode and the judge, against the local OpenAI-compatible server (tests/fake_openai.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evals.cli import _settings, eval_command
from evals.judge import CRITERIA, Judge, JudgeOutputError, parse_judge_output, scale
from evals_fixtures import eval_home, eval_home_dir, subset_args  # noqa: F401  (fixtures)
from fake_openai import DEFAULT_REPLY, FakeOpenAI, fake_openai  # noqa: F401  (fixture)

GOOD = {"faithfulness": 5, "relevance": 4, "actionable": 3, "on_the_wheel": 2, "kind": 1, "reason": "fine"}


def judge_replies(judge_text):
    """Judge requests (our judge system prompt) get `judge_text`; mentor requests the default answer."""
    def responder(recorded):
        if "You grade answers from a career mentor" in recorded.text("system"):
            return judge_text() if callable(judge_text) else judge_text
        return DEFAULT_REPLY
    return responder


# --------------------------------------------------------------------------- parsing


def test_parse_judge_output_valid_and_fenced():
    parsed = parse_judge_output(json.dumps(GOOD))
    assert parsed["raw"] == {c: float(GOOD[c]) for c in CRITERIA} and parsed["reason"] == "fine"
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    assert parse_judge_output(fenced)["raw"]["faithfulness"] == 5.0
    assert parse_judge_output("Here you go: " + json.dumps(GOOD))["raw"]["kind"] == 1.0
    assert [scale(v) for v in (1, 2, 3, 4, 5)] == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("text, message", [
    ("The answer looks great!", "not JSON"),
    ("[1, 2, 3]", "not an object"),
    (json.dumps({"faithfulness": 5}), "has no relevance, actionable, on_the_wheel, kind"),
    (json.dumps({**GOOD, "kind": 9}), "kind=9, not a number from 1 to 5"),
    (json.dumps({**GOOD, "relevance": "high"}), "relevance='high'"),
])
def test_parse_judge_output_malformed_says_what_is_wrong(text, message):
    with pytest.raises(JudgeOutputError) as info:
        parse_judge_output(text)
    assert message in str(info.value)
    assert "started with" in str(info.value) or "reply:" in str(info.value)


def test_auto_provider_uses_llm_when_a_base_url_is_set(monkeypatch):
    assert _settings("auto")[1] is False
    assert _settings("offline")[1] is False
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings, use_llm = _settings("auto")
    assert use_llm and settings.provider == "openai"
    assert _settings("offline")[1] is False


# --------------------------------------------------------------------------- judge over HTTP


class _Case:
    turns = ["I keep missing deadlines."]


class _Answer:
    text = "You are at Deliver Results [1]."
    sources = []


def test_judge_calls_chat_completions_with_the_judge_model(fake_openai, monkeypatch):  # noqa: F811
    from assistant import Settings

    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    fake_openai.responder = judge_replies(json.dumps(GOOD))
    judge = Judge(Settings.from_env(provider="openai"), model="judge-mini")
    out = judge.judge_case(_Case(), _Answer())
    assert out["scores"] == {"faithfulness": 1.0, "relevance": 0.75, "actionable": 0.5, "on_the_wheel": 0.25,
                             "kind": 0.0}
    request = fake_openai.last
    assert request.path == "/v1/chat/completions" and request.model == "judge-mini"
    assert request.headers.get("Authorization", request.headers.get("authorization")) == "Bearer sk-local"
    assert "I keep missing deadlines." in request.text("user") and "Deliver Results [1]" in request.text("user")


def test_judge_retries_once_then_records_a_clear_error(fake_openai, monkeypatch):  # noqa: F811
    from assistant import Settings

    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    replies = iter(["not json at all", json.dumps(GOOD)])
    fake_openai.responder = judge_replies(lambda: next(replies))
    judge = Judge(Settings.from_env(provider="openai"))
    assert judge.judge_case(_Case(), _Answer())["raw"]["faithfulness"] == 5.0  # second attempt parsed
    fake_openai.responder = judge_replies("still not json")
    out = judge.judge_case(_Case(), _Answer())
    assert "the judge's reply is not JSON" in out["error"] and "still not json" in out["error"]


# --------------------------------------------------------------------------- the suite in LLM mode

LLM_CASES = ["dr-new-grad", "spin1-outage", "oos-banana-bread"]


@pytest.mark.slow
def test_llm_mode_runs_repeats_with_judge_metrics_and_never_gates(eval_home, fake_openai, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("MENTOR_MODEL", "fake-model")
    scores = iter([1, 5] * 50)  # alternate terrible and perfect judge scores between calls

    def varying():
        v = next(scores)
        return json.dumps({c: v for c in CRITERIA} | {"reason": "scripted"})

    fake_openai.responder = judge_replies(varying)
    impossible = tmp_path / "baseline.json"  # would fail every metric if LLM mode compared against it
    impossible.write_text(json.dumps({"metrics": {"answer.groundedness": {"value": 1.0, "tolerance": 0.0},
                                                  "judge.kind": {"value": 1.0, "tolerance": 0.0}}}))
    out = tmp_path / "llm"
    result = CliRunner().invoke(eval_command, subset_args(LLM_CASES) + [
        "--provider", "openai", "--repeats", "2", "--out", str(out), "--baseline", str(impossible), "-q"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "llm" and report["model"] == "fake-model" and report["gate"] is None
    assert len(report["repeats"]) == 2
    for name in ("judge.faithfulness", "judge.relevance", "judge.actionable", "judge.on_the_wheel", "judge.kind"):
        agg = report["aggregate"][name]
        assert 0.0 <= agg["mean"] <= 1.0 and agg["sd"] is not None and agg["n"] == 2
    judged = [c for c in report["cases"] if c.get("judge")]
    assert {c["id"] for c in judged} == {"dr-new-grad", "spin1-outage"}  # redirects are not judged
    assert "±" in (out / "report.md").read_text()
    judge_calls = [r for r in fake_openai.chat_requests if "You grade answers" in r.text("system")]
    assert len(judge_calls) == 4  # 2 answered cases x 2 repeats


@pytest.mark.slow
def test_llm_mode_malformed_judge_output_is_reported_not_fatal(eval_home, fake_openai, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    fake_openai.responder = judge_replies("I refuse to output JSON")
    result = CliRunner().invoke(eval_command, subset_args(["dr-new-grad"]) + [
        "--provider", "openai", "--out", str(tmp_path), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "the judge returned malformed output for 1 case(s)" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert "not JSON" in report["cases"][0]["judge"]["error"]
    assert report["summary"]["extra"]["judge.errors"] == 1


def test_update_baseline_is_refused_in_llm_mode(eval_home, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = CliRunner().invoke(eval_command, ["--provider", "openai", "--update-baseline", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "offline runs only" in result.output
