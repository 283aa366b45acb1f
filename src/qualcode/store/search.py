"""The full-text index over the items' texts (``items_fts``, FTS5, made by migration 9).

Triggers keep it in step with the items on insert, text change and delete; Datasette's
search (``qualcode serve``) reads it through the ``answers`` view. What is left here is
what a trigger cannot do: forget a deleted text's words for good.
"""

from __future__ import annotations

import sqlite3

FTS_TABLE = "items_fts"


def has_index(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [FTS_TABLE]
        ).fetchone()
        is not None
    )


def forget_deleted(conn: sqlite3.Connection) -> None:
    """Merge the index into one segment, dropping the words of deleted and changed texts.

    FTS5 does not rewrite a segment when a text leaves it: the old words stay in the older
    segment, and the deletion is written as the same words again (a delete marker), until
    segments are merged. After a redaction they would keep the personal data in the file
    (and VACUUM copies live pages); ``optimize`` merges every segment into one without
    them."""
    if has_index(conn):
        conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")


def matching_ids(conn: sqlite3.Connection, query: str) -> list[int]:
    """The ids of the items whose text matches an FTS5 query, by id."""
    return [
        int(r[0])
        for r in conn.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? ORDER BY rowid", [query]
        )
    ]
