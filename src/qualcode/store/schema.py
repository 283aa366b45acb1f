"""The project file's schema, as sqlite-utils migrations applied on open.

Never edit a migration that has shipped: add a new one. ``SCHEMA_VERSION`` is the
number of migrations; a file written by a newer qualcode is refused.

sqlite-utils (which imports pandas when it is installed) is imported only when a file
needs migrating: opening a current project costs no import of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "qualcode"
MIGRATIONS: list[Callable[[Database], None]] = []


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    MIGRATIONS.append(fn)
    return fn


def migrator() -> Migrations:
    """The migrations as a sqlite-utils migration set (applied with ``.apply(db)``)."""
    from sqlite_utils.migrations import Migrations

    out = Migrations(MIGRATION_SET)
    for fn in MIGRATIONS:
        out()(fn)
    return out


def __getattr__(name: str) -> Any:
    # ``schema.migrations``: the migration set, made when first asked for
    if name == "migrations":
        return migrator()
    raise AttributeError(name)


@_migration
def m001_initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE project (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE respondents (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE attributes (
            respondent_id TEXT NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT,
            PRIMARY KEY (respondent_id, name)
        );
        CREATE TABLE codebooks (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            definition_source TEXT NOT NULL DEFAULT '',
            published_year INTEGER,
            published_base INTEGER,
            published_source TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            codebook_id TEXT NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            label TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            color TEXT NOT NULL,
            keywords TEXT NOT NULL DEFAULT '[]',
            parent_id INTEGER REFERENCES codes(id),
            position INTEGER NOT NULL,
            other INTEGER NOT NULL DEFAULT 0,
            published_count INTEGER,
            published_base INTEGER,
            published_year INTEGER,
            UNIQUE (codebook_id, key),
            UNIQUE (codebook_id, label)
        );
        CREATE TABLE questions (
            id TEXT PRIMARY KEY,
            text TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL CHECK (kind IN ('open', 'interview')),
            codebook_id TEXT NOT NULL REFERENCES codebooks(id),
            position INTEGER NOT NULL
        );
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            question_id TEXT NOT NULL REFERENCES questions(id),
            respondent_id TEXT NOT NULL REFERENCES respondents(id),
            position INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'excerpt', 'interviewer')),
            speaker_role TEXT,
            text TEXT NOT NULL,
            is_empty INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '',
            UNIQUE (question_id, respondent_id, position)
        );
        CREATE INDEX items_question ON items(question_id, respondent_id, position);
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id),
            start INTEGER,
            "end" INTEGER,
            coder TEXT NOT NULL,
            created_at TEXT NOT NULL,
            memo TEXT NOT NULL DEFAULT '',
            CHECK ((start IS NULL AND "end" IS NULL)
                   OR (start IS NOT NULL AND "end" IS NOT NULL AND 0 <= start AND start < "end"))
        );
        CREATE UNIQUE INDEX codings_unique
            ON codings(item_id, code_id, coder, IFNULL(start, -1), IFNULL("end", -1));
        CREATE INDEX codings_code ON codings(code_id, item_id);
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL CHECK (target IN ('project', 'item', 'coding', 'code',
                                                    'respondent')),
            target_id TEXT,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX memos_target ON memos(target, target_id);
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '{}',
            at TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        """,
    )


@_migration
def m002_quote_stars(db: Database) -> None:
    """Analysts star the coded excerpts worth quoting in the report."""
    _run(
        db,
        """
        ALTER TABLE codings ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_actor ON events(actor, id);
        """,
    )


@_migration
def m003_queue_index(db: Database) -> None:
    """The coding queue of a 100,000-answer question is read from this index alone."""
    _run(
        db,
        """
        CREATE INDEX items_queue
            ON items(question_id, respondent_id, position, is_empty, kind, speaker_role);
        """,
    )


