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
from qualcode.i18n import translator
from qualcode.io.export import md_cell, safe_cell, workbook_bytes, xlsx_cell
from qualcode.io.fmt import number
from qualcode.io.table import Column, table_lines
from qualcode.safe import one_line, visible

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from qualcode.core.cooccurrence import Cooccurrence

_, _n = translator("io")

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
LABEL_WIDTH = 40  # the terminal table cuts longer labels with '…'


def headers() -> list[str]:
    """The columns of the human formats (and of the pairs' sheet)."""
    return [_("Tema A"), _("Tema B"), _("Begge"), _("A i alt"), _("B i alt"), _("Jaccard")]


def jaccard_text(value: float | None) -> str:
    """0.4286 -> '0,43'; undefined -> '–'."""
    return number(value, 2)


def answered_text(result: Cooccurrence) -> str:
    """'35 jobcentre har svaret', '15 interviewede jobcentre' (in the project's noun)."""
    plural = result.noun.plural
    if result.kind == "interview":
        return _("{n} interviewede {units}").format(n=result.answered, units=plural)
    return _("{n} {units} har svaret").format(n=result.answered, units=plural)


def title_line(result: Cooccurrence) -> str:
    """As the counts' title: "strategier: TITLE (35 jobcentre har svaret)"."""
    return f"{result.question}: {result.title} ({answered_text(result)})"


def subtitle(result: Cooccurrence) -> str:
    return _("Temaer nævnt sammen af de samme {units} (samforekomst)").format(
        units=result.noun.plural
    )


def notes(result: Cooccurrence) -> list[str]:
    """The lines under the list: what the columns count, and what is left out."""
    noun = result.noun
    out = [
        _(
            "Begge: {units} der nævner begge temaer (tælles én gang pr. {unit}). "
            "A i alt, B i alt: {units} der nævner temaet."
        ).format(units=noun.plural, unit=noun.singular),
        _(
            "Jaccard: begge / {units} der nævner mindst ét af de to temaer "
            "(1 = altid sammen, 0 = aldrig; – når ingen {units} nævner nogen af dem)."
        ).format(units=noun.plural),
    ]
    if result.nested:
        out.append(
            _(
                "Et overtema tæller sine undertemaer med, som i optællingen; derfor parres "
                "et overtema ikke med sine egne undertemaer."
            )
        )
    if not result.pairs:
        out.append(_("Ingen par: kodebogen har færre end to temaer at parre."))
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
    heads = headers()
    columns = [
        Column(heads[0], max_width=LABEL_WIDTH),
        Column(heads[1], max_width=LABEL_WIDTH),
        *(Column(h, right=True) for h in heads[2:]),
    ]
    lines = [title_line(result), subtitle(result), result.basis_label]
    lines += table_lines(columns, rows(result))
    lines += ["", *notes(result)]
    return "\n".join(one_line(line) for line in lines) + "\n"


def cooccurrence_markdown(result: Cooccurrence) -> str:
    asked = _("Spørgsmål: {text} ({id}), {answered}").format(
        text=md_cell(result.question_text or result.question),
        id=f"`{md_cell(result.question)}`",
        answered=md_cell(answered_text(result)),
    )
    parts = [
        f"### {md_cell(together(result))}",
        "",
        asked,
        "",
        md_cell(result.basis_label),
        "",
        "| " + " | ".join(headers()) + " |",
        "|---|---|---:|---:|---:|---:|",
    ]
    parts += ["| " + " | ".join(md_cell(c) for c in cells) + " |" for cells in rows(result)]
    parts.append("")
    parts += [md_cell(n) + "  " for n in notes(result)]
    return visible("\n".join(parts).rstrip() + "\n")


def together(result: Cooccurrence) -> str:
    """'Indhold …: temaer nævnt sammen'."""
    return _("{title}: temaer nævnt sammen").format(title=result.title)


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

    ws.append([xlsx_cell(together(result)), "", xlsx_cell(result.basis_label)])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([xlsx_cell(h) for h in headers()])
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
            xlsx_cell(
                _("{title}: {units} der nævner begge temaer").format(
                    title=result.title, units=result.noun.plural
                )
            ),
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
                _(
                    "Diagonalen: {units} der nævner temaet. Grå: et overtema og dets eget "
                    "undertema (overtemaet tæller undertemaerne med)."
                ).format(units=result.noun.plural)
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
    pairs.title = _("Par")
    _pairs_sheet(pairs, result)
    _matrix_sheet(wb.create_sheet(_("Matrix")), result)
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
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(FORMATS)
        )
    )
