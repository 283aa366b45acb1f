"""TUI test fixtures: the real app on a private copy of the demo project.

The coding screen's code suggestions load spaCy's pipeline and score every keyword rule
in a worker: seconds of CPU per app, in a test that is about something else. So every
TUI test gets a suggester that never suggests anything, unless it is marked
``@pytest.mark.assistant`` (the tests of suggestions, training and the screens' SVG
snapshots with suggestions in them).

Textual parses the same stylesheets (the app's and every widget's default CSS) again for
every app; here they are parsed once per session (see :func:`_css_parsed_once`).
"""

from __future__ import annotations

import inspect
import sqlite3

import pytest
from textual.css.stylesheet import Stylesheet

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


@pytest.fixture(scope="session", autouse=True)
def _css_parsed_once():
    """Share Textual's parsed CSS between the session's apps.

    Each app's :class:`Stylesheet` keeps its own cache of parsed rules, so every test's app
    tokenised and parsed the same CSS again: a seventh of a TUI test's CPU. Here the rules
    are cached for the session by everything they are parsed from: the CSS, where it was
    read from, its place and scope, and the theme's variables. A rule set is not changed
    after parsing (an app's own cache already hands the same one out again), and CSS with
    errors still fails in every app that reads it."""
    parse_rules = Stylesheet._parse_rules
    if list(inspect.signature(parse_rules).parameters) != [
        *("self", "css", "read_from", "is_default_rules", "tie_breaker", "scope")
    ]:  # another Textual: parse as it does
        yield
        return
    parsed: dict[tuple, list] = {}

    def _parse_rules(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        key = (
            css,
            read_from,
            is_default_rules,
            tie_breaker,
            scope,
            tuple(sorted(self._variables.items())),
        )
        if key not in parsed:
            parsed[key] = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    Stylesheet._parse_rules = _parse_rules
    yield
    Stylesheet._parse_rules = parse_rules


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
