"""Pilot test: the project's noun is changed on F4 (E), stored, and counted in at once."""

from __future__ import annotations

from helpers import settle
from qualcode.core.project import Project
from qualcode.models import Noun
from qualcode.tui.app import make_app
from qualcode.tui.screens.counts import CountsScreen
from qualcode.tui.widgets.dialogs import InputDialog

SIZE = (120, 36)


async def test_E_on_f4_names_what_the_respondents_are(demo_copy):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CountsScreen)
        assert "jobcentre har svaret" in str(screen.query_one("#counts-status").render())
        await pilot.press("E")
        dialog = app.screen
        assert isinstance(dialog, InputDialog) and dialog.value == "jobcenter/jobcentre"
        dialog.dismiss("kommune/kommuner")
        await settle(app, pilot)
        with Project.open(demo_copy, readonly=True) as p:
            assert p.noun() == Noun("kommune", "kommuner")  # stored before it is shown
        assert "35 kommuner har svaret" in str(screen.query_one("#counts-status").render())
        assert all(r.mentioned.endswith("kommuner") for r in screen.table.rows)

        await pilot.press("E")
        app.screen.dismiss("kommune")  # not singular/plural: refused, nothing changes
        await settle(app, pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert any("'ental/flertal'" in e for e in errors)
        with Project.open(demo_copy, readonly=True) as p:
            assert p.noun() == Noun("kommune", "kommuner")
