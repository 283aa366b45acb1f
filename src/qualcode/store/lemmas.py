"""The Danish lemma cache file (``da-lemmas-<version>.sqlite``): one table ``lemma`` of
word -> lemma, WITHOUT ROWID. Not a project file; where it lives and when it is built is
:mod:`qualcode.nlp.lemmas`'s."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path


def build(path: str | Path, pairs: Iterable[tuple[str, str]]) -> int:
    """Write the table into the new, empty file ``path``, a later pair of a word replacing
    an earlier one; how many words it holds. Written without a journal or syncs: the
    caller builds under a temporary name and renames the finished file."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(
            "CREATE TABLE lemma (word TEXT PRIMARY KEY, lemma TEXT NOT NULL) WITHOUT ROWID"
        )
        conn.executemany("INSERT OR REPLACE INTO lemma VALUES (?, ?)", pairs)
        conn.commit()
        return int(conn.execute("SELECT COUNT(*) FROM lemma").fetchone()[0])
    finally:
        conn.close()


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to a built file, usable from any thread."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)


def lookup(conn: sqlite3.Connection, word: str) -> str | None:
    """The lemma of ``word``, or None if the table has none."""
    row = conn.execute("SELECT lemma FROM lemma WHERE word = ?", (word,)).fetchone()
    return None if row is None else str(row[0])
