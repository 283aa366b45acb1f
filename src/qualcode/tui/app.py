"""The qualcode workbench: one screen per task over one project file.

    F2 Kodning   code answers and interview excerpts
    F3 Citater   review quotes by theme, star and export them
    F4 Optælling the report's table for a question, with a bar chart and exports
    F5 Kodebog   add, rename, recolour, nest, merge and delete codes
    F6 Uenighed  settle the items where coders differ into a consensus coding
    F7 Krydstabel the question's themes by a respondent attribute, with tests
    F8 Persondata CPR numbers, phone numbers and e-mails in the texts, and redaction
    F9 Rammematrix jobcentres × themes: each cell's coded passages and the analyst's summary

Screens call the core (:class:`qualcode.core.project.Project`); widgets only post
messages. Every change is committed to SQLite before the screen reports it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qualcode.core.project import Project
from qualcode.errors import QualcodeError, WriterBusy
from qualcode.tui.commands import BindingCommands
from qualcode.tui.messages import WorkerFailed, WrittenLate
from qualcode.tui.shown import HideControls, reason, shown

SCREENS = (
    "coding",
    "quotes",
    "counts",
    "codebook",
    "disagreements",
    "crosstab",
    "pii",
    "framework",
)


class QualcodeApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS = [
        Binding(
            "f2",
            "show('coding')",
            "Kodning",
            id="coding",
            tooltip="Code answers and interview excerpts",
        ),
        Binding(
            "f3",
            "show('quotes')",
            "Citater",
            id="quotes",
            tooltip="Review, star and export quotes by theme",
        ),
        Binding(
            "f4",
            "show('counts')",
            "Optælling",
            id="counts",
            tooltip="The report's table for the question, with chart and export",
        ),
        Binding(
            "f5",
            "show('codebook')",
            "Kodebog",
            id="codebook",
            tooltip="Edit the question's codebook",
        ),
        Binding(
            "f6",
            "show('disagreements')",
            "Uenighed",
            id="disagreements",
            tooltip="Settle the items where coders differ into an agreed coding",
        ),
        Binding(
            "f7",
            "show('crosstab')",
            "Krydstabel",
            id="crosstab",
            tooltip="The question's themes by a respondent attribute, with tests",
        ),
        Binding(
            "f8",
            "show('pii')",
            "Persondata",
            id="pii",
            tooltip="Find CPR numbers, phone numbers and e-mails, and redact them",
        ),
        Binding(
            "f9",
            "show('framework')",
            "Rammematrix",
            id="framework",
            tooltip="Jobcentres by themes: the coded passages and your summary of each cell",
        ),
        Binding(
            "v",
            "switch_question",
            "Spørgsmål",
            id="question",
            tooltip="Switch to another question in the project",
        ),
        Binding(
            "i",
            "import_file",
            "Importér",
            id="import",
            tooltip="Import answers, interviews or codings from a file",
        ),
        Binding(
            "k",
            "switch_coder",
            "Koder",
            id="coder",
            tooltip="Code as another coder (your name goes on every new coding)",
        ),
        Binding(
            "ctrl+t",
            "toggle_dark",
            "Lys/mørk",
            id="theme",
            tooltip="Switch between light and dark theme",
        ),
        Binding("question_mark", "help", "Hjælp", id="help", tooltip="Show every key"),
        Binding("q", "quit", "Afslut", id="quit", tooltip="Quit (everything is saved)"),
    ]

    # how long a key press waits for another program's write before its change goes to
    # the queue of waiting writes (so the screen never freezes for longer)
    WRITE_PATIENCE = 1.0

    def __init__(self, project: Project, question: str | None = None) -> None:
        super().__init__()
        self._filters.append(HideControls())  # no control character reaches the terminal
        self.project = project
        project.write_patience = self.WRITE_PATIENCE
        # changes that found the project locked by another program, in the order pressed
        self.waiting_writes: deque[tuple[Callable[[Project], str], Screen]] = deque()
        questions = project.questions()
        self.question: str | None = (
            project.question(question).id if question else (questions[0].id if questions else None)
        )
        self.sub_title = self._own_sub_title()

    def _own_sub_title(self) -> str:
        return f"{self.coder_label()} · {Path(self.project.path).name}"

    def coder_label(self) -> str:
        return f"koder: {self.project.coder}"

    # -- text from data: never markup, control characters visible ------------------------
    def format_title(self, title: str, sub_title: str) -> Content:
        """The header: file, coder, question and codebook names come from data. Every
        screen's header starts with who is coding (then the screen's own sub-title)."""
        if sub_title and sub_title != self.sub_title:  # first, where it is never cut off
            sub_title = f"{self.coder_label()} · {sub_title}"
        return super().format_title(shown(title), shown(sub_title))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity="information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages quote answers, labels, file names
        and error messages, whose brackets are no markup and whose controls must show."""
        super().notify(
            shown(message), title=shown(title), severity=severity, timeout=timeout, markup=False
        )

    # -- screens ------------------------------------------------------------------
    def on_mount(self) -> None:
        for mode in SCREENS:
            self.add_mode(mode, _screen_factory(mode))
        self.switch_mode("coding")
        for notice in self.project.notices:  # e.g. upgraded, and where the old file is kept
            self.notify(notice, timeout=10)

    # -- writes that must wait for another program ------------------------------------------
    def write(
        self, screen: Screen, do: Callable[[Project], str], done: Callable[[str], None]
    ) -> None:
        """Run the change ``do(project)`` (it returns what to say) and then ``done``. When
        another program holds the write lock for more than a second, the change waits in
        a thread, in order with every later change, and the screen stays usable; when it
        is written, the screen reloads and says so."""
        if self.waiting_writes:  # keep the order of what was pressed
            self._wait_to_write(do, screen)
            return
        try:
            message = do(self.project)
        except WriterBusy:
            self._wait_to_write(do, screen)
            return
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        done(message)

    def _wait_to_write(self, do: Callable[[Project], str], screen: Screen) -> None:
        first = not self.waiting_writes
        self.waiting_writes.append((do, screen))
        self.notify(
            f"Et andet program skriver i projektet; ændringen venter "
            f"({len(self.waiting_writes)} i kø) og gemmes, så snart det er færdigt.",
            severity="warning",
            timeout=4,
        )
        if first:
            self._write_waiting(self.project.coder)

    @work(
        thread=True,
        exclusive=True,
        group="waiting-writes",
        exit_on_error=False,
        description="Ændringen kunne ikke gemmes",
    )
    def _write_waiting(self, coder: str) -> None:
        with self.worker_project(coder=coder) as project:  # the screen reads on meanwhile
            while self.waiting_writes:
                do, screen = self.waiting_writes[0]
                try:
                    message, failed = do(project), False
                except QualcodeError as exc:
                    message, failed = str(exc), True
                self.waiting_writes.popleft()
                self.post_message(WrittenLate(screen, message, failed))

    @on(WrittenLate)
    def _written_late(self, event: WrittenLate) -> None:
        self.notify(event.text, severity="error" if event.failed else "information", timeout=3)
        reload = getattr(event.screen, "reload", None)
        if reload is not None and event.screen.is_attached:
            reload()

    # -- background work -------------------------------------------------------------
    def worker_project(self, *, coder: str | None = None, readonly: bool = False) -> Project:
        """The project on a connection of its own, for a thread worker to open in its
        thread: the UI thread's connection (:attr:`project`) stays the UI's, and what a
        worker holds open never makes a key press wait. Every worker gets its project
        here, so how they connect is decided in this one place.

        Use it as a context manager (``with self.app.worker_project(readonly=True) as
        project:``), or close it when done (the coding screen's suggester keeps its own
        while the question is shown). ``coder``: whose name goes on what it writes (the
        app's coder by default); ``readonly``: a worker that only reads gets a connection
        that cannot write, not even a schema upgrade."""
        return Project.open(self.project.path, coder=coder or self.project.coder, readonly=readonly)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed background task is reported. Workers report what they
        expect to go wrong (a file that exists, too few codings to train on) in their
        result message; anything else they raise ends here (screens pass their workers'
        state on, see :class:`~qualcode.tui.screens.base.WorkerScreen`): one line in an
        error notification, the worker's ``description`` saying what failed, and a
        :class:`WorkerFailed` to the screen that started it, which puts its progress bar
        and busy state back so the next try starts afresh."""
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        if error is None:  # pragma: no cover - Textual sets it with the state
            return
        self.notify(f"{worker.description}: {reason(error)}", severity="error")
        worker.node.post_message(WorkerFailed(worker, error))

    @on(WorkerFailed)
    def _write_failed(self, event: WorkerFailed) -> None:
        """The queue of waiting writes failed: what still waits is dropped, and said so
        (the screens never showed it), rather than waiting for a worker that is gone."""
        if event.worker.group != "waiting-writes":
            return
        dropped = len(self.waiting_writes)
        self.waiting_writes.clear()
        if dropped:
            self.notify(
                f"{dropped} ændring{'er' if dropped != 1 else ''}, der ventede, blev ikke "
                "gemt; tryk dem igen.",
                severity="warning",
                timeout=8,
            )

    def action_show(self, mode: str) -> None:
        if mode in SCREENS and self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from qualcode.tui.screens.help import HelpScreen, screen_bindings

        self.push_screen(HelpScreen(screen_bindings(self.screen), self.screen.title or self.title))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_switch_question(self) -> None:
        from qualcode.tui.widgets.dialogs import PickDialog

        questions = self.project.questions()
        if not questions:
            self.notify(
                "Projektet har ingen spørgsmål endnu: importér svar (i).", severity="warning"
            )
            return
        choices = [(q.id, f"{q.id} – {q.text[:70]}") for q in questions]

        def chosen(qid: str | None) -> None:
            if qid and qid != self.question:
                self.set_question(qid)

        self.push_screen(PickDialog("Vælg spørgsmål", choices), chosen)

    def action_switch_coder(self) -> None:
        from qualcode.tui.widgets.dialogs import InputDialog

        def chosen(name: str | None) -> None:
            name = (name or "").strip()
            if name and name != self.project.coder:
                self.set_coder(name)

        known = ", ".join(self.project.coders()) or "ingen endnu"
        self.push_screen(
            InputDialog(f"Kod som (kendte kodere: {known})", self.project.coder), chosen
        )

    def set_coder(self, name: str) -> None:
        """Code as ``name`` from now on, and remember it for this user and project, so
        the workbench opens as ``name`` next time too (until k chooses another)."""
        from qualcode.paths import os_user

        self.project.coder = name
        self.sub_title = self._own_sub_title()  # every screen's header shows the coder

        def remember(project: Project) -> str:
            project.remember_coder(os_user(), name)
            return f"Du koder nu som {name}"

        def done(message: str) -> None:
            self.notify(message, timeout=2)

        self.write(self.screen, remember, done)
        refresh = getattr(self.screen, "reload", None)
        if refresh is not None:
            refresh()

    # -- the coder basis of every number: one coder, the consensus, or all together ------
    def basis_choices(self, qid: str | None) -> list[tuple[str, str]]:
        """What the numbers can be counted on: every coder together, or one of the
        question's coders (the consensus among them, when there is one)."""
        project = self.project
        coders = project.coders(qid) if qid else project.coders()
        choices = [(project.ALL_CODERS, f"alle kodere sammen ({', '.join(coders) or 'ingen'})")]
        choices += [(c, c) for c in coders]
        return choices

    def choose_basis(self, then: Callable[[], None] | None = None) -> None:
        """Pick the coder basis from a list; it is stored in the project as the default of
        every count, chart, crosstab and report (the CLI's too), then ``then`` redraws."""
        from qualcode.tui.widgets.dialogs import PickDialog

        current = self.project.basis() or self.project.ALL_CODERS
        choices = [
            (value, f"{label}  ← nu" if value == current else label)
            for value, label in self.basis_choices(self.question)
        ]

        def chosen(value: str | None) -> None:
            if value is None or value == current:
                return

            def store(project: Project) -> str:
                project.set_basis(value)
                return project.basis_label(project.basis())

            def done(message: str) -> None:
                self.notify(f"Tallene tælles nu på grundlaget: {message}", timeout=3)
                if then is not None:
                    then()

            self.write(self.screen, store, done)

        self.push_screen(PickDialog("Tallene tælles på (Kodet af)", choices, id="basis"), chosen)

    def basis_warning(self, qid: str | None) -> str:
        """A warning when the numbers join every coder and the question has more than one
        ('' otherwise): the same rule as the CLI's warning line."""
        if qid is None or self.project.basis() is not None:
            return ""
        coders = self.project.coders(qid)
        if len(coders) < 2:
            return ""
        return (
            f"Advarsel: tallene lægger {len(coders)} koderes kodninger sammen "
            f"({', '.join(coders)}); vælg ét grundlag med K."
        )

    def set_question(self, qid: str) -> None:
        self.question = self.project.question(qid).id
        refresh = getattr(self.screen, "reload", None)
        if refresh is not None:
            refresh()

    def action_import_file(self) -> None:
        from qualcode.tui.screens.import_screen import ImportScreen

        def done(result: str | None) -> None:
            if not result:
                return
            if self.question is None and self.project.questions():
                self.question = self.project.questions()[0].id
            refresh = getattr(self.screen, "reload", None)
            if refresh is not None:
                refresh()

        self.push_screen(ImportScreen(self.project.path), done)

    def on_unmount(self) -> None:
        self.project.close()


