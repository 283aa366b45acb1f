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


def signal(text: str, marks: list | None = None) -> None:
    """One JSON line to the benchmark: the time since the process started, ``text``, and
    ``marks`` (a timeline: (what, seconds since the process started))."""
    fd = int(os.environ["QUALCODE_BENCH_FD"])
    line = {
        "since_start": since_process_start(),
        "perf": time.perf_counter(),
        "cpu": time.process_time(),  # user + system CPU so far: less disturbed by load
        "text": text,
        "marks": marks or [],
    }
    os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    os.close(fd)


def signal_when(test, timeline=None, *, lazily: bool = False) -> None:
    """``timeline()``, if given, returns marks to send with the signal. ``lazily``: hook
    Textual when the program imports it, not now (so that the imports keep their order)."""
    if lazily:
        _when_imported("textual.app", lambda module: _hook(module.App, test, timeline))
        return
    from textual.app import App

    _hook(App, test, timeline)


def _when_imported(name: str, then) -> None:
    """Call ``then(module)`` right after the module ``name`` is first imported."""
    import importlib.util
    import sys

    class Finder:  # a meta path finder (importlib.abc would import more than it is worth)
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            run = spec.loader.exec_module

            def exec_module(module) -> None:
                run(module)
                then(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


def _hook(App, test, timeline) -> None:  # noqa: N803 - Textual's class
    original = App._display
    state = {"done": False}

    def display(app, screen, renderable) -> None:
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
            signal(text, timeline() if timeline else None)
            app.exit()

    App._display = display
