"""The report: every coded question's table in the report's layout, its chart, the
selected (starred) quotes per theme and, when asked, a cross-tabulation by an attribute;
then a theme matrix for each set of questions that share a codebook (Tabel 4's layout with
``matrix_top``).

Formats: DOCX (python-docx, laid out as the report on A4 or in the agency's Word template,
see :mod:`qualcode.io.word`; the chart embedded as PNG), XLSX (openpyxl: a sheet per table
with real numbers and set column widths, the chart inserted, a sheet per crosstab), HTML
(one self-contained file, charts as inline SVG, all text escaped) and Markdown (the charts
written beside it as ``<stem>_figur_<n>.png``).

The published figure (the codebook's count from the earlier report) is compared with the
current count only when asked (``compare_published``): then every format has the column
(XLSX its three), the note naming the source, and the chart its mark; otherwise none.
Quotes are attributed as :mod:`qualcode.io.quoting` says (``attribute``; by role, survey
answers anonymous, by default).

Control characters in the data (an escape sequence in an answer, a C1 control in a label)
are shown as visible symbols in DOCX, HTML and Markdown (XML 1.0 cannot hold most of them
and python-docx refuses them); XLSX keeps them with OOXML's ``_xHHHH_`` escape.

    >>> report = build_report(project, by="lokalpolitisk_fokus")       # doctest: +SKIP
    >>> write_report(report, "rapport.docx")                           # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.i18n import numbers_language, translator
from qualcode.io.export import md_cell, workbook_bytes
from qualcode.io.fmt import is_missing, mentioned, percent, points, units, units_title
from qualcode.io.fmt import scale_note as _scale_note
from qualcode.io.quoting import DEFAULT_ATTRIBUTE, check_attribute, quote_line, source
from qualcode.safe import visible
from qualcode.store import codings as coding_store

_, _n = translator("io")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.crosstab import Group
    from qualcode.core.matrix import QuestionGroup
    from qualcode.core.project import Project
    from qualcode.models import Question, Quote

REPORT_FORMATS = ("docx", "xlsx", "html", "md")


def column_heads(frame: pd.DataFrame) -> list[str]:
    """The report's column headings (as Tabel 1 prints them), in the project's noun, and
    the share: FOKUSPUNKT, ESSENSEN AF FOKUSPUNKTET, ANTAL JOBCENTRE DER NÆVNER
    FOKUSPUNKTET, ANDEL."""
    return [
        _("FOKUSPUNKT"),
        _("ESSENSEN AF FOKUSPUNKTET"),
        _("ANTAL {units} DER NÆVNER FOKUSPUNKTET").format(units=units(frame.attrs).upper()),
        _("ANDEL"),
    ]


def scale_note(frame: pd.DataFrame) -> str:
    return _scale_note(frame.attrs)


def table_label() -> str:
    """The word before a table's number in its caption ("Tabel 1: …")."""
    return _("Tabel")


def figure_label() -> str:
    return _("Figur")


def crosstab_label() -> str:
    return _("Krydstabel")


def matrix_label() -> str:
    return _("Temamatrix")


def waves_label() -> str:
    return _("Bølger")


def caption(label: str, number: int, text: str) -> str:
    """'Tabel 1: Indhold …': a caption as every format but DOCX prints it (DOCX numbers it
    with a field, :func:`qualcode.io.word.add_caption`)."""
    return _("{label} {number}: {caption}").format(label=label, number=number, caption=text)


