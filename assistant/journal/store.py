"""`Journal`: journeys, their conversations and answer feedback, in SQLite or PostgreSQL.

* A **journey** belongs to an owner key (see `names`): a typed name in local mode,
  issuer + subject when signed in, a token's user for `mentor serve`. Its state is
  every Session field but the turns (spin, step, commitments, and whatever the
  Session gains later), stored as JSON with an optimistic `version`.
* Its conversations are **threads**; each **turn** is a row, appended and never
  rewritten. "New conversation" starts a thread; the old ones stay.
* **Concurrent writers never lose turns.** `sync(journey, session)` appends the
  session's new turns (each has a stable uid, so a retry or a second tab can't
  duplicate one) and writes the state only if nobody else did since this writer
  last read it; otherwise it merges (fields only one side changed keep that side's
  value, commitments added on both sides are all kept) and tries again. The session
  then holds the merged thread: two tabs on one journey see each other's turns.
* **Forget me** (`forget`) deletes the journey, its threads and turns, and its
  feedback, in one transaction.

SQLite (`MENTOR_HOME/journal.sqlite3`, WAL) is the default; `MENTOR_DATABASE_URL=
postgresql://…` uses PostgreSQL through SQLAlchemy and psycopg 3. Nothing secret
is stored: the configured API key and anything shaped like a key are redacted
before a write, and the database URL's password never appears in an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import InputError, StoreError
from ..session import Session
from .names import JournalNameError, owner_for_name, validate_name
from .redaction import redact, redact_tree

MAX_SYNC_ATTEMPTS = 20


class JournalError(StoreError):
    """The journal could not be opened, read or written."""


class JourneyGoneError(JournalError):
    """The journey was deleted ("Forget me") by another tab or process."""


@dataclass
class Journey:
    """A writer's handle on one journey: what it last read (for optimistic merges)."""

    id: int
    owner: str
    display_name: str | None
    thread_id: int
    version: int
    base: dict = field(default_factory=dict, repr=False)  # the state as last read or written
    saved: set[str] = field(default_factory=set, repr=False)  # uids of turns already stored
    created: bool = False  # made by the `open` that returned it


@dataclass
class ThreadInfo:
    id: int
    started_at: float
    turns: int


