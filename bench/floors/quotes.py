"""Floor of `qualcode quotes DB --question Q --code KEY`: a bare Python process, sqlite3 only.

Opens DB as qualcode opens a file it only reads (``mode=ro`` URI, busy_timeout 10 s,
query_only, foreign_keys), runs the statements `qualcode quotes` runs, each once: the
project checks, the questions, the question's codebook and codes, and the quotes query of
qualcode.store.codings.quote_rows for the code and its descendants. It drops a second
coder's coding of the same passage, as qualcode does, and prints the quotes as Markdown
under their theme ('"…"', '"…" – Role' for interview excerpts). No click, no qualcode.
"""

import sqlite3
import sys
from os.path import abspath

db, qid, wanted = sys.argv[1], sys.argv[2], sys.argv[3]
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
stem = next(q[3] for q in questions if q[0] == qid)
conn.execute(
    "SELECT title, description, definition_source, published_year, published_base,"
    " published_source FROM codebooks WHERE id = ?",
    [stem],
).fetchone()
codes = conn.execute(
    "SELECT c.key, c.label, c.definition, c.source, c.color, c.keywords, p.key,"
    " c.published_count, c.published_base, c.published_year, c.other"
    " FROM codes c LEFT JOIN codes p ON p.id = c.parent_id"
    " WHERE c.codebook_id = ? ORDER BY c.position",
    [stem],
).fetchall()
key = next(c[0] for c in codes if wanted in (c[0], c[1]))
keys, grew = [key], True
while grew:  # the code and its descendants
    more = [c[0] for c in codes if c[6] in keys and c[0] not in keys]
    keys += more
    grew = bool(more)
rows = conn.execute(
    'SELECT cd.id, cd.item_id, k.key, k.label, cd.coder, cd.start, cd."end",'
    " i.respondent_id, r.name, i.speaker_role, i.text, i.position, cd.starred"
    " FROM codings cd JOIN items i ON i.id = cd.item_id"
    " JOIN codes k ON k.id = cd.code_id JOIN respondents r ON r.id = i.respondent_id"
    " WHERE i.question_id = ? AND k.codebook_id = ?"
    f" AND k.key IN ({','.join('?' * len(keys))})"
    " ORDER BY i.respondent_id, i.position, cd.start, cd.id",
    [qid, stem, *keys],
).fetchall()
conn.close()
out, seen, current = [], set(), None
for _cid, item_id, code, label, _coder, start, end, _rid, _name, role, text, _pos, _s in rows:
    if (item_id, start, end, code) in seen:
        continue
    seen.add((item_id, start, end, code))
    if label != current:
        out.append(f"## {label}\n")
        current = label
    passage = (text[start:end] if start is not None else text).strip()
    out.append(f'"{passage}" \u2013 {role}' if role else f'"{passage}"')
    out.append("")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
