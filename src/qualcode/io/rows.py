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
from typing import Any

from qualcode.io.export import safe_cell
from qualcode.io.fmt import MISSING, number
from qualcode.io.table import Column, table_lines

ROW_FORMATS = ("table", "csv", "json")


def _text(value: object) -> str:
    """A table cell's text (the table writer puts it on one line): decimals with a comma,
    a list as 'a, b', no value as '–'."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        return number(value, 3)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def rows_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], *, right: Sequence[str] = ()
) -> str:
    """Aligned columns; ``columns`` are (key, header) pairs, ``right`` the keys of the
    right-aligned ones."""
    cells = [[_text(r.get(k)) for k, _ in columns] for r in rows]
    heads = [Column(h, right=k in right) for k, h in columns]
    return "\n".join(table_lines(heads, cells)) + "\n"


def rows_csv(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> bytes:
    """Plain UTF-8 CSV as every command writes it (no BOM, a comma, decimal points),
    formula-safe cells; ``--dialect excel-da`` makes it Danish Excel's."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys)
    for r in rows:
        writer.writerow([safe_cell(_csv_value(r.get(k))) for k in keys])
    return buf.getvalue().encode("utf-8")


def _csv_value(value: object) -> object:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return " | ".join(str(v) for v in value)
    return "" if value is None else value


def rows_json(rows: Sequence[dict[str, Any]]) -> bytes:
    return (json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_rows(
    rows: Sequence[dict[str, Any]],
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
