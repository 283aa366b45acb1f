"""Pilot tests of the personal-data screen (F8): the list of matches, masked (the context
too, every match in it), the placeholders shown as written, redaction of one (r) or all
(R), each only after a confirmation, checked in the project file; and the import screen's
warning about personal data."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from helpers import run, write_csv
from qualcode.tui.app import make_app
from qualcode.tui.screens.pii import PiiScreen
from qualcode.tui.widgets.dialogs import ConfirmDialog

SIZE = (120, 36)
PHONE = "23 45 67 89"
CPR = "010190-1234"
MAIL = "mette.østergård@jobcenter.dk"


@pytest.fixture(scope="session")
def pii_base(demo_db, tmp_path_factory):
    """The demo with a question whose answers hold a phone number, a CPR number and an
    e-mail address. Built once; each test gets a copy (``pii_app``)."""
    folder = tmp_path_factory.mktemp("pii")
    demo_copy = folder / "demo.qualcode.db"
    shutil.copy(demo_db, demo_copy)
    with pytest.MonkeyPatch.context() as env:  # as tests/conftest.py's _isolated_home
        env.setenv("QUALCODE_HOME", str(folder / "home"))
        env.setenv("QUALCODE_CODER", "testkoder")
        src = write_csv(
            folder / "svar.csv",
            [
                ["jobcenter_id", "svar"],
                ["JC01", f"Ring til Jens på {PHONE} om fleksjob."],
                ["JC02", f"Borgeren (CPR {CPR}) kan kontaktes via {MAIL}."],
                ["JC03", "Ingen personlige oplysninger her."],
            ],
        )
        result = run(
            "import",
            "answers",
            demo_copy,
            src,
            "--respondent-col",
            "jobcenter_id",
            "--text-col",
            "svar",
            "--question",
            "kontakt",
            "--codebook",
            "lokalpolitiske-strategier",
        )
        assert result.exit_code == 0, result.output
    return demo_copy


@pytest.fixture
def pii_app(pii_base, demo_copy):
    """The workbench on a private copy of ``pii_base``, coder 'ida'."""
    shutil.copy(pii_base, demo_copy)
    return make_app(demo_copy, coder="ida")


def texts(db_path) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    out = dict(conn.execute("SELECT respondent_id, text FROM items WHERE question_id = 'kontakt'"))
    conn.close()
    return out


def redactions(db_path) -> list[str]:
    conn = sqlite3.connect(db_path)
    out = [
        r[0]
        for r in conn.execute(
            "SELECT json_extract(payload, '$.kind') FROM events"
            " WHERE action = 'pii.redact' ORDER BY id"
        )
    ]
    conn.close()
    return out


def shown(screen: PiiScreen) -> list[list[str]]:
    from textual.widgets import DataTable

    table = screen.query_one("#pii-table", DataTable)
    return [[str(c) for c in table.get_row(row.key)] for row in table.ordered_rows]


async def open_pii(app, pilot) -> PiiScreen:
    await pilot.press("f8")
    await pilot.pause()
    assert isinstance(app.screen, PiiScreen)
    return app.screen


async def test_f8_lists_the_matches_masked(pii_app):
    async with pii_app.run_test(size=SIZE) as pilot:
        screen = await open_pii(pii_app, pilot)
        rows = shown(screen)
        assert [(r[0].split()[0], r[1], r[2]) for r in rows] == [
            ("JC01", "kontakt", "Telefon"),
            ("JC02", "kontakt", "CPR-nummer"),
            ("JC02", "kontakt", "E-mail"),
        ]
        screen_text = " ".join(" ".join(r) for r in rows)
        for secret in (PHONE, CPR, MAIL):
            assert secret not in screen_text
        assert rows[0][3] == "23 •• •• ••" and "Ring til Jens på 23 •• •• ••" in rows[0][4]
        status = str(screen.query_one("#pii-status").render())
        assert "3 mulige persondata" in status


async def test_r_asks_then_redacts_the_selected_match(pii_app, demo_copy):
    async with pii_app.run_test(size=SIZE) as pilot:
        screen = await open_pii(pii_app, pilot)
        await pilot.press("down")  # the CPR number
        await pilot.press("r")
        await pilot.pause()
        dialog = pii_app.screen
        assert isinstance(dialog, ConfirmDialog)  # one key never redacts
        question = str(dialog.query_one(".dialog-title").render())
        assert "01••••-•••• (JC02" in question and "med [CPR]?" in question
        assert CPR not in question
        assert redactions(demo_copy) == [] and CPR in texts(demo_copy)["JC02"]
        await pilot.press("n")
        await pilot.pause()
        assert redactions(demo_copy) == [] and CPR in texts(demo_copy)["JC02"]
        assert len(shown(screen)) == 3
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        on_disk = texts(demo_copy)
        assert on_disk["JC02"] == f"Borgeren (CPR [CPR]) kan kontaktes via {MAIL}."
        assert PHONE in on_disk["JC01"]
        assert redactions(demo_copy) == ["cpr"]
        assert [r[2] for r in shown(screen)] == ["Telefon", "E-mail"]


async def test_shift_r_asks_then_redacts_everything(pii_app, demo_copy):
    async with pii_app.run_test(size=SIZE) as pilot:
        screen = await open_pii(pii_app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(pii_app.screen, ConfirmDialog)
        question = str(pii_app.screen.query_one(".dialog-title").render())
        assert question == (
            "Erstat alle 3 fund med [CPR], [TELEFON] eller [E-MAIL]? Det kan ikke fortrydes."
        )
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert redactions(demo_copy) == []
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        on_disk = texts(demo_copy)
        assert on_disk["JC01"] == "Ring til Jens på [TELEFON] om fleksjob."
        assert on_disk["JC02"] == "Borgeren (CPR [CPR]) kan kontaktes via [E-MAIL]."
        assert sorted(redactions(demo_copy)) == ["cpr", "email", "phone"]
        assert shown(screen) == []
        assert "Ingen persondata" in str(screen.query_one("#pii-status").render())


async def test_scope_follows_the_question(pii_app):
    async with pii_app.run_test(size=SIZE) as pilot:
        screen = await open_pii(pii_app, pilot)
        assert len(shown(screen)) == 3
        await pilot.press("a")  # only the current question (strategier): none there
        await pilot.pause()
        assert shown(screen) == []
        assert "i strategier" in str(screen.query_one("#pii-status").render())


async def test_context_masks_every_match_in_it(pii_app):
    async with pii_app.run_test(size=SIZE) as pilot:
        screen = await open_pii(pii_app, pilot)
        rows = shown(screen)
        cpr_row, mail_row = rows[1], rows[2]
        # the CPR number's context holds the e-mail, the e-mail's the CPR number: masked
        assert "m•••@jobcenter.dk" in cpr_row[4] and MAIL not in cpr_row[4]
        assert "01••••-••••" in mail_row[4] and "010190" not in mail_row[4]
        assert "1234" not in " ".join(r[4] for r in rows)
        detail = str(screen.query_one("#pii-detail").render())
        assert detail.endswith("→ [TELEFON]")  # the placeholder as written
        await pilot.press("down")
        await pilot.pause()
        detail = str(screen.query_one("#pii-detail").render())
        assert detail.endswith("→ [CPR]") and "m•••@jobcenter.dk" in detail
        assert MAIL not in detail and CPR not in detail


async def test_placeholders_show_as_written_after_redaction(pii_app, demo_copy):
    from qualcode.tui.widgets.item_view import CodedTextArea

    async with pii_app.run_test(size=SIZE) as pilot:
        await open_pii(pii_app, pilot)
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        pii_app.set_question("kontakt")
        await pilot.press("f2")
        await pilot.pause()
        screen = pii_app.screen
        from qualcode.tui.widgets.item_queue import ItemQueue

        queue = screen.query_one(ItemQueue)
        jc02 = next(r.item_id for r in queue.shown if r.respondent == "JC02")
        queue.select(jc02)
        await pilot.pause()
        area = screen.query_one(CodedTextArea)
        assert area.text == "Borgeren (CPR [CPR]) kan kontaktes via [E-MAIL]."
        svg = pii_app.export_screenshot()
        assert "[CPR]" in svg and "[E-MAIL]" in svg


async def test_import_screen_warns_about_personal_data(demo_copy, tmp_path):
    import asyncio

    from textual.widgets import Input, Select

    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.screens.import_screen import ImportScreen

    src = write_csv(
        tmp_path / "nye.csv",
        [
            ["jobcenter_id", "svar"],
            ["JC01", f"Skriv til {MAIL} eller ring {PHONE}."],
            ["JC02", "Intet personligt."],
        ],
    )
    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#import-path", Input).value = str(src)
        await pilot.pause()
        await asyncio.wait_for(screen.header_done.wait(), 10)
        await pilot.pause()
        screen.query_one("#import-question", Input).value = "nye"
        screen.query_one("#import-codebook", Select).value = "lokalpolitiske-strategier"
        await pilot.pause()
        await pilot.press("ctrl+r")
        await asyncio.wait_for(screen.import_done.wait(), 60)
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert [n.message for n in warnings] == [
            "Advarsel: nye indeholder 2 mulige persondata: 1 telefonnummer, "
            "1 e-mailadresse. Se og skjul dem under F8 Persondata."
        ]
        assert warnings[0].title == "Persondata"


async def test_import_without_personal_data_gives_no_warning(demo_copy, tmp_path):
    from qualcode.tui.screens.import_screen import pii_warning

    assert pii_warning(demo_copy, []) == ""
    assert pii_warning(demo_copy, ["strategier"]) == ""  # the demo's answers hold none


# -- the counts screen (F4) shows the other waves -------------------------------------
# (kept here, with the other screen this task added to, so test_tui_counts.py stays its
# owner's)


async def test_counts_screen_shows_the_2017_wave(demo_copy):
    from textual.widgets import DataTable

    from qualcode.tui.screens.counts import CountsScreen

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CountsScreen)
        table = screen.query_one("#counts-table", DataTable)
        heads = [str(c.label) for c in table.ordered_columns]
        assert heads[-2:] == ["2017", "Ændring 2017–2018"]
        row = [str(c) for c in table.get_row("borgere-paa-kanten")]
        assert row[-2:] == ["9 af 28 (32,1 %)", "+10,8 pp"]
        app.set_question("interview")  # no other wave: no wave columns
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        heads = [str(c.label) for c in table.ordered_columns]
        assert "Ændring 2017–2018" not in " ".join(heads)
