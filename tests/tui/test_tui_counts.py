"""Pilot tests of the counts screen (F4): every binding, checked against the project file
and the files written."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from helpers import settle
from qualcode.core.project import Project
from qualcode.io.fmt import points
from qualcode.tui.screens.counts import CountsScreen
from qualcode.tui.widgets.bar_chart import BarChart
from qualcode.tui.widgets.dialogs import ConfirmDialog, InputDialog, export_path

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Exports go to the current folder: make it a private one."""
    monkeypatch.chdir(tmp_path)


async def open_counts(app, pilot) -> CountsScreen:
    await pilot.press("f4")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, CountsScreen)
    assert screen.table is not None
    return screen


def table_rows(screen: CountsScreen) -> dict[str, list[str]]:
    """Row key -> the cells' text, as shown."""
    from textual.widgets import DataTable

    table = screen.query_one("#counts-table", DataTable)
    return {row.key.value: [str(c) for c in table.get_row(row.key)] for row in table.ordered_rows}


def headers(screen: CountsScreen) -> list[str]:
    from textual.widgets import DataTable

    table = screen.query_one("#counts-table", DataTable)
    return [str(c.label) for c in table.ordered_columns]


def on_disk(db, question: str, code: str) -> tuple[int, int]:
    """(distinct respondents coded with ``code``, respondents who answered), from the file."""
    n = db.execute(
        "SELECT COUNT(DISTINCT i.respondent_id) FROM codings c JOIN items i ON i.id = c.item_id"
        " JOIN codes k ON k.id = c.code_id WHERE i.question_id = ? AND k.key = ?"
        " AND i.is_empty = 0",
        [question, code],
    ).fetchone()[0]
    answered = db.execute(
        "SELECT COUNT(DISTINCT respondent_id) FROM items WHERE question_id = ? AND is_empty = 0"
        " AND kind != 'interviewer'",
        [question],
    ).fetchone()[0]
    return n, answered


async def export(app, pilot, key: str, name: str | None = None) -> None:
    """Press the export key, accept (or type) the file name, wait for the file."""
    await pilot.press(key)
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, InputDialog)
    if name is not None:
        from textual.widgets import Input

        dialog.query_one(Input).value = name
    await pilot.press("enter")
    await settle(app, pilot)


# -- the table ------------------------------------------------------------------------


async def test_table_shows_the_reports_layout_for_strategier(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        assert app.question == "strategier"
        # the demo also holds an (invented) 2017 wave: its share and the change follow
        assert headers(screen) == [
            "Tema",
            "Anført af",
            "Andel",
            "Rapport 2018",
            "Forskel",
            "2017",
            "Ændring 2017–2018",
        ]
        rows = table_rows(screen)
        assert on_disk(db, "strategier", "borgere-paa-kanten") == (15, 35)
        label, *cells = rows["borgere-paa-kanten"]
        assert 'Generelt fokus på "borgere på kanten"'.startswith(label.rstrip("…"))
        assert cells[:4] == ["Anført af 15 ud af 35 jobcentre", "42,9 %", "15 af 35", "±0,0 pp"]
        assert cells[4] == "9 af 28 (32,1 %)"  # 2017 (invented), then the change
        assert cells[5].endswith("pp")
        assert rows["fleksjob"][1:3] == ["Anført af 5 ud af 35 jobcentre", "14,3 %"]
        assert list(rows)[-1] == "andet"  # "Andet" last, as in the report
        status = str(screen.query_one("#counts-status").render())
        assert "35 jobcentre har svaret" in status
        chart = screen.query_one(BarChart)
        assert len(chart.bars) == 7
        assert chart.bars[0].text == "15 (42,9 %)" and chart.bars[0].marker == 42.9
        assert chart.marker_label == "Rapport 2018"


async def test_screen_appears_at_once_with_beregner_and_drops_a_stale_count(app, monkeypatch):
    release = threading.Event()
    real = CountsScreen._counts_in_thread
    asked: list[str] = []

    def slow_counts(self, qid):
        asked.append(qid)
        release.wait(10)
        return real(self, qid)

    monkeypatch.setattr(CountsScreen, "_counts_in_thread", slow_counts)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CountsScreen)
        assert str(screen.query_one("#counts-status").render()) == "Beregner…"
        assert screen.table is None
        # the question changes while the first count is still running
        app.set_question("udfordringer-psykiske")
        await pilot.pause()
        release.set()
        await settle(app, pilot)
        assert asked == ["strategier", "udfordringer-psykiske"]
        assert screen.table.question == "udfordringer-psykiske"
        assert "arbejdsgivere" in table_rows(screen)
        assert "5 temaer · 19 jobcentre har svaret" in str(
            screen.query_one("#counts-status").render()
        )


