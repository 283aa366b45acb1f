"""The project file: WAL, foreign keys, migrations, an append-only event log, and refusal
of files that are not qualcode projects."""

from __future__ import annotations

import sqlite3

import pytest

from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.store.schema import SCHEMA_VERSION


def test_new_project_is_wal_with_foreign_keys_and_schema(project_path):
    with Project.open(project_path, create=True) as p:
        assert p.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {
            "respondents",
            "attributes",
            "codebooks",
            "codes",
            "questions",
            "items",
            "codings",
            "memos",
            "events",
            "imports",
        } <= set(p.snapshot())
    raw = sqlite3.connect(project_path)
    applied = raw.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
    assert applied == SCHEMA_VERSION


def test_open_missing_without_create_fails(tmp_path, english):
    with pytest.raises(QualcodeError, match="no such project file"):
        Project.open(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()


def test_refuses_non_sqlite_and_foreign_sqlite(tmp_path, english):
    text = tmp_path / "notes.db"
    text.write_text("hej", encoding="utf-8")
    with pytest.raises(QualcodeError, match="not an SQLite file"):
        Project.open(text)
    assert text.read_text(encoding="utf-8") == "hej"
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(QualcodeError, match="other tables"):
        Project.open(other)


def test_refuses_file_from_newer_qualcode(project_path, english):
    Project.open(project_path, create=True).close()
    conn = sqlite3.connect(project_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('qualcode', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(QualcodeError, match="newer qualcode"):
        Project.open(project_path)


def test_event_log_is_append_only(project):
    assert project.events()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.db.execute("DELETE FROM events")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.db.execute("UPDATE events SET action = 'x'")


def test_foreign_keys_enforced(project):
    with pytest.raises(sqlite3.IntegrityError):
        project.db.execute(
            "INSERT INTO items (question_id, respondent_id, position, kind, text)"
            " VALUES ('strategier', 'NOBODY', 0, 'answer', 'x')"
        )


def test_reopen_applies_no_migration_twice(project_path):
    Project.open(project_path, create=True).close()
    Project.open(project_path).close()
    conn = sqlite3.connect(project_path)
    assert conn.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == SCHEMA_VERSION


def test_schema_1_file_is_migrated_without_loss(tmp_path):
    """A project written by the first schema opens with the current code, codings intact."""
    from sqlite_utils import Database

    from qualcode.store.schema import migrations

    path = tmp_path / "v1.qualcode.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_quote_stars")
    db.execute("INSERT INTO codebooks (id, title) VALUES ('kb', 'KB')")
    db.execute(
        "INSERT INTO codes (codebook_id, key, label, color, position)"
        " VALUES ('kb', 'a', 'Æble', '#112233', 0)"
    )
    db.execute(
        "INSERT INTO questions (id, kind, codebook_id, position) VALUES ('q', 'open', 'kb', 0)"
    )
    db.execute("INSERT INTO respondents (id, name, created_at) VALUES ('JC01', 'Ø', 'x')")
    db.execute(
        "INSERT INTO items (question_id, respondent_id, kind, text)"
        " VALUES ('q', 'JC01', 'answer', 'Svar på dansk')"
    )
    db.execute(
        "INSERT INTO codings (item_id, code_id, coder, created_at) VALUES (1, 1, 'ida', 't')"
    )
    db.conn.commit()
    db.close()
    with Project.open(path) as p:
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        (coding,) = p.codings()
        assert (coding.code, coding.coder) == ("a", "ida")
        assert not p.is_starred(coding.id)
        assert p.counts("q").iloc[0]["respondents"] == 1
