"""Importing codings from CSV/XLSX: ``respondent,question,code[,coder]``.

Optional columns: ``item`` (the excerpt's number within the jobcentre's transcript),
``text`` (an exact passage of the item: the coding covers just that span),
``start``/``end`` (character offsets), ``memo``. ``code`` is a code key or its exact
label in the question's codebook. Unknown codes, questions and respondents are
errors, never silently added.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import ImportError_, NotFound
from qualcode.io.tabular import Table, read_table

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


def read_codings(path: str, *, default_coder: str, sheet: str | None = None) -> tuple[
        list[CodingRow], Table]:
    table = read_table(path, sheet=sheet)
    cols = {c: table.require(c) for c in REQUIRED}
    for c in OPTIONAL:
        with contextlib.suppress(ImportError_):
            cols[c] = table.require(c)
    rows: list[CodingRow] = []
    for number, cells in table.rows:
        def cell(name: str, number: int = number, cells: dict = cells) -> str:
            return cells[cols[name]].strip() if name in cols else ""

        for name in REQUIRED:
            if not cell(name):
                raise ImportError_(f"the {name} is empty", file=table.file, row=number,
                                   column=cols[name])
        rows.append(CodingRow(
            file=table.file, row=number, respondent=cell("respondent"),
            question=cell("question"), code=cell("code"),
            coder=cell("coder") or default_coder,
            item=_int(cell("item"), table, number, cols.get("item")),
            text=cells[cols["text"]] if "text" in cols else "",
            start=_int(cell("start"), table, number, cols.get("start")),
            end=_int(cell("end"), table, number, cols.get("end")),
            memo=cell("memo")))
    return rows, table


def _int(value: str, table: Table, row: int, column: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ImportError_(f"'{value}' is not a whole number", file=table.file, row=row,
                           column=column) from None
    if number < 0:
        raise ImportError_(f"{number} is negative", file=table.file, row=row, column=column)
    return number


def apply_codings(project: Project, rows: list[CodingRow], summary: ImportSummary,
                  progress=None) -> None:
    """Check every row against the project, then write them (inside the import transaction)."""
    questions = {q.id: q for q in project.questions()}
    books = {}
    code_ids: dict[tuple[str, str], int] = {
        (r[0], r[1]): r[2] for r in project.db.execute("SELECT codebook_id, key, id FROM codes")}
    items_by_resp: dict[tuple[str, str], list] = {}
    for done, r in enumerate(rows, start=1):
        if progress is not None and (done % 500 == 0 or done == len(rows)):
            progress(done, len(rows))
        def fail(msg: str, column: str | None = None, r: CodingRow = r) -> ImportError_:
            return ImportError_(msg, file=r.file, row=r.row, column=column)

        q = questions.get(r.question)
        if q is None:
            raise fail(f"no question '{r.question}' in the project (questions: "
                       f"{', '.join(questions) or 'none'})", "question")
        if q.codebook not in books:
            books[q.codebook] = project.codebook(q.codebook)
        code = books[q.codebook].find(r.code)
        if code is None:
            raise fail(f"code '{r.code}' is not in codebook '{q.codebook}' of question "
                       f"'{q.id}' (add it to the codebook first)", "code")
        key = (q.id, r.respondent)
        if key not in items_by_resp:
            # interviewer turns too: item numbers count them (and they must be refused)
            items_by_resp[key] = project.items(q.id, respondent=r.respondent,
                                               include_empty=True, include_interviewer=True)
        items = items_by_resp[key]
        if not items:
            try:
                project.respondent(r.respondent)
                msg = f"respondent '{r.respondent}' has no answer to '{q.id}' in the project"
            except NotFound:
                msg = f"no respondent '{r.respondent}' in the project"
            raise fail(msg, "respondent")
        answered = any(not i.is_empty and i.kind != "interviewer" for i in items)
        # an empty answer is refused before a passage is looked for (it cannot be in "")
        item, start, end = _locate(r, items, fail) if answered else (items[0], None, None)
        if item.is_empty:
            raise fail(f"respondent '{r.respondent}' left '{q.id}' empty; an empty answer "
                       "cannot be coded", "respondent")
        if start is not None and not (0 <= start < end <= len(item.text)):
            raise fail(f"span {start}-{end} is outside the item's text (0-{len(item.text)})",
                       "start")
        code_id = code_ids[(q.codebook, code.key)]
        if project._find_coding(item.id, code_id, r.coder, start, end) is not None:
            summary.codings_existing += 1
            continue
        from qualcode.store.db import now

        project.db.execute(
            "INSERT INTO codings (item_id, code_id, start, \"end\", coder, created_at, memo)"
            " VALUES (?,?,?,?,?,?,?)", [item.id, code_id, start, end, r.coder, now(), r.memo])
        summary.codings_added += 1
        if q.id not in summary.questions:
            summary.questions.append(q.id)


def _locate(r: CodingRow, items: list, fail):
    """The item a row means, and the span if it gives one."""
    if r.item is not None:
        chosen = [i for i in items if i.number == r.item]
        if not chosen:
            raise fail(f"respondent '{r.respondent}' has no item {r.item} in '{r.question}' "
                       f"(1-{max(i.number for i in items)})", "item")
        if chosen[0].kind == "interviewer":
            raise fail(f"item {r.item} of respondent '{r.respondent}' in '{r.question}' is an "
                       "interviewer turn; interviewer turns are not coded", "item")
        candidates = chosen
    else:
        candidates = [i for i in items if i.kind != "interviewer"]
    if r.text.strip():
        passage = r.text.strip()
        hits = [(it, it.text.find(passage)) for it in candidates if passage in it.text]
        if len(hits) > 1:
            numbers = ", ".join(str(it.number) for it, _ in hits)
            raise fail(f"the passage '{_short(passage)}' occurs in {len(hits)} excerpts of "
                       f"respondent '{r.respondent}' (items {numbers}); add an 'item' column "
                       "to say which", "text")
        if hits:
            it, at = hits[0]
            return it, at, at + len(passage)
        raise fail(f"the passage '{_short(passage)}' is not in the text of respondent "
                   f"'{r.respondent}' for '{r.question}'", "text")
    if len(candidates) > 1:
        raise fail(f"respondent '{r.respondent}' has {len(candidates)} excerpts in "
                   f"'{r.question}'; say which with an 'item' or 'text' column", "respondent")
    if r.start is not None or r.end is not None:
        if r.start is None or r.end is None:
            raise fail("give both start and end for a span", "start")
        return candidates[0], r.start, r.end
    return candidates[0], None, None


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
