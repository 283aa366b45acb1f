"""The memo screen (M): every memo of the project, searchable as you type.

Each row says what the memo is about (the project, a text, a coding, a code, a
respondent), who wrote it, when, and its first line; the pane below shows the whole memo.
Enter jumps to the text of a memo on a text or a coding (on the coding screen), and opens
any other memo to edit; e edits, del deletes (after asking), p writes a memo on the
project, u undoes the latest memo change. Every change goes through
:meth:`qualcode.core.project.Project.set_memo`, committed before the screen redraws.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Static

from qualcode.core.memos import MemoEntry, kind_name
from qualcode.core.project import Project
from qualcode.i18n import translator
from qualcode.io.fmt import date, integer
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.footer import Footer

_, _n = translator("tui")

FIRST_LINE = 60  # a memo's first line in the list; the pane below shows all of it
ABOUT = 40


def _when(at: str) -> str:
    """'4. december 2026 06:20': the date as a person reads it, and the time (UTC)."""
    return f"{date(at)} {at[11:16]}".strip()


def _cut(text: str, limit: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


class MemoScreen(ProjectScreen):
    TITLE = _("Memoer")
    BINDINGS = [
        Binding(
            "slash",
            "search",
            _("Søg"),
            id="memos-search",
            key_display="/",
            tooltip=_("Search the memos: every word in the text, what it is on, or the writer"),
        ),
        Binding(
            "e",
            "edit",
            _("Redigér"),
            id="memos-edit",
            tooltip=_("Read and edit the highlighted memo (saved empty, it is deleted)"),
        ),
        Binding(
            "delete",
            "delete",
            _("Slet"),
            key_display="del",
            id="memos-delete",
            tooltip=_("Delete the highlighted memo (asks first; u brings it back)"),
        ),
        Binding(
            "p",
            "project_memo",
            _("Projektmemo"),
            id="memos-project",
            tooltip=_("Write a new memo on the project as a whole"),
        ),
        Binding(
            "u,ctrl+z",
            "undo",
            _("Fortryd"),
            id="memos-undo",
            key_display="u",
            tooltip=_("Undo your latest memo change (also after a restart)"),
        ),
        Binding("ctrl+y", "redo", _("Gentag"), id="memos-redo", tooltip=_("Redo what you undid")),
        Binding("escape", "focus_list", _("Listen"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="memos-main"):
            yield Input(placeholder=_("Søg i memoerne …"), id="memos-search-box")
            yield Label("", id="memos-head")
            yield DataTable(id="memos-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="memos-detail"):
                yield Static("", id="memos-detail-text")
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.found: list[MemoEntry] = []
        table = self.query_one("#memos-table", DataTable)
        table.add_column(_("Slags"), key="kind")
        table.add_column(_("Om"), key="about")
        table.add_column(_("Skrevet af"), key="author")
        table.add_column(_("Dato"), key="date")
        table.add_column(_("Første linje"), key="first")
        self._loaded: object = None
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        if getattr(self, "found", None) is not None and self._loaded != self._stamp():
            self.reload()

    def _stamp(self) -> object:
        return (self.project.last_change(), self.project.coder)

    def reload(self, select: int | None = None) -> None:
        """(Re)read the memos the search box lets through; keep (or move to) a memo."""
        table = self.query_one("#memos-table", DataTable)
        keep = select if select is not None else self.current_id()
        search = self.query_one("#memos-search-box", Input).value
        self.found = self.project.memo_entries(search=search)
        table.clear()
        for entry in self.found:
            table.add_row(
                plain(kind_name(entry.kind)),
                plain(_cut(entry.about, ABOUT) if entry.about else _("(findes ikke længere)")),
                plain(entry.memo.author),
                plain(date(entry.memo.updated_at)),
                plain(_cut(entry.first_line, FIRST_LINE)),
                key=str(entry.memo.id),
            )
        ids = [e.memo.id for e in self.found]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        total = len(self.project.memos())
        shown_n = len(self.found)
        head = (
            _n("{n} memo", "{n} memoer", total).format(n=integer(total))
            if not search.strip()
            else _("{shown} af {total} memoer passer på søgningen").format(
                shown=integer(shown_n), total=integer(total)
            )
        )
        self.query_one("#memos-head", Label).update(flat(head, style="dim"))
        self._show_detail()
        self._loaded = self._stamp()

    def current(self) -> MemoEntry | None:
        table = self.query_one("#memos-table", DataTable)
        if not self.found or table.cursor_row is None:
            return None
        if 0 <= table.cursor_row < len(self.found):
            return self.found[table.cursor_row]
        return None

    def current_id(self) -> int | None:
        entry = self.current() if getattr(self, "found", None) else None
        return entry.memo.id if entry else None

    @on(DataTable.RowHighlighted, "#memos-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        pane = self.query_one("#memos-detail-text", Static)
        entry = self.current()
        if entry is None:
            pane.update(
                Text(
                    _(
                        "Ingen memoer endnu. Skriv et med m på kodningen (F2) eller kodebogen "
                        "(F5), eller med p her et memo om projektet."
                    ),
                    style="dim",
                )
                if not self.project.memos()
                else Text(_("Ingen memoer passer på søgningen."), style="dim")
            )
            return
        out = Text()
        out.append(shown(kind_name(entry.kind)) + ": ", style="dim")
        out.append(shown(entry.about or _("(findes ikke længere)")) + "\n", style="bold")
        out.append(
            _("Skrevet af {author} {created} · ændret {updated}").format(
                author=shown(entry.memo.author),
                created=_when(entry.memo.created_at),
                updated=_when(entry.memo.updated_at),
            )
            + "\n\n",
            style="dim",
        )
        out.append(shown(entry.memo.text) + "\n")
        if entry.item_id is not None:
            out.append("\n" + _("Enter: vis teksten på kodningen (F2)"), style="dim italic")
        pane.update(out)

    # -- actions ------------------------------------------------------------------
    @on(Input.Changed, "#memos-search-box")
    def _search_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#memos-search-box")
    def _search_done(self) -> None:
        self.action_focus_list()

    def action_search(self) -> None:
        self.query_one("#memos-search-box", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one("#memos-table", DataTable).focus()

    @on(DataTable.RowSelected, "#memos-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        entry = self.current()
        if entry is None:
            return
        if entry.item_id is not None and entry.question is not None:
            self.jump(entry)
        else:
            self.action_edit()

    def jump(self, entry: MemoEntry) -> None:
        """Show the memo's text (its item) on the coding screen."""
        from qualcode.tui.screens.coding import CodingScreen

        assert entry.item_id is not None and entry.question is not None
        if entry.question != self.app.question:
            self.app.set_question(entry.question)
        self.app.switch_mode("coding")
        screen = self.app.screen
        if isinstance(screen, CodingScreen):
            screen.go_to(entry.item_id)

    def _need_memo(self) -> MemoEntry | None:
        entry = self.current()
        if entry is None:
            self.notify(_("Vælg først et memo i listen."), severity="warning")
        return entry

    def _save(self, do, select: int | None = None) -> None:
        def done(message: str) -> None:
            self.reload(select=select)
            self.notify(message, timeout=3)

        self.app.write(self, do, done)

    def action_edit(self) -> None:
        from qualcode.tui.widgets.dialogs import TextDialog

        entry = self._need_memo()
        if entry is None:
            return
        memo = entry.memo
        what = entry.about or kind_name(entry.kind)

        def save(text: str | None) -> None:
            if text is None or text.strip() == memo.text:
                return

            def do(project: Project) -> str:
                kept = project.set_memo(memo.target, memo.target_id, text.strip(), memo_id=memo.id)
                return (_("Memo gemt på {what}") if kept else _("Memo slettet på {what}")).format(
                    what=what
                )

            self._save(do, select=memo.id)

        self.app.push_screen(
            TextDialog(
                _("Memo om {what} (tom: slet memoet)").format(what=what),
                memo.text,
                id="memos-edit-dialog",
            ),
            save,
        )

    def action_delete(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        entry = self._need_memo()
        if entry is None:
            return
        memo = entry.memo
        what = entry.about or kind_name(entry.kind)

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def do(project: Project) -> str:
                project.set_memo(memo.target, memo.target_id, "", memo_id=memo.id)
                return _("Memo slettet på {what}").format(what=what)

            self._save(do)

        self.app.push_screen(
            ConfirmDialog(
                _("Slet memoet om {what}: »{first}«?").format(
                    what=what, first=_cut(entry.first_line, FIRST_LINE)
                ),
                yes=_("Slet"),
                id="memos-delete-dialog",
            ),
            confirmed,
        )

    def action_project_memo(self) -> None:
        from qualcode.tui.widgets.dialogs import TextDialog

        def save(text: str | None) -> None:
            if text is None or not text.strip():
                return

            def do(project: Project) -> str:
                project.set_memo("project", None, text.strip())
                return _("Memo gemt på projektet")

            self._save(do)

        self.app.push_screen(
            TextDialog(_("Nyt memo om projektet"), "", id="memos-project-dialog"), save
        )

    def action_undo(self) -> None:
        self._undo(redo=False)

    def action_redo(self) -> None:
        self._undo(redo=True)

    def _undo(self, *, redo: bool) -> None:
        def do(project: Project) -> str:
            change = project.undo_memo(redo=redo)
            return change.text if change is not None else ""

        def done(message: str) -> None:
            if not message:
                self.notify(
                    _("Intet memo at gentage.") if redo else _("Intet memo at fortryde."),
                    severity="warning",
                    timeout=2,
                )
                return
            self.reload()
            self.notify(message, timeout=3)

        self.app.write(self, do, done)
