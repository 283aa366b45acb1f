"""Floor of `qualcode code DB --question Q --respondent R --code KEY`: a bare Python
process, sqlite3 and json only.

Opens DB as qualcode opens a file it writes (a ``mode=rw`` URI, busy_timeout 10 s,
foreign_keys, WAL, synchronous=FULL: the commit is on disk before the process ends) and
runs the statements `qualcode code` runs, each once: the project checks, the questions,
the respondent's item, the codebook and its codes, then one write transaction (BEGIN
IMMEDIATE, with qualcode's short busy timeout around it): the duplicate check, the
coding, the coding read back, the coder's "no theme" mark, the event with the coding as
JSON, COMMIT. It prints the line qualcode prints. No click, no qualcode.
"""

import json
import sqlite3
import sys
from datetime import UTC, datetime
from os.path import abspath

db, qid, rid, wanted, coder = sys.argv[1:6]
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
questions = conn.execute(
    "SELECT id, text, kind, codebook_id, position FROM questions ORDER BY position, id"
).fetchall()
stem = next(q[3] for q in questions if q[0] == qid)
item_sql = (
    "SELECT i.id, i.question_id, i.respondent_id, i.position, i.kind, i.text,"
    " i.speaker_role, i.is_empty, r.name FROM items i JOIN respondents r"
    " ON r.id = i.respondent_id WHERE "
)
((item_id, *_rest),) = conn.execute(
    item_sql + "i.question_id = ? AND i.kind != 'interviewer' AND i.respondent_id = ?"
    " ORDER BY i.respondent_id, i.position",
    [qid, rid],
).fetchall()
item = conn.execute(item_sql + "i.id = ?", [item_id]).fetchone()
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
code_id = dict(conn.execute("SELECT key, id FROM codes WHERE codebook_id = ?", [stem]))[key]
conn.execute("PRAGMA query_only").fetchone()
conn.execute("PRAGMA busy_timeout = 1000")
conn.execute("BEGIN IMMEDIATE")
conn.execute("PRAGMA busy_timeout = 10000")
existing = conn.execute(
    "SELECT id FROM codings WHERE item_id = ? AND code_id = ? AND coder = ?"
    ' AND IFNULL(start, -1) = IFNULL(?, -1) AND IFNULL("end", -1) = IFNULL(?, -1)',
    [item_id, code_id, coder, None, None],
).fetchone()
if existing is None:
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    new_id = conn.execute(
        'INSERT INTO codings (id, item_id, code_id, start, "end", coder, created_at, memo,'
        " origin) VALUES (?,?,?,?,?,?,?,?,?)",
        [None, item_id, code_id, None, None, coder, at, "", ""],
    ).lastrowid
    c = conn.execute(
        'SELECT c.id, c.item_id, k.key, c.coder, c.created_at, c.start, c."end", c.memo,'
        " c.origin FROM codings c JOIN codes k ON k.id = c.code_id WHERE c.id = ?",
        [new_id],
    ).fetchone()
    payload = {
        "id": c[0], "item_id": c[1], "question": item[1], "respondent": item[2],
        "position": item[3], "code": c[2], "coder": c[3], "start": c[5], "end": c[6],
        "memo": c[7], "created_at": c[4], "origin": c[8],
    }  # fmt: skip
    marked = conn.execute(
        "SELECT at FROM reviews WHERE item_id = ? AND coder = ?", [item_id, coder]
    ).fetchone()
    if marked is not None:
        conn.execute("DELETE FROM reviews WHERE item_id = ? AND coder = ?", [item_id, coder])
        payload["cleared_none"] = marked[0]
    conn.execute(
        "INSERT INTO events (at, actor, action, payload) VALUES (?, ?, ?, ?)",
        [
            datetime.now(UTC).isoformat(timespec="microseconds"),
            coder,
            "coding.add",
            json.dumps({"coding": payload}, ensure_ascii=False, default=str),
        ],
    )
conn.execute("COMMIT")
conn.close()
sys.stdout.write(f"coded {rid} with {key} (coder {coder})\n")
