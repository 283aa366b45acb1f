"""Pilot tests of the command palette (ctrl+p): the app's own actions first, then the
screen's, then every other screen's named after it; one of those shows its screen and runs
there. Keys that only move are not listed."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from qualcode.tui.commands import BindingCommands
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.dialogs import InputDialog

SIZE = (120, 36)
STEM = "lokalpolitiske-strategier"


def texts(screen) -> list[str]:
    return [text for text, *_ in BindingCommands(screen)._commands()]


async def test_the_palette_lists_the_apps_actions_then_the_screens_then_the_others(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        names = texts(app.screen)
        # the app's own first: the screens' keys, question, coder, help, quit
        assert names[:8] == [
            "Kodning (f2)",
            "Citater (f3)",
            "Optælling (f4)",
            "Kodebog (f5)",
            "Uenighed (f6)",
            "Krydstabel (f7)",
            "Persondata (f8)",
            "Rammematrix (f9)",
        ]
        assert names.index("Afslut (q)") < names.index("Næste (n)")
        # then F2's own, then every other screen's, named after it
        assert names.index("Næste (n)") < names.index("Kodebog (f5) › Farve (c)")
        for wanted in (
            "Citater (f3) › Stjerne (s)",
            "Optælling (f4) › Eksportér CSV (c)",
            "Kodebog (f5) › Slå sammen (g)",
            "Uenighed (f6) › Næste (n)",
            "Krydstabel (f7) › Variabel (a)",
            "Persondata (f8) › Skjul alle (R)",
            "Rammematrix (f9) › Skriv resumé (e)",
        ):
            assert wanted in names, wanted
        assert not [n for n in names if n.startswith("Kodning (f2) ›")]  # F2's are plain
        # keys that only move, the number keys' hidden twins and the palette itself: not listed
        for unwanted in ("Op (↑)", "Ned (↓)", "Første", "Sidste", "Side op", "Kode 2", "palet"):
            assert not [n for n in names if unwanted in n], unwanted
        assert not [n for n in names if "Cursor" in n]


async def test_another_screens_action_from_the_palette_shows_it_and_runs_it(app, db):
    """From F2, ctrl+p 'ny kode': F5's add runs on F5, and the new code is in the file."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        palette.query_one(Input).value = "kodebog ny kode"
        await pilot.pause(0.5)  # the palette gathers its hits in a worker
        listing = palette.query_one(CommandList)
        first = str(listing.get_option_at_index(0).prompt)
        assert "Kodebog (f5) › Ny kode (a)" in first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InputDialog) and app.screen.id == "codebook-label-dialog"
        assert app.current_mode == "codebook"
        app.screen.query_one(Input).value = "Ny fra paletten"
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one(Input).value = "#2CA02C"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
    row = db.execute(
        "SELECT color FROM codes WHERE codebook_id = ? AND label = ?", [STEM, "Ny fra paletten"]
    ).fetchone()
    assert row == ("#2CA02C",)


async def test_a_dialog_over_the_screen_keeps_its_own_palette(app):
    """Over the import screen the palette lists the app's keys and the import's, not the
    other screens' (choosing one would leave the import behind)."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        names = texts(app.screen)
        assert any(n.startswith("Importér") for n in names)
        assert not [n for n in names if " › " in n]
