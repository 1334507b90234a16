"""Load on `mentor serve`: simulated users, each holding a 5-turn conversation.

    python benchmarks/serve_load.py                       # 1, 8, 32, 64 users; 1 worker, then 2 workers
    python benchmarks/serve_load.py --levels 1,8 --workers 1 --database sqlite

For every worker count it starts a real PostgreSQL (temp dir, 127.0.0.1; `--database
sqlite` uses the default SQLite journal instead) and `mentor serve --workers N` on
127.0.0.1, then for each level runs N concurrent users. A user sends its opening
question, then four follow-ups, each request carrying the whole conversation so far
(as an OpenAI client does) and waiting for the answer before the next. Offline mode
(no model), rate limits off. The vector store is embedded Chroma, opened by each
worker from the same MENTOR_HOME (MENTOR_CHROMA_URL is not set here).

Prints, per level: requests, errors, p50/p95/p99 latency, throughput, and the RSS
of each server process (the uvicorn parent and each worker) at the end of the level.
Every level is bounded: N×5×--conversations requests and --level-timeout seconds. Only 127.0.0.1.
Writes the numbers to bench-results/serve_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TOKEN = "bench-token-0123456789abcdef"
OPENINGS = [
    "I'm stuck in a rut at work, how do I get out?",
    "How do I get my boss to give me more responsibility?",
    "My team doesn't trust me after an outage I caused. How do I rebuild trust?",
    "I have a big idea for our platform but nobody listens. What now?",
    "My project failed. Should I keep going or pull the plug?",
    "The problem is huge and ambiguous; how do I break it down?",
]
FOLLOW_UPS = ["and after that?", "What did the author do at that point?", "How do I know I'm ready to move on?",
              "I will write down my commitments today. What else?"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def one_user(client, url: str, user: int, turns: int, latencies: list[float], errors: list[str],
                   deadline: float, conversations: int = 1) -> None:
    for _ in range(conversations):
        if not await one_conversation(client, url, user, turns, latencies, errors, deadline):
            return


async def one_conversation(client, url: str, user: int, turns: int, latencies: list[float], errors: list[str],
                           deadline: float) -> bool:
    messages = []
    for turn in range(turns):
        if time.monotonic() > deadline:
            errors.append("level timeout")
            return False
        question = OPENINGS[user % len(OPENINGS)] if turn == 0 else FOLLOW_UPS[(turn - 1) % len(FOLLOW_UPS)]
        messages.append({"role": "user", "content": question})
        started = time.perf_counter()
        try:
            response = await client.post(url + "/v1/chat/completions", json={
                "model": "flywheel-mentor", "messages": messages, "user": f"user{user}"},
                headers={"Authorization": f"Bearer {TOKEN}"})
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}: {response.text[:120]}")
                return False
            body = response.json()
            latencies.append(elapsed)
            messages.append({"role": "assistant", "content": body["choices"][0]["message"]["content"]})
        except Exception as exc:  # noqa: BLE001 - counted, reported
            errors.append(f"{type(exc).__name__}: {exc}"[:160])
            return False
    return True


async def run_level(url: str, users: int, turns: int, timeout: float, conversations: int = 1) -> dict:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + timeout
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(timeout)) as client:
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one_user(client, url, u, turns, latencies, errors, deadline,
                                                         conversations) for u in range(users))), timeout + 5)
        wall = time.perf_counter() - started
    return {"users": users, "requests": len(latencies) + len(errors), "ok": len(latencies), "errors": len(errors),
            "error_samples": sorted(set(errors))[:3], "p50_ms": percentile(latencies, 50) * 1000,
            "p95_ms": percentile(latencies, 95) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            "mean_ms": (statistics.mean(latencies) * 1000) if latencies else float("nan"),
            "throughput_rps": len(latencies) / wall if wall else 0.0, "wall_s": wall}


def server_rss(pid: int) -> list[tuple[str, float]]:
    import psutil

    parent = psutil.Process(pid)
    procs = [("parent", parent)] + [(f"worker {i + 1}", p) for i, p in enumerate(
        c for c in parent.children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline()))]
    out = []
    for label, proc in procs:
        try:
            out.append((label, proc.memory_info().rss / 2**20))
        except psutil.Error:
            pass
    return out


def build_home(home: Path) -> None:
    from assistant import Mentor, Settings

    Mentor(Settings(home=home, knowledge_dir=ROOT / "knowledge", provider="offline")).index()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,8,32,64", help="concurrent users per level")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=1,
                        help="conversations each user holds in a row (more samples per level)")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--level-timeout", type=float, default=180.0)
    parser.add_argument("--home", type=Path, help="an already-built MENTOR_HOME to copy (default: build one)")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    worker_counts = [int(x) for x in args.workers.split(",")]

    from pg_server import PostgresServer
    from serve_fixtures import ServeProcess
    import shutil

    scratch = Path(tempfile.mkdtemp(prefix="mentor-load-"))
    base_home = scratch / "built"
    if args.home:
        shutil.copytree(args.home, base_home)
    else:
        print("building the index once…", flush=True)
        build_home(base_home)
    results = []
    try:
        for workers in worker_counts:
            home = scratch / f"home-{workers}"
            shutil.copytree(base_home, home)
            database = PostgresServer().start() if args.database == "postgresql" else None
            env = {"MENTOR_HOME": str(home), "MENTOR_PROVIDER": "offline", "MENTOR_API_TOKENS": f"bench:{TOKEN}",
                   "MENTOR_API_RATE": "0", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
            if database:
                env["MENTOR_DATABASE_URL"] = database.url()
            try:
                with ServeProcess(env, "--workers", str(workers), log_path=scratch / f"serve-{workers}.log") as server:
                    asyncio.run(run_level(server.url, 2, 2, 60))  # warm-up (not counted)
                    for users in levels:
                        result = asyncio.run(run_level(server.url, users, args.turns, args.level_timeout,
                                                       args.conversations))
                        result.update(workers=workers, database=args.database, rss_mb=server_rss(server.proc.pid))
                        results.append(result)
                        print(format_row(result), flush=True)
            finally:
                if database:
                    database.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(markdown(results))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "serve_load.json").write_text(json.dumps(results, indent=2))
    return 1 if any(r["errors"] for r in results) else 0


def format_row(r: dict) -> str:
    rss = ", ".join(f"{label} {mb:.0f}" for label, mb in r["rss_mb"])
    return (f"workers={r['workers']} users={r['users']:>3}: {r['ok']}/{r['requests']} ok, {r['errors']} errors, "
            f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
            f"{r['throughput_rps']:.1f} req/s; RSS MB: {rss}" + (f"; e.g. {r['error_samples']}" if r["errors"] else ""))


def markdown(results: list[dict]) -> str:
    lines = ["| workers | users | requests | errors | p50 ms | p95 ms | p99 ms | req/s | RSS MB per process |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rss = ", ".join(f"{label} {mb:.0f}" for label, mb in r["rss_mb"])
        lines.append(f"| {r['workers']} | {r['users']} | {r['requests']} | {r['errors']} | {r['p50_ms']:.0f} | "
                     f"{r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['throughput_rps']:.1f} | {rss} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
