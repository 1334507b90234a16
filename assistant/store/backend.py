"""Where the Chroma collection lives: embedded on disk (default) or on a Chroma server.

`EmbeddedBackend` opens one `PersistentClient` per path per process (Chroma's
rule) and knows three things only the embedded mode needs:

- a client goes stale when *another process* writes the same path (its
  in-memory HNSW index keeps the old vectors, and returns deleted ids), so
  `follow(token)` reopens it when the index generation moved on without us,
  and `client()` reopens it when the database file was replaced;
- writers take a file lock beside the store, so a process repairing the index
  never writes at the same time as one re-indexing it;
- a damaged `chroma.sqlite3` is named as such (SQLite's own quick check runs
  before Chroma opens the file), and `move_aside()` renames the store for
  `mentor index --rebuild`; nothing is deleted.

`HttpBackend` (MENTOR_CHROMA_URL=http://host:port) talks to `chroma run`: the
server is the one copy, so there is nothing to reopen, lock or move.
"""

from __future__ import annotations

import base64
import errno
import os
import sqlite3
import threading
import time
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import InputError, MentorError, StoreDamagedError, StoreError, StoreUnavailableError, space_problem
from ..errors import explain as explain_failure

_HOME_OR_DISK_ERRNOS = (errno.ENOTDIR, errno.EEXIST, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC,
                        errno.EDQUOT, errno.EFBIG)

SQLITE_FILE = "chroma.sqlite3"
LOCK_WAIT_SECONDS = 120.0
_POLL_SECONDS = 0.05


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)  # never phone home


# --- embedded --------------------------------------------------------------------
@dataclass
class _Opened:
    client: object
    identity: tuple | None  # (device, inode) of chroma.sqlite3 when opened
    fresh_as_of: object = None  # the index token this client is known to have seen


_embedded: dict[str, _Opened] = {}
_embedded_lock = threading.RLock()


def _identity(db: Path) -> tuple | None:
    try:
        st = os.stat(db)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def sqlite_problem(db: Path) -> str | None:
    """SQLite's own verdict on the store's database file, or None when it is sound (or absent)."""
    if not db.exists():
        return None
    try:
        with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5)) as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "unable to open" in str(exc):
            return None  # busy or unreadable is not damage: the caller's own error says what happened
        return str(exc)
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return str(exc)
    verdict = "; ".join(str(r[0]) for r in rows[:3])
    return None if verdict == "ok" else verdict


