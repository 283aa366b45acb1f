"""Writing a co-occurrence (:func:`qualcode.core.cooccurrence.cooccurrence`): a terminal
table, CSV, Markdown or XLSX.

Every format lists every pair of themes, the most mentioned together first, names the
coder basis ("Kodet af: guld") and counts in the project's noun (jobcentre, kommuner).
The human formats show the Jaccard index with a decimal comma and "–" where it is
undefined; CSV and XLSX keep numbers as numbers and leave an undefined Jaccard empty.
XLSX adds a square matrix of the themes.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from qualcode.core.numbers import round_half_up
from qualcode.errors import QualcodeError
from qualcode.io.export import md_cell, safe_cell, workbook_bytes, xlsx_cell
from qualcode.io.fmt import number
from qualcode.io.table import Column, table_lines
from qualcode.safe import one_line, visible

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from qualcode.core.cooccurrence import Cooccurrence

FORMATS = ("table", "csv", "md", "xlsx")
CSV_COLUMNS = [
    "question",
    "code_a",
    "label_a",
    "code_b",
    "label_b",
    "both",
    "respondents_a",
    "respondents_b",
    "jaccard",
    "coder",  # the basis: a coder's name, or '*' for every coder together
]
HEADERS = ["Tema A", "Tema B", "Begge", "A i alt", "B i alt", "Jaccard"]
LABEL_WIDTH = 40  # the terminal table cuts longer labels with '…'


def jaccard_text(value: float | None) -> str:
    """0.4286 -> '0,43'; undefined -> '–'."""
    return number(value, 2)


def answered_text(result: Cooccurrence) -> str:
    """'35 jobcentre har svaret', '15 interviewede jobcentre' (in the project's noun)."""
    plural = result.noun.plural
    if result.kind == "interview":
        return f"{result.answered} interviewede {plural}"
    return f"{result.answered} {plural} har svaret"


def title_line(result: Cooccurrence) -> str:
    """As the counts' title: "strategier: TITLE (35 jobcentre har svaret)"."""
    return f"{result.question}: {result.title} ({answered_text(result)})"


def subtitle(result: Cooccurrence) -> str:
    return f"Temaer nævnt sammen af de samme {result.noun.plural} (samforekomst)"


def notes(result: Cooccurrence) -> list[str]:
    """The lines under the list: what the columns count, and what is left out."""
    noun = result.noun
    out = [
        f"Begge: {noun.plural} der nævner begge temaer (tælles én gang pr. {noun.singular}). "
        f"A i alt, B i alt: {noun.plural} der nævner temaet.",
        f"Jaccard: begge / {noun.plural} der nævner mindst ét af de to temaer "
        f"(1 = altid sammen, 0 = aldrig; – når ingen {noun.plural} nævner nogen af dem).",
    ]
    if result.nested:
        out.append(
            "Et overtema tæller sine undertemaer med, som i optællingen; derfor parres et "
            "overtema ikke med sine egne undertemaer."
        )
    if not result.pairs:
        out.append("Ingen par: kodebogen har færre end to temaer at parre.")
    return out


def rows(result: Cooccurrence) -> list[list[str]]:
    """The human formats' cells, one row per pair."""
    return [
        [
            p.label_a,
            p.label_b,
            str(p.both),
            str(p.respondents_a),
            str(p.respondents_b),
            jaccard_text(p.jaccard),
        ]
        for p in result.pairs
    ]


def cooccurrence_table(result: Cooccurrence) -> str:
    columns = [
        Column(HEADERS[0], max_width=LABEL_WIDTH),
        Column(HEADERS[1], max_width=LABEL_WIDTH),
        *(Column(h, right=True) for h in HEADERS[2:]),
    ]
    lines = [title_line(result), subtitle(result), result.basis_label]
    lines += table_lines(columns, rows(result))
    lines += ["", *notes(result)]
    return "\n".join(one_line(line) for line in lines) + "\n"


def cooccurrence_markdown(result: Cooccurrence) -> str:
    parts = [
        f"### {md_cell(result.title)}: temaer nævnt sammen",
        "",
        f"Spørgsmål: {md_cell(result.question_text or result.question)} "
        f"(`{md_cell(result.question)}`), {md_cell(answered_text(result))}",
        "",
        md_cell(result.basis_label),
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---|---|---:|---:|---:|---:|",
    ]
    parts += ["| " + " | ".join(md_cell(c) for c in cells) + " |" for cells in rows(result)]
    parts.append("")
    parts += [md_cell(n) + "  " for n in notes(result)]
    return visible("\n".join(parts).rstrip() + "\n")


def cooccurrence_csv(result: Cooccurrence) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    coder = result.basis if result.basis is not None else "*"
    for p in result.pairs:
        j = p.jaccard
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    result.question,
                    p.code_a,
                    p.label_a,
                    p.code_b,
                    p.label_b,
                    p.both,
                    p.respondents_a,
                    p.respondents_b,
                    "" if j is None else round_half_up(j, 4),
                    coder,
                )
            ]
        )
    return buf.getvalue().encode("utf-8")


