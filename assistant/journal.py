"""The mentee's journal: a local SQLite file under MENTOR_HOME.

Two things live there:

* journeys — a named mentee's Session (spin, step, commitments, turns) as JSON,
  so the page can restore it on a later visit;
* feedback — one row per thumbs up/down on an answer (question, answer text,
  step, source ids, rating +1/-1, optional comment, mode, created_at). The eval
  suite reads these rows.

Local and single-user by design: no accounts, no network. Nothing secret is
stored: the configured API key and anything that looks like an API key is
redacted from every text before it is written. The schema is created on first
use, the database runs in WAL mode, and its version is kept in
`PRAGMA user_version` so later versions can migrate it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from .errors import InputError, StoreError
from .safety.redaction import REDACTED, redact  # noqa: F401  (one pattern set for the whole product)
from .safety.redaction import redact_tree as _redact_tree
from .session import Session

SCHEMA_VERSION = 1
MAX_NAME_CHARS = 64
NAME_PATTERN = re.compile(r"^[\w][\w .'\-]*$", re.UNICODE)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journeys (
    name_key   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_key TEXT UNIQUE,
    name       TEXT,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    step       TEXT,
    source_ids TEXT NOT NULL,
    rating     INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment    TEXT,
    mode       TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_created ON feedback (created_at);
"""


class JournalNameError(InputError):
    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(
            f"the name {name!r} {problem}. Use 1-{MAX_NAME_CHARS} characters: letters, numbers, "
            "spaces and . _ - ' (for example \"ana\" or \"Ana Lopez\")"
        )


class JournalError(StoreError):
    """The journal file could not be opened, read or written."""


def validate_name(name: object) -> str:
    """Return the cleaned name (spaces collapsed) or raise JournalNameError."""
    if not isinstance(name, str):
        raise JournalNameError(str(name), "is not text")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise JournalNameError(name, "is empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise JournalNameError(cleaned[:20] + "…", f"is longer than {MAX_NAME_CHARS} characters")
    if not NAME_PATTERN.match(cleaned):
        raise JournalNameError(cleaned, "contains characters that are not allowed")
    return cleaned


def name_key(name: str) -> str:
    return validate_name(name).casefold()


@dataclass
class FeedbackRow:
    id: int
    answer_key: str | None
    name: str | None
    question: str
    answer: str
    step: str | None
    source_ids: list[str]
    rating: int
    comment: str | None
    mode: str | None
    created_at: float
    updated_at: float

    def to_dict(self) -> dict:
        return asdict(self)


class Journal:
    """`Journal(settings.journal_path)`; every call opens its own short connection,
    so one Journal can be shared by the page's threads."""

    def __init__(self, path: str | os.PathLike, secrets: tuple[str, ...] = ()) -> None:
        self.path = Path(path)
        self._secrets = tuple(s for s in secrets if s)

    @classmethod
    def from_settings(cls, settings) -> "Journal":
        return cls(settings.journal_path, secrets=(settings.api_key,) if settings.api_key else ())

    # --- connection and schema -----------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(
                f"the journal at {self.path} could not be used ({exc}); check that MENTOR_HOME is a writable folder"
            ) from exc
        try:
            with closing(sqlite3.connect(self.path, timeout=10)) as conn:
                conn.row_factory = sqlite3.Row
                self._ensure_schema(conn)
                with conn:  # one transaction: commit on success, roll back on error
                    yield conn
        except sqlite3.Error as exc:
            raise JournalError(
                f"the journal at {self.path} could not be used ({exc}); check that the folder is writable"
            ) from exc

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"the journal at {self.path} was written by a newer version (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); upgrade flywheel-mentor or set MENTOR_HOME elsewhere"
            )
        conn.execute("PRAGMA journal_mode=WAL")
        with conn:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # --- journeys ---------------------------------------------------------------
    def save(self, session: Session) -> None:
        """Save a named session's journey (spin, step, commitments, turns)."""
        if not session.name:
            raise JournalNameError("", "is empty: give the session a name before saving it")
        name = validate_name(session.name)
        data = _redact_tree(session.to_dict(), self._secrets)
        data["name"] = name
        now = time.time()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO journeys (name_key, name, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(name_key) DO UPDATE SET name=excluded.name, data=excluded.data, "
                "updated_at=excluded.updated_at",
                (name.casefold(), name, json.dumps(data, ensure_ascii=False), now, now),
            )

    def load(self, name: str) -> Session | None:
        """The saved journey for `name` (case-insensitive), or None if there is none."""
        key = name_key(name)
        with self._connect() as conn:
            row = conn.execute("SELECT name, data FROM journeys WHERE name_key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            session = Session.from_dict(json.loads(row["data"]))
        except (ValueError, TypeError, KeyError) as exc:
            raise JournalError(f"the saved journey for {row['name']!r} could not be read ({exc})") from exc
        session.name = row["name"]
        return session

    def names(self) -> list[str]:
        with self._connect() as conn:
            return [r["name"] for r in conn.execute("SELECT name FROM journeys ORDER BY updated_at DESC")]

    def delete(self, name: str) -> bool:
        with self._connect() as conn:
            return conn.execute("DELETE FROM journeys WHERE name_key = ?", (name_key(name),)).rowcount > 0

    # --- feedback ---------------------------------------------------------------
    def record_feedback(
        self,
        *,
        question: str,
        answer: str,
        rating: int,
        step: str | None = None,
        source_ids: list[str] | tuple[str, ...] = (),
        comment: str | None = None,
        mode: str | None = None,
        name: str | None = None,
        answer_key: str | None = None,
    ) -> int:
        """Store a thumbs rating (+1 or -1). With `answer_key`, rating the same answer
        again updates its row instead of adding one. Returns the row id."""
        if rating not in (1, -1):
            raise InputError(f"a feedback rating is +1 or -1, not {rating!r}")
        now = time.time()
        values = (
            answer_key,
            validate_name(name) if name else None,
            redact(question, self._secrets) or "",
            redact(answer, self._secrets) or "",
            str(step) if step else None,
            json.dumps(list(source_ids)),
            rating,
            redact(comment.strip(), self._secrets) if comment and comment.strip() else None,
            mode,
            now,
            now,
        )
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO feedback (answer_key, name, question, answer, step, source_ids, rating, comment, "
                "mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(answer_key) DO UPDATE SET rating=excluded.rating, "
                "comment=COALESCE(excluded.comment, feedback.comment), updated_at=excluded.updated_at",
                values,
            )
            if answer_key is None:
                return conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            return conn.execute("SELECT id FROM feedback WHERE answer_key = ?", (answer_key,)).fetchone()[0]

    def set_feedback_comment(self, answer_key: str, comment: str | None) -> bool:
        text = redact(comment.strip(), self._secrets) if comment and comment.strip() else None
        with self._connect() as conn:
            return conn.execute(
                "UPDATE feedback SET comment = ?, updated_at = ? WHERE answer_key = ?",
                (text, time.time(), answer_key),
            ).rowcount > 0

    def feedback(self, limit: int | None = None) -> list[FeedbackRow]:
        """Feedback rows, oldest first."""
        sql = "SELECT * FROM feedback ORDER BY created_at, id"
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (int(limit),)
        with self._connect() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            FeedbackRow(
                id=r["id"], answer_key=r["answer_key"], name=r["name"], question=r["question"],
                answer=r["answer"], step=r["step"], source_ids=json.loads(r["source_ids"]), rating=r["rating"],
                comment=r["comment"], mode=r["mode"], created_at=r["created_at"], updated_at=r["updated_at"],
            )
            for r in rows
        ]
