"""Opening a project file: the one place where connections to it are made.

Rules this module keeps, so that no caller has to remember them:

- **Only SQLite opens the project file, its -wal and its -shm.** On POSIX, closing *any*
  descriptor of a file drops every lock the process holds on it, those of SQLite
  connections already open included; another process then believes it is the last one
  and deletes the WAL that this process still writes to (SQLite's "How To Corrupt An
  SQLite Database File", 2.2). So the checks that a file is a qualcode project are made
  through an SQLite connection, never with ``open()``.
- **Reading never writes.** ``readonly=True`` opens with ``mode=ro`` and ``query_only``:
  no migration, no journal-mode switch, no cache. A file that is refused (empty, another
  program's database, a newer qualcode's project) is left byte for byte as it was. An
  older project is read through an upgraded copy in memory.
- **Writing an older project backs it up first** (through the backup API, beside the
  project) and says where the copy is.
- **No writing over a network file system** (see :mod:`qualcode.store.fs`).
- **A writer waits for another writer** instead of failing with "database is locked"
  (see :func:`begin_write`).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError, WriterBusy
from qualcode.i18n import translator
from qualcode.store.schema import MIGRATION_SET, SCHEMA_VERSION, migrator

_, _n = translator("core")

BUSY_TIMEOUT_MS = 10_000
APP_ID = 0x51434F44  # "QCOD" in PRAGMA application_id
REQUIRED_TABLES = frozenset({"events", "items", "codings", "codes", "questions"})

Notice = Callable[[str], None]


def now() -> str:
    """An ISO-8601 UTC timestamp with microseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def connect(
    path: str | Path, *, create: bool = False, readonly: bool = False, notice: Notice | None = None
) -> sqlite3.Connection:
    """Open a project file, checked to be a qualcode project.

    ``readonly``: for commands that only read; nothing is ever written to the file.
    ``create``: make a new project if the file is missing (or empty). ``notice`` is told,
    in one line, what a user should know: an upgrade and where the backup is, or that an
    older file was read without being upgraded."""
    path = Path(path)
    name = str(path)
    say = notice or (lambda _msg: None)
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise QualcodeError(
            _("cannot open ({problem})").format(problem=exc.strerror or exc), file=name
        ) from None
    if info is None and (readonly or not create):
        raise QualcodeError(
            _("no such project file (create it with 'qualcode demo' or an import)"), file=name
        )
    if path.is_dir():
        raise QualcodeError(_("is a folder, not a project file"), file=name)
    if info is not None and not path.is_file():
        raise QualcodeError(_("is not a regular file, so not a project file"), file=name)
    if not readonly:
        _check_local(path)
    conn = _open(path, name, readonly=readonly, create=create and info is None)
    try:
        state = _inspect(conn, name, empty_ok=create and not readonly)
        if readonly:
            return _read_view(conn, state, name, say)
        return _writable(conn, path, state, name, say)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise damaged(name, exc) from None
    except BaseException:
        conn.close()
        raise


def damaged(name: str, exc: BaseException) -> QualcodeError:
    """The one-line error for a file SQLite cannot read."""
    text = str(exc)
    if "file is not a database" in text:
        return QualcodeError(_("not a qualcode project (not an SQLite file)"), file=name)
    return QualcodeError(
        _(
            "the project file is damaged or unreadable ({problem}); restore a backup with "
            "'qualcode restore' (see 'qualcode backup --list')"
        ).format(problem=text),
        file=name,
    )


def _check_local(path: Path) -> None:
    from qualcode.store import fs  # only when opening to write: a reading command skips it

    kind = fs.network_filesystem(path)
    if kind and not fs.network_writes_allowed():
        raise QualcodeError(
            _(
                "is on a network file system ({kind}), where two computers can write the "
                "project at once and corrupt it; copy it to a local folder, one copy per "
                "coder, and join the copies with 'qualcode merge'"
            ).format(kind=kind),
            file=str(path),
        )


def _open(path: Path, name: str, *, readonly: bool, create: bool) -> sqlite3.Connection:
    mode = "ro" if readonly else ("rwc" if create else "rw")
    try:
        # isolation_level=None: no hidden BEGIN before a write; every transaction is begun
        # and ended explicitly (see begin_write and Project.transaction)
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode={mode}",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
    except sqlite3.Error as exc:
        raise QualcodeError(_("cannot open ({problem})").format(problem=exc), file=name) from None
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


class _State:
    """What the file holds, read without writing anything."""

    def __init__(self, tables: set[str], applied: int, app_id: int) -> None:
        self.tables = tables
        self.applied = applied
        self.app_id = app_id

    @property
    def empty(self) -> bool:
        return not self.tables


