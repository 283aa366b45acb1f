"""Pilot tests of the coding screen: every binding, checked against the project file."""

from __future__ import annotations

from qualcode.core.project import Project
from qualcode.tui.app import make_app
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.code_panel import CodePanel
from qualcode.tui.widgets.dialogs import PickDialog, TextDialog
from qualcode.tui.widgets.item_queue import ItemQueue
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


async def test_every_number_key_maps_to_the_code_at_that_position(app, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        book = app.project.codebook("strategier")
        for n in range(1, len(book) + 1):
            await pilot.press(str(n))
        assert codings_of(screen.item.respondent, "strategier") == sorted(book.keys())
        await pilot.press("9")  # the codebook has 7 codes: nothing happens, nothing breaks
        assert len(codings_of(screen.item.respondent, "strategier")) == len(book)


async def test_counts_in_the_panel_grow_live(app):
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one(CodePanel)
        before = panel.counts["fleksjob"]
        it = app.screen.item
        coded_by_gold = "fleksjob" in {c.code for c in app.project.codings(item_id=it.id)}
        await pilot.press("5")
        assert panel.counts["fleksjob"] == before + (0 if coded_by_gold else 1)


async def test_n_p_and_arrows_move_through_the_queue(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        order = [e.respondent for e in screen.query_one(ItemQueue).shown]
        assert screen.item.respondent == order[0]
        await pilot.press("n", "n")
        assert screen.item.respondent == order[2]
        await pilot.press("p")
        assert screen.item.respondent == order[1]
        await pilot.press("down")  # the queue has focus: arrows move too
        assert screen.item.respondent == order[2]
        await pilot.press("up", "up")
        assert screen.item.respondent == order[0]


async def test_selected_passage_is_coded_as_a_span(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("t")
        area = screen.query_one(CodedTextArea)
        assert area.has_focus
        await pilot.press(
            "shift+right",
            "shift+right",
            "shift+right",
            "shift+right",
            "shift+right",
            "shift+right",
            "shift+right",
            "shift+right",
        )
        await pilot.press("3")
        row = db.execute(
            'SELECT c.start, c."end", k.key FROM codings c JOIN codes k ON k.id = c.code_id'
            " WHERE c.item_id = ? AND c.coder = 'ida'",
            [screen.item.id],
        ).fetchone()
        assert row[:2] == (0, 8) and row[2] == "samarbejde-organisationer"
        assert area.spans and area.spans[0].start == 0
        # the same selection and key again removes exactly that span
        area.select_offsets(0, 8)
        await pilot.press("3")
        assert db.execute("SELECT COUNT(*) FROM codings WHERE coder = 'ida'").fetchone()[0] == 0


async def test_undo_redo_keys_and_undo_after_restart(demo_copy, codings_of):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        first = app.screen.item.respondent
        await pilot.press("5", "n", "6")
        second = app.screen.item.respondent
        assert codings_of(second, "strategier") == ["tvaerfagligt-samarbejde"]
        await pilot.press("u")
        assert codings_of(second, "strategier") == []
        await pilot.press("ctrl+y")
        assert codings_of(second, "strategier") == ["tvaerfagligt-samarbejde"]
        await pilot.press("ctrl+z")
        assert codings_of(second, "strategier") == []
        await pilot.press("q")
    again = make_app(demo_copy, coder="ida")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("u")  # the log remembers the first coding across the restart
        assert codings_of(first, "strategier") == []
        assert again.screen.item.respondent == first


async def test_ctrl_z_works_while_the_text_has_focus(app, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        who = app.screen.item.respondent
        await pilot.press("5", "t", "ctrl+z")
        assert codings_of(who, "strategier") == []


async def test_memo_is_written_to_the_project(app, db):
    async with app.run_test(size=SIZE) as pilot:
        item_id = app.screen.item.id
        await pilot.press("m", "enter")  # the item is coded: m asks; the item comes first
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Tjek ressourcer")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        memo = db.execute(
            "SELECT text, author FROM memos WHERE target = 'item' AND target_id = ?", [str(item_id)]
        ).fetchone()
        assert memo == ("Tjek ressourcer", "ida")
        await pilot.press("m", "escape")
        assert db.execute("SELECT COUNT(*) FROM memos").fetchone()[0] == 1


async def test_search_and_filter_narrow_the_queue(app):
    async with app.run_test(size=SIZE) as pilot:
        queue = app.screen.query_one(ItemQueue)
        total = len(queue.shown)
        await pilot.press("slash", *"kode:fleksjob", "enter")
        shown = {e.respondent for e in queue.shown}
        assert 0 < len(shown) < total
        for row in queue.shown:
            codes = {c.code for c in app.project.codings(item_id=row.item_id)}
            assert "fleksjob" in codes
        assert app.screen.item.respondent in shown
        await pilot.press("slash", "end", "ctrl+u", *"jc:JC07", "enter")
        assert [e.respondent for e in queue.shown] == ["JC07"]
        await pilot.press("slash", "end", "ctrl+u", "enter")
        assert len(queue.shown) == total
        await pilot.press("f")  # the demo's answers are all coded by 'guld'
        assert queue.status == "ikke gennemgået" and queue.shown == []
        await pilot.press("f")
        assert queue.status == "gennemgået" and len(queue.shown) == total


async def test_enter_in_the_codebook_panel_toggles_that_code(app, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        who = app.screen.item.respondent
        panel = app.screen.query_one(CodePanel)
        panel.focus()
        panel.highlighted = 4
        await pilot.press("enter")
        assert codings_of(who, "strategier") == ["fleksjob"]


async def test_help_lists_every_binding(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = {row[1] for row in app.screen.rows}
        for needed in (
            "Kod",
            "Næste",
            "Forrige",
            "Fortryd",
            "Gentag",
            "Memo",
            "Søg",
            "Filter",
            "Kodning",
            "Citater",
            "Optælling",
            "Kodebog",
            "Importér",
            "Afslut",
        ):
            assert needed in descriptions
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_palette_offers_the_screen_bindings(app):
    from qualcode.tui.commands import BindingCommands

    async with app.run_test(size=SIZE):
        provider = BindingCommands(app.screen)
        names = [text for text, *_ in provider._commands()]
        assert any(name.startswith("Næste") for name in names)
        assert any(name.startswith("Fortryd") for name in names)


async def test_switch_question_and_interview_header(app, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        assert isinstance(app.screen, PickDialog)
        app.screen.dismiss("interview")
        await pilot.pause()
        screen = app.screen
        assert app.question == "interview" and screen.item.question == "interview"
        head = str(screen.query_one("#item-head").render())
        assert screen.item.speaker_role in head and "uddrag" in head
        await pilot.press("1")
        assert codings_of(screen.item.respondent, "interview") == ["lokalpolitisk-fokus"]


async def test_quit_with_q_keeps_everything(demo_copy):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "q")
    assert app.return_code in (0, None)
    with Project.open(demo_copy) as p:
        assert [c.code for c in p.codings(coder="ida")] == ["fleksjob"]


async def test_theme_toggle_and_escape_back_to_the_queue(app):
    async with app.run_test(size=SIZE) as pilot:
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        await pilot.press("t")
        assert app.screen.query_one(CodedTextArea).has_focus
        await pilot.press("escape")
        assert app.screen.query_one("#queue-list").has_focus


async def test_function_keys_switch_screens(app):
    async with app.run_test(size=SIZE) as pilot:
        for key, mode in (("f3", "quotes"), ("f4", "counts"), ("f5", "codebook"), ("f2", "coding")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
        assert isinstance(app.screen, CodingScreen)


async def test_refresh_picks_up_another_writer(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        queue = app.screen.query_one(ItemQueue)
        await pilot.press("h")  # blind: only ida's codings, so nothing is coded yet
        assert not queue.coded
        with Project.open(demo_copy, coder="ida") as other:  # e.g. the CLI in another terminal
            first = other.items("strategier")[0]
            other.add_coding(first.id, "fleksjob")
        await pilot.press("r")
        assert queue.shown[0].item_id in queue.coded
        assert str(app.screen.query_one("#queue-status").render()).startswith("gennemgået 1 af 35")
