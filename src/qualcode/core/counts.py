"""Code counts: how many distinct jobcentres mention each theme, as the report's tables.

Two mentions by one jobcentre count once; a parent code counts every jobcentre that
has it or any of its children; the denominator is the jobcentres whose answer is not
empty (for interviews: the jobcentres interviewed).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.core.numbers import round_half_up
from qualcode.store import counts as count_store
from qualcode.store import items as item_store

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
    de fleste more than 8. The value of the counts' ``scale`` column, the same in every
    language (files made from it are a contract); the renderers say it in the language in
    use (:func:`qualcode.io.fmt.scale`)."""
    if n <= 0:
        return "ingen"
    if n <= 3:
        return "enkelte"
    if n <= 8:
        return "flere"
    return "de fleste"


def respondent_counts(
    project: Project, question: Question, book: Codebook, *, coder: str | None = None
) -> dict[str, int]:
    """Code key -> distinct respondents with it (or any child), non-empty answers only."""
    found = count_store.respondents_per_code(
        project.db, question.id, book.stem, nested=any(c.parent for c in book), coder=coder or None
    )
    return {c.key: found.get(c.key, 0) for c in book}


def mentions(
    project: Project, question: Question, book: Codebook, *, coder: str | None = None
) -> tuple[list[str], dict[str, set[str]]]:
    """Who answered the question (non-empty, sorted), and code key -> the respondents who
    mention it, a parent counting its children's: the sets every per-respondent analysis
    (crosstab, the respondents × themes frame) counts from, as the counts do."""
    from qualcode.store import analysis as analysis_store

    answered = sorted(item_store.answered_by(project.db, question.id))
    direct = analysis_store.respondents_by_code(project.db, question.id, coder or None)
    out: dict[str, set[str]] = {}
    for code in book:
        found = set(direct.get(code.key, ()))
        for child in book.descendants(code.key):
            found |= direct.get(child.key, set())
        out[code.key] = found
    return answered, out


def coded_frame(project: Project, question: Question, *, coder: str | None = None) -> pd.DataFrame:
    """Respondents who answered × the codebook's themes, 1 where the respondent mentions
    the theme (a parent when any child is mentioned), else 0: for a notebook's own
    analyses. Index: respondent id; columns: code keys in codebook order."""
    import pandas as pd

    book = project.codebook(question.codebook)
    answered, by_code = mentions(project, question, book, coder=coder)
    frame = pd.DataFrame(
        {code.key: [int(rid in by_code[code.key]) for rid in answered] for code in book},
        index=pd.Index(answered, name="respondent"),
        dtype="int64",
    )
    frame.attrs.update(question=question.id, codebook=book.stem, basis=coder)
    return frame


@dataclass
class CountTable:
    """One question's counts as plain Python, without pandas: ``rows``, one dict per code
    in codebook order with the keys of :data:`COLUMNS` (missing values as None), and
    ``attrs``, what the frame's ``attrs`` hold (title, noun, basis, ...). What the CLI's
    table, CSV, Markdown and JSON are written from; :meth:`frame` is the DataFrame of
    :meth:`qualcode.core.project.Project.counts`."""

    rows: list[dict[str, Any]]
    attrs: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self) -> pd.DataFrame:
        """The counts as a DataFrame, numbers as numbers even when all are missing."""
        import pandas as pd

        frame = pd.DataFrame(self.rows, columns=COLUMNS)
        for col in ("published", "published_base", "published_year"):
            frame[col] = frame[col].astype("Int64")
        # numbers stay numbers even when every value is missing (no answers, nothing published)
        frame["percent"] = frame["percent"].astype("float64")
        frame["published_percent"] = frame["published_percent"].astype("Float64")
        frame.attrs.update(self.attrs)
        return frame

    @classmethod
    def of(cls, counts: CountTable | pd.DataFrame) -> CountTable:
        """``counts`` as a CountTable: a DataFrame of counts (:meth:`frame`, or one a
        notebook made) with its values as plain Python (see :func:`plain_value`)."""
        if isinstance(counts, CountTable):
            return counts
        rows = [{k: plain_value(v) for k, v in rec.items()} for rec in counts.to_dict("records")]
        return cls(rows, dict(counts.attrs))


def count_table(project: Project, question: Question, *, coder: str | None = None) -> CountTable:
    """Per code of the question's codebook: the distinct respondents who mention it, of
    those who answered, the share, and what the report published (see :data:`COLUMNS`)."""
    db = project.db
    book = project.codebook(question.codebook)
    answered = item_store.answered(db, question.id)
    counts = respondent_counts(project, question, book, coder=coder)
    noun = project.noun()
    rows = []
    for code in book:
        n = counts[code.key]
        percent = round_half_up(100.0 * n / answered, 1) if answered else None
        pub_pct = (
            round_half_up(100.0 * code.published_count / code.published_base, 1)
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
    coders = project.coders(question.id)
    attrs = {
        "question": question.id,
        "question_text": question.text,
        "codebook": book.stem,
        "title": book.title,
        "kind": question.kind,
        "published_source": book.published_source,
        "noun": noun.singular,  # what was counted: "jobcenter", "kommune"
        "noun_plural": noun.plural,
        # whose codings these numbers count: one coder, the consensus, or all of them
        "basis": coder,
        "coders": coders,
        "basis_label": project.basis_label(coder, coders),
    }
    return CountTable(rows, attrs)


def count_codes(project: Project, question: Question, *, coder: str | None = None) -> pd.DataFrame:
    """:func:`count_table` as a DataFrame."""
    return count_table(project, question, coder=coder).frame()


def plain_value(v: Any) -> Any:
    """A cell of a counts frame as plain Python: pandas' missing values (NA, NaN, None) as
    None, numpy numbers as Python numbers. For screens and exports that avoid pandas."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    pd = sys.modules.get("pandas")  # a pandas value means pandas is loaded: never load it here
    if pd is not None:
        try:
            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
    return v.item() if hasattr(v, "item") else v
