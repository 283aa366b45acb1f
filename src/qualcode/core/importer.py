"""The one import writer: answers, transcripts and codings read from files (by
:mod:`qualcode.io`) are checked against the project and written, all or nothing.

Every import runs in one transaction (:func:`run`): questions and codebooks are created
when new, respondents added or updated, items inserted in batches, and codings matched to
their items; whatever is skipped or suspicious becomes a line of ``ImportSummary.notes``.
The rows are read in whole before anything is written, and ``progress(done, total)`` is
called as batches are written; raising from it (to cancel) rolls the import back.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from qualcode.core.checks import (
    count_with_controls,
    gc_paused,
    listing,
    lookalike_groups,
    lookalike_notes,
    lookalikes_in_project,
    nfc,
    nfc_note,
    rows_listed,
    shown,
)
from qualcode.core.numbers import integer
from qualcode.errors import ImportError_, NotFound
from qualcode.i18n import translator
from qualcode.models import ImportSummary
from qualcode.store import codebooks as code_store
from qualcode.store import codings as coding_store
from qualcode.store import db as store
from qualcode.store import imports as import_store
from qualcode.store import items as item_store
from qualcode.store import memos as memo_store
from qualcode.store import questions as question_store
from qualcode.store import respondents as respondent_store
from qualcode.store import reviews as review_store
from qualcode.store import summaries as summary_store

if TYPE_CHECKING:
    from qualcode.core.codebook import Codebook
    from qualcode.core.project import Project

_, _n = translator("core")

Progress = Callable[[int, int], None]


# -- what readers produce ------------------------------------------------------------------


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
    # set by write_answers: the answers it wrote that hold personal data, as (question,
    # respondent, position), found as they were written; None when its questions held
    # answers before (those were not looked at), or when nothing was written yet
    personal_data: list[tuple[str, str, int]] | None = None
    # the rows in batches as they are read (io.answers.stream_answers), instead of
    # ``rows``: each batch is written before the next is read; ``notes`` is complete
    # once it is exhausted. ``expected``: at most this many rows (for progress)
    stream: Iterator[list[AnswerRow]] | None = None
    expected: int = 0


@dataclass
class Turn:
    role: str
    interviewer: bool
    paragraphs: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Transcript:
    respondent: str
    name: str
    file: str
    turns: list[Turn] = field(default_factory=list)

    def items(self, split: str = "turn") -> list[tuple[str, str | None, str]]:
        """(kind, role, text) in order: one per turn, or per paragraph of a respondent turn."""
        out: list[tuple[str, str | None, str]] = []
        for t in self.turns:
            kind = "interviewer" if t.interviewer else "excerpt"
            if split == "paragraph" and not t.interviewer:
                out.extend((kind, t.role, p) for p in t.paragraphs)
            else:
                out.append((kind, t.role, "\n\n".join(t.paragraphs)))
        return out


class Transcripts(list[Transcript]):
    """Parsed transcripts (a list of :class:`Transcript`), with ``notes``: what reading the
    files left out or changed, one line each, for ``ImportSummary.notes``."""

    def __init__(
        self, transcripts: Iterable[Transcript] = (), notes: list[str] | None = None
    ) -> None:
        super().__init__(transcripts)
        self.notes: list[str] = list(notes or [])


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


class CodingRows(list[CodingRow]):
    """The rows of a codings file (a list of :class:`CodingRow`), with ``notes``: what
    reading it skipped or changed, one line each, for ``ImportSummary.notes``."""

    def __init__(self, rows: Iterable[CodingRow] = (), notes: list[str] | None = None):
        super().__init__(rows)
        self.notes: list[str] = list(notes or [])


@dataclass
class ImportPlan:
    """A whole import worked out before anything is written (REFI-QDA files): codebooks,
    questions, respondents, items, codings and memos, by their natural keys."""

    codebooks: list[Codebook] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)  # id, kind, codebook, text
    respondents: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # question, respondent, position, kind, role, text, empty, source
    items: list[tuple[Any, ...]] = field(default_factory=list)
    # question, respondent, position, key, coder, start, end, at, memo, starred, origin
    codings: list[tuple[Any, ...]] = field(default_factory=list)
    memos: list[tuple[Any, ...]] = field(default_factory=list)  # target, ref, text, author, at
    # survey waves: question, wave, series (a question's series is its own id unless
    # another question's)
    waves: list[tuple[str, str, str]] = field(default_factory=list)
    # answers a coder marked 'reviewed, no theme applies': question, respondent,
    # position, coder, at
    reviews: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    # framework summaries: question, respondent, code key, text, author, at
    summaries: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)


# -- writing -----------------------------------------------------------------------------------


class Writer:
    """One import's writes, inside its transaction: what every kind of import shares."""

    def __init__(self, project: Project, summary: ImportSummary) -> None:
        self.project = project
        self.summary = summary
        self.created = store.now()

    def upsert_respondents(self, rows: Iterable[tuple[str, str, dict[str, str]]]) -> None:
        """Add or update respondents (id, name, attributes), counted in the summary."""
        added, changed = respondent_store.upsert(self.project.db, rows, self.created)
        self.summary.respondents_added += added
        self.summary.attributes_changed += changed


