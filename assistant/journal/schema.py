"""The journal's one schema (SQLite and PostgreSQL alike) and its versioned migrations.

`ensure_schema(engine)` runs at start, inside one transaction that holds a lock
(PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE), so two processes
starting together migrate once. The version lives in `mentor_schema`.

Version history:
1. SQLite only (before PostgreSQL support): `journeys(name_key, name, data JSON)`,
   the whole Session in one row, and `feedback`. Tracked in PRAGMA user_version.
2. A journey is a row of state (every Session field but the turns, as JSON, with an
   optimistic `version`), its conversations are `threads`, and each turn is a row in
   `turns` (appended, never rewritten). Feedback rows carry their journey's owner, so
   "Forget me" finds them. Migrating 1 → 2 moves every saved turn into a first thread.
"""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA_VERSION = 2
_ADVISORY_LOCK = 0x6D656E746F72  # "mentor"

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only
Json = sa.JSON().with_variant(JSONB(), "postgresql")

metadata = sa.MetaData()

schema_table = sa.Table("mentor_schema", metadata, sa.Column("version", sa.Integer, nullable=False))

journeys = sa.Table(
    "journeys", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(400), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200)),
    sa.Column("state", Json, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

threads = sa.Table(
    "threads", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("journey_id", Id, sa.ForeignKey("journeys.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("started_at", sa.Float, nullable=False),
)

turns = sa.Table(
    "turns", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("journey_id", Id, sa.ForeignKey("journeys.id", ondelete="CASCADE"), nullable=False),
    sa.Column("thread_id", Id, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("uid", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("data", Json, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("journey_id", "uid", name="turns_journey_uid"),
)

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("answer_key", sa.String(400), unique=True),
    sa.Column("owner", sa.String(400), index=True),
    sa.Column("name", sa.String(200)),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("step", sa.String(64)),
    sa.Column("source_ids", sa.Text, nullable=False),
    sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 1)", name="feedback_rating"), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("mode", sa.String(32)),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("updated_at", sa.Float, nullable=False),
)


class NewerSchemaError(RuntimeError):
    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(f"schema {found}, this version knows {SCHEMA_VERSION}")


def current_version(conn: sa.Connection) -> int:
    """0 = empty database, 1 = the SQLite-only first journal, else the recorded version."""
    inspector = sa.inspect(conn)
    if inspector.has_table("mentor_schema"):
        return int(conn.execute(sa.select(schema_table.c.version)).scalar() or 0)
    if conn.dialect.name == "sqlite" and inspector.has_table("journeys"):
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 1)
    return 0


def ensure_schema(engine: sa.Engine, owner_for_name) -> int:
    """Bring the database to SCHEMA_VERSION (at most once, even with several processes)."""
    from .store import READ_ONLY

    with engine.connect() as conn:  # already current: nothing to write (a read-only journal opens)
        conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            if current_version(conn) == SCHEMA_VERSION:
                return SCHEMA_VERSION
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
        version = current_version(conn)
        if version == SCHEMA_VERSION:
            return version
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(version)
        if version == 0:
            metadata.create_all(conn)
            conn.execute(schema_table.insert(), {"version": SCHEMA_VERSION})
        elif version == 1:
            _migrate_1_to_2(conn, owner_for_name)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return SCHEMA_VERSION


def _migrate_1_to_2(conn: sa.Connection, owner_for_name) -> None:
    """SQLite journal v1 → v2: each saved journey's turns become rows of its first thread."""
    from .store import turn_uid  # the same identity the journal uses for new turns

    conn.exec_driver_sql("ALTER TABLE journeys RENAME TO journeys_v1")
    conn.exec_driver_sql("ALTER TABLE feedback RENAME TO feedback_v1")
    conn.exec_driver_sql("DROP INDEX IF EXISTS feedback_created")
    metadata.create_all(conn)
    now = time.time()
    for row in conn.exec_driver_sql("SELECT name_key, name, data, created_at, updated_at FROM journeys_v1").mappings():
        data = json.loads(row["data"])
        owner = _legacy_owner(row["name"], row["name_key"], owner_for_name)
        turn_rows = data.pop("turns", []) or []
        journey_id = conn.execute(
            journeys.insert().values(owner=owner, display_name=row["name"], state=data, version=1,
                                     created_at=row["created_at"], updated_at=row["updated_at"])
        ).inserted_primary_key[0]
        thread_id = conn.execute(
            threads.insert().values(journey_id=journey_id, started_at=row["created_at"])
        ).inserted_primary_key[0]
        seen = set()
        for turn in turn_rows:
            uid = turn_uid(turn)
            if uid in seen:
                continue
            seen.add(uid)
            conn.execute(turns.insert().values(journey_id=journey_id, thread_id=thread_id, uid=uid,
                                               role=turn.get("role", "user"), data=turn,
                                               created_at=turn.get("at") or now))
    for row in conn.exec_driver_sql("SELECT * FROM feedback_v1 ORDER BY id").mappings():
        values = {k: row[k] for k in ("id", "answer_key", "name", "question", "answer", "step", "source_ids",
                                      "rating", "comment", "mode", "created_at", "updated_at")}
        values["owner"] = _legacy_owner(row["name"], None, owner_for_name) if row["name"] else None
        conn.execute(feedback.insert().values(**values))
    conn.exec_driver_sql("DROP TABLE journeys_v1")
    conn.exec_driver_sql("DROP TABLE feedback_v1")
    conn.execute(schema_table.insert(), {"version": SCHEMA_VERSION})


def _legacy_owner(name: str, legacy_key: str | None, owner_for_name) -> str:
    """A v1 name under today's rules; a name they now refuse keeps its old key (nothing is lost)."""
    try:
        return owner_for_name(name)
    except ValueError:
        return "name:" + (legacy_key or name.casefold())
