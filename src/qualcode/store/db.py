"""Opening a project file: pragmas, migrations, and the checks that it is one of ours."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from qualcode.errors import QualcodeError
from qualcode.store.schema import SCHEMA_VERSION, migrations

BUSY_TIMEOUT_MS = 10_000
APP_ID = 0x51434F44  # "QCOD" in PRAGMA application_id


def now() -> str:
    """An ISO-8601 UTC timestamp with microseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def connect(path: str | Path, *, create: bool = False) -> Database:
    """Open (and migrate) a project file. Refuse files that are not qualcode projects."""
    path = Path(path)
    existed = path.exists()
    if not existed and not create:
        raise QualcodeError("no such project file (create it with 'qualcode demo' or an import)",
                            file=str(path))
    if existed and path.is_dir():
        raise QualcodeError("is a folder, not a project file", file=str(path))
    if existed and path.stat().st_size > 0:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise QualcodeError("not a qualcode project (not an SQLite file)", file=str(path))
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise QualcodeError(f"cannot open: {exc}", file=str(path)) from None
    db = Database(conn)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        tables = set(db.table_names())
        if tables and "events" not in tables:
            raise QualcodeError("not a qualcode project (an SQLite file with other tables)",
                                file=str(path))
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk before the screen says so, power cut included
        db.execute("PRAGMA synchronous = FULL")
        applied = len(migrations.applied(db))
        if applied > SCHEMA_VERSION:
            raise QualcodeError(f"written by a newer qualcode (schema {applied}, this version "
                                f"knows {SCHEMA_VERSION}); upgrade qualcode", file=str(path))
        if applied < SCHEMA_VERSION:
            # one migrator at a time: a second process opening the same old file waits for
            # the lock, then finds the migrations done
            conn.execute("BEGIN IMMEDIATE")
            try:
                if len(migrations.applied(db)) < SCHEMA_VERSION:
                    migrations.apply(db)  # each migration nests as a savepoint
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    db.execute(f"PRAGMA application_id = {APP_ID}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise QualcodeError(f"not a usable project file ({exc})", file=str(path)) from None
    except BaseException:
        conn.close()
        raise
    return db


def schema_version(db: Database) -> int:
    return len(migrations.applied(db))
