"""Every binding of the screen underneath, in one table (the `?` key)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from qualcode.tui.shown import flat, plain


def screen_bindings(screen: Screen) -> list[tuple[str, str, str]]:
    """(key, description, tooltip) of the screen's and the app's own bindings, shown ones and
    those with a tooltip: the keys a user can learn. Widget basics (arrows, tab) come last."""
    ours: list[tuple[str, str, str]] = []
    basics: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    actives = list(screen.active_bindings.items())
    # ours (with a tooltip) first, so Textual's own ctrl+q 'Quit' does not hide our 'q Afslut'
    for key, active in sorted(actives, key=lambda kv: not kv[1].binding.id):
        b = active.binding
        if not b.description or key in seen or b.action in seen:
            continue
        seen.update((key, b.action))
        row = (screen.app.get_key_display(b), b.description, b.tooltip or "")
        if b.tooltip:
            ours.append(row)
        elif b.show:
            basics.append(row)
    return ours + basics


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss_help", "Luk", tooltip="Close help")]

    def __init__(self, bindings: list[tuple[str, str, str]], title: str) -> None:
        super().__init__()
        self.rows = bindings
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label(flat(f"Taster: {self.title_text}"), classes="dialog-title")
            table: DataTable[Text] = DataTable(
                id="help-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("Tast", "Handling", "Forklaring")
            for row in self.rows:  # Text, not str: '[CPR]' in a tooltip is no markup
                table.add_row(*(plain(cell) for cell in row))
            yield table
            yield Label("Alle handlinger findes også i kommandopaletten (ctrl+p).", classes="dim")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
