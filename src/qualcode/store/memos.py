"""Memos: the analyst's notes on the project, an item, a coding, a code or a respondent."""

from __future__ import annotations

import sqlite3

from qualcode.models import Memo


def add(
    conn: sqlite3.Connection, target: str, target_id: str | None, text: str, author: str, at: str
) -> int:
    cur = conn.execute(
        "INSERT INTO memos (target, target_id, text, author, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?)",
        [target, target_id, text, author, at, at],
    )
    return int(cur.lastrowid or 0)


def select(conn: sqlite3.Connection, target: str | None, target_id: str | None) -> list[Memo]:
    where, args = [], []
    if target is not None:
        where.append("target = ?")
        args.append(target)
    if target_id is not None:
        where.append("target_id = ?")
        args.append(target_id)
    sql = "SELECT id, target, target_id, text, author, created_at, updated_at FROM memos" + (
        f" WHERE {' AND '.join(where)}" if where else ""
    )
    return [Memo(*r) for r in conn.execute(sql + " ORDER BY id", args)]


def exists(
    conn: sqlite3.Connection, target: str, target_id: str | None, text: str, author: str
) -> bool:
    """Is this very memo (same target, text and author) there already?"""
    return (
        conn.execute(
            "SELECT 1 FROM memos WHERE target = ? AND IFNULL(target_id, '') = ? AND text = ?"
            " AND author = ?",
            [target, target_id or "", text, author],
        ).fetchone()
        is not None
    )


def get(conn: sqlite3.Connection, memo_id: int) -> Memo | None:
    row = conn.execute(
        "SELECT id, target, target_id, text, author, created_at, updated_at FROM memos"
        " WHERE id = ?",
        [memo_id],
    ).fetchone()
    return None if row is None else Memo(*row)


def put(conn: sqlite3.Connection, memo: Memo) -> None:
    """The memo as given, under its own id (new, or written over)."""
    conn.execute(
        "INSERT OR REPLACE INTO memos (id, target, target_id, text, author, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?)",
        [
            memo.id,
            memo.target,
            memo.target_id,
            memo.text,
            memo.author,
            memo.created_at,
            memo.updated_at,
        ],
    )


def delete(conn: sqlite3.Connection, memo_id: int) -> bool:
    return conn.execute("DELETE FROM memos WHERE id = ?", [memo_id]).rowcount > 0


def next_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT IFNULL(MAX(id), 0) + 1 FROM memos").fetchone()[0])
