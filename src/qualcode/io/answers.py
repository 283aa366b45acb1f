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

from collections.abc import Iterator, Sequence
from itertools import islice, repeat
from typing import TYPE_CHECKING, Any

from qualcode.core.checks import gc_paused, nfc_all, nfc_note
from qualcode.core.codebook import Codebook, load_codebook
from qualcode.core.importer import PROGRESS_EVERY, AnswerRow, AnswerTable
from qualcode.errors import ImportError_, QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.io.tabular import TableStream, stream_table
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
    """Parse and check a whole answers file before anything is written (the rows of
    :func:`stream_answers`, all read)."""
    table = stream_answers(
        path,
        respondent_col=respondent_col,
        text_cols=text_cols,
        questions=questions,
        codebooks=codebooks,
        attr_cols=attr_cols,
        name_col=name_col,
        all_attrs=all_attrs,
        sheet=sheet,
        project=project,
    )
    assert table.stream is not None
    table.rows = [row for batch in table.stream for row in batch]
    table.stream = None
    table.expected = len(table.rows)
    return table


def stream_answers(
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
    """An answers file to be read as it is written: the options, the codebooks, the header
    and the first row are checked now; the rows come in batches of
    :data:`~qualcode.core.importer.PROGRESS_EVERY` from :attr:`AnswerTable.stream`, each
    checked as it is read (an error names the file, row and column; raised inside the
    import's transaction, it leaves the project as it was). ``notes`` is complete once
    the stream is exhausted."""
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

    table = stream_table(path, sheet=sheet)
    rcol = table.require(respondent_col, "--respondent-col")
    tcols = [table.require(c, "--text-col") for c in text_cols]
    ncol = table.require(name_col, "--name-col") if name_col else None
    acols = [table.require(c, "--attr-col") for c in attr_cols]
    if all_attrs:
        used = {rcol, ncol, *tcols}
        acols += [h for h in table.headers if h not in used and h not in acols]
    notes: list[str] = []
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
    answers = AnswerTable(
        file=table.file,
        sha256=table.sha256,
        rows=[],
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
        expected=table.expected,
    )
    answers.stream = _batches(
        table, answers, rcol, tcols, ncol, acols, questions, questions_changed
    )
    return answers


def _batches(
    table: TableStream,
    answers: AnswerTable,
    rcol: str,
    tcols: list[str],
    ncol: str | None,
    acols: list[str],
    questions: list[str],
    questions_changed: int,
) -> Iterator[list[AnswerRow]]:
    """The rows as :class:`AnswerRow` in batches, checked; at the end, the notes."""
    # cells by position in each record (a dict per row costs more than the rest together),
    # column by column: each column of a batch is checked for NFC at once, in C
    position = {h: i for i, h in enumerate(table.headers)}
    ri = position[rcol]
    ni = position[ncol] if ncol else None
    a_at = [position[a] for a in acols]
    text_at = [(qid, position[col]) for qid, col in zip(questions, tcols, strict=True)]
    changed = dict(table.normalized)
    changed["respondent ids"] = 0
    if ncol:
        changed["names"] = 0
    changed["attribute values"] = 0
    first_row: dict[str, int] = {}
    rows = table.rows
    while True:
        batch = list(islice(rows, PROGRESS_EVERY))
        if not batch:
            break
        ids, n = nfc_all([cells[ri].strip() for _number, cells in batch])
        changed["respondent ids"] += n
        names: Any = repeat("")
        if ni is not None:
            names, n = nfc_all([cells[ni].strip() for _number, cells in batch])
            changed["names"] += n
        values = []
        for ai in a_at:
            column, n = nfc_all([cells[ai].strip() for _number, cells in batch])
            values.append(column)
            changed["attribute values"] += n
        for (number, _cells), rid in zip(batch, ids, strict=True):
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
        attrs: Any = zip(*values, strict=True) if values else repeat(())
        yield [
            AnswerRow(
                number,
                rid,
                name,
                dict(zip(acols, attr_values)),  # noqa: B905
                {
                    qid: _clean(cells[i]) if "\r" in cells[i] else cells[i].strip()
                    for qid, i in text_at
                },
            )
            for (number, cells), rid, name, attr_values in zip(
                batch, ids, names, attrs, strict=False
            )
        ]
    changed["question ids"] = questions_changed
    note = nfc_note(changed)
    # the reader's notes (the blank rows, known at the end) come first, as read_table's
    answers.notes[:0] = table.notes
    if note:
        answers.notes.append(note)


def _text_columns(n: int) -> str:
    return _n("{n} text column", "{n} text columns", n).format(n=n)


def _clean(text: str) -> str:
    # keep the analyst's text as written; only normalise line endings and trim the ends
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()
