"""TUI test fixtures: the real app on a private copy of the demo project.

The coding screen's code suggestions load spaCy's pipeline and score every keyword rule
in a worker: seconds of CPU per app, in a test that is about something else. So every
TUI test gets a suggester that never suggests anything, unless it is marked
``@pytest.mark.assistant`` (the tests of suggestions, training and the screens' SVG
snapshots with suggestions in them).
"""

from __future__ import annotations

import sqlite3

import pytest

from qualcode.tui.app import make_app

SIZE = (120, 36)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "assistant: the test needs the coding screen's real code suggestions (spaCy)"
    )


class NoSuggestions:
    """A suggester with no rules and no model: the bar says "Ingen forslag"."""

    model = None
    precision: dict[str, float] = {}

    def __init__(self, project, question: str, coder: str) -> None:
        self.project, self.question, self.coder = project, question, coder

    def for_item(self, item_id: int) -> list:
        return []

    def uncertainty(self, item_ids, *, cancelled=None) -> dict[int, float]:
        return {}


@pytest.fixture(autouse=True)
def _no_suggestions(request, monkeypatch):
    """Replace the coding screen's suggester with :class:`NoSuggestions` (see above)."""
    if request.node.get_closest_marker("assistant") is None:
        from qualcode.tui.screens import coding

        monkeypatch.setattr(
            coding,
            "load_suggester",
            lambda project, qid, coder, **_: (NoSuggestions(project, qid, coder), "", ""),
        )


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
