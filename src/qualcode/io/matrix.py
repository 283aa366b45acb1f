"""Writing a theme matrix (:func:`qualcode.core.matrix.theme_matrix`): a terminal table,
CSV, Markdown, XLSX or DOCX; :func:`display_rows` and :func:`notes` also give the report
and the workbench their cells and the lines under the table.

Two layouts. The whole matrix: one row per group, one column per theme, each cell
"n af N (x,x %)". With ``top``: per group its most frequent themes, one line each with
"Anført af n ud af N jobcentre" and the percent (the report's Tabel 4). The human formats
use a decimal comma; CSV and XLSX keep numbers as numbers (percent to one decimal).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from qualcode.core.counts import plain_value
from qualcode.core.numbers import round_half_up
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.export import md_cell, safe_cell, sheet_name, workbook_bytes, xlsx_cell
from qualcode.io.fmt import MISSING, mentioned, percent, share, units
from qualcode.io.table import Column, clip, display_width, table_lines
from qualcode.safe import visible

_, _n = translator("io")

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = ("table", "csv", "md", "xlsx", "docx")
CSV_COLUMNS = ["group", "question", "code", "label", "respondents", "answered", "percent", "rank"]


def no_theme() -> str:
    """What a group's line says in the top layout when it mentions no theme."""
    return _("(intet tema nævnt)")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as plain Python dicts (None for missing values)."""
    return [{k: plain_value(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def by_group(frame: pd.DataFrame) -> list[tuple[str, list[dict[str, Any]]]]:
    """(group, its rows) in the matrix's group order; a group may have no rows (top: no
    theme mentioned)."""
    rows = records(frame)
    return [(g, [r for r in rows if r["group"] == g]) for g in frame.attrs["groups"]]


def title(frame: pd.DataFrame) -> str:
    """ "strategier: Indhold … efter lokalpolitisk_fokus" or "Temaer … pr. spørgsmål", and
    with top: "– de 2 hyppigste temaer"."""
    a = frame.attrs
    if a["kind"] == "attribute":
        text = _("{question}: {title} efter {attribute}").format(
            question=a["question"], title=a["title"], attribute=a["attribute"]
        )
    else:
        text = _("{title} pr. spørgsmål").format(title=a["title"])
    if a.get("top"):
        text = _("{title} – de {n} hyppigste temaer").format(title=text, n=a["top"])
    return text


def top_head(frame: pd.DataFrame) -> list[str]:
    """The columns after the group's in the top layout, in the project's noun."""
    return [
        _("Hyppigst angivne temaer"),
        _("Antal {units} der nævner temaet").format(units=units(frame.attrs)),
        _("Andel"),
    ]


def first_head(frame: pd.DataFrame) -> str:
    a = frame.attrs
    return str(a["attribute"]) if a["kind"] == "attribute" else _("Spørgsmål")


def themes(frame: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(code, label, depth) of the matrix's columns, in codebook order."""
    seen: dict[str, tuple[str, str, int]] = {}
    for r in records(frame):
        seen.setdefault(r["code"], (r["code"], r["label"], int(r["depth"])))
    return list(seen.values())


def display_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Headers and cells as shown in the terminal table, Markdown, DOCX, HTML and the
    workbench. Whole matrix: a row per group, a column per theme. Top: a line per theme
    kept, the group's name on its first."""
    if frame.attrs.get("top"):
        head = [first_head(frame), *top_head(frame)]
        body: list[list[str]] = []
        kinds, noun = frame.attrs.get("question_kinds", {}), units(frame.attrs)
        for group, rows in by_group(frame):
            if not rows:
                body.append([group, no_theme(), "", ""])
            for i, r in enumerate(rows):
                kind = kinds.get(r["question"], "open")
                said = mentioned(kind, r["respondents"], r["answered"], noun)
                body.append([group if i == 0 else "", r["label"], said, percent(r["percent"])])
        return head, body
    cols = themes(frame)
    head = [first_head(frame), *(label for _k, label, _d in cols)]
    body = []
    for group, rows in by_group(frame):
        cell = {r["code"]: share(r["respondents"], r["answered"], r["percent"]) for r in rows}
        body.append([group, *(cell.get(k, MISSING) for k, _l, _d in cols)])
    return head, body


