"""Pilot tests: text from data never reaches the terminal raw and is never read as markup.

An answer holding an OSC title sequence, a CSI 2J, a C1 CSI and Rich/Textual markup is
shown with visible symbols and its brackets as typed, in every screen that shows it; the
offsets into the text stay those of the stored text (span coding depends on them); the
terminal title is not changed and the layout stays as it is for a plain answer."""

from __future__ import annotations

import shutil

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.content import Content

from helpers import run, settle, write_csv
from qualcode.core.project import Project
from qualcode.safe import visible
from qualcode.tui.app import make_app
from qualcode.tui.shown import HideControls, escaped, flat, plain, shown

SIZE = (120, 36)
# a vertical tab and a line separator: both break a line in Python's splitlines(), which
# the text area uses; the offsets on the line after them must be those of the stored text
TEXT = (
    "Før \x1b]0;pwned\x07 titel \x1b[2J ryd \x9b31m rød [bold]x[/bold] [CPR] "
    "[@click=app.quit]slut[/]\x0b \u2028Anden linje om [bold]fleksjob[/bold] og "
    "samarbejde"
)
PLAIN = "Vi har fokus på fleksjob og samarbejde med virksomheder."
RID = "JC9\x1b[5m"
NAME = "Jobcenter [red]Rød\x1b]0;navn\x07"
LABEL = "Tema \x1b]0;kode\x07 [CPR] [/]"
REGION = "Syd [b]\x1b[2J"
CODER = "bo\x1b[31m"
QUESTION = "kontakt"
RAW = ("\x1b", "\x07", "\x9b", "\x0b")


def raw_free(text: str) -> bool:
    return not any(c in text for c in RAW)


@pytest.fixture(scope="session")
def hostile_base(demo_db, tmp_path_factory):
    """The demo with a question whose first answer (and its jobcentre's id, name and
    region) is hostile, a hostile code in its codebook coded on a passage by ida
    (starred) and on the whole of the plain answer by ida and another coder. Built once;
    each test gets a copy (``hostile``)."""
    folder = tmp_path_factory.mktemp("hostile")
    demo_copy = folder / "demo.qualcode.db"
    shutil.copy(demo_db, demo_copy)
    with pytest.MonkeyPatch.context() as env:  # as tests/conftest.py's _isolated_home
        env.setenv("QUALCODE_HOME", str(folder / "home"))
        env.setenv("QUALCODE_CODER", "testkoder")
        src = write_csv(
            folder / "svar.csv",
            [
                ["jobcenter_id", "svar", "navn", "region"],
                [RID, TEXT, NAME, REGION],
                ["JC01", PLAIN, "Jobcenter A", "Nord"],
            ],
        )
        result = run(
            "import",
            "answers",
            demo_copy,
            src,
            "--respondent-col",
            "jobcenter_id",
            "--text-col",
            "svar",
            "--question",
            QUESTION,
            "--codebook",
            "lokalpolitiske-strategier",
            "--name-col",
            "navn",
            "--attr-col",
            "region",
        )
        assert result.exit_code == 0, result.output
        with Project.open(demo_copy, coder="ida") as p:
            code = p.add_code("lokalpolitiske-strategier", LABEL)
            items = {i.respondent: i for i in p.items(QUESTION)}
            start = TEXT.index("rød")
            coding = p.add_coding(items[RID].id, code.key, start=start, end=start + 30)
            p.star(coding.id)
            p.add_coding(items["JC01"].id, code.key)
            p.add_coding(items["JC01"].id, "fleksjob", coder=CODER)
    return demo_copy, code.key, items[RID].id, items["JC01"].id


@pytest.fixture
def hostile(hostile_base, demo_copy):
    """A private copy of ``hostile_base``: (path, the hostile code's key, the hostile
    item's id, the plain item's id)."""
    base, key, item_id, plain_id = hostile_base
    shutil.copy(base, demo_copy)
    return demo_copy, key, item_id, plain_id


def screen_text(app) -> str:
    """Every line of the screen as the terminal would get it, without styles."""
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


def driver_output(app) -> str:
    """What Textual's driver would write to the terminal for the whole screen."""
    return app.screen._compositor.render_update(full=True).render_segments(app.console)


def assert_terminal_safe(app) -> None:
    out = driver_output(app)
    assert "\x1b]" not in out  # no OSC: the title stays
    assert "\x07" not in out and "\x9b" not in out and "\x1b[2J" not in out
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x9b" not in svg
    assert app.title == "qualcode"


async def open_item(app, pilot, item_id: int) -> None:
    from qualcode.tui.widgets.item_queue import ItemQueue

    screen = app.screen
    screen.query_one(ItemQueue).select(item_id)
    await pilot.pause()
    assert screen.item.id == item_id


# -- F2 ------------------------------------------------------------------------------


