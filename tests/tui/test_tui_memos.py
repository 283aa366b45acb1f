"""Pilot test: m on F2 writes the coder's memo, opens it again to edit, deletes it when
saved empty, and u takes each step back; every step is checked in the project file. On an
item with codings m first asks what the memo is about: the item (first) or a coding."""

from __future__ import annotations

from qualcode.tui.app import make_app
from qualcode.tui.widgets.dialogs import PickDialog, TextDialog

SIZE = (120, 36)


def memos_on(db, item_id: int) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT text FROM memos WHERE target = 'item' AND target_id = ?", [str(item_id)]
        )
    ]


async def write(pilot, text: str) -> None:
    if isinstance(pilot.app.screen, PickDialog):  # the item is coded: the item is first
        await pilot.press("enter")
        await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, TextDialog)
    dialog.query_one("#dialog-text").text = text
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_m_writes_edits_and_deletes_the_coders_memo(demo_copy, db):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        item_id = screen.item.id
        await pilot.press("m")
        await write(pilot, "Nævner kun fleksjob")
        assert memos_on(db, item_id) == ["Nævner kun fleksjob"]
        assert "Nævner kun fleksjob" in str(screen.query_one("#item-codings").render())

        await pilot.press("m", "enter")  # the same memo, to edit: never a second one
        assert app.screen.query_one("#dialog-text").text == "Nævner kun fleksjob"
        await write(pilot, "Nævner fleksjob og mentor")
        assert memos_on(db, item_id) == ["Nævner fleksjob og mentor"]

        await pilot.press("m")
        await write(pilot, "")  # saved empty: deleted
        assert memos_on(db, item_id) == []

        await pilot.press("u")
        assert memos_on(db, item_id) == ["Nævner fleksjob og mentor"]
        await pilot.press("u", "u")
        assert memos_on(db, item_id) == []


async def test_a_confirmation_shows_its_keys_and_enter_alone_never_confirms(demo_copy, db):
    from qualcode.tui.widgets.dialogs import ConfirmDialog

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        answers: list[bool] = []
        app.push_screen(ConfirmDialog("Slet koden?", yes="Slet"), answers.append)
        await pilot.pause()
        dialog = app.screen
        assert "j: Slet · n eller Esc: Nej" in str(dialog.query_one(".dialog-keys").render())
        assert [str(b.label) for b in dialog.query("Button")] == ["Slet (j)", "Nej (n)"]
        await pilot.press("enter")  # no answer: the dialog says which key answers
        await pilot.pause()
        assert answers == [] and app.screen is dialog
        await pilot.press("n")
        await pilot.pause()
        assert answers == [False]
        app.push_screen(ConfirmDialog("Slet koden?", yes="Slet"), answers.append)
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert answers == [False, True]
