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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

from qualcode.errors import ImportError_, NotFound
from qualcode.io.tabular import (
    Table,
    gc_paused,
    lookalike_groups,
    nfc,
    nfc_note,
    read_table,
    shown,
)
from qualcode.safe import one_line

if TYPE_CHECKING:
    from qualcode.core.models import ImportSummary
    from qualcode.core.project import Project

REQUIRED = ("respondent", "question", "code")
OPTIONAL = ("coder", "item", "text", "start", "end", "memo")


@dataclass
class CodingRow:
    file: str
    row: int
    respondent: str
    question: str
    code: str
    coder: str
    item: int | None = None
    text: str = ""
    start: int | None = None
    end: int | None = None
    memo: str = ""


class CodingRows(list):
    """The rows of a codings file (a list of :class:`CodingRow`), with ``notes``: what
    reading it skipped or changed, one line each, for ``ImportSummary.notes``."""

    def __init__(self, rows: Iterable[CodingRow] = (), notes: list[str] | None = None):
        super().__init__(rows)
        self.notes: list[str] = list(notes or [])


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
        listed = ", ".join(f"'{one_line(h)}'" for h in unknown[:6])
        more = f" and {len(unknown) - 6:,} more" if len(unknown) > 6 else ""
        notes.append(
            f"skipped: column{'s' if len(unknown) > 1 else ''} {listed}{more}: not "
            f"a codings column ({', '.join(REQUIRED + OPTIONAL)})"
        )
    rows = _rows(table, at, cols, default_coder)
    if table.normalized:
        notes.append(nfc_note(table.normalized))
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
                    raise ImportError_(
                        f"the {name} is empty", file=file, row=number, column=cols[name]
                    )
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


