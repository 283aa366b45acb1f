"""The workbench's side of data safety (issue 11): undo for codebook edits (F5) and
settlements (F6), a key press that finds the project locked by another program waits
in the background instead of failing or freezing, and what opening the file found (an
upgrade and where the old file is kept) is shown. Each test asserts the database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from helpers import settle
from qualcode.core.project import Project
from qualcode.store import backup as backups
from qualcode.tui.app import make_app
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.disagreements import DisagreementScreen
from qualcode.tui.widgets.dialogs import ConfirmDialog

SIZE = (120, 36)
STEM = "lokalpolitiske-strategier"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema1.qualcode.db"


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def code_rows(db) -> list[tuple]:
    return db.execute(
        "SELECT key, label, color, position FROM codes WHERE codebook_id = ? ORDER BY key", [STEM]
    ).fetchall()


def codings_of_code(db, key: str) -> list[tuple]:
    return sorted(
        db.execute(
            "SELECT g.item_id, g.coder FROM codings g JOIN codes c ON c.id = g.code_id"
            " WHERE c.codebook_id = ? AND c.key = ?",
            [STEM, key],
        ).fetchall()
    )


async def test_f5_deleting_a_code_keeps_a_backup_and_u_brings_it_back(app, db, demo_copy):
    codes_before, used = code_rows(db), codings_of_code(db, "fleksjob")
    assert used
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        listing = screen.query_one("#codebook-list")
        listing.highlighted = listing.get_option_index("fleksjob")
        await pilot.pause()
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        app.screen.dismiss(True)
        await pilot.pause()
        assert codings_of_code(db, "fleksjob") == []
        assert len(backups.list_backups(demo_copy)) == 1
        await pilot.press("u")
        await pilot.pause()
        assert code_rows(db) == codes_before and codings_of_code(db, "fleksjob") == used
        assert any("Fortrudt: sletning af koden Fleksjob" in m for m in messages(app))
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert codings_of_code(db, "fleksjob") == []
        await pilot.press("u")
        await pilot.pause()
    assert codings_of_code(db, "fleksjob") == used


def consensus(db, item_id: int) -> list[str]:
    return sorted(
        r[0]
        for r in db.execute(
            "SELECT k.key FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE c.item_id = ? AND c.coder = 'consensus'",
            [item_id],
        )
    )


async def test_f6_ctrl_z_undoes_a_settlement(demo_copy, db):
    with Project.open(demo_copy) as p:
        item = p.items("strategier")[0]
        p.add_coding(item.id, "fleksjob", coder="ane")
        p.add_coding(item.id, "andet", coder="bo")
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        screen.coders = ["ane", "bo"]
        screen.reload()
        await pilot.press("a")
        assert consensus(db, item.id) == ["fleksjob"]
        await pilot.press("b")
        assert consensus(db, item.id) == ["andet"]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert consensus(db, item.id) == ["fleksjob"]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert consensus(db, item.id) == []
        assert not screen.current.settled
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert consensus(db, item.id) == ["fleksjob"]


async def test_a_key_press_waits_for_another_programs_write_in_the_background(
    app, demo_copy, codings_of
):
    holder = sqlite3.connect(demo_copy, check_same_thread=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        who = app.screen.item.respondent
        holder.execute("BEGIN IMMEDIATE")  # a long import or merge in another terminal
        try:
            await pilot.press("5")  # waits a second, then queues
            assert any("venter" in m for m in messages(app))
            assert len(app.waiting_writes) == 1
            await pilot.press("n", "5")  # a later key press keeps its place in the queue
            second = app.screen.item.respondent
            assert codings_of(who, "strategier") == []
        finally:
            holder.commit()
        await settle(app, pilot)
        assert not app.waiting_writes
        assert codings_of(who, "strategier") == ["fleksjob"]
        assert codings_of(second, "strategier") == ["fleksjob"]
        assert any(f"Kodet {who}: Fleksjob" in m for m in messages(app))
    holder.close()


async def test_an_upgraded_project_says_where_the_old_file_is(tmp_path):
    old = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(FIXTURE, old)
    app = make_app(old, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        [kept] = backups.list_backups(old)
        assert any("upgraded" in m and kept.name in m for m in messages(app))


async def test_a_waiting_change_that_fails_is_said_and_the_next_key_press_writes(
    app, demo_copy, codings_of, monkeypatch
):
    """The queue of waiting writes hits an unexpected error: the analyst is told that the
    change was not saved (the queue does not wait forever for a worker that is gone), and
    the next key press is written as usual."""
    import threading

    real = Project.toggle_code

    def fails_in_the_background(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("disken er fuld")
        return real(self, *args, **kwargs)  # the key press itself: waits, then queues

    monkeypatch.setattr(Project, "toggle_code", fails_in_the_background)
    holder = sqlite3.connect(demo_copy, check_same_thread=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        who = app.screen.item.respondent
        holder.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("5")
            await settle(app, pilot)
        finally:
            holder.commit()
        said = messages(app)
        assert "Ændringen kunne ikke gemmes: RuntimeError: disken er fuld" in said
        assert "1 ændring, der ventede, blev ikke gemt; tryk den igen." in said
        assert not app.waiting_writes
        assert codings_of(who, "strategier") == []
        monkeypatch.setattr(Project, "toggle_code", real)
        await pilot.press("5")
        assert codings_of(who, "strategier") == ["fleksjob"]
    holder.close()
