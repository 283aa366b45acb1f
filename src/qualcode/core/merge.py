"""Merging coders' copies of a project: ``qualcode merge TARGET.db SOURCE.db...``.

Analysts code copies of the same project file and merge them back into one. Items are
matched by (question, respondent, position) and must hold the same text; codes by
(codebook, key). A coding is identified by (item, code, coder, start, end): one the target
has already is kept as it is (a star given in a copy is carried over), a new one is
inserted with its own coder, time, memo and star. Memos are matched by (target kind,
target, text, author); a memo edited since in one of the files (the same target, author
and time of writing, another text) stays one memo, with the newer edit. A framework
summary is one per (question, respondent, theme): the newer one wins, a summary taken
away later too, and the target's is kept when it is as new or newer (the texts a merge
replaces are kept in its event).

Nothing is ever added to the target's questions, respondents, items or codebooks: what the
target lacks, or holds with another text, is reported together with the codings and memos
that could therefore not be brought in. Sources are opened read-only. Every source is
merged in one transaction on the target, logged as one ``merge`` event; merging the same
files again changes nothing and logs nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.checks import listing
from qualcode.core.numbers import integer
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.store import codebooks as code_store
from qualcode.store import codings as coding_store
from qualcode.store import db as store
from qualcode.store import merge as merge_store
from qualcode.store import respondents as respondent_store
from qualcode.store import reviews as review_store
from qualcode.store import summaries as summary_store
from qualcode.store.merge import (
    SourceCoding,
    SourceItem,
    SourceMemo,
    SourceReview,
    SourceSummary,
    SourceVerdict,
)

if TYPE_CHECKING:
    from qualcode.core.project import Project

_, _n = translator("core")

_Problem = tuple[str, str, str]  # (what, key, reason): why something could not be merged


def _thing(what: str) -> str:
    """An :class:`Unmatched`'s ``what`` ('question', 'coding', ...) in words."""
    return {
        "question": _("question"),
        "respondent": _("respondent"),
        "item": _("item"),
        "code": _("code"),
        "coding": _("coding"),
        "memo": _("memo"),
        "no-theme mark": _("'no theme' mark"),
    }.get(what, what)


REQUIRED_TABLES = {"questions", "respondents", "items", "codes", "codings", "memos", "events"}


@dataclass(frozen=True)
class Unmatched:
    """Something in a source that could not be brought into the target, and why."""

    source: str
    what: str  # 'question', 'respondent', 'item', 'code', 'coding', 'memo', 'no-theme mark'
    key: str  # e.g. "strategier/JC04", "interview/JC07 #3", "interviewtemaer:fleksjob"
    reason: str  # in words, in the language in use when it was found
    codings: int = 0  # codings left out because of it
    memos: int = 0  # memos left out because of it
    summaries: int = 0  # framework summaries left out because of it

    def __str__(self) -> str:
        lost = []
        if self.codings:
            lost.append(_n("{n} coding", "{n} codings", self.codings).format(n=self.codings))
        if self.memos:
            lost.append(_n("{n} memo", "{n} memos", self.memos).format(n=self.memos))
        if self.summaries:
            lost.append(_n("{n} summary", "{n} summaries", self.summaries).format(n=self.summaries))
        line = f"{self.source}: {_thing(self.what)} {self.key}: {self.reason}"
        if lost:
            return _("{problem} ({lost} not merged)").format(problem=line, lost=listing(lost))
        return line


