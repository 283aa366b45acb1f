"""Codings (a code on an item or a passage of it, by a coder), stars and suggestion
verdicts."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualcode import models  # models.Coding, built when first used (see qualcode.models)
from qualcode.store.sql import coder_filter, marks

if TYPE_CHECKING:
    from qualcode.models import Coding

_SELECT = (
    'SELECT c.id, c.item_id, k.key, c.coder, c.created_at, c.start, c."end",'
    " c.memo, c.origin FROM codings c JOIN codes k ON k.id = c.code_id"
)


def select(
    conn: sqlite3.Connection,
    *,
    item_id: int | None = None,
    question: str | None = None,
    coder: str | None = None,
    code_id: int | None = None,
) -> list[Coding]:
    where: list[str] = []
    args: list[Any] = []
    if item_id is not None:
        where.append("c.item_id = ?")
        args.append(item_id)
    if question is not None:
        where.append("c.item_id IN (SELECT id FROM items WHERE question_id = ?)")
        args.append(question)
    if coder is not None:
        where.append("c.coder = ?")
        args.append(coder)
    if code_id is not None:
        where.append("c.code_id = ?")
        args.append(code_id)
    sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
    return [models.Coding(*r) for r in conn.execute(sql + " ORDER BY c.id", args)]


def get(conn: sqlite3.Connection, coding_id: int) -> Coding | None:
    row = conn.execute(_SELECT + " WHERE c.id = ?", [coding_id]).fetchone()
    return None if row is None else models.Coding(*row)


# one coding: the same item, code, coder and passage (codings_unique)
_SAME = (
    "item_id = ? AND code_id = ? AND coder = ?"
    ' AND IFNULL(start, -1) = IFNULL(?, -1) AND IFNULL("end", -1) = IFNULL(?, -1)'
)


def find(
    conn: sqlite3.Connection,
    item_id: int,
    code_id: int,
    coder: str,
    start: int | None,
    end: int | None,
) -> int | None:
    """The id of the identical coding, if there is one."""
    row = conn.execute(
        f"SELECT id FROM codings WHERE {_SAME}", [item_id, code_id, coder, start, end]
    ).fetchone()
    return None if row is None else int(row[0])


def insert(
    conn: sqlite3.Connection,
    item_id: int,
    code_id: int,
    coder: str,
    created_at: str,
    *,
    start: int | None = None,
    end: int | None = None,
    memo: str = "",
    origin: str = "",
    coding_id: int | None = None,
) -> int:
    cur = conn.execute(
        'INSERT INTO codings (id, item_id, code_id, start, "end", coder, created_at, memo,'
        " origin) VALUES (?,?,?,?,?,?,?,?,?)",
        [coding_id, item_id, code_id, start, end, coder, created_at, memo, origin],
    )
    return int(cur.lastrowid or 0)


def id_taken(conn: sqlite3.Connection, coding_id: int) -> bool:
    return conn.execute("SELECT 1 FROM codings WHERE id = ?", [coding_id]).fetchone() is not None


def delete(conn: sqlite3.Connection, coding_id: int) -> bool:
    """Delete one coding; False if it was gone already (another process removed it)."""
    return conn.execute("DELETE FROM codings WHERE id = ?", [coding_id]).rowcount > 0


def delete_of_code(conn: sqlite3.Connection, code_id: int) -> None:
    conn.execute("DELETE FROM codings WHERE code_id = ?", [code_id])


def spans_of_code(
    conn: sqlite3.Connection, code_id: int
) -> list[tuple[int, int, str, int | None, int | None]]:
    """(id, item, coder, start, end) of every coding of a code."""
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in conn.execute(
            'SELECT id, item_id, coder, start, "end" FROM codings WHERE code_id = ?', [code_id]
        )
    ]


def set_code(
    conn: sqlite3.Connection, coding_id: int, code_id: int, *, only_from: int | None = None
) -> None:
    """Give a coding another code (only if it still has ``only_from``, when given)."""
    if only_from is None:
        conn.execute("UPDATE codings SET code_id = ? WHERE id = ?", [code_id, coding_id])
    else:
        conn.execute(
            "UPDATE codings SET code_id = ? WHERE id = ? AND code_id = ?",
            [code_id, coding_id, only_from],
        )


def item_spans(conn: sqlite3.Connection, item_id: int) -> list[tuple[int, int, str, int, int]]:
    """(id, code, coder, start, end) of the passage codings of an item."""
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in conn.execute(
            'SELECT id, code_id, coder, start, "end" FROM codings WHERE item_id = ?'
            " AND start IS NOT NULL ORDER BY id",
            [item_id],
        )
    ]


def set_span(conn: sqlite3.Connection, coding_id: int, start: int, end: int) -> None:
    conn.execute('UPDATE codings SET start = ?, "end" = ? WHERE id = ?', [start, end, coding_id])


def shift_span(conn: sqlite3.Connection, coding_id: int, by: int) -> None:
    conn.execute(
        'UPDATE codings SET start = start + ?, "end" = "end" + ? WHERE id = ?',
        [by, by, coding_id],
    )


def coders(conn: sqlite3.Connection, qid: str | None = None) -> list[str]:
    """Everyone who has coded (this question), sorted."""
    if qid is None:
        rows = conn.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")
    else:
        rows = conn.execute(
            "SELECT DISTINCT c.coder FROM codings c JOIN items i ON i.id = c.item_id"
            " WHERE i.question_id = ? ORDER BY c.coder",
            [qid],
        )
    return [r[0] for r in rows]


def code_sets(
    conn: sqlite3.Connection, qid: str, coders_: Sequence[str]
) -> dict[int, dict[str, set[str]]]:
    """item id -> coder -> the codes that coder applied to it (whole item or any span)."""
    out: dict[int, dict[str, set[str]]] = {}
    for item_id, coder, key in conn.execute(
        "SELECT c.item_id, c.coder, k.key FROM codings c"
        " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
        f" WHERE i.question_id = ? AND c.coder IN ({marks(len(coders_))})",
        [qid, *coders_],
    ):
        out.setdefault(item_id, {}).setdefault(coder, set()).add(key)
    return out


def set_starred(conn: sqlite3.Connection, coding_id: int, starred: bool) -> None:
    conn.execute("UPDATE codings SET starred = ? WHERE id = ?", [int(starred), coding_id])


def is_starred(conn: sqlite3.Connection, coding_id: int) -> bool:
    row = conn.execute("SELECT starred FROM codings WHERE id = ?", [coding_id]).fetchone()
    return bool(row and row[0])


# -- suggestion verdicts ---------------------------------------------------------------------


def set_verdict(
    conn: sqlite3.Connection,
    item_id: int,
    code_id: int,
    coder: str,
    verdict: str,
    source: str,
    score: float | None,
    at: str,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO suggestion_verdicts"
        " (item_id, code_id, coder, verdict, source, score, at) VALUES (?,?,?,?,?,?,?)",
        [item_id, code_id, coder, verdict, source, score, at],
    )


def verdict_of(
    conn: sqlite3.Connection, item_id: int, code_id: int, coder: str
) -> dict[str, Any] | None:
    """The coder's verdict on a suggestion of the code for the item (verdict, source, score,
    at), or None if there is none."""
    row = conn.execute(
        "SELECT verdict, source, score, at FROM suggestion_verdicts"
        " WHERE item_id = ? AND code_id = ? AND coder = ?",
        [item_id, code_id, coder],
    ).fetchone()
    if row is None:
        return None
    return {"verdict": row[0], "source": row[1], "score": row[2], "at": row[3]}


def delete_verdict(conn: sqlite3.Connection, item_id: int, code_id: int, coder: str) -> None:
    conn.execute(
        "DELETE FROM suggestion_verdicts WHERE item_id = ? AND code_id = ? AND coder = ?",
        [item_id, code_id, coder],
    )


def verdicts(
    conn: sqlite3.Connection, qid: str | None, coder: str | None
) -> list[tuple[int, str, str, str, str]]:
    """(item id, code, coder, verdict, source) for every suggestion decided on."""
    sql = (
        "SELECT v.item_id, k.key, v.coder, v.verdict, v.source FROM suggestion_verdicts v"
        " JOIN codes k ON k.id = v.code_id JOIN items i ON i.id = v.item_id WHERE 1"
    )
    args: list[Any] = []
    if qid is not None:
        sql += " AND i.question_id = ?"
        args.append(qid)
    coder_sql, coder_args = coder_filter(coder, "v")
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in conn.execute(sql + coder_sql + " ORDER BY v.id", [*args, *coder_args])
    ]


def max_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT IFNULL(MAX(id), 0) FROM codings").fetchone()[0])


def insert_new(conn: sqlite3.Connection, values: list[tuple[Any, ...]]) -> int:
    """Insert (item, code, start, end, coder, created_at, memo) rows, skipping those the
    project holds already (the codings_unique index); how many were new."""
    return int(
        conn.executemany(
            'INSERT OR IGNORE INTO codings (item_id, code_id, start, "end", coder,'
            " created_at, memo) VALUES (?,?,?,?,?,?,?)",
            values,
        ).rowcount
    )


def questions_coded_after(conn: sqlite3.Connection, coding_id: int) -> list[str]:
    """The questions of the codings newer than ``coding_id``, in the order first coded."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT i.question_id FROM codings c JOIN items i ON i.id = c.item_id"
            " WHERE c.id > ? GROUP BY i.question_id ORDER BY MIN(c.id)",
            [coding_id],
        )
    ]


