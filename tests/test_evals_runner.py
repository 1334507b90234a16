"""The eval runner end to end on a small subset: real store, real embeddings, offline composer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evals.cli import eval_command
from evals.runner import HEADLINE
from evals_fixtures import SUBSET, eval_home, eval_home_dir, subset_args  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def run(args):
    result = CliRunner().invoke(eval_command, args, catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def first_run(eval_home_dir, tmp_path_factory):
    """One subset run that writes the reports and a fresh baseline (`--update-baseline`)."""
    import os

    out = tmp_path_factory.mktemp("report")
    baseline = out / "baseline.json"
    old = os.environ.get("MENTOR_HOME")
    os.environ["MENTOR_HOME"] = str(eval_home_dir)
    try:
        result = run(subset_args() + ["--out", str(out), "--baseline", str(baseline), "--update-baseline", "-q"])
    finally:
        if old is None:
            os.environ.pop("MENTOR_HOME", None)
        else:
            os.environ["MENTOR_HOME"] = old
    assert result.exit_code == 0, result.output
    return out, baseline, result


def test_writes_json_markdown_and_self_contained_html(first_run):
    out, _, result = first_run
    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "offline"
    assert sorted(c["id"] for c in report["cases"]) == sorted(SUBSET)
    assert set(HEADLINE) <= set(report["summary"]["metrics"])
    for value in report["summary"]["metrics"].values():
        assert value is None or 0.0 <= value <= 1.0
    assert set(report["summary"]["recall_at_k"]) == {str(k) for k in range(1, 11)}
    by_id = {c["id"]: c for c in report["cases"]}
    assert by_id["oos-banana-bread"]["answer"]["in_scope"] is False
    assert by_id["inj-dan"]["answer"]["redirect_correct"] == 1.0
    assert by_id["dr-new-grad"]["predicted_step"] == "deliver_results"
    assert by_id["dr-new-grad"]["retrieval"]["rels"] and len(by_id["dr-new-grad"]["retrieval"]["retrieved"]) == 10
    assert len(by_id["mt-flop-tell-manager"]["turns"]) == 2

    md = (out / "report.md").read_text()
    assert "## Headline metrics" in md and "## Per category" in md and "confusion matrix" in md
    assert all(name in md for name in HEADLINE)
    assert "worst cases" in md

    html = (out / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    assert html.count("data:image/png;base64,") >= 3  # recall@k, confusion matrix, histograms
    assert "<script src" not in html and "<link" not in html  # nothing external
    assert "gold evidence" in html and "retrieved (top 10)" in html
    assert 'class="unsupported"' in html or 'class="supported"' in html
    assert "recall@4" in result.output  # headline table on stdout


def test_update_baseline_writes_every_headline_metric(first_run):
    _, baseline, result = first_run
    data = json.loads(baseline.read_text())
    assert "baseline updated" in result.output
    assert set(data["metrics"]) <= set(HEADLINE) and "retrieval.hit@4" in data["metrics"]
    assert all(0 < m["tolerance"] < 0.2 for m in data["metrics"].values())


def test_gate_passes_against_its_own_baseline(first_run, eval_home, tmp_path):
    _, baseline, _ = first_run
    result = run(subset_args() + ["--out", str(tmp_path), "--baseline", str(baseline), "-q"])
    assert result.exit_code == 0, result.output
    assert "eval gate passed" in result.output


def test_gate_fails_naming_the_metric_that_dropped(first_run, eval_home, tmp_path):
    _, baseline, _ = first_run
    data = json.loads(baseline.read_text())
    current = data["metrics"]["retrieval.mrr"]["value"]
    data["metrics"]["retrieval.mrr"] = {"value": current + 0.2, "tolerance": 0.05}
    worse = tmp_path / "baseline.json"
    worse.write_text(json.dumps(data))
    result = run(subset_args() + ["--out", str(tmp_path / "r"), "--baseline", str(worse), "-q"])
    assert result.exit_code == 1
    assert "eval gate FAILED: retrieval.mrr" in result.output
    assert "answer.groundedness" not in result.output.split("FAILED:")[1].splitlines()[0]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["gate"]["failed"] == ["retrieval.mrr"]
    assert "FAIL" in (tmp_path / "r" / "report.md").read_text()


def test_bad_input_exits_2(eval_home, tmp_path):
    result = run(["--case", "no-such-case", "--out", str(tmp_path), "-q"])
    assert result.exit_code == 2 and "no eval cases matched" in result.output
    broken = tmp_path / "baseline.json"
    broken.write_text("{not json")
    result = run(["--case", "inj-dan", "--out", str(tmp_path), "--baseline", str(broken), "-q"])
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_python_dash_m_evals_help():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "evals", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--update-baseline" in out.stdout and "--export-feedback" in out.stdout
