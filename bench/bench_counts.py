"""Counts in-process, beside the same SQL run bare on the same file.

    python bench/bench_counts.py --db /tmp/bench100k.db [--question strategier] [--repeat 21]

qualcode: ``Project.counts(question)`` (the DataFrame behind ``qualcode counts``, F4 and
the report) and ``Project.respondent_counts(question)`` (the live numbers the coding
screen redraws after a key press), on a project opened read-only as the CLI opens it.

Floor: the statements that very call ran, captured with SQLite's trace callback on
qualcode's connection during a warm call (the store's SQL: qualcode.store.counts, the
denominator, the codebook, the coders and the basis; with their values), run on a bare
``sqlite3`` connection opened with the same pragmas (``mode=ro`` URI, busy_timeout,
query_only, foreign_keys), each ``fetchall()``. The ratio is qualcode's Python overhead
around its own SQL: the codebook objects, pandas, the checks.

Each is warmed up once (pandas is imported on the first call), then qualcode and the
floor alternate ``--repeat`` times (by default as many as take about 2 s, 21 to 201:
a call of a few milliseconds is easily disturbed by other work on the machine); medians
and the lowest and highest time are reported.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median  # noqa: E402


def captured(conn: sqlite3.Connection, call) -> list[str]:
    """The statements ``call()`` runs on ``conn`` (without SQLite's inner ones)."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return [s for s in seen if not s.lstrip().startswith("--")]


def bare(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        f"file:{db.absolute()}?mode=ro", uri=True, timeout=10.0, isolation_level=None
    )
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def alternate(first, second, repeat: int) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    for i in range(repeat):
        for fn, out in ((first, a), (second, b)) if i % 2 == 0 else ((second, b), (first, a)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return a, b


def stats(values: list[float]) -> dict[str, float]:
    return {"median": median(values), "min": min(values), "max": max(values)}


def profile_counts(db: Path, qid: str, repeat: int, lines: int = 25) -> str:
    import cProfile
    import io
    import pstats

    from qualcode.core.project import Project

    project = Project.open(db, readonly=True, coder="bench")
    project.counts(qid)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        project.counts(qid)
    prof.disable()
    project.close()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(lines)
    text = out.getvalue()
    for prefix in (str(Path(__file__).resolve().parent.parent) + "/", sys.prefix + "/"):
        text = text.replace(prefix, "")
    keep = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(k for k in keep if not k.startswith(("   List reduced", "   Ordered")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument(
        "--question",
        action="append",
        help="question id (repeatable; default: strategier and kompenserende-ordninger)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="calls of each (default: enough for about 2 s of qualcode's calls, 21 to 201)",
    )
    parser.add_argument(
        "--profile",
        metavar="QID",
        help="only cProfile's top lines for --repeat warm calls of Project.counts(QID)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        emit({"profile": profile_counts(args.db, args.profile, args.repeat or 200)})
        return 0
    from qualcode.core.project import Project

    result: dict[str, object] = {"repeat": args.repeat or "auto"}
    t0 = time.perf_counter()
    project = Project.open(args.db, readonly=True, coder="bench")
    result["open"] = time.perf_counter() - t0
    present = {q.id for q in project.questions()}
    questions = [
        q for q in args.question or ["strategier", "kompenserende-ordninger"] if q in present
    ]
    floor = bare(args.db)
    for qid in questions:
        t0 = time.perf_counter()
        frame = project.counts(qid)
        first = time.perf_counter() - t0
        live = project.respondent_counts(qid)
        got = dict(zip(frame["code"], frame["respondents"], strict=True))
        if got != live:
            raise AssertionError(f"counts and respondent_counts differ: {got} {live}")
        book = project.codebook(qid)
        entry: dict[str, object] = {
            "flat": not any(c.parent for c in book),
            "first_call": first,
        }
        for name, call in (
            ("counts", lambda qid=qid: project.counts(qid)),
            ("respondent_counts", lambda qid=qid: project.respondent_counts(qid)),
        ):
            sql = captured(project.db, call)
            t0 = time.perf_counter()
            call()
            once = time.perf_counter() - t0
            repeat = args.repeat or max(21, min(201, int(2.0 / max(once, 1e-4))))

            def run_bare(sql=sql) -> None:
                for statement in sql:
                    floor.execute(statement).fetchall()

            mine, theirs = alternate(call, run_bare, repeat)
            entry[name] = stats(mine)
            entry[f"{name}_floor"] = stats(theirs)
            entry[f"{name}_statements"] = len(sql)
            entry[f"{name}_repeat"] = repeat
            entry[f"{name}_sql"] = sql
        entry["items"] = floor.execute(
            "SELECT COUNT(*) FROM items WHERE question_id = ?", [qid]
        ).fetchone()[0]
        entry["codings"] = floor.execute(
            "SELECT COUNT(*) FROM codings c JOIN items i ON i.id = c.item_id"
            " WHERE i.question_id = ?",
            [qid],
        ).fetchone()[0]
        result[qid] = entry
    project.close()
    floor.close()
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
