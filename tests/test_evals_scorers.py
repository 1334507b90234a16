"""Eval scorers against hand-computed values (pure functions, no store, no model)."""

from __future__ import annotations

import math

import pytest

from assistant import Step
from evals import scorers as S
from evals.baseline import compare, describe_failures, updated_baseline

# --------------------------------------------------------------------------- retrieval


def test_relevance_is_case_quote_and_whitespace_insensitive():
    passages = ["a Track   record matters b", "nothing here", "I’m stuck in a RUT"]
    assert S.relevance(passages, ["track record matters"]) == [1, 0, 0]
    assert S.relevance(passages, ["i'm stuck in a rut", "zzz"]) == [0, 0, 1]
    assert S.relevance(passages, []) == [0, 0, 0]


def test_hit_at_k():
    rels = [0, 0, 1, 0]
    assert S.hit_at_k(rels, 1) == 0.0
    assert S.hit_at_k(rels, 2) == 0.0
    assert S.hit_at_k(rels, 3) == 1.0
    assert S.hit_at_k(rels, 10) == 1.0
    assert S.hit_at_k([], 4) == 0.0


def test_recall_at_k_is_share_of_evidence_phrases_in_top_k():
    passages = ["alpha beta", "gamma", "delta alpha"]
    evidence = ["alpha", "gamma", "zeta"]
    assert S.recall_at_k(passages, evidence, 1) == pytest.approx(1 / 3)
    assert S.recall_at_k(passages, evidence, 2) == pytest.approx(2 / 3)
    assert S.recall_at_k(passages, evidence, 3) == pytest.approx(2 / 3)  # zeta is never retrieved
    assert S.recall_at_k(passages, ["gamma"], 1) == 0.0
    assert S.recall_at_k(passages, ["gamma"], 2) == 1.0  # one phrase: recall == hit
    assert S.recall_at_k(passages, [], 3) == 0.0


def test_reciprocal_rank():
    assert S.reciprocal_rank([0, 0, 1, 1]) == pytest.approx(1 / 3)
    assert S.reciprocal_rank([1, 0]) == 1.0
    assert S.reciprocal_rank([0, 0, 0]) == 0.0
    assert S.reciprocal_rank([0, 0, 1], k=2) == 0.0


def test_ndcg_hand_computed():
    # DCG = 1/log2(3) + 1/log2(5) = 0.630930 + 0.430677 = 1.061606; IDCG = 1 + 0.630930 = 1.630930
    assert S.ndcg_at_k([0, 1, 0, 1], 4) == pytest.approx(1.061606 / 1.630930, abs=1e-5)  # 0.650920
    # @2: DCG = 0.630930; the ideal ranking puts both relevant passages (one is below k) first
    assert S.ndcg_at_k([0, 1, 0, 1], 2) == pytest.approx(0.630930 / 1.630930, abs=1e-5)  # 0.386853
    assert S.ndcg_at_k([1, 0, 0], 3) == 1.0
    assert S.ndcg_at_k([0, 0, 0], 3) == 0.0
    assert S.ndcg_at_k([0, 0, 1], 2) == 0.0  # relevant, but below the cut-off


@pytest.mark.parametrize("rels", [[1, 1, 0, 1, 0], [0, 0, 0, 0, 1], [1] * 10, [0] * 10])
def test_retrieval_scores_stay_in_unit_interval(rels):
    for k in (1, 4, 10):
        for value in (S.hit_at_k(rels, k), S.reciprocal_rank(rels, k), S.ndcg_at_k(rels, k)):
            assert 0.0 <= value <= 1.0


# --------------------------------------------------------------------------- steps


PAIRS = [
    (Step.DELIVER_RESULTS, "deliver_results"),  # enum and value compare equal
    ("earn_trust", None),
    (None, None),
    (None, Step.EARN_TRUST),
]


def test_step_accuracy():
    assert S.step_accuracy(PAIRS) == 0.5
    assert S.step_accuracy([]) == 0.0
    assert S.step_correct(None, None) == 1.0