@dataclass
class Section:
    """One question: its table, chart, quotes and optional crosstab."""

    number: int
    question: Question
    counts: pd.DataFrame
    png: bytes = b""
    svg: bytes = b""
    quotes: list[tuple[str, list[Quote]]] = field(default_factory=list)
    crosstab: pd.DataFrame | None = None
    crosstab_note: str = ""
    waves: pd.DataFrame | None = None  # the comparison with earlier waves, if any

    @property
    def caption(self) -> str:
        """The table's and the figure's caption after "Tabel N: " / "Figur N: "."""
        return str(self.counts.attrs.get("title", ""))

    @property
    def title(self) -> str:
        return caption(table_label(), self.number, self.caption)

    @property
    def figure(self) -> str:
        return caption(figure_label(), self.number, self.caption)

    @property
    def waves_title(self) -> str:
        if self.waves is None:
            return ""
        earlier = self.waves.attrs["waves"][:-1]
        return _("Sammenlignet med {waves}").format(waves=", ".join(earlier))

    @property
    def waves_caption(self) -> str:
        """The caption of the comparison with earlier waves, after "Bølger N: "."""
        return (
            _("{caption}, sammenlignet med {waves}").format(
                caption=self.caption, waves=", ".join(self.waves.attrs["waves"][:-1])
            )
            if self.waves is not None
            else ""
        )

    @property
    def crosstab_caption(self) -> str:
        if self.crosstab is None:
            return ""
        return _("{title} efter {attribute}").format(
            title=self.caption, attribute=self.crosstab.attrs["attribute"]
        )

    @property
    def crosstab_title(self) -> str:
        if self.crosstab is None:
            return ""
        return caption(crosstab_label(), self.number, self.crosstab_caption)


@dataclass
class Report:
    title: str
    sections: list[Section]
    coder: str | None = None
    by: str | None = None
    matrices: list[pd.DataFrame] = field(default_factory=list)  # theme matrices, after
    compare_published: bool = False  # the published figure beside the count, and in the chart
    attribute: str = DEFAULT_ATTRIBUTE  # how quotes are attributed (qualcode.io.quoting)

    def matrix_caption(self, number: int) -> str:
        from qualcode.io.matrix import title

        return title(self.matrices[number - 1])

    def matrix_title(self, number: int) -> str:
        return caption(matrix_label(), number, self.matrix_caption(number))


def report_format(path: str | Path) -> str:
    """The format from the file's suffix; anything else is a one-line error."""
    fmt = Path(path).suffix.lower().lstrip(".")
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in REPORT_FORMATS:
        raise QualcodeError(
            _("the report is written as .docx, .xlsx, .html or .md (from the file name's suffix)"),
            file=str(path),
        )
    return fmt


def coded_questions(project: Project, coder: str | None = None) -> list[str]:
    """The questions with at least one coding (by ``coder``), in project order; of a
    question asked in several waves only the newest (the others are compared with it)."""
    from qualcode.core.waves import current_questions

    coded = coding_store.coded_questions(project.db, coder or None)
    return [qid for qid in current_questions(project) if qid in coded]


def starred_quotes(
    project: Project, question: str, *, coder: str | None = None
) -> list[tuple[str, list[Quote]]]:
    """(theme label, starred quotes coded with exactly that theme), in codebook order."""
    book = project.codebook(question)
    by_key: dict[str, list[Quote]] = {}
    for code in book:
        for q in project.quotes(code.key, question, coder=coder):
            if q.starred and q.code == code.key:
                by_key.setdefault(code.key, []).append(q)
    return [(code.label, by_key[code.key]) for code in book if code.key in by_key]