def _inspect(conn: sqlite3.Connection, name: str, *, empty_ok: bool) -> _State:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if not tables:
        if not empty_ok:
            raise QualcodeError(_("is empty, not a qualcode project"), file=name)
        return _State(tables, 0, app_id)
    if (
        app_id not in (0, APP_ID)
        or not tables >= REQUIRED_TABLES
        or "_sqlite_migrations" not in tables
    ):
        raise QualcodeError(
            _("not a qualcode project (an SQLite file with other tables)"), file=name
        )
    applied = schema_version(conn)
    if applied > SCHEMA_VERSION:
        raise QualcodeError(
            _(
                "written by a newer qualcode (schema {applied}, this version knows "
                "{current}); upgrade qualcode"
            ).format(applied=applied, current=SCHEMA_VERSION),
            file=name,
        )
    return _State(tables, applied, app_id)


def _read_view(
    conn: sqlite3.Connection, state: _State, name: str, say: Notice
) -> sqlite3.Connection:
    """A read-only view: the file itself, or an upgraded copy of an older file in memory."""
    conn.execute("PRAGMA foreign_keys = ON")
    if state.applied == SCHEMA_VERSION:
        return conn
    memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    try:
        conn.backup(memory)
    finally:
        conn.close()
    _migrate(memory)
    memory.execute("PRAGMA query_only = ON")
    say(
        _(
            "{file} was written by an older qualcode (schema {applied} of {current}); read "
            "as it is, without upgrading the file"
        ).format(file=name, applied=state.applied, current=SCHEMA_VERSION)
    )
    return memory


def _writable(
    conn: sqlite3.Connection, path: Path, state: _State, name: str, say: Notice
) -> sqlite3.Connection:
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit is on disk before the screen says so, power cut included
    conn.execute("PRAGMA synchronous = FULL")
    if state.applied < SCHEMA_VERSION:
        from qualcode.store import backup as backups  # only to upgrade

        # the file as it was, first (the backup API cannot copy from inside this
        # connection's write transaction; a second process migrating at the same moment
        # makes a second, identical copy)
        kept = (
            None if state.empty else backups.rotating_backup(conn, path, f"schema{state.applied}")
        )
        # one migrator at a time: a second process opening the same old file waits for the
        # lock, then finds the migrations done
        begin_write(conn, name=name)
        try:
            if schema_version(conn) < SCHEMA_VERSION:
                _migrate(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if kept is not None:
            say(
                _(
                    "{file} was upgraded from schema {applied} to {current}; the file as it "
                    "was is kept at {backup}"
                ).format(file=name, applied=state.applied, current=SCHEMA_VERSION, backup=kept)
            )
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        migrate_with_sqlite_utils(conn)
    else:
        migrate_new_file(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute(f"PRAGMA application_id = {APP_ID}")


def migrate_with_sqlite_utils(conn: sqlite3.Connection) -> None:
    """Apply the pending migrations as a sqlite-utils migration set, inside the caller's
    transaction (each migration nests as a savepoint)."""
    from sqlite_utils import Database  # only here: sqlite-utils imports pandas

    migrator().apply(Database(conn))


# sqlite-utils' table of applied migrations, as its Migrations.ensure_migrations_table
# creates it (sqlite-utils 4): the same text, so that a new file is the same file
MIGRATIONS_TABLE = (
    'CREATE TABLE "_sqlite_migrations" (\n'
    '   "id" INTEGER PRIMARY KEY,\n'
    '   "migration_set" TEXT,\n'
    '   "name" TEXT,\n'
    '   "applied_at" TEXT\n'
    ")",
    'CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"\n'
    '    ON "_sqlite_migrations" ("migration_set", "name")',
)


class _Statements:
    """What a migration is given: it only runs statements (``execute``), which is all of
    sqlite-utils' Database it uses."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, () if parameters is None else parameters)


def migrate_new_file(conn: sqlite3.Connection) -> None:
    """Every migration on an empty file, inside the caller's transaction, as sqlite-utils
    applies them (:func:`migrate_with_sqlite_utils`) and without importing it (it imports
    pandas, about 0.3 s): its migrations table, each migration in a savepoint with the
    row that records it, and its ``recursive_triggers`` on the connection."""
    from qualcode.store.schema import MIGRATIONS

    conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils' Database(conn) does
    for statement in MIGRATIONS_TABLE:
        conn.execute(statement)
    runner: Any = _Statements(conn)
    for migration in MIGRATIONS:
        savepoint = f"qualcode_{os.urandom(8).hex()}"
        conn.execute(f"SAVEPOINT {savepoint}")
        try:
            migration(runner)
            conn.execute(
                'INSERT INTO "_sqlite_migrations" ("migration_set", "name", "applied_at")'
                " VALUES (?, ?, ?)",
                [MIGRATION_SET, migration.__name__, str(datetime.now(UTC))],
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {savepoint}")


def schema_version(conn: sqlite3.Connection) -> int:
    """How many of qualcode's migrations the file has had."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return 0
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        ).fetchone()[0]
    )


