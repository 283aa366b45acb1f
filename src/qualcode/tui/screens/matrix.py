"""The theme matrix (from F7, ``t``): groups of jobcentres by themes.

The rows are either the questions that share the current question's codebook (the
default when there are two or more; ``s`` types others, ``NAME=QID`` names a row), or the
values of a respondent attribute among the jobcentres that answered the current question
(``a``; ``g`` groups the values), in the survey's order when the project has it. Each
cell is "n af N (x %)": the jobcentres in the group that mention the theme, out of those
in the group who answered. ``n`` keeps each group's N most frequent themes, ties kept,
one line each ("Anført af 10 ud af 14 jobcentre"): the report's Tabel 4. Exports with
the renderers of ``qualcode matrix``. Counting runs in a thread worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Label, Static
from textual.worker import get_current_worker

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.tui.messages import MatrixComputed, WorkerFailed
from qualcode.tui.screens.crosstab import (
    capitalised,
    group_spec,
    group_title,
    parse_spec,
    values_choice,
)
from qualcode.tui.screens.tables import TableScreen
from qualcode.tui.shown import flat, plain, reason
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from qualcode.core.crosstab import Group
    from qualcode.core.matrix import QuestionGroup

_, _n = translator("tui")

FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "md": "Markdown", "docx": "Word (DOCX)"}


@dataclass(frozen=True)
class Request:
    """What to count: a row per question of ``questions``, or per value (group) of
    ``attribute`` among those who answered ``question``."""

    question: str | None
    attribute: str | None
    groups: tuple[Group, ...] | None
    questions: tuple[QuestionGroup, ...] | None
    top: int | None


@dataclass(frozen=True)
class MatrixView:
    """What the screen shows, computed in the worker (no pandas on the UI thread)."""

    request: Request
    title: str
    head: list[str]
    rows: list[list[str]]
    notes: list[str]
    exports: dict[str, bytes]
    basis_label: str = ""  # "Kodet af: consensus"
    questions: tuple[str, ...] = ()


def questions_spec(questions: tuple[QuestionGroup, ...] | None) -> str:
    """Question groups as the text the user types: 'Q1,NAME=Q2'."""
    return ",".join(
        g.question if g.name == g.question else f"{g.name}={g.question}" for g in questions or ()
    )


class MatrixScreen(TableScreen):
    PREFIX = "matrix"
    FORMATS = FORMATS
    TITLE = _("Temamatrix")
    DEFAULT_CSS = """
    #matrix-head { height: 1; width: 1fr; padding: 0 1; color: $accent; text-style: bold; }
    #matrix-status { height: 1; width: 1fr; padding: 0 1; color: $text-muted; }
    #matrix-table { height: 1fr; min-height: 4; border: none; }
    #matrix-notes {
        height: auto; max-height: 6; padding: 0 1; color: $text-muted;
        border-top: solid $primary-darken-2;
    }
    """
    BINDINGS = [
        Binding(
            "s",
            "pick_questions",
            _("Spørgsmål"),
            id="matrix-questions",
            tooltip=_("A row per question: questions that share one codebook (NAME=QID names one)"),
        ),
        Binding(
            "a",
            "pick_attribute",
            _("Variabel"),
            id="matrix-attribute",
            tooltip=_(
                "A row per value of a respondent attribute, among those who answered the question"
            ),
        ),
        Binding(
            "g",
            "group_values",
            _("Gruppér"),
            id="matrix-group",
            tooltip=_("Put the attribute's values into named groups (or each on its own)"),
        ),
        Binding(
            "n",
            "top",
            _("Top N"),
            id="matrix-top",
            tooltip=_("Each group's N most frequent themes, ties kept (Tabel 4), or every theme"),
        ),
        Binding("r", "recompute", _("Genberegn"), id="matrix-recompute", tooltip=_("Count again")),
        Binding(
            "K",
            "basis",
            _("Kodet af"),
            id="matrix-basis",
            tooltip=_(
                "Count on one coder, the consensus, or all coders together "
                "(stored as the project's basis)"
            ),
        ),
        Binding("c", "export('csv')", _("CSV"), id="matrix-export-csv", tooltip=_("Export as CSV")),
        Binding(
            "x",
            "export('xlsx')",
            _("XLSX"),
            id="matrix-export-xlsx",
            tooltip=_("Export as an Excel workbook"),
        ),
        Binding(
            "m",
            "export('md')",
            _("Markdown"),
            id="matrix-export-md",
            tooltip=_("Export as Markdown"),
        ),
        Binding(
            "d", "export('docx')", _("DOCX"), id="matrix-export-docx", tooltip=_("Export as Word")
        ),
        Binding(
            "escape", "close", _("Tilbage"), id="matrix-close", tooltip=_("Back to the crosstab")
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.attribute: str | None = None
        self.groups: list[Group] | None = None
        self.questions: tuple[QuestionGroup, ...] | None = None  # typed with s
        self.by_attribute = False  # rows: an attribute's values (a), else questions
        self.top: int | None = None
        self.view: MatrixView | None = None
        self._covered = False
        self._warned: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="matrix-head")
        yield Label("", id="matrix-status")
        yield DataTable(id="matrix-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="matrix-notes")
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#matrix-table", DataTable).focus()

    def on_screen_suspend(self) -> None:
        self._covered = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        covered, self._covered = self._covered, False
        changed = self.changed_since_shown()
        if (
            (covered or not changed)
            and self.view is not None
            and self.view.request == self.request()
        ):
            return
        self.reload()

    def request(self) -> Request | None:
        """What the screen is to show now (None: nothing to count yet)."""
        from qualcode.core.matrix import QuestionGroup, shared_codebook_questions

        qid = self.app.question
        if qid is None:
            return None
        if self.by_attribute:
            if self.attribute is None:
                return None
            groups = tuple(self.groups) if self.groups else None
            return Request(qid, self.attribute, groups, None, self.top)
        questions = self.questions
        if questions is None:  # the questions that share this question's codebook
            ids = shared_codebook_questions(self.project, qid)
            if len(ids) < 2:
                return None
            questions = tuple(QuestionGroup(q, q) for q in ids)
        return Request(None, None, None, questions, self.top)

    def reload(self) -> None:
        wanted = self.request()
        if wanted is None:
            self.view = None
            self._cleared("")
            qid = self.app.question
            if qid is None:
                self._status(
                    _("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar.")
                )
                return
            self._head(_("{question}: vælg rækkerne").format(question=qid))
            how = _(
                "Tryk a for en række pr. værdi af en baggrundsvariabel, eller s for "
                "en række pr. spørgsmål."
            )
            if not self.by_attribute:
                alone = _("Ingen andre spørgsmål bruger {question}s kodebog.").format(question=qid)
                how = f"{alone} {how}"
            self._status(how)
            return
        self._status(_("Beregner…"))
        self._compute(wanted)

    @work(
        thread=True,
        exclusive=True,
        group="matrix",
        exit_on_error=False,
        description=_("Temamatrixen kunne ikke laves"),
    )
    def _compute(self, wanted: Request) -> None:
        worker = get_current_worker()
        view = self._view_in_thread(wanted)
        if not worker.is_cancelled:
            self.post_message(MatrixComputed(view))

    def _view_in_thread(self, wanted: Request) -> MatrixView:
        """Count on a connection of the worker's own, and render every export at once."""
        from qualcode.core.matrix import theme_matrix
        from qualcode.io.export import excel_da
        from qualcode.io.matrix import display_rows, notes, render_matrix, title

        with self.app.worker_project(readonly=True) as project:
            frame = theme_matrix(
                project,
                question=wanted.question,
                by=wanted.attribute,
                groups=list(wanted.groups) if wanted.groups else None,
                questions=list(wanted.questions) if wanted.questions else None,
                coder=project.basis(),
                top=wanted.top,
            )
        head, rows = display_rows(frame)
        return MatrixView(
            request=wanted,
            title=title(frame),
            head=head,
            rows=rows,
            notes=notes(frame),
            # a CSV saved from the workbench is opened by a person: Danish Excel's dialect
            exports={
                fmt: excel_da(data) if fmt == "csv" else data
                for fmt in FORMATS
                for data in [render_matrix(frame, fmt)]
            },
            basis_label=frame.attrs.get("basis_label") or "",
            questions=tuple(dict.fromkeys(frame.attrs["group_questions"].values())),
        )

    @on(WorkerFailed)
    def _failed(self, event: WorkerFailed) -> None:
        """The count failed (the app has said why): no table, and why on the status line."""
        self.view = None
        self._cleared(_("Ingen temamatrix: {reason}").format(reason=reason(event.error)))

    @on(MatrixComputed)
    def _show(self, event: MatrixComputed) -> None:
        view = event.view
        if view.request != self.request():
            return  # what to count changed while counting
        self.view = view
        self.sub_title = f"{view.title} · {view.basis_label}"
        self._head(f"{view.title} · " + _("{basis} (K skifter)").format(basis=view.basis_label))
        warning = next(filter(None, map(self.app.basis_warning, view.questions)), "")
        top = view.request.top
        layout = _("top {n}").format(n=integer(top)) if top else _("alle temaer")
        rows = _n("{n} række", "{n} rækker", len(view.rows)).format(n=integer(len(view.rows)))
        self._status(
            (f"{warning} · " if warning else "")
            + f"{rows} · {layout} · "
            + _("s spørgsmål · a variabel · n top")
        )
        if warning and view.title != self._warned:
            self.notify(warning, severity="warning", timeout=6)
        self._warned = view.title if warning else None
        table = self.query_one("#matrix-table", DataTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        for i, header in enumerate(view.head):  # group names and labels come from data
            table.add_column(flat(header), key=f"col{i}")
        top = bool(view.request.top)
        for i, cells in enumerate(view.rows):
            right = range(3, len(cells)) if top else range(1, len(cells))
            styled = [
                flat(c, justify="right") if j in right else flat(c, style="bold" if j == 0 else "")
                for j, c in enumerate(cells)
            ]
            table.add_row(*styled, key=f"row{i}")
        if view.rows:
            table.move_cursor(row=min(keep, len(view.rows) - 1))
        self.query_one("#matrix-notes", Static).update(plain("\n".join(view.notes)))

    # -- actions ------------------------------------------------------------------
    def action_close(self) -> None:
        self.app.pop_screen()

    def action_basis(self) -> None:
        self.app.choose_basis(then=self.reload)

    def action_pick_questions(self) -> None:
        from qualcode.core.matrix import parse_questions
        from qualcode.tui.widgets.dialogs import InputDialog

        current = self.request()
        shown = questions_spec(current.questions if current and current.questions else None)
        title = _(
            "En række pr. spørgsmål, adskilt af komma; navn=spørgsmål giver rækken et navn "
            "(tomt: spørgsmålene med samme kodebog som det valgte)"
        )

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                questions = tuple(parse_questions(text)) if text.strip() else None
                for g in questions or ():
                    self.project.question(g.question)  # unknown ones are refused here
            except QualcodeError as exc:
                self.notify(str(exc), severity="error")
                return
            self.questions = questions
            self.by_attribute = False
            self.reload()

        self.app.push_screen(InputDialog(title, shown, id="matrix-questions-input"), chosen)

    def action_pick_attribute(self) -> None:
        from qualcode.core.crosstab import attribute_values, value_order
        from qualcode.tui.widgets.dialogs import PickDialog

        known = attribute_values(self.project)
        if not known:
            self.notify(
                _(
                    "{noun} har ingen baggrundsvariable: importér et register med kolonner (i)."
                ).format(noun=capitalised(self.project.noun().plural)),
                severity="warning",
            )
            return
        choices = []
        for name in known:
            choices.append((name, values_choice(name, list(value_order(self.project, name)))))

        def chosen(name: str | None) -> None:
            if name is None:
                return
            if name != self.attribute:
                self.groups = None
            self.attribute = name
            self.by_attribute = True
            self.reload()

        self.app.push_screen(
            PickDialog(_("En række pr. værdi af"), choices, id="matrix-pick"), chosen
        )

    def action_group_values(self) -> None:
        from qualcode.core.crosstab import value_order
        from qualcode.tui.widgets.dialogs import InputDialog

        if not self.by_attribute or self.attribute is None:
            self.notify(_("Vælg først en variabel (a)."), severity="warning")
            return
        values = ", ".join(value_order(self.project, self.attribute))
        title = group_title(self.attribute, values)

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                groups = parse_spec(text)
            except QualcodeError as exc:
                self.notify(str(exc), severity="error")
                return
            self.groups = groups
            self.reload()

        self.app.push_screen(
            InputDialog(title, group_spec(self.groups), id="matrix-groups"), chosen
        )

    def action_top(self) -> None:
        from qualcode.tui.widgets.dialogs import InputDialog

        def chosen(text: str | None) -> None:
            if text is None:
                return
            text = text.strip()
            if text in ("", "0"):
                self.top = None
            elif text.isdigit():
                self.top = int(text)
            else:
                self.notify(
                    _("Skriv et helt tal, ikke '{text}'.").format(text=text),
                    severity="error",
                    markup=False,
                )
                return
            self.reload()

        self.app.push_screen(
            InputDialog(
                _("Vis hver gruppes N hyppigste temaer (lige mange tages med); tomt eller 0: alle"),
                str(self.top or ""),
                id="matrix-top-input",
            ),
            chosen,
        )

    def action_recompute(self) -> None:
        self.reload()

    def action_export(self, fmt: str) -> None:
        view = self.view
        if view is None:
            self.notify(_("Ingen temamatrix at eksportere endnu (s eller a)."), severity="warning")
            return
        self.export(
            fmt,
            _("Eksportér temamatrixen som {format}. Filnavn:").format(format=FORMATS[fmt]),
            _("temamatrix") + f".{fmt}",
            lambda: view.exports[fmt],
        )
