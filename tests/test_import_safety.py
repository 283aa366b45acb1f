"""Issue 11, items 8 and 9, for the importers of answers, registers, codings and
transcripts: nothing read is lost silently.

* XLSX: every row whatever the sheet's <dimension> says; formulas without a saved result,
  and merged ranges holding a value, are refused by cell; the first visible sheet is read
  and named; a file claiming a huge sheet fails in seconds under a memory limit.
* DOCX: tracked changes accepted, tables, content controls and field results read, field
  instructions and comments left out (and said so); the REFI-QDA reader uses the same code.
* Text: Mac Roman and UTF-16 without a BOM are refused with a hint, not garbled.
* Ids in NFC; ids that differ only in case, spaces, zero-width characters or leading zeros
  are warned about, naming both.
* Every import says what it skipped (summary.notes) and counts texts holding control
  characters (summary.items_with_controls).

Each refusal is one line naming the file (and the row, column or cell), exits 1 from the
CLI, and leaves the project as it was.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

import qualcode
from helpers import assert_one_line_error, run, snapshot, write_csv, write_xlsx
from qualcode.core.checks import lookalike_groups
from qualcode.core.codebook import load_codebook
from qualcode.core.project import Project
from qualcode.errors import ImportError_
from qualcode.io.answers import read_answers
from qualcode.io.codings import read_codings
from qualcode.io.interviews import read_interviews
from qualcode.io.tabular import decode_text, read_table

SRC = Path(qualcode.__file__).resolve().parents[1]
LONG = [
    "--respondent-col",
    "id",
    "--text-col",
    "svar",
    "--question",
    "strategier",
    "--codebook",
    "lokalpolitiske-strategier",
]
ROWS = [["id", "svar"]] + [[f"JC{n:02}", f"Svar nummer {n}"] for n in range(1, 10)]
SHEET = "xl/worksheets/sheet1.xml"


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, changes: dict[str, object]) -> bytes:
    """The zip with members replaced (bytes) or edited (a function of the old bytes), and
    new members added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for name in zin.namelist():
            old = zin.read(name)
            new = changes.get(name, old)
            zout.writestr(name, new(old) if callable(new) else new)
        for name, new in changes.items():
            if name not in zin.namelist():
                zout.writestr(name, new)
    return out.getvalue()


def dimension(ref: str):
    return lambda xml: re.sub(
        rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml
    )


def import_answers_api(path: Path, project_path: Path, **options):
    with Project.open(project_path, create=True) as p:
        table = read_answers(
            str(path),
            respondent_col="id",
            text_cols=["svar"],
            questions=["strategier"],
            codebooks=["lokalpolitiske-strategier"],
            project=p,
            **options,
        )
        return p.import_answers(table)


def answers(project_path: Path, question: str = "strategier") -> dict[str, str]:
    with Project.open(project_path) as p:
        return {i.respondent: i.text for i in p.items(question, include_empty=True)}


# -- XLSX: the dimension -----------------------------------------------------------------


def test_stale_dimension_still_reads_every_row(tmp_path):
    """The sheet says A1:B4, it holds ten rows: openpyxl's read-only mode imported 3."""
    path = tmp_path / "svar.xlsx"
    path.write_bytes(rezip(xlsx_bytes(ROWS), {SHEET: dimension("A1:B4")}))
    result = run("import", "answers", tmp_path / "p.db", path, *LONG)
    assert result.exit_code == 0, result.output
    assert len(answers(tmp_path / "p.db")) == 9
    assert answers(tmp_path / "p.db")["JC09"] == "Svar nummer 9"


def test_missing_dimension_and_rows_out_of_the_dimension_are_read(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(
        rezip(xlsx_bytes(ROWS), {SHEET: lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b"", x)})
    )
    assert len(read_table(path).records) == 9


# a 5 KB file: a sheet that claims A1:XFD1048576 and holds a cell in that corner. openpyxl
# padded every missing row to 16,384 cells: a billion cells, 23 GB before it was killed
LIMITED = textwrap.dedent("""
    import resource, sys
    limit = int(sys.argv[1]) << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.argv = ["qualcode", *sys.argv[2:]]
    from qualcode.cli import main
    main()
""")


