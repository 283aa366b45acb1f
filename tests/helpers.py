"""Helpers shared by the tests: paths, and files written in the encodings analysts meet.

(Kept out of conftest.py: tests/tui has a conftest of its own, so `from conftest import`
would be ambiguous.)"""

from __future__ import annotations

import csv
import io
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
REPORT = SEEDS / "000_38fad2e71879e4d7.txt"



def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
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
