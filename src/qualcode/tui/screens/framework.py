"""The framework matrix screen (F9 Rammematrix): the question's jobcentres as rows, the
codebook's themes as columns. Each cell shows the analyst's summary, or how many coded
passages wait for one; the pane beside the table shows the passages of the cell under
the cursor and its whole summary.

``enter`` or ``e`` writes the cell's summary in a dialog (ctrl+s saves), ``delete`` takes
it away; both are committed, with an event in the log, before the screen says so, and
``u`` undoes them (``ctrl+y`` redoes), also after a restart: only summaries, never a
coding. Whose coded passages the cells hold is the project's coder basis (``K``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Label, Static

from qualcode.i18n import translator
from qualcode.io.fmt import date, integer, themes
from qualcode.tui.screens.base import ProjectScreen, undo_bindings
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from qualcode.core.framework import Cell, FrameworkMatrix
    from qualcode.core.project import Project

_, _n = translator("tui")

THEME_WIDTH = 22  # cells of a theme's column: a summary's start, or the passages waiting
NAME_WIDTH = 26  # the jobcentre column, which stays when the themes scroll sideways


def passages_word(n: int) -> str:
    return _n("{n} passage", "{n} passager", n).format(n=integer(n))


def cell_text(cell: Cell) -> Text:
    """A table cell: the summary on one line, else '· 3 passager' (dim), else nothing."""
    if cell.text:
        return flat(cell.text, no_wrap=True, overflow="ellipsis")
    if cell.passages:
        return Text(f"· {passages_word(len(cell.passages))}", style="dim")
    return Text("")


class FrameworkScreen(ProjectScreen):
    TITLE = _("Rammematrix")
    BINDINGS = [
        Binding(
            "e",
            "edit",
            _("Skriv resumé"),
            id="framework-edit",
            tooltip=_("Write the summary of the cell under the cursor (enter too)"),
        ),
        Binding(
            "delete",
            "clear",
            _("Slet resumé"),
            key_display="del",
            id="framework-clear",
            tooltip=_("Take the cell's summary away (u brings it back)"),
        ),
        Binding(
            "K",
            "basis",
            _("Kodet af"),
            id="framework-basis",
            tooltip=_(
                "Show one coder's passages, the consensus, or all coders together "
                "(stored as the project's basis)"
            ),
        ),
        *undo_bindings("summary"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.matrix: FrameworkMatrix | None = None
        self._covered = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="framework-head")
        yield Label("", id="framework-status")
        with Horizontal(id="framework-main"):
            # the jobcentre is a fixed first column, not a row label: Textual measures row
            # labels only when idle and then draws the table from stale lines
            yield DataTable(
                id="framework-table", cursor_type="cell", zebra_stripes=True, fixed_columns=1
            )
            with VerticalScroll(id="framework-side"):
                yield Static("", id="framework-cell")
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.reload()
        self.query_one("#framework-table", DataTable).focus()

    def on_screen_suspend(self) -> None:
        self._covered = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        covered, self._covered = self._covered, False
        changed = self.changed_since_shown()  # else the matrix shown is still right
        same = self.matrix is not None and self.matrix.question.id == self.app.question
        if (covered or not changed) and same:
            return  # back from a dialog: what it changed has redrawn the screen already
        self.reload()

    def reload(self) -> None:
        """(Re)read the question's matrix; the cursor stays on its jobcentre and theme."""
        table = self.query_one("#framework-table", DataTable)
        qid = self.app.question
        if qid is None:
            self.matrix = None
            table.clear(columns=True)
            self._line("#framework-head", _("Rammematrix"))
            self._line(
                "#framework-status",
                _("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."),
            )
            self._show_cell()
            return
        keep = self.current() if self.matrix is not None else None
        basis = self.project.basis()
        matrix = self.matrix = self.project.framework(qid, coder=basis)
        self.sub_title = f"{qid} · {matrix.title} · {matrix.basis_label}"
        self._line(
            "#framework-head",
            f"{qid}: {matrix.title} · " + _("{basis} (K skifter)").format(basis=matrix.basis_label),
        )
        warning = self.app.basis_warning(qid)
        self._line(
            "#framework-status",
            (f"{warning} · " if warning else "")
            + f"{integer(len(matrix.respondents))} {matrix.noun.plural} × "
            f"{themes(len(matrix.codes))} · "
            + _n("{n} resumé", "{n} resuméer", matrix.summarised).format(
                n=integer(matrix.summarised)
            )
            + " · "
            + _("e skriver, del sletter, u fortryder"),
        )
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column(flat(matrix.row_title), width=NAME_WIDTH, key="")
        for code in matrix.codes:  # labels come from data: never markup
            indent = "  " * matrix.depth.get(code.key, 0)
            table.add_column(flat(indent + code.label), width=THEME_WIDTH, key=code.key)
        for rid, _name in matrix.respondents:
            table.add_row(
                flat(matrix.display(rid), no_wrap=True, overflow="ellipsis"),
                *(cell_text(matrix.cell(rid, c.key)) for c in matrix.codes),
                key=rid,
            )
        if matrix.respondents and matrix.codes:
            if keep is not None:
                self.move_to(*keep)
            else:
                table.cursor_coordinate = Coordinate(min(row, len(matrix.respondents) - 1), 1)
        self._show_cell()

    def move_to(self, respondent: str, code: str) -> None:
        """Put the cursor on a cell (on the same row, or the first theme, when the
        jobcentre or the theme is not in the matrix)."""
        matrix = self.matrix
        if matrix is None or not matrix.respondents or not matrix.codes:
            return
        table = self.query_one("#framework-table", DataTable)
        rows = [r for r, _ in matrix.respondents]
        keys = [c.key for c in matrix.codes]
        row = rows.index(respondent) if respondent in rows else table.cursor_row
        column = keys.index(code) if code in keys else 0
        table.cursor_coordinate = Coordinate(min(row, len(rows) - 1), column + 1)

    def _line(self, selector: str, text: str) -> None:
        self.query_one(selector, Label).update(flat(text, no_wrap=True, overflow="ellipsis"))

    def current(self) -> tuple[str, str] | None:
        """(respondent, code key) of the cell under the cursor, or None."""
        matrix = self.matrix
        table = self.query_one("#framework-table", DataTable)
        if matrix is None or not matrix.respondents or not matrix.codes or not table.row_count:
            return None
        row, column = table.cursor_coordinate
        column -= 1  # the first column names the jobcentre
        if not (0 <= row < len(matrix.respondents) and 0 <= column < len(matrix.codes)):
            return None
        return matrix.respondents[row][0], matrix.codes[column].key

    @on(DataTable.CellHighlighted, "#framework-table")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.coordinate.column == 0 and self.matrix is not None and self.matrix.codes:
            # the jobcentre's own cell holds nothing to write: on to the first theme
            self.query_one("#framework-table", DataTable).cursor_coordinate = Coordinate(
                event.coordinate.row, 1
            )
            return
        self._show_cell()

    def _show_cell(self) -> None:
        """The cell under the cursor: whose and which theme, the summary, the passages."""
        pane = self.query_one("#framework-cell", Static)
        where = self.current()
        if self.matrix is None or where is None:
            pane.update(Text(_("Ingen celle valgt."), style="dim"))
            return
        pane.update(self.cell_view(*where))

    def cell_view(self, respondent: str, code: str) -> Text:
        """What the side pane shows for a cell (a Text, never markup)."""
        assert self.matrix is not None
        matrix = self.matrix
        cell = matrix.cell(respondent, code)
        out = Text()
        out.append(shown(matrix.display(respondent)) + "\n", style="bold")
        out.append(shown(matrix.label(code)) + "\n\n", style="bold")
        summary = cell.summary
        if summary is not None:
            out.append(
                _("Resumé ({author}, {date})").format(
                    author=shown(summary.author), date=date(summary.at)
                )
                + "\n",
                style="dim",
            )
            out.append(shown(summary.text) + "\n")
        else:
            out.append(_("Intet resumé endnu – tryk e eller enter.") + "\n", style="dim italic")
        out.append(
            "\n" + _("Kodede passager ({n})").format(n=integer(len(cell.passages))) + "\n",
            style="bold",
        )
        if not cell.passages:
            out.append(_("Ingen: intet her er kodet med temaet.") + "\n", style="dim")
        for p in cell.passages:
            head = p.where() or _("svar")
            out.append(f"\n— {shown(head)} · {shown(', '.join(p.coders))}\n", style="dim")
            out.append(plain(p.text))
            out.append("\n")
        return out

    # -- actions ------------------------------------------------------------------
    @on(DataTable.CellSelected, "#framework-table")
    def _selected(self, event: DataTable.CellSelected) -> None:
        if event.coordinate.column > 0:
            self.action_edit()

    def action_edit(self) -> None:
        from qualcode.tui.widgets.dialogs import TextDialog

        where = self.current()
        if self.matrix is None or where is None:
            self.notify(_("Ingen celle at skrive i."), severity="warning")
            return
        respondent, code = where
        qid = self.matrix.question.id
        cell = self.matrix.cell(respondent, code)
        title = _("Resumé: {who} · {theme} ({passages}; tom tekst sletter resuméet)").format(
            who=self.matrix.display(respondent),
            theme=self.matrix.label(code),
            passages=passages_word(len(cell.passages)),
        )

        def chosen(text: str | None) -> None:
            if text is None:
                return
            self._write(qid, respondent, code, text)

        self.app.push_screen(TextDialog(title, cell.text, id="framework-summary"), chosen)

    def action_clear(self) -> None:
        where = self.current()
        if self.matrix is None or where is None:
            return
        if self.matrix.cell(*where).summary is None:
            self.notify(_("Cellen har intet resumé."), severity="warning", timeout=2)
            return
        self._write(self.matrix.question.id, *where, "")

    def _write(self, qid: str, respondent: str, code: str, text: str) -> None:
        """Set (or, with no text, take away) a summary through the app's one way of
        writing; the screen redraws once it is committed."""

        def do(project: Project) -> str:
            label = project.codebook(project.question(qid).codebook).code(code).label
            if not text.strip():
                changed = project.clear_summary(qid, respondent, code)
                said = _("Resumé slettet: {respondent} · {theme}")
            else:
                changed = project.set_summary(qid, respondent, code, text)
                said = _("Resumé gemt: {respondent} · {theme}")
            return said.format(respondent=respondent, theme=label) if changed else ""

        def done(message: str) -> None:
            self.reload()
            if message:
                self.notify(message, timeout=2)

        self.app.write(self, do, done)

    def action_basis(self) -> None:
        self.app.choose_basis(then=self.reload)

    def action_undo(self) -> None:
        self.undo_group("framework")

    def action_redo(self) -> None:
        self.undo_group("framework", redo=True)
