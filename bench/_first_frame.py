"""Tell the benchmark when a Textual screen first shows what it waits for.

Used inside the processes bench_start.py starts under a terminal: ``signal_when(test)``
hooks ``App._display`` (where Textual writes a frame that
``Screen._compositor_refresh`` rendered to the terminal; frames rendered while updates
are batched, or before the app runs, are not written) and, after the first frame written
for which ``test(screen)`` returns a text, writes one JSON line to the file descriptor in
$QUALCODE_BENCH_FD (the seconds since the process started, read from /proc, and the
text) and asks the app to exit. The parent times the moment it reads that line.
"""

from __future__ import annotations

import json
import os
import time


def since_process_start() -> float:
    """Seconds since this process started (/proc; clock ticks of 10 ms)."""
    with open("/proc/self/stat") as fh:
        start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as fh:
        uptime = float(fh.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def signal(text: str) -> None:
    """One JSON line to the benchmark: the time since the process started and ``text``."""
    fd = int(os.environ["QUALCODE_BENCH_FD"])
    line = {"since_start": since_process_start(), "perf": time.perf_counter(), "text": text}
    os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    os.close(fd)


def signal_when(test) -> None:
    from textual.app import App

    original = App._display
    state = {"done": False}

    def display(app: App, screen, renderable) -> None:
        original(app, screen, renderable)
        written = (
            renderable is not None
            and not app._batch_count
            and app._running
            and not app._closed
            and app._driver is not None
        )
        if state["done"] or not written or screen is not app.screen:
            return
        text = test(screen)
        if text is not None:
            state["done"] = True
            signal(text)
            app.exit()

    App._display = display
