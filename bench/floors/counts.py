"""Floor of `qualcode counts DB --question Q`: a bare Python process, sqlite3 only.

Opens DB as qualcode opens a file it only reads (``mode=ro`` URI, busy_timeout 10 s,
query_only, foreign_keys) and runs the statements `qualcode counts` runs, each once: the
project checks, the project's coder basis and the question's coders (for the warning when
several coders are joined), the question, its codebook and codes, the denominator
(qualcode.store.items.answered) and the count itself, the SQL of
qualcode.store.counts (the direct query for a flat codebook, the recursive roll-up for a
nested one), and the project's noun. It prints one line per code: indented label,
"N af M", percent with one decimal, and the published figure. No click, no pandas, no
qualcode.
"""

import sqlite3
import sys
from os.path import abspath

DIRECT = """
SELECT k.key, g.n FROM (
    SELECT c.code_id AS code_id, COUNT(DISTINCT i.respondent_id) AS n
    FROM items i CROSS JOIN codings c
    WHERE i.question_id = ? AND i.is_empty = 0 AND c.item_id = i.id {coder}
    GROUP BY c.code_id
) g JOIN codes k ON k.id = g.code_id
WHERE k.codebook_id = ?
"""

ROLLUP = """
WITH RECURSIVE lineage(ancestor_id, code_id) AS (
    SELECT id, id FROM codes WHERE codebook_id = ?
    UNION
    SELECT l.ancestor_id, k.id FROM lineage l JOIN codes k ON k.parent_id = l.code_id
)
SELECT k.key, g.n FROM (
    SELECT l.ancestor_id AS code_id, COUNT(DISTINCT i.respondent_id) AS n
    FROM items i CROSS JOIN codings c CROSS JOIN lineage l
    WHERE i.question_id = ? AND i.is_empty = 0 AND c.item_id = i.id {coder}
      AND l.code_id = c.code_id
    GROUP BY l.ancestor_id
) g JOIN codes k ON k.id = g.code_id
"""

db, qid = sys.argv[1], sys.argv[2]
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
row = conn.execute("SELECT value FROM project WHERE key = 'basis'").fetchone()
basis = row[0] if row and row[0] else None
coders = [
    r[0]
    for r in conn.execute(
        "SELECT DISTINCT c.coder FROM codings c JOIN items i ON i.id = c.item_id"
        " WHERE i.question_id = ? ORDER BY c.coder",
        [qid],
    )
]
questions = conn.execute(
    "SELECT id, text, kind, codebook_id, position FROM questions ORDER BY position, id"
).fetchall()
_qid, text, kind, stem, _position = next(q for q in questions if q[0] == qid)
title = conn.execute(
    "SELECT title, description, definition_source, published_year, published_base,"
    " published_source FROM codebooks WHERE id = ?",
    [stem],
).fetchone()[0]
codes = conn.execute(
    "SELECT c.key, c.label, c.definition, c.source, c.color, c.keywords, p.key,"
    " c.published_count, c.published_base, c.published_year, c.other"
    " FROM codes c LEFT JOIN codes p ON p.id = c.parent_id"
    " WHERE c.codebook_id = ? ORDER BY c.position",
    [stem],
).fetchall()
answered = conn.execute(
    "SELECT COUNT(DISTINCT i.respondent_id) FROM items i WHERE i.question_id = ?"
    " AND i.is_empty = 0 AND i.kind != 'interviewer'",
    [qid],
).fetchone()[0]
coder_sql, coder_args = ("", []) if basis is None else (" AND c.coder = ?", [basis])
parent = {c[0]: c[6] for c in codes}
if any(parent.values()):
    sql, args = ROLLUP, [stem, qid, *coder_args]
else:
    sql, args = DIRECT, [qid, *coder_args, stem]
found = dict(conn.execute(sql.format(coder=coder_sql), args).fetchall())
noun = conn.execute("SELECT value FROM project WHERE key = 'noun'").fetchone()
conn.close()

plural = (noun[0] if noun else "jobcenter/jobcentre").split("/")[-1]
out = [f"{qid}: {title} ({answered} {plural} har svaret)"]
if basis is None and len(coders) > 1:
    out.append(f"Kodet af: alle kodere ({', '.join(coders)})")
for key, label, *_rest in codes:
    depth, up = 0, parent[key]
    while up:
        depth, up = depth + 1, parent.get(up)
    n = found.get(key, 0)
    pct = f"{int(1000 * n / answered + 0.5) / 10:.1f} %" if answered else "–"
    published = _rest[5], _rest[6]
    pub = f"{published[0]} af {published[1]}" if published[0] is not None else ""
    out.append(f"{'  ' * depth + label[:70]:<72}{n:>6} af {answered:<6}{pct:>8}  {pub}")
sys.stdout.write("\n".join(out) + "\n")
if basis is None and len(coders) > 1:
    sys.stderr.write(
        f"qualcode: warning: {qid} is coded by {len(coders)} coders ({', '.join(coders)})"
        " and these numbers join them all\n"
    )
