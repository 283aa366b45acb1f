"""The report's DOCX laid out as the published report: A4 with its margins, tables whose
columns sum to the text width on the grid and in every cell, header rows that repeat and
rows that do not split, pictures within the text width, one caption per table and
figure, the report's column headings; the published figure only when asked for; the
agency's Word template; quotes anonymous by default. Each document is opened again with
python-docx."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from helpers import assert_one_line_error, run
from qualcode.core.project import Project
from qualcode.io import word

TWIP = 635  # EMU
TOLERANCE = 2 * TWIP  # widths are whole twips; the sum may be off by rounding
HEAD = [
    "FOKUSPUNKT",
    "ESSENSEN AF FOKUSPUNKTET",
    "ANTAL JOBCENTRE DER NÆVNER FOKUSPUNKTET",
    "ANDEL",
]
GROUPS = ["--by", "lokalpolitisk_fokus", "--group", "høj=I høj grad,I meget høj grad"]
GROUPS += ["--group", "lav=I nogen grad,I mindre grad"]


@pytest.fixture(scope="module")
def starred(demo_db, tmp_path_factory) -> tuple[Path, object, object]:
    """The demo with an interview quote and a survey answer starred."""
    path = tmp_path_factory.mktemp("starred") / "demo.qualcode.db"
    shutil.copy(demo_db, path)
    with Project.open(path) as p:
        said = next(q for q in p.quotes("hjaelpemidler", "interview") if q.role)
        answer = p.quotes("fleksjob", "strategier")[0]
        p.star(said.coding_id)
        p.star(answer.coding_id)
    return path, said, answer


@pytest.fixture(scope="module")
def report_docx(starred, tmp_path_factory) -> Path:
    """The whole report with a crosstab, as the CLI writes it by default."""
    out = tmp_path_factory.mktemp("docx") / "rapport.docx"
    result = run("report", starred[0], "-o", out, *GROUPS)
    assert result.exit_code == 0, result.output
    return out


def text_width(doc) -> int:
    """The text width of the document's (first, upright) pages."""
    section = doc.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def captions(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == "Caption"]


def cells(table) -> list[list[str]]:
    return [[c.text.replace("\xa0", " ") for c in row.cells] for row in table.rows]


def table_width(doc, table) -> int:
    """The text width of the section the table is in."""
    body = doc.element.body
    position = list(body).index(table._tbl)
    for child in list(body)[position:]:  # the section's properties end its last paragraph
        props = child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if child.tag == qn("w:sectPr"):
            props = child
        if props is not None:
            size, margins = props.find(qn("w:pgSz")), props.find(qn("w:pgMar"))
            page = int(size.get(qn("w:w")))
            return (page - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))) * TWIP
    raise AssertionError("no section properties after the table")


def assert_laid_out(doc) -> None:
    """Every table over the text width (grid and cells), head repeated, rows unsplit."""
    assert doc.tables
    for table in doc.tables:
        width = table_width(doc, table)
        grid = [int(c.w) for c in table._tbl.tblGrid.gridCol_lst]
        assert abs(sum(grid) - width) <= TOLERANCE, (sum(grid), width)
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert layout is not None and layout.get(qn("w:type")) == "fixed"
        for i, row in enumerate(table.rows):
            widths = [int(c.width) for c in row.cells]
            assert abs(sum(widths) - width) <= TOLERANCE, (i, sum(widths), width)
            assert widths == grid
            tr_pr = row._tr.trPr
            assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
            assert (tr_pr.find(qn("w:tblHeader")) is not None) == (i == 0)


# -- the page, the tables, the pictures, the captions ------------------------------------


def test_the_page_is_a4_with_the_reports_margins(report_docx):
    doc = docx.Document(report_docx)
    for section in doc.sections:
        upright = sorted([section.page_width.cm, section.page_height.cm])
        assert upright == pytest.approx([21.0, 29.7], abs=0.01)
        assert section.left_margin.cm == pytest.approx(2.9, abs=0.01)
        assert section.right_margin.cm == pytest.approx(2.9, abs=0.01)
        assert section.top_margin.cm == pytest.approx(2.5, abs=0.01)
        assert section.bottom_margin.cm == pytest.approx(2.5, abs=0.01)
    first = doc.sections[0]
    assert first.page_width < first.page_height  # portrait
    assert text_width(doc) == pytest.approx(Cm(15.2), abs=TOLERANCE)
    assert doc.styles["Normal"].font.name == "Calibri"