def build_report(
    project: Project,
    *,
    questions: list[str] | None = None,
    coder: str | None = None,
    by: str | None = None,
    groups: list[Group] | None = None,
    alpha: float = 0.05,
    charts: tuple[str, ...] = ("png", "svg"),
    matrices: list[list[QuestionGroup]] | None = None,
    matrix_top: int | None = None,
    compare_published: bool = False,
    attribute: str = DEFAULT_ATTRIBUTE,
) -> Report:
    """Count, chart, collect quotes and cross-tabulate every question asked for (default:
    every question with codings); then a theme matrix of each of ``matrices`` (default:
    of each set of those questions sharing a codebook), with ``matrix_top`` themes.

    ``compare_published`` puts the codebook's published figure beside each count (and
    in the chart); ``attribute`` is how quotes are attributed (role, respondent, none)."""
    from qualcode.core.crosstab import EmptyGroups, crosstab
    from qualcode.core.matrix import QuestionGroup, matrix_questions, theme_matrix
    from qualcode.core.waves import wave_comparison
    from qualcode.io.charts import chart_bytes

    check_attribute(attribute)
    ids = list(questions) if questions else coded_questions(project, coder)
    if not ids:
        message = (
            _("no question has codings by coder '{coder}' yet; nothing to report").format(
                coder=coder
            )
            if coder
            else _("no question has codings yet; nothing to report")
        )
        raise QualcodeError(message, file=str(project.path))
    sections = []
    for number, qid in enumerate(ids, start=1):
        q = project.question(qid)
        frame = project.counts(q.id, coder=coder)
        section = Section(
            number=number,
            question=q,
            counts=frame,
            quotes=starred_quotes(project, q.id, coder=coder),
        )
        # no title in the picture: the figure's caption under it says it, once
        if "png" in charts:
            section.png = chart_bytes(frame, "png", title="", published=compare_published)
        if "svg" in charts:
            section.svg = chart_bytes(frame, "svg", title="", published=compare_published)
        compared = wave_comparison(project, q.id, coder=coder)
        if compared is not None and compared.attrs.get("question") == q.id:
            section.waves = compared
        if by:
            try:
                section.crosstab = crosstab(
                    project, q.id, by, groups=groups, coder=coder, alpha=alpha
                )
            except EmptyGroups as exc:
                section.crosstab_note = _("Ingen krydstabel: {reason}").format(reason=exc)
        sections.append(section)
    if matrices is None:
        matrices = [[QuestionGroup(q, q) for q in same] for same in matrix_questions(project, ids)]
    return Report(
        title=_("{project}: tabeller, figurer og citater").format(
            project=Path(project.path).name.split(".")[0]
        ),
        sections=sections,
        coder=coder,
        by=by,
        matrices=[
            theme_matrix(project, questions=groups, coder=coder, top=matrix_top)
            for groups in matrices
        ],
        compare_published=compare_published,
        attribute=attribute,
    )


# -- the table's cells ----------------------------------------------------------------


def _show_published(frame: pd.DataFrame, compare: bool = True) -> bool:
    """Whether the table has the published column: asked for, and the codebook has one."""
    return compare and bool(frame["published"].notna().any())


def published_head(frame: pd.DataFrame) -> str:
    """'Rapporten 2018': the published report the codebook's figures come from."""
    year = frame["published_year"].dropna()
    return _("Rapporten {year}").format(year=int(year.iloc[0])) if len(year) else _("Rapporten")


