"""Escape sequences in the data never reach a terminal raw: every human format of the CLI
(tables, Markdown, summaries, error lines) shows them as visible symbols, while CSV and
JSON keep the data exactly as it is, XLSX keeps it with OOXML's _xHHHH_ escape and DOCX
and HTML show the symbols instead of crashing."""

from __future__ import annotations

import html
import io
import json
import zipfile

import pytest

from helpers import run, write_csv
from qualcode.core.project import Project
from qualcode.safe import visible

# an answer that sets the terminal's title (OSC ... BEL), clears the screen (CSI 2J),
# starts a colour with a C1 CSI, and holds brackets that markup would swallow
TEXT = (
    "Før \x1b]0;pwned\x07 titel \x1b[2J ryd \x9b31m rød [bold]x[/bold] [CPR] om "
    "fleksjob og samarbejde"
)
RID = "JC9\x1b[5m"
NAME = "Jobcenter \x1b]0;navn\x07"
LABEL = "Tema \x1b]0;kode\x07 [CPR] \x9b1m"
REGION = "Syd\x1b[2J"
CODER = "bo\x1b[31m"
CONTROLS = ("\x1b", "\x07", "\x9b")
QUESTION = "kontakt"


def raw_free(text: str) -> bool:
    """No ESC, BEL or C1 CSI: nothing a terminal would act on."""
    return not any(c in text for c in CONTROLS)


