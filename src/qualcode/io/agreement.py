"""Writing the agreement between coders (:func:`qualcode.core.agreement.agreement`): a
terminal table, CSV or JSON.

An undefined statistic is an empty cell in CSV, ``null`` in JSON and '–' in the table;
CSV and JSON keep the numbers unrounded.
"""

from __future__ import annotations

import io
import json
import math
from typing import TYPE_CHECKING

import numpy as np

from qualcode.core.agreement import CSV_COLUMNS
from qualcode.errors import QualcodeError
from qualcode.safe import visible

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "csv", "json")


def _value(v: object) -> object:
    """None/NaN -> None; numpy scalars -> Python numbers."""
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def agreement_csv(frames: list[pd.DataFrame]) -> bytes:
    """CSV with CSV_COLUMNS; undefined values are empty cells, numbers unrounded."""
    import csv

    from qualcode.io.export import safe_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for frame in frames:
        for rec in frame[CSV_COLUMNS].itertuples(index=False):
            writer.writerow([safe_cell("" if _value(v) is None else _value(v)) for v in rec])
    return buf.getvalue().encode("utf-8")


def agreement_json(frames: list[pd.DataFrame]) -> bytes:
    """One object per question (a list for several); undefined values are null."""
    out = []
    for frame in frames:
        records = [
            {k: _value(v) for k, v in rec.items()}
            for rec in frame[CSV_COLUMNS].to_dict(orient="records")
        ]
        by_kind = {r["kind"]: r for r in records if r["kind"] != "code"}
        macro = dict(by_kind.get("macro", {}))
        macro["defined"] = frame.attrs.get("macro_defined", {})
        a = frame.attrs
        out.append(
            {
                "question": a.get("question"),
                "codebook": a.get("codebook"),
                "title": a.get("title"),
                "unit": a.get("unit"),
                "coders": a.get("coders"),
                "units": a.get("units"),
                "units_complete": a.get("units_complete"),
                "units_pairable": a.get("units_pairable"),
                "codes": [r for r in records if r["kind"] == "code"],
                "pooled": by_kind.get("pooled"),
                "macro": macro,
            }
        )
    return (
        json.dumps(out if len(out) != 1 else out[0], ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")


UNDEFINED = "–"


def _coefficient(v: object) -> str:
    v = _value(v)
    return UNDEFINED if v is None else f"{v:.3f}".replace(".", ",")


def _percent(v: object) -> str:
    v = _value(v)
    return UNDEFINED if v is None else f"{v:.1f}".replace(".", ",") + " %"


def agreement_table(frame: pd.DataFrame) -> str:
    """A plain-text table for the terminal (Danish labels, coefficients to 3 decimals)."""
    from qualcode.io.export import _clip, _pad, _width

    a = frame.attrs
    coders = a.get("coders", [])
    noun = (
        "tegn"
        if a.get("unit") == "character"
        else "uddrag"
        if a.get("kind") == "interview"
        else "svar"
    )
    lines = [
        f"{a.get('question', '')}: {a.get('title', '')}",
        f"Kodere: {', '.join(coders)}. Enhed: {noun}. {a.get('units', 0)} {noun} kodet af "
        f"mindst én koder; {a.get('units_complete', 0)} af alle (enighed og kappa), "
        f"{a.get('units_pairable', 0)} af mindst to (Krippendorffs α).",
    ]
    two = len(coders) == 2
    header = (
        ["Kode", "Anvendt", "Enighed"]
        + (["Cohens κ"] if two else [])
        + ["Fleiss' κ", "Krippendorffs α"]
    )
    body, kinds = [], []
    for r in frame.itertuples():
        applied = "" if _value(r.applied) is None else str(r.applied)
        row = [r.label, applied, _percent(r.percent_agreement)]
        if two:
            row.append(_coefficient(r.cohen_kappa))
        row += [_coefficient(r.fleiss_kappa), _coefficient(r.krippendorff_alpha)]
        body.append(row)
        kinds.append(r.kind)
    widths = [max(_width(x) for x in col) for col in zip(header, *body, strict=True)]
    widths[0] = min(widths[0], 60)

    def fmt(row: list[str]) -> str:
        cells = [_pad(_clip(row[0], widths[0]), widths[0])]
        cells += [_pad(c, w, right=True) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    head = fmt(header)
    lines += [head, "-" * _width(head)]
    for row, kind in zip(body, kinds, strict=True):
        if kind == "pooled":
            lines.append("-" * _width(head))
        lines.append(fmt(row))
    lines.append(
        f"{UNDEFINED} = udefineret (ingen fælles enheder, eller kun én kategori: fx en "
        "kode ingen har brugt)." + ("" if two else " Cohens κ kræver præcis to kodere.")
    )
    lines.append(
        "Anvendt: enheder hvor mindst én koder har brugt koden. Enighed: andel af "
        "enhederne hvor alle kodere er enige."
    )
    return visible("\n".join(lines) + "\n")  # data's control characters as symbols


def render_agreement(frames: list[pd.DataFrame], fmt: str) -> bytes:
    if fmt == "table":
        return "\n".join(agreement_table(f) for f in frames).encode("utf-8")
    if fmt == "csv":
        return agreement_csv(frames)
    if fmt == "json":
        return agreement_json(frames)
    raise QualcodeError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")
