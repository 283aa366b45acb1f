"""The counts screen (F4): the report's table for the current question, and a bar chart.

"Anført af 15 ud af 35 jobcentre", the share with a Danish decimal comma, the report's
2018 figure beside it when the codebook has one (and the difference in percentage
points), the verbal scale for interviews, and a horizontal bar chart in the codes'
colours. The table is exported to CSV, XLSX or Markdown with the same renderers as
``qualcode counts``; files are written whole or not at all and never overwritten
without asking.

Counting goes through pandas, which is slow to import, so it runs in a thread worker:
the screen shows at once with "Beregner…" and fills in when the numbers are there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Label, Static
from textual.worker import get_current_worker

from qualcode.core.counts import plain_value
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import MISSING, integer, mentioned, points, scale, themes, units
from qualcode.io.fmt import percent as pct
from qualcode.safe import one_line
from qualcode.tui.messages import (
    ChartSaved,
    CooccurrenceComputed,
    CountsComputed,
    FileNotSaved,
    ReportWritten,
    TableExported,
    WorkerFailed,
)
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat, plain, reason, shown
from qualcode.tui.widgets.bar_chart import Bar, BarChart, clip
from qualcode.tui.widgets.cooccurrence import CooccurrencePanel
from qualcode.tui.widgets.footer import Footer

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.cooccurrence import Cooccurrence
    from qualcode.core.project import Project

_, _n = translator("tui")

FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "md": "Markdown"}
VIEWS = ("begge", "diagram", "tabel")


def view_text(view: str) -> str:
    """What the screen shows in a view, for the line that says so."""
    return {
        "begge": _("tabel og diagram"),
        "diagram": _("kun diagram"),
        "tabel": _("kun tabel"),
    }[view]


@dataclass(frozen=True)
class CountRow:
    """One theme's line of the table, as plain Python (no pandas on the UI thread)."""

    key: str
    label: str
    definition: str
    depth: int
    color: str
    respondents: int
    answered: int
    percent: float | None
    mentioned: str
    scale: str
    published: int | None
    published_base: int | None
    published_year: int | None
    published_percent: float | None

    @property
    def difference(self) -> float | None:
        """Percentage points above (+) or below (−) the published figure."""
        if self.published is None or not self.published_base or not self.answered:
            return None
        return (
            100.0 * self.respondents / self.answered - 100.0 * self.published / self.published_base
        )


@dataclass(frozen=True)
class CountTable:
    question: str
    title: str
    kind: str
    answered: int
    published_source: str
    rows: tuple[CountRow, ...]
    basis_label: str = ""  # "Kodet af: consensus"
    noun: str = "jobcentre"  # what was counted, plural: the project's noun

    @property
    def has_published(self) -> bool:
        return any(r.published is not None for r in self.rows)

    @property
    def published_year(self) -> int | None:
        return next((r.published_year for r in self.rows if r.published_year is not None), None)


_value = plain_value


def table_from_frame(frame: pd.DataFrame) -> CountTable:
    """The counts DataFrame (``Project.counts``) as a :class:`CountTable`."""
    rows = []
    kind, noun = frame.attrs.get("kind", "open"), units(frame.attrs)
    for rec in frame.to_dict("records"):
        r = {k: _value(v) for k, v in rec.items()}
        rows.append(
            CountRow(
                key=r["code"],
                label=r["label"],
                definition=r.get("definition") or "",
                depth=int(r.get("depth") or 0),
                color=r.get("color") or "#7F7F7F",
                respondents=int(r["respondents"]),
                answered=int(r["answered"]),
                percent=None if r["percent"] is None else float(r["percent"]),
                mentioned=mentioned(kind, int(r["respondents"]), int(r["answered"]), noun),
                scale=r.get("scale") or "",
                published=None if r["published"] is None else int(r["published"]),
                published_base=None if r["published_base"] is None else int(r["published_base"]),
                published_year=None if r["published_year"] is None else int(r["published_year"]),
                published_percent=(
                    None if r["published_percent"] is None else float(r["published_percent"])
                ),
            )
        )
    answered = rows[0].answered if rows else 0
    return CountTable(
        question=frame.attrs.get("question", ""),
        title=frame.attrs.get("title", ""),
        kind=frame.attrs.get("kind", "open"),
        answered=answered,
        published_source=frame.attrs.get("published_source") or "",
        rows=tuple(rows),
        basis_label=frame.attrs.get("basis_label") or "",
        noun=frame.attrs.get("noun_plural") or "jobcentre",
    )


