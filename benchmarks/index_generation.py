"""What the per-turn index-generation check costs.

    python benchmarks/index_generation.py                  # embedded store
    python benchmarks/index_generation.py --chroma-server  # and on a `chroma run` server (127.0.0.1)
    python benchmarks/index_generation.py --home DIR       # reuse a built MENTOR_HOME

Each turn a Mentor reads the index generation once (`Mentor._sync_index()`: one
read of the collection's metadata) to notice a re-index made by another process.
This builds the index in a temporary MENTOR_HOME (or uses --home), warms a Mentor,
then prints, in microseconds, the check's median and p95 over --rounds calls, a
whole `retrieve()` for scale, and the first `retrieve()` after a reload (what a
turn pays once after a re-index).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How do I earn my manager's trust?"


def timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1e6)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def measure(home: Path, rounds: int, chroma_url: str | None) -> dict:
    from assistant import Mentor, Settings

    mentor = Mentor(Settings(home=home, knowledge_dir=ROOT / "knowledge", provider="offline", chroma_url=chroma_url))
    mentor.index()
    mentor.retrieve(QUESTION)  # warm: store open, BM25 built, token known
    check = timed(mentor._sync_index, rounds)
    retrieve = timed(lambda: mentor.retrieve(QUESTION), max(10, rounds // 50))
    reload = []
    for _ in range(5):
        mentor._on_index_changed()
        reload += timed(lambda: mentor.retrieve(QUESTION), 1)
    return {
        "backend": mentor.index_status()["backend"],
        "check_p50_us": statistics.median(check),
        "check_p95_us": p95(check),
        "retrieve_p50_us": statistics.median(retrieve),
        "first_retrieve_after_reload_p50_us": statistics.median(reload),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--home", type=Path, default=None, help="a MENTOR_HOME to reuse (built if empty)")
    parser.add_argument("--chroma-server", action="store_true", help="also measure on a `chroma run` server")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.pop("MENTOR_CHROMA_URL", None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="index-generation-") as tmp:
        home = args.home or Path(tmp) / "home"
        rows.append(measure(home, args.rounds, None))
        if args.chroma_server:
            sys.path.insert(0, str(ROOT / "tests"))
            from chroma_server import ChromaServer

            server_home = Path(tmp) / "server-home"
            if (home / "cache").exists():  # the diagnoser's signal vectors: no need to embed them twice
                shutil.copytree(home / "cache", server_home / "cache")
            with ChromaServer(Path(tmp) / "chroma-server", Path(tmp) / "chroma-server.log") as server:
                rows.append(measure(server_home, args.rounds, server.url))
    print(f"{'backend':10} {'check p50':>11} {'check p95':>11} {'retrieve p50':>13} {'1st after reload':>17}   (µs)")
    for r in rows:
        print(f"{r['backend']:10} {r['check_p50_us']:11.0f} {r['check_p95_us']:11.0f} {r['retrieve_p50_us']:13.0f} "
              f"{r['first_retrieve_after_reload_p50_us']:17.0f}")
    print(f"({rows[0]['rounds']} checks each; the check is one read of the collection's metadata)")


if __name__ == "__main__":
    main()
