"""SVG snapshots of each screen on the demo project (pytest-textual-snapshot).

Update them after an intended change with: pytest tests/tui/test_tui_snapshots.py
--snapshot-update, and look at the report before committing.
"""

from __future__ import annotations

import pytest

from helpers import settle


@pytest.fixture
def demo_app(demo_copy):
    from qualcode.tui.app import make_app

    return make_app(demo_copy, coder="ida")


async def _suggested(pilot):
    """The coding screen's suggestions are worked out in workers: wait until shown."""
    from qualcode.tui.widgets.suggestion_bar import SuggestionBar

    await settle(pilot.app, pilot)
    screen = pilot.app.screen
    assert screen.query_one(SuggestionBar).item_id == screen.item.id


# the coding screen's snapshots show real suggestions
@pytest.mark.assistant
def test_coding_screen(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=_suggested)


@pytest.mark.assistant
def test_coding_screen_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_suggested)


@pytest.mark.assistant
def test_coding_screen_interview_with_span(snap_compare, demo_app):
    async def run_before(pilot):
        demo_app.set_question("interview")
        await pilot.pause()
        await pilot.press("n", "n", "n")
        await _suggested(pilot)

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


@pytest.mark.assistant
def test_coding_screen_light_theme(snap_compare, demo_app):
    async def run_before(pilot):
        await pilot.press("ctrl+t")
        await _suggested(pilot)

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


def test_help_screen(snap_compare, demo_app):
    async def run_before(pilot):  # over the coding screen, once it has settled
        await settle(pilot.app, pilot)
        await pilot.press("question_mark")

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


async def _settled(pilot):
    await settle(pilot.app, pilot)


def test_grid_screen(snap_compare, demo_copy):
    """F2's g: two attribute columns, sorted by størrelse in the survey's order."""
    from qualcode.core.project import Project
    from qualcode.paths import os_user
    from qualcode.tui.app import make_app

    with Project.open(demo_copy) as p:
        p.remember_grid_columns(os_user(), ["stoerrelse", "region"])
    app = make_app(demo_copy, "strategier", coder="ida")

    async def run_before(pilot):
        await _settled(pilot)
        await pilot.press("g", "right", "right", "right", "s")
        await _settled(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_quotes_screen(snap_compare, demo_app):
    async def run_before(pilot):
        demo_app.set_question("interview")
        await pilot.press("f3")
        await _settled(pilot)

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


def test_counts_screen(snap_compare, demo_app):
    async def run_before(pilot):
        await pilot.press("f4")
        await _settled(pilot)

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


def test_counts_screen_interview_80x24(snap_compare, demo_app):
    async def run_before(pilot):
        demo_app.set_question("interview")
        await pilot.press("f4")
        await _settled(pilot)

    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=run_before)


def test_codebook_screen(snap_compare, demo_app):
    async def run_before(pilot):
        demo_app.set_question("interview")
        await pilot.press("f5")
        await _settled(pilot)

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


def test_import_screen(snap_compare, demo_app, tmp_path, monkeypatch):
    folder = tmp_path / "eksport"
    folder.mkdir()
    (folder / "svar_2019.csv").write_text("jobcenter_id;svar\nJC01;Øget fokus\n", encoding="cp1252")
    (folder / "interview_JC90.md").write_text("# JC90\n\nLeder: Ja.\n", encoding="utf-8")
    monkeypatch.chdir(folder)

    async def run_before(pilot):
        await pilot.press("i")
        tree = pilot.app.screen.query_one("DirectoryTree")
        await tree.reload()
        await pilot.pause()

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)


def test_disagreement_screen(snap_compare, demo_copy):
    from qualcode.core.project import Project
    from qualcode.tui.app import make_app

    with Project.open(demo_copy) as p:  # two coders who differ on two answers
        first, second = p.items("strategier")[:2]
        p.add_coding(first.id, "fleksjob", coder="ane")
        p.add_coding(first.id, "andet", coder="bo")
        p.add_coding(second.id, "andet", coder="ane")
        p.add_coding(second.id, "andet", coder="bo")
        p.add_coding(second.id, "fleksjob", coder="bo")
    app = make_app(demo_copy, coder="ida")

    async def run_before(pilot):
        await pilot.press("f6")
        await pilot.pause()
        app.screen.coders = ["ane", "bo"]
        app.screen.reload()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


async def _crosstab(pilot, spec: str | None = None):
    """F7 by lokalpolitisk_fokus (optionally grouped), once counted."""
    from textual.widgets import Input, OptionList

    await pilot.press("f7")
    await _settled(pilot)
    await pilot.press("a")
    await pilot.pause()
    options = pilot.app.screen.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index("lokalpolitisk_fokus")
    await pilot.press("enter")
    await _settled(pilot)
    if spec:
        await pilot.press("g")
        await pilot.pause()
        pilot.app.screen.query_one(Input).value = spec
        await pilot.press("enter")
        await _settled(pilot)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
def test_crosstab_four_groups_vertical(snap_compare, demo_app, size):
    """Four groups in the survey's order do not fit beside the themes: vertical."""
    assert snap_compare(demo_app, terminal_size=size, run_before=_crosstab)


def test_crosstab_two_groups_wide(snap_compare, demo_app):
    """Two groups fit in 120 columns: a column each, the longest theme wrapped."""

    async def run_before(pilot):
        await _crosstab(
            pilot,
            "høj/meget høj=I høj grad,I meget høj grad; nogen/mindre=I nogen grad,I mindre grad",
        )

    assert snap_compare(demo_app, terminal_size=(120, 36), run_before=run_before)
