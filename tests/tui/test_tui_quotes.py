"""Pilot tests of the quotes screen (F3): every binding, checked against the project file
or the file written."""

from __future__ import annotations

import docx
import pytest
from textual.widgets import Input, OptionList

from helpers import settle
from qualcode.core.project import Project
from qualcode.tui.app import make_app
from qualcode.tui.screens.quotes import QuotesScreen
from qualcode.tui.widgets.dialogs import ConfirmDialog, InputDialog, PickDialog

SIZE = (120, 36)
TITLE = "Citater: Temaer i de kvalitative interview"


async def open_quotes(app, pilot, question: str = "interview") -> QuotesScreen:
    await pilot.press("f3")
    await pilot.pause()
    if question != app.question:
        app.set_question(question)
        await pilot.pause()
    screen = app.screen
    assert isinstance(screen, QuotesScreen)
    return screen


async def pick_code(pilot, screen: QuotesScreen, key: str, *, keys: bool = False) -> None:
    """Highlight a code in the left list (with the arrow keys if ``keys``)."""
    codes = screen.query_one("#quotes-codes", OptionList)
    codes.focus()
    target = codes.get_option_index(key)
    if keys:
        while codes.highlighted != target:
            await pilot.press("down" if codes.highlighted < target else "up")
    else:
        codes.highlighted = target
    await pilot.pause()
    assert screen.code_key == key


@pytest.fixture
def out(tmp_path, monkeypatch):
    """An empty current directory, where exports go by default."""
    folder = tmp_path / "ud"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def starred_on_disk(db) -> set[int]:
    return {r[0] for r in db.execute("SELECT id FROM codings WHERE starred = 1")}


