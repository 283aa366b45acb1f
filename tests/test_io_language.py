"""The exported tables, the report and the importers' messages in one language at a time
(issue 17): Danish by default, as the seed report prints them; English with
QUALCODE_LANG=en; the CSV the same bytes in both; and under the pseudo-language every word
a writer adds comes through the io catalogue (the data it writes aside)."""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest

from qualcode import i18n
from qualcode.core.project import Project
from qualcode.errors import ImportError_, QualcodeError
from qualcode.io import export
from qualcode.io.crosstab import crosstab_markdown, crosstab_table
from qualcode.io.matrix import matrix_markdown
from qualcode.io.report import (
    build_report,
    figure_name,
    report_docx,
    report_html,
    report_markdown,
)
from qualcode.io.report import report_xlsx as report_workbook
from qualcode.io.table import clip
from qualcode.io.tabular import read_table
from qualcode.io.waves import comparison_markdown, comparison_table

OPEN = "strategier"  # 15 of 35 jobcentre mention its first theme: 42.9 %
INTERVIEW = "interview"


@pytest.fixture(scope="module")
def starred(demo_db, tmp_path_factory):
    """The demo with an interview quote and an open answer starred (quotes in the report)."""
    path = tmp_path_factory.mktemp("sprog") / "demo.qualcode.db"
    shutil.copy(demo_db, path)
    with Project.open(path) as p:
        p.star(next(q for q in p.quotes("hjaelpemidler", INTERVIEW) if q.role).coding_id)
        p.star(p.quotes("fleksjob", OPEN)[0].coding_id)
    return path


def frames(path, *qids):
    with Project.open(path, readonly=True) as p:
        return [p.counts(q) for q in qids or [q.id for q in p.questions()]]


def report_of(path):
    with Project.open(path, readonly=True) as p:
        return build_report(p, by="region", compare_published=True, charts=("png", "svg"))


