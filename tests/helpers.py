"""Helpers shared by the tests: paths, and files written in the encodings analysts meet.

(Kept out of conftest.py: tests/tui has a conftest of its own, so `from conftest import`
would be ambiguous.)"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.core.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The shared folder beside the checkout (../shared): the seed report, the REFI-QDA schemas
# and other tools' sample files, which stay there (see its README). Tests that need it skip
# without it; QUALCODE_TEST_SHARED names another folder (a missing one: see them skip).
SHARED = Path(os.environ.get("QUALCODE_TEST_SHARED") or REPO.parent / "shared")
SEEDS = SHARED / "seeds"
REPORT = SEEDS / "000_38fad2e71879e4d7.txt"
REFI = SHARED / "refi-qda"
# Tabel 1-4 of the seed report, copied line for line (tests/test_codebook.py and
# tests/test_matrix.py check the copy against the report where ../shared is there)
SEED_TABLES = FIXTURES / "seed_tables.txt"


def _not_shared(path: Path) -> str:
    return (
        f"needs {path.relative_to(SHARED)} from the shared folder {SHARED}, which is not there"
        " (../shared beside the checkout, or QUALCODE_TEST_SHARED)"
    )


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Skip the test unless ``path``, in the shared folder, is there."""
    return pytest.mark.skipif(not path.exists(), reason=_not_shared(path))


def require_shared(path: Path) -> None:
    """In a fixture: skip its tests unless ``path``, in the shared folder, is there."""
    if not path.exists():
        pytest.skip(_not_shared(path))


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


ANSWERS = [
    ["jobcenter_id", "svar", "region"],
    ["JC01", "Vi har øget fokus på borgere på kanten og afsat flere ressourcer.", "Hovedstaden"],
    ["JC02", "Målet er skrevet ind i beskæftigelsesplanen for 2019.", "Sjælland"],
    ["JC03", "   ", "Syddanmark"],
    ["JC04", "Fleksjob og samarbejde med virksomheder; mere fokus på kanten.", "Nordjylland"],
]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


# how the CLI begins an error line, in the language of the test
ERROR_PREFIX = {"da": "qualcode: fejl: ", "en": "qualcode: error: "}


def assert_one_line_error(result, *needles: str) -> str:
    """Exit 1, nothing on stdout, one 'qualcode: fejl: ...' line naming every needle (in a
    test read in English, 'qualcode: error: ...')."""
    from qualcode import i18n

    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(ERROR_PREFIX[i18n.language()]), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def snapshot(path: Path) -> dict:
    with Project.open(path) as p:
        return p.snapshot()


async def settle(app, pilot) -> None:
    """Pilot: let the thread workers finish and their results reach the screen, also the
    workers that those results start (the coding screen's suggestions after the suggester,
    a reload after a count). Failed and cancelled workers count as finished."""
    await pilot.pause()
    for _ in range(50):
        running = [w for w in app.workers if not w.is_finished]
        if not running:
            break
        await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        await pilot.pause()  # their messages reach the screen, which may start more
    else:
        raise AssertionError(f"the workers never finished: {list(app.workers)}")
    await pilot.pause()