def run(
    project: Project,
    kind: str,
    file: str,
    sha256: str,
    options: dict[str, Any],
    write: Callable[[Writer], None],
    summary: ImportSummary | None = None,
) -> ImportSummary:
    """Run ``write`` in one transaction and log the import if it changed anything."""
    summary = summary if summary is not None else ImportSummary(file=file)
    summary.kind = kind
    with project.transaction():
        with gc_paused():  # the rows built to write form no cycles (see gc_paused)
            write(Writer(project, summary))
        if summary.changed:
            import_store.record(
                project.db, kind, file, sha256, options, summary.record(), store.now()
            )
            project.log(
                f"import.{kind}",
                file=file,
                sha256=sha256,
                options=options,
                summary=summary.record(),
            )
    return summary


# -- answers

PROGRESS_EVERY = 500  # rows written between two progress reports


def write_answers(w: Writer, table: AnswerTable, progress: Progress | None = None) -> None:
    """Write the answers, inside the project's import transaction.

    The rows are written in batches of PROGRESS_EVERY (respondents, attributes, then
    their answers, each with one executemany); ``progress(done, total)`` follows each batch.
    A streamed table's batches are read as they are written (``total`` is then an upper
    bound, and the last call says the rows written); an error in one rolls back all.
    """
    from qualcode.core.pii import holding

    project, summary = w.project, w.summary
    table.personal_data = None
    streamed = table.stream is not None
    notes_at = len(summary.notes)
    lookalikes = [] if streamed else _answer_lookalikes(project, table)
    # a streamed file's ids, with their rows; those the project held before this import
    file_rows: dict[str, int] = {}
    held_before: set[str] = set()
    had_respondents = streamed and respondent_store.count(project.db) > 0
    for qid, _col, book in table.questions:
        project.ensure_question(qid, "open", book, "")
        summary.questions.append(qid)
    existing = {qid: item_store.existing(project.db, qid) for qid, _c, _b in table.questions}
    # the questions that already hold answers, whose answers each row must agree with
    held = [(qid, col, existing[qid]) for qid, col, _b in table.questions if existing[qid]]
    qids = [qid for qid, _c, _b in table.questions]
    source = table.file
    if table.stream is not None:
        total = table.expected
        batches: Iterable[list[AnswerRow]] = table.stream
    else:
        total = len(table.rows)
        batches = (table.rows[at : at + PROGRESS_EVERY] for at in range(0, total, PROGRESS_EVERY))
    done = 0
    present: list[int] = []  # the row of each answer the project already holds
    personal: list[tuple[str, str, int]] = []
    for batch in batches:
        if streamed:
            file_rows.update((row.respondent, row.row) for row in batch)
            if had_respondents:
                held_before |= respondent_store.held(project.db, [r.respondent for r in batch])
        new_items = []
        for row in batch:
            rid = row.respondent
            texts = row.texts
            for qid, col, old_items in held:
                old = old_items.get((rid, 0))
                if old is not None:
                    if old[1] != texts[qid]:
                        raise ImportError_(
                            _(
                                "respondent '{respondent}' already has a different answer to "
                                "'{question}' in the project; nothing was imported (remove "
                                "the old answer or import into a new question)"
                            ).format(respondent=rid, question=qid),
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
        written = [item[5] for item in new_items]
        if not table.no_controls:
            summary.items_with_controls += count_with_controls(written)
        # personal data, looked for as the answers are written (not read back afterwards)
        personal += [new_items[i][:3] for i in holding(written)]
        w.upsert_respondents([(r.respondent, r.name, r.attributes) for r in batch])
        item_store.insert_many(project.db, new_items)
        done += len(batch)
        if progress is not None:
            progress(done, max(done, total))
    if streamed:
        if progress is not None and done != total:
            progress(done, done)
        lookalikes = _streamed_lookalikes(project, file_rows, held_before)
    summary.notes[notes_at:notes_at] = [*table.notes, *lookalikes]
    if not held:  # the questions hold what was written here, all of it looked at
        table.personal_data = personal
    if present:
        rows = list(dict.fromkeys(present))
        where = rows_listed(rows[:5], len(rows))
        if len(rows) < len(present):
            where = _n("on {n} row: {rows}", "on {n} rows: {rows}", len(rows)).format(
                n=integer(len(rows)), rows=where
            )
        summary.notes.append(
            _n(
                "skipped: {n} answer ({rows}): the project already holds the same answer",
                "skipped: {n} answers ({rows}): the project already holds the same answer",
                len(present),
            ).format(n=integer(len(present)), rows=where)
        )


def _streamed_lookalikes(project: Project, rows: dict[str, int], held: set[str]) -> list[str]:
    """:func:`_answer_lookalikes` once a streamed file is written: ``rows`` are its ids
    (with their rows), ``held`` those the project held before. Compared with the
    project's ids as they were before the import (lookalikes_in_project's way)."""
    distinct = list(rows)
    if len(held) == len(distinct):
        groups = lookalike_groups(distinct)
    else:
        added = {rid for rid in distinct if rid not in held}
        known = [rid for rid in respondent_store.ids(project.db) if rid not in added]
        mine = set(distinct)
        groups = [g for g in lookalike_groups(distinct + known) if any(r in mine for r in g)]
    if not groups:
        return []

    def where(rid: str) -> str:
        if rid in rows:
            text = _("row {row}, also in the project") if rid in held else _("row {row}")
            return text.format(row=rows[rid])
        return _("in the project")

    return lookalike_notes(groups, where)


def _answer_lookalikes(project: Project, table: AnswerTable) -> list[str]:
    """Warnings for respondent ids of the file that differ only in case, spaces, invisible
    characters or leading zeros from each other or from ids in the project."""
    groups, held = lookalikes_in_project(project.db, [row.respondent for row in table.rows])
    if not groups:
        return []
    rows = {row.respondent: row.row for row in table.rows}

    def where(rid: str) -> str:
        if rid in rows:
            text = _("row {row}, also in the project") if rid in held else _("row {row}")
            return text.format(row=rows[rid])
        return _("in the project")

    return lookalike_notes(groups, where)


# -- transcripts


def write_interviews(
    w: Writer,
    transcripts: list[Transcript],
    question: str,
    codebook: Codebook,
    split: str = "turn",
    progress: Progress | None = None,
) -> None:
    project, summary = w.project, w.summary
    summary.notes.extend(getattr(transcripts, "notes", ()))
    summary.notes.extend(_transcript_lookalikes(project, transcripts))
    project.ensure_question(question, "interview", codebook, "Kvalitative interview")
    summary.questions.append(question)
    present: list[str] = []
    existing: dict[str, list[tuple[int, str]]] = {}  # respondent -> (position, text)
    for (rid, pos), (_id, text) in item_store.existing(project.db, question).items():
        existing.setdefault(rid, []).append((pos, text))
    rows = []
    for done, t in enumerate(transcripts, start=1):
        if progress is not None:
            progress(done, len(transcripts))
        w.upsert_respondents([(t.respondent, t.name, {})])
        new = t.items(split)
        old = sorted(existing.get(t.respondent, ()))
        if old:
            if [text for _pos, text in old] != [text for _k, _r, text in new]:
                raise ImportError_(
                    _(
                        "{noun} '{respondent}' already has a different transcript for "
                        "'{question}' in the project; nothing was imported"
                    ).format(
                        noun=project.noun().singular, respondent=t.respondent, question=question
                    ),
                    file=t.file,
                )
            present.append(t.respondent)
            continue
        for position, (kind, role, text) in enumerate(new):
            rows.append((question, t.respondent, position, kind, role, text, 0, t.file))
            summary.items_added += 1
    summary.items_with_controls += count_with_controls([row[5] for row in rows])
    item_store.insert_many(project.db, rows)
    if present:
        listed = [f"'{rid}'" for rid in present[:5]]
        if len(present) > 5:
            more = len(present) - 5
            listed.append(_n("{n} more", "{n} more", more).format(n=integer(more)))
        summary.notes.append(
            _n(
                "skipped: {n} transcript already in the project with the same text for "
                "'{question}' ({respondents})",
                "skipped: {n} transcripts already in the project with the same text for "
                "'{question}' ({respondents})",
                len(present),
            ).format(n=integer(len(present)), question=question, respondents=listing(listed))
        )


def _transcript_lookalikes(project: Project, transcripts: list[Transcript]) -> list[str]:
    """Warnings for jobcentre ids that differ only in case, spaces, invisible characters
    or leading zeros from each other or from respondents in the project."""
    groups, held = lookalikes_in_project(project.db, [t.respondent for t in transcripts])
    if not groups:
        return []
    files = {t.respondent: t.file for t in transcripts}

    def where(rid: str) -> str:
        if rid in files:
            if rid in held:
                return _("{file}, also in the project").format(file=files[rid])
            return files[rid]
        return _("in the project")

    return lookalike_notes(groups, where, project.noun())


# -- codings

# an item as the importer needs it, as read: (respondent, id, position, kind, is_empty)
_ID: Final = 1
_POSITION: Final = 2
_KIND: Final = 3
_EMPTY: Final = 4


# an item as the importer needs it: (respondent, id, position, kind, is_empty)
ItemRow = tuple[str, int, int, str, int]


class _Items:
    """Each question's items, read once per question, by respondent; texts only on demand."""

    def __init__(self, project: Project) -> None:
        self.conn = project.db
        self.by_question: dict[str, dict[str, list[ItemRow]]] = {}
        self.codable: dict[tuple[str, str], tuple[list[ItemRow], bool]] = {}
        self.texts: dict[int, str] = {}

    def of(self, question: str) -> dict[str, list[ItemRow]]:
        """Respondent id -> the respondent's items in the question, in order (interviewer
        turns too: item numbers count them)."""
        by_resp = self.by_question.get(question)
        if by_resp is None:
            by_resp = self.by_question[question] = {}
            for row in item_store.positions(self.conn, question):
                items = by_resp.get(row[0])
                if items is None:
                    by_resp[row[0]] = [row]
                else:
                    items.append(row)
        return by_resp

    def codable_of(
        self, question: str, respondent: str, items: list[ItemRow]
    ) -> tuple[list[ItemRow], bool]:
        """The items that may be coded (all but interviewer turns), and whether any of them
        is not empty."""
        key = (question, respondent)
        if key not in self.codable:
            codable = [i for i in items if i[_KIND] != "interviewer"]
            self.codable[key] = codable, any(not i[_EMPTY] for i in codable)
        return self.codable[key]

    def text(self, question: str, respondent: str, item_id: int) -> str:
        if item_id not in self.texts:  # the respondent's texts at once: passages look in all
            self.texts.update(item_store.texts_of(self.conn, question, respondent))
        return self.texts[item_id]


def write_codings(w: Writer, rows: list[CodingRow], progress: Progress | None = None) -> None:
    """Check every row against the project, then write them (inside the import transaction).

    Rows are checked and written in batches of PROGRESS_EVERY, each batch with one
    ``INSERT OR IGNORE`` executemany: a coding the project already holds (the
    ``codings_unique`` index) is ignored and counted as existing, as is a row repeated in
    the file. ``progress(done, total)`` follows each batch.
    """
    project, summary = w.project, w.summary
    conn = project.db
    questions = {q.id: q for q in project.questions()}
    books: dict[str, Codebook] = {}
    code_ids = code_store.all_code_ids(conn)
    resolved: dict[tuple[str, str], int] = {}  # (question, code as written) -> code id
    items = _Items(project)
    total = len(rows)
    summary.notes.extend(getattr(rows, "notes", ()))
    disagree: list[int] = []  # rows whose passage is not where their start/end say
    normalized = {"respondent": 0, "question": 0, "code": 0, "coder": 0}  # rows, by field
    memo_kept: list[int] = []  # rows whose memo was not applied to a coding already there
    none_marked: list[tuple[int, str, CodingRow]] = []  # (item, coder, row) of '-' rows
    cleared: list[int] = []  # rows whose coding took a 'no theme' mark away
    any_marks = review_store.any_marks(conn)
    for first in range(0, total, PROGRESS_EVERY):
        batch = rows[first : first + PROGRESS_EVERY]
        values = []
        batch_questions: list[str] = []
        batch_rows: list[CodingRow] = []
        created = store.now()
        for r in batch:
            no_theme = r.code == NO_THEME
            code_id = resolved.get((r.question, r.code))
            if no_theme:
                if r.question not in questions and (
                    r.question.isascii() or _normalize(r, "question", normalized) not in questions
                ):
                    raise _fail(r, _no_question(r.question, questions), "question")
            elif code_id is None:
                q = questions.get(r.question)
                if q is None and not r.question.isascii():
                    q = questions.get(_normalize(r, "question", normalized))
                if q is None:
                    raise _fail(r, _no_question(r.question, questions), "question")
                if q.codebook not in books:
                    books[q.codebook] = project.codebook(q.codebook)
                code = books[q.codebook].find(r.code)
                if code is None and not r.code.isascii():
                    code = books[q.codebook].find(_normalize(r, "code", normalized))
                if code is None:
                    raise _fail(
                        r,
                        _(
                            "code '{code}' is not in codebook '{codebook}' of question "
                            "'{question}' (add it to the codebook first)"
                        ).format(code=r.code, codebook=q.codebook, question=q.id),
                        "code",
                    )
                code_id = resolved[r.question, r.code] = code_ids[(q.codebook, code.key)]
            its = items.of(r.question).get(r.respondent)
            if its is None and not r.respondent.isascii():
                its = items.of(r.question).get(_normalize(r, "respondent", normalized))
            if its is None:
                try:
                    project.respondent(r.respondent)
                    msg = _(
                        "respondent '{respondent}' has no answer to '{question}' in the project"
                    ).format(respondent=r.respondent, question=r.question)
                except NotFound:
                    msg = _no_respondent(project, r.respondent)
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
                    _(
                        "respondent '{respondent}' left '{question}' empty; an empty answer "
                        "cannot be coded"
                    ).format(respondent=r.respondent, question=r.question),
                    "respondent",
                )
            if start is not None and end is not None:
                length = len(items.text(r.question, r.respondent, item[_ID]))
                if not (0 <= start < end <= length):
                    raise _fail(
                        r,
                        _("span {start}-{end} is outside the item's text (0-{length})").format(
                            start=start, end=end, length=length
                        ),
                        "start",
                    )
            if no_theme:
                if start is not None:
                    raise _fail(
                        r,
                        _(
                            "a '{mark}' row says no theme applies to the whole answer; it has "
                            "no passage"
                        ).format(mark=NO_THEME),
                        "text" if r.text.strip() else "start",
                    )
                none_marked.append((item[_ID], r.coder, r))
                continue
            assert code_id is not None
            values.append((item[_ID], code_id, start, end, r.coder, created, r.memo))
            batch_questions.append(r.question)
            batch_rows.append(r)
        coders = set(map(itemgetter(4), values))  # in C: a batch has a coder or two
        if not all(c.isascii() or unicodedata.is_normalized("NFC", c) for c in coders):
            normalized["coder"] += sum(c != nfc(c) for c in map(itemgetter(4), values))
            values = [(*v[:4], nfc(v[4]), *v[5:]) for v in values]
        before = coding_store.max_id(conn)
        added = coding_store.insert_new(conn, values)
        summary.codings_added += added
        summary.codings_existing += len(values) - added
        if added < len(values):
            memo_kept += _memos_not_applied(conn, batch_rows, values)
        if any_marks:  # a theme on an answer takes the coder's 'no theme' mark away
            for r, v in zip(batch_rows, values, strict=True):
                if review_store.unmark(conn, v[0], v[4]):
                    cleared.append(r.row)
        if added == len(values):
            new_questions: Iterable[str] = dict.fromkeys(batch_questions)
        elif added:  # some were there already: the questions of the codings added, in order
            new_questions = coding_store.questions_coded_after(conn, before)
        else:
            new_questions = ()
        for qid in new_questions:
            if qid not in summary.questions:
                summary.questions.append(qid)
        if progress is not None:
            progress(first + len(batch), total)
    _mark_no_theme(conn, summary, none_marked)
    if cleared:
        summary.notes.append(
            _n(
                "changed: {n} row ({rows}) codes a theme on an answer its coder had marked "
                "'no theme'; the mark was taken away",
                "changed: {n} rows ({rows}) code a theme on an answer their coder had marked "
                "'no theme'; the mark was taken away",
                len(cleared),
            ).format(n=integer(len(cleared)), rows=_listed(cleared))
        )
    note = nfc_note({f"{field} fields": n for field, n in normalized.items()})
    if note is not None:
        summary.notes.append(note)
    if disagree:
        summary.notes.append(
            _n(
                "warning: {n} row ({rows}) gives a passage that is not where its start and "
                "end say; the passage's place was used",
                "warning: {n} rows ({rows}) give a passage that is not where their start and "
                "end say; the passage's place was used",
                len(disagree),
            ).format(n=integer(len(disagree)), rows=_listed(disagree))
        )
    if memo_kept:
        summary.notes.append(
            _n(
                "skipped: the memo of {n} row ({rows}): the project already holds the coding "
                "with another memo",
                "skipped: the memos of {n} rows ({rows}): the project already holds the "
                "codings with other memos",
                len(memo_kept),
            ).format(n=integer(len(memo_kept)), rows=_listed(memo_kept))
        )


