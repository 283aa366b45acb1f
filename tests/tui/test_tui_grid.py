"""The grid of answers (issue 18, F2's g): attribute columns chosen and remembered, sorted
and filtered by attribute and by code, checked against the project file; Enter opens the
answer on the coding screen, where coding it is stored."""

from __future__ import annotations

import json

from qualcode.core.project import Project
from qualcode.paths import os_user
from qualcode.tui.app import make_app
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.grid import PAGE, ColumnsDialog, GridScreen

SIZE = (120, 36)
QUESTION = "strategier"


def shown_ids(screen: GridScreen) -> list[int]:
    """The item ids of the table's rows, as the table holds them."""
    table = screen.table
    return [int(str(row.key.value)) for row in table.ordered_rows]


def column(screen: GridScreen, key: str) -> list[str]:
    table = screen.table
    return [str(cell) for cell in table.get_column(key)]


def codable(db, where: str = "", args: tuple = ()) -> list[tuple[int, str]]:
    """(item id, respondent) of the question's codable items in file order, read from disk."""
    return [
        (r[0], r[1])
        for r in db.execute(
            "SELECT i.id, i.respondent_id FROM items i WHERE i.question_id = ?"
            f" AND i.is_empty = 0 AND i.kind != 'interviewer' {where}"
            " ORDER BY i.respondent_id, i.position",
            [QUESTION, *args],
        )
    ]


async def open_grid(app, pilot) -> GridScreen:
    await pilot.press("g")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, GridScreen)
    return screen


async def choose_columns(app, pilot, *names: str) -> None:
    await pilot.press("a")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ColumnsDialog)
    options = dialog.query_one("#grid-columns-list")
    for index in range(options.option_count):  # tick the wanted ones with space
        options.highlighted = index
        wanted = options.get_option_at_index(index).value in names
        if wanted != (options.get_option_at_index(index).value in options.selected):
            await pilot.press("space")
    await pilot.press("enter")
    await pilot.pause()


