"""The import log (``imports``), and what a whole project holds (for checks and 'info')."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def record(
    conn: sqlite3.Connection,
    kind: str,
    file: str,
    sha256: str,
    options: dict[str, Any],
    summary: dict[str, Any],
    at: str,
) -> None:
    conn.execute(
        "INSERT INTO imports (kind, file, sha256, options, at, summary) VALUES (?,?,?,?,?,?)",
        [
            kind,
            file,
            sha256,
            json.dumps(options, ensure_ascii=False),
            at,
            json.dumps(summary, ensure_ascii=False),
        ],
    )


def table_names(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for checking that a failed action changed nothing."""
    return {
        t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr)
        for t in table_names(conn)
    }