NO_THEME = "-"  # a codings row whose code is this: 'reviewed, no theme applies'


def _mark_no_theme(
    conn: sqlite3.Connection, summary: ImportSummary, marks: list[tuple[int, str, CodingRow]]
) -> None:
    """Mark the '-' rows' answers 'no theme'; refused where the same coder codes a theme on
    the same answer (in the file or in the project)."""
    at = store.now()
    for item_id, coder, r in marks:
        if coding_store.select(conn, item_id=item_id, coder=coder):
            raise _fail(
                r,
                _(
                    "says no theme applies to respondent '{respondent}' in '{question}', but "
                    "coder '{coder}' codes themes on the same answer (in this file or in the "
                    "project); remove one of them"
                ).format(respondent=r.respondent, question=r.question, coder=coder),
                "code",
            )
        if review_store.mark(conn, item_id, coder, at):
            summary.no_theme_added += 1
            if r.question not in summary.questions:
                summary.questions.append(r.question)


def _normalize(r: CodingRow, field: str, counts: dict[str, int]) -> str:
    """The row's ``field`` in NFC, stored back in the row (and counted if it changed)."""
    value = getattr(r, field)
    normal = nfc(value)
    if normal != value:
        setattr(r, field, normal)
        counts[field] += 1
    return normal


