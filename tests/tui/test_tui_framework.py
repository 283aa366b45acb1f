"""Pilot tests of the framework matrix screen (F9 Rammematrix): a summary written in place
is in the project file before the screen says so, `u` undoes it (and only summaries), and
the passages pane shows what the core says the cell holds."""

from __future__ import annotations

from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static, TextArea

from helpers import settle
from qualcode.tui.screens.framework import FrameworkScreen
from qualcode.tui.widgets.dialogs import TextDialog

SIZE = (120, 36)
Q = "strategier"


def summaries(db, question: str = Q) -> dict[tuple[str, str], tuple[str, str]]:
    """(respondent, code) -> (text, author) of every summary not taken away, from disk."""
    return {
        (r[0], r[1]): (r[2], r[3])
        for r in db.execute(
            "SELECT respondent_id, code, text, author FROM summaries"
            " WHERE question_id = ? AND text != ''",
            [question],
        )
    }


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def open_matrix(pilot) -> FrameworkScreen:
    await pilot.press("f9")
    await settle(pilot.app, pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FrameworkScreen)
    return screen


async def go_to(pilot, screen: FrameworkScreen, respondent: str, code: str) -> None:
    screen.move_to(respondent, code)
    await pilot.pause()
    assert screen.current() == (respondent, code)


def coded_cell(app) -> tuple[str, str]:
    """A cell of the question that holds coded passages (per the core)."""
    m = app.project.framework(Q)
    return next((r, c.key) for r, _ in m.respondents for c in m.codes if m.cell(r, c.key).passages)


def pane(screen: FrameworkScreen) -> str:
    return str(screen.query_one("#framework-cell", Static).render())


async def write_summary(pilot, text: str, key: str = "e") -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, TextDialog)
    pilot.app.screen.query_one(TextArea).text = text
    await pilot.press("ctrl+s")
    await settle(pilot.app, pilot)


