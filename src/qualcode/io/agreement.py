"""Writing the agreement between coders (:func:`qualcode.core.agreement.agreement`): a
terminal table, CSV or JSON.

An undefined statistic is an empty cell in CSV, ``null`` in JSON and '–' in the table;
CSV and JSON keep the numbers unrounded, the table shows percent agreement to one decimal
and the coefficients to three, with a decimal comma.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from qualcode.core.agreement import CSV_COLUMNS
from qualcode.core.counts import plain_value as plain
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.export import safe_cell
from qualcode.io.fmt import MISSING, number, percent
from qualcode.io.table import Column, table_lines
from qualcode.safe import visible

if TYPE_CHECKING:
    import pandas as pd

_, _n = translator("io")

FORMATS = ("table", "csv", "json")


def agreement_csv(frames: list[pd.DataFrame]) -> bytes:
    """CSV with CSV_COLUMNS; undefined values are empty cells, numbers unrounded."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for frame in frames:
        for rec in frame[CSV_COLUMNS].itertuples(index=False):
            writer.writerow([safe_cell("" if plain(v) is None else plain(v)) for v in rec])
    return buf.getvalue().encode("utf-8")


def agreement_json(frames: list[pd.DataFrame]) -> bytes:
    """One object per question (a list for several); undefined values are null."""
    out = []
    for frame in frames:
        records = [
            {k: plain(v) for k, v in rec.items()}
            for rec in frame[CSV_COLUMNS].to_dict(orient="records")
        ]
        by_kind = {r["kind"]: r for r in records if r["kind"] != "code"}
        macro: dict[str, Any] = dict(by_kind.get("macro", {}))
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


def agreement_table(frame: pd.DataFrame) -> str:
    """A plain-text table for the terminal (coefficients to 3 decimals)."""
    a = frame.attrs
    coders = a.get("coders", [])
    if a.get("unit") == "character":
        unit = _("tegn")
    elif a.get("kind") == "interview":
        unit = _("uddrag")
    else:
        unit = _("svar")
    lines = [
        f"{a.get('question', '')}: {a.get('title', '')}",
        _(
            "Kodere: {coders}. Enhed: {unit}. {units} {unit} kodet af mindst én koder; "
            "{complete} af alle (enighed og kappa), {pairable} af mindst to "
            "(Krippendorffs α)."
        ).format(
            coders=", ".join(coders),
            unit=unit,
            units=a.get("units", 0),
            complete=a.get("units_complete", 0),
            pairable=a.get("units_pairable", 0),
        ),
    ]
    two = len(coders) == 2
    header = (
        [_("Kode"), _("Anvendt"), _("Enighed")]
        + ([_("Cohens κ")] if two else [])
        + [_("Fleiss' κ"), _("Krippendorffs α")]
    )
    body, pooled = [], []
    for i, r in enumerate(frame.itertuples()):
        # the average row has no 'Anvendt': the cell does not apply there, and stays empty
        applied = "" if plain(r.applied) is None else str(r.applied)
        row = [_summary_label(r.kind, r.label), applied, percent(r.percent_agreement)]
        if two:
            row.append(number(r.cohen_kappa, 3))
        row += [number(r.fleiss_kappa, 3), number(r.krippendorff_alpha, 3)]
        body.append(row)
        if r.kind == "pooled":
            pooled.append(i)
    columns = [Column(header[0], max_width=60)] + [Column(h, right=True) for h in header[1:]]
    lines += table_lines(columns, body, rule_before=pooled)
    undefined = _(
        "{missing} = udefineret (ingen fælles enheder, eller kun én kategori: fx en kode "
        "ingen har brugt)."
    ).format(missing=MISSING)
    lines.append(undefined if two else f"{undefined} {_('Cohens κ kræver præcis to kodere.')}")
    lines.append(
        _(
            "Anvendt: enheder hvor mindst én koder har brugt koden. Enighed: andel af "
            "enhederne hvor alle kodere er enige."
        )
    )
    return visible("\n".join(lines) + "\n")  # data's control characters as symbols


def _summary_label(kind: str, label: str) -> str:
    """A row's label in the table: a code's own label, or what the pooled and the average
    rows are, in the language in use (CSV and JSON keep the computation's words)."""
    if kind == "pooled":
        return _("Samlet: alle (enhed, kode)-par puljet")
    if kind == "macro":
        return _("Gennemsnit af kodernes definerede værdier")
    return label


def render_agreement(frames: list[pd.DataFrame], fmt: str) -> bytes:
    if fmt == "table":
        return "\n".join(agreement_table(f) for f in frames).encode("utf-8")
    if fmt == "csv":
        return agreement_csv(frames)
    if fmt == "json":
        return agreement_json(frames)
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(FORMATS)
        )
    )
