"""Memos: the analyst's notes on the project, an item, a coding, a code or a respondent."""

from __future__ import annotations

import sqlite3
from typing import Any

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


# (memo fields..., item id, question, respondent, item position, item kind, code key,
#  code label, codebook, coding start, coding end, coding coder, respondent name)
ListedRow = tuple[Any, ...]


def listed(conn: sqlite3.Connection, target: str | None = None) -> list[ListedRow]:
    """Every memo (or those on one kind of target) with what it is attached to: the item
    (an item's memo, or a coding's), the code (a code's memo, or a coding's), the
    respondent. A target deleted since leaves those columns NULL. Newest change first."""
    where, args = "", []
    if target is not None:
        where, args = "WHERE m.target = ?", [target]
    sql = f"""
        SELECT m.id, m.target, m.target_id, m.text, m.author, m.created_at, m.updated_at,
               it.id, it.question_id, COALESCE(it.respondent_id, r.id), it.position, it.kind,
               k.key, k.label, k.codebook_id, c.start, c."end", c.coder, rr.name
        FROM memos m
        LEFT JOIN codings c ON m.target = 'coding' AND c.id = CAST(m.target_id AS INTEGER)
        LEFT JOIN items it ON it.id = CASE m.target
            WHEN 'item' THEN CAST(m.target_id AS INTEGER) WHEN 'coding' THEN c.item_id END
        LEFT JOIN codes k ON k.id = CASE m.target
            WHEN 'code' THEN CAST(m.target_id AS INTEGER) WHEN 'coding' THEN c.code_id END
        LEFT JOIN respondents r ON m.target = 'respondent' AND r.id = m.target_id
        LEFT JOIN respondents rr ON rr.id = COALESCE(it.respondent_id, r.id)
        {where}
        ORDER BY m.updated_at DESC, m.id DESC
    """
    return conn.execute(sql, args).fetchall()


def target_exists(conn: sqlite3.Connection, target: str, target_id: str | None) -> bool:
    """Is there a project row for a memo on ``target`` ``target_id`` to be about?"""
    table = {"item": "items", "coding": "codings", "code": "codes", "respondent": "respondents"}
    if target == "project":
        return target_id is None
    if target not in table or target_id is None:
        return False
    key: object = target_id
    if target != "respondent":
        try:
            key = int(target_id)
        except ValueError:
            return False
    row = conn.execute(f"SELECT 1 FROM {table[target]} WHERE id = ?", [key]).fetchone()
    return row is not None


def of_item(conn: sqlite3.Connection, item_id: int) -> list[Memo]:
    """The memos on an item and on its codings, oldest first."""
    return [
        Memo(*r)
        for r in conn.execute(
            "SELECT id, target, target_id, text, author, created_at, updated_at FROM memos"
            " WHERE (target = 'item' AND target_id = ?) OR (target = 'coding' AND target_id IN"
            " (SELECT CAST(id AS TEXT) FROM codings WHERE item_id = ?)) ORDER BY id",
            [str(item_id), item_id],
        )
    ]
