"""Pilot tests of the import screen (key i): every binding, checked against the project file.

The form is driven by setting widget values and pressing the screen's keys and buttons;
what counts is what is in the DATABASE afterwards (read through the separate `db`
connection), not what the screen says.
"""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Checkbox, DirectoryTree, Input, Label, Select

from qualcode.tui.commands import BindingCommands
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.import_screen import ImportScreen

SIZE = (120, 36)
TABLES = ("items", "codings", "events", "respondents", "attributes", "questions", "imports")


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ";", encoding: str = "cp1252"
) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def table_counts(db) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


async def open_import(pilot, app) -> ImportScreen:
    await pilot.press("i")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    return screen


async def choose_file(pilot, screen: ImportScreen, path: Path) -> None:
    """Type the path; for a CSV/XLSX wait until its header is offered in the selects."""
    screen.query_one("#import-path", Input).value = str(path)
    await pilot.pause()
    if path.suffix.lower() in (".csv", ".xlsx"):
        await asyncio.wait_for(screen.header_done.wait(), 10)
        await pilot.pause()


async def wait_finished(pilot, screen: ImportScreen) -> None:
    await asyncio.wait_for(screen.import_done.wait(), 60)
    await pilot.pause()


def set_select(screen: ImportScreen, selector: str, value: str) -> None:
    screen.query_one(selector, Select).value = value


def set_input(screen: ImportScreen, selector: str, value: str) -> None:
    screen.query_one(selector, Input).value = value


def error_text(screen: ImportScreen) -> str:
    label = screen.query_one("#import-error", Label)
    return str(label.render()) if label.display else ""


# -- answers ---------------------------------------------------------------------------

ANSWERS = [
    ["jobcenter_id", "navn", "svar", "kommune"],
    ["JC01", "Jobcenter Lyngbakken", "Vi prioriterer hjælpemidler og fleksjob højt.", "Århus"],
    ["X901", "Jobcenter Østerå", "Særligt fokus på ældre borgere med høretab.", "Ærø"],
    ["X902", "Jobcenter Ålyst", "", "Søby"],
]


async def test_import_answers_csv_cp1252_into_new_question(app, db, tmp_path):
    path = write_csv(tmp_path / "nye_svar.csv", ANSWERS)
    before = table_counts(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        # the header is offered, with the obvious columns already picked
        assert screen.query_one("#import-respondent-col", Select).value == "jobcenter_id"
        assert screen.query_one("#import-text-col", Select).value == "svar"
        assert screen.query_one("#import-name-col", Select).value == "navn"
        set_input(screen, "#import-question", "tilgaengelighed")
        set_select(screen, "#import-codebook", "udfordringer-fysiske")
        set_input(screen, "#import-attr-cols", "kommune")
        await pilot.pause()
        await pilot.click("#import-run")
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)  # dismissed with the summary
    rows = db.execute(
        "SELECT respondent_id, text, is_empty, kind FROM items"
        " WHERE question_id = 'tilgaengelighed' ORDER BY respondent_id"
    ).fetchall()
    assert rows == [
        ("JC01", "Vi prioriterer hjælpemidler og fleksjob højt.", 0, "answer"),
        ("X901", "Særligt fokus på ældre borgere med høretab.", 0, "answer"),
        ("X902", "", 1, "answer"),
    ]
    assert db.execute(
        "SELECT codebook_id, kind FROM questions WHERE id = 'tilgaengelighed'"
    ).fetchone() == ("udfordringer-fysiske", "open")
    assert db.execute("SELECT name FROM respondents WHERE id = 'X901'").fetchone() == (
        "Jobcenter Østerå",
    )
    assert db.execute(
        "SELECT value FROM attributes WHERE respondent_id = 'X902' AND name = 'kommune'"
    ).fetchone() == ("Søby",)
    after = table_counts(db)
    assert after["items"] == before["items"] + 3
    assert after["imports"] == before["imports"] + 1
    assert db.execute(
        "SELECT actor FROM events WHERE action = 'import.answers' ORDER BY id DESC LIMIT 1"
    ).fetchone() == ("ida",)


