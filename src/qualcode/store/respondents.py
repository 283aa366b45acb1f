"""Respondents (the jobcentres) and their attributes (kommune, region, closed answers)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from qualcode import models  # models.Respondent, built when first used (see qualcode.models)
from qualcode.store.sql import chunks, marks

if TYPE_CHECKING:
    from qualcode.models import Respondent


def all_respondents(conn: sqlite3.Connection) -> list[Respondent]:
    attrs: dict[str, dict[str, str]] = {}
    for rid, name, value in conn.execute(
        "SELECT respondent_id, name, value FROM attributes ORDER BY rowid"
    ):
        attrs.setdefault(rid, {})[name] = value
    return [
        models.Respondent(rid, name, attrs.get(rid, {}))
        for rid, name in conn.execute("SELECT id, name FROM respondents ORDER BY id")
    ]


def get(conn: sqlite3.Connection, rid: str) -> Respondent | None:
    row = conn.execute("SELECT id, name FROM respondents WHERE id = ?", [rid]).fetchone()
    if row is None:
        return None
    attrs = dict(
        conn.execute(
            "SELECT name, value FROM attributes WHERE respondent_id = ? ORDER BY rowid", [rid]
        )
    )
    return models.Respondent(row[0], row[1], attrs)


def ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM respondents")]


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM respondents").fetchone()[0])


def attribute_values(conn: sqlite3.Connection, name: str) -> dict[str, str]:
    """respondent id -> the value of one attribute."""
    return dict(conn.execute("SELECT respondent_id, value FROM attributes WHERE name = ?", [name]))


def attribute_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT name FROM attributes ORDER BY name")]


def upsert(
    conn: sqlite3.Connection, rows: Iterable[tuple[str, str, dict[str, str]]], created: str
) -> tuple[int, int]:
    """Add or update (respondent id, name, attributes), in order, with the effect of one
    upsert per row: a new id is added; a non-empty name that differs, and each attribute
    that is new or differs, is written. The rows already in the project are read once per
    500 ids, the writes are executemany. (respondents added, values changed)."""
    rows = list(rows)
    names: dict[str, str] = {}
    values: dict[tuple[str, str], str | None] = {}
    wanted = list(dict.fromkeys(r[0] for r in rows))
    for chunk in chunks(wanted):
        names.update(
            conn.execute(
                f"SELECT id, name FROM respondents WHERE id IN ({marks(len(chunk))})", chunk
            )
        )
        values.update(
            ((r, n), v)
            for r, n, v in conn.execute(
                "SELECT respondent_id, name, value FROM attributes"
                f" WHERE respondent_id IN ({marks(len(chunk))})",
                chunk,
            )
        )
    added: list[tuple[str, str, str]] = []
    renamed: list[tuple[str, str]] = []
    changed: list[tuple[str, str, str]] = []
    if not names and not values and len(wanted) == len(rows):  # all new, each once
        added = [(rid, name, created) for rid, name, _attrs in rows]
        changed = [(rid, key, value) for rid, _name, attrs in rows for key, value in attrs.items()]
        rows = []
    for rid, name, attrs in rows:
        if rid not in names:
            added.append((rid, name, created))
            names[rid] = name
        elif name and names[rid] != name:
            renamed.append((name, rid))
            names[rid] = name
        for key, value in attrs.items():
            if (rid, key) not in values or values[rid, key] != value:
                changed.append((rid, key, value))
                values[rid, key] = value
    if added:
        conn.executemany("INSERT INTO respondents (id, name, created_at) VALUES (?,?,?)", added)
    if renamed:
        conn.executemany("UPDATE respondents SET name = ? WHERE id = ?", renamed)
    if changed:  # REPLACE gives a changed attribute a new rowid, as before: keep the order
        conn.executemany(
            "INSERT OR REPLACE INTO attributes (respondent_id, name, value) VALUES (?,?,?)",
            changed,
        )
    return len(added), len(renamed) + len(changed)


def held(conn: sqlite3.Connection, wanted: list[str]) -> set[str]:
    """Which of these ids the project holds (looked up, not the whole table read)."""
    out: set[str] = set()
    for chunk in chunks(wanted):
        out.update(
            r[0]
            for r in conn.execute(
                f"SELECT id FROM respondents WHERE id IN ({marks(len(chunk))})", chunk
            )
        )
    return out
