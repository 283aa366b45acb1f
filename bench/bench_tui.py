"""The workbench on a big project: start-up, number-key latency, peak memory.

    python bench/bench_tui.py startup --db /tmp/bench100k.db
    python bench/bench_tui.py keys --db /tmp/bench100k.db [--presses 1000]
    python bench/bench_tui.py rss --db /tmp/bench100k.db
    python bench/bench_tui.py baseline --db /tmp/bench100k.db      # the RSS floor
    python bench/bench_tui.py profile --db /tmp/bench100k.db       # cProfile, top 25

Run each in its own process (bench/run.py does): one measurement must not warm up or
bloat another. ``keys`` and ``rss`` code as coder ``bench`` and work on a copy of the
file, so the project is left as it was.

How the times are taken. Textual's Pilot waits for idle by sleeping in steps of 20 ms
(``pilot.press`` sleeps at least twice), so timing around ``pilot.press`` would measure
Pilot, not qualcode. Instead the benchmark hooks ``Screen._compositor_refresh`` (the
step that renders the changed widgets into the frame sent to the terminal; headless,
only the final write to the terminal is skipped) and records when it runs:

* start-up: from constructing the app (``make_app(db, coder="bench")``: opening the
  project) to the first frame rendered with the coding screen showing an item
  (``app.screen.item is not None``). Python's start and the imports are not in it;
  they are reported beside it ("from process start").
* key latency: a key event "1" goes to the app the way Pilot sends it
  (``driver.send_message``); committed = ``Project.toggle_code`` has returned (its
  transaction is committed); repainted = the first frame rendered after that. Each of
  the ``--presses`` presses toggles code 1 on the current item, twice per item (added,
  then removed), then "n" moves on; after each press the committed state is checked on a
  second sqlite3 connection, and the app is left to go idle before the next press.
* rss: VmHWM (peak resident set) from /proc/self/status after start-up and a few key
  presses and moves. baseline: the same interpreter with the same modules imported and
  the project opened, without starting the app.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, percentile, since_process_start, status_kib  # noqa: E402

SIZE = (120, 36)
T_IMPORT0 = time.perf_counter()
# before Textual, as in the user's process: the package sets Textual's frame rate
import qualcode.tui  # noqa: E402, F401

# isort: split
from textual import events  # noqa: E402
from textual.screen import Screen  # noqa: E402

from qualcode.core.project import Project  # noqa: E402
from qualcode.tui.app import make_app  # noqa: E402
from qualcode.tui.screens.coding import CodingScreen  # noqa: E402
from qualcode.tui.widgets.code_panel import CodePanel  # noqa: E402
from qualcode.tui.widgets.item_queue import ItemQueue  # noqa: E402

IMPORTS = time.perf_counter() - T_IMPORT0


class FrameHook:
    """Records when the current screen renders a frame; waits for a frame after a mark."""

    def __init__(self) -> None:
        self.last_frame = 0.0
        self.first_item_frame: float | None = None
        self.armed_after: float | None = None
        self.matched_frame = 0.0
        self.event = asyncio.Event()
        hook = self
        self.original = original = Screen._compositor_refresh

        def refresh(screen: Screen) -> None:
            original(screen)
            now = time.perf_counter()
            if screen is not screen.app.screen:
                return
            hook.last_frame = now
            if (
                hook.first_item_frame is None
                and isinstance(screen, CodingScreen)
                and getattr(screen, "item", None) is not None
            ):
                hook.first_item_frame = now
                hook.event.set()
            if hook.armed_after is not None and now >= hook.armed_after:
                hook.armed_after = None
                hook.matched_frame = now
                hook.event.set()

        Screen._compositor_refresh = refresh

    def close(self) -> None:  # the class is patched only while a benchmark runs
        Screen._compositor_refresh = self.original

    async def wait(self, timeout: float = 60.0) -> None:
        await asyncio.wait_for(self.event.wait(), timeout)
        self.event.clear()


def send_key(app, key: str) -> None:
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.001)


def private_copy(db: Path, tmp: Path) -> Path:
    target = tmp / db.name
    src = sqlite3.connect(db)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


# -- start-up -----------------------------------------------------------------------------
async def startup(db: Path, profile: object | None = None) -> dict:
    hook = FrameHook()
    try:
        t0 = time.perf_counter()
        if profile is not None:
            profile.enable()
        app = make_app(db, coder="bench")
        constructed = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            await hook.wait()
            if profile is not None:
                profile.disable()
            first = hook.first_item_frame
            process = since_process_start() - (time.perf_counter() - first)
            queue = len(app.screen.query_one(ItemQueue).shown)
            await pilot.pause()
    finally:
        hook.close()
    return {
        "startup": first - t0,
        "construct": constructed - t0,
        "from_process_start": process,
        "imports": IMPORTS,
        "queue": queue,
    }


# -- number keys ---------------------------------------------------------------------------
async def keys(
    db: Path,
    presses: int,
    profile: object | None = None,
    profile_press: int = 4,
    each: list | None = None,
) -> dict:
    """``each``: a list that gets (milliseconds, cProfile.Profile) of every press, each
    press profiled on its own (slower, for finding where the slow presses go)."""
    hook = FrameHook()
    try:
        app = make_app(db, coder="bench")
        disk = sqlite3.connect(db)
        commits: list[float] = []
        frames: list[float] = []
        traced: tuple[list[str], list[str]] = ([], [])  # the SQL of an add and of a remove
        collected = {"since": 0.0, "ms": 0.0, "gen2": 0}  # the garbage collector's passes
        gc_ms: list[float] = []
        gen2: list[int] = []

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                collected["since"] = time.perf_counter()
            else:
                collected["ms"] += 1000 * (time.perf_counter() - collected["since"])
                collected["gen2"] += info.get("generation") == 2

        gc.callbacks.append(on_gc)
        state: dict[str, float | None] = {"committed": None}
        async with app.run_test(size=SIZE) as pilot:
            await hook.wait()
            await pilot.pause()
            screen = app.screen
            project = app.project
            original = project.toggle_code

            def toggle(*args, **kwargs):
                out = original(*args, **kwargs)
                state["committed"] = time.perf_counter()
                hook.armed_after = state["committed"]
                return out

            project.toggle_code = toggle  # the instance only; the class is untouched
            code = screen.query_one(CodePanel).key_at(1)
            for n in range(presses):
                if n and n % 2 == 0:
                    before = screen.item.id
                    send_key(app, "n")
                    await wait_until(
                        lambda before=before: screen.item is not None and screen.item.id != before
                    )
                    await pilot.pause()
                item_id = screen.item.id
                state["committed"] = None
                profiling = profile is not None and n == profile_press
                if profiling:
                    profile.enable()
                tracing = n in (2, 3)  # an add, then a remove, on the same item
                if tracing:
                    project.db.set_trace_callback(traced[n % 2].append)
                collected["ms"], collected["gen2"] = 0.0, 0
                if each is not None:
                    import cProfile

                    own = cProfile.Profile()
                    own.enable()
                t0 = time.perf_counter()
                send_key(app, "1")
                await hook.wait()
                if each is not None:
                    own.disable()
                    each.append((1000 * (hook.matched_frame - t0), own))
                gc_ms.append(collected["ms"])
                gen2.append(collected["gen2"])
                if profiling:
                    profile.disable()
                if tracing:
                    project.db.set_trace_callback(None)
                if state["committed"] is None:
                    raise RuntimeError(f"press {n}: a frame but no commit")
                commits.append(state["committed"] - t0)
                frames.append(hook.matched_frame - t0)
                on_disk = disk.execute(
                    "SELECT COUNT(*) FROM codings c JOIN codes k ON k.id = c.code_id"
                    " WHERE c.item_id = ? AND k.key = ? AND c.coder = 'bench'"
                    " AND c.start IS NULL",
                    [item_id, code],
                ).fetchone()[0]
                expected = 1 if n % 2 == 0 else 0
                if on_disk != expected:
                    raise RuntimeError(
                        f"press {n}: item {item_id} has {on_disk} codings of "
                        f"'{code}' on disk, expected {expected}"
                    )
                await pilot.pause()
        disk.close()
        ms = [1000 * f for f in frames]
        cms = [1000 * c for c in commits]
    finally:
        hook.close()
        if on_gc in gc.callbacks:
            gc.callbacks.remove(on_gc)
    slow = [i for i, x in enumerate(ms) if x >= percentile(ms, 95)]
    typical = list(range(len(ms)))

    def anatomy(which: list[int]) -> dict:
        """Means over these presses, so that commit + repaint = total."""

        def mean(values: list[float]) -> float:
            return sum(values) / len(values)

        return {
            "presses": len(which),
            "total": mean([ms[i] for i in which]),
            "commit": mean([cms[i] for i in which]),
            "repaint": mean([ms[i] - cms[i] for i in which]),
            "gc": mean([gc_ms[i] for i in which]),
            "with_gen2": sum(1 for i in which if gen2[i]),
        }

    floor = replay(db, traced, max(50, presses // 5)) if presses > 3 else {}
    return {
        **floor,
        "presses": presses,
        "items": (presses + 1) // 2,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms),
        "commit_p50": percentile(cms, 50),
        "commit_p95": percentile(cms, 95),
        "commit_p99": percentile(cms, 99),
        "samples_ms": [round(x, 2) for x in ms],
        "commit_ms": [round(x, 2) for x in cms],
        "slowest_5pc": anatomy(slow),
        "all_presses": anatomy(typical),
    }


def press_sql(trace: list[str]) -> list[str]:
    """A press's statements as they can be run again: without SQLite's inner statements,
    and a write's trigger firings (each repeats the statement's line) taken as one."""
    out: list[str] = []
    for sql in trace:
        if sql.lstrip().startswith("--"):
            continue
        writes = sql.lstrip()[:6].upper() in ("INSERT", "DELETE", "UPDATE")
        if writes and out and out[-1] == sql:
            continue
        out.append(sql)
    return out


def replay(db: Path, traced: tuple[list[str], list[str]], pairs: int) -> dict:
    """The floor of a key press: the SQL qualcode ran for one add and one remove (every
    statement of the press: the write transaction and the reads that redraw the screen),
    run again ``pairs`` times each on a bare sqlite3 connection to the same file with
    qualcode's pragmas for writing (WAL, synchronous=FULL, foreign keys)."""
    add, remove = press_sql(traced[0]), press_sql(traced[1])
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    times: list[float] = []
    for _ in range(pairs):
        for statements in (add, remove):
            t0 = time.perf_counter()
            for sql in statements:
                conn.execute(sql).fetchall()
            times.append(1000 * (time.perf_counter() - t0))
    left = conn.execute("SELECT COUNT(*) FROM codings WHERE coder = 'bench'").fetchone()[0]
    conn.close()
    if left:
        raise RuntimeError(f"the replayed presses left {left} codings")
    return {
        "floor_p50": percentile(times, 50),
        "floor_p95": percentile(times, 95),
        "floor_p99": percentile(times, 99),
        "floor_presses": len(times),
        "floor_sql_add": add,
        "floor_sql_remove": remove,
    }


