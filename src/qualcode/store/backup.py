"""Backups of a project file, made and restored through SQLite's online backup API.

A backup is a consistent copy even while other programs write the project (the API
copies one snapshot under SQLite's own locks), and it is a single file in rollback-journal
mode, so it can be mailed, opened in any SQLite browser or restored as it is.

Rotating backups live in a folder beside the project, ``PROJECT.db.backups/``, named
``<project>-<UTC time>-<reason>.db`` so that they sort by age; the newest ``KEEP`` are
kept. Nothing else in qualcode writes or deletes in that folder.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.safe import path_name

KEEP = 10
SUFFIX = ".db"


def backups_folder(project_path: str | Path) -> Path:
    path = Path(project_path)
    return path.with_name(path.name + ".backups")


def list_backups(project_path: str | Path) -> list[Path]:
    """The project's rotating backups, oldest first."""
    folder = backups_folder(project_path)
    if not folder.is_dir():
        return []
    stem = Path(project_path).name
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.startswith(f"{stem}-") and p.name.endswith(SUFFIX) and p.is_file()
    )


def copy_to(conn: sqlite3.Connection, dest: Path) -> Path:
    """Copy the database of ``conn`` to the new file ``dest`` (refused if it exists),
    whole or not at all."""
    if dest.exists() or dest.is_symlink():
        raise QualcodeError("already exists; choose another name", file=str(dest))
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        out = sqlite3.connect(tmp)
        try:
            conn.backup(out)
            # a single, self-contained file: no -wal beside it when it is copied or mailed
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise QualcodeError(f"could not write the backup ({exc})", file=str(dest)) from None
    except OSError as exc:
        raise QualcodeError(
            f"could not write the backup ({exc.strerror or exc})", file=str(dest)
        ) from None
    finally:
        for suffix in ("", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return dest


def rotating_backup(conn: sqlite3.Connection, project_path: str | Path, reason: str) -> Path:
    """A new backup in the project's backups folder; the oldest beyond ``KEEP`` go."""
    folder = backups_folder(project_path)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise QualcodeError(
            f"cannot make the backups folder ({exc.strerror or exc}); nothing was changed",
            file=str(folder),
        ) from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    dest = folder / f"{Path(project_path).name}-{stamp}-{path_name(reason, 'backup')}{SUFFIX}"
    copy_to(conn, dest)
    for old in list_backups(project_path)[:-KEEP]:
        old.unlink(missing_ok=True)
    return dest


def backup_project(
    project_path: str | Path, dest: str | Path | None = None, *, reason: str = "manuel"
) -> Path:
    """Back up a project file as it is on disk: into ``dest`` (a new file), or into the
    rotating backups beside it. Only reads the project."""
    from qualcode.store import db

    conn = db.open_file(project_path)
    try:
        if dest is not None:
            return copy_to(conn, Path(dest))
        return rotating_backup(conn, project_path, reason)
    finally:
        conn.close()


def restore_project(
    project_path: str | Path, backup_path: str | Path, *, force: bool = False
) -> tuple[Path | None, Path | None]:
    """Make the project the backup's copy. The project as it was is backed up first (the
    restore can itself be undone by restoring that); a project file SQLite cannot read
    any more is kept under another name instead, with ``force`` only.

    Returns (the backup of the project as it was, the name the unreadable file got)."""
    from qualcode.store import db

    path = Path(project_path)
    source = db.open_file(backup_path)
    try:
        if not path.exists():
            tmp = db.private_name(path)
            try:
                out = sqlite3.connect(tmp)
                try:
                    source.backup(out)
                finally:
                    out.close()
                db.publish(tmp, path)
            finally:
                db.discard(tmp)
            return None, None
        try:
            current = db.open_file(path)
        except QualcodeError as exc:
            if not force:
                raise QualcodeError(
                    f"{exc.detail}; give --force to keep it under another "
                    "name and restore the backup",
                    file=str(path),
                ) from None
            aside = _set_aside(path)
            restore_project(path, backup_path)
            return None, aside
        try:
            before = rotating_backup(current, path, "foer-gendannelse")
        finally:
            current.close()
        db.copy_into(source, path)
        return before, None
    finally:
        source.close()


def _set_aside(path: Path) -> Path:
    """Rename an unreadable project file (with its -wal and -shm, which belong to it)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.ulaeselig-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        part = Path(f"{path}{suffix}")
        if part.exists():
            os.replace(part, Path(f"{aside}{suffix}"))
    return aside
