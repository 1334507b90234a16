"""Run `mentor serve`'s app on 127.0.0.1 for tests: in-process (uvicorn in a thread) or as the real command."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import uvicorn

from page_server import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent


class InProcessServer:
    """`with InProcessServer(app) as url:` — uvicorn serving `app` on a free port, in a thread."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(30)


class ServeProcess:
    """The real `mentor serve` command in a child process, stopped by its own pid."""

    def __init__(self, env: dict[str, str], *args: str, log_path: Path | None = None) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.args = args
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> "ServeProcess":
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(self.port), *self.args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if wait_until_healthy(self.proc, self.url + "/readyz", timeout, "mentor serve", self.log_path):
            return self
        self.stop()
        raise RuntimeError(f"mentor serve did not become ready on {self.url} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # uvicorn's parent stops its workers on SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)  # the group this Popen started (start_new_session)
                self.proc.wait(timeout=10)

    def __enter__(self) -> "ServeProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
