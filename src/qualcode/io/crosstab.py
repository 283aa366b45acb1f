"""Writing a cross-tabulation (:func:`qualcode.core.crosstab.crosstab`): a terminal table,
CSV, Markdown, XLSX or JSON; :func:`display_rows` and :func:`notes` also give the report
and the workbench their cells and the lines under the table.

The human formats show "n af N (x,x %)" per group, the difference in percentage points
and the p-value with a decimal comma; CSV, JSON and XLSX keep the numbers as numbers
(shares and differences rounded to one decimal) and a missing value empty or ``null``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from qualcode.core.counts import plain_value
from qualcode.core.crosstab import MIN_EXPECTED, NO_TEST, SMALL_EXPECTED, CrossTable
from qualcode.core.numbers import round_half_up
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.export import md_cell, safe_cell, sheet_name, workbook_bytes, xlsx_cell
from qualcode.io.fmt import MISSING, number, p_value, points, share, units
from qualcode.io.table import Column, table_lines
from qualcode.safe import visible

_, _n = translator("io")

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = ("table", "csv", "md", "xlsx", "json")
TEST_NAMES = {"fisher": "Fisher", "chi2": "chi²", "": MISSING}  # names, the same in both


def yes_no(value: bool | None) -> str:
    """'ja', 'nej', or '–' when it does not apply."""
    return MISSING if value is None else (_("ja") if value else _("nej"))


def title(frame: pd.DataFrame) -> str:
    """'Indhold … efter lokalpolitisk_fokus'."""
    a = frame.attrs
    return _("{title} efter {attribute}").format(title=a["title"], attribute=a["attribute"])


def warning_text(warning: str | None) -> str:
    """A row's warning as a person reads it, in the language in use (the CSV and JSON keep
    the computation's own words)."""
    if warning == SMALL_EXPECTED:
        return _(
            "forventet antal under {n} i mindst én celle; chi-i-anden-testen er usikker"
        ).format(n=MIN_EXPECTED)
    if warning == NO_TEST:
        return _("ingen test: temaet nævnes af alle eller ingen")
    return warning or ""


