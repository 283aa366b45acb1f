"""`qualcode tui ARGS...` as the user runs it, telling the benchmark when the coding screen
first shows an item (see _first_frame.py). Started by bench_start.py under a terminal.

It also notes, with an audit hook, when the heavy imports start and when the project
file is opened, for the timeline of the start (seconds since the process started)."""

import sys
import time

START = time.perf_counter()
WATCH = {"qualcode.cli", "textual.app", "qualcode.tui.app", "pandas", "numpy", "spacy"}
marks: list[tuple[str, float]] = [("the benchmark's wrapper starts", START)]


def audit(event: str, args: tuple) -> None:
    if event == "import" and args[0] in WATCH:
        WATCH.discard(args[0])
        marks.append((f"import {args[0]} begins", time.perf_counter()))
    elif event == "sqlite3.connect":
        opened = sum(1 for label, _at in marks if label.startswith("open"))
        name = str(args[0]).rsplit("/", 1)[-1]
        marks.append((f"open #{opened + 1}: sqlite3.connect {name}", time.perf_counter()))


sys.addaudithook(audit)
sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _first_frame import signal_when, since_process_start  # noqa: E402

OFFSET = since_process_start() - (time.perf_counter() - START)  # process start → START


def shown(screen) -> str | None:
    item = getattr(screen, "item", None)
    if type(screen).__name__ != "CodingScreen" or item is None:
        return None
    return item.text


def timeline() -> list[tuple[str, float]]:
    return [(label, OFFSET + at - START) for label, at in marks]


signal_when(shown, timeline, lazily=True)
sys.argv = ["qualcode", "tui", *sys.argv[1:]]
from qualcode.cli import main  # noqa: E402

main()