def _pairs_sheet(ws: Worksheet, result: Cooccurrence) -> None:
    from openpyxl.styles import Font

    ws.append(
        [xlsx_cell(f"{result.title}: temaer nævnt sammen"), "", xlsx_cell(result.basis_label)]
    )
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([xlsx_cell(h) for h in HEADERS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for p in result.pairs:
        ws.append(
            [
                xlsx_cell(p.label_a),
                xlsx_cell(p.label_b),
                p.both,
                p.respondents_a,
                p.respondents_b,
                p.jaccard,  # None: an empty cell
            ]
        )
    for cells in ws.iter_rows(min_row=3, max_row=ws.max_row):
        cells[5].number_format = "0.00"
    ws.append([])
    for line in notes(result):
        ws.append([xlsx_cell(line)])
    for letter, width in zip("ABCDEF", (48, 48, 9, 9, 9, 9), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def _matrix_sheet(ws: Worksheet, result: Cooccurrence) -> None:
    """Themes by themes: the respondents that mention both, the theme's own count on the
    diagonal, a parent with its own children in grey (they come together by construction)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    themes = result.themes
    ws.append(
        [
            xlsx_cell(f"{result.title}: {result.noun.plural} der nævner begge temaer"),
            xlsx_cell(result.basis_label),
        ]
    )
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(["", *(xlsx_cell(t.label) for t in themes)])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    grey = Font(color="808080", italic=True)
    for row_theme in themes:
        ws.append(
            [
                xlsx_cell("  " * row_theme.depth + row_theme.label),
                *(result.both(row_theme.key, t.key) for t in themes),
            ]
        )
        cells = ws[ws.max_row]
        cells[0].font = Font(bold=True)
        for i, t in enumerate(themes, start=1):
            if t.key == row_theme.key:
                cells[i].font = Font(bold=True)
            elif result.is_nested(row_theme.key, t.key):
                cells[i].font = grey
    ws.append([])
    ws.append(
        [
            xlsx_cell(
                f"Diagonalen: {result.noun.plural} der nævner temaet. Grå: et overtema og "
                "dets eget undertema (overtemaet tæller undertemaerne med)."
            )
        ]
    )
    ws.column_dimensions["A"].width = 48
    for i in range(2, len(themes) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.freeze_panes = "B3"


def cooccurrence_xlsx(result: Cooccurrence) -> bytes:
    """A sheet of the pairs (as the CSV, numbers as numbers) and a sheet with the matrix."""
    from openpyxl import Workbook

    wb = Workbook()
    pairs = wb.active
    pairs.title = "Par"
    _pairs_sheet(pairs, result)
    _matrix_sheet(wb.create_sheet("Matrix"), result)
    return workbook_bytes(wb)


def render_cooccurrence(result: Cooccurrence, fmt: str) -> bytes:
    if fmt == "table":
        return cooccurrence_table(result).encode("utf-8")
    if fmt == "csv":
        return cooccurrence_csv(result)
    if fmt == "md":
        return cooccurrence_markdown(result).encode("utf-8")
    if fmt == "xlsx":
        return cooccurrence_xlsx(result)
    raise QualcodeError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")
