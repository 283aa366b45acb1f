"""The crosstab screen (F7): the current question's themes by a respondent attribute.

Pick the attribute (``a``), optionally group its values (``g``: "høj=I høj grad,I meget
høj grad; lav=I nogen grad,I mindre grad"), and the table shows per theme "n af N (%)"
for each group, the difference in percentage points (two groups), the test (Fisher's
exact test, or chi-square for more groups, marked * when an expected count is below 5),
the p-value and whether it is significant; under it the bases, who was left out and
the warning. Each value is its own group in the survey's order (from the register, or
given once with ``o``). When the groups do not fit the terminal's width beside the
themes, the table turns vertical: a theme's row with its test, then a row per group.
Exports to CSV, XLSX or Markdown with the same renderers as ``qualcode crosstab``,
rendered when asked for. Counting runs in a thread worker, in plain Python (no pandas).
"""

from __future__ import annotations

import textwrap
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
from qualcode.io.fmt import integer, themes
from qualcode.tui.messages import CrosstabComputed, WorkerFailed
from qualcode.tui.screens.base import undo_bindings
from qualcode.tui.screens.counts import FORMATS
from qualcode.tui.screens.tables import TableScreen
from qualcode.tui.shown import plain, reason
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from qualcode.core.crosstab import CrossTable, Group

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
    table: CrossTable  # for the exports, rendered when asked for
    groups: int  # how many groups the table has
    basis_label: str = ""  # "Kodet af: consensus"

    def export(self, fmt: str) -> bytes:
        """The export as ``qualcode crosstab`` renders it (pandas: in a worker)."""
        from qualcode.io.crosstab import render_crosstab
        from qualcode.io.export import excel_da

        data = render_crosstab(self.table.frame(), fmt)
        # a CSV saved from the workbench is opened by a person: Danish Excel's dialect
        return excel_da(data) if fmt == "csv" else data


PADDING = 2  # a DataTable cell's padding, both sides
SCROLLBAR = 2
MIN_LABEL = 28  # the themes' column is never narrower in the wide layout


@dataclass(frozen=True)
class Layout:
    """How the table is laid out at a width: its columns (header, width or None for the
    content's), its rows (key, cells) and the header's height in lines."""

    vertical: bool
    columns: list[tuple[str, int | None]]
    rows: list[tuple[str, list[str]]]
    header_height: int


def wrapped(text: str, width: int) -> str:
    """``text`` wrapped at word boundaries into lines of at most ``width`` (a word
    longer than that is broken)."""
    return "\n".join(textwrap.wrap(text, max(1, width), break_on_hyphens=False)) or text


def layout(view: CrossView, width: int) -> Layout:
    """The wide table (a column per group) when it fits ``width`` with the themes at least
    :data:`MIN_LABEL` wide (or as wide as the longest), a theme's label wrapping at word
    boundaries; else the vertical one: per theme a row with the difference and the test,
    then a row per group with its share."""
    head, rows = view.head, view.rows
    groups = view.groups
    label_width = max([len(head[0]), *(len(r[0]) for r in rows)])
    avail = width - SCROLLBAR - PADDING * len(head)
    others = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head) if i]
    # a group's name may wrap onto two lines over its cells
    for i in range(groups):
        cells = max([1, *(len(r[i + 1]) for r in rows)])
        others[i] = max(cells, *(len(w) for w in head[i + 1].split()))
    room = avail - sum(others)
    if room >= min(label_width, MIN_LABEL):
        label = min(label_width, room)
        heads = [
            wrapped(h, w) if 0 < i <= groups else h
            for i, (h, w) in enumerate(zip(head, [label, *others], strict=True))
        ]
        height = max(h.count("\n") + 1 for h in heads)
        columns: list[tuple[str, int | None]] = [(heads[0], label)]
        columns += zip(heads[1:], others, strict=True)
        body = [
            (key, [wrapped(r[0], label), *r[1:]]) for key, r in zip(view.keys, rows, strict=True)
        ]
        return Layout(False, columns, body, height)
    # vertical: the theme's row with the difference (two groups) in the shares' column
    # and its test, then a row per group with its share
    two = groups == 2  # then display_rows has the difference after the groups
    rest = head[2 + groups :] if two else head[1 + groups :]
    shares = [*(c for r in rows for c in r[1 : 1 + groups]), *(r[1 + groups] for r in rows if two)]
    share_head = _("Andel / forskel") if two else _("Andel")
    share = max([len(share_head), *map(len, shares)])
    tail = len(head) - len(rest)
    rest_widths = [max([len(h), *(len(r[tail + i]) for r in rows)]) for i, h in enumerate(rest)]
    avail = width - SCROLLBAR - PADDING * (2 + len(rest))
    label = max(12, min(label_width + 2, avail - share - sum(rest_widths)))
    columns = [(head[0], label), (share_head, None), *((h, None) for h in rest)]
    lines: list[tuple[str, list[str]]] = []
    for key, r in zip(view.keys, rows, strict=True):
        lines.append((key, [wrapped(r[0], label), r[1 + groups] if two else "", *r[tail:]]))
        indent = r[0][: len(r[0]) - len(r[0].lstrip())] + "  "  # under its theme's label
        for i, name in enumerate(head[1 : 1 + groups]):
            share_cells = [wrapped(indent + name, label), r[1 + i], *([""] * len(rest))]
            lines.append((f"{key}\t{i}", share_cells))
    return Layout(True, columns, lines, 1)


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


def parse_spec(text: str) -> list[Group] | None:
    """'a=x,y; b=z' -> groups (None when empty: every value its own group)."""
    from qualcode.core.crosstab import parse_groups

    return parse_groups([part for part in text.split(";") if part.strip()])


