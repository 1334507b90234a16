"""Concurrent page sessions: N Chromium contexts on one `streamlit run app.py`.

    python benchmarks/page_load.py --home DIR              # 1, 4, 8 contexts (an already-built MENTOR_HOME)
    python benchmarks/page_load.py --levels 1,4 --questions 3

Each context is a separate browser session (its own cookies and Streamlit session)
asking --questions questions one after another; all contexts start together. It
prints, per level: answers, errors (timeouts or exception boxes), p50/p95/p99 of the
time from pressing Enter to the answer's feedback widget on screen, and the RSS of the
Streamlit server and of all Chromium processes. Bounded: N×questions answers and
--level-timeout seconds per level; only 127.0.0.1. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from serve_load import OPENINGS, percentile  # noqa: E402


async def one_session(browser, url: str, n: int, questions: int, latencies: list, errors: list, deadline: float):
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="domcontentloaded")
        box = page.get_by_test_id("stChatInputTextArea")
        await box.wait_for(timeout=max(1.0, deadline - time.monotonic()) * 1000)
        messages = page.get_by_test_id("stChatMessage")
        for q in range(questions):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                errors.append("level timeout")
                return
            asked = time.perf_counter()
            await box.fill(OPENINGS[(n + q) % len(OPENINGS)])
            await box.press("Enter")
            await messages.nth(2 * q + 1).get_by_test_id("stFeedback").wait_for(timeout=remaining * 1000)
            latencies.append(time.perf_counter() - asked)
        if await page.get_by_test_id("stException").count():
            errors.append("exception box on the page")
    except Exception as exc:  # noqa: BLE001 - counted, reported
        errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
    finally:
        await context.close()


async def run_level(url: str, contexts: int, questions: int, timeout: float, chromium: str, args: list[str]) -> dict:
    from playwright.async_api import async_playwright

    latencies: list[float] = []
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, headless=True, args=args)
        try:
            started = time.perf_counter()
            deadline = time.monotonic() + timeout
            await asyncio.gather(*(one_session(browser, url, n, questions, latencies, errors, deadline)
                                   for n in range(contexts)))
            wall = time.perf_counter() - started
            chromium_rss = chromium_total_rss()
        finally:
            await browser.close()
    return {"contexts": contexts, "answers": len(latencies), "errors": len(errors),
            "error_samples": sorted(set(errors))[:3], "p50_s": percentile(latencies, 50),
            "p95_s": percentile(latencies, 95), "p99_s": percentile(latencies, 99), "wall_s": wall,
            "chromium_rss_mb": chromium_rss}


def chromium_total_rss() -> float:
    """RSS of the Chromium processes this benchmark started (descendants of this process only)."""
    import os

    import psutil

    total = 0
    for proc in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def main(argv: list[str] | None = None) -> int:
    from page_server import CHROMIUM, CHROMIUM_ARGS, PageServer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="an already-built MENTOR_HOME (default: build one first)")
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--level-timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"skip: {CHROMIUM} not found; apt-get install -y chromium", file=sys.stderr)
        return 2
    import psutil

    home = args.home
    if home is None:
        from serve_load import build_home

        home = Path(tempfile.mkdtemp(prefix="mentor-page-load-")) / "home"
        build_home(home)
    results = []
    with PageServer({"MENTOR_HOME": str(home)}, log_path=Path(tempfile.gettempdir()) / "page_load.log") as server:
        for contexts in [int(x) for x in args.levels.split(",")]:
            result = asyncio.run(run_level(server.url, contexts, args.questions, args.level_timeout, CHROMIUM,
                                           CHROMIUM_ARGS))
            result["streamlit_rss_mb"] = psutil.Process(server.proc.pid).memory_info().rss / 2**20
            results.append(result)
            print(f"contexts={contexts}: {result['answers']} answers, {result['errors']} errors, "
                  f"p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s, p99 {result['p99_s']:.2f} s; "
                  f"streamlit {result['streamlit_rss_mb']:.0f} MB, chromium {result['chromium_rss_mb']:.0f} MB"
                  + (f"; e.g. {result['error_samples']}" if result["errors"] else ""), flush=True)
    print()
    print("| contexts | answers | errors | p50 s | p95 s | p99 s | streamlit RSS MB | chromium RSS MB (all) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['contexts']} | {r['answers']} | {r['errors']} | {r['p50_s']:.2f} | {r['p95_s']:.2f} | "
              f"{r['p99_s']:.2f} | {r['streamlit_rss_mb']:.0f} | {r['chromium_rss_mb']:.0f} |")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "page_load.json").write_text(json.dumps(results, indent=2))
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
