"""The eval datasets: shape, coverage, and labels that match the knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evals.datasets import STEP_VALUES, DatasetError, load_cases, validate_cases
from evals.scorers import contains, normalize

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SIXTEEN = {
    "Customer Obsession", "Ownership", "Invent and Simplify", "Are Right a Lot", "Learn and Be Curious",
    "Hire and Develop the Best", "Insist on the Highest Standards", "Think Big", "Bias for Action", "Frugality",
    "Earn Trust", "Dive Deep", "Have Backbone; Disagree and Commit", "Deliver Results",
    "Strive to be Earth's Best Employer", "Success and Scale Bring Broad Responsibility",
}


@pytest.fixture(scope="module")
def cases():
    return load_cases()


def test_at_least_sixty_cases_with_unique_ids(cases):
    assert len(cases) >= 60
    assert len({c.id for c in cases}) == len(cases)


def test_coverage(cases):
    categories = {c.category for c in cases}
    assert {"step", "spin", "principle", "out_of_scope", "injection", "multi_turn"} <= categories
    assert {c.expected_step for c in cases} >= set(STEP_VALUES)  # every step (and the accelerant)
    assert {c.principle for c in cases if c.principle} == SIXTEEN
    spins = " ".join(c.id for c in cases if c.category == "spin")
    assert all(f"spin{n}" in spins for n in range(1, 6))
    assert sum(len(c.turns) > 1 for c in cases) >= 5
    assert sum(c.expect_redirect for c in cases) >= 10


def test_evidence_phrases_are_verbatim_in_the_knowledge_base(cases):
    assert validate_cases(cases, KNOWLEDGE) == []
    for c in cases:
        assert bool(c.evidence) != c.expect_redirect, c.id  # retrieval is labelled exactly for answerable cases


def test_every_evidence_phrase_survives_chunking(cases):
    """A phrase split across two chunks could never be retrieved: check against the real chunker."""
    from assistant.knowledge import chunk_knowledge, load_knowledge

    chunks = [c.text for c in chunk_knowledge(load_knowledge(KNOWLEDGE))]
    missing = [(c.id, e) for c in cases for e in c.evidence if not any(contains(t, e) for t in chunks)]
    assert missing == []


def test_cases_are_new_not_copied_from_the_core_unit_test_sets(cases):
    core = set()
    for name in ("retrieval_questions.yaml", "diagnosis_situations.yaml"):
        path = ROOT / "tests" / "data" / name
        if path.exists():
            for item in yaml.safe_load(path.read_text()) or []:
                core.add(normalize(item.get("question") or item.get("message") or ""))
    assert not [c.id for c in cases for t in c.turns if normalize(t) in core]


def test_loader_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  turns: ['hi']\n  category: step\n  expected_step: nowhere\n  evidence: []\n"
                   "  must_mention: []\n  must_not_mention: []\n  expect_redirect: false\n")
    with pytest.raises(DatasetError, match="expected_step 'nowhere'"):
        load_cases([bad])
    bad.write_text("- id: x\n  turns: ['hi']\n")
    with pytest.raises(DatasetError, match="missing field"):
        load_cases([bad])
