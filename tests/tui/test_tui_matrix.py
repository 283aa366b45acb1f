"""Pilot tests of the theme matrix screen (F7, t): what it shows is what core.matrix
computes and io.matrix renders, for questions sharing a codebook (the default), an
attribute's values in survey order, top N with ties, the coder basis, and the exports."""

from __future__ import annotations

import pytest

from helpers import settle
from qualcode.core.crosstab import parse_groups
from qualcode.core.matrix import QuestionGroup, parse_questions, theme_matrix
from qualcode.core.project import Project
from qualcode.demo import ACTOR_QUESTIONS
from qualcode.io.export import excel_da
from qualcode.io.matrix import display_rows, notes, render_matrix
from qualcode.tui.screens.crosstab import CrosstabScreen
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.widgets.dialogs import InputDialog, PickDialog

SIZE = (140, 40)
ACTOR_IDS = list(ACTOR_QUESTIONS)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def shown(screen: MatrixScreen) -> tuple[list[str], list[list[str]]]:
    from textual.widgets import DataTable

    table = screen.query_one("#matrix-table", DataTable)
    head = [str(c.label) for c in table.ordered_columns]
    rows = [[str(c) for c in table.get_row(r.key)] for r in table.ordered_rows]
    return head, rows


def expected(path, **kwargs):
    with Project.open(path, readonly=True) as p:
        return theme_matrix(p, coder=p.basis(), **kwargs)


async def open_matrix(app, pilot) -> MatrixScreen:
    await pilot.press("f7")
    await settle(app, pilot)
    assert isinstance(app.screen, CrosstabScreen)
    await pilot.press("t")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, MatrixScreen)
    return screen


async def type_into(app, pilot, key: str, text: str) -> None:
    from textual.widgets import Input

    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, InputDialog)
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(app, pilot)


async def pick(app, pilot, value: str) -> None:
    from textual.widgets import OptionList

    await pilot.press("a")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, PickDialog)
    options = dialog.query_one(OptionList)
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == value
    )
    await pilot.press("enter")
    await settle(app, pilot)


async def test_questions_sharing_the_codebook_then_tabel_4(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(app, pilot)
        # strategier's codebook is shared by its 2017 wave: a row each, every theme
        frame = expected(demo_copy, questions=parse_questions("strategier,strategier-2017"))
        assert shown(screen) == display_rows(frame)
        head, rows = shown(screen)
        assert head[1] == 'Generelt fokus på "borgere på kanten"'
        assert rows[0][:2] == ["strategier", "15 af 35 (42,9 %)"]
        assert str(screen.query_one("#matrix-notes").render()) == "\n".join(notes(frame))

        # another question of another codebook: its five questions
        app.set_question("samarbejde-satspulje")
        await settle(app, pilot)
        groups = [QuestionGroup(q, q) for q in ACTOR_IDS]
        assert shown(screen) == display_rows(expected(demo_copy, questions=groups))

        # top 2, ties kept: Tabel 4
        await type_into(app, pilot, "n", "2")
        frame = expected(demo_copy, questions=groups, top=2)
        assert shown(screen) == display_rows(frame)
        first = [r[1] for r in shown(screen)[1]][:4]
        assert first == [
            "Virksomhedsrettede aktiviteter",
            "Jobformidling",
            "Opkvalificering af borger",
            "Mentor- eller netværksstøtte",
        ]
        assert shown(screen)[1][0][2] == "Anført af 10 ud af 14 jobcentre"
        assert "de 2 hyppigste temaer" in screen.sub_title

        # rows named as typed
        spec = ",".join(f"{name}={qid}" for qid, (_c, name) in ACTOR_QUESTIONS.items())
        await type_into(app, pilot, "s", spec)
        frame = expected(demo_copy, questions=parse_questions(spec), top=2)
        assert shown(screen) == display_rows(frame)
        assert shown(screen)[1][0][0] == "Lokale virksomheder"

        # back to every theme; escape goes back to the crosstab
        await type_into(app, pilot, "n", "")
        assert shown(screen) == display_rows(expected(demo_copy, questions=parse_questions(spec)))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CrosstabScreen)


