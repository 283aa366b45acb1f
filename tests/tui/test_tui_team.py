"""Pilot tests of team coding in the workbench: 'reviewed, no theme' on F2 (key 0), who is
coding (shown, and remembered across a restart), the coder basis of F4, F7 and the report,
F6 over what both coders reviewed, and blind suggestions that learn from nobody else.
Every flow is checked against the project file itself."""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import OptionList

from helpers import settle
from qualcode.core.project import Project
from qualcode.paths import os_user
from qualcode.tui.app import make_app
from qualcode.tui.screens.counts import CountsScreen
from qualcode.tui.screens.crosstab import CrosstabScreen
from qualcode.tui.screens.disagreements import DisagreementScreen
from qualcode.tui.widgets.dialogs import InputDialog, PickDialog
from qualcode.tui.widgets.item_queue import ItemQueue

SIZE = (120, 36)
Q = "strategier"


def marks(path, coder: str) -> list[str]:
    """Respondents whose answer to Q the coder marked 'no theme', read from the file."""
    with sqlite3.connect(path) as conn:
        return sorted(
            r[0]
            for r in conn.execute(
                "SELECT i.respondent_id FROM reviews v JOIN items i ON i.id = v.item_id"
                " WHERE v.coder = ? AND i.question_id = ?",
                [coder, Q],
            )
        )


def header_text(app) -> str:
    """What the screen's header shows (as textual.widgets.Header picks it)."""
    screen = app.screen
    return app.format_title(screen.title or app.title, screen.sub_title or app.sub_title).plain


async def pick(pilot, value: str) -> None:
    """Choose the option ``value`` in the PickDialog on top."""
    dialog = pilot.app.screen
    assert isinstance(dialog, PickDialog), dialog
    options = dialog.query_one(OptionList)
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == value
    )
    await pilot.press("enter")
    await pilot.pause()


# -- F2: reviewed, no theme applies -----------------------------------------------------
async def test_key_0_marks_no_theme_and_coding_clears_it_undoably(demo_copy, codings_of):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")  # blind: only ida's work, so nothing is reviewed yet
        screen = app.screen
        queue = screen.query_one(ItemQueue)
        status = screen.query_one("#queue-status")
        assert str(status.render()).startswith("gennemgået 0 af 35")
        who = screen.item.respondent
        item_id = screen.item.id

        await pilot.press("0")
        assert marks(demo_copy, "ida") == [who]  # committed before the screen says so
        assert item_id in queue.option_list.none
        assert str(status.render()).startswith("gennemgået 1 af 35")
        assert "Ingen tema" in str(screen.query_one("#item-codings").render())

        await pilot.press("1")  # a theme after all: the mark goes
        assert marks(demo_copy, "ida") == []
        assert codings_of(who, Q) != []
        assert str(status.render()).startswith("gennemgået 1 af 35")

        await pilot.press("u")  # the coding goes, the mark comes back
        assert codings_of(who, Q) == [] and marks(demo_copy, "ida") == [who]
        await pilot.press("u")  # and the mark itself
        assert marks(demo_copy, "ida") == []
        assert str(status.render()).startswith("gennemgået 0 af 35")

        await pilot.press("0", "0")  # pressed again: the mark is taken away
        assert marks(demo_copy, "ida") == []
        await pilot.press("0", "f")  # the filter: not reviewed yet
        assert queue.status == "ikke gennemgået"
        assert item_id not in {r.item_id for r in queue.shown} and len(queue.shown) == 34


