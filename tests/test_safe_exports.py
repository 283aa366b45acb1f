"""Safe exports: every CSV and XLSX exporter neutralises cells a spreadsheet would run as a
formula (=, +, -, @, tab, carriage return); no export overwrites a file without --force;
a failed export leaves no file and no half-written temporary file behind."""

from __future__ import annotations

import csv
import errno
import io
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, write_csv
from qualcode.core.project import Project
from qualcode.io import export
from qualcode.io.export import safe_cell, write_file

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    ["id", "navn", "svar", "region"],
    ["JC01", "=cmd|' /C calc'!A0", '=HYPERLINK("http://ondt.example";"Klik") om fleksjob', "Øst"],
    ["JC02", "+Jobcenter Ærø", "+SUM(A1:A9) og borgere på kanten", "Vest"],
    ["JC03", "@Jobcenter Åby", "-2+3 planer i beskæftigelsesplanen", "Øst"],
    ["JC04", "Jobcenter Søby", "\t=1+1 tabulator først", "Vest"],
    ["JC05", "Jobcenter Rø", "\r=1+1 vognretur først, ring +45 23 45 67 89", "Øst"],
]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_safe_cell_neutralises_every_formula_start(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Fleksjob", "Ærø", "'=1", "", 3, -2.5, None])
def test_safe_cell_leaves_the_rest(value):
    assert safe_cell(value) == value


@pytest.fixture
def hostile(tmp_path) -> Path:
    """Two waves of hostile answers, names and a hostile code label, coded by two coders."""
    path = tmp_path / "ond.qualcode.db"
    src = write_csv(tmp_path / "ond.csv", HOSTILE)
    for wave in ("2017", "2018"):
        result = run(
            "import",
            "answers",
            path,
            src,
            "--respondent-col",
            "id",
            "--name-col",
            "navn",
            "--attr-col",
            "region",
            "--text-col",
            "svar",
            "--question",
            "strategier",
            "--codebook",
            "lokalpolitiske-strategier",
            "--wave",
            wave,
        )
        assert result.exit_code == 0, result.output
    with Project.open(path) as p:
        evil = p.add_code(
            "lokalpolitiske-strategier", '=HYPERLINK("http://ondt.example")', key="ond"
        )
        for qid in ("strategier", "strategier-2018"):
            for n, item in enumerate(p.items(qid)):
                for coder in ("ane", "bo"):
                    p.add_coding(item.id, evil.key, coder=coder)
                    if n % 2 or coder == "ane":
                        p.add_coding(item.id, "fleksjob", coder=coder)
    return path


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(data: bytes) -> None:
    cells = csv_cells(data)
    assert cells
    bad = [c for c in cells if c.startswith(FORMULA_START) and not is_number(c)]
    assert not bad, bad


def assert_xlsx_safe(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    strings = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    strings += 1
                    if cell.value.startswith(FORMULA_START):  # text, shown as it is written,
                        assert cell.data_type == "s", (ws.title, cell.value)  # never a formula
                        assert cell.quotePrefix, (ws.title, cell.value)  # not even when edited
                    assert not cell.value.startswith("'"), (ws.title, cell.value)
    return strings


CSV_EXPORTS = {
    "counts": ("counts", "--question", "strategier-2018"),
    "counts-waves": ("counts", "--question", "strategier", "--waves"),
    "quotes": ("quotes", "--code", "ond"),
    "agreement": ("agreement", "--question", "strategier"),
    "scan-pii": ("scan-pii",),
    "crosstab": ("crosstab", "--question", "strategier-2018", "--by", "region"),
    "cooccurrence": ("cooccurrence", "--question", "strategier-2018"),
}
XLSX_EXPORTS = {
    "counts": ("counts",),
    "counts-waves": ("counts", "--waves"),
    "crosstab": ("crosstab", "--question", "strategier-2018", "--by", "region"),
    "cooccurrence": ("cooccurrence", "--question", "strategier-2018"),
}


@pytest.mark.parametrize("name", list(CSV_EXPORTS))
def test_csv_exports_neutralise_formulas(hostile, tmp_path, name):
    out = tmp_path / f"{name}.csv"
    result = run(CSV_EXPORTS[name][0], hostile, *CSV_EXPORTS[name][1:], "-o", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert_csv_safe(data)
    cells = csv_cells(data)
    assert any(c.startswith("'=") or c.startswith("'+") for c in cells), name


@pytest.mark.parametrize("name", list(XLSX_EXPORTS))
def test_xlsx_exports_neutralise_formulas(hostile, tmp_path, name):
    from openpyxl import load_workbook

    out = tmp_path / f"{name}.xlsx"
    result = run(XLSX_EXPORTS[name][0], hostile, *XLSX_EXPORTS[name][1:], "-o", out)
    assert result.exit_code == 0, result.output
    assert assert_xlsx_safe(out) > 0
    values = [
        c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row
    ]
    assert '=HYPERLINK("http://ondt.example")' in values  # no apostrophe shows in Excel


def test_report_xlsx_neutralises_formulas(hostile, tmp_path):
    out = tmp_path / "rapport.xlsx"
    result = run("report", hostile, "-o", out)
    assert result.exit_code == 0, result.output
    assert assert_xlsx_safe(out) > 0


def test_quotes_csv_keeps_the_text_readable(hostile):
    rows = list(
        csv.DictReader(
            io.StringIO(run("quotes", hostile, "--code", "fleksjob", "--format", "csv").stdout)
        )
    )
    texts = {r["respondent"]: r["text"] for r in rows}
    names = {r["respondent"]: r["name"] for r in rows}
    assert texts["JC02"] == "'+SUM(A1:A9) og borgere på kanten"
    assert texts["JC03"] == "'-2+3 planer i beskæftigelsesplanen"
    assert names["JC01"] == "'=cmd|' /C calc'!A0" and names["JC02"] == "'+Jobcenter Ærø"


# -- never over an existing file without --force -------------------------------------

EVERY_FILE_EXPORT = {
    **{f"{k}.csv": v for k, v in CSV_EXPORTS.items()},
    **{f"{k}.xlsx": v for k, v in XLSX_EXPORTS.items()},
    "counts.md": ("counts",),
    "quotes.md": ("quotes", "--code", "fleksjob"),
    "codebook.yaml": ("codebook", "export"),
}


def assert_refused(result, *needles: str) -> None:
    """Exit 1 with the error as the last line on stderr (quotes and scan-pii may warn about
    personal data first), nothing on stdout, no traceback."""
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]
    assert last.startswith("qualcode: fejl: ")
    for needle in needles:
        assert needle in last, (needle, last)


def _command(name: str, db: Path, out: Path) -> list:
    args = EVERY_FILE_EXPORT[name]
    if args[0] == "codebook":
        return ["codebook", "export", db, "lokalpolitiske-strategier", "-o", out]
    return [args[0], db, *args[1:], "-o", out]


@pytest.mark.parametrize("name", list(EVERY_FILE_EXPORT))
def test_no_export_overwrites_without_force(hostile, tmp_path, name):
    out = tmp_path / name.replace(".", "-eksisterende.")
    out.write_bytes("mit eget arbejde, æøå".encode())
    result = run(*_command(name, hostile, out))
    assert_refused(result, str(out), "findes allerede; brug --force")
    assert out.read_bytes() == "mit eget arbejde, æøå".encode()
    forced = run(*_command(name, hostile, out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes() != "mit eget arbejde, æøå".encode()
    assert leftovers(tmp_path) == []


def test_report_refuses_to_overwrite(hostile, tmp_path):
    out = tmp_path / "rapport.md"
    out.write_text("mit", encoding="utf-8")
    assert_one_line_error(run("report", hostile, "-o", out), "findes allerede")
    assert out.read_text(encoding="utf-8") == "mit"


# -- a failed export leaves nothing behind ----------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def disk_full(*_args):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("name", ["counts.csv", "counts.xlsx", "quotes.csv", "codebook.yaml"])
def test_disk_full_leaves_no_file(hostile, tmp_path, monkeypatch, name):
    monkeypatch.setattr(export.os, "fsync", disk_full)
    out = tmp_path / f"ny-{name}"
    result = run(*_command(name, hostile, out))
    assert_refused(result, str(out), "No space left on device", "intet blev skrevet")
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_disk_full_keeps_the_old_file_with_force(hostile, tmp_path, monkeypatch):
    out = tmp_path / "tabel.csv"
    out.write_text("den gamle tabel", encoding="utf-8")
    monkeypatch.setattr(export.os, "fsync", disk_full)
    result = run("counts", hostile, "-o", out, "--force")
    assert_one_line_error(result, "No space left on device")
    assert out.read_text(encoding="utf-8") == "den gamle tabel"
    assert leftovers(tmp_path) == []


def test_a_write_that_fails_halfway_leaves_no_partial_file(tmp_path, monkeypatch):
    import os

    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(export.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    out = tmp_path / "halv.csv"
    with pytest.raises(export.QualcodeError, match="Input/output error"):
        write_file(out, b"a,b\n" * 1000)
    assert not out.exists() and leftovers(tmp_path) == []


def test_an_error_while_rendering_writes_nothing(hostile, tmp_path, monkeypatch):
    def broken(*_a, **_k):
        raise export.QualcodeError("cannot render")

    monkeypatch.setattr(export, "render_counts", broken)
    out = tmp_path / "t.csv"
    assert_one_line_error(run("counts", hostile, "-o", out), "cannot render")
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_folder_is_not_a_file_name(hostile, tmp_path):
    folder = tmp_path / "mappe"
    folder.mkdir()
    assert_one_line_error(run("counts", hostile, "-o", folder, "--format", "csv"), "er en mappe")
    assert_one_line_error(
        run("counts", hostile, "-o", tmp_path / "nej" / "t.csv"), "mappen findes ikke"
    )
