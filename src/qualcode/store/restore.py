"""Backing up a project file as it is on disk, and restoring one."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.store import db, files
from qualcode.store.backup import copy_to, rotating_backup

_, _n = translator("core")


def backup_project(
    project_path: str | Path, dest: str | Path | None = None, *, reason: str = "manuel"
) -> Path:
    """Back up a project file as it is on disk: into ``dest`` (a new file), or into the
    rotating backups beside it. Only reads the project."""
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
    path = Path(project_path)
    source = db.open_file(backup_path)
    try:
        if not path.exists():
            tmp = files.private_name(path)
            try:
                out = sqlite3.connect(tmp)
                try:
                    source.backup(out)
                finally:
                    out.close()
                files.publish(tmp, path)
            finally:
                files.discard(tmp)
            return None, None
        try:
            current = db.open_file(path)
        except QualcodeError as exc:
            if not force:
                raise QualcodeError(
                    _(
                        "{problem}; give --force to keep it under another name and restore "
                        "the backup"
                    ).format(problem=exc.detail),
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