def group_starts(frame: pd.DataFrame) -> set[int]:
    """Indexes of the display rows that start a group (for a rule above it), but the first."""
    if not frame.attrs.get("top"):
        return set()
    starts, index = set(), 0
    for _group, rows in by_group(frame):
        if index:
            starts.add(index)
        index += max(1, len(rows))
    return starts


def notes(frame: pd.DataFrame) -> list[str]:
    """The lines under the table: the basis, who each group is, who was left out, how the
    top themes were chosen."""
    from qualcode.io.crosstab import basis_notes

    a = frame.attrs
    who = units(a)
    out = []
    if a.get("basis_label"):
        out.append(f"{a['basis_label']}.")
    bases = ", ".join(f"{g}: {n}" for g, n in a["bases"].items())
    if a["kind"] == "attribute":
        out += basis_notes(a)
    else:
        out.append(
            _("Grundlag: {units} der har svaret på spørgsmålet ({bases}).").format(
                units=who, bases=bases
            )
        )
        for group, qid in a["group_questions"].items():
            text = a["question_texts"].get(qid) or ""
            named = f"{group} ({qid})" if group != qid else qid
            out.append(f"{named}: {text}" if text else named)
    if a.get("top"):
        out.append(
            _(
                "De {n} hyppigste temaer i hver gruppe; temaer, som lige mange {units} "
                "nævner, er alle med."
            ).format(n=a["top"], units=who)
        )
    else:
        out.append(
            _(
                "Hver celle: {units} i gruppen, der nævner temaet, ud af gruppens {units}, "
                "der har svaret."
            ).format(units=who)
        )
    return out


def matrix_table(frame: pd.DataFrame) -> str:
    head, body = display_rows(frame)
    if frame.attrs.get("top"):
        columns = [Column(head[0]), Column(head[1]), Column(head[2]), Column(head[3], right=True)]
    else:  # a theme's heading no wider than its cells ("12 af 14 (85,7 %)")
        columns = [Column(head[0])]
        for i, label in enumerate(head[1:], start=1):
            width = max(12, *(display_width(r[i]) for r in body))
            columns.append(Column(clip(label, width), right=True))
    lines = [title(frame), *table_lines(columns, body, rule_before=group_starts(frame))]
    lines += ["", *notes(frame)]
    if not frame.attrs.get("top"):
        labels = "; ".join(label for _k, label, _d in themes(frame))
        lines += [_("Temaer: {themes}.").format(themes=labels)]
    return visible("\n".join(lines) + "\n")  # data's control characters as symbols


def matrix_markdown(frame: pd.DataFrame, *, heading: str | None = None) -> str:
    head, body = display_rows(frame)
    parts = [heading if heading is not None else f"### {md_cell(title(frame))}", ""]
    parts.append("| " + " | ".join(md_cell(h) for h in head) + " |")
    align = ["---", "---", "---", "---:"] if frame.attrs.get("top") else ["---"]
    parts.append("|" + "|".join(align + ["---:"] * (len(head) - len(align))) + "|")
    for cells in body:
        parts.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    parts.append("")
    parts += [md_cell(n) + "  " for n in notes(frame)]
    return visible("\n".join(parts).rstrip() + "\n")


