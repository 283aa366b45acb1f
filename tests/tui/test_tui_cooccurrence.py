"""Pilot tests of F4's "Nævnt sammen" panel (s): the themes mentioned together with the
one under the cursor, checked against the core's co-occurrence on the same project."""

from __future__ import annotations

import threading

from helpers import settle
from qualcode.core.cooccurrence import cooccurrence
from qualcode.core.project import Project
from qualcode.io.fmt import number
from qualcode.tui.screens.counts import CountsScreen
from qualcode.tui.widgets.cooccurrence import WAITING, CooccurrencePanel

SIZE = (120, 36)


def panel_text(screen: CountsScreen) -> str:
    from textual.widgets import Static

    return str(screen.query_one("#counts-cooc", Static).render())


async def open_panel(app, pilot) -> CountsScreen:
    await pilot.press("f4")
    await settle(app, pilot)
    await pilot.press("s")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, CountsScreen)
    assert screen.query_one(CooccurrencePanel).display
    return screen


def expected_lines(path, qid: str, key: str, coder: str | None = None) -> list[tuple[str, str]]:
    """(partner label, 'both  jaccard') for the pairs of ``key`` sharing a jobcentre."""
    with Project.open(path, readonly=True) as p:
        result = cooccurrence(p, qid, coder=coder)
    out = []
    for pair in result.with_theme(key):
        if pair.both:
            label = pair.label_b if pair.code_a == key else pair.label_a
            out.append((label, f"{pair.both}  {number(pair.jaccard, 2)}"))
    return out


def assert_panel_shows(text: str, expected: list[tuple[str, str]]) -> None:
    rows = text.splitlines()[3 : 3 + len(expected)]  # title, header, rule, then the rows
    assert len(rows) == len(expected), text
    for row, (label, numbers) in zip(rows, expected, strict=True):
        assert row.startswith(label[:40].rstrip("…")) or label.startswith(row.split("  ")[0]), row
        assert " ".join(row.split()[-2:]) == " ".join(numbers.split()), (row, numbers)


async def test_s_shows_the_themes_mentioned_with_the_one_under_the_cursor(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(app, pilot)
        text = panel_text(screen)
        lines = text.splitlines()
        assert lines[0] == (
            'Nævnt sammen med Generelt fokus på "borgere på kanten" · 15 af 35 jobcentre '
            "nævner temaet · Kodet af: alle kodere (guld)"
        )
        assert lines[1].split() == ["Tema", "Begge", "Jaccard"]
        expected = expected_lines(demo_copy, "strategier", "borgere-paa-kanten")
        assert expected[0] == ("Udbrede kendskab til handicapkompenserende ordninger", "3  0,17")
        assert_panel_shows(text, expected)
        # the cursor moves: the panel follows, without counting again
        await pilot.press("down", "down")
        await settle(app, pilot)
        row = screen.table.rows[2]
        assert panel_text(screen).splitlines()[0].startswith(f"Nævnt sammen med {row.label}")
        assert_panel_shows(panel_text(screen), expected_lines(demo_copy, "strategier", row.key))
        # s again hides it
        await pilot.press("s")
        await pilot.pause()
        assert not screen.query_one(CooccurrencePanel).display


async def test_nested_theme_and_another_question(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(app, pilot)
        app.set_question("interview")
        await settle(app, pilot)
        assert screen.cooc is not None and screen.cooc.question == "interview"
        keys = [r.key for r in screen.table.rows]
        await pilot.press(*["down"] * keys.index("hjaelpemidler"))
        await settle(app, pilot)
        text = panel_text(screen)
        expected = expected_lines(demo_copy, "interview", "hjaelpemidler")
        assert_panel_shows(text, expected)
        labels = [label for label, _ in expected]
        assert "Handicapkompenserende ordninger" not in labels  # its own parent
        assert "Overtema og egne undertemaer parres ikke" in text


async def test_the_panel_counts_on_the_projects_basis_and_in_its_noun(app, demo_copy):
    with Project.open(demo_copy) as p:  # a second coder, the basis set to her, kommuner
        item = p.items("strategier", respondent="JC04")[0]
        p.toggle_code(item.id, "fleksjob", coder="ane")
        p.toggle_code(item.id, "borgere-paa-kanten", coder="ane")
        p.set_basis("ane")
        p.set_noun("kommune/kommuner")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(app, pilot)
        text = panel_text(screen)
        assert text.splitlines()[0].endswith("1 af 35 kommuner nævner temaet · Kodet af: ane")
        assert "Jaccard: begge / kommuner der nævner" in text
        assert_panel_shows(text, [("Fleksjob", "1  1,00")])
        assert expected_lines(demo_copy, "strategier", "borgere-paa-kanten", "ane") == [
            ("Fleksjob", "1  1,00")
        ]


async def test_panel_waits_while_counting_and_a_failure_is_one_line(app, monkeypatch):
    import qualcode.core.cooccurrence as core

    release = threading.Event()
    real = core.cooccurrence

    def slow(project, qid, *, coder=None):
        release.wait(10)
        if qid == "interview":
            raise RuntimeError("disken er væk")
        return real(project, qid, coder=coder)

    monkeypatch.setattr(core, "cooccurrence", slow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert panel_text(screen) == WAITING
        release.set()
        await settle(app, pilot)
        assert panel_text(screen).startswith("Nævnt sammen med")
        app.set_question("interview")
        await settle(app, pilot)
        assert panel_text(screen) == (
            "Kunne ikke beregne temaer nævnt sammen: RuntimeError: disken er væk"
        )
        assert isinstance(app.screen, CountsScreen)  # the workbench goes on
