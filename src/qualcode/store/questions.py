"""Questions: an open question of the survey, or the interviews, each with its codebook."""

from __future__ import annotations

import sqlite3

from qualcode.models import Question


def all_questions(conn: sqlite3.Connection) -> list[Question]:
    return [
        Question(*r)
        for r in conn.execute(
            "SELECT id, text, kind, codebook_id, position FROM questions ORDER BY position, id"
        )
    ]


def kind_and_codebook(conn: sqlite3.Connection, qid: str) -> tuple[str, str] | None:
    row = conn.execute("SELECT kind, codebook_id FROM questions WHERE id = ?", [qid]).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def insert(conn: sqlite3.Connection, qid: str, text: str, kind: str, stem: str) -> None:
    """A new question, after the others."""
    position = conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    conn.execute(
        "INSERT INTO questions (id, text, kind, codebook_id, position) VALUES (?,?,?,?,?)",
        [qid, text, kind, stem, position],
    )


def set_text(conn: sqlite3.Connection, qid: str, text: str) -> None:
    conn.execute("UPDATE questions SET text = ? WHERE id = ?", [text, qid])


def waves(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(question id, wave, series as stored: '' means the question's own id), in order."""
    return [
        (r[0], r[1], r[2])
        for r in conn.execute("SELECT id, wave, series FROM questions ORDER BY position, id")
    ]


def set_wave(conn: sqlite3.Connection, qid: str, wave: str, series: str) -> None:
    conn.execute("UPDATE questions SET wave = ?, series = ? WHERE id = ?", [wave, series, qid])
