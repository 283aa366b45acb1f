"""Importing open answers (and the respondent register) from CSV or XLSX.

Long form: one text column, one question. Wide form: several text columns, each
paired by position with a question id and a codebook (one codebook may serve all).
A register without answers (no text columns) adds respondents and attributes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.core.codebook import Codebook, load_codebook
from qualcode.errors import ImportError_, QualcodeError
from qualcode.io.tabular import gc_paused, read_table

if TYPE_CHECKING:
    from qualcode.core.models import ImportSummary
    from qualcode.core.project import Project


@dataclass(slots=True)
class AnswerRow:
    row: int
    respondent: str
    name: str
    attributes: dict[str, str]
    texts: dict[str, str]  # question id -> answer text (may be empty)


@dataclass
class AnswerTable:
    file: str
    sha256: str
    rows: list[AnswerRow]
    questions: list[tuple[str, str, Codebook]]  # (question id, source column, codebook)
    options: dict[str, Any] = field(default_factory=dict)


@gc_paused()
def read_answers(path: str, *, respondent_col: str, text_cols: Sequence[str] = (),
                 questions: Sequence[str] = (), codebooks: Sequence[str] = (),
                 attr_cols: Sequence[str] = (), name_col: str | None = None,
                 all_attrs: bool = False, sheet: str | None = None,
                 project: Project | None = None) -> AnswerTable:
    """Parse and check a whole answers file before anything is written."""
    text_cols, questions, codebooks = list(text_cols), list(questions), list(codebooks)
    if len(questions) != len(text_cols):
        raise QualcodeError(f"give one --question per --text-col ({len(text_cols)} text "
                            f"columns, {len(questions)} questions)")
    if text_cols and len(codebooks) not in (1, len(text_cols)):
        raise QualcodeError(f"give one --codebook, or one per --text-col ({len(text_cols)} "
                            f"text columns, {len(codebooks)} codebooks)")
    if len(set(questions)) != len(questions):
        raise QualcodeError("the same --question is given twice")
    books: list[Codebook] = []
    for i, _ in enumerate(text_cols):
        stem = codebooks[i] if len(codebooks) > 1 else codebooks[0]
        if project is not None and project.has_codebook(stem):
            books.append(project.codebook(stem))
        else:
            books.append(load_codebook(stem))

    table = read_table(path, sheet=sheet)
    rcol = table.require(respondent_col, "--respondent-col")
    tcols = [table.require(c, "--text-col") for c in text_cols]
    ncol = table.require(name_col, "--name-col") if name_col else None
    acols = [table.require(c, "--attr-col") for c in attr_cols]
    if all_attrs:
        used = {rcol, ncol, *tcols}
        acols += [h for h in table.headers if h not in used and h not in acols]

    # cells by position in each record (a dict per row costs more than the rest together)
    position = {h: i for i, h in enumerate(table.headers)}
    ri = position[rcol]
    ni = position[ncol] if ncol else None
    text_at = [(qid, position[col]) for qid, col in zip(questions, tcols, strict=True)]
    attr_at = [(a, position[a]) for a in acols]
    rows: list[AnswerRow] = []
    first_row: dict[str, int] = {}
    for number, cells in zip(table.numbers, table.records, strict=True):
        rid = cells[ri].strip()
        if not rid:
            raise ImportError_("the respondent id is empty", file=table.file, row=number,
                               column=rcol)
        if rid in first_row:
            what = "for the same question" if tcols else "in the register"
            raise ImportError_(f"respondent '{rid}' appears again {what} (first at row "
                               f"{first_row[rid]})", file=table.file, row=number, column=rcol)
        first_row[rid] = number
        rows.append(AnswerRow(
            number, rid, cells[ni].strip() if ni is not None else "",
            {a: cells[i].strip() for a, i in attr_at},
            {qid: _clean(cells[i]) for qid, i in text_at}))
    return AnswerTable(file=table.file, sha256=table.sha256, rows=rows,
                       questions=list(zip(questions, tcols, books, strict=True)),
                       options={"respondent_col": rcol, "text_cols": tcols,
                                "questions": questions, "attr_cols": acols,
                                "name_col": ncol, "encoding": table.encoding,
                                "delimiter": table.delimiter})


def _clean(text: str) -> str:
    # keep the analyst's text as written; only normalise line endings and trim the ends
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


PROGRESS_EVERY = 500  # rows written between two progress reports


def apply_answers(project: Project, table: AnswerTable, summary: ImportSummary,
                  progress=None) -> None:
    """Write the answers, inside the project's import transaction.

    The rows are written in batches of PROGRESS_EVERY (respondents, attributes, then
    their answers, each with one executemany); ``progress(done, total)`` follows each batch.
    """
    for qid, _col, book in table.questions:
        project._ensure_question(qid, "open", book, "")
        summary.questions.append(qid)
    existing = {qid: project._existing_items(qid) for qid, _c, _b in table.questions}
    # the questions that already hold answers, whose answers each row must agree with
    held = [(qid, col, existing[qid]) for qid, col, _b in table.questions if existing[qid]]
    qids = [qid for qid, _c, _b in table.questions]
    source = table.file
    total = len(table.rows)
    for start in range(0, total, PROGRESS_EVERY):
        batch = table.rows[start:start + PROGRESS_EVERY]
        new_items = []
        for row in batch:
            rid = row.respondent
            texts = row.texts
            for qid, col, old_items in held:
                old = old_items.get((rid, 0))
                if old is not None and old[1] != texts[qid]:
                    raise ImportError_(
                        f"respondent '{rid}' already has a different answer to "
                        f"'{qid}' in the project; nothing was imported (remove the old "
                        "answer or import into a new question)",
                        file=source, row=row.row, column=col)
            new_items += [(qid, rid, 0, "answer", None, texts[qid], int(not texts[qid]), source)
                          for qid in qids if not held or (rid, 0) not in existing[qid]]
        summary.items_empty += sum(1 for item in new_items if item[6])
        summary.items_added += len(new_items)
        project._upsert_respondents([(r.respondent, r.name, r.attributes) for r in batch],
                                    summary)
        project._insert_items(new_items)
        if progress is not None:
            progress(start + len(batch), total)