def xlsx_rows(data: bytes, sheet: str | None = None) -> list[list[object]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def docx_text(data: bytes) -> list[str]:
    """Every paragraph and table cell of a DOCX, read back."""
    import docx

    doc = docx.Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    return out


# -- the counts: terminal table, Markdown, XLSX ------------------------------------------------


def test_counts_in_danish_as_the_report_prints_them(demo_db):
    [frame] = frames(demo_db, OPEN)
    table = export.counts_table(frame)
    assert "(35 jobcentre har svaret)" in table
    assert table.splitlines()[2].split() == ["Tema", "Jobcentre", "Andel", "Rapport", "2018"]
    assert "15 af 35  42,9 %" in table
    md = export.counts_markdown([frame])
    assert "| Tema | Essensen af temaet | Antal jobcentre der nævner temaet | Andel |" in md
    assert "| Anført af 15 ud af 35 jobcentre | 43 % |" in md
    head = xlsx_rows(export.counts_xlsx([frame]))[1]
    assert head[:6] == [
        "Tema",
        "Essensen af temaet",
        "Antal jobcentre der nævner temaet",
        "Jobcentre",
        "Besvaret",
        "Andel (%)",
    ]


def test_counts_in_english(demo_db, english):
    [frame] = frames(demo_db, OPEN)
    table = export.counts_table(frame)
    assert "(35 jobcentre answered)" in table  # the noun is the project's: data
    assert table.splitlines()[2].split() == ["Theme", "Jobcentre", "Share", "Report", "2018"]
    assert "15 of 35  42.9%" in table
    md = export.counts_markdown([frame])
    assert (
        "| Theme | Essence of the theme | Number of jobcentre mentioning the theme | Share |" in md
    )
    assert "| Mentioned by 15 of 35 jobcentre | 43% |" in md
    assert "Question: " in md
    rows = xlsx_rows(export.counts_xlsx([frame]))
    assert rows[1] == [
        "Theme",
        "Essence of the theme",
        "Number of jobcentre mentioning the theme",
        "Jobcentre",
        "Answered",
        "Share (%)",
        "Report: jobcentre",
        "Report: answered",
        "Report: share (%)",
    ]
    assert rows[2][2] == "Mentioned by 15 of 35 jobcentre"
    assert rows[2][3:6] == [15, 35, 42.9]  # numbers stay numbers, whatever the language


def test_an_interview_question_says_its_scale_in_the_language(demo_db, language):
    [frame] = frames(demo_db, INTERVIEW)
    danish = export.counts_markdown([frame])
    assert "Enkelte = 1–3, flere = 4–8, de fleste = mere end 8 af de interviewede" in danish
    assert "Nævnt af " in danish
    language("en")
    english = export.counts_markdown([frame])
    assert "A few = 1–3, several = 4–8, most = more than 8 of the interviewed jobcentre." in english
    assert re.search(r"Mentioned by (a few|several|most) \(\d+ of \d+\) jobcentre", english)
    assert "Extent" in export.counts_table(frame).splitlines()[2]


def test_the_scale_words_are_the_counts_thresholds():
    from qualcode.core.counts import verbal_scale
    from qualcode.io.fmt import scale

    assert [scale(n) for n in range(12)] == [verbal_scale(n) for n in range(12)]


def test_csv_and_json_are_the_same_in_both_languages(demo_db, language):
    danish_csv = export.render_counts(frames(demo_db), "csv")
    danish_json = export.render_counts(frames(demo_db, OPEN), "json")
    language("en")
    assert export.render_counts(frames(demo_db), "csv") == danish_csv
    assert danish_csv.splitlines()[0].decode() == ",".join(export.CSV_COLUMNS)
    english_json = export.render_counts(frames(demo_db, OPEN), "json")
    import json

    danish, english = json.loads(danish_json), json.loads(english_json)
    assert danish.keys() == english.keys()
    assert [c.keys() for c in danish["codes"]] == [c.keys() for c in english["codes"]]
    assert [c["percent"] for c in danish["codes"]] == [c["percent"] for c in english["codes"]]


# -- the report ---------------------------------------------------------------------------------


def test_the_report_in_danish_is_the_seed_reports_layout(starred):
    report = report_of(starred)
    md = report_markdown(report, stem="rapport")
    assert md.startswith("# demo: tabeller, figurer og citater\n")
    assert "## Tabel 1: " in md and "*Figur 1: " in md and "### Udvalgte citater" in md
    assert (
        "| FOKUSPUNKT | ESSENSEN AF FOKUSPUNKTET | ANTAL JOBCENTRE DER NÆVNER FOKUSPUNKTET "
        "| ANDEL | RAPPORTEN 2018 |"
    ) in md
    assert "| Anført af 15 ud af 35 jobcentre | 43 % | Anført af 15 ud af 35 jobcentre |" in md
    assert "Grundlag: 35 jobcentre der har svaret." in md
    assert "Test: Fishers eksakte test" in md or "chi-i-anden-test" in md
    assert '<html lang="da">' in report_html(report)
    shown = docx_text(report_docx(report))
    assert any(t.startswith("Tabel 1: ") for t in shown)
    assert "FOKUSPUNKT" in shown


def test_the_report_in_english(starred, english):
    report = report_of(starred)
    md = report_markdown(report, stem="report")
    assert md.startswith("# demo: tables, figures and quotes\n")
    assert "## Table 1: " in md and "*Figure 1: " in md and "### Selected quotes" in md
    assert (
        "| FOCUS AREA | ESSENCE OF THE FOCUS AREA | NUMBER OF JOBCENTRE MENTIONING THE FOCUS "
        "AREA | SHARE | REPORT 2018 |"
    ) in md
    assert "| Mentioned by 15 of 35 jobcentre | 43% | Mentioned by 15 of 35 jobcentre |" in md
    assert "Basis: 35 jobcentre that answered." in md
    assert "Basis: 15 interviewed jobcentre." in md
    assert "A few = 1–3, several = 4–8, most = more than 8 of the interviewed jobcentre." in md
    assert "Crosstab 1: " in md and "Theme matrix 1: " in md
    assert "Test: Fisher's exact test (two-sided)" in md or "chi-square test" in md
    assert "(42.9%)" in md  # the crosstab's shares, in English's way
    assert "Compared with 2017" in md and "| Theme | 2017 | 2018 | Change 2017–2018 |" in md
    page = report_html(report)
    assert '<html lang="en">' in page and "<h3>Selected quotes</h3>" in page
    assert "Share of the 35 jobcentre that answered (%)" in page  # the chart's axis

    import docx

    data = report_docx(report)
    shown = docx_text(data)
    assert any(t.startswith("Table 1: ") for t in shown)
    assert any(t.startswith("Figure 1: ") for t in shown)
    assert "FOCUS AREA" in shown and "Mentioned by 15 of 35 jobcentre" in shown
    assert docx.Document(io.BytesIO(data)).core_properties.language == "en-GB"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(report_workbook(report)))
    assert wb.sheetnames[:3] == ["Table 1", "Waves 1", "Crosstab 1"]
    assert wb["Table 1"]["A4"].value == "FOCUS AREA"
    assert wb["Table 1"]["F5"].value == 42.9 and wb["Table 1"]["F5"].number_format == "0.0"


# -- the importers' messages ------------------------------------------------------------------


