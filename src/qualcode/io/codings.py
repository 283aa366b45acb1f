"""Importing codings from CSV/XLSX: ``respondent,question,code[,coder]``.

Optional columns: ``item`` (the excerpt's number within the jobcentre's transcript),
``text`` (an exact passage of the item: the coding covers just that span),
``start``/``end`` (character offsets), ``memo``. ``code`` is a code key or its exact
label in the question's codebook. Unknown codes, questions and respondents are
errors, never silently added.

The respondent, question, code and coder of each row are matched and stored in Unicode
NFC, as the project stores ids (a row's spelling is normalised only when it is not found
as written, so the common case costs nothing). What the import skips or doubts (blank
rows, columns it does not know, a memo not applied, a passage whose place disagrees with
start/end) becomes a line of ``ImportSummary.notes``: :func:`read_codings` returns the
rows as a :class:`CodingRows` list that carries the reading's notes to the import. A
respondent id the project holds only in another spelling ('jc07' for 'JC07') is named in
the error.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from qualcode.core.checks import gc_paused, nfc_note
from qualcode.core.importer import CodingRow, CodingRows
from qualcode.errors import ImportError_
from qualcode.i18n import translator
from qualcode.io.tabular import Table, listed, read_table
from qualcode.safe import one_line

_, _n = translator("io")

if TYPE_CHECKING:
    pass

REQUIRED = ("respondent", "question", "code")
OPTIONAL = ("coder", "item", "text", "start", "end", "memo")


@gc_paused()
def read_codings(
    path: str, *, default_coder: str, sheet: str | None = None
) -> tuple[CodingRows, Table]:
    table = read_table(path, sheet=sheet)
    cols = {c: table.require(c) for c in REQUIRED}
    for c in OPTIONAL:
        with contextlib.suppress(ImportError_):
            cols[c] = table.require(c)
    at = {name: table.headers.index(col) for name, col in cols.items()}
    notes = list(table.notes)
    unknown = [h for h in table.headers if h not in cols.values()]
    if unknown:
        notes.append(
            _n(
                "skipped: column {columns}: not a codings column ({known})",
                "skipped: columns {columns}: not a codings column ({known})",
                len(unknown),
            ).format(
                columns=listed([f"'{one_line(h)}'" for h in unknown], 6),
                known=", ".join(REQUIRED + OPTIONAL),
            )
        )
    rows = _rows(table, at, cols, default_coder)
    note = nfc_note(table.normalized)
    if note is not None:
        notes.append(note)
    return CodingRows(rows, notes), table


def _rows(
    table: Table, at: dict[str, int], cols: dict[str, str], default_coder: str
) -> list[CodingRow]:
    """The rows, each checked in order: the first wrong cell is named."""
    ri, qi, ci = at["respondent"], at["question"], at["code"]
    coder_i, item_i, text_i = at.get("coder"), at.get("item"), at.get("text")
    start_i, end_i, memo_i = at.get("start"), at.get("end"), at.get("memo")
    file = table.file
    rows: list[CodingRow] = []
    for number, cells in zip(table.numbers, table.records, strict=True):
        respondent, question, code = cells[ri].strip(), cells[qi].strip(), cells[ci].strip()
        if not (respondent and question and code):
            for name, value in zip(REQUIRED, (respondent, question, code), strict=True):
                if not value:
                    raise ImportError_(_empty(name), file=file, row=number, column=cols[name])
        coder = (cells[coder_i].strip() if coder_i is not None else "") or default_coder
        item = start = end = None
        if item_i is not None and (value := cells[item_i].strip()):
            item = _int(value, table, number, cols["item"])
        if start_i is not None and (value := cells[start_i].strip()):
            start = _int(value, table, number, cols["start"])
        if end_i is not None and (value := cells[end_i].strip()):
            end = _int(value, table, number, cols["end"])
        rows.append(
            CodingRow(
                file,
                number,
                respondent,
                question,
                code,
                coder,
                item,
                cells[text_i] if text_i is not None else "",
                start,
                end,
                cells[memo_i].strip() if memo_i is not None else "",
            )
        )
    return rows


def _empty(column: str) -> str:
    """'the respondent is empty' (of a required column)."""
    if column == "respondent":
        return _("the respondent is empty")
    if column == "question":
        return _("the question is empty")
    return _("the code is empty")


def _int(value: str, table: Table, row: int, column: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ImportError_(
            _("'{value}' is not a whole number").format(value=value),
            file=table.file,
            row=row,
            column=column,
        ) from None
    if number < 0:
        raise ImportError_(
            _("{n} is negative").format(n=number), file=table.file, row=row, column=column
        )
    return number


PROGRESS_EVERY = 500  # rows between two progress reports (each batch is one executemany)
