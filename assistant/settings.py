"""Settings, read from the environment at call time (never at import).

`Settings.from_env()` is called by `Mentor()`; tests pass their own `Settings`.
The API key is kept out of `repr` so it cannot leak into logs or tracebacks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import InputError

DEFAULT_MODEL = "gpt-4.1-mini"
MAX_QUESTION_CHARS = 8000
PROVIDERS = ("auto", "offline", "openai")


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("flywheel-mentor", appauthor=False))


def packaged_knowledge_dir() -> Path:
    """The knowledge base shipped inside the package (`assistant.knowledge_files`, built from the
    repo's `knowledge/`), found with importlib.resources in regular, --user and editable installs."""
    from importlib.resources import files

    resource = files("assistant.knowledge_files")
    if not isinstance(resource, Path):  # e.g. a zipped install: Chroma's loader needs real files
        raise InputError(
            f"the packaged knowledge base is not a folder on disk ({resource}); set MENTOR_KNOWLEDGE_DIR to a "
            "folder of knowledge .md files"
        )
    return resource


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
    # The journal: None = SQLite under `home`; else a PostgreSQL URL (it may hold a password).
    database_url: str | None = field(default=None, repr=False)
    embedding_model_dir: Path | None = None  # MENTOR_EMBEDDING_MODEL_DIR; see assistant.model_files
    chroma_url: str | None = field(default=None, repr=False)  # a Chroma server; None = embedded in home

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        provider = (env.get("MENTOR_PROVIDER") or "auto").strip().lower()
        if provider not in PROVIDERS:
            raise InputError(
                f"MENTOR_PROVIDER={provider!r} is not one of {', '.join(PROVIDERS)}; "
                "use auto (model when OPENAI_API_KEY or OPENAI_BASE_URL is set), offline, or openai"
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
            database_url=(env.get("MENTOR_DATABASE_URL") or "").strip() or None,
            embedding_model_dir=Path(env["MENTOR_EMBEDDING_MODEL_DIR"]).expanduser()
            if env.get("MENTOR_EMBEDDING_MODEL_DIR")
            else None,
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
        return bool(self.api_key or self.base_url)  # auto: a key, or a (keyless) local server

    @property
    def store_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def journal_path(self) -> Path:
        return self.home / "journal.sqlite3"

    @property
    def journal_target(self) -> str | Path:
        """What the journal opens: MENTOR_DATABASE_URL when set, else the SQLite file."""
        return self.database_url or self.journal_path