def memo_of(
    conn: sqlite3.Connection,
    item_id: int,
    code_id: int,
    coder: str,
    start: int | None,
    end: int | None,
) -> str | None:
    """The memo of the identical coding ('' if it has none), or None if there is none."""
    row = conn.execute(
        f"SELECT memo FROM codings WHERE {_SAME}", [item_id, code_id, coder, start, end]
    ).fetchone()
    return None if row is None else str(row[0] or "")


# (coding id, item id, code key, code label, coder, start, end, respondent, respondent's
# name, speaker role, item text, item position, starred)
QuoteRow = tuple[
    int, int, str, str, str, int | None, int | None, str, str, str | None, str, int, int
]


def quote_rows(
    conn: sqlite3.Connection, qid: str, stem: str, keys: Sequence[str], coder: str | None
) -> list[QuoteRow]:
    """Every coding of these codes of the codebook on the question's items, with its item
    and respondent, in file order (by respondent, item, passage start, coding id)."""
    coder_sql, coder_args = coder_filter(coder, "cd")
    return [
        (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12])
        for r in conn.execute(
            'SELECT cd.id, cd.item_id, k.key, k.label, cd.coder, cd.start, cd."end",'
            " i.respondent_id, r.name, i.speaker_role, i.text, i.position, cd.starred"
            " FROM codings cd JOIN items i ON i.id = cd.item_id"
            " JOIN codes k ON k.id = cd.code_id JOIN respondents r ON r.id = i.respondent_id"
            " WHERE i.question_id = ? AND k.codebook_id = ?"
            f" AND k.key IN ({marks(len(keys))}){coder_sql}"
            " ORDER BY i.respondent_id, i.position, cd.start, cd.id",
            [qid, stem, *keys, *coder_args],
        )
    ]


def coded_questions(conn: sqlite3.Connection, coder: str | None) -> set[str]:
    """The questions with at least one coding (by ``coder``)."""
    coder_sql, args = coder_filter(coder)
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT i.question_id FROM codings c JOIN items i ON i.id = c.item_id"
            f" WHERE 1 = 1{coder_sql}",
            args,
        )
    }


def recent_codes(conn: sqlite3.Connection, stem: str, coder: str, limit: int) -> list[str]:
    """The code keys of the codebook the coder applied last, newest first, each once."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT k.key FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE k.codebook_id = ? AND c.coder = ? GROUP BY k.key"
            " ORDER BY MAX(c.created_at) DESC, MAX(c.id) DESC LIMIT ?",
            [stem, coder, limit],
        )
    ]