# -- memory --------------------------------------------------------------------------------
async def rss(db: Path) -> dict:
    hook = FrameHook()
    try:
        app = make_app(db, coder="bench")
        async with app.run_test(size=SIZE) as pilot:
            await hook.wait()
            await pilot.pause()
            after_start = status_kib("VmHWM")
            await pilot.press("1", "n", "1", "2", "n", "p", "1", "2")
            await pilot.pause()
            hwm = status_kib("VmHWM")
            now = status_kib("VmRSS")
    finally:
        hook.close()
    return {"vmhwm_kib": hwm, "vmrss_kib": now, "after_start_kib": after_start}


def baseline(db: Path) -> dict:
    project = Project.open(db, coder="bench")
    project.questions()
    project.close()
    return {"vmhwm_kib": status_kib("VmHWM"), "vmrss_kib": status_kib("VmRSS")}


async def layout_requests(db: Path, presses: int) -> list[tuple[int, str, str]]:
    """Who asks Textual for a new layout during the number-key presses (a layout makes
    the next frame re-render the whole screen): (times, widget, qualcode's call) for
    every ``Widget.refresh(layout=True)``, from ``Static.update`` included."""
    import collections
    import traceback

    from textual.widget import Widget

    seen: collections.Counter = collections.Counter()
    original = Widget.refresh
    pressing = {"on": False}
    send = globals()["send_key"]

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if layout and pressing["on"]:
            ours = [
                f"{Path(f.filename).name}:{f.lineno} {f.name}"
                for f in traceback.extract_stack(limit=12)[:-1]
                if "/qualcode/" in f.filename
            ]
            seen[(type(self).__name__, ours[-1] if ours else "(Textual itself)")] += 1
        return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    def pressed(app, key: str) -> None:
        pressing["on"] = key == "1"
        send(app, key)

    Widget.refresh = refresh
    globals()["send_key"] = pressed
    try:
        await keys(db, presses)
    finally:
        Widget.refresh = original
        globals()["send_key"] = send
    return [(n, widget, where) for (widget, where), n in seen.most_common()]


