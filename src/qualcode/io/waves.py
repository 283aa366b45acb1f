"""Writing the comparison of a question's waves (:func:`qualcode.core.waves.wave_comparison`):
a terminal table, Markdown, CSV, JSON or XLSX.
"""

from __future__ import annotations

from qualcode.core.waves import wave_sort_key
from qualcode.errors import QualcodeError
from qualcode.safe import visible

FORMATS = ("table", "csv", "md", "xlsx", "json")


def _num(value) -> object:
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _pct(value) -> str:
    value = _num(value)
    return "–" if value is None else f"{value:.1f} %".replace(".", ",")


def _pp(value) -> str:
    value = _num(value)
    if value is None:
        return ""
    if round(value, 1) == 0:
        return "±0,0 pp"
    sign = "+" if value > 0 else "−"
    return f"{sign}{abs(value):.1f} pp".replace(".", ",")


def _share(frame, row, w: str) -> str:
    n = _num(row[f"n_{w}"])
    if n is None:
        return "–"
    return f"{n} af {_num(row[f'base_{w}'])} ({_pct(row[f'pct_{w}'])})"


def _heading(frame) -> str:
    names = ", ".join(f"{w}: {q}" for w, q in frame.attrs["questions"].items())
    coder = f", koder {frame.attrs['coder']}" if frame.attrs.get("coder") else ""
    return f"{frame.attrs['series']}: {frame.attrs.get('title', '')} ({names}{coder})"


def comparison_table(frame) -> str:
    from qualcode.io.export import _clip, _pad, _width

    ws = frame.attrs["waves"]
    header = ["Tema", *ws, f"Ændring {ws[-2]}–{ws[-1]}"]
    body = [
        [r["label"], *(_share(frame, r, w) for w in ws), _pp(r["change_pp"])]
        for r in frame.to_dict("records")
    ]
    widths = [max(_width(x) for x in col) for col in zip(header, *body, strict=True)]
    widths[0] = min(widths[0], 60)
    lines = []
    for row in [header, *body]:
        cells = [_pad(_clip(row[0], widths[0]), widths[0])]
        cells += [_pad(c, w, right=True) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return visible(
        "\n".join([_heading(frame), lines[0], "-" * _width(lines[0]), *lines[1:]]) + "\n"
    )  # data's control characters as symbols


def comparison_markdown(frame) -> str:
    from qualcode.io.export import _md

    ws = frame.attrs["waves"]
    out = [
        f"### {_md(frame.attrs.get('title', ''))}\n",
        f"Spørgsmål: `{frame.attrs['series']}` i bølgerne {', '.join(ws)}\n",
        "| Tema | " + " | ".join(ws) + f" | Ændring {ws[-2]}–{ws[-1]} (procentpoint) |",
        "|---|" + "---:|" * (len(ws) + 1),
    ]
    for r in frame.to_dict("records"):
        cells = [_md(r["label"])]
        for w in ws:
            n = _num(r[f"n_{w}"])
            cells.append(
                "–"
                if n is None
                else f"Anført af {n} ud af {_num(r[f'base_{w}'])} ({_pct(r[f'pct_{w}'])})"
            )
        cells.append(_pp(r["change_pp"]))
        out.append("| " + " | ".join(cells) + " |")
    return visible("\n".join(out) + "\n")


def comparison_csv(frames: list) -> bytes:
    import csv
    import io

    from qualcode.io.export import safe_cell

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
            writer.writerow(
                [safe_cell("" if _num(rec.get(c)) is None else _num(rec.get(c))) for c in columns]
            )
    return buf.getvalue().encode("utf-8")


def comparison_json(frames: list) -> bytes:
    import json

    out = []
    for frame in frames:
        records = [{k: _num(v) for k, v in r.items()} for r in frame.to_dict("records")]
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


def fill_wave_sheet(ws, frame, title: str, unit: str) -> int:
    """A comparison of waves on an XLSX sheet: a title, the header, then one row per code
    with counts, bases and shares as numbers. Returns the number of columns."""
    from openpyxl.styles import Font

    from qualcode.io.export import xlsx_cell  # formula- and XML-safe, data kept

    waves = frame.attrs["waves"]
    ws.append([xlsx_cell(title)])
    ws["A1"].font = Font(bold=True, size=12)
    head = ["Tema"]
    for w in waves:
        head += [f"{w}: jobcentre", f"{w}: besvaret", f"{w}: andel (%)"]
    head.append(f"Ændring {waves[-2]}–{waves[-1]} ({unit})")
    ws.append([xlsx_cell(h) for h in head])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in frame.to_dict("records"):
        row: list = [xlsx_cell(r["label"])]
        for w in waves:
            row += [_num(r[f"n_{w}"]), _num(r[f"base_{w}"]), _num(r[f"pct_{w}"])]
        row.append(_num(r["change_pp"]))
        ws.append(row)
    ws.column_dimensions["A"].width = 48
    ws.freeze_panes = "B3"
    return len(head)


def comparison_xlsx(frames: list) -> bytes:
    import io

    from openpyxl import Workbook

    from qualcode.io.export import _sheet_name

    wb = Workbook()
    wb.remove(wb.active)
    for frame in frames:
        ws = wb.create_sheet(_sheet_name(frame.attrs["series"], wb.sheetnames))
        fill_wave_sheet(ws, frame, frame.attrs.get("title", ""), "procentpoint")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_comparison(frames: list, fmt: str) -> bytes:
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
    raise QualcodeError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")
