"""Pilot tests of the codebook screen (F5): every binding, checked in the project file."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Input, OptionList, Static, TextArea

from qualcode.core.codebook import load_codebook
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.widgets.colours import ColourDialog, parse_colour
from qualcode.tui.widgets.dialogs import ConfirmDialog, InputDialog, PickDialog, TextDialog

SIZE = (120, 36)
STEM = "lokalpolitiske-strategier"


# -- helpers ---------------------------------------------------------------------


def codes(db, stem: str = STEM) -> dict[str, tuple]:
    """key -> (label, color, definition, parent key), read from disk."""
    return {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT c.key, c.label, c.color, c.definition, p.key FROM codes c"
            " LEFT JOIN codes p ON p.id = c.parent_id WHERE c.codebook_id = ?",
            [stem],
        )
    }


def codings_with(db, key: str, stem: str = STEM) -> set[tuple[int, str]]:
    """(item, coder) of every coding of a code, read from disk."""
    return {
        (r[0], r[1])
        for r in db.execute(
            "SELECT g.item_id, g.coder FROM codings g JOIN codes c ON c.id = g.code_id"
            " WHERE c.codebook_id = ? AND c.key = ?",
            [stem, key],
        )
    }


def prompt_text(option) -> str:
    """An option's prompt as the list shows it, on one wide line per row."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(option.prompt)
    return console.export_text()


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def open_codebook(pilot, question: str | None = None) -> CodebookScreen:
    await pilot.press("f5")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CodebookScreen)
    if question is not None:
        pilot.app.set_question(question)
        await pilot.pause()
    return screen


async def highlight(pilot, screen: CodebookScreen, key: str) -> None:
    listing = screen.query_one("#codebook-list", OptionList)
    listing.highlighted = listing.get_option_index(key)
    await pilot.pause()
    assert screen.current_key() == key


async def answer(pilot, text: str, dialog=InputDialog) -> None:
    """Type into the open one-line dialog and press Enter."""
    assert isinstance(pilot.app.screen, dialog)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def pick(pilot, value: str) -> None:
    assert isinstance(pilot.app.screen, PickDialog)
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(value)
    await pilot.press("enter")
    await pilot.pause()


async def confirm(pilot, yes: bool) -> None:
    assert isinstance(pilot.app.screen, ConfirmDialog)
    await pilot.press("y" if yes else "n")
    await pilot.pause()


# -- showing ---------------------------------------------------------------------


