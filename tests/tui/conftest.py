"""TUI test fixtures: the real app on a private copy of the demo project.

The coding screen's code suggestions load spaCy's pipeline and score every keyword rule
in a worker: seconds of CPU per app, in a test that is about something else. So every
TUI test gets a suggester that never suggests anything, unless it is marked
``@pytest.mark.assistant`` (the tests of suggestions, training and the screens' SVG
snapshots with suggestions in them).

Textual parses the same stylesheets (the app's and every widget's default CSS) again for
every app; here they are parsed once per session (see :func:`_css_parsed_once`). And the
apps of finished tests, which the coding screen's ``gc.freeze()`` would keep for the rest of
the session, are collected now and then (see :func:`_finished_apps_collected`).
"""

from __future__ import annotations

import gc
import inspect
import itertools
import sqlite3

import pytest
from stubs import no_suggester
from textual._styles_cache import StylesCache
from textual.css.stylesheet import Stylesheet

from qualcode.tui.app import make_app

SIZE = (120, 36)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "assistant: the test needs the coding screen's real code suggestions (spaCy)"
    )


@pytest.fixture(autouse=True)
def _no_suggestions(request, monkeypatch):
    """Replace the coding screen's suggester with one that never suggests (stubs.py)."""
    if request.node.get_closest_marker("assistant") is None:
        from qualcode.tui.screens import coding

        monkeypatch.setattr(coding, "load_suggester", no_suggester)


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


_TESTS = itertools.count(1)
COLLECT_EVERY = 16  # tests


@pytest.fixture(autouse=True)
def _finished_apps_collected():
    """Every few tests, collect the apps of the tests before, which their freezing kept.

    The coding screen calls ``gc.collect()`` and ``gc.freeze()`` after each load, so the
    collector never walks its long-lived rows again: right for a workbench, one app per
    process. In a test run it froze every finished test's app too (a frozen cycle is never
    collected): 5.8 million objects by the end of tests/tui, 1.3 GB, and each import's
    ``gc.get_freeze_count()`` walks them all (15 s of CPU in all). So every few tests they
    are unfrozen and collected, and what lives on is frozen again, as the app would have
    it. A collection costs about as much as the walks it saves, so this is for memory (0.6
    GB) more than for time. Textual's ``StylesCache.get_inner_outer`` keeps up to 1024 of
    its instances (and their rendered lines) in an ``lru_cache`` on the instance method;
    that is emptied first, or the old apps' lines would live on in it."""
    yield
    if next(_TESTS) % COLLECT_EVERY == 0:
        StylesCache.get_inner_outer.cache_clear()
        gc.unfreeze()
        gc.collect()
        gc.freeze()


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
