"""`qualcode tui ARGS...` as the user runs it, telling the benchmark when the coding screen
first shows an item (see _first_frame.py). Started by bench_start.py under a terminal."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _first_frame import signal_when  # noqa: E402


def shown(screen) -> str | None:
    item = getattr(screen, "item", None)
    if type(screen).__name__ != "CodingScreen" or item is None:
        return None
    return item.text


signal_when(shown)
sys.argv = ["qualcode", "tui", *sys.argv[1:]]
from qualcode.cli import main  # noqa: E402

main()
