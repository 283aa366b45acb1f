"""Items a coder reviewed and found no theme in ("reviewed, no theme applies")."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from qualcode.store.sql import chunks, coder_filter, marks


def mark(conn: sqlite3.Connection, item_id: int, coder: str, at: str) -> bool:
    """Mark the item as reviewed with no theme by the coder; False if it was marked."""
    return (
        conn.execute(
            "INSERT OR IGNORE INTO reviews (item_id, coder, at) VALUES (?,?,?)",
            [item_id, coder, at],
        ).rowcount
        > 0
    )


def unmark(conn: sqlite3.Connection, item_id: int, coder: str) -> bool:
    """Take the mark away; False if there was none."""
    return (
        conn.execute(
            "DELETE FROM reviews WHERE item_id = ? AND coder = ?", [item_id, coder]
        ).rowcount
        > 0
    )


def marked_at(conn: sqlite3.Connection, item_id: int, coder: str) -> str | None:
    """When the coder marked the item, or None if not marked."""
    row = conn.execute(
        "SELECT at FROM reviews WHERE item_id = ? AND coder = ?", [item_id, coder]
    ).fetchone()
    return None if row is None else str(row[0])


def of_question(conn: sqlite3.Connection, qid: str, coder: str | None) -> set[int]:
    """The question's items marked 'no theme' (by ``coder``, or by anybody)."""
    coder_sql, args = coder_filter(coder, "v")
    return {
        int(r[0])
        for r in conn.execute(
            "SELECT DISTINCT v.item_id FROM reviews v JOIN items i ON i.id = v.item_id"
            f" WHERE i.question_id = ?{coder_sql}",
            [qid, *args],
        )
    }


def by_coder(conn: sqlite3.Connection, qid: str, coders: Sequence[str]) -> dict[int, set[str]]:
    """item id -> the coders (of ``coders``) who marked it 'no theme', in one question."""
    out: dict[int, set[str]] = {}
    for item_id, coder in conn.execute(
        "SELECT v.item_id, v.coder FROM reviews v JOIN items i ON i.id = v.item_id"
        f" WHERE i.question_id = ? AND v.coder IN ({marks(len(coders))})",
        [qid, *coders],
    ):
        out.setdefault(int(item_id), set()).add(str(coder))
    return out


def of_items(conn: sqlite3.Connection, item_ids: Sequence[int], coder: str) -> set[int]:
    """Which of the items the coder marked 'no theme'."""
    out: set[int] = set()
    for chunk in chunks(item_ids):
        out.update(
            int(r[0])
            for r in conn.execute(
                f"SELECT item_id FROM reviews WHERE coder = ? AND item_id IN ({marks(len(chunk))})",
                [coder, *chunk],
            )
        )
    return out


def coders(conn: sqlite3.Connection, qid: str) -> list[str]:
    """Everybody who marked an item of the question 'no theme'."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT v.coder FROM reviews v JOIN items i ON i.id = v.item_id"
            " WHERE i.question_id = ? ORDER BY v.coder",
            [qid],
        )
    ]


def all_marks(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(item id, coder, at) of every mark, for copying them between projects."""
    return [
        (int(r[0]), str(r[1]), str(r[2]))
        for r in conn.execute("SELECT item_id, coder, at FROM reviews ORDER BY item_id, coder")
    ]


def any_marks(conn: sqlite3.Connection) -> bool:
    """Does the project hold any 'no theme' mark at all?"""
    return conn.execute("SELECT 1 FROM reviews LIMIT 1").fetchone() is not None


def of_item(conn: sqlite3.Connection, item_id: int) -> set[str]:
    """The coders who marked one item 'no theme'."""
    return {
        str(r[0]) for r in conn.execute("SELECT coder FROM reviews WHERE item_id = ?", [item_id])
    }