@_migration
def m004_suggestions(db: Database) -> None:
    """Code suggestions: where a coding came from, the analyst's verdicts, cached NLP."""
    _run(
        db,
        """
        ALTER TABLE codings ADD COLUMN origin TEXT NOT NULL DEFAULT '';
        CREATE TABLE suggestion_verdicts (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            coder TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
            source TEXT NOT NULL DEFAULT '',
            score REAL,
            at TEXT NOT NULL,
            UNIQUE (item_id, code_id, coder)
        );
        CREATE TABLE nlp_docs (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            pipeline TEXT NOT NULL,
            text_sha TEXT NOT NULL,
            sents TEXT NOT NULL,
            tokens TEXT NOT NULL
        );
        """,
    )


@_migration
def m005_waves_and_views(db: Database) -> None:
    """Survey waves (a question asked again in another year), and read-only SQL views so
    the file opens usefully in Datasette or any SQLite browser.

    ``questions.wave`` is the survey round ('2017', '2018'; '' when not set) and
    ``questions.series`` the id shared by every wave of the same question ('' means the
    question's own id). The views count the way ``Project.counts`` does: distinct
    jobcentres, a parent code counting its children, empty answers left out; the coder
    ``*`` in ``theme_counts`` is every coder together.
    """
    _run(
        db,
        """
        ALTER TABLE questions ADD COLUMN wave TEXT NOT NULL DEFAULT '';
        ALTER TABLE questions ADD COLUMN series TEXT NOT NULL DEFAULT '';
        CREATE VIEW theme_counts AS
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
        SELECT q.id AS question,
               q.wave AS wave,
               CASE WHEN q.series = '' THEN q.id ELSE q.series END AS series,
               q.codebook_id AS codebook,
               k.key AS code,
               k.label AS label,
               k.position AS position,
               cs.coder AS coder,
               COALESCE(n.n, 0) AS respondents,
               COALESCE(a.n, 0) AS answered,
               CASE WHEN COALESCE(a.n, 0) = 0 THEN NULL
                    ELSE ROUND(100.0 * COALESCE(n.n, 0) / a.n, 1) END AS percent
        FROM questions q
        JOIN codes k ON k.codebook_id = q.codebook_id
        JOIN coders cs ON cs.question_id = q.id
        LEFT JOIN counted n
               ON n.question_id = q.id AND n.code_id = k.id AND n.coder = cs.coder
        LEFT JOIN answered a ON a.question_id = q.id
        ORDER BY q.position, q.id, cs.coder, k.position;
        CREATE VIEW codings_readable AS
        SELECT c.id AS coding,
               i.question_id AS question,
               q.wave AS wave,
               i.respondent_id AS respondent,
               r.name AS name,
               i.position + 1 AS item,
               i.speaker_role AS role,
               k.codebook_id AS codebook,
               k.key AS code,
               k.label AS label,
               c.coder AS coder,
               c.start AS start,
               c."end" AS "end",
               CASE WHEN c.start IS NULL THEN i.text
                    ELSE substr(i.text, c.start + 1, c."end" - c.start) END AS text,
               c.starred AS starred,
               c.memo AS memo,
               c.origin AS origin,
               c.created_at AS created_at
        FROM codings c
        JOIN items i ON i.id = c.item_id
        JOIN questions q ON q.id = i.question_id
        JOIN respondents r ON r.id = i.respondent_id
        JOIN codes k ON k.id = c.code_id;
        CREATE VIEW quotes AS
        SELECT question, wave, respondent, name, item, role, code, label, text, coder, coding
        FROM codings_readable WHERE starred = 1
        ORDER BY question, respondent, item, start;
        """,
    )


@_migration
def m006_reviews(db: Database) -> None:
    """A coder read an item and found that no theme of the codebook applies: kept per coder
    and item, so that agreement counts agreeing on "no theme" and progress counts the
    answers reviewed. It is no theme: counts never see it."""
    _run(
        db,
        """
        CREATE TABLE reviews (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            coder TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (item_id, coder)
        );
        CREATE INDEX reviews_coder ON reviews(coder, item_id);
        """,
    )


