"""The workbench in one language (issue 17): the language setting (L), remembered in the
user's settings file, and Textual's own texts (the palette, its system commands, the
footer, ctrl+c, the widgets' key descriptions) in the workbench's language.

The walk of every screen in the pseudo-language and in English is in test_tui_walk.py;
here the workbench runs in Danish, the suite's language (the keys' descriptions are read
at import), and in English where what a screen says is made as it runs."""

from __future__ import annotations

import tomllib

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input

from helpers import settle
from qualcode import i18n
from qualcode.paths import user_settings_file
from qualcode.tui.commands import BindingCommands, from_textual
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.dialogs import PickDialog

SIZE = (120, 36)

TEXTUAL = ("Cursor", "Focus Next", "Select", "Toggle", "Scroll", "Copy", "Quit", "palette")


async def _choose_language(app, pilot, lang: str) -> None:
    await pilot.press("L")
    dialog = app.screen
    assert isinstance(dialog, PickDialog) and dialog.id == "language"
    assert [value for value, _label in dialog.choices] == ["da", "en"]
    assert dialog.choices[0][1] == "dansk  ← nu" and dialog.choices[1][1] == "English"
    dialog.dismiss(lang)
    await pilot.pause()


async def test_l_remembers_the_language_for_the_next_start(app, monkeypatch):
    for name in ("QUALCODE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _choose_language(app, pilot, "en")
        settings = tomllib.loads(user_settings_file().read_text(encoding="utf-8"))
        assert settings["language"] == "en"
        notices = [n.message for n in app._notifications]
        assert "Sproget bliver English, næste gang qualcode startes." in notices
        assert i18n.language() == "da"  # this workbench keeps its language
    assert i18n.resolve() == "en"  # the next start reads it


async def test_qualcode_lang_still_wins_and_says_so(app, monkeypatch):
    monkeypatch.setenv("QUALCODE_LANG", "da")
    user_settings_file().write_text('theme = "textual-light"\n', encoding="utf-8")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _choose_language(app, pilot, "en")
        notices = [n.message for n in app._notifications]
        assert any("QUALCODE_LANG=da vælger sproget" in n for n in notices), notices
    settings = tomllib.loads(user_settings_file().read_text(encoding="utf-8"))
    assert settings == {"language": "en", "theme": "textual-light"}  # merged, not replaced
    assert i18n.resolve() == "da"


async def test_a_broken_settings_file_is_left_alone(app):
    user_settings_file().write_text("language = [1\n", encoding="utf-8")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _choose_language(app, pilot, "en")
        assert any("Sproget huskes ikke" in n.message for n in app._notifications)
    assert user_settings_file().read_text(encoding="utf-8") == "language = [1\n"


async def test_the_palette_speaks_danish(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one("Footer")
        assert "palet" in [str(k.description) for k in footer.query("FooterKey")]
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(Input).placeholder == "Søg efter en kommando …"
        await pilot.press(*"zqxv")
        await pilot.pause(0.8)
        assert "Ingen kommandoer passer" in str(
            palette.query_one("CommandList").get_option_at_index(0).prompt
        )
        await pilot.press("escape")
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert commands[0] == "Farvetema" and "Skærmbillede" in commands
        assert not {"Quit", "Keys", "Theme", "Screenshot"} & set(commands)


@pytest.mark.parametrize("where", ["coding-text", "import"])
async def test_textual_s_own_keys_stay_out_of_palette_and_help(app, where):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if where == "import":
            await pilot.press("i")  # the folder tree has the focus
        else:
            await pilot.press("t")  # the item's text area has the focus
        await pilot.pause()
        screen = app.screen
        assert any(from_textual(a.node, a.binding) for a in screen.active_bindings.values()), (
            "the focused widget brings Textual's keys"
        )
        names = [text for text, *_ in BindingCommands(screen)._commands()]
        assert names and not [n for n in names if n.startswith(TEXTUAL)], names
        app.action_help()  # the help of the screen with the focus
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        descriptions = [row[1] for row in help_screen.rows]
        assert ("Importér" if where == "import" else "Afslut") in descriptions
        assert not [d for d in descriptions if d.startswith(TEXTUAL)], descriptions


async def test_ctrl_c_says_how_to_quit(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.action_help_quit()
        await pilot.pause()
        (notice,) = list(app._notifications)
        assert notice.title == "Vil du afslutte?" and "Tryk q" in notice.message


async def test_what_the_screens_say_follows_the_language(demo_copy, english):
    """Texts made as the workbench runs are in the language of the moment (the keys'
    descriptions, read at import, are Danish in this process: see test_tui_walk.py)."""
    from qualcode.tui.app import make_app

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        status = str(app.screen.query_one("#queue-status").render())
        assert status.startswith("reviewed 35 of 35 · filter: all"), status
        assert app.sub_title.startswith("coder: ida")
        await pilot.press("f", "9")
        await pilot.pause()
        notices = [n.message for n in app._notifications]
        assert "Showing not reviewed" in notices
        assert "The codebook has no code number 9." in notices
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.query_one(Input).placeholder == "type a part of the name"


async def test_counts_and_codebook_read_in_english_with_its_numbers(english, demo_copy):
    """What the screens say when they are drawn follows the language (the keys'
    descriptions were read in Danish when the modules were imported)."""
    from qualcode.tui.app import make_app

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        status = str(app.screen.query_one("#counts-status").render())
        assert "7 themes · 35 jobcentre answered · Report 2018:" in status
        table = app.screen.query_one("#counts-table", DataTable)
        heads = [column.label.plain for column in table.ordered_columns]
        assert heads[:3] == ["Theme", "Stated by", "Share"] and "Difference" in heads
        assert table.get_row_at(0)[2].plain == "42.9%"
        await pilot.press("f5")
        await settle(app, pilot)
        detail = str(app.screen.query_one("#codebook-detail-text").render())
        assert "Key: borgere-paa-kanten" in detail and "Codings: 24" in detail
        assert "The report 2018: 15 of 35" in detail
