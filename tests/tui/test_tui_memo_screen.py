"""Pilot tests of memos everywhere: on a code (m on F5), on a coding (m on F2), on the
project (p on the memo screen M), and the memo screen itself: listing, searching as you
type, editing, deleting, undoing and jumping to the text. Every step is checked in the
project file."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from qualcode.core.project import Project
from qualcode.tui.app import make_app
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.memos import MemoScreen
from qualcode.tui.widgets.dialogs import ConfirmDialog, PickDialog, TextDialog

SIZE = (120, 36)


def memos(db, target: str | None = None) -> list[tuple]:
    sql = "SELECT target, target_id, text, author FROM memos"
    args: list = []
    if target is not None:
        sql += " WHERE target = ?"
        args.append(target)
    return [tuple(r) for r in db.execute(sql + " ORDER BY id", args)]


async def write(pilot, text: str) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, TextDialog)
    dialog.query_one("#dialog-text").text = text
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_m_on_the_codebook_writes_a_memo_on_the_highlighted_code(demo_copy, db):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        key = screen.current_key()
        code_id = db.execute(
            "SELECT id FROM codes WHERE key = ? AND codebook_id = ?", [key, screen.book.stem]
        ).fetchone()[0]
        await pilot.press("m")
        await write(pilot, "Definitionen er for bred")
        assert memos(db) == [("code", str(code_id), "Definitionen er for bred", "ida")]
        detail = str(screen.query_one("#codebook-detail-text", Static).render())
        assert "Definitionen er for bred" in detail
        await pilot.press("m")  # the same memo, to edit
        assert app.screen.query_one("#dialog-text").text == "Definitionen er for bred"
        await write(pilot, "Definitionen er for snæver")
        assert [m[2] for m in memos(db)] == ["Definitionen er for snæver"]
        await pilot.press("u")  # F5's undo takes the memo change back
        await pilot.pause()
        assert [m[2] for m in memos(db)] == ["Definitionen er for bred"]
        await pilot.press("u")
        await pilot.pause()
        assert memos(db) == []


async def test_m_on_the_coding_screen_writes_a_memo_on_a_whole_text_coding(demo_copy, db):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        item = screen.item
        codings = screen.project.codings(item_id=item.id)
        assert codings  # the demo's first item is coded
        await pilot.press("m")
        picker = app.screen
        assert isinstance(picker, PickDialog)
        await pilot.press("down", "enter")  # the first coding, below the item itself
        await pilot.pause()
        await write(pilot, "Usikker: måske også mentor")
        assert memos(db) == [("coding", str(codings[0].id), "Usikker: måske også mentor", "ida")]
        pane = str(screen.query_one("#item-codings", Static).render())
        assert "✎ Usikker: måske også mentor (ida)" in pane
        await pilot.press("u")
        await pilot.pause()
        assert memos(db) == []


async def test_the_item_pane_scrolls_to_every_coding_and_memo(demo_copy, db):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        stem = p.question("strategier").codebook
        keys = [c.key for c in p.codebook(stem).codes][:8]
        for n, key in enumerate(keys):
            p.add_coding(item.id, key, start=n, end=n + 3)
        p.set_memo("item", item.id, "Det sidste memo nederst")
    app = make_app(demo_copy, "strategier", coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.go_to(item.id)
        await pilot.pause()
        pane = screen.query_one("#item-notes")
        text = str(screen.query_one("#item-codings", Static).render())
        assert "Det sidste memo nederst" in text
        assert pane.max_scroll_y > 0  # more than the pane's lines: it scrolls
        pane.focus()  # as tab reaches it
        await pilot.press("down", "down")
        await pilot.pause()
        assert pane.scroll_y == 2
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y


def _seed(path) -> dict[str, int]:
    with Project.open(path, coder="ida") as p:
        first = p.items("strategier")[0]
        later = p.items("interview")[3]
        stem = p.question("strategier").codebook
        key = p.codebook(stem).codes[0].key
        ids = {
            "item": p.set_memo("item", later.id, "Interviewet nævner mentorer").id,
            "code": p.set_memo("code", p.code_ref(stem, key), "Koden er for bred").id,
            "project": p.set_memo("project", None, "Første runde er færdig").id,
        }
        ids["first"], ids["later"] = first.id, later.id
    return ids


async def open_memos(pilot) -> MemoScreen:
    await pilot.press("M")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MemoScreen)
    return screen


async def test_the_memo_screen_lists_searches_edits_deletes_and_undoes(demo_copy, db):
    ids = _seed(demo_copy)
    app = make_app(demo_copy, "strategier", coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memos(pilot)
        table = screen.query_one("#memos-table", DataTable)
        assert table.row_count == 3
        first_row = [str(c) for c in table.get_row_at(0)]  # newest first: the project's
        assert first_row[0] == "projekt" and first_row[2] == "ida"
        assert first_row[4] == "Første runde er færdig"

        await pilot.press("slash")
        for ch in "bred":
            await pilot.press(ch)
        await pilot.pause()
        assert [e.memo.id for e in screen.found] == [ids["code"]]
        assert table.row_count == 1
        await pilot.press("enter")  # from the search box to the list
        await pilot.press("e")
        await write(pilot, "Koden er for bred; del den op")
        assert tuple(m[2] for m in memos(db, "code")) == ("Koden er for bred; del den op",)

        screen.query_one("#memos-search-box", Input).value = ""
        await pilot.pause()
        assert table.row_count == 3
        screen.query_one("#memos-table", DataTable).focus()
        table.move_cursor(row=[e.memo.id for e in screen.found].index(ids["project"]))
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("j")
        await pilot.pause()
        assert memos(db, "project") == []
        assert table.row_count == 2

        await pilot.press("u")  # the memo screen undoes the latest memo change, any kind
        await pilot.pause()
        assert [m[2] for m in memos(db, "project")] == ["Første runde er færdig"]
        await pilot.press("u")
        await pilot.pause()
        assert [m[2] for m in memos(db, "code")] == ["Koden er for bred"]

        await pilot.press("p")
        await write(pilot, "Husk at skrive metodeafsnittet")
        assert [m[2] for m in memos(db, "project")] == [
            "Første runde er færdig",
            "Husk at skrive metodeafsnittet",
        ]


async def test_enter_on_a_memo_jumps_to_its_text_on_the_coding_screen(demo_copy, db):
    ids = _seed(demo_copy)
    app = make_app(demo_copy, "strategier", coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memos(pilot)
        table = screen.query_one("#memos-table", DataTable)
        table.move_cursor(row=[e.memo.id for e in screen.found].index(ids["item"]))
        await pilot.press("enter")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        assert app.question == "interview"  # the memo's question
        assert coding.item.id == ids["later"]
        assert "Interviewet nævner mentorer" in str(
            coding.query_one("#item-codings", Static).render()
        )


async def test_the_memo_screen_is_in_the_help_and_the_palette_everywhere(demo_copy):
    from qualcode.tui.commands import BindingCommands
    from qualcode.tui.screens.help import screen_bindings

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f2", "f5", "M"):
            await pilot.press(key)
            await pilot.pause()
            keys = {row[0]: row[1] for row in screen_bindings(app.screen)}
            assert keys.get("M") == "Memoer", key
            names = [text for text, *_ in BindingCommands(app.screen)._commands()]
            assert "Memoer (M)" in names, key
        # the memo screen's own keys, and F5's m, are listed too
        keys = {row[0]: row[1] for row in screen_bindings(app.screen)}
        assert {"e", "del", "p", "u", "/"} <= set(keys)
        await pilot.press("f5")
        await pilot.pause()
        assert screen_bindings(app.screen) and "m" in {r[0] for r in screen_bindings(app.screen)}
