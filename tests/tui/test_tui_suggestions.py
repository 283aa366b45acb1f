"""Pilot tests of code suggestions in the coding screen: a, x, T and o, checked on disk.

The tests of which suggestion a key takes, and of what undo, redo and coding by hand do to
the list, use a suggester with fixed suggestions (stubs.FixedSuggestions: fleksjob, andet,
beskaeftigelsesplan, less what the coder has coded or decided on the item).

Suggestions, training and the uncertainty order run in thread workers; the tests wait for
the workers (helpers.settle), never for a while, so they pass the same on a busy machine.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from stubs import fixed_suggester
from textual.widgets import ProgressBar

from helpers import settle
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.item_queue import ItemQueue
from qualcode.tui.widgets.suggestion_bar import SuggestionBar

SIZE = (120, 36)


def suggestions_of(screen: CodingScreen) -> SuggestionBar:
    return screen.query_one(SuggestionBar)


async def suggested(app, pilot) -> SuggestionBar:
    """Wait until the current item's suggestions are shown (after the suggester loaded)."""
    await settle(app, pilot)
    screen = app.screen
    bar = suggestions_of(screen)
    assert screen._assist is not None and bar.item_id == screen.item.id, bar.render()
    return bar


@pytest.mark.assistant
async def test_a_accepts_the_first_suggestion_with_coder_and_origin(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        assert bar.entries
        code, _, group = bar.first
        item = screen.item
        await pilot.press("a")
        assert bar.pending == "accept" and "Acceptér hvilket?" in str(bar.render())
        await pilot.press("enter")  # the first
        rows = db.execute(
            "SELECT k.key, c.coder, c.origin, c.start FROM codings c"
            " JOIN codes k ON k.id = c.code_id WHERE c.item_id = ?"
            " AND c.coder = 'ida'",
            [item.id],
        ).fetchall()
        assert rows == [(code, "ida", max(group, key=lambda s: s.score).source, None)]
        assert db.execute(
            "SELECT verdict FROM suggestion_verdicts WHERE item_id = ?", [item.id]
        ).fetchall() == [("accepted",)]
        assert code not in [e[0] for e in bar.entries]
        assert "Forslag accepteret" in str(screen.query_one("#last-action").render())
        assert "(ida, forslag: " in str(screen.query_one("#item-codings").render())


@pytest.mark.assistant
async def test_x_rejects_without_coding_and_the_suggestion_stays_gone(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        assert bar.entries
        code = bar.first[0]
        item = screen.item
        await pilot.press("x", "x")  # x again: the first
        assert db.execute(
            "SELECT COUNT(*) FROM codings WHERE item_id = ? AND coder = 'ida'", [item.id]
        ).fetchone() == (0,)
        assert db.execute(
            "SELECT k.key, v.coder, v.verdict FROM suggestion_verdicts v"
            " JOIN codes k ON k.id = v.code_id WHERE v.item_id = ?",
            [item.id],
        ).fetchall() == [(code, "ida", "rejected")]
        # away and back: the rejected code is not suggested again. (The bar shows the
        # suggestions of the item next door until the item's own come: wait for those.)
        await pilot.press("n")
        await pilot.press("p")
        await suggested(app, pilot)
        assert screen.item.id == item.id
        assert code not in [e[0] for e in bar.entries]


@pytest.mark.assistant
async def test_a_with_no_suggestion_changes_nothing(app, db):
    async with app.run_test(size=SIZE) as pilot:
        bar = await suggested(app, pilot)
        assert bar.entries
        while bar.entries:
            await pilot.press("x", "1")
        before = db.execute("SELECT COUNT(*) FROM codings").fetchone()
        await pilot.press("a")
        assert db.execute("SELECT COUNT(*) FROM codings").fetchone() == before


@pytest.mark.assistant
async def test_T_trains_a_model_with_progress_and_then_model_suggestions_show(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await suggested(app, pilot)
        assert screen._assist.model is None
        await pilot.press("T")
        await settle(app, pilot)  # trained, and the new model loaded
        progress = screen.query_one("#train-progress", ProgressBar)
        assert screen._training is None
        assert progress.total and progress.progress == progress.total  # moved to the end
        assert not progress.display
        folder = Path(f"{demo_copy}.models") / "lokalpolitiske-strategier"
        assert (folder / "qualcode-model.json").exists()
        assert screen._assist is not None and screen._assist.model is not None
        await pilot.press("n")
        bar = await suggested(app, pilot)
        assert any(s.source == "model" for e in bar.entries for s in e[2])


@pytest.mark.assistant
async def test_o_orders_the_queue_by_the_models_uncertainty(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(app, pilot)
        await pilot.press("o")  # no model yet: a warning, file order kept
        assert screen.order == "file"
        await pilot.press("T")
        await settle(app, pilot)
        assert screen._training is None
        assert screen._assist is not None and screen._assist.model is not None
        await pilot.press("o")
        await settle(app, pilot)
        assert screen.order == "uncertainty"
        rows = screen.query_one(ItemQueue).all_rows
        unsure = [screen._unsure[r.item_id] for r in rows]
        assert unsure == sorted(unsure, reverse=True)  # ida has coded nothing: all uncoded
        assert screen.item.id == rows[0].item_id
        await pilot.press("o")
        assert screen.order == "file"
        ids = [r.item_id for r in screen.query_one(ItemQueue).all_rows]
        assert ids == [i.id for i in app.project.items("strategier")]


async def test_w_lists_a_word_in_every_inflection_and_codes_from_the_list(app, codings_of):
    from qualcode.tui.screens.kwic import KwicScreen

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        kwic = app.screen
        assert isinstance(kwic, KwicScreen)
        await pilot.press(*"fleksjob", "enter")
        await settle(app, pilot)
        matches = {h.match for h in kwic.hits}
        assert {"fleksjob", "Fleksjob"} <= matches  # any case (inflections: test_nlp.py)
        assert {h.question for h in kwic.hits} == {"strategier"}
        first = kwic.hits[0]
        await pilot.press("5")  # code 5 in lokalpolitiske-strategier: Fleksjob
        assert codings_of(first.respondent, "strategier") == ["fleksjob"]
        await pilot.press("enter")  # go to the item
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.item.id == first.item_id
        assert screen.query_one(ItemQueue).current_item_id == first.item_id


async def test_a_training_that_fails_says_so_and_T_trains_again(app, demo_copy, monkeypatch):
    """An unexpected error in the training worker: one line in an error notification, the
    progress bar gone, no model on disk, and the next T trains (it used to say only
    "Træningen afbrydes …" from then on)."""
    import qualcode.nlp.textcat as textcat

    folder = Path(f"{demo_copy}.models") / "lokalpolitiske-strategier"
    real = textcat.train_and_save

    def broken(*args, **kwargs):
        raise RuntimeError("disken\nbrændte")

    monkeypatch.setattr(textcat, "train_and_save", broken)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["Træningen mislykkedes: RuntimeError: disken⏎brændte"]
        assert screen._training is None
        assert not screen.query_one("#train-progress", ProgressBar).display
        assert "Træner" not in str(suggestions_of(screen).render())
        assert not folder.exists()

        monkeypatch.setattr(textcat, "train_and_save", real)
        await pilot.press("T")
        await settle(app, pilot)
        assert not any("afbrydes" in n.message for n in app._notifications)
        assert screen._training is None
        assert not screen.query_one("#train-progress", ProgressBar).display
    assert (folder / "qualcode-model.json").exists()
    assert [n.severity for n in app._notifications].count("error") == 1


@pytest.mark.assistant
async def test_a_suggester_loaded_before_T_never_replaces_the_new_models(app, monkeypatch):
    """The suggester that was still loading when T was pressed (slow on a busy machine)
    comes after the one with the new model: it is dropped, and the model stays. (This is
    what made the o test fail now and then: the queue could not be ordered, no model.)"""
    from qualcode.tui.screens import coding

    real = coding.load_suggester
    release, done = threading.Event(), threading.Event()
    calls = []

    def first_one_slow(project, qid, coder, **kw):
        calls.append(qid)
        loaded = real(project, qid, coder, **kw)  # the first: before T, so without a model
        if len(calls) == 1:
            release.wait(30)  # held until the new model is in place
            done.set()
        return loaded

    monkeypatch.setattr(coding, "load_suggester", first_one_slow)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("T")
        await settle(app, pilot)  # trained; the second load has the model
        assert screen._assist is not None and screen._assist.model is not None
        release.set()
        await asyncio.to_thread(done.wait, 30)
        await settle(app, pilot)
        assert screen._assist.model is not None
        await pilot.press("o")
        await settle(app, pilot)
        assert screen.order == "uncertainty"
    assert len(calls) == 2


async def test_a_suggester_that_fails_to_load_says_so_and_r_loads_again(app, monkeypatch):
    from qualcode.tui.screens import coding

    stub = coding.load_suggester

    def broken(project, qid, coder, **kw):
        raise RuntimeError("ingen pipeline")

    monkeypatch.setattr(coding, "load_suggester", broken)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(app, pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["Forslagene kunne ikke indlæses: RuntimeError: ingen pipeline"]
        assert "kunne ikke indlæses" in str(suggestions_of(screen).render())
        monkeypatch.setattr(coding, "load_suggester", stub)
        await pilot.press("r")
        await settle(app, pilot)
        assert screen._assist is not None
        assert str(suggestions_of(screen).render()) == "Ingen forslag til dette svar."


async def test_a_kwic_search_that_fails_says_so(app, monkeypatch):
    import qualcode.nlp.kwic as kwic

    def broken(*args, **kwargs):
        raise RuntimeError("ordbogen mangler")

    monkeypatch.setattr(kwic, "kwic", broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        screen = app.screen
        await pilot.press(*"fleksjob", "enter")
        await settle(app, pilot)
        assert str(screen.query_one("#kwic-status").render()) == ("RuntimeError: ordbogen mangler")
        assert [n.message for n in app._notifications if n.severity == "error"] == [
            "Søgningen mislykkedes: RuntimeError: ordbogen mangler"
        ]


async def test_a_right_after_n_never_accepts_the_last_items_suggestion(app, db):
    """Until the next item's suggestions are found, the bar still shows the last item's:
    a (or x) then says they are loading, and codes nothing."""
    from qualcode.nlp.suggest import Suggestion

    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(app, pilot)
        first = screen.item

        def for_item(item_id: int) -> list[Suggestion]:
            if item_id != first.id:
                release.wait(30)  # the next item's suggestions take a while
                return []
            return [
                Suggestion(
                    item_id, first.respondent, "strategier", "fleksjob", "Fleksjob", 0.9, "rule"
                )
            ]

        screen._assist.for_item = for_item
        screen._request_suggestions()
        await settle(app, pilot)
        assert suggestions_of(screen).first[0] == "fleksjob"
        await pilot.press("n")
        nxt = screen.item
        assert nxt.id != first.id
        await pilot.press("a")
        await pilot.press("x")
        release.set()
        await settle(app, pilot)
        assert db.execute(
            "SELECT COUNT(*) FROM codings WHERE item_id IN (?, ?) AND coder = 'ida'",
            [first.id, nxt.id],
        ).fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM suggestion_verdicts").fetchone() == (0,)
        said = [n.message for n in app._notifications]
        assert said.count("Forslagene til dette svar indlæses …") == 2


# -- which suggestion a key takes, and the list after coding, undo and redo ---------------
@pytest.fixture
def fixed(monkeypatch):
    """The coding screen's suggester offers fleksjob, andet, beskaeftigelsesplan."""
    from qualcode.tui.screens import coding

    monkeypatch.setattr(coding, "load_suggester", fixed_suggester)


def shown_codes(bar: SuggestionBar) -> list[str]:
    return [e[0] for e in bar.entries]


def ida_codings(db, item_id: int) -> list[tuple[str, str, int | None]]:
    """(code, origin, start) of ida's codings of the item, on disk."""
    return db.execute(
        "SELECT k.key, c.origin, c.start FROM codings c JOIN codes k ON k.id = c.code_id"
        " WHERE c.item_id = ? AND c.coder = 'ida' ORDER BY c.id",
        [item_id],
    ).fetchall()


def ida_verdicts(db, item_id: int) -> list[tuple[str, str]]:
    return db.execute(
        "SELECT k.key, v.verdict FROM suggestion_verdicts v JOIN codes k ON k.id = v.code_id"
        " WHERE v.item_id = ? AND v.coder = 'ida' ORDER BY v.id",
        [item_id],
    ).fetchall()


def number_of(screen: CodingScreen, key: str) -> int:
    from qualcode.tui.widgets.code_panel import CodePanel

    panel = screen.query_one(CodePanel)
    return next(n for n in range(1, 10) if panel.key_at(n) == key)


async def test_a_then_2_accepts_the_second_suggestion(app, db, fixed):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        assert shown_codes(bar) == ["fleksjob", "andet", "beskaeftigelsesplan"]
        rendered = str(bar.render())
        assert "1 ■ Fleksjob" in rendered and "2 ■ Andet" in rendered
        item = screen.item
        await pilot.press("a", "2")
        assert ida_codings(db, item.id) == [("andet", "rule", None)]
        assert ida_verdicts(db, item.id) == [("andet", "accepted")]
        assert bar.pending is None
        await settle(app, pilot)
        assert shown_codes(bar) == ["fleksjob", "beskaeftigelsesplan"]


async def test_x_then_3_rejects_the_third_and_a_number_past_the_list_takes_nothing(app, db, fixed):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        item = screen.item
        await pilot.press("x", "3")
        assert ida_verdicts(db, item.id) == [("beskaeftigelsesplan", "rejected")]
        assert ida_codings(db, item.id) == []
        assert shown_codes(bar) == ["fleksjob", "andet"]
        await pilot.press("x", "7")  # no suggestion 7: nothing, and not code 7 either
        assert ida_verdicts(db, item.id) == [("beskaeftigelsesplan", "rejected")]
        assert ida_codings(db, item.id) == []
        assert "Der er intet forslag nr. 7." in [n.message for n in app._notifications]


async def test_escape_after_a_lets_the_number_key_code_as_usual(app, db, fixed):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        item = screen.item
        await pilot.press("a", "escape")
        assert bar.pending is None
        assert "a acceptér · x afvis + nr." in str(bar.render())
        n = number_of(screen, "andet")
        await pilot.press(str(n))
        assert ida_codings(db, item.id) == [("andet", "", None)]  # by hand
        assert ida_verdicts(db, item.id) == []
        await pilot.press("a", "n")  # another key: no number awaited any more
        assert bar.pending is None


async def test_undoing_a_rejection_brings_the_suggestion_back_and_never_another_items_coding(
    app, db, fixed
):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await suggested(app, pilot)
        first = screen.item
        await pilot.press(str(number_of(screen, "andet")))  # a coding by hand on the first
        await pilot.press("n")
        bar = await suggested(app, pilot)
        second = screen.item
        assert second.id != first.id
        await pilot.press("x", "1")
        assert ida_verdicts(db, second.id) == [("fleksjob", "rejected")]
        await pilot.press("u")
        assert ida_verdicts(db, second.id) == []
        assert ida_codings(db, first.id) == [("andet", "", None)]  # untouched
        assert screen.item.id == second.id
        await settle(app, pilot)
        assert shown_codes(bar) == ["fleksjob", "andet", "beskaeftigelsesplan"]
        await pilot.press("ctrl+y")  # redone: rejected again, and gone from the list
        assert ida_verdicts(db, second.id) == [("fleksjob", "rejected")]
        await settle(app, pilot)
        assert shown_codes(bar) == ["andet", "beskaeftigelsesplan"]
        assert ida_codings(db, first.id) == [("andet", "", None)]


async def test_undoing_an_accepted_suggestion_brings_it_back(app, db, fixed):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        item = screen.item
        await pilot.press("a", "a")  # a again: the first
        assert ida_codings(db, item.id) == [("fleksjob", "model", None)]
        await settle(app, pilot)
        assert shown_codes(bar) == ["andet", "beskaeftigelsesplan"]
        await pilot.press("u")  # one undo: the coding and the verdict
        assert ida_codings(db, item.id) == []
        assert ida_verdicts(db, item.id) == []
        await settle(app, pilot)
        assert shown_codes(bar) == ["fleksjob", "andet", "beskaeftigelsesplan"]
        await pilot.press("ctrl+y")
        assert ida_codings(db, item.id) == [("fleksjob", "model", None)]
        await settle(app, pilot)
        assert shown_codes(bar) == ["andet", "beskaeftigelsesplan"]


async def test_an_accepted_suggestion_taken_off_by_hand_is_offered_again(app, db, fixed):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        item = screen.item
        await pilot.press("a", "1")  # fleksjob accepted
        assert ida_codings(db, item.id) == [("fleksjob", "model", None)]
        await settle(app, pilot)
        assert shown_codes(bar) == ["andet", "beskaeftigelsesplan"]
        await pilot.press(str(number_of(screen, "fleksjob")))  # off again, with its number
        assert ida_codings(db, item.id) == []
        assert ida_verdicts(db, item.id) == [("fleksjob", "accepted")]  # kept, as said
        await settle(app, pilot)
        assert shown_codes(bar) == ["fleksjob", "andet", "beskaeftigelsesplan"]


async def test_coding_by_hand_takes_the_code_off_the_list(app, db, fixed):
    from qualcode.tui.widgets.dialogs import CodePicker

    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        item = screen.item
        await pilot.press(str(number_of(screen, "fleksjob")))  # a number key
        await settle(app, pilot)
        assert shown_codes(bar) == ["andet", "beskaeftigelsesplan"]
        await pilot.press("c")  # by name
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"andet", "enter")
        await settle(app, pilot)
        assert shown_codes(bar) == ["beskaeftigelsesplan"]
        assert [c for c, _o, _s in ida_codings(db, item.id)] == ["fleksjob", "andet"]
        await pilot.press("u", "u")  # both undone: both offered again
        await settle(app, pilot)
        assert shown_codes(bar) == ["fleksjob", "andet", "beskaeftigelsesplan"]


async def test_accepting_a_code_the_item_has_already_adds_nothing(app, db, fixed):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = await suggested(app, pilot)
        item = screen.item
        # fleksjob put on a passage behind the bar's back: the bar still offers it
        app.project.add_coding(item.id, "fleksjob", start=0, end=5)
        assert shown_codes(bar)[0] == "fleksjob"
        count = db.execute("SELECT COUNT(*) FROM codings").fetchone()
        await pilot.press("a", "1")
        assert db.execute("SELECT COUNT(*) FROM codings").fetchone() == count
        assert ida_codings(db, item.id) == [("fleksjob", "", 0)]
        assert ida_verdicts(db, item.id) == []
        said = str(screen.query_one("#last-action").render())
        assert "Fleksjob er allerede på svaret; intet tilføjet." in said
        assert "fleksjob" not in shown_codes(bar)
