"""Pilot tests of F3's list: the highlighted quote is listed whole, the others cut at a
word with '… (mere)'; the focus is plain to see; s stars the quote in view, also after v
and after the list is drawn again, checked in the project file."""

from __future__ import annotations

from test_tui_quotes import open_quotes, option_texts, pick_code, starred_on_disk
from textual.color import Color
from textual.widgets import OptionList

from qualcode.core.project import Project
from qualcode.tui.screens.quotes import LIST_CHARS

SIZE = (120, 36)


async def test_the_highlighted_quote_is_whole_and_a_cut_one_says_more(app, demo_copy):
    with Project.open(demo_copy) as p:
        quotes = p.quotes("ordninger", "interview")
    long = [n for n, q in enumerate(quotes) if len(" ".join(q.text.split())) > LIST_CHARS]
    assert len(long) >= 2, "the demo has long excerpts"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "ordninger")
        listing = screen.query_one("#quotes-list", OptionList)
        listing.focus()
        first, second = long[:2]
        listing.highlighted = first
        await pilot.pause()
        texts = option_texts(screen, "#quotes-list")
        whole = " ".join(quotes[first].text.split())
        assert whole in " ".join(texts[first].split())  # all of it, wrapped by the list
        assert "(mere)" not in texts[first]
        assert texts[second].rstrip().endswith("… (mere)")
        listing.highlighted = second  # the next one whole, the first cut again
        await pilot.pause()
        texts = option_texts(screen, "#quotes-list")
        assert texts[first].rstrip().endswith("… (mere)")
        assert " ".join(quotes[second].text.split()) in " ".join(texts[second].split())
        short = [n for n, q in enumerate(quotes) if len(" ".join(q.text.split())) <= LIST_CHARS]
        if short:
            assert "(mere)" not in texts[short[0]] and texts[short[0]].rstrip().endswith('"')


async def test_the_focused_list_shows_a_bar_and_a_solid_cursor(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        codes = screen.query_one("#quotes-codes", OptionList)
        quotes = screen.query_one("#quotes-list", OptionList)
        codes.focus()
        await pilot.pause()
        assert codes.styles.border_left[0] == "thick"
        assert quotes.styles.border_left[0] != "thick"
        quotes.focus()
        await pilot.pause()
        assert quotes.styles.border_left[0] == "thick" and codes.styles.border_left[0] != "thick"
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            accent = Color.parse(app.current_theme.accent)
            cursor = quotes.get_component_styles("option-list--option-highlighted")
            assert (
                max(abs(a - b) for a, b in zip(cursor.background.rgb, accent.rgb, strict=True)) <= 2
            )
            assert "bold" in str(cursor.text_style)


async def test_s_stars_the_quote_in_view_after_v_and_a_redraw(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quotes(app, pilot)
        await pick_code(pilot, screen, "hjaelpemidler")
        await pilot.press("enter", "down", "down")
        await pilot.pause()
        in_view = screen.current.coding_id
        assert screen.shown[2].coding_id == in_view
        await pilot.press("v")  # the question list, cancelled: the screen comes back
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.set_question("interview")  # the same question again: a redraw
        await pilot.pause()
        screen.reload()
        await pilot.pause()
        listing = screen.query_one("#quotes-list", OptionList)
        assert screen.current.coding_id == in_view
        assert screen.shown[listing.highlighted].coding_id == in_view
        await pilot.press("s")
        await pilot.pause()
        assert starred_on_disk(db) == {in_view}

        # to another question and back: the first code's first quote is in view, and starred
        await pilot.press("v")
        await pilot.pause()
        app.screen.dismiss("strategier")
        await pilot.pause()
        in_view = screen.current.coding_id
        assert screen.shown[listing.highlighted].coding_id == in_view
        await pilot.press("s")
        await pilot.pause()
        assert in_view in starred_on_disk(db) and len(starred_on_disk(db)) == 2
