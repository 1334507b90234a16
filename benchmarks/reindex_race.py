"""Two processes, one index: a writer re-indexes changed knowledge while a long-lived Mentor answers.

    python benchmarks/reindex_race.py                      # embedded store, 60 s
    python benchmarks/reindex_race.py --seconds 20 --rounds 10
    python benchmarks/reindex_race.py --chroma-server      # both on a `chroma run` server (127.0.0.1)

The writer (a second process) rewrites one knowledge passage with a new code word
each round and runs `Mentor.index()`; it logs when each round finished and which
chunk ids it deleted. This process keeps one `Mentor` (like the page does) and asks
about that passage in a loop. Printed, per run:

- answers, and errors (exceptions while answering);
- cited_deleted: answers whose sources include a passage deleted by a round that
  had finished before the question was asked (must be 0);
- missed_new_text: answers asked after a round finished, and not overlapping the
  next round, that did not show that round's code word (must be 0);
- in_flight_without_new_text: answers that overlapped a round still writing and
  showed neither code word (the old passage deleted, the new one not yet
  published: allowed, never a deleted passage);
- final_seen: whether the answers after the last round show its code word.

`--json` prints the numbers as one JSON object (the tests read it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "field-notes.md"
QUESTION = "What code word did the quokka team review settle on for trust?"
WORD = re.compile(r"\bzebra\d+x[0-9a-f]{6}\b")


def marker_text(word: str) -> str:
    return (
        "---\ntitle: Field notes\nkind: article\n---\n## Quokka team review\n\n"
        f"At the quokka team review the code word for trust was {word}. Nothing else was decided.\n"
    )


def mentor_for(home: Path, knowledge: Path):
    from assistant import Mentor, Settings

    return Mentor(Settings.from_env(home=home, knowledge_dir=knowledge, provider="offline"))


def run_writer(home: Path, knowledge: Path, rounds: int, interval: float, log_path: Path, tag: str) -> None:
    mentor = mentor_for(home, knowledge)
    store = mentor.store
    with open(log_path, "a") as log:
        for n in range(1, rounds + 1):
            started = time.time()
            before = {c.id for c in store.all_chunks() if c.meta.get("file") == MARKER}
            word = f"zebra{n}x{tag}"
            (knowledge / MARKER).write_text(marker_text(word))
            mentor.index()
            after = {c.id for c in store.all_chunks() if c.meta.get("file") == MARKER}
            log.write(json.dumps({"round": n, "word": word, "started": started, "done": time.time(),
                                  "deleted": sorted(before - after),
                                  "generation": store.state().generation}) + "\n")
            log.flush()
            time.sleep(interval)


def words_in(answer) -> set[str]:
    return {w for s in answer.sources for w in WORD.findall(s.text)}


def race(workdir: Path, seconds: float, rounds: int, interval: float, source: Path, tail: int = 3) -> dict:
    knowledge = workdir / "knowledge"
    home = workdir / "home"
    if not knowledge.exists():
        shutil.copytree(source, knowledge)
    tag = uuid.uuid4().hex[:6]
    first = f"zebra0x{tag}"
    (knowledge / MARKER).write_text(marker_text(first))
    mentor = mentor_for(home, knowledge)
    mentor.index()
    assert first in words_in(mentor.ask(QUESTION)), "the marker passage must be retrieved for the question"

    log_path = workdir / "writer.jsonl"
    log_path.write_text("")
    writer = subprocess.Popen(
        [sys.executable, __file__, "--writer", "--home", str(home), "--knowledge", str(knowledge),
         "--rounds", str(rounds), "--interval", str(interval), "--log", str(log_path), "--tag", tag],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    answers, errors = [], []
    deadline = time.monotonic() + seconds
    after_writer = 0
    try:
        while time.monotonic() < deadline and after_writer < tail:
            if writer.poll() is not None:
                after_writer += 1
            started = time.time()
            try:
                answer = mentor.ask(QUESTION)
            except Exception as exc:  # counted, not hidden
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            answers.append({"start": started, "end": time.time(), "ids": [s.id for s in answer.sources],
                            "words": sorted(words_in(answer))})
    finally:
        if writer.poll() is None:
            writer.terminate()
            writer.wait(timeout=30)
    log = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    return summarise(answers, errors, log, first, writer.returncode)


def summarise(answers: list[dict], errors: list[str], log: list[dict], first: str, writer_rc) -> dict:
    deleted_at = {cid: entry["done"] for entry in log for cid in entry["deleted"]}
    order = [first] + [entry["word"] for entry in log]
    cited_deleted = sum(1 for a in answers if any(deleted_at.get(cid, float("inf")) < a["start"] for cid in a["ids"]))
    missed = in_flight = 0
    for a in answers:
        done = [entry for entry in log if entry["done"] < a["start"]]
        expected = done[-1]["word"] if done else first
        seen = [order.index(w) for w in a["words"] if w in order]
        if seen and max(seen) >= order.index(expected):
            continue
        if any(entry["started"] < a["end"] and a["start"] < entry["done"] for entry in log):
            in_flight += 1  # asked while a run was writing: the old passage may be gone, the new not yet published
        else:
            missed += 1
    final = log[-1] if log else None
    after_final = [a for a in answers if final and a["start"] > final["done"]]
    return {
        "answers": len(answers),
        "errors": len(errors),
        "error_samples": errors[:3],
        "rounds": len(log),
        "writer_exit": writer_rc,
        "cited_deleted": cited_deleted,
        "missed_new_text": missed,
        "in_flight_without_new_text": in_flight,
        "answers_after_final_round": len(after_final),
        "final_seen": bool(after_final) and all(final["word"] in a["words"] for a in after_final),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="the longest the reader keeps asking")
    parser.add_argument("--rounds", type=int, default=30, help="re-index rounds in the writer")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between the writer's rounds")
    parser.add_argument("--chroma-server", action="store_true", help="run both on a `chroma run` server")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the files here (a home/ in it is reused)")
    parser.add_argument("--from-knowledge", type=Path, default=ROOT / "knowledge", help="the knowledge to start from")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--knowledge", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.writer:
        run_writer(args.home, args.knowledge, args.rounds, args.interval, args.log, args.tag)
        return
    with tempfile.TemporaryDirectory(prefix="reindex-race-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.chroma_server:
            sys.path.insert(0, str(ROOT / "tests"))
            from chroma_server import ChromaServer

            with ChromaServer(workdir / "chroma-server", workdir / "chroma-server.log") as server:
                os.environ["MENTOR_CHROMA_URL"] = server.url
                result = race(workdir, args.seconds, args.rounds, args.interval, args.from_knowledge)
        else:
            result = race(workdir, args.seconds, args.rounds, args.interval, args.from_knowledge)
    result["backend"] = "http" if args.chroma_server else "embedded"
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
