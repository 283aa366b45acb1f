"""Every XLSX qualcode writes prints on A4, fitted to the page width, with the header
row repeated and an autofilter, and its wrapped rows tall enough to read; and the report's
and the counts' XLSX, printed by LibreOffice, put each table's columns on one page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import run

needs_pdf_tools = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs LibreOffice (soffice) and pdftotext",
)

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


# -- as LibreOffice prints it ----------------------------------------------------------


@pytest.fixture(scope="module")
def printed(demo_db, tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    """The report's and the counts' XLSX and the pages LibreOffice prints of them (text
    per page), converted in one start of LibreOffice. A tiny workbook goes along: if it
    does not print either, this LibreOffice cannot open XLSX (no Calc), and the tests
    skip; if only ours do not, they fail."""
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("xlsx-pdf")
    files = {"report": folder / "rapport.xlsx", "counts": folder / "tabeller.xlsx"}
    result = run("report", demo_db, "-o", files["report"], "--compare-published")
    assert result.exit_code == 0, result.output
    result = run("counts", demo_db, "--format", "xlsx", "-o", files["counts"])
    assert result.exit_code == 0, result.output
    probe = folder / "probe.xlsx"
    Workbook().save(probe)
    done = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/lo", "--convert-to",
         "pdf", "--outdir", str(folder), str(probe), *map(str, files.values())],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if not probe.with_suffix(".pdf").exists():
        pytest.skip(f"this LibreOffice does not open XLSX (no Calc?): {done.stderr.strip()}")
    out = {}
    for name, path in files.items():
        pdf = path.with_suffix(".pdf")
        assert pdf.exists(), (name, done.stdout, done.stderr)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        out[name] = (path, text.split("\f")[:-1])  # a form feed ends every page
    return out


def header_rows(path: Path) -> list[tuple[str, str, list[str]]]:
    """(sheet, its title in A1, the cells of its header row) of every sheet with a table."""
    tables = []
    for ws in load_workbook(path).worksheets:
        if ws.freeze_panes:
            row = int(ws.freeze_panes.lstrip("ABCDEFGHIJ")) - 1
            cells = [str(c.value) for c in ws[row] if c.value not in (None, "")]
            tables.append((ws.title, str(ws["A1"].value), cells))
    return tables


def words(text: str) -> set[str]:
    return set(text.replace("\xa0", " ").split())


@needs_pdf_tools
@pytest.mark.parametrize("name", ["report", "counts"])
def test_libreoffice_prints_each_table_one_page_wide(printed, name):
    """Fitted to the page width, a table's columns are never split onto a page of their
    own: every page starts at the table's first column and reaches its last, so each
    page shows the header row (repeated on every page down) from its first heading, on
    a line of its own, to its last. Without the fit, the columns that do not fit go to
    further pages, which lack the first column, and the first page lacks the last."""
    path, pages = printed[name]
    tables = header_rows(path)
    assert len(tables) >= (9 if name == "counts" else 10)
    assert len(pages) >= len(tables)
    text = "\n".join(pages)
    for sheet, title, _cells in tables:
        assert words(title) <= words(text), f"{sheet} was not printed"
    for number, page in enumerate(pages, start=1):
        lines = {line.strip() for line in page.splitlines()}
        whole = [
            sheet
            for sheet, _title, cells in tables
            if cells[0] in lines and words(cells[-1]) <= words(page)
        ]
        assert whole, f"page {number} of {len(pages)} holds only some of a table's columns"