def test_tables_fill_the_text_width_repeat_their_head_and_do_not_split(report_docx):
    assert_laid_out(docx.Document(report_docx))


def test_the_tables_columns_follow_their_text(report_docx):
    """The essence gets the room, the share only what it needs; no column is narrower
    than its longest word (LibreOffice and Word would break it)."""
    doc = docx.Document(report_docx)
    table = doc.tables[0]
    widths = [c.width.cm for c in table.rows[0].cells]
    assert widths[1] > widths[2] and widths[3] == min(widths)
    size = table.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt
    for i, column in enumerate(zip(*cells(table), strict=True)):
        longest = max(word.text_cm(w, font_pt=size, bold=True) for w in column[0].split())
        longest = max(
            [longest] + [word.text_cm(w, font_pt=size) for c in column[1:] for w in c.split()]
        )
        assert widths[i] >= longest + 2 * word.CELL_MARGIN_CM, (i, widths[i], longest)


def test_pictures_are_within_the_text_width(report_docx):
    doc = docx.Document(report_docx)
    assert len(doc.inline_shapes) == 9
    for shape in doc.inline_shapes:
        assert shape.width <= text_width(doc)
        assert shape.width.cm == pytest.approx(15.2, abs=0.05)  # the chart's own width


def test_one_caption_per_table_and_figure(report_docx):
    doc = docx.Document(report_docx)
    texts = [p.text for p in doc.paragraphs]
    shown = captions(doc)
    assert len(shown) == len(doc.tables) + len(doc.inline_shapes)
    for number in range(1, 10):
        for label in ("Tabel", "Figur"):
            found = [t for t in texts if t.startswith(f"{label} {number}:")]
            assert len(found) == 1, (label, number, found)
    assert sum(t.startswith("Krydstabel ") for t in shown) == 9
    assert sum(t.startswith("Temamatrix ") for t in shown) == 1
    assert len(set(shown)) == len(shown)
    # the number is a SEQ field Word's table of figures finds, fixed to the one shown
    first = next(p for p in doc.paragraphs if p.text.startswith("Tabel 1:"))
    instructions = [e.text for e in first._p.iter(qn("w:instrText"))]
    assert instructions == [" SEQ Tabel \\* ARABIC \\r 1 "]
    # the captions are over their table and picture, kept on its page
    body = list(doc.element.body)
    assert body[body.index(first._p) + 1] is doc.tables[0]._tbl
    assert first.paragraph_format.keep_with_next
    figure = next(p for p in doc.paragraphs if p.text.startswith("Figur 1:"))
    assert body[body.index(figure._p) + 1].findall(f".//{qn('w:drawing')}")


def test_the_reports_column_headings(report_docx):
    doc = docx.Document(report_docx)
    counts = [cells(t) for t in doc.tables if cells(t)[0][0] == "FOKUSPUNKT"]
    assert len(counts) == 9
    assert all(t[0] == HEAD for t in counts)  # no published column by default
    assert counts[0][1][:3] == [
        'Generelt fokus på "borgere på kanten"',
        "Øget fokus på målgruppen samt dedikation af flere ressourcer til området.",
        "Anført af 15 ud af 35 jobcentre",
    ]


def test_the_heading_names_the_projects_noun(demo_copy, tmp_path):
    with Project.open(demo_copy) as p:
        p.set_noun("kommune/kommuner")
    out = tmp_path / "r.docx"
    assert run("report", demo_copy, "-o", out, "--question", "strategier").exit_code == 0
    doc = docx.Document(out)
    assert cells(doc.tables[0])[0][2] == "ANTAL KOMMUNER DER NÆVNER FOKUSPUNKTET"
    assert cells(doc.tables[0])[1][2] == "Anført af 15 ud af 35 kommuner"


def test_a_matrix_too_wide_for_the_page_gets_a_landscape_page(report_docx):
    doc = docx.Document(report_docx)
    wide = [s for s in doc.sections if s.page_width > s.page_height]
    assert len(wide) == 1 and doc.sections[-1] is not None
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # no empty page after
    matrix = doc.tables[-1]
    assert table_width(doc, matrix) == pytest.approx(Cm(29.7 - 5.8), abs=TOLERANCE)
    assert_laid_out(doc)


