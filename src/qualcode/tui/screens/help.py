"""Every binding of the screen underneath, in one table (the `?` key)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from qualcode.i18n import translator
from qualcode.tui.commands import from_textual
from qualcode.tui.shown import flat, plain

_, _n = translator("tui")


def screen_bindings(screen: Screen) -> list[tuple[str, str, str]]:
    """(key, description, tooltip) of the screen's and the app's own bindings, shown ones and
    those with a tooltip: the keys a user can learn. Widget basics (arrows, tab) come last."""
    ours: list[tuple[str, str, str]] = []
    basics: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    actives = list(screen.active_bindings.items())
    # ours (with an id) first, so that ctrl+q does not hide 'q Afslut'; Textual's own
    # descriptions ("Cursor up") are English whatever the language: left out
    for key, active in sorted(actives, key=lambda kv: not kv[1].binding.id):
        b = active.binding
        if not b.description or key in seen or b.action in seen or from_textual(active.node, b):
            continue
        seen.update((key, b.action))
        row = (screen.app.get_key_display(b), b.description, b.tooltip or "")
        if b.tooltip:
            ours.append(row)
        elif b.show:
            basics.append(row)
    return ours + basics


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss_help", _("Luk"), tooltip=_("Close help"))
    ]

    def __init__(self, bindings: list[tuple[str, str, str]], title: str) -> None:
        super().__init__()
        self.rows = bindings
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label(
                flat(_("Taster: {screen}").format(screen=self.title_text)),
                classes="dialog-title",
            )
            table: DataTable[Text] = DataTable(
                id="help-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns(_("Tast"), _("Handling"), _("Forklaring"))
            for row in self.rows:  # Text, not str: '[CPR]' in a tooltip is no markup
                table.add_row(*(plain(cell) for cell in row))
            yield table
            yield Label(
                _("Alle handlinger findes også i kommandopaletten (ctrl+p)."), classes="dim"
            )

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
