"""The project: the one API that the CLI, the TUI and notebook users call.

    >>> from qualcode import Project
    >>> p = Project.open("demo.qualcode.db")
    >>> p.counts("strategier")                       # doctest: +SKIP

Every user action runs in its own transaction and appends to the event log in that
same transaction, so an acknowledged change is on disk and a failed one left nothing.
The rules live here; the SQL lives in :mod:`qualcode.store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from qualcode.core.codebook import Codebook
from qualcode.errors import NotFound, QualcodeError
from qualcode.i18n import translator
from qualcode.models import JOBCENTRE, Code, Noun, Question
from qualcode.store import codebooks as code_store
from qualcode.store import codings as coding_store
from qualcode.store import db as store
from qualcode.store import items as item_store
from qualcode.store import questions as question_store
from qualcode.store import respondents as respondent_store
from qualcode.store import settings as settings_store

# The store modules only some actions need (events: the log and undo; files; imports;
# memos; reviews: 'no theme'; summaries: the framework matrix), and the models only they
# make, are imported in the methods that use them: a command that only reads, such as
# counts or info, loads none of them (tests/test_startup_imports.py).

_, _n = translator("core")

Progress = Callable[[int, int], None]
T = TypeVar("T")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.counts import CountTable
    from qualcode.core.crosstab import Group
    from qualcode.core.framework import FrameworkMatrix
    from qualcode.core.grid import Grid, SortBy
    from qualcode.core.importer import AnswerTable, CodingRows, Transcripts
    from qualcode.core.memos import MemoEntry
    from qualcode.core.query import Query
    from qualcode.models import (
        Change,
        Coding,
        Disagreement,
        ImportSummary,
        Item,
        Memo,
        Quote,
        Respondent,
        Summary,
    )


class Project:
    """A qualcode project file (SQLite)."""

    CONSENSUS = "consensus"

    def __init__(
        self,
        db: sqlite3.Connection,
        path: Path,
        coder: str | None = None,
        *,
        notices: list[str] | None = None,
    ) -> None:
        self.db = db
        self.path = path
        from qualcode.paths import default_coder

        self.coder = coder or default_coder()
        # what opening the file found that a user should be told (an upgrade and where the
        # backup is, an older file read as it is): the CLI prints them, the workbench shows
        self.notices: list[str] = notices or []
        # how long a change waits for another program's write to finish, and who is told
        # that it waits (after a second): see store.db.begin_write
        self.write_patience = store.DEFAULT_PATIENCE_S
        self.on_wait: Callable[[str], None] | None = None
        # codebooks and questions, read once while nobody changes the file (see _cached)
        self._cache: dict[tuple[str, str], Any] = {}
        self._cache_key: tuple[int, int] = (-1, -1)

    # -- opening --------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        coder: str | None = None,
        readonly: bool = False,
    ) -> Project:
        """Open a project file; ``create`` makes a new one, ``readonly`` opens it for reading
        only (nothing is written, not even a schema upgrade: an older file is read through
        an upgraded copy in memory). Opening an older file to write upgrades it, after a
        backup beside it (see :attr:`notices`)."""
        path = Path(path)
        notices: list[str] = []
        db = store.connect(path, create=create, readonly=readonly, notice=notices.append)
        return cls(db, path, coder, notices=notices)

    @classmethod
    def create(cls, path: str | Path, *, coder: str | None = None) -> Project:
        path = Path(path)
        if path.exists():
            raise QualcodeError(_("already exists; choose another name"), file=str(path))
        return cls.open(path, create=True, coder=coder)

    @classmethod
    @contextmanager
    def building(cls, path: str | Path, *, coder: str | None = None) -> Iterator[Project]:
        """A new project, built under a private name beside ``path`` and given its name only
        when the block ends without an error: a failed import leaves no file behind, and a
        half-built project is never seen under ``path`` by another program."""
        from qualcode.store import files

        path = Path(path)
        if path.exists():
            raise QualcodeError(_("already exists; choose another name"), file=str(path))
        tmp = files.private_name(path)
        project = cls.open(tmp, create=True, coder=coder)
        try:
            yield project
            project.close()
            files.publish(tmp, path)
            project.path = path
        finally:
            project.close()
            files.discard(tmp)

    @property
    def readonly(self) -> bool:
        return store.is_readonly(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __repr__(self) -> str:
        """What a notebook shows for ``p``: the file, what it holds, who codes."""
        try:
            questions = self.questions()
            noun = self.noun()
            held = _n(
                "{n} {noun}, {questions} question",
                "{n} {noun}, {questions} questions",
                len(questions),
            ).format(n=self.respondent_count(), noun=noun.plural, questions=len(questions))
        except sqlite3.Error:  # closed: say so rather than fail in a repr
            held = _("closed")
        return _("<Project {name}: {held}; coder {coder}>").format(
            name=Path(self.path).name, held=held, coder=self.coder
        )

    def _repr_html_(self) -> str:
        """A notebook's view of the project: one row per question, with what is coded."""
        from html import escape

        try:
            questions = self.questions()
        except sqlite3.Error:
            return f"<p>{escape(repr(self))}</p>"
        rows = []
        for q in questions:
            items, answered, coded, codings = self.tally(q.id)
            cells = [
                q.id,
                q.text,
                q.codebook,
                answered,
                coded,
                codings,
                ", ".join(self.coders(q.id)),
            ]
            rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
        headings = (
            _("question"),
            _("text"),
            _("codebook"),
            _("answered"),
            _("coded"),
            _("codings"),
            _("coders"),
        )
        head = "".join(f"<th>{escape(h)}</th>" for h in headings)
        return (
            f"<p>{escape(repr(self))}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: all of it is committed, or none of it.

        The write lock is taken at the start (BEGIN IMMEDIATE), so a second process writing
        the same file makes this one wait (see :func:`qualcode.store.db.begin_write`)
        instead of failing half-way with "database is locked" when a read turns into a
        write.
        """
        if not self.db.in_transaction and self.readonly:
            raise QualcodeError(
                _("the project was opened for reading only; nothing was changed"),
                file=str(self.path),
            )
        with store.write_transaction(
            self.db, patience=self.write_patience, waiting=self.on_wait, name=str(self.path)
        ) as conn:
            yield conn

    def backup(self, reason: str) -> Path:
        """A copy of the project as it is now, in the rotating backups beside it (the newest
        ten are kept); made through SQLite's backup API, so other writers are no problem."""
        from qualcode.store import backup as backups

        return backups.rotating_backup(self.db, self.path, reason)

    def log(self, action: str, **payload: Any) -> None:
        """Append an event to the log, inside the caller's transaction."""
        from qualcode.store import events as event_store

        event_store.log(self.db, store.now(), self.coder, action, payload)

    def last_change(self) -> int | None:
        """The newest event's id: it changes whenever anybody changes the project."""
        from qualcode.store import events as event_store

        return event_store.last_id(self.db)

    def _cached(self, kind: str, key: str, load: Callable[[], T]) -> T:
        """``load()``, kept while neither this connection nor another one changes the file:
        SQLite's data_version moves when another connection commits, total_changes when
        this one writes."""
        now = store.data_version(self.db)
        if now != self._cache_key:
            self._cache.clear()
            self._cache_key = now
        try:
            return self._cache[kind, key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._cache[kind, key] = load()
            return value

    # -- codebooks ------------------------------------------------------------
    def codebook_stems(self) -> list[str]:
        return code_store.stems(self.db)

    def has_codebook(self, stem: str) -> bool:
        return code_store.exists(self.db, stem)

    def install_codebook(self, codebook: Codebook) -> bool:
        """Copy a codebook into the project; False if it is there already (kept as it is).

        The project's copy is the one that counts: edits made in the project are never
        overwritten by a later import that names the same codebook.
        """
        if self.has_codebook(codebook.stem):
            return False
        with self.transaction():
            self.insert_codebook(codebook)
        return True

    def insert_codebook(self, book: Codebook) -> None:
        """Store a new codebook, inside the caller's transaction (imports use it)."""
        meta = {f: getattr(book, f) for f in code_store.META_FIELDS}
        code_store.insert(self.db, book.stem, meta, book.codes)
        self.log("codebook.install", codebook=book.stem, codes=book.keys())

    def codebook(self, stem_or_question: str) -> Codebook:
        """The project's codebook, by its stem or by a question bound to it."""
        return self._cached("codebook", stem_or_question, lambda: self._load(stem_or_question))

    def _load(self, stem_or_question: str) -> Codebook:
        stem = stem_or_question
        found = code_store.load(self.db, stem)
        if found is None:
            of_question = code_store.stem_of_question(self.db, stem_or_question)
            if of_question is not None:
                stem, found = of_question, code_store.load(self.db, of_question)
        if found is None:
            raise NotFound(
                _(
                    "no codebook or question '{name}' in the project (codebooks: {codebooks})"
                ).format(
                    name=stem_or_question,
                    codebooks=", ".join(self.codebook_stems()) or _("none"),
                )
            )
        meta, codes = found
        return Codebook(stem=stem, codes=codes, **meta)

    def _code_id(self, stem: str, key_or_label: str) -> tuple[int, Code]:
        code = self.codebook(stem).code(key_or_label)
        ids = self._cached("code-ids", stem, lambda: code_store.code_ids(self.db, stem))
        return ids[code.key], code

    # -- editing a project's codebook -------------------------------------------
    def code_usage(self, stem: str, key: str) -> int:
        """How many codings use this code (children not included)."""
        return code_store.usage(self.db, self._code_id(stem, key)[0])

    def add_code(
        self,
        stem: str,
        label: str,
        *,
        key: str | None = None,
        color: str | None = None,
        definition: str = "",
        parent: str | None = None,
    ) -> Code:
        """Add a code to the project's copy of a codebook (validated like a YAML file)."""
        book = self.codebook(stem)
        entry: dict[str, Any] = {"label": label, "definition": definition}
        if key:
            entry["key"] = key
        else:  # a free key from the label: 'fleksjob', else 'fleksjob-2', ...
            from qualcode.core.codebook import slugify

            base, taken, n = slugify(label), set(book.keys()), 2
            entry["key"] = base
            while entry["key"] in taken:
                entry["key"], n = f"{base}-{n}", n + 1
        if color:
            entry["color"] = color
        if parent:
            entry["parent"] = book.code(parent).key
        new = self._validated(book, extra=entry).codes
        added = next(c for c in new if c.key not in set(book.keys()))
        with self.transaction():
            row: dict[str, Any] = {
                "key": added.key,
                "label": added.label,
                "definition": added.definition,
                "source": "",
                "color": added.color,
                "keywords": [],
                "parent": added.parent,
                "position": None,
                "other": added.other,
            }
            row["position"] = code_store.insert_code(self.db, stem, row)[1]
            self.log(
                "code.add",
                codebook=stem,
                key=added.key,
                label=added.label,
                color=added.color,
                parent=added.parent,
                code=row,
            )
        return self.codebook(stem).code(added.key)

    def update_code(
        self,
        stem: str,
        key: str,
        *,
        label: str | None = None,
        color: str | None = None,
        definition: str | None = None,
        parent: str | None | bool = False,
    ) -> Code:
        """Rename, recolour, re-describe or re-nest a code (parent=None un-nests it)."""
        book = self.codebook(stem)
        old = book.code(key)
        changes: dict[str, Any] = {}
        if label is not None and label != old.label:
            changes["label"] = label
        if color is not None and color.upper() != old.color:
            changes["color"] = color
        if definition is not None and definition != old.definition:
            changes["definition"] = definition
        if parent is not False:
            new_parent = book.code(parent).key if isinstance(parent, str) and parent else None
            if new_parent != old.parent:
                changes["parent"] = new_parent
        if not changes:
            return old
        checked = self._validated(book, replace_key=old.key, changes=changes).code(old.key)
        fields = [*changes, "other"] if "label" in changes else list(changes)
        with self.transaction():
            after = {k: getattr(checked, k) for k in fields}
            code_store.set_code_fields(self.db, stem, old.key, after)
            self.log(
                "code.update",
                codebook=stem,
                key=old.key,
                before={k: getattr(old, k) for k in fields},
                after=after,
            )
        return checked

    def merge_codes(self, stem: str, source: str, target: str) -> int:
        """Move every coding of ``source`` to ``target`` and delete ``source``.

        Codings that would duplicate one the target already has are merged into it.
        Children of the source move to the target. Returns the codings moved. A backup is
        made first, and the merge can be undone (``undo(group="codebook")``).
        """
        src_id, src = self._code_id(stem, source)
        dst_id, dst = self._code_id(stem, target)
        if src_id == dst_id:
            raise QualcodeError(_("cannot merge a code into itself"))
        if dst.key in {c.key for c in self.codebook(stem).descendants(src.key)}:
            raise QualcodeError(
                _("cannot merge '{code}' into its own child '{child}'").format(
                    code=src.label, child=dst.label
                )
            )
        self.backup(f"{stem}-fletning")
        with self.transaction():
            payload = self._merge_codes_now(stem, src.key, dst.key)
            self.log("code.merge", **payload)
        return int(payload["moved"])

    def _merge_codes_now(self, stem: str, source: str, target: str) -> dict[str, Any]:
        src_id, _src = self._code_id(stem, source)
        dst_id, _dst = self._code_id(stem, target)
        snapshot = code_store.code_row(self.db, stem, source)
        rows = coding_store.spans_of_code(self.db, src_id)
        moved: list[int] = []
        deleted: list[dict[str, Any]] = []
        for cid, item_id, coder, start, end in rows:
            if coding_store.find(self.db, item_id, dst_id, coder, start, end) is None:
                coding_store.set_code(self.db, cid, dst_id)
                moved.append(cid)
            else:
                deleted.append(self._coding_payload(self.coding(cid), self.item(item_id)))
                coding_store.delete(self.db, cid)
        children = code_store.child_keys(self.db, src_id)
        code_store.reparent_children(self.db, src_id, dst_id)
        code_store.delete_code(self.db, src_id)
        return {
            "codebook": stem,
            "source": source,
            "target": target,
            "codings": [r[0] for r in rows],
            "moved": len(moved),
            "moved_ids": moved,
            "deleted": deleted,
            "children": children,
            "code": snapshot,
        }

    def _unmerge_codes(self, p: dict[str, Any]) -> None:
        stem = p["codebook"]
        if "code" not in p:
            raise QualcodeError(
                _(
                    "cannot undo a merge made by an older qualcode; restore a "
                    "backup instead ('qualcode restore')"
                )
            )
        dst_id, _dst = self._code_id(stem, p["target"])
        src_id, _pos = code_store.insert_code(self.db, stem, p["code"])
        for cid in p["moved_ids"]:
            coding_store.set_code(self.db, cid, src_id, only_from=dst_id)
        for coding in p["deleted"]:
            self._restore_coding(coding, src_id)
        for child in p["children"]:
            code_store.reparent(self.db, stem, child, dst_id, src_id)

    def delete_code(self, stem: str, key: str) -> int:
        """Delete a code and its codings (ask the user first: see code_usage). Returns how many
        codings were deleted; the event log keeps each of them, a backup is made first when
        there are any, and the deletion can be undone (``undo(group="codebook")``)."""
        _code_id, code = self._code_id(stem, key)
        if self.codebook(stem).children(code.key):
            raise QualcodeError(
                _("'{code}' has child codes; move or delete them first").format(code=code.label)
            )
        if self.code_usage(stem, code.key):
            self.backup(f"{stem}-sletning")
        with self.transaction():
            payload = self._delete_code_now(stem, code.key)
            self.log("code.delete", **payload)
        return len(payload["codings"])

    def _delete_code_now(self, stem: str, key: str) -> dict[str, Any]:
        code_id, code = self._code_id(stem, key)
        if code_store.child_keys(self.db, code_id):
            raise QualcodeError(
                _("'{code}' has child codes; move or delete them first").format(code=code.label)
            )
        snapshot = code_store.code_row(self.db, stem, key)
        gone = [
            self._coding_payload(c, self.item(c.item_id))
            for c in coding_store.select(self.db, code_id=code_id)
        ]
        coding_store.delete_of_code(self.db, code_id)
        code_store.delete_code(self.db, code_id)
        return {
            "codebook": stem,
            "key": key,
            "label": code.label,
            "codings": gone,
            "code": snapshot,
        }

    def _restore_coding(self, c: dict[str, Any], code_id: int) -> None:
        """Put back a coding from its event payload (its old id if still free)."""
        if not item_store.exists(self.db, c["item_id"]) or (
            coding_store.find(self.db, c["item_id"], code_id, c["coder"], c["start"], c["end"])
            is not None
        ):
            return
        self._insert_from_payload(
            c, code_id, coding_id=None if coding_store.id_taken(self.db, c["id"]) else c["id"]
        )

    def _insert_from_payload(
        self, c: dict[str, Any], code_id: int, *, coding_id: int | None = None
    ) -> None:
        """Insert a coding as an event's payload describes it."""
        coding_store.insert(
            self.db,
            c["item_id"],
            code_id,
            c["coder"],
            c["created_at"],
            start=c["start"],
            end=c["end"],
            memo=c.get("memo", ""),
            origin=c.get("origin", ""),
            coding_id=coding_id,
        )

    def _validated(
        self,
        book: Codebook,
        *,
        extra: dict[str, Any] | None = None,
        replace_key: str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> Codebook:
        """Re-validate the codebook with one change, with the YAML loader's rules."""
        from qualcode.core.codebook import parse_codebook

        data = book.to_dict()
        for entry in data["codes"]:
            if replace_key and entry["key"] == replace_key:
                for k, v in (changes or {}).items():
                    if v is None:
                        entry.pop(k, None)
                    else:
                        entry[k] = v
        if extra:
            data["codes"].append(extra)
        return parse_codebook(
            data, stem=book.stem, file=_("codebook '{stem}'").format(stem=book.stem), stored=True
        )

    # -- questions ------------------------------------------------------------
    def questions(self) -> list[Question]:
        return self._cached("questions", "", lambda: question_store.all_questions(self.db))

    def question(self, qid: str | None = None) -> Question:
        """A question by id; with no id, the only (or first) question in the project."""
        questions = self.questions()
        if not questions:
            raise NotFound(_("the project has no questions yet; import answers first"))
        if qid is None:
            return questions[0]
        for q in questions:
            if q.id == qid:
                return q
        raise NotFound(
            _("no question '{question}' in the project (questions: {questions})").format(
                question=qid, questions=", ".join(q.id for q in questions)
            )
        )

    def ensure_question(self, qid: str, kind: str, codebook: Codebook, text: str) -> bool:
        """Create the question (inside the caller's transaction, with its codebook if the
        project lacks it); False if it existed. Refused if it exists with another codebook
        or kind."""
        found = question_store.kind_and_codebook(self.db, qid)
        if found is not None:
            old_kind, old_stem = found
            if old_stem != codebook.stem:
                raise QualcodeError(
                    _(
                        "question '{question}' is coded with codebook '{codebook}', not '{other}'"
                    ).format(question=qid, codebook=old_stem, other=codebook.stem)
                )
            if old_kind != kind:
                raise QualcodeError(
                    (
                        _("question '{question}' holds interview items, not open items")
                        if old_kind == "interview"
                        else _("question '{question}' holds open items, not interview items")
                    ).format(question=qid)
                )
            return False
        if not self.has_codebook(codebook.stem):
            self.insert_codebook(codebook)
        question_store.insert(self.db, qid, text or codebook.title, kind, codebook.stem)
        self.log("question.add", question=qid, kind=kind, codebook=codebook.stem)
        return True

    def set_question_text(self, qid: str, text: str) -> None:
        self.question(qid)
        with self.transaction():
            question_store.set_text(self.db, qid, text)
            self.log("question.text", question=qid, text=text)

    # -- respondents ----------------------------------------------------------
    def respondents(self) -> list[Respondent]:
        return respondent_store.all_respondents(self.db)

    def respondent(self, rid: str) -> Respondent:
        found = respondent_store.get(self.db, rid)
        if found is None:
            raise NotFound(_("no respondent '{respondent}' in the project").format(respondent=rid))
        return found

    def respondent_ids(self) -> list[str]:
        return respondent_store.ids(self.db)

    # -- items ----------------------------------------------------------------
    def items(
        self,
        question: str | None = None,
        *,
        include_empty: bool = False,
        include_interviewer: bool = False,
        respondent: str | None = None,
    ) -> list[Item]:
        """The items of a question in file order: answers, or interview turns."""
        return item_store.of_question(
            self.db,
            self.question(question).id,
            include_empty=include_empty,
            include_interviewer=include_interviewer,
            respondent=respondent,
        )

    # -- the coding queue, lazily: ids first, text only for what is on screen ---------
    def queue(
        self, question: str | None = None, *, coder: str | None = None
    ) -> tuple[list[tuple[int, str, int, str]], set[int]]:
        """The question's items to code, as light rows (item id, respondent, number, role)
        in file order, and the ids of those already coded (by ``coder``, or by anyone)."""
        return item_store.queue(self.db, self.question(question).id, coder)

    def queue_rows(
        self, question: str | None = None, *, limit: int | None = None
    ) -> list[tuple[int, str, int, str]]:
        """The question's items to code as light rows (item id, respondent, number, role)
        in file order; with ``limit`` only the first ones (a screenful, shown first)."""
        return item_store.queue_rows(self.db, self.question(question).id, limit)

    def coded_items(self, question: str | None = None, *, coder: str | None = None) -> set[int]:
        """The ids of the question's items coded (by ``coder``, or by anyone)."""
        return item_store.coded_ids(self.db, self.question(question).id, coder)

    def snippets(self, item_ids: Sequence[int], length: int = 160) -> dict[int, str]:
        """The start of each item's text, for list rows."""
        return item_store.snippets(self.db, item_ids, length)

    def texts(self, item_ids: Sequence[int]) -> dict[int, str]:
        """Each item's whole text."""
        return item_store.texts(self.db, item_ids)

    def search_items(
        self,
        question: str,
        *,
        words: Iterable[str] = (),
        code: str | None = None,
        coder: str | None = None,
    ) -> set[int]:
        """Ids of the question's items whose text holds every word (case-insensitive) and,
        with ``code``, that carry that code (or a child of it)."""
        q = self.question(question)
        if code is None:
            return item_store.search(self.db, q.id, words=words)
        book = self.codebook(q.codebook)
        found = book.find(code)
        if found is None:
            return set()
        keys = [found.key, *(c.key for c in book.descendants(found.key))]
        return item_store.search(self.db, q.id, words=words, stem=book.stem, keys=keys, coder=coder)

    def respondent_codes(
        self, question: str, respondent: str, *, coder: str | None = None
    ) -> set[str]:
        """The codes a respondent carries on any item of the question (by ``coder``, or any)."""
        return item_store.respondent_codes(self.db, question, respondent, coder)

    def item(self, item_id: int) -> Item:
        found = item_store.get(self.db, item_id)
        if found is None:
            raise NotFound(_("no item {item} in the project").format(item=item_id))
        return found

    def context(self, item_id: int, turns: int = 2) -> list[Item]:
        """The item with the turns around it in its transcript (interviewer turns included)."""
        return item_store.context(self.db, self.item(item_id), turns)

    def turn_count(self, question: str, respondent: str) -> int:
        """How many turns a respondent's transcript has, the interviewer's included."""
        return item_store.turn_count(self.db, question, respondent)

    # -- codings --------------------------------------------------------------
    def codings(
        self, *, item_id: int | None = None, question: str | None = None, coder: str | None = None
    ) -> list[Coding]:
        return coding_store.select(self.db, item_id=item_id, question=question, coder=coder)

    def coding(self, coding_id: int) -> Coding:
        found = coding_store.get(self.db, coding_id)
        if found is None:
            raise NotFound(_("no coding {coding} in the project").format(coding=coding_id))
        return found

    @staticmethod
    def _check_span(item: Item, start: int | None, end: int | None) -> None:
        if (start is None) != (end is None):
            raise QualcodeError(_("a span needs both start and end"))
        if start is not None and end is not None and not (0 <= start < end <= len(item.text)):
            raise QualcodeError(
                _("span {start}-{end} is outside item {item}'s text (0-{length})").format(
                    start=start, end=end, item=item.id, length=len(item.text)
                )
            )

    def add_coding(
        self,
        item_id: int,
        code: str,
        *,
        start: int | None = None,
        end: int | None = None,
        coder: str | None = None,
        memo: str = "",
        origin: str = "",
    ) -> Coding:
        """Code an item (or a character span of it). Idempotent: an identical coding is kept.
        ``origin`` says where it came from: '' typed, 'rule' or 'model' (a suggestion)."""
        item = self.item(item_id)
        self._check_codable(item)
        self._check_span(item, start, end)
        code_id, _code = self._code_id(self.question(item.question).codebook, code)
        coder = coder or self.coder
        with self.transaction():
            coding, payload = self._insert_coding(
                item, code_id, coder, start=start, end=end, memo=memo, origin=origin
            )
            if payload is not None:
                self.log("coding.add", coding=payload)
        return coding

    @staticmethod
    def _check_codable(item: Item) -> None:
        if item.is_empty:
            raise QualcodeError(
                _(
                    "item {item} ({respondent}) is an empty answer; empty answers are not coded"
                ).format(item=item.id, respondent=item.respondent)
            )

    def _insert_coding(
        self,
        item: Item,
        code_id: int,
        coder: str,
        *,
        start: int | None = None,
        end: int | None = None,
        memo: str = "",
        origin: str = "",
    ) -> tuple[Coding, dict[str, Any] | None]:
        """Put the coding in, inside the caller's transaction: the coding and what its event
        records (None: an identical coding was there already, and is kept)."""
        from qualcode.store import reviews as review_store

        existing = coding_store.find(self.db, item.id, code_id, coder, start, end)
        if existing is not None:
            return self.coding(existing), None
        new_id = coding_store.insert(
            self.db,
            item.id,
            code_id,
            coder,
            store.now(),
            start=start,
            end=end,
            memo=memo,
            origin=origin,
        )
        coding = self.coding(new_id)
        payload = self._coding_payload(coding, item)
        # a theme on the item: the coder's "no theme applies" no longer holds
        marked = review_store.marked_at(self.db, item.id, coder)
        if marked is not None:
            review_store.unmark(self.db, item.id, coder)
            payload["cleared_none"] = marked
        return coding, payload

    @staticmethod
    def _coding_payload(c: Coding, item: Item) -> dict[str, Any]:
        return {
            "id": c.id,
            "item_id": c.item_id,
            "question": item.question,
            "respondent": item.respondent,
            "position": item.position,
            "code": c.code,
            "coder": c.coder,
            "start": c.start,
            "end": c.end,
            "memo": c.memo,
            "created_at": c.created_at,
            "origin": c.origin,
        }

    def remove_coding(self, coding_id: int) -> Coding:
        coding = self.coding(coding_id)
        item = self.item(coding.item_id)
        with self.transaction():
            # another process may have removed it meanwhile: log only what this one removed
            if coding_store.delete(self.db, coding_id):
                self.log("coding.remove", coding=self._coding_payload(coding, item))
        return coding

    def toggle_code(self, item_id: int, code: str, *, coder: str | None = None) -> bool:
        """Code the whole item, or uncode it if this coder had coded it. True if now coded."""
        item = self.item(item_id)
        code_id, _code = self._code_id(self.question(item.question).codebook, code)
        existing = coding_store.find(self.db, item_id, code_id, coder or self.coder, None, None)
        if existing is not None:
            self.remove_coding(existing)
            return False
        self.add_coding(item_id, code, coder=coder)
        return True

    # -- reviewed, no theme applies -----------------------------------------------
    def has_no_theme(self, item_id: int, *, coder: str | None = None) -> bool:
        """Did the coder mark the item 'reviewed, no theme applies'?"""
        from qualcode.store import reviews as review_store

        return review_store.marked_at(self.db, item_id, coder or self.coder) is not None

    def mark_no_theme(self, item_id: int, *, coder: str | None = None) -> bool:
        """The coder read the item and no theme of the codebook applies: marked, in one
        undoable action that also takes away the coder's own codings of the item (they
        said otherwise before). It is no theme: counts never see it. False if it was
        marked already."""
        from qualcode.store import reviews as review_store

        item = self.item(item_id)
        if item.is_empty:
            raise QualcodeError(
                _(
                    "item {item} ({respondent}) is an empty answer; empty answers are not reviewed"
                ).format(item=item_id, respondent=item.respondent)
            )
        coder = coder or self.coder
        with self.transaction():
            at = store.now()
            if not review_store.mark(self.db, item_id, coder, at):
                return False
            removed = [
                self._coding_payload(c, item)
                for c in coding_store.select(self.db, item_id=item_id, coder=coder)
            ]
            for c in removed:
                coding_store.delete(self.db, c["id"])
            self.log("review.none", **self._review_payload(item, coder, at), removed=removed)
        return True

    def clear_no_theme(self, item_id: int, *, coder: str | None = None) -> bool:
        """Take the coder's 'no theme' mark away (undoable); False if there was none."""
        from qualcode.store import reviews as review_store

        item = self.item(item_id)
        coder = coder or self.coder
        with self.transaction():
            at = review_store.marked_at(self.db, item_id, coder)
            if at is None or not review_store.unmark(self.db, item_id, coder):
                return False
            self.log("review.clear", **self._review_payload(item, coder, at))
        return True

    def toggle_no_theme(self, item_id: int, *, coder: str | None = None) -> bool:
        """Mark the item 'no theme', or take the mark away; True if now marked."""
        if self.has_no_theme(item_id, coder=coder):
            self.clear_no_theme(item_id, coder=coder)
            return False
        return self.mark_no_theme(item_id, coder=coder)

    def no_theme_items(self, question: str | None = None, *, coder: str | None = None) -> set[int]:
        """The question's items marked 'no theme' (by ``coder``, or by anybody)."""
        from qualcode.store import reviews as review_store

        return review_store.of_question(self.db, self.question(question).id, coder)

    def no_theme_marks(self, item_id: int) -> set[str]:
        """The coders who marked the item 'no theme'."""
        from qualcode.store import reviews as review_store

        return review_store.of_item(self.db, item_id)

    def no_theme_coders(self, question: str) -> list[str]:
        """Everybody who marked an item of the question 'no theme'."""
        from qualcode.store import reviews as review_store

        return review_store.coders(self.db, question)

    def no_theme_by_coder(self, question: str, coders: Sequence[str]) -> dict[int, set[str]]:
        """item id -> which of ``coders`` marked it 'no theme', in one question."""
        from qualcode.store import reviews as review_store

        return review_store.by_coder(self.db, question, coders)

    def reviewed(self, question: str | None = None, *, coder: str | None = None) -> tuple[int, int]:
        """(items reviewed, items to review): coded, or marked 'no theme', by ``coder`` (or
        by anybody): "gennemgået 30 af 35"."""
        from qualcode.store import reviews as review_store

        q = self.question(question)
        rows, coded = item_store.queue(self.db, q.id, coder)
        done = coded | review_store.of_question(self.db, q.id, coder)
        return len(done & {r[0] for r in rows}), len(rows)

    @staticmethod
    def _review_payload(item: Item, coder: str, at: str) -> dict[str, Any]:
        return {
            "item_id": item.id,
            "question": item.question,
            "respondent": item.respondent,
            "position": item.position,
            "coder": coder,
            "at": at,
        }

    # -- the framework matrix: the analyst's summary per respondent and theme ----------
    def framework(
        self, question: str, *, codes: list[str] | None = None, coder: str | None = None
    ) -> FrameworkMatrix:
        """The question's framework matrix: respondents by themes, each cell's coded
        passages (``coder``'s codings; None: every coder) and summary. See
        :mod:`qualcode.core.framework`."""
        from qualcode.core.framework import framework_matrix

        return framework_matrix(self, question, codes=codes, coder=coder)

    def summaries(self, question: str) -> list[Summary]:
        """The question's summaries, by respondent and code."""
        from qualcode.store import summaries as summary_store

        return summary_store.of_question(self.db, self.question(question).id)

    def summary(self, question: str, respondent: str, code: str) -> Summary | None:
        """The summary of one cell, or None."""
        from qualcode.models import Summary
        from qualcode.store import summaries as summary_store

        qid, key = self._summary_cell(question, respondent, code)
        found = summary_store.get(self.db, qid, respondent, key)
        if found is None or not found[0]:
            return None
        return Summary(qid, respondent, key, *found)

    def set_summary(self, question: str, respondent: str, code: str, text: str) -> bool:
        """Write the summary of what ``respondent`` says about the theme ``code`` (a key or
        exact label) in ``question``, replacing the cell's summary whoever wrote it; an
        empty text takes it away. Committed and logged in one transaction, undone with
        ``undo(group="framework")``. False if the cell held that text already."""
        from qualcode.store import summaries as summary_store

        text = text.strip()
        if not text:
            return self.clear_summary(question, respondent, code)
        qid, key = self._summary_cell(question, respondent, code)
        with self.transaction():
            before = self._summary_state(qid, respondent, key)
            if before is not None and before["text"] == text:
                return False
            at = store.now()
            summary_store.put(self.db, qid, respondent, key, text, self.coder, at)
            self.log(
                "summary.set",
                question=qid,
                respondent=respondent,
                code=key,
                text=text,
                at=at,
                before=before,
            )
        return True

    def clear_summary(self, question: str, respondent: str, code: str) -> bool:
        """Take the cell's summary away (undoable); False if it had none."""
        from qualcode.store import summaries as summary_store

        qid, key = self._summary_cell(question, respondent, code)
        with self.transaction():
            before = self._summary_state(qid, respondent, key)
            if before is None:
                return False
            at = store.now()
            summary_store.put(self.db, qid, respondent, key, "", self.coder, at)
            self.log(
                "summary.clear",
                question=qid,
                respondent=respondent,
                code=key,
                text="",
                at=at,
                before=before,
            )
        return True

    def _summary_cell(self, question: str, respondent: str, code: str) -> tuple[str, str]:
        """(question id, code key) of a cell of the question's matrix, or NotFound."""
        from qualcode.store import summaries as summary_store

        q = self.question(question)
        key = self.codebook(q.codebook).code(code).key
        if not summary_store.is_row(self.db, q.id, respondent):
            raise NotFound(
                _(
                    "respondent '{respondent}' has no answer or excerpt to summarise in "
                    "'{question}'"
                ).format(respondent=respondent, question=q.id)
            )
        return q.id, key

    def _summary_state(self, qid: str, respondent: str, key: str) -> dict[str, str] | None:
        """The cell's summary as an event records it (None: the cell has none)."""
        from qualcode.store import summaries as summary_store

        found = summary_store.get(self.db, qid, respondent, key)
        if found is None or not found[0]:
            return None
        return {"text": found[0], "author": found[1], "at": found[2]}

    def _apply_summary_event(self, event: dict[str, Any], *, inverse: bool) -> None:
        """Undo (or redo) a summary event: the cell gets the text before (or after) it,
        written now by this coder, so a merge takes the undo as the newest word. Refused
        when somebody has changed the cell since (their text would be lost)."""
        from qualcode.store import summaries as summary_store

        qid, rid, key = event["question"], event["respondent"], event["code"]
        before = (event.get("before") or {}).get("text", "")
        after = event.get("text", "")
        expected, wanted = (after, before) if inverse else (before, after)
        current = summary_store.get(self.db, qid, rid, key)
        now = current[0] if current is not None else ""
        if now != expected:
            who = current[1] if current is not None else _("somebody")
            text = (
                _("cannot undo: {who} has changed the summary of {code} for {respondent} since")
                if inverse
                else _(
                    "cannot redo: {who} has changed the summary of {code} for {respondent} since"
                )
            )
            raise QualcodeError(
                text.format(
                    who=who,
                    code=self._label_of(self.question(qid).codebook, key),
                    respondent=rid,
                )
            )
        summary_store.put(self.db, qid, rid, key, wanted, self.coder, store.now())

    # -- the coder basis of the numbers ------------------------------------------------
    ALL_CODERS = "*"  # the basis that joins every coder's codings

    def basis(self) -> str | None:
        """The coder whose codings the project's numbers are counted on by default (None:
        every coder together)."""
        value = settings_store.get(self.db, "basis")
        return None if value in (None, "", self.ALL_CODERS) else value

    def noun(self) -> Noun:
        """What the project's respondents are ("jobcenter/jobcentre" unless set): the
        unit every table, chart, report and screen counts in."""
        value = settings_store.get(self.db, "noun")
        if not value:
            return JOBCENTRE
        try:
            return Noun.parse(value)
        except ValueError:  # written by hand into the file: fall back, never fail to count
            return JOBCENTRE

    def set_noun(self, noun: Noun | str) -> Noun:
        """Make ``noun`` ('kommune/kommuner', or a Noun) the project's unit; returns it."""
        if not isinstance(noun, Noun):
            try:
                noun = Noun.parse(noun)
            except ValueError as exc:
                raise QualcodeError(str(exc)) from None
        with self.transaction():
            settings_store.put(self.db, "noun", str(noun))
            self.log("noun.set", noun=str(noun))
        return noun

    def set_basis(self, coder: str | None) -> None:
        """Make ``coder`` (or None: every coder together) the default basis of counts,
        charts, crosstabs and reports."""
        value = coder if coder not in (None, "", self.ALL_CODERS) else self.ALL_CODERS
        with self.transaction():
            settings_store.put(self.db, "basis", value)
            self.log("basis.set", basis=value)

    def basis_coders(self, question: str, basis: str | None) -> list[str]:
        """The coders whose codings a count of the question on ``basis`` joins."""
        known = self.coders(question)
        return [basis] if basis is not None else known

    @staticmethod
    def basis_label(basis: str | None, coders: Sequence[str] = ()) -> str:
        """ "Kodet af: consensus", or "Kodet af: alle kodere (guld, ida)"."""
        if basis is not None:
            return _("Kodet af: {coder}").format(coder=basis)
        if coders:
            return _("Kodet af: alle kodere ({coders})").format(coders=", ".join(coders))
        return _("Kodet af: alle kodere")

    # -- who is coding, remembered per project and user --------------------------------
    def remembered_coder(self, user: str) -> str | None:
        """The coder name ``user`` last chose in this project (key k), if any."""
        return settings_store.get(self.db, f"coder:{user}")

    def remember_coder(self, user: str, coder: str) -> None:
        with self.transaction():
            settings_store.put(self.db, f"coder:{user}", coder)

    def remembered_question(self, user: str) -> str | None:
        """The question ``user`` worked on last in the workbench, if it is still there."""
        qid = settings_store.get(self.db, f"question:{user}")
        return qid if qid is not None and qid in {q.id for q in self.questions()} else None

    def remember_question(self, user: str, question: str) -> None:
        with self.transaction():
            settings_store.put(self.db, f"question:{user}", self.question(question).id)

    # -- the grid of answers: attribute columns, sorted and filtered --------------------
    def grid(
        self,
        question: str,
        *,
        attributes: Sequence[str] = (),
        query: str | Query = "",
        sort: SortBy | None = None,
        coder: str | None = None,
    ) -> Grid:
        """The question's answers as a grid (see :mod:`qualcode.core.grid`): with the
        ``attributes`` as columns, filtered by ``query`` (words, kode:KEY, jc:ID,
        NAME:VALUE), in the order ``sort`` asks for (else the file's), the codes of
        ``coder`` (or anybody's). Read a page of it with ``grid.rows(offset, limit)``."""
        from qualcode.core.grid import Grid

        return Grid(self, question, attributes=attributes, query=query, sort=sort, coder=coder)

    def grid_attributes(self) -> list[str]:
        """The attributes a grid can show: every one the register gives a respondent."""
        return respondent_store.attribute_names(self.db)

    def remembered_grid_columns(self, user: str) -> list[str] | None:
        """The attribute columns ``user`` last chose for the grid in this project (those
        the project still has), or None if they never chose."""
        if settings_store.get(self.db, f"grid_columns:{user}") is None:
            return None
        known = set(self.grid_attributes())
        return [a for a in settings_store.get_list(self.db, f"grid_columns:{user}") if a in known]

    def remember_grid_columns(self, user: str, attributes: Sequence[str]) -> None:
        import json

        with self.transaction():  # an empty choice too: it is not the default again
            settings_store.put(
                self.db, f"grid_columns:{user}", json.dumps(list(attributes), ensure_ascii=False)
            )

    # -- undo / redo (driven by the event log, so it survives a restart) -------
    # Each group has its own stack per coder: F2 undoes codings, F5 codebook edits, F6
    # settlements, F9 summaries, so an undo never reaches into another screen's work.
    UNDO_GROUPS: dict[str, tuple[str, ...]] = {
        "coding": (
            *("coding.add", "coding.remove", "review.none", "review.clear", "memo.set"),
            *("suggestion.accept", "suggestion.reject"),
        ),
        "codebook": ("code.add", "code.update", "code.merge", "code.delete", "memo.code"),
        "consensus": ("consensus.settle",),
        "framework": ("summary.set", "summary.clear"),
        "memo": ("memo.project",),
        "attributes": ("attribute.order",),
    }
    # a memo's change is undone where it was made: an item's or coding's with the codings
    # (F2), a code's with the codebook (F5), the project's or a respondent's on its own
    MEMO_ACTIONS = {
        "item": "memo.set",
        "coding": "memo.set",
        "code": "memo.code",
        "project": "memo.project",
        "respondent": "memo.project",
    }
    UNDOABLE = ("coding.add", "coding.remove")

    def _undo_stacks(
        self, actor: str | None = None, group: str = "coding"
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Replay this coder's log: (undo stack, redo stack), newest last."""
        from qualcode.store import events as event_store

        actions = self.UNDO_GROUPS[group]
        undo: list[dict[str, Any]] = []
        redo: list[dict[str, Any]] = []
        for event_id, action, data in event_store.of_actor(
            self.db, actor or self.coder, [*actions, "undo", "redo"]
        ):
            if action.startswith("suggestion.") and "before" not in data:
                continue  # an older qualcode's verdict: not undoable (its coding.add is)
            if action in actions:
                undo.append({"id": event_id, "action": action, **data})
                redo.clear()
            elif action == "undo":
                if undo and undo[-1]["id"] == data["event"]:
                    redo.append(undo.pop())
            elif action == "redo" and redo and redo[-1]["id"] == data["event"]:
                undo.append(redo.pop())
        return undo, redo

    def next_undo(self, group: str = "coding", *, redo: bool = False) -> dict[str, Any] | None:
        """The event the next undo (or redo) of this coder would reverse (or repeat)."""
        stack = self._undo_stacks(group=group)[1 if redo else 0]
        return stack[-1] if stack else None

    def can_undo(self, group: str = "coding") -> bool:
        return self.next_undo(group) is not None

    def can_redo(self, group: str = "coding") -> bool:
        return self.next_undo(group, redo=True) is not None

    def undo(self, group: str = "coding") -> Change | None:
        """Undo this coder's latest action of the group ('coding', 'codebook',
        'consensus', 'framework' or 'attributes'); what changed, or None if there is nothing
        to undo."""
        undo, _redo = self._undo_stacks(group=group)
        if not undo:
            return None
        event = undo[-1]
        with self.transaction():
            self._replay(event, inverse=True)
            self.log("undo", event=event["id"], of=event["action"], **self._event_ref(event))
        return self._describe(event, undone=True)

    def redo(self, group: str = "coding") -> Change | None:
        """Redo the latest undone action of the group; what changed, or None."""
        _undo, redo = self._undo_stacks(group=group)
        if not redo:
            return None
        event = redo[-1]
        with self.transaction():
            self._replay(event, inverse=False)
            self.log("redo", event=event["id"], of=event["action"], **self._event_ref(event))
        return self._describe(event, undone=False)

    @staticmethod
    def _event_ref(event: dict[str, Any]) -> dict[str, Any]:
        """What an undo or redo event repeats of the event it reverses, for the log."""
        if "coding" in event:
            return {"coding": event["coding"]}
        if event["action"] in (
            *("consensus.settle", "review.none", "review.clear", "memo.set"),
            "suggestion.reject",
        ):
            return {"item_id": event["item_id"]}
        if event["action"] in ("memo.code", "memo.project"):
            return {"memo": event["id_"]}
        if event["action"] in ("summary.set", "summary.clear"):
            return {k: event[k] for k in ("question", "respondent", "code")}
        if event["action"] == "attribute.order":
            return {"attribute": event["attribute"]}
        return {"codebook": event["codebook"], "key": event.get("key") or event.get("source")}

    def _describe(self, event: dict[str, Any], *, undone: bool) -> Change:
        """What an undo (or redo) did, in words: "Fortrudt: kodning af Fleksjob på JC01".
        Codes are named by their label (by the key only where the code is gone)."""
        from qualcode.models import Change

        what, item_id = self._what(event)
        verb = _("Fortrudt") if undone else _("Gentaget")
        return Change(f"{verb}: {what}", item_id)

    def _what(self, event: dict[str, Any]) -> tuple[str, int | None]:
        """The undoable event in words, and the item it is about (None: none)."""
        action = event["action"]
        if action in ("review.none", "review.clear"):
            text = (
                _("ingen tema på {respondent}")
                if action == "review.none"
                else _("fjernet 'ingen tema' på {respondent}")
            )
            return text.format(respondent=event["respondent"]), event["item_id"]
        if action == "memo.set":
            if event["before"] is None:
                text = _("nyt memo på {respondent}")
            elif event["after"] is None:
                text = _("sletning af memo på {respondent}")
            else:
                text = _("ændring af memo på {respondent}")
            return text.format(respondent=event["respondent"]), event["item_id"]
        if action in ("memo.code", "memo.project"):
            about = event.get("about") or ""
            if event["before"] is None:
                text = _("nyt memo om {about}")
            elif event["after"] is None:
                text = _("sletning af memo om {about}")
            else:
                text = _("ændring af memo om {about}")
            return text.format(about=about), None
        if action in ("suggestion.accept", "suggestion.reject"):
            text = (
                _("accept af forslaget {code} på {respondent}")
                if action == "suggestion.accept"
                else _("afvisning af forslaget {code} på {respondent}")
            )
            label = self._label_of(self.question(event["question"]).codebook, event["code"])
            return text.format(code=label, respondent=event["respondent"]), event["item_id"]
        if action in self.UNDO_GROUPS["coding"]:
            c = event["coding"]
            text = (
                _("kodning af {code} på {respondent}")
                if action == "coding.add"
                else _("fjernelse af {code} på {respondent}")
            )
            label = self._label_of(self.question(c["question"]).codebook, c["code"])
            return text.format(code=label, respondent=c["respondent"]), c["item_id"]
        if action == "consensus.settle":
            text = _("enighed om {respondent}").format(respondent=event["respondent"])
            return text, event["item_id"]
        if action == "attribute.order":
            return _("rækkefølgen af {attribute}").format(attribute=event["attribute"]), None
        if action in ("summary.set", "summary.clear"):
            text = (
                _("resumé af {code} for {respondent}")
                if action == "summary.set"
                else _("sletning af resumé af {code} for {respondent}")
            )
            label = self._label_of(self.question(event["question"]).codebook, event["code"])
            return text.format(code=label, respondent=event["respondent"]), None
        stem = event["codebook"]
        if action == "code.merge":
            source = event["code"]["label"] if "code" in event else event["source"]
            target = self._label_of(stem, event["target"])
            return _("fletning af {code} ind i {target}").format(code=source, target=target), None
        label = event.get("label") or self._label_of(stem, event["key"])
        if action == "code.add":
            return _("tilføjelse af koden {code}").format(code=label), None
        if action == "code.update":
            return _("ændring af koden {code}").format(code=label), None
        n = len(event["codings"])
        if n:
            text = _n(
                "sletning af koden {code} ({n} kodning)",
                "sletning af koden {code} ({n} kodninger)",
                n,
            )
            return text.format(code=label, n=n), None
        return _("sletning af koden {code}").format(code=label), None

    def _label_of(self, stem: str, key: str) -> str:
        return code_store.label_of(self.db, stem, key) or key

    def _replay(self, event: dict[str, Any], *, inverse: bool) -> None:
        """Apply an undoable event again, or its inverse, inside the caller's transaction."""
        from qualcode.models import Memo
        from qualcode.store import memos as memo_store

        action = event["action"]
        if action in ("review.none", "review.clear"):
            self._apply_review_event(event, inverse=inverse)
        elif action in ("memo.set", "memo.code", "memo.project"):
            state = event["before"] if inverse else event["after"]
            if state is None:
                memo_store.delete(self.db, event["id_"])
            else:
                memo_store.put(self.db, self._memo_placed(Memo(**state), event))
        elif action in ("suggestion.accept", "suggestion.reject"):
            self._apply_verdict_event(event, inverse=inverse)
        elif action in self.UNDO_GROUPS["coding"]:
            self._apply_coding_event(event, inverse=inverse)
        elif action in ("summary.set", "summary.clear"):
            self._apply_summary_event(event, inverse=inverse)
        elif action == "attribute.order":  # an older event has no before: no order then
            from qualcode.core.crosstab import ORDER_KEY

            values = event.get("before", []) if inverse else event["values"]
            settings_store.put_list(self.db, ORDER_KEY + event["attribute"], values)
        elif action == "consensus.settle":
            self._settle_now(
                self.item(event["item_id"]),
                event["before"] if inverse else event["codes"],
                event["coder"],
            )
        elif action == "code.add":
            if inverse:
                self._remove_added_code(event)
            else:
                code_store.insert_code(
                    self.db,
                    event["codebook"],
                    event.get("code")
                    or {
                        "key": event["key"],
                        "label": event["label"],
                        "color": event["color"],
                        "parent": event.get("parent"),
                    },
                )
        elif action == "code.update":
            code_store.set_code_fields(
                self.db,
                event["codebook"],
                event["key"],
                event["before"] if inverse else event["after"],
            )
        elif action == "code.merge":
            if inverse:
                self._unmerge_codes(event)
            else:
                self._merge_codes_now(event["codebook"], event["source"], event["target"])
        elif action == "code.delete":
            if inverse:
                if "code" not in event:
                    raise QualcodeError(
                        _(
                            "cannot undo a deletion made by an older qualcode; "
                            "restore a backup instead ('qualcode restore')"
                        )
                    )
                code_id, _pos = code_store.insert_code(self.db, event["codebook"], event["code"])
                for coding in event["codings"]:
                    self._restore_coding(coding, code_id)
            else:
                self._delete_code_now(event["codebook"], event["key"])
        if action.startswith("code."):
            # the codebook must still be one the YAML loader accepts (no parent loops, ...)
            self._validated(self.codebook(event["codebook"]))

    def _remove_added_code(self, event: dict[str, Any]) -> None:
        stem, key = event["codebook"], event["key"]
        code_id, code = self._code_id(stem, key)
        used = code_store.usage(self.db, code_id)
        if used:
            raise QualcodeError(
                _n(
                    "cannot undo adding '{code}': it has {n} coding now; "
                    "delete the code instead if you mean to",
                    "cannot undo adding '{code}': it has {n} codings now; "
                    "delete the code instead if you mean to",
                    used,
                ).format(code=code.label, n=used)
            )
        if code_store.child_keys(self.db, code_id):
            raise QualcodeError(
                _("cannot undo adding '{code}': it has child codes now").format(code=code.label)
            )
        code_store.delete_code(self.db, code_id)

    def _apply_coding_event(self, event: dict[str, Any], *, inverse: bool) -> None:
        from qualcode.store import reviews as review_store

        c = event["coding"]
        adding = (event["action"] == "coding.add") != inverse
        code_id = code_store.code_id(self.db, self.question(c["question"]).codebook, c["code"])
        if code_id is None:
            raise QualcodeError(
                _("cannot undo: code '{code}' no longer exists").format(code=c["code"])
            )
        existing = coding_store.find(
            self.db, c["item_id"], code_id, c["coder"], c["start"], c["end"]
        )
        if adding and existing is None:
            self._insert_from_payload(c, code_id)
        elif not adding and existing is not None:
            coding_store.delete(self.db, existing)
        if c.get("cleared_none"):  # the coding took a 'no theme' mark away: so does a redo
            if adding:
                review_store.unmark(self.db, c["item_id"], c["coder"])
            else:
                review_store.mark(self.db, c["item_id"], c["coder"], c["cleared_none"])

    def _apply_review_event(self, event: dict[str, Any], *, inverse: bool) -> None:
        from qualcode.store import reviews as review_store

        marking = (event["action"] == "review.none") != inverse
        item_id, coder = event["item_id"], event["coder"]
        if marking:
            review_store.mark(self.db, item_id, coder, event["at"])
            for c in event.get("removed", ()):
                code_id = code_store.code_id(
                    self.db, self.question(c["question"]).codebook, c["code"]
                )
                found = (
                    None
                    if code_id is None
                    else coding_store.find(self.db, item_id, code_id, coder, c["start"], c["end"])
                )
                if found is not None:
                    coding_store.delete(self.db, found)
        else:
            review_store.unmark(self.db, item_id, coder)
            for c in event.get("removed", ()):
                code_id = code_store.code_id(
                    self.db, self.question(c["question"]).codebook, c["code"]
                )
                if code_id is not None:
                    self._restore_coding(c, code_id)

    # -- suggestions: accepted or rejected, never applied by themselves -------------
    def accept_suggestion(
        self,
        item_id: int,
        code: str,
        *,
        source: str,
        score: float | None = None,
        coder: str | None = None,
    ) -> Coding:
        """Code the whole item with a suggested code, noting that it came from a suggestion
        (``source`` 'rule' or 'model') and keeping the verdict for the next training; one
        action for undo (the coding and the verdict go together). When the coder has put
        the code on the item already (on a passage, say), nothing changes: that coding is
        returned, and no second one is added."""
        item, code_id, key, coder = self._suggested(item_id, code, source, coder)
        self._check_codable(item)
        with self.transaction():
            has = [
                c
                for c in coding_store.select(self.db, item_id=item_id, coder=coder)
                if c.code == key
            ]
            if has:
                return has[0]
            before = coding_store.verdict_of(self.db, item_id, code_id, coder)
            coding, payload = self._insert_coding(item, code_id, coder, origin=source)
            at = store.now()
            coding_store.set_verdict(
                self.db, item_id, code_id, coder, "accepted", source, score, at
            )
            self.log(
                "suggestion.accept",
                **self._verdict_payload(item, key, coder, source, score, at, before),
                coding=payload,
            )
        return coding

    def reject_suggestion(
        self,
        item_id: int,
        code: str,
        *,
        source: str,
        score: float | None = None,
        coder: str | None = None,
    ) -> None:
        """Turn a suggestion down: it is not shown again to this coder, and the next model
        learns that the item is not about the code. Undone like a coding (:meth:`undo`)."""
        item, code_id, key, coder = self._suggested(item_id, code, source, coder)
        with self.transaction():
            before = coding_store.verdict_of(self.db, item_id, code_id, coder)
            at = store.now()
            coding_store.set_verdict(
                self.db, item_id, code_id, coder, "rejected", source, score, at
            )
            self.log(
                "suggestion.reject",
                **self._verdict_payload(item, key, coder, source, score, at, before),
            )

    def _suggested(
        self, item_id: int, code: str, source: str, coder: str | None
    ) -> tuple[Item, int, str, str]:
        """The item, the code's id and key, and the coder a verdict is about (checked)."""
        if source not in ("rule", "model"):
            raise QualcodeError(
                _("unknown suggestion source {source} (rule or model)").format(source=repr(source))
            )
        item = self.item(item_id)
        code_id, code_obj = self._code_id(self.question(item.question).codebook, code)
        return item, code_id, code_obj.key, coder or self.coder

    @staticmethod
    def _verdict_payload(
        item: Item,
        key: str,
        coder: str,
        source: str,
        score: float | None,
        at: str,
        before: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """What a verdict's event records: enough to undo it (``before``: the coder's
        earlier verdict on the suggestion, if any) and to redo it."""
        return {
            "item_id": item.id,
            "question": item.question,
            "respondent": item.respondent,
            "code": key,
            "coder": coder,
            "source": source,
            "score": score,
            "at": at,
            "before": before,
        }

    def _apply_verdict_event(self, event: dict[str, Any], *, inverse: bool) -> None:
        """Undo (or redo) an accepted or rejected suggestion: the verdict goes back to what
        it was before (or is given again), and an accepted one's coding goes with it."""
        code_id = code_store.code_id(
            self.db, self.question(event["question"]).codebook, event["code"]
        )
        if code_id is None:
            raise QualcodeError(
                _("cannot undo: code '{code}' no longer exists").format(code=event["code"])
            )
        if event["action"] == "suggestion.accept":
            self._apply_coding_event(
                {"action": "coding.add", "coding": event["coding"]}, inverse=inverse
            )
        item_id, coder = event["item_id"], event["coder"]
        state = (
            event["before"]
            if inverse
            else {
                "verdict": "accepted" if event["action"] == "suggestion.accept" else "rejected",
                **{k: event[k] for k in ("source", "score", "at")},
            }
        )
        if state is None:
            coding_store.delete_verdict(self.db, item_id, code_id, coder)
        else:
            coding_store.set_verdict(
                self.db,
                item_id,
                code_id,
                coder,
                state["verdict"],
                state["source"],
                state["score"],
                state["at"],
            )

    def verdicts(
        self, question: str | None = None, *, coder: str | None = None
    ) -> list[tuple[int, str, str, str, str]]:
        """(item id, code, coder, verdict, source) for every suggestion decided on."""
        qid = None if question is None else self.question(question).id
        return coding_store.verdicts(self.db, qid, coder)

    # -- several coders ----------------------------------------------------------
    def coders(self, question: str | None = None) -> list[str]:
        """Everyone who has coded (this question), sorted."""
        return coding_store.coders(self.db, question)

    def recent_codes(self, stem: str, *, coder: str | None = None, limit: int = 5) -> list[str]:
        """The codebook's codes the coder applied last, newest first (for quick coding)."""
        return coding_store.recent_codes(self.db, stem, coder or self.coder, limit)

    def code_sets(self, question: str, coders: list[str]) -> dict[int, dict[str, set[str]]]:
        """item id -> coder -> the codes that coder applied to it (whole item or any span)."""
        return coding_store.code_sets(self.db, question, coders)

    def disagreements(self, question: str, coders: list[str]) -> list[Disagreement]:
        """Items every one of the coders reviewed (coded, or marked 'no theme') and coded
        differently, in queue order, with the consensus already settled if any. An item one
        of them has not reached yet is no disagreement (see :meth:`awaiting`)."""
        return self._compare(question, coders)[0]

    def compare(self, question: str, coders: list[str]) -> tuple[list[Disagreement], int]:
        """:meth:`disagreements` and :meth:`awaiting` in one pass over the items."""
        return self._compare(question, coders)

    def awaiting(self, question: str, coders: list[str]) -> int:
        """How many items some but not all of the coders have reviewed: the ones still
        waiting for a coder before they can be compared."""
        return self._compare(question, coders)[1]

    def _compare(self, question: str, coders: list[str]) -> tuple[list[Disagreement], int]:
        from qualcode.models import Disagreement

        if len(coders) < 2:
            raise QualcodeError(_("comparing needs at least two coders"))
        sets = self.code_sets(question, [*coders, self.CONSENSUS])
        marked = self.no_theme_by_coder(question, coders)
        out = []
        waiting = 0
        for item in self.items(question):
            by_coder = sets.get(item.id, {})
            reviewed = {c for c in coders if c in by_coder or c in marked.get(item.id, ())}
            if not reviewed:
                continue
            if len(reviewed) < len(coders):
                waiting += 1
                continue
            per = {c: frozenset(by_coder.get(c, set())) for c in coders}
            if len(set(per.values())) == 1:
                continue
            settled = self.CONSENSUS in by_coder or self._settled_empty(item.id)
            out.append(
                Disagreement(
                    item=item,
                    codes=per,
                    consensus=frozenset(by_coder.get(self.CONSENSUS, set())),
                    settled=settled,
                )
            )
        return out, waiting

    def _settled_empty(self, item_id: int) -> bool:
        """Was this item settled as 'no code applies'? (That leaves no coding, only an event.)
        The settlements of the item are replayed with their undos and redos: the one in
        force decides."""
        from qualcode.store import events as event_store

        stack: list[int] = []
        settled: dict[int, list[str]] = {}
        for event_id, action, data in event_store.of_item(
            self.db, item_id, ("consensus.settle", "undo", "redo")
        ):
            if action == "consensus.settle":
                settled[event_id] = data["codes"]
                stack.append(event_id)
            elif data.get("of") != "consensus.settle":
                continue
            elif action == "undo" and stack and stack[-1] == data["event"]:
                stack.pop()
            elif action == "redo":
                stack.append(data["event"])
        return bool(stack) and settled[stack[-1]] == []

    def settle(self, item_id: int, codes: Iterable[str], *, coder: str | None = None) -> None:
        """Make the agreed coding of an item exactly ``codes`` (whole-item codings by the
        consensus coder), in one transaction; undone with ``undo(group="consensus")``."""
        coder = coder or self.CONSENSUS
        item = self.item(item_id)
        book = self.codebook(self.question(item.question).codebook)
        wanted = sorted({book.code(c).key for c in codes})
        with self.transaction():
            before = self._settle_now(item, wanted, coder)
            self.log(
                "consensus.settle",
                item_id=item_id,
                question=item.question,
                respondent=item.respondent,
                coder=coder,
                codes=wanted,
                before=before,
            )

    def _settle_now(self, item: Item, codes: Iterable[str], coder: str) -> list[str]:
        """Set the coder's whole-item codes of the item to ``codes``; the codes before."""
        stem = self.question(item.question).codebook
        wanted = set(codes)
        current = {c.code: c for c in self.codings(item_id=item.id, coder=coder)}
        for key, coding in current.items():
            if key not in wanted:
                coding_store.delete(self.db, coding.id)
        for key in sorted(wanted - set(current)):
            code_id, _code = self._code_id(stem, key)
            coding_store.insert(self.db, item.id, code_id, coder, store.now())
        return sorted(current)

    # -- stars (quotes worth using) ---------------------------------------------
    def star(self, coding_id: int, starred: bool = True) -> None:
        self.coding(coding_id)
        with self.transaction():
            coding_store.set_starred(self.db, coding_id, starred)
            self.log("coding.star", id=coding_id, starred=starred)

    def is_starred(self, coding_id: int) -> bool:
        return coding_store.is_starred(self.db, coding_id)

    # -- memos ----------------------------------------------------------------
    def add_memo(self, target: str, target_id: str | int | None, text: str) -> Memo:
        from qualcode.store import memos as memo_store

        if not text.strip():
            raise QualcodeError(_("a memo needs some text"))
        ref = None if target_id is None else str(target_id)
        with self.transaction():
            memo_id = memo_store.add(self.db, target, ref, text, self.coder, store.now())
            self.log("memo.add", id=memo_id, target=target, target_id=target_id, text=text)
        return self.memos(target, target_id)[-1]

    def set_memo(
        self,
        target: str,
        target_id: str | int | None,
        text: str,
        *,
        memo_id: int | None = None,
        item_id: int | None = None,
    ) -> Memo | None:
        """Write a memo in one undoable action (also after a restart): a new memo on the
        target, or with ``memo_id`` a new text for that memo; empty ``text`` deletes it.

        ``target``: 'item' (an item's id), 'coding' (a coding's id), 'code' (see
        :meth:`code_ref`), 'project' (no id) or 'respondent' (its id). The change is undone
        where it is made: an item's or a coding's memo with the codings (F2's u), a code's
        with the codebook (F5's u), the project's or a respondent's with the memos (u on
        the memo screen, see :meth:`undo_memo`, which undoes any memo's). ``item_id``:
        the item the memo belongs with (worked out when not given). Returns the memo, or
        None when deleted. A target that does not exist is refused, nothing written."""
        from qualcode.models import Memo
        from qualcode.store import memos as memo_store

        ref = None if target_id is None else str(target_id)
        before = None if memo_id is None else memo_store.get(self.db, memo_id)
        if memo_id is not None and before is None:
            raise NotFound(_("memo {memo} does not exist").format(memo=memo_id))
        if before is not None:  # an edit: the memo stays where it is
            target, ref = before.target, before.target_id
        if target not in self.MEMO_ACTIONS:
            raise QualcodeError(
                _("a memo is on one of: {kinds} (not '{kind}')").format(
                    kinds=", ".join(self.MEMO_ACTIONS), kind=target
                )
            )
        if before is None and not text.strip():
            raise QualcodeError(_("a memo needs some text"))
        if before is None and not memo_store.target_exists(self.db, target, ref):
            raise NotFound(
                _("no {kind} {id} in the project to write a memo on").format(
                    kind=target, id=ref if ref is not None else "-"
                )
            )
        if item_id is None and ref is not None:
            if target == "item":
                item_id = int(ref)
            elif target == "coding":
                found = coding_store.get(self.db, int(ref))
                item_id = found.item_id if found is not None else None
        item = self.item(item_id) if item_id is not None else None
        action = self.MEMO_ACTIONS[target]
        at = store.now()
        with self.transaction():
            if not text.strip():
                after = None
            elif before is None:
                after = Memo(memo_store.next_id(self.db), target, ref, text, self.coder, at, at)
            else:
                after = Memo(before.id, before.target, before.target_id, text, before.author,
                             before.created_at, at)  # fmt: skip
            memo = after or before
            assert memo is not None  # a new memo has text, a deleted one was there
            if after is None:
                memo_store.delete(self.db, memo.id)
            else:
                memo_store.put(self.db, after)
            if action == "memo.set":
                self.log(
                    "memo.set",
                    id_=memo.id,
                    item_id=item_id,
                    respondent=item.respondent if item else "",
                    before=None if before is None else asdict(before),
                    after=None if after is None else asdict(after),
                )
            else:
                self.log(
                    action,
                    id_=memo.id,
                    about=self._memo_about(memo),
                    before=None if before is None else asdict(before),
                    after=None if after is None else asdict(after),
                )
        return after

    def _memo_placed(self, memo: Memo, event: dict[str, Any]) -> Memo:
        """A memo as an undo or redo puts it back, on a target that still exists: where it
        is now, if its own coding or code was deleted since (the memo moved to the item or
        the project then, see migration 10), else on the item or the project."""
        from qualcode.store import memos as memo_store

        if memo_store.target_exists(self.db, memo.target, memo.target_id):
            return memo
        now = memo_store.get(self.db, memo.id)
        if now is not None:
            return replace(memo, target=now.target, target_id=now.target_id)
        item_id = event.get("item_id")
        if item_id is not None and memo_store.target_exists(self.db, "item", str(item_id)):
            return replace(memo, target="item", target_id=str(item_id))
        return replace(memo, target="project", target_id=None)

    def _memo_about(self, memo: Memo) -> str:
        """What a code's, the project's or a respondent's memo is about, for undo's words."""
        from qualcode.core.memos import entries

        found = [e for e in entries(self.db, memo.target) if e.memo.id == memo.id]
        return found[0].about if found else (memo.target_id or "")

    def code_ref(self, stem: str, key: str) -> int:
        """The id a memo on a code is written on (``set_memo('code', ...)``)."""
        return self._code_id(stem, key)[0]

    def memos(self, target: str | None = None, target_id: str | int | None = None) -> list[Memo]:
        from qualcode.store import memos as memo_store

        ref = None if target_id is None else str(target_id)
        return memo_store.select(self.db, target, ref)

    def item_memos(self, item_id: int) -> list[Memo]:
        """The memos on an item and on its codings (the coding screen shows them)."""
        from qualcode.store import memos as memo_store

        return memo_store.of_item(self.db, item_id)

    def memo_entries(self, kind: str | None = None, search: str = "") -> list[MemoEntry]:
        """Every memo (of one ``kind``) with what it is attached to, newest change first;
        with ``search``, those whose text, target, author or kind hold every word."""
        from qualcode.core.memos import KINDS, entries

        if kind is not None and kind not in KINDS:
            raise QualcodeError(
                _("a memo is on one of: {kinds} (not '{kind}')").format(
                    kinds=", ".join(KINDS), kind=kind
                )
            )
        return entries(self.db, kind, search)

    def next_memo_undo(self, *, redo: bool = False) -> tuple[str, dict[str, Any]] | None:
        """The group and event of this coder's latest memo change that u on the memo
        screen would undo (or redo): the newest memo change at the top of its group's
        stack (a later change of another kind in that group must be undone first)."""
        best: tuple[str, dict[str, Any]] | None = None
        for group in self.UNDO_GROUPS:
            event = self.next_undo(group, redo=redo)
            if event is None or not event["action"].startswith("memo."):
                continue
            if best is None or event["id"] > best[1]["id"]:
                best = (group, event)
        return best

    def undo_memo(self, *, redo: bool = False) -> Change | None:
        """Undo (or redo) this coder's latest memo change, whatever it was on; None if
        there is none to undo."""
        found = self.next_memo_undo(redo=redo)
        if found is None:
            return None
        return self.redo(found[0]) if redo else self.undo(found[0])

    # -- results --------------------------------------------------------------
    def counts(self, question: str | None = None, *, coder: str | None = None) -> pd.DataFrame:
        """Per code: how many distinct respondents mention it, of those who answered. With
        no ``question``, every question in one tidy frame (its ``question`` column says
        which), as a notebook wants it; with one, that question's table (and its title,
        basis and noun in ``frame.attrs``)."""
        from qualcode.core.counts import count_codes

        if question is None:
            import pandas as pd

            frames = [count_codes(self, q, coder=coder) for q in self.questions()]
            if not frames:
                from qualcode.core.counts import COLUMNS

                return pd.DataFrame(columns=COLUMNS)
            return pd.concat(frames, ignore_index=True)
        return count_codes(self, self.question(question), coder=coder)

    def count_table(self, question: str | None = None, *, coder: str | None = None) -> CountTable:
        """The numbers of :meth:`counts` for one question as plain Python, without pandas
        (see :class:`qualcode.core.counts.CountTable`): for the CLI's table, CSV, Markdown
        and JSON, which need no DataFrame."""
        from qualcode.core.counts import count_table

        return count_table(self, self.question(question), coder=coder)

    def coded_frame(self, question: str, *, coder: str | None = None) -> pd.DataFrame:
        """Respondents who answered × themes, 0/1 (see :func:`qualcode.core.counts.coded_frame`)."""
        from qualcode.core.counts import coded_frame

        return coded_frame(self, self.question(question), coder=coder)

    def crosstab(self, question: str, attribute: str, **options: Any) -> pd.DataFrame:
        """The question's themes by a respondent attribute, with tests (see
        :func:`qualcode.core.crosstab.crosstab` for ``groups``, ``coder``, ``alpha``)."""
        from qualcode.core.crosstab import crosstab

        return crosstab(self, question, attribute, **options)

    def matrix(
        self,
        question: str | None = None,
        by: str | None = None,
        *,
        groups: Mapping[str, str | Sequence[str]] | Sequence[str | Group] | None = None,
        questions: Mapping[str, str] | Sequence[str] | str | None = None,
        coder: str | None = None,
        top: int | None = None,
    ) -> pd.DataFrame:
        """The theme matrix as ``qualcode matrix`` counts it, one row per group and theme:
        ``p.matrix("strategier", by="lokalpolitisk_fokus")`` (the attribute's values as
        groups, in the survey's order; ``groups={"høj": ["I høj grad", "I meget høj
        grad"], ...}`` or ``["høj=I høj grad,I meget høj grad", ...]`` names groups of
        values), or ``p.matrix(questions=["q1", "q2"])`` (a group per question, all coded
        with one codebook; ``{"Lokale virksomheder": "q1", ...}`` names them). ``top=N``
        keeps each group's N most frequent themes, ties kept; ``coder`` as
        :meth:`counts`.

        Columns: group, question, code, label, depth, respondents (distinct respondents
        in the group mentioning the theme), answered (the group's respondents who
        answered), percent (to one decimal), rank: the numbers of ``qualcode matrix
        --format csv``. ``frame.attrs`` holds the groups, their bases and who was left out
        (see :func:`qualcode.core.matrix.theme_matrix`)."""
        from qualcode.core.crosstab import as_groups
        from qualcode.core.matrix import QuestionGroup, parse_questions, theme_matrix
        from qualcode.core.numbers import round_half_up

        wanted: list[QuestionGroup] | None = None
        if isinstance(questions, Mapping):
            wanted = [QuestionGroup(name, qid) for name, qid in questions.items()]
        elif questions is not None:
            wanted = parse_questions(questions)
        frame = theme_matrix(
            self,
            question=question,
            by=by,
            groups=as_groups(groups),
            questions=wanted,
            coder=coder,
            top=top,
        )
        frame["percent"] = [
            None if v is None or v != v else round_half_up(float(v), 1) for v in frame["percent"]
        ]
        for col, dtype in (
            ("depth", "int64"),
            ("respondents", "int64"),
            ("answered", "int64"),
            ("percent", "float64"),
            ("rank", "int64"),
        ):
            frame[col] = frame[col].astype(dtype)
        return frame

    def agreement(
        self, question: str, coders: str | Sequence[str] | None = None, unit: str = "item"
    ) -> pd.DataFrame:
        """Agreement between coders per code (see :func:`qualcode.core.agreement.agreement`)."""
        from qualcode.core.agreement import agreement

        return agreement(self, question, coders, unit)

    def respondent_counts(
        self, question: str | None = None, *, coder: str | None = None
    ) -> dict[str, int]:
        """Code key -> distinct respondents (children roll up), without pandas: for live views."""
        from qualcode.core.counts import respondent_counts

        q = self.question(question)
        return respondent_counts(self, q, self.codebook(q.codebook), coder=coder)

    def answered(self, question: str | None = None) -> int:
        """How many respondents gave the question a codable answer: the denominator."""
        return item_store.answered(self.db, self.question(question).id)

    def progress(self, question: str | None = None, *, coder: str | None = None) -> tuple[int, int]:
        """(items coded, items to code) for a question: "coded 12 of 35"."""
        return item_store.progress(self.db, self.question(question).id, coder)

    def tally(self, question: str) -> tuple[int, int, int, int]:
        """(items, non-empty items, items coded, codings) of a question."""
        return item_store.tally(self.db, question)

    def respondent_count(self) -> int:
        return respondent_store.count(self.db)

    def quotes(
        self, code: str, question: str | None = None, *, coder: str | None = None
    ) -> list[Quote]:
        from qualcode.core.quotes import find_quotes

        return find_quotes(self, code, question, coder=coder)

    def events(self, limit: int | None = None) -> list[dict[str, Any]]:
        from qualcode.store import events as event_store

        return event_store.recent(self.db, limit)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, for checking that a failed action changed nothing."""
        from qualcode.store import imports as import_store

        return import_store.snapshot(self.db)

    # -- imports --------------------------------------------------------------
    def import_answers(
        self, table: AnswerTable, *, progress: Progress | None = None
    ) -> ImportSummary:
        """Write parsed answers (see :func:`qualcode.io.answers.read_answers`), all or nothing.

        ``progress(done, total)`` is called as rows are written; raising from it (e.g. to
        cancel) rolls the whole import back.
        """
        from qualcode.core import importer

        return importer.run(
            self,
            "answers",
            table.file,
            table.sha256,
            table.options,
            lambda w: importer.write_answers(w, table, progress),
        )

    def import_interviews(
        self,
        transcripts: Transcripts,
        *,
        question: str,
        codebook: Codebook,
        file: str,
        sha256: str,
        split: str = "turn",
        progress: Progress | None = None,
    ) -> ImportSummary:
        from qualcode.core import importer

        return importer.run(
            self,
            "interviews",
            file,
            sha256,
            {"question": question, "split": split},
            lambda w: importer.write_interviews(
                w, transcripts, question, codebook, split, progress
            ),
        )

    def import_codings(
        self, rows: CodingRows, *, file: str, sha256: str, progress: Progress | None = None
    ) -> ImportSummary:
        from qualcode.core import importer

        return importer.run(
            self, "codings", file, sha256, {}, lambda w: importer.write_codings(w, rows, progress)
        )