# -- the published figure: only with --compare-published, in every format -----------------


@pytest.fixture(scope="module")
def both(demo_db, tmp_path_factory) -> dict[bool, Path]:
    out = tmp_path_factory.mktemp("published")
    made = {}
    for compare in (False, True):
        folder = out / ("med" if compare else "uden")
        folder.mkdir()
        for fmt in ("docx", "xlsx", "html", "md"):
            extra = ["--compare-published"] if compare else []
            target = folder / f"r.{fmt}"
            result = run("report", demo_db, "-o", target, "--question", "strategier", *extra)
            assert result.exit_code == 0, result.output
        made[compare] = folder
    return made


@pytest.mark.parametrize("compare", [False, True])
def test_the_published_figure_only_when_asked(both, compare):
    from openpyxl import load_workbook

    folder = both[compare]
    doc = docx.Document(folder / "r.docx")
    head = cells(doc.tables[0])[0]
    assert head == (HEAD + ["RAPPORTEN 2018"] if compare else HEAD)
    notes = " ".join(p.text for p in doc.paragraphs)
    assert ("Rapportens tal:" in notes) == compare
    html = (folder / "r.html").read_text("utf-8")
    assert ("<th>RAPPORTEN 2018</th>" in html) == compare
    assert ("Rapportens tal:" in html) == compare
    assert ("Rapporten 2018</text>" in html or ">Rapporten 2018<" in html) == compare  # the mark
    md = (folder / "r.md").read_text("utf-8")
    assert ("| RAPPORTEN 2018 |" in md) == compare
    assert ("Rapportens tal:" in md) == compare
    ws = load_workbook(folder / "r.xlsx")["Tabel 1"]
    heads = [c.value for c in ws[4]]
    assert ("RAPPORTEN 2018: JOBCENTRE" in heads) == compare
    assert heads[:3] == HEAD[:3]


# -- quotes: anonymous by default ----------------------------------------------------------


def quote_texts(path: Path) -> list[str]:
    doc = docx.Document(path)
    return [p.text for p in doc.paragraphs]


