"""How many distinct respondents carry each code of a question: the report's numbers.

Two mentions by one respondent count once; only non-empty items count. Without nesting
the items of the question are read first (items_queue), then their codings
(codings_unique), and the rows are grouped by code id; the code keys are joined on
afterwards, to the handful of groups rather than to every coding. CROSS JOIN keeps that
order whatever the planner guesses.

With nesting every code stands for itself and all its descendants: ``lineage`` pairs each
code of the codebook with each of its ancestors (and itself); a coding counts once
towards every ancestor of its code, and COUNT(DISTINCT) makes a respondent coded with both
a child and its parent count once. UNION (not UNION ALL) so that a damaged file with a
cycle in parent_id cannot loop forever.
"""

from __future__ import annotations

import sqlite3

from qualcode.store.sql import coder_filter

_DIRECT = """
SELECT k.key, g.n FROM (
    SELECT c.code_id AS code_id, COUNT(DISTINCT i.respondent_id) AS n
    FROM items i CROSS JOIN codings c
    WHERE i.question_id = ? AND i.is_empty = 0 AND c.item_id = i.id {coder}
    GROUP BY c.code_id
) g JOIN codes k ON k.id = g.code_id
WHERE k.codebook_id = ?
"""

_ROLLUP = """
WITH RECURSIVE lineage(ancestor_id, code_id) AS (
    SELECT id, id FROM codes WHERE codebook_id = ?
    UNION
    SELECT l.ancestor_id, k.id FROM lineage l JOIN codes k ON k.parent_id = l.code_id
)
SELECT k.key, g.n FROM (
    SELECT l.ancestor_id AS code_id, COUNT(DISTINCT i.respondent_id) AS n
    FROM items i CROSS JOIN codings c CROSS JOIN lineage l
    WHERE i.question_id = ? AND i.is_empty = 0 AND c.item_id = i.id {coder}
      AND l.code_id = c.code_id
    GROUP BY l.ancestor_id
) g JOIN codes k ON k.id = g.code_id
"""


def respondents_per_code(
    conn: sqlite3.Connection, qid: str, stem: str, *, nested: bool, coder: str | None
) -> dict[str, int]:
    """Code key -> distinct respondents with it (or, ``nested``, any descendant). Codes
    nobody carries are left out."""
    coder_sql, coder_args = coder_filter(coder)
    if nested:
        sql, args = _ROLLUP, [stem, qid, *coder_args]
    else:
        sql, args = _DIRECT, [qid, *coder_args, stem]
    return {r[0]: int(r[1]) for r in conn.execute(sql.format(coder=coder_sql), args)}


def respondents_with_codes(
    conn: sqlite3.Connection, qid: str, code_ids: list[int], coder: str | None
) -> set[str]:
    """The respondents with any of these codes on a non-empty item of the question."""
    coder_sql, coder_args = coder_filter(coder)
    marks = ",".join("?" * len(code_ids))
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT i.respondent_id FROM codings c JOIN items i ON i.id = c.item_id"
            f" WHERE i.question_id = ? AND i.is_empty = 0 AND c.code_id IN ({marks}){coder_sql}",
            [qid, *code_ids, *coder_args],
        )
    }
