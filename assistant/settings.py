"""Settings, read from the environment at call time (never at import).

`Settings.from_env()` is called by `Mentor()`; tests pass their own `Settings`.
The API key is kept out of `repr` so it cannot leak into logs or tracebacks.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import InputError

DEFAULT_MODEL = "gpt-4.1-mini"
MAX_QUESTION_CHARS = 8000
PROVIDERS = ("auto", "offline", "openai")


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("flywheel-mentor", appauthor=False))


def project_data_dir() -> Path:
    """Where `knowledge/` and `app.py` live: the checkout next to the package (editable
    install), else the copies a regular `pip install` puts under <prefix>/share/flywheel-mentor."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "knowledge").is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "flywheel-mentor"


def packaged_knowledge_dir() -> Path:
    return project_data_dir() / "knowledge"


def _env_number(name: str, default, cast=float):
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return cast(raw)
    except ValueError:
        kind = "a whole number" if cast is int else "a number"
        raise InputError(f"{name}={raw!r} is not {kind}; set it to {kind}, e.g. {default}") from None


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=default_home)
    knowledge_dir: Path = field(default_factory=packaged_knowledge_dir)
    provider: str = "auto"
    model: str = DEFAULT_MODEL
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout: float = 60.0
    max_retries: int = 2
    fallback_offline: bool = False
    k: int = 4
    max_question_chars: int = MAX_QUESTION_CHARS
    chroma_url: str | None = field(default=None, repr=False)  # a Chroma server; None = embedded in home

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        provider = (env.get("MENTOR_PROVIDER") or "auto").strip().lower()
        if provider not in PROVIDERS:
            raise InputError(
                f"MENTOR_PROVIDER={provider!r} is not one of {', '.join(PROVIDERS)}; "
                "use auto (model when OPENAI_API_KEY is set), offline, or openai"
            )
        values = dict(
            home=Path(env["MENTOR_HOME"]).expanduser() if env.get("MENTOR_HOME") else default_home(),
            knowledge_dir=Path(env["MENTOR_KNOWLEDGE_DIR"]).expanduser()
            if env.get("MENTOR_KNOWLEDGE_DIR")
            else packaged_knowledge_dir(),
            provider=provider,
            model=env.get("MENTOR_MODEL") or DEFAULT_MODEL,
            api_key=env.get("OPENAI_API_KEY") or None,
            base_url=env.get("OPENAI_BASE_URL") or None,
            timeout=_env_number("MENTOR_TIMEOUT", 60.0),
            max_retries=_env_number("MENTOR_MAX_RETRIES", 2, int),
            fallback_offline=_env_bool("MENTOR_FALLBACK_OFFLINE", False),
            k=_env_number("MENTOR_K", 4, int),
            chroma_url=(env.get("MENTOR_CHROMA_URL") or "").strip() or None,
        )
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def uses_llm(self) -> bool:
        """Decided before any client is built: ChatOpenAI raises without a key."""
        if self.provider == "offline":
            return False
        if self.provider == "openai":
            return True
        return bool(self.api_key)

    @property
    def store_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def journal_path(self) -> Path:
        return self.home / "journal.sqlite3"
