"""Pilot tests of the coding screen: every binding, checked against the project file."""

from __future__ import annotations

from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.item_view import CodedTextArea

SIZE = (120, 36)


async def test_number_key_codes_current_item_and_is_on_disk(app, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        first = screen.item.respondent
        await pilot.press("5")
        assert codings_of(first, "strategier") == ["fleksjob"]
        await pilot.press("5")
        assert codings_of(first, "strategier") == []