NARROW = 100  # below this many columns the table saves room: "± pp" instead of "Forskel"


class CountsScreen(ProjectScreen):
    TITLE = _("Optælling")
    BINDINGS = [
        Binding(
            "c",
            "export('csv')",
            _("Eksportér CSV"),
            id="counts-export-csv",
            tooltip=_("Export the table as CSV (one row per theme)"),
        ),
        Binding(
            "x",
            "export('xlsx')",
            _("Eksportér XLSX"),
            id="counts-export-xlsx",
            tooltip=_("Export the table as an Excel workbook"),
        ),
        Binding(
            "m",
            "export('md')",
            _("Eksportér Markdown"),
            id="counts-export-md",
            tooltip=_("Export the table as Markdown, in the report's layout"),
        ),
        Binding(
            "r",
            "recompute",
            _("Genberegn"),
            id="counts-recompute",
            tooltip=_("Count again from the project file"),
        ),
        Binding(
            "b",
            "toggle_chart",
            _("Diagram"),
            id="counts-chart",
            tooltip=_("Cycle the view: table and chart, chart only, table only"),
        ),
        Binding(
            "g",
            "save_chart",
            _("Gem diagram"),
            id="counts-save-chart",
            tooltip=_("Save the question's bar chart as PNG or SVG (from the file name)"),
        ),
        Binding(
            "s",
            "cooccurrence",
            _("Nævnt sammen"),
            id="counts-cooccurrence",
            tooltip=_(
                "Show or hide the themes the same jobcentres mention together with the "
                "theme under the cursor: how many mention both, and the Jaccard index "
                "(qualcode cooccurrence)"
            ),
        ),
        Binding(
            "K",
            "basis",
            _("Kodet af"),
            id="counts-basis",
            tooltip=_(
                "Count on one coder, the consensus, or all coders together "
                "(stored as the project's basis; the CLI counts on it too)"
            ),
        ),
        Binding(
            "E",
            "noun",
            _("Enhed"),
            id="counts-noun",
            tooltip=_(
                "What the respondents are, singular/plural (jobcenter/jobcentre, "
                "kommune/kommuner): every table, chart and report counts in it"
            ),
        ),
        Binding(
            "p",
            "report",
            _("Rapport"),
            id="counts-report",
            tooltip=_(
                "Write the report: every coded question's table, chart and starred "
                "quotes, as DOCX, XLSX, HTML or Markdown (qualcode report)"
            ),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.table: CountTable | None = None
        self.view = "begge"
        self._covered = False
        self._busy = ""
        self.waves: dict | None = None  # the other waves' shares, when the question has some
        self._warned: str | None = None  # the question whose basis warning was shown
        self.cooc: Cooccurrence | None = None  # the pairs of the question, once counted
        self.cooc_on = False  # the "nævnt sammen" panel is wanted (shown with the table)
        self._cooc_failed = ""  # why the latest count of the pairs failed

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="counts-head")
        yield Label(_("Beregner…"), id="counts-status")
        yield DataTable(id="counts-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="counts-detail")
        yield CooccurrencePanel(id="counts-cooc-box")
        with VerticalScroll(id="counts-chart-box"):
            yield BarChart(id="counts-chart", empty=_("Ingen temaer i kodebogen."))
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#counts-table", DataTable).focus()
        self.query_one(CooccurrencePanel).display = False

    def on_screen_suspend(self) -> None:
        self._covered = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Count again whenever the screen is shown (codings may have changed on another
        screen), but not when a dialog on top of it closes: exports and the palette do not
        change the numbers, and the import and question dialogs call reload() themselves."""
        covered, self._covered = self._covered, False
        changed = self.changed_since_shown()  # else the counts shown are still right
        same = self.table is not None and self.table.question == self.app.question
        if (covered or not changed) and same:
            return
        self.reload()

    def reload(self, announce: bool = False) -> None:
        """Count the current question again (in a thread) and redraw when done."""
        qid = self.app.question
        if qid is None:
            self.table = None
            self.sub_title = ""
            self.query_one("#counts-head", Label).update("")
            self._status(_("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."))
            self.query_one("#counts-table", DataTable).clear(columns=True)
            self.query_one(BarChart).set_bars([])
            return
        self._status(_("Beregner…"))
        self._compute(qid, announce)
        self.cooc = None  # counted again when shown: codings or the basis may have changed
        if self.cooc_on:
            self._count_cooccurrence(qid)

    @work(
        thread=True,
        exclusive=True,
        group="counts",
        exit_on_error=False,
        description=_("Optællingen mislykkedes"),
    )
    def _compute(self, qid: str, announce: bool) -> None:
        worker = get_current_worker()
        table = table_from_frame(self._counts_in_thread(qid))
        waves = self._waves_in_thread(qid)
        if not worker.is_cancelled:
            self.post_message(CountsComputed(qid, table, waves, announce))

    def _counts_in_thread(self, qid: str):
        """Count on a connection of the worker's own: the UI's connection stays the UI's."""
        with self.app.worker_project(readonly=True) as project:
            return project.counts(qid, coder=project.basis())

    def _waves_in_thread(self, qid: str) -> dict | None:
        """The question's other waves (share per code) and the change in points, or None."""
        from qualcode.core.waves import question_wave, wave_comparison
        from qualcode.io.waves import share_cell

        with self.app.worker_project(readonly=True) as project:
            frame = wave_comparison(project, qid, coder=project.basis())
            if frame is None:
                return None
            mine = question_wave(project, qid)[0]
        names = frame.attrs["waves"]
        others = [w for w in names if w != mine]
        rows = {
            r["code"]: {**{w: share_cell(r, w) for w in others}, "change": points(r["change_pp"])}
            for r in frame.to_dict("records")
        }
        return {"others": others, "change": f"{names[-2]}–{names[-1]}", "rows": rows}

    @on(WorkerFailed)
    def _failed(self, event: WorkerFailed) -> None:
        """A count or an export failed (the app has said why): say so on the status line."""
        if event.worker.group == "counts-export":
            self._set_busy("")
            self._status(self._summary())
        elif event.worker.group == "counts" and self.app.question is not None:
            self._status(
                _("Kunne ikke tælle {question}: {reason}").format(
                    question=self.app.question, reason=reason(event.error)
                )
            )
        elif event.worker.group == "counts-cooc":
            self._cooc_failed = reason(event.error)
            self.query_one(CooccurrencePanel).failed(self._cooc_failed)

    @on(CountsComputed)
    def _show(self, event: CountsComputed) -> None:
        qid, table, announce = event.question, event.table, event.announce
        if qid != self.app.question:  # the question changed while counting
            return
        self.waves = event.waves
        self.table = table
        self.sub_title = f"{table.question} · {table.title} · {table.basis_label}"
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(shown(f"{table.question}: {table.title}"), style="bold")
        head.append(shown(" · " + _("{basis} (K skifter)").format(basis=table.basis_label)))
        warning = self.app.basis_warning(qid)
        if warning:
            head.append("\n" + shown(warning), style="bold yellow")
            if announce or qid != self._warned:
                self.notify(warning, severity="warning", timeout=6)
        self._warned = qid if warning else None
        self.query_one("#counts-head", Label).update(head)
        self._status(self._summary())
        self._fill_table()
        self._fill_chart()
        if announce:
            self.notify(
                _("Genberegnet: {question} ({n} {noun})").format(
                    question=table.question, n=integer(table.answered), noun=table.noun
                ),
                timeout=2,
            )

    def _summary(self) -> str:
        t = self.table
        if t is None:
            return ""
        who = _("{n} interviewede {noun}") if t.kind == "interview" else _("{n} {noun} har svaret")
        parts = [themes(len(t.rows)), who.format(n=integer(t.answered), noun=t.noun)]
        if t.has_published and t.published_source:
            parts.append(
                _("Rapport {year}: {source}").format(
                    year=t.published_year, source=t.published_source
                )
                if t.published_year
                else _("Rapport: {source}").format(source=t.published_source)
            )
        return " · ".join(parts)

    def _status(self, text: str) -> None:
        self.query_one("#counts-status", Label).update(
            flat(self._busy or text, no_wrap=True, overflow="ellipsis")
        )

    # -- drawing ------------------------------------------------------------------
    def _columns(self) -> list[tuple[str, str]]:
        t = self.table
        assert t is not None  # drawn only once a table is counted
        cols = [
            ("tema", _("Tema")),
            ("anfort", _("Nævnt af") if t.kind == "interview" else _("Anført af")),
            ("andel", _("Andel")),
        ]
        if t.kind == "interview":
            cols.append(("omfang", _("Omfang")))
        if t.has_published:
            year = t.published_year
            cols.append(
                ("rapport", _("Rapport {year}").format(year=year) if year else _("Rapport"))
            )
            cols.append(("forskel", _("± pp") if self._narrow else _("Forskel")))
        if self.waves:
            cols += [(f"bolge-{w}", w) for w in self.waves["others"]]
            cols.append(("bolge-aendring", _("Ændring {span}").format(span=self.waves["change"])))
        return cols

    @property
    def _narrow(self) -> bool:
        return 0 < self.size.width < NARROW

    def _cells(self, row: CountRow, tema_width: int) -> list[Any]:
        t = self.table
        assert t is not None  # drawn only once a table is counted
        right: dict[str, Any] = {"justify": "right"}
        # Text, never str: a str cell is read as markup
        cells: list[Any] = [
            Text(clip("  " * row.depth + one_line(row.label), tema_width)),
            Text(row.mentioned),
            Text(pct(row.percent), **right),
        ]
        if t.kind == "interview":
            cells.append(Text(scale(row.respondents)))  # the report's word, in the language
        if t.has_published:
            cells.append(
                Text(
                    ""
                    if row.published is None
                    else _("{n} af {base}").format(
                        n=integer(row.published), base=integer(row.published_base)
                    ),
                    **right,
                )
            )
            cells.append(Text(points(row.difference, "" if self._narrow else " pp"), **right))
        if self.waves:
            other = self.waves["rows"].get(row.key, {})
            cells += [Text(other.get(w, MISSING), **right) for w in self.waves["others"]]
            cells.append(Text(other.get("change", MISSING), **right))
        return cells

    def _widths(self) -> list[int]:
        """Every column's width: the others as wide as their widest cell, the theme column
        what they leave (at least 20 cells, 14 on a narrow terminal; the line under the
        table shows the whole label). Given to the table explicitly, so what is drawn
        never depends on when the table gets round to measuring its cells."""
        t = self.table
        assert t is not None  # drawn only once a table is counted
        longest = max((cell_len("  " * r.depth + one_line(r.label)) for r in t.rows), default=4)
        probe = [self._cells(r, 10**6)[1:] for r in t.rows]
        headers = [h for _, h in self._columns()[1:]]
        others = [
            max([len(head), *(len(str(p[i])) for p in probe)]) for i, head in enumerate(headers)
        ]
        table = self.query_one("#counts-table", DataTable)
        scrollbar = 2 if len(t.rows) + 1 > table.size.height else 0
        # 2 per column: the table's cell padding
        room = (self.size.width or 120) - sum(w + 2 for w in others) - 2 - scrollbar
        return [max(14 if self._narrow else 20, min(longest, room)), *others]

    def _fill_table(self) -> None:
        table = self.query_one("#counts-table", DataTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        if self.table is None:
            return
        widths = self._widths()
        for (key, header), width in zip(self._columns(), widths, strict=True):
            table.add_column(flat(header), key=key, width=width)
        for row in self.table.rows:
            table.add_row(*self._cells(row, widths[0]), key=row.key)
        if self.table.rows:
            table.move_cursor(row=min(keep, len(self.table.rows) - 1))
        self._show_detail()

    def _fill_chart(self) -> None:
        t = self.table
        assert t is not None  # drawn only once a table is counted
        bars = [
            Bar(
                label=r.label,
                value=r.percent or 0.0,
                text=f"{integer(r.respondents)} ({pct(r.percent)})",
                color=r.color,
                depth=r.depth,
                marker=r.published_percent,
            )
            for r in t.rows
        ]
        year = t.published_year
        self.query_one(BarChart).set_bars(
            bars, marker_label=_("Rapport {year}").format(year=year) if year else _("Rapporten")
        )

    def _show_detail(self) -> None:
        detail = self.query_one("#counts-detail", Static)
        table = self.query_one("#counts-table", DataTable)
        if self.table is None or not self.table.rows or not table.row_count:
            detail.update("")
            return
        row = self.table.rows[min(table.cursor_row, len(self.table.rows) - 1)]
        text = plain(row.label, style="bold")
        if row.definition:
            text.append(shown(f" – {row.definition}"))
        detail.update(text)
        self._show_cooccurrence()

    @on(DataTable.RowHighlighted, "#counts-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        """Fit the theme column to the width there is now."""
        if self.table is not None:
            self._fill_table()

    # -- actions ------------------------------------------------------------------
    def action_recompute(self) -> None:
        if self.app.question is None:
            self.notify(_("Intet spørgsmål at tælle."), severity="warning")
            return
        self.reload(announce=True)

    def action_toggle_chart(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        table = self.query_one("#counts-table", DataTable)
        box = self.query_one("#counts-chart-box", VerticalScroll)
        table.display = self.view in ("begge", "tabel")
        self.query_one("#counts-detail").display = table.display
        self.query_one(CooccurrencePanel).display = self.cooc_on and table.display
        box.display = self.view in ("begge", "diagram")
        box.set_class(self.view == "diagram", "counts-chart-only")
        (table if table.display else box).focus()
        self.call_after_refresh(self._refit)
        self.notify(_("Viser {what}").format(what=view_text(self.view)), timeout=1.5)

    def action_export(self, fmt: str) -> None:
        from qualcode.tui.widgets.dialogs import ask_for_file

        qid = self.app.question
        if qid is None:
            self.notify(_("Intet spørgsmål at eksportere."), severity="warning")
            return
        ask_for_file(
            self,
            _("Eksportér tabellen for {question} som {format}. Filnavn:").format(
                question=qid, format=FORMATS[fmt]
            ),
            _("tabel-{question}").format(question=qid) + f".{fmt}",
            lambda path, force: self._export(qid, fmt, path, force),
            suffix=f".{fmt}",
            dialog_id="counts-export-name",
            confirm_id="counts-overwrite",
        )

    def _export(self, qid: str, fmt: str, path: Path, force: bool) -> None:
        def produce() -> Message:
            from qualcode.io.export import excel_da, render_counts, write_file

            data = render_counts([self._counts_in_thread(qid)], fmt)
            # a CSV saved from the workbench is opened by a person: Danish Excel's dialect
            write_file(path, excel_da(data) if fmt == "csv" else data, force=force)
            return TableExported(path, fmt)

        self._in_worker(path, produce)

    def _in_worker(self, path: Path, produce: Callable[[], Message]) -> None:
        """Render and write a file in a worker on its own connection; say when it is on
        disk, or why not in one line (never a crash of the workbench)."""
        self._set_busy(_("Gemmer {name}…").format(name=path.name))
        self._write_file(path, produce)

    @work(
        thread=True,
        group="counts-export",
        exit_on_error=False,
        description=_("Filen kunne ikke gemmes"),
    )
    def _write_file(self, path: Path, produce: Callable[[], Message]) -> None:
        try:
            done = produce()  # the message that says what is on disk
        except QualcodeError as exc:
            done = FileNotSaved(path, one_line(str(exc)))
        except OSError as exc:
            done = FileNotSaved(path, one_line(exc.strerror or str(exc)))
        self.post_message(done)

    def _set_busy(self, text: str) -> None:
        self._busy = text
        self._status(text)

    @on(TableExported)
    def _exported(self, event: TableExported) -> None:
        path, fmt = event.path, event.fmt
        self._set_busy("")
        self._status(self._summary())
        self.notify(
            _("Gemt som {format}: {path}").format(format=FORMATS[fmt], path=path), timeout=4
        )

    @on(FileNotSaved)
    def _export_failed(self, event: FileNotSaved) -> None:
        path, message = event.path, event.reason
        self._set_busy("")
        self._status(self._summary())
        self.notify(
            _("Kunne ikke gemme {name}: {reason}").format(name=path.name, reason=message),
            severity="error",
        )

    # -- the chart as a PNG or SVG file (qualcode chart) ----------------------------
    def action_save_chart(self) -> None:
        from qualcode.tui.widgets.dialogs import ask_for_file

        qid = self.app.question
        if qid is None:
            self.notify(_("Intet spørgsmål at tegne."), severity="warning")
            return
        ask_for_file(
            self,
            _("Gem diagrammet for {question} som PNG eller SVG. Filnavn:").format(question=qid),
            _("figur-{question}").format(question=qid) + ".png",
            lambda path, force: self._save_chart(qid, path, force),
            suffix=".png",
            allowed=(".png", ".svg"),
            strict=True,
            dialog_id="counts-chart-name",
            confirm_id="counts-chart-overwrite",
        )

    def _save_chart(self, qid: str, path: Path, force: bool) -> None:
        def produce() -> Message:
            from qualcode.io.charts import chart_bytes
            from qualcode.io.export import write_file

            fmt = path.suffix.lower().lstrip(".")
            write_file(path, chart_bytes(self._counts_in_thread(qid), fmt), force=force)
            return ChartSaved(path)

        self._in_worker(path, produce)

    @on(ChartSaved)
    def _chart_saved(self, event: ChartSaved) -> None:
        path = event.path
        self._set_busy("")
        self._status(self._summary())
        self.notify(_("Diagrammet er gemt: {path}").format(path=path), timeout=4)

    def action_noun(self) -> None:
        """Name what the project's respondents are; every count is then written in it."""
        from qualcode.tui.widgets.dialogs import InputDialog

        current = str(self.project.noun())

        def chosen(value: str | None) -> None:
            if not value or value.strip() == current:
                return

            def store(project: Project) -> str:
                return _("Der tælles nu i {noun}").format(noun=project.set_noun(value).plural)

            def done(message: str) -> None:
                self.notify(message, timeout=3)
                self.reload()

            self.app.write(self, store, done)

        self.app.push_screen(
            InputDialog(
                _("Hvad er respondenterne? Ental/flertal, fx kommune/kommuner"),
                current,
                id="counts-noun-dialog",
            ),
            chosen,
        )

    def action_basis(self) -> None:
        self.app.choose_basis(then=lambda: self.reload(announce=True))

    # -- the themes mentioned together with the one under the cursor -------------------
    def action_cooccurrence(self) -> None:
        panel = self.query_one(CooccurrencePanel)
        qid = self.app.question
        if qid is None:
            self.notify(_("Intet spørgsmål at tælle."), severity="warning")
            return
        self.cooc_on = not self.cooc_on
        panel.display = self.cooc_on and self.view != "diagram"
        if not self.cooc_on:
            return
        if self.view == "diagram":
            self.notify(_("Temaer nævnt sammen vises under tabellen: b viser den."), timeout=3)
        if self.cooc is None or self.cooc.question != qid:
            self._count_cooccurrence(qid)
        else:
            self._show_cooccurrence()

    def _count_cooccurrence(self, qid: str) -> None:
        self._cooc_failed = ""
        self.query_one(CooccurrencePanel).waiting()
        self._compute_cooccurrence(qid)

    @work(
        thread=True,
        exclusive=True,
        group="counts-cooc",
        exit_on_error=False,
        description=_("Temaer nævnt sammen kunne ikke beregnes"),
    )
    def _compute_cooccurrence(self, qid: str) -> None:
        """Every pair of the question's themes, on the basis the counts use, on a
        connection of the worker's own."""
        from qualcode.core.cooccurrence import cooccurrence

        worker = get_current_worker()
        with self.app.worker_project(readonly=True) as project:
            result = cooccurrence(project, qid, coder=project.basis())
        if not worker.is_cancelled:
            self.post_message(CooccurrenceComputed(qid, result))

    @on(CooccurrenceComputed)
    def _cooccurrence_counted(self, event: CooccurrenceComputed) -> None:
        if event.question != self.app.question:  # the question changed while counting
            return
        self.cooc = event.result
        self._show_cooccurrence()

    def _show_cooccurrence(self) -> None:
        """The panel for the theme under the cursor, once both counts are there."""
        panel = self.query_one(CooccurrencePanel)
        table = self.query_one("#counts-table", DataTable)
        t, cooc = self.table, self.cooc
        if not panel.display or t is None or not t.rows or not table.row_count:
            return
        if self._cooc_failed:
            panel.failed(self._cooc_failed)
            return
        if cooc is None or cooc.question != t.question:
            panel.waiting()
            return
        row = t.rows[min(table.cursor_row, len(t.rows) - 1)]
        if any(theme.key == row.key for theme in cooc.themes):
            panel.show(cooc, row.key, (self.size.width or 120) - 4)
        else:  # the codebook changed between the two counts: the pairs are coming
            panel.waiting()

    # -- the whole report (qualcode report) ---------------------------------------------
    REPORT_SUFFIXES = (".docx", ".xlsx", ".html", ".md")

    def action_report(self) -> None:
        from qualcode.tui.widgets.dialogs import InputDialog, ask_for_file

        def title() -> str:
            label = self.project.basis_label(self.project.basis())
            return _(
                "Skriv rapporten (alle kodede spørgsmål: tabel, diagram, citater) "
                "som .docx, .xlsx, .html eller .md. {basis} (ctrl+k skifter). Filnavn:"
            ).format(basis=label)

        def switch(dialog: InputDialog) -> None:
            def then() -> None:
                dialog.set_title(title())
                self.reload()  # the table behind the dialog counts on it too

            self.app.choose_basis(then=then)

        ask_for_file(
            self,
            title(),
            _("rapport") + ".docx",
            self._write_report,
            suffix=".docx",
            allowed=self.REPORT_SUFFIXES,
            strict=True,
            dialog_id="counts-report-name",
            confirm_id="counts-report-overwrite",
            keys=[("ctrl+k", _("Kodet af"), switch)],
        )

    def _write_report(self, path: Path, force: bool) -> None:
        """Build and write the report on the worker's own connection, as the CLI does."""

        def produce() -> Message:
            from qualcode.core.pii import count_in_texts
            from qualcode.io.report import build_report, charts_needed, report_format, write_report

            fmt = report_format(path)
            with self.app.worker_project(readonly=True) as project:
                built = build_report(project, coder=project.basis(), charts=charts_needed(fmt))
            write_report(built, path, force=force)
            return ReportWritten(
                path,
                len(built.sections),
                count_in_texts(
                    q.text for s in built.sections for _, quotes in s.quotes for q in quotes
                ),
            )

        self._in_worker(path, produce)

    @on(ReportWritten)
    def _report_written(self, event: ReportWritten) -> None:
        path, tables, unredacted = event.path, event.tables, event.unredacted
        self._set_busy("")
        self._status(self._summary())
        self.notify(
            _n(
                "Rapporten er gemt ({n} tabel): {path}",
                "Rapporten er gemt ({n} tabeller): {path}",
                tables,
            ).format(n=integer(tables), path=path),
            timeout=5,
        )
        if unredacted:
            self.notify(
                _n(
                    "Advarsel: citaterne i rapporten indeholder {n} mulig "
                    "personoplysning, der ikke er redigeret ud. Se F8 Persondata.",
                    "Advarsel: citaterne i rapporten indeholder {n} mulige "
                    "personoplysninger, der ikke er redigeret ud. Se F8 Persondata.",
                    unredacted,
                ).format(n=integer(unredacted)),
                severity="warning",
                timeout=8,
                markup=False,
            )
