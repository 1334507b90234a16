"""Feedback loop: turn thumbs-down answers from the journal into eval cases to review.

The page stores every thumbs rating in the journal (SQLite, `Settings.journal_path`,
i.e. $MENTOR_HOME/journal.sqlite3) through `assistant.journal.Journal`. This module
reads the thumbs-down rows and writes them as eval cases marked `needs_review: true`:
the question is filled in, the expected fields are left for a person to decide.
The loader skips cases that still need review, so an exported file can sit in
evals/datasets/ until someone has labelled it. Exporting again appends only rows
that are not in the file yet.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

HEADER = """\
# Eval cases exported from thumbs-down feedback in the journal ({journal}).
# For each case: decide expected_step (a step value or null), add evidence phrases
# (verbatim from knowledge/*.md), must_mention / must_not_mention and expect_redirect,
# then set needs_review: false (or delete the line). Cases with needs_review: true
# are skipped by the runner. `feedback` records what the mentee saw and said.
"""


def _slug(text: str, words: int = 6) -> str:
    tokens = re.findall(r"[a-z0-9]+", text.lower())[:words]
    return "-".join(tokens) or "question"


def read_thumbs_down(journal_path) -> list[dict]:
    """Thumbs-down rows (rating < 0), oldest first, as plain dicts. `journal_path` is the
    SQLite file or a PostgreSQL URL (MENTOR_DATABASE_URL)."""
    if isinstance(journal_path, str) and "://" in journal_path:
        from assistant.journal import Journal

        rows = [r.to_dict() for r in Journal(journal_path).feedback()]
        return [r for r in rows if r.get("rating", 0) < 0]
    path = Path(journal_path)
    if not path.exists():
        return []
    try:
        from assistant.journal import Journal
    except ImportError:  # pragma: no cover - the page's journal module is part of the package
        Journal = None
    if Journal is not None:
        rows = [r.to_dict() for r in Journal(path).feedback()]
    else:  # pragma: no cover
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.row_factory = sqlite3.Row
            rows = [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY created_at, id")]
    return [r for r in rows if (r.get("rating") if r.get("rating") is not None else r.get("score", 0)) < 0]


def feedback_case(row: dict) -> dict:
    question = (row.get("question") or "").strip()
    created = row.get("created_at")
    answer = " ".join((row.get("answer") or "").split())
    return {
        "id": f"fb-{row.get('id')}-{_slug(question)}",
        "turns": [question],
        "category": "feedback",
        "expected_step": None,
        "evidence": [],
        "must_mention": [],
        "must_not_mention": [],
        "expect_redirect": False,
        "needs_review": True,
        "feedback": {
            "journal_id": row.get("id"),
            "rating": row.get("rating"),
            "comment": row.get("comment"),
            "step_given": row.get("step"),
            "mode": row.get("mode"),
            "source_ids": row.get("source_ids") or [],
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(created)) if created else None,
            "answer": answer[:1200] + ("…" if len(answer) > 1200 else ""),
        },
    }


def export_feedback(journal_path, out_path) -> tuple[int, int, Path]:
    """Append new thumbs-down cases to `out_path`. Returns (new, total thumbs-down, path)."""
    import yaml

    out = Path(out_path)
    rows = [r for r in read_thumbs_down(journal_path) if (r.get("question") or "").strip()]
    existing: list[dict] = []
    if out.exists():
        existing = yaml.safe_load(out.read_text(encoding="utf-8")) or []
        if not isinstance(existing, list):
            from assistant.errors import InputError

            raise InputError(f"{out} exists and is not a list of eval cases; choose another --export-feedback path")
    seen = {(c.get("feedback") or {}).get("journal_id") for c in existing if isinstance(c, dict)}
    new = [feedback_case(r) for r in rows if r.get("id") not in seen]
    if new:
        out.parent.mkdir(parents=True, exist_ok=True)
        body = yaml.safe_dump(existing + new, sort_keys=False, allow_unicode=True, width=110)
        out.write_text(HEADER.format(journal=Path(journal_path).name) + "\n" + body, encoding="utf-8")
    return len(new), len(rows), out
