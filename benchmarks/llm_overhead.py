"""How much time the Mentor's LLM pipeline adds over calling `openai` directly.

Runs a local OpenAI-compatible server (tests/fake_openai.py) with a fixed model
latency (default 200 ms before the first byte) and times, interleaved, N times:

  direct    openai.OpenAI().chat.completions.create(stream=True) with the very
            messages the chain sends (same prompt size), consumed to the end
  chain     LLMAnswerer.stream(request): prompt | ChatOpenAI | StrOutputParser,
            retries wrapper, finish check; retrieval done beforehand
  pipeline  Mentor.stream(question) on a first turn: validate, scope, embed,
            retrieve, diagnose, chain, then verify citations and build the Answer

for time to first token (first text piece) and the full answer. Prints medians,
p90 and the overhead over direct (target: <= 10 % or <= 20 ms).

    python benchmarks/llm_overhead.py [--runs 20] [--latency 0.2] [--home DIR]

The index is built on first use if --home has none (that takes a while once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_openai import FakeOpenAI  # noqa: E402

QUESTION = "I'm stuck in a rut at work, how do I get out?"
REPLY = (
    "**Where you are on the wheel:** you sound like you are at **Deliver Results** [1], the step where the "
    "wheel is restarted by doing what you were asked, on time, again and again.\n\n"
    "**What the flywheel says:** results are deposits into a trust account [2]; the author rebuilt his own "
    "trust after an outage by delivering small things reliably before taking on anything bigger [3]. "
    "Trust is the currency you will spend later on a bigger problem [2].\n\n"
    "**Next action:** pick the one commitment due this week that matters most to your manager and deliver it "
    "a day early.\n\n"
    "**Where I might be wrong:** if you already have a strong track record, the rut may be a sign you are "
    "ready for Ownership and Think Big instead."
)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(start_turn) -> tuple[float, float]:
    """(seconds to the first non-empty piece, seconds to the end), the clock started before the call."""
    start = time.perf_counter()
    first = None
    for piece in start_turn():
        if first is None and piece:
            first = time.perf_counter() - start
    return first if first is not None else float("nan"), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2, help="model latency before the first byte, seconds")
    parser.add_argument("--home", type=Path, default=None, help="MENTOR_HOME with a built index (default: temp)")
    parser.add_argument("--tps", type=float, default=0.0,
                        help="stream at this many chunks per second (default 0: the whole reply in one burst, "
                             "the worst case for per-chunk overhead)")
    args = parser.parse_args()

    import openai

    from assistant import Mentor, Settings
    from assistant.settings import packaged_knowledge_dir
    from assistant.types import AnswerRequest

    home = args.home or Path(tempfile.mkdtemp(prefix="mentor-bench-"))
    server = FakeOpenAI(latency=args.latency, chunk_delay=1 / args.tps if args.tps else 0.0,
                        default_reply=REPLY).start()
    try:
        settings = Settings(home=home, knowledge_dir=packaged_knowledge_dir(), provider="openai",
                            base_url=server.base_url, api_key="sk-bench", timeout=30, max_retries=0)
        mentor = Mentor(settings)
        t0 = time.perf_counter()
        mentor.index()
        print(f"index ready in {time.perf_counter() - t0:.1f}s ({home})", file=sys.stderr)

        # Warm up every path once (imports, connection pools, caches), then capture the chain's prompt.
        mentor.ask(QUESTION)
        messages = server.last.messages
        model = server.last.model
        sources = mentor.retrieve(QUESTION)
        step = mentor.diagnose(QUESTION)
        request = AnswerRequest(QUESTION, QUESTION, sources, step)
        answerer = mentor.answerer
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-bench", max_retries=0, timeout=30)

        def direct():
            stream = client.chat.completions.create(model=model, messages=messages, stream=True)
            for chunk in stream:
                if chunk.choices:
                    yield chunk.choices[0].delta.content or ""

        def chain():
            return answerer.stream(request)

        def pipeline():
            return mentor.stream(QUESTION)

        paths = {"direct openai": direct, "LLM chain (llm.py)": chain, "Mentor.stream (pipeline)": pipeline}
        for fn in paths.values():
            timed(fn)
        results = {name: ([], []) for name in paths}
        before_model = []  # the pipeline's own work before the model call: scope, retrieve, diagnose
        for _ in range(args.runs):
            for name, fn in paths.items():  # interleaved, so machine load hits all paths alike
                first, full = timed(fn)
                results[name][0].append(first)
                results[name][1].append(full)
            start = time.perf_counter()
            if hasattr(mentor, "_prepare"):  # exactly the turn's work before the model call
                mentor._prepare(QUESTION, None)
            else:
                mentor.retrieve(QUESTION), mentor.diagnose(QUESTION)
            before_model.append(time.perf_counter() - start)
    finally:
        server.stop()

    ms = 1000.0
    pacing = f"{args.tps:g} chunks/s" if args.tps else "one burst"
    print(f"\nLLM pipeline overhead — local OpenAI-compatible server, {args.latency * ms:.0f} ms model latency, "
          f"{args.runs} runs each, reply {len(REPLY.split())} words in ~{len(REPLY.split())} chunks ({pacing})\n")
    header = f"{'path':<26} {'TTFT median':>12} {'TTFT p90':>9} {'full median':>12} {'full p90':>9}"
    print(header)
    print("-" * len(header))
    for name, (firsts, fulls) in results.items():
        print(f"{name:<26} {statistics.median(firsts) * ms:>9.1f} ms {pct(firsts, 0.9) * ms:>6.1f} ms "
              f"{statistics.median(fulls) * ms:>9.1f} ms {pct(fulls, 0.9) * ms:>6.1f} ms")
    base_first = statistics.median(results["direct openai"][0])
    base_full = statistics.median(results["direct openai"][1])
    print()
    print(f"{'overhead over direct':<26} {'TTFT':>22} {'full answer':>24}")
    ok = True
    for name in list(paths)[1:]:
        d_first = statistics.median(results[name][0]) - base_first
        d_full = statistics.median(results[name][1]) - base_full
        within = all(d <= 0.020 or d <= 0.10 * base for d, base in ((d_first, base_first), (d_full, base_full)))
        ok = ok and within
        print(f"{name:<26} {d_first * ms:>+9.1f} ms ({d_first / base_first:>+6.1%}) "
              f"{d_full * ms:>+11.1f} ms ({d_full / base_full:>+6.1%})  {'OK' if within else 'OVER TARGET'}")
    print(f"\nthe pipeline's work before the model call (scope, retrieve, diagnose): median {statistics.median(before_model) * ms:.1f} ms, "
          f"p90 {pct(before_model, 0.9) * ms:.1f} ms")
    print("target: overhead <= 10 % or <= 20 ms, for TTFT and for the full answer")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
