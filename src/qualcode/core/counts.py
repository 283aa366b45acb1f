"""Code counts: how many distinct jobcentres mention each theme, as the report's tables.

Two mentions by one jobcentre count once; a parent code counts every jobcentre that
has it or any of its children; the denominator is the jobcentres whose answer is not
empty (for interviews: the jobcentres interviewed).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.codebook import Codebook
    from qualcode.core.project import Project
    from qualcode.models import Question

COLUMNS = [
    "question",
    "code",
    "label",
    "respondents",
    "answered",
    "percent",
    "mentioned",
    "definition",
    "parent",
    "depth",
    "color",
    "published",
    "published_base",
    "published_year",
    "published_percent",
    "scale",
]


def verbal_scale(n: int) -> str:
    """The report's words for interview counts (section 4.2): enkelte 1–3, flere 4–8,
    de fleste more than 8."""
    if n <= 0:
        return "ingen"
    if n <= 3:
        return "enkelte"
    if n <= 8:
        return "flere"
    return "de fleste"


# Distinct respondents per code of one codebook, for one question. The items of the question
# are read first (items_queue), then their codings (codings_unique), and the rows are grouped
# by code id; the code keys are joined on afterwards, to the handful of groups rather than to
# every coding. CROSS JOIN keeps that order whatever the planner guesses.
_DIRECT_SQL = """
SELECT k.key, g.n FROM (
    SELECT c.code_id AS code_id, COUNT(DISTINCT i.respondent_id) AS n
    FROM items i CROSS JOIN codings c
    WHERE i.question_id = ? AND i.is_empty = 0 AND c.item_id = i.id {coder}
    GROUP BY c.code_id
) g JOIN codes k ON k.id = g.code_id
WHERE k.codebook_id = ?
"""

# Nested codebooks: every code stands for itself and for all its descendants. ``lineage``
# pairs each code of the codebook with each of its ancestors (and itself); a coding counts
# once towards every ancestor of its code, and COUNT(DISTINCT) makes a jobcentre coded with
# both a child and its parent count once. UNION (not UNION ALL) so that a damaged file with
# a cycle in parent_id cannot loop forever.
_ROLLUP_SQL = """
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


def respondent_counts(
    project: Project, question: Question, book: Codebook, *, coder: str | None = None
) -> dict[str, int]:
    """Code key -> distinct respondents with it (or any child), non-empty answers only."""
    coder_sql, coder_args = ("AND c.coder = ?", [coder]) if coder else ("", [])
    if any(c.parent for c in book):
        sql, args = _ROLLUP_SQL, [book.stem, question.id, *coder_args]
    else:
        sql, args = _DIRECT_SQL, [question.id, *coder_args, book.stem]
    found = dict(project.db.execute(sql.format(coder=coder_sql), args).fetchall())
    return {c.key: found.get(c.key, 0) for c in book}


def count_codes(project: Project, question: Question, *, coder: str | None = None) -> pd.DataFrame:
    import pandas as pd

    db = project.db
    book = project.codebook(question.codebook)
    answered = db.execute(
        "SELECT COUNT(DISTINCT respondent_id) FROM items WHERE question_id = ? AND is_empty = 0"
        " AND kind != 'interviewer'",
        [question.id],
    ).fetchone()[0]
    counts = respondent_counts(project, question, book, coder=coder)
    rows = []
    for code in book:
        n = counts[code.key]
        percent = round(100.0 * n / answered, 1) if answered else None
        pub_pct = (
            round(100.0 * code.published_count / code.published_base, 1)
            if code.published_count is not None and code.published_base
            else None
        )
        rows.append(
            {
                "question": question.id,
                "code": code.key,
                "label": code.label,
                "respondents": n,
                "answered": answered,
                "percent": percent,
                "mentioned": (
                    f"Anført af {n} ud af {answered} jobcentre"
                    if question.kind == "open"
                    else f"Nævnt af {verbal_scale(n)} ({n} af {answered}) jobcentre"
                ),
                "definition": code.definition,
                "parent": code.parent or "",
                "depth": book.depth(code.key),
                "color": code.color,
                "published": code.published_count,
                "published_base": code.published_base,
                "published_year": code.published_year,
                "published_percent": pub_pct,
                "scale": verbal_scale(n) if question.kind == "interview" else "",
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("published", "published_base", "published_year"):
        frame[col] = frame[col].astype("Int64")
    frame.attrs["question"] = question.id
    frame.attrs["question_text"] = question.text
    frame.attrs["codebook"] = book.stem
    frame.attrs["title"] = book.title
    frame.attrs["kind"] = question.kind
    frame.attrs["published_source"] = book.published_source
    return frame


def plain_value(v: Any) -> Any:
    """A cell of a counts frame as plain Python: pandas' missing values (NA, NaN, None) as
    None, numpy numbers as Python numbers. For screens and exports that avoid pandas."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v.item() if hasattr(v, "item") else v
