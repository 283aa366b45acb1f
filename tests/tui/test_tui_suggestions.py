"""Pilot tests of code suggestions in the coding screen: a, x, T and o, checked on disk."""

from __future__ import annotations

from pathlib import Path

from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.item_queue import ItemQueue
from qualcode.tui.widgets.suggestion_bar import SuggestionBar

SIZE = (120, 36)


async def wait_for(pilot, condition, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting for the workbench")


def suggestions_of(screen: CodingScreen) -> SuggestionBar:
    return screen.query_one(SuggestionBar)


async def test_a_accepts_the_first_suggestion_with_coder_and_origin(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = suggestions_of(screen)
        await wait_for(pilot, lambda: bar.entries)
        code, _, group = bar.first
        item = screen.item
        await pilot.press("a")
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


async def test_x_rejects_without_coding_and_the_suggestion_stays_gone(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = suggestions_of(screen)
        await wait_for(pilot, lambda: bar.entries)
        code = bar.first[0]
        item = screen.item
        await pilot.press("x")
        assert db.execute(
            "SELECT COUNT(*) FROM codings WHERE item_id = ? AND coder = 'ida'", [item.id]
        ).fetchone() == (0,)
        assert db.execute(
            "SELECT k.key, v.coder, v.verdict FROM suggestion_verdicts v"
            " JOIN codes k ON k.id = v.code_id WHERE v.item_id = ?",
            [item.id],
        ).fetchall() == [(code, "ida", "rejected")]
        # away and back: the rejected code is not suggested again
        await pilot.press("n")
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: (
                screen.item.id == item.id and (bar.entries or "Ingen forslag" in str(bar.render()))
            ),
        )
        await pilot.pause(0.3)
        assert code not in [e[0] for e in bar.entries]


async def test_a_with_no_suggestion_changes_nothing(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = suggestions_of(screen)
        await wait_for(pilot, lambda: bar.entries)
        while bar.entries:
            await pilot.press("x")
        before = db.execute("SELECT COUNT(*) FROM codings").fetchone()
        await pilot.press("a")
        assert db.execute("SELECT COUNT(*) FROM codings").fetchone() == before


async def test_T_trains_a_model_with_progress_and_then_model_suggestions_show(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen._assist is not None)
        assert screen._assist.model is None
        seen = []
        show = screen._train_progress
        screen._train_progress = lambda done, total: (seen.append((done, total)), show(done, total))
        await pilot.press("T")
        await wait_for(pilot, lambda: screen._training is None, 60)
        assert seen and seen[-1][0] == seen[-1][1]  # the bar moved to the end
        folder = Path(f"{demo_copy}.models") / "lokalpolitiske-strategier"
        assert (folder / "qualcode-model.json").exists()
        await wait_for(
            pilot, lambda: screen._assist is not None and screen._assist.model is not None
        )
        assert not screen.query_one("#train-progress").display
        bar = suggestions_of(screen)
        await pilot.press("n")
        await wait_for(
            pilot, lambda: any(s.source == "model" for e in bar.entries for s in e[2]), 30
        )


async def test_o_orders_the_queue_by_the_models_uncertainty(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("o")  # no model yet: a warning, file order kept
        assert screen.order == "file"
        await pilot.press("T")
        await wait_for(pilot, lambda: screen._training is None, 60)
        await wait_for(
            pilot, lambda: screen._assist is not None and screen._assist.model is not None
        )
        await pilot.press("o")
        await wait_for(pilot, lambda: screen.order == "uncertainty")
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
        await wait_for(pilot, lambda: kwic.hits)
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
