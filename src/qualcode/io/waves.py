"""Writing the comparison of a question's waves (:func:`qualcode.core.waves.wave_comparison`):
a terminal table, Markdown, CSV, JSON or XLSX; :func:`share_cell` also gives the report
and the workbench their cells.

Each wave's share is "n af N (x,x %)" and the change from the wave before the newest a
signed difference in percentage points ("+10,8 pp"); a code a wave's codebook does not
have, and a change that cannot be computed, is '–'. CSV, JSON and XLSX keep the numbers
as numbers and a missing value empty or ``null``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from qualcode.core.counts import plain_value
from qualcode.core.waves import wave_sort_key
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.export import md_cell, safe_cell, sheet_name, workbook_bytes, xlsx_cell
from qualcode.io.fmt import MISSING, percent, points, share, units
from qualcode.io.table import Column, table_lines
from qualcode.safe import visible

_, _n = translator("io")

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = ("table", "csv", "md", "xlsx", "json")


def share_cell(row: dict[str, Any], wave: str) -> str:
    """One wave's cell of a row of the comparison: '9 af 28 (32,1 %)', or '–'."""
    return share(row[f"n_{wave}"], row[f"base_{wave}"], row[f"pct_{wave}"])


def _heading(frame: pd.DataFrame) -> str:
    a = frame.attrs
    names = ", ".join(f"{w}: {q}" for w, q in a["questions"].items())
    if a.get("coder"):
        return _("{series}: {title} ({questions}, koder {coder})").format(
            series=a["series"], title=a.get("title", ""), questions=names, coder=a["coder"]
        )
    return _("{series}: {title} ({questions})").format(
        series=a["series"], title=a.get("title", ""), questions=names
    )


def change_head(waves: list[str], unit: str = "") -> str:
    """'Ændring 2018–2021' (with ``unit``: 'Ændring 2018–2021 (pp)')."""
    if unit:
        return _("Ændring {before}–{newest} ({unit})").format(
            before=waves[-2], newest=waves[-1], unit=unit
        )
    return _("Ændring {before}–{newest}").format(before=waves[-2], newest=waves[-1])


def comparison_table(frame: pd.DataFrame) -> str:
    ws = frame.attrs["waves"]
    header = [_("Tema"), *ws, change_head(ws)]
    body = [
        [r["label"], *(share_cell(r, w) for w in ws), points(r["change_pp"])]
        for r in frame.to_dict("records")
    ]
    columns = [Column(header[0], max_width=60)] + [Column(h, right=True) for h in header[1:]]
    lines = [_heading(frame), *table_lines(columns, body)]
    return visible("\n".join(lines) + "\n")  # data's control characters as symbols


def comparison_markdown(frame: pd.DataFrame) -> str:
    ws = frame.attrs["waves"]
    asked = _("Spørgsmål: {series} i bølgerne {waves}").format(
        series=f"`{frame.attrs['series']}`", waves=", ".join(ws)
    )
    head = [_("Tema"), *ws, change_head(ws, _("procentpoint"))]
    out = [
        f"### {md_cell(frame.attrs.get('title', ''))}\n",
        f"{asked}\n",
        "| " + " | ".join(head) + " |",
        "|---|" + "---:|" * (len(ws) + 1),
    ]
    for r in frame.to_dict("records"):
        cells = [md_cell(r["label"])]
        for w in ws:
            n, base = plain_value(r[f"n_{w}"]), plain_value(r[f"base_{w}"])
            pct = percent(r[f"pct_{w}"])
            cells.append(
                MISSING
                if n is None
                else _("Anført af {n} ud af {base} ({percent})").format(n=n, base=base, percent=pct)
            )
        cells.append(points(r["change_pp"]))
        out.append("| " + " | ".join(cells) + " |")
    return visible("\n".join(out) + "\n")


def comparison_csv(frames: list[pd.DataFrame]) -> bytes:
    import csv

    all_waves = sorted({w for f in frames for w in f.attrs["waves"]}, key=wave_sort_key)
    columns = ["series", "question", "code", "label"]
    for w in all_waves:
        columns += [f"n_{w}", f"base_{w}", f"pct_{w}"]
    columns.append("change_pp")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for frame in frames:
        for r in frame.to_dict("records"):
            rec = {**r, "series": frame.attrs["series"], "question": frame.attrs["question"]}
            values = [plain_value(rec.get(c)) for c in columns]
            writer.writerow([safe_cell("" if v is None else v) for v in values])
    return buf.getvalue().encode("utf-8")


def comparison_json(frames: list[pd.DataFrame]) -> bytes:
    import json

    out = []
    for frame in frames:
        records = [{k: plain_value(v) for k, v in r.items()} for r in frame.to_dict("records")]
        out.append(
            {
                "series": frame.attrs["series"],
                "question": frame.attrs["question"],
                "waves": frame.attrs["waves"],
                "questions": frame.attrs["questions"],
                "title": frame.attrs.get("title", ""),
                "codes": records,
            }
        )
    return (
        json.dumps(out if len(out) != 1 else out[0], ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")


def fill_wave_sheet(ws: Worksheet, frame: pd.DataFrame, title: str, unit: str) -> int:
    """A comparison of waves on an XLSX sheet: a title, the header, then one row per code
    with counts, bases and shares as numbers. Returns the number of columns."""
    from openpyxl.styles import Font

    waves = frame.attrs["waves"]
    ws.append([xlsx_cell(title)])
    ws["A1"].font = Font(bold=True, size=12)
    head = [_("Tema")]
    for w in waves:
        head += [
            f"{w}: {units(frame.attrs)}",
            _("{wave}: besvaret").format(wave=w),
            _("{wave}: andel (%)").format(wave=w),
        ]
    head.append(change_head(waves, unit))
    ws.append([xlsx_cell(h) for h in head])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in frame.to_dict("records"):
        row: list[Any] = [xlsx_cell(r["label"])]
        for w in waves:
            row += [plain_value(r[f"{column}_{w}"]) for column in ("n", "base", "pct")]
        row.append(plain_value(r["change_pp"]))
        ws.append(row)
    ws.column_dimensions["A"].width = 48
    ws.freeze_panes = "B3"
    return len(head)


def comparison_xlsx(frames: list[pd.DataFrame]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for frame in frames:
        ws = wb.create_sheet(sheet_name(frame.attrs["series"], wb.sheetnames))
        fill_wave_sheet(ws, frame, frame.attrs.get("title", ""), _("procentpoint"))
    return workbook_bytes(wb)


def render_comparison(frames: list[pd.DataFrame], fmt: str) -> bytes:
    if fmt == "table":
        return "\n".join(comparison_table(f) for f in frames).encode("utf-8")
    if fmt == "md":
        return "\n".join(comparison_markdown(f) for f in frames).encode("utf-8")
    if fmt == "csv":
        return comparison_csv(frames)
    if fmt == "json":
        return comparison_json(frames)
    if fmt == "xlsx":
        return comparison_xlsx(frames)
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(FORMATS)
        )
    )
