"""Pilot tests of the personal-data screen (F8): the list of matches, masked, and redaction
of one (r) or all (R, after a confirmation), checked in the project file."""

from __future__ import annotations

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


@pytest.fixture
def pii_app(demo_copy, tmp_path):
    """The demo with a question whose answers hold a phone number, a CPR number and an
    e-mail address."""
    src = write_csv(tmp_path / "svar.csv", [
        ["jobcenter_id", "svar"],
        ["JC01", f"Ring til Jens på {PHONE} om fleksjob."],
        ["JC02", f"Borgeren (CPR {CPR}) kan kontaktes via {MAIL}."],
        ["JC03", "Ingen personlige oplysninger her."],
    ])
    result = run("import", "answers", demo_copy, src, "--respondent-col", "jobcenter_id",
                 "--text-col", "svar", "--question", "kontakt", "--codebook",
                 "lokalpolitiske-strategier")
    assert result.exit_code == 0, result.output
    return make_app(demo_copy, coder="ida")


def texts(db_path) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    out = dict(conn.execute("SELECT respondent_id, text FROM items WHERE question_id = 'kontakt'"))
    conn.close()
    return out


def redactions(db_path) -> list[str]:
    conn = sqlite3.connect(db_path)
    out = [r[0] for r in conn.execute("SELECT json_extract(payload, '$.kind') FROM events"
                                      " WHERE action = 'pii.redact' ORDER BY id")]
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
            ("JC01", "kontakt", "Telefon"), ("JC02", "kontakt", "CPR-nummer"),
            ("JC02", "kontakt", "E-mail")]
        screen_text = " ".join(" ".join(r) for r in rows)
        for secret in (PHONE, CPR, MAIL):
            assert secret not in screen_text
        assert rows[0][3] == "23 •• •• ••" and "Ring til Jens på 23 •• •• ••" in rows[0][4]
        status = str(screen.query_one("#pii-status").render())
        assert "3 mulige persondata" in status


async def test_r_redacts_the_selected_match(pii_app, demo_copy):
    async with pii_app.run_test(size=SIZE) as pilot:
        screen = await open_pii(pii_app, pilot)
        await pilot.press("down")  # the CPR number
        await pilot.press("r")
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
