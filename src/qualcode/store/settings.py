"""The project's own settings (the ``project`` table: key -> value), such as the coder
basis its numbers are counted on, and each user's last coder name."""

from __future__ import annotations

import sqlite3


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM project WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def put(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Set a setting (None removes it)."""
    if value is None:
        conn.execute("DELETE FROM project WHERE key = ?", [key])
    else:
        conn.execute(
            "INSERT INTO project (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def get_list(conn: sqlite3.Connection, key: str) -> list[str]:
    """A setting that holds a list of strings ([] when unset or not a list)."""
    import json

    raw = get(conn, key)
    if not raw:
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        return []
    return [str(v) for v in values] if isinstance(values, list) else []


def put_list(conn: sqlite3.Connection, key: str, values: list[str]) -> None:
    """Set a list of strings (an empty list removes the setting)."""
    import json

    put(conn, key, json.dumps(list(values), ensure_ascii=False) if values else None)