async def test_g_opens_the_grid_and_g_goes_back(demo_copy, db):
    app = make_app(demo_copy, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        coding = app.screen
        first = coding.item.id
        grid = await open_grid(app, pilot)
        rows = codable(db)
        assert shown_ids(grid) == [r[0] for r in rows][:PAGE]
        assert grid.current_item_id == first  # the cursor on the answer being coded
        status = str(grid.query_one("#grid-status").render())
        assert f"1–{len(rows)} af {len(rows)} svar" in status
        await pilot.press("g")
        await pilot.pause()
        assert app.screen is coding and coding.item.id == first


async def test_attribute_columns_sort_and_are_remembered(demo_copy, db):
    app = make_app(demo_copy, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot)
        await choose_columns(app, pilot, "region", "lokalpolitisk_fokus")
        assert grid.attributes == ["lokalpolitisk_fokus", "region"]  # the register's order
        values = dict(
            db.execute("SELECT respondent_id, value FROM attributes WHERE name = 'region'")
        )
        respondents = dict(codable(db))
        assert column(grid, "attribute:region") == [
            values.get(respondents[i], "") for i in shown_ids(grid)
        ]
        # sort by the survey's order of lokalpolitisk_fokus: the cursor on its column
        grid.table.cursor_coordinate = grid.table.cursor_coordinate._replace(column=3)
        await pilot.press("s")
        await pilot.pause()
        order = json.loads(
            db.execute(
                "SELECT value FROM project WHERE key = 'attribute_order:lokalpolitisk_fokus'"
            ).fetchone()[0]
        )
        seen = [v for v in column(grid, "attribute:lokalpolitisk_fokus") if v]
        assert seen == sorted(seen, key=order.index) and len(set(seen)) > 1
        assert "sorteret efter lokalpolitisk_fokus ↑" in str(
            grid.query_one("#grid-status").render()
        )
        await pilot.press("s")  # again: the other way
        await pilot.pause()
        seen = [v for v in column(grid, "attribute:lokalpolitisk_fokus") if v]
        assert seen == sorted(seen, key=order.index, reverse=True)
    stored = db.execute(
        "SELECT value FROM project WHERE key = ?", [f"grid_columns:{os_user()}"]
    ).fetchone()
    assert json.loads(stored[0]) == ["lokalpolitisk_fokus", "region"]
    again = make_app(demo_copy, QUESTION, coder="ida")
    async with again.run_test(size=SIZE) as pilot:
        grid = await open_grid(again, pilot)
        assert grid.attributes == ["lokalpolitisk_fokus", "region"]


async def test_filters_by_code_and_by_attribute(demo_copy, db):
    app = make_app(demo_copy, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"kode:fleksjob")
        await pilot.press("enter")
        await pilot.pause()
        coded = codable(
            db,
            "AND EXISTS (SELECT 1 FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE c.item_id = i.id AND k.key = 'fleksjob')",
        )
        assert coded and shown_ids(grid) == [r[0] for r in coded]
        status = str(grid.query_one("#grid-status").render())
        assert f"af {len(coded)} svar" in status and "filter: kode:fleksjob" in status
        grid.query_one("#grid-filter").value = "kode:fleksjob region:nordjylland"
        await pilot.press("slash", "enter")
        await pilot.pause()
        both = codable(
            db,
            "AND EXISTS (SELECT 1 FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE c.item_id = i.id AND k.key = 'fleksjob') AND EXISTS (SELECT 1 FROM"
            " attributes a WHERE a.respondent_id = i.respondent_id AND a.name = 'region'"
            " AND a.value = 'Nordjylland')",
        )
        assert shown_ids(grid) == [r[0] for r in both] and len(both) < len(coded)
        # = on a cell filters on its value: the respondent's
        grid.query_one("#grid-filter").value = ""
        await pilot.press("slash", "enter")
        await pilot.pause()
        await choose_columns(app, pilot, "stoerrelse")
        grid.table.cursor_coordinate = grid.table.cursor_coordinate._replace(row=0, column=3)
        value = column(grid, "attribute:stoerrelse")[0]
        await pilot.press("equals_sign")
        await pilot.pause()
        assert grid.query_one("#grid-filter").value == f"stoerrelse:{value}"
        same = codable(
            db,
            "AND EXISTS (SELECT 1 FROM attributes a WHERE a.respondent_id = i.respondent_id"
            " AND a.name = 'stoerrelse' AND a.value = ?)",
            (value,),
        )
        assert shown_ids(grid) == [r[0] for r in same][:PAGE]
        # a code that is not in the codebook says so, and shows nothing
        grid.query_one("#grid-filter").value = "kode:zz"
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert shown_ids(grid) == []
        assert any("Ukendt kode: zz" in n.message for n in app._notifications)


async def test_an_attribute_named_in_more_words_filters_by_equals_and_by_typing(demo_copy, db):
    # a register's column heading of two words, its values of one and of two
    with db:
        for n, (rid,) in enumerate(db.execute("SELECT id FROM respondents ORDER BY id").fetchall()):
            value = "1-5" if n % 3 else "over 10"
            db.execute(
                "INSERT INTO attributes (respondent_id, name, value) VALUES (?, ?, ?)",
                [rid, "Antal borgere", value],
            )

    def with_value(value: str) -> list[int]:
        return [
            r[0]
            for r in codable(
                db,
                "AND EXISTS (SELECT 1 FROM attributes a WHERE a.respondent_id ="
                " i.respondent_id AND a.name = 'Antal borgere' AND a.value = ?)",
                (value,),
            )
        ]

    app = make_app(demo_copy, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot)
        await choose_columns(app, pilot, "Antal borgere")
        shown = column(grid, "attribute:Antal borgere")
        row = shown.index("over 10")
        grid.table.cursor_coordinate = grid.table.cursor_coordinate._replace(row=row, column=3)
        await pilot.press("equals_sign")
        await pilot.pause()
        assert grid.query_one("#grid-filter").value == '"Antal borgere":"over 10"'
        assert shown_ids(grid) == with_value("over 10") != []
        grid.query_one("#grid-filter").value = '"antal borgere":1-5'  # typed, any case
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert shown_ids(grid) == with_value("1-5")[:PAGE] != []


async def test_enter_opens_the_answer_and_coding_it_is_stored(demo_copy, db, codings_of):
    app = make_app(demo_copy, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        coding = app.screen
        grid = await open_grid(app, pilot)
        grid.query_one("#grid-filter").value = "region:nordjylland"
        await pilot.press("slash", "enter")
        await pilot.pause()
        await pilot.press("down", "down")
        target = grid.current_item_id
        assert target == shown_ids(grid)[2]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen) and app.screen is coding
        assert coding.item.id == target
        assert coding.query_one("#queue").current_item_id == target
        respondent = coding.item.respondent
        before = codings_of(respondent, QUESTION)
        key = coding.book.codes[0].key
        await pilot.press("1")
        await pilot.pause()
        after = codings_of(respondent, QUESTION)
        assert (key in after) != (key in before)
        stored = db.execute(
            "SELECT COUNT(*) FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE c.item_id = ? AND k.key = ? AND c.coder = 'ida'",
            [target, key],
        ).fetchone()[0]
        assert stored == (1 if key in after else 0)
        # and the grid shows it, opened again
        grid = await open_grid(app, pilot)
        assert grid.current_item_id == target


async def test_pages_turn_past_the_last_row(tmp_path):
    """A question with more answers than a page: moving past the last row turns it."""
    from helpers import write_csv
    from qualcode.io.answers import read_answers

    rows = [["jobcenter_id", "svar"]] + [[f"JC{n:03}", f"Svar nummer {n}"] for n in range(250)]
    src = write_csv(tmp_path / "svar.csv", rows)
    path = tmp_path / "mange.qualcode.db"
    with Project.open(path, create=True) as p:
        p.import_answers(
            read_answers(
                str(src),
                respondent_col="jobcenter_id",
                text_cols=["svar"],
                questions=[QUESTION],
                codebooks=["lokalpolitiske-strategier"],
            )
        )
    app = make_app(path, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot)
        assert grid.table.row_count == PAGE
        for _ in range(10):  # page down within the page, then past its last row
            await pilot.press("pagedown")
            if grid.first_row:
                break
        await pilot.pause()
        assert grid.first_row == PAGE and column(grid, "respondent")[0] == f"JC{PAGE:03}"
        assert grid.table.cursor_row == 0
        grid.table.cursor_coordinate = grid.table.cursor_coordinate._replace(row=PAGE - 1)
        await pilot.press("down")  # past the last row: the next page
        await pilot.pause()
        assert grid.first_row == 2 * PAGE
        await pilot.press("up")  # and back
        await pilot.pause()
        assert grid.first_row == PAGE and grid.table.cursor_row == PAGE - 1
        assert "101–200 af 250 svar" in str(grid.query_one("#grid-status").render())
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert grid.first_row == 200 and grid.table.row_count == 50
        assert grid.current_item_id == grid.grid.ids[-1]
        await pilot.press("up")
        await pilot.pause()
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert grid.first_row == 0 and grid.table.cursor_row == 0


async def test_the_grid_is_in_the_help_and_the_palette(demo_copy):
    from qualcode.tui.commands import BindingCommands
    from qualcode.tui.screens.help import HelpScreen

    app = make_app(demo_copy, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any(key == "g" and what == "Svartabel" for key, what, _tip in app.screen.rows)
        await pilot.press("escape")
        await pilot.pause()
        provider = BindingCommands(app.screen)
        commands = {text: (node, action) for text, _help, node, action in provider._commands()}
        node, action = commands["Svartabel (g)"]
        await app.run_action(action, node)  # as the palette runs it
        await pilot.pause()
        grid = app.screen
        assert isinstance(grid, GridScreen)
        # and on the grid, its own keys are there to find
        names = [text for text, *_ in BindingCommands(grid)._commands()]
        assert {"Sortér (s)", "Kolonner (a)", "Åbn (⏎)", "Til kodningen (g)"} <= set(names)
