"""theme_counts reads theme_respondents, a table that triggers keep in step (migration 9):
after every kind of change a project goes through, the view says exactly what counting
from the codings says (the view as migration 5 wrote it, kept here as the reference), and
the table holds exactly what a recount would put in it."""

from __future__ import annotations

import contextlib
import random
import sqlite3

import pytest

from qualcode.core.project import Project
from qualcode.errors import QualcodeError

# theme_counts as migration 5 defined it: counted from the codings on every read
REFERENCE = """
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
SELECT q.id, q.wave, CASE WHEN q.series = '' THEN q.id ELSE q.series END, q.codebook_id,
       k.key, k.label, k.position, cs.coder, COALESCE(n.n, 0), COALESCE(a.n, 0),
       CASE WHEN COALESCE(a.n, 0) = 0 THEN NULL
            ELSE ROUND(100.0 * COALESCE(n.n, 0) / a.n, 1) END
FROM questions q
JOIN codes k ON k.codebook_id = q.codebook_id
JOIN coders cs ON cs.question_id = q.id
LEFT JOIN counted n ON n.question_id = q.id AND n.code_id = k.id AND n.coder = cs.coder
LEFT JOIN answered a ON a.question_id = q.id
ORDER BY q.position, q.id, cs.coder, k.position
"""

# what theme_respondents must hold: recounted from the codings
RECOUNT = """
WITH RECURSIVE lineage(ancestor_id, code_id) AS (
    SELECT id, id FROM codes
    UNION
    SELECT l.ancestor_id, c.id FROM lineage l JOIN codes c ON c.parent_id = l.code_id
)
SELECT i.question_id, l.ancestor_id, c.coder, i.respondent_id, COUNT(*)
FROM codings c
JOIN items i ON i.id = c.item_id AND i.is_empty = 0
JOIN lineage l ON l.code_id = c.code_id
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""


def assert_in_step(conn: sqlite3.Connection, when: str = "") -> None:
    held = conn.execute(
        "SELECT question_id, code_id, coder, respondent_id, codings FROM theme_respondents"
        " ORDER BY 1, 2, 3, 4"
    ).fetchall()
    assert held == conn.execute(RECOUNT).fetchall(), when
    assert conn.execute("SELECT * FROM theme_counts").fetchall() == (
        conn.execute(REFERENCE).fetchall()
    ), when


def test_a_new_project_and_the_demo_are_in_step(demo_db):
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM theme_respondents").fetchone()[0] > 0
        assert_in_step(conn)
    finally:
        conn.close()


def test_counts_follow_codings_added_removed_and_undone(demo_copy):
    with Project.open(demo_copy, coder="ane") as p:
        items = p.items("strategier")
        coding = p.add_coding(items[0].id, "fleksjob")
        assert_in_step(p.db, "added")
        # a second coding of the same code for the same respondent: still one respondent
        span = p.add_coding(items[0].id, "fleksjob", start=0, end=5)
        assert_in_step(p.db, "a passage beside the whole answer")
        p.remove_coding(coding.id)
        assert_in_step(p.db, "one of the two removed")
        p.remove_coding(span.id)
        assert_in_step(p.db, "both removed")
        p.undo()
        assert_in_step(p.db, "undone")
        p.redo()
        assert_in_step(p.db, "redone")
        p.settle(items[1].id, ["fleksjob", "andet"])
        assert_in_step(p.db, "settled as consensus")


def test_counts_follow_the_codebook_nesting_merges_and_deletions(demo_copy):
    with Project.open(demo_copy, coder="ane") as p:
        stem = p.question("interview").codebook
        book = p.codebook(stem)
        child = next(c for c in book.codes if c.parent)
        parent = child.parent
        other = next(c for c in book.codes if c.key not in (child.key, parent) and not c.parent)
        excerpt = p.items("interview")[0]
        p.add_coding(excerpt.id, child.key)
        assert_in_step(p.db, "a child coded: its parent counts it")
        p.update_code(stem, child.key, parent=other.key)
        assert_in_step(p.db, "re-nested under another parent")
        p.update_code(stem, child.key, parent=None)
        assert_in_step(p.db, "un-nested")
        p.undo(group="codebook")
        assert_in_step(p.db, "nesting undone")
        added = p.add_code(stem, "Ny underkode", parent=other.key)
        p.add_coding(excerpt.id, added.key, coder="bo")
        assert_in_step(p.db, "a new child code")
        p.merge_codes(stem, added.key, child.key)
        assert_in_step(p.db, "merged into another code")
        p.undo(group="codebook")
        assert_in_step(p.db, "merge undone")
        p.delete_code(stem, added.key)
        assert_in_step(p.db, "deleted with its codings")
        p.undo(group="codebook")
        assert_in_step(p.db, "deletion undone")


def test_counts_follow_items_changed_and_deleted_by_hand(demo_copy):
    """qualcode itself never empties or deletes an item, but the file is plain SQLite:
    the triggers keep the counts right whoever changes it."""
    conn = sqlite3.connect(demo_copy, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        coded = [
            r[0]
            for r in conn.execute("SELECT DISTINCT item_id FROM codings ORDER BY item_id LIMIT 3")
        ]
        conn.execute("UPDATE items SET is_empty = 1 WHERE id = ?", [coded[0]])
        assert_in_step(conn, "an item emptied")
        conn.execute("UPDATE items SET is_empty = 0 WHERE id = ?", [coded[0]])
        assert_in_step(conn, "and filled again")
        conn.execute("DELETE FROM items WHERE id = ?", [coded[1]])
        assert_in_step(conn, "an item deleted, its codings with it")
        conn.execute(
            "UPDATE codings SET coder = 'zoe' WHERE id = (SELECT MIN(id) FROM codings"
            " WHERE item_id = ?)",
            [coded[2]],
        )
        assert_in_step(conn, "a coding given to another coder")
        conn.execute("DELETE FROM codings")
        assert_in_step(conn, "every coding deleted")
        assert conn.execute("SELECT COUNT(*) FROM theme_respondents").fetchone()[0] == 0
    finally:
        conn.close()


@pytest.mark.parametrize("seed", range(4))
def test_counts_stay_in_step_through_random_work(demo_copy, seed):
    """A few hundred random codings, removals, re-nestings and redactions; the view is
    checked against the reference after each."""
    rng = random.Random(seed)
    with Project.open(demo_copy, coder="ane") as p:
        questions = p.questions()
        for step in range(60):
            q = rng.choice(questions)
            book = p.codebook(q.codebook)
            items = [i for i in p.items(q.id) if not i.is_empty]
            action = rng.random()
            if action < 0.55 and items:
                item = rng.choice(items)
                code = rng.choice(book.codes).key
                coder = rng.choice(["ane", "bo", "consensus"])
                if rng.random() < 0.3 and len(item.text) > 4:
                    start = rng.randrange(0, len(item.text) - 2)
                    p.add_coding(item.id, code, start=start, end=start + 2, coder=coder)
                else:
                    p.toggle_code(item.id, code, coder=coder)
            elif action < 0.85:
                codings = p.codings(question=q.id)
                if codings:
                    p.remove_coding(rng.choice(codings).id)
            else:
                child = rng.choice(book.codes)
                below = {d.key for d in book.descendants(child.key)}
                parents = [c.key for c in book.codes if c.key != child.key and c.key not in below]
                parent = rng.choice([None, *parents])
                with contextlib.suppress(QualcodeError):  # a nesting the rules refuse
                    p.update_code(q.codebook, child.key, parent=parent)
            assert_in_step(p.db, f"seed {seed}, step {step}")