async def test_attribute_values_in_survey_order_and_grouped(app, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(app, pilot)
        await pick(app, pilot, "lokalpolitisk_fokus")
        frame = expected(demo_copy, question="strategier", by="lokalpolitisk_fokus")
        assert shown(screen) == display_rows(frame)
        assert [r[0] for r in shown(screen)[1]] == [
            "I meget høj grad",
            "I høj grad",
            "I nogen grad",
            "I mindre grad",
        ]
        assert "grupper uden svar: Ved ikke" in str(screen.query_one("#matrix-notes").render())

        spec = "høj=I høj grad,I meget høj grad; lav=I nogen grad,I mindre grad"
        await type_into(app, pilot, "g", spec)
        groups = parse_groups(["høj=I høj grad,I meget høj grad", "lav=I nogen grad,I mindre grad"])
        frame = expected(demo_copy, question="strategier", by="lokalpolitisk_fokus", groups=groups)
        assert shown(screen) == display_rows(frame)
        assert [r[0] for r in shown(screen)[1]] == ["høj", "lav"]

        # a question with one codebook of its own, by the attribute
        app.set_question("udfordringer-psykiske")
        await settle(app, pilot)
        frame = expected(
            demo_copy, question="udfordringer-psykiske", by="lokalpolitisk_fokus", groups=groups
        )
        assert shown(screen) == display_rows(frame)


async def test_a_question_alone_asks_for_rows_and_a_failed_count_says_why(app):
    async with app.run_test(size=SIZE) as pilot:
        app.set_question("interview")  # no other question uses interviewtemaer
        screen = await open_matrix(app, pilot)
        assert screen.view is None
        status = str(screen.query_one("#matrix-status").render())
        assert "Tryk a" in status and "interview" in status
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is screen  # a warning, no dialog
        await type_into(app, pilot, "s", "strategier,udfordringer-fysiske")
        assert screen.view is None
        assert "skal have samme kodebog" in str(screen.query_one("#matrix-status").render())
        await type_into(app, pilot, "s", "strategier,nope")  # refused before counting
        assert any("intet spørgsmål 'nope'" in n.message for n in app._notifications)
        await type_into(app, pilot, "n", "to")
        assert any("helt tal" in n.message for n in app._notifications)


async def test_the_basis_and_the_exports(app, demo_copy, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    with Project.open(demo_copy) as p:
        for item in p.items("strategier")[:5]:
            if not item.is_empty:
                p.add_coding(item.id, "fleksjob", coder="ida")
        p.set_basis("ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(app, pilot)
        frame = expected(demo_copy, questions=parse_questions("strategier,strategier-2017"))
        assert frame.attrs["coder"] == "ida"
        assert shown(screen) == display_rows(frame)
        assert "Kodet af: ida" in screen.sub_title
        for key, fmt in (("c", "csv"), ("x", "xlsx"), ("m", "md"), ("d", "docx")):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, InputDialog)
            await pilot.press("enter")
            await settle(app, pilot)
            assert (tmp_path / f"temamatrix.{fmt}").exists(), fmt
    # a CSV for a person: Danish Excel's dialect, as F7's
    assert (tmp_path / "temamatrix.csv").read_bytes() == excel_da(render_matrix(frame, "csv"))
    assert (tmp_path / "temamatrix.md").read_bytes() == render_matrix(frame, "md")
    head, body = display_rows(frame)
    table = Document(tmp_path / "temamatrix.docx").tables[0]
    got = [[c.text.replace("\xa0", " ") for c in row.cells] for row in table.rows]
    assert got == [head, *body]  # "%" kept on its number's line with a no-break space
    ws = load_workbook(tmp_path / "temamatrix.xlsx").active
    assert ws["A3"].value == "strategier" and ws["B3"].value == 35