def test_confusion_matrix_rows_expected_columns_predicted():
    labels, matrix = S.confusion_matrix(PAIRS, ["deliver_results", "earn_trust", "none"])
    assert labels == ["deliver_results", "earn_trust", "none"]
    assert matrix == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]
    labels, _ = S.confusion_matrix(PAIRS)  # labels inferred, "none" last
    assert labels == ["deliver_results", "earn_trust", "none"]


# --------------------------------------------------------------------------- citations


def test_citation_resolution():
    assert S.citation_resolution("a [1] b [2] c [5]", 2) == pytest.approx(2 / 3)
    assert S.citation_resolution("nothing cited", 0) == 1.0
    assert S.citation_resolution("bad [0]", 3) == 0.0
    assert S.citation_numbers("x [1][2] y [10]") == [1, 2, 10]


SOURCES = ["Do it consistently. Show others they can depend on you.", "Track record matters."]


def test_quote_verbatim_checks_each_quote_against_the_source_it_cites():
    text = ("\u201cDo it consistently.\u201d [1] and \"Track record   matters\" [2] "
            "and \u201cmade up words here\u201d [1] and \u201cTrack record matters\u201d [1]")
    score, details = S.quote_verbatim(text, SOURCES)
    assert [d["verified"] for d in details] == [True, True, False, False]  # last one cites the wrong source
    assert score == 0.5


def test_quote_verbatim_edge_cases():
    assert S.quote_verbatim("no quotes [1]", SOURCES) == (1.0, [])
    assert S.quote_verbatim("\u201cTrack record matters\u201d [3]", SOURCES)[0] == 0.0  # cites a missing source
    assert S.quote_verbatim("\u201cTrack record matters\u201d [1][2]", SOURCES)[0] == 1.0  # any cited source
    # an ellipsis splits the quote into fragments that must appear in order
    assert S.quote_in_source("Do it \u2026 depend on you", SOURCES[0])
    assert not S.quote_in_source("depend on you ... Do it", SOURCES[0])
    # the quote rule folds case (tests/data/quote_rule_cases.yaml), curly apostrophes match straight ones
    assert S.quote_in_source("do it consistently", SOURCES[0])
    assert not S.quote_in_source("do it reliably", SOURCES[0])
    assert S.quote_in_source("I\u2019m stuck", "I'm stuck in a rut")


# --------------------------------------------------------------------------- groundedness

ANSWER = """## Where you are
You are probably at the Deliver Results step of the flywheel.

The article says: \u201cDo what you are asked, by the date that you\u2019re asked to do it by.\u201d [1]

Consistent delivery builds a track record that others depend on [2].

Does that match how you feel?

**Your next action:** Write down every commitment you have and share it with your manager."""
GROUND_SOURCES = [
    "Do what you are asked, by the date that you’re asked to do it by. Do it consistently.",
    "Show others they can depend on you. Track record matters.",
]


def test_groundedness_hand_computed():
    judged = S.judge_sentences(ANSWER, GROUND_SOURCES)
    claims = [j for j in judged if j.kind == "claim"]
    assert [j.text[:20] for j in claims] == ["You are probably at ", "The article says: \u201cD", "Consistent delivery "]
    # 1) no citation -> unsupported
    assert claims[0].supported is False
    # 2) attribution lead-in dropped; quote tokens (asked, date, you're, asked) all in [1]
    assert claims[1].overlap == pytest.approx(1.0) and claims[1].supported
    # 3) tokens consistent, delivery, builds, track, record, others, depend: 4 of 7 in [2] = 0.571
    assert claims[2].overlap == pytest.approx(4 / 7) and claims[2].supported
    assert S.groundedness(ANSWER, GROUND_SOURCES) == pytest.approx(2 / 3)
    assert S.groundedness(ANSWER, GROUND_SOURCES, threshold=0.6) == pytest.approx(1 / 3)


def test_groundedness_structural_sentences_are_excluded():
    judged = S.judge_sentences(ANSWER, GROUND_SOURCES)
    structural = [j.text for j in judged if j.kind == "structural"]
    assert "Where you are" in structural[0]  # heading
    assert "Does that match how you feel?" in structural  # question back to the mentee
    assert any(t.startswith("**Your next action:**") for t in structural)
    assert S.groundedness("Short one. Tiny.", []) == 1.0  # nothing claim-like at all
    assert S.groundedness("Consistent delivery builds a record others depend on [7].", GROUND_SOURCES) == 0.0