@_migration
def m007_summaries(db: Database) -> None:
    """The framework matrix: per question, respondent and theme, the analyst's summary of
    what the respondent says about the theme. One summary per cell (the newest counts, in
    a merge too); ``author`` wrote it, ``at`` is when. A summary taken away stays as a row
    with empty text, so that ``merge`` can tell a newer "taken away" from an older text.
    The code is its key in the question's codebook (not the row id), so a summary
    survives undoing the deletion of its code."""
    _run(
        db,
        """
        CREATE TABLE summaries (
            question_id TEXT NOT NULL REFERENCES questions(id),
            respondent_id TEXT NOT NULL REFERENCES respondents(id),
            code TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (question_id, respondent_id, code)
        );
        """,
    )


@_migration
def m008_noun(db: Database) -> None:
    """What the respondents are, singular/plural: every project made before the noun
    existed counted jobcentres, and says so now (``qualcode init --noun`` changes it)."""
    _run(
        db,
        """
        INSERT OR IGNORE INTO project (key, value) VALUES ('noun', 'jobcenter/jobcentre');
        """,
    )


# -- m009: what the published views read, kept in step by triggers -----------------------
#
# theme_respondents holds every (question, code, coder, respondent) where the coder coded
# one of the respondent's non-empty items in the question with the code or a descendant
# of it, with how many codings do so. Triggers keep it in step with codings, items and the
# codes' nesting; theme_counts counts its rows. The statements below are m009's own (never
# edit them: a change is a new migration).

_M009_KEY = "(question_id, code_id, coder, respondent_id)"

# the rows one coding ``row`` (NEW or OLD in a trigger on codings) makes, for its own code
_M009_OWN = """
    SELECT i.question_id AS question_id, {row}.code_id AS code_id, {row}.coder AS coder,
           i.respondent_id AS respondent_id, 1 AS n
    FROM items i WHERE i.id = {row}.item_id AND i.is_empty = 0"""

# ... and for each ancestor of its code
_M009_UP = """
    WITH RECURSIVE up(code_id) AS (
        SELECT k0.parent_id FROM codes k0
        WHERE k0.id = {row}.code_id AND k0.parent_id IS NOT NULL
        UNION
        SELECT k.parent_id FROM up JOIN codes k ON k.id = up.code_id
        WHERE k.parent_id IS NOT NULL
    )
    SELECT i.question_id AS question_id, up.code_id AS code_id, {row}.coder AS coder,
           i.respondent_id AS respondent_id, 1 AS n
    FROM items i, up WHERE i.id = {row}.item_id AND i.is_empty = 0"""

# the rows of the codings chosen by ``where``, each with how many codings make it;
# ``items`` is the items table, or one item's row as a trigger saw it before or after a
# change
_M009_MANY = """
    WITH RECURSIVE lineage(ancestor_id, code_id) AS (
        SELECT id, id FROM codes
        UNION
        SELECT l.ancestor_id, k.id FROM lineage l JOIN codes k ON k.parent_id = l.code_id
    )
    SELECT i.question_id AS question_id, l.ancestor_id AS code_id, c.coder AS coder,
           i.respondent_id AS respondent_id, COUNT(*) AS n
    FROM codings c
    JOIN {items} i ON i.id = c.item_id AND i.is_empty = 0
    JOIN lineage l ON l.code_id = c.code_id
    WHERE {where}
    GROUP BY 1, 2, 3, 4"""

_M009_ITEM_AS = (
    "(SELECT {row}.id AS id, {row}.question_id AS question_id,"
    " {row}.respondent_id AS respondent_id, {row}.is_empty AS is_empty)"
)
_M009_HAS_PARENT = "(SELECT parent_id FROM codes WHERE id = {row}.code_id) IS NOT NULL"


def _m009_add(rows: str) -> str:
    """Add ``rows`` (question, code, coder, respondent, n) to theme_respondents."""
    return (
        f"INSERT INTO theme_respondents {_M009_KEY[:-1]}, codings){rows}\n"
        f"    ON CONFLICT {_M009_KEY} DO UPDATE SET codings = codings + excluded.codings;"
    )