def _screen_factory(mode: str):
    """Screens are imported when first shown, so start-up only loads the coding screen."""

    def make():
        if mode == "coding":
            from qualcode.tui.screens.coding import CodingScreen

            return CodingScreen()
        if mode == "quotes":
            from qualcode.tui.screens.quotes import QuotesScreen

            return QuotesScreen()
        if mode == "counts":
            from qualcode.tui.screens.counts import CountsScreen

            return CountsScreen()
        if mode == "codebook":
            from qualcode.tui.screens.codebook import CodebookScreen

            return CodebookScreen()
        if mode == "crosstab":
            from qualcode.tui.screens.crosstab import CrosstabScreen

            return CrosstabScreen()
        if mode == "pii":
            from qualcode.tui.screens.pii import PiiScreen

            return PiiScreen()
        if mode == "framework":
            from qualcode.tui.screens.framework import FrameworkScreen

            return FrameworkScreen()
        from qualcode.tui.screens.disagreements import DisagreementScreen

        return DisagreementScreen()

    return make


def make_app(
    db: str | Path, question: str | None = None, *, coder: str | None = None
) -> QualcodeApp:
    """The one app factory: the CLI, the tests and the snapshot apps use it. Without
    ``coder``, the workbench opens as the coder this user last chose with k in this project
    (else $QUALCODE_CODER, else the user name)."""
    from qualcode.paths import os_user

    project = Project.open(db, coder=coder)
    if coder is None:
        try:
            remembered = project.remembered_coder(os_user())
        except BaseException:
            project.close()
            raise
        if remembered:
            project.coder = remembered
    return QualcodeApp(project, question)
