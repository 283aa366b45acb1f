"""The project file's schema, as sqlite-utils migrations applied on open.

Never edit a migration that has shipped: add a new one. ``SCHEMA_VERSION`` is the
number of migrations; a file written by a newer qualcode is refused.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("qualcode")


@migrations()
def m001_initial(db: Database) -> None:
    _run(db, """
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
        """)


@migrations()
def m002_quote_stars(db: Database) -> None:
    """Analysts star the coded excerpts worth quoting in the report."""
    _run(db, """
        ALTER TABLE codings ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_actor ON events(actor, id);
        """)


@migrations()
def m003_queue_index(db: Database) -> None:
    """The coding queue of a 100,000-answer question is read from this index alone."""
    _run(db, """
        CREATE INDEX items_queue
            ON items(question_id, respondent_id, position, is_empty, kind, speaker_role);
        """)


@migrations()
def m004_suggestions(db: Database) -> None:
    """Code suggestions: where a coding came from, the analyst's verdicts, cached NLP."""
    _run(db, """
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
        """)


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


SCHEMA_VERSION = len(migrations._migrations)
