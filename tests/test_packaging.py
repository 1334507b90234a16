"""Fast checks of what the wheel ships (the slow tests/test_wheel_install.py builds and uses it)."""

from __future__ import annotations

import tomllib

from conftest import ROOT


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_python_package_in_the_checkout_is_shipped():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("assistant", "evals")
        for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    missing = on_disk - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def test_knowledge_and_page_ship_as_package_data_from_their_repo_folders():
    tool = _pyproject()["tool"]["setuptools"]
    assert tool["package-dir"] == {"assistant.knowledge_files": "knowledge", "assistant.page_files": "."}
    assert "*.md" in tool["package-data"]["assistant.knowledge_files"]
    assert "data-files" not in tool  # the old share/ copies (broken for --user installs) are gone


def test_the_packaged_knowledge_is_read_with_importlib_resources():
    from importlib.resources import files

    from assistant.settings import packaged_knowledge_dir

    assert packaged_knowledge_dir() == files("assistant.knowledge_files") == ROOT / "knowledge"  # editable install
    assert {p.name for p in packaged_knowledge_dir().glob("*.md")} >= {"career-growth-flywheel.md", "flywheel.md"}
