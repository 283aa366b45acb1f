"""Items: open answers and interview turns, with the coding queue and its searches."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from qualcode import models  # models.Item, built when first used (see qualcode.models)
from qualcode.store.sql import CODABLE, chunks, coder_filter, marks

if TYPE_CHECKING:
    from qualcode.models import Item

_SELECT = (
    "SELECT i.id, i.question_id, i.respondent_id, i.position, i.kind, i.text,"
    " i.speaker_role, i.is_empty, r.name FROM items i"
    " JOIN respondents r ON r.id = i.respondent_id"
)


def _item(r: Sequence[Any]) -> Item:
    return models.Item(
        id=r[0],
        question=r[1],
        respondent=r[2],
        position=r[3],
        kind=r[4],
        text=r[5],
        speaker_role=r[6],
        is_empty=bool(r[7]),
        respondent_name=r[8],
    )


def of_question(
    conn: sqlite3.Connection,
    qid: str,
    *,
    include_empty: bool = False,
    include_interviewer: bool = False,
    respondent: str | None = None,
) -> list[Item]:
    """The items of a question in file order."""
    where, args = ["i.question_id = ?"], [qid]
    if not include_empty:
        where.append("i.is_empty = 0")
    if not include_interviewer:
        where.append("i.kind != 'interviewer'")
    if respondent is not None:
        where.append("i.respondent_id = ?")
        args.append(respondent)
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY i.respondent_id, i.position"
    return [_item(r) for r in conn.execute(sql, args)]


def get(conn: sqlite3.Connection, item_id: int) -> Item | None:
    row = conn.execute(f"{_SELECT} WHERE i.id = ?", [item_id]).fetchone()
    return None if row is None else _item(row)


def exists(conn: sqlite3.Connection, item_id: int) -> bool:
    return conn.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone() is not None


def context(conn: sqlite3.Connection, item: Item, turns: int) -> list[Item]:
    """The item with the turns around it in its transcript (interviewer turns included)."""
    return [
        _item(r)
        for r in conn.execute(
            f"{_SELECT} WHERE i.question_id = ? AND i.respondent_id = ?"
            " AND i.position BETWEEN ? AND ? ORDER BY i.position",
            [item.question, item.respondent, item.position - turns, item.position + turns],
        )
    ]


def turn_count(conn: sqlite3.Connection, qid: str, respondent: str) -> int:
    """How many turns (interviewer's included) a respondent's transcript has."""
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM items WHERE question_id = ? AND respondent_id = ?",
            [qid, respondent],
        ).fetchone()[0]
    )


def queue(
    conn: sqlite3.Connection, qid: str, coder: str | None
) -> tuple[list[tuple[int, str, int, str]], set[int]]:
    """The question's codable items as light rows (id, respondent, number, role) in file
    order, read from the queue index alone, and the ids of those already coded."""
    return queue_rows(conn, qid), coded_ids(conn, qid, coder)


def queue_rows(
    conn: sqlite3.Connection, qid: str, limit: int | None = None
) -> list[tuple[int, str, int, str]]:
    """The question's codable items as light rows (id, respondent, number, role) in file
    order, read from the queue index alone; with ``limit`` only the first ones. The rows
    are SQLite's own tuples (no Python per row): a million answers are 200,000 rows."""
    sql = (
        "SELECT i.id, i.respondent_id, i.position + 1, coalesce(i.speaker_role, '')"
        f" FROM items i WHERE i.question_id = ? AND {CODABLE}"
        " ORDER BY i.respondent_id, i.position"
    )
    if limit is not None:
        return conn.execute(sql + " LIMIT ?", [qid, limit]).fetchall()
    return conn.execute(sql, [qid]).fetchall()


def coded_ids(conn: sqlite3.Connection, qid: str, coder: str | None) -> set[int]:
    """The ids of the question's items coded (by ``coder``, or by anyone)."""
    coder_sql, args = coder_filter(coder)
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT c.item_id FROM codings c JOIN items i ON i.id = c.item_id"
            f" WHERE i.question_id = ?{coder_sql}",
            [qid, *args],
        )
    }


def snippets(conn: sqlite3.Connection, item_ids: Sequence[int], length: int) -> dict[int, str]:
    """The start of each item's text, for list rows."""
    out: dict[int, str] = {}
    for chunk in chunks(item_ids):
        out.update(
            conn.execute(
                f"SELECT id, substr(text, 1, ?) FROM items WHERE id IN ({marks(len(chunk))})",
                [length, *chunk],
            ).fetchall()
        )
    return out


