"""Start a real Chroma server (`chroma run`, from the chromadb package) on 127.0.0.1.

Bound to the loopback interface only: Chroma's server has a pre-auth remote code
execution advisory for 1.0-1.5.9, so it must never listen on a public address.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from page_server import free_port, wait_until_healthy

__all__ = ["ChromaServer", "chroma_command", "free_port"]


def chroma_command() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


class ChromaServer:
    """`with ChromaServer(path) as server: server.url` — stopped (by its own pid) on exit."""

    def __init__(self, path: Path, log_path: Path | None = None) -> None:
        self.path = Path(path)
        self.port = free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "ChromaServer":
        command = chroma_command()
        if command is None:
            raise RuntimeError("the `chroma` command (package chromadb) is not installed")
        self.path.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
        self.proc = subprocess.Popen(
            [command, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        if wait_until_healthy(self.proc, f"{self.url}/api/v2/heartbeat", timeout, "chroma run"):
            return self
        self.stop()
        raise RuntimeError(f"chroma run did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: only the server we started
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> "ChromaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
