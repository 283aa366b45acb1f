"""Render plain rows (lists of dicts) as an aligned text table, CSV or JSON.

For the commands whose output is a flat list (suggestions, evaluation, keyword in
context); the report-layout tables live in :mod:`qualcode.io.export`. The table shows each
cell on one line with control characters as visible symbols; CSV and JSON keep the data
exactly as it is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from qualcode.io.export import _pad, _width, safe_cell
from qualcode.safe import one_line

ROW_FORMATS = ("table", "csv", "json")


def _text(value: object) -> str:
    """A table cell: on one line, control characters as symbols."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return one_line(", ".join(str(v) for v in value))
    return one_line(str(value))


def rows_table(
    rows: Sequence[dict], columns: Sequence[tuple[str, str]], *, right: Sequence[str] = ()
) -> str:
    """Aligned columns; ``columns`` are (key, header) pairs."""
    cells = [[_text(r.get(k)) for k, _ in columns] for r in rows]
    widths = [max([_width(h), *(_width(c[i]) for c in cells)]) for i, (_, h) in enumerate(columns)]
    lines = [
        "  ".join(
            _pad(h, w, k in right) for (k, h), w in zip(columns, widths, strict=True)
        ).rstrip()
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(
                _pad(c, w, k in right) for c, w, (k, _) in zip(row, widths, columns, strict=True)
            ).rstrip()
        )
    return "\n".join(lines) + "\n"


def rows_csv(rows: Sequence[dict], keys: Sequence[str]) -> bytes:
    """UTF-8 CSV with a BOM (Excel reads æ, ø, å right), formula-safe cells."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(keys)
    for r in rows:
        writer.writerow([safe_cell(_csv_value(r.get(k))) for k in keys])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_value(value: object) -> object:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return " | ".join(str(v) for v in value)
    return "" if value is None else value


def rows_json(rows: Sequence[dict]) -> bytes:
    return (json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_rows(
    rows: Sequence[dict],
    columns: Sequence[tuple[str, str]],
    fmt: str,
    *,
    keys: Sequence[str] | None = None,
    right: Sequence[str] = (),
) -> bytes:
    keys = list(keys or [k for k, _ in columns])
    if fmt == "csv":
        return rows_csv(rows, keys)
    if fmt == "json":
        return rows_json([{k: r.get(k) for k in keys} for r in rows])
    return rows_table(rows, columns, right=right).encode("utf-8")
