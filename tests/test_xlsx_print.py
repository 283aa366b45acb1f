"""Every XLSX qualcode writes prints on A4, fitted to the page width, with the header
row repeated and an autofilter, and its wrapped rows tall enough to read."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from helpers import run

EXPORTS = {
    "counts": ("counts",),
    "counts-waves": ("counts", "--waves"),
    "crosstab": ("crosstab", "--question", "strategier", "--by", "lokalpolitisk_fokus"),
    "report": ("report",),
    "matrix": ("matrix", "--question", "strategier", "--by", "lokalpolitisk_fokus"),
    "matrix-top": ("matrix", "--questions", "strategier,strategier-2017", "--top", "2"),
}
# the first heading of a table's header row: a theme per row, or a group per row (matrix)
FIRST_HEAD = {"matrix": "lokalpolitisk_fokus", "matrix-top": "Spørgsmål"}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_sheet_is_ready_to_print(demo_db, tmp_path, name):
    out = tmp_path / f"{name}.xlsx"
    command, *args = EXPORTS[name]
    result = run(command, demo_db, *args, "-o", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    tables = 0
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0, ws.title
        if ws.freeze_panes:  # a table: its header row on every page, and a filter on it
            tables += 1
            header = int(ws.freeze_panes.lstrip("ABCDEFGHIJ")) - 1
            assert ws.print_title_rows.replace("$", "") == f"{header}:{header}", ws.title
            assert ws.auto_filter.ref.startswith(f"A{header}:"), ws.title
            first = "Spørgsmål" if ws.title.startswith("Temamatrix") else "Tema"
            if name == "report" and ws.title.startswith("Tabel"):
                first = "FOKUSPUNKT"  # the report's own heading
            assert ws[header][0].value == FIRST_HEAD.get(name, first), ws.title
        wide = sum((d.width or 8.43) for d in ws.column_dimensions.values()) > 100
        assert setup.orientation == ("landscape" if wide else "portrait"), ws.title
    assert tables >= 1


def test_wrapped_rows_are_tall_enough(demo_db, tmp_path):
    out = tmp_path / "tabel.xlsx"
    assert run("counts", demo_db, "--question", "strategier", "-o", out).exit_code == 0
    ws = load_workbook(out).worksheets[0]
    long = [r for r in ws.iter_rows(min_row=3) if r[1].value and len(r[1].value) > 120]
    assert long, "the demo's definitions are long enough to wrap"
    for row in long:
        lines = len(row[1].value) / (ws.column_dimensions["B"].width * 1.1)
        assert ws.row_dimensions[row[0].row].height >= 15 * int(lines), row[0].value
