"""The grid of answers: the question's answers one per row, with their codes and the
respondent attributes the analyst chooses (QualCoder's issue #411, QDA Miner's grid).

Opened with ``g`` from the coding screen (``g`` again, or Escape, goes back). ``a`` chooses
the attribute columns (remembered per project and user), ``s`` sorts by the column the
cursor is in (again: the other way), ``/`` filters with the queue's search syntax plus
``NAME:VALUE`` for an attribute (``kode:fleksjob region:nord``, a name or value of more
words in quotes: ``"Antal borgere":"1-5"``), ``=`` filters on the value under the cursor,
Enter opens the row's answer on the coding screen.

The grid is worked out in the core (:meth:`qualcode.core.project.Project.grid`) as an
ordered list of ids; the table holds one page of rows at a time, and moving past its
first or last row turns the page, so a question of 100,000 answers opens as fast as one
of 35.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Header, Input, Label, SelectionList
from textual.widgets.selection_list import Selection

from qualcode.core.grid import CODES, RESPONDENT, TEXT, Grid, GridRow, SortBy
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.safe import one_line
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from textual import getters

    from qualcode.tui.app import QualcodeApp

_, _n = translator("tui")

PAGE = 100  # rows in the table at a time
TEXT_WIDTH = 30  # of the answer's column at least (its first line, cut with …)
MAX_TEXT_WIDTH = 100
CODES_WIDTH = 28
VALUE_WIDTH = 20  # of an attribute's column at most
_ATTRIBUTE = "attribute:"  # + its name: an attribute column's key
_PLAIN_VALUE = re.compile(r"[^\s\"]+")

# what each open workbench's grid last filtered and sorted on, per question: coming back
# with g finds it as it was left
_LAST: WeakKeyDictionary[App, dict[str, tuple[str, SortBy | None]]] = WeakKeyDictionary()


def cut(text: str, width: int, more: bool = False) -> Text:
    """``text`` on one line in ``width`` cells at most, ending in … where it was cut (or
    where ``more`` of it follows); never markup, control characters visible."""
    line = one_line(text)
    if len(line) > width or more:
        line = line[: width - 1].rstrip() + "…"
    return Text(line)


class GridTable(DataTable[Text]):
    """The page of rows; moving past its first or last row asks the screen for the page
    before or after (``pager(-1)``, ``pager(1)``; ±2 for the first or the last). Enter
    selects the cell (the screen opens its answer)."""

    BINDINGS: ClassVar = [
        Binding(
            "enter",
            "select_cursor",
            _("Åbn"),
            id="grid-open",
            tooltip=_("Open the answer on the coding screen"),
        ),
    ]

    def __init__(self, pager: Callable[[int], bool], **kwargs) -> None:
        super().__init__(**kwargs)
        self.pager = pager

    def action_cursor_down(self) -> None:
        if not (self.cursor_row >= self.row_count - 1 and self.pager(1)):
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not (self.cursor_row <= 0 and self.pager(-1)):
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if not (self.cursor_row >= self.row_count - 1 and self.pager(1)):
            super().action_page_down()

    def action_page_up(self) -> None:
        if not (self.cursor_row <= 0 and self.pager(-1)):
            super().action_page_up()

    def action_scroll_top(self) -> None:
        if not self.pager(-2):
            super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        if not self.pager(2):
            super().action_scroll_bottom()


class ColumnsDialog(ModalScreen[list[str] | None]):
    """Choose the attribute columns: space ticks one, Enter takes the choice."""

    if TYPE_CHECKING:
        app = getters.app(QualcodeApp)  # as WorkerScreen types it

    BINDINGS = [
        Binding("escape", "cancel", _("Fortryd"), tooltip=_("Close without changes")),
        Binding(
            "enter", "accept", _("Vælg"), tooltip=_("Show the ticked attributes"), priority=True
        ),
    ]

    def __init__(self, attributes: list[str], chosen: list[str]) -> None:
        super().__init__(id="grid-columns")
        self.attributes = attributes
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                _("Kolonner: oplysninger om {units} (mellemrum vælger, Enter viser)").format(
                    units=self.app.project.noun().plural
                ),
                classes="dialog-title",
            )
            yield SelectionList[str](
                *[Selection(flat(a), a, a in self.chosen) for a in self.attributes],
                id="grid-columns-list",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), variant="primary", id="ok")
                yield Button(_("Fortryd"), id="cancel")

    @on(Button.Pressed, "#ok")
    def action_accept(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        self.dismiss([a for a in self.attributes if a in ticked])  # in the register's order

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class GridScreen(ProjectScreen):
    """The grid of the app's current question. Dismissed with the id of the answer to
    open on the coding screen, or None."""

    TITLE = _("Svartabel")
    DEFAULT_CSS = """
    #grid-filter { margin: 0 1; }
    #grid-status { height: 1; width: 1fr; padding: 0 1; color: $text-muted; }
    #grid-table { height: 1fr; min-height: 4; border: none; }
    #grid-columns-list { height: auto; max-height: 20; }
    """
    BINDINGS: ClassVar = [
        Binding(
            "g",
            "back",
            _("Til kodningen"),
            id="grid-back",
            tooltip=_("Back to the coding screen, where you were"),
        ),
        Binding(
            "s",
            "sort",
            _("Sortér"),
            id="grid-sort",
            tooltip=_("Sort by the cursor's column (again: the other way)"),
        ),
        Binding(
            "a",
            "columns",
            _("Kolonner"),
            id="grid-columns",
            tooltip=_("Choose the respondent attributes shown as columns"),
        ),
        Binding(
            "slash",
            "search",
            _("Filter"),
            id="grid-filter",
            key_display="/",
            tooltip=_("Filter: words, kode:KEY, jc:ID, NAME:VALUE (Enter applies)"),
        ),
        Binding(
            "equals_sign",
            "filter_value",
            _("Filtrér på værdien"),
            id="grid-filter-value",
            key_display="=",
            tooltip=_("Add the value under the cursor (attribute, code, respondent) to the filter"),
        ),
        Binding("escape", "escape", _("Tilbage"), show=False),
    ]

    def __init__(self, *, coder: str | None = None, current: int | None = None) -> None:
        super().__init__()
        self.coder = coder  # whose codes the grid shows (None: everybody's)
        self.current = current  # the answer the cursor starts on
        self.grid: Grid | None = None
        self.rows: list[GridRow] = []
        self.first_row = 0  # the page starts at this row of the grid
        self.sort: SortBy | None = None
        self.attributes: list[str] = []
        self.widths: list[int] = []  # of the columns, in their order

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder=_("/ filter: ord, kode:KEY, jc:ID, OPLYSNING:VÆRDI · Enter filtrerer"),
            id="grid-filter",
        )
        yield Label("", id="grid-status")
        yield GridTable(self.turn_page, id="grid-table", cursor_type="cell", zebra_stripes=True)
        yield Footer()

    @property
    def table(self) -> GridTable:
        return self.query_one(GridTable)

    def on_mount(self) -> None:
        from qualcode.paths import os_user

        remembered = self.project.remembered_grid_columns(os_user())
        self.attributes = remembered if remembered is not None else []
        last = _LAST.get(self.app, {}).get(self.app.question or "")
        if last is not None:
            self.query_one("#grid-filter", Input).value, self.sort = last
        self.reload(keep=self.current)
        self.table.focus()

    # -- loading ------------------------------------------------------------------
    def reload(self, *, keep: int | None = None) -> None:
        """Work the grid out again (question, filter, sort or columns changed), with the
        cursor on the answer ``keep`` (else the one it is on) if the grid has it."""
        qid = self.app.question
        if qid is None:
            self.query_one("#grid-status", Label).update(_("Projektet har ingen spørgsmål endnu."))
            return
        keep = keep if keep is not None else self.current_item_id
        text = self.query_one("#grid-filter", Input).value
        sort = self.sort
        if sort is not None and sort.attribute and sort.column not in self.attributes:
            sort = self.sort = None  # its column was taken away
        try:
            grid = self.project.grid(
                qid, attributes=self.attributes, query=text, sort=sort, coder=self.coder
            )
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.grid = grid
        _LAST.setdefault(self.app, {})[qid] = (text, sort)
        self.sub_title = f"{grid.question.id} · {grid.book.title}"
        for warning in grid.warnings:
            self.notify(warning, severity="warning", timeout=6)
        index = grid.index(keep) if keep is not None else None
        offset = (index or 0) // PAGE * PAGE
        self._columns(grid.rows(offset, PAGE))
        self.show_page(offset, row=(index or 0) % PAGE)

    def _columns(self, sample: list[GridRow]) -> None:
        """The columns, as wide as the rows of ``sample`` need (the attributes' at most
        VALUE_WIDTH); the answer's column takes what the screen has left."""
        table = self.table
        column = table.cursor_column
        table.clear(columns=True)
        unit = self.project.noun().singular
        unit = unit[:1].upper() + unit[1:]
        self.widths = [max([len(unit), *(len(r.respondent) for r in sample)]), 0, CODES_WIDTH]
        self.widths += [
            min(VALUE_WIDTH, max([len(a) + 2, *(len(r.values[n]) for r in sample)]))
            for n, a in enumerate(self.attributes)
        ]
        # each column has a cell of padding either side; the scroll bar takes two
        left = self.size.width - sum(w + 2 for w in self.widths) - 4
        self.widths[1] = max(TEXT_WIDTH, min(MAX_TEXT_WIDTH, left))
        heads = [(RESPONDENT, unit), (TEXT, _("Svar")), (CODES, _("Kodet med"))]
        heads += [(_ATTRIBUTE + a, a) for a in self.attributes]
        for (key, label), width in zip(heads, self.widths, strict=True):
            table.add_column(self._heading(key, label), key=key, width=width)
        table.cursor_coordinate = table.cursor_coordinate._replace(
            column=min(column, len(heads) - 1)
        )

    def on_resize(self) -> None:
        if self.grid is not None and self.widths:  # the answer's column takes the new width
            row = self.table.cursor_row
            self._columns(self.rows)
            self.show_page(self.first_row, row=row)

    def _heading(self, key: str, label: str) -> Text:
        heading = flat(label, style="bold")
        sort = self.sort
        if sort is not None and self._column_key(sort) == key:
            heading.append(" ↓" if sort.descending else " ↑")
        return heading

    @staticmethod
    def _column_key(sort: SortBy) -> str:
        return _ATTRIBUTE + sort.column if sort.attribute else sort.column

    def show_page(self, offset: int, *, row: int = 0) -> None:
        """Put the page from ``offset`` in the table, the cursor on its ``row`` (-1: the
        last), in the same column."""
        assert self.grid is not None  # a page of the grid worked out
        table = self.table
        column = table.cursor_column
        self.first_row = max(0, offset)
        self.rows = self.grid.rows(self.first_row, PAGE)
        table.clear()
        for r in self.rows:
            widths = self.widths
            cells = [
                cut(r.respondent, widths[0]),
                cut(r.text, widths[1], r.cut),
                cut(", ".join(r.codes), widths[2]),
                *(cut(v, w) for v, w in zip(r.values, widths[3:], strict=True)),
            ]
            table.add_row(*cells, key=str(r.item_id))
        if self.rows:
            row = len(self.rows) - 1 if row < 0 else min(row, len(self.rows) - 1)
            table.cursor_coordinate = table.cursor_coordinate._replace(row=row, column=column)
        self._status()

    def _status(self) -> None:
        grid = self.grid
        assert grid is not None  # said of the grid shown
        n = len(grid)
        if n:
            parts = [
                _n(
                    "{first}–{last} af {n} svar",
                    "{first}–{last} af {n} svar",
                    n,
                ).format(
                    first=integer(self.first_row + 1),
                    last=integer(self.first_row + len(self.rows)),
                    n=integer(n),
                )
            ]
        else:
            parts = [_("ingen svar")]
        filtered = " ".join(self.query_one("#grid-filter", Input).value.split())
        if filtered:
            parts.append(
                _("filter: {query} ({total} i alt)").format(
                    query=filtered, total=integer(grid.total)
                )
            )
        if self.sort is not None:
            label = self._label_of(self._column_key(self.sort))
            parts.append(
                (
                    _("sorteret efter {column} ↓")
                    if self.sort.descending
                    else _("sorteret efter {column} ↑")
                ).format(column=label)
            )
        self.query_one("#grid-status", Label).update(flat(" · ".join(parts)), layout=False)

    def _label_of(self, key: str) -> str:
        if key.startswith(_ATTRIBUTE):
            return key[len(_ATTRIBUTE) :]
        unit = self.project.noun().singular
        return {RESPONDENT: unit, TEXT: _("svar"), CODES: _("koder")}[key]

    def turn_page(self, direction: int) -> bool:
        """The page before (-1) or after (1), the first (-2) or the last (2); False if
        there is none to turn to."""
        if self.grid is None or not len(self.grid):
            return False
        last = (len(self.grid) - 1) // PAGE * PAGE
        if direction == 1 and self.first_row < last:
            self.show_page(self.first_row + PAGE, row=0)
        elif direction == -1 and self.first_row > 0:
            self.show_page(self.first_row - PAGE, row=-1)
        elif direction == -2 and self.first_row > 0:
            self.show_page(0, row=0)
        elif direction == 2 and self.first_row < last:
            self.show_page(last, row=-1)
        else:
            return False
        return True

    @property
    def current_item_id(self) -> int | None:
        """The answer in the cursor's row."""
        if not self.rows:
            return None
        row = self.table.cursor_row
        return self.rows[row].item_id if 0 <= row < len(self.rows) else None

    def _cursor_key(self) -> str:
        table = self.table
        return str(table.ordered_columns[table.cursor_column].key.value)

    # -- actions ------------------------------------------------------------------
    def action_sort(self) -> None:
        self.sort_by(self._cursor_key())

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))

    def sort_by(self, key: str) -> None:
        """Sort by a column (its key); by the same again: the other way."""
        if key.startswith(_ATTRIBUTE):
            wanted = SortBy(key[len(_ATTRIBUTE) :], attribute=True)
        else:
            wanted = SortBy(key)
        if self.sort is not None and self._column_key(self.sort) == key:
            wanted = self.sort.flipped()
        self.sort = wanted
        self.reload()

    def action_columns(self) -> None:
        from qualcode.paths import os_user

        known = self.project.grid_attributes()
        if not known:
            self.notify(
                _("Projektet har ingen oplysninger om {units}: importér et register (i).").format(
                    units=self.project.noun().plural
                ),
                severity="warning",
            )
            return

        def chosen(names: list[str] | None) -> None:
            if names is None or names == self.attributes:
                return
            self.attributes = names

            def remember(project) -> str:
                project.remember_grid_columns(os_user(), names)
                return ""

            self.app.write(self, remember, lambda _message: None)
            self.reload()

        self.app.push_screen(ColumnsDialog(known, self.attributes), chosen)

    def action_search(self) -> None:
        self.query_one("#grid-filter", Input).focus()

    @on(Input.Submitted, "#grid-filter")
    def _filter(self) -> None:
        self.reload()
        self.table.focus()

    def action_filter_value(self) -> None:
        """Add the value under the cursor to the filter: ``NAME:VALUE`` for an attribute,
        ``kode:KEY`` for the row's first code, ``jc:ID`` for the respondent."""
        if not self.rows or self.grid is None:
            return
        row = self.rows[self.table.cursor_row]
        key = self._cursor_key()
        term = ""
        if key.startswith(_ATTRIBUTE):
            name = key[len(_ATTRIBUTE) :]
            value = row.values[self.grid.attributes.index(name)]
            if value.strip() and '"' not in name:  # a name of more words goes in quotes
                term = f"{self._quoted(name)}:{self._quoted(value.strip())}"
        elif key == CODES and row.codes:
            code = self.grid.book.find(row.codes[0])
            term = f"kode:{code.key}" if code is not None else ""
        elif key == RESPONDENT:
            term = f"jc:{self._quoted(row.respondent)}"
        if not term:
            self.notify(_("Intet at filtrere på i denne celle."), severity="warning", timeout=2)
            return
        line = self.query_one("#grid-filter", Input)
        line.value = f"{line.value.strip()} {term}".strip()
        self.reload()

    @staticmethod
    def _quoted(value: str) -> str:
        return value if _PLAIN_VALUE.fullmatch(value) else '"' + value.replace('"', "") + '"'

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        item_id = self.current_item_id
        if item_id is not None:
            self.dismiss(item_id)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_escape(self) -> None:
        if self.focused is self.query_one("#grid-filter", Input):
            self.table.focus()
        else:
            self.dismiss(None)
