"""The qualcode workbench: one screen per task over one project file.

    F2 Kodning   code answers and interview excerpts
    F3 Citater   review quotes by theme, star and export them
    F4 Optælling the report's table for a question, with a bar chart and exports
    F5 Kodebog   add, rename, recolour, nest, merge and delete codes
    F6 Uenighed  settle the items where coders differ into a consensus coding
    F7 Krydstabel the question's themes by a respondent attribute, with tests
    F8 Persondata CPR numbers, phone numbers and e-mails in the texts, and redaction
    F9 Rammematrix jobcentres × themes: each cell's coded passages and the analyst's summary
    M  Memoer    every memo of the project, searched as you type; Enter jumps to its text

Screens call the core (:class:`qualcode.core.project.Project`); widgets only post
messages. Every change is committed to SQLite before the screen reports it.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qualcode import i18n
from qualcode.core.project import Project
from qualcode.errors import QualcodeError, WriterBusy
from qualcode.i18n import translator
from qualcode.tui.commands import BindingCommands, Palette
from qualcode.tui.messages import WorkerFailed, WrittenLate
from qualcode.tui.shown import HideControls, reason, shown

_, _n = translator("tui")

SCREENS = (
    "coding",
    "quotes",
    "counts",
    "codebook",
    "disagreements",
    "crosstab",
    "pii",
    "framework",
    "memos",
)


class QualcodeApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    COMMANDS = {BindingCommands}  # Textual's system commands too, in the palette's order
    BINDINGS = [
        Binding(
            "f2",
            "show('coding')",
            _("Kodning"),
            id="coding",
            tooltip=_("Code answers and interview excerpts"),
        ),
        Binding(
            "f3",
            "show('quotes')",
            _("Citater"),
            id="quotes",
            tooltip=_("Review, star and export quotes by theme"),
        ),
        Binding(
            "f4",
            "show('counts')",
            _("Optælling"),
            id="counts",
            tooltip=_("The report's table for the question, with chart and export"),
        ),
        Binding(
            "f5",
            "show('codebook')",
            _("Kodebog"),
            id="codebook",
            tooltip=_("Edit the question's codebook"),
        ),
        Binding(
            "f6",
            "show('disagreements')",
            _("Uenighed"),
            id="disagreements",
            tooltip=_("Settle the items where coders differ into an agreed coding"),
        ),
        Binding(
            "f7",
            "show('crosstab')",
            _("Krydstabel"),
            id="crosstab",
            tooltip=_("The question's themes by a respondent attribute, with tests"),
        ),
        Binding(
            "f8",
            "show('pii')",
            _("Persondata"),
            id="pii",
            tooltip=_("Find CPR numbers, phone numbers and e-mails, and redact them"),
        ),
        Binding(
            "f9",
            "show('framework')",
            _("Rammematrix"),
            id="framework",
            tooltip=_("Jobcentres by themes: the coded passages and your summary of each cell"),
        ),
        Binding(
            "M",
            "show('memos')",
            _("Memoer"),
            id="memos",
            show=False,
            tooltip=_("Every memo of the project: search, read, edit, and jump to its text"),
        ),
        Binding(
            "v",
            "switch_question",
            _("Spørgsmål"),
            id="question",
            tooltip=_("Switch to another question in the project"),
        ),
        Binding(
            "i",
            "import_file",
            _("Importér"),
            id="import",
            tooltip=_("Import answers, interviews or codings from a file"),
        ),
        Binding(
            "k",
            "switch_coder",
            _("Koder"),
            id="coder",
            tooltip=_("Code as another coder (your name goes on every new coding)"),
        ),
        Binding(
            "ctrl+t",
            "toggle_dark",
            _("Lys/mørk"),
            id="theme",
            tooltip=_("Switch between light and dark theme"),
        ),
        Binding(
            "L",
            "choose_language",
            _("Sprog"),
            id="language",
            show=False,
            tooltip=_("Choose the workbench's language: dansk or English (from the next start)"),
        ),
        Binding("question_mark", "help", _("Hjælp"), id="help", tooltip=_("Show every key")),
        Binding("q", "quit", _("Afslut"), id="quit", tooltip=_("Quit (everything is saved)")),
        # Textual's own two app keys, described in the workbench's language (ctrl+q as
        # Textual's: no id, so that the help and the palette name q)
        Binding("ctrl+q", "quit", _("Afslut"), show=False, priority=True),
        Binding(
            "ctrl+p",
            "command_palette",
            # TRANSLATORS: the footer's label of ctrl+p, which opens the command palette
            _("palet"),
            id="palette",
            show=False,
            priority=True,
            tooltip=_("Search every command of every screen"),
        ),
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
        self.started = False  # the first frame is on the terminal (see on_ready)

    def _own_sub_title(self) -> str:
        return f"{self.coder_label()} · {Path(self.project.path).name}"

    def coder_label(self) -> str:
        return _("koder: {coder}").format(coder=self.project.coder)

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
        self._restore_theme()
        for mode in SCREENS:
            self.add_mode(mode, _screen_factory(mode))
        self.switch_mode("coding")
        for notice in self.project.notices:  # e.g. upgraded, and where the old file is kept
            self.notify(notice, timeout=10)

    def on_ready(self) -> None:
        """The first frame is drawn (Textual's Ready): what the first screen left for
        after it (the coding screen: the rest of its queue and the counts) runs once that
        frame is on the terminal."""
        self.started = True
        self._after_first_frame()

    def _after_first_frame(self) -> None:
        # Textual draws while the app mounts but writes no frame to the terminal until
        # its batch of updates ends (App._batch_count): wait for that, then for a frame
        # written. Headless (the tests) nothing is written: at once, as before.
        after = getattr(self.screen, "after_first_frame", None)
        if after is None:
            return
        if self.is_headless:
            after()
        elif getattr(self, "_batch_count", 0):
            self.set_timer(0.005, self._after_first_frame)
        else:
            self.call_after_refresh(after)

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
            _(
                "Et andet program skriver i projektet; ændringen venter ({n} i kø) og "
                "gemmes, så snart det er færdigt."
            ).format(n=len(self.waiting_writes)),
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
        description=_("Ændringen kunne ikke gemmes"),
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
                _n(
                    "{n} ændring, der ventede, blev ikke gemt; tryk den igen.",
                    "{n} ændringer, der ventede, blev ikke gemt; tryk dem igen.",
                    dropped,
                ).format(n=dropped),
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
        """Light or dark, remembered for the user (their settings file, not the project)."""
        from qualcode.io.user_settings import Unreadable, save

        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"
        try:
            save({"theme": self.theme})
        except (Unreadable, OSError) as exc:
            self.notify(
                _("Temaet huskes ikke: {error}").format(error=exc), severity="warning", timeout=6
            )

    def _restore_theme(self) -> None:
        from qualcode.io.user_settings import Unreadable, load

        try:
            theme = load().get("theme")
        except Unreadable as exc:
            self.notify(
                _("Indstillingsfilen kunne ikke læses: {error}").format(error=exc),
                severity="warning",
            )
            return
        if theme in self.available_themes:
            self.theme = theme

    # -- the language -------------------------------------------------------------------
    def action_choose_language(self) -> None:
        """Danish or English, remembered for the user (``language`` in their settings
        file, read by :mod:`qualcode.i18n` as qualcode starts). The workbench's keys were
        read in the language it started in, so the choice applies from the next start;
        ``QUALCODE_LANG`` still wins over it."""
        from qualcode.tui.widgets.dialogs import PickDialog

        current = i18n.language()
        choices = [
            (lang, _("{choice}  ← nu").format(choice=name) if lang == current else name)
            for lang, name in i18n.NAMES.items()  # each language by its own name
        ]

        def chosen(lang: str | None) -> None:
            if lang is not None:
                self.set_language(lang)

        self.push_screen(PickDialog(_("Sprog"), choices, id="language"), chosen)

    def set_language(self, lang: str) -> None:
        """Remember ``lang`` ('da' or 'en') for the next start, and say so."""
        from qualcode.io.user_settings import Unreadable, save

        try:
            save({"language": lang})
        except (Unreadable, OSError) as exc:
            self.notify(
                _("Sproget huskes ikke: {error}").format(error=exc), severity="warning", timeout=6
            )
            return
        name = i18n.NAMES[lang]
        forced = os.environ.get("QUALCODE_LANG", "").strip()
        if forced and i18n.resolve() != lang:
            self.notify(
                _(
                    "Sproget {language} er husket, men QUALCODE_LANG={value} vælger sproget, "
                    "så længe den er sat."
                ).format(language=name, value=forced),
                severity="warning",
                timeout=8,
            )
        elif lang == i18n.language():
            self.notify(_("Sproget er {language}; det huskes.").format(language=name), timeout=4)
        else:
            self.notify(
                _("Sproget bliver {language}, næste gang qualcode startes.").format(language=name),
                timeout=6,
            )

    # -- Textual's own texts, in the workbench's language -----------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette's commands besides the screen's keys: Textual's own, in the
        workbench's language. Its Quit and Keys are left out: q quits, ? lists the keys."""
        yield SystemCommand(
            _("Farvetema"), _("Vælg et af Textuals farvetemaer"), self.action_change_theme
        )
        if screen.maximized is not None:
            yield SystemCommand(
                _("Normal størrelse"),
                _("Vis feltet i sin normale størrelse igen"),
                screen.action_minimize,
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(
                _("Maksimér"), _("Vis feltet med fokus over hele skærmen"), screen.action_maximize
            )
        yield SystemCommand(
            _("Skærmbillede"),
            _("Gem skærmen som et SVG-billede i den mappe, qualcode blev startet i"),
            lambda: self.set_timer(0.1, self.save_screen),
        )

    def save_screen(self) -> None:
        """The palette's screenshot: an SVG file in the current folder."""
        try:
            path = self.save_screenshot()
        except OSError as exc:
            self.notify(
                _("Skærmbilledet kunne ikke gemmes: {error}").format(error=exc), severity="error"
            )
            return
        self.notify(_("Skærmbillede gemt: {path}").format(path=path), timeout=6)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(Palette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(
            Palette(providers=[ThemeProvider], placeholder=_("Søg efter et farvetema …"))
        )

    def search_commands(self, commands, placeholder: str | None = None):
        from textual.command import SimpleProvider

        return self.push_screen(
            Palette(providers=[SimpleProvider(self.screen, commands)], placeholder=placeholder)
        )

    def action_help_quit(self) -> None:
        """ctrl+c, pressed out of habit to quit: say which key quits."""
        self.notify(_("Tryk q for at afslutte (alt er gemt)."), title=_("Vil du afslutte?"))

    def action_switch_question(self) -> None:
        from qualcode.tui.widgets.dialogs import PickDialog

        questions = self.project.questions()
        if not questions:
            self.notify(
                _("Projektet har ingen spørgsmål endnu: importér svar (i)."), severity="warning"
            )
            return
        choices = [(q.id, f"{q.id} – {q.text[:70]}") for q in questions]

        def chosen(qid: str | None) -> None:
            if qid and qid != self.question:
                self.set_question(qid)

        self.push_screen(PickDialog(_("Vælg spørgsmål"), choices), chosen)

    def action_switch_coder(self) -> None:
        from qualcode.tui.widgets.dialogs import InputDialog

        def chosen(name: str | None) -> None:
            name = (name or "").strip()
            if name and name != self.project.coder:
                self.set_coder(name)

        known = ", ".join(self.project.coders()) or _("ingen endnu")
        self.push_screen(
            InputDialog(
                _("Kod som (kendte kodere: {known})").format(known=known), self.project.coder
            ),
            chosen,
        )

    def set_coder(self, name: str) -> None:
        """Code as ``name`` from now on, and remember it for this user and project, so
        the workbench opens as ``name`` next time too (until k chooses another)."""
        from qualcode.paths import os_user

        self.project.coder = name
        self.sub_title = self._own_sub_title()  # every screen's header shows the coder

        def remember(project: Project) -> str:
            project.remember_coder(os_user(), name)
            return _("Du koder nu som {name}").format(name=name)

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
        together = _("alle kodere sammen ({coders})").format(coders=", ".join(coders) or _("ingen"))
        choices = [(project.ALL_CODERS, together)]
        choices += [(c, c) for c in coders]
        return choices

    def choose_basis(self, then: Callable[[], None] | None = None) -> None:
        """Pick the coder basis from a list; it is stored in the project as the default of
        every count, chart, crosstab and report (the CLI's too), then ``then`` redraws."""
        from qualcode.tui.widgets.dialogs import PickDialog

        current = self.project.basis() or self.project.ALL_CODERS
        choices = [
            (value, _("{choice}  ← nu").format(choice=label) if value == current else label)
            for value, label in self.basis_choices(self.question)
        ]

        def chosen(value: str | None) -> None:
            if value is None or value == current:
                return

            def store(project: Project) -> str:
                project.set_basis(value)
                return project.basis_label(project.basis())

            def done(message: str) -> None:
                self.notify(
                    _("Tallene tælles nu på grundlaget: {basis}").format(basis=message), timeout=3
                )
                if then is not None:
                    then()

            self.write(self.screen, store, done)

        self.push_screen(PickDialog(_("Tallene tælles på (Kodet af)"), choices, id="basis"), chosen)

    def basis_warning(self, qid: str | None) -> str:
        """A warning when the numbers join every coder and the question has more than one
        ('' otherwise): the same rule as the CLI's warning line."""
        if qid is None or self.project.basis() is not None:
            return ""
        coders = self.project.coders(qid)
        if len(coders) < 2:
            return ""
        return _(
            "Advarsel: tallene lægger {n} koderes kodninger sammen ({coders}); vælg ét "
            "grundlag med K."
        ).format(n=len(coders), coders=", ".join(coders))

    def set_question(self, qid: str) -> None:
        """Work on another question; the workbench opens on it next time too."""
        from qualcode.paths import os_user

        self.question = self.project.question(qid).id
        chosen = self.question

        def remember(project: Project) -> str:
            project.remember_question(os_user(), chosen)
            return ""

        self.write(self.screen, remember, lambda _message: None)
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
        from qualcode.tui import css_cache

        self.project.close()
        css_cache.save()  # the stylesheets parsed this time, for the next start


def screen_class(mode: str) -> type[Screen]:
    """The class of a mode's screen, imported when first needed, so start-up only loads
    the coding screen (the palette reads the others' keys from it)."""
    if mode == "coding":
        from qualcode.tui.screens.coding import CodingScreen

        return CodingScreen
    if mode == "quotes":
        from qualcode.tui.screens.quotes import QuotesScreen

        return QuotesScreen
    if mode == "counts":
        from qualcode.tui.screens.counts import CountsScreen

        return CountsScreen
    if mode == "codebook":
        from qualcode.tui.screens.codebook import CodebookScreen

        return CodebookScreen
    if mode == "crosstab":
        from qualcode.tui.screens.crosstab import CrosstabScreen

        return CrosstabScreen
    if mode == "pii":
        from qualcode.tui.screens.pii import PiiScreen

        return PiiScreen
    if mode == "framework":
        from qualcode.tui.screens.framework import FrameworkScreen

        return FrameworkScreen
    if mode == "memos":
        from qualcode.tui.screens.memos import MemoScreen

        return MemoScreen
    from qualcode.tui.screens.disagreements import DisagreementScreen

    return DisagreementScreen


def _screen_factory(mode: str):
    """Screens are made when first shown."""

    def make():
        return screen_class(mode)()

    return make


def make_app(
    db: str | Path | Project, question: str | None = None, *, coder: str | None = None
) -> QualcodeApp:
    """The one app factory: the CLI, the tests and the snapshot apps use it. Without
    ``coder``, the workbench opens as the coder this user last chose with k in this project
    (else $QUALCODE_CODER, else the user name). ``db`` may be a project the caller opened
    to write (the CLI does, to fail early): the app takes it over and closes it."""
    from qualcode.paths import os_user
    from qualcode.tui import css_cache

    css_cache.install()  # the stylesheets parsed at the last start, not parsed again
    project = db if isinstance(db, Project) else Project.open(db, coder=coder)
    try:
        remembered = project.remembered_coder(os_user()) if coder is None else None
        if remembered:
            project.coder = remembered
        if question is None:  # the question this user worked on last
            question = project.remembered_question(os_user())
    except BaseException:
        project.close()
        raise
    return QualcodeApp(project, question)
