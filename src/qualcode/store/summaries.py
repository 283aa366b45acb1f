"""The framework matrix's summaries: one per question, respondent and theme (code key).

A summary taken away is kept as a row with empty text (and when, and by whom), so that a
merge can tell "taken away later" from "never written"; every read for people leaves
those rows out.
"""

from __future__ import annotations

import sqlite3

from qualcode.models import Summary
from qualcode.store.sql import CODABLE

# (question, respondent, code, text, author, at)
SummaryRow = tuple[str, str, str, str, str, str]


def get(conn: sqlite3.Connection, qid: str, rid: str, code: str) -> tuple[str, str, str] | None:
    """(text, author, at) of the cell's row (text '' if it was taken away), or None."""
    row = conn.execute(
        "SELECT text, author, at FROM summaries"
        " WHERE question_id = ? AND respondent_id = ? AND code = ?",
        [qid, rid, code],
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


def put(
    conn: sqlite3.Connection, qid: str, rid: str, code: str, text: str, author: str, at: str
) -> None:
    """Write the cell's summary ('' takes it away), replacing what the cell held."""
    conn.execute(
        "INSERT INTO summaries (question_id, respondent_id, code, text, author, at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (question_id, respondent_id, code)"
        " DO UPDATE SET text = excluded.text, author = excluded.author, at = excluded.at",
        [qid, rid, code, text, author, at],
    )


def is_row(conn: sqlite3.Connection, qid: str, rid: str) -> bool:
    """Is the respondent a row of the question's matrix (see :func:`respondents`)?"""
    return (
        conn.execute(
            f"SELECT 1 FROM items i WHERE i.question_id = ? AND i.respondent_id = ? AND {CODABLE}"
            " UNION ALL SELECT 1 FROM summaries WHERE question_id = ? AND respondent_id = ?"
            " AND text != '' LIMIT 1",
            [qid, rid, qid, rid],
        ).fetchone()
        is not None
    )


def of_question(conn: sqlite3.Connection, qid: str) -> list[Summary]:
    """The question's summaries (not those taken away), by respondent and code."""
    return [
        Summary(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
        for r in conn.execute(
            "SELECT question_id, respondent_id, code, text, author, at FROM summaries"
            " WHERE question_id = ? AND text != '' ORDER BY respondent_id, code",
            [qid],
        )
    ]


def all_rows(conn: sqlite3.Connection) -> list[SummaryRow]:
    """Every row, those taken away too: for merging and exchanging projects."""
    return [
        (str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
        for r in conn.execute(
            "SELECT question_id, respondent_id, code, text, author, at FROM summaries"
            " ORDER BY question_id, respondent_id, code"
        )
    ]


def respondents(conn: sqlite3.Connection, qid: str) -> list[tuple[str, str]]:
    """(id, name) of the respondents with something to code in the question (a non-empty
    answer, or an interview excerpt), or with a summary there: the matrix's rows."""
    return [
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT r.id, r.name FROM respondents r WHERE r.id IN ("
            f" SELECT i.respondent_id FROM items i WHERE i.question_id = ? AND {CODABLE}"
            " UNION SELECT s.respondent_id FROM summaries s"
            " WHERE s.question_id = ? AND s.text != '') ORDER BY r.id",
            [qid, qid],
        )
    ]
