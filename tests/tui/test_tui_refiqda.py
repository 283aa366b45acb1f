"""Pilot tests: the import screen (key i) imports REFI-QDA codebooks (.qdc) and projects
(.qdpx) from other tools; what counts is what is in the project file afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Label, Select

from helpers import REFI, needs_shared
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.import_screen import ImportScreen

SIZE = (120, 36)
SAMPLES = REFI / "samples"
pytestmark = needs_shared(SAMPLES)


async def open_import(pilot, app) -> ImportScreen:
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(app.screen, ImportScreen)
    return app.screen


async def run_with(pilot, screen: ImportScreen, path: Path, **inputs: str) -> None:
    screen.query_one("#import-path", Input).value = str(path)
    await pilot.pause()
    assert screen.query_one("#import-kind", Select).value == "refiqda"  # chosen by suffix
    for selector, value in inputs.items():
        screen.query_one(f"#import-r-{selector}", Input).value = value
    await pilot.pause()
    await pilot.press("ctrl+r")
    await asyncio.wait_for(screen.import_done.wait(), 60)
    await pilot.pause()


async def test_a_qdc_codebook_from_another_tool(app, db):
    path = SAMPLES / "openqda__refi-tools__example_codebook.qdc"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await run_with(pilot, screen, path, codebook="stemninger")
        assert isinstance(app.screen, CodingScreen)  # dismissed with the summary
    codes = db.execute(
        "SELECT label, color, parent_id IS NOT NULL FROM codes"
        " WHERE codebook_id = 'stemninger' ORDER BY position"
    ).fetchall()
    assert len(codes) == 44 and sum(c[2] for c in codes) == 40
    assert ("Rage", "#C95858", 1) in codes
    assert db.execute("SELECT kind FROM imports ORDER BY id DESC LIMIT 1").fetchone() == (
        "refiqda",
    )


async def test_a_qdpx_project_with_codings(app, db):
    path = SAMPLES / "cproctor__qualitative-coding__demo.qdpx"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await run_with(pilot, screen, path, question="skolebestyrelse", codebook="qc-koder")
        assert isinstance(app.screen, CodingScreen)
    assert db.execute(
        "SELECT COUNT(*), MIN(kind) FROM items WHERE question_id = 'skolebestyrelse'"
    ).fetchone() == (2, "excerpt")
    assert db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT coder) FROM codings WHERE item_id IN"
        " (SELECT id FROM items WHERE question_id = 'skolebestyrelse')"
    ).fetchone() == (205, 1)


async def test_a_broken_file_shows_the_error_and_changes_nothing(app, db):
    path = SAMPLES / "openqda__refi-tools__example_codebook_defect.qdc"
    before = db.execute("SELECT COUNT(*) FROM codes").fetchone()[0]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await run_with(pilot, screen, path)
        assert app.screen is screen  # stays open with the error
        error = str(screen.query_one("#import-error", Label).render())
        assert "linje 132, kolonne 19" in error
    assert db.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == before
