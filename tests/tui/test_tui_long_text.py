"""Pilot tests of a long answer on the coding screen (issue 18 item 4): ctrl+home and
ctrl+end, PageDown, and passages selected by keyboard and mouse deep in the text, each
checked against the project file and against what the rows on screen show."""

from __future__ import annotations

import sqlite3

import pytest
from textual.geometry import Offset

from qualcode.core.project import Project
from qualcode.io.answers import read_answers
from qualcode.tui.app import make_app
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.item_view import CodedTextArea

SIZE = (120, 36)
QUESTION = "lange"
WORDS = [
    "jobcentret",
    "arbejder",
    "med",
    "virksomhederne",
    "om",
    "fleksjob",
    "og",
    "mentorordninger",
    "for",
    "borgere",
    "med",
    "nedsat",
    "arbejdsevne",
    "i",
    "hele",
    "kommunen",
]


def long_text(words: int) -> str:
    """``words`` words in sentences of 12, one paragraph break two thirds in."""
    out, sentence = [], []
    for i in range(words):
        sentence.append(f"{WORDS[i % len(WORDS)]}{i}")
        if len(sentence) == 12:
            out.append(" ".join(sentence).capitalize() + ".")
            sentence = []
            if len(out) == (words // 12) * 2 // 3:
                out.append("\n")
    out.append(" ".join(sentence) + ".")
    return " ".join(out).replace(" \n ", "\n")


@pytest.fixture
def long_db(tmp_path):
    """A project with one question: JC1's answer of 5,000 words, JC2's of 12."""
    src = tmp_path / "svar.csv"
    with src.open("w", encoding="utf-8") as fh:
        fh.write("jobcenter_id;svar\n")
        fh.write(f'JC1;"{long_text(5000)}"\n')
        fh.write(f'JC2;"{long_text(12)}"\n')
    db = tmp_path / "lang.qualcode.db"
    with Project.create(db, coder="ida") as project:
        table = read_answers(
            str(src),
            respondent_col="jobcenter_id",
            text_cols=["svar"],
            questions=[QUESTION],
            codebooks=["lokalpolitiske-strategier"],
            project=project,
        )
        project.import_answers(table)
    return db


def passages(db, item_id: int) -> list[tuple[int, int, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            'SELECT c.start, c."end", k.key FROM codings c JOIN codes k ON k.id = c.code_id'
            " WHERE c.item_id = ? ORDER BY c.start",
            [item_id],
        ).fetchall()
    finally:
        conn.close()


def rows_shown(area: CodedTextArea) -> list[str]:
    return [area.render_line(y).text.rstrip() for y in range(area.scrollable_content_region.height)]


async def open_long(app, pilot) -> tuple[CodingScreen, CodedTextArea]:
    screen = app.screen
    assert isinstance(screen, CodingScreen)
    await pilot.pause()
    assert screen.item is not None and screen.item.respondent == "JC1"
    return screen, screen.query_one(CodedTextArea)


async def test_ctrl_end_and_ctrl_home_go_to_the_end_and_the_start_of_the_text(long_db):
    app = make_app(long_db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen, area = await open_long(app, pilot)
        text = screen.item.text
        assert len(text.split()) == 5000 and area.max_scroll_y > 100
        await pilot.press("ctrl+end")  # from the queue, which has focus
        await pilot.pause()
        assert area.cursor_location == area.document.end
        assert area.scroll_offset.y == area.max_scroll_y
        shown = [row for row in rows_shown(area) if row]
        assert shown[-1].endswith(text.split()[-1])  # the last words are on screen
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert area.cursor_location == (0, 0) and area.scroll_offset.y == 0
        assert rows_shown(area)[0].startswith(text.split()[0])
        await pilot.press("t", "ctrl+end")  # and from the text itself
        await pilot.pause()
        assert area.has_focus and area.cursor_location == area.document.end
        await pilot.press("ctrl+home")
        assert area.cursor_location == (0, 0)


async def test_pagedown_shows_the_next_page_of_the_text(long_db):
    app = make_app(long_db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen, area = await open_long(app, pilot)
        await pilot.press("t")
        height = area.scrollable_content_region.height
        for page in range(1, 4):
            await pilot.press("pagedown")
            await pilot.pause()
            assert area.scroll_offset.y == page * height
            # the rows on screen are the text from where the wrapped text's row starts
            top = area.wrapped_document.offset_to_location(Offset(0, area.scroll_offset.y))
            start = area.document.get_index_from_location(top)
            rows = rows_shown(area)
            assert rows[0] and area.text[start:].startswith(rows[0])
            assert " ".join(rows) in " ".join(area.text[start:].split("\n"))


async def test_a_passage_selected_by_keyboard_at_the_end_is_stored_with_its_offsets(long_db):
    app = make_app(long_db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen, area = await open_long(app, pilot)
        item = screen.item
        await pilot.press("t", "ctrl+end", *["shift+left"] * 40)
        assert area.selected_span() == (len(item.text) - 40, len(item.text))
        await pilot.press("1")
        key = screen.book.codes[0].key
        assert passages(long_db, item.id) == [(len(item.text) - 40, len(item.text), key)]
        # drawn in the code's colour, on the last rows (the queue has focus: no cursor)
        await pilot.press("escape")
        colour = screen.book.codes[0].color.lower()
        coloured = "".join(
            seg.text
            for y in range(area.scrollable_content_region.height)
            for seg in area.render_line(y)
            if seg.style and seg.style.bgcolor and seg.style.bgcolor.name.lower() == colour
        )
        assert coloured.replace("\n", "") == item.text[-40:].replace("\n", "")
        # the same selection again takes the coding away
        await pilot.press("t", "ctrl+end", *["shift+left"] * 40)
        await pilot.press("1")
        assert passages(long_db, item.id) == []


async def test_a_passage_selected_with_the_mouse_deep_in_the_text_is_stored(long_db):
    app = make_app(long_db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen, area = await open_long(app, pilot)
        item = screen.item
        await pilot.press("t", *["pagedown"] * 5)
        await pilot.pause()
        top = area.scroll_offset.y
        left, over = area.gutter.left, area.gutter.top  # the border and padding
        await pilot.mouse_down(area, offset=(left, over + 2))  # row 2's first character
        await pilot.hover(area, offset=(left + 10, over + 4))
        await pilot.mouse_up(area, offset=(left + 10, over + 4))
        span = area.selected_span()
        assert span is not None
        at = area.wrapped_document.offset_to_location
        start = area.document.get_index_from_location(at(Offset(0, top + 2)))
        end = area.document.get_index_from_location(at(Offset(10, top + 4)))
        assert span[0] == start and end - start > 80  # two rows and a bit
        assert area.text[span[0] : span[1]] == area.text[start:end].strip()
        await pilot.press("2")
        key = screen.book.codes[1].key
        assert passages(long_db, item.id) == [(span[0], span[1], key)]
        assert item.text[span[0] : span[1]] == area.text[span[0] : span[1]]


async def test_the_short_answer_after_the_long_one_is_drawn_whole(long_db):
    app = make_app(long_db, QUESTION, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen, area = await open_long(app, pilot)
        await pilot.press("ctrl+end", "n")
        await pilot.pause()
        assert screen.item.respondent == "JC2"
        assert area.scroll_offset.y == 0
        assert " ".join(r for r in rows_shown(area) if r) == screen.item.text