def test_sentence_split_keeps_quotes_whole_and_splits_after_citations():
    text = "Intro: \u201cOne. Two sentences inside.\u201d [1] Next sentence here [2]. Last one?"
    assert [s for s, _ in S.split_sentences(text)] == [
        "Intro: \u201cOne. Two sentences inside.\u201d [1]", "Next sentence here [2].", "Last one?"]


# --------------------------------------------------------------------------- answer content


def test_redirect_correct():
    assert S.redirect_correct(True, in_scope=False) == 1.0
    assert S.redirect_correct(True, in_scope=True) == 0.0
    assert S.redirect_correct(False, in_scope=False) == 0.0
    assert S.redirect_correct(False, in_scope=True) == 1.0


def test_must_mention_and_must_not_mention():
    text = "You are at Deliver Results. BANANA split."
    assert S.must_mention_coverage(text, ["deliver results", "earn trust"]) == 0.5
    assert S.must_mention_coverage(text, []) == 1.0
    assert S.must_not_mention_violations(text, ["banana", "hacked"]) == ["banana"]
    assert S.must_not_mention_score(text, ["banana", "hacked"]) == 0.5
    assert S.must_not_mention_score(text, []) == 1.0


def test_shape():
    thirty = " ".join(["word"] * 30)
    assert S.shape_score(thirty, None, require_next_action=True) == 0.5
    assert S.shape_score(thirty, "Do the thing", require_next_action=True) == 1.0
    assert S.shape_score(thirty, None, require_next_action=False) == 1.0
    assert S.shape_score("too short", "act", require_next_action=True) == 0.5
    assert S.shape_score(" ".join(["w"] * 400), None, require_next_action=False) == 0.0
    assert S.shape_score("Sorry, I only help with careers here.", None, False, S.REDIRECT_MIN_WORDS,
                         S.REDIRECT_MAX_WORDS) == 1.0


def test_distribution_mean_and_sample_sd():
    d = S.distribution([1.0, 0.0, None])
    assert d["n"] == 2 and d["mean"] == 0.5 and d["sd"] == pytest.approx(math.sqrt(0.5))
    assert S.distribution([])["mean"] is None
    assert S.distribution([0.7])["sd"] == 0.0


# --------------------------------------------------------------------------- baseline gate (pure)

BASELINE = {"metrics": {"a": {"value": 0.82, "tolerance": 0.03}, "b": {"value": 0.6, "tolerance": 0.05},
                        "c": {"value": 0.1, "tolerance": 0.0}, "d": {"value": 0.5, "tolerance": 0.1}}}


def test_gate_fails_on_drop_beyond_tolerance_and_on_missing_metric():
    gate = compare({"a": 0.8, "b": 0.5, "d": 0.4}, BASELINE)
    assert gate["status"] == "fail"
    assert gate["failed"] == ["b", "c"]  # a: 0.80 >= 0.79 ok; d: exactly value - tolerance is ok
    statuses = {c["metric"]: c["status"] for c in gate["checks"]}
    assert statuses == {"a": "ok", "b": "dropped", "c": "missing", "d": "ok"}
    lines = describe_failures(gate)
    assert lines[0].startswith("b: 0.500 < baseline 0.600") and "missing" in lines[1]


def test_gate_passes_and_marks_improvements():
    gate = compare({"a": 0.95, "b": 0.6, "c": 0.1, "d": 0.45}, BASELINE)
    assert gate["status"] == "pass" and gate["failed"] == []
    assert {c["metric"]: c["status"] for c in gate["checks"]}["a"] == "improved"
    assert compare({"a": 0.1}, None)["status"] == "no-baseline"


def test_updated_baseline_keeps_tolerances_and_adds_defaults():
    data = updated_baseline({"a": 0.9, "new": 0.5, "gone": None}, BASELINE, names=["a", "new", "gone"], n_cases=3)
    assert data["metrics"]["a"] == {"value": 0.9, "tolerance": 0.03}
    assert data["metrics"]["new"]["value"] == 0.5 and data["metrics"]["new"]["tolerance"] > 0
    assert "gone" not in data["metrics"] and data["n_cases"] == 3