def option_texts(screen: QuotesScreen, selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- layout and browsing ---------------------------------------------------------------------


async def test_codes_with_counts_and_the_quotes_of_the_highlighted_code(app, demo_copy):
    with Project.open(demo_copy) as p:
        book = p.codebook("interview")
        expected = {c.key: [q.coding_id for q in p.quotes(c.key, "interview")] for c in book}
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        codes = option_texts(screen, "#quotes-codes")
        assert len(codes) == len(book)
        ordninger = codes[[c.key for c in book].index("ordninger")]
        assert ordninger.startswith("■ Handicapkompenserende ordninger (33)")
        pa_arbejde = codes[[c.key for c in book].index("pa-arbejde")]
        assert pa_arbejde.startswith("    ■ ")  # nested two levels deep
        first = book.codes[0].key
        assert [q.coding_id for q in screen.shown] == expected[first]
        await pick_code(pilot, screen, "fortrinsadgang", keys=True)
        assert [q.coding_id for q in screen.shown] == expected["fortrinsadgang"]
        shown = option_texts(screen, "#quotes-list")
        q = screen.shown[0]
        assert shown[0].startswith(f"☆ {q.respondent} {q.respondent_name} · {q.role}")
        assert "Fortrinsadgang til offentlige stillinger" in str(
            screen.query_one("#quotes-head").content
        )


async def test_enter_on_a_code_shows_its_quotes_and_focuses_them(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "hjaelpemidler")
        await pilot.press("down", "enter")
        assert screen.code_key == "arbejdspladsindretning"
        assert app.focused.id == "quotes-list"
        assert {q.code for q in screen.shown} == {"arbejdspladsindretning"}


async def test_a_parent_code_lists_its_childrens_quotes_with_their_label(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "personlig-assistance")
        assert {q.code for q in screen.shown} >= {"pa-arbejde", "pa-uddannelse"}
        child = next(i for i, q in enumerate(screen.shown) if q.code == "pa-uddannelse")
        assert (
            "Personlig assistance under efter- og videreuddannelse"
            in option_texts(screen, "#quotes-list")[child]
        )


async def test_context_shows_turns_with_roles_dimmed_interviewer_and_highlight(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "fortrinsadgang")
        quote = screen.shown[0]
        text = screen.context_text
        assert "Interviewer: " in text.plain and f"{quote.role}: " in text.plain
        assert text.plain.startswith(f"{quote.respondent} {quote.respondent_name}")
        color = screen.book.code("fortrinsadgang").color.lower()
        marked = [
            text.plain[s.start : s.end]
            for s in text.spans
            if getattr(s.style, "bgcolor", None) is not None
            and s.style.bgcolor.triplet.hex == color
        ]
        assert marked == [quote.text]
        interviewer = text.plain.index("Interviewer: ")
        assert any(s.start <= interviewer < s.end and "dim" in str(s.style) for s in text.spans)
        # moving to the next quote shows its context
        await pilot.press("tab", "down")
        assert screen.current is screen.shown[1]
        assert screen.shown[1].text in screen.context_text.plain


async def test_context_of_an_open_answer_is_the_answer(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot, "strategier")
        quote = screen.shown[0]
        assert quote.role == ""
        assert screen.context_text.plain.endswith(f"Svar: {quote.text}")


# -- every binding ----------------------------------------------------------------------


async def test_s_stars_and_unstars_the_highlighted_quote_on_disk(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "hjaelpemidler")
        await pilot.press("enter", "down")
        target = screen.shown[1].coding_id
        await pilot.press("s")
        assert starred_on_disk(db) == {target}
        assert option_texts(screen, "#quotes-list")[1].startswith("★ ")
        assert screen.shown[1].starred and "★" in screen.context_text.plain
        assert (
            "(10 ★1)"
            in option_texts(screen, "#quotes-codes")[screen.book.keys().index("hjaelpemidler")]
        )
        assert (
            "(33 ★1)"
            in option_texts(screen, "#quotes-codes")[screen.book.keys().index("ordninger")]
        )
        event = db.execute(
            "SELECT actor, action, payload FROM events ORDER BY id DESC LIMIT 1"
        ).fetchone()
        assert event[:2] == ("ida", "coding.star")
        assert any(m.startswith("Stjernemarkeret") for m in messages(app))
        await pilot.press("s")
        assert starred_on_disk(db) == set()
        assert option_texts(screen, "#quotes-list")[1].startswith("☆ ")


async def test_a_shows_only_starred_quotes(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "hjaelpemidler")
        await pilot.press("enter", "down", "down", "s")
        target = screen.shown[2].coding_id
        assert starred_on_disk(db) == {target}
        await pilot.press("a")
        assert screen.only_starred
        assert [q.coding_id for q in screen.shown] == [target]
        assert screen.current.coding_id == target
        # another code with no stars: a clear message, nothing to star
        await pick_code(pilot, screen, "mentorordning")
        assert screen.shown == []
        assert "Ingen stjernemarkerede citater" in option_texts(screen, "#quotes-list")[0]
        await pilot.press("s")
        assert starred_on_disk(db) == {target}
        assert "Intet citat valgt." in messages(app)
        # unstarring in this view takes the quote off the list
        await pick_code(pilot, screen, "hjaelpemidler")
        await pilot.press("s")
        assert starred_on_disk(db) == set()
        assert screen.shown == []
        await pilot.press("a")
        assert not screen.only_starred and len(screen.shown) == 10


async def test_c_focuses_the_context_pane_and_escape_goes_back_to_codes(app):
    async with app.run_test(size=SIZE) as pilot:
        await open_quotes(app, pilot)
        await pilot.press("c")
        assert app.focused.id == "quotes-context"
        await pilot.press("escape")
        assert app.focused.id == "quotes-codes"


async def test_enter_on_a_quote_focuses_its_context(app):
    async with app.run_test(size=SIZE) as pilot:
        await open_quotes(app, pilot)
        await pilot.press("enter")
        assert app.focused.id == "quotes-list"
        await pilot.press("enter")
        assert app.focused.id == "quotes-context"


async def star(pilot, screen, key: str, *positions: int) -> list[int]:
    await pick_code(pilot, screen, key)
    await pilot.press("enter")
    ids = []
    for pos in positions:
        listing = screen.query_one("#quotes-list", OptionList)
        while listing.highlighted != pos:
            await pilot.press("down")
        await pilot.press("s")
        ids.append(screen.shown[pos].coding_id)
    return ids


async def test_e_exports_the_starred_quotes_as_markdown(app, out):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await star(pilot, screen, "fortrinsadgang", 0)
        await star(pilot, screen, "hjaelpemidler", 1)
        chosen = [q for q in screen.starred_quotes()]
        assert len(chosen) == 2
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        assert dialog.query_one(Input).value == "citater-interview.md"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
    assert not any("personoplysninger" in m for m in messages(app))
    text = (out / "citater-interview.md").read_text("utf-8")
    assert text.startswith(f"# {TITLE}\n")
    # codebook order: Hjælpemidler comes before Fortrinsadgang
    assert text.index("## Hjælpemidler") < text.index("## Fortrinsadgang til offentlige")
    for q in chosen:
        assert q.formatted() in text  # by role, as the report
        assert q.respondent_name not in text  # anonymous: no jobcentre, no source line
    assert text.count(" \u2013 ") == 2  # nothing that was not starred


async def test_e_asks_before_overwriting_and_no_keeps_the_file(app, out):
    target = out / "citater-interview.md"
    target.write_text("gammel", "utf-8")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await star(pilot, screen, "fortrinsadgang", 0)
        await pilot.press("e", "enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert target.read_text("utf-8") == "gammel"
        assert any("findes allerede" in m for m in messages(app))
        await pilot.press("e", "enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("j")
        await settle(app, pilot)
    assert screen.shown[0].formatted() in target.read_text("utf-8")


async def test_e_into_a_missing_folder_says_so_and_writes_nothing(app, out):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await star(pilot, screen, "fortrinsadgang", 0)
        await pilot.press("e")
        app.screen.query_one(Input).value = "mangler/citater"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert any("mappen findes ikke" in m for m in messages(app))
        (out / "mappe").mkdir()
        await pilot.press("e")
        app.screen.query_one(Input).value = "mappe"
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("er en mappe" in m for m in messages(app))
        assert list((out / "mappe").iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["mappe"]


async def test_e_adds_the_extension_and_escape_cancels(app, out):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await star(pilot, screen, "fortrinsadgang", 0)
        await pilot.press("e", "escape")
        assert app.screen is screen
        assert list(out.iterdir()) == []
        await pilot.press("e")
        app.screen.query_one(Input).value = "mine citater"
        await pilot.press("enter")
        await settle(app, pilot)
    assert (out / "mine citater.md").exists()


async def test_d_exports_the_starred_quotes_as_docx(app, out):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await star(pilot, screen, "fortrinsadgang", 0, 2)
        chosen = screen.starred_quotes()
        await pilot.press("d")
        assert app.screen.query_one(Input).value == "citater-interview.docx"
        await pilot.press("enter")
        await settle(app, pilot)
    doc = docx.Document(str(out / "citater-interview.docx"))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    label = "Fortrinsadgang til offentlige stillinger for borgere med et handicap"
    assert paras[:2] == [("Heading 1", TITLE), ("Heading 2", label)]
    assert [t for s, t in paras if s == "Quote"] == [q.formatted() for q in chosen]
    assert all(p.runs[0].italic for p in doc.paragraphs if p.style.name == "Quote")


@pytest.mark.parametrize("key", ["e", "d"])
async def test_export_with_nothing_starred_writes_nothing(app, out, key):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pilot.press(key)
        assert app.screen is screen
        assert any("Ingen stjernemarkerede citater" in m for m in messages(app))
    assert list(out.iterdir()) == []


# -- empty states, question changes and sizes ----------------------------------------------


async def test_a_question_with_no_codings_says_so(demo_copy, db, out):
    db.execute(
        "DELETE FROM codings WHERE item_id IN"
        " (SELECT id FROM items WHERE question_id = 'strategier')"
    )
    db.commit()
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot, "strategier")
        assert screen.shown == []
        assert "Ingen kodede uddrag i »strategier«" in option_texts(screen, "#quotes-list")[0]
        assert "(0)" in option_texts(screen, "#quotes-codes")[0]
        await pilot.press("s", "a", "c", "e", "d")
        assert app.screen is screen
    assert list(out.iterdir()) == []
    assert starred_on_disk(db) == set()


async def test_a_code_with_no_quotes_says_so(demo_copy):
    with Project.open(demo_copy) as p:
        p.add_code("interviewtemaer", "Nyt tema", key="nyt-tema")
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "nyt-tema")
        assert screen.shown == [] and screen.current is None
        assert option_texts(screen, "#quotes-list") == ["Ingen citater for »Nyt tema« endnu."]
        assert "Vælg et citat" in screen.context_text.plain


async def test_switching_question_with_v_reloads(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot, "strategier")
        await pilot.press("v")
        assert isinstance(app.screen, PickDialog)
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert app.question == "interview" and app.screen is screen
        assert screen.book.stem == "interviewtemaer"
        assert len(option_texts(screen, "#quotes-codes")) == len(screen.book)


async def test_coding_on_f2_shows_up_when_coming_back(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot, "strategier")
        before = len(screen.quotes_by_code["fleksjob"])
        await pilot.press("f2")
        coding = app.screen
        item = coding.item
        already = "fleksjob" in {
            r[0]
            for r in db.execute(
                "SELECT k.key FROM codings c JOIN codes k ON k.id = c.code_id WHERE c.item_id = ?",
                [item.id],
            )
        }
        await pilot.press("5")  # fleksjob
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is screen
        assert len(screen.quotes_by_code["fleksjob"]) == before + (0 if already else 1)


async def test_narrow_terminal_puts_context_below(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quotes(app, pilot)
        quotes = screen.query_one("#quotes-pane").region
        context = screen.query_one("#quotes-context").region
        codes = screen.query_one("#quotes-codes").region
        assert screen.has_class("-quotes-narrow")
        assert context.y >= quotes.bottom and context.x == quotes.x
        assert codes.right <= quotes.x and codes.width >= 20
        assert screen.shown and screen.context_text.plain


async def test_wide_terminal_has_three_columns(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        quotes = screen.query_one("#quotes-pane").region
        context = screen.query_one("#quotes-context").region
        assert context.x >= quotes.right and context.y == quotes.y


def test_every_binding_is_described_for_footer_and_palette():
    for b in QuotesScreen.BINDINGS:
        assert b.description and b.tooltip and b.id and b.id.startswith("quotes-")


async def test_e_warns_when_the_exported_quotes_hold_personal_data(demo_copy, out, db):
    """A starred quote with a phone number in it: exported, and the analyst is told (as the
    CLI tells). The other export tests check that clean quotes give no warning."""
    with Project.open(demo_copy, coder="ida") as p:
        coded = {c.item_id for c in p.codings(question="interview")}
        item = next(i for i in p.items("interview") if i.id not in coded)
        db.execute(
            "UPDATE items SET text = text || ' Ring på 22 33 44 55.' WHERE id = ?", [item.id]
        )
        db.commit()
        p.star(p.add_coding(item.id, "fortrinsadgang").id)
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "fortrinsadgang")
        assert any("22 33 44 55" in q.text for q in screen.starred_quotes())
        await pilot.press("e", "enter")
        await settle(app, pilot)
    assert (out / "citater-interview.md").exists()
    assert any("1 mulig personoplysning" in m for m in messages(app))
