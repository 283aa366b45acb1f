"""Floor of the workbench's start in Textual: the smallest Textual app, one Static with a
text (the first answer), from process start to its first frame on the terminal. What any
Textual program pays (the interpreter, importing Textual, the driver, the first layout and
render); qualcode adds its own screens and data to it. Run by bench_start.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _first_frame import signal_when  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Static  # noqa: E402

TEXT = Path(sys.argv[1]).read_text(encoding="utf-8")


class Hello(App):
    def compose(self) -> ComposeResult:
        yield Static(TEXT)


signal_when(lambda screen: TEXT if screen.query(Static) else None)
Hello().run()
