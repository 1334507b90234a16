"""Settings come from the environment at call time; secrets stay out of reprs."""

import pytest

import assistant
from assistant import InputError, Mentor, Settings


def test_environment_is_read_when_a_mentor_is_made_not_at_import(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTOR_HOME", str(tmp_path / "a"))
    first = Mentor().settings.home
    monkeypatch.setenv("MENTOR_HOME", str(tmp_path / "b"))
    assert Mentor().settings.home != first
    assert Mentor().settings.home == tmp_path / "b"


def test_provider_choice(monkeypatch):
    assert Settings.from_env().uses_llm is False  # auto without a key
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    assert Settings.from_env().uses_llm is True
    monkeypatch.setenv("MENTOR_PROVIDER", "offline")
    assert Settings.from_env().uses_llm is False


def test_auto_with_only_a_base_url_means_the_model_everywhere(monkeypatch):
    from assistant import page
    from evals.cli import _settings as eval_settings

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")  # e.g. Ollama: no key
    assert Settings.from_env().uses_llm is True  # API and CLI
    assert Mentor(page.load_settings()).mode == "llm"  # the page
    assert eval_settings("auto")[1] is True and eval_settings("offline")[1] is False  # mentor eval


def test_bad_provider_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MENTOR_PROVIDER", "gpt")
    with pytest.raises(InputError, match="auto.*offline.*openai"):
        Settings.from_env()


def test_api_key_never_appears_in_repr(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    assert "sk-secret-value" not in repr(Settings.from_env())


def test_importing_the_package_loads_nothing_heavy():
    import subprocess
    import sys

    code = "import sys, assistant; print(any(m in sys.modules for m in ('chromadb', 'langchain_openai', 'tokenizers')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert assistant.Mentor is Mentor


@pytest.mark.parametrize("name, value, message", [("MENTOR_TIMEOUT", "soon", "not a number"),
                                                  ("MENTOR_MAX_RETRIES", "2.5", "not a whole number")])
def test_bad_numbers_say_what_to_set(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError, match=f"{name}='{value}' is {message}"):
        Settings.from_env()
