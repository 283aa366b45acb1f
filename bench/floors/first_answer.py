"""Floor of the workbench's first answer: a bare Python process (sqlite3 only) that opens
DB as the workbench does (``mode=rw`` URI, busy_timeout, foreign_keys, WAL,
synchronous=FULL), runs the statements the coding screen runs before it shows the first
item (the project checks, the remembered question, the questions, the codebook and its
codes, the queue of the question's items, the coded and reviewed items, the live counts,
then the first item, its respondent, codings and memos) and writes the first item's text
and the top of the queue to the terminal. Run by bench_start.py, which times it to the
moment it says the text is written."""

import json
import os
import sqlite3
import sys
import time
from os.path import abspath

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from _first_frame import since_process_start  # noqa: E402

db, qid = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(f"file:{abspath(db)}?mode=rw", uri=True, timeout=10.0, isolation_level=None)
conn.execute("PRAGMA busy_timeout = 10000")
conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
conn.execute("PRAGMA application_id").fetchone()
conn.execute(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
).fetchone()
conn.execute(
    "SELECT COUNT(*) FROM _sqlite_migrations WHERE migration_set = ?", ["qualcode"]
).fetchone()
conn.execute("PRAGMA foreign_keys = ON")
if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
    conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = FULL")
conn.execute("SELECT value FROM project WHERE key = ?", ["question:root"]).fetchone()
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
queue = conn.execute(
    "SELECT i.id, i.respondent_id, i.position, i.speaker_role FROM items i"
    " WHERE i.question_id = ? AND i.is_empty = 0 AND i.kind != 'interviewer'"
    " ORDER BY i.respondent_id, i.position",
    [qid],
).fetchall()
coded = {
    r[0]
    for r in conn.execute(
        "SELECT DISTINCT c.item_id FROM codings c JOIN items i ON i.id = c.item_id"
        " WHERE i.question_id = ?",
        [qid],
    )
}
counts = dict(
    conn.execute(
        "SELECT k.key, g.n FROM ("
        " SELECT c.code_id AS code_id, COUNT(DISTINCT i.respondent_id) AS n"
        " FROM items i CROSS JOIN codings c"
        " WHERE i.question_id = ? AND i.is_empty = 0 AND c.item_id = i.id"
        " GROUP BY c.code_id) g JOIN codes k ON k.id = g.code_id WHERE k.codebook_id = ?",
        [qid, stem],
    ).fetchall()
)
reviewed = {
    r[0]
    for r in conn.execute(
        "SELECT DISTINCT v.item_id FROM reviews v JOIN items i ON i.id = v.item_id"
        " WHERE i.question_id = ?",
        [qid],
    )
}
first = queue[0][0]
item = conn.execute(
    "SELECT i.id, i.question_id, i.respondent_id, i.position, i.kind, i.text,"
    " i.speaker_role, i.is_empty, r.name FROM items i JOIN respondents r"
    " ON r.id = i.respondent_id WHERE i.id = ?",
    [first],
).fetchone()
conn.execute("SELECT id, name FROM respondents WHERE id = ?", [item[2]]).fetchone()
conn.execute(
    "SELECT name, value FROM attributes WHERE respondent_id = ? ORDER BY rowid", [item[2]]
).fetchall()
conn.execute(
    'SELECT c.id, c.item_id, k.key, c.coder, c.created_at, c.start, c."end", c.memo,'
    " c.origin FROM codings c JOIN codes k ON k.id = c.code_id WHERE c.item_id = ?"
    " ORDER BY c.id",
    [first],
).fetchall()
conn.execute("SELECT coder FROM reviews WHERE item_id = ?", [first]).fetchall()
conn.execute(
    "SELECT id, target, target_id, text, author, created_at, updated_at FROM memos"
    " WHERE target = 'item' AND target_id = ? ORDER BY id",
    [str(first)],
).fetchall()
screen = [f"{item[2]} {item[8]}", "", item[5], ""]
screen += [
    f"{'✓' if i in coded else ' '}{'∅' if i in reviewed else ' '} {rid}"
    for i, rid, _p, _r in queue[:30]
]
screen += [f"{label[:40]:<42}{counts.get(key, 0):>7}" for key, label, *_r in codes]
sys.stdout.write("\x1b[2J\x1b[H" + "\r\n".join(screen) + "\r\n")
sys.stdout.flush()
line = {"since_start": since_process_start(), "perf": time.perf_counter(), "text": item[5]}
os.write(int(os.environ["QUALCODE_BENCH_FD"]), (json.dumps(line) + "\n").encode())
conn.close()