def _m009_remove(rows: str) -> str:
    """Take ``rows`` (as for :func:`_m009_add`) away; a row left with no coding is deleted
    (by the trigger theme_respondents_uncoded)."""
    return (
        "UPDATE theme_respondents SET codings = codings - d.n\n"
        f"    FROM ({rows}) AS d\n"
        "    WHERE theme_respondents.question_id = d.question_id"
        " AND theme_respondents.code_id = d.code_id"
        " AND theme_respondents.coder = d.coder"
        " AND theme_respondents.respondent_id = d.respondent_id;"
    )


def _m009_item(row: str) -> str:
    """The rows of every coding of one item, as the item was (OLD) or is (NEW)."""
    return _M009_MANY.format(items=_M009_ITEM_AS.format(row=row), where=f"c.item_id = {row}.id")


def _m009_codebook(codebook: str) -> str:
    """Count every coding of a codebook's codes again (its nesting changed)."""
    codes = f"(SELECT id FROM codes WHERE codebook_id = {codebook})"
    rows = _M009_MANY.format(items="items", where=f"c.code_id IN {codes}")
    return f"DELETE FROM theme_respondents WHERE code_id IN {codes};\n{_m009_add(rows)}"


@_migration
def m009_publishing(db: Database) -> None:
    """Publishing with Datasette (``qualcode serve``): views that answer fast on 100,000
    answers, with names that say what they hold, and full-text search over the answers.

    - ``theme_counts`` counts the rows of ``theme_respondents``, which triggers keep in
      step with every coding, item and change of the codes' nesting (counted from the
      codings, the view took 0.4-1.2 s on 100,000 answers, around Datasette's 1 s limit).
    - ``coded_passages`` (every coding; ``codings_readable`` stays as its old name) and
      ``starred_quotes`` (the starred ones; ``quotes`` stays as its old name).
    - ``answers``: every non-empty answer and interview turn with its respondent, and
      ``items_fts``, an FTS5 index over every item's text kept in step by triggers on
      insert, text change (an edit, a redaction) and delete.

    A coding's own code and its ancestors are two triggers each, so that a coding of a
    code without a parent (most of them) does not pay for the recursive query.
    """
    own_new, own_old = _M009_OWN.format(row="NEW"), _M009_OWN.format(row="OLD")
    up_new, up_old = _M009_UP.format(row="NEW"), _M009_UP.format(row="OLD")
    _run(
        db,
        f"""
        CREATE TABLE theme_respondents (
            question_id TEXT NOT NULL,
            code_id INTEGER NOT NULL,
            coder TEXT NOT NULL,
            respondent_id TEXT NOT NULL,
            codings INTEGER NOT NULL,
            PRIMARY KEY (question_id, code_id, coder, respondent_id)
        ) WITHOUT ROWID;
        CREATE TRIGGER theme_respondents_uncoded
        AFTER UPDATE OF codings ON theme_respondents WHEN NEW.codings <= 0
        BEGIN
            DELETE FROM theme_respondents
            WHERE question_id = NEW.question_id AND code_id = NEW.code_id
              AND coder = NEW.coder AND respondent_id = NEW.respondent_id;
        END;
        CREATE TRIGGER theme_respondents_coding_added AFTER INSERT ON codings
        BEGIN
            {_m009_add(own_new)}
        END;
        CREATE TRIGGER theme_respondents_coding_added_up AFTER INSERT ON codings
        WHEN {_M009_HAS_PARENT.format(row="NEW")}
        BEGIN
            {_m009_add(up_new)}
        END;
        CREATE TRIGGER theme_respondents_coding_deleted AFTER DELETE ON codings
        BEGIN
            {_m009_remove(own_old)}
        END;
        CREATE TRIGGER theme_respondents_coding_deleted_up AFTER DELETE ON codings
        WHEN {_M009_HAS_PARENT.format(row="OLD")}
        BEGIN
            {_m009_remove(up_old)}
        END;
        CREATE TRIGGER theme_respondents_coding_changed
        AFTER UPDATE OF item_id, code_id, coder ON codings
        WHEN OLD.item_id IS NOT NEW.item_id OR OLD.code_id IS NOT NEW.code_id
             OR OLD.coder IS NOT NEW.coder
        BEGIN
            {_m009_remove(own_old)}
            {_m009_remove(up_old)}
            {_m009_add(own_new)}
            {_m009_add(up_new)}
        END;
        CREATE TRIGGER theme_respondents_item_deleted BEFORE DELETE ON items
        BEGIN
            DELETE FROM codings WHERE item_id = OLD.id;
        END;
        CREATE TRIGGER theme_respondents_item_changed
        AFTER UPDATE OF question_id, respondent_id, is_empty ON items
        WHEN OLD.question_id IS NOT NEW.question_id
             OR OLD.respondent_id IS NOT NEW.respondent_id
             OR OLD.is_empty IS NOT NEW.is_empty
        BEGIN
            {_m009_remove(_m009_item("OLD"))}
            {_m009_add(_m009_item("NEW"))}
        END;
        CREATE TRIGGER theme_respondents_code_moved AFTER UPDATE OF parent_id ON codes
        WHEN OLD.parent_id IS NOT NEW.parent_id
        BEGIN
            {_m009_codebook("NEW.codebook_id")}
        END;
        CREATE TRIGGER theme_respondents_code_added AFTER INSERT ON codes
        WHEN EXISTS (SELECT 1 FROM codes WHERE parent_id = NEW.id)
        BEGIN
            {_m009_codebook("NEW.codebook_id")}
        END;
        {_m009_add(_M009_MANY.format(items="items", where="1"))}

        DROP VIEW theme_counts;
        CREATE VIEW theme_counts AS
        WITH counted AS (
            SELECT question_id, code_id, coder, COUNT(*) AS n
            FROM theme_respondents WHERE coder != '*'
            GROUP BY question_id, code_id, coder
            UNION ALL
            SELECT question_id, code_id, '*', COUNT(DISTINCT respondent_id)
            FROM theme_respondents GROUP BY question_id, code_id
        ),
        coders AS (
            SELECT DISTINCT question_id, coder FROM counted
            UNION
            SELECT id, '*' FROM questions
        ),
        answered AS (
            SELECT question_id, COUNT(DISTINCT respondent_id) AS n FROM items
            WHERE is_empty = 0 AND kind != 'interviewer' GROUP BY question_id
        )
        SELECT q.id AS question,
               q.wave AS wave,
               CASE WHEN q.series = '' THEN q.id ELSE q.series END AS series,
               q.codebook_id AS codebook,
               k.key AS code,
               k.label AS label,
               k.position AS position,
               cs.coder AS coder,
               COALESCE(n.n, 0) AS respondents,
               COALESCE(a.n, 0) AS answered,
               CASE WHEN COALESCE(a.n, 0) = 0 THEN NULL
                    ELSE ROUND(100.0 * COALESCE(n.n, 0) / a.n, 1) END AS percent
        FROM questions q
        JOIN codes k ON k.codebook_id = q.codebook_id
        JOIN coders cs ON cs.question_id = q.id
        LEFT JOIN counted n
               ON n.question_id = q.id AND n.code_id = k.id AND n.coder = cs.coder
        LEFT JOIN answered a ON a.question_id = q.id
        ORDER BY q.position, q.id, cs.coder, k.position;

        DROP VIEW quotes;
        DROP VIEW codings_readable;
        CREATE VIEW coded_passages AS
        SELECT c.id AS coding,
               i.question_id AS question,
               q.wave AS wave,
               i.respondent_id AS respondent,
               r.name AS name,
               i.position + 1 AS item,
               i.speaker_role AS role,
               k.codebook_id AS codebook,
               k.key AS code,
               k.label AS label,
               c.coder AS coder,
               c.start AS start,
               c."end" AS "end",
               CASE WHEN c.start IS NULL THEN i.text
                    ELSE substr(i.text, c.start + 1, c."end" - c.start) END AS text,
               c.starred AS starred,
               c.memo AS memo,
               c.origin AS origin,
               c.created_at AS created_at
        FROM codings c
        JOIN items i ON i.id = c.item_id
        JOIN questions q ON q.id = i.question_id
        JOIN respondents r ON r.id = i.respondent_id
        JOIN codes k ON k.id = c.code_id;
        CREATE INDEX codings_starred ON codings(item_id) WHERE starred = 1;
        CREATE VIEW starred_quotes AS
        SELECT question, wave, respondent, name, item, role, code, label, text, coder, coding
        FROM coded_passages WHERE starred = 1
        ORDER BY question, respondent, item, start;
        CREATE VIEW codings_readable AS SELECT * FROM coded_passages;
        CREATE VIEW quotes AS SELECT * FROM starred_quotes;

        CREATE VIEW answers AS
        SELECT i.id AS id,
               i.question_id AS question,
               q.wave AS wave,
               i.respondent_id AS respondent,
               r.name AS name,
               i.position + 1 AS item,
               i.kind AS kind,
               i.speaker_role AS role,
               i.text AS text
        FROM items i
        JOIN questions q ON q.id = i.question_id
        JOIN respondents r ON r.id = i.respondent_id
        WHERE i.is_empty = 0;
        CREATE VIRTUAL TABLE items_fts USING fts5(
            text, content='items', content_rowid='id',
            tokenize='unicode61 remove_diacritics 0'
        );
        CREATE TRIGGER items_fts_added AFTER INSERT ON items
        BEGIN
            INSERT INTO items_fts (rowid, text) VALUES (NEW.id, NEW.text);
        END;
        CREATE TRIGGER items_fts_deleted AFTER DELETE ON items
        BEGIN
            INSERT INTO items_fts (items_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
        END;
        CREATE TRIGGER items_fts_changed AFTER UPDATE OF text ON items
        BEGIN
            INSERT INTO items_fts (items_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
            INSERT INTO items_fts (rowid, text) VALUES (NEW.id, NEW.text);
        END;
        INSERT INTO items_fts (items_fts) VALUES ('rebuild');
        """,
    )


