"""CSV for tools and CSV for people: every command's plain CSV is comma-separated UTF-8
with decimal points and no BOM; --dialect excel-da is what Danish Excel opens by
double-click (BOM, semicolons, decimal commas, CRLF); the workbench saves the latter."""

from __future__ import annotations

import csv
import io

import pytest

from helpers import assert_one_line_error, run
from qualcode.io.export import excel_da
from qualcode.io.rows import rows_csv

COMMANDS = {
    "counts": ("counts", "--question", "strategier", "--coder", "guld"),
    "counts-waves": ("counts", "--question", "strategier", "--waves", "--coder", "guld"),
    "quotes": ("quotes", "--code", "fleksjob"),
    "crosstab": ("crosstab", "--question", "strategier", "--by", "lokalpolitisk_fokus"),
    "cooccurrence": ("cooccurrence", "--question", "strategier", "--coder", "guld"),
    "scan-pii": ("scan-pii",),
}


def test_excel_da_byte_for_byte():
    plain = b'code,label,percent,n\nfleksjob,"Fleksjob, ""job""",14.3,5\nandet,3.5 timer,-0.25,0\n'
    assert excel_da(plain) == (
        "\ufeffcode;label;percent;n\r\n"
        'fleksjob;"Fleksjob, ""job""";14,3;5\r\n'
        "andet;3.5 timer;-0,25;0\r\n"
    ).encode("utf-8")
    assert excel_da(b"\xef\xbb\xbf" + plain) == excel_da(plain)  # never two BOMs


def test_rows_csv_is_plain_like_every_other_command():
    data = rows_csv([{"word": "fleksjob", "score": 0.5}], ["word", "score"])
    assert data == b"word,score\nfleksjob,0.5\n"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_plain_and_excel_da_for_every_command(demo_db, tmp_path, name):
    command, *args = COMMANDS[name]
    plain = run(command, demo_db, *args, "--format", "csv")
    assert plain.exit_code == 0, plain.output
    data = plain.stdout_bytes
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) >= (1 if name == "scan-pii" else 2) and len(rows[0]) > 1  # demo: no PII

    out = tmp_path / f"{name}.csv"
    da = run(command, demo_db, *args, "--dialect", "excel-da", "-o", out)
    assert da.exit_code == 0, da.output
    written = out.read_bytes()
    assert written == excel_da(data)
    assert written.startswith(b"\xef\xbb\xbf")
    back = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(back) == len(rows) and back[0] == rows[0]
    for plain_row, da_row in zip(rows, back, strict=True):
        for p, d in zip(plain_row, da_row, strict=True):
            assert d == (p.replace(".", ",") if p.replace(".", "", 1).lstrip("-").isdigit() else p)


def test_counts_excel_da_has_decimal_commas(demo_db):
    result = run("counts", demo_db, "--question", "strategier", "--coder", "guld",
                 "--format", "csv", "--dialect", "excel-da")  # fmt: skip
    assert ";42,9;" in result.stdout and ",42.9," not in result.stdout


def test_a_dialect_is_for_csv_only(demo_db, tmp_path):
    out = tmp_path / "tabel.md"
    assert_one_line_error(
        run("counts", demo_db, "--dialect", "excel-da", "-o", out), "--dialect", "CSV"
    )
    assert not out.exists()
    bad = run("counts", demo_db, "--format", "csv", "--dialect", "excel")
    assert bad.exit_code == 2  # click names the choices
