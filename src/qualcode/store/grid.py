"""The grid of answers (F2, g): a question's codable items that match a filter, the values
they are sorted on, and one page of rows at a time.

The order itself is worked out in :mod:`qualcode.core.grid` (a survey's order of an
attribute's values, Danish letters after z), over light rows read here; a page's texts,
codes and attribute values are read for the ids on it only, so a question of 100,000
answers never has them all in memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qualcode.store.sql import CODABLE, chunks, coder_filter, marks


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching(
    conn: sqlite3.Connection,
    qid: str,
    *,
    words: Iterable[str] = (),
    stem: str | None = None,
    codes: Sequence[Sequence[str]] = (),
    attributes: Mapping[str, Sequence[str]] | None = None,
    coder: str | None = None,
) -> list[tuple[int, str, int]]:
    """(item id, respondent, position) of the question's codable items in file order
    whose text holds every word (LIKE, as the queue's search), that carry a code of each
    list in ``codes`` (keys of codebook ``stem``: a code and its descendants; by ``coder``
    or anybody) and whose respondent has, for each attribute, one of the values given."""
    where: list[str] = [f"i.question_id = ? AND {CODABLE}"]
    args: list[Any] = [qid]
    for word in words:
        where.append("i.text LIKE ? ESCAPE '\\'")
        args.append(_like(word))
    coder_sql, coder_args = coder_filter(coder)
    for keys in codes:
        where.append(
            "EXISTS (SELECT 1 FROM codings c JOIN codes k ON k.id = c.code_id"
            f" WHERE c.item_id = i.id AND k.codebook_id = ? AND k.key IN ({marks(len(keys))})"
            f"{coder_sql})"
        )
        args += [stem, *keys, *coder_args]
    for name, values in (attributes or {}).items():
        where.append(
            "EXISTS (SELECT 1 FROM attributes a WHERE a.respondent_id = i.respondent_id"
            f" AND a.name = ? AND a.value IN ({marks(len(values))}))"
        )
        args += [name, *values]
    sql = (
        "SELECT i.id, i.respondent_id, i.position FROM items i"
        f" WHERE {' AND '.join(where)} ORDER BY i.respondent_id, i.position"
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(sql, args)]


def attribute_values(conn: sqlite3.Connection, name: str) -> dict[str, str]:
    """respondent id -> its value of the attribute (those that have one)."""
    return {
        str(r[0]): str(r[1])
        for r in conn.execute(
            "SELECT respondent_id, value FROM attributes WHERE name = ? AND value IS NOT NULL",
            [name],
        )
    }


def distinct_values(conn: sqlite3.Connection, name: str) -> list[str]:
    """The attribute's values (not blank) that some respondent has."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT value FROM attributes WHERE name = ? AND TRIM(value) != ''"
            " ORDER BY value",
            [name],
        )
    ]


def item_codes(conn: sqlite3.Connection, qid: str, coder: str | None) -> dict[int, set[str]]:
    """item id -> the code keys on it (by ``coder``, or anybody), for the question's items."""
    coder_sql, args = coder_filter(coder)
    out: dict[int, set[str]] = {}
    for item_id, key in conn.execute(
        "SELECT c.item_id, k.key FROM codings c JOIN items i ON i.id = c.item_id"
        f" JOIN codes k ON k.id = c.code_id WHERE i.question_id = ?{coder_sql}",
        [qid, *args],
    ):
        out.setdefault(int(item_id), set()).add(str(key))
    return out


def text_starts(conn: sqlite3.Connection, qid: str, length: int) -> dict[int, str]:
    """item id -> the first ``length`` characters of its text, for the question's items."""
    return {
        int(r[0]): str(r[1])
        for r in conn.execute(
            "SELECT i.id, substr(i.text, 1, ?) FROM items i WHERE i.question_id = ?",
            [length, qid],
        )
    }


def page(
    conn: sqlite3.Connection,
    item_ids: Sequence[int],
    attributes: Sequence[str],
    coder: str | None,
    length: int,
) -> tuple[dict[int, tuple[str, str, int]], dict[int, set[str]], dict[tuple[str, str], str]]:
    """What the rows of one page show, for these items only: item id -> (respondent, the
    first ``length`` characters of the text, the text's whole length); item id -> its code
    keys (by ``coder``, or anybody); (respondent, attribute) -> value."""
    items: dict[int, tuple[str, str, int]] = {}
    codes: dict[int, set[str]] = {}
    values: dict[tuple[str, str], str] = {}
    coder_sql, coder_args = coder_filter(coder)
    for chunk in chunks(item_ids):
        args: list[Any] = [length, *chunk]
        for r in conn.execute(
            "SELECT id, respondent_id, substr(text, 1, ?), length(text) FROM items"
            f" WHERE id IN ({marks(len(chunk))})",
            args,
        ):
            items[int(r[0])] = (str(r[1]), str(r[2]), int(r[3]))
        for item_id, key in conn.execute(
            "SELECT c.item_id, k.key FROM codings c JOIN codes k ON k.id = c.code_id"
            f" WHERE c.item_id IN ({marks(len(chunk))}){coder_sql}",
            [*chunk, *coder_args],
        ):
            codes.setdefault(int(item_id), set()).add(str(key))
    respondents = sorted({r for r, _t, _n in items.values()})
    if attributes:
        for some in chunks(respondents):
            for rid, name, value in conn.execute(
                "SELECT respondent_id, name, value FROM attributes"
                f" WHERE respondent_id IN ({marks(len(some))})"
                f" AND name IN ({marks(len(attributes))})",
                [*some, *attributes],
            ):
                values[str(rid), str(name)] = "" if value is None else str(value)
    return items, codes, values


def count(conn: sqlite3.Connection, qid: str) -> int:
    """How many codable items the question has (the grid unfiltered)."""
    return int(
        conn.execute(
            f"SELECT COUNT(*) FROM items i WHERE i.question_id = ? AND {CODABLE}", [qid]
        ).fetchone()[0]
    )
