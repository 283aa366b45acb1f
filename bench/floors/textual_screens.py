"""Floor of a screen switch in Textual: two screens of a bare app, as modes (the way the
workbench's F-keys switch), each a header, a label and a footer; keys 1 and 2 switch.
What any Textual program pays to show another screen at the same size. Imported and
timed by bench_screens.py, in the same process and run as the workbench's switches."""

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Label


class Plain(Screen):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self.text)
        yield Footer()


class Two(App):
    BINDINGS = [Binding("1", "show('one')", "one"), Binding("2", "show('two')", "two")]
    MODES = {"one": lambda: Plain("one"), "two": lambda: Plain("two")}

    def on_mount(self) -> None:
        self.switch_mode("one")

    def action_show(self, mode: str) -> None:
        self.switch_mode(mode)