def texts(conn: sqlite3.Connection, item_ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunks(item_ids):
        out.update(
            conn.execute(
                f"SELECT id, text FROM items WHERE id IN ({marks(len(chunk))})", chunk
            ).fetchall()
        )
    return out


def search(
    conn: sqlite3.Connection,
    qid: str,
    *,
    words: Iterable[str] = (),
    stem: str | None = None,
    keys: Sequence[str] = (),
    coder: str | None = None,
) -> set[int]:
    """Ids of the question's non-empty items whose text holds every word (case-insensitive)
    and, given ``stem`` and ``keys``, that carry one of those codes."""
    where, args = ["i.question_id = ?", "i.is_empty = 0"], [qid]
    for word in words:
        where.append("i.text LIKE ? ESCAPE '\\'")
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.append(f"%{escaped}%")
    if stem is not None:
        coder_sql, coder_args = coder_filter(coder)
        where.append(
            "EXISTS (SELECT 1 FROM codings c JOIN codes k ON k.id = c.code_id"
            f" WHERE c.item_id = i.id AND k.codebook_id = ? AND k.key IN ({marks(len(keys))})"
            f"{coder_sql})"
        )
        args += [stem, *keys, *coder_args]
    return {
        r[0] for r in conn.execute(f"SELECT i.id FROM items i WHERE {' AND '.join(where)}", args)
    }


def respondent_codes(
    conn: sqlite3.Connection, qid: str, respondent: str, coder: str | None
) -> set[str]:
    """The codes a respondent carries on any non-empty item of the question."""
    coder_sql, args = coder_filter(coder)
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT k.key FROM codings c JOIN items i ON i.id = c.item_id"
            " JOIN codes k ON k.id = c.code_id WHERE i.question_id = ? AND i.respondent_id = ?"
            f" AND i.is_empty = 0{coder_sql}",
            [qid, respondent, *args],
        )
    }


def answered(conn: sqlite3.Connection, qid: str) -> int:
    """The denominator: respondents with a codable item in the question."""
    return int(
        conn.execute(
            f"SELECT COUNT(DISTINCT i.respondent_id) FROM items i WHERE i.question_id = ?"
            f" AND {CODABLE}",
            [qid],
        ).fetchone()[0]
    )


def answered_by(conn: sqlite3.Connection, qid: str) -> set[str]:
    """The respondents with a codable item in the question."""
    return {
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT i.respondent_id FROM items i WHERE i.question_id = ? AND {CODABLE}",
            [qid],
        )
    }


def progress(conn: sqlite3.Connection, qid: str, coder: str | None) -> tuple[int, int]:
    """(items coded, items to code) for a question."""
    total = conn.execute(
        f"SELECT COUNT(*) FROM items i WHERE i.question_id = ? AND {CODABLE}", [qid]
    ).fetchone()[0]
    coder_sql, args = coder_filter(coder)
    # one index probe per item, no COUNT(DISTINCT) b-tree: a third faster on 100k items
    coded = conn.execute(
        "SELECT COUNT(*) FROM items i WHERE i.question_id = ? AND EXISTS"
        f" (SELECT 1 FROM codings c WHERE c.item_id = i.id{coder_sql})",
        [qid, *args],
    ).fetchone()[0]
    return int(coded), int(total)


def tally(conn: sqlite3.Connection, qid: str) -> tuple[int, int, int, int]:
    """(items, non-empty items, items coded, codings) of a question: 'qualcode info'."""
    items, non_empty = conn.execute(
        "SELECT COUNT(*), SUM(is_empty = 0) FROM items WHERE question_id = ?"
        " AND kind != 'interviewer'",
        [qid],
    ).fetchone()
    coded, codings = conn.execute(
        "SELECT COUNT(DISTINCT item_id), COUNT(*) FROM codings WHERE item_id IN"
        " (SELECT id FROM items WHERE question_id = ?)",
        [qid],
    ).fetchone()
    return int(items), int(non_empty or 0), int(coded), int(codings)


def existing(conn: sqlite3.Connection, qid: str) -> dict[tuple[str, int], tuple[int, str]]:
    """(respondent, position) -> (item id, text) for every item of the question."""
    return {
        (r[0], r[1]): (r[2], r[3])
        for r in conn.execute(
            "SELECT respondent_id, position, id, text FROM items WHERE question_id = ?", [qid]
        )
    }


_ITEM_COLUMNS = 8


def insert_many(conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """(question, respondent, position, kind, role, text, is_empty, source) rows.

    Written up to 500 rows per INSERT, not one statement per row: the full-text index
    (items_fts, filled by a trigger) writes its pending terms to disk at the start of
    every statement, so one row per statement made an import four times slower."""
    per = max(1, min(500, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // _ITEM_COLUMNS))
    head = (
        "INSERT INTO items (question_id, respondent_id, position, kind, speaker_role, text,"
        " is_empty, source) VALUES "
    )
    one = "(" + ",".join("?" * _ITEM_COLUMNS) + ")"
    batch: list[Any] = []
    count = 0
    for row in rows:
        batch.extend(row)
        count += 1
        if count == per:
            conn.execute(head + ",".join([one] * count), batch)
            batch, count = [], 0
    if count:
        conn.execute(head + ",".join([one] * count), batch)


def set_text(conn: sqlite3.Connection, item_id: int, text: str) -> None:
    conn.execute("UPDATE items SET text = ? WHERE id = ?", [text, item_id])


def positions(conn: sqlite3.Connection, qid: str) -> list[tuple[str, int, int, str, int]]:
    """(respondent, id, position, kind, is_empty) of every item of the question, by
    respondent and position (a covering index, items_queue, answers this)."""
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in conn.execute(
            "SELECT respondent_id, id, position, kind, is_empty FROM items"
            " WHERE question_id = ? ORDER BY respondent_id, position",
            [qid],
        )
    ]


def texts_of(conn: sqlite3.Connection, qid: str, respondent: str) -> dict[int, str]:
    """item id -> text of one respondent's items in the question."""
    return dict(
        conn.execute(
            "SELECT id, text FROM items WHERE question_id = ? AND respondent_id = ?",
            [qid, respondent],
        ).fetchall()
    )
