"""The workbench's screens on the demo: F7's answer, and switching screens.

    python bench/bench_screens.py                      # builds the demo in a temp folder
    python bench/bench_screens.py --db demo.db --attribute lokalpolitisk_fokus
    python bench/bench_screens.py --rounds 5 --json

In one process, on the real app under Textual's Pilot (headless, 120x36):

* F7's answer: from the Enter that picks the attribute (F7, a, the attribute) to the
  frame that shows its table; first the first table in the process, before any other
  screen is visited (so whatever it imports is in it), then again with ``r`` (count
  again) ``--rounds`` times.
* Screen switches: F2, F3, F4, F5, F7 (with its table) in turn, each visited once first
  (the first visit builds the screen and loads it: reported on its own), then round after
  round: from the key to the last frame of the screen once its workers are done and the
  app has been quiet for a while.
* Floor, in the same run: the same switch between two screens of a bare Textual app
  (bench/floors/textual_screens.py: a header, a label and a footer each, as modes):
  what any Textual program pays to show another screen.

How a time is taken: as bench_tui.py does, from the key event handed to the driver to
the frame rendered (``Screen._compositor_refresh``), not around Pilot, which sleeps.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median, percentile  # noqa: E402

# before Textual, as in the user's process: the package sets Textual's frame rate
import qualcode.tui  # noqa: E402, F401

# isort: split
from textual import events  # noqa: E402
from textual.screen import Screen  # noqa: E402

SIZE = (120, 36)
QUIET = 0.25  # seconds without a frame (and no worker running): the screen is done
SWITCHES = ("f2", "f3", "f4", "f5", "f7")


class Frames:
    """When the current screen last rendered a frame (Textual's class patched while the
    benchmark runs)."""

    def __init__(self) -> None:
        self.last = 0.0
        self.log: list[tuple[float, Screen]] = []  # every frame since the last key
        self.original = original = Screen._compositor_refresh
        frames = self

        def refresh(screen: Screen) -> None:
            original(screen)
            if screen is screen.app.screen:
                frames.last = time.perf_counter()
                frames.log.append((frames.last, screen))

        Screen._compositor_refresh = refresh

    def close(self) -> None:
        Screen._compositor_refresh = self.original


def send_key(app, key: str) -> None:
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def done_after(app, frames: Frames, t0: float, ready, timeout: float = 120.0) -> float:
    """Seconds from ``t0`` to the last frame once ``ready()`` holds, no worker runs and
    no frame has come for :data:`QUIET` seconds."""
    deadline = t0 + timeout
    while True:
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        if now > deadline:
            raise TimeoutError("the screen never settled")
        busy = any(not w.is_finished for w in app.workers)
        if busy or not ready() or frames.last < t0 or now - frames.last < QUIET:
            continue
        return frames.last - t0


async def press(app, frames: Frames, key: str, ready=lambda: True) -> float:
    """Seconds from the key to the screen's last frame once it has settled."""
    t0 = time.perf_counter()
    frames.log = []
    send_key(app, key)
    return await done_after(app, frames, t0, ready)


async def switch(app, frames: Frames, key: str) -> tuple[float, float]:
    """Seconds from the key to the first frame of the other screen, and until it settled
    (its workers done, its last frame drawn)."""
    before = app.screen
    t0 = time.perf_counter()
    frames.log = []
    send_key(app, key)
    settled = await done_after(app, frames, t0, lambda: app.screen is not before)
    shown = next(t for t, screen in frames.log if screen is not before)
    return shown - t0, settled


