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


# tables that triggers fill from the others (migration 9): the counts behind theme_counts
# and the full-text index with its shadow tables; an index, not what the project holds
DERIVED_TABLES = ("theme_respondents", "items_fts")


def is_derived(table: str) -> bool:
    return any(table == d or table.startswith(f"{d}_") for d in DERIVED_TABLES)


def table_names(conn: sqlite3.Connection, *, derived: bool = False) -> list[str]:
    """The project's tables (without SQLite's own); ``derived``: also those triggers fill."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        if derived or not is_derived(r[0])
    ]


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for checking that a failed action changed nothing (the
    tables triggers fill from the others are left out: they follow them)."""
    return {
        t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr)
        for t in table_names(conn)
    }
