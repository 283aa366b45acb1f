"""The published views (what ``qualcode serve`` shows) on one project file, timed as
Datasette runs them: the page's query (``SELECT * FROM view LIMIT 101``) and its count
(``SELECT COUNT(*) FROM view``), and the search of the answers.

    python bench/bench_views.py --db /tmp/bench100k.db [--repeat 7]

Beside theme_counts it times the same rows counted from the codings, as the view did
before migration 9 (``theme_counts`` of migration 5, run as a query on the same file):
the before and after of the table of counts kept in step by triggers. Each figure is the
median (and the lowest) of ``--repeat`` runs on a plain read-only ``sqlite3`` connection,
wall and CPU time; Datasette's default limit (``sql_time_limit_ms``) is 1,000 ms.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

LIMIT_MS = 1000

# theme_counts as migration 5 defined it: every coding counted on every read
COUNTED_FROM_CODINGS = """
WITH RECURSIVE lineage(ancestor_id, code_id) AS (
    SELECT id, id FROM codes
    UNION
    SELECT l.ancestor_id, c.id FROM lineage l JOIN codes c ON c.parent_id = l.code_id
),
coded AS (
    SELECT i.question_id, c.coder, l.ancestor_id AS code_id, i.respondent_id
    FROM codings c
    JOIN items i ON i.id = c.item_id AND i.is_empty = 0
    JOIN lineage l ON l.code_id = c.code_id
),
counted AS (
    SELECT question_id, code_id, coder, COUNT(DISTINCT respondent_id) AS n
    FROM coded GROUP BY question_id, code_id, coder
    UNION ALL
    SELECT question_id, code_id, '*', COUNT(DISTINCT respondent_id)
    FROM coded GROUP BY question_id, code_id
),
coders AS (
    SELECT DISTINCT question_id, coder FROM coded
    UNION
    SELECT id, '*' FROM questions
),
answered AS (
    SELECT question_id, COUNT(DISTINCT respondent_id) AS n FROM items
    WHERE is_empty = 0 AND kind != 'interviewer' GROUP BY question_id
)
SELECT q.id, k.key, cs.coder, COALESCE(n.n, 0), COALESCE(a.n, 0)
FROM questions q
JOIN codes k ON k.codebook_id = q.codebook_id
JOIN coders cs ON cs.question_id = q.id
LEFT JOIN counted n ON n.question_id = q.id AND n.code_id = k.id AND n.coder = cs.coder
LEFT JOIN answered a ON a.question_id = q.id
ORDER BY q.position, q.id, cs.coder, k.position
LIMIT 101
"""

SEARCH = (
    "SELECT * FROM answers WHERE id IN"
    " (SELECT rowid FROM items_fts WHERE items_fts MATCH ?) LIMIT 101"
)
SEARCH_COUNT = (
    "SELECT COUNT(*) FROM answers WHERE id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
)


def timed(conn: sqlite3.Connection, sql: str, args: list[str], repeat: int) -> dict[str, float]:
    walls, cpus = [], []
    conn.execute(sql, args).fetchall()  # warm the page cache
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        conn.execute(sql, args).fetchall()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "cpu": statistics.median(cpus),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--json", action="store_true", help="one BENCH-RESULT line for bench/run.py instead"
    )
    args = parser.parse_args(argv)
    say = (lambda *_a, **_k: None) if args.json else print
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    if "coded_passages" not in views:
        print(f"{args.db}: written before migration 9; open it once to write", file=sys.stderr)
        return 1
    answers = conn.execute("SELECT COUNT(*) FROM items WHERE kind = 'answer'").fetchone()[0]
    codings = conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    say(f"{args.db}: {answers:,} answers, {codings:,} codings; load {os.getloadavg()[0]:.1f}")
    say(f"{'query':58} {'median':>8} {'lowest':>8} {'CPU':>8}  (ms)")
    cases: list[tuple[str, str, list[str]]] = [
        ("theme_counts counted from the codings (before m009)", COUNTED_FROM_CODINGS, []),
    ]
    for view in ("theme_counts", "coded_passages", "starred_quotes", "answers"):
        cases.append((f"{view}: page (LIMIT 101)", f"SELECT * FROM {view} LIMIT 101", []))
        cases.append((f"{view}: count", f"SELECT COUNT(*) FROM {view}", []))
    cases.append(
        (
            "theme_counts: one question, coder '*'",
            "SELECT * FROM theme_counts WHERE question = ? AND coder = '*'",
            ["strategier"],
        )
    )
    for word in ("fleksjob", "og"):
        cases.append((f"answers: search '{word}' (page)", SEARCH, [f'"{word}"']))
        cases.append((f"answers: search '{word}' (count)", SEARCH_COUNT, [f'"{word}"']))
    worst = 0.0
    found = []
    for label, sql, sql_args in cases:
        t = timed(conn, sql, sql_args, args.repeat)
        if not label.endswith("(before m009)"):
            worst = max(worst, t["median"])
        found.append({"query": label, **t})
        say(f"{label:58} {t['median']:8.1f} {t['min']:8.1f} {t['cpu']:8.1f}")
    conn.close()
    say(f"slowest after m009: {worst:.0f} ms of Datasette's {LIMIT_MS} ms")
    if args.json:
        import json

        result = {"repeat": args.repeat, "limit_ms": LIMIT_MS, "queries": found}
        print("BENCH-RESULT " + json.dumps(result | {"loadavg": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
