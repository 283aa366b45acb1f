"""What the workbench remembers between sessions: the theme for the user (a settings file
of theirs), the last question per project and user (in the project file)."""

from __future__ import annotations

import os
from pathlib import Path

from qualcode.io.user_settings import Unreadable, load, save
from qualcode.paths import os_user
from qualcode.tui.app import make_app

SIZE = (120, 36)


def settings_file() -> Path:
    return Path(os.environ["QUALCODE_HOME"]) / "settings.toml"


async def test_the_theme_is_remembered_for_the_user(demo_copy):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark
    assert load(settings_file()) == {"theme": "textual-light"}
    again = make_app(demo_copy, coder="ida")
    async with again.run_test(size=SIZE):
        assert again.theme == "textual-light"


async def test_a_broken_settings_file_is_never_written_over(demo_copy):
    path = settings_file()
    path.write_text("theme = [ikke toml", encoding="utf-8")
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_theme.dark  # the default
        await pilot.press("ctrl+t")
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("settings.toml" in w for w in warnings)
    assert path.read_text(encoding="utf-8") == "theme = [ikke toml"


def test_save_keeps_other_settings_and_refuses_a_broken_file(tmp_path):
    path = tmp_path / "s.toml"
    save({"theme": "textual-light"}, path)
    save({"other": 'med "anførsel" og æ'}, path)
    assert load(path) == {"theme": "textual-light", "other": 'med "anførsel" og æ'}
    path.write_text("x = ", encoding="utf-8")
    try:
        save({"theme": "textual-dark"}, path)
    except Unreadable:
        pass
    else:
        raise AssertionError("a broken file was written over")
    assert path.read_text(encoding="utf-8") == "x = "


async def test_the_last_question_is_remembered_per_project_and_user(demo_copy, db):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        first = app.question
        app.set_question("interview")
        await pilot.pause()
        assert app.question == "interview" != first
    stored = db.execute(
        "SELECT value FROM project WHERE key = ?", [f"question:{os_user()}"]
    ).fetchone()
    assert stored == ("interview",)
    again = make_app(demo_copy, coder="ida")
    assert again.question == "interview"
    again.project.close()
    explicit = make_app(demo_copy, "strategier", coder="ida")  # --question still wins
    assert explicit.question == "strategier"
    explicit.project.close()
