"""Counts for one question, beside the bare GROUP BY query on the same file.

    python bench/bench_counts.py --db /tmp/bench100k.db [--question strategier] [--repeat 20]

qualcode: ``Project.counts(question)`` (the DataFrame behind ``qualcode counts`` and the
F4 table) and ``Project.respondent_counts(question)`` (the live counts the coding screen
redraws after every key press), each warmed up once (pandas is imported on the first
call) and then timed ``--repeat`` times; the median is reported.

Floor: on a plain ``sqlite3`` connection to the same file,

    SELECT k.key, COUNT(DISTINCT i.respondent_id) FROM codings c
      JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id
     WHERE i.question_id = ? AND i.is_empty = 0 GROUP BY k.key

timed the same way. It does not roll children up into parent codes; qualcode must (for
the nested codebooks), which needs the distinct (code, respondent) pairs instead.

Also: ``qualcode counts DB --question Q`` end to end (a new process: interpreter start,
imports, open, count, print), the median of a few runs. No target: informative.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median, timed  # noqa: E402

FLOOR_SQL = (
    "SELECT k.key, COUNT(DISTINCT i.respondent_id) FROM codings c"
    " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
    " WHERE i.question_id = ? AND i.is_empty = 0 GROUP BY k.key"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument(
        "--question",
        action="append",
        help="question id (repeatable; default: strategier and kompenserende-ordninger)",
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cli-repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from qualcode.core.project import Project

    result: dict[str, object] = {"repeat": args.repeat}
    t0 = time.perf_counter()
    project = Project.open(args.db, coder="bench")
    result["open"] = time.perf_counter() - t0
    present = {q.id for q in project.questions()}
    questions = [
        q for q in args.question or ["strategier", "kompenserende-ordninger"] if q in present
    ]
    floor = sqlite3.connect(args.db)
    for qid in questions:
        t0 = time.perf_counter()
        frame = project.counts(qid)
        first = time.perf_counter() - t0
        bare = dict(floor.execute(FLOOR_SQL, [qid]).fetchall())
        book = project.codebook(qid)
        flat = not any(c.parent for c in book)
        if flat:  # same numbers, or the comparison means nothing
            got = dict(zip(frame["code"], frame["respondents"], strict=True))
            assert all(got[k] == bare.get(k, 0) for k in got), (got, bare)
        counts = timed(lambda qid=qid: project.counts(qid), args.repeat)
        live = timed(lambda qid=qid: project.respondent_counts(qid), args.repeat)
        floor_times = timed(lambda qid=qid: floor.execute(FLOOR_SQL, [qid]).fetchall(), args.repeat)
        items = floor.execute("SELECT COUNT(*) FROM items WHERE question_id = ?", [qid]).fetchone()[
            0
        ]
        codings = floor.execute(
            "SELECT COUNT(*) FROM codings c JOIN items i ON"
            " i.id = c.item_id WHERE i.question_id = ?",
            [qid],
        ).fetchone()[0]
        cli = []
        env = dict(os.environ, QUALCODE_CODER="bench")
        exe = Path(sys.executable).with_name("qualcode")
        for _ in range(args.cli_repeat):
            t0 = time.perf_counter()
            subprocess.run(
                [str(exe), "counts", str(args.db), "--question", qid],
                check=True,
                capture_output=True,
                env=env,
            )
            cli.append(time.perf_counter() - t0)
        result[qid] = {
            "items": items,
            "codings": codings,
            "flat": flat,
            "first_call": first,
            "counts": median(counts),
            "respondent_counts": median(live),
            "floor": median(floor_times),
            "cli": median(cli) if cli else None,
        }
    project.close()
    floor.close()
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
