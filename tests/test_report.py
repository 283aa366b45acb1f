"""`qualcode report`: DOCX, XLSX, HTML and Markdown whose Tabel 1-3 match the seed report row
for row (opened again and read cell by cell), a chart per table, the starred quotes per
theme, a crosstab by lokalpolitisk fokus with p-values, and nothing half-written."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from helpers import assert_one_line_error, run, snapshot
from qualcode.core.crosstab import crosstab, parse_groups
from qualcode.core.project import Project
from test_codebook import report_table, report_title

TABLES = [(1, "strategier"), (2, "udfordringer-fysiske"), (3, "udfordringer-psykiske")]
GROUPS = [
    "--group",
    "høj/meget høj=I høj grad,I meget høj grad",
    "--group",
    "nogen/mindre=I nogen grad,I mindre grad",
]


# the seed report's headings (Tabel 1), then the share; with --compare-published the
# published figure's column
COUNT_HEAD = [
    "FOKUSPUNKT",
    "ESSENSEN AF FOKUSPUNKTET",
    "ANTAL JOBCENTRE DER NÆVNER FOKUSPUNKTET",
    "ANDEL",
]
PUBLISHED_HEAD = "RAPPORTEN 2018"


def count_tables(tables: list[list[list[str]]]) -> list[list[list[str]]]:
    """The question tables (not crosstabs or wave comparisons), in order."""
    return [t for t in tables if t and t[0][:4] == COUNT_HEAD]


def seed_rows(number: int, *, published: bool = True) -> list[list[str]]:
    """The rows as the report's table should show them: theme, essence, mentioned, percent,
    and with ``published`` the published figure (for the demo's gold codings the same
    sentence)."""
    rows = []
    for label, essence, n, base in report_table(number):
        mentioned = f"Anført af {n} ud af {base} jobcentre"
        rows.append(
            [label, essence, mentioned, f"{round(100 * n / base)} %"]
            + ([mentioned] if published else [])
        )
    return rows


@pytest.fixture(scope="module")
def starred(demo_db, tmp_path_factory):
    """The demo with an interview quote and an open answer starred."""
    import shutil

    path = tmp_path_factory.mktemp("starred") / "demo.qualcode.db"
    shutil.copy(demo_db, path)
    with Project.open(path) as p:
        q1 = next(q for q in p.quotes("hjaelpemidler", "interview") if q.role)
        q2 = p.quotes("fleksjob", "strategier")[0]
        p.star(q1.coding_id)
        p.star(q2.coding_id)
    return path, q1, q2


@pytest.fixture(scope="module")
def reports(starred, tmp_path_factory):
    """The report in every format, compared with the published figures, made by the CLI
    once."""
    path, _, _ = starred
    out = tmp_path_factory.mktemp("rapport")
    for fmt in ("docx", "xlsx", "html", "md"):
        result = run(
            "report",
            path,
            "-o",
            out / f"rapport.{fmt}",
            "--by",
            "lokalpolitisk_fokus",
            *GROUPS,
            "--compare-published",
        )
        assert result.exit_code == 0, result.output
        assert "9 tabeller" in result.stdout and result.stdout.endswith("; 1 temamatrix\n")
    return out


# -- DOCX -----------------------------------------------------------------------------


def test_docx_tables_match_the_seed_report(reports):
    from docx import Document

    doc = Document(reports / "rapport.docx")
    tables = count_tables([rows_of(t) for t in doc.tables])
    for number, _ in TABLES:
        assert report_title(number) in captions(doc)
        assert tables[number - 1][0] == [*COUNT_HEAD, PUBLISHED_HEAD]
        assert tables[number - 1][1:] == seed_rows(number)
    assert len(tables) == 9
    # the interviews and the collaboration questions have no published figure
    assert [len(t[0]) for t in tables] == [5, 5, 5] + [4] * 6
    assert rows_of(doc.tables[0])[1][:3] == [
        'Generelt fokus på "borgere på kanten"',
        "Øget fokus på målgruppen samt dedikation af flere ressourcer til området.",
        "Anført af 15 ud af 35 jobcentre",
    ]
    assert len(doc.inline_shapes) == 9  # a chart per table
    figures = [c for c in captions(doc) if c.startswith("Figur ")]
    assert figures[0] == "Figur 1: Indhold i lokalpolitiske strategier eller tilkendegivelser"


def rows_of(table) -> list[list[str]]:
    """The cells' text; a no-break space (an indent, or between a number and its unit)
    read as a space."""
    return [[c.text.replace("\xa0", " ") for c in row.cells] for row in table.rows]


def captions(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == "Caption"]


def test_docx_has_the_starred_quotes_and_the_crosstab(reports, starred, demo_db):
    from docx import Document

    _, interview_quote, answer_quote = starred
    doc = Document(reports / "rapport.docx")
    texts = [p.text for p in doc.paragraphs]
    # by default as the report: the interview quote by role, the survey answer anonymous
    assert interview_quote.formatted() in texts
    assert interview_quote.formatted().endswith(f"– {interview_quote.role}")
    assert f'"{answer_quote.text}"' in texts
    assert not any(answer_quote.respondent_name in t for t in texts)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Hjælpemidler" in headings and "Fleksjob" in headings
    assert (
        "Krydstabel 1: Indhold i lokalpolitiske strategier eller tilkendegivelser efter "
        "lokalpolitisk_fokus"
    ) in captions(doc)
    cross = next(rows_of(t) for t in doc.tables if rows_of(t)[0][1] == "høj/meget høj")
    assert cross[0] == [
        "Tema",
        "høj/meget høj",
        "nogen/mindre",
        "Forskel",
        "Test",
        "p",
        "Signifikant",
    ]
    with Project.open(demo_db) as p:
        frame = crosstab(
            p, "strategier", "lokalpolitisk_fokus", groups=parse_groups([GROUPS[1], GROUPS[3]])
        )
    from qualcode.io.fmt import p_value as p_text

    assert [r[5] for r in cross[1:]] == [p_text(v) for v in frame["p_value"]]
    assert cross[1][1] == "9 af 22 (40,9 %)"


# -- XLSX -----------------------------------------------------------------------------


def test_xlsx_tables_are_real_numbers_and_match_the_seed(reports):
    from openpyxl import load_workbook

    wb = load_workbook(reports / "rapport.xlsx")
    tables = [n for n in wb.sheetnames if n.startswith("Tabel")]
    assert tables == [f"Tabel {n}" for n in range(1, 10)]
    assert [n for n in wb.sheetnames if n.startswith("Krydstabel")] == [
        f"Krydstabel {n}" for n in range(1, 10)
    ]
    for number, _ in TABLES:
        ws = wb[f"Tabel {number}"]
        assert ws["A1"].value == report_title(number)
        assert ws["A4"].value == "FOKUSPUNKT" and ws["D4"].value == "JOBCENTRE"
        want = report_table(number)
        for i, (label, essence, n, base) in enumerate(want):
            row = [c.value for c in ws[5 + i]]
            assert row[:5] == [label, essence, f"Anført af {n} ud af {base} jobcentre", n, base]
            assert isinstance(row[3], int) and isinstance(row[5], float)
            assert row[5] == pytest.approx(100 * n / base, abs=0.05)
            assert row[6:8] == [n, base]  # the published figure beside it
        assert ws.cell(4 + len(want), 1).value == "Andet"
        assert ws.column_dimensions["A"].width >= 40
        assert ws.column_dimensions["B"].width >= 50
        assert len(ws._images) == 1  # the chart
    assert wb["Tabel 1"]["F5"].number_format == "0.0"


def test_xlsx_crosstab_and_quotes(reports, starred):
    from openpyxl import load_workbook

    _, interview_quote, _ = starred
    wb = load_workbook(reports / "rapport.xlsx")
    ws = wb["Krydstabel 1"]
    assert ws["A1"].value.startswith("Krydstabel 1:")
    assert (ws["B3"].value, ws["C3"].value, ws["E3"].value, ws["F3"].value) == (9, 22, 6, 13)
    assert isinstance(ws["J3"].value, int | float) and 0 <= ws["J3"].value <= 1
    quotes = wb["Tabel 4"]
    values = [c.value for row in quotes.iter_rows() for c in row if c.value]
    assert "Udvalgte citater" in values
    assert interview_quote.formatted() in values


# -- HTML -----------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The text of every table cell, and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).replace("\xa0", " ").strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_one_file_with_the_tables_and_inline_svg(reports):
    text = (reports / "rapport.html").read_text("utf-8")
    parser = _Tables()
    parser.feed(text)
    tables = count_tables(parser.tables)
    for number, _ in TABLES:
        assert f"<h2>{report_title(number).replace(chr(34), '&quot;')}</h2>" in text
        assert tables[number - 1][1:] == seed_rows(number)
    assert parser.tags.count("svg") == 9
    assert "<img" not in text and "src=" not in text  # nothing outside the file
    assert 'lang="da"' in text and '<meta charset="utf-8">' in text


def test_html_escapes_text(demo_copy, tmp_path):
    with Project.open(demo_copy) as p:
        p.update_code("lokalpolitiske-strategier", "fleksjob", label="<b>Fleksjob</b> & co")
        p.set_question_text("strategier", "<script>alert(1)</script>")
    out = tmp_path / "r.html"
    assert run("report", demo_copy, "-o", out, "--question", "strategier").exit_code == 0
    text = out.read_text("utf-8")
    assert "<script>" not in text and "<b>Fleksjob" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;Fleksjob&lt;/b&gt; &amp; co" in text


# -- Markdown -------------------------------------------------------------------------


def test_markdown_tables_and_charts_beside_it(reports):
    text = (reports / "rapport.md").read_text("utf-8")
    for number, _ in TABLES:
        assert f"## {report_title(number)}" in text
        for cells in seed_rows(number):
            assert "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" in text
        link = f"rapport_figur_{number}.png"
        assert f"]({link})" in text
        assert (reports / link).read_bytes().startswith(b"\x89PNG")
    assert (reports / "rapport_figur_9.png").exists()
    assert not (reports / "rapport_figur_10.png").exists()
    assert "### Krydstabel 1:" in text and "Fishers eksakte test" in text
    assert re.search(r"^> \".+\" – \w", text, re.M)  # a starred quote, as the report prints it


def test_markdown_and_html_are_the_same_on_every_run(starred, tmp_path, charts_drawn_anew):
    path, _, _ = starred
    for fmt in ("md", "html"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert run("report", path, "-o", a).exit_code == 0
        with charts_drawn_anew():  # the second run draws its charts again
            assert run("report", path, "-o", b).exit_code == 0
        assert a.read_bytes() == b.read_bytes().replace(b"](b_figur_", b"](a_figur_")
    assert (tmp_path / "a_figur_1.png").read_bytes() == (tmp_path / "b_figur_1.png").read_bytes()


def test_earlier_waves_are_compared(reports, starred):
    from docx import Document
    from openpyxl import load_workbook

    from qualcode.core.waves import wave_comparison

    with Project.open(starred[0]) as p:
        compared = wave_comparison(p, "strategier")
    assert compared is not None, "the demo holds an (invented) 2017 wave of strategier"
    earlier, newest = compared.attrs["waves"][-2:]
    first = compared.iloc[0]
    doc = Document(reports / "rapport.docx")
    assert (
        f"Bølger 1: Indhold i lokalpolitiske strategier eller tilkendegivelser, "
        f"sammenlignet med {earlier}"
    ) in captions(doc)
    table = next(
        rows_of(t)
        for t in doc.tables
        if rows_of(t)[0] == ["Tema", earlier, newest, f"Ændring {earlier}–{newest}"]
    )
    assert table[1][0] == first["label"]
    assert table[1][1].startswith(f"{first[f'n_{earlier}']} af {first[f'base_{earlier}']}")
    ws = load_workbook(reports / "rapport.xlsx")["Bølger 1"]
    assert ws["A3"].value == first["label"]
    assert (ws["B3"].value, ws["C3"].value) == (first[f"n_{earlier}"], first[f"base_{earlier}"])
    assert ws.cell(3, 8).value == pytest.approx(float(first["change_pp"]))
    # the earlier wave is compared, not reported as a table of its own
    assert not any(earlier in c and c.startswith("Tabel") for c in captions(doc))


# -- options and errors ---------------------------------------------------------------


def test_question_and_coder_options(demo_db, tmp_path):
    from docx import Document

    out = tmp_path / "r.docx"
    result = run(
        "report",
        demo_db,
        "-o",
        out,
        "--question",
        "udfordringer-psykiske",
        "--question",
        "strategier",
    )
    assert result.exit_code == 0, result.output
    doc = Document(out)
    found = captions(doc)
    first = found.index(f"Tabel 1: {report_title(3).split(': ', 1)[1]}")
    assert first < found.index(f"Tabel 2: {report_title(1).split(': ', 1)[1]}")
    assert len(count_tables([rows_of(t) for t in doc.tables])) == 2
    assert_one_line_error(
        run("report", demo_db, "-o", tmp_path / "x.docx", "--coder", "ingen"),
        "intet spørgsmål har kodninger af koderen 'ingen'",
    )
    assert not (tmp_path / "x.docx").exists()


def test_bad_input_is_one_line_and_writes_nothing(demo_copy, tmp_path):
    before = snapshot(demo_copy)
    cases = [
        (["-o", tmp_path / "r.pdf"], ["r.pdf", ".docx, .xlsx, .html eller .md"]),
        (["-o", tmp_path / "r.docx", "--question", "nej"], ["intet spørgsmål 'nej'"]),
        (["-o", tmp_path / "r.docx", "--by", "farve"], ["ingen respondent har attributten"]),
        (["-o", tmp_path / "r.docx", "--by", "region", "--group", "x"], ["--group 'x'"]),
        (["-o", tmp_path / "mangler" / "r.md"], ["mappen findes ikke"]),
    ]
    for args, needles in cases:
        assert_one_line_error(run("report", demo_copy, *args), *needles)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.qualcode.db"] or all(
        not p.name.startswith("r") for p in tmp_path.iterdir()
    )
    assert snapshot(demo_copy) == before
    result = run("report", demo_copy, "-o", tmp_path / "r.docx", *GROUPS)
    assert result.exit_code == 2 and "--group kræver --by" in result.output


def test_a_project_without_codings_has_nothing_to_report(project, project_path, tmp_path):
    assert_one_line_error(
        run("report", project_path, "-o", tmp_path / "r.docx"), "intet spørgsmål har kodninger"
    )


def test_existing_files_are_kept_without_force(demo_db, tmp_path):
    out = tmp_path / "r.md"
    figure = tmp_path / "r_figur_2.png"
    figure.write_bytes(b"mine")
    assert_one_line_error(run("report", demo_db, "-o", out), "r_figur_2.png", "findes allerede")
    assert not out.exists() and not (tmp_path / "r_figur_1.png").exists()
    assert figure.read_bytes() == b"mine"
    assert run("report", demo_db, "-o", out, "--force").exit_code == 0
    assert figure.read_bytes().startswith(b"\x89PNG") and out.exists()


def test_a_failure_half_way_removes_what_was_written(demo_db, tmp_path, monkeypatch):
    import qualcode.io.export as export

    real = export.os.fsync
    calls = []

    def failing(fd):  # the third file (of five) cannot be flushed to disk
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(fd)

    monkeypatch.setattr(export.os, "fsync", failing)
    result = run("report", demo_db, "-o", tmp_path / "r.md")
    assert_one_line_error(result, "No space left on device")
    assert len(calls) == 3
    assert list(tmp_path.iterdir()) == []
