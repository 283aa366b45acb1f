"""What ``qualcode merge`` reads from a coder's copy and from the target, and the rows it
writes into the target. Matching and reporting are :mod:`qualcode.core.merge`'s."""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from qualcode.store import summaries as summary_store

# (source id) -> (question, respondent, position, kind, text)
SourceItem = tuple[str, str, int, str, str]
# (id, item, code, start, end, coder, created_at, memo, starred, origin)
SourceCoding = tuple[int, int, int, int | None, int | None, str, str, str, int, str]
# (target kind, target id, text, author, created_at, updated_at)
SourceMemo = tuple[str, str | None, str, str, str, str]
# (item, code, coder, verdict, source, score, at)
SourceVerdict = tuple[int, int, str, str, str, float | None, str]
# (item, coder, at): an item the coder marked 'reviewed, no theme applies'
SourceReview = tuple[int, str, str]
# (question, respondent, code key, text, author, at): a framework summary ('' taken away)
SourceSummary = tuple[str, str, str, str, str, str]
# (item, code, coder, start, end): what makes a coding the same coding
CodingKey = tuple[int, int, str, int | None, int | None]


class SourceRows(NamedTuple):
    """Everything a merge needs from one source project."""

    questions: dict[str, str]  # id -> codebook
    items: dict[int, SourceItem]
    codes: dict[int, tuple[str, str]]  # id -> (codebook, key)
    codings: list[SourceCoding]
    memos: list[SourceMemo]
    verdicts: list[SourceVerdict]
    reviews: list[SourceReview]
    summaries: list[SourceSummary]


def read_source(conn: sqlite3.Connection) -> SourceRows:
    """Read a source project in one read transaction. A file from before stars, origins,
    suggestion verdicts, 'no theme' marks or summaries reads as having none."""
    conn.execute("BEGIN")
    columns = {r[1] for r in conn.execute("PRAGMA table_info(codings)")}
    starred = "starred" if "starred" in columns else "0"
    origin = "origin" if "origin" in columns else "''"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    rows = SourceRows(
        questions=question_codebooks(conn),
        items={
            r[0]: (r[1], r[2], r[3], r[4], r[5])
            for r in conn.execute(
                "SELECT id, question_id, respondent_id, position, kind, text FROM items"
            )
        },
        codes={r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, codebook_id, key FROM codes")},
        codings=conn.execute(
            'SELECT id, item_id, code_id, start, "end", coder, created_at, memo,'
            f" {starred}, {origin} FROM codings ORDER BY id"
        ).fetchall(),
        memos=conn.execute(
            "SELECT target, target_id, text, author, created_at, updated_at FROM memos ORDER BY id"
        ).fetchall(),
        verdicts=conn.execute(
            "SELECT item_id, code_id, coder, verdict, source, score, at"
            " FROM suggestion_verdicts ORDER BY id"
        ).fetchall()
        if "suggestion_verdicts" in tables
        else [],
        reviews=[
            (int(r[0]), str(r[1]), str(r[2]))
            for r in conn.execute("SELECT item_id, coder, at FROM reviews ORDER BY item_id, coder")
        ]
        if "reviews" in tables
        else [],
        summaries=summary_store.all_rows(conn) if "summaries" in tables else [],
    )
    conn.execute("COMMIT")
    return rows


def question_codebooks(conn: sqlite3.Connection) -> dict[str, str]:
    """Question id -> the codebook it is coded with."""
    return dict(conn.execute("SELECT id, codebook_id FROM questions").fetchall())


def item_places(conn: sqlite3.Connection) -> dict[tuple[str, str, int], tuple[int, str]]:
    """(question, respondent, position) -> (item id, text) of every item."""
    return {
        (r[0], r[1], r[2]): (r[3], r[4])
        for r in conn.execute("SELECT question_id, respondent_id, position, id, text FROM items")
    }


def coding_states(conn: sqlite3.Connection) -> dict[CodingKey, list[Any]]:
    """(item, code, coder, start, end) -> [id, memo, starred] of every coding; the lists
    are the merge's to update as it goes."""
    return {
        (r[0], r[1], r[2], r[3], r[4]): [r[5], r[6], r[7]]
        for r in conn.execute(
            'SELECT item_id, code_id, coder, start, "end", id, memo, starred FROM codings'
        )
    }


def memo_keys(conn: sqlite3.Connection) -> set[tuple[str, str | None, str, str]]:
    """(target kind, target id, text, author) of every memo."""
    return {
        (r[0], r[1], r[2], r[3])
        for r in conn.execute("SELECT target, target_id, text, author FROM memos")
    }


def memo_lineage(
    conn: sqlite3.Connection,
) -> dict[tuple[str, str | None, str, str], tuple[int, str, str]]:
    """(target kind, target id, author, created_at) -> (id, text, updated_at) of every
    memo: a memo keeps its author and time of writing through every edit."""
    return {
        (r[0], r[1], r[2], r[3]): (int(r[4]), r[5], r[6])
        for r in conn.execute(
            "SELECT target, target_id, author, created_at, id, text, updated_at FROM memos"
            " ORDER BY id"
        )
    }


def update_memo(conn: sqlite3.Connection, memo_id: int, text: str, updated_at: str) -> None:
    """A memo's newer text from a copy, with the time it was written there."""
    conn.execute(
        "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?", [text, updated_at, memo_id]
    )


def insert_coding(
    conn: sqlite3.Connection,
    item_id: int,
    code_id: int,
    start: int | None,
    end: int | None,
    coder: str,
    created_at: str,
    memo: str,
    starred: bool,
    origin: str,
) -> int:
    """A coding brought in from a copy, with its own time, memo, star and origin; its id."""
    cur = conn.execute(
        'INSERT INTO codings (item_id, code_id, start, "end", coder, created_at,'
        " memo, starred, origin) VALUES (?,?,?,?,?,?,?,?,?)",
        [item_id, code_id, start, end, coder, created_at, memo, int(starred), origin],
    )
    return int(cur.lastrowid or 0)


def add_verdict(
    conn: sqlite3.Connection,
    item_id: int,
    code_id: int,
    coder: str,
    verdict: str,
    source: str,
    score: float | None,
    at: str,
) -> int:
    """Add a suggestion verdict unless the coder has one on that item and code: 1 if added,
    else 0."""
    return int(
        conn.execute(
            "INSERT OR IGNORE INTO suggestion_verdicts"
            " (item_id, code_id, coder, verdict, source, score, at)"
            " VALUES (?,?,?,?,?,?,?)",
            [item_id, code_id, coder, verdict, source, score, at],
        ).rowcount
    )


def insert_memo(
    conn: sqlite3.Connection,
    target: str,
    target_id: str | None,
    text: str,
    author: str,
    created_at: str,
    updated_at: str,
) -> int:
    """A memo brought in from a copy, with its own times; its id."""
    cur = conn.execute(
        "INSERT INTO memos (target, target_id, text, author, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?)",
        [target, target_id, text, author, created_at, updated_at],
    )
    return int(cur.lastrowid or 0)
