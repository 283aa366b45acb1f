"""Every destructive confirmation (merge and delete a code on F5, redact one or all on F8,
overwrite a file): its keys are written in it, Enter alone changes nothing and says which
key answers, and only its own key (j) does it; checked in the project file."""

from __future__ import annotations

from test_tui_codebook import codes, codings_with, highlight, open_codebook, pick
from test_tui_pii import open_pii, pii_app, pii_base, redactions, texts  # noqa: F401
from textual.widgets import Button, Input

from qualcode.tui.widgets.dialogs import ConfirmDialog

SIZE = (120, 36)


async def enter_changes_nothing(pilot, yes: str) -> ConfirmDialog:
    """The open confirmation shows its keys; Enter leaves it open, saying which key."""
    dialog = pilot.app.screen
    assert isinstance(dialog, ConfirmDialog)
    keys = str(dialog.query_one(".dialog-keys").render())
    assert keys == f"j: {yes} · n eller Esc: Nej"
    assert [str(b.label) for b in dialog.query(Button)] == [f"{yes} (j)", "Nej (n)"]
    assert dialog.focused is None  # no button for Enter to press
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.screen is dialog  # not answered: neither yes nor a silent no
    said = str(dialog.query_one(".dialog-keys").render())
    assert said == f"Enter svarer ikke her: tryk j for {yes}, n eller Esc for Nej."
    return dialog


async def say_yes(pilot) -> None:
    await pilot.press("j")
    await pilot.pause()
    assert not isinstance(pilot.app.screen, ConfirmDialog)


async def test_a_confirmation_says_its_keys_and_answers_only_to_them(app):
    async with app.run_test(size=SIZE) as pilot:
        answers: list[bool] = []
        for key, answer in (("n", False), ("escape", False), ("j", True), ("y", True)):
            app.push_screen(ConfirmDialog("Slet koden?", yes="Slet"), answers.append)
            await pilot.pause()
            await enter_changes_nothing(pilot, "Slet")
            n = len(answers)
            await pilot.press("enter", "enter")  # again: still no answer
            assert len(answers) == n
            await pilot.press(key)
            await pilot.pause()
            assert answers[-1] is answer
        assert answers == [False, False, True, True]


async def test_merge_codes_needs_its_key(app, db):
    source = codings_with(db, "tvaerfagligt-samarbejde")
    assert source
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "tvaerfagligt-samarbejde")
        await pilot.press("g")
        await pick(pilot, "samarbejde-organisationer")
        await enter_changes_nothing(pilot, "Slå sammen")
        assert "tvaerfagligt-samarbejde" in codes(db)
        assert codings_with(db, "tvaerfagligt-samarbejde") == source
        await say_yes(pilot)
    assert "tvaerfagligt-samarbejde" not in codes(db)
    assert codings_with(db, "samarbejde-organisationer") >= source


async def test_delete_code_needs_its_key(app, db):
    n = len(codings_with(db, "fleksjob"))
    assert n
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await highlight(pilot, screen, "fleksjob")
        await pilot.press("delete")
        await enter_changes_nothing(pilot, "Slet")
        assert "fleksjob" in codes(db) and len(codings_with(db, "fleksjob")) == n
        await say_yes(pilot)
    assert "fleksjob" not in codes(db) and codings_with(db, "fleksjob") == set()


async def test_redact_one_needs_its_key(pii_app, demo_copy):  # noqa: F811
    async with pii_app.run_test(size=SIZE) as pilot:
        await open_pii(pii_app, pilot)
        await pilot.press("down", "r")  # the CPR number
        await pilot.pause()
        await enter_changes_nothing(pilot, "Skjul")
        assert redactions(demo_copy) == [] and "010190-1234" in texts(demo_copy)["JC02"]
        await say_yes(pilot)
    assert redactions(demo_copy) == ["cpr"] and "[CPR]" in texts(demo_copy)["JC02"]


async def test_redact_all_needs_its_key(pii_app, demo_copy):  # noqa: F811
    before = texts(demo_copy)
    async with pii_app.run_test(size=SIZE) as pilot:
        await open_pii(pii_app, pilot)
        await pilot.press("R")
        await pilot.pause()
        await enter_changes_nothing(pilot, "Skjul alle")
        assert redactions(demo_copy) == [] and texts(demo_copy) == before
        await say_yes(pilot)
    assert sorted(redactions(demo_copy)) == ["cpr", "email", "phone"]


async def test_overwriting_a_file_needs_its_key(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "kodebog.yaml"
    target.write_text("gammel\n", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot)
        await pilot.press("e")
        pilot.app.screen.query_one(Input).value = "kodebog.yaml"
        await pilot.press("enter")
        await pilot.pause()
        await enter_changes_nothing(pilot, "Overskriv")
        assert target.read_text(encoding="utf-8") == "gammel\n"
        await say_yes(pilot)
    assert "fleksjob" in target.read_text(encoding="utf-8")
