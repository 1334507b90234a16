"""Faults through the real CLI (`python -m assistant …` in a child process): each one ends in
`error: …` saying what to do, exit 2 (the user's input or setup) or 1 (the system), and never
a traceback (issue 9 §4).

Permission faults can't be made with chmod alone when the tests run as root (root reads and
writes anything). The child then drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER
from its capability bounding set before exec, so file permissions bind it like any user.
A full disk is a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) set in the child only:
writes past it fail with EFBIG, deterministically, on any filesystem.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, ROOT

ASK = ["ask", "How do I get out of a rut?"]
PR_CAPBSET_DROP = 24
FILE_CAPS = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
DISK_LIMIT = 250_000  # bytes: the store opens, then the first build's writes to it fail (one-file knowledge dir)


def _drop_file_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in FILE_CAPS:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_cli(args, env: dict, *, stdin: bytes | None = None, unprivileged: bool = False,
            file_limit: int | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    steps = []
    if unprivileged and os.geteuid() == 0:
        steps.append(_drop_file_capabilities)
    if file_limit is not None:
        steps.append(_limit_file_size(file_limit))

    def preexec() -> None:
        for step in steps:
            step()

    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MENTOR_", "LANGSMITH_"))}
    full_env.update(env, MENTOR_PROVIDER="offline", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, cwd=ROOT,
                          env=full_env, timeout=timeout, preexec_fn=preexec if steps else None)


def permissions_bind(path: Path, mode: str) -> bool:
    """Whether an unprivileged child really is refused `open(path, mode)` (else the test can't run here)."""
    probe = subprocess.run([sys.executable, "-c", f"open({str(path)!r}, {mode!r})"], capture_output=True,
                           preexec_fn=_drop_file_capabilities if os.geteuid() == 0 else None)
    return probe.returncode != 0


@dataclass
class Fault:
    id: str
    args: list
    exit_code: int
    says: list[str]  # substrings of the error line
    stdin: bytes | None = None
    unprivileged: bool = False
    refused: tuple[Path, str] | None = None  # (path, open mode) an unprivileged child must be refused
    file_limit: int | None = None
    env: dict = field(default_factory=dict)


def model_dir_copy(tmp: Path, *, truncate: bool = False, empty: bool = False) -> Path:
    from assistant.embeddings import model_dir

    target = tmp / "model"
    target.mkdir()
    if empty:
        return target
    source = model_dir()
    shutil.copy(source / "tokenizer.json", target / "tokenizer.json")
    if truncate:
        with open(source / "model.safetensors", "rb") as f:
            (target / "model.safetensors").write_bytes(f.read(1_000_000))
    return target


def make_fault(case: str, tmp: Path, home: Path) -> Fault:
    """Set up the broken thing for `case` under `tmp` (home: a copy of a built MENTOR_HOME)."""
    if case == "utf8-argument":
        return Fault(case, ["ask", b"how do I grow \xff\xfe at work"], 2, ["not valid UTF-8", "plain UTF-8"],
                     env={"MENTOR_HOME": str(home)})
    if case == "home-is-a-file":
        file = tmp / "home-file"
        file.write_text("not a folder")
        return Fault(case, ASK, 2, [f"MENTOR_HOME={file} is not a folder", "Point MENTOR_HOME at a folder"],
                     env={"MENTOR_HOME": str(file)})
    if case == "home-read-only":
        ro = tmp / "read-only-home"
        ro.mkdir()
        ro.chmod(0o555)
        return Fault(case, ASK, 2, [f"MENTOR_HOME={ro} is not writable", "set MENTOR_HOME to a folder you own"],
                     unprivileged=True, refused=(ro / "probe", "w"), env={"MENTOR_HOME": str(ro)})
    if case == "knowledge-unreadable":
        knowledge = tmp / "knowledge"
        shutil.copytree(KNOWLEDGE, knowledge)
        (knowledge / "leadership-principles.md").chmod(0o000)
        return Fault(case, ["index"], 2, ["leadership-principles.md", "cannot be read", "permissions",
                                          "previous index is still in use"],
                     unprivileged=True, refused=(knowledge / "leadership-principles.md", "r"),
                     env={"MENTOR_HOME": str(home), "MENTOR_KNOWLEDGE_DIR": str(knowledge)})
    if case == "disk-full-first-build":
        knowledge = tmp / "knowledge-small"
        knowledge.mkdir()
        shutil.copy(KNOWLEDGE / "flywheel.md", knowledge / "flywheel.md")
        # Whichever write of the first build hits the limit first (the store, the signal cache) says so.
        return Fault(case, ASK, 1, ["could not write", "ulimit -f", "Free some space"],
                     file_limit=DISK_LIMIT, env={"MENTOR_HOME": str(tmp / "fresh-home"),
                                                 "MENTOR_KNOWLEDGE_DIR": str(knowledge)})
    if case == "model-dir-empty":
        return Fault(case, ASK, 2, ["embedding model", "not found", "pip install --force-reinstall",
                                    "MENTOR_EMBEDDING_MODEL_DIR"],
                     env={"MENTOR_HOME": str(home), "MENTOR_EMBEDDING_MODEL_DIR": str(model_dir_copy(tmp, empty=True))})
    if case == "model-truncated":
        return Fault(case, ASK, 2, ["embedding model", "model.safetensors", "damaged", "pip install --force-reinstall"],
                     env={"MENTOR_HOME": str(home),
                          "MENTOR_EMBEDDING_MODEL_DIR": str(model_dir_copy(tmp, truncate=True))})
    if case == "model-weights-missing":
        return Fault(case, ASK, 2, ["model.safetensors not found"],
                     env={"MENTOR_HOME": str(home), "MENTOR_EMBEDDING_MODEL_DIR": str(model_dir_copy(tmp))})
    raise AssertionError(case)


CASES = ["utf8-argument", "home-is-a-file", "home-read-only", "knowledge-unreadable", "disk-full-first-build",
         "model-dir-empty", "model-truncated", "model-weights-missing"]


@pytest.fixture
def world(tmp_path, home_copy):
    tmp = Path(__import__("tempfile").mkdtemp(prefix="mentor-fault-"))  # outside root-only pytest dirs
    tmp.chmod(0o755)
    yield tmp, home_copy
    for p in tmp.rglob("*"):  # give back permissions so the folder can be removed
        try:
            p.chmod(0o755 if p.is_dir() else 0o644)
        except OSError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("case", CASES)
def test_fault_gives_a_clear_error_and_exit_code(case, world):
    tmp, home = world
    fault = make_fault(case, tmp, home)
    if fault.refused and not permissions_bind(*fault.refused):
        pytest.skip("file permissions do not bind a child process on this machine")
    result = run_cli(fault.args, fault.env, stdin=fault.stdin, unprivileged=fault.unprivileged,
                     file_limit=fault.file_limit)
    err = result.stderr.decode("utf-8", "replace")
    out = result.stdout.decode("utf-8", "replace")
    assert "Traceback" not in err + out, err
    error_lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, err
    for phrase in fault.says:
        assert phrase in error_lines[0], (phrase, error_lines[0])
    assert result.returncode == fault.exit_code, (result.returncode, err)


def test_chat_says_so_for_an_undecodable_line_and_answers_the_next(home_copy):
    result = run_cli(["chat"], {"MENTOR_HOME": str(home_copy)},
                     stdin=b"hello \xff there\nWhat does Frugality mean?\n/quit\n")
    err, out = result.stderr.decode(), result.stdout.decode()
    assert result.returncode == 0 and "Traceback" not in err + out
    assert "error: could not read the input as UTF-8" in err
    assert "Frugality" in out and "sources:" in out  # the next question was answered


def test_a_read_only_journal_does_not_end_a_named_chat(home_copy):
    from assistant import Session
    from assistant.journal import Journal
    from assistant.journal.store import dispose_engines

    journal_path = home_copy / "journal.sqlite3"
    saved = Session(name="ana")
    saved.add_commitment("ship the fix by Friday")
    Journal(journal_path).save(saved)
    dispose_engines()  # closing the last connection checkpoints the WAL into the file
    journal_path.chmod(0o444)
    for side in ("-wal", "-shm"):
        Path(str(journal_path) + side).unlink(missing_ok=True)
    if not permissions_bind(journal_path, "a"):
        pytest.skip("file permissions do not bind a child process on this machine")
    try:
        result = run_cli(["chat", "--name", "ana"], {"MENTOR_HOME": str(home_copy)}, unprivileged=True,
                         stdin=b"I'm stuck in a rut at work\nWhat does Frugality mean?\n/quit\n")
    finally:
        journal_path.chmod(0o644)
    err, out = result.stderr.decode(), result.stdout.decode()
    assert result.returncode == 0 and "Traceback" not in err + out, err
    assert err.count("warning: your journey is not being saved") == 1  # warned once, not per answer
    assert out.count("sources:") == 2  # both questions answered
    assert Journal(journal_path).load("ana").commitments[0].text == "ship the fix by Friday"  # nothing lost