async def test_lists_the_questions_codebook_with_usage_published_and_detail(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        listing = screen.query_one("#codebook-list", OptionList)
        assert [o.id for o in listing.options] == [
            "borgere-paa-kanten",
            "beskaeftigelsesplan",
            "samarbejde-organisationer",
            "kendskab-ordninger",
            "fleksjob",
            "tvaerfagligt-samarbejde",
            "andet",
        ]
        first = prompt_text(listing.get_option_at_index(0))
        on_disk = len(codings_with(db, "borgere-paa-kanten"))
        assert f"{on_disk} kodninger" in first and "borgere-paa-kanten" in first
        assert "rapporten 2018: 15 af 35" in first
        await highlight(pilot, screen, "fleksjob")
        detail = str(screen.query_one("#codebook-detail-text", Static).render())
        definition = db.execute(
            "SELECT definition FROM codes WHERE codebook_id = ? AND key = 'fleksjob'", [STEM]
        ).fetchone()[0]
        assert "Fleksjob" in detail and definition[:40] in detail
        assert "Kilde:" in detail


async def test_follows_the_question_and_shows_nesting(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot, "interview")
        assert screen.book.stem == "interviewtemaer"
        listing = screen.query_one("#codebook-list", OptionList)
        prompt = prompt_text(listing.get_option("pa-arbejde"))
        assert prompt.startswith("    ■ Personlig assistance i arbejdsmæssig")  # depth 2


async def test_works_at_80_by_24(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_codebook(pilot)
        listing = screen.query_one("#codebook-list", OptionList)
        detail = screen.query_one("#codebook-detail")
        assert listing.size.width >= 30 and detail.size.width >= 26
        assert listing.size.height >= 15


def test_every_binding_has_a_description_and_tooltip():
    for b in CodebookScreen.BINDINGS:
        assert b.description and b.tooltip and b.id


def test_parse_colour():
    assert parse_colour(" #abc ") == "#AABBCC"
    assert parse_colour("1f77b4") == "#1F77B4"
    assert parse_colour("grøn") == parse_colour("Green") == parse_colour("groen") == "#2CA02C"
    assert parse_colour("Lyserød") == parse_colour("pink") == "#E377C2"
    assert parse_colour("grey") == parse_colour("gray") == parse_colour("grå") == "#7F7F7F"
    assert parse_colour("") == ""
    assert parse_colour("grønlig") is None and parse_colour("#12345") is None


# -- a: add ----------------------------------------------------------------------


async def test_add_code_with_colour(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await pilot.press("a")
        await answer(pilot, "Øget brug af virksomhedspraktik")
        await answer(pilot, "#123abc", ColourDialog)
        row = codes(db)["oeget-brug-af-virksomhedspraktik"]
        assert row == ("Øget brug af virksomhedspraktik", "#123ABC", "", None)
        assert screen.current_key() == "oeget-brug-af-virksomhedspraktik"
        assert any("Tilføjet" in m for m in messages(app))


async def test_add_code_empty_colour_takes_the_palette(app, db):
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot)
        await pilot.press("a")
        await answer(pilot, "Jobrotation")
        await answer(pilot, "", ColourDialog)
        label, color, _, parent = codes(db)["jobrotation"]
        assert label == "Jobrotation" and color.startswith("#") and len(color) == 7
        assert parent is None


async def test_add_code_whose_key_is_taken_gets_a_new_key(app, db):
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot)
        await pilot.press("a")
        await answer(pilot, "Fleksjob!")
        await answer(pilot, "", ColourDialog)
        assert codes(db)["fleksjob-2"][0] == "Fleksjob!"
        assert codes(db)["fleksjob"][0] == "Fleksjob"


async def test_add_bad_colour_or_duplicate_label_changes_nothing(app, db):
    before = codes(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot)
        await pilot.press("a")
        await answer(pilot, "Ny kode")
        await answer(pilot, "lillaagtig", ColourDialog)  # no colour: the dialog says so
        assert isinstance(app.screen, ColourDialog)
        error = str(app.screen.query_one("#colour-error").render())
        assert error.startswith("»lillaagtig« er ingen farve") and "\n" not in error
        await pilot.press("escape")
        await pilot.pause()
        assert codes(db) == before
        await pilot.press("a")
        await answer(pilot, "fleksjob")  # Fleksjob exists (labels are case-insensitive)
        assert not isinstance(app.screen, InputDialog)  # no colour asked for
        assert codes(db) == before
        await pilot.press("a")
        await answer(pilot, "Kode der fortrydes")
        await pilot.press("escape")  # cancelling the colour cancels the code
        await pilot.pause()
        assert codes(db) == before


# -- r: rename, e: export ----------------------------------------------------------


async def test_rename_then_export_yaml(app, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("r")
        await answer(pilot, "Fleksjob og skånejob")
        assert codes(db)["fleksjob"][0] == "Fleksjob og skånejob"
        assert "Fleksjob og skånejob" in prompt_text(
            screen.query_one("#codebook-list", OptionList).get_option("fleksjob")
        )
        await pilot.press("e")
        assert app.screen.query_one(Input).value == f"{STEM}.yaml"
        await answer(pilot, f"{STEM}.yaml")
    path = tmp_path / f"{STEM}.yaml"
    book = load_codebook(path)
    assert book.code("fleksjob").label == "Fleksjob og skånejob"
    assert book.code("fleksjob").published_count == 5
    assert book.keys()[-1] == "andet"


async def test_rename_to_an_existing_label_is_refused(app, db):
    before = codes(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("r")
        await answer(pilot, "Andet")
        assert codes(db) == before
        assert any("findes to gange" in m for m in messages(app))


async def test_export_existing_file_asks_before_overwriting(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "kodebog.yaml"
    target.write_text("gammel\n", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot)
        await pilot.press("e")
        await answer(pilot, "kodebog.yaml")
        await confirm(pilot, False)
        assert target.read_text(encoding="utf-8") == "gammel\n"
        await pilot.press("e")
        await answer(pilot, "kodebog.yaml")
        await confirm(pilot, True)
    book = load_codebook(target)  # the stem follows the file name, so it loads
    assert book.stem == "kodebog" and book.find("fleksjob") is not None
    assert not list(tmp_path.glob(".kodebog.yaml.*"))  # no temporary file left


# -- c: recolour -----------------------------------------------------------------


async def test_recolour(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("c")
        assert app.screen.query_one(Input).value == "#9467BD"
        await answer(pilot, "#00aa00", ColourDialog)
        assert codes(db)["fleksjob"][1] == "#00AA00"
        await pilot.press("c")
        await answer(pilot, "#abc", ColourDialog)  # stored long, so every screen can draw it
        assert codes(db)["fleksjob"][1] == "#AABBCC"
        await pilot.press("c")
        await answer(pilot, "Rød", ColourDialog)  # by name, Danish or English
        assert codes(db)["fleksjob"][1] == "#D62728"
        await pilot.press("c")
        await answer(pilot, "blue", ColourDialog)
        assert codes(db)["fleksjob"][1] == "#1F77B4"


async def test_bad_colour_leaves_the_table_unchanged(app, db):
    before = codes(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("c")
        for bad in ("grønlig", "#12345", ""):
            await answer(pilot, bad, ColourDialog)
            assert isinstance(app.screen, ColourDialog)  # still open, saying why
            error = str(app.screen.query_one("#colour-error").render())
            assert ("er ingen farve" if bad else "Skriv en farve") in error
            assert codes(db) == before
        await pilot.press("escape")
        await pilot.pause()
        assert codes(db) == before


async def test_recolour_from_the_swatches_by_keys_and_by_mouse(app, db):
    from qualcode.tui.widgets.colours import NAMED, Swatches

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, ColourDialog)
        swatches = dialog.query_one(Swatches)
        assert swatches.index == NAMED.index("#9467BD")  # the code's own colour (lilla)
        assert "lilla (#9467BD)" in str(dialog.query_one("#colour-name").render())
        await pilot.press("down")  # from the input line to the swatches
        assert swatches.has_focus
        await pilot.press("right", "right")
        assert "brun (#8C564B)" in str(dialog.query_one("#colour-name").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert codes(db)["fleksjob"][1] == "#8C564B"

        await pilot.press("c")
        await pilot.pause()
        swatches = app.screen.query_one(Swatches)
        await pilot.click(swatches, offset=(Swatches.CELL * 4 + 1, 0))  # the fifth: grøn
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert codes(db)["fleksjob"][1] == "#2CA02C"


# -- d: re-describe --------------------------------------------------------------


async def test_describe(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("d")
        assert isinstance(app.screen, TextDialog)
        area = app.screen.query_one(TextArea)
        assert area.text.startswith(codes(db)["fleksjob"][2][:20])
        area.text = "Fleksjob som vej til\nbeskæftigelse."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert codes(db)["fleksjob"][2] == "Fleksjob som vej til beskæftigelse."
        detail = str(screen.query_one("#codebook-detail-text", Static).render())
        assert "Fleksjob som vej til beskæftigelse." in detail
        await pilot.press("d")
        await pilot.press("escape")
        await pilot.pause()
        assert codes(db)["fleksjob"][2] == "Fleksjob som vej til beskæftigelse."


# -- n: nest ---------------------------------------------------------------------


async def test_nest_and_unnest(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("n")
        values = [o.id for o in app.screen.query_one(OptionList).options]
        assert values[0] == "(top)" and "fleksjob" not in values
        await pick(pilot, "samarbejde-organisationer")
        assert codes(db)["fleksjob"][3] == "samarbejde-organisationer"
        await highlight(pilot, screen, "samarbejde-organisationer")
        await pilot.press("n")  # a code cannot go under its own child
        assert "fleksjob" not in [o.id for o in app.screen.query_one(OptionList).options]
        await pilot.press("escape")
        await pilot.pause()
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("n")
        await pick(pilot, "(top)")
        assert codes(db)["fleksjob"][3] is None


# -- g: merge --------------------------------------------------------------------


async def test_merge_moves_codings_to_the_survivor(app, db):
    source = codings_with(db, "tvaerfagligt-samarbejde")
    target = codings_with(db, "samarbejde-organisationer")
    assert source
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "tvaerfagligt-samarbejde")
        await pilot.press("g")
        await pick(pilot, "samarbejde-organisationer")
        assert f"{len(source)} kodninger flyttes" in str(
            app.screen.query_one(".dialog-title").render()
        )
        await confirm(pilot, False)
        assert codings_with(db, "tvaerfagligt-samarbejde") == source
        await pilot.press("g")
        await pick(pilot, "samarbejde-organisationer")
        await confirm(pilot, True)
        assert screen.current_key() == "samarbejde-organisationer"
    assert "tvaerfagligt-samarbejde" not in codes(db)
    assert codings_with(db, "tvaerfagligt-samarbejde") == set()
    assert codings_with(db, "samarbejde-organisationer") == source | target


# -- delete ------------------------------------------------------------------------


async def test_delete_asks_with_the_count_then_deletes_codings(app, db):
    n = len(codings_with(db, "fleksjob"))
    assert n
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("delete")
        assert f"{n} kodninger" in str(app.screen.query_one(".dialog-title").render())
        await confirm(pilot, False)
        assert "fleksjob" in codes(db) and len(codings_with(db, "fleksjob")) == n
        await pilot.press("delete")
        await confirm(pilot, True)
        assert screen.current_key() == "tvaerfagligt-samarbejde"  # the next one
    assert "fleksjob" not in codes(db)
    assert (
        db.execute(
            "SELECT COUNT(*) FROM codings WHERE code_id NOT IN (SELECT id FROM codes)"
        ).fetchone()[0]
        == 0
    )
    assert db.execute("SELECT COUNT(*) FROM events WHERE action = 'code.delete'").fetchone()[0] == 1


async def test_delete_code_with_children_is_refused(app, db):
    before = codes(db, "interviewtemaer")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot, "interview")
        await highlight(pilot, screen, "ordninger")
        await pilot.press("delete")
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("underkode" in m for m in messages(app))
    assert codes(db, "interviewtemaer") == before


async def test_export_to_a_folder_or_without_suffix(app, tmp_path, monkeypatch):
    out = tmp_path / "ud"
    out.mkdir()
    monkeypatch.chdir(out)
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot, "interview")
        await pilot.press("e")
        await answer(pilot, str(out))
        assert any("er en mappe" in m for m in messages(app))
        await pilot.press("e")
        await answer(pilot, "temaer")
    book = load_codebook(out / "temaer.yaml")
    assert book.code("pa-arbejde").parent == "personlig-assistance"
    assert list(out.iterdir()) == [out / "temaer.yaml"]