@dataclass
class MergeReport:
    """What a merge did (or, with ``dry_run``, would do)."""

    target: str
    sources: list[str]
    codings_added: int = 0
    codings_present: int = 0
    stars_added: int = 0
    memos_added: int = 0
    memos_present: int = 0
    memos_updated: int = 0  # the target's memos given a copy's newer edit of them
    verdicts_added: int = 0
    no_theme_added: int = 0  # 'reviewed, no theme applies' marks brought in
    no_theme_cleared: int = 0  # marks a newer coding from a copy took away
    summaries_added: int = 0  # framework summaries where the target had none
    summaries_replaced: int = 0  # the target's older summaries replaced by newer ones
    summaries_cleared: int = 0  # the target's older summaries a copy took away later
    summaries_kept: int = 0  # a copy's older summaries: the target's newer one was kept
    unmatched: list[Unmatched] = field(default_factory=list)
    dry_run: bool = False
    backup: str = ""  # the target as it was before the merge

    @property
    def changed(self) -> bool:
        return bool(
            self.codings_added
            or self.stars_added
            or self.memos_added
            or self.memos_updated
            or self.verdicts_added
            or self.no_theme_added
            or self.no_theme_cleared
            or self.summaries_added
            or self.summaries_replaced
            or self.summaries_cleared
        )

    @property
    def codings_unmatched(self) -> int:
        return sum(u.codings for u in self.unmatched)

    @property
    def memos_unmatched(self) -> int:
        return sum(u.memos for u in self.unmatched)

    def unmatched_lines(self, limit: int = 5) -> list[str]:
        """The first ``limit`` problems, then how many more there are."""
        lines = [str(u) for u in self.unmatched[:limit]]
        if len(self.unmatched) > limit:
            more = len(self.unmatched) - limit
            lines.append(_("… and {n} more").format(n=integer(more)))
        return lines

    def describe(self, limit: int = 5) -> str:
        files = ", ".join(self.sources)
        if not self.changed:
            head = _("{files}: nothing new for {target}").format(files=files, target=self.target)
        else:
            forms = [  # (count, its words, said also when 0)
                (
                    self.codings_added,
                    _n("{n} coding added", "{n} codings added", self.codings_added),
                    True,
                ),
                (
                    self.stars_added,
                    _n("{n} star added", "{n} stars added", self.stars_added),
                    False,
                ),
                (
                    self.verdicts_added,
                    _n(
                        "{n} suggestion verdict added",
                        "{n} suggestion verdicts added",
                        self.verdicts_added,
                    ),
                    False,
                ),
                (
                    self.no_theme_added,
                    _n(
                        "{n} 'no theme' mark added",
                        "{n} 'no theme' marks added",
                        self.no_theme_added,
                    ),
                    False,
                ),
                (
                    self.no_theme_cleared,
                    _n(
                        "{n} 'no theme' mark replaced by a newer coding",
                        "{n} 'no theme' marks replaced by newer codings",
                        self.no_theme_cleared,
                    ),
                    False,
                ),
                (
                    self.summaries_added,
                    _n("{n} summary added", "{n} summaries added", self.summaries_added),
                    False,
                ),
                (
                    self.summaries_replaced,
                    _n(
                        "{n} summary replaced by a newer one",
                        "{n} summaries replaced by newer ones",
                        self.summaries_replaced,
                    ),
                    False,
                ),
                (
                    self.summaries_cleared,
                    _n(
                        "{n} summary taken away (later in a copy)",
                        "{n} summaries taken away (later in a copy)",
                        self.summaries_cleared,
                    ),
                    False,
                ),
                (self.memos_added, _n("{n} memo added", "{n} memos added", self.memos_added), True),
                (
                    self.memos_updated,
                    _n(
                        "{n} memo given a newer edit",
                        "{n} memos given newer edits",
                        self.memos_updated,
                    ),
                    False,
                ),
            ]
            parts = [form.format(n=integer(n)) for n, form, always in forms if n or always]
            head = (
                _("would merge {files} into {target}: {what}")
                if self.dry_run
                else _("merged {files} into {target}: {what}")
            ).format(files=files, target=self.target, what=", ".join(parts))
        codings = _n("{n} coding", "{n} codings", self.codings_present).format(
            n=integer(self.codings_present)
        )
        memos = _n("{n} memo", "{n} memos", self.memos_present).format(
            n=integer(self.memos_present)
        )
        lines = [
            _("{head}; {codings} and {memos} were there already").format(
                head=head, codings=codings, memos=memos
            )
        ]
        if self.summaries_kept:
            lines.append(
                _n(
                    "{n} older summary in the copies was not taken: the target's is newer",
                    "{n} older summaries in the copies were not taken: the target's are newer",
                    self.summaries_kept,
                ).format(n=integer(self.summaries_kept))
            )
        if self.dry_run:
            lines.append(_("dry run: nothing was written"))
        if self.backup:
            lines.append(_("the target as it was is kept at {backup}").format(backup=self.backup))
        if self.unmatched:
            codings = _n("{n} coding", "{n} codings", self.codings_unmatched).format(
                n=integer(self.codings_unmatched)
            )
            memos = _n("{n} memo", "{n} memos", self.memos_unmatched).format(
                n=integer(self.memos_unmatched)
            )
            lines.append(
                _("could not be matched ({n}; {codings} and {memos} not merged):").format(
                    n=integer(len(self.unmatched)), codings=codings, memos=memos
                )
            )
            lines += [f"  {line}" for line in self.unmatched_lines(limit)]
        return "\n".join(lines)


