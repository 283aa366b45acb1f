"""Pilot tests of the crosstab screen (F7) and of saving the counts screen's chart (F4, g):
what is shown is what core.crosstab computes, and the files written hold it."""

from __future__ import annotations

import csv
import io

import pytest

from helpers import settle
from qualcode.core.crosstab import crosstab, parse_groups
from qualcode.core.project import Project
from qualcode.io.crosstab import crosstab_csv, display_rows, notes
from qualcode.io.export import excel_da
from qualcode.tui.screens.counts import CountsScreen
from qualcode.tui.screens.crosstab import CrosstabScreen, group_spec, parse_spec
from qualcode.tui.widgets.dialogs import ConfirmDialog, InputDialog, PickDialog

SIZE = (120, 36)
SPEC = "høj/meget høj=I høj grad,I meget høj grad; nogen/mindre=I nogen grad,I mindre grad"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def shown(screen: CrosstabScreen) -> tuple[list[str], list[list[str]]]:
    """The table's headers and cells, lines wrapped at word boundaries joined again."""
    from textual.widgets import DataTable

    table = screen.query_one("#crosstab-table", DataTable)
    head = [str(c.label).replace("\n", " ") for c in table.ordered_columns]
    rows = [[str(c).replace("\n", " ") for c in table.get_row(r.key)] for r in table.ordered_rows]
    return head, rows


def vertical(frame) -> tuple[list[str], list[list[str]]]:
    """The crosstab laid out vertically: per theme its row with the difference (two
    groups) and the test, then a row per group with its share."""
    head, rows = display_rows(frame)
    groups = frame.attrs["groups"]
    two = len(groups) == 2
    rest = head[2 + len(groups) :] if two else head[1 + len(groups) :]
    body = []
    for r in rows:
        body.append([r[0], r[1 + len(groups)] if two else "", *r[len(head) - len(rest) :]])
        indent = r[0][: len(r[0]) - len(r[0].lstrip())] + "  "  # a sub-theme's groups deeper
        body += [[indent + g, r[1 + i], *[""] * len(rest)] for i, g in enumerate(groups)]
    return [head[0], "Andel / forskel" if two else "Andel", *rest], body


def fits(screen: CrosstabScreen) -> bool:
    """The whole table is in view across: no scrolling sideways."""
    from textual.widgets import DataTable

    table = screen.query_one("#crosstab-table", DataTable)
    return table.virtual_size.width <= table.scrollable_content_region.width


def expected(db_path, question: str, attribute: str, spec: str | None = None):
    with Project.open(db_path) as p:
        return crosstab(p, question, attribute, groups=parse_spec(spec) if spec else None)


async def open_crosstab(app, pilot) -> CrosstabScreen:
    await pilot.press("f7")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, CrosstabScreen)
    return screen


async def pick(app, pilot, attribute: str) -> None:
    from textual.widgets import OptionList

    await pilot.press("a")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, PickDialog)
    options = dialog.query_one(OptionList)
    index = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == attribute
    )
    options.highlighted = index
    await pilot.press("enter")
    await settle(app, pilot)


async def group(app, pilot, spec: str) -> None:
    from textual.widgets import Input

    await pilot.press("g")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, InputDialog)
    dialog.query_one(Input).value = spec
    await pilot.press("enter")
    await settle(app, pilot)


def test_group_spec_round_trip():
    groups = parse_spec(SPEC)
    assert groups == parse_groups(
        ["høj/meget høj=I høj grad,I meget høj grad", "nogen/mindre=I nogen grad,I mindre grad"]
    )
    assert parse_spec(group_spec(groups)) == groups
    assert parse_spec("  ") is None


