"""F2's status line names the active filter and the search together (issue 18, item 10)."""

from __future__ import annotations

SIZE = (120, 36)


async def test_the_status_line_shows_the_active_filter_and_the_search(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#queue-status")
        assert "filter: alle" in str(status.render())
        await pilot.press("f")  # the filter: not reviewed yet
        await pilot.pause()
        assert "filter: ikke gennemgået" in str(status.render())
        await pilot.press("slash", *"fleksjob", "enter")
        await pilot.pause()
        shown = str(status.render())
        assert "filter: ikke gennemgået" in shown and "søgning: fleksjob" in shown
        await pilot.press("f")
        await pilot.pause()
        shown = str(status.render())
        assert "filter: gennemgået" in shown and "søgning: fleksjob" in shown
