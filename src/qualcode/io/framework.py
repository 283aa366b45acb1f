"""Writing a framework matrix (:func:`qualcode.core.framework.framework_matrix`): XLSX,
DOCX, Markdown or CSV, with the analyst's summaries and, with ``passages``, the coded
passages of every cell.

- **XLSX**: a sheet "Rammematrix", a row per respondent and a column per theme holding
  the summary; with passages a sheet "Passager", a row per coded passage.
- **DOCX**: the matrix as a table (landscape), a row per respondent; with passages, per
  respondent and theme the summary and the passages as quotes.
- **Markdown**: the same as the DOCX.
- **CSV**: one row per cell (respondent × theme), columns :data:`CSV_COLUMNS`; the
  ``passages`` column holds the cell's passages (one per paragraph) with passages, and is
  empty without them; ``n_passages`` always counts them.

In the table layouts (DOCX, Markdown) a cell without a summary but with coded passages
says how many ("(3 passager)"), so what is still to summarise shows. CSV and XLSX keep
the data exactly (formula-safe); DOCX and Markdown show control characters as symbols.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.export import md_cell, safe_cell, sheet_name, workbook_bytes, xlsx_cell
from qualcode.io.fmt import themes
from qualcode.safe import visible

if TYPE_CHECKING:
    from qualcode.core.framework import Cell, FrameworkMatrix, Passage

_, _n = translator("io")

FORMATS = ("xlsx", "docx", "md", "csv")
CSV_COLUMNS = [
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
_DASH = "\u2013"


def passage_text(p: Passage) -> str:
    """A passage on its own: '"…" (uddrag 3, Arbejdsmarkedschef)' for an interview
    excerpt, the text alone for an answer."""
    where = p.where()
    return f"{p.text} ({where})" if where else p.text


def marker(cell: Cell) -> str:
    """What a table cell without a summary shows: how many passages wait ('' if none)."""
    n = len(cell.passages)
    if cell.text or not n:
        return cell.text
    return _n("({n} passage)", "({n} passager)", n).format(n=n)


def heading(matrix: FrameworkMatrix) -> str:
    return _("Rammematrix: {title}").format(title=matrix.title or matrix.question.id)


def intro(matrix: FrameworkMatrix) -> list[str]:
    """The lines under the heading: the question, the basis, what the matrix holds."""
    q = matrix.question
    lines = [_("Spørgsmål: {text} ({id})").format(text=q.text or q.id, id=q.id)]
    lines.append(f"{matrix.basis_label}.")
    lines.append(
        _n(
            "{n} {units} × {themes}; {summarised} celle har et resumé.",
            "{n} {units} × {themes}; {summarised} celler har et resumé.",
            matrix.summarised,
        ).format(
            n=len(matrix.respondents),
            units=matrix.noun.plural,
            themes=themes(len(matrix.codes)),
            summarised=matrix.summarised,
        )
    )
    return lines


# -- CSV ----------------------------------------------------------------------------------


def framework_csv(matrix: FrameworkMatrix, *, passages: bool = False) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rid, name in matrix.respondents:
        for code in matrix.codes:
            cell = matrix.cell(rid, code.key)
            s = cell.summary
            row = [
                matrix.question.id,
                rid,
                name,
                code.key,
                code.label,
                cell.text,
                s.author if s else "",
                s.at if s else "",
                len(cell.passages),
                "\n\n".join(passage_text(p) for p in cell.passages) if passages else "",
            ]
            writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


# -- Markdown -------------------------------------------------------------------------------


def _md_text(text: str) -> str:
    """A summary in a Markdown table cell: its line breaks as <br>."""
    return "<br>".join(md_cell(line) for line in text.splitlines())


def framework_markdown(matrix: FrameworkMatrix, *, passages: bool = False) -> str:
    parts = [f"## {md_cell(heading(matrix))}", ""]
    parts += [md_cell(line) + "  " for line in intro(matrix)]
    parts.append("")
    head = [
        matrix.row_title,
        *(("&nbsp;&nbsp;" * matrix.depth.get(c.key, 0)) + md_cell(c.label) for c in matrix.codes),
    ]
    parts.append("| " + " | ".join(head) + " |")
    parts.append("|" + "|".join(["---"] * len(head)) + "|")
    for rid, _name in matrix.respondents:
        cells = [md_cell(matrix.display(rid))]
        cells += [_md_text(marker(matrix.cell(rid, c.key))) for c in matrix.codes]
        parts.append("| " + " | ".join(cells) + " |")
    if passages:
        parts += ["", f"### {_('Kodede passager')}"]
        for rid, _name in matrix.respondents:
            row = [matrix.cell(rid, c.key) for c in matrix.codes]
            if not any(c.passages or c.text for c in row):
                continue
            parts += ["", f"#### {md_cell(matrix.display(rid))}"]
            for cell in row:
                if not (cell.passages or cell.text):
                    continue
                parts += ["", f"**{md_cell(matrix.label(cell.code))}**", ""]
                if cell.text:
                    lines = md_cell_lines(cell.text)
                    lines[0] = _("Resumé: {summary}").format(summary=lines[0])
                    parts += [line + "  " for line in lines]  # the line breaks kept
                    parts.append("")
                for p in cell.passages:
                    parts.append("> " + "  \n> ".join(md_cell_lines(passage_text(p))))
                    parts.append("")
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(parts))  # one blank line between blocks
    return visible(text.rstrip() + "\n")


def md_cell_lines(text: str) -> list[str]:
    """Lines of a text for a Markdown paragraph: each escaped as a cell is, hard breaks
    kept."""
    return [md_cell(line) for line in text.splitlines()] or [""]


# -- XLSX -------------------------------------------------------------------------------


def framework_xlsx(matrix: FrameworkMatrix, *, passages: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(_("Rammematrix"), [])
    ws.append([xlsx_cell(heading(matrix))])
    ws["A1"].font = Font(bold=True, size=12)
    for line in intro(matrix):
        ws.append([xlsx_cell(line)])
    top = ws.max_row + 2
    ws.append([])
    ws.append([xlsx_cell(matrix.row_title), _("Navn"), *(xlsx_cell(c.label) for c in matrix.codes)])
    for cell in ws[top]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for rid, name in matrix.respondents:
        ws.append(
            [
                xlsx_cell(rid),
                xlsx_cell(name),
                *(xlsx_cell(matrix.cell(rid, c.key).text) or None for c in matrix.codes),
            ]
        )
    for row in ws.iter_rows(min_row=top + 1):
        for cell in row[2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 26
    for i in range(len(matrix.codes)):
        ws.column_dimensions[get_column_letter(3 + i)].width = 40
    ws.freeze_panes = ws.cell(row=top + 1, column=3)
    if passages:
        sheet = wb.create_sheet(sheet_name(_("Passager"), wb.sheetnames))
        sheet.append(
            [
                xlsx_cell(matrix.row_title),
                _("Navn"),
                _("Kode"),
                _("Tema"),
                _("Uddrag"),
                _("Rolle"),
                _("Passage"),
                _("Kodere"),
            ]
        )
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for rid, name in matrix.respondents:
            for code in matrix.codes:
                for p in matrix.cell(rid, code.key).passages:
                    sheet.append(
                        [
                            xlsx_cell(rid),
                            xlsx_cell(name),
                            xlsx_cell(code.key),
                            xlsx_cell(code.label),
                            p.item_number if p.role else None,
                            xlsx_cell(p.role) or None,
                            xlsx_cell(p.text),
                            xlsx_cell(", ".join(p.coders)),
                        ]
                    )
        for row in sheet.iter_rows(min_row=2):
            row[6].alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCDEFGH", (10, 26, 24, 36, 8, 20, 80, 14), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
    return workbook_bytes(wb)


# -- DOCX -------------------------------------------------------------------------------


def framework_docx(
    matrix: FrameworkMatrix, *, passages: bool = False, template: bytes | None = None
) -> bytes:
    """The matrix as a Word table (on its side when it has more than three themes), with
    ``passages`` each cell's summary and passages after it; on A4 with the report's
    margins, or in the agency's ``template`` (:func:`qualcode.io.word.read_template`)."""
    from docx.shared import Pt

    from qualcode.io.word import grid, new_document, turn

    t = visible  # every text from data: python-docx refuses control characters
    doc = new_document(template, title=heading(matrix))
    if len(matrix.codes) > 3:  # a wide matrix: the page on its side
        turn(doc.sections[0], landscape=True)
    doc.add_heading(t(heading(matrix)), level=1)
    for line in intro(matrix):
        doc.add_paragraph(t(line))
    table = doc.add_table(rows=1, cols=1 + len(matrix.codes))
    grid(doc, table)
    for cell, text in zip(
        table.rows[0].cells, [matrix.row_title, *(c.label for c in matrix.codes)], strict=True
    ):
        cell.text = ""
        run = cell.paragraphs[0].add_run(t(text))
        run.bold = True
    for rid, _name in matrix.respondents:
        cells = table.add_row().cells
        cells[0].text = t(matrix.display(rid))
        for cell, code in zip(cells[1:], matrix.codes, strict=True):
            found = matrix.cell(rid, code.key)
            cell.text = t(marker(found))
            if not found.text and found.passages:
                for run in cell.paragraphs[0].runs:
                    run.italic = True
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(8)
    if passages:
        styles = {s.name for s in doc.styles}
        quote_style = "Quote" if "Quote" in styles else None
        doc.add_heading(_("Kodede passager"), level=2)
        for rid, _name in matrix.respondents:
            cells = [matrix.cell(rid, c.key) for c in matrix.codes]
            if not any(c.passages or c.text for c in cells):
                continue
            doc.add_heading(t(matrix.display(rid)), level=3)
            for cell in cells:
                if not (cell.passages or cell.text):
                    continue
                doc.add_heading(t(matrix.label(cell.code)), level=4)
                if cell.text:
                    para = doc.add_paragraph()
                    para.add_run(_("Resumé:") + " ").bold = True
                    para.add_run(t(cell.text))
                for p in cell.passages:
                    para = doc.add_paragraph(style=quote_style)
                    para.add_run(t(f'"{p.text}"')).italic = True
                    if p.where():
                        para.add_run(t(f" {_DASH} {p.where()}"))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_framework(
    matrix: FrameworkMatrix, fmt: str, *, passages: bool = False, template: bytes | None = None
) -> bytes:
    if fmt == "csv":
        return framework_csv(matrix, passages=passages)
    if fmt == "md":
        return framework_markdown(matrix, passages=passages).encode("utf-8")
    if fmt == "xlsx":
        return framework_xlsx(matrix, passages=passages)
    if fmt == "docx":
        return framework_docx(matrix, passages=passages, template=template)
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(FORMATS)
        )
    )
