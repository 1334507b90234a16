"""Run eval cases through `assistant.Mentor` and score them.

Each case gets a fresh `Session`; earlier turns are asked through it, the last
turn is scored. Retrieval is scored apart from the answer: `mentor.retrieve` on
the standalone question (the rewritten follow-up when the answer has one) with
k = 10, so recall@1..10 come from one ranked list.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from . import scorers as S
from .datasets import STEP_VALUES, Case

K_MAX = 10
ANSWER_K = 4  # the headline retrieval cut-off: what the answer is built from (Settings.k default)

# Headline metrics: every one in [0, 1], higher is better. These are what the baseline gates.
HEADLINE = (
    "retrieval.hit@1",
    "retrieval.hit@4",
    "retrieval.recall@4",
    "retrieval.recall@10",
    "retrieval.mrr",
    "retrieval.ndcg@10",
    "answer.context_hit",
    "step.accuracy",
    "redirect.accuracy",
    "answer.citation_resolution",
    "answer.quote_verbatim",
    "answer.groundedness",
    "answer.must_mention",
    "answer.must_not_mention",
    "answer.shape",
)
JUDGE_METRICS = ("judge.faithfulness", "judge.relevance", "judge.actionable", "judge.on_the_wheel", "judge.kind")
CONFUSION_LABELS = list(STEP_VALUES) + [S.NONE_LABEL]


@dataclass
class SuiteResult:
    cases: list[dict]
    summary: dict
    mode: str
    model: str | None
    seconds: float
    meta: dict = field(default_factory=dict)


def _snippet(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def score_retrieval(case: Case, sources, store_texts: list[str] | None = None) -> dict | None:
    """Retrieval metrics for one case; None when the case has no evidence (redirect cases).
    `store_texts`: every passage in the store, for nDCG's ideal ranking."""
    if not case.evidence:
        return None
    texts = [s.text for s in sources]
    rels = S.relevance(texts, case.evidence)
    n_relevant = S.relevant_count(store_texts, case.evidence) if store_texts is not None else None
    return {
        "rels": rels,
        "hit": {k: S.hit_at_k(rels, k) for k in range(1, K_MAX + 1)},
        "recall": {k: S.recall_at_k(texts, case.evidence, k) for k in range(1, K_MAX + 1)},
        "mrr": S.reciprocal_rank(rels, K_MAX),
        "ndcg@4": S.ndcg_at_k(rels, 4, n_relevant),
        "ndcg@10": S.ndcg_at_k(rels, K_MAX, n_relevant),
        "relevant_in_store": n_relevant,
        "retrieved": [
            {
                "rank": i,
                "id": s.id,
                "kind": s.kind,
                "section": s.section or s.title,
                "relevant": bool(rel),
                "matched": [e for e in case.evidence if S.contains(s.text, e)],
                "snippet": _snippet(s.text),
            }
            for i, (s, rel) in enumerate(zip(sources, rels), 1)
        ],
    }


def score_answer(case: Case, answer) -> dict:
    text = answer.text or ""
    source_texts = [s.text for s in answer.sources]
    redirected = not answer.in_scope
    out: dict = {
        "text": text,
        "mode": answer.mode,
        "model": answer.model,
        "in_scope": answer.in_scope,
        "next_action": answer.next_action,
        "words": S.word_count(text),
        "sources": [{"n": i, "id": s.id, "kind": s.kind, "section": s.section or s.title, "snippet": _snippet(s.text)}
                    for i, s in enumerate(answer.sources, 1)],
        "redirect_correct": S.redirect_correct(case.expect_redirect, answer.in_scope),
        "must_mention": S.must_mention_coverage(text, case.must_mention),
        "must_mention_missing": [p for p in case.must_mention if not S.contains(text, p)],
        "must_not_mention": S.must_not_mention_score(text, case.must_not_mention),
        "violations": S.must_not_mention_violations(text, case.must_not_mention),
        "prompt_leak_runs": S.prompt_leak_runs(text),
    }
    out["redirect_or_safe"] = S.redirect_or_safe(case.expect_redirect, answer.in_scope, out["violations"],
                                                 out["prompt_leak_runs"])
    if case.expect_redirect:
        out["shape"] = S.shape_score(text, answer.next_action, False, S.REDIRECT_MIN_WORDS, S.REDIRECT_MAX_WORDS)
    else:
        out["shape"] = S.shape_score(text, answer.next_action, case.wants_next_action)
    if redirected:
        # Nothing to ground or cite in a redirect; those metrics do not apply.
        out.update(citation_resolution=None, quote_verbatim=None, quotes=[], groundedness=None, sentences=[],
                   context_hit=None)
        return out
    quote_score, quotes = S.quote_verbatim(text, source_texts)
    judged = S.judge_sentences(text, source_texts)
    claims = [j for j in judged if j.kind == "claim"]
    out.update(
        citation_resolution=S.citation_resolution(text, len(source_texts)),
        citations=S.citation_numbers(text),
        quote_verbatim=quote_score,
        quotes=quotes,
        groundedness=(sum(1 for j in claims if j.supported) / len(claims)) if claims else 1.0,
        sentences=[j.to_dict() for j in judged],
        context_hit=S.hit_at_k(S.relevance(source_texts, case.evidence), len(source_texts)) if case.evidence else None,
    )
    return out


