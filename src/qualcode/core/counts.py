"""Code counts: how many distinct jobcentres mention each theme, as the report's tables.

Two mentions by one jobcentre count once; a parent code counts every jobcentre that
has it or any of its children; the denominator is the jobcentres whose answer is not
empty (for interviews: the jobcentres interviewed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.codebook import Codebook
    from qualcode.core.models import Question
    from qualcode.core.project import Project

COLUMNS = ["question", "code", "label", "respondents", "answered", "percent", "mentioned",
           "definition", "parent", "depth", "color", "published", "published_base",
           "published_year", "published_percent", "scale"]


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


def respondent_counts(project: Project, question: Question, book: Codebook, *,
                      coder: str | None = None) -> dict[str, int]:
    """Code key -> distinct respondents with it (or any child), non-empty answers only."""
    db = project.db
    coder_sql, args = ("AND c.coder = ?", [coder]) if coder else ("", [])
    pairs = db.execute(
        "SELECT DISTINCT k.key, i.respondent_id FROM codings c"
        " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
        f" WHERE i.question_id = ? AND i.is_empty = 0 {coder_sql}",
        [question.id, *args]).fetchall() if any(c.parent for c in book) else []
    if not pairs:
        direct = dict(db.execute(
            "SELECT k.key, COUNT(DISTINCT i.respondent_id) FROM codings c"
            " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
            f" WHERE i.question_id = ? AND i.is_empty = 0 {coder_sql} GROUP BY k.key",
            [question.id, *args]).fetchall())
        return {c.key: direct.get(c.key, 0) for c in book}
    by_code: dict[str, set[str]] = {}
    for key, rid in pairs:
        by_code.setdefault(key, set()).add(rid)
    out = {}
    for code in book:
        members = set(by_code.get(code.key, ()))
        for child in book.descendants(code.key):
            members |= by_code.get(child.key, set())
        out[code.key] = len(members)
    return out


def count_codes(project: Project, question: Question, *, coder: str | None = None) -> pd.DataFrame:
    import pandas as pd

    db = project.db
    book = project.codebook(question.codebook)
    answered = db.execute(
        "SELECT COUNT(DISTINCT respondent_id) FROM items WHERE question_id = ? AND is_empty = 0"
        " AND kind != 'interviewer'", [question.id]).fetchone()[0]
    counts = respondent_counts(project, question, book, coder=coder)
    rows = []
    for code in book:
        n = counts[code.key]
        percent = round(100.0 * n / answered, 1) if answered else None
        pub_pct = (round(100.0 * code.published_count / code.published_base, 1)
                   if code.published_count is not None and code.published_base else None)
        rows.append({
            "question": question.id, "code": code.key, "label": code.label,
            "respondents": n, "answered": answered, "percent": percent,
            "mentioned": (f"Anført af {n} ud af {answered} jobcentre"
                          if question.kind == "open" else
                          f"Nævnt af {verbal_scale(n)} ({n} af {answered}) jobcentre"),
            "definition": code.definition, "parent": code.parent or "",
            "depth": book.depth(code.key), "color": code.color,
            "published": code.published_count, "published_base": code.published_base,
            "published_year": code.published_year, "published_percent": pub_pct,
            "scale": verbal_scale(n) if question.kind == "interview" else "",
        })
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