def _listed(numbers: list[int]) -> str:
    """'row 4', 'rows 4, 7', 'rows 1, 2, 3, 4, 5, ...'."""
    return rows_listed(numbers[:5], len(numbers))


def _no_question(question: str, questions: Iterable[str]) -> str:
    return _("no question '{question}' in the project (questions: {questions})").format(
        question=question, questions=", ".join(questions) or _("none")
    )


def _memos_not_applied(
    conn: sqlite3.Connection, batch: list[CodingRow], values: list[tuple[Any, ...]]
) -> list[int]:
    """The rows of a batch with a memo that differs from the memo of the coding the
    project holds (a row the unique index ignored: its memo was not written)."""
    out = []
    for r, (item_id, code_id, start, end, coder, _created, memo) in zip(batch, values, strict=True):
        if not memo:
            continue
        held = coding_store.memo_of(conn, item_id, code_id, coder, start, end)
        if held is not None and held != memo:
            out.append(r.row)
    return out


def _no_respondent(project: Project, respondent: str) -> str:
    """ "no respondent 'jc07' in the project", with "(the project has 'JC07', which
    differs only in case, ...)" when the project holds the id in another spelling."""
    known = project.respondent_ids()
    for group in lookalike_groups([respondent, *known]):
        if respondent in group:
            others = [rid for rid in group if rid != respondent]
            return _(
                "no respondent '{respondent}' in the project (the project has {ids}, which "
                "differs only in case, spaces, invisible characters or leading zeros)"
            ).format(respondent=respondent, ids=", ".join(map(shown, others[:3])))
    return _("no respondent '{respondent}' in the project").format(respondent=respondent)


