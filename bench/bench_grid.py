"""The grid of answers (F2, g) on a big project: how long the core takes to work a grid
out (filter and order, as a list of ids) and to read a page of it, per sort and filter;
and in the workbench, from the key g to the grid's table filled, and from s (sort by the
cursor's column) to the table filled again.

    python bench/bench_grid.py --db /work/benchdata/p100000.db [--question strategier]

The project is opened read-only for the core's figures; the workbench works on a copy
(choosing columns writes to the project). Each figure is the median of ``--repeat`` runs.
Not part of bench/run.py yet.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit  # noqa: E402

from qualcode.core.grid import CODES, RESPONDENT, TEXT, SortBy  # noqa: E402
from qualcode.core.project import Project  # noqa: E402

PAGE = 100


def core(db: Path, qid: str, attributes: list[str], repeat: int) -> dict:
    cases: dict[str, dict] = {
        "file order": {},
        "by respondent": {"sort": SortBy(RESPONDENT, descending=True)},
        "by text": {"sort": SortBy(TEXT)},
        "by codes": {"sort": SortBy(CODES)},
        f"by {attributes[0]}": {"sort": SortBy(attributes[0], attribute=True)},
        "filter code": {"query": "kode:andet"},
        f"filter {attributes[0]} and code": {
            "query": f"{attributes[0]}:{{value}} kode:andet",
        },
    }
    out: dict[str, dict] = {}
    with Project.open(db, readonly=True) as p:
        value = p.grid(qid, attributes=attributes).rows(0, 1)[0].values[0]
        for name, options in cases.items():
            if "query" in options:
                options = {**options, "query": options["query"].format(value=value)}
            builds, pages, rows = [], [], 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                grid = p.grid(qid, attributes=attributes, **options)
                t1 = time.perf_counter()
                grid.rows(len(grid) // 2, PAGE)
                t2 = time.perf_counter()
                builds.append(t1 - t0)
                pages.append(t2 - t1)
                rows = len(grid)
            out[name] = {
                "rows": rows,
                "build_ms": round(1000 * statistics.median(builds), 1),
                "page_ms": round(1000 * statistics.median(pages), 1),
            }
    return out


async def workbench(db: Path, qid: str, attributes: list[str]) -> dict:
    from qualcode.paths import os_user
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.grid import GridScreen

    with Project.open(db) as p:
        p.remember_grid_columns(os_user(), attributes)
    app = make_app(db, qid, coder="bench")

    async def until(predicate, timeout: float = 120.0) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("the workbench did not get there in time")
            await asyncio.sleep(0.001)

    async with app.run_test(size=(160, 40)) as pilot:
        await until(lambda: getattr(app.screen, "item", None) is not None)
        await pilot.pause()
        t0 = time.perf_counter()
        await pilot.press("g")
        await until(lambda: isinstance(app.screen, GridScreen) and app.screen.table.row_count)
        opened = time.perf_counter() - t0
        grid = app.screen
        assert isinstance(grid, GridScreen)
        sorts = {}
        for column, name in ((1, "text"), (3, attributes[0])):
            grid.table.cursor_coordinate = grid.table.cursor_coordinate._replace(column=column)
            before = grid.grid
            t0 = time.perf_counter()
            await pilot.press("s")
            await until(lambda before=before: grid.grid is not before)
            sorts[name] = time.perf_counter() - t0
        rows = len(grid.grid) if grid.grid is not None else 0
    # pilot.press waits for the app to be idle (sleeps of ~20 ms): these are upper bounds
    return {
        "rows": rows,
        "open_ms": round(1000 * opened, 1),
        **{f"sort_{k}_ms": round(1000 * v, 1) for k, v in sorts.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--question", default=None)
    parser.add_argument("--attributes", default="region,stoerrelse")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    attributes = [a for a in args.attributes.split(",") if a]
    with Project.open(args.db, readonly=True) as p:
        qid = args.question or p.questions()[0].id
    result: dict = {"question": qid, "core": core(args.db, qid, attributes, args.repeat)}
    with tempfile.TemporaryDirectory() as tmp:
        import sqlite3

        copy = Path(tmp) / args.db.name
        src, dst = sqlite3.connect(args.db), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        result["workbench"] = asyncio.run(workbench(copy, qid, attributes))
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
