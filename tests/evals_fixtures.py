"""Fixtures for the eval-suite tests (tests/test_evals_*.py import them).

`eval_home` points MENTOR_HOME at a private copy of the session's built index (the
conftest's `built_home`), so the runner works on the real store and embedding model
without rebuilding it and without touching anyone's data. Model variables are
cleared by the conftest's autouse fixture.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SUBSET = ["dr-new-grad", "spin1-outage", "oos-banana-bread", "inj-dan", "mt-flop-tell-manager", "lp-frugality"]


@pytest.fixture(scope="module")
def eval_home_dir(built_home, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("eval-home") / "home"
    shutil.copytree(built_home, target)
    return target


@pytest.fixture
def eval_home(eval_home_dir, monkeypatch) -> Path:
    monkeypatch.setenv("MENTOR_HOME", str(eval_home_dir))
    monkeypatch.setenv("MENTOR_PROVIDER", "offline")
    return eval_home_dir


def subset_args(ids=SUBSET) -> list[str]:
    args = []
    for case_id in ids:
        args += ["--case", case_id]
    return args