def table_rows(
    frame: pd.DataFrame, *, published: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a question's table as text, in the report's layout; with
    ``published`` the published figure beside the count (where the codebook has one)."""
    cols = column_heads(frame)
    show_pub = _show_published(frame, published)
    kind, noun = str(frame.attrs.get("kind", "open")), units(frame.attrs)
    if show_pub:
        cols.append(published_head(frame).upper())
    body = []
    kind, noun = frame.attrs.get("kind", "open"), units(frame.attrs)
    for r in frame.itertuples():
        # percent from the counts themselves: 2 of 19 is 11 %, not round(10.5)
        exact = 100.0 * int(r.respondents) / int(r.answered) if int(r.answered) else None
        cells = [
            "  " * int(r.depth) + r.label,
            r.definition or "",
            mentioned(kind, int(r.respondents), int(r.answered), noun),
            percent(exact, 0),
        ]
        if show_pub:
            cells.append(
                ""
                if is_missing(r.published)
                else mentioned("open", r.published, r.published_base, noun)
            )
        body.append(cells)
    return cols, body


def table_notes(section: Section, *, published: bool = False) -> list[str]:
    frame = section.counts
    out = []
    answered = int(frame["answered"].iloc[0]) if len(frame) else 0
    noun = units(frame.attrs)
    if section.question.kind == "interview":
        out.append(_("Grundlag: {n} interviewede {units}.").format(n=answered, units=noun))
    else:
        out.append(_("Grundlag: {n} {units} der har svaret.").format(n=answered, units=noun))
    if frame.attrs.get("basis_label"):
        out.append(f"{frame.attrs['basis_label']}.")
    if section.question.kind == "interview":
        out.append(scale_note(frame))
    source = frame.attrs.get("published_source")
    if _show_published(frame, published) and source:
        out.append(_("Rapportens tal: {source}.").format(source=source))
    return out


def waves_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the comparison with earlier waves, as text."""
    from qualcode.io.waves import change_head, share_cell

    ws = frame.attrs["waves"]
    head = [_("Tema"), *ws, change_head(ws)]
    body = [
        [r["label"], *(share_cell(r, w) for w in ws), points(r["change_pp"])]
        for r in frame.to_dict("records")
    ]
    return head, body


def waves_note() -> str:
    return _("Ændringen er i procentpoint: den nyeste bølges andel minus den forriges.")


# -- Markdown ---------------------------------------------------------------------


def figure_name(stem: str, number: int) -> str:
    """The chart's file beside a Markdown report (a file name: the same in every language)."""
    return f"{stem}_figur_{number}.png"


def report_markdown(report: Report, *, stem: str) -> str:
    from qualcode.io.crosstab import crosstab_markdown
    from qualcode.io.matrix import matrix_markdown

    parts = [f"# {md_cell(report.title)}", ""]
    for s in report.sections:
        parts += [
            f"## {md_cell(s.title)}",
            "",
            _("Spørgsmål: {text} ({id})").format(
                text=md_cell(s.question.text), id=f"`{s.question.id}`"
            ),
            "",
        ]
        head, body = table_rows(s.counts, published=report.compare_published)
        parts.append("| " + " | ".join(head) + " |")
        parts.append(
            "|" + "|".join(["---", "---", "---", "---:"] + ["---"] * (len(head) - 4)) + "|"
        )
        for cells in body:
            first = cells[0].replace("  ", "&nbsp;&nbsp;")
            parts.append("| " + " | ".join(md_cell(c) for c in [first, *cells[1:]]) + " |")
        parts.append("")
        parts += [md_cell(n) + "  " for n in table_notes(s, published=report.compare_published)]
        parts += [
            "",
            f"![{md_cell(s.figure)}]({figure_name(stem, s.number)})",
            "",
            f"*{md_cell(s.figure)}*",
            "",
        ]
        if s.waves is not None:
            head, body = waves_rows(s.waves)
            parts += [
                f"### {md_cell(s.waves_title)}",
                "",
                "| " + " | ".join(md_cell(h) for h in head) + " |",
                "|---|" + "---:|" * (len(head) - 1),
            ]
            parts += ["| " + " | ".join(md_cell(c) for c in cells) + " |" for cells in body]
            parts += ["", waves_note(), ""]
        parts += _quotes_markdown(s, report.attribute)
        if s.crosstab is not None:
            parts.append(crosstab_markdown(s.crosstab, heading=f"### {md_cell(s.crosstab_title)}"))
        elif s.crosstab_note:
            parts += [md_cell(s.crosstab_note), ""]
    for number, frame in enumerate(report.matrices, start=1):
        parts.append(matrix_markdown(frame, heading=f"## {md_cell(report.matrix_title(number))}"))
    return visible("\n".join(parts).rstrip() + "\n")


def _quotes_markdown(s: Section, attribute: str) -> list[str]:
    if not s.quotes:
        return []
    parts = [f"### {_('Udvalgte citater')}", ""]
    for label, quotes in s.quotes:
        parts += [f"#### {md_cell(label)}", ""]
        for q in quotes:
            parts.append(f"> {md_cell(quote_line(q, attribute))}")
            if where := source(q, attribute):
                parts += [">", f"> *({md_cell(where)})*"]
            parts.append("")
    return parts


# -- HTML -------------------------------------------------------------------------

CSS = """
body { font-family: Calibri, "Segoe UI", Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
th, td { border: 1px solid #bbb; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
td.num { text-align: right; white-space: nowrap; }
.note { color: #555; font-size: .9rem; margin: .2rem 0; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-style: italic; color: #444; }
blockquote { margin: .6rem 0 .1rem 1rem; font-style: italic; }
.source { color: #666; font-size: .85rem; margin: 0 0 .6rem 1rem; }
"""


def _e(text: object) -> str:
    """Text for HTML: escaped, control characters as visible symbols."""
    return html.escape(visible(str(text)), quote=True)


def _html_table(head: list[str], body: list[list[str]], numeric: set[int]) -> list[str]:
    out = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for cells in body:
        tds = []
        for i, c in enumerate(cells):
            cls = ' class="num"' if i in numeric else ""
            text = _e(c.lstrip(" "))
            indent = (len(c) - len(c.lstrip(" "))) // 2 if i == 0 else 0
            if indent:
                text = "&nbsp;&nbsp;&nbsp;&nbsp;" * indent + text
            tds.append(f"<td{cls}>{text}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return out


def report_html(report: Report) -> str:
    from qualcode.io.charts import inline_svg
    from qualcode.io.crosstab import display_rows, notes
    from qualcode.io.matrix import display_rows as matrix_rows
    from qualcode.io.matrix import notes as matrix_notes

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{numbers_language()}">',  # the language the text is in
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(report.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(report.title)}</h1>",
    ]
    for s in report.sections:
        out += [
            f'<section id="tabel-{s.number}">',
            f"<h2>{_e(s.title)}</h2>",
            '<p class="note">'
            + _("Spørgsmål: {text} ({id})").format(
                text=_e(s.question.text), id=f"<code>{_e(s.question.id)}</code>"
            )
            + "</p>",
        ]
        head, body = table_rows(s.counts, published=report.compare_published)
        out += _html_table(head, body, {3})
        out += [
            f'<p class="note">{_e(n)}</p>'
            for n in table_notes(s, published=report.compare_published)
        ]
        if s.svg:
            out += [
                "<figure>",
                inline_svg(s.svg),
                f"<figcaption>{_e(s.figure)}</figcaption>",
                "</figure>",
            ]
        if s.waves is not None:
            head, body = waves_rows(s.waves)
            out.append(f"<h3>{_e(s.waves_title)}</h3>")
            out += _html_table(head, body, set(range(1, len(head))))
            out.append(f'<p class="note">{_e(waves_note())}</p>')
        if s.quotes:
            out.append(f"<h3>{_e(_('Udvalgte citater'))}</h3>")
            for label, quotes in s.quotes:
                out.append(f"<h4>{_e(label)}</h4>")
                for q in quotes:
                    out.append(f"<blockquote>{_e(quote_line(q, report.attribute))}</blockquote>")
                    if where := source(q, report.attribute):
                        out.append(f'<p class="source">{_e(where)}</p>')
        if s.crosstab is not None:
            chead, cbody = display_rows(s.crosstab)
            out.append(f"<h3>{_e(s.crosstab_title)}</h3>")
            out += _html_table(chead, cbody, set(range(1, len(chead))))
            out += [f'<p class="note">{_e(n)}</p>' for n in notes(s.crosstab)]
        elif s.crosstab_note:
            out.append(f'<p class="note">{_e(s.crosstab_note)}</p>')
        out.append("</section>")
    for number, frame in enumerate(report.matrices, start=1):
        mhead, mbody = matrix_rows(frame)
        numeric = {3} if frame.attrs.get("top") else set(range(1, len(mhead)))
        out += [
            f'<section id="temamatrix-{number}">',
            f"<h2>{_e(report.matrix_title(number))}</h2>",
        ]
        out += _html_table(mhead, mbody, numeric)
        out += [f'<p class="note">{_e(n)}</p>' for n in matrix_notes(frame)]
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# -- DOCX -------------------------------------------------------------------------


def report_docx(report: Report, *, template: bytes | None = None) -> bytes:
    """The report as Word lays out the published one (see :mod:`qualcode.io.word`): per
    question a heading (the question), "Tabel N: …" over the table, its notes, "Figur N:
    …" over the chart; then the comparison with earlier waves, the quotes and the
    crosstab, each table with its caption; then the theme matrices. ``template`` is the
    agency's Word template (from :func:`qualcode.io.word.read_template`)."""
    from qualcode.io import word
    from qualcode.io.crosstab import display_rows, notes
    from qualcode.io.matrix import add_matrix_docx

    doc = word.new_document(template, title=report.title)
    published = report.compare_published
    word.add_heading(doc, report.title, 1)
    for s in report.sections:
        word.add_heading(doc, s.question.text.strip() or s.caption, 2)
        head, body = table_rows(s.counts, published=published)
        word.add_captioned_table(
            doc,
            table_label(),
            s.number,
            s.caption,
            head,
            body,
            numeric={3},
            notes=table_notes(s, published=published),
        )
        if s.png:
            word.add_caption(doc, figure_label(), s.number, s.caption)
            word.add_picture(doc, s.png)
        if s.waves is not None:
            head, body = waves_rows(s.waves)
            word.add_captioned_table(
                doc,
                waves_label(),
                s.number,
                s.waves_caption,
                head,
                body,
                numeric=set(range(1, len(head))),
                notes=[waves_note()],
            )
        if s.quotes:
            word.add_heading(doc, _("Udvalgte citater"), 3)
            for label, quotes in s.quotes:
                word.add_heading(doc, label, 4)
                for q in quotes:
                    doc.add_paragraph(visible(quote_line(q, report.attribute)), style="Quote")
                    if where := source(q, report.attribute):
                        word.add_note(doc, where)
        if s.crosstab is not None:
            chead, cbody = display_rows(s.crosstab)
            word.add_captioned_table(
                doc,
                crosstab_label(),
                s.number,
                s.crosstab_caption,
                chead,
                cbody,
                numeric=set(range(1, len(chead))),
                notes=notes(s.crosstab),
            )
        elif s.crosstab_note:
            word.add_note(doc, s.crosstab_note)
    for number, frame in enumerate(report.matrices, start=1):
        add_matrix_docx(doc, frame, heading=report.matrix_caption(number), number=number)
    word.finish(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# -- XLSX -------------------------------------------------------------------------


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from qualcode.io.crosstab import write_crosstab_sheet
    from qualcode.io.export import xlsx_cell
    from qualcode.io.matrix import write_matrix_sheet

    wb = Workbook()
    wb.remove(wb.active)
    for s in report.sections:
        frame = s.counts
        show_pub = _show_published(frame, report.compare_published)
        ws = wb.create_sheet(f"{table_label()} {s.number}")
        ws.append([xlsx_cell(s.title)])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([xlsx_cell(_("Spørgsmål: {text}").format(text=s.question.text))])
        ws.append([])
        cols = [
            *column_heads(frame)[:3],
            units_title(frame.attrs),
            _("Besvaret"),
            _("Andel (%)"),
        ]
        if show_pub:
            year = published_head(frame)
            cols += [
                f"{year}: {units(frame.attrs)}",
                _("{report}: besvaret").format(report=year),
                _("{report}: andel (%)").format(report=year),
            ]
        ws.append([xlsx_cell(h.upper()) for h in cols])  # as the report's headings
        for cell in ws[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r in frame.itertuples():
            row = [
                xlsx_cell("  " * int(r.depth) + r.label),
                xlsx_cell(r.definition),
                xlsx_cell(
                    mentioned(
                        str(frame.attrs.get("kind", "open")),
                        int(r.respondents),
                        int(r.answered),
                        units(frame.attrs),
                    )
                ),
                int(r.respondents),
                int(r.answered),
                None if is_missing(r.percent) else float(r.percent),
            ]
            if show_pub:
                row += [
                    None if is_missing(r.published) else int(r.published),
                    None if is_missing(r.published_base) else int(r.published_base),
                    None if is_missing(r.published_percent) else float(r.published_percent),
                ]
            ws.append(row)
        for row in ws.iter_rows(min_row=5, max_row=ws.max_row):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
            row[1].alignment = Alignment(wrap_text=True, vertical="top")
            row[5].number_format = "0.0"
            if show_pub:
                row[8].number_format = "0.0"
        ws.append([])
        for n in table_notes(s, published=report.compare_published):
            ws.append([xlsx_cell(n)])
            ws.cell(ws.max_row, 1).font = Font(italic=True)
        if s.quotes:
            ws.append([])
            ws.append([_("Udvalgte citater")])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            named = report.attribute == "respondent"  # only then a source column
            ws.append([_("Tema"), _("Citat"), *([_("Kilde")] if named else [])])
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            for label, quotes in s.quotes:
                for q in quotes:
                    line = quote_line(q, report.attribute)
                    where = [xlsx_cell(source(q, report.attribute))] if named else []
                    ws.append([xlsx_cell(label), xlsx_cell(line), *where])
                    ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCDEFGHI", (44, 60, 34, 11, 11, 11, 18, 18, 18), strict=False):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A5"
        if s.png:
            image = Image(io.BytesIO(s.png))
            scale = 640 / image.width
            image.width, image.height = 640, int(image.height * scale)
            ws.add_image(image, f"{get_column_letter(len(cols) + 2)}4")
        if s.waves is not None:
            _waves_sheet(wb.create_sheet(f"{waves_label()} {s.number}"), s)
        if s.crosstab is not None:
            xs = wb.create_sheet(f"{crosstab_label()} {s.number}")
            write_crosstab_sheet(xs, s.crosstab, heading=s.crosstab_title)
    for number, frame in enumerate(report.matrices, start=1):
        write_matrix_sheet(
            wb.create_sheet(f"{matrix_label()} {number}"),
            frame,
            heading=report.matrix_title(number),
        )
    return workbook_bytes(wb)


def _waves_sheet(ws, s: Section) -> None:
    """The comparison with earlier waves: counts, bases and shares as numbers."""
    from openpyxl.utils import get_column_letter

    from qualcode.io.waves import fill_wave_sheet

    columns = fill_wave_sheet(ws, s.waves, f"{s.title}: {s.waves_title}", "pp")
    ws.append([])
    ws.append([waves_note()])
    for i in range(2, columns + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16


# -- writing ----------------------------------------------------------------------


def render_report(
    report: Report, fmt: str, *, stem: str = "rapport", template: bytes | None = None
) -> list[tuple[str, bytes]]:
    """(file name, bytes) for the report and, for Markdown, the chart files beside it;
    the report itself is first. ``template`` (a Word template's package) is for DOCX."""
    if template is not None and fmt != "docx":
        raise QualcodeError(
            _("a Word template is for a .docx report, not .{format}").format(format=fmt)
        )
    if fmt == "docx":
        return [("", report_docx(report, template=template))]
    if fmt == "xlsx":
        return [("", report_xlsx(report))]
    if fmt == "html":
        return [("", report_html(report).encode("utf-8"))]
    if fmt == "md":
        files = [("", report_markdown(report, stem=stem).encode("utf-8"))]
        files += [(figure_name(stem, s.number), s.png) for s in report.sections]
        return files
    raise QualcodeError(
        _("unknown report format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(REPORT_FORMATS)
        )
    )


def charts_needed(fmt: str) -> tuple[str, ...]:
    return ("svg",) if fmt == "html" else ("png",)


def write_report(
    report: Report, path: str | Path, *, force: bool = False, template: bytes | None = None
) -> list[Path]:
    """Write the report (and Markdown's charts beside it) all or nothing; return the paths,
    the report first.

    Every target is checked before anything is written (none may exist without ``force``,
    each must be a regular file or missing); then every file is written to a temporary
    name and flushed to disk, and only then renamed into place, the report last. A failure
    before the report is in place takes back the charts already placed (a replaced chart
    gets its old content back) and removes every temporary file; see
    :func:`qualcode.io.export.write_files`. ``template``: see :func:`report_docx`.
    """
    from qualcode.io.export import write_files

    given = path  # as given: 'r.md/' names a folder, and is refused as such
    path = Path(path)
    fmt = report_format(path)
    files = render_report(report, fmt, stem=path.stem, template=template)
    return write_files(
        [(given if not name else path.with_name(name), data) for name, data in files], force=force
    )