def case_score(result: dict) -> float:
    """One number per case for ranking the worst: the mean of every score that applies."""
    parts = []
    r = result.get("retrieval")
    if r:
        parts.append(r["hit"][ANSWER_K])
    parts.append(result["step_correct"])
    a = result["answer"]
    for key in ("redirect_correct", "groundedness", "must_mention", "must_not_mention", "shape", "quote_verbatim",
                "citation_resolution"):
        if a.get(key) is not None:
            parts.append(a[key])
    j = result.get("judge")
    if j and not j.get("error"):
        parts.extend(j["scores"].values())
    return sum(parts) / len(parts)


_STORE_TEXTS: dict = {}


def store_texts(mentor) -> list[str]:
    """Every passage in the Mentor's store (cached until the store changes)."""
    store = mentor.store
    key = (id(store), store.version)
    if key not in _STORE_TEXTS:
        _STORE_TEXTS.clear()
        _STORE_TEXTS[key] = [chunk.text for chunk in store.all_chunks()]
    return _STORE_TEXTS[key]


def run_case(mentor, case: Case, judge=None) -> dict:
    from assistant import Session

    started = time.perf_counter()
    session = Session()
    for turn in case.turns[:-1]:
        mentor.ask(turn, session=session)
    answer = mentor.ask(case.question, session=session)
    answer_seconds = time.perf_counter() - started
    standalone = answer.standalone_question or case.question
    retrieval = (score_retrieval(case, mentor.retrieve(standalone, k=K_MAX), store_texts(mentor))
                 if case.evidence else None)
    predicted = answer.step.value if answer.step is not None else None
    result = {
        "id": case.id,
        "category": case.category,
        "file": case.file,
        "principle": case.principle,
        "turns": case.turns,
        "question": case.question,
        "standalone_question": answer.standalone_question,
        "evidence": case.evidence,
        "expected_step": case.expected_step,
        "predicted_step": predicted,
        "step_correct": S.step_correct(case.expected_step, predicted),
        "expect_redirect": case.expect_redirect,
        "retrieval": retrieval,
        "answer": score_answer(case, answer),
        "seconds": round(answer_seconds, 4),
    }
    if judge is not None and answer.in_scope and not case.expect_redirect:
        result["judge"] = judge.judge_case(case, answer)
    result["score"] = case_score(result)
    return result


# Per-category table column -> the headline metric it shows, computed over that category's cases.
CATEGORY_COLUMNS = {
    "hit@4": "retrieval.hit@4", "recall@4": "retrieval.recall@4", "mrr": "retrieval.mrr",
    "step_acc": "step.accuracy", "redirect_acc": "redirect.accuracy", "grounded": "answer.groundedness",
    "must_mention": "answer.must_mention", "shape": "answer.shape", "redir_or_safe": "answer.redirect_or_safe",
}
CATEGORY_TABLE = ["n", *CATEGORY_COLUMNS, "score"]


def headline_metrics(results: list[dict], avg) -> dict:
    """The headline metrics over a set of case results (the whole suite or one category)."""
    with_retrieval = [r for r in results if r["retrieval"]]
    answered = [r for r in results if r["answer"]["in_scope"]]
    return {
        "retrieval.hit@1": avg(r["retrieval"]["hit"][1] for r in with_retrieval),
        "retrieval.hit@4": avg(r["retrieval"]["hit"][ANSWER_K] for r in with_retrieval),
        "retrieval.recall@4": avg(r["retrieval"]["recall"][ANSWER_K] for r in with_retrieval),
        "retrieval.recall@10": avg(r["retrieval"]["recall"][K_MAX] for r in with_retrieval),
        "retrieval.mrr": avg(r["retrieval"]["mrr"] for r in with_retrieval),
        "retrieval.ndcg@10": avg(r["retrieval"]["ndcg@10"] for r in with_retrieval),
        "answer.context_hit": avg(r["answer"]["context_hit"] for r in answered),
        "step.accuracy": avg(r["step_correct"] for r in results),
        "redirect.accuracy": avg(r["answer"]["redirect_correct"] for r in results),
        "answer.citation_resolution": avg(r["answer"]["citation_resolution"] for r in answered),
        "answer.quote_verbatim": avg(r["answer"]["quote_verbatim"] for r in answered),
        "answer.groundedness": avg(r["answer"]["groundedness"] for r in answered),
        "answer.must_mention": avg(r["answer"]["must_mention"] for r in results),
        "answer.must_not_mention": avg(r["answer"]["must_not_mention"] for r in results),
        "answer.shape": avg(r["answer"]["shape"] for r in results),
        # injection safety (reported per category; not gated): see scorers.redirect_or_safe
        "answer.redirect_or_safe": avg(r["answer"]["redirect_or_safe"] for r in results),
    }


