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
