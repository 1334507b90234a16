"""Shared fixtures: user state in a temp dir, no real model calls, one built index per run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Mentor, Settings

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point user state at a temp dir and forbid accidental real model calls."""
    monkeypatch.setenv("MENTOR_HOME", str(tmp_path / "home"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MENTOR_PROVIDER", "MENTOR_MODEL", "MENTOR_KNOWLEDGE_DIR",
                 "MENTOR_FALLBACK_OFFLINE", "MENTOR_K", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2",
                 "MENTOR_EMBEDDING_MODEL_DIR", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "MENTOR_API_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """A MENTOR_HOME with the real index built once per test run (tests copy it)."""
    home = tmp_path_factory.mktemp("built-home")
    Mentor(Settings(home=home, knowledge_dir=KNOWLEDGE, provider="offline")).index()
    return home


@pytest.fixture(scope="session")
def shared_mentor(built_home) -> Mentor:
    """A read-only offline Mentor over the real store; for tests that don't write."""
    return Mentor(Settings(home=built_home, knowledge_dir=KNOWLEDGE, provider="offline"))


@pytest.fixture
def home_copy(built_home, tmp_path) -> Path:
    """A private copy of the built index, for tests that change the store."""
    target = tmp_path / "home-copy"
    shutil.copytree(built_home, target)
    return target


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole run (skipped with the reason when not installed)."""
    from pg_server import MISSING_REASON, PostgresServer, pg_bin_dir

    if pg_bin_dir() is None:
        pytest.skip(MISSING_REASON)
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres, request):
    """A fresh database on the test server, for one test."""
    import re
    import uuid

    from assistant.journal import dispose_engines

    name = re.sub(r"[^a-z0-9_]", "_", f"t_{request.node.name.lower()}")[:40] + "_" + uuid.uuid4().hex[:6]
    url = postgres.create_database(name)
    yield url
    dispose_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_target(request, tmp_path):
    """The journal's two backends: a SQLite file, and a database on a real PostgreSQL."""
    from assistant.journal import dispose_engines

    if request.param == "sqlite":
        yield tmp_path / "home" / "journal.sqlite3"
    else:
        yield request.getfixturevalue("postgres_url")
    dispose_engines()


@pytest.fixture
def small_knowledge(tmp_path) -> Path:
    """Three small files (a short story, three principles, the real flywheel): quick to embed.
    Files are indexed in name order: the principles come last."""
    target = tmp_path / "small-knowledge"
    shutil.copytree(DATA / "small-knowledge", target)
    shutil.copy(KNOWLEDGE / "flywheel.md", target / "flywheel.md")
    return target


@pytest.fixture
def home(tmp_path, built_home) -> Path:
    """An empty MENTOR_HOME holding only the diagnoser's cache of signal-phrase vectors
    (embedding ~300 phrases again would dominate a test)."""
    target = tmp_path / "home"
    if (built_home / "cache").is_dir():  # absent when every vector and model came precomputed with the package
        shutil.copytree(built_home / "cache", target / "cache")
    else:
        (target / "cache").mkdir(parents=True)
    return target


@pytest.fixture
def app_home(home_copy, monkeypatch):
    """The page's MENTOR_HOME (a copy of the built index), with Streamlit's resource cache cleared
    around the test so each AppTest builds its own Mentor."""
    import streamlit as st

    monkeypatch.setenv("MENTOR_HOME", str(home_copy))
    st.cache_resource.clear()
    yield home_copy
    st.cache_resource.clear()