async def test_starts_by_asking_for_an_attribute(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        assert "Tryk a" in str(screen.query_one("#crosstab-status").render())
        assert screen.view is None
        for key in ("c", "g", "r"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen  # a warning, no dialog


async def test_pick_attribute_then_group_shows_core_crosstab(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "lokalpolitisk_fokus")
        frame = expected(demo_copy, "strategier", "lokalpolitisk_fokus")
        # every value on its own ('Ved ikke' answered none), in the survey's order
        assert frame.attrs["groups"] == [
            "I meget høj grad",
            "I høj grad",
            "I nogen grad",
            "I mindre grad",
        ]
        # four groups do not fit beside the themes in 120 columns: vertical
        assert shown(screen) == vertical(frame)
        assert fits(screen)
        text = str(screen.query_one("#crosstab-notes").render())
        assert "chi-i-anden" in text and "Advarsel" in text
        assert "grupper uden svar: Ved ikke" in text

        await group(app, pilot, SPEC)
        frame = expected(demo_copy, "strategier", "lokalpolitisk_fokus", SPEC)
        head, rows = shown(screen)
        assert (head, rows) == display_rows(frame)  # two groups fit: a column each
        assert fits(screen)
        assert head == [
            "Tema",
            "høj/meget høj",
            "nogen/mindre",
            "Forskel",
            "Test",
            "p",
            "Signifikant",
        ]
        assert rows[0][:4] == [
            'Generelt fokus på "borgere på kanten"',
            "9 af 22 (40,9 %)",
            "6 af 13 (46,2 %)",
            "−5,2 pp",
        ]
        assert str(screen.query_one("#crosstab-notes").render()) == "\n".join(notes(frame))
        assert screen.sub_title == (
            "strategier · lokalpolitisk_fokus · Kodet af: alle kodere (guld)"
        )


async def test_switching_question_recounts(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "stoerrelse")
        app.set_question("udfordringer-psykiske")
        await settle(app, pilot)
        assert screen.view.question == "udfordringer-psykiske"
        assert shown(screen) == display_rows(
            expected(demo_copy, "udfordringer-psykiske", "stoerrelse")
        )


async def test_a_bad_grouping_is_refused_and_the_table_kept(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "lokalpolitisk_fokus")
        before = shown(screen)
        await group(app, pilot, "høj")  # no '='
        assert any("NAVN=VÆRDI" in n.message for n in app._notifications)
        assert shown(screen) == before
        await group(app, pilot, "a=I høj grad")  # one group: nothing to compare
        assert screen.view is None
        assert "færre end to grupper" in str(screen.query_one("#crosstab-status").render())


async def test_exports_hold_the_crosstab(app, demo_copy, tmp_path):
    from openpyxl import load_workbook
    from textual.widgets import Input

    async with app.run_test(size=SIZE) as pilot:
        await open_crosstab(app, pilot)
        await pick(app, pilot, "lokalpolitisk_fokus")
        await group(app, pilot, SPEC)
        for key in ("c", "x", "m"):
            await pilot.press(key)
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, InputDialog)
            assert dialog.query_one(Input).value.startswith(
                "krydstabel-strategier-lokalpolitisk_fokus."
            )
            await pilot.press("enter")
            await settle(app, pilot)
        # again: asks before overwriting, and "n" keeps the file
        target = tmp_path / "krydstabel-strategier-lokalpolitisk_fokus.csv"
        target.write_text("mine", encoding="utf-8")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(app, pilot)
        assert target.read_text("utf-8") == "mine"
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("j")
        await settle(app, pilot)
    frame = expected(demo_copy, "strategier", "lokalpolitisk_fokus", SPEC)
    assert target.read_bytes() == excel_da(crosstab_csv(frame))  # for Danish Excel
    rows = list(
        csv.DictReader(io.StringIO(target.read_text("utf-8-sig"), newline=""), delimiter=";")
    )
    assert rows[0]["n_høj/meget høj"] == "9" and rows[0]["test"] == "fisher"
    ws = load_workbook(tmp_path / "krydstabel-strategier-lokalpolitisk_fokus.xlsx").active
    assert (ws["B3"].value, ws["C3"].value) == (9, 22)
    assert ws["J3"].value == pytest.approx(frame.iloc[0]["p_value"])
    md = (tmp_path / "krydstabel-strategier-lokalpolitisk_fokus.md").read_text("utf-8")
    assert "| Tema | høj/meget høj | nogen/mindre |" in md


async def test_every_binding_has_a_description_and_f7_is_in_the_palette(app):
    from qualcode.tui.commands import BindingCommands

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        for binding in CrosstabScreen.BINDINGS:
            assert binding.description and binding.tooltip and binding.id
        texts = [text for text, *_ in BindingCommands(screen)._commands()]
        for wanted in ("Variabel (a)", "Gruppér (g)", "Eksportér CSV (c)", "Krydstabel (f7)"):
            assert wanted in texts


# -- F4: the chart as a file ------------------------------------------------------------


@pytest.mark.fresh_charts  # the chart written compared with one drawn here: both drawn
async def test_counts_g_saves_the_chart_as_png_and_svg(app, demo_copy, tmp_path):
    from textual.widgets import Input

    from qualcode.io.charts import chart_bytes

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        assert isinstance(app.screen, CountsScreen)
        await pilot.press("g")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        assert dialog.query_one(Input).value == "figur-strategier.png"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one(Input).value = "figur æøå.svg"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one(Input).value = "figur.gif"
        await pilot.press("enter")
        await settle(app, pilot)
        assert any(".png eller .svg" in n.message for n in app._notifications)
    assert (tmp_path / "figur-strategier.png").read_bytes().startswith(b"\x89PNG")
    with Project.open(demo_copy) as p:
        assert (tmp_path / "figur æøå.svg").read_bytes() == chart_bytes(
            p.counts("strategier"), "svg"
        )
    assert not (tmp_path / "figur.gif").exists()


async def test_counts_p_writes_the_report_as_docx_and_xlsx(app, demo_copy, tmp_path):
    """F4 p: the same report as `qualcode report`, Tabel 1 in it, and a wrong suffix refused."""
    import docx
    from openpyxl import load_workbook
    from textual.widgets import Input

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "rapport.docx"
        await pilot.press("enter")
        await settle(app, pilot)
        for name in ("rapport.xlsx", "rapport.pdf"):
            await pilot.press("p")
            await pilot.pause()
            app.screen.query_one(Input).value = name
            await pilot.press("enter")
            await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("Rapporten er gemt (9 tabeller)" in m for m in messages)
        assert any("rapport.pdf skal ende på .docx, .xlsx, .html eller .md" in m for m in messages)
    text = "\n".join(
        c.text
        for t in docx.Document(tmp_path / "rapport.docx").tables
        for row in t.rows
        for c in row.cells
    )
    assert 'Generelt fokus på "borgere på kanten"' in text
    assert "Anført af 15 ud af 35 jobcentre" in text
    sheets = load_workbook(tmp_path / "rapport.xlsx").sheetnames
    assert sheets[0].startswith("Tabel 1")
    assert not (tmp_path / "rapport.pdf").exists()


# -- survey order, the width, coming back ------------------------------------------------

SURVEY = ["I meget høj grad", "I høj grad", "I nogen grad", "I mindre grad"]


async def test_values_in_survey_order_in_the_dialogs_and_the_table(app, demo_copy):
    from textual.widgets import OptionList

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = {
            options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        }
        assert ", ".join(SURVEY) + " …" in prompts["lokalpolitisk_fokus"]
        await pilot.press("escape")
        await pilot.pause()
        await pick(app, pilot, "lokalpolitisk_fokus")
        _head, rows = shown(screen)
        assert [r[0].strip() for r in rows[1:5]] == SURVEY  # the first theme's groups
        await pilot.press("g")
        await pilot.pause()
        assert ", ".join(SURVEY) + ", Ved ikke" in app.screen.title_text


async def test_o_gives_the_survey_order_once_and_every_table_follows(app, demo_copy):
    from click.testing import CliRunner
    from textual.widgets import Input

    from qualcode.cli import cli
    from qualcode.core.crosstab import stored_order

    order = ["Syddanmark", "Sjælland", "Hovedstaden", "Midtjylland", "Nordjylland"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "region")  # no order in the register: sorted
        assert screen.view.head[1:6] == sorted(order)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        assert dialog.query_one(Input).value == ", ".join(sorted(order))
        dialog.query_one(Input).value = "Syddanmark, Atlantis"  # no such value: refused
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("Atlantis" in n.message for n in app._notifications)
        with Project.open(demo_copy) as p:
            assert stored_order(p, "region") == []
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one(Input).value = ", ".join(order)
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.view.head[1:6] == order
        _head, rows = shown(screen)
        assert [r[0].strip() for r in rows[1:6]] == order
        await pilot.press("u")  # undone: no order again
        await settle(app, pilot)
        with Project.open(demo_copy) as p:
            assert stored_order(p, "region") == []
        assert screen.view.head[1:6] == sorted(order)
        assert any("Fortrudt: rækkefølgen af region" in n.message for n in app._notifications)
        await pilot.press("ctrl+y")  # and redone
        await settle(app, pilot)
        assert screen.view.head[1:6] == order
    with Project.open(demo_copy) as p:
        assert stored_order(p, "region") == order
    out = CliRunner().invoke(
        cli,
        [
            "crosstab",
            str(demo_copy),
            "--question",
            "strategier",
            "--by",
            "region",
            "--format",
            "csv",
        ],
    )
    assert out.exit_code == 0, out.output
    header = out.output.splitlines()[0]
    positions = [header.index(f"n_{v}") for v in order]
    assert positions == sorted(positions)  # the CLI's columns in the same order


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_the_table_fits_the_width(demo_copy, size):
    from qualcode.tui.app import make_app

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=size) as pilot:
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "lokalpolitisk_fokus")
        assert fits(screen)
        assert screen.view.groups == 4
        await group(app, pilot, SPEC)
        assert fits(screen)
        frame = expected(demo_copy, "strategier", "lokalpolitisk_fokus", SPEC)
        # two groups fit beside the themes at 120 columns, not at 80
        want = display_rows(frame) if size[0] == 120 else vertical(frame)
        assert shown(screen) == want


async def test_coming_back_counts_again_only_after_a_change(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "lokalpolitisk_fokus")
        before = screen.view
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        assert screen.view is before  # nothing changed: not counted again
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("1")  # a coding on F2
        await settle(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        assert screen.view is not before
        frame = expected(demo_copy, "strategier", "lokalpolitisk_fokus")
        assert shown(screen) == vertical(frame)


async def test_a_nested_codebook_keeps_its_depth_in_the_vertical_layout(app, demo_copy):
    """The interviews' themes are nested: a sub-theme's groups sit under its label."""
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_question("interview")
        screen = await open_crosstab(app, pilot)
        await pick(app, pilot, "stoerrelse")
        frame = expected(demo_copy, "interview", "stoerrelse")
        assert frame["depth"].max() == 2
        assert shown(screen) == vertical(frame)
        assert fits(screen)
