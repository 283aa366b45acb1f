"""The import screen (key ``i``): a file, the kind of import, and the CLI's options.

The analyst picks a file in the folder tree (or types its path), chooses what it holds
(Svar, Interview, Kodninger, Register, REFI-QDA) and the options ``qualcode import`` takes; for a
CSV/XLSX file the column pickers offer the file's own header. The import runs in a
thread worker on its OWN connection to the project file (SQLite objects stay in their
thread), through the CLI's own import flow (:mod:`qualcode.io.importing`). Its progress
callback updates the bar and raises :class:`Cancelled` once the worker is cancelled, so
the core rolls the whole import back: a cancelled or failed import leaves the project
exactly as it was.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    DirectoryTree,
    Input,
    Label,
    ProgressBar,
    Select,
)
from textual.worker import Worker, get_current_worker

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer as _dk  # 12.345 (12,345 in English)
from qualcode.io.importing import (
    BRINGS_TEXTS,
    INTERVIEW_CODEBOOK,
    INTERVIEW_QUESTION,
    import_file,
    personal_data,
)
from qualcode.tui.messages import WorkerFailed
from qualcode.tui.screens.base import WorkerScreen
from qualcode.tui.shown import flat, plain
from qualcode.tui.widgets.footer import Footer

_, _n = translator("tui")

KINDS = [
    (_("Svar"), "answers"),
    (_("Interview"), "interviews"),
    (_("Kodninger"), "codings"),
    (_("Register"), "register"),
    (_("REFI-QDA (.qdc/.qdpx)"), "refiqda"),
]
TABULAR = ("answers", "codings", "register")
TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}
TRANSCRIPT_SUFFIXES = {".md", ".markdown", ".txt", ".docx"}
NOT_TABLES = {".md", ".markdown", ".docx"}  # a .txt file may be a CSV export
REFI_SUFFIXES = {".qdc", ".qdpx", ".qde"}  # REFI-QDA codebooks and projects (NVivo, ATLAS.ti)
DEFAULT_INTERVIEW_QUESTION = INTERVIEW_QUESTION
DEFAULT_INTERVIEW_CODEBOOK = INTERVIEW_CODEBOOK
SPLITS = [(_("Én pr. taletur"), "turn"), (_("Én pr. afsnit"), "paragraph")]


class Cancelled(Exception):
    """Raised from the progress callback after a cancel: the core rolls the import back."""


@dataclass
class ImportRequest:
    """Everything the worker needs, read from the form in the UI thread."""

    kind: str  # answers | interviews | codings | register | refiqda (io.importing.KINDS)
    paths: list[str]
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        n = len(self.paths)
        return self.paths[0] if n == 1 else _n("{n} fil", "{n} filer", n).format(n=n)


def run_import(
    request: ImportRequest,
    project_path: str | Path,
    *,
    coder: str | None,
    progress: Callable[[int, int], None],
    check: Callable[[], None],
):
    """Import the file(s) through the CLI's import flow (:mod:`qualcode.io.importing`);
    returns the ImportSummary.

    Runs in the worker thread and opens its own connection. ``check()`` raises
    :class:`Cancelled` when the analyst has cancelled; ``progress`` may raise it too.
    """
    from qualcode.core.project import Project

    return import_file(
        request.kind,
        request.paths,
        request.options,
        lambda: Project.open(project_path, coder=coder),
        coder=coder,
        progress=progress,
        check=check,
    )


WITH_TEXTS = BRINGS_TEXTS  # imports that bring answers or turns


def pii_warning(project_path: str | Path, questions: list[str]) -> str:
    """After an import, as the CLI warns (``warn_pii``): one line naming the personal data
    the questions hold, or '' when they hold none. Runs in the import's worker thread, on
    a connection of its own."""
    if not questions:
        return ""
    from qualcode.core.project import Project
    from qualcode.tui.screens.pii import describe

    try:
        with Project.open(project_path) as project:
            hits = personal_data(project, questions)
    except (QualcodeError, sqlite3.Error) as exc:
        return _("Importen er gemt, men persondata kunne ikke søges: {error}").format(error=exc)
    if not hits:
        return ""
    return _(
        "Advarsel: {questions} indeholder {found}. Se og skjul dem under F8 Persondata."
    ).format(questions=", ".join(questions), found=describe(hits))


def _guess(headers: list[str], exact: tuple[str, ...], contains: tuple[str, ...]) -> str | None:
    folded = {h.casefold(): h for h in headers}
    for name in exact:
        if name in folded:
            return folded[name]
    for h in headers:
        if any(part in h.casefold() for part in contains):
            return h
    return None


class _FileTree(DirectoryTree):
    """The folder tree, without hidden files; names with control characters show them
    as symbols."""

    def filter_paths(self, paths):
        return [p for p in paths if not p.name.startswith(".")]

    def process_label(self, label):
        return super().process_label(flat(label) if isinstance(label, str) else label)


def _row(label: str, widget: Widget, kinds: str, row_id: str) -> Horizontal:
    classes = "import-row " + " ".join(f"for-{k}" for k in kinds.split())
    return Horizontal(Label(label, classes="import-label"), widget, classes=classes, id=row_id)


class ImportScreen(WorkerScreen, ModalScreen[str | None]):
    """Import answers, interview transcripts, codings or a register into the project.

    Dismisses with the import's one-line summary when something was imported, else None.
    """

    TITLE = _("Import")
    BINDINGS = [
        Binding(
            "ctrl+r",
            "run",
            _("Importér"),
            id="import-run",
            tooltip=_("Run the import with these options (all or nothing)"),
        ),
        Binding(
            "escape",
            "cancel",
            _("Afbryd/luk"),
            id="import-cancel",
            tooltip=_("Cancel a running import (nothing is written), or close"),
        ),
        Binding(
            "ctrl+o",
            "focus_tree",
            _("Filer"),
            id="import-files",
            tooltip=_("Pick the file in the folder tree"),
        ),
        Binding(
            "ctrl+l,i",
            "focus_path",
            _("Filsti"),
            key_display="ctrl+l",
            id="import-path",
            tooltip=_("Type the path of the file (or of a folder of transcripts)"),
        ),
    ]

    @dataclass
    class HeaderRead(Message):
        """Posted by the header worker: the columns of a CSV/XLSX file, or why not."""

        path: str
        headers: list[str]
        rows: int
        error: str

    @dataclass
    class Finished(Message):
        """Posted by the import worker when its thread is done (ok, unchanged, error,
        cancelled); only then is the project file known to be final."""

        outcome: str
        text: str
        warning: str = ""  # personal data in the imported questions, as the CLI warns

    def __init__(
        self,
        project_path: str | Path,
        *,
        start_dir: str | Path | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.project_path = Path(project_path)
        self.start_dir = Path(start_dir) if start_dir else Path.cwd()
        self.state = "idle"  # idle | running | cancelling
        self.import_worker: Worker | None = None
        self.header_worker: Worker | None = None
        self.import_done = asyncio.Event()  # set when a run has finished (tests wait on it)
        self.header_done = asyncio.Event()  # set when the chosen file's header is known
        self._questions: dict[str, str] = {}  # question id -> codebook stem
        self._stems: list[str] = []
        self._project_stems: set[str] = set()
        self._coder: str | None = None
        self._header_path: str | None = None  # the file whose header the selects offer
        self._reading: str | None = None  # the file whose header is being read
        self._pending: str | None = None  # a result to dismiss with once shown again
        self._focus_before: Widget | None = None
        self._headers: list[str] = []

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog"):
            yield Label(_("Importér til projektet"), id="import-title")
            with Horizontal(id="import-body"):
                yield _FileTree(self.start_dir, id="import-tree")
                with VerticalScroll(id="import-form"):
                    yield from self._form()
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Label(_("Vælg en fil til venstre, eller skriv stien."), id="import-status")
            yield Label("", id="import-error", classes="error")
            with Horizontal(id="import-buttons"):
                yield Button(
                    _("Importér (ctrl+r)"), variant="primary", id="import-run", compact=True
                )
                yield Button(_("Luk (esc)"), id="import-cancel", compact=True)
        yield Footer()

    def _form(self) -> list[Widget]:
        all_kinds = "answers interviews codings register refiqda"
        tab = "answers codings register"
        cols = "answers register"
        return [
            _row(
                _("Type"),
                Select(KINDS, allow_blank=False, value="answers", compact=True, id="import-kind"),
                all_kinds,
                "import-kind-row",
            ),
            _row(
                _("Fil"),
                Input(
                    placeholder=_("sti til fil (eller mappe med interview)"),
                    compact=True,
                    id="import-path",
                ),
                all_kinds,
                "import-path-row",
            ),
            _row(
                _("Ark (XLSX)"),
                Input(placeholder=_("første ark"), compact=True, id="import-sheet"),
                tab,
                "import-sheet-row",
            ),
            _row(
                _("Respondent-id"),
                Select([], prompt=_("vælg kolonne"), compact=True, id="import-respondent-col"),
                cols,
                "import-respondent-row",
            ),
            _row(
                _("Svartekst"),
                Select([], prompt=_("vælg kolonne"), compact=True, id="import-text-col"),
                "answers",
                "import-text-row",
            ),
            _row(
                _("Spørgsmål"),
                Input(
                    placeholder=_("spørgsmåls-id, fx strategier"),
                    compact=True,
                    id="import-question",
                ),
                "answers",
                "import-question-row",
            ),
            _row(
                _("Bølge"),
                Input(placeholder=_("valgfri: årgang, fx 2017"), compact=True, id="import-wave"),
                "answers",
                "import-wave-row",
            ),
            _row(
                _("Kodebog"),
                Select([], prompt=_("vælg kodebog"), compact=True, id="import-codebook"),
                "answers",
                "import-codebook-row",
            ),
            _row(
                _("Navn"),
                Select([], prompt=_("(ingen)"), compact=True, id="import-name-col"),
                cols,
                "import-name-row",
            ),
            _row(
                _("Attributter"),
                Input(
                    placeholder=_("kolonner, adskilt med komma"),
                    compact=True,
                    id="import-attr-cols",
                ),
                cols,
                "import-attr-row",
            ),
            _row(
                "",
                Checkbox(_("Alle øvrige kolonner"), compact=True, id="import-all-attrs"),
                cols,
                "import-all-attrs-row",
            ),
            _row(
                _("Spørgsmål"),
                Input(DEFAULT_INTERVIEW_QUESTION, compact=True, id="import-i-question"),
                "interviews",
                "import-i-question-row",
            ),
            _row(
                _("Kodebog"),
                Select([], prompt=_("vælg kodebog"), compact=True, id="import-i-codebook"),
                "interviews",
                "import-i-codebook-row",
            ),
            _row(
                _("Opdeling"),
                Select(SPLITS, allow_blank=False, value="turn", compact=True, id="import-split"),
                "interviews",
                "import-split-row",
            ),
            _row(
                _("Interviewer"),
                Input(
                    placeholder=_("flere etiketter, fx Spørger, Moderator"),
                    compact=True,
                    id="import-interviewer",
                ),
                "interviews",
                "import-interviewer-row",
            ),
            _row(_("Koder"), Input(compact=True, id="import-coder"), "codings", "import-coder-row"),
            _row(
                _("Spørgsmål"),
                Input(
                    placeholder=_("fra filnavnet (en qualcode-fil: dens egne)"),
                    compact=True,
                    id="import-r-question",
                ),
                "refiqda",
                "import-r-question-row",
            ),
            _row(
                _("Kodebog"),
                Input(placeholder=_("fra filnavnet"), compact=True, id="import-r-codebook"),
                "refiqda",
                "import-r-codebook-row",
            ),
        ]

    def on_mount(self) -> None:
        self._load_project_lists()
        stems = [
            (_("{codebook} (projekt)").format(codebook=s) if s in self._project_stems else s, s)
            for s in self._stems
        ]
        self.query_one("#import-codebook", Select).set_options(stems)
        i_book = self.query_one("#import-i-codebook", Select)
        i_book.set_options(stems)
        if DEFAULT_INTERVIEW_CODEBOOK in self._stems:
            i_book.value = DEFAULT_INTERVIEW_CODEBOOK
        self._sync_codebook("import-i-question", DEFAULT_INTERVIEW_QUESTION)
        suggest = SuggestFromList(sorted(self._questions), case_sensitive=False)
        self.query_one("#import-question", Input).suggester = suggest
        self.query_one("#import-i-question", Input).suggester = suggest
        self.query_one("#import-coder", Input).value = self._coder or ""
        self.query_one("#import-error", Label).display = False
        self.query_one("#import-progress", ProgressBar).display = False
        self._show_rows("answers")
        self.query_one("#import-tree").focus()

    def _load_project_lists(self) -> None:
        """Questions and codebooks, through the app's Project (the UI thread's one)."""
        from qualcode.core.codebook import list_codebooks

        project = getattr(self.app, "project", None)
        opened = None
        if project is None:
            from qualcode.core.project import Project

            project = opened = Project.open(self.project_path)
        try:
            self._coder = project.coder
            self._questions = {q.id: q.codebook for q in project.questions()}
            self._project_stems = set(project.codebook_stems())
        finally:
            if opened is not None:
                opened.close()
        try:
            bundled = list_codebooks()
        except OSError:
            bundled = []
        self._stems = sorted(set(bundled) | self._project_stems)

    # -- the form -------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return str(self.query_one("#import-kind", Select).value)

    def _show_rows(self, kind: str) -> None:
        for row in self.query(".import-row"):
            row.display = row.has_class(f"for-{kind}")

    # both quote file names, column names and the readers' messages about the file's
    # content: plain text, control characters as symbols
    def _status(self, text: str) -> None:
        self.query_one("#import-status", Label).update(plain(text))

    def _error(self, text: str) -> None:
        label = self.query_one("#import-error", Label)
        label.update(plain(text))
        label.display = bool(text)

    def _path(self) -> Path | None:
        value = self.query_one("#import-path", Input).value.strip()
        return Path(value).expanduser() if value else None

    @on(Select.Changed, "#import-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        kind = str(event.value)
        self._show_rows(kind)
        path = self._path()
        if (
            kind in TABULAR
            and path is not None
            and path.is_file()
            and path.suffix.lower() not in NOT_TABLES
            and str(path) not in (self._header_path, self._reading)
        ):
            self._start_header_read(path)
        elif kind == "interviews" and path is not None and path.is_dir():
            self._describe_folder(path)

    @on(DirectoryTree.FileSelected, "#import-tree")
    def _file_picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._set_path(event.path)

    @on(DirectoryTree.DirectorySelected, "#import-tree")
    def _folder_picked(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        if self.kind == "interviews":
            self._set_path(event.path)

    def _set_path(self, path: Path) -> None:
        try:
            shown = str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            shown = str(path)
        self.query_one("#import-path", Input).value = shown

    @on(Input.Changed, "#import-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._error("")
        self._header_path = self._reading = None
        self.header_done.clear()
        path = self._path()
        if path is None:
            return
        if path.is_dir():
            if self.kind == "interviews":
                self._describe_folder(path)
            return
        if not path.is_file():
            return
        suffix = path.suffix.lower()
        kind_select = self.query_one("#import-kind", Select)
        if suffix in REFI_SUFFIXES:
            if self.kind != "refiqda":
                kind_select.value = "refiqda"
            self._status(
                _(
                    "REFI-QDA-fil: {file} (kodebog eller projekt fra NVivo, ATLAS.ti, MAXQDA …)"
                ).format(file=path.name)
            )
        elif suffix in TRANSCRIPT_SUFFIXES:
            if self.kind != "interviews":
                kind_select.value = "interviews"
            self._status(_("Interviewudskrift: {file}").format(file=path.name))
        elif suffix in TABLE_SUFFIXES:
            if self.kind == "interviews":
                kind_select.value = "answers"
            self._start_header_read(path)

    @on(Input.Submitted, "#import-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        path = self._path()
        if path is not None and path.is_dir():
            self.query_one("#import-tree", DirectoryTree).path = path

    @on(Input.Submitted, "#import-sheet")
    def _sheet_submitted(self, event: Input.Submitted) -> None:
        path = self._path()
        if path is not None and path.is_file() and path.suffix.lower() not in NOT_TABLES:
            self._start_header_read(path)

    @on(Input.Changed, "#import-question")
    def _question_changed(self, event: Input.Changed) -> None:
        self._sync_codebook("import-question", event.value.strip())

    @on(Input.Changed, "#import-i-question")
    def _i_question_changed(self, event: Input.Changed) -> None:
        self._sync_codebook("import-i-question", event.value.strip())

    def _sync_codebook(self, input_id: str, qid: str) -> None:
        """An existing question is bound to its codebook: pick that one."""
        stem = self._questions.get(qid)
        target = "#import-codebook" if input_id == "import-question" else "#import-i-codebook"
        if stem and stem in self._stems:
            self.query_one(target, Select).value = stem

    def _describe_folder(self, path: Path) -> None:
        found = self._transcripts_in(path)
        self._status(
            _n(
                "Mappen {folder}: {n} interviewudskrift (.md, .txt, .docx)",
                "Mappen {folder}: {n} interviewudskrifter (.md, .txt, .docx)",
                len(found),
            ).format(folder=path.name or path, n=len(found))
        )

    @staticmethod
    def _transcripts_in(folder: Path) -> list[Path]:
        return sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and p.suffix.lower() in TRANSCRIPT_SUFFIXES
            and not p.name.startswith(".")
            and p.name.lower() != "readme.md"
        )

    # -- the header of a CSV/XLSX file --------------------------------------------------
    def _start_header_read(self, path: Path) -> None:
        self.header_done.clear()
        self._reading = str(path)
        sheet = self.query_one("#import-sheet", Input).value.strip() or None
        self._status(_("Læser kolonnerne i {file} …").format(file=path.name))
        self.header_worker = self._read_header(str(path), sheet)

    @work(
        thread=True,
        exclusive=True,
        group="import-header",
        exit_on_error=False,
        description=_("Filens kolonner kunne ikke læses"),
    )
    def _read_header(self, path: str, sheet: str | None) -> None:
        from qualcode.io.tabular import read_table

        try:
            table = read_table(path, sheet=sheet)
        except QualcodeError as exc:
            self.post_message(self.HeaderRead(path, [], 0, str(exc)))
        except OSError as exc:
            self.post_message(self.HeaderRead(path, [], 0, f"{path}: {exc.strerror}"))
        else:
            self.post_message(self.HeaderRead(path, table.headers, len(table.rows), ""))

    @on(HeaderRead)
    def _header_read(self, message: HeaderRead) -> None:
        current = self._path()
        if current is None or str(current) != message.path:
            return  # the analyst has chosen another file meanwhile
        self._header_path = message.path
        self._reading = None
        self._headers = message.headers
        if message.error:
            self._error(_("Fejl: {error}").format(error=message.error))
            self._status(_("Filens kolonner kunne ikke læses."))
        else:
            self._offer_columns(message.headers)
            columns = _n("{n} kolonne", "{n} kolonner", len(message.headers)).format(
                n=len(message.headers)
            )
            rows = _n("{n} række", "{n} rækker", message.rows).format(n=_dk(message.rows))
            self._status(f"{Path(message.path).name}: {columns}, {rows}.")
            folded = {h.casefold() for h in message.headers}
            if self.kind == "answers" and {"respondent", "question", "code"} <= folded:
                self.query_one("#import-kind", Select).value = "codings"
        self.header_done.set()

    @on(WorkerFailed)
    def _worker_failed(self, event: WorkerFailed) -> None:
        """Reading a header failed (the app has said why): the form is usable again. (The
        import's own worker always ends with Finished, which resets the form.)"""
        if event.worker.group == "import-header":
            self._reading = None
            self._status(_("Filens kolonner kunne ikke læses."))
            self.header_done.set()

    def _offer_columns(self, headers: list[str]) -> None:
        options = [(flat(h), h) for h in headers]  # the file's own names: never markup
        guesses = {
            "#import-respondent-col": _guess(
                headers, ("respondent", "respondent_id", "jobcenter_id", "jobcenter", "id"), ("id",)
            )
            or headers[0],
            "#import-text-col": _guess(
                headers, ("svar", "tekst", "text", "answer"), ("svar", "tekst")
            ),
            "#import-name-col": _guess(headers, ("navn", "name", "jobcenter_navn"), ("navn",)),
        }
        for selector, guess in guesses.items():
            select = self.query_one(selector, Select)
            before = select.selection
            select.set_options(options)
            keep = before if before in headers else guess
            if keep is not None:
                select.value = keep

    # -- running --------------------------------------------------------------------
    def _request(self) -> ImportRequest:
        """The form as an ImportRequest; a QualcodeError names what is missing."""
        kind = self.kind
        path = self._path()
        if path is None:
            raise QualcodeError(_("Vælg en fil i træet, eller skriv stien til den."))

        def text(selector: str) -> str:
            return self.query_one(selector, Input).value.strip()

        def choice(selector: str) -> str | None:
            value = self.query_one(selector, Select).selection
            return str(value) if value is not None else None

        def listed(selector: str) -> list[str]:
            return [part.strip() for part in text(selector).split(",") if part.strip()]

        if kind == "interviews":
            if path.is_dir():
                files = [str(p) for p in self._transcripts_in(path)]
                if not files:
                    raise QualcodeError(
                        _(
                            "Mappen {folder} har ingen interviewudskrifter (.md, .txt, .docx)."
                        ).format(folder=path)
                    )
            else:
                files = [str(path)]
            question = text("#import-i-question")
            book = choice("#import-i-codebook")
            if not question:
                raise QualcodeError(_("Skriv spørgsmålets id (fx interview)."))
            if not book:
                raise QualcodeError(_("Vælg den kodebog, uddragene skal kodes med."))
            return ImportRequest(
                kind,
                files,
                {
                    "question": question,
                    "codebook": book,
                    "split": choice("#import-split") or "turn",
                    "interviewer": listed("#import-interviewer"),
                },
            )
        if kind == "refiqda":
            if path.is_dir():
                raise QualcodeError(
                    _("{path} er en mappe; vælg en .qdc- eller .qdpx-fil.").format(path=path)
                )
            return ImportRequest(
                kind,
                [str(path)],
                {
                    "question": text("#import-r-question") or None,
                    "codebook": text("#import-r-codebook") or None,
                },
            )
        sheet = text("#import-sheet") or None
        if kind == "codings":
            return ImportRequest(
                kind, [str(path)], {"coder": text("#import-coder") or None, "sheet": sheet}
            )
        respondent = choice("#import-respondent-col")
        if not respondent:
            raise QualcodeError(_("Vælg kolonnen med respondentens id (jobcentret)."))
        options: dict[str, Any] = {
            "respondent_col": respondent,
            "name_col": choice("#import-name-col"),
            "attr_cols": listed("#import-attr-cols"),
            "all_attrs": self.query_one("#import-all-attrs", Checkbox).value,
            "sheet": sheet,
        }
        if kind == "answers":
            text_col = choice("#import-text-col")
            question = text("#import-question")
            book = choice("#import-codebook")
            if not text_col:
                raise QualcodeError(_("Vælg kolonnen med svarteksten."))
            if not question:
                raise QualcodeError(_("Skriv spørgsmålets id (fx strategier)."))
            if not book:
                raise QualcodeError(_("Vælg den kodebog, svarene skal kodes med."))
            options["text_cols"] = [text_col]
            options["questions"] = [question]
            options["codebooks"] = [book]
            options["wave"] = text("#import-wave") or None
        return ImportRequest(kind, [str(path)], options)

    @on(Button.Pressed, "#import-run")
    def action_run(self) -> None:
        if self.state != "idle":
            self.notify(_("En import kører allerede."), severity="warning", timeout=2)
            return
        try:
            request = self._request()
        except QualcodeError as exc:
            self._error(str(exc))
            return
        self._error("")
        self.state = "running"
        self.import_done.clear()
        self._focus_before = self.focused
        self.query_one("#import-body").disabled = True  # the options are fixed while it runs
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#import-run", Button).disabled = True
        self.query_one("#import-cancel", Button).label = _("Afbryd (esc)")
        self._status(_("Importerer {file} …").format(file=request.label))
        self.import_worker = self._run_import(request)

    @work(
        thread=True,
        exclusive=True,
        group="import",
        exit_on_error=False,
        description=_("Importen mislykkedes"),
    )
    def _run_import(self, request: ImportRequest) -> None:
        worker = get_current_worker()

        def check() -> None:
            if worker.is_cancelled:
                raise Cancelled

        def progress(done: int, total: int) -> None:
            check()
            try:
                self.app.call_from_thread(self._show_progress, done, total)
            except RuntimeError:  # the app is no longer running
                raise Cancelled from None
            check()

        outcome, text, warning = "error", "", ""
        try:
            check()
            summary = run_import(
                request, self.project_path, coder=self._coder, progress=progress, check=check
            )
            outcome, text = ("ok" if summary.changed else "unchanged"), summary.describe()
            if request.kind in WITH_TEXTS:  # committed: no more cancelling from here
                warning = pii_warning(self.project_path, summary.questions)
        except Cancelled:
            outcome = "cancelled"
        except QualcodeError as exc:
            text = str(exc)
        except sqlite3.Error as exc:
            text = _("projektfilen kunne ikke bruges ({error})").format(error=exc)
        except OSError as exc:
            text = f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)
        except Exception as exc:  # a bug: still roll back, say so, keep the app running
            text = _("uventet fejl ({error}); intet blev importeret").format(
                error=f"{type(exc).__name__}: {exc}"
            )
        finally:
            self.post_message(self.Finished(outcome, text, warning))

    def _show_progress(self, done: int, total: int) -> None:
        """In the UI thread (via call_from_thread): move the bar."""
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=done)
        if self.state == "running":
            self._status(
                _("Importerer … {done} af {total}").format(done=_dk(done), total=_dk(total))
            )

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        was = self.state
        self.state = "idle"
        self.import_worker = None
        self.query_one("#import-run", Button).disabled = False
        self.query_one("#import-cancel", Button).label = _("Luk (esc)")
        self.query_one("#import-body").disabled = False
        if self._focus_before is not None and self._focus_before.is_attached:
            self._focus_before.focus()
        bar = self.query_one("#import-progress", ProgressBar)
        self.import_done.set()
        if message.warning:  # stays on screen after the dialog closes
            self.notify(message.warning, title=_("Persondata"), severity="warning", timeout=12)
        if message.outcome == "ok":
            if was == "cancelling":
                self.notify(
                    _("Importen var allerede gemt, før den kunne afbrydes."), severity="warning"
                )
            self._status(message.text)
            self.notify(message.text, title=_("Import færdig"), timeout=6)
            if self.app.screen is self:
                self.dismiss(message.text)
            else:  # the command palette is on top: dismiss on return
                self._pending = message.text
            return
        bar.display = False
        if message.outcome == "unchanged":
            self._status(
                _("Intet nyt: alt i filen er allerede i projektet ({summary}).").format(
                    summary=message.text
                )
            )
        elif message.outcome == "cancelled":
            self._status(_("Importen blev afbrudt; projektet er uændret."))
        else:
            self._error(_("Fejl: {error}").format(error=message.text))
            self._status(_("Intet blev importeret; ret valgene og prøv igen."))

    def on_screen_resume(self) -> None:
        if self._pending is not None:
            result, self._pending = self._pending, None
            self.dismiss(result)

    @on(Button.Pressed, "#import-cancel")
    def action_cancel(self) -> None:
        if self.state == "running" and self.import_worker is not None:
            self.state = "cancelling"
            self.import_worker.cancel()
            self._status(_("Afbryder … intet bliver skrevet."))
        elif self.state == "cancelling":
            self.notify(_("Afbryder allerede importen …"), timeout=2)
        else:
            self.dismiss(None)

    def action_focus_tree(self) -> None:
        self.query_one("#import-tree").focus()

    def action_focus_path(self) -> None:
        self.query_one("#import-path", Input).focus()