@pytest.mark.parametrize(
    ("attribute", "interview_by", "answer_by", "named"),
    [
        (None, "role", None, False),
        ("role", "role", None, False),
        ("respondent", "role", "name", True),
        ("none", None, None, False),
    ],
)
def test_report_quotes_are_attributed_as_asked(
    starred, tmp_path, attribute, interview_by, answer_by, named
):
    path, said, answer = starred
    extra = ["--attribute", attribute] if attribute else []
    for fmt in ("docx", "md", "html", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        questions = ["--question", "interview", "--question", "strategier"]
        result = run("report", path, "-o", out, *questions, *extra, "--force")
        assert result.exit_code == 0, result.output
    texts = quote_texts(tmp_path / "r.docx")
    who = {"role": said.role, "name": answer.respondent_name, None: None}
    for q, by in ((said, interview_by), (answer, answer_by)):
        line = f'"{q.text}"' + (f" – {who[by]}" if by else "")
        assert line in texts, (line, attribute)
    whole = "\n".join(texts)
    for fmt in ("md", "html"):
        whole_fmt = (tmp_path / f"r.{fmt}").read_text("utf-8")
        assert (answer.respondent_name in whole_fmt) == named, fmt
    assert (answer.respondent_name in whole) == named
    assert (f"{answer.respondent} {answer.respondent_name}, strategier" in whole) == named
    if interview_by is None:
        assert f'"{said.text}" – ' not in whole


def test_quotes_as_docx_anonymous_by_default(starred, tmp_path):
    path, said, answer = starred
    out = tmp_path / "citater.docx"
    result = run("quotes", path, "--code", "fleksjob", "--question", "strategier", "-o", out)
    assert result.exit_code == 0, result.output
    doc = docx.Document(out)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Citater: Fleksjob"
    assert f'"{answer.text}"' in texts
    assert not any(answer.respondent in t or answer.respondent_name in t for t in texts)
    section = doc.sections[0]
    assert (section.page_width.cm, section.page_height.cm) == pytest.approx((21.0, 29.7), abs=0.01)
    for attribute, expected in (
        ("respondent", f'"{answer.text}" – {answer.respondent_name}'),
        ("role", f'"{answer.text}"'),
        ("none", f'"{answer.text}"'),
    ):
        result = run(
            "quotes", path, "--code", "fleksjob", "--question", "strategier",
            "--attribute", attribute, "-o", out, "--force",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        texts = quote_texts(out)
        assert expected in texts
        assert any(answer.respondent_name in t for t in texts) == (attribute == "respondent")
    # interview quotes: by role unless none
    for attribute, expected in (
        ("role", f'"{said.text}" – {said.role}'),
        ("none", f'"{said.text}"'),
    ):
        result = run(
            "quotes", path, "--code", "hjaelpemidler", "--question", "interview",
            "--attribute", attribute, "-o", out, "--force",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert expected in quote_texts(out)


def test_quotes_markdown_follows_the_attribute(starred):
    path, _, answer = starred
    base = ["quotes", path, "--code", "fleksjob", "--question", "strategier"]
    default = run(*base).stdout
    assert f'"{answer.text}"\n' in default and answer.respondent_name not in default
    named = run(*base, "--attribute", "respondent").stdout
    assert f'"{answer.text}" – {answer.respondent_name}' in named
    assert f"*({answer.respondent} {answer.respondent_name}, strategier)*" in named
    assert run(*base, "--anonymous").stdout == default  # the old flag: the default now
    assert run(*base, "--anonymous", "--attribute", "respondent").exit_code == 2
    csv = run(*base, "--format", "csv").stdout  # the data keeps every column
    assert answer.respondent_name in csv
    assert run(*base, "--format", "docx").exit_code == 2  # DOCX needs a file


# -- the agency's template -----------------------------------------------------------------

TEMPLATE_STYLE = "Styrelsens brødtekst"
TEMPLATE_HEADER = "Styrelsen for Arbejdsmarked og Rekruttering"
TEMPLATE_FOOTER = "Side 1 · Fortroligt udkast"


def make_dotx(path: Path, content_type: str = word.TEMPLATE_TYPE) -> Path:
    """A tiny Word template: a custom style, a header and a footer, US Letter with 2 cm
    margins, a paragraph of body text; saved by python-docx and then given a template's
    content type, as Word saves a .dotx."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    doc = docx.Document()
    style = doc.styles.add_style(TEMPLATE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.font.size = Pt(10.5)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.59), Cm(27.94)
    section.left_margin = section.right_margin = Cm(2.0)
    section.header.paragraphs[0].text = TEMPLATE_HEADER
    section.footer.paragraphs[0].text = TEMPLATE_FOOTER
    doc.add_paragraph("Skabelonens eksempeltekst", style=TEMPLATE_STYLE)
    buf = io.BytesIO()
    doc.save(buf)
    return _retype(buf.getvalue(), path, content_type)


def _retype(data: bytes, path: Path, content_type: str) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(word.DOCUMENT_TYPE.encode(), content_type.encode())
            out.writestr(info, body)
    return path


def test_the_dotx_is_a_template_python_docx_refuses_as_it_is(tmp_path):
    dotx = make_dotx(tmp_path / "styrelsen.dotx")
    with pytest.raises(ValueError, match="not a Word file"):
        docx.Document(dotx)
    assert zipfile.ZipFile(dotx).read("[Content_Types].xml").count(b"template.main+xml") == 1


def test_the_report_in_the_agencys_template(starred, tmp_path):
    dotx = make_dotx(tmp_path / "styrelsen.dotx")
    before = dotx.read_bytes()
    out = tmp_path / "r.docx"
    result = run("report", starred[0], "-o", out, "--template", dotx, *GROUPS)
    assert result.exit_code == 0, result.output
    assert dotx.read_bytes() == before  # only read
    doc = docx.Document(out)
    assert TEMPLATE_STYLE in {s.name for s in doc.styles}
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == TEMPLATE_HEADER
    assert section.footer.paragraphs[0].text == TEMPLATE_FOOTER
    assert section.page_width.cm == pytest.approx(21.59, abs=0.01)  # the template's page
    assert section.left_margin.cm == pytest.approx(2.0, abs=0.01)
    assert text_width(doc) == pytest.approx(Cm(21.59 - 4.0), abs=TOLERANCE)
    texts = [p.text for p in doc.paragraphs]
    assert "Skabelonens eksempeltekst" not in texts  # its body is not the report's
    assert texts[0] == "demo: tabeller, figurer og citater"
    assert_laid_out(doc)
    for shape in doc.inline_shapes:
        assert shape.width <= text_width(doc)
    # every section, also the landscape one, has the template's header
    for s in doc.sections:
        assert s.header.paragraphs[0].text == TEMPLATE_HEADER


def bare_dotx(path: Path) -> Path:
    """A template that defines no headings, caption, quote, title or table grid."""
    from lxml import etree

    dotx = make_dotx(path)
    with zipfile.ZipFile(dotx) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    root = etree.fromstring(parts["word/styles.xml"])
    for style in root.findall(qn("w:style")):
        name = style.find(qn("w:name")).get(qn("w:val"))
        if name.startswith("heading") or name in ("Caption", "Quote", "Table Grid", "Title"):
            root.remove(style)
    parts["word/styles.xml"] = etree.tostring(root)
    with zipfile.ZipFile(dotx, "w") as out:
        for name, body in parts.items():
            out.writestr(name, body)
    return dotx


def test_a_template_without_the_reports_styles_gets_them(tmp_path):
    """A template that defines no headings, caption, quote or table grid still works."""
    dotx = bare_dotx(tmp_path / "bar.dotx")
    doc = word.new_document(word.read_template(dotx), title="x")
    word.add_heading(doc, "Overskrift", 2)
    word.add_captioned_table(doc, "Tabel", 1, "En tabel", ["A", "B"], [["1", "2"]])
    names = {s.name for s in doc.styles}
    assert {"Heading 2", "Caption", "Quote"} <= names and "Table Grid" not in names
    borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None  # drawn on the table itself
    buf = io.BytesIO()
    doc.save(buf)
    reread = docx.Document(buf)
    assert [p.style.name for p in reread.paragraphs][:2] == ["Heading 2", "Caption"]


def test_quotes_in_the_agencys_template(starred, tmp_path):
    dotx = make_dotx(tmp_path / "styrelsen.dotx")
    out = tmp_path / "citater.docx"
    result = run(
        "quotes", starred[0], "--code", "fleksjob", "--question", "strategier",
        "--template", dotx, "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = docx.Document(out)
    assert doc.sections[0].header.paragraphs[0].text == TEMPLATE_HEADER
    assert TEMPLATE_STYLE in {s.name for s in doc.styles}
    md = run("quotes", starred[0], "--code", "fleksjob", "--template", dotx)
    assert md.exit_code == 2 and "--template hører sammen med DOCX" in md.output


def test_a_bad_template_is_one_line_and_writes_nothing(demo_db, tmp_path):
    from openpyxl import Workbook

    text = tmp_path / "tekst.dotx"
    text.write_text("ikke en skabelon", encoding="utf-8")
    workbook = tmp_path / "regneark.dotx"
    Workbook().save(workbook)
    macros = make_dotx(tmp_path / "makro.dotm", word.MACRO_TYPES[0])
    folder = tmp_path / "mappe.dotx"
    folder.mkdir()
    broken = tmp_path / "halv.dotx"
    broken.write_bytes(make_dotx(tmp_path / "b.dotx").read_bytes()[:300])
    cases = [
        (text, "ikke et zip-arkiv"),
        (workbook, "ikke en Word-skabelon"),
        (macros, "makroer"),
        (folder, "mappe"),
        (tmp_path / "findes-ikke.dotx", "Word-skabelonen (.dotx) findes ikke"),
        (broken, "halv.dotx"),
    ]
    out = tmp_path / "ud"
    out.mkdir()
    for template, needle in cases:
        for command in docx_commands(demo_db, out):
            line = assert_one_line_error(run(*command, "--template", template), needle)
            assert str(template) in line
    assert list(out.iterdir()) == []
    line = assert_one_line_error(
        run("report", demo_db, "-o", out / "r.md", "--template", make_dotx(tmp_path / "c.dotx")),
        "--template er til en .docx-rapport",
    )
    assert "r.md" in line
    assert list(out.iterdir()) == []


MATRIX = ["--question", "strategier", "--by", "lokalpolitisk_fokus"]


def docx_commands(db: Path, out: Path) -> list[list[object]]:
    """Every command that writes DOCX, writing into ``out``."""
    return [
        ["report", db, "-o", out / "r.docx"],
        ["quotes", db, "--code", "fleksjob", "-o", out / "c.docx"],
        ["matrix", db, *MATRIX, "-o", out / "m.docx"],
        ["framework", db, "--question", "strategier", "-o", out / "f.docx"],
    ]


def test_the_matrix_and_the_framework_in_the_agencys_template(demo_copy, tmp_path):
    with Project.open(demo_copy, coder="ida") as p:
        respondent = p.framework("strategier").respondents[0][0]
        p.set_summary("strategier", respondent, "fleksjob", "Fleksjob nævnes.")
    dotx = make_dotx(tmp_path / "styrelsen.dotx")
    wide = ["--questions", "strategier,strategier-2017", "--coder", "guld"]
    for name, command, args in (
        ("matrix", "matrix", MATRIX),
        ("wide", "matrix", wide),
        ("framework", "framework", ["--question", "strategier", "--passages"]),
    ):
        out = tmp_path / f"{name}.docx"
        result = run(command, demo_copy, *args, "--template", dotx, "-o", out)
        assert result.exit_code == 0, result.output
        doc = docx.Document(out)
        assert TEMPLATE_STYLE in {s.name for s in doc.styles}, command
        for section in doc.sections:
            assert section.header.paragraphs[0].text == TEMPLATE_HEADER, command
            assert section.footer.paragraphs[0].text == TEMPLATE_FOOTER, command
            assert section.left_margin.cm == pytest.approx(2.0, abs=0.01)
        assert {round(max(s.page_width.cm, s.page_height.cm), 2) for s in doc.sections} == {27.94}
        assert "Skabelonens eksempeltekst" not in [p.text for p in doc.paragraphs]
        assert doc.tables, command
    framework = docx.Document(tmp_path / "framework.docx")
    assert "Fleksjob nævnes." in [c.text for row in framework.tables[0].rows for c in row.cells]
    # too wide for the template's upright page: its page on its side (a column per theme)
    for name in ("wide.docx", "framework.docx"):
        section = docx.Document(tmp_path / name).sections[0]
        assert section.page_width > section.page_height, name


def test_a_template_without_a_table_grid_still_draws_the_tables_lines(demo_db, tmp_path):
    dotx = bare_dotx(tmp_path / "bar.dotx")
    for command in docx_commands(demo_db, tmp_path)[2:]:
        result = run(*command, "--template", dotx)
        assert result.exit_code == 0, result.output
        for table in docx.Document(command[-1]).tables:
            assert table._tbl.tblPr.find(qn("w:tblBorders")) is not None, command[0]


def test_the_template_is_for_docx_only(demo_db, tmp_path):
    dotx = make_dotx(tmp_path / "styrelsen.dotx")
    for command in (
        ["matrix", demo_db, *MATRIX, "-o", tmp_path / "m.xlsx"],
        ["matrix", demo_db, *MATRIX],
    ):
        result = run(*command, "--template", dotx)
        assert result.exit_code == 2 and "--template hører sammen med DOCX" in result.output
    assert_one_line_error(
        run("framework", demo_db, "--question", "strategier", "-o", tmp_path / "f.md",
            "--template", dotx),
        "--template hører sammen med DOCX",
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["styrelsen.dotx"]


def test_a_docx_is_taken_as_a_template_too(demo_db, tmp_path):
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = TEMPLATE_HEADER
    doc.save(tmp_path / "skabelon.docx")
    out = tmp_path / "r.docx"
    result = run(
        "report", demo_db, "-o", out, "--question", "strategier",
        "--template", tmp_path / "skabelon.docx",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert docx.Document(out).sections[0].header.paragraphs[0].text == TEMPLATE_HEADER


# -- as LibreOffice prints it ----------------------------------------------------------


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs LibreOffice (soffice) and pdftotext",
)
def test_libreoffice_prints_the_tables_without_broken_words(demo_db, tmp_path):
    out = tmp_path / "r.docx"
    extra = ["--compare-published", *GROUPS]
    result = run("report", demo_db, "-o", out, "--question", "strategier", *extra)
    assert result.exit_code == 0, result.output
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "r.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert pages <= 4, info  # the table, the chart, the comparison and the crosstab
    printed = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = set(_parts(printed))
    doc = docx.Document(out)
    for table in doc.tables:
        for row in cells(table):
            for cell in row:
                for w in _parts(cell):
                    assert w in words, (w, cell)


def _parts(text: str) -> list[str]:
    """Words, and the parts of a word a line may end in: after a hyphen or a dash."""
    import re

    return [p for p in re.split(r"\s+|(?<=[-–])", text.replace("\xa0", " ")) if p]
