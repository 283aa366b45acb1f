"""The framework matrix of a question: respondents as rows, the codebook's themes as
columns, and in each cell the passages the respondent's items are coded with there and
the analyst's summary of them (the framework method's "charting").

A theme's cell holds the passages coded with the theme or any of its child themes, as
counts and quotes count a parent theme; a passage coded by several coders (or with the
theme and a child of it) is shown once. Which coders' codings count is the coder basis,
as for the counts: one coder, the consensus, or every coder together.

Summaries are one per cell, whoever writes them; they are written, taken away, undone and
redone through :class:`qualcode.core.project.Project` (``set_summary``, ``clear_summary``,
``undo(group="framework")``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.i18n import translator
from qualcode.models import JOBCENTRE, Noun
from qualcode.store import codings as coding_store
from qualcode.store import summaries as summary_store

_, _n = translator("core")

if TYPE_CHECKING:
    from qualcode.core.project import Project
    from qualcode.models import Code, Question, Summary


@dataclass(frozen=True)
class Passage:
    """One coded passage of a respondent in a theme's cell."""

    item_id: int
    item_number: int  # 1-based turn of an interview; 1 for an answer
    role: str  # the speaker's role in an interview ('' for an answer)
    text: str  # the coded text (the whole item for a whole-item coding), stripped
    start: int | None
    end: int | None
    codes: tuple[str, ...]  # the keys it is coded with in this column (the theme, children)
    coders: tuple[str, ...]

    def where(self) -> str:
        """'uddrag 3, Arbejdsmarkedschef' for an interview excerpt, '' for an answer."""
        if not self.role:
            return ""
        return _("uddrag {n}, {role}").format(n=self.item_number, role=self.role)


@dataclass(frozen=True)
class Cell:
    respondent: str
    code: str
    passages: tuple[Passage, ...]
    summary: Summary | None

    @property
    def text(self) -> str:
        """The summary's text, '' when there is none."""
        return self.summary.text if self.summary is not None else ""


@dataclass
class FrameworkMatrix:
    question: Question
    title: str  # the codebook's title
    codes: list[Code]  # the columns, in order
    respondents: list[tuple[str, str]]  # the rows: (id, name)
    basis: str | None  # whose codings: a coder, or None for every coder together
    basis_label: str  # "Kodet af: consensus"
    passages: dict[tuple[str, str], list[Passage]] = field(default_factory=dict)
    summaries: dict[tuple[str, str], Summary] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)  # code key -> nesting depth
    noun: Noun = JOBCENTRE  # what the rows are: the project's noun

    @property
    def row_title(self) -> str:
        """The rows' column heading: the noun in the singular, with a capital."""
        return self.noun.singular[:1].upper() + self.noun.singular[1:]

    def cell(self, respondent: str, code: str) -> Cell:
        return Cell(
            respondent,
            code,
            tuple(self.passages.get((respondent, code), ())),
            self.summaries.get((respondent, code)),
        )

    def name(self, respondent: str) -> str:
        return dict(self.respondents).get(respondent, "")

    def display(self, respondent: str) -> str:
        """'JC07 Jobcenter Ådalen' (the id alone when the name is empty or the id)."""
        name = self.name(respondent)
        return f"{respondent} {name}".strip() if name and name != respondent else respondent

    def label(self, code: str) -> str:
        return next((c.label for c in self.codes if c.key == code), code)

    @property
    def summarised(self) -> int:
        """How many of the matrix's cells hold a summary."""
        keys = {c.key for c in self.codes}
        rows = {r for r, _name in self.respondents}
        return sum(1 for r, k in self.summaries if r in rows and k in keys)


@dataclass
class _Found:
    number: int
    role: str
    text: str
    codes: set[str] = field(default_factory=set)
    coders: set[str] = field(default_factory=set)


def framework_matrix(
    project: Project,
    question: str,
    *,
    codes: list[str] | None = None,
    coder: str | None = None,
) -> FrameworkMatrix:
    """The question's matrix: every theme of its codebook in codebook order, or ``codes``
    (keys or exact labels, in the order given); passages of ``coder``'s codings (None:
    every coder together)."""
    q = project.question(question)
    book = project.codebook(q.codebook)
    if codes:
        columns: list[Code] = []
        for wanted in codes:
            code = book.code(wanted)
            if code not in columns:
                columns.append(code)
    else:
        columns = list(book)
    under = {c.key: {c.key, *(d.key for d in book.descendants(c.key))} for c in columns}
    keys = sorted(set().union(*under.values())) if under else []
    matrix = FrameworkMatrix(
        question=q,
        title=book.title,
        codes=columns,
        respondents=summary_store.respondents(project.db, q.id),
        basis=coder,
        basis_label=project.basis_label(coder, project.coders(q.id)),
        depth={c.key: book.depth(c.key) for c in columns},
        noun=project.noun(),
    )
    # (respondent, column) -> (item, start, end) -> what is known of the passage so far
    found: dict[tuple[str, str], dict[tuple[int, int | None, int | None], _Found]] = {}
    rows = coding_store.quote_rows(project.db, q.id, book.stem, keys, coder) if keys else []
    for _cid, item_id, key, _label, who, start, end, rid, _name, role, text, position, _s in rows:
        for column, members in under.items():
            if key not in members:
                continue
            spans = found.setdefault((rid, column), {})
            hit = spans.get((item_id, start, end))
            if hit is None:
                passage = text[start:end] if start is not None else text
                hit = spans[item_id, start, end] = _Found(position + 1, role or "", passage)
            hit.codes.add(key)
            hit.coders.add(who)
    for place, spans in found.items():  # in file order: the rows come so
        matrix.passages[place] = [
            Passage(
                item_id=item_id,
                item_number=hit.number,
                role=hit.role,
                text=hit.text.strip(),
                start=start,
                end=end,
                codes=tuple(sorted(hit.codes)),
                coders=tuple(sorted(hit.coders)),
            )
            for (item_id, start, end), hit in spans.items()
        ]
    for s in summary_store.of_question(project.db, q.id):
        matrix.summaries[s.respondent, s.code] = s
    return matrix