async def workbench(db: Path, attribute: str, rounds: int) -> dict:
    from textual.widgets import OptionList

    from qualcode.tui.app import make_app
    from qualcode.tui.screens.crosstab import CrosstabScreen

    frames = Frames()
    try:
        app = make_app(db, coder="bench")
        async with app.run_test(size=SIZE) as pilot:
            await done_after(app, frames, time.perf_counter() - 1, lambda: True)
            first: dict[str, float] = {}
            # F7 first, so that its first table pays what nothing else has imported yet
            first["f7"] = (await switch(app, frames, "f7"))[1]
            screen = app.screen
            assert isinstance(screen, CrosstabScreen)
            send_key(app, "a")
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            options.highlighted = ids.index(attribute)
            await pilot.pause()
            answer_first = await press(
                app, frames, "enter", lambda: app.screen is screen and screen.view is not None
            )
            groups = getattr(screen.view, "groups", None)  # (older CrossViews have none)
            again = []
            for _ in range(rounds):
                view = screen.view
                again.append(await press(app, frames, "r", lambda v=view: screen.view is not v))
            for key in ("f3", "f4", "f5", "f2"):
                first[key] = (await switch(app, frames, key))[1]
            shown: dict[str, list[float]] = {key: [] for key in SWITCHES}
            switches: dict[str, list[float]] = {key: [] for key in SWITCHES}
            for _ in range(rounds):
                for key in (*SWITCHES[1:], "f2"):
                    seen, settled = await switch(app, frames, key)
                    shown[key].append(seen)
                    switches[key].append(settled)
    finally:
        frames.close()
    every = [t for times in switches.values() for t in times]
    return {
        "shown_median_ms": {k: 1000 * median(v) for k, v in shown.items()},
        "answer_first_ms": 1000 * answer_first,
        "answer_again_ms": [1000 * t for t in again],
        "answer_again_median_ms": 1000 * median(again),
        "groups": groups,
        "first_visit_ms": {k: 1000 * v for k, v in first.items()},
        "switch_median_ms": {k: 1000 * median(v) for k, v in switches.items()},
        "switch_max_ms": {k: 1000 * max(v) for k, v in switches.items()},
        "switch_p95_ms": 1000 * percentile(every, 95),
        "switches": len(every),
    }


async def floor(rounds: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "floors"))
    from textual_screens import Two

    frames = Frames()
    try:
        app = Two()
        async with app.run_test(size=SIZE):
            await done_after(app, frames, time.perf_counter() - 1, lambda: True)
            await switch(app, frames, "2")  # the second screen's first visit
            await switch(app, frames, "1")
            shown, times = [], []
            for _ in range(rounds):
                for key in ("2", "1"):
                    seen, settled = await switch(app, frames, key)
                    shown.append(seen)
                    times.append(settled)
    finally:
        frames.close()
    return {
        "shown_median_ms": 1000 * median(shown),
        "switch_median_ms": 1000 * median(times),
        "switch_max_ms": 1000 * max(times),
    }


def report(r: dict, rounds: int) -> str:
    floor = r["floor"]
    return "\n".join(
        [
            f"F7's answer ({r['groups']} groups): first {r['answer_first_ms']:.0f} ms, "
            f"again {r['answer_again_median_ms']:.0f} ms (median of {rounds})",
            "first visit (settled): "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in r["first_visit_ms"].items()),
            "switch after the first visit, median ms to the first frame / settled / max: "
            + ", ".join(
                f"{k} {r['shown_median_ms'][k]:.0f}/{r['switch_median_ms'][k]:.0f}/"
                f"{r['switch_max_ms'][k]:.0f}"
                for k in SWITCHES
            ),
            f"floor, a bare Textual app's switch: {floor['shown_median_ms']:.0f}/"
            f"{floor['switch_median_ms']:.0f}/{floor['switch_max_ms']:.0f} ms",
        ]
    )


def demo(tmp: Path) -> Path:
    from qualcode.demo import build_demo

    return build_demo(tmp / "demo.qualcode.db")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a project (default: the demo, built anew)")
    parser.add_argument("--attribute", default="lokalpolitisk_fokus")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="only the result line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-screens-") as tmp:
        if args.db is None:
            db = demo(Path(tmp))
        else:  # a private copy: the benchmark's coder must not touch the project
            db = Path(tmp) / args.db.name
            shutil.copy(args.db, db)
        result = asyncio.run(workbench(db, args.attribute, args.rounds))
    result["floor"] = asyncio.run(floor(args.rounds))
    if not args.json:
        print(report(result, args.rounds))
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
