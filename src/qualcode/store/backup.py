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
from qualcode.i18n import translator
from qualcode.safe import path_name

_, _n = translator("core")

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
        raise QualcodeError(_("already exists; choose another name"), file=str(dest))
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
        raise QualcodeError(
            _("could not write the backup ({problem})").format(problem=exc), file=str(dest)
        ) from None
    except OSError as exc:
        raise QualcodeError(
            _("could not write the backup ({problem})").format(problem=exc.strerror or exc),
            file=str(dest),
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
            _("cannot make the backups folder ({problem}); nothing was changed").format(
                problem=exc.strerror or exc
            ),
            file=str(folder),
        ) from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    dest = folder / f"{Path(project_path).name}-{stamp}-{path_name(reason, 'backup')}{SUFFIX}"
    copy_to(conn, dest)
    for old in list_backups(project_path)[:-KEEP]:
        old.unlink(missing_ok=True)
    return dest