@_migration
def m010_memo_targets(db: Database) -> None:
    """A memo outlives what it is about. SQLite gives a deleted row's id to the next new
    row, so a memo left on a deleted coding (or code) would land on whatever coding (or
    code) is made next: instead, the memo of a deleted coding moves to the coding's item,
    and the memo of a deleted code to the project, its text headed by the code's label.

    The first release wrote a code's memo on the code's key; it is now on the code's id,
    as every later memo is (a key that names codes in several codebooks is left as it
    is: which code it meant is not known)."""
    _run(
        db,
        """
        UPDATE memos SET target_id = (
            SELECT CAST(c.id AS TEXT) FROM codes c WHERE c.key = memos.target_id
        )
        WHERE target = 'code' AND target_id GLOB '*[^0-9]*'
          AND (SELECT COUNT(*) FROM codes c WHERE c.key = memos.target_id) = 1;
        CREATE TRIGGER memos_coding_deleted AFTER DELETE ON codings
        BEGIN
            UPDATE memos SET target = 'item', target_id = CAST(OLD.item_id AS TEXT)
            WHERE target = 'coding' AND target_id = CAST(OLD.id AS TEXT);
        END;
        CREATE TRIGGER memos_code_deleted AFTER DELETE ON codes
        BEGIN
            UPDATE memos SET target = 'project', target_id = NULL,
                             text = OLD.label || ': ' || text
            WHERE target = 'code' AND target_id = CAST(OLD.id AS TEXT);
        END;
        """,
    )


def _run(db: Database, script: str) -> None:
    """Run statements one by one: executescript() would COMMIT the migration's transaction."""
    import sqlite3

    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:60]!r}")


SCHEMA_VERSION = len(MIGRATIONS)
