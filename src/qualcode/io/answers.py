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
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

from qualcode.core.codebook import Codebook, load_codebook
from qualcode.errors import ImportError_, QualcodeError
from qualcode.io.tabular import (
    count_with_controls,
    gc_paused,
    lookalike_notes,
    lookalikes_in_project,
    nfc_all,
    nfc_note,
    read_table,
    rows_note,
)
from qualcode.safe import one_line

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
    # what reading the file skipped or changed, one line each (see ImportSummary.notes)
    notes: list[str] = field(default_factory=list)
    no_controls: bool = False  # no text holds a control character (Table.no_controls)


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
            f"give one --question per --text-col ({len(text_cols)} text "
            f"columns, {len(questions)} questions)"
        )
    if text_cols and len(codebooks) not in (1, len(text_cols)):
        raise QualcodeError(
            f"give one --codebook, or one per --text-col ({len(text_cols)} "
            f"text columns, {len(codebooks)} codebooks)"
        )
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
    notes = list(table.notes)
    used = {rcol, ncol, *tcols, *acols}
    unused = [h for h in table.headers if h not in used]
    if unused:
        listed = ", ".join(f"'{one_line(h)}'" for h in unused[:6])
        more = f" and {len(unused) - 6:,} more" if len(unused) > 6 else ""
        notes.append(
            f"skipped: {len(unused):,} column{'s' if len(unused) > 1 else ''} not "
            f"imported: {listed}{more} (not chosen as a text, name or attribute "
            "column; --attr-col or --all-attrs keeps them as attributes)"
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
                "the respondent id is empty", file=table.file, row=number, column=rcol
            )
        if rid in first_row:
            what = "for the same question" if tcols else "in the register"
            raise ImportError_(
                f"respondent '{rid}' appears again {what} (first at row {first_row[rid]})",
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


def _clean(text: str) -> str:
    # keep the analyst's text as written; only normalise line endings and trim the ends
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


PROGRESS_EVERY = 500  # rows written between two progress reports


def apply_answers(
    project: Project, table: AnswerTable, summary: ImportSummary, progress=None
) -> None:
    """Write the answers, inside the project's import transaction.

    The rows are written in batches of PROGRESS_EVERY (respondents, attributes, then
    their answers, each with one executemany); ``progress(done, total)`` follows each batch.
    """
    summary.notes.extend(table.notes)
    summary.notes.extend(_lookalikes(project, table))
    for qid, _col, book in table.questions:
        project._ensure_question(qid, "open", book, "")
        summary.questions.append(qid)
    existing = {qid: project._existing_items(qid) for qid, _c, _b in table.questions}
    # the questions that already hold answers, whose answers each row must agree with
    held = [(qid, col, existing[qid]) for qid, col, _b in table.questions if existing[qid]]
    qids = [qid for qid, _c, _b in table.questions]
    source = table.file
    total = len(table.rows)
    present: list[int] = []  # the row of each answer the project already holds
    for start in range(0, total, PROGRESS_EVERY):
        batch = table.rows[start : start + PROGRESS_EVERY]
        new_items = []
        for row in batch:
            rid = row.respondent
            texts = row.texts
            for qid, col, old_items in held:
                old = old_items.get((rid, 0))
                if old is not None:
                    if old[1] != texts[qid]:
                        raise ImportError_(
                            f"respondent '{rid}' already has a different answer to "
                            f"'{qid}' in the project; nothing was imported (remove the old "
                            "answer or import into a new question)",
                            file=source,
                            row=row.row,
                            column=col,
                        )
                    present.append(row.row)
            new_items += [
                (qid, rid, 0, "answer", None, texts[qid], int(not texts[qid]), source)
                for qid in qids
                if not held or (rid, 0) not in existing[qid]
            ]
        summary.items_empty += sum(1 for item in new_items if item[6])
        summary.items_added += len(new_items)
        if not table.no_controls:
            summary.items_with_controls += count_with_controls([item[5] for item in new_items])
        project._upsert_respondents([(r.respondent, r.name, r.attributes) for r in batch], summary)
        project._insert_items(new_items)
        if progress is not None:
            progress(start + len(batch), total)
    if present:
        rows = list(dict.fromkeys(present))
        summary.notes.append(
            rows_note(
                f"answer{'s' if len(present) > 1 else ''}",
                present,
                "the project already holds the same answer",
                f"on {len(rows):,} row{'s' if len(rows) > 1 else ''}: "
                if len(rows) < len(present)
                else "",
            )
        )


def _lookalikes(project: Project, table: AnswerTable) -> list[str]:
    """Warnings for respondent ids of the file that differ only in case, spaces, invisible
    characters or leading zeros from each other or from ids in the project."""
    groups, held = lookalikes_in_project(project.db.conn, [row.respondent for row in table.rows])
    if not groups:
        return []
    rows = {row.respondent: row.row for row in table.rows}

    def where(rid: str) -> str:
        if rid in rows:
            return f"row {rows[rid]}" + (", also in the project" if rid in held else "")
        return "in the project"

    return lookalike_notes(groups, "respondent ids", where, "respondents")