@dataclass
class ForgetReport:
    journeys: int = 0
    threads: int = 0
    turns: int = 0
    feedback: int = 0

    @property
    def total(self) -> int:
        return self.journeys + self.threads + self.turns + self.feedback


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
    owner: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def turn_uid(turn: dict) -> str:
    """A turn's stable identity: role, creation time and text."""
    key = json.dumps([turn.get("role"), repr(turn.get("at")), turn.get("text")], ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def state_of(session: Session) -> dict:
    """Every Session field except the turns (new fields persist without a schema change)."""
    data = session.to_dict()
    data.pop("turns", None)
    return data


def merge_states(base: dict, mine: dict, theirs: dict) -> dict:
    """Three-way merge of two writers' states that both started from `base`."""
    out = dict(theirs)
    for key in set(mine) | set(theirs):
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == b:
            continue  # only they changed it (or nobody did)
        if t == b or t == m:
            out[key] = m
        elif isinstance(m, dict) and isinstance(t, dict):
            out[key] = merge_states(b if isinstance(b, dict) else {}, m, t)
        elif isinstance(m, list) and isinstance(t, list):
            out[key] = _merge_lists(b if isinstance(b, list) else [], m, t)
        else:
            out[key] = m  # both changed one value: this writer's is the newer intent
    return out


def _identity(item):
    """Records with a creation time ("at", as commitments have) are the same record when
    their times match, whatever else changed; other items are compared whole."""
    if isinstance(item, dict) and "at" in item:
        return ("at", repr(item["at"]))
    return ("value", json.dumps(item, sort_keys=True, default=str))


def _merge_lists(base: list, mine: list, theirs: list) -> list:
    """Per record: a side's change or deletion wins over the unchanged side; new records from
    both sides are kept; timestamped records stay in time order."""
    b = {_identity(x): x for x in base}
    m = {_identity(x): x for x in mine}
    t = {_identity(x): x for x in theirs}
    order = list(dict.fromkeys([*m, *t]))
    out = []
    for key in order:
        if key in b and (key not in m or key not in t):
            continue  # deleted by one side
        mv, tv, bv = m.get(key), t.get(key), b.get(key)
        out.append(mv if key not in t or (mv is not None and mv != bv) else tv)
    if out and all(isinstance(x, dict) and isinstance(x.get("at"), (int, float)) for x in out):
        out.sort(key=lambda x: x["at"])
    return out


# --- engines: one per URL per process, made on first use ---------------------------------
_ENGINES: dict[str, object] = {}
_ENGINES_LOCK = threading.Lock()


def database_url(target) -> str:
    """A SQLAlchemy URL for a path, a sqlite:/// URL or a postgresql:// URL."""
    if isinstance(target, Path):
        return f"sqlite:///{target}"
    text = str(target).strip()
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if text.startswith(("postgresql+psycopg://", "sqlite://")):
        return text
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise InputError(
            f"MENTOR_DATABASE_URL uses {scheme}://, which the journal does not support; "
            "use postgresql://user:password@host:5432/dbname (or leave it unset for SQLite)"
        )
    return f"sqlite:///{Path(text).expanduser()}"


def _make_engine(url: str):
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            try:
                dbapi_conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:  # a read-only file: reads still work, writes say so
                pass
            # WAL + synchronous=NORMAL: a commit survives the process dying; only an OS crash or power
            # loss can drop the last few commits (SQLite's recommended setting for WAL).
            dbapi_conn.execute("PRAGMA synchronous=NORMAL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn):
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")  # a reader takes no write lock (and works on a read-only file)
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time, readers unaffected (WAL)

        return engine
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise JournalError("PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'") from exc
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=30)


def _engine_for(url: str):
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = _make_engine(url)
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, and `mentor serve` workers after a fork)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
        _READY.clear()


_READY: set[str] = set()  # URLs whose schema this process has checked
_WRITERS: dict[str, threading.Lock] = {}


def _writer_lock(url: str):
    """A lock serialising this process's write transactions on a SQLite file (none for PostgreSQL)."""
    if not url.startswith("sqlite"):
        return nullcontext()
    with _ENGINES_LOCK:
        return _WRITERS.setdefault(url, threading.Lock())
READ_ONLY = "mentor_read_only"  # execution option: a transaction that only reads