async def test_write_a_summary_undo_and_redo_it(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        rid, code = coded_cell(app)
        await go_to(pilot, screen, rid, code)
        await write_summary(pilot, "Jobcentret nævner det\nkort.")
        # committed: another connection reads it
        assert summaries(db) == {(rid, code): ("Jobcentret nævner det\nkort.", "ida")}
        assert any(m.startswith(f"Resumé gemt: {rid}") for m in messages(app))
        table = screen.query_one("#framework-table", DataTable)
        assert screen.current() == (rid, code)  # the cursor stayed on the cell
        assert str(table.get_cell_at(table.cursor_coordinate)).startswith("Jobcentret nævner")
        assert "Jobcentret nævner det\nkort." in pane(screen)
        await pilot.press("u")
        await settle(pilot.app, pilot)
        assert summaries(db) == {}
        assert any(m.startswith("Fortrudt: resumé af") for m in messages(app))
        assert "Intet resumé endnu" in pane(screen)
        await pilot.press("ctrl+y")
        await settle(pilot.app, pilot)
        assert summaries(db) == {(rid, code): ("Jobcentret nævner det\nkort.", "ida")}


async def test_the_passages_pane_shows_what_the_core_says(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        rid, code = coded_cell(app)
        await go_to(pilot, screen, rid, code)
        cell = app.project.framework(Q, coder=app.project.basis()).cell(rid, code)
        shown = pane(screen)
        assert f"Kodede passager ({len(cell.passages)})" in shown
        for passage in cell.passages:
            assert passage.text in shown
            assert ", ".join(passage.coders) in shown
        # a cell without passages says so, and the table marks the coded ones
        m = screen.matrix
        empty = next(
            (r, c.key) for r, _ in m.respondents for c in m.codes if not m.cell(r, c.key).passages
        )
        await go_to(pilot, screen, *empty)
        assert "Kodede passager (0)" in pane(screen)
        table = screen.query_one("#framework-table", DataTable)
        rows = [r for r, _ in m.respondents]
        keys = [c.key for c in m.codes]
        marker = str(table.get_cell_at(Coordinate(rows.index(rid), keys.index(code) + 1)))
        assert marker == f"· {len(cell.passages)} passage" + ("r" if len(cell.passages) > 1 else "")


async def test_enter_writes_escape_writes_nothing_and_delete_takes_it_away(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        rid, code = coded_cell(app)
        await go_to(pilot, screen, rid, code)
        await write_summary(pilot, "Med enter", key="enter")
        assert summaries(db) == {(rid, code): ("Med enter", "ida")}
        await pilot.press("e")
        await pilot.pause()
        assert pilot.app.screen.query_one(TextArea).text == "Med enter"  # the cell's text
        pilot.app.screen.query_one(TextArea).text = "Fortrudt tekst"
        await pilot.press("escape")
        await settle(pilot.app, pilot)
        assert summaries(db) == {(rid, code): ("Med enter", "ida")}
        await pilot.press("delete")
        await settle(pilot.app, pilot)
        assert summaries(db) == {}
        assert any(m.startswith("Resumé slettet") for m in messages(app))
        await pilot.press("u")
        await settle(pilot.app, pilot)
        assert summaries(db) == {(rid, code): ("Med enter", "ida")}


async def test_undo_on_the_matrix_never_undoes_a_coding(app, db, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot.app, pilot)
        item = app.screen.item  # F2: code the shown answer
        before = codings_of(item.respondent, Q)
        await pilot.press("1")
        await settle(pilot.app, pilot)
        coded = codings_of(item.respondent, Q)
        assert coded != before
        screen = await open_matrix(pilot)
        await pilot.press("u")  # no summary of ida's to undo
        await settle(pilot.app, pilot)
        assert codings_of(item.respondent, Q) == coded
        assert "Intet at fortryde." in messages(app)
        assert screen.matrix is not None


async def test_text_from_data_is_shown_as_typed(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        rid, code = coded_cell(app)
        await go_to(pilot, screen, rid, code)
        await write_summary(pilot, "[bold]ikke fed[/] \x1b]0;titel\x07 [CPR]")
        assert summaries(db)[rid, code][0] == "[bold]ikke fed[/] \x1b]0;titel\x07 [CPR]"
        shown = pane(screen)  # brackets as typed, controls as symbols
        assert "[bold]ikke fed[/] ␛]0;titel␇ [CPR]" in shown and "\x1b" not in shown
        table = screen.query_one("#framework-table", DataTable)
        cell = str(table.get_cell_at(table.cursor_coordinate))
        assert cell.startswith("[bold]ikke fed[/] ␛") and "\x1b" not in cell


async def test_the_jobcentre_column_stays_and_is_never_a_cell_to_write(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        m = screen.matrix
        first = m.respondents[0][0]
        assert screen.current() == (first, m.codes[0].key)  # on the first theme
        await pilot.press("left", "home")
        await pilot.pause()
        assert screen.current() == (first, m.codes[0].key)
        table = screen.query_one("#framework-table", DataTable)
        assert str(table.get_cell_at(Coordinate(0, 0))) == m.display(first)
        await pilot.press("end", "down")
        await pilot.pause()
        assert screen.current() == (m.respondents[1][0], m.codes[-1].key)
        assert table.scroll_x > 0 and table.fixed_columns == 1


async def test_the_matrix_follows_the_question(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        app.set_question("interview")
        await settle(pilot.app, pilot)
        assert screen.matrix is not None and screen.matrix.question.id == "interview"
        table = screen.query_one("#framework-table", DataTable)
        assert table.row_count == len(screen.matrix.respondents)
        assert len(table.columns) == 1 + len(app.project.codebook("interview"))


def test_framework_screen_snapshot(snap_compare, demo_copy):
    """The matrix with the cursor on a coded cell: the passages beside it."""
    from qualcode.tui.app import make_app

    app = make_app(demo_copy, coder="ida")

    async def run_before(pilot):
        screen = await open_matrix(pilot)
        await go_to(pilot, screen, *coded_cell(pilot.app))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
