"""Fast checks of what the wheel ships (the slow tests/test_wheel_install.py builds and uses it)."""

from __future__ import annotations

import fnmatch
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


def test_every_data_file_in_a_package_is_shipped():
    tool = _pyproject()["tool"]["setuptools"]
    mapped = tool["package-dir"]
    dirs = {name: ROOT.joinpath(*name.split(".")) for name in tool["packages"] if name not in mapped}
    unshipped = []
    for top in ("assistant", "evals"):
        for path in (ROOT / top).rglob("*"):
            if not path.is_file() or path.suffix == ".py" or "__pycache__" in path.parts or path.name.startswith("."):
                continue
            owner = max((n for n, d in dirs.items() if d in path.parents), key=lambda n: len(dirs[n].parts))
            relative = path.relative_to(dirs[owner]).as_posix()
            patterns = tool["package-data"].get(owner, [])
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
                unshipped.append(f"{owner}: {relative}")
    assert not unshipped, f"add to [tool.setuptools.package-data] in pyproject.toml: {unshipped}"


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