async def test_coding_screen_shows_symbols_and_brackets(hostile):
    from qualcode.tui.widgets.code_panel import CodePanel
    from qualcode.tui.widgets.item_queue import QueueList
    from qualcode.tui.widgets.item_view import CodedTextArea

    db, key, item_id, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await open_item(app, pilot, item_id)
        screen = app.screen
        area = screen.query_one(CodedTextArea)
        # the document joins its lines with '\n': the line separator is one too
        assert area.text == visible(TEXT).replace("\u2028", "\n")
        text = screen_text(app)
        assert "Før ␛]0;pwned␇ titel ␛[2J ryd �31m" in text
        assert "rød [bold]x[/bold] [CPR]" in text and "[@click=app.quit]slut[/]␋" in text
        assert visible(RID) in text and visible(NAME) in text  # queue row and item head
        queue = screen.query_one(QueueList)
        rows = [queue.render_line(y).text for y in range(len(queue.rows))]
        assert any(visible(RID) in r and "␛]0;pwned␇" in r for r in rows)
        panel = screen.query_one(CodePanel)
        prompts = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert any(visible(LABEL) in p for p in prompts)
        assert visible(LABEL) in str(screen.query_one("#item-codings").render())
        assert_terminal_safe(app)


async def test_span_offsets_are_those_of_the_stored_text(hostile, db):
    from qualcode.tui.widgets.item_view import CodedTextArea

    path, key, item_id, _ = hostile
    app = make_app(path, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await open_item(app, pilot, item_id)
        area = app.screen.query_one(CodedTextArea)
        start = TEXT.index("[bold]fleksjob")  # on the line after CR LF
        end = start + len("[bold]fleksjob[/bold]")
        area.select_offsets(start, end)
        assert area.selected_span() == (start, end)
        await pilot.press("5")  # fleksjob
        row = db.execute(
            'SELECT start, "end" FROM codings c JOIN codes k ON'
            " k.id = c.code_id WHERE c.item_id = ? AND k.key = 'fleksjob'",
            [item_id],
        ).fetchone()
        assert row == (start, end) and TEXT[start:end] == "[bold]fleksjob[/bold]"
        # the coded span is coloured over exactly those characters on line 2
        line = area.get_line(1)
        styled = [s for s in line.spans if s.style and "on" in str(s.style)]
        assert styled and line.plain[styled[0].start : styled[0].end] == "[bold]fleksjob[/bold]"


async def test_layout_is_that_of_a_plain_answer(hostile):
    db, _, item_id, plain_id = hostile
    app = make_app(db, QUESTION, coder="ida")
    parts = (
        "#queue",
        "#queue-list",
        "#item-head",
        "#question-text",
        "#item-text",
        "#last-action",
        "#item-codings",
        "#codes",
        "#suggestions",
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_item(app, pilot, plain_id)
        await settle(app, pilot)
        before = {p: app.screen.query_one(p).region for p in parts}
        await open_item(app, pilot, item_id)
        await settle(app, pilot)
        after = {p: app.screen.query_one(p).region for p in parts}
        assert after == before
        assert len(app.screen.query_one("#queue-list").rows) == 2
        lines = screen_text(app).splitlines()
        assert len(lines) == SIZE[1] and all(len(line) == SIZE[0] for line in lines)


async def test_grid_shows_symbols_and_brackets(hostile):
    """F2's grid of answers: the answer's first line, the respondent, the code's label and
    the attribute's value as symbols and brackets as typed."""
    from qualcode.paths import os_user

    path, _key, item_id, _ = hostile
    with Project.open(path) as p:
        p.remember_grid_columns(os_user(), ["region"])
    app = make_app(path, QUESTION, coder="ida")
    async with app.run_test(size=(200, 36)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        assert app.screen.current_item_id is not None
        text = screen_text(app)
        assert visible(RID) in text and visible(REGION) in text
        assert "Før ␛]0;pwned␇ titel ␛[2J ryd �31m rød [bold]x[/bold] [CPR]" in text
        assert "Tema ␛]0;kode␇ [CPR] [/]" in text
        assert_terminal_safe(app)


# -- F3, F4, F5, F6, F7 ---------------------------------------------------------------


async def test_quotes_screen(hostile):
    db, key, item_id, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        screen._show_code(key)
        await pilot.pause()
        screen._show_context(next(q for q in screen.shown if q.item_id == item_id))
        await pilot.pause()
        context = screen.context_text
        assert visible(TEXT) in context.plain
        start = TEXT.index("rød")
        marked = [
            s
            for s in context.spans
            if s.style
            and "bold" in str(s.style)
            and context.plain[s.start : s.end] == visible(TEXT[start : start + 30])
        ]
        assert marked  # the quote's passage, at the stored offsets
        text = screen_text(app)
        assert visible(LABEL)[:20] in text and "[bold]x[/bold]" in text
        assert_terminal_safe(app)


async def test_counts_screen(hostile):
    from textual.widgets import DataTable

    from qualcode.tui.widgets.bar_chart import BarChart

    db, key, _, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#counts-table", DataTable)
        assert str(table.get_row(key)[0]).strip() == visible(LABEL)
        assert any(visible(LABEL) in line.plain for line in screen.query_one(BarChart).lines())
        table.move_cursor(row=table.get_row_index(key))
        await pilot.pause()
        assert visible(LABEL) in str(screen.query_one("#counts-detail").render())
        assert visible(LABEL) in screen_text(app)
        assert_terminal_safe(app)


async def test_codebook_screen(hostile):
    from textual.widgets import OptionList

    db, key, _, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        listing = screen.query_one("#codebook-list", OptionList)
        listing.highlighted = listing.get_option_index(key)
        await pilot.pause()
        detail = str(screen.query_one("#codebook-detail-text").render())
        assert visible(LABEL) in detail
        assert visible(LABEL) in screen_text(app)
        assert_terminal_safe(app)


async def test_disagreement_screen(hostile):
    db, _, _, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        text = screen_text(app)
        assert f"ida ↔ {visible(CODER)}" in text or f"{visible(CODER)} ↔ ida" in text
        assert visible(LABEL)[:15] in text
        assert_terminal_safe(app)


async def test_crosstab_screen(hostile):
    db, _, _, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        screen.attribute = "region"
        screen.reload()
        await settle(app, pilot)
        assert screen.view is not None
        text = screen_text(app)
        assert visible(REGION)[:6] in text  # a column header: a group of the attribute
        assert "[b]" in text
        assert_terminal_safe(app)


# -- the app's own text, notifications, header, help -----------------------------------


async def test_notifications_are_plain_text(hostile):
    db, _, _, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        from textual.widgets._toast import Toast

        app.notify("Kunne ikke: [/] [CPR] [bold]x \x1b]0;t\x07", title="[E-MAIL]")
        app.screen.notify("fra skærmen [TELEFON]", markup=True)  # a [/] would crash it
        for _ in range(50):  # the toasts are mounted a few turns of the loop later
            await pilot.pause()
            if len(app.screen.query(Toast)) == 2:
                break
        toasts = [toast.render().plain for toast in app.screen.query(Toast)]
        assert "[E-MAIL]\nKunne ikke: [/] [CPR] [bold]x ␛]0;t␇" in toasts
        assert "fra skærmen [TELEFON]" in toasts
        assert_terminal_safe(app)


async def test_header_shows_coder_and_file_names_as_symbols(hostile):
    db, _, _, _ = hostile
    app = make_app(db, QUESTION, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")  # blind coding
        await pilot.pause()
        assert f"koder: {visible(CODER)} · blind" in screen_text(app)
        assert app.format_title("[b]t\x1b]0;x\x07", "").plain == "[b]t␛]0;x␇"
        assert_terminal_safe(app)


async def test_help_and_palette_show_placeholders_as_written(hostile):
    from textual.widgets import DataTable

    from qualcode.tui.commands import BindingCommands

    db, _, _, _ = hostile
    app = make_app(db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        cells = [str(c) for row in table.ordered_rows for c in table.get_row(row.key)]
        assert any("[CPR], [TELEFON], [E-MAIL]" in c for c in cells)
        await pilot.press("escape")
        await pilot.pause()
        provider = BindingCommands(app.screen)
        helps = [Content.from_markup(h).plain for _, h, _, _ in provider._commands()]
        assert any("[CPR], [TELEFON], [E-MAIL]" in h for h in helps)


# -- the helpers ---------------------------------------------------------------------


def test_shown_helpers():
    assert shown("a\x1bb\x9b\tc\n") == "a␛b�\tc\n"
    assert plain("[bold]x[/]").plain == "[bold]x[/]" and plain("\x1b", style="bold").style
    assert flat("a\nb\tc\x07").plain == "a⏎b c␇"
    for text in ("[CPR] [/] [@click=app.quit]x", "c:\\[b]x", "ende\\", "[[x]]"):
        assert Content.from_markup(escaped(text)).plain == text


def test_hide_controls_drops_what_is_left():
    segments = [
        Segment("ok ", Style(bold=True)),
        Segment("a\x1b]0;t\x07b\x9bc"),
        Segment("\x1b[2J", None, [(1,)]),
    ]
    out = HideControls().apply(segments, Color(0, 0, 0))
    assert [s.text for s in out] == ["ok ", "a]0;tbc", "\x1b[2J"]
    assert out[0] is segments[0] and out[2] is segments[2]  # control segments as they are
    clean = [Segment("nothing to do")]
    assert HideControls().apply(clean, Color(0, 0, 0)) is clean
