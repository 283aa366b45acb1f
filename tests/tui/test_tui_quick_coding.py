"""Quick coding by name on F2 (c): a type-ahead list over the whole codebook, the codes
used last first, coding the item or the selected passage as a number key would."""

from __future__ import annotations

from qualcode.tui.app import make_app
from qualcode.tui.widgets.dialogs import CodePicker, rank_codes

SIZE = (120, 36)

CODES = [
    ("hjaelpemidler", "Hjælpemidler", ("hjælpemiddel", "arbejdsredskab")),
    ("mentorordning", "Mentorordning", ("mentor",)),
    ("isbryderordning", "Isbryderordningen", ("isbryder",)),
    ("paragraf-56", "Paragraf 56-aftale ved sygdom", ("§56",)),
    ("andet", "Andet", ()),
]


def test_rank_codes_orders_by_how_well_the_name_matches():
    assert rank_codes("", CODES) == [k for k, _, _ in CODES]
    assert rank_codes("", CODES, recent=["andet", "mentorordning"])[:2] == [
        "andet",
        "mentorordning",
    ]
    assert rank_codes("ordning", CODES) == ["mentorordning", "isbryderordning"]
    assert rank_codes("hjael", CODES) == ["hjaelpemidler"]  # æ typed as ae
    assert rank_codes("HJÆLP", CODES) == ["hjaelpemidler"]
    assert rank_codes("arbejdsred", CODES) == ["hjaelpemidler"]  # a keyword
    assert rank_codes("sygdom", CODES) == ["paragraf-56"]  # a word of the label
    assert rank_codes("mntr", CODES) == ["mentorordning"]  # letters in order
    assert rank_codes("zzz", CODES) == []


async def test_c_codes_the_item_with_a_code_beyond_the_number_keys(demo_copy, codings_of):
    app = make_app(demo_copy, "interview", coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        who = screen.item.respondent
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"isbryder", "enter")  # code 13 of 17
        await pilot.pause()
        assert app.screen is screen
        assert "isbryderordning" in codings_of(who, "interview")

        await pilot.press("c")  # the code just used comes first; Enter toggles it off
        picker = app.screen
        assert picker.shown[0] == "isbryderordning"
        await pilot.press("enter")
        await pilot.pause()
        assert "isbryderordning" not in codings_of(who, "interview")

        await pilot.press("c", *"zzz", "enter")  # nothing matches: Enter does nothing
        assert isinstance(app.screen, CodePicker)
        await pilot.press("escape")
        assert app.screen is screen


async def test_an_unknown_code_in_the_search_says_so_and_the_status_names_the_search(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"kode:fleks", "enter")
        await pilot.pause()
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any(w.startswith("Ukendt kode: fleks.") and "fleksjob" in w for w in warnings)
        status = str(app.screen.query_one("#queue-status").render())
        assert "søgning: kode:fleks" in status and "viser 0" in status
        await pilot.press("slash", "end", "ctrl+u", *"kode:fleksjob [b]", "enter")
        await pilot.pause()
        status = str(app.screen.query_one("#queue-status").render())
        assert "søgning: kode:fleksjob [b]" in status  # shown as typed, never markup


async def test_a_passage_selected_with_the_mouse_is_coded_like_one_selected_by_keys(app, db):
    from qualcode.tui.widgets.item_view import CodedTextArea

    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        item = screen.item
        area = screen.query_one(CodedTextArea)
        first = item.text.split("\n")[0]
        assert len(first) > 12  # the demo's first answer: a passage of its first line
        left = area.content_region.x - area.region.x + area.gutter_width  # the text's column 0
        top = area.content_region.y - area.region.y
        await pilot.mouse_down(area, offset=(left + 2, top))  # press, drag, release
        await pilot.hover(area, offset=(left + 10, top))
        await pilot.mouse_up(area, offset=(left + 10, top))
        assert area.selected_span() == (2, 10)
        await pilot.press("1")
        await pilot.pause()
        rows = db.execute(
            "SELECT start, \"end\" FROM codings WHERE item_id = ? AND coder = 'ida'", [item.id]
        ).fetchall()
        assert rows == [(2, 10)]
        assert item.text[2:10] == first[2:10]
