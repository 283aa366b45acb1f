"""``qualcode framework``: the framework matrix exported as XLSX, DOCX, Markdown and CSV,
with the summaries and (``--passages``) the coded passages; bad input is one error line
and writes nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run
from qualcode.core.project import Project

Q = "strategier"


@pytest.fixture
def summed(demo_copy) -> tuple[Path, dict]:
    """The demo with three summaries (one holding what a spreadsheet would run, one a
    control character and brackets) and one taken away again."""
    with Project.open(demo_copy, coder="ida") as p:
        m = p.framework(Q)
        jc1, jc2 = (r for r, _ in m.respondents[:2])
        passages = {
            (r, c.key): m.cell(r, c.key).passages for r, _ in m.respondents for c in m.codes
        }
        coded = next(place for place, found in passages.items() if found)
        p.set_summary(Q, jc1, "fleksjob", "Fleksjob nævnes.\nAnden linje.")
        p.set_summary(Q, jc2, "andet", "=SUM(A1) [bold]ikke markup[/] \x1b[31m")
        p.set_summary(Q, *coded, "Resumé af en kodet celle")
        p.set_summary(Q, jc2, "fleksjob", "Væk igen")
        p.clear_summary(Q, jc2, "fleksjob")
        passage = passages[coded][0].text
    return demo_copy, {"jc1": jc1, "jc2": jc2, "coded": coded, "passage": passage}


def read_csv(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data)))


def test_csv_has_a_row_per_cell_with_the_summaries(summed):
    db, s = summed
    result = run("framework", db, "--question", Q, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    assert list(rows[0]) == [
        "question",
        "respondent",
        "name",
        "code",
        "label",
        "summary",
        "author",
        "at",
        "n_passages",
        "passages",
    ]
    with Project.open(db) as p:
        m = p.framework(Q)
        assert len(rows) == len(m.respondents) * len(m.codes)
    by = {(r["respondent"], r["code"]): r for r in rows}
    assert by[s["jc1"], "fleksjob"]["summary"] == "Fleksjob nævnes.\nAnden linje."
    assert by[s["jc1"], "fleksjob"]["author"] == "ida"
    assert by[s["jc1"], "fleksjob"]["label"] == "Fleksjob"
    # kept exactly, but never run as a formula
    assert by[s["jc2"], "andet"]["summary"] == "'=SUM(A1) [bold]ikke markup[/] \x1b[31m"
    assert by[s["jc2"], "fleksjob"]["summary"] == ""  # taken away
    coded = by[s["coded"]]
    assert coded["summary"] == "Resumé af en kodet celle" and int(coded["n_passages"]) >= 1
    assert coded["passages"] == ""  # only with --passages
    with_passages = read_csv(
        run("framework", db, "--question", Q, "--format", "csv", "--passages").stdout
    )
    cell = next(r for r in with_passages if (r["respondent"], r["code"]) == s["coded"])
    assert s["passage"] in cell["passages"]


def test_codes_picks_and_orders_the_themes(summed):
    db, s = summed
    result = run("framework", db, "--question", Q, "--codes", "andet, Fleksjob", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    assert [r["code"] for r in rows[:2]] == ["andet", "fleksjob"]
    assert {r["code"] for r in rows} == {"andet", "fleksjob"}


def test_markdown_on_stdout_shows_the_matrix_and_the_passages(summed):
    db, s = summed
    result = run("framework", db, "--question", Q, "--passages")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("## Rammematrix: ")
    assert "| Jobcenter | Generelt fokus" in out
    assert "Fleksjob nævnes.<br>Anden linje." in out
    assert "␛[31m" in out and "\x1b" not in out  # controls shown, never sent
    assert "### Kodede passager" in out and f"> {s['passage'][:40]}" in out
    assert "(1 passage)" in out or "passager)" in out  # cells still to summarise
    plain = run("framework", db, "--question", Q, "--format", "md").stdout
    assert "### Kodede passager" not in plain


def test_xlsx_has_the_matrix_and_with_passages_a_sheet_of_them(summed, tmp_path):
    from openpyxl import load_workbook

    db, s = summed
    out = tmp_path / "matrix.xlsx"
    result = run("framework", db, "--question", Q, "-o", out, "--passages")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"skrev {out}" in result.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["Rammematrix", "Passager"]
    ws = wb["Rammematrix"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(r for r in values if r[0] == "Jobcenter")
    col = head.index("Fleksjob")
    row = next(r for r in values if r[0] == s["jc1"])
    assert row[col] == "Fleksjob nævnes.\nAnden linje."
    row2 = next(r for r in values if r[0] == s["jc2"])
    assert row2[head.index("Andet")].startswith("=SUM(A1)")  # as written, as text:
    cell = ws.cell(row=values.index(row2) + 1, column=head.index("Andet") + 1)
    assert cell.data_type == "s" and cell.quotePrefix  # never a formula
    passages = [[c.value for c in r] for r in wb["Passager"].iter_rows()]
    assert passages[0][:4] == ["Jobcenter", "Navn", "Kode", "Tema"]
    assert any(r[0] == s["coded"][0] and r[2] == s["coded"][1] for r in passages[1:])
    out2 = tmp_path / "uden.xlsx"
    assert run("framework", db, "--question", Q, "-o", out2).exit_code == 0
    assert load_workbook(out2).sheetnames == ["Rammematrix"]


def test_csv_for_danish_excel(summed, tmp_path):
    from qualcode.io.export import excel_da

    db, _ = summed
    plain = run("framework", db, "--question", Q, "--format", "csv").stdout_bytes
    out = tmp_path / "celler.csv"
    result = run("framework", db, "--question", Q, "--dialect", "excel-da", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == excel_da(plain) and out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert_one_line_error(
        run("framework", db, "--question", Q, "--dialect", "excel-da", "--format", "md"),
        "--dialect",
        "CSV",
    )


def test_the_rows_are_counted_in_the_projects_noun(summed, tmp_path):
    from openpyxl import load_workbook

    db, s = summed
    with Project.open(db) as p:
        p.set_noun("kommune/kommuner")
    md = run("framework", db, "--question", Q).stdout
    assert "| Kommune |" in md and " kommuner × " in md and "Jobcenter |" not in md
    out = tmp_path / "m.xlsx"
    assert run("framework", db, "--question", Q, "-o", out, "--passages").exit_code == 0
    wb = load_workbook(out)
    assert any(r[0] == "Kommune" for r in wb["Rammematrix"].iter_rows(values_only=True))
    assert next(wb["Passager"].iter_rows(values_only=True))[0] == "Kommune"


def test_docx_has_the_matrix_as_a_table(summed, tmp_path):
    from docx import Document

    db, s = summed
    out = tmp_path / "matrix.docx"
    result = run("framework", db, "--question", Q, "--format", "docx", "-o", out, "--passages")
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    [table] = doc.tables
    head = [c.text for c in table.rows[0].cells]
    assert head[0] == "Jobcenter" and "Fleksjob" in head
    row = next(r for r in table.rows[1:] if r.cells[0].text.startswith(s["jc1"]))
    assert row.cells[head.index("Fleksjob")].text == "Fleksjob nævnes.\nAnden linje."
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Kodede passager" in text and s["passage"][:40] in text
    with zipfile.ZipFile(out) as z:
        assert b"\x1b" not in z.read("word/document.xml")


# -- bad input: one line, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--question", "nope"], ["intet spørgsmål 'nope'"]),
        (["--question", Q, "--codes", "fleksjob,hjaelpemidler"], ["hjaelpemidler"]),
        (["--question", Q, "--codes", " , "], ["--codes skal have"]),
        (["--question", Q, "--format", "pdf"], ["ukendt format 'pdf'", "xlsx, docx, md, csv"]),
        (["--question", Q, "--format", "xlsx"], ["kræver -o FILE.xlsx"]),
    ],
)
def test_bad_input_is_one_line(summed, args, needles):
    db, _ = summed
    assert_one_line_error(run("framework", db, *args), *needles)


def test_bad_output_is_one_line_and_writes_nothing(summed, tmp_path):
    db, _ = summed
    where = tmp_path / "eksport"
    where.mkdir()
    folder = where / "ud"
    folder.mkdir()
    assert_one_line_error(
        run("framework", db, "--question", Q, "--format", "md", "-o", folder), str(folder)
    )
    assert_one_line_error(
        run("framework", db, "--question", Q, "-o", f"{folder}/"), "er navnet på en mappe"
    )
    assert_one_line_error(
        run("framework", db, "--question", Q, "-o", where / "matrix.pdf"),
        "kan ikke se formatet",
    )
    assert_one_line_error(
        run("framework", db, "--question", "nope", "-o", where / "m.xlsx"), "nope"
    )
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in where.iterdir()) == ["ud"]


def test_an_existing_file_needs_force(summed, tmp_path):
    db, _ = summed
    out = tmp_path / "m.csv"
    out.write_text("gammel")
    assert_one_line_error(run("framework", db, "--question", Q, "-o", out), "findes allerede")
    assert out.read_text() == "gammel"
    assert run("framework", db, "--question", Q, "-o", out, "--force").exit_code == 0
    assert out.read_text().startswith("question,respondent")


def test_the_export_reads_and_never_writes(summed, tmp_path):
    db, _ = summed
    data = db.read_bytes()
    out = tmp_path / "m.xlsx"
    assert run("framework", db, "--question", Q, "--passages", "-o", out).exit_code == 0
    assert db.read_bytes() == data
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert not Path(f"{db}.backups").exists()


def test_an_old_project_is_exported_without_being_upgraded(tmp_path):
    import shutil

    old = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema1.qualcode.db", old)
    data = old.read_bytes()
    result = run("framework", old, "--question", Q, "--format", "csv", "--passages")
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    assert rows and all(r["summary"] == "" for r in rows)
    assert any(r["passages"] for r in rows)
    assert old.read_bytes() == data


def test_a_missing_project_is_one_line(tmp_path):
    assert_one_line_error(run("framework", tmp_path / "findes-ikke.db", "--question", Q))
