"""Benchmarks that print numbers (never timed asserts): `mentor bench`.

speed:    warm `ask`/`retrieve` latency (p50/p95), cold `mentor ask` in a new
          process, first index build, re-index with nothing changed.
chunking: retrieval hit@1/hit@4/MRR on the labelled questions for several
          chunk sizes, the measurement behind knowledge.CHUNK_SIZE.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "I'm stuck in a rut, how do I get out?",
    "How can I get my boss to give me more responsibility?",
    "My big bet failed. Should I pull the plug?",
    "I have a big idea but nobody acts on it",
    "What does Frugality mean?",
    "How did the author's first spin begin?",
    "I want to own a bigger problem across teams",
    "Give me a recipe for banana bread",
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _timed(fn, rounds: int) -> tuple[float, float]:
    samples = []
    for i in range(rounds):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def labelled_questions() -> list[dict]:
    import yaml

    path = Path(__file__).resolve().parent.parent / "tests" / "data" / "retrieval_questions.yaml"
    if not path.is_file():  # an installed package ships no tests
        from .errors import InputError

        raise InputError("`mentor bench --only chunking` uses the labelled questions in tests/data/: run it "
                         "from a checkout of flywheel-mentor (pip install -e .)")
    return yaml.safe_load(path.read_text())


def retrieval_scores(mentor, questions: list[dict], k: int = 4) -> dict[str, float]:
    hits1 = hitsk = rr = 0.0
    for q in questions:
        sources = mentor.retrieve(q["question"], k=10)
        ranks = [i for i, s in enumerate(sources, 1) if any(e.lower() in s.text.lower() for e in q["evidence"])]
        first = ranks[0] if ranks else None
        hits1 += first == 1
        hitsk += first is not None and first <= k
        rr += 1.0 / first if first else 0.0
    n = len(questions)
    return {"hit@1": hits1 / n, f"hit@{k}": hitsk / n, "mrr@10": rr / n}


def speed_report(rounds: int = 50) -> None:
    from .mentor import Mentor
    from .settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "MENTOR_HOME": str(home), "MENTOR_PROVIDER": "offline"}
        started = time.perf_counter()
        mentor = Mentor(Settings.from_env(home=home, provider="offline"))
        report = mentor.index()
        first_build = time.perf_counter() - started
        reindex = min(_timed(lambda _: mentor.index(), 5))
        mentor.ask(QUESTIONS[0])  # warm
        ask_p50, ask_p95 = _timed(lambda i: mentor.ask(QUESTIONS[i % len(QUESTIONS)]), rounds)
        ret_p50, ret_p95 = _timed(lambda i: mentor.retrieve(QUESTIONS[i % len(QUESTIONS)]), rounds)
        cold = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "assistant", "ask", "How do I get out of a rut?"],
                env=env, check=True, capture_output=True,
            )
            cold.append(time.perf_counter() - started)
    rows = [
        ("first index build", f"{first_build:.2f} s", "≤ 15 s", f"{report.chunks} chunks"),
        ("re-index, nothing changed", f"{reindex:.0f} ms (p50)", "≤ 1 s", ""),
        ("warm Mentor.ask (offline)", f"p50 {ask_p50:.1f} ms / p95 {ask_p95:.1f} ms", "p50 ≤ 30 ms", f"{rounds} rounds"),
        ("warm Mentor.retrieve", f"p50 {ret_p50:.1f} ms / p95 {ret_p95:.1f} ms", "p50 ≤ 15 ms", f"{rounds} rounds"),
        ("cold `mentor ask` (new process)", f"median {statistics.median(cold):.2f} s", "≤ 3 s",
         "min " + f"{min(cold):.2f} s, 3 runs"),
    ]
    _print_table(("measure", "result", "target", "note"), rows)


def chunking_report(sizes=((300, 50), (500, 80), (700, 100), (1000, 150))) -> None:
    from . import knowledge
    from .mentor import Mentor
    from .settings import Settings

    questions = labelled_questions()
    original = knowledge.CHUNK_SIZE, knowledge.CHUNK_OVERLAP
    rows = []
    try:
        for size, overlap in sizes:
            knowledge.CHUNK_SIZE, knowledge.CHUNK_OVERLAP = size, overlap
            with tempfile.TemporaryDirectory() as tmp:
                mentor = Mentor(Settings.from_env(home=Path(tmp), provider="offline"))
                report = mentor.index()
                scores = retrieval_scores(mentor, questions)
                rows.append((f"{size}/{overlap}", str(report.chunks), *(f"{v:.3f}" for v in scores.values())))
    finally:
        knowledge.CHUNK_SIZE, knowledge.CHUNK_OVERLAP = original
    _print_table(("chunk size/overlap", "chunks", "hit@1", "hit@4", "mrr@10"), rows)
    print(f"({len(questions)} labelled questions in tests/data/retrieval_questions.yaml)")


def _print_table(header, rows) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)))
