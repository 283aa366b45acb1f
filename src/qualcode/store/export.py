"""What the REFI-QDA export (:mod:`qualcode.io.refiqda`) reads beyond the project API:
where each item, code and coding sits, every coding with its code's codebook, and the
items of a question with what an exact round trip needs (kind, role, emptiness, source)."""

from __future__ import annotations

import sqlite3

# (question, respondent, position)
ItemPlace = tuple[str, str, int]
# (question, respondent, position, code key, coder, start, end)
CodingPlace = tuple[str, str, int, str, str, int | None, int | None]
# (id, item, codebook, code key, coder, start, end, created_at, memo, starred, origin)
CodingRow = tuple[int, int, str, str, str, int | None, int | None, str, str, int, str]
# (id, respondent, position, kind, speaker role, text, is_empty, source)
ItemRow = tuple[int, str, int, str, str | None, str, int, str]


def item_places(conn: sqlite3.Connection) -> dict[int, ItemPlace]:
    """Item id -> (question, respondent, position) of every item."""
    return {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute("SELECT id, question_id, respondent_id, position FROM items")
    }


def coding_places(conn: sqlite3.Connection) -> dict[int, CodingPlace]:
    """Coding id -> (question, respondent, position, code key, coder, start, end)."""
    return {
        r[0]: (r[1], r[2], r[3], r[4], r[5], r[6], r[7])
        for r in conn.execute(
            "SELECT c.id, i.question_id, i.respondent_id, i.position, k.key, c.coder, c.start,"
            ' c."end" FROM codings c JOIN items i ON i.id = c.item_id'
            " JOIN codes k ON k.id = c.code_id"
        )
    }


def codings(conn: sqlite3.Connection) -> list[CodingRow]:
    """Every coding with its code's codebook and key, by item and then id."""
    return [
        (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10])
        for r in conn.execute(
            'SELECT c.id, c.item_id, k.codebook_id, k.key, c.coder, c.start, c."end",'
            " c.created_at, c.memo, c.starred, c.origin FROM codings c"
            " JOIN codes k ON k.id = c.code_id ORDER BY c.item_id, c.id"
        )
    ]


def items_of_question(conn: sqlite3.Connection, qid: str) -> list[ItemRow]:
    """Every item of the question, empty ones and interviewer turns included, by
    respondent and position."""
    return [
        (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
        for r in conn.execute(
            "SELECT id, respondent_id, position, kind, speaker_role, text, is_empty, source"
            " FROM items WHERE question_id = ? ORDER BY respondent_id, position",
            [qid],
        )
    ]
