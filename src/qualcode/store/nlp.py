"""What the suggestions read and cache: the texts with their cached analyses
(``nlp_docs``), the coded items a model learns from, and what a coder has decided."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from qualcode.store.sql import CODABLE, chunks, coder_filter, marks


def texts_and_cache(
    conn: sqlite3.Connection, item_ids: Sequence[int]
) -> Iterator[tuple[int, str, str | None, str | None, str | None, str | None]]:
    """(item id, text, cached pipeline, cached text hash, sentences, tokens) per item."""
    for chunk in chunks(item_ids, 900):
        yield from conn.execute(
            "SELECT i.id, i.text, d.pipeline, d.text_sha, d.sents, d.tokens FROM items i"
            f" LEFT JOIN nlp_docs d ON d.item_id = i.id WHERE i.id IN ({marks(len(chunk))})",
            chunk,
        )


def cache(conn: sqlite3.Connection, rows: list[tuple[int, str, str, str, str]]) -> None:
    """Store (item id, pipeline, text hash, sentences, tokens) rows."""
    conn.executemany(
        "INSERT OR REPLACE INTO nlp_docs (item_id, pipeline, text_sha, sents, tokens)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def forget(conn: sqlite3.Connection, item_id: int) -> None:
    """Drop an item's cached analysis (its text changed)."""
    conn.execute("DELETE FROM nlp_docs WHERE item_id = ?", [item_id])


def synchronous(conn: sqlite3.Connection, level: int | None = None) -> int:
    """The connection's synchronous setting; with ``level``, set it (returns the old)."""
    old = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    if level is not None:
        conn.execute(f"PRAGMA synchronous = {int(level)}")
    return old


def coded(conn: sqlite3.Connection, qids: Sequence[str], coder: str | None) -> dict[int, set[str]]:
    """item id -> the codes on it, for every coded item of the questions; an item where a
    suggestion was rejected counts too, with the codes it has (maybe none)."""
    coder_sql, args = coder_filter(coder)
    codes: dict[int, set[str]] = {}
    for iid, key in conn.execute(
        "SELECT c.item_id, k.key FROM codings c JOIN items i ON i.id = c.item_id"
        f" JOIN codes k ON k.id = c.code_id WHERE i.question_id IN ({marks(len(qids))})"
        f"{coder_sql}",
        [*qids, *args],
    ):
        codes.setdefault(iid, set()).add(key)
    verdict_sql, verdict_args = coder_filter(coder, "v")
    for (iid,) in conn.execute(
        "SELECT v.item_id FROM suggestion_verdicts v JOIN items i ON i.id = v.item_id"
        f" WHERE v.verdict = 'rejected' AND i.question_id IN ({marks(len(qids))}){verdict_sql}",
        [*qids, *verdict_args],
    ):
        codes.setdefault(iid, set())
    return codes


def codable_order(conn: sqlite3.Connection, qids: Sequence[str]) -> list[int]:
    """The codable items of the questions, in file order (ids only)."""
    return [
        r[0]
        for r in conn.execute(
            f"SELECT i.id FROM items i WHERE i.question_id IN ({marks(len(qids))}) AND {CODABLE}"
            " ORDER BY i.question_id, i.respondent_id, i.position",
            list(qids),
        )
    ]


def decided(
    conn: sqlite3.Connection, coder: str, item_ids: Sequence[int]
) -> Iterator[tuple[int, str]]:
    """(item id, code) the coder has on, or rejected on, each item. An accepted suggestion
    counts through its coding: once the coder takes the coding off by hand, the code can
    be suggested again (a rejection is what says it is wrong)."""
    for chunk in chunks(item_ids, 900):
        m = marks(len(chunk))
        yield from conn.execute(
            "SELECT c.item_id, k.key FROM codings c JOIN codes k ON k.id = c.code_id"
            f" WHERE c.coder = ? AND c.item_id IN ({m})"
            " UNION SELECT v.item_id, k.key FROM suggestion_verdicts v"
            " JOIN codes k ON k.id = v.code_id"
            f" WHERE v.verdict = 'rejected' AND v.coder = ? AND v.item_id IN ({m})",
            [coder, *chunk, coder, *chunk],
        )


def searchable(conn: sqlite3.Connection, qid: str | None) -> list[tuple[Any, ...]]:
    """(item id, question, respondent, name, role, text) of every codable item (of one
    question), in the project's order: what keyword-in-context looks through."""
    sql = (
        "SELECT i.id, i.question_id, i.respondent_id, r.name, IFNULL(i.speaker_role, ''),"
        " i.text FROM items i JOIN respondents r ON r.id = i.respondent_id"
        f" JOIN questions q ON q.id = i.question_id WHERE {CODABLE}"
    )
    args: list[str] = []
    if qid is not None:
        sql += " AND i.question_id = ?"
        args.append(qid)
    return list(conn.execute(sql + " ORDER BY q.position, i.respondent_id, i.position", args))