def run_limited(*args: object, megabytes: int = 1024, timeout: float = 60):
    """The CLI in a subprocess with at most ``megabytes`` of address space; (result,
    seconds)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, str(megabytes), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return result, time.perf_counter() - start


def corner_cell(cell: bytes):
    def edit(xml: bytes) -> bytes:
        xml = dimension("A1:XFD1048576")(xml)
        return xml.replace(b"</sheetData>", b'<row r="1048576">' + cell + b"</row></sheetData>")

    return edit


def test_a_sheet_claiming_a_million_rows_fails_fast_under_a_memory_limit(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(
        rezip(
            xlsx_bytes(ROWS),
            {SHEET: corner_cell(b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>')},
        )
    )
    assert path.stat().st_size < 6000
    result, seconds = run_limited("import", "answers", tmp_path / "p.db", path, *LONG)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: fejl: "), result.stderr[-2000:]
    assert str(path) in lines[0] and "XFD1048576" in lines[0] and "række 1048576" in lines[0]
    assert "intet navn i overskriftsrækken" in lines[0]
    assert seconds < 30
    assert not (tmp_path / "p.db").exists()


def test_an_empty_cell_in_the_far_corner_imports_the_real_rows_under_a_memory_limit(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(rezip(xlsx_bytes(ROWS), {SHEET: corner_cell(b'<c r="XFD1048576"/>')}))
    result, seconds = run_limited("import", "answers", tmp_path / "p.db", path, *LONG)
    assert result.returncode == 0, result.stderr[-2000:]
    assert seconds < 30
    assert len(answers(tmp_path / "p.db")) == 9


def test_a_wide_header_over_few_cells_is_refused_before_padding(tmp_path):
    """16,384 column names and 2,000 one-cell rows: 33 million cells once padded."""
    from openpyxl.utils import get_column_letter

    header = "".join(
        f'<c r="{get_column_letter(c)}1" t="inlineStr"><is><t>k{c}</t></is></c>'
        for c in range(1, 16_385)
    )
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>JC{r}</t></is></c></row>'
        for r in range(2, 2_002)
    )
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">'
        + header.encode()
        + b"</row>"
        + rows.encode()
        + b"</sheetData></worksheet>"
    )
    path = tmp_path / "svar.xlsx"
    path.write_bytes(rezip(xlsx_bytes([["x"]]), {SHEET: sheet}))
    result, seconds = run_limited(
        "import", "respondents", tmp_path / "p.db", path, "--respondent-col", "k1", "--all-attrs"
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "30.000.000 celler" in result.stderr and str(path) in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert seconds < 30


def test_a_wide_csv_header_over_few_cells_is_refused_before_padding(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_text(
        ",".join(f"k{c}" for c in range(16_384)) + "\n" + "".join(f"JC{r}\n" for r in range(2_000)),
        encoding="utf-8",
    )
    result = run("import", "respondents", tmp_path / "p.db", path, "--respondent-col", "k0")
    assert_one_line_error(result, str(path), "30.000.000 celler")


def test_a_huge_shared_strings_count_costs_nothing(tmp_path):
    from test_hostile_input import _shared_strings

    data = _shared_strings(xlsx_bytes(ROWS))
    data = rezip(
        data,
        {
            "xl/sharedStrings.xml": lambda x: x.replace(
                b"<sst ", b'<sst count="2147483647" uniqueCount="2147483647" '
            )
        },
    )
    path = tmp_path / "svar.xlsx"
    path.write_bytes(data)
    result, _ = run_limited("import", "answers", tmp_path / "p.db", path, *LONG)
    assert result.returncode == 0, result.stderr[-2000:]
    assert answers(tmp_path / "p.db")["JC03"] == "Svar nummer 3"


def test_a_sheet_that_expands_like_a_zip_bomb_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(
        rezip(
            xlsx_bytes(ROWS),
            {SHEET: lambda x: x.replace(b"</worksheet>", b" " * 5_000_000 + b"</worksheet>")},
        )
    )
    result = run("import", "answers", tmp_path / "p.db", path, *LONG)
    assert_one_line_error(result, str(path), SHEET, "zip-bombe")


def test_a_row_number_past_excel_is_refused(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(
        rezip(
            xlsx_bytes(ROWS),
            {
                SHEET: lambda x: x.replace(
                    b"</sheetData>", b'<row r="99999999"><c r="A99999999"/></row></sheetData>'
                )
            },
        )
    )
    with pytest.raises(ImportError_, match="række 99.999.999; Excels ark slutter"):
        read_table(path)


def test_a_repeated_row_is_refused_not_dropped(tmp_path):
    """openpyxl skipped a <row r="3"> that came after row 5 without a word."""
    path = tmp_path / "svar.xlsx"
    path.write_bytes(
        rezip(
            xlsx_bytes(ROWS),
            {
                SHEET: lambda x: x.replace(
                    b"</sheetData>",
                    b'<row r="3"><c r="A3" t="inlineStr"><is><t>JC99</t></is></c>'
                    b"</row></sheetData>",
                )
            },
        )
    )
    with pytest.raises(ImportError_, match="række 3 kommer efter række 10"):
        read_table(path)


def test_a_value_right_of_the_header_names_its_cell(tmp_path, project, project_path):
    rows = [["id", "svar"], ["JC01", "Et svar"], ["JC02", "Et andet", None, "løst"]]
    path = write_xlsx(tmp_path / "svar.xlsx", rows)
    before = snapshot(project_path)
    result = run("import", "answers", project_path, path, *LONG)
    assert_one_line_error(
        result, str(path), "række 3", "celle D3", "'løst'", "intet navn i overskriftsrækken"
    )
    assert snapshot(project_path) == before


# -- XLSX: formulas, sheets, merged cells ----------------------------------------------------


def test_formulas_without_a_saved_result_are_refused_naming_the_cells(
    tmp_path, project, project_path
):
    rows = [["id", "svar", "samlet"]] + [
        [f"JC{n:02}", "Svar", f"=A{n + 1}&B{n + 1}"] for n in range(1, 11)
    ]
    path = write_xlsx(tmp_path / "svar.xlsx", rows)
    before = snapshot(project_path)
    result = run("import", "answers", project_path, path, *LONG)
    line = assert_one_line_error(
        result,
        str(path),
        "cellerne C2, C3",
        "formler uden gemt resultat",
        "Excel eller LibreOffice",
    )
    assert "C9 og 2 mere" in line  # ten cells: eight named, then how many more
    assert snapshot(project_path) == before


def test_one_formula_without_a_result_is_named_too(tmp_path):
    path = write_xlsx(tmp_path / "svar.xlsx", [["id", "svar"], ["JC01", "=1+1"]])
    with pytest.raises(ImportError_, match=r"celle B2 rummer en formel uden gemt resultat"):
        read_table(path)


def test_formulas_with_a_saved_result_are_read_as_their_value(tmp_path):
    rows = [["id", "svar", "antal"], ["JC01", '=UPPER("x")', "=1+1"], ["JC02", '=""', "=2*3.5"]]
    data = rezip(
        xlsx_bytes(rows),
        {
            SHEET: lambda x: (
                x.replace(
                    b'<c r="B2"><f>UPPER("x")</f><v></v></c>',
                    b'<c r="B2" t="str"><f>UPPER("x")</f><v>X fra formel</v></c>',
                )
                .replace(b'<c r="C2"><f>1+1</f><v></v></c>', b'<c r="C2"><f>1+1</f><v>2</v></c>')
                .replace(
                    b'<c r="B3"><f>""</f><v></v></c>', b'<c r="B3" t="str"><f>""</f><v></v></c>'
                )
                .replace(
                    b'<c r="C3"><f>2*3.5</f><v></v></c>', b'<c r="C3"><f>2*3.5</f><v>7</v></c>'
                )
            )
        },
    )
    path = tmp_path / "svar.xlsx"
    path.write_bytes(data)
    table = read_table(path)
    assert table.records == [["JC01", "X fra formel", "2"], ["JC02", "", "7"]]


def _workbook(tmp_path: Path, sheets: list[tuple[str, str, list[list[object]]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, state, rows in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append(row)
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    return path


OLD = [["id", "svar"], ["JC01", "Gammelt udkast"]]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_skipped_and_the_sheet_read_is_named(tmp_path, state):
    path = _workbook(
        tmp_path, [("Udkast", state, OLD), ("Svar", "visible", ROWS), ("Noter", "visible", [["x"]])]
    )
    summary = import_answers_api(path, tmp_path / "p.db")
    assert len(answers(tmp_path / "p.db")) == 9
    assert answers(tmp_path / "p.db")["JC01"] == "Svar nummer 1"
    [note] = [n for n in summary.notes if "arket" in n]
    assert "læste arket 'Svar'" in note and "'Udkast'" in note and "skjult" in note
    assert "'Noter'" in note and "--sheet" in note
    result = run("import", "answers", tmp_path / "cli.db", path, *LONG)
    assert result.exit_code == 0 and "læste arket 'Svar'" in result.output


def test_a_workbook_of_several_sheets_says_which_it_read(tmp_path):
    path = _workbook(tmp_path, [("Svar", "visible", ROWS), ("Noter", "visible", OLD)])
    table = read_table(path)
    assert len(table.records) == 9
    assert table.notes == [
        "bemærk: læste arket 'Svar'; ikke læst: 'Noter' (vælg et andet ark med --sheet)"
    ]
    assert read_table(path, sheet="Noter").records == [["JC01", "Gammelt udkast"]]
    assert read_table(path, sheet="Noter").notes == []


def test_one_sheet_needs_no_note_and_a_hidden_sheet_asked_for_is_noted(tmp_path):
    assert read_table(write_xlsx(tmp_path / "a.xlsx", ROWS)).notes == []
    path = _workbook(tmp_path, [("Svar", "visible", ROWS), ("Skjult", "hidden", OLD)])
    assert read_table(path, sheet="Skjult").notes == [
        "bemærk: arket 'Skjult' er skjult i projektmappen"
    ]


def test_a_workbook_with_every_sheet_hidden_is_refused(tmp_path):
    path = _workbook(tmp_path, [("A", "visible", ROWS), ("B", "hidden", OLD)])
    path.write_bytes(
        rezip(
            path.read_bytes(),
            {
                "xl/workbook.xml": lambda x: re.sub(
                    rb'(name="A" sheetId="1" )state="visible"', rb'\1state="hidden"', x
                )
            },
        )
    )
    result = run("import", "answers", tmp_path / "p.db", path, *LONG)
    assert_one_line_error(result, str(path), "alle ark i projektmappen er skjulte", "--sheet")


def test_merged_cells_holding_a_value_are_refused_naming_the_ranges(
    tmp_path, project, project_path
):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in [
        ["id", "svar", "region"],
        ["JC01", "Et", "Sjælland"],
        ["JC02", "To", None],
        ["JC03", "Tre", "Fyn"],
        ["JC04", "Fire", None],
    ]:
        ws.append(row)
    ws.merge_cells("C2:C3")
    ws.merge_cells("C4:C5")
    ws.merge_cells("E7:F8")  # empty: read as empty, and said so
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    before = snapshot(project_path)
    result = run("import", "answers", project_path, path, *LONG, "--attr-col", "region")
    assert_one_line_error(result, str(path), "flettede celler C2:C3, C4:C5", "Ophæv fletning")
    assert snapshot(project_path) == before
    ws.unmerge_cells("C2:C3")
    ws.unmerge_cells("C4:C5")
    wb.save(path)
    table = read_table(path)
    assert "bemærk: de flettede celler E7:F8 er tomme; læst som tomme celler" in table.notes


# -- DOCX -----------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:document xmlns:w="{W}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    "<w:body>{body}<w:sectPr/></w:body></w:document>"
)


def _base_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


BASE_DOCX = _base_docx()


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def p(*runs: str, style: str | None = None, mark: str = "") -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if mark:
        props += f"<w:rPr>{mark}</w:rPr>"
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{''.join(runs)}</w:p>"


def docx_file(
    path: Path, *body: str, parts: dict[str, bytes] | None = None, rels: list[tuple[str, str]] = ()
) -> Path:
    changes: dict[str, object] = {"word/document.xml": DOCUMENT.format(body="".join(body)).encode()}
    changes.update(parts or {})
    if rels:

        def add(xml: bytes) -> bytes:
            extra = "".join(
                f'<Relationship Id="rIdT{n}" Type="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/relationships/{kind}" Target="{target}"/>'
                for n, (kind, target) in enumerate(rels)
            )
            return xml.replace(b"</Relationships>", extra.encode() + b"</Relationships>")

        changes["word/_rels/document.xml.rels"] = add
    path.write_bytes(rezip(BASE_DOCX, changes))
    return path


def excerpts(path: Path, **kwargs) -> tuple[list[tuple[str, str | None, str]], list[str]]:
    transcripts, _ = read_interviews([path], **kwargs)
    [t] = transcripts
    return t.items(), transcripts.notes


INS = '<w:ins w:id="1" w:author="Anne" w:date="2019-03-01T10:00:00Z">{}</w:ins>'
DEL = '<w:del w:id="2" w:author="Anne" w:date="2019-03-01T10:00:00Z">{}</w:del>'


def test_tracked_changes_read_as_accepted(tmp_path):
    path = docx_file(
        tmp_path / "JC07.docx",
        p(r("Interviewer: Hvordan går det?")),
        p(
            r("Leder: Vi har "),
            DEL.format("<w:r><w:delText>ikke </w:delText></w:r>"),
            INS.format(r("altid ")),
            r("haft fokus."),
        ),
        # a deleted paragraph mark: accepted, the paragraph runs on into the next
        p(
            r("Leder: Første del "),
            mark='<w:del w:id="3" w:author="A" w:date="2019-03-01T10:00:00Z"/>',
        ),
        p(r("og anden del.")),
        DEL.format(p(r("Slettet: hele afsnittet."))),
    )
    items, notes = excerpts(path)
    assert items == [
        ("interviewer", "Interviewer", "Hvordan går det?"),
        ("excerpt", "Leder", "Vi har altid haft fokus."),
        ("excerpt", "Leder", "Første del og anden del."),
    ]
    assert any("registrerede ændringer" in n and "accepteret" in n for n in notes)


def test_turns_in_a_table_are_read_in_body_order(tmp_path):
    def cell(*paragraphs: str) -> str:
        return f"<w:tc>{''.join(paragraphs)}</w:tc>"

    # a nested table, inside a content control, in place
    nested = (
        "<w:sdt><w:sdtContent><w:tbl><w:tr>"
        + cell(p(r("Konsulent: Indlejret.")))
        + "</w:tr></w:tbl></w:sdtContent></w:sdt>"
    )
    table = (
        "<w:tbl>"
        f"<w:tr>{cell(p(r('Interviewer: Første spørgsmål?')))}"
        f"{cell(p(r('Leder: Første svar.')), p(r('Andet afsnit af svaret.')))}</w:tr>"
        f"<w:tr>{cell(p(r('Interviewer: Andet spørgsmål?')))}{cell(nested)}</w:tr>"
        # a deleted row: gone once the changes are accepted
        '<w:tr><w:trPr><w:del w:id="9" w:author="A" w:date="2019-03-01T10:00:00Z"/>'
        f"</w:trPr>{cell(p(r('Leder: Slettet række.')))}</w:tr>"
        "</w:tbl>"
    )
    path = docx_file(
        tmp_path / "JC08.docx", p(r("# JC08 Jobcenter Tabel")), table, p(r("Interviewer: Tak."))
    )
    items, _ = excerpts(path)
    assert items == [
        ("interviewer", "Interviewer", "Første spørgsmål?"),
        ("excerpt", "Leder", "Første svar.\n\nAndet afsnit af svaret."),
        ("interviewer", "Interviewer", "Andet spørgsmål?"),
        ("excerpt", "Konsulent", "Indlejret."),
        ("interviewer", "Interviewer", "Tak."),
    ]


def test_content_controls_and_field_results_are_read_field_codes_are_not(tmp_path):
    date_field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DATE \\@ "d. MMMM yyyy" </w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r("3. marts 2019")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    no_result = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> TC "skjult" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    path = docx_file(
        tmp_path / "JC09.docx",
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        + p(r("Interviewer: Hvornår startede I?"))
        + "</w:sdtContent></w:sdt>",
        p(
            r("Leder: Den "),
            date_field,
            no_result,
            r(", med "),
            '<w:fldSimple w:instr=" REF navn "><w:r><w:t>Anne Hansen</w:t></w:r></w:fldSimple>',
            r(" som "),
            "<w:sdt><w:sdtContent>" + r("tovholder") + "</w:sdtContent></w:sdt>",
            r("."),
        ),
    )
    items, _ = excerpts(path)
    assert items[1] == ("excerpt", "Leder", "Den 3. marts 2019, med Anne Hansen som tovholder.")
    assert all(
        "DATE" not in text and "REF" not in text and "skjult" not in text for _k, _r, text in items
    )


COMMENTS = (
    f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="Bo">'
    "<w:p><w:r><w:t>Tjek dette citat</w:t></w:r></w:p></w:comment></w:comments>"
)
FOOTNOTES = (
    f'<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
    '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>'
    "Kilde: referat</w:t></w:r></w:p></w:footnote></w:footnotes>"
)


def test_comments_footnotes_and_text_boxes_stay_out_and_are_said(tmp_path):
    box = (
        "<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Boks med tekst"
        "</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    path = docx_file(
        tmp_path / "JC10.docx",
        p(r("Interviewer: Hvad så?")),
        p(
            '<w:commentRangeStart w:id="0"/>',
            r("Leder: Det gik godt."),
            '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>',
            '<w:r><w:footnoteReference w:id="1"/></w:r>',
            box,
        ),
        parts={"word/comments.xml": COMMENTS.encode(), "word/footnotes.xml": FOOTNOTES.encode()},
        rels=[("comments", "comments.xml"), ("footnotes", "footnotes.xml")],
    )
    items, notes = excerpts(path)
    assert items[1] == ("excerpt", "Leder", "Det gik godt.")
    assert not any("Tjek" in t or "Kilde" in t or "Boks" in t for _k, _r, t in items)
    [note] = [n for n in notes if n.startswith("sprunget over:")]
    assert "1 kommentar" in note and "1 fodnote" in note and "1 tekstfelt" in note


def test_headings_and_line_breaks(tmp_path):
    """Heading 1 (Danish Word: the style id Overskrift1, named 'heading 1') and Title start
    a jobcentre; a line break inside a paragraph starts a line, so a turn after it is a
    turn of its own, not the end of the previous one."""
    styles = (
        f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Overskrift1">'
        '<w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" '
        'w:styleId="Titel"><w:name w:val="Title"/></w:style></w:styles>'
    ).encode()
    path = docx_file(
        tmp_path / "interview.docx",
        p(r("JC11 Jobcenter Nord"), style="Overskrift1"),
        p(r("Interviewer: Hvad?"), "<w:r><w:br/></w:r>", r("Leder: Det her.")),
        p(r("JC12 Jobcenter"), "<w:r><w:br/></w:r>", r("Syd"), style="Titel"),
        p(r("Interviewer: Og?\tSvar:"), "<w:r><w:tab/></w:r>", r("ja")),
        p(r("Leder: Ja.")),
        parts={"word/styles.xml": styles},
    )
    transcripts, _ = read_interviews([path])
    assert [(t.respondent, t.name) for t in transcripts] == [
        ("JC11", "Jobcenter Nord"),
        ("JC12", "Jobcenter Syd"),
    ]
    assert transcripts[0].items() == [
        ("interviewer", "Interviewer", "Hvad?"),
        ("excerpt", "Leder", "Det her."),
    ]
    assert transcripts[1].items()[0] == ("interviewer", "Interviewer", "Og?\tSvar:\tja")


def test_a_field_that_never_ends_is_refused(tmp_path, project, project_path):
    path = docx_file(
        tmp_path / "JC13.docx",
        p(r("Interviewer: Hej?")),
        p('<w:r><w:fldChar w:fldCharType="begin"/></w:r>', r("Leder: skjult")),
        p(r("Leder: Resten.")),
    )
    before = snapshot(project_path)
    result = run("import", "interviews", project_path, path)
    assert_one_line_error(result, str(path), "afsnit 2", "slutter aldrig")
    assert snapshot(project_path) == before


def test_a_docx_that_expands_like_a_zip_bomb_is_refused(tmp_path):
    path = docx_file(tmp_path / "JC14.docx", p(r("Leder: " + " " * 5_000_000)))
    result = run("import", "interviews", tmp_path / "p.db", path)
    assert_one_line_error(result, str(path), "word/document.xml", "zip-bombe")


def test_errors_in_a_docx_name_the_word_paragraph_despite_line_breaks(tmp_path):
    path = docx_file(
        tmp_path / "JC15.docx",
        p(r("Interviewer: a"), "<w:r><w:br/></w:r>", r("Leder: b")),
        p(r("Leder:")),
        p(r("Interviewer: c")),
    )
    with pytest.raises(ImportError_, match="afsnit 2: turen for 'Leder' er tom"):
        read_interviews([path])


def test_refiqda_docx_sources_use_the_same_reader(tmp_path):
    from qualcode.io.refiqda import _docx_text

    path = docx_file(
        tmp_path / "kilde.docx",
        p(r("Notat fra mødet i Søby.")),
        p(
            r("Vi har "),
            DEL.format("<w:r><w:delText>ikke </w:delText></w:r>"),
            INS.format(r("altid ")),
            r("haft fokus."),
        ),
        "<w:tbl><w:tr><w:tc>" + p(r("I en tabel.")) + "</w:tc></w:tr></w:tbl>",
    )
    assert _docx_text(path.read_bytes(), "p.qdpx (sources/kilde.docx)") == (
        "Notat fra mødet i Søby.\nVi har altid haft fokus.\nI en tabel."
    )
    bomb = docx_file(tmp_path / "bomb.docx", p(r(" " * 5_000_000)))
    with pytest.raises(ImportError_, match=r"p\.qdpx \(sources/bomb\.docx\).*zip-bombe"):
        _docx_text(bomb.read_bytes(), "p.qdpx (sources/bomb.docx)")


# -- text encodings ----------------------------------------------------------------------

DANISH = "id;svar\r\nJC01;Vi gør det på en ny måde\r\nJC02;Første skridt er at være tæt på\r\n"


def test_mac_roman_csv_is_refused_with_a_hint(tmp_path, project, project_path):
    path = tmp_path / "svar.csv"
    path.write_bytes(DANISH.encode("mac_roman"))
    before = snapshot(project_path)
    result = run("import", "answers", project_path, path, *LONG)
    assert_one_line_error(result, str(path), "linje 2", "'g¿r'", "Mac Roman", "UTF-8")
    assert snapshot(project_path) == before


def test_mac_roman_with_a_capital_aa_is_refused_with_the_same_hint(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes("id;svar\nJC01;Århus og Ålborg\n".encode("mac_roman"))
    with pytest.raises(ImportError_, match="Mac Roman"):
        read_table(path)


def test_mac_roman_transcript_is_refused(tmp_path):
    path = tmp_path / "JC20.txt"
    path.write_bytes("Interviewer: Hvordan?\nLeder: Vi får det til at gå.\n".encode("mac_roman"))
    with pytest.raises(ImportError_, match=r"linje 2 læses som 'fŒr'.*Mac Roman"):
        read_interviews([path])


@pytest.mark.parametrize(
    ("codec", "label"), [("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE")]
)
def test_utf16_without_a_bom_is_named(tmp_path, codec, label):
    path = tmp_path / "svar.csv"
    path.write_bytes(DANISH.encode(codec))
    result = run("import", "answers", tmp_path / "p.db", path, *LONG)
    assert_one_line_error(
        result, str(path), f"er {label}-tekst uden byte order mark", "gem den som UTF-8"
    )
    transcript = tmp_path / "JC21.txt"
    transcript.write_bytes("Interviewer: Hej?\nLeder: Hej.\n".encode(codec))
    with pytest.raises(ImportError_, match="UTF-16"):
        read_interviews([transcript])


@pytest.mark.parametrize(
    "text",
    [
        DANISH,
        "id;svar\nJC01;Microsoft® Word og ¾ af borgerne\nJC02;¿Qué? Ændret: Østen, Æbler\n",
        "id;svar\nJC01;Ingen danske bogstaver, kun ¾ og ®\n",
        "id;svar\nJC01;Café – “citat” … og § 3\n",
    ],
)
def test_windows_1252_and_utf8_are_read_as_before(tmp_path, text):
    for encoding in ("cp1252", "utf-8", "utf-8-sig"):
        data = text.encode(encoding)
        decoded, used = decode_text(data, "svar.csv")
        assert decoded.lstrip("\ufeff") == text
        assert used == {"cp1252": "cp1252", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}[encoding]


# -- NFC and look-alike ids --------------------------------------------------------------

NFD = unicodedata.normalize("NFD", "JCÅrø")
NFC = unicodedata.normalize("NFC", "JCÅrø")


def test_an_nfd_id_is_the_same_respondent_as_the_nfc_one(tmp_path):
    db = tmp_path / "p.db"
    write_csv(tmp_path / "a.csv", [["id", "svar", "område"], [NFC, "Første svar", "Sjælland"]])
    write_csv(
        tmp_path / "b.csv",
        [
            ["id", "svar2", unicodedata.normalize("NFD", "område")],
            [NFD, "Andet svar", unicodedata.normalize("NFD", "Århus")],
        ],
    )
    assert (
        run("import", "answers", db, tmp_path / "a.csv", *LONG, "--attr-col", "område").exit_code
        == 0
    )
    result = run(
        "import",
        "answers",
        db,
        tmp_path / "b.csv",
        "--respondent-col",
        "id",
        "--text-col",
        "svar2",
        "--question",
        "fysiske",
        "--codebook",
        "udfordringer-fysiske",
        "--attr-col",
        "område",
    )
    assert result.exit_code == 0, result.output
    assert "ændret: 1 kolonnenavn, 1 respondent-id og 1 attributværdi" in result.output
    with Project.open(db) as p:
        assert [r.id for r in p.respondents()] == [NFC]
        assert p.respondent(NFC).attributes == {"område": "Århus"}


def test_nfd_codings_and_transcripts_match_the_nfc_project(tmp_path):
    db = tmp_path / "p.db"
    write_csv(tmp_path / "a.csv", [["id", "svar"], [NFC, "Borgere på kanten"]])
    assert run("import", "answers", db, tmp_path / "a.csv", *LONG).exit_code == 0
    codings = write_csv(
        tmp_path / "k.csv",
        [
            ["respondent", "question", "code", "coder"],
            [NFD, "strategier", "borgere-paa-kanten", unicodedata.normalize("NFD", "Åse")],
        ],
    )
    result = run("import", "codings", db, codings)
    assert result.exit_code == 0, result.output
    assert "1 respondentfelt og 1 koderfelt" in result.output
    with Project.open(db) as p:
        assert [c.coder for c in p.codings()] == ["Åse"]
    transcript = tmp_path / f"{NFD}.txt"  # a macOS file name is NFD
    transcript.write_text("Interviewer: Hej?\nLeder: Hej.\n", encoding="utf-8")
    result = run("import", "interviews", db, transcript)
    assert result.exit_code == 0, result.output
    with Project.open(db) as p:
        assert [r.id for r in p.respondents()] == [NFC]


def test_lookalike_ids_in_the_file_are_warned_about_naming_both(tmp_path):
    path = write_csv(
        tmp_path / "svar.csv",
        [
            ["id", "svar"],
            ["JC07", "a"],
            ["jc07", "b"],
            ["JC 07", "c"],
            ["JC\u200b07", "d"],
            ["JC7", "e"],
            ["JC08", "f"],
            ["JC80", "g"],
            ["1", "h"],
            ["01", "i"],
        ],
    )
    summary = import_answers_api(path, tmp_path / "p.db")
    warnings = [n for n in summary.notes if n.startswith("advarsel:")]
    assert len(warnings) == 2
    assert warnings[0] == (
        "advarsel: respondent-id'erne 'JC07' (række 2), 'jc07' (række 3), 'JC 07' (række 4), "
        "'JC<U+200B>07' (række 5) og 'JC7' (række 6) adskiller sig kun i store og små "
        "bogstaver, usynlige tegn, mellemrum og foranstillede nuller; de beholdes som 5 "
        "forskellige respondenter (er de de samme?)"
    )
    assert (
        "'1' (række 9) og '01' (række 10) adskiller sig kun i foranstillede nuller" in (warnings[1])
    )
    assert len(answers(tmp_path / "p.db")) == 9  # nothing merged


def test_a_lookalike_of_a_project_id_is_warned_about(tmp_path, project, project_path):
    path = write_csv(
        tmp_path / "svar.csv", [["jobcenter_id", "svar"], ["jc01", "x"], ["JC05", "y"]]
    )
    result = run(
        "import",
        "answers",
        project_path,
        path,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "ny",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert result.exit_code == 0, result.output
    assert (
        "advarsel: respondent-id'erne 'jc01' (række 2) og 'JC01' (i projektet) adskiller sig "
        "kun i store og små bogstaver" in result.output
    )


def test_lookalike_transcript_ids_are_warned_about(tmp_path, project):
    transcript = tmp_path / "jc02.txt"
    transcript.write_text("Interviewer: Hej?\nLeder: Hej.\n", encoding="utf-8")
    transcripts, digest = read_interviews([transcript])
    summary = project.import_interviews(
        transcripts,
        question="interview",
        codebook=load_codebook("kompenserende-ordninger"),
        file=str(transcript),
        sha256=digest,
    )
    assert any(
        "jobcenter-id'erne 'jc02'" in n and "'JC02' (i projektet)" in n for n in summary.notes
    )


def test_a_coding_for_a_lookalike_id_names_the_id_the_project_has(tmp_path, project, project_path):
    path = write_csv(
        tmp_path / "k.csv",
        [["respondent", "question", "code"], ["JC1", "strategier", "borgere-paa-kanten"]],
    )
    before = snapshot(project_path)
    result = run("import", "codings", project_path, path)
    assert_one_line_error(
        result, str(path), "række 2", "ingen respondent 'JC1'", "projektet har 'JC01'"
    )
    assert snapshot(project_path) == before


def test_lookalike_groups_costs_nothing_without_lookalikes():
    ids = [f"JC{n:05}" for n in range(100_000)]
    start = time.perf_counter()
    assert lookalike_groups(ids) == []
    assert time.perf_counter() - start < 1.0
    assert lookalike_groups(["a", "A", "b", "B ", "c"]) == [["a", "A"], ["b", "B "]]


# -- what every import skips, and controls ---------------------------------------------------


def test_answers_notes_blank_rows_unused_columns_and_answers_already_held(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_text(
        "id;svar;kommune;noter\n\nJC01;Et;Fyn;x\n;;;\nJC02;To;Fyn;y\nJC03;Tre;Fyn;z\n;;;\n",
        encoding="utf-8",
    )
    db = tmp_path / "p.db"
    summary = import_answers_api(path, db)
    blank, unused = summary.notes
    assert blank.startswith("sprunget over: 2 tomme rækker (") and "2, 4" in blank
    assert unused == (
        "sprunget over: 2 kolonner ikke importeret: 'kommune', 'noter' (ikke valgt som "
        "tekst-, navne- eller attributkolonner; --attr-col eller --all-attrs gemmer dem som "
        "attributter)"
    )
    path.write_text("id;svar\nJC01;Et\nJC02;Andet\nJC04;Fire\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="JC02' har allerede et andet svar"):
        import_answers_api(path, db)
    path.write_text("id;svar\nJC01;Et\nJC02;To\nJC04;Fire\n", encoding="utf-8")
    summary = import_answers_api(path, db)
    assert summary.items_added == 1
    assert (
        "sprunget over: 2 svar (rækker 2, 3): projektet har allerede de samme svar" in summary.notes
    )


def test_xlsx_blank_rows_between_rows_are_noted(tmp_path):
    rows = [["id", "svar"], ["JC01", "Et"], [None, None], ["JC02", "To"]]
    data = rezip(
        xlsx_bytes(rows),
        {
            SHEET: lambda x: (
                x.replace(b'<row r="4">', b'<row r="9">')
                .replace(b'r="A4"', b'r="A9"')
                .replace(b'r="B4"', b'r="B9"')
            )
        },
    )
    path = tmp_path / "svar.xlsx"
    path.write_bytes(data)
    table = read_table(path)
    assert table.numbers == [2, 9]
    [note] = table.notes
    assert note.startswith("sprunget over: 6 tomme rækker (") and "3, 4, 5, 6, 7, ..." in note


def test_codings_notes_unknown_columns_memos_and_passages(tmp_path, project, project_path):
    path = write_csv(
        tmp_path / "k.csv",
        [
            ["respondent", "question", "code", "memo", "text", "start", "end", "kommentar"],
            ["JC01", "strategier", "borgere-paa-kanten", "første", "", "", "", "x"],
            ["JC02", "strategier", "beskaeftigelsesplan", "", "beskæftigelsesplanen", "0", "5", ""],
        ],
    )
    rows, table = read_codings(str(path), default_coder="anne")
    assert rows.notes == [
        "sprunget over: kolonnen 'kommentar': ikke en kodningskolonne (respondent, "
        "question, code, coder, item, text, start, end, memo)"
    ]
    summary = project.import_codings(rows, file=table.file, sha256=table.sha256)
    assert summary.codings_added == 2
    assert any(
        n.startswith("advarsel: 1 række (række 3) angiver en passage, der ikke står der")
        for n in summary.notes
    )
    path = write_csv(
        tmp_path / "k2.csv",
        [
            ["respondent", "question", "code", "memo"],
            ["JC01", "strategier", "borgere-paa-kanten", "en anden memo"],
        ],
    )
    rows, table = read_codings(str(path), default_coder="anne")
    summary = project.import_codings(rows, file=table.file, sha256=table.sha256)
    assert summary.codings_existing == 1
    assert summary.notes == [
        "sprunget over: memoet i 1 række (række 2): projektet har allerede kodningen med et "
        "andet memo"
    ]


def test_a_transcript_already_imported_is_noted(tmp_path, project):
    first = tmp_path / "JC30.txt"
    first.write_text("Interviewer: Hej?\nLeder: Hej.\n", encoding="utf-8")
    second = tmp_path / "JC31.txt"
    second.write_text("Interviewer: Hej?\nLeder: Davs.\n", encoding="utf-8")
    book = load_codebook("kompenserende-ordninger")
    for files in ([first], [first, second]):
        transcripts, digest = read_interviews(files)
        summary = project.import_interviews(
            transcripts, question="interview", codebook=book, file="x", sha256=digest
        )
    assert summary.items_added == 2
    assert summary.notes == [
        "sprunget over: 1 udskrift, der allerede er i projektet med samme tekst til "
        "'interview' ('JC30')"
    ]


def test_turns_before_the_first_header_are_warned_about(tmp_path):
    path = tmp_path / "interview.md"
    path.write_text(
        "Interviewer: Hej?\nLeder: Indledning.\n\n# JC32 Jobcenter\n\n"
        "Interviewer: Så?\nLeder: Svar.\n",
        encoding="utf-8",
    )
    transcripts, _ = read_interviews([path])
    assert [t.respondent for t in transcripts] == ["interview", "JC32"]
    assert transcripts.notes == [
        "advarsel: turene før den første '# ID'-overskrift (2 ture fra linje 1) importeres "
        "som jobcenter 'interview', opkaldt efter filen; tilføj en overskrift over dem, hvis de "
        "hører til et andet jobcenter"
    ]
    path.write_text("Interviewer: Hej?\nLeder: Uden overskrift.\n", encoding="utf-8")
    assert read_interviews([path])[0].notes == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "xlsx"])
def test_texts_holding_control_characters_are_counted_and_kept(tmp_path, encoding):
    rows = [
        ["id", "svar"],
        ["JC01", "rød \x1b[31mtekst"],
        ["JC02", "bip\x07"],
        ["JC03", "ren tekst\r\nlinje 2"],
        ["JC04", "slet\x7f"],
    ]
    if encoding == "xlsx":  # XML holds no C0 control but tab and line breaks: DEL and C1
        rows[1:3] = [["JC01", "næste\x85linje"], ["JC02", "kontrol\x9b31m"]]
        path = write_xlsx(tmp_path / "svar.xlsx", rows)
    else:
        path = write_csv(tmp_path / "svar.csv", rows, encoding=encoding)
    db = tmp_path / "p.db"
    result = run("import", "answers", db, path, *LONG)
    assert result.exit_code == 0, result.output
    assert "3 elementer med kontroltegn" in result.output
    assert answers(db)["JC01"] == rows[1][1]
    clean = write_csv(
        tmp_path / "ren.csv",
        [["id", "svar"], ["JC09", "ren\ttekst"]],
        encoding="cp1252" if encoding == "xlsx" else encoding,
    )
    summary = import_answers_api(clean, tmp_path / "ren.db")
    assert summary.items_with_controls == 0


def test_transcript_turns_holding_control_characters_are_counted(tmp_path, project):
    transcript = tmp_path / "JC40.txt"
    transcript.write_text("Interviewer: Hej?\nLeder: Et \x1b]0;titel\x07 svar.\n", encoding="utf-8")
    transcripts, digest = read_interviews([transcript])
    summary = project.import_interviews(
        transcripts,
        question="interview",
        codebook=load_codebook("kompenserende-ordninger"),
        file=str(transcript),
        sha256=digest,
    )
    assert summary.items_with_controls == 1
    assert project.items("interview", respondent="JC40")[0].text == "Et \x1b]0;titel\x07 svar."


def test_the_demo_data_imports_without_warnings(demo_db):
    with Project.open(demo_db) as p:
        rows = p.db.execute("SELECT file, summary FROM imports").fetchall()
    import json

    for file, summary in rows:
        notes = json.loads(summary).get("notes", [])
        assert not [n for n in notes if n.startswith("warning:")], (file, notes)