def test_importers_speak_the_language(tmp_path, language):
    empty = tmp_path / "tom.csv"
    empty.write_text("", encoding="utf-8")
    blank = tmp_path / "svar.csv"
    blank.write_text("id;svar\nJC01;Et\n\nJC02;To\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="tom.csv: filen er tom"):
        read_table(empty)
    [note] = read_table(blank).notes
    assert note.startswith("sprunget over: 1 tom række (")
    language("en")
    with pytest.raises(ImportError_, match="tom.csv: file is empty"):
        read_table(empty)
    [note] = read_table(blank).notes
    assert note.startswith("skipped: 1 blank row (")
    with pytest.raises(QualcodeError, match="already exists; use --force to overwrite it"):
        export.write_file(blank, b"x")


# -- the pseudo-language: nothing a writer adds falls through --------------------------------

_WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
_WORD = re.compile(r"[^\W\d_]{2,}")
# written as they are in every language: the tests' names, the unit of a difference in
# percentage points, an HTML entity
NAMES = {"Fisher", "chi²", "pp", "nbsp"}


def data_of(path, report=None) -> list[str]:
    """What the project holds and the writers copy as it is: labels, essences, titles,
    question texts and ids, respondents, attributes, answers, roles, coders, the noun, and
    what the computation wrote into a frame (the coder basis)."""
    out: set[str] = set()
    with Project.open(path, readonly=True) as p:
        for stem in p.codebook_stems():
            book = p.codebook(stem)
            out |= {book.title, book.published_source or "", stem}
            for code in book:
                # the terminal table cuts a long label at 70 cells with '…'
                cut = clip(code.label, 70).removesuffix("…")
                out |= {code.label, cut, code.definition or "", code.key}
        for q in p.questions():
            out |= {q.id, q.text}
            out.add(p.counts(q.id).attrs.get("basis_label") or "")
        for r in p.respondents():
            out |= {r.id, r.name, r.display, *r.attributes, *r.attributes.values()}
        for text, role in p.db.execute("SELECT text, speaker_role FROM items"):
            out |= {text, role or ""}
        noun = p.noun()
        out |= {noun.singular, noun.plural, noun.Plural, *p.coders()}
    if report is not None:
        for s in report.sections:
            out.add(s.counts.attrs.get("title", ""))
            out.add(figure_name("rapport", s.number))  # a file name beside the Markdown
            out |= {q.text for _label, quotes in s.quotes for q in quotes}  # passages
            for frame in (s.crosstab, s.waves):
                if frame is not None:
                    out |= {str(v) for v in frame.attrs.get("groups", [])}
                    out |= {str(v) for v in frame.attrs.get("waves", [])}
                    out.add(frame.attrs.get("basis_label") or "")
        for frame in report.matrices:
            out |= {str(g) for g in frame.attrs["groups"]}
            out.add(frame.attrs.get("basis_label") or "")
    return sorted((d for d in out if d), key=len, reverse=True)


def leftover(text: str, data: list[str]) -> list[str]:
    """The words of ``text`` that neither came through the catalogue (⟦…⟧) nor are data."""
    for piece in data:  # the longest first: a label holding another label
        text = text.replace(piece, " ")
    previous = None
    while previous != text:  # a wrapped text may hold another (a caption in a title)
        previous, text = text, _WRAPPED.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in NAMES]


def visible_html(page: str) -> tuple[str, str]:
    """(the page's text without its style sheet and charts, the charts' text)."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    charts = " ".join(re.findall(r"<svg.*?</svg>", page, flags=re.S))
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    chart_text = html.unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", charts)))
    return text, chart_text


def test_every_word_a_text_writer_adds_comes_through_the_catalogue(starred, language):
    language("qps")
    report = report_of(starred)
    data = data_of(starred, report)
    every = frames(starred)
    outputs = {
        "counts table": "\n".join(export.counts_table(f) for f in every),
        "counts md": export.counts_markdown(every),
        "report md": report_markdown(report, stem="rapport"),
        "report docx": "\n".join(docx_text(report_docx(report))),
    }
    section = report.sections[0]  # strategier: a crosstab by region, compared with 2017
    outputs["crosstab"] = crosstab_table(section.crosstab) + crosstab_markdown(section.crosstab)
    outputs["waves"] = comparison_table(section.waves) + comparison_markdown(section.waves)
    outputs["matrix"] = "".join(matrix_markdown(m) for m in report.matrices)
    page, charts = visible_html(report_html(report))
    outputs["report html"] = page
    for name, text in outputs.items():
        assert "⟦" in text, name
        assert leftover(text, data) == [], name
    # a chart's labels are the themes, wrapped over lines: its words are the data's
    words = {w for piece in data for w in _WORD.findall(piece)}
    assert [w for w in leftover(charts, data) if w not in words] == []
    assert "⟦" in charts  # the axis label
    assert i18n.language() == "qps"
