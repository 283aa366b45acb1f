"""The append-only event log: every user action, in order, with what it changed. Undo and
redo replay a coder's own events, so they survive a restart."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from qualcode.store.sql import marks


def log(
    conn: sqlite3.Connection, at: str, actor: str, action: str, payload: dict[str, Any]
) -> None:
    conn.execute(
        "INSERT INTO events (at, actor, action, payload) VALUES (?, ?, ?, ?)",
        [at, actor, action, json.dumps(payload, ensure_ascii=False, default=str)],
    )


def recent(conn: sqlite3.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """The log, oldest first (the newest ``limit`` events, when given)."""
    sql = "SELECT id, at, actor, action, payload FROM events ORDER BY id DESC"
    rows = conn.execute(sql + (" LIMIT ?" if limit else ""), [limit] if limit else []).fetchall()
    return [
        {"id": r[0], "at": r[1], "actor": r[2], "action": r[3], "payload": json.loads(r[4])}
        for r in reversed(rows)
    ]


def of_actor(
    conn: sqlite3.Connection, actor: str, actions: Sequence[str]
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(id, action, payload) of the actor's events of these actions, oldest first."""
    for event_id, action, payload in conn.execute(
        "SELECT id, action, payload FROM events WHERE actor = ? AND action IN"
        f" ({marks(len(actions))}) ORDER BY id",
        [actor, *actions],
    ):
        yield event_id, action, json.loads(payload)


def of_item(
    conn: sqlite3.Connection, item_id: int, actions: Sequence[str]
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(id, action, payload) of the events of these actions about one item, oldest first."""
    for event_id, action, payload in conn.execute(
        f"SELECT id, action, payload FROM events WHERE action IN ({marks(len(actions))})"
        " AND json_extract(payload, '$.item_id') = ? ORDER BY id",
        [*actions, item_id],
    ):
        yield event_id, action, json.loads(payload)


def last_id(conn: sqlite3.Connection) -> int | None:
    """The newest event's id: it changes whenever anybody changes the project."""
    row = conn.execute("SELECT MAX(id) FROM events").fetchone()
    return None if row[0] is None else int(row[0])


def any_of(conn: sqlite3.Connection, action: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM events WHERE action = ? LIMIT 1", [action]).fetchone()
        is not None
    )