class Journal:
    """`Journal(path_or_url)`; safe to share between threads (each call takes a pooled
    connection for one transaction)."""

    def __init__(self, target: str | os.PathLike, secrets: tuple[str, ...] = ()) -> None:
        if isinstance(target, os.PathLike):
            target = Path(target)
        self._url = database_url(target)
        self.path: Path | None = Path(self._url[len("sqlite:///"):]) if self._url.startswith("sqlite:///") else None
        self._secrets = tuple(s for s in secrets if s)

    @classmethod
    def from_settings(cls, settings) -> "Journal":
        secrets = tuple(s for s in (settings.api_key, _password(settings.database_url)) if s)
        return cls(settings.journal_target, secrets=secrets)

    @property
    def backend(self) -> str:
        return "sqlite" if self._url.startswith("sqlite") else "postgresql"

    @property
    def where(self) -> str:
        """Where the journal lives, for messages (never the password)."""
        if self.path is not None:
            return str(self.path)
        import sqlalchemy as sa

        return sa.engine.make_url(self._url).render_as_string(hide_password=True)

    # --- connection and schema -----------------------------------------------------
    @property
    def engine(self):
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise JournalError(
                    f"the journal at {self.path} could not be used ({exc}); check that MENTOR_HOME is a writable folder"
                ) from None
        engine = _engine_for(self._url)
        if self._url not in _READY:
            from . import schema

            with self._errors():
                try:
                    schema.ensure_schema(engine, owner_for_name)
                except schema.NewerSchemaError as exc:
                    raise JournalError(
                        f"the journal at {self.where} was written by a newer version ({exc}); "
                        "upgrade flywheel-mentor or point MENTOR_HOME / MENTOR_DATABASE_URL elsewhere"
                    ) from None
            _READY.add(self._url)
        return engine

    @contextmanager
    def _errors(self) -> Iterator[None]:
        import sqlalchemy.exc as sa_exc

        try:
            yield
        except JournalError:
            raise
        except (sa_exc.SQLAlchemyError, OSError) as exc:
            detail = _first_line(getattr(exc, "orig", None) or exc)
            for secret in self._secrets:
                detail = detail.replace(secret, "[redacted]")
            hint = "check that the folder is writable" if self.path else "check MENTOR_DATABASE_URL and that the server is up"
            raise JournalError(f"the journal at {self.where} could not be used ({detail}); {hint}") from None

    @contextmanager
    def _tx(self):
        engine = self.engine
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of on
        # SQLite's busy handler, which sleeps in steps of up to 100 ms (the tail under load);
        # other processes still wait through busy_timeout.
        with _writer_lock(self._url), self._errors(), engine.begin() as conn:
            yield conn

    @contextmanager
    def _read_tx(self):
        """A transaction that only reads: no write lock, so a read-only journal still opens."""
        engine = self.engine
        with self._errors(), engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    @property
    def schema_version(self) -> int:
        from . import schema

        with self._tx() as conn:
            return schema.current_version(conn)

    def ping(self) -> None:
        """Raise JournalError unless the database answers (readiness checks)."""
        import sqlalchemy as sa

        with self._tx() as conn:
            conn.execute(sa.text("SELECT 1"))

    # --- journeys ----------------------------------------------------------------------
    def open(self, owner: str, display_name: str | None = None, *, create: bool = True, turns: bool = True
             ) -> tuple[Journey, Session] | None:
        """The owner's journey and its latest conversation (without its turns when `turns`
        is false); made (empty) when missing and `create` is true, else None."""
        from .schema import journeys, threads

        import sqlalchemy as sa

        with self._read_tx() as conn:  # the common case writes nothing (and works on a read-only journal)
            row = conn.execute(sa.select(journeys).where(journeys.c.owner == owner)).mappings().first()
            tid = None if row is None else conn.execute(
                sa.select(sa.func.max(threads.c.id)).where(threads.c.journey_id == row["id"])).scalar()
            if row is None and not create:
                return None
            if tid is not None:
                journey = Journey(row["id"], owner, row["display_name"], tid, row["version"], dict(row["state"]))
                return journey, self._session(journey, row["state"], self._thread_turns(conn, tid) if turns else [])
        now = time.time()
        for _ in range(3):
            with self._tx() as conn:
                row = conn.execute(sa.select(journeys).where(journeys.c.owner == owner)).mappings().first()
                if row is None:
                    if not create:
                        return None
                    state = state_of(Session(name=display_name))
                    try:
                        with conn.begin_nested():
                            jid = conn.execute(journeys.insert().values(
                                owner=owner, display_name=display_name, state=state, version=1,
                                created_at=now, updated_at=now)).inserted_primary_key[0]
                    except _integrity_error():
                        continue  # another writer made it just now: read theirs
                    tid = conn.execute(threads.insert().values(journey_id=jid, started_at=now)).inserted_primary_key[0]
                    journey = Journey(jid, owner, display_name, tid, 1, state, created=True)
                    return journey, self._session(journey, state, [])
                tid = conn.execute(sa.select(sa.func.max(threads.c.id)).where(threads.c.journey_id == row["id"])).scalar()
                if tid is None:
                    tid = conn.execute(threads.insert().values(journey_id=row["id"], started_at=now)).inserted_primary_key[0]
                journey = Journey(row["id"], owner, row["display_name"], tid, row["version"], dict(row["state"]))
                return journey, self._session(journey, row["state"], self._thread_turns(conn, tid) if turns else [])
        raise JournalError(f"the journey for {display_name or owner!r} could not be opened; try again")

    def sync(self, journey: Journey, session: Session, *, reload: bool = True) -> Session:
        """Store the session's new turns and state (merging with other writers), then load
        the merged state and thread into `session` (only the state when `reload` is false).
        Returns `session`."""
        from .schema import journeys, turns

        import sqlalchemy as sa

        mine = redact_tree(state_of(session), self._secrets)
        new_turns = []
        for turn in session.turns:
            data = redact_tree(turn.to_dict(), self._secrets)
            uid = turn_uid(data)
            if uid not in journey.saved:
                new_turns.append((uid, data))
        for _ in range(MAX_SYNC_ATTEMPTS):
            with self._tx() as conn:
                row = conn.execute(
                    sa.select(journeys.c.state, journeys.c.version).where(journeys.c.id == journey.id)
                ).first()
                if row is None:
                    raise JourneyGoneError(
                        f"the journey for {journey.display_name or journey.owner!r} was deleted (Forget me); "
                        "nothing more is saved for it"
                    )
                stored, version = dict(row.state), row.version
                if new_turns:
                    self._append(conn, journey, new_turns)
                if mine != journey.base:
                    target = mine if version == journey.version else merge_states(journey.base, mine, stored)
                    updated = conn.execute(
                        journeys.update()
                        .where(journeys.c.id == journey.id, journeys.c.version == version)
                        .values(state=target, version=version + 1, updated_at=time.time())
                    ).rowcount
                    if updated != 1:
                        conn.rollback()
                        continue  # someone wrote in between: merge against theirs and retry
                    stored, version = target, version + 1
                thread = self._thread_turns(conn, journey.thread_id) if reload else None
            journey.base, journey.version = stored, version
            if thread is None:
                journey.saved |= {uid for uid, _ in new_turns}
                self._load_into(session, journey, stored, [t.to_dict() for t in session.turns], mark=False)
            else:
                self._load_into(session, journey, stored, thread)
            return session
        raise JournalError("the journey is being changed by too many writers at once; try again")

    def _append(self, conn, journey: Journey, new_turns: list[tuple[str, dict]]) -> None:
        from .schema import turns

        now = time.time()
        rows = [dict(journey_id=journey.id, thread_id=journey.thread_id, uid=uid, role=str(data.get("role")),
                     data=data, created_at=data.get("at") or now) for uid, data in new_turns]
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        for row in rows:  # one by one: ids (the thread's order) follow the session's order
            conn.execute(insert(turns).values(**row).on_conflict_do_nothing(index_elements=["journey_id", "uid"]))

    def _thread_turns(self, conn, thread_id: int) -> list[dict]:
        from .schema import turns

        import sqlalchemy as sa

        return [r.data for r in conn.execute(
            sa.select(turns.c.data).where(turns.c.thread_id == thread_id).order_by(turns.c.id))]

    def _session(self, journey: Journey, state: dict, turn_data: list[dict]) -> Session:
        session = Session()
        self._load_into(session, journey, state, turn_data)
        return session

    def _load_into(self, session: Session, journey: Journey, state: dict, turn_data: list[dict],
                   mark: bool = True) -> None:
        try:
            loaded = Session.from_dict({**state, "turns": turn_data})
        except (ValueError, TypeError, KeyError) as exc:
            raise JournalError(
                f"the saved journey for {journey.display_name or journey.owner!r} could not be read ({exc})"
            ) from None
        loaded.name = journey.display_name or state.get("name")
        session.__dict__.update(loaded.__dict__)
        if mark:
            journey.saved = {turn_uid(t) for t in turn_data}

    def mark_saved(self, journey: Journey, turns) -> None:
        """Treat these turns as stored (e.g. replayed from a client's `messages`)."""
        journey.saved |= {turn_uid(redact_tree(t.to_dict(), self._secrets)) for t in turns}

    def start_thread(self, journey: Journey) -> None:
        """Start a new conversation in the journey (the previous ones stay)."""
        from .schema import threads

        with self._tx() as conn:
            journey.thread_id = conn.execute(
                threads.insert().values(journey_id=journey.id, started_at=time.time())).inserted_primary_key[0]
        journey.saved = set()

    def new_thread(self, journey: Journey, session: Session) -> None:
        """A new conversation in the journey: the current one is saved and kept."""
        self.sync(journey, session)
        self.start_thread(journey)
        session.clear()  # the Session's own idea of a new conversation (turns go, the journey stays)
        self.sync(journey, session, reload=False)

    def threads(self, journey: Journey) -> list[ThreadInfo]:
        """The journey's conversations, oldest first, with their number of turns."""
        from .schema import threads, turns

        import sqlalchemy as sa

        with self._tx() as conn:
            rows = conn.execute(
                sa.select(threads.c.id, threads.c.started_at, sa.func.count(turns.c.id))
                .select_from(threads.outerjoin(turns, turns.c.thread_id == threads.c.id))
                .where(threads.c.journey_id == journey.id).group_by(threads.c.id, threads.c.started_at)
                .order_by(threads.c.id)
            ).all()
        return [ThreadInfo(r[0], r[1], r[2]) for r in rows]

    def thread_turns(self, journey: Journey, thread_id: int) -> list[dict]:
        """The saved turns of one of the journey's threads (as dicts)."""
        from .schema import threads

        import sqlalchemy as sa

        with self._tx() as conn:
            owned = conn.execute(sa.select(threads.c.id).where(
                threads.c.id == thread_id, threads.c.journey_id == journey.id)).first()
            return self._thread_turns(conn, thread_id) if owned else []

    def forget(self, owner: str) -> ForgetReport:
        """Delete the owner's journey, threads, turns and feedback (one transaction)."""
        from .schema import feedback, journeys, threads, turns

        import sqlalchemy as sa

        report = ForgetReport()
        with self._tx() as conn:
            jid = conn.execute(sa.select(journeys.c.id).where(journeys.c.owner == owner)).scalar()
            if jid is not None:
                report.turns = conn.execute(turns.delete().where(turns.c.journey_id == jid)).rowcount
                report.threads = conn.execute(threads.delete().where(threads.c.journey_id == jid)).rowcount
                report.journeys = conn.execute(journeys.delete().where(journeys.c.id == jid)).rowcount
            report.feedback = conn.execute(feedback.delete().where(feedback.c.owner == owner)).rowcount
        return report

    def owners(self) -> list[str]:
        from .schema import journeys

        import sqlalchemy as sa

        with self._tx() as conn:
            return [r[0] for r in conn.execute(sa.select(journeys.c.owner).order_by(journeys.c.id))]

    def counts(self) -> dict[str, int]:
        """Rows per table (tests and `mentor doctor`-style checks)."""
        from .schema import feedback, journeys, threads, turns

        import sqlalchemy as sa

        with self._tx() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                    for t in (journeys, threads, turns, feedback)}

    # --- named journeys (local mode and `mentor chat --name`) --------------------------
    def open_named(self, name: str, create: bool = True) -> tuple[Journey, Session] | None:
        clean = validate_name(name)
        opened = self.open(owner_for_name(clean), clean, create=create)
        if opened is not None:
            opened[1].name = opened[0].display_name or clean
        return opened

    def load(self, name: str) -> Session | None:
        """The saved journey for `name` (any capitalisation), its latest conversation, or None."""
        opened = self.open_named(name, create=False)
        return opened[1] if opened else None

    def save(self, session: Session) -> None:
        """One-shot save of a named session (appends its new turns, merges its state).
        Long-lived writers should keep the handle from `open_named` and call `sync`."""
        if not session.name:
            raise JournalNameError("", "is empty: give the session a name before saving it")
        journey, stored = self.open_named(session.name)
        journey.base = state_of(stored)
        self.sync(journey, Session.from_dict(session.to_dict()))  # the caller's session is left as it is

    def names(self) -> list[str]:
        from .schema import journeys

        import sqlalchemy as sa

        with self._tx() as conn:
            return [r[0] for r in conn.execute(
                sa.select(journeys.c.display_name).where(journeys.c.owner.like("name:%"))
                .order_by(journeys.c.updated_at.desc()))]

    def delete(self, name: str) -> bool:
        return self.forget(owner_for_name(name)).journeys > 0

    # --- feedback ----------------------------------------------------------------------
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
        owner: str | None = None,
    ) -> int:
        """Store a thumbs rating (+1 or -1). With `answer_key`, rating the same answer
        again updates its row instead of adding one. Returns the row id."""
        from .schema import feedback

        import sqlalchemy as sa

        if rating not in (1, -1) or isinstance(rating, bool):
            raise InputError(f"a feedback rating is +1 or -1, not {rating!r}")
        now = time.time()
        clean_name = validate_name(name) if name else None
        values = dict(
            answer_key=answer_key,
            owner=owner or (owner_for_name(clean_name) if clean_name else None),
            name=clean_name,
            question=redact(question, self._secrets) or "",
            answer=redact(answer, self._secrets) or "",
            step=str(step) if step else None,
            source_ids=json.dumps(list(source_ids)),
            rating=rating,
            comment=redact(comment.strip(), self._secrets) if comment and comment.strip() else None,
            mode=mode,
            created_at=now,
            updated_at=now,
        )
        with self._tx() as conn:
            if answer_key is not None:
                existing = conn.execute(sa.select(feedback.c.id).where(feedback.c.answer_key == answer_key)).scalar()
                if existing is not None:
                    update = {"rating": rating, "updated_at": now}
                    if values["comment"]:
                        update["comment"] = values["comment"]
                    conn.execute(feedback.update().where(feedback.c.id == existing).values(**update))
                    return existing
            return conn.execute(feedback.insert().values(**values)).inserted_primary_key[0]

    def set_feedback_comment(self, answer_key: str, comment: str | None) -> bool:
        from .schema import feedback

        text = redact(comment.strip(), self._secrets) if comment and comment.strip() else None
        with self._tx() as conn:
            return conn.execute(
                feedback.update().where(feedback.c.answer_key == answer_key).values(comment=text, updated_at=time.time())
            ).rowcount > 0

    def feedback(self, limit: int | None = None) -> list[FeedbackRow]:
        """Feedback rows, oldest first."""
        from .schema import feedback

        import sqlalchemy as sa

        query = sa.select(feedback).order_by(feedback.c.created_at, feedback.c.id)
        if limit is not None:
            query = query.limit(int(limit))
        with self._tx() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            FeedbackRow(
                id=r["id"], answer_key=r["answer_key"], name=r["name"], question=r["question"], answer=r["answer"],
                step=r["step"], source_ids=json.loads(r["source_ids"]), rating=r["rating"], comment=r["comment"],
                mode=r["mode"], created_at=r["created_at"], updated_at=r["updated_at"], owner=r["owner"],
            )
            for r in rows
        ]


def _integrity_error():
    import sqlalchemy.exc as sa_exc

    return sa_exc.IntegrityError


def _password(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    try:
        import sqlalchemy as sa

        return sa.engine.make_url(database_url(url)).password
    except Exception:  # noqa: BLE001 - a malformed URL is reported when it is used
        return None


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
