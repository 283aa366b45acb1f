"""What ``qualcode serve`` publishes from the project file: its tables (hidden in
Datasette), its views, the full-text index the ``answers`` view searches, and the SQL of
the canned queries. The titles and the metadata file are :mod:`qualcode.io.datasette`'s."""

from __future__ import annotations

import sqlite3

from qualcode.store.imports import table_names
from qualcode.store.search import FTS_TABLE

# the view searched through FTS_TABLE, and its column that is the item's id (the index's
# rowid)
SEARCHED_VIEW = "answers"
SEARCHED_KEY = "id"

# Datasette's canned queries: named parameters become form fields, left empty they are ''
QUERIES = {
    # one question's table: the coder given, else the project's basis, else every coder
    "counts_per_question": """
SELECT t.code, t.label, t.respondents, t.answered, t.percent, t.coder
FROM theme_counts t
WHERE t.question = :question
  AND t.coder = COALESCE(
        NULLIF(:coder, ''),
        NULLIF((SELECT value FROM project WHERE key = 'basis'), ''),
        '*')
ORDER BY t.position
""".strip(),
    # every coded passage of a theme (key or label, its children included), as F3 and
    # 'qualcode quotes' list them; starred first
    "quotes_per_theme": """
WITH RECURSIVE theme(id) AS (
    SELECT k.id FROM codes k
    WHERE (k.key = :theme OR k.label = :theme)
      AND (:question = '' OR k.codebook_id =
           (SELECT codebook_id FROM questions WHERE id = :question))
    UNION
    SELECT k.id FROM codes k JOIN theme t ON k.parent_id = t.id
)
SELECT p.question, p.respondent, p.name, p.item, p.role, p.code, p.label, p.text,
       p.starred, p.coder
FROM coded_passages p JOIN codings c ON c.id = p.coding
WHERE c.code_id IN (SELECT id FROM theme)
  AND (:question = '' OR p.question = :question)
  AND (:only_starred = '' OR p.starred = 1)
ORDER BY p.starred DESC, p.question, p.respondent, p.item, p.start
""".strip(),
}


def tables(conn: sqlite3.Connection) -> list[str]:
    """Every table of the project, those triggers fill included."""
    return table_names(conn, derived=True)


def views(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
    ]


def search_index() -> tuple[str, str, str]:
    """(view, its key column, the FTS5 table) for Datasette's search of the answers."""
    return SEARCHED_VIEW, SEARCHED_KEY, FTS_TABLE