async def test_same_file_twice_says_nothing_new_and_stays_open(app, db, tmp_path):
    path = write_csv(tmp_path / "nye_svar.csv", ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            screen = await open_import(pilot, app)
            await choose_file(pilot, screen, path)
            set_input(screen, "#import-question", "tilgaengelighed")
            set_select(screen, "#import-codebook", "udfordringer-fysiske")
            await pilot.press("ctrl+r")
            await wait_finished(pilot, screen)
        before = table_counts(db)
        assert app.screen is screen  # nothing new: the screen stays, with a message
        assert "Intet nyt" in str(screen.query_one("#import-status", Label).render())
        assert table_counts(db) == before
        assert (
            db.execute(
                "SELECT COUNT(*) FROM items WHERE question_id = 'tilgaengelighed'"
            ).fetchone()[0]
            == 3
        )


async def test_import_error_mid_import_rolls_back_and_screen_stays_open(app, db, tmp_path):
    # X950 is new (written first), then JC01 has another answer to 'strategier' already:
    # the core refuses the whole import, so X950 must not be left behind.
    path = write_csv(
        tmp_path / "konflikt.csv",
        [
            ["jobcenter_id", "svar"],
            ["X950", "Et helt nyt jobcenter."],
            ["JC01", "Et andet svar end det, der står i projektet."],
        ],
    )
    before = table_counts(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_input(screen, "#import-question", "strategier")
        await pilot.pause()
        # an existing question brings its own codebook
        assert screen.query_one("#import-codebook", Select).value == "lokalpolitiske-strategier"
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert app.screen is screen
        assert "har allerede et andet svar" in error_text(screen)
        assert table_counts(db) == before
        assert db.execute("SELECT COUNT(*) FROM respondents WHERE id = 'X950'").fetchone()[0] == 0
        # fix the option and try again: into a new question it works
        set_input(screen, "#import-question", "strategier-2019")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)
    assert (
        db.execute("SELECT COUNT(*) FROM items WHERE question_id = 'strategier-2019'").fetchone()[0]
        == 2
    )


async def test_missing_column_shows_error_and_changes_nothing(app, db, tmp_path):
    path = write_csv(
        tmp_path / "kodninger.csv",
        [
            ["respondent", "question", "kode"],
            ["JC01", "strategier", "fleksjob"],
        ],
        delimiter=",",
        encoding="utf-8",
    )
    before = table_counts(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_select(screen, "#import-kind", "codings")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert app.screen is screen
        message = error_text(screen)
        assert "ingen kolonne 'code'" in message and "kodninger.csv" in message
        assert "\n" not in message
        assert screen.query_one("#import-error", Label).has_class("error")
    assert table_counts(db) == before


async def test_missing_option_is_named_before_anything_runs(app, db, tmp_path):
    path = write_csv(tmp_path / "nye_svar.csv", ANSWERS)
    before = table_counts(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        await pilot.press("ctrl+r")  # no question id given
        await pilot.pause()
        assert screen.import_worker is None
        assert "spørgsmålets id" in error_text(screen)
    assert table_counts(db) == before


# -- codings and the register ------------------------------------------------------------


async def test_import_codings_with_default_coder(app, db, tmp_path, codings_of):
    respondent = db.execute(
        "SELECT respondent_id FROM items WHERE question_id = 'strategier'"
        " AND is_empty = 0 ORDER BY respondent_id LIMIT 1"
    ).fetchone()[0]
    path = write_csv(
        tmp_path / "kodninger.csv",
        [
            ["respondent", "question", "code"],
            [respondent, "strategier", "Andet"],
        ],
        delimiter=",",
        encoding="utf-8",
    )
    assert "andet" not in codings_of(respondent, "strategier", "ida")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        assert screen.kind == "codings"  # guessed from the header
        assert screen.query_one("#import-coder", Input).value == "ida"
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)
    keys = codings_of(respondent, "strategier", "ida")
    assert len(keys) == 1 and keys[0].startswith("andet")


async def test_import_register_with_all_attributes(app, db, tmp_path):
    path = write_csv(
        tmp_path / "register.csv",
        [
            ["jobcenter_id", "navn", "landsdel", "tilskud"],
            ["X801", "Jobcenter Æblerød", "Vest", "Ja"],
            ["X802", "Jobcenter Øvre Å", "Øst", "Nej"],
        ],
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_select(screen, "#import-kind", "register")
        screen.query_one("#import-all-attrs", Checkbox).value = True
        await pilot.pause()
        assert not screen.query_one("#import-text-row").display
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)
    assert db.execute(
        "SELECT id, name FROM respondents WHERE id LIKE 'X8%' ORDER BY id"
    ).fetchall() == [("X801", "Jobcenter Æblerød"), ("X802", "Jobcenter Øvre Å")]
    assert sorted(
        db.execute("SELECT name, value FROM attributes WHERE respondent_id = 'X802'").fetchall()
    ) == [("landsdel", "Øst"), ("tilskud", "Nej")]


# -- interviews, picked in the folder tree ------------------------------------------------

TRANSCRIPT = """# JC99 Jobcenter Testby

Interviewer: Hvordan har du oplevet det lokalpolitiske fokus i 2018?

Arbejdsmarkedschef: Fokus har været stort. Politikerne spørger til tallene.

Det er et nyt afsnit i samme tur.

Interviewer: Hvilke ordninger bruger I mest?

**Afdelingsleder:** Hjælpemidler og personlig assistance, helt klart.
"""


async def test_import_interview_picked_in_tree(app, db, tmp_path, monkeypatch):
    folder = tmp_path / "udskrifter"
    folder.mkdir()
    (folder / "JC99.md").write_text(TRANSCRIPT, encoding="utf-8")
    monkeypatch.chdir(folder)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await pilot.press("ctrl+l")  # away from the tree, then back with ctrl+o
        await pilot.press("ctrl+o")
        tree = screen.query_one("#import-tree", DirectoryTree)
        assert app.focused is tree
        await tree.reload()  # the tree lists the folder in a worker: wait for it
        await pilot.pause()
        assert [node.label.plain for node in tree.root.children] == ["JC99.md"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.query_one("#import-path", Input).value == "JC99.md"
        assert screen.kind == "interviews"
        # 'interview' exists in the demo, so its codebook is chosen, not the default
        assert screen.query_one("#import-i-codebook", Select).value == "interviewtemaer"
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)
    rows = db.execute(
        "SELECT position, kind, speaker_role, text FROM items"
        " WHERE question_id = 'interview' AND respondent_id = 'JC99'"
        " ORDER BY position"
    ).fetchall()
    assert [(r[1], r[2]) for r in rows] == [
        ("interviewer", "Interviewer"),
        ("excerpt", "Arbejdsmarkedschef"),
        ("interviewer", "Interviewer"),
        ("excerpt", "Afdelingsleder"),
    ]
    assert rows[1][3] == (
        "Fokus har været stort. Politikerne spørger til tallene.\n\n"
        "Det er et nyt afsnit i samme tur."
    )
    assert db.execute("SELECT name FROM respondents WHERE id = 'JC99'").fetchone() == (
        "Jobcenter Testby",
    )


async def test_interview_paragraph_split_into_new_question(app, db, tmp_path):
    path = tmp_path / "JC98.md"
    path.write_text(TRANSCRIPT.replace("JC99", "JC98"), encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        assert screen.kind == "interviews"
        set_input(screen, "#import-i-question", "opfoelgning")
        set_select(screen, "#import-i-codebook", "kompenserende-ordninger")
        set_select(screen, "#import-split", "paragraph")
        await pilot.pause()
        await pilot.click("#import-run")
        await wait_finished(pilot, screen)
    assert db.execute(
        "SELECT codebook_id, kind FROM questions WHERE id = 'opfoelgning'"
    ).fetchone() == ("kompenserende-ordninger", "interview")
    assert (
        db.execute(
            "SELECT COUNT(*) FROM items WHERE question_id = 'opfoelgning' AND kind = 'excerpt'"
        ).fetchone()[0]
        == 3
    )  # one per paragraph


async def test_interviews_from_a_folder(app, db, tmp_path):
    folder = tmp_path / "udskrifter"
    folder.mkdir()
    for jc in ("JC96", "JC97"):
        (folder / f"{jc}.md").write_text(TRANSCRIPT.replace("JC99", jc), encoding="utf-8")
    (folder / "README.md").write_text("Om udskrifterne.", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        set_select(screen, "#import-kind", "interviews")
        await choose_file(pilot, screen, folder)
        assert "2 interviewudskrifter" in str(screen.query_one("#import-status", Label).render())
        await pilot.press("ctrl+r")
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)
    assert db.execute(
        "SELECT DISTINCT respondent_id FROM items WHERE question_id = 'interview'"
        " AND respondent_id IN ('JC96', 'JC97', 'README') ORDER BY 1"
    ).fetchall() == [("JC96",), ("JC97",)]


# -- cancelling and closing ---------------------------------------------------------------


async def test_escape_cancels_running_import_and_nothing_is_written(app, db, tmp_path):
    rows = [["jobcenter_id", "svar"]]
    rows += [[f"R{n:05d}", f"Svar nummer {n} om fleksjob og hjælpemidler."] for n in range(20_000)]
    path = write_csv(tmp_path / "stor.csv", rows)
    before = table_counts(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_input(screen, "#import-question", "stor")
        set_select(screen, "#import-codebook", "lokalpolitiske-strategier")
        await pilot.pause()

        # Hold the worker at its first progress report (500 rows written, uncommitted)
        # until escape has been pressed: the cancel is then seen deterministically.
        reached, release = asyncio.Event(), asyncio.Event()
        shown = screen._show_progress
        calls = []

        async def held(done: int, total: int) -> None:
            calls.append((done, total))
            shown(done, total)
            reached.set()
            await release.wait()

        screen._show_progress = held
        await pilot.press("ctrl+r")
        await asyncio.wait_for(reached.wait(), 30)
        assert screen.state == "running"
        await pilot.press("escape")
        assert screen.state == "cancelling"
        release.set()
        await wait_finished(pilot, screen)
        assert calls == [(500, 20_000)]
        assert app.screen is screen  # cancelling does not close the screen
        assert "afbrudt" in str(screen.query_one("#import-status", Label).render())
        assert table_counts(db) == before
        assert db.execute("SELECT COUNT(*) FROM questions WHERE id = 'stor'").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM respondents WHERE id LIKE 'R%'").fetchone()[0] == 0
        await pilot.press("escape")  # now it closes
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    assert table_counts(db) == before


async def test_escape_when_idle_closes_without_changes(app, db):
    before = table_counts(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    assert table_counts(db) == before


async def test_path_key_focuses_the_path_and_does_not_stack_screens(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        depth = len(app.screen_stack)
        assert app.focused is screen.query_one("#import-tree")
        await pilot.press("i")  # in the import screen, i is the path field, not a new import
        await pilot.pause()
        assert len(app.screen_stack) == depth
        path_input = screen.query_one("#import-path", Input)
        assert app.focused is path_input
        await pilot.press("ctrl+o", "ctrl+l")
        assert app.focused is path_input


async def test_works_at_80x24_and_every_binding_is_described(app, tmp_path):
    path = write_csv(tmp_path / "nye_svar.csv", ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        for widget_id in (
            "#import-run",
            "#import-cancel",
            "#import-kind",
            "#import-path",
            "#import-attr-cols",
            "#import-all-attrs",
        ):
            region = screen.query_one(widget_id).region
            assert region.width > 0 and region.bottom <= 23, widget_id
        for binding in ImportScreen.BINDINGS:
            assert binding.description and binding.tooltip


async def test_result_waits_while_the_palette_is_on_top(app, db, tmp_path):
    """An import that finishes under the command palette closes the import screen only
    when the analyst is back on it (dismissing then would pop the wrong screen)."""
    path = write_csv(tmp_path / "nye_svar.csv", ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_input(screen, "#import-question", "tilgaengelighed")
        set_select(screen, "#import-codebook", "udfordringer-fysiske")
        await pilot.pause()
        reached, release = asyncio.Event(), asyncio.Event()

        async def held(done: int, total: int) -> None:
            reached.set()
            await release.wait()

        screen._show_progress = held
        await pilot.press("ctrl+r")
        await asyncio.wait_for(reached.wait(), 30)
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        release.set()
        await wait_finished(pilot, screen)
        assert app.screen is palette  # not popped by the import's result
        assert (
            db.execute(
                "SELECT COUNT(*) FROM items WHERE question_id = 'tilgaengelighed'"
            ).fetchone()[0]
            == 3
        )
        await pilot.press("escape")  # close the palette: back on the import screen, which closes
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)


async def test_import_from_the_command_palette(app, db, tmp_path):
    path = write_csv(tmp_path / "nye_svar.csv", ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_input(screen, "#import-question", "tilgaengelighed")
        set_select(screen, "#import-codebook", "udfordringer-fysiske")
        await pilot.pause()
        provider = BindingCommands(screen)
        commands = {text: (node, action) for text, _help, node, action in provider._commands()}
        for name in ("Importér", "Afbryd/luk", "Filer", "Filsti"):
            assert any(text.startswith(name) for text in commands), name
        run = next(text for text in commands if text.startswith("Importér"))
        await provider._runner(*commands[run])()
        await wait_finished(pilot, screen)
        assert isinstance(app.screen, CodingScreen)
    assert (
        db.execute("SELECT COUNT(*) FROM items WHERE question_id = 'tilgaengelighed'").fetchone()[0]
        == 3
    )


async def test_import_answers_as_an_earlier_wave_of_a_question(app, db, tmp_path):
    """Bølge 2016 for 'strategier' (asked in 2017 and 2018 in the demo): a new question
    strategier-2016 in the same series, as `import answers --wave 2016` does."""
    path = write_csv(tmp_path / "svar_2016.csv", ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_input(screen, "#import-question", "strategier")
        set_input(screen, "#import-wave", "2016")
        await pilot.pause()
        await pilot.click("#import-run")
        await wait_finished(pilot, screen)
    assert db.execute(
        "SELECT codebook_id, wave, series FROM questions WHERE id = 'strategier-2016'"
    ).fetchone() == ("lokalpolitiske-strategier", "2016", "strategier")
    assert db.execute(
        "SELECT COUNT(*) FROM items WHERE question_id = 'strategier-2016'"
    ).fetchone() == (3,)
    assert db.execute("SELECT wave FROM questions WHERE id = 'strategier'").fetchone() == ("2018",)


# -- the first import into an empty project --------------------------------------------


async def test_an_empty_project_says_how_to_begin_and_the_first_import_shows_an_answer(
    tmp_path,
):
    from helpers import run
    from qualcode.tui.app import make_app
    from qualcode.tui.widgets.item_view import CodedTextArea

    project = tmp_path / "kommuner.db"
    assert run("init", project, "--noun", "kommune/kommuner").exit_code == 0
    path = write_csv(tmp_path / "svar.csv", ANSWERS)
    app = make_app(project, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        guide = app.screen.query_one(CodedTextArea).text
        assert "Tryk i for at importere svar" in guide
        assert "Et register over kommuner" in guide  # the project's noun
        assert "qualcode import answers kommuner.db svar.csv" in guide
        screen = await open_import(pilot, app)
        await choose_file(pilot, screen, path)
        set_input(screen, "#import-question", "tilgaengelighed")
        set_select(screen, "#import-codebook", "udfordringer-fysiske")
        await pilot.pause()
        await pilot.click("#import-run")
        await wait_finished(pilot, screen)
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert app.question == "tilgaengelighed"
        shown = app.screen.query_one(CodedTextArea).text
        assert shown == "Vi prioriterer hjælpemidler og fleksjob højt."
