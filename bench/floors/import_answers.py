"""Floor of `qualcode import answers NEW.db FILE.csv ...` into a new project: a bare Python
process, the standard library only (sqlite3, csv, hashlib, json).

1. Reads the whole file (bytes), hashes it (SHA-256, for the import log as qualcode
   logs it), decodes it as Windows-1252 and splits it with csv.reader (';'): the
   encoding and the separator are known here, where qualcode detects them.
2. Creates the project file with qualcode's pragmas for writing (WAL, synchronous=FULL,
   foreign_keys) and qualcode's schema: SETUP.sql holds the CREATE statements of a new
   qualcode project (tables, indexes, views, triggers, the FTS5 index of the texts) and
   the rows qualcode puts in it before the answers (the migrations' log, the codebooks and
   codes of the questions, the questions, their events). It is run in one transaction.
3. In a second transaction (BEGIN IMMEDIATE ... COMMIT, as qualcode), as the rows are
   split, 500 respondents at a time: the respondents (id, name, created_at), their
   attributes, and one item per answer (empty answers kept, as qualcode keeps them),
   written as qualcode writes them: up to 500 rows per INSERT (the FTS5 triggers fire per
   row; one INSERT per row is three times slower); then the import's log row and event.
   The garbage collector is off, as qualcode turns it off while it builds rows.

Arguments: NEW.db FILE.csv SETUP.sql ID_COL NAME_COL ATTR,ATTR TEXT_COL=QUESTION ...
"""

import csv
import gc
import hashlib
import io
import json
import sqlite3
import sys
from datetime import UTC, datetime
from os.path import abspath

db, path, setup, id_col, name_col, attr_cols, *pairs = sys.argv[1:]
attrs = [a for a in attr_cols.split(",") if a]
texts = [tuple(p.split("=", 1)) for p in pairs]

gc.disable()  # the rows form no cycles: no collector passes over them (qualcode pauses it too)
with open(path, "rb") as fh:
    raw = fh.read()
sha = hashlib.sha256(raw).hexdigest()
text = io.TextIOWrapper(io.BytesIO(raw), encoding="cp1252", newline="")  # decoded as read
rows = csv.reader(text, delimiter=";")
header = next(rows)
at = header.index
id_i, name_i = at(id_col), at(name_col)
attr_i = [(a, at(a)) for a in attrs]
text_i = [(q, at(c)) for c, q in texts]
now = datetime.now(UTC).isoformat(timespec="microseconds")

conn = sqlite3.connect(f"file:{abspath(db)}?mode=rwc", uri=True, timeout=10.0, isolation_level=None)
conn.execute("PRAGMA busy_timeout = 10000")
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = FULL")
with open(setup, encoding="utf-8") as fh:
    conn.executescript("BEGIN IMMEDIATE;\n" + fh.read() + "\nCOMMIT;")

head = (
    "INSERT INTO items (question_id, respondent_id, position, kind, speaker_role, text,"
    " is_empty, source) VALUES "
)
many = head + ",".join(["(?,?,?,?,?,?,?,?)"] * 500)
n_respondents = n_attributes = n_items = 0


def write(respondents: list, attributes: list, items: list) -> None:
    """A batch: its respondents and attributes by executemany, its items 500 to an INSERT."""
    conn.executemany("INSERT INTO respondents (id, name, created_at) VALUES (?,?,?)", respondents)
    conn.executemany(
        "INSERT INTO attributes (respondent_id, name, value) VALUES (?,?,?)", attributes
    )
    per = 500 * 8  # values in 500 rows
    for start in range(0, len(items), per):
        batch = items[start : start + per]
        rest = head + ",".join(["(?,?,?,?,?,?,?,?)"] * (len(batch) // 8))
        conn.execute(many if len(batch) == per else rest, batch)


conn.execute("BEGIN IMMEDIATE")
respondents, attributes, items = [], [], []
for row in rows:
    rid = row[id_i].strip()
    respondents.append((rid, row[name_i].strip(), now))
    attributes += [(rid, a, row[i].strip()) for a, i in attr_i]
    for qid, i in text_i:
        text = row[i].strip()
        items += (qid, rid, 0, "answer", None, text, int(not text), path)
    if len(respondents) == 500:
        write(respondents, attributes, items)
        n_respondents, n_attributes = n_respondents + 500, n_attributes + len(attributes)
        n_items += len(items) // 8
        respondents, attributes, items = [], [], []
write(respondents, attributes, items)
n_respondents, n_attributes = n_respondents + len(respondents), n_attributes + len(attributes)
n_items += len(items) // 8
summary = {"respondents": n_respondents, "items": n_items}
options = {"respondent_col": id_col, "text_cols": [c for c, _q in texts]}
conn.execute(
    "INSERT INTO imports (kind, file, sha256, options, at, summary) VALUES (?,?,?,?,?,?)",
    ["answers", path, sha, json.dumps(options), now, json.dumps(summary)],
)
conn.execute(
    "INSERT INTO events (at, actor, action, payload) VALUES (?, ?, ?, ?)",
    [now, "bench", "import.answers", json.dumps({"file": path, "sha256": sha, "summary": summary})],
)
conn.execute("COMMIT")
conn.close()
sys.stdout.write(
    f"{path}: imported {n_respondents} respondents, {n_attributes} attribute values,"
    f" {n_items} items\n"
)