def matrix_csv(frame: pd.DataFrame) -> bytes:
    """One line per group and theme (with top: the themes kept), percent to one decimal."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for _group, rows in by_group(frame):
        for r in rows:
            values = dict(r)
            if r["percent"] is not None:
                values["percent"] = round_half_up(r["percent"], 1)
            writer.writerow(
                [safe_cell("" if values[c] is None else values[c]) for c in CSV_COLUMNS]
            )
    return buf.getvalue().encode("utf-8")


def write_matrix_sheet(ws: Worksheet, frame: pd.DataFrame, *, heading: str | None = None) -> None:
    """The matrix on an openpyxl worksheet, numbers as numbers. Whole matrix: a row per
    group (its base, then per theme how many mention it and the percent). Top: a row per
    group and theme kept, the group's name on each (to filter on)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append([xlsx_cell(heading or title(frame))])
    ws["A1"].font = Font(bold=True, size=12)
    top = frame.attrs.get("top")
    cols = themes(frame)
    if top:
        head = [
            first_head(frame),
            _("Tema"),
            _("Nævner"),
            _("Besvaret"),
            _("Andel (%)"),
            _("Placering"),
        ]
    else:
        head = [first_head(frame), _("Besvaret")]
        for _k, label, _d in cols:
            head += [
                _("{theme}: nævner").format(theme=label),
                _("{theme}: andel (%)").format(theme=label),
            ]
    ws.append([xlsx_cell(h) for h in head])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    pct_columns: list[int] = []
    for group, rows in by_group(frame):
        if top:
            for r in rows:
                ws.append(
                    [
                        xlsx_cell(group),
                        xlsx_cell(r["label"]),
                        r["respondents"],
                        r["answered"],
                        None if r["percent"] is None else round_half_up(r["percent"], 1),
                        r["rank"],
                    ]
                )
            pct_columns = [5]
        else:
            by_code = {r["code"]: r for r in rows}
            row: list[Any] = [xlsx_cell(group), frame.attrs["bases"][group]]
            for k, _l, _d in cols:
                r = by_code[k]
                pct = None if r["percent"] is None else round_half_up(r["percent"], 1)
                row += [r["respondents"], pct]
            ws.append(row)
            pct_columns = [4 + 2 * i for i in range(len(cols))]
    for cells in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for c in pct_columns:
            cells[c - 1].number_format = "0.0"
    ws.append([])
    for line in notes(frame):
        ws.append([xlsx_cell(line)])
        ws.cell(ws.max_row, 1).font = Font(italic=True)
    ws.column_dimensions["A"].width = 34
    for i in range(2, len(head) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    if top:
        ws.column_dimensions["B"].width = 44
    ws.freeze_panes = "B3"


def matrix_xlsx(frame: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(_("Temamatrix"), [])
    write_matrix_sheet(ws, frame)
    return workbook_bytes(wb)


def add_matrix_docx(
    doc,
    frame: pd.DataFrame,
    *,
    heading: str | None = None,
    level: int = 2,
    number: int = 0,
) -> None:
    """The matrix in a python-docx document: a heading (or with ``number`` the caption
    "Temamatrix N: …"), the table over the text width, the notes."""
    from qualcode.io import word

    text = heading or title(frame)
    head, body = display_rows(frame)
    numeric = {3} if frame.attrs.get("top") else set(range(1, len(head)))
    if number:
        word.add_captioned_table(
            doc,
            _("Temamatrix"),
            number,
            text,
            head,
            body,
            numeric=numeric,
            notes=notes(frame),
        )
        return
    word.add_heading(doc, text, level)
    word.add_table(doc, head, body, numeric=numeric)
    for line in notes(frame):
        word.add_note(doc, line)


def matrix_docx(frame: pd.DataFrame, *, template: bytes | None = None) -> bytes:
    """The matrix as a Word document: on A4 as the report, or in the agency's
    ``template`` (:func:`qualcode.io.word.read_template`); on its side when too wide."""
    from qualcode.io.word import finish as word_finish
    from qualcode.io.word import fits, new_document, turn

    doc = new_document(template, title=title(frame))
    if not fits(doc, *display_rows(frame)):
        turn(doc.sections[0], landscape=True)  # a matrix too wide for the page: on its side
    add_matrix_docx(doc, frame, level=1)
    word_finish(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_matrix(frame: pd.DataFrame, fmt: str, *, template: bytes | None = None) -> bytes:
    if fmt == "table":
        return matrix_table(frame).encode("utf-8")
    if fmt == "csv":
        return matrix_csv(frame)
    if fmt == "md":
        return matrix_markdown(frame).encode("utf-8")
    if fmt == "xlsx":
        return matrix_xlsx(frame)
    if fmt == "docx":
        return matrix_docx(frame, template=template)
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(FORMATS)
        )
    )