def _int(value: str, table: Table, row: int, column: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ImportError_(
            f"'{value}' is not a whole number", file=table.file, row=row, column=column
        ) from None
    if number < 0:
        raise ImportError_(f"{number} is negative", file=table.file, row=row, column=column)
    return number


PROGRESS_EVERY = 500  # rows between two progress reports (each batch is one executemany)

# an item as the importer needs it, as read: (respondent, id, position, kind, is_empty)
_ID, _POSITION, _KIND, _EMPTY = 1, 2, 3, 4


class _Items:
    """Each question's items, read once per question, by respondent; texts only on demand."""

    def __init__(self, project: Project) -> None:
        self.conn = project.db.conn
        self.by_question: dict[str, dict[str, list[tuple]]] = {}
        self.codable: dict[tuple[str, str], tuple[list[tuple], bool]] = {}
        self.texts: dict[int, str] = {}

    def of(self, question: str) -> dict[str, list[tuple]]:
        """Respondent id -> the respondent's items in the question, in order (interviewer
        turns too: item numbers count them)."""
        by_resp = self.by_question.get(question)
        if by_resp is None:
            by_resp = self.by_question[question] = {}
            for row in self.conn.execute(  # a covering index (items_queue) answers this
                "SELECT respondent_id, id, position, kind, is_empty FROM items"
                " WHERE question_id = ? ORDER BY respondent_id, position",
                [question],
            ):
                items = by_resp.get(row[0])
                if items is None:
                    by_resp[row[0]] = [row]
                else:
                    items.append(row)
        return by_resp

    def codable_of(
        self, question: str, respondent: str, items: list[tuple]
    ) -> tuple[list[tuple], bool]:
        """The items that may be coded (all but interviewer turns), and whether any of them
        is not empty."""
        key = (question, respondent)
        if key not in self.codable:
            codable = [i for i in items if i[_KIND] != "interviewer"]
            self.codable[key] = codable, any(not i[_EMPTY] for i in codable)
        return self.codable[key]

    def text(self, question: str, respondent: str, item_id: int) -> str:
        if item_id not in self.texts:  # the respondent's texts at once: passages look in all
            self.texts.update(
                self.conn.execute(
                    "SELECT id, text FROM items WHERE question_id = ? AND respondent_id = ?",
                    [question, respondent],
                )
            )
        return self.texts[item_id]


def apply_codings(
    project: Project, rows: list[CodingRow], summary: ImportSummary, progress=None
) -> None:
    """Check every row against the project, then write them (inside the import transaction).

    Rows are checked and written in batches of PROGRESS_EVERY, each batch with one
    ``INSERT OR IGNORE`` executemany: a coding the project already holds (the
    ``codings_unique`` index) is ignored and counted as existing, as is a row repeated in
    the file. ``progress(done, total)`` follows each batch.
    """
    from qualcode.store.db import now

    conn = project.db.conn
    questions = {q.id: q for q in project.questions()}
    books = {}
    code_ids: dict[tuple[str, str], int] = {
        (r[0], r[1]): r[2] for r in conn.execute("SELECT codebook_id, key, id FROM codes")
    }
    resolved: dict[tuple[str, str], int] = {}  # (question, code as written) -> code id
    items = _Items(project)
    total = len(rows)
    summary.notes.extend(getattr(rows, "notes", ()))
    disagree: list[int] = []  # rows whose passage is not where their start/end say
    normalized = {"respondent": 0, "question": 0, "code": 0, "coder": 0}  # rows, by field
    memo_kept: list[int] = []  # rows whose memo was not applied to a coding already there
    for first in range(0, total, PROGRESS_EVERY):
        batch = rows[first : first + PROGRESS_EVERY]
        values = []
        batch_questions: list[str] = []
        created = now()
        for r in batch:
            code_id = resolved.get((r.question, r.code))
            if code_id is None:
                q = questions.get(r.question)
                if q is None and not r.question.isascii():
                    q = questions.get(_normalize(r, "question", normalized))
                if q is None:
                    raise _fail(
                        r,
                        f"no question '{r.question}' in the project (questions: "
                        f"{', '.join(questions) or 'none'})",
                        "question",
                    )
                if q.codebook not in books:
                    books[q.codebook] = project.codebook(q.codebook)
                code = books[q.codebook].find(r.code)
                if code is None and not r.code.isascii():
                    code = books[q.codebook].find(_normalize(r, "code", normalized))
                if code is None:
                    raise _fail(
                        r,
                        f"code '{r.code}' is not in codebook '{q.codebook}' of "
                        f"question '{q.id}' (add it to the codebook first)",
                        "code",
                    )
                code_id = resolved[r.question, r.code] = code_ids[(q.codebook, code.key)]
            its = items.of(r.question).get(r.respondent)
            if its is None and not r.respondent.isascii():
                its = items.of(r.question).get(_normalize(r, "respondent", normalized))
            if its is None:
                try:
                    project.respondent(r.respondent)
                    msg = (
                        f"respondent '{r.respondent}' has no answer to '{r.question}' in "
                        "the project"
                    )
                except NotFound:
                    msg = (
                        f"no respondent '{r.respondent}' in the project"
                        f"{_lookalike_hint(project, r.respondent)}"
                    )
                raise _fail(r, msg, "respondent")
            item, start, end = its[0], None, None
            if len(its) == 1 and item[_KIND] != "interviewer":  # an answer: the common row
                if not item[_EMPTY] and (
                    r.item is not None or r.start is not None or r.end is not None or r.text.strip()
                ):
                    item, start, end = _locate(r, its, its, items)
            else:
                codable, answered = items.codable_of(r.question, r.respondent, its)
                # an empty answer is refused before a passage is looked for (not in "")
                if answered:
                    item, start, end = _locate(r, its, codable, items)
            if (
                start is not None
                and r.text.strip()
                and (r.start is not None or r.end is not None)
                and (start, end) != (r.start, r.end)
            ):
                disagree.append(r.row)
            if item[_EMPTY]:
                raise _fail(
                    r,
                    f"respondent '{r.respondent}' left '{r.question}' empty; an "
                    "empty answer cannot be coded",
                    "respondent",
                )
            if start is not None:
                length = len(items.text(r.question, r.respondent, item[_ID]))
                if not (0 <= start < end <= length):
                    raise _fail(
                        r, f"span {start}-{end} is outside the item's text (0-{length})", "start"
                    )
            values.append((item[_ID], code_id, start, end, r.coder, created, r.memo))
            batch_questions.append(r.question)
        coders = set(map(itemgetter(4), values))  # in C: a batch has a coder or two
        if not all(c.isascii() or unicodedata.is_normalized("NFC", c) for c in coders):
            normalized["coder"] += sum(c != nfc(c) for c in map(itemgetter(4), values))
            values = [(*v[:4], nfc(v[4]), *v[5:]) for v in values]
        before = conn.execute("SELECT IFNULL(MAX(id), 0) FROM codings").fetchone()[0]
        added = conn.executemany(
            'INSERT OR IGNORE INTO codings (item_id, code_id, start, "end", coder,'
            " created_at, memo) VALUES (?,?,?,?,?,?,?)",
            values,
        ).rowcount
        summary.codings_added += added
        summary.codings_existing += len(values) - added
        if added < len(values):
            memo_kept += _memos_not_applied(conn, batch, values)
        if added == len(values):
            new_questions: Iterable[str] = dict.fromkeys(batch_questions)
        elif added:  # some were there already: the questions of the codings added, in order
            new_questions = [
                row[0]
                for row in conn.execute(
                    "SELECT i.question_id FROM codings c JOIN items i ON i.id = c.item_id"
                    " WHERE c.id > ? GROUP BY i.question_id ORDER BY MIN(c.id)",
                    [before],
                )
            ]
        else:
            new_questions = ()
        for qid in new_questions:
            if qid not in summary.questions:
                summary.questions.append(qid)
        if progress is not None:
            progress(first + len(batch), total)
    if any(normalized.values()):
        summary.notes.append(nfc_note({f"{field} fields": n for field, n in normalized.items()}))
    if disagree:
        summary.notes.append(
            f"warning: {len(disagree):,} row{'s' if len(disagree) > 1 else ''} "
            f"({_listed(disagree)}) give a passage that is not where their start and end say; "
            "the passage's place was used"
        )
    if memo_kept:
        summary.notes.append(
            f"skipped: the memo of {len(memo_kept):,} row{'s' if len(memo_kept) > 1 else ''} "
            f"({_listed(memo_kept)}): the project already holds the coding with another memo"
        )


def _normalize(r: CodingRow, field: str, counts: dict[str, int]) -> str:
    """The row's ``field`` in NFC, stored back in the row (and counted if it changed)."""
    value = getattr(r, field)
    normal = nfc(value)
    if normal != value:
        setattr(r, field, normal)
        counts[field] += 1
    return normal


def _listed(numbers: list[int]) -> str:
    listed = ", ".join(map(str, numbers[:5]))
    return (
        f"row {listed}"
        if len(numbers) == 1
        else f"rows {listed}" + (", ..." if len(numbers) > 5 else "")
    )


def _memos_not_applied(conn, batch: list[CodingRow], values: list[tuple]) -> list[int]:
    """The rows of a batch with a memo that differs from the memo of the coding the
    project holds (a row the unique index ignored: its memo was not written)."""
    out = []
    for r, (item_id, code_id, start, end, coder, _created, memo) in zip(batch, values, strict=True):
        if not memo:
            continue
        held = conn.execute(
            "SELECT memo FROM codings WHERE item_id = ? AND code_id = ? AND coder = ?"
            ' AND IFNULL(start, -1) = IFNULL(?, -1) AND IFNULL("end", -1) = IFNULL(?, -1)',
            [item_id, code_id, coder, start, end],
        ).fetchone()
        if held is not None and (held[0] or "") != memo:
            out.append(r.row)
    return out


def _lookalike_hint(project: Project, respondent: str) -> str:
    """' (the project has 'JC07', which differs only in case)' for an id the project holds
    in another spelling, else ''."""
    known = [r[0] for r in project.db.conn.execute("SELECT id FROM respondents")]
    for group in lookalike_groups([respondent, *known]):
        if respondent in group:
            others = [rid for rid in group if rid != respondent]
            return (
                f" (the project has {', '.join(map(shown, others[:3]))}, which differs "
                "only in case, spaces, invisible characters or leading zeros)"
            )
    return ""


def _fail(r: CodingRow, msg: str, column: str | None = None) -> ImportError_:
    return ImportError_(msg, file=r.file, row=r.row, column=column)


def _locate(r: CodingRow, items: list[tuple], codable: list[tuple], texts: _Items):
    """The item a row means, and the span if it gives one."""
    if r.item is not None:
        chosen = [i for i in items if i[_POSITION] + 1 == r.item]
        if not chosen:
            raise _fail(
                r,
                f"respondent '{r.respondent}' has no item {r.item} in "
                f"'{r.question}' (1-{max(i[_POSITION] for i in items) + 1})",
                "item",
            )
        if chosen[0][_KIND] == "interviewer":
            raise _fail(
                r,
                f"item {r.item} of respondent '{r.respondent}' in '{r.question}' is "
                "an interviewer turn; interviewer turns are not coded",
                "item",
            )
        candidates = chosen
    else:
        candidates = codable
    if r.text.strip():
        passage = r.text.strip()
        hits = []
        for it in candidates:
            at = texts.text(r.question, r.respondent, it[_ID]).find(passage)
            if at >= 0:
                hits.append((it, at))
        if len(hits) > 1:
            numbers = ", ".join(str(it[_POSITION] + 1) for it, _ in hits)
            raise _fail(
                r,
                f"the passage '{_short(passage)}' occurs in {len(hits)} excerpts of "
                f"respondent '{r.respondent}' (items {numbers}); add an 'item' column "
                "to say which",
                "text",
            )
        if hits:
            it, at = hits[0]
            return it, at, at + len(passage)
        raise _fail(
            r,
            f"the passage '{_short(passage)}' is not in the text of respondent "
            f"'{r.respondent}' for '{r.question}'",
            "text",
        )
    if len(candidates) > 1:
        raise _fail(
            r,
            f"respondent '{r.respondent}' has {len(candidates)} excerpts in "
            f"'{r.question}'; say which with an 'item' or 'text' column",
            "respondent",
        )
    if r.start is not None or r.end is not None:
        if r.start is None or r.end is None:
            raise _fail(r, "give both start and end for a span", "start")
        return candidates[0], r.start, r.end
    return candidates[0], None, None


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