@pytest.fixture
def hostile(demo_copy, tmp_path):
    """The demo with a question 'kontakt' whose answer, respondent id, name and region are
    hostile, a hostile code label in its codebook, coded (and starred) by two coders, one
    with a hostile name. Returns the import's result too."""
    src = write_csv(
        tmp_path / "svar\x1b]0;fil\x07.csv",
        [
            ["jobcenter_id", "svar", "navn", "region"],
            [RID, TEXT, NAME, REGION],
            [
                "JC01",
                "Vi har fokus på fleksjob og samarbejde med virksomheder.",
                "Jobcenter A",
                "Nord",
            ],
            ["JC02", "Ring på 23 45 67 89 om fleksjob.", "Jobcenter B", "Nord"],
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
        QUESTION,
        "--codebook",
        "lokalpolitiske-strategier",
        "--name-col",
        "navn",
        "--attr-col",
        "region",
    )
    assert result.exit_code == 0, result.output
    with Project.open(demo_copy, coder="ida") as p:
        code = p.add_code("lokalpolitiske-strategier", LABEL)
        item = next(i for i in p.items(QUESTION) if i.respondent == RID)
        other = next(i for i in p.items(QUESTION) if i.respondent == "JC01")
        coding = p.add_coding(item.id, code.key, start=0, end=len(TEXT))
        p.add_coding(other.id, code.key)
        p.star(coding.id)
        p.add_coding(item.id, code.key, coder=CODER)
        p.add_coding(other.id, "fleksjob", coder=CODER)
    return demo_copy, result, code.key


def out(*args) -> str:
    """What the command printed on standard output (the data, or the human table)."""
    result = run(*args)
    assert result.exit_code == 0, (args, result.output)
    assert raw_free(result.stderr), result.stderr  # notes on stderr quote data visibly
    return result.stdout


# -- the human formats -------------------------------------------------------------------


def test_import_summary_and_pii_warning_show_symbols(english, hostile):
    _, result, _ = hostile
    assert raw_free(result.output)
    assert "svar␛]0;fil␇.csv" in result.output  # the file's name, visible
    assert "possible personal data" in result.output  # the warning is still there


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_counts_table_and_markdown(hostile, fmt):
    db, _, _ = hostile
    text = out("counts", db, "--question", QUESTION, "--format", fmt)
    assert raw_free(text)
    assert visible(LABEL).replace("|", "\\|") in text
    assert "[CPR]" in text


def test_counts_csv_json_and_xlsx_keep_the_data(hostile, tmp_path):
    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    db, _, _ = hostile
    assert LABEL in out("counts", db, "--question", QUESTION, "--format", "csv")
    labels = [
        c["label"]
        for c in json.loads(out("counts", db, "--question", QUESTION, "--format", "json"))["codes"]
    ]
    assert LABEL in labels
    target = tmp_path / "tal.xlsx"
    run("counts", db, "--question", QUESTION, "-o", target)
    cells = [c.value for c in load_workbook(target).active["A"]]
    stored = next(c for c in cells if c and c.startswith("Tema "))
    assert stored == "Tema _x001B_]0;kode_x0007_ [CPR] \x9b1m"  # C1 is legal XML
    assert unescape(stored) == LABEL  # what Excel shows: the data as it was


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_quotes(hostile, fmt):
    db, _, key = hostile
    text = out("quotes", db, "--code", key, "--question", QUESTION, "--format", fmt)
    if fmt == "md":
        assert raw_free(text)
        assert visible(TEXT) in text and "[bold]x[/bold]" in text
        assert visible(NAME) not in text  # anonymous by default
        named = out(
            "quotes", db, "--code", key, "--question", QUESTION, "--attribute", "respondent"
        )
        assert raw_free(named) and visible(NAME) in named
    else:
        assert TEXT in text and RID in text


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_agreement(hostile, fmt):
    db, _, _ = hostile
    text = out("agreement", db, "--question", QUESTION, "--format", fmt)
    if fmt == "table":
        assert raw_free(text)
        assert visible(CODER) in text and visible(LABEL) in text
    else:
        assert LABEL in (
            text if fmt == "csv" else " ".join(c["label"] for c in json.loads(text)["codes"])
        )


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_crosstab(hostile, fmt):
    db, _, _ = hostile
    text = out("crosstab", db, "--question", QUESTION, "--by", "region", "--format", fmt)
    if fmt in ("table", "md"):
        assert raw_free(text)
        assert visible(REGION) in text and visible(LABEL).replace("|", "\\|") in text
    elif fmt == "csv":
        assert REGION in text and LABEL in text
    else:
        doc = json.loads(text)
        assert REGION in doc["groups"] and LABEL in [c["label"] for c in doc["codes"]]


def test_crosstab_xlsx_keeps_the_data(hostile, tmp_path):
    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    db, _, _ = hostile
    target = tmp_path / "kryds.xlsx"
    result = run("crosstab", db, "--question", QUESTION, "--by", "region", "-o", target)
    assert result.exit_code == 0, result.output
    texts = [
        unescape(c.value)
        for row in load_workbook(target).active.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any(REGION in t for t in texts) and any(LABEL in t for t in texts)


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_waves(hostile, fmt):
    db, _, _ = hostile
    text = out("counts", db, "--waves", "--question", "strategier", "--format", fmt)
    if fmt in ("table", "md"):
        assert raw_free(text)
        assert visible(LABEL) in text
    elif fmt == "csv":
        assert LABEL in text
    else:
        assert LABEL in [c["label"] for c in json.loads(text)["codes"]]


def test_scan_pii_table_and_csv(hostile):
    db, _, _ = hostile
    table = out("scan-pii", db, "--question", QUESTION)
    assert raw_free(table) and "23 45 67 89" in table
    masked = out("scan-pii", db, "--question", QUESTION, "--mask")
    assert "23 45 67 89" not in masked and "23 •• •• ••" in masked
    assert "23 45 67 89" in out("scan-pii", db, "--question", QUESTION, "--format", "csv")


def test_scan_pii_masks_every_match_in_the_context(demo_copy, tmp_path):
    src = write_csv(
        tmp_path / "svar.csv",
        [
            ["jobcenter_id", "svar"],
            ["JC01", "Borgeren (CPR 010190-1234) kan kontaktes via mette@jobcenter.dk nu."],
        ],
    )
    run(
        "import",
        "answers",
        demo_copy,
        src,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        QUESTION,
        "--codebook",
        "lokalpolitiske-strategier",
    )
    text = out("scan-pii", demo_copy, "--question", QUESTION, "--mask")
    assert "010190" not in text and "90-1234" not in text and "mette@" not in text
    assert "01••••-••••" in text and "m•••@jobcenter.dk" in text


def test_info_and_codebook_show(hostile):
    db, _, _ = hostile
    info = out("info", db)
    assert raw_free(info) and QUESTION in info
    shown = out("codebook", "show", "lokalpolitiske-strategier", "--db", db)
    assert raw_free(shown) and visible(LABEL) in shown
    yaml_text = out("codebook", "show", "lokalpolitiske-strategier", "--db", db, "--yaml")
    assert "\\e]0;kode\\a" in yaml_text  # YAML escapes it itself and keeps the data


def test_code_command_line(hostile):
    db, _, key = hostile
    result = run(
        "code",
        db,
        "--question",
        QUESTION,
        "--respondent",
        RID,
        "--code",
        key,
        "--coder",
        CODER,
        "--remove",
    )
    assert result.exit_code == 0, result.output
    assert raw_free(result.output) and visible(RID) in result.output
    again = run(
        "code", db, "--question", QUESTION, "--respondent", RID, "--code", key, "--coder", CODER
    )
    assert raw_free(again.output) and f"kodede {visible(RID)}" in again.output
    assert f"(koder {visible(CODER)})" in again.output


def test_kwic_and_suggest(hostile):
    db, _, _ = hostile
    table = out("kwic", db, "ryd", "--question", QUESTION)
    assert raw_free(table) and visible(RID) in table
    rows = json.loads(out("kwic", db, "ryd", "--question", QUESTION, "--format", "json"))
    assert [r["respondent"] for r in rows] == [RID]
    assert any(TEXT.startswith(r["left"]) for r in rows)
    suggested = run("suggest", db, "--question", QUESTION, "--coder", "ny", "--source", "rule")
    assert suggested.exit_code == 0, suggested.output
    assert raw_free(suggested.output) and visible(RID) in suggested.stdout
    rows = json.loads(
        out(
            "suggest",
            db,
            "--question",
            QUESTION,
            "--coder",
            "ny",
            "--source",
            "rule",
            "--format",
            "json",
        )
    )
    assert RID in {r["respondent"] for r in rows}


def test_rows_table_of_evaluate_and_suggest_shows_symbols():
    from qualcode.io.rows import render_rows

    rows = [{"question": "q", "code": "k", "label": LABEL, "words": [TEXT, "x"], "score": 0.5}]
    columns = [("question", "Q"), ("label", "Label"), ("words", "Ord"), ("score", "S")]
    table = render_rows(rows, columns, "table").decode()
    assert raw_free(table) and visible(LABEL) in table and len(table.splitlines()) == 3
    assert json.loads(render_rows(rows, columns, "json"))[0]["label"] == LABEL
    assert LABEL in render_rows(rows, columns, "csv").decode("utf-8-sig")


def test_error_lines_quote_data_visibly(hostile, tmp_path):
    db, _, _ = hostile
    result = run(
        "code", db, "--question", QUESTION, "--respondent", "JC\x1b]0;x\x07", "--code", "fleksjob"
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and raw_free(lines[0]) and "'JC␛]0;x␇'" in lines[0]
    missing = run(
        "import",
        "answers",
        db,
        tmp_path / "nej\x1b[2J.csv",
        "--respondent-col",
        "id",
        "--text-col",
        "svar",
        "--question",
        "q",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert missing.exit_code == 1 and raw_free(missing.stderr) and "nej␛[2J" in missing.stderr


def test_fail_is_the_one_place_errors_are_printed(capsys):
    from qualcode.cli.common import fail

    with pytest.raises(SystemExit):
        fail("cell 'a\x1b]0;t\x07\r\nb' in row 3")
    err = capsys.readouterr().err
    assert err == "qualcode: fejl: cell 'a␛]0;t␇␍⏎b' in row 3\n"


# -- files: XLSX keeps the data, DOCX/HTML/Markdown show symbols ---------------------------


def test_xlsx_text_escape_round_trips():
    from openpyxl.utils.escape import unescape

    from qualcode.io.export import xlsx_cell, xlsx_text

    for text in (TEXT, "a\x00b\x08c\x0bd\x0ce\re\x1ff", "_x0041_ stays _x0041_", "\t\nok"):
        assert unescape(xlsx_text(text)) == text
    assert xlsx_text("plain æøå") == "plain æøå"
    # formula-like text stays as typed: workbook_bytes types it as a string cell
    assert xlsx_cell("=\x1b") == "=_x001B_" and xlsx_cell(3) == 3


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # ␛ in the chart
def test_report_in_every_format(hostile, tmp_path):
    from docx import Document
    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    db, _, _ = hostile
    for suffix in ("docx", "xlsx", "html", "md"):
        target = tmp_path / f"rapport.{suffix}"
        result = run("report", db, "--question", QUESTION, "--by", "region", "-o", target)
        assert result.exit_code == 0, (suffix, result.output, result.exception)
        assert raw_free(result.output)
        if suffix == "docx":
            doc = Document(str(target))
            body = "\n".join(p.text for p in doc.paragraphs)
            cells = " ".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
            assert visible(TEXT) in body and visible(LABEL) in body + cells
            assert visible(REGION) in cells
        elif suffix == "xlsx":
            texts = [
                unescape(c.value)
                for ws in load_workbook(target).worksheets
                for row in ws.iter_rows()
                for c in row
                if isinstance(c.value, str)
            ]
            assert any(TEXT in t for t in texts) and any(REGION in t for t in texts)
        else:
            text = target.read_text("utf-8")
            assert raw_free(text)
            shown = visible(TEXT)
            assert (html.escape(shown) if suffix == "html" else shown) in text


def test_quotes_docx_shows_symbols_instead_of_failing(hostile):
    from docx import Document

    from qualcode.io.quotes_docx import quotes_docx

    db, _, key = hostile
    with Project.open(db) as p:
        quotes = p.quotes(key, QUESTION)
    data = quotes_docx(quotes, title="Citater \x1b]0;t\x07", attribute="respondent")
    doc = Document(io.BytesIO(data))
    shown = "\n".join(p.text for p in doc.paragraphs)
    assert visible(TEXT) in shown and visible(NAME) in shown
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"\x1b" not in z.read("word/document.xml")


def test_chart_svg_is_xml_without_controls(hostile):
    import xml.dom.minidom

    from qualcode.io.charts import chart_bytes

    db, _, _ = hostile
    with Project.open(db) as p:
        frame = p.counts(QUESTION)
    with pytest.warns(UserWarning):  # DejaVu Sans has no glyph for ␛: a box, and a warning
        svg = chart_bytes(frame, "svg")
    assert not any(c.encode() in svg for c in CONTROLS)
    xml.dom.minidom.parseString(svg)


# -- personal data: masking -----------------------------------------------------------


def test_mask_all_masks_every_match_and_those_cut_by_the_window():
    from qualcode.core.pii import find_in_text, mask_all, scan

    text = "Borgeren (CPR 010190-1234) kan kontaktes via mette.b@jobcenter.dk eller 23 45 67 89."
    matches = find_in_text(text)
    assert mask_all(text, matches) == (
        "Borgeren (CPR 01••••-••••) kan kontaktes via m•••@jobcenter.dk eller 23 •• •• ••."
    )
    # a window that starts inside the CPR number masks it whole
    assert mask_all(text, matches, 18, 30) == "01••••-••••) kan"
    assert mask_all(text, [], 0, 8) == "Borgeren"
    assert scan  # the context of each hit is built with these (see the F8 tests)
