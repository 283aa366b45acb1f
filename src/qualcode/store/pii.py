"""What finding and redacting personal data reads and writes: the texts to scan, an item's
text and place, moving coded spans past a placeholder, SQLite's ``secure_delete``, and
whether a backup still holds a redacted text. The patterns are :mod:`qualcode.core.pii`'s."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from qualcode.store import codings as coding_store
from qualcode.store.sql import marks

# (item id, question, respondent, respondent's name, position, speaker role, text)
ScanRow = tuple[int, str, str, str | None, int, str | None, str]
# (coding id, code id, coder, new start, new end)
SpanMove = tuple[int, int, str, int, int]

_PARKED = 1_000_000_000  # out of the way of every real offset


def scan_rows(
    conn: sqlite3.Connection,
    qids: Sequence[str] | None = None,
    item_ids: Sequence[int] | None = None,
) -> Iterator[ScanRow]:
    """The non-empty items (of these questions, with these ids), interviewer turns included,
    in question and file order; read as they are used, not all held at once."""
    where: list[str] = ["i.is_empty = 0"]
    args: list[str | int] = []
    if qids is not None:
        where.append(f"i.question_id IN ({marks(len(qids))})")
        args += list(qids)
    if item_ids is not None:
        where.append(f"i.id IN ({marks(len(item_ids))})")
        args += list(item_ids)
    for r in conn.execute(
        "SELECT i.id, i.question_id, i.respondent_id, r.name, i.position, i.speaker_role,"
        " i.text FROM items i JOIN respondents r ON r.id = i.respondent_id"
        " JOIN questions q ON q.id = i.question_id"
        f" WHERE {' AND '.join(where)}"
        " ORDER BY q.position, q.id, i.respondent_id, i.position",
        args,
    ):
        yield (r[0], r[1], r[2], r[3], r[4], r[5], r[6])


def item_ids(conn: sqlite3.Connection, keys: Iterable[tuple[str, str, int]]) -> list[int]:
    """The ids of the items (question, respondent, position) that exist."""
    out = []
    for key in keys:
        row = conn.execute(
            "SELECT id FROM items WHERE question_id = ? AND respondent_id = ? AND position = ?",
            key,
        ).fetchone()
        if row is not None:
            out.append(int(row[0]))
    return out


def item_text(conn: sqlite3.Connection, item_id: int) -> tuple[str, str, str, int] | None:
    """(text, question, respondent, position) of an item, or None if it is gone."""
    row = conn.execute(
        "SELECT text, question_id, respondent_id, position FROM items WHERE id = ?", [item_id]
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def secure_delete(conn: sqlite3.Connection, level: int | None = None) -> int:
    """The connection's secure_delete setting; with ``level``, set it (returns the old)."""
    old = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    if level is not None:
        conn.execute(f"PRAGMA secure_delete = {int(level)}")
    return old


def move_spans(conn: sqlite3.Connection, item_id: int, moves: Sequence[SpanMove]) -> None:
    """Give passage codings of an item their new offsets. The moving spans are parked out
    of the way of the codings_unique index first; a coding that lands on one identical to
    it (same code, coder and span) is deleted, the other kept."""
    for coding_id, *_rest in moves:
        coding_store.shift_span(conn, coding_id, _PARKED)
    for coding_id, code_id, coder, start, end in moves:
        dup = conn.execute(
            "SELECT id FROM codings WHERE item_id = ? AND code_id = ? AND coder = ?"
            ' AND start = ? AND "end" = ? AND id != ?',
            [item_id, code_id, coder, start, end, coding_id],
        ).fetchone()
        if dup is not None:
            coding_store.delete(conn, coding_id)
        else:
            coding_store.set_span(conn, coding_id, start, end)


def holds_any(conn: sqlite3.Connection, texts: Iterable[str]) -> bool:
    """Does any item's text contain one of ``texts`` (as it is, case and all)?"""
    return any(_holds(conn, t) for t in texts)


def _holds(conn: sqlite3.Connection, text: str) -> bool:
    row = conn.execute("SELECT 1 FROM items WHERE instr(text, ?) > 0 LIMIT 1", [text]).fetchone()
    return row is not None
