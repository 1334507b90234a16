"""The `mentor` command through its real entry point, in a subprocess."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.fake_openai import fake_openai  # noqa: F401  (fixture)


@pytest.fixture
def run(home_copy):
    def _run(*args, stdin: bytes | None = None, env_extra=None):
        env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
        env.update({"MENTOR_HOME": str(home_copy), **(env_extra or {})})
        mentor = shutil.which("mentor") or ""
        cmd = [mentor, *args] if mentor else [sys.executable, "-m", "assistant", *args]
        return subprocess.run(cmd, input=stdin, capture_output=True, env=env, timeout=120)

    return _run


def test_ask_prints_a_cited_answer(run):
    result = run("ask", "How do I get out of a rut?")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Deliver Results" in out and "[1]" in out and "sources:" in out


def test_ask_json_has_the_answer_fields(run):
    result = run("ask", "--json", "What does Frugality mean?")
    data = json.loads(result.stdout)
    assert {"text", "sources", "step", "in_scope", "next_action", "mode"} <= set(data)
    assert data["mode"] == "offline" and data["step"] is None
    assert {"id", "title", "kind", "text", "score"} <= set(data["sources"][0])


def test_ask_reads_stdin(run):
    result = run("ask", "-", stdin="My bet failed, should I pull the plug?".encode())
    assert result.returncode == 0 and "Are Right a Lot" in result.stdout.decode()


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (("ask", "   "), None, "the question is empty"),
        (("ask", "-"), b"\xff\xfe\xfa", "could not read the input as UTF-8"),
        (("ask", "-"), b"x" * 8001, "the limit is 8,000"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(run, args, stdin, message):
    result = run(*args, stdin=stdin)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_broken_knowledge_file_names_the_file(run, knowledge_copy):
    (knowledge_copy / "flywheel.md").write_text("---\nkind: [\n---\n")
    result = run("index", env_extra={"MENTOR_KNOWLEDGE_DIR": str(knowledge_copy)})
    assert result.returncode == 2 and "flywheel.md" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_index_reports_unchanged_files(run):
    result = run("index")
    assert result.returncode == 0 and "3 unchanged" in result.stdout.decode()


def test_chat_keeps_one_session(run):
    script = b"How can I get my boss to give me more responsibility?\n/commit\nand after that?\n/status\n/quit\n"
    result = run("chat", stdin=script)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Earn Trust" in out and "Ownership and Think Big" in out
    assert "committed:" in out and "spin 1, step: Earn Trust" in out  # "and after that?" looks ahead, it doesn't move them


def test_help_lists_the_commands(run):
    out = run("--help").stdout.decode()
    for command in ("index", "ask", "chat", "bench"):
        assert command in out


def test_chat_survives_a_failed_model_turn_and_retries(run, fake_openai):  # noqa: F811
    fake_openai.fail(500, times=1)
    fake_openai.reply("Deliver one thing on time this week [1].\n**Next action:** Ship the smallest open task by Friday.")
    env = {"MENTOR_PROVIDER": "openai", "OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "sk-test-cli",
           "MENTOR_MAX_RETRIES": "0", "MENTOR_TIMEOUT": "5"}
    result = run("chat", stdin=b"I'm stuck in a rut, how do I get out?\n/retry\n/status\n/quit\n", env_extra=env)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "error: " in err and "/retry" in err and "Traceback" not in err
    assert "Ship the smallest open task by Friday" in out
    assert "sk-test-cli" not in out + err
    assert "spin 1, step: Deliver Results" in out


def test_chat_with_a_name_saves_and_restores_the_journey(run):
    first = run("chat", "--name", "Ada", stdin=b"How can I get my boss to give me more responsibility?\n/commit\n/quit\n")
    assert first.returncode == 0, first.stderr.decode()
    again = run("chat", "--name", "ada", stdin=b"/status\n/quit\n")
    out = again.stdout.decode()
    assert "spin 1, step: Earn Trust" in out
    assert "1. [ ] " in out  # the commitment made in the first chat


def test_chat_with_a_bad_name_is_a_clear_error(run):
    result = run("chat", "--name", "../../etc", stdin=b"/quit\n")
    assert result.returncode == 2 and result.stderr.decode().startswith("error: ")
    assert "Traceback" not in result.stderr.decode()


def test_verbose_shows_retries_and_stage_timings(run, fake_openai):  # noqa: F811
    fake_openai.fail(429, retry_after=0.01)
    env = {"OPENAI_BASE_URL": fake_openai.base_url, "MENTOR_MODEL": "fake-model", "MENTOR_TIMEOUT": "5"}
    result = run("ask", "--verbose", "--json", "I'm stuck in a rut", env_extra=env)  # auto + keyless base URL
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert json.loads(result.stdout)["mode"] == "llm"  # the keyless local server is the model
    assert "openai._base_client: Retrying request in " in err and "(retry 1 of 2)" in err  # the SDK retried
    assert "assistant.tracing: turn stage retrieve: " in err and "assistant.tracing: turn: " in err
    quiet = run("ask", "--json", "What does Frugality mean?")
    assert "INFO" not in quiet.stderr.decode()


def test_verbose_before_the_command_shows_index_generation(run):
    result = run("-v", "index")
    assert result.returncode == 0 and "INFO assistant.mentor: index " in result.stderr.decode()
    assert "3 unchanged" in result.stderr.decode()
