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
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Label, Static
from textual.worker import get_current_worker

from qualcode.errors import QualcodeError
from qualcode.io.fmt import themes
from qualcode.tui.messages import CrosstabComputed, WorkerFailed
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.screens.counts import FORMATS
from qualcode.tui.shown import flat, plain, reason
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from qualcode.core.crosstab import Group


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


def parse_spec(text: str) -> list[Group] | None:
    """'a=x,y; b=z' -> groups (None when empty: every value its own group)."""
    from qualcode.core.crosstab import parse_groups

    return parse_groups([part for part in text.split(";") if part.strip()])


class CrosstabScreen(ProjectScreen):
    TITLE = "Krydstabel"
    BINDINGS = [
        Binding(
            "a",
            "pick_attribute",
            "Variabel",
            id="crosstab-attribute",
            tooltip="Choose the respondent attribute to split the respondents by",
        ),
        Binding(
            "g",
            "group_values",
            "Gruppér",
            id="crosstab-group",
            tooltip="Put the attribute's values into named groups (or each on its own)",
        ),
        Binding(
            "r",
            "recompute",
            "Genberegn",
            id="crosstab-recompute",
            tooltip="Count again from the project file",
        ),
        Binding(
            "K",
            "basis",
            "Kodet af",
            id="crosstab-basis",
            tooltip="Count on one coder, the consensus, or all coders together "
            "(stored as the project's basis)",
        ),
        Binding(
            "c",
            "export('csv')",
            "Eksportér CSV",
            id="crosstab-export-csv",
            tooltip="Export the crosstab as CSV",
        ),
        Binding(
            "x",
            "export('xlsx')",
            "Eksportér XLSX",
            id="crosstab-export-xlsx",
            tooltip="Export the crosstab as an Excel workbook",
        ),
        Binding(
            "m",
            "export('md')",
            "Eksportér Markdown",
            id="crosstab-export-md",
            tooltip="Export the crosstab as Markdown",
        ),
        Binding(
            "t",
            "theme_matrix",
            "Temamatrix",
            id="crosstab-matrix",
            tooltip="Groups by themes: questions sharing a codebook, or an attribute's values; "
            "top N themes per group (Tabel 4)",
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
            self._status("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar.")
            return
        if self.attribute is None:
            self.view = None
            table.clear(columns=True)
            self.query_one("#crosstab-notes", Static).update("")
            self._head(f"{qid}: vælg en baggrundsvariabel")
            self._status(
                f"Tryk a for at vælge den variabel, {self.project.noun().plural} skal deles efter "
                "(fx lokalpolitisk_fokus)."
            )
            return
        self._status("Beregner…")
        self._compute(qid, self.attribute, self.groups)

    @work(
        thread=True,
        exclusive=True,
        group="crosstab",
        exit_on_error=False,
        description="Krydstabellen kunne ikke laves",
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
        self._status(f"Ingen krydstabel: {reason(event.error)}")

    @on(CrosstabComputed)
    def _show(self, event: CrosstabComputed) -> None:
        view = event.view
        if view.question != self.app.question or view.attribute != self.attribute:
            return  # the question or attribute changed while counting
        self.view = view
        self.sub_title = f"{view.question} · {view.attribute} · {view.basis_label}"
        self._head(
            f"{view.question}: {view.title} efter {view.attribute} · {view.basis_label} (K skifter)"
        )
        groups = "grupper: " + (group_spec(self.groups) if self.groups else "hver værdi for sig")
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
                "Jobcentrene har ingen baggrundsvariable: importér et register med kolonner (i).",
                severity="warning",
            )
            return
        choices = []
        for name, values in known.items():
            shown = ", ".join(list(values)[:4]) + (" …" if len(values) > 4 else "")
            choices.append((name, f"{name} ({len(values)} værdier: {shown})"))

        def chosen(name: str | None) -> None:
            if name and name != self.attribute:
                self.attribute = name
                self.groups = None
                self.reload()

        self.app.push_screen(
            PickDialog(f"Del {self.project.noun().plural} efter", choices, id="crosstab-pick"),
            chosen,
        )

    def action_group_values(self) -> None:
        from qualcode.core.crosstab import attribute_values
        from qualcode.tui.widgets.dialogs import InputDialog

        if self.attribute is None:
            self.notify("Vælg først en variabel (a).", severity="warning")
            return
        values = ", ".join(attribute_values(self.project).get(self.attribute, {}))
        title = (
            f"Gruppér værdierne af {self.attribute} som navn=værdi,værdi; navn=… "
            f"(tomt: hver værdi for sig). Værdier: {values}"
        )

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
            self.notify("Vælg først en variabel (a).", severity="warning")
            return
        self.reload()

    def action_export(self, fmt: str) -> None:
        from qualcode.tui.widgets.dialogs import ask_for_file

        view = self.view
        if view is None:
            self.notify("Ingen krydstabel at eksportere endnu (a).", severity="warning")
            return
        ask_for_file(
            self,
            f"Eksportér krydstabellen som {FORMATS[fmt]}. Filnavn:",
            f"krydstabel-{view.question}-{view.attribute}.{fmt}",
            lambda path, force: self._write(path, view.exports[fmt], fmt, force),
            suffix=f".{fmt}",
            dialog_id="crosstab-export-name",
            confirm_id="crosstab-overwrite",
        )

    def _write(self, path: Path, data: bytes, fmt: str, force: bool) -> None:
        from qualcode.io.export import write_file

        try:
            write_file(path, data, force=force)
        except QualcodeError as exc:
            self.notify(f"Kunne ikke gemme {path.name}: {exc}", severity="error")
        except OSError as exc:
            self.notify(f"Kunne ikke gemme {path.name}: {exc.strerror or exc}", severity="error")
        else:
            self.notify(f"Gemt som {FORMATS[fmt]}: {path}", timeout=4)
