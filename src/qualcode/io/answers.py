"""Importing open answers (and the respondent register) from CSV or XLSX.

Long form: one text column, one question. Wide form: several text columns, each
paired by position with a question id and a codebook (one codebook may serve all).
A register without answers (no text columns) adds respondents and attributes only.

Respondent ids, names, attribute names and values and question ids are stored in Unicode
NFC; what a read or an import skips, changes or finds suspicious (blank rows, columns not
imported, answers already in the project, ids that differ only in case, spaces, invisible
characters or leading zeros) becomes a line of ``ImportSummary.notes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from qualcode.core.checks import gc_paused, nfc_all, nfc_note
from qualcode.core.codebook import Codebook, load_codebook
from qualcode.core.importer import AnswerRow, AnswerTable
from qualcode.errors import ImportError_, QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.io.tabular import read_table
from qualcode.safe import one_line

if TYPE_CHECKING:
    from qualcode.core.project import Project

_, _n = translator("io")


@gc_paused()
def read_answers(
    path: str,
    *,
    respondent_col: str,
    text_cols: Sequence[str] = (),
    questions: Sequence[str] = (),
    codebooks: Sequence[str] = (),
    attr_cols: Sequence[str] = (),
    name_col: str | None = None,
    all_attrs: bool = False,
    sheet: str | None = None,
    project: Project | None = None,
) -> AnswerTable:
    """Parse and check a whole answers file before anything is written."""
    text_cols, codebooks = list(text_cols), list(codebooks)
    questions, questions_changed = nfc_all(list(questions))
    if len(questions) != len(text_cols):
        raise QualcodeError(
            _("give one --question per --text-col ({columns}, {questions})").format(
                columns=_text_columns(len(text_cols)),
                questions=_n("{n} question", "{n} questions", len(questions)).format(
                    n=len(questions)
                ),
            )
        )
    if text_cols and len(codebooks) not in (1, len(text_cols)):
        raise QualcodeError(
            _("give one --codebook, or one per --text-col ({columns}, {codebooks})").format(
                columns=_text_columns(len(text_cols)),
                codebooks=_n("{n} codebook", "{n} codebooks", len(codebooks)).format(
                    n=len(codebooks)
                ),
            )
        )
    if len(set(questions)) != len(questions):
        raise QualcodeError(_("the same --question is given twice"))
    books: list[Codebook] = []
    for i in range(len(text_cols)):
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
    notes = list(table.notes)
    used = {rcol, ncol, *tcols, *acols}
    unused = [h for h in table.headers if h not in used]
    if unused:
        from qualcode.io.tabular import listed

        notes.append(
            _n(
                "skipped: {n} column not imported: {columns} (not chosen as a text, name or "
                "attribute column; --attr-col or --all-attrs keeps them as attributes)",
                "skipped: {n} columns not imported: {columns} (not chosen as a text, name or "
                "attribute column; --attr-col or --all-attrs keeps them as attributes)",
                len(unused),
            ).format(
                n=integer(len(unused)),
                columns=listed([f"'{one_line(h)}'" for h in unused], 6),
            )
        )

    # cells by position in each record (a dict per row costs more than the rest together),
    # column by column: each column is checked for NFC at once, in C
    position = {h: i for i, h in enumerate(table.headers)}
    records, numbers = table.records, table.numbers
    ri = position[rcol]
    changed = dict(table.normalized)
    ids, changed["respondent ids"] = nfc_all([cells[ri].strip() for cells in records])
    names: Any = repeat("")
    if ncol:
        ni = position[ncol]
        names, changed["names"] = nfc_all([cells[ni].strip() for cells in records])
    values = []
    changed["attribute values"] = 0
    for a in acols:
        ai = position[a]
        column, n = nfc_all([cells[ai].strip() for cells in records])
        values.append(column)
        changed["attribute values"] += n
    changed["question ids"] = questions_changed
    note = nfc_note(changed)
    if note:
        notes.append(note)
    first_row: dict[str, int] = {}
    for number, rid in zip(numbers, ids, strict=True):
        if not rid:
            raise ImportError_(
                _("the respondent id is empty"), file=table.file, row=number, column=rcol
            )
        if rid in first_row:
            again = (
                _("respondent '{id}' appears again for the same question (first at row {row})")
                if tcols
                else _("respondent '{id}' appears again in the register (first at row {row})")
            )
            raise ImportError_(
                again.format(id=rid, row=first_row[rid]),
                file=table.file,
                row=number,
                column=rcol,
            )
        first_row[rid] = number
    text_at = [(qid, position[col]) for qid, col in zip(questions, tcols, strict=True)]
    attrs: Any = zip(*values, strict=True) if values else repeat(())
    rows = [
        AnswerRow(
            number,
            rid,
            name,
            dict(zip(acols, attr_values)),  # noqa: B905
            {qid: _clean(cells[i]) for qid, i in text_at},
        )
        for number, rid, name, attr_values, cells in zip(
            numbers, ids, names, attrs, records, strict=False
        )
    ]
    return AnswerTable(
        file=table.file,
        sha256=table.sha256,
        rows=rows,
        questions=list(zip(questions, tcols, books, strict=True)),
        options={
            "respondent_col": rcol,
            "text_cols": tcols,
            "questions": questions,
            "attr_cols": acols,
            "name_col": ncol,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
        },
        notes=notes,
        no_controls=table.no_controls,
    )


def _text_columns(n: int) -> str:
    return _n("{n} text column", "{n} text columns", n).format(n=n)


def _clean(text: str) -> str:
    # keep the analyst's text as written; only normalise line endings and trim the ends
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()