class MergeRefused(QualcodeError):
    """``strict`` was asked for and something could not be matched; nothing was written."""

    def __init__(self, report: MergeReport) -> None:
        self.report = report
        n = len(report.unmatched)
        first = "; ".join(report.unmatched_lines(3))
        super().__init__(
            _n(
                "{n} thing could not be matched, so nothing was merged (--strict): {first}",
                "{n} things could not be matched, so nothing was merged (--strict): {first}",
                n,
            ).format(n=integer(n), first=first)
        )


class _Rollback(Exception):
    """Raised inside the transaction to leave the target as it was (dry run)."""


# -- reading a source ------------------------------------------------------------


@dataclass
class _Source:
    name: str
    questions: dict[str, str]  # id -> codebook
    items: dict[int, SourceItem]  # id -> (question, respondent, position, kind, text)
    codes: dict[int, tuple[str, str]]  # id -> (codebook, key)
    codings: list[SourceCoding]  # (id, item, code, start, end, coder, created_at, memo,
    #                               starred, origin)
    memos: list[SourceMemo]  # (target, target_id, text, author, created_at, updated_at)
    verdicts: list[SourceVerdict] = field(default_factory=list)  # (item, code, coder,
    #                                                               verdict, source, score, at)
    reviews: list[SourceReview] = field(default_factory=list)  # (item, coder, at)
    # (question, respondent, code, text, author, at); text '' where it was taken away
    summaries: list[SourceSummary] = field(default_factory=list)


def _open_source(path: Path, target: Path) -> sqlite3.Connection:
    """A read-only connection to a qualcode project file, or a one-line error. A source
    from an older qualcode is read through an upgraded copy in memory: never changed."""
    name = str(path)
    if target.exists() and path.exists() and os.path.samefile(path, target):
        raise QualcodeError(
            _("is the target project itself; give other coders' copies to merge into it"),
            file=name,
        )
    return store.connect(path, readonly=True)


def _read_source(path: Path, target: Path) -> _Source:
    """Everything a merge needs from a source, read in one read transaction."""
    conn = _open_source(path, target)
    try:
        rows = merge_store.read_source(conn)
        return _Source(
            name=str(path),
            questions=rows.questions,
            items=rows.items,
            codes=rows.codes,
            codings=rows.codings,
            memos=rows.memos,
            verdicts=rows.verdicts,
            reviews=rows.reviews,
            summaries=rows.summaries,
        )
    except sqlite3.DatabaseError as exc:
        raise QualcodeError(
            _("not a usable project file ({problem})").format(problem=exc), file=str(path)
        ) from None
    finally:
        conn.close()


# -- merging ---------------------------------------------------------------------


