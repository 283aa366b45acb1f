"""Floor of `qualcode info DB`: a bare Python process, the standard library's sqlite3 only.

Opens DB as qualcode opens a file it only reads (a ``mode=ro`` URI, busy_timeout 10 s,
query_only, foreign_keys), runs the statements qualcode runs to check that the file is a
project (tables, application_id, the migrations applied), then the questions, the count of
respondents and, per question, the items and codings (qualcode.store.items.tally), and
prints the same lines. Nothing else: no click, no qualcode.
"""

import sqlite3
import sys
from os.path import abspath

db = sys.argv[1]
conn = sqlite3.connect(f"file:{abspath(db)}?mode=ro", uri=True, timeout=10.0, isolation_level=None)
conn.execute("PRAGMA busy_timeout = 10000")
conn.execute("PRAGMA query_only = ON")
conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
conn.execute("PRAGMA application_id").fetchone()
conn.execute(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
).fetchone()
conn.execute(
    "SELECT COUNT(*) FROM _sqlite_migrations WHERE migration_set = ?", ["qualcode"]
).fetchone()
conn.execute("PRAGMA foreign_keys = ON")
questions = conn.execute(
    "SELECT id, text, kind, codebook_id, position FROM questions ORDER BY position, id"
).fetchall()
respondents = conn.execute("SELECT COUNT(*) FROM respondents").fetchone()[0]
out = [f"{db}: {respondents} respondents"]
for qid, _text, kind, codebook, _position in questions:
    items, non_empty = conn.execute(
        "SELECT COUNT(*), SUM(is_empty = 0) FROM items WHERE question_id = ?"
        " AND kind != 'interviewer'",
        [qid],
    ).fetchone()
    coded, codings = conn.execute(
        "SELECT COUNT(DISTINCT item_id), COUNT(*) FROM codings WHERE item_id IN"
        " (SELECT id FROM items WHERE question_id = ?)",
        [qid],
    ).fetchone()
    out.append(
        f"  {qid} ({kind}, codebook {codebook}): {items} items, {non_empty or 0} non-empty,"
        f" {coded} coded, {codings} codings"
    )
conn.close()
sys.stdout.write("\n".join(out) + "\n")