async def test_interview_has_scale_column_nesting_and_no_report_column(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        app.set_question("interview")
        await settle(app, pilot)
        assert headers(screen) == ["Tema", "Nævnt af", "Andel", "Omfang"]
        rows = table_rows(screen)
        assert rows["ordninger"][1:] == [
            "Nævnt af de fleste (14 af 15) jobcentre",
            "93,3 %",
            "de fleste",
        ]
        assert rows["hjaelpemidler"][0] == "  Hjælpemidler"  # nested one level
        assert rows["pa-arbejde"][0].startswith("    Personlig assistance")
        assert rows["pa-uddannelse"][3] == "enkelte"
        assert screen.query_one(BarChart).bars[5].depth == 1


async def test_the_interview_scale_is_said_in_the_language_in_use(app, english):
    """The frame keeps the report's Danish word (a contract of the counts files); the
    screen says it in the language the user chose."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        app.set_question("interview")
        await settle(app, pilot)
        rows = table_rows(screen)
        assert rows["ordninger"][1:] == [
            "Mentioned by most (14 of 15) jobcentre",
            "93.3%",
            "most",
        ]
        assert rows["pa-uddannelse"][3] == "a few"


async def test_switching_question_updates_the_table(app, db):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        assert "borgere-paa-kanten" in table_rows(screen)
        app.set_question("udfordringer-psykiske")
        await settle(app, pilot)
        rows = table_rows(screen)
        assert "borgere-paa-kanten" not in rows
        n, answered = on_disk(db, "udfordringer-psykiske", "arbejdsgivere")
        assert (n, answered) == (9, 19)
        assert rows["arbejdsgivere"][1:4] == ["Anført af 9 ud af 19 jobcentre", "47,4 %", "9 af 19"]
        assert screen.sub_title.startswith("udfordringer-psykiske")


async def test_coding_on_f2_then_f4_shows_the_new_count(app, db, codings_of):
    from qualcode.tui.widgets.code_panel import CodePanel

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        coding = app.screen
        respondent = coding.item.respondent
        coded = {
            r[0]
            for r in db.execute(
                "SELECT k.key FROM codings c JOIN items i ON i.id = c.item_id JOIN codes k"
                " ON k.id = c.code_id WHERE i.respondent_id = ? AND i.question_id = 'strategier'",
                [respondent],
            )
        }
        panel = coding.query_one(CodePanel)
        number, key = next(
            (n, panel.key_at(n)) for n in range(1, 8) if panel.key_at(n) not in coded
        )
        before, answered = on_disk(db, "strategier", key)
        before_row = table_rows(screen)[key]
        assert before_row[1] == f"Anført af {before} ud af {answered} jobcentre"

        await pilot.press(str(number))
        assert codings_of(respondent, "strategier") == [key]
        assert on_disk(db, "strategier", key) == (before + 1, answered)

        await pilot.press("f4")
        await settle(app, pilot)
        assert app.screen is screen
        assert table_rows(screen)[key][1] == f"Anført af {before + 1} ud af {answered} jobcentre"


# -- the keys ---------------------------------------------------------------------------


async def test_r_recomputes_after_another_coder_changed_the_file(app, db, demo_copy):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        before, answered = on_disk(db, "strategier", "fleksjob")
        assert table_rows(screen)["fleksjob"][1] == f"Anført af {before} ud af 35 jobcentre"
        # another analyst codes a jobcentre in the same file
        with Project.open(demo_copy, coder="ole") as other:
            have = {
                r[0]
                for r in db.execute(
                    "SELECT i.respondent_id FROM codings c JOIN items i ON i.id = c.item_id"
                    " JOIN codes k ON k.id = c.code_id WHERE i.question_id = 'strategier'"
                    " AND k.key = 'fleksjob'"
                )
            }
            item = next(
                i for i in other.items("strategier") if i.respondent not in have and not i.is_empty
            )
            other.add_coding(item.id, "fleksjob")
        assert on_disk(db, "strategier", "fleksjob") == (before + 1, answered)
        await pilot.press("r")
        await settle(app, pilot)
        assert table_rows(screen)["fleksjob"][1] == f"Anført af {before + 1} ud af 35 jobcentre"
        assert screen.query_one(BarChart).bars[4].text.startswith(f"{before + 1} (")


async def test_b_cycles_table_and_chart(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        table = screen.query_one("#counts-table")
        box = screen.query_one("#counts-chart-box")
        assert table.display and box.display
        assert box.region.height > 0 and table.region.height > 0
        await pilot.press("b")
        await pilot.pause()
        assert not table.display and box.display and screen.view == "diagram"
        assert box.region.height > 20  # the chart has the room
        await pilot.press("b")
        await pilot.pause()
        assert table.display and not box.display and screen.view == "tabel"
        await pilot.press("b")
        await pilot.pause()
        assert table.display and box.display and screen.view == "begge"


async def test_c_exports_csv(app, db, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        from textual.widgets import Input

        assert dialog.query_one(Input).value == "tabel-strategier.csv"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CountsScreen)
    data = (tmp_path / "tabel-strategier.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Danish Excel's dialect: BOM, ';', decimal commas
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r["code"] for r in rows][0] == "borgere-paa-kanten"
    assert len(rows) == 7
    for r in rows:
        assert r["question"] == "strategier"
        assert (int(r["respondents"]), int(r["answered"])) == on_disk(db, "strategier", r["code"])
    first = rows[0]
    assert (first["percent"], first["published"], first["published_base"]) == ("42,9", "15", "35")


async def test_x_exports_xlsx(app, tmp_path):
    from openpyxl import load_workbook

    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        app.set_question("udfordringer-fysiske")
        await settle(app, pilot)
        await export(app, pilot, "x")
    path = tmp_path / "tabel-udfordringer-fysiske.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["udfordringer-fysiske"]
    ws = wb["udfordringer-fysiske"]
    assert ws["A2"].value == "Tema"
    assert ws["A3"].value == "Større videnskrav"
    assert ws["C3"].value == "Anført af 5 ud af 19 jobcentre"
    assert (ws["D3"].value, ws["E3"].value, ws["F3"].value) == (5, 19, 26.3)
    assert ws["G3"].value == 5  # the report's figure beside it


async def test_m_exports_markdown_to_a_name_without_extension(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        await export(app, pilot, "m", name="rapport-tabel1")
    text = (tmp_path / "rapport-tabel1.md").read_text("utf-8")
    assert text.startswith("### Indhold i lokalpolitiske strategier")
    assert '| Generelt fokus på "borgere på kanten" | ' in text
    assert "| Anført af 15 ud af 35 jobcentre | 43 % | Anført af 15 ud af 35 jobcentre |" in text
    assert "Rapportens tal: Tabel 1" in text


async def test_overwrite_asks_and_no_keeps_the_file(app, tmp_path):
    target = tmp_path / "tabel-strategier.md"
    target.write_text("mine noter", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Overskriv" in dialog.question and "tabel-strategier.md" in dialog.question
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, CountsScreen)
        assert target.read_text("utf-8") == "mine noter"

        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("j")
        await settle(app, pilot)
    assert "Anført af 15 ud af 35 jobcentre" in target.read_text("utf-8")
    assert not list(tmp_path.glob(".tabel-strategier.md.*"))  # no temporary file left


async def test_escape_in_the_name_dialog_writes_nothing(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, InputDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CountsScreen)
    assert not list(tmp_path.glob("tabel-*"))


async def test_export_into_a_missing_folder_says_so_and_writes_nothing(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        await export(app, pilot, "c", name="findes-ikke/tabel.csv")
        assert any("findes ikke" in n.message for n in app._notifications)
    assert not (tmp_path / "findes-ikke").exists()


# -- layout, palette ------------------------------------------------------------------


async def test_works_at_80x24(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_counts(app, pilot)
        table = screen.query_one("#counts-table")
        box = screen.query_one("#counts-chart-box")
        assert table.region.height >= 4 and box.region.height >= 3
        assert table.region.right <= 80 and box.region.right <= 80
        lines = screen.query_one(BarChart).lines()
        assert lines and all(len(line.plain) <= box.region.width for line in lines)
        assert "15 (42,9 %)" in lines[0].plain


async def test_every_binding_has_a_description_and_is_in_the_palette(app):
    from qualcode.tui.commands import BindingCommands

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        for binding in CountsScreen.BINDINGS:
            assert binding.description and binding.tooltip and binding.id
        provider = BindingCommands(screen)
        texts = [text for text, *_ in provider._commands()]
        for wanted in (
            "Eksportér CSV (c)",
            "Eksportér XLSX (x)",
            "Eksportér Markdown (m)",
            "Genberegn (r)",
            "Diagram (b)",
        ):
            assert wanted in texts


# -- helpers ----------------------------------------------------------------------------


def test_points_and_export_path(tmp_path, monkeypatch):
    assert points(2.857) == "+2,9 pp"
    assert points(-1.04) == "−1,0 pp"
    assert points(0.01) == "±0,0 pp"
    assert points(None) == "–"  # missing, as everywhere
    assert export_path("tabel", ".xlsx") == tmp_path / "tabel.xlsx"
    assert export_path("a/b.csv", ".csv") == tmp_path / "a" / "b.csv"
    assert export_path("/x/y.md", ".md").as_posix() == "/x/y.md"


async def test_counts_again_only_when_the_project_changed(app, monkeypatch):
    """Neither a closing dialog nor coming back from another screen counts again, unless
    the project changed meanwhile (a coding on F2)."""
    real = CountsScreen._counts_in_thread
    asked: list[str] = []

    def counted(self, qid):
        asked.append(qid)
        return real(self, qid)

    monkeypatch.setattr(CountsScreen, "_counts_in_thread", counted)
    async with app.run_test(size=SIZE) as pilot:
        await open_counts(app, pilot)
        assert asked == ["strategier"]
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        assert asked == ["strategier"]
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f4")
        await settle(app, pilot)
        assert asked == ["strategier"]  # nothing changed: the table shown is still right
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("1")  # a coding: the counts change
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        assert asked == ["strategier", "strategier"]


async def test_a_project_without_questions_says_what_to_do(tmp_path):
    from qualcode.tui.app import make_app

    Project.create(tmp_path / "tom.qualcode.db").close()
    app = make_app(tmp_path / "tom.qualcode.db", coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CountsScreen)
        assert "ingen spørgsmål" in str(screen.query_one("#counts-status").render())
        for key in ("c", "r"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen  # no dialog, a warning instead
        assert not list(tmp_path.glob("tabel-*"))


# -- failures ---------------------------------------------------------------------------


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_a_count_that_fails_says_so_and_r_counts_again(app, monkeypatch):
    real = CountsScreen._counts_in_thread

    def broken(self, qid):
        raise RuntimeError("tabellen\nforsvandt")

    monkeypatch.setattr(CountsScreen, "_counts_in_thread", broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        assert screen.table is None
        assert errors(app) == ["Optællingen mislykkedes: RuntimeError: tabellen⏎forsvandt"]
        assert str(screen.query_one("#counts-status").render()) == (
            "Kunne ikke tælle strategier: RuntimeError: tabellen⏎forsvandt"
        )
        monkeypatch.setattr(CountsScreen, "_counts_in_thread", real)
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.table is not None and len(table_rows(screen)) == 7
        assert len(errors(app)) == 1


async def test_an_export_that_fails_unexpectedly_says_so_and_the_next_one_works(
    app, tmp_path, monkeypatch
):
    import qualcode.io.export as export_module

    real = export_module.render_counts

    def broken(*args, **kwargs):
        raise RuntimeError("pennen knækkede")

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_counts(app, pilot)
        monkeypatch.setattr(export_module, "render_counts", broken)
        await export(app, pilot, "c")
        assert errors(app) == ["Filen kunne ikke gemmes: RuntimeError: pennen knækkede"]
        status = str(screen.query_one("#counts-status").render())
        assert "Gemmer" not in status and "7 temaer" in status
        assert not (tmp_path / "tabel-strategier.csv").exists()
        monkeypatch.setattr(export_module, "render_counts", real)
        await export(app, pilot, "c")
        assert len(errors(app)) == 1
    assert (tmp_path / "tabel-strategier.csv").read_text("utf-8-sig").startswith("question;")