class _Merger:
    """Maps one source at a time onto the target, inside the target's transaction."""

    def __init__(self, project: Project, report: MergeReport) -> None:
        db = project.db
        self.db = db
        self.report = report
        self.questions = merge_store.question_codebooks(db)
        self.respondents = set(respondent_store.ids(db))
        self.items = merge_store.item_places(db)
        self.codes = code_store.all_code_ids(db)
        self.codings = merge_store.coding_states(db)
        self.memos = merge_store.memo_keys(db)
        self.memo_lineage = merge_store.memo_lineage(db)
        self.marks = {(item, coder): at for item, coder, at in review_store.all_marks(db)}
        self.coded_by = {(key[0], key[2]) for key in self.codings}  # (item, coder)
        self.summaries = {
            (q, r, k): (text, author, at)
            for q, r, k, text, author, at in summary_store.all_rows(db)
        }
        # what the merge replaced or took away: [question, respondent, code, text, author, at]
        self.summaries_replaced: list[list[str]] = []

    def merge(self, src: _Source) -> None:
        # (what, key) -> [reason, codings, memos], in the order met
        problems: dict[tuple[str, str], list[Any]] = {}

        def charge(entry: _Problem, codings: int = 0, memos: int = 0, summaries: int = 0) -> None:
            what, key, reason = entry
            slot = problems.setdefault((what, key), [reason, 0, 0, 0])
            slot[1] += codings
            slot[2] += memos
            slot[3] += summaries

        item_ids: dict[int, int | _Problem] = {}  # source id -> target id or problem

        def item(sid: int) -> int | _Problem:
            if sid not in src.items:  # only in a damaged file: qualcode keeps foreign keys on
                return ("item", f"#{sid}", _("missing from the source"))
            if sid not in item_ids:
                item_ids[sid] = self._match_item(src, sid)
            return item_ids[sid]

        def code(sid: int) -> int | _Problem:
            if sid not in src.codes:
                return ("code", f"#{sid}", _("missing from the source"))
            codebook, key = src.codes[sid]
            found = self.codes.get((codebook, key))
            return (
                found
                if found is not None
                else ("code", f"{codebook}:{key}", _("not in the target's codebook"))
            )

        coding_ids: dict[int, int | _Problem] = {}
        for (
            sid,
            s_item,
            s_code,
            start,
            end,
            coder,
            created_at,
            memo,
            starred,
            origin,
        ) in src.codings:
            t_item, t_code = item(s_item), code(s_code)
            if isinstance(t_item, tuple) or isinstance(t_code, tuple):
                problem = next(x for x in (t_item, t_code) if isinstance(x, tuple))
                coding_ids[sid] = problem
                charge(problem, codings=1)
                continue
            ident = (t_item, t_code, coder, start, end)
            existing = self.codings.get(ident)
            marked = self.marks.get((t_item, coder))
            if existing is None and marked is not None:
                if created_at <= marked:  # the coder found no theme here after this coding
                    problem = (
                        "coding",
                        _("{item} {code} by {coder}").format(
                            item=self._label(src, s_item), code=src.codes[s_code][1], coder=coder
                        ),
                        _("the target marks the answer 'no theme' since (kept the target's)"),
                    )
                    coding_ids[sid] = problem
                    charge(problem, codings=1)
                    continue
                review_store.unmark(self.db, t_item, coder)  # a newer coding: it holds
                del self.marks[(t_item, coder)]
                self.report.no_theme_cleared += 1
            if existing is None:
                new_id = merge_store.insert_coding(
                    self.db,
                    t_item,
                    t_code,
                    start,
                    end,
                    coder,
                    created_at,
                    memo,
                    bool(starred),
                    origin,
                )
                self.codings[ident] = [new_id, memo, int(bool(starred))]
                self.coded_by.add((t_item, coder))
                coding_ids[sid] = new_id
                self.report.codings_added += 1
                continue
            coding_ids[sid] = existing[0]
            self.report.codings_present += 1
            if starred and not existing[2]:  # a star given in a copy; never taken away
                coding_store.set_starred(self.db, existing[0], True)
                existing[2] = 1
                self.report.stars_added += 1
            if memo and memo != existing[1]:
                code_span = src.codes[s_code][1] + (f" {start}-{end}" if start is not None else "")
                charge(
                    (
                        "coding",
                        _("{item} {code} by {coder}").format(
                            item=self._label(src, s_item), code=code_span, coder=coder
                        ),
                        _("its memo differs from the target's (kept the target's)"),
                    )
                )

        # 'reviewed, no theme applies': each coder's own, never over their codings
        for s_item, coder, at in src.reviews:
            t_item = item(s_item)
            if isinstance(t_item, tuple):
                charge(t_item)
                continue
            if (t_item, coder) in self.coded_by:
                charge(
                    (
                        "no-theme mark",
                        _("{item} by {coder}").format(item=self._label(src, s_item), coder=coder),
                        _("the target holds codings of that coder there (kept the target's)"),
                    )
                )
                continue
            if (t_item, coder) not in self.marks:
                review_store.mark(self.db, t_item, coder, at)
                self.marks[(t_item, coder)] = at
                self.report.no_theme_added += 1

        # the suggestions each coder accepted or rejected: they teach the next model
        for s_item, s_code, coder, verdict, source, score, at in src.verdicts:
            t_item, t_code = item(s_item), code(s_code)
            if isinstance(t_item, tuple) or isinstance(t_code, tuple):
                continue  # its item or code is reported with the codings
            self.report.verdicts_added += merge_store.add_verdict(
                self.db, t_item, t_code, coder, verdict, source, score, at
            )

        for kind, target_id, text, author, created_at, updated_at in src.memos:
            mapped = self._memo_target(src, kind, target_id, item, code, coding_ids)
            if isinstance(mapped, tuple):
                charge(mapped, memos=1)
                continue
            memo_ident = (kind, mapped, text, author)
            if memo_ident in self.memos:
                self.report.memos_present += 1
                continue
            # the same memo (its author and time of writing), edited since in one file:
            # the newer edit wins, and it stays one memo
            lineage = (kind, mapped, author, created_at)
            held = self.memo_lineage.get(lineage)
            if held is not None:
                held_id, held_text, held_at = held
                if updated_at > held_at:
                    merge_store.update_memo(self.db, held_id, text, updated_at)
                    self.memos.discard((kind, mapped, held_text, author))
                    self.memos.add(memo_ident)
                    self.memo_lineage[lineage] = (held_id, text, updated_at)
                    self.report.memos_updated += 1
                else:
                    self.report.memos_present += 1
                continue
            new_id = merge_store.insert_memo(
                self.db, kind, mapped, text, author, created_at, updated_at
            )
            self.memos.add(memo_ident)
            self.memo_lineage[lineage] = (new_id, text, updated_at)
            self.report.memos_added += 1

        # the framework's summaries: one per cell, the newer wins
        for qid, rid, key, text, author, at in src.summaries:
            refused = self._summary_problem(src, qid, rid, key)
            if refused is not None:
                charge(refused, summaries=1 if text else 0)
                continue
            self._merge_summary((qid, rid, key), text, author, at)

        self.report.unmatched += [
            Unmatched(src.name, what, key, reason, n_codings, n_memos, n_summaries)
            for (what, key), (reason, n_codings, n_memos, n_summaries) in problems.items()
        ]

    def _summary_problem(self, src: _Source, qid: str, rid: str, key: str) -> _Problem | None:
        """Why a source's summary cannot go into the target, or None if it can."""
        codebook = self.questions.get(qid)
        if codebook is None:
            return ("question", qid, _("not in the target"))
        if codebook != src.questions.get(qid):
            return ("question", qid, _other_codebook(src.questions.get(qid), codebook))
        if rid not in self.respondents:
            return ("respondent", rid, _("not in the target"))
        if (codebook, key) not in self.codes:
            return ("code", f"{codebook}:{key}", _("not in the target's codebook"))
        return None

    def _merge_summary(self, place: tuple[str, str, str], text: str, author: str, at: str) -> None:
        """One cell's summary from a copy: taken when the target has none or an older one
        (a newer 'taken away' too); equal texts are left as they are."""
        mine = self.summaries.get(place)
        old = mine[0] if mine is not None else ""
        if mine is not None and (old == text or at <= mine[2]):
            if text and old != text:
                self.report.summaries_kept += 1
            return
        summary_store.put(self.db, *place, text, author, at)
        self.summaries[place] = (text, author, at)
        if old and mine is not None:
            self.summaries_replaced.append([*place, *mine])
        if text and not old:
            self.report.summaries_added += 1
        elif text:
            self.report.summaries_replaced += 1
        elif old:
            self.report.summaries_cleared += 1
        # a 'taken away' where the target had nothing is kept (so an older text from
        # another copy cannot come back) but changes nothing anybody sees

    def _match_item(self, src: _Source, sid: int) -> int | _Problem:
        question, respondent, position, _kind, text = src.items[sid]
        codebook = self.questions.get(question)
        if codebook is None:
            return ("question", question, _("not in the target"))
        if codebook != src.questions[question]:
            return ("question", question, _other_codebook(src.questions[question], codebook))
        if respondent not in self.respondents:
            return ("respondent", respondent, _("not in the target"))
        found = self.items.get((question, respondent, position))
        if found is None:
            return ("item", self._label(src, sid), _("not in the target"))
        if found[1] != text:
            return ("item", self._label(src, sid), _("its text differs from the target's"))
        return found[0]

    @staticmethod
    def _label(src: _Source, sid: int) -> str:
        question, respondent, position, kind, _text = src.items[sid]
        return f"{question}/{respondent}" + ("" if kind == "answer" else f" #{position + 1}")

    def _memo_target(
        self,
        src: _Source,
        kind: str,
        target_id: str | None,
        item: Callable[[int], int | _Problem],
        code: Callable[[int], int | _Problem],
        coding_ids: dict[int, int | _Problem],
    ) -> str | None | _Problem:
        """The memo's target id in the target project, or the problem that prevents it."""

        def missing(what: str) -> _Problem:
            reason = {
                "item": _("its item is not in the source"),
                "coding": _("its coding is not in the source"),
                "code": _("its code is not in the source"),
            }.get(what) or _("its target ({kind}) is not in the source").format(kind=what)
            place = _("on {kind} {id}").format(kind=_thing(kind), id=target_id)
            return ("memo", place, reason)

        if kind == "project":
            return target_id
        if kind == "respondent":
            if target_id in self.respondents:
                return target_id
            return ("respondent", str(target_id), _("not in the target"))
        if target_id is None:
            return missing(kind)
        try:
            sid = int(target_id)
        except (TypeError, ValueError):
            return missing(kind)
        if kind == "item":
            mapped = item(sid) if sid in src.items else missing("item")
        elif kind == "coding":
            mapped = coding_ids[sid] if sid in coding_ids else missing("coding")
        elif kind == "code":
            mapped = code(sid) if sid in src.codes else missing("code")
        else:
            return missing(kind)
        return mapped if isinstance(mapped, tuple) else str(mapped)


