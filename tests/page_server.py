"""Start the real page with `streamlit run app.py` (or another script) on 127.0.0.1 for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(proc: subprocess.Popen, url: str, timeout: float, name: str,
                       log_path: Path | None = None, poll: float = 0.2) -> bool:
    """Poll `url` until it answers 200 (at most `timeout` seconds): True when it did, False when
    time ran out. RuntimeError as soon as the child process `proc` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}" + (f"; see {log_path}" if log_path else ""))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(poll)
    return False


class PageServer:
    """`with PageServer(env) as url:` — the page at `url`, stopped (by its own pid) on exit."""

    def __init__(self, env: dict[str, str], port: int | None = None, log_path: Path | None = None,
                 extra_args: tuple[str, ...] = (), script: Path | None = None) -> None:
        self.script = Path(script) if script else ROOT / "app.py"
        self.port = port or free_port()
        self.extra_args = tuple(extra_args)
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "PageServer":
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *self.extra_args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        if wait_until_healthy(self.proc, self.url + "/_stcore/health", timeout, "streamlit", self.log_path, poll=0.1):
            return self
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def __enter__(self) -> "PageServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
