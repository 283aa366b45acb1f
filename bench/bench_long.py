"""A long answer in the workbench: PageDown and coding a passage, against a short one.

    python bench/bench_long.py [--words 5000] [--floor-words 50] [--presses 20]

Issue 18, item 4: "an answer of 5,000 words scrolls and codes as fast as a short one".
The project is built in a temporary folder through the public importer: one question
(codebook ``lokalpolitiske-strategier``) with two answers, one of ``--words`` words and
one of ``--floor-words`` words, each one paragraph (no line breaks: the worst case for a
text area, which wraps a line of 30,000 characters), Danish from bench/generate.py's
word chain.

The app runs headless (``app.run_test(size=(120, 36))``), as bench_tui.py's key latency;
the times are taken the same way: a hook on ``Screen._compositor_refresh`` notes the first
frame rendered after the key's work is done, and each time runs from sending the key
event (``driver.send_message``, as Pilot sends it) to that frame.

* **PageDown**: the text has focus; each press moves the cursor a page down and scrolls
  (on the short answer the text is one page: the cursor moves to its end and nothing
  scrolls); ctrl+home (untimed) goes back to the top when the end is reached.
* **coding a passage**: 60 characters from a word near the middle of the text are
  selected (untimed; the text scrolls to them), then "1" codes them with the codebook's
  first code (added, then removed on the next press); committed is when
  ``Project.add_coding``/``remove_coding`` has returned. Every press is checked on disk
  from a second connection: the coding's start and end are the selected offsets.

The floor is the same on the short answer in the same run, interleaved press by press
(long, short, short, long, ...): the key's dispatch, the text area's action, the coding's
transaction (``synchronous=FULL``) and the redraw of a text that fits on one screen. The
ratio is what the length of the text costs.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median, percentile  # noqa: E402
from bench_tui import FrameHook, send_key, wait_until  # noqa: E402
from generate import Danish  # noqa: E402

from qualcode.core.project import Project  # noqa: E402
from qualcode.io.answers import read_answers  # noqa: E402
from qualcode.tui.app import make_app  # noqa: E402
from qualcode.tui.widgets.item_queue import ItemQueue  # noqa: E402
from qualcode.tui.widgets.item_view import CodedTextArea  # noqa: E402

SIZE = (120, 36)
QUESTION, CODEBOOK = "strategier", "lokalpolitiske-strategier"


def build(folder: Path, words: int, floor_words: int, seed: int = 18) -> Path:
    """A project with two answers: JC1 of ``words`` words, JC2 of ``floor_words``."""
    danish = Danish(random.Random(seed))
    src = folder / "svar.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["jobcenter_id", "svar"])
        out.writerow(["JC1", danish.text(words)])
        out.writerow(["JC2", danish.text(floor_words)])
    db = folder / "lang.qualcode.db"
    with Project.create(db, coder="bench") as project:
        table = read_answers(
            str(src),
            respondent_col="jobcenter_id",
            text_cols=["svar"],
            questions=[QUESTION],
            codebooks=[CODEBOOK],
            project=project,
        )
        project.import_answers(table)
    return db


def stats(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {
        "median": median(ordered),
        "p95": percentile(ordered, 95),
        "min": ordered[0],
        "max": ordered[-1],
    }


async def measure(db: Path, presses: int) -> dict:
    hook = FrameHook()
    try:
        app = make_app(db, QUESTION, coder="bench")
        disk = sqlite3.connect(db)
        ids = dict(
            disk.execute("SELECT respondent_id, id FROM items WHERE question_id = ?", [QUESTION])
        )
        times: dict[str, dict[str, list[float]]] = {
            kind: {"long": [], "short": []} for kind in ("pagedown", "code")
        }
        committed: list[float] = []
        async with app.run_test(size=SIZE) as pilot:
            await hook.wait()
            await pilot.pause()
            screen = app.screen
            project = app.project
            area = screen.query_one(CodedTextArea)
            queue = screen.query_one(ItemQueue)
            for name in ("add_coding", "remove_coding"):
                original = getattr(project, name)

                def timed(*args, _original=original, **kwargs):
                    out = _original(*args, **kwargs)
                    committed.append(time.perf_counter())
                    hook.armed_after = committed[-1]
                    return out

                setattr(project, name, timed)  # the instance only
            page_down = area.action_cursor_page_down

            def paged() -> None:
                page_down()
                hook.armed_after = time.perf_counter()

            area.action_cursor_page_down = paged  # type: ignore[method-assign]
            code = screen.query_one("#codes").key_at(1)

            async def show(which: str) -> None:
                item_id = ids["JC1" if which == "long" else "JC2"]
                if screen.item is None or screen.item.id != item_id:
                    queue.select(item_id)
                    await wait_until(lambda: screen.item is not None and screen.item.id == item_id)
                    await pilot.pause()
                if not area.has_focus:
                    area.focus()
                    await pilot.pause()

            async def page(which: str) -> None:
                await show(which)
                if area.cursor_location == area.document.end:
                    area.move_cursor((0, 0))
                    area.scroll_home(animate=False, immediate=True)
                    await pilot.pause()
                t0 = time.perf_counter()
                send_key(app, "pagedown")
                await hook.wait()
                times["pagedown"][which].append(1000 * (hook.matched_frame - t0))
                await pilot.pause()

            async def passage(which: str, n: int) -> None:
                await show(which)
                # 60 characters from the word nearest the middle of the text
                text = area.text
                start = len(text) // 2 - 30
                while start > 0 and not text[start - 1].isspace():
                    start -= 1
                end = start + 60
                area.select_offsets(start, end)
                span = area.selected_span()
                assert span is not None
                await pilot.pause()
                before = len(committed)
                t0 = time.perf_counter()
                send_key(app, "1")
                await hook.wait()
                if len(committed) != before + 1:
                    raise RuntimeError(f"{which} press {n}: a frame but no commit")
                times["code"][which].append(1000 * (hook.matched_frame - t0))
                rows = disk.execute(
                    'SELECT c.start, c."end" FROM codings c JOIN codes k ON k.id = c.code_id'
                    " WHERE c.item_id = ? AND k.key = ? AND c.coder = 'bench'",
                    [screen.item.id, code],
                ).fetchall()
                expected = [span] if n % 2 == 0 else []
                if rows != expected:
                    raise RuntimeError(f"{which} press {n}: on disk {rows}, expected {expected}")
                await pilot.pause()

            for n in range(presses):
                for which in ("long", "short") if n % 2 == 0 else ("short", "long"):
                    await page(which)
            for n in range(presses):
                for which in ("long", "short") if n % 2 == 0 else ("short", "long"):
                    await passage(which, n)
            text_chars = len(area.text) if screen.item.id == ids["JC1"] else None
        disk.close()
    finally:
        hook.close()
    result: dict = {"presses": presses}
    for kind, by in times.items():
        result[kind] = {which: stats(ms) for which, ms in by.items()}
        result[kind]["ratio"] = result[kind]["long"]["median"] / result[kind]["short"]["median"]
    result["long_chars"] = text_chars
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--floor-words", type=int, default=50)
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-long-") as tmp:
        db = build(Path(tmp), args.words, args.floor_words)
        result = asyncio.run(measure(db, args.presses))
    result |= {"words": args.words, "floor_words": args.floor_words}
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