class EmbeddedBackend:
    kind = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser().resolve()
        self.key = str(self.path)
        self.db = self.path / SQLITE_FILE
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._local = threading.local()

    @property
    def location(self) -> str:
        return self.key

    def client(self):
        """The process's client for this path, reopened if the database file was replaced."""
        with _embedded_lock:
            opened = _embedded.get(self.key)
            if opened is not None and opened.identity != _identity(self.db):
                self._forget()
                opened = None
            if opened is None:
                opened = self._open()
            return opened.client

    def _open(self) -> _Opened:
        import chromadb

        # SQLite's own check first (a few ms): Chroma on a damaged file fails with
        # unrelated-sounding errors, or panics in its Rust thread.
        damage = sqlite_problem(self.db)
        if damage is not None:
            raise self.explain(RuntimeError(damage), "opening")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=self.key, settings=_chroma_settings())
        except MentorError:
            raise
        except Exception as exc:  # chromadb raises several types for a bad path or file
            self._forget()
            raise self.explain(exc, "opening") from exc
        opened = _Opened(client, _identity(self.db))
        _embedded[self.key] = opened
        return opened

    def _forget(self) -> None:
        """Drop this path's client, so the next `client()` reads the files afresh.

        Chroma shares one System per path and hands it to every new client; it has
        no public way to drop one path's System without stopping it, and stopping
        it would break turns still reading through it on other threads. So we pop
        it from Chroma's cache and let it be collected when those turns finish."""
        from chromadb.api.shared_system_client import SharedSystemClient

        with _embedded_lock:
            _embedded.pop(self.key, None)
            SharedSystemClient._identifier_to_system.pop(self.key, None)
            SharedSystemClient._identifier_to_refcount.pop(self.key, None)

    def reopen(self) -> None:
        """Read the files afresh (before writing: another process may have written since)."""
        with _embedded_lock:
            self._forget()
            self._open()

    def follow(self, token) -> bool:
        """Make sure the client has seen index `token`; True when it had to reopen."""
        with _embedded_lock:
            opened = _embedded.get(self.key)
            if opened is None:
                return False
            if opened.fresh_as_of is None:  # just opened: it read the files as they are now
                opened.fresh_as_of = token
                return False
            if opened.fresh_as_of == token:
                return False
            self._forget()
            self._open().fresh_as_of = token
            return True

    def wrote(self, token) -> None:
        """This process wrote index `token` through its own client, which has therefore seen it."""
        with _embedded_lock:
            opened = _embedded.get(self.key)
            if opened is not None:
                opened.fresh_as_of = token

    @contextmanager
    def write_lock(self):
        """An exclusive lock across processes (POSIX flock) for one index run; re-entrant per thread."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: Chroma's own locking only
            fcntl = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as handle:
            if fcntl is not None:
                deadline = time.monotonic() + LOCK_WAIT_SECONDS
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise StoreError(
                                f"another process has been writing the index at {self.key} for over "
                                f"{LOCK_WAIT_SECONDS:.0f} s; wait for it to finish, or stop it and run `mentor index`"
                            ) from None
                        time.sleep(_POLL_SECONDS)
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def explain(self, exc: BaseException, doing: str) -> StoreError:
        """Turn a Chroma/SQLite/OS failure into an error that names the real cause and the fix."""
        detail = f"{type(exc).__name__}: {exc}".strip()
        damage = sqlite_problem(self.db)
        if damage is not None:
            return StoreDamagedError(
                f"the index database {self.db} is damaged (SQLite says: {damage}). Run `mentor index --rebuild`: "
                "it moves the damaged store aside (kept, not deleted) and builds a new index from the knowledge files"
            )
        home = self.path.parent
        # A home that is a file or read-only, a full disk or a file-size limit: the general
        # explanation names MENTOR_HOME and the fix, whatever Chroma's own wording was.
        if (isinstance(exc, OSError) and exc.errno in _HOME_OR_DISK_ERRNOS) or space_problem(home):
            general = explain_failure(exc, home=home, store_dir=self.key)
            if general is not None:
                return general
        if isinstance(exc, (PermissionError, NotADirectoryError, FileExistsError)) or (
            home.exists() and not os.access(home, os.W_OK | os.X_OK)
        ):
            return StoreError(
                f"cannot {doing} the index at {self.key} ({detail}). Check that MENTOR_HOME ({home}) "
                "is a writable folder, or point MENTOR_HOME at one"
            )
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "No space left" in str(exc):
            return StoreError(f"no space left on the disk holding the index at {self.key} ({detail}): "
                              "free some space, then run `mentor index`; the index as it was still answers")
        if doing == "writing":
            return StoreError(f"writing the index at {self.key} failed ({detail}); the index as it was still "
                              "answers, and the next `mentor index` finishes the job")
        return StoreError(
            f"the index at {self.key} failed while {doing} ({detail}). If this keeps happening, "
            "`mentor index --rebuild` moves the store aside (kept, not deleted) and builds a new one"
        )

    def problem(self) -> str | None:
        return sqlite_problem(self.db)

    def move_aside(self) -> Path:
        """Rename the store to `<name>.damaged-<time>` beside it and forget its client."""
        with _embedded_lock:
            self._forget()
            if not self.path.exists():
                return self.path
            stamp = time.strftime("%Y%m%d-%H%M%S")
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
            n = 1
            while target.exists():
                n += 1
                target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
            try:
                self.path.rename(target)
            except OSError as exc:
                raise StoreError(
                    f"cannot move the damaged index {self.key} aside ({type(exc).__name__}: {exc}); "
                    f"move or remove it yourself, then run `mentor index`"
                ) from None
            return target


# --- Chroma server --------------------------------------------------------------------
_http: dict[str, object] = {}
_http_lock = threading.Lock()


class HttpBackend:
    kind = "http"

    def __init__(self, url: str) -> None:
        raw = url.strip()
        parts = urlsplit(raw)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.path not in ("", "/"):
            raise InputError(
                f"MENTOR_CHROMA_URL={self._safe(raw)!r} is not a Chroma server address; "
                "set it to http://HOST:PORT (e.g. http://127.0.0.1:8000), or unset it to use the embedded store"
            )
        self.ssl = parts.scheme == "https"
        self.host = parts.hostname
        self.port = port or (443 if self.ssl else 8000)
        self.headers: dict[str, str] = {}
        if parts.username or parts.password:
            pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.location = f"{parts.scheme}://{host}:{self.port}"  # never the credentials
        self._key = raw

    @staticmethod
    def _safe(url: str) -> str:
        import re

        return re.sub(r"(?<=://)[^/@\s]+@", "", url)

    def client(self):
        with _http_lock:
            client = _http.get(self._key)
            if client is None:
                import chromadb

                try:
                    client = chromadb.HttpClient(
                        host=self.host, port=self.port, ssl=self.ssl, headers=self.headers, settings=_chroma_settings()
                    )
                except MentorError:
                    raise
                except Exception as exc:
                    raise self.explain(exc, "connecting to") from exc
                _http[self._key] = client
            return client

    def reopen(self) -> None:
        pass  # the server is the one copy: nothing to reopen

    def follow(self, token) -> bool:
        return False

    def wrote(self, token) -> None:
        pass

    def write_lock(self):
        return nullcontext()  # the server orders writes; index runs are idempotent

    def explain(self, exc: BaseException, doing: str) -> StoreError:
        detail = self._safe(f"{type(exc).__name__}: {exc}")
        name = type(exc).__name__
        if "connect" in str(exc).lower() or name in ("ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError"):
            return StoreUnavailableError(
                f"cannot reach the Chroma server at {self.location} ({detail}). Start it "
                f"(`chroma run --path DIR --host 127.0.0.1 --port {self.port}`) or unset MENTOR_CHROMA_URL "
                "to use the embedded store"
            )
        return StoreError(f"the Chroma server at {self.location} failed while {doing} the index ({detail})")

    def problem(self) -> str | None:
        return None

    def move_aside(self) -> Path:
        raise StoreError(
            f"the index is on the Chroma server at {self.location}: it cannot be moved aside from here. "
            "Repair or replace the server's data, then run `mentor index`"
        )
