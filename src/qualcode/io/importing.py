"""One import flow, for the command line (``qualcode import ...``) and the workbench (``i``).

An import is a kind, the file(s) and the options ``qualcode import`` takes. This module
picks the reader for the kind, reads the file(s), puts answers of a survey wave under their
question's series, and writes through the core (:mod:`qualcode.core.importer`), all or
nothing. Every kind returns an :class:`~qualcode.models.ImportSummary`.

Files that can be read without the project (transcripts, codings, REFI-QDA files) are
read before it is opened (:meth:`FileImport.read`), so a file that cannot be read is
refused before the project is upgraded, created or locked. Answers and a register are
read with the project open (:meth:`FileImport.run`): an answers file's codebook may be
the project's own edited copy, and a wave's question id depends on what the project
already holds.

What stays with the front ends: the CLI creates a new project only if the import succeeds
and prints in English; the workbench runs the import in a worker and speaks Danish.

Kinds and their options (what is not given takes the CLI's default):

==============  =========================================================================
``answers``     ``respondent_col``, ``text_cols``, ``questions`` (one per text column),
                ``codebooks`` (one, or one per text column), ``attr_cols``, ``all_attrs``,
                ``name_col``, ``sheet``, ``wave``
``register``    ``respondent_col``, ``attr_cols``, ``all_attrs``, ``name_col``, ``sheet``
``interviews``  ``question``, ``codebook``, ``split`` (turn or paragraph), ``interviewer``
                (more labels of the interviewer's turns); several files
``codings``     ``coder`` (for rows without a coder column), ``sheet``
``qdc``         ``codebook`` (a REFI-QDA codebook, read as one whatever its name)
``refiqda``     ``question``, ``codebook``, ``coder`` (a .qdc, .qdpx or .qde, by its name
                or content)
==============  =========================================================================
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from qualcode.i18n import translator

if TYPE_CHECKING:
    from qualcode.core.project import Project
    from qualcode.models import ImportSummary

_, _n = translator("io")

Progress = Callable[[int, int], None]

KINDS = ("answers", "register", "interviews", "codings", "qdc", "refiqda")
# the kinds that bring texts (answers, transcript turns, text sources) into the project:
# what they brought may hold personal data (see personal_data)
BRINGS_TEXTS = ("answers", "interviews", "refiqda")
# the kinds read before the project is opened (FileImport.read)
READ_FIRST = ("interviews", "codings", "qdc", "refiqda")

INTERVIEW_QUESTION = "interview"
INTERVIEW_CODEBOOK = "kompenserende-ordninger"


def _no_check() -> None:
    pass


# The personal data an answers import found as it wrote (AnswerTable.personal_data), kept
# for personal_data() on the same project object: (the questions, the answers holding
# some, the file's state just after the import). Used only while the project is unchanged.
_FOUND: weakref.WeakKeyDictionary[Project, tuple[list[str], list[tuple[str, str, int]], Any]]
_FOUND = weakref.WeakKeyDictionary()
# above this many answers with personal data, personal_data() scans the questions again
FOUND_AT_MOST = 2000


class FileImport:
    """One import of ``paths`` (one file, or several transcripts) as ``kind``.

    ``coder`` is the coder for codings whose file names none, when the options give no
    ``coder`` (default: $QUALCODE_CODER or the user name, as the project's).
    """

    def __init__(
        self,
        kind: str,
        paths: list[str],
        options: dict[str, Any] | None = None,
        *,
        coder: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of import {kind!r} (one of {', '.join(KINDS)})")
        self.kind = kind
        self.paths = [str(p) for p in paths]
        self.options = dict(options or {})
        self.coder = self.options.get("coder") or coder
        self._read: Any = None

    @property
    def file(self) -> str:
        """The file(s), as the summary and the import log name them."""
        files = self.paths
        if len(files) <= 3:
            return ", ".join(files)
        return _("{file} and {n} more").format(file=files[0], n=len(files) - 1)

    def read(self) -> None:
        """Read what needs no project: transcripts, codings or a REFI-QDA file (answers and
        registers are read in :meth:`run`). Raises a QualcodeError naming the file, row and
        column for a file that cannot be imported."""
        o, path = self.options, self.paths[0]
        if self.kind == "interviews":
            from qualcode.io.interviews import read_interviews

            self._read = read_interviews(
                self.paths, interviewer_labels=set(o.get("interviewer", ()))
            )
        elif self.kind == "codings":
            from qualcode.io.codings import read_codings
            from qualcode.paths import default_coder

            self._read = read_codings(
                path, default_coder=self.coder or default_coder(), sheet=o.get("sheet")
            )
        elif self.kind == "qdc":
            from qualcode.io.refiqda import read_qdc

            self._read = read_qdc(path)
        elif self.kind == "refiqda":
            from qualcode.io.refiqda import read_refiqda

            self._read = read_refiqda(path)

    def run(
        self,
        project: Project,
        *,
        progress: Progress | None = None,
        check: Callable[[], None] = _no_check,
    ) -> ImportSummary:
        """Import into ``project`` (opened to write), all or nothing, after :meth:`read`.

        ``progress(done, total)`` is called as rows are written; ``check()`` is called
        between the steps. Raising from either (to cancel) leaves the project as it was.
        """
        if self._read is None and self.kind in READ_FIRST:
            self.read()
        _FOUND.pop(project, None)
        o, path = self.options, self.paths[0]
        if self.kind == "answers":
            return self._answers(project, progress, check)
        if self.kind == "register":  # respondents and their attributes, no answers
            from qualcode.io.answers import stream_answers

            table = stream_answers(
                path,
                respondent_col=o["respondent_col"],
                attr_cols=o.get("attr_cols", ()),
                name_col=o.get("name_col"),
                all_attrs=o.get("all_attrs", False),
                sheet=o.get("sheet"),
            )
            check()
            return project.import_answers(table, progress=progress)
        if self.kind == "interviews":
            from qualcode.core.codebook import load_codebook

            transcripts, digest = self._read
            stem = o.get("codebook") or INTERVIEW_CODEBOOK
            book = project.codebook(stem) if project.has_codebook(stem) else load_codebook(stem)
            check()
            return project.import_interviews(
                transcripts,
                question=o.get("question") or INTERVIEW_QUESTION,
                codebook=book,
                file=self.file,
                sha256=digest,
                split=o.get("split") or "turn",
                progress=progress,
            )
        if self.kind == "codings":
            rows, table = self._read
            return project.import_codings(
                rows, file=table.file, sha256=table.sha256, progress=progress
            )
        from qualcode.io.refiqda import import_refiqda

        if self.kind == "qdc":
            return import_refiqda(project, self._read, codebook=o.get("codebook"))
        return import_refiqda(
            project,
            self._read,
            question=o.get("question"),
            codebook=o.get("codebook"),
            coder=self.coder,
        )

    def _answers(self, project: Project, progress: Progress | None, check) -> ImportSummary:
        """Answers, one question per text column; with a ``wave``, each ``questions`` entry
        names the question across waves, and the answers go in under its id in this wave
        (see ``qualcode waves``)."""
        from qualcode.io.answers import stream_answers

        o = self.options
        questions = list(o["questions"])
        ids, wave = questions, o.get("wave")
        if wave:
            from qualcode.core import waves

            ids = [waves.wave_question_id(project, q, wave) for q in questions]
        # read as it is written, a batch at a time: an error in a row rolls it all back
        table = stream_answers(
            self.paths[0],
            respondent_col=o["respondent_col"],
            text_cols=o["text_cols"],
            questions=ids,
            codebooks=o["codebooks"],
            attr_cols=o.get("attr_cols", ()),
            name_col=o.get("name_col"),
            all_attrs=o.get("all_attrs", False),
            sheet=o.get("sheet"),
            project=project,
        )
        check()
        if wave:
            summary = waves.import_answers_wave(
                project, table, wave, dict(zip(ids, questions, strict=True)), progress=progress
            )
        else:
            summary = project.import_answers(table, progress=progress)
        found = table.personal_data
        if found is not None and len(found) <= FOUND_AT_MOST:
            from qualcode.store.db import data_version

            _FOUND[project] = (list(summary.questions), found, data_version(project.db))
        return summary


def import_file(
    kind: str,
    paths: list[str],
    options: dict[str, Any],
    open_project: Callable[[], AbstractContextManager[Project]],
    *,
    coder: str | None = None,
    progress: Progress | None = None,
    check: Callable[[], None] = _no_check,
) -> ImportSummary:
    """Read the file(s), then open the project with ``open_project()`` and import into it;
    the summary. ``check()`` is also called between reading and opening."""
    job = FileImport(kind, paths, options, coder=coder)
    job.read()
    check()
    with open_project() as project:
        return job.run(project, progress=progress, check=check)


def personal_data(project: Project, questions: list[str]) -> list:
    """The possible personal data (CPR numbers, phone numbers, e-mail addresses) in the
    questions an import brought texts into (``summary.questions``); [] when none."""
    if not questions:
        return []
    from qualcode.core.pii import scan

    known = _FOUND.pop(project, None)
    if known is not None:
        from qualcode.store.db import data_version

        asked, found, state = known
        if asked == list(questions) and state == data_version(project.db):
            # the answers were looked at as they were written: read back only those
            # holding personal data (the same hits, in the same order, as a whole scan)
            return scan(project, questions=questions, items=found)
    return scan(project, questions=questions)