def is_readonly(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


@contextmanager
def write_transaction(
    conn: sqlite3.Connection,
    *,
    patience: float = 15 * 60.0,
    waiting: Notice | None = None,
    name: str = "",
) -> Iterator[sqlite3.Connection]:
    """All of the block is committed, or none of it. The write lock is taken at the start
    (:func:`begin_write`), so a read that turns into a write never fails half-way; inside
    an open transaction the block is a savepoint of it."""
    if conn.in_transaction:
        with savepoint(conn):
            yield conn
        return
    begin_write(conn, patience=patience, waiting=waiting, name=name)
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def data_version(conn: sqlite3.Connection) -> tuple[int, int]:
    """Changes when anybody commits to the file: SQLite's data_version moves with other
    connections' commits, total_changes with this one's writes."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes


@contextmanager
def savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """A part of the enclosing transaction that is undone alone if it fails."""
    name = f"qualcode_{os.urandom(8).hex()}"
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # a RAISE(ROLLBACK) may have ended the whole transaction
            conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            conn.execute(f"RELEASE SAVEPOINT {name}")
        raise
    else:
        conn.execute(f"RELEASE SAVEPOINT {name}")


# -- waiting for the write lock ---------------------------------------------------------

WAIT_STEP_MS = 1000  # how long one attempt waits before the waiting is reported
DEFAULT_PATIENCE_S = 15 * 60.0


def begin_write(
    conn: sqlite3.Connection,
    *,
    patience: float = DEFAULT_PATIENCE_S,
    waiting: Notice | None = None,
    name: str = "",
) -> None:
    """``BEGIN IMMEDIATE``: take the write lock, waiting while another writer holds it.

    The first attempt waits up to a second; if the lock is still taken, ``waiting`` is
    told once (the CLI prints a line, the workbench shows a note) and the wait goes on
    for up to ``patience`` seconds in all. Only then does :class:`WriterBusy` end it."""
    start = time.monotonic()
    told = False
    conn.execute(f"PRAGMA busy_timeout = {min(WAIT_STEP_MS, int(patience * 1000))}")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            waited = time.monotonic() - start
            if waited >= patience:
                raise WriterBusy(
                    _(
                        "another program has been writing the project for {seconds} s; try "
                        "again when it is done"
                    ).format(seconds=f"{waited:.0f}"),
                    file=name or None,
                )
            if not told and waiting is not None:
                told = True
                waiting(
                    _("waiting for another program that is writing {file}").format(file=name)
                    if name
                    else _("waiting for another program that is writing the project")
                )
            remaining_ms = int((patience - waited) * 1000)
            conn.execute(f"PRAGMA busy_timeout = {max(1, min(5 * WAIT_STEP_MS, remaining_ms))}")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


# -- after removing data that must not stay in the file ---------------------------------


def purge_freed(conn: sqlite3.Connection) -> bool:
    """Rewrite the file without the pages and log frames that held deleted data: the
    full-text index merged without the words of deleted texts, VACUUM, then a checkpoint
    that truncates the WAL. False when another program's open read kept the WAL from being
    emptied (it is emptied when that program closes the project)."""
    from qualcode.store import search

    conn.execute("PRAGMA secure_delete = ON")
    search.forget_deleted(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy


def copy_into(source: sqlite3.Connection, path: Path) -> None:
    """Make the existing SQLite file ``path`` a copy of ``source``'s database, through the
    backup API: under SQLite's locks, so programs that have ``path`` open see the new
    content instead of a file swapped under them."""
    _check_local(path)
    try:
        target = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise QualcodeError(
            _("cannot open ({problem})").format(problem=exc), file=str(path)
        ) from None
    try:
        source.backup(target)
    except sqlite3.DatabaseError as exc:
        raise damaged(str(path), exc) from None
    finally:
        target.close()


def open_file(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to the project file as it is on disk (not upgraded), once
    it is checked to be a qualcode project this version can read: for copying it."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise QualcodeError(_("no such project file"), file=name)
    conn = _open(path, name, readonly=True, create=False)
    try:
        _inspect(conn, name, empty_ok=False)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise damaged(name, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn
