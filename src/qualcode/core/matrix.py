"""The theme matrix: groups of jobcentres by themes, one cell per group and theme.

The groups are either the values of a respondent attribute among the jobcentres that
answered one question (``lokalpolitisk_fokus``: "I meget høj grad", "I høj grad", …, or
named groups of values as in :mod:`qualcode.core.crosstab`), or several questions that
share one codebook (the report's Tabel 4: one question per type of external actor,
coded with ``eksterne-aktoerer``). Each cell is the number of distinct jobcentres in the
group that mention the theme (a parent theme counts its children, as the counts do), out
of the jobcentres in the group that answered, with the percent.

With ``top=N`` the matrix keeps, per group, the N most frequent themes, ties kept: every
theme mentioned by at least as many jobcentres as the N-th, in order of how many mention
it and then in codebook order (Tabel 4's layout). A theme nobody in the group mentions
is never among them.

Attribute values are shown in the survey's order when the project knows it (see
:func:`set_value_order`, ``qualcode attributes DB NAME --order ...``), else sorted.

    >>> frame = theme_matrix(project, question="strategier", by="lokalpolitisk_fokus")
    ...                                                                 # doctest: +SKIP
    >>> frame = theme_matrix(project, questions=parse_questions(
    ...     "Lokale virksomheder=samarbejde-lokale-virksomheder,samarbejde-satspulje"),
    ...     top=2)                                                      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.core.counts import mentions
from qualcode.core.crosstab import (
    ORDER_KEY,
    Group,
    attribute_values,
    no_attribute,
    split_by_attribute,
)
from qualcode.errors import NotFound, QualcodeError
from qualcode.i18n import translator
from qualcode.store import settings as settings_store

_, _n = translator("core")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.codebook import Codebook
    from qualcode.core.project import Project
    from qualcode.models import Question

COLUMNS = [
    "group",
    "question",
    "code",
    "label",
    "depth",
    "respondents",
    "answered",
    "percent",
    "rank",
]


@dataclass(frozen=True)
class QuestionGroup:
    """A question as a row of the matrix, with the name it is shown by."""

    name: str
    question: str


def parse_questions(spec: str | Sequence[str]) -> list[QuestionGroup]:
    """``"Q1,Q2"`` or ``"Lokale virksomheder=Q1,Q2"`` (a list of such specs is joined):
    each item a question id, or NAME=QID to show the question as NAME. Names and
    questions must not repeat."""
    parts = [spec] if isinstance(spec, str) else list(spec)
    items = [item.strip() for part in parts for item in part.split(",") if item.strip()]
    if not items:
        raise QualcodeError(_("--questions: name at least one question, e.g. Q1,Q2"))
    out: list[QuestionGroup] = []
    for item in items:
        name, sep, qid = item.partition("=")
        name, qid = name.strip(), qid.strip()
        if sep and not (name and qid):
            raise QualcodeError(_("--questions '{spec}': write QID or NAME=QID").format(spec=item))
        out.append(QuestionGroup(name, qid) if sep else QuestionGroup(item, item))
    for attr in ("name", "question"):
        seen: set[str] = set()
        for g in out:
            value = getattr(g, attr)
            if value in seen:
                text = (
                    _("--questions: the name '{value}' is given twice")
                    if attr == "name"
                    else _("--questions: the question '{value}' is given twice")
                )
                raise QualcodeError(text.format(value=value))
            seen.add(value)
    return out


# -- the survey's order of an attribute's values ---------------------------------------


def set_value_order(project: Project, attribute: str, values: Sequence[str]) -> None:
    """Store the survey's order of an attribute's values (an empty list forgets it). Every
    value must be one some respondent has, and none may repeat."""
    known = attribute_values(project)
    if attribute not in known:
        raise NotFound(no_attribute(attribute, known))
    seen: set[str] = set()
    for v in values:
        if v not in known[attribute]:
            raise NotFound(
                _("--order: no respondent has {attribute} = '{value}' (values: {values})").format(
                    attribute=attribute, value=v, values=", ".join(known[attribute])
                )
            )
        if v in seen:
            raise QualcodeError(_("--order: the value '{value}' is given twice").format(value=v))
        seen.add(v)
    with project.transaction():
        before = settings_store.get_list(project.db, ORDER_KEY + attribute)
        settings_store.put_list(project.db, ORDER_KEY + attribute, list(values))
        # undone with project.undo("attributes"), F7's u
        project.log("attribute.order", attribute=attribute, values=list(values), before=before)


# -- the matrix -----------------------------------------------------------------------


@dataclass
class _Row:
    """One group of the matrix: who is in it, among the jobcentres who answered."""

    name: str
    question: Question
    members: set[str]
    by_code: dict[str, set[str]]  # code key -> who mentions it, a parent counting its children


def theme_matrix(
    project: Project,
    *,
    question: str | None = None,
    by: str | None = None,
    groups: list[Group] | None = None,
    questions: Sequence[QuestionGroup] | None = None,
    coder: str | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """The matrix of groups by themes, one row per group and theme (long form).

    Either ``question`` and ``by`` (an attribute; optional named ``groups`` of its
    values), or ``questions`` sharing one codebook. Columns: group, question, code, label,
    depth, respondents (distinct jobcentres in the group mentioning the theme), answered
    (the group's jobcentres that answered), percent, rank (1 + how many of the group's
    themes more jobcentres mention); the renderers say the counts in words. Rows in
    group order, then codebook order; with ``top`` only each group's top themes, most
    frequent first. ``frame.attrs``: the groups, the layout and what was left out.
    """
    import pandas as pd

    if top is not None and top < 1:
        raise QualcodeError(_("--top must be 1 or more, not {top}").format(top=top))
    if questions:
        if question is not None or by is not None or groups:
            raise QualcodeError(_("give either --questions or --question with --by, not both"))
        rows, book, info = _question_rows(project, questions, coder)
    else:
        if question is None or by is None:
            raise QualcodeError(
                _("say which groups: --question QID --by ATTRIBUTE, or --questions Q1,Q2,...")
            )
        rows, book, info = _attribute_rows(project, question, by, groups, coder)

    noun = project.noun()
    records: list[dict[str, Any]] = []
    for row in rows:
        base = len(row.members)
        counts = [len(row.by_code[code.key] & row.members) for code in book]
        ranks = [1 + sum(1 for m in counts if m > n) for n in counts]
        order = list(range(len(counts)))
        if top is not None:  # most frequent first; a stable sort keeps ties in codebook order
            order = sorted(
                (i for i in order if counts[i] > 0 and ranks[i] <= top), key=lambda i: ranks[i]
            )
        codes = list(book)
        for i in order:
            code, n = codes[i], counts[i]
            records.append(
                {
                    "group": row.name,
                    "question": row.question.id,
                    "code": code.key,
                    "label": code.label,
                    "depth": book.depth(code.key),
                    "respondents": n,
                    "answered": base,
                    "percent": 100.0 * n / base if base else None,
                    "rank": ranks[i],
                }
            )
    frame = pd.DataFrame(records, columns=COLUMNS)
    questions_shown = list(dict.fromkeys(r.question.id for r in rows))
    frame.attrs.update(
        info,
        codebook=book.stem,
        title=book.title,
        groups=[r.name for r in rows],
        bases={r.name: len(r.members) for r in rows},
        group_questions={r.name: r.question.id for r in rows},
        question_texts={r.question.id: r.question.text for r in rows},
        question_kinds={r.question.id: r.question.kind for r in rows},
        top=top,
        coder=coder,
        noun=noun.singular,
        noun_plural=noun.plural,
        basis_label=project.basis_label(
            coder, sorted({c for qid in questions_shown for c in project.coders(qid)})
        ),
    )
    return frame


def _question_rows(
    project: Project, wanted: Sequence[QuestionGroup], coder: str | None
) -> tuple[list[_Row], Codebook, dict[str, Any]]:
    found = [(g, project.question(g.question)) for g in wanted]
    books = {q.codebook for _g, q in found}
    if len(books) > 1:
        listed = ", ".join(f"{q.id} ({q.codebook})" for _g, q in found)
        raise QualcodeError(
            _("--questions must share one codebook to be compared theme by theme: {listed}").format(
                listed=listed
            )
        )
    book = project.codebook(found[0][1].codebook)
    rows = []
    for g, q in found:
        answered, by_code = mentions(project, q, book, coder=coder)
        rows.append(_Row(g.name, q, set(answered), by_code))
    info: dict[str, Any] = {
        "kind": "questions",
        "question": None,
        "attribute": None,
        "missing": 0,
        "ungrouped": {},
        "empty_groups": [],
        "answered": None,
    }
    return rows, book, info


def _attribute_rows(
    project: Project, question: str, attribute: str, groups: list[Group] | None, coder: str | None
) -> tuple[list[_Row], Codebook, dict[str, Any]]:
    split = split_by_attribute(project, question, attribute, groups, coder)
    q, members, empty = split.question, split.members, split.empty
    if len(empty) == len(split.groups):
        raise QualcodeError(
            _(
                "'{question}' by {attribute}: no group has {nouns} that answered the question"
            ).format(question=q.id, attribute=attribute, nouns=project.noun().plural)
        )
    rows = [
        _Row(g.name, q, members[g.name], split.by_code) for g in split.groups if members[g.name]
    ]
    info: dict[str, Any] = {
        "kind": "attribute",
        "question": q.id,
        "attribute": attribute,
        "missing": split.missing,
        "ungrouped": split.ungrouped,
        "empty_groups": empty,
        "answered": len(split.answered),
    }
    return rows, split.book, info


def shared_codebook_questions(project: Project, qid: str) -> list[str]:
    """The questions that share ``qid``'s codebook (``qid`` among them), in project order:
    the groups the workbench offers first."""
    book = project.question(qid).codebook
    return [q.id for q in project.questions() if q.codebook == book]


def matrix_questions(project: Project, ids: Sequence[str]) -> list[list[str]]:
    """Of ``ids`` (in order), the sets of two or more questions of the same kind sharing
    one codebook: the matrices a report shows."""
    by_book: dict[tuple[str, str], list[str]] = {}
    for qid in ids:
        q = project.question(qid)
        by_book.setdefault((q.codebook, q.kind), []).append(q.id)
    return [members for members in by_book.values() if len(members) > 1]