def pstats_of(pairs: list):
    """The profiles of several presses, added into one."""
    import pstats

    merged = pstats.Stats(pairs[0][1])
    for _ms, prof in pairs[1:]:
        merged.add(prof)
    return merged


def top(profile, lines: int = 25) -> str:
    """cProfile's top lines by cumulative time, without the event loop's own frames."""
    import io
    import pstats

    out = io.StringIO()
    stats = (profile if isinstance(profile, pstats.Stats) else pstats.Stats(profile)).sort_stats(
        "cumulative"
    )
    stats.stream = out
    stats.print_stats(r"^(?!.*(asyncio|_contextvars|_callback\.py|message_pump\.py))", lines)
    prefixes = [
        str(Path(__file__).resolve().parent.parent) + "/",
        str(Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
        + "/",
        ".venv/lib/python3.11/site-packages/",
    ]
    text = out.getvalue()
    for prefix in prefixes:
        text = text.replace(prefix, "")
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["startup", "keys", "rss", "baseline", "profile"])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--presses", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.mode == "startup":
        emit(asyncio.run(startup(args.db)))
        return 0
    if args.mode == "baseline":
        emit(baseline(args.db))
        return 0
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-tui-") as tmp:
        db = private_copy(args.db, Path(tmp))
        if args.mode == "keys":
            emit(asyncio.run(keys(db, args.presses)))
        elif args.mode == "rss":
            emit(asyncio.run(rss(db)))
        else:
            import cProfile

            start_profile = cProfile.Profile()
            started = asyncio.run(startup(db, start_profile))
            key_profile = cProfile.Profile()
            pressed = asyncio.run(keys(db, 6, key_profile, profile_press=4))
            each: list = []
            asyncio.run(keys(db, 200, each=each))
            each.sort(key=lambda pair: -pair[0])
            slowest = each[: max(1, len(each) // 20)]
            merged = pstats_of(slowest)
            layouts = asyncio.run(layout_requests(db, 40))
            emit(
                {
                    "startup": started["startup"],
                    "key_ms": pressed["p50"],
                    "startup_profile": top(start_profile),
                    "key_profile": top(key_profile),
                    "slow_keys_ms": [round(ms, 1) for ms, _p in slowest],
                    "all_keys_median_ms": sorted(ms for ms, _p in each)[len(each) // 2],
                    "slow_keys_profile": top(merged),
                    "layout_requests": layouts,
                    "layout_presses": 40,
                }
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