def _other_codebook(here: str | None, there: str) -> str:
    return _("coded with codebook '{here}' here but '{there}' in the target").format(
        here=here, there=there
    )


def merge_projects(
    target: Project, sources: list[Path], *, strict: bool = False, dry_run: bool = False
) -> MergeReport:
    """Bring the codings and memos of other coders' copies into ``target``, all or nothing.

    ``strict`` refuses (raising :class:`MergeRefused`, writing nothing) when anything could
    not be matched; ``dry_run`` reports what would be merged and writes nothing.
    """
    paths = [Path(p) for p in sources]
    if not paths:
        raise QualcodeError(_("give at least one project file to merge"))
    read = [_read_source(p, Path(target.path)) for p in paths]  # every check before any write
    report = MergeReport(target=str(target.path), sources=[s.name for s in read], dry_run=dry_run)
    kept = None if dry_run else target.backup("merge")
    committed = False
    try:
        with target.transaction():
            merger = _Merger(target, report)
            for source in read:
                merger.merge(source)
            if strict and report.unmatched:
                raise MergeRefused(report)
            if dry_run:
                raise _Rollback
            if report.changed:
                target.log(
                    "merge",
                    sources=report.sources,
                    codings_added=report.codings_added,
                    codings_present=report.codings_present,
                    stars_added=report.stars_added,
                    memos_added=report.memos_added,
                    memos_present=report.memos_present,
                    memos_updated=report.memos_updated,
                    summaries_added=report.summaries_added,
                    summaries_replaced=report.summaries_replaced,
                    summaries_cleared=report.summaries_cleared,
                    summaries_before=merger.summaries_replaced,
                    unmatched=[str(u) for u in report.unmatched[:50]],
                    unmatched_total=len(report.unmatched),
                )
        committed = report.changed
    except _Rollback:
        pass
    finally:
        if kept is not None and not committed:
            kept.unlink(missing_ok=True)  # nothing merged: the copy is the project itself
    if kept is not None and committed:
        report.backup = str(kept)
    return report
