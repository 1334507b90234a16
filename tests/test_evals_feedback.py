"""Feedback loop: thumbs-down answers in the journal become eval cases to review."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from assistant import Settings
from assistant.journal import Journal
from evals.cli import eval_command
from evals.datasets import load_cases
from evals.feedback import export_feedback


def _journal(path) -> Journal:
    journal = Journal(path)
    journal.record_feedback(question="How do I get out of a rut?", answer="Deliver Results [1].", rating=1,
                            step="deliver_results", source_ids=["a"], mode="offline")
    journal.record_feedback(question="My boss ignores my ideas, what now?", answer="You are at Earn Trust [1].",
                            rating=-1, step="earn_trust", source_ids=["b", "c"], comment="wrong step, it's bias for action",
                            mode="offline")
    journal.record_feedback(question="Should I pull the plug on my project?", answer="That's outside what I can help with.",
                            rating=-1, mode="llm")
    return journal


def test_export_writes_thumbs_down_cases_for_review(tmp_path):
    journal = _journal(tmp_path / "journal.sqlite3")
    out = tmp_path / "datasets" / "feedback.yaml"
    new, total, path = export_feedback(journal.path, out)
    assert (new, total, path) == (2, 2, out)
    text = out.read_text()
    assert text.startswith("# Eval cases exported from thumbs-down feedback")
    cases = yaml.safe_load(text)
    assert [c["turns"] for c in cases] == [["My boss ignores my ideas, what now?"],
                                           ["Should I pull the plug on my project?"]]
    first = cases[0]
    assert first["needs_review"] is True and first["category"] == "feedback"
    assert first["expected_step"] is None and first["evidence"] == [] and first["expect_redirect"] is False
    assert first["feedback"]["comment"] == "wrong step, it's bias for action"
    assert first["feedback"]["step_given"] == "earn_trust" and first["feedback"]["source_ids"] == ["b", "c"]
    assert first["id"].startswith("fb-") and "boss-ignores" in first["id"]

    # unreviewed cases load as valid cases but are skipped by default
    assert load_cases([out]) == []
    assert len(load_cases([out], include_unreviewed=True)) == 2

    # exporting again adds only new rows
    assert export_feedback(journal.path, out)[0] == 0
    journal.record_feedback(question="I feel invisible at work", answer="...", rating=-1)
    assert export_feedback(journal.path, out)[:2] == (1, 3)
    assert len(yaml.safe_load(out.read_text())) == 3


def test_cli_export_reads_the_journal_under_mentor_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTOR_HOME", str(tmp_path / "home"))
    out = tmp_path / "review.yaml"
    result = CliRunner().invoke(eval_command, ["--export-feedback", str(out)])
    assert result.exit_code == 0 and "no journal at" in result.output and not out.exists()

    journal_path = Settings.from_env().journal_path
    journal_path.parent.mkdir(parents=True)
    _journal(journal_path)
    result = CliRunner().invoke(eval_command, ["--export-feedback", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 2 new thumbs-down case(s)" in result.output
    assert len(yaml.safe_load(out.read_text())) == 2
    result = CliRunner().invoke(eval_command, ["--export-feedback", str(out)])
    assert "no new thumbs-down feedback" in result.output


def test_export_reads_feedback_from_postgresql(postgres_url, tmp_path):
    """With MENTOR_DATABASE_URL the page's feedback is in PostgreSQL: the export reads it there."""
    _journal(postgres_url)
    new, total, _ = export_feedback(postgres_url, tmp_path / "feedback.yaml")
    assert (new, total) == (2, 2)