class CrosstabScreen(TableScreen):
    TITLE = _("Krydstabel")
    PREFIX = "crosstab"
    FORMATS = FORMATS
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
            "o",
            "order_values",
            _("Rækkefølge"),
            id="crosstab-order",
            tooltip=_(
                "Give the survey's order of the attribute's values once "
                "(kept in the project, for every table)"
            ),
        ),
        *undo_bindings("attributes"),
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
        self._shown_request: tuple | None = None  # (attribute, groups) last counted

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
        changed = self.changed_since_shown()
        if covered and self.view is not None and self.view.question == self.app.question:
            return
        if not changed and self._shown_request == (self.attribute, self.groups):
            return  # nothing changed since it was counted: the table is still right
        self.reload()

    def on_resize(self) -> None:
        if self.view is not None:
            self._fill(self.view)

    def reload(self) -> None:
        qid = self.app.question
        self._shown_request = (self.attribute, self.groups)
        if qid is None:
            self.view = None
            self._cleared(_("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."))
            return
        if self.attribute is None:
            self.view = None
            self._head(_("{question}: vælg en baggrundsvariabel").format(question=qid))
            self._cleared(
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
        """Count on a connection of the worker's own, in plain Python: the exports are
        rendered (with pandas) only when one is asked for."""
        from qualcode.core import crosstab as xt
        from qualcode.io.crosstab import display_rows, notes

        with self.app.worker_project(readonly=True) as project:
            table = xt.cross_table(project, qid, attribute, groups=groups, coder=project.basis())
        head, rows = display_rows(table)
        return CrossView(
            question=qid,
            attribute=attribute,
            title=table.attrs["title"],
            head=head,
            rows=rows,
            keys=[r["code"] for r in table.rows],
            notes=notes(table),
            table=table,
            groups=len(table.attrs["groups"]),
            basis_label=table.attrs.get("basis_label") or "",
        )

    @on(WorkerFailed)
    def _failed(self, event: WorkerFailed) -> None:
        """The count failed (the app has said why): no table, and why on the status line."""
        self.view = None
        self._shown_request = None
        self._cleared(_("Ingen krydstabel: {reason}").format(reason=reason(event.error)))

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
        self._fill(view)
        self.query_one("#crosstab-notes", Static).update(plain("\n".join(view.notes)))

    def _fill(self, view: CrossView) -> None:
        """The table laid out for the table's width (wide, or vertical when the groups do
        not fit beside the themes); the cursor stays on its theme."""
        table = self.query_one("#crosstab-table", DataTable)
        keep = None
        if table.row_count:
            keep = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            keep = keep.split("\t")[0]
        shape = layout(view, table.size.width or self.app.size.width)
        table.clear(columns=True)
        table.header_height = shape.header_height
        for i, (header, width) in enumerate(shape.columns):  # names and labels: data
            table.add_column(plain(header), key=f"col{i}", width=width)
        for key, cells in shape.rows:
            theme = "\t" not in key
            table.add_row(
                plain(cells[0], style="bold" if shape.vertical and theme else ""),
                *(plain(c, justify="right") for c in cells[1:]),
                key=key,
                height=None if "\n" in cells[0] else 1,
            )
        if shape.rows:
            keys = [k for k, _c in shape.rows]
            table.move_cursor(row=keys.index(keep) if keep in keys else 0)

    # -- actions ------------------------------------------------------------------
    def action_basis(self) -> None:
        self.app.choose_basis(then=self.reload)

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
            choices.append((name, values_choice(name, value_order(self.project, name))))

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
        from qualcode.core.crosstab import value_order
        from qualcode.tui.widgets.dialogs import InputDialog

        if self.attribute is None:
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
            InputDialog(title, group_spec(self.groups), id="crosstab-groups"), chosen
        )

    def action_order_values(self) -> None:
        from qualcode.core.crosstab import value_order
        from qualcode.tui.widgets.dialogs import InputDialog

        attribute = self.attribute
        if attribute is None:
            self.notify(_("Vælg først en variabel (a)."), severity="warning")
            return
        title = _(
            "Spørgeskemaets rækkefølge af {attribute}s værdier, adskilt af komma "
            "(gemmes i projektet; tomt: alfabetisk)"
        ).format(attribute=attribute)

        def chosen(text: str | None) -> None:
            if text is None:
                return
            values = [v.strip() for v in text.split(",") if v.strip()]

            def do(project) -> str:
                from qualcode.core.matrix import set_value_order

                set_value_order(project, attribute, values)
                return _("Rækkefølgen af {attribute} er gemt.").format(attribute=attribute)

            def done(message: str) -> None:
                self.notify(message, timeout=3)
                self.reload()

            self.app.write(self, do, done)

        current = ", ".join(value_order(self.project, attribute))
        self.app.push_screen(InputDialog(title, current, id="crosstab-order-input"), chosen)

    def action_undo(self) -> None:
        self.undo_group("attributes")

    def action_redo(self) -> None:
        self.undo_group("attributes", redo=True)

    def action_theme_matrix(self) -> None:
        from qualcode.tui.screens.matrix import MatrixScreen

        self.app.push_screen(MatrixScreen())

    def action_recompute(self) -> None:
        if self.attribute is None:
            self.notify(_("Vælg først en variabel (a)."), severity="warning")
            return
        self.reload()

    def action_export(self, fmt: str) -> None:
        view = self.view
        if view is None:
            self.notify(_("Ingen krydstabel at eksportere endnu (a)."), severity="warning")
            return
        self.export(
            fmt,
            _("Eksportér krydstabellen som {format}. Filnavn:").format(format=FORMATS[fmt]),
            _("krydstabel-{question}-{attribute}").format(
                question=view.question, attribute=view.attribute
            )
            + f".{fmt}",
            lambda: view.export(fmt),
        )
