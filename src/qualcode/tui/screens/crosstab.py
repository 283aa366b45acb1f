"""The crosstab screen (F7): the current question's themes by a respondent attribute.

Pick the attribute (``a``), optionally group its values (``g``: "høj=I høj grad,I meget
høj grad; lav=I nogen grad,I mindre grad"), and the table shows per theme "n af N (%)"
for each group, the difference in percentage points (two groups), the test (Fisher's
exact test, or chi-square for more groups, marked * when an expected count is below 5),
the p-value and whether it is significant; under it the bases, who was left out and
the warning. Exports to CSV, XLSX or Markdown with the same renderers as ``qualcode
crosstab``. Counting goes through pandas and scipy, so it runs in a thread worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Label, Static
from textual.worker import get_current_worker

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer, themes
from qualcode.tui.messages import CrosstabComputed, WorkerFailed
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.screens.counts import FORMATS
from qualcode.tui.shown import flat, plain, reason
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from qualcode.core.crosstab import Group

_, _n = translator("tui")


@dataclass(frozen=True)
class CrossView:
    """What the screen shows, computed in the worker (no pandas on the UI thread)."""

    question: str
    attribute: str
    title: str
    head: list[str]
    rows: list[list[str]]
    keys: list[str]
    notes: list[str]
    exports: dict[str, bytes]
    basis_label: str = ""  # "Kodet af: consensus"


def group_spec(groups: list[Group] | None) -> str:
    """Groups as the text the user types: 'a=x,y; b=z'."""
    return "; ".join(f"{g.name}={','.join(g.values)}" for g in groups or [])


def capitalised(text: str) -> str:
    """'jobcentre' -> 'Jobcentre' (the rest as it is, unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


def values_choice(name: str, values: list[str]) -> str:
    """An attribute in the list to pick from: its name, how many values, the first few."""
    some = ", ".join(values[:4]) + (" …" if len(values) > 4 else "")
    return _n("{name} ({n} værdi: {values})", "{name} ({n} værdier: {values})", len(values)).format(
        name=name, n=integer(len(values)), values=some
    )


def group_title(attribute: str, values: str) -> str:
    """The prompt of the dialog that groups an attribute's values."""
    return _(
        "Gruppér værdierne af {attribute} som navn=værdi,værdi; navn=… "
        "(tomt: hver værdi for sig). Værdier: {values}"
    ).format(attribute=attribute, values=values)


def save(screen: Screen, path: Path, data: bytes, what: str, force: bool) -> None:
    """Write an export rendered before and say how it went (crosstab and theme matrix)."""
    from qualcode.io.export import write_file

    try:
        write_file(path, data, force=force)
    except QualcodeError as exc:
        why = str(exc)
    except OSError as exc:
        why = str(exc.strerror or exc)
    else:
        screen.notify(_("Gemt som {format}: {path}").format(format=what, path=path), timeout=4)
        return
    screen.notify(
        _("Kunne ikke gemme {name}: {reason}").format(name=path.name, reason=why),
        severity="error",
        markup=False,
    )


def parse_spec(text: str) -> list[Group] | None:
    """'a=x,y; b=z' -> groups (None when empty: every value its own group)."""
    from qualcode.core.crosstab import parse_groups

    return parse_groups([part for part in text.split(";") if part.strip()])


class CrosstabScreen(ProjectScreen):
    TITLE = _("Krydstabel")
    BINDINGS = [
        Binding(
            "a",
            "pick_attribute",
            _("Variabel"),
            id="crosstab-attribute",
            tooltip=_("Choose the respondent attribute to split the respondents by"),
        ),
        Binding(
            "g",
            "group_values",
            _("Gruppér"),
            id="crosstab-group",
            tooltip=_("Put the attribute's values into named groups (or each on its own)"),
        ),
        Binding(
            "r",
            "recompute",
            _("Genberegn"),
            id="crosstab-recompute",
            tooltip=_("Count again from the project file"),
        ),
        Binding(
            "K",
            "basis",
            _("Kodet af"),
            id="crosstab-basis",
            tooltip=_(
                "Count on one coder, the consensus, or all coders together "
                "(stored as the project's basis)"
            ),
        ),
        Binding(
            "c",
            "export('csv')",
            _("Eksportér CSV"),
            id="crosstab-export-csv",
            tooltip=_("Export the crosstab as CSV"),
        ),
        Binding(
            "x",
            "export('xlsx')",
            _("Eksportér XLSX"),
            id="crosstab-export-xlsx",
            tooltip=_("Export the crosstab as an Excel workbook"),
        ),
        Binding(
            "m",
            "export('md')",
            _("Eksportér Markdown"),
            id="crosstab-export-md",
            tooltip=_("Export the crosstab as Markdown"),
        ),
        Binding(
            "t",
            "theme_matrix",
            _("Temamatrix"),
            id="crosstab-matrix",
            tooltip=_(
                "Groups by themes: questions sharing a codebook, or an attribute's values; "
                "top N themes per group (Tabel 4)"
            ),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.attribute: str | None = None
        self.groups: list[Group] | None = None
        self.view: CrossView | None = None
        self._covered = False
        self._warned: str | None = None  # the question whose basis warning was shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="crosstab-head")
        yield Label("", id="crosstab-status")
        yield DataTable(id="crosstab-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="crosstab-notes")
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#crosstab-table", DataTable).focus()

    def on_screen_suspend(self) -> None:
        self._covered = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        covered, self._covered = self._covered, False
        if covered and self.view is not None and self.view.question == self.app.question:
            return
        self.reload()

    def reload(self) -> None:
        qid = self.app.question
        table = self.query_one("#crosstab-table", DataTable)
        if qid is None:
            self.view = None
            table.clear(columns=True)
            self._status(_("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."))
            return
        if self.attribute is None:
            self.view = None
            table.clear(columns=True)
            self.query_one("#crosstab-notes", Static).update("")
            self._head(_("{question}: vælg en baggrundsvariabel").format(question=qid))
            self._status(
                _(
                    "Tryk a for at vælge den variabel, {noun} skal deles efter "
                    "(fx lokalpolitisk_fokus)."
                ).format(noun=self.project.noun().plural)
            )
            return
        self._status(_("Beregner…"))
        self._compute(qid, self.attribute, self.groups)

    @work(
        thread=True,
        exclusive=True,
        group="crosstab",
        exit_on_error=False,
        description=_("Krydstabellen kunne ikke laves"),
    )
    def _compute(self, qid: str, attribute: str, groups: list[Group] | None) -> None:
        worker = get_current_worker()
        view = self._view_in_thread(qid, attribute, groups)
        if not worker.is_cancelled:
            self.post_message(CrosstabComputed(view))

    def _view_in_thread(self, qid: str, attribute: str, groups: list[Group] | None) -> CrossView:
        """Count on a connection of the worker's own, and render every export at once."""
        from qualcode.core import crosstab as xt
        from qualcode.io.crosstab import display_rows, notes, render_crosstab
        from qualcode.io.export import excel_da

        with self.app.worker_project(readonly=True) as project:
            frame = xt.crosstab(project, qid, attribute, groups=groups, coder=project.basis())
        head, rows = display_rows(frame)
        return CrossView(
            question=qid,
            attribute=attribute,
            title=frame.attrs["title"],
            head=head,
            rows=rows,
            keys=list(frame["code"]),
            notes=notes(frame),
            # a CSV saved from the workbench is opened by a person: Danish Excel's dialect
            exports={
                fmt: excel_da(data) if fmt == "csv" else data
                for fmt in FORMATS
                for data in [render_crosstab(frame, fmt)]
            },
            basis_label=frame.attrs.get("basis_label") or "",
        )

    @on(WorkerFailed)
    def _failed(self, event: WorkerFailed) -> None:
        """The count failed (the app has said why): no table, and why on the status line."""
        self.view = None
        self.query_one("#crosstab-table", DataTable).clear(columns=True)
        self.query_one("#crosstab-notes", Static).update("")
        self._status(_("Ingen krydstabel: {reason}").format(reason=reason(event.error)))

    @on(CrosstabComputed)
    def _show(self, event: CrosstabComputed) -> None:
        view = event.view
        if view.question != self.app.question or view.attribute != self.attribute:
            return  # the question or attribute changed while counting
        self.view = view
        self.sub_title = f"{view.question} · {view.attribute} · {view.basis_label}"
        self._head(
            _("{question}: {title} efter {attribute}").format(
                question=view.question, title=view.title, attribute=view.attribute
            )
            + " · "
            + _("{basis} (K skifter)").format(basis=view.basis_label)
        )
        groups = _("grupper: {groups}").format(
            groups=group_spec(self.groups) if self.groups else _("hver værdi for sig")
        )
        warning = self.app.basis_warning(view.question)
        self._status((f"{warning} · " if warning else "") + f"{themes(len(view.rows))} · {groups}")
        if warning and view.question != self._warned:
            self.notify(warning, severity="warning", timeout=6)
        self._warned = view.question if warning else None
        table = self.query_one("#crosstab-table", DataTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        for i, header in enumerate(view.head):  # group names and labels come from data
            table.add_column(flat(header), key=f"col{i}")
        for key, cells in zip(view.keys, view.rows, strict=True):
            table.add_row(flat(cells[0]), *(flat(c, justify="right") for c in cells[1:]), key=key)
        if view.rows:
            table.move_cursor(row=min(keep, len(view.rows) - 1))
        self.query_one("#crosstab-notes", Static).update(plain("\n".join(view.notes)))

    def _head(self, text: str) -> None:
        self.query_one("#crosstab-head", Label).update(
            flat(text, no_wrap=True, overflow="ellipsis")
        )

    def _status(self, text: str) -> None:
        self.query_one("#crosstab-status", Label).update(
            flat(text, no_wrap=True, overflow="ellipsis")
        )

    # -- actions ------------------------------------------------------------------
    def action_basis(self) -> None:
        self.app.choose_basis(then=self.reload)

    def action_pick_attribute(self) -> None:
        from qualcode.core.crosstab import attribute_values
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
        for name, values in known.items():
            choices.append((name, values_choice(name, list(values))))

        def chosen(name: str | None) -> None:
            if name and name != self.attribute:
                self.attribute = name
                self.groups = None
                self.reload()

        self.app.push_screen(
            PickDialog(
                _("Del {noun} efter").format(noun=self.project.noun().plural),
                choices,
                id="crosstab-pick",
            ),
            chosen,
        )

    def action_group_values(self) -> None:
        from qualcode.core.crosstab import attribute_values
        from qualcode.tui.widgets.dialogs import InputDialog

        if self.attribute is None:
            self.notify(_("Vælg først en variabel (a)."), severity="warning")
            return
        values = ", ".join(attribute_values(self.project).get(self.attribute, {}))
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
            InputDialog(title, group_spec(self.groups), id="crosstab-groups"), chosen
        )

    def action_theme_matrix(self) -> None:
        from qualcode.tui.screens.matrix import MatrixScreen

        self.app.push_screen(MatrixScreen())

    def action_recompute(self) -> None:
        if self.attribute is None:
            self.notify(_("Vælg først en variabel (a)."), severity="warning")
            return
        self.reload()

    def action_export(self, fmt: str) -> None:
        from qualcode.tui.widgets.dialogs import ask_for_file

        view = self.view
        if view is None:
            self.notify(_("Ingen krydstabel at eksportere endnu (a)."), severity="warning")
            return
        ask_for_file(
            self,
            _("Eksportér krydstabellen som {format}. Filnavn:").format(format=FORMATS[fmt]),
            _("krydstabel-{question}-{attribute}").format(
                question=view.question, attribute=view.attribute
            )
            + f".{fmt}",
            lambda path, force: self._write(path, view.exports[fmt], fmt, force),
            suffix=f".{fmt}",
            dialog_id="crosstab-export-name",
            confirm_id="crosstab-overwrite",
        )

    def _write(self, path: Path, data: bytes, fmt: str, force: bool) -> None:
        save(self, path, data, FORMATS[fmt], force)
