"""The workbench's start (issue 19): the project is opened once, and the coding screen
shows the queue's first page and its first item before it reads the rest of the queue,
the marks, the progress and the live counts, which then agree with the project file,
also when a key changed something before they were read."""

from __future__ import annotations

import pytest

from helpers import run
from qualcode.core.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.code_panel import CodePanel
from qualcode.tui.widgets.item_queue import ItemQueue

SIZE = (120, 36)


def test_qualcode_tui_opens_the_project_once_and_hands_it_to_the_workbench(demo_copy, monkeypatch):
    opened: list[Project] = []
    open_project = Project.open.__func__  # type: ignore[attr-defined]

    def counting(cls, *args, **kwargs):
        project = open_project(cls, *args, **kwargs)
        opened.append(project)
        return project

    ran: list[QualcodeApp] = []
    monkeypatch.setattr(Project, "open", classmethod(counting))
    monkeypatch.setattr(QualcodeApp, "run", lambda self, *a, **k: ran.append(self))
    result = run("tui", demo_copy, "--question", "strategier", "--coder", "ida")
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and [app.project for app in ran] == opened
    assert opened[0].coder == "ida" and opened[0].on_wait is None  # no stderr under the TUI
    opened[0].close()


def test_qualcode_tui_with_an_unknown_question_fails_with_one_line(demo_copy):
    result = run("tui", demo_copy, "--question", "findes-ikke")
    assert result.exit_code != 0 and "findes-ikke" in result.output


def status(queue: ItemQueue) -> str:
    return str(queue.query_one("#queue-status").render())


@pytest.fixture
def small_page(monkeypatch):
    monkeypatch.setattr(CodingScreen, "FIRST_PAGE", 3)


async def test_the_first_page_shows_first_then_the_whole_queue_and_counts(app, small_page):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        queue = screen.query_one(ItemQueue)
        panel = screen.query_one(CodePanel)
        project = app.project
        rows, coded = project.queue("strategier")
        assert len(queue.all_rows) == len(rows) > 3  # read after the first frame
        assert screen.item.id == rows[0][0] and not panel.pending
        # a new question (here the same again) starts with the first page
        screen.item = None
        screen.reload()
        assert [r.item_id for r in queue.all_rows] == [r[0] for r in rows[:3]]
        assert panel.pending and "…" in str(panel.get_option_at_index(0).prompt)
        assert "gennemgået … af …" in status(queue)
        assert screen.item.id == rows[0][0]  # the first item is shown already
        await pilot.pause()
        assert [tuple(r) for r in queue.all_rows] == rows
        assert queue.coded == coded
        assert panel.counts == project.respondent_counts("strategier") and not panel.pending
        reviewed, total = project.reviewed("strategier")
        assert f"gennemgået {reviewed} af {total}" in status(queue)


async def test_a_key_before_the_rest_is_read_counts_once(app, small_page, codings_of):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        queue = screen.query_one(ItemQueue)
        project = app.project
        screen.item = None
        screen.reload()
        assert len(queue.all_rows) == 3
        item = screen.item
        key = screen.query_one(CodePanel).key_at(5)
        had = key in codings_of(item.respondent, "strategier")
        screen.action_toggle_code(5)  # before the first frame's callback has run
        assert (key in codings_of(item.respondent, "strategier")) != had
        await pilot.pause()
        assert len(queue.all_rows) == len(project.queue("strategier")[0])
        assert screen.counts == project.respondent_counts("strategier")
        assert screen.query_one(CodePanel).counts == screen.counts
        assert (item.id in queue.coded) == bool(project.codings(item_id=item.id))
        reviewed, total = project.reviewed("strategier")
        assert screen.progress == (reviewed, total)
        assert f"gennemgået {reviewed} af {total}" in status(queue)


async def test_the_filter_before_the_rest_is_read_filters_the_whole_queue(app, small_page):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        queue = screen.query_one(ItemQueue)
        screen.item = None
        screen.reload()
        assert len(queue.all_rows) == 3
        screen.action_cycle_filter()  # 'ikke gennemgået': needs every item and its marks
        rows, coded = app.project.queue("strategier")
        done = coded | app.project.no_theme_items("strategier")
        assert [r.item_id for r in queue.shown] == [r[0] for r in rows if r[0] not in done]
