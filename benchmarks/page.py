"""Benchmark the Streamlit page in a real browser.

    python benchmarks/page.py                 # cold: fresh MENTOR_HOME, index built on first start
    python benchmarks/page.py --home DIR      # warm: reuse an already-built MENTOR_HOME

Prints
* time from `streamlit run` to: the server answering, the page ready (chat box
  shown), and the first answer on screen (its "Next action" line rendered);
* the seconds each of ten questions takes to appear on screen;
* the page server's memory (RSS) after start, after the first answer and after
  ten questions.

Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`) and
the `playwright` Python package; it never runs `playwright install`. Runs offline
unless you set OPENAI_* yourself.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUESTIONS = [
    "I'm stuck in a rut at work, how do I get out?",
    "How do I get my boss to give me more responsibility?",
    "I keep missing deadlines and my manager is frustrated. What should I do?",
    "My team doesn't trust me after an outage I caused. How do I rebuild trust?",
    "I have a big idea for our platform but nobody listens. What now?",
    "I found a problem everyone complains about. How do I own it?",
    "The problem is huge and ambiguous; how do I break it down?",
    "We designed a solution months ago but nothing has shipped. How do I get moving?",
    "My project failed. Should I keep going or pull the plug?",
    "How does customer obsession fit into growing my career?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"streamlit did not answer within {timeout:.0f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="an existing MENTOR_HOME (default: a fresh temp dir, cold start)")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the first answer")
    args = parser.parse_args(argv)

    if not Path(CHROMIUM).exists():
        print(f"skip: {CHROMIUM} not found; install it with `apt-get install -y chromium`", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    tmp = tempfile.TemporaryDirectory(prefix="mentor-page-bench-")
    home = args.home or Path(tmp.name) / "home"
    warm = (Path(home) / "chroma").exists()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MENTOR_HOME": str(home)}
    questions = (QUESTIONS * ((args.questions // len(QUESTIONS)) + 1))[: args.questions]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        log = open(Path(tmp.name) / "streamlit.log", "wb")
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(url, proc, 120)
            t_server = time.perf_counter() - t0
            rss_start = rss_mb(proc.pid)
            page.goto(url, wait_until="domcontentloaded")
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=args.timeout * 1000)
            t_ready = time.perf_counter() - t0
            messages = page.get_by_test_id("stChatMessage")
            latencies = []
            t_first = None
            for n, question in enumerate(questions):
                asked = time.perf_counter()
                box.fill(question)
                box.press("Enter")
                answer = messages.nth(2 * n + 1)
                answer.get_by_test_id("stFeedback").wait_for(timeout=args.timeout * 1000)  # drawn after the answer
                done = time.perf_counter()
                latencies.append(done - asked)
                if t_first is None:
                    t_first = done - t0
                    rss_first = rss_mb(proc.pid)
            rss_end = rss_mb(proc.pid)
            errors = page.get_by_test_id("stException").count()
        finally:
            browser.close()
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()

    start = "warm (index already built)" if warm else "cold (fresh MENTOR_HOME: index built on first start)"
    print(f"page benchmark — {start}, mode from env: {os.environ.get('MENTOR_PROVIDER', 'auto')}")
    print(f"  streamlit run -> server healthy      {t_server:7.2f} s")
    print(f"  streamlit run -> page ready          {t_ready:7.2f} s")
    print(f"  streamlit run -> first answer shown  {t_first:7.2f} s")
    print(f"  per question, on screen ({len(latencies)}): median {statistics.median(latencies):.2f} s, "
          f"max {max(latencies):.2f} s, first {latencies[0]:.2f} s")
    print(f"  server RSS: after start {rss_start:.0f} MB, after first answer {rss_first:.0f} MB, "
          f"after {len(latencies)} questions {rss_end:.0f} MB")
    if errors:
        print(f"  WARNING: {errors} exception box(es) on the page")
    tmp.cleanup()
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
