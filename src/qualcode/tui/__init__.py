"""The workbench (Textual).

Textual paints a changed screen on a fixed clock of ``TEXTUAL_FPS`` ticks a second (60 by
default), so a key's change waits for the next tick: up to 17 ms at 60, which was most of
the slowest key presses (bench/bench_tui.py keys: p95 20 ms at 60, 12 ms at 120, on a
100,000-answer project). The clock runs only while something on the screen has changed,
so a faster one costs nothing while the coder reads. A value the user sets is kept; it is
read when Textual is first imported, which is why it is set here, in the package every
screen is imported through.
"""

from __future__ import annotations

import os

FRAME_RATE = "120"

os.environ.setdefault("TEXTUAL_FPS", FRAME_RATE)