def _fail(r: CodingRow, msg: str, column: str | None = None) -> ImportError_:
    return ImportError_(msg, file=r.file, row=r.row, column=column)


def _locate(
    r: CodingRow, items: list[ItemRow], codable: list[ItemRow], texts: _Items
) -> tuple[ItemRow, int | None, int | None]:
    """The item a row means, and the span if it gives one."""
    if r.item is not None:
        chosen = [i for i in items if i[_POSITION] + 1 == r.item]
        if not chosen:
            raise _fail(
                r,
                _("respondent '{respondent}' has no item {item} in '{question}' (1-{last})").format(
                    respondent=r.respondent,
                    item=r.item,
                    question=r.question,
                    last=max(i[_POSITION] for i in items) + 1,
                ),
                "item",
            )
        if chosen[0][_KIND] == "interviewer":
            raise _fail(
                r,
                _(
                    "item {item} of respondent '{respondent}' in '{question}' is an "
                    "interviewer turn; interviewer turns are not coded"
                ).format(item=r.item, respondent=r.respondent, question=r.question),
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
            numbers = ", ".join(str(it[_POSITION] + 1) for it, _at in hits)
            raise _fail(
                r,
                _(
                    "the passage '{passage}' occurs in {n} excerpts of respondent "
                    "'{respondent}' (items {items}); add an 'item' column to say which"
                ).format(
                    passage=_short(passage), n=len(hits), respondent=r.respondent, items=numbers
                ),
                "text",
            )
        if hits:
            it, at = hits[0]
            return it, at, at + len(passage)
        raise _fail(
            r,
            _(
                "the passage '{passage}' is not in the text of respondent '{respondent}' for "
                "'{question}'"
            ).format(passage=_short(passage), respondent=r.respondent, question=r.question),
            "text",
        )
    if len(candidates) > 1:
        raise _fail(
            r,
            _(
                "respondent '{respondent}' has {n} excerpts in '{question}'; say which with "
                "an 'item' or 'text' column"
            ).format(respondent=r.respondent, n=len(candidates), question=r.question),
            "respondent",
        )
    if r.start is not None or r.end is not None:
        if r.start is None or r.end is None:
            raise _fail(r, _("give both start and end for a span"), "start")
        return candidates[0], r.start, r.end
    return candidates[0], None, None


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- a planned import (REFI-QDA)


def write_plan(w: Writer, plan: ImportPlan, name: str) -> None:
    """Write a planned import (REFI-QDA: codebooks, questions, cases, sources, selections
    and notes, each matched to what the project holds)."""
    project, summary = w.project, w.summary
    books: dict[str, Codebook] = {}
    key_map: dict[tuple[str, str], str] = {}  # (stem, planned key) -> the project's key
    for book in plan.codebooks:
        if project.has_codebook(book.stem):
            have = project.codebook(book.stem)
            have_keys = set(have.keys())
            for code in book.codes:
                found = have.find(code.key if code.key in have_keys else code.label)
                if found is None:
                    raise ImportError_(
                        _(
                            "the project's codebook '{codebook}' has no code '{code}'; import "
                            "into a new codebook with --codebook STEM"
                        ).format(codebook=book.stem, code=code.label),
                        file=name,
                    )
                key_map[(book.stem, code.key)] = found.key
            books[book.stem] = have
        else:
            project.insert_codebook(book)
            summary.codes_added += len(book.codes)
            books[book.stem] = book
            key_map.update({(book.stem, c.key): c.key for c in book.codes})
    stems: dict[str, str] = {}
    for q in plan.questions:
        book = books.get(q["codebook"]) or project.codebook(q["codebook"])
        project.ensure_question(q["id"], q["kind"], book, q["text"])
        stems[q["id"]] = book.stem
        summary.questions.append(q["id"])
    _write_waves(w, plan.waves)
    w.upsert_respondents((rid, rname, attrs) for rid, (rname, attrs) in plan.respondents.items())
    item_ids: dict[tuple[str, str, int], tuple[int, str]] = {}
    for qid in stems:
        item_ids.update(
            {(qid, r, p): v for (r, p), v in item_store.existing(project.db, qid).items()}
        )
    new_rows = []
    for q, r, pos, kind, role, text, empty, src in plan.items:
        old = item_ids.get((q, r, pos))
        if old is not None:
            if old[1] != text:
                raise ImportError_(
                    _(
                        "respondent '{respondent}' already has another text for '{question}' "
                        "(item {item}) in the project; nothing was imported"
                    ).format(respondent=r, question=q, item=pos + 1),
                    file=name,
                )
            continue
        new_rows.append((q, r, pos, kind, role, text, empty, src))
        summary.items_added += 1
        if empty:
            summary.items_empty += 1
    item_store.insert_many(project.db, new_rows)
    for qid in stems:
        item_ids.update(
            {(qid, r, p): v for (r, p), v in item_store.existing(project.db, qid).items()}
        )
    code_ids = code_store.all_code_ids(project.db)
    for q, r, pos, key, coder, start, end, at, memo, starred, origin in plan.codings:
        item_id, text = item_ids[(q, r, pos)]
        stem = stems[q]
        code_id = code_ids[(stem, key_map.get((stem, key), key))]
        if start is not None and not (0 <= start < end <= len(text)):
            raise ImportError_(
                _(
                    "a coding of '{respondent}' spans {start}-{end}, outside the item's text "
                    "(0-{length})"
                ).format(respondent=r, start=start, end=end, length=len(text)),
                file=name,
            )
        if coding_store.find(project.db, item_id, code_id, coder, start, end) is not None:
            summary.codings_existing += 1
            continue
        new_id = coding_store.insert(
            project.db,
            item_id,
            code_id,
            coder,
            at or store.now(),
            start=start,
            end=end,
            memo=memo or "",
            origin=origin or "",
        )
        if starred:
            coding_store.set_starred(project.db, new_id, True)
        summary.codings_added += 1
    for target, ref, text, author, at in plan.memos:
        target_id = _memo_target(project, target, ref, item_ids, stems, key_map, code_ids)
        if target_id is _UNMATCHED or not (text or "").strip():
            continue
        if memo_store.exists(project.db, target, target_id, text, author):
            continue
        memo_store.add(project.db, target, target_id, text, author, at or store.now())
        summary.memos_added += 1
    for review in plan.reviews:
        marked = item_ids.get(review[:3])
        if marked is not None and review_store.mark(
            project.db, marked[0], review[3], review[4] or store.now()
        ):
            summary.no_theme_added += 1
    known = set(respondent_store.ids(project.db)) if plan.summaries else set()
    for qid, rid, key, text, author, at in plan.summaries:
        of_question = stems.get(qid)
        if of_question is None or not text or rid not in known:
            continue
        key = key_map.get((of_question, key), key)
        if (of_question, key) not in code_ids:
            continue
        held = summary_store.get(project.db, qid, rid, key)
        if held is not None and (held[0] == text or (at or "") <= held[2]):
            continue  # the same, or the project's is as new or newer (as a merge decides)
        summary_store.put(project.db, qid, rid, key, text, author, at or store.now())
        summary.summaries_added += 1


def _write_waves(w: Writer, waves: list[tuple[str, str, str]]) -> None:
    """Put the planned questions in their survey waves; a question the project already
    has in another wave, or a wave of the series another question holds, stays as the
    project has it (said in a note)."""
    if not waves:
        return
    project, summary = w.project, w.summary
    stored = {q: (wave, series or q) for q, wave, series in question_store.waves(project.db)}
    for qid, wave, series in waves:
        old = stored.get(qid, ("", qid))
        if old == (wave, series):
            continue
        clash = next(
            (q for q, (wv, sr) in stored.items() if (wv, sr) == (wave, series) and q != qid), None
        )
        if old[0] or clash is not None:
            text = (
                _(
                    "kept: question '{question}' stays wave {old} in the project; the file "
                    "has it as wave {wave} of '{series}'"
                )
                if old[0]
                else _(
                    "kept: question '{question}' stays without a wave in the project; the "
                    "file has it as wave {wave} of '{series}'"
                )
            )
            summary.notes.append(text.format(question=qid, old=old[0], wave=wave, series=series))
            continue
        question_store.set_wave(project.db, qid, wave, "" if series == qid else series)
        stored[qid] = (wave, series)
        project.log(
            "question.wave",
            question=qid,
            wave=wave,
            series=series,
            before={"wave": old[0], "series": old[1]},
        )


_UNMATCHED = object()


def _memo_target(
    project: Project,
    target: str,
    ref: Any,
    item_ids: dict[tuple[str, str, int], tuple[int, str]],
    stems: dict[str, str],
    key_map: dict[tuple[str, str], str],
    code_ids: dict[tuple[str, str], int],
) -> Any:
    try:
        if target == "project":
            return None
        if target == "respondent":
            return str(ref)
        if target == "item":
            return str(item_ids[tuple(ref)][0])
        if target == "code":
            stem, key = ref
            return str(code_ids[(stem, key_map.get((stem, key), key))])
        if target == "coding":
            q, r, pos, key, coder, start, end = ref
            stem = stems[q]
            found = coding_store.find(
                project.db,
                item_ids[(q, r, pos)][0],
                code_ids[(stem, key_map.get((stem, key), key))],
                coder,
                start,
                end,
            )
            return str(found) if found is not None else _UNMATCHED
    except (KeyError, TypeError, ValueError):
        return _UNMATCHED
    return _UNMATCHED
