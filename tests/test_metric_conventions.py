"""Metrics that agree with the field's tools, and one quote rule for the product and the eval.

* hit@k, MRR and nDCG@k from evals/scorers.py equal ir-measures' (trec_eval underneath)
  Success@k, RR@k and nDCG@k on a small fixed run whose qrels include relevant documents
  the run never retrieved (nDCG's ideal ranking comes from all of them).
* The runtime quote check (assistant/citations.py) and the eval's (evals/scorers.py) are
  separate code and must both pass every case in tests/data/quote_rule_cases.yaml.
"""

from __future__ import annotations

import pytest
import yaml

from assistant.citations import quote_found, verify_citations
from assistant.types import Source
from conftest import DATA
from evals import scorers as S
from evals.runner import score_retrieval, store_texts

# --- the field's tools ---------------------------------------------------------------------
# Three queries; qrels list every relevant document, retrieved or not.
QRELS = {
    "q1": {"d1": 1, "d4": 1, "d9": 1},  # d9 is relevant but never retrieved
    "q2": {"d7": 1},
    "q3": {"d2": 1, "d3": 1},  # nothing relevant retrieved
}
RUN = {
    "q1": ["d2", "d1", "d3", "d4", "d5", "d6"],
    "q2": ["d5", "d6", "d8", "d7"],
    "q3": ["d5", "d6", "d8"],
}


def _ours(qid: str, k: int) -> dict[str, float]:
    rels = [QRELS[qid].get(doc, 0) for doc in RUN[qid]]
    n_relevant = sum(QRELS[qid].values())
    return {f"Success@{k}": S.hit_at_k(rels, k), f"RR@{k}": S.reciprocal_rank(rels, k),
            f"nDCG@{k}": S.ndcg_at_k(rels, k, n_relevant)}


@pytest.mark.parametrize("k", [1, 3, 10])
def test_hit_mrr_and_ndcg_match_ir_measures(k):
    import ir_measures
    from ir_measures import RR, ScoredDoc, Qrel, Success, nDCG

    qrels = [Qrel(q, d, rel) for q, docs in QRELS.items() for d, rel in docs.items()]
    run = [ScoredDoc(q, d, float(len(docs) - i)) for q, docs in RUN.items() for i, d in enumerate(docs)]
    theirs = {(m.query_id, str(m.measure)): m.value for m in ir_measures.iter_calc([Success @ k, RR @ k, nDCG @ k], qrels, run)}
    for qid in RUN:
        for name, value in _ours(qid, k).items():
            assert value == pytest.approx(theirs[(qid, name)], abs=1e-9), (qid, name)


def test_ndcg_ideal_counts_relevant_passages_never_retrieved():
    rels = [1, 0, 0]
    assert S.ndcg_at_k(rels, 10) == 1.0  # only the retrieved list known: looks perfect
    assert S.ndcg_at_k(rels, 10, n_relevant=3) == pytest.approx(1 / (1 + 1 / 1.584963 + 1 / 2))  # two missed


def test_eval_retrieval_scores_use_every_relevant_chunk_in_the_store(shared_mentor):
    from evals.datasets import Case

    case = Case(id="t", turns=["What does Frugality mean?"], category="principle", expected_step=None,
                evidence=["Do more with less"], file="t.yaml")
    everything = store_texts(shared_mentor)
    in_store = S.relevant_count(everything, case.evidence)
    sources = shared_mentor.retrieve(case.question, k=10)
    scored = score_retrieval(case, sources, everything)
    assert scored["relevant_in_store"] == in_store >= sum(scored["rels"])
    assert scored["ndcg@10"] == pytest.approx(S.ndcg_at_k(scored["rels"], 10, in_store))
    assert len(everything) == shared_mentor.store.count()


# --- one quote rule, two implementations ----------------------------------------------------
RULE = yaml.safe_load((DATA / "quote_rule_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", RULE["cases"], ids=[c["name"] for c in RULE["cases"]])
@pytest.mark.parametrize("check", [quote_found, S.quote_in_source], ids=["runtime", "eval"])
def test_quote_rule_cases(check, case):
    assert check(case["quote"], RULE["source"]) is case["found"]


def test_runtime_and_eval_agree_on_a_whole_answer():
    source = Source(id="a", title="T", kind="article", text=RULE["source"], score=1.0)
    answer = ("The article says “results are deposits into a trust account” [1], and “Deliver Results … "
              "a trust account” [1], but not “trust works like money” [1].")
    _, citations = verify_citations(answer, [source])
    assert citations[0].verified is False and citations[0].quote == "trust works like money"
    score, details = S.quote_verbatim(answer, [RULE["source"]])
    assert [d["verified"] for d in details] == [True, True, False] and score == pytest.approx(2 / 3)
