"""TUI test fixtures: the real app on a private copy of the demo project."""

from __future__ import annotations

import sqlite3

import pytest

from qualcode.tui.app import make_app

SIZE = (120, 36)


@pytest.fixture
def app(demo_copy):
    """The workbench on a writable copy of the demo project, coder 'ida'."""
    return make_app(demo_copy, coder="ida")


@pytest.fixture
def db(demo_copy):
    """A second, independent connection to the same project file: what is on disk."""
    conn = sqlite3.connect(demo_copy)
    yield conn
    conn.close()


@pytest.fixture
def codings_of(db):
    """codings_of(respondent, question, coder='ida') -> sorted code keys, read from disk."""

    def read(respondent: str, question: str, coder: str = "ida") -> list[str]:
        return sorted(
            r[0]
            for r in db.execute(
                "SELECT k.key FROM codings c JOIN items i ON i.id = c.item_id"
                " JOIN codes k ON k.id = c.code_id WHERE i.respondent_id = ? AND i.question_id = ?"
                " AND c.coder = ?",
                [respondent, question, coder],
            )
        )

    return read
