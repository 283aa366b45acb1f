"""The queries behind the analyses: who coded a question (agreement), the attributes of
the jobcentres and which of them carry each code (crosstab)."""

from __future__ import annotations

import sqlite3

from qualcode.store.sql import CODABLE, coder_filter


def coders_of_codable(conn: sqlite3.Connection, qid: str) -> list[str]:
    """Everybody with a coding on a codable item of the question, sorted."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT c.coder FROM codings c JOIN items i ON i.id = c.item_id"
            f" WHERE i.question_id = ? AND {CODABLE} ORDER BY c.coder",
            [qid],
        )
    ]


def attribute_counts(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Attribute name -> value -> how many respondents have it, names and values sorted;
    an empty (or blank) value is no value."""
    out: dict[str, dict[str, int]] = {}
    for name, value, n in conn.execute(
        "SELECT name, value, COUNT(*) FROM attributes WHERE TRIM(value) != ''"
        " GROUP BY name, value ORDER BY name, value"
    ):
        out.setdefault(str(name), {})[str(value)] = int(n)
    return out


def respondents_by_code(
    conn: sqlite3.Connection, qid: str, coder: str | None = None
) -> dict[str, set[str]]:
    """Code key -> the respondents coded with it on a non-empty item of the question (by
    ``coder``, or anybody). As the counts count: an interviewer's turn is not left out."""
    coder_sql, args = coder_filter(coder)
    out: dict[str, set[str]] = {}
    for key, rid in conn.execute(
        "SELECT DISTINCT k.key, i.respondent_id FROM codings c"
        " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
        f" WHERE i.question_id = ? AND i.is_empty = 0{coder_sql}",
        [qid, *args],
    ):
        out.setdefault(str(key), set()).add(str(rid))
    return out