# -- who is coding -------------------------------------------------------------------------
async def test_the_coder_is_in_every_header_and_remembered_across_a_restart(demo_copy, monkeypatch):
    monkeypatch.delenv("QUALCODE_CODER", raising=False)
    app = make_app(demo_copy)
    async with app.run_test(size=SIZE) as pilot:
        first = app.project.coder
        assert f"koder: {first}" in header_text(app)
        await pilot.press("k")
        assert isinstance(app.screen, InputDialog)
        app.screen.dismiss("bo")
        await pilot.pause()
        assert app.project.coder == "bo"
        for key in ("f2", "f4", "f6", "f7"):
            await pilot.press(key)
            await pilot.pause()
            assert "koder: bo" in header_text(app), key
    with sqlite3.connect(demo_copy) as conn:
        stored = conn.execute(
            "SELECT value FROM project WHERE key = ?", [f"coder:{os_user()}"]
        ).fetchone()
    assert stored == ("bo",)

    again = make_app(demo_copy)  # a restart, without --coder
    async with again.run_test(size=SIZE) as pilot:
        assert again.project.coder == "bo"
        assert "koder: bo" in header_text(again)
    explicit = make_app(demo_copy, coder="ida")  # --coder still wins
    assert explicit.project.coder == "ida"
    explicit.project.close()


# -- the coder basis ------------------------------------------------------------------------
def three_coders(path) -> None:
    """ida codes three answers differently from guld, and one is settled."""
    with Project.open(path, coder="ida") as p:
        items = p.items(Q)[:3]
        for item in items:
            p.add_coding(item.id, "andet")
        p.settle(items[0].id, {"andet"})


async def test_f4_counts_on_the_basis_chosen_with_K_and_names_it(demo_copy):
    three_coders(demo_copy)
    with Project.open(demo_copy) as p:
        union = p.counts(Q).set_index("code")["respondents"].to_dict()
        guld = p.counts(Q, coder="guld").set_index("code")["respondents"].to_dict()
        agreed = p.counts(Q, coder="consensus").set_index("code")["respondents"].to_dict()
    assert union != guld != agreed

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CountsScreen)
        head = str(screen.query_one("#counts-head").render())
        assert "Kodet af: alle kodere" in head and "Advarsel" in head
        assert {r.key: r.respondents for r in screen.table.rows} == union

        for basis, expected in (("guld", guld), ("consensus", agreed)):
            await pilot.press("K")
            await pick(pilot, basis)
            await settle(app, pilot)
            assert {r.key: r.respondents for r in screen.table.rows} == expected
            head = str(screen.query_one("#counts-head").render())
            assert f"Kodet af: {basis}" in head and "Advarsel" not in head
            assert f"Kodet af: {basis}" in header_text(app)
            with Project.open(demo_copy, readonly=True) as p:
                assert p.basis() == basis  # stored: the CLI counts on it too

        await pilot.press("K")
        await pick(pilot, Project.ALL_CODERS)
        await settle(app, pilot)
        assert {r.key: r.respondents for r in screen.table.rows} == union
    with Project.open(demo_copy, readonly=True) as p:
        assert p.basis() is None


async def test_f7_counts_on_the_stored_basis(demo_copy):
    three_coders(demo_copy)
    with Project.open(demo_copy) as p:
        p.set_basis("consensus")
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CrosstabScreen)
        await pilot.press("a")
        await pick(pilot, "lokalpolitisk_fokus")
        await settle(app, pilot)
        assert screen.view is not None and screen.view.basis_label == "Kodet af: consensus"
        assert "Kodet af: consensus" in str(screen.query_one("#crosstab-head").render())
        assert b"Kodet af: consensus" in screen.view.export("md")  # rendered when asked for
        await pilot.press("K")
        await pick(pilot, Project.ALL_CODERS)
        await settle(app, pilot)
        assert screen.view.basis_label.startswith("Kodet af: alle kodere")
        assert "Advarsel" in str(screen.query_one("#crosstab-status").render())


async def test_the_report_dialog_names_the_basis_and_ctrl_k_changes_it(demo_copy, tmp_path):
    three_coders(demo_copy)
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        assert "Kodet af: alle kodere" in dialog.title_text
        await pilot.press("ctrl+k")
        await pick(pilot, "guld")
        assert app.screen is dialog and "Kodet af: guld" in dialog.title_text
        dialog.query_one("#dialog-input").value = str(tmp_path / "rapport.md")
        await pilot.press("enter")
        await settle(app, pilot)
    text = (tmp_path / "rapport.md").read_text(encoding="utf-8")
    assert "Kodet af: guld" in text and "alle kodere" not in text