def records(frame: pd.DataFrame | CrossTable) -> list[dict[str, Any]]:
    """The rows as plain Python dicts (None for missing values)."""
    if isinstance(frame, CrossTable):  # plain already (the workbench's, without pandas)
        return [dict(r) for r in frame.rows]
    return [{k: plain_value(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def display_rows(frame: pd.DataFrame | CrossTable) -> tuple[list[str], list[list[str]]]:
    """Headers and cells as shown in the terminal table, Markdown and the TUI (from the
    frame, or from the workbench's :class:`CrossTable`)."""
    groups = frame.attrs["groups"]
    two = len(groups) == 2
    head = (
        [_("Tema"), *groups]
        + ([_("Forskel")] if two else [])
        + [_("Test"), _("p"), _("Signifikant")]
    )
    body = []
    for r in records(frame):
        cells = ["  " * int(r["depth"]) + r["label"]]
        cells += [share(r[f"n_{g}"], r[f"base_{g}"], r[f"pct_{g}"]) for g in groups]
        if two:
            cells.append(points(r["diff_pp"]))
        sig = r["significant"]
        cells += [
            TEST_NAMES[r["test"] or ""] + ("*" if r["warning_text"] == SMALL_EXPECTED else ""),
            p_value(r["p_value"]),
            yes_no(sig),
        ]
        body.append(cells)
    return head, body


def notes(frame: pd.DataFrame | CrossTable) -> list[str]:
    """The lines under the table: bases, who was left out, the tests, warnings."""
    a = frame.attrs
    out = []
    if a.get("basis_label"):
        out.append(f"{a['basis_label']}.")
    out += basis_notes(a)
    if len(a["groups"]) == 2:
        test = _("Test: Fishers eksakte test (tosidet); signifikant ved p < {alpha}.")
    else:
        test = _("Test: chi-i-anden-test af temaet × gruppe; signifikant ved p < {alpha}.")
    out.append(test.format(alpha=number(a["alpha"], 2)))
    if any(r["warning_text"] == SMALL_EXPECTED for r in records(frame)):
        out.append(_("* Advarsel: {warning}.").format(warning=warning_text(SMALL_EXPECTED)))
    return out


def basis_notes(a: dict[str, Any]) -> list[str]:
    """Who the groups are, and who was left out (the crosstab's and the theme matrix's
    by an attribute)."""
    bases = ", ".join(f"{g}: {n}" for g, n in a["bases"].items())
    out = [
        _(
            "Grundlag: {units} der har svaret på {question}, fordelt efter {attribute} ({bases})."
        ).format(units=units(a), question=a["question"], attribute=a["attribute"], bases=bases)
    ]
    left = []
    if a["missing"]:
        left.append(_("{n} uden {attribute}").format(n=a["missing"], attribute=a["attribute"]))
    if a["ungrouped"]:
        vals = ", ".join(f"{v}: {n}" for v, n in sorted(a["ungrouped"].items()))
        left.append(
            _("{n} med en værdi uden for grupperne ({values})").format(
                n=sum(a["ungrouped"].values()), values=vals
            )
        )
    if a.get("empty_groups"):
        left.append(_("grupper uden svar: {groups}").format(groups=", ".join(a["empty_groups"])))
    if left:
        out.append(_("Udeladt: {what}.").format(what="; ".join(left)))
    return out


def crosstab_table(frame: pd.DataFrame) -> str:
    a = frame.attrs
    head, body = display_rows(frame)
    columns = [Column(head[0])] + [Column(h, right=True) for h in head[1:]]
    lines = [f"{a['question']}: {title(frame)}"]
    lines += table_lines(columns, body)
    lines += ["", *notes(frame)]
    return visible("\n".join(lines) + "\n")  # data's control characters as symbols


def crosstab_markdown(frame: pd.DataFrame, *, heading: str | None = None) -> str:
    head, body = display_rows(frame)
    parts = [
        heading if heading is not None else f"### {md_cell(title(frame))}",
        "",
    ]
    parts.append("| " + " | ".join(md_cell(h) for h in head) + " |")
    parts.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for cells in body:
        cells = [cells[0].replace("  ", "&nbsp;&nbsp;"), *cells[1:]]
        parts.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    parts.append("")
    parts += [md_cell(n) + "  " for n in notes(frame)]
    return visible("\n".join(parts).rstrip() + "\n")


# the frame's column behind each CSV/JSON column named otherwise (the files keep their names)
FILE_COLUMNS = {"warning": "warning_text"}


def csv_columns(frame: pd.DataFrame) -> list[str]:
    cols = ["question", "code", "label"]
    for g in frame.attrs["groups"]:
        cols += [f"n_{g}", f"base_{g}", f"pct_{g}"]
    return cols + [
        "diff_pp",
        "test",
        "statistic",
        "p_value",
        "significant",
        "min_expected",
        "warning",
    ]


def crosstab_csv(frame: pd.DataFrame) -> bytes:
    import csv

    cols = csv_columns(frame)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in cols])
    for r in records(frame):
        out = []
        for c in cols:
            v = r[FILE_COLUMNS.get(c, c)]
            if c.startswith("pct_") or c == "diff_pp":
                v = None if v is None else round_half_up(v, 1)
            if isinstance(v, bool):
                v = "true" if v else "false"
            out.append(safe_cell("" if v is None else v))
        writer.writerow(out)
    return buf.getvalue().encode("utf-8")


def crosstab_json(frame: pd.DataFrame) -> bytes:
    import json

    a = frame.attrs
    doc = {
        k: a[k]
        for k in (
            "question",
            "title",
            "attribute",
            "groups",
            "group_values",
            "bases",
            "answered",
            "missing",
            "ungrouped",
            "alpha",
        )
    }
    doc["codes"] = [
        {c: r[FILE_COLUMNS.get(c, c)] for c in ["code", "label", "depth", *csv_columns(frame)[3:]]}
        for r in records(frame)
    ]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_crosstab_sheet(ws: Worksheet, frame: pd.DataFrame, *, heading: str | None = None) -> None:
    """One crosstab on an openpyxl worksheet: numbers as numbers, widths set."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    a = frame.attrs
    groups = a["groups"]
    ws.append([xlsx_cell(heading or title(frame))])
    ws["A1"].font = Font(bold=True, size=12)
    head = [_("Tema")]
    for g in groups:
        head += [
            _("{group}: nævner").format(group=g),
            _("{group}: besvaret").format(group=g),
            _("{group}: andel (%)").format(group=g),
        ]
    head += [
        _("Forskel (pp)"),
        _("Test"),
        _("p-værdi"),
        _("Signifikant"),
        _("Mindste forventede antal"),
        _("Advarsel"),
    ]
    ws.append([xlsx_cell(h) for h in head])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in records(frame):
        row: list[Any] = [xlsx_cell("  " * int(r["depth"]) + r["label"])]
        for g in groups:
            row += [r[f"n_{g}"], r[f"base_{g}"], round_half_up(r[f"pct_{g}"], 1)]
        sig = r["significant"]
        row += [
            None if r["diff_pp"] is None else round_half_up(r["diff_pp"], 1),
            TEST_NAMES[r["test"] or ""] if r["test"] else None,
            r["p_value"],
            None if sig is None else yes_no(sig),
            None if r["min_expected"] is None else round_half_up(r["min_expected"], 2),
            warning_text(r["warning_text"]) or None,
        ]
        ws.append(row)
    last = ws.max_row
    for cells in ws.iter_rows(min_row=3, max_row=last):
        for i in range(len(groups)):
            cells[3 + 3 * i].number_format = "0.0"
        cells[1 + 3 * len(groups)].number_format = "+0.0;-0.0;0.0"
        cells[3 + 3 * len(groups)].number_format = "0.0000"
    ws.append([])
    for line in notes(frame):
        ws.append([xlsx_cell(line)])
    ws.column_dimensions["A"].width = 48
    for i in range(2, len(head) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.column_dimensions[get_column_letter(len(head))].width = 40
    ws.freeze_panes = "B3"


def crosstab_xlsx(frame: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(f"{frame.attrs['question']}", [])
    write_crosstab_sheet(ws, frame)
    return workbook_bytes(wb)


def render_crosstab(frame: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "table":
        return crosstab_table(frame).encode("utf-8")
    if fmt == "csv":
        return crosstab_csv(frame)
    if fmt == "md":
        return crosstab_markdown(frame).encode("utf-8")
    if fmt == "json":
        return crosstab_json(frame)
    if fmt == "xlsx":
        return crosstab_xlsx(frame)
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(FORMATS)
        )
    )
