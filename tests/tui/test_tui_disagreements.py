"""Pilot tests of blind double-coding and the disagreement screen: two coders code, F6
shows where they differ, the keys settle it, and counts run on the consensus."""

from __future__ import annotations

from qualcode.core.project import Project
from qualcode.tui.app import make_app
from qualcode.tui.screens.disagreements import DisagreementScreen
from qualcode.tui.widgets.dialogs import InputDialog, PickDialog
from qualcode.tui.widgets.item_queue import ItemQueue

SIZE = (120, 36)


def two_coders(path) -> None:
    """ane and bo code the first three answers of 'strategier', differing on two."""
    with Project.open(path) as p:
        items = p.items("strategier")[:3]
        plan = {
            "ane": [["fleksjob"], ["andet"], ["beskaeftigelsesplan"]],
            "bo": [["fleksjob", "andet"], ["andet"], ["borgere-paa-kanten"]],
        }
        for coder, codes in plan.items():
            for item, keys in zip(items, codes, strict=True):
                for key in keys:
                    p.add_coding(item.id, key, coder=coder)


def consensus(db, respondent: str) -> list[str]:
    return sorted(
        r[0]
        for r in db.execute(
            "SELECT k.key FROM codings c JOIN items i ON i.id = c.item_id JOIN codes k"
            " ON k.id = c.code_id WHERE i.respondent_id = ? AND i.question_id = 'strategier'"
            " AND c.coder = 'consensus'",
            [respondent],
        )
    )


async def test_blind_mode_hides_other_coders(demo_copy):
    app = make_app(demo_copy, coder="ane")
    async with app.run_test(size=SIZE) as pilot:
        queue = app.screen.query_one(ItemQueue)
        assert all(r.item_id in queue.coded for r in queue.shown), "all coded by guld"
        await pilot.press("h")
        assert app.screen.blind and not queue.coded
        await pilot.press("5")
        assert queue.coded == {queue.shown[0].item_id}
        assert app.screen.query_one("CodePanel").counts["fleksjob"] == 1
        await pilot.press("h")
        assert not app.screen.blind


async def test_switch_coder_puts_the_new_name_on_codings(app, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        assert isinstance(app.screen, InputDialog)
        app.screen.dismiss("bo")
        await pilot.pause()
        who = app.screen.item.respondent
        await pilot.press("5")
        assert codings_of(who, "strategier", coder="bo") == ["fleksjob"]
        assert codings_of(who, "strategier", coder="ida") == []


async def test_disagreement_screen_settles_into_consensus(demo_copy, db):
    two_coders(demo_copy)
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        # guld coded everything too: compare only ane and bo
        screen.coders = ["ane", "bo"]
        screen.reload()
        first, second = (d.item.respondent for d in screen.shown)
        assert len(screen.shown) == 2
        await pilot.press("a")  # take ane's codes
        assert consensus(db, first) == ["fleksjob"]
        await pilot.press("b")  # ...changed my mind: bo's
        assert consensus(db, first) == ["andet", "fleksjob"]
        await pilot.press("7")  # remove Andet from the agreed coding
        assert consensus(db, first) == ["fleksjob"]
        await pilot.press("n", "u")  # the next one: every code either coder used
        assert consensus(db, second) == ["beskaeftigelsesplan", "borgere-paa-kanten"]
        await pilot.press("f")  # only what both used: nothing
        assert consensus(db, second) == []
        assert all(d.settled for d in screen.found)
        await pilot.press("o")
        assert screen.shown == []
    with Project.open(demo_copy) as p:
        counts = p.respondent_counts("strategier", coder="consensus")
    assert counts["fleksjob"] == 1 and sum(counts.values()) == 1


async def test_choose_coders_and_too_few(demo_copy):
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        head = str(app.screen.query_one("#disagree-head").render())
        assert "mindst to kodere" in head
    two_coders(demo_copy)
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("e")  # every pair of the question's coders, and all three
        assert isinstance(app.screen, PickDialog)
        choices = dict((label, value) for value, label in app.screen.choices)
        assert list(choices) == ["ane ↔ bo  ← nu", "ane ↔ guld", "bo ↔ guld", "ane ↔ bo ↔ guld"]
        app.screen.dismiss(next(v for k, v in choices.items() if k.startswith("ane ↔ guld")))
        await pilot.pause()
        assert app.screen.coders == ["ane", "guld"]
        assert all(set(d.codes) == {"ane", "guld"} for d in app.screen.found)