def summarize(results: list[dict]) -> dict:
    """Headline metrics, per-category table, recall curve, confusion matrix, distributions."""

    def avg(values):
        m = S.mean(values)
        return None if m is None else round(m, 4)

    with_retrieval = [r for r in results if r["retrieval"]]
    answered = [r for r in results if r["answer"]["in_scope"]]
    metrics = headline_metrics(results, avg)
    judged = [r for r in results if r.get("judge") and not r["judge"].get("error")]
    if any(r.get("judge") for r in results):
        for name in JUDGE_METRICS:
            key = name.split(".", 1)[1]
            metrics[name] = avg(r["judge"]["scores"][key] for r in judged)
        metrics_extra = {"judge.errors": sum(1 for r in results if r.get("judge", {}).get("error"))}
    else:
        metrics_extra = {}

    recall_curve = {k: avg(r["retrieval"]["recall"][k] for r in with_retrieval) for k in range(1, K_MAX + 1)}
    hit_curve = {k: avg(r["retrieval"]["hit"][k] for r in with_retrieval) for k in range(1, K_MAX + 1)}

    categories = {}
    for cat in sorted({r["category"] for r in results}):
        rows = [r for r in results if r["category"] == cat]
        per_cat = headline_metrics(rows, avg)
        categories[cat] = {"n": len(rows), **{col: per_cat[name] for col, name in CATEGORY_COLUMNS.items()},
                           "score": avg(r["score"] for r in rows)}

    pairs = [(r["expected_step"], r["predicted_step"]) for r in results]
    labels, matrix = S.confusion_matrix(pairs, CONFUSION_LABELS)
    used = [i for i, label in enumerate(labels) if any(matrix[i]) or any(row[i] for row in matrix)]
    return {
        "n_cases": len(results),
        "n_retrieval": len(with_retrieval),
        "n_answered": len(answered),
        "metrics": metrics,
        "extra": {
            **metrics_extra,
            "latency_mean_s": avg(r["seconds"] for r in results),
            "latency_max_s": max((r["seconds"] for r in results), default=None),
        },
        "recall_at_k": recall_curve,
        "hit_at_k": hit_curve,
        "categories": categories,
        "confusion": {"labels": [labels[i] for i in used], "matrix": [[matrix[i][j] for j in used] for i in used]},
        "distributions": {
            "groundedness": [r["answer"]["groundedness"] for r in answered],
            "mrr": [r["retrieval"]["mrr"] for r in with_retrieval],
            "case_score": [r["score"] for r in results],
            "words": [r["answer"]["words"] for r in results],
        },
    }


def run_suite(mentor, cases: list[Case], *, judge=None, progress: bool = True, desc: str = "eval") -> SuiteResult:
    from tqdm import tqdm

    started = time.perf_counter()
    index_report = mentor.index()  # idempotent: brings the store up to date with knowledge/ before scoring
    index_seconds = time.perf_counter() - started
    results = []
    bar = tqdm(cases, desc=desc, unit="case", file=sys.stderr, disable=not progress, dynamic_ncols=True)
    for case in bar:
        bar.set_postfix_str(case.id, refresh=False)
        results.append(run_case(mentor, case, judge=judge))
    summary = summarize(results)
    summary["extra"]["index_seconds"] = round(index_seconds, 2)
    summary["extra"]["cases_seconds"] = round(time.perf_counter() - started - index_seconds, 2)
    return SuiteResult(
        cases=results,
        summary=summary,
        mode=mentor.mode,
        model=mentor.model_name,
        seconds=round(time.perf_counter() - started, 2),
        meta={"index": str(index_report)},
    )


def aggregate_repeats(summaries: list[dict]) -> dict:
    """Mean ± sd of every metric across repeated runs (LLM mode)."""
    names = sorted({name for s in summaries for name in s["metrics"]})
    out = {}
    for name in names:
        d = S.distribution(s["metrics"].get(name) for s in summaries)
        out[name] = {"mean": None if d["mean"] is None else round(d["mean"], 4),
                     "sd": None if d["sd"] is None else round(d["sd"], 4), "n": d["n"]}
    return out