# -- F6 ---------------------------------------------------------------------------------
def second_coder_partly(path) -> list[str]:
    """bo reviews the first four answers only: one as guld did, two otherwise, and one
    marked 'no theme' where guld found a theme. Returns the respondents that differ."""
    with Project.open(path, coder="bo") as p:
        guld = p.code_sets(Q, ["guld"])
        items = [i for i in p.items(Q) if guld.get(i.id, {}).get("guld", {"andet"}) != {"andet"}]
        items = items[:4]
        same = items[0]
        for key in guld[same.id]["guld"]:
            p.add_coding(same.id, key)
        for item in items[1:3]:
            p.add_coding(item.id, "andet")
        p.mark_no_theme(items[3].id)
        return sorted(i.respondent for i in items[1:4])


async def test_f6_lists_only_what_both_reviewed_and_counts_who_waits(demo_copy):
    differ = second_coder_partly(demo_copy)
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        assert screen.coders == ["guld", "bo"] or screen.coders == ["bo", "guld"]
        assert sorted(d.item.respondent for d in screen.shown) == differ
        head = str(screen.query_one("#disagree-head").render())
        assert "3 uenigheder" in head and "31 venter på en koder" in head
        stats = str(screen.query_one("#disagree-stats").render())
        assert "4 svar" in stats and "κ / α" in stats and "samlet" in stats

        await pilot.press("f")  # settle the first: the list stays, one is settled
        await settle(app, pilot)
        assert "1 afgjort" in str(screen.query_one("#disagree-head").render())


async def test_f6_pair_is_picked_from_the_question_coders(demo_copy):
    second_coder_partly(demo_copy)
    three_coders(demo_copy)  # ida too (and a consensus, which is never a coder to pick)
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        assert len(screen.coders) == 2
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, PickDialog)
        labels = [label for _, label in dialog.choices]
        assert all("consensus" not in label for label in labels)
        assert len(labels) == 4  # three pairs of guld, bo and ida, and all three
        wanted = next(v for v, label in dialog.choices if label.startswith("bo ↔ ida"))
        await pick(pilot, wanted)
        await settle(app, pilot)
        assert screen.coders == ["bo", "ida"]
        assert "bo ↔ ida" in str(screen.query_one("#disagree-head").render())


# -- blind means blind -----------------------------------------------------------------------
@pytest.mark.assistant
async def test_blind_suggestions_use_only_the_coders_own_model(demo_copy):
    from qualcode.nlp.textcat import coder_folder, default_folder, train_and_save

    with Project.open(demo_copy, coder="ida") as p:
        stem = p.question(Q).codebook
        shared = train_and_save(p, stem, default_folder(p), epochs=1)  # guld's codings
        assert shared.meta["coder"] is None
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen._assist.model is not None  # not blind: the shared model suggests
        await pilot.press("h")
        await settle(app, pilot)
        assert screen._assist.model is None and screen._assist.own_only
        assert "blind" in screen.query_one("SuggestionBar").sources_note
        entries = screen.query_one("SuggestionBar").entries
        assert all(s.source == "rule" for _, _, group in entries for s in group)

    with Project.open(demo_copy, coder="ida") as p:
        for item in p.items(Q)[:4]:
            p.add_coding(item.id, "fleksjob" if item.number % 2 else "andet")
        own = train_and_save(p, stem, coder_folder(p, "ida"), coder="ida", epochs=1)
        assert own.meta["coder"] == "ida" and own.meta["trained_items"] == 4
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await settle(app, pilot)
        screen = app.screen
        assert screen._assist.model is not None
        assert screen._assist.model.meta["coder"] == "ida"  # ida's own, not the shared one
        assert "din egen model" in screen.query_one("SuggestionBar").sources_note
