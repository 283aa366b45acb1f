"""Agreement between coders: percent agreement, Cohen's kappa, Fleiss' kappa and
Krippendorff's alpha (nominal), per code and overall.

    >>> from qualcode.core.agreement import agreement
    >>> agreement(project, "strategier", coders=["guld", "anden"])    # doctest: +SKIP

**Units of analysis.**

``unit="item"`` (the default): a unit is one non-empty, non-interviewer item of the
question (for open answers: one jobcentre's answer; for interviews: one excerpt) that at
least one of the selected coders reviewed: coded it with anything, or marked it
"reviewed, no theme applies" (key 0 in the workbench, ``code --none``, a ``-`` in a
codings file). Items nobody reviewed are left out.

``unit="character"``: a unit is one character of such an item that at least one selected
coder covered with a coding of any code (the union of everybody's coded passages). A
coding without a span covers every character of its item. Characters nobody coded are
left out, so agreeing on uncoded text does not inflate agreement.

**Missing values.** A coder who neither coded an item nor marked it "no theme" has not
reviewed it and is *missing* there (and on all its characters): for a pair of coders the
units both reviewed are the complete ones, and an answer the second coder has not reached
yet counts for neither kappa nor percent agreement. A coder who reviewed the item is
present, with value 0 for every code they did not apply; two coders who both marked an
answer "no theme" agree on it (0 and 0 on every code).

**Values.** Each code is analysed on its own as a binary decision: a coder's value on a
unit is 1 if they applied *that* code (whole item or a span; for characters: a span of
that code covers the character), else 0. Children are not rolled into their parent: a
parent code is compared on its own codings only.

**Which units each statistic uses** (reported as ``units_complete`` and
``units_pairable``):

- percent agreement, Cohen's kappa and Fleiss' kappa need complete data, so they use only
  the units that *every* selected coder coded (``units_complete``);
- Krippendorff's alpha allows missing values and uses every unit with values from at
  least two coders (``units_pairable``); units with one value carry no pairs.

**Statistics.**

- percent agreement: the percentage (0-100) of complete units on which all coders gave
  the same value;
- Cohen's kappa: exactly two coders (``None`` with three or more), as scikit-learn's
  ``cohen_kappa_score``;
- Fleiss' kappa: two or more coders, as statsmodels' ``fleiss_kappa``;
- Krippendorff's alpha: nominal, two or more coders, missing values allowed, as the
  ``krippendorff`` package.

A statistic whose formula divides by zero is **undefined** and reported as ``None``
(``pd.NA`` in the frame, empty in CSV, ``null`` in JSON, ``–`` in the table), never as 0
or NaN: no units, or all
values in one category (e.g. a code nobody applied, or one everybody applied everywhere:
the expected agreement is then 1). Percent agreement is undefined only without complete
units; for a code nobody applied it is 100, and ``applied`` (units where at least one
coder applied the code) shows that it was never used.

**Overall.** Two rows after the codes:

- ``pooled``: the four statistics over every (unit, code) pair as one binary decision,
  i.e. the per-code data placed side by side (its unit counts are units x codes);
- ``macro``: the plain mean of each statistic's *defined* per-code values (``None`` if no
  code has a defined value); ``frame.attrs["macro_defined"]`` says how many codes each
  mean averaged.

The implementation uses numpy only; the tests check it against scikit-learn,
statsmodels and krippendorff to 1e-9.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.store import analysis as analysis_store

_, _n = translator("core")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.project import Project
    from qualcode.models import Code, Question

UNITS = ("item", "character")
STATISTICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
CSV_COLUMNS = [
    "question",
    "code",
    "label",
    "kind",
    "units",
    "units_complete",
    "units_pairable",
    "applied",
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
]
POOLED_KEY, MACRO_KEY = "_pooled", "_macro"


# -- the statistics on plain reliability data -------------------------------------------


@dataclass(frozen=True)
class Statistics:
    """The four statistics for one reliability matrix, with the units each one used."""

    units: int  # units with a value from at least one coder
    units_complete: int  # units with a value from every coder: percent, Cohen, Fleiss
    units_pairable: int  # units with values from two or more coders: Krippendorff
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _encode(data: Iterable[Iterable[object]]) -> tuple[np.ndarray, int]:
    """Coders x units of any hashable values -> category indices, -1 where missing."""
    rows = [list(r) for r in data]
    if len({len(r) for r in rows}) > 1:
        raise ValueError("every coder needs a value (or None) for every unit")
    index: dict[object, int] = {}
    out = np.full((len(rows), len(rows[0]) if rows else 0), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if not _is_missing(value):
                out[i, j] = index.setdefault(
                    value.item() if isinstance(value, np.generic) else value, len(index)
                )
    return out, len(index)


def statistics(data: Iterable[Iterable[object]]) -> Statistics:
    """All four statistics for reliability data laid out as the ``krippendorff`` package
    wants it: one row per coder, one column per unit, ``None`` (or NaN) where missing.
    Values are nominal categories of any hashable type."""
    codes, n_cat = _encode(data)
    return _statistics(codes, n_cat)


def percent_agreement(data: Iterable[Iterable[object]]) -> float | None:
    """Percentage (0-100) of complete units on which every coder gave the same value."""
    return statistics(data).percent_agreement


def cohen_kappa(data: Iterable[Iterable[object]]) -> float | None:
    """Cohen's kappa for exactly two coders (rows), on the units both coded."""
    return statistics(data).cohen_kappa


def fleiss_kappa(data: Iterable[Iterable[object]]) -> float | None:
    """Fleiss' kappa for two or more coders (rows), on the units every coder coded."""
    return statistics(data).fleiss_kappa


def krippendorff_alpha(data: Iterable[Iterable[object]]) -> float | None:
    """Krippendorff's alpha, nominal, missing values allowed."""
    return statistics(data).krippendorff_alpha


def _statistics(codes: np.ndarray, n_cat: int) -> Statistics:
    """The statistics on category indices (coders x units, -1 = missing)."""
    m = codes.shape[0]
    if codes.size == 0 or n_cat == 0:
        n_units = 0 if codes.size == 0 else int((codes >= 0).any(axis=0).sum())
        return Statistics(n_units, 0, 0, None, None, None, None)
    # counts[u, k]: how many coders put unit u in category k
    counts = (codes[:, :, None] == np.arange(n_cat)[None, None, :]).sum(axis=0, dtype=np.int64)
    per_unit = counts.sum(axis=1)
    complete = per_unit == m
    pairable = per_unit >= 2
    n_complete = int(complete.sum())

    pct = cohen = fleiss = None
    if n_complete and m >= 2:
        table = counts[complete]
        pct = 100.0 * float((table.max(axis=1) == m).sum()) / n_complete
        # Fleiss: expected agreement from the category shares of all complete ratings
        totals = table.sum(axis=0)
        n_ratings = n_complete * m
        if int((totals * totals).sum()) != n_ratings * n_ratings:  # else one category only
            p_units = ((table * table).sum(axis=1) - m) / (m * (m - 1.0))
            p_exp = float(((totals / n_ratings) ** 2).sum())
            fleiss = (float(p_units.mean()) - p_exp) / (1.0 - p_exp)
        if m == 2:
            a, b = codes[0, complete], codes[1, complete]
            agree = int((a == b).sum())
            marg = int((np.bincount(a, minlength=n_cat) * np.bincount(b, minlength=n_cat)).sum())
            denominator = n_complete * n_complete - marg
            if denominator:
                cohen = 1.0 - n_complete * (n_complete - agree) / denominator

    alpha = None
    if pairable.any():
        pc = counts[pairable]
        weight = 1.0 / (per_unit[pairable] - 1)
        observed_same = float(((pc * (pc - 1)).sum(axis=1) * weight).sum())
        n_values = pc.sum(axis=0)
        n = int(n_values.sum())
        expected = n * n - int((n_values * n_values).sum())
        if expected:
            alpha = 1.0 - (n - 1) * (n - observed_same) / expected
    return Statistics(
        units=int((per_unit > 0).sum()),
        units_complete=n_complete,
        units_pairable=int(pairable.sum()),
        percent_agreement=pct,
        cohen_kappa=cohen,
        fleiss_kappa=fleiss,
        krippendorff_alpha=alpha,
    )


def _binary_statistics(values: np.ndarray, present: np.ndarray) -> Statistics:
    """Statistics for 0/1 values (coders x units) where ``present`` says who coded what."""
    return _statistics(np.where(present, values.astype(np.int64), -1), 2)


# -- reliability data from a project ------------------------------------------------------


@dataclass
class ReliabilityData:
    """The coders' binary decisions on the units of one question, code by code.

    ``present[j, u]``: coder ``j`` coded the item of unit ``u`` with anything (else the
    coder is missing there). ``values[key][j, u]``: 1 if coder ``j`` applied code ``key``
    to unit ``u``, else 0 (only meaningful where ``present``). Units are items
    (``unit_offset`` -1) or characters (``unit_offset`` = the character's index).
    """

    question: Question
    unit: str
    coders: list[str]
    codes: list[Code]
    unit_item: np.ndarray
    unit_offset: np.ndarray
    present: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        return len(self.unit_item)

    def matrix(self, key: str) -> list[list[int | None]]:
        """Code ``key`` as plain reliability data: a row per coder, ``None`` where missing."""
        vals = self.values[key]
        return [
            [int(v) if p else None for v, p in zip(vals[j], self.present[j], strict=True)]
            for j in range(len(self.coders))
        ]

    def pooled(self) -> tuple[np.ndarray, np.ndarray]:
        """(values, present) of every (unit, code) pair, the codes side by side."""
        if not self.codes:
            empty = np.zeros((len(self.coders), 0), dtype=bool)
            return empty.astype(np.int8), empty
        values = np.concatenate([self.values[c.key] for c in self.codes], axis=1)
        present = np.concatenate([self.present] * len(self.codes), axis=1)
        return values, present

    def statistics(self, key: str | None = None) -> Statistics:
        """One code's statistics, or with no key the pooled ones."""
        if key is None:
            return _binary_statistics(*self.pooled())
        return _binary_statistics(self.values[key], self.present)


def question_coders(project: Project, question: str | None = None) -> list[str]:
    """Everybody who reviewed a non-empty, non-interviewer item of the question (coded it, or
    marked it 'no theme'), sorted."""
    qid = project.question(question).id
    coded = analysis_store.coders_of_codable(project.db, qid)
    return sorted({*coded, *project.no_theme_coders(qid)})


def parse_coders(coders: str | Sequence[str] | None) -> list[str] | None:
    """'A,B' or ['A', 'B'] -> ['A', 'B'] (stripped, duplicates dropped, order kept)."""
    if coders is None:
        return None
    names = coders.split(",") if isinstance(coders, str) else list(coders)
    out: list[str] = []
    for name in names:
        name = name.strip()
        if name and name not in out:
            out.append(name)
    return out


def _resolve_coders(project: Project, q: Question, coders: str | Sequence[str] | None) -> list[str]:
    known = question_coders(project, q.id)
    known_text = ", ".join(known) or _("none")
    wanted = parse_coders(coders)
    if wanted is None:
        wanted = known
    else:
        unknown = [c for c in wanted if c not in known]
        if unknown:
            who = ", ".join(f"'{c}'" for c in unknown)
            raise QualcodeError(
                _("no codings by {coders} in question '{question}' (its coders: {known})").format(
                    coders=who, question=q.id, known=known_text
                )
            )
    if len(wanted) < 2:
        text = (
            _(
                "agreement needs two or more coders; question '{question}' has only 1 "
                "(its coders: {known})"
            )
            if wanted
            else _(
                "agreement needs two or more coders; question '{question}' has 0 "
                "(its coders: {known})"
            )
        )
        raise QualcodeError(text.format(question=q.id, known=known_text))
    return wanted


def reliability_data(
    project: Project,
    question: str | None = None,
    coders: str | Sequence[str] | None = None,
    unit: str = "item",
) -> ReliabilityData:
    """Collect the coders' decisions on a question's units (see the module docstring).

    ``coders``: names, or 'A,B'; default every coder of the question. Raises a
    QualcodeError for fewer than two coders, a coder without codings in the question, or
    an unknown unit.
    """
    if unit not in UNITS:
        raise QualcodeError(
            _("unknown unit '{unit}' (use {first} or {second})").format(
                unit=unit, first=UNITS[0], second=UNITS[1]
            )
        )
    q = project.question(question)
    names = _resolve_coders(project, q, coders)
    codes = list(project.codebook(q.codebook))
    items = {it.id: it for it in project.items(q.id)}
    slot = {name: j for j, name in enumerate(names)}
    by_item: dict[int, list[tuple[int, str | None, int | None, int | None]]] = {}
    for c in project.codings(question=q.id):
        if c.item_id in items and c.coder in slot:
            by_item.setdefault(c.item_id, []).append((slot[c.coder], c.code, c.start, c.end))
    # reviewed with no theme: present on the item, with no code (and no characters covered)
    for item_id, marked_by in project.no_theme_by_coder(q.id, names).items():
        if item_id in items:
            by_item.setdefault(item_id, []).extend(
                (slot[coder], None, 0, 0) for coder in sorted(marked_by)
            )
    order = [i for i in items if i in by_item]  # project.items order: respondent, position
    m = len(names)
    keys = {c.key: k for k, c in enumerate(codes)}

    if unit == "item":
        n = len(order)
        unit_item = np.array(order, dtype=np.int64)
        unit_offset = np.full(n, -1, dtype=np.int64)
        present = np.zeros((m, n), dtype=bool)
        cube = np.zeros((len(codes), m, n), dtype=np.int8)
        for u, item_id in enumerate(order):
            for j, key, _start, _end in by_item[item_id]:
                present[j, u] = True
                if key in keys:
                    cube[keys[key], j, u] = 1
    else:
        item_parts, offset_parts, present_parts, cube_parts = [], [], [], []
        for item_id in order:
            length = len(items[item_id].text)
            cover = np.zeros((len(codes), m, length), dtype=bool)
            coded = np.zeros(m, dtype=bool)
            anything = np.zeros(length, dtype=bool)
            for j, key, start, end in by_item[item_id]:
                coded[j] = True
                if key is None:  # marked 'no theme': present, covering nothing
                    continue
                lo, hi = (0, length) if start is None or end is None else (start, end)
                anything[lo:hi] = True
                if key in keys:
                    cover[keys[key], j, lo:hi] = True
            where = np.flatnonzero(anything)
            item_parts.append(np.full(len(where), item_id, dtype=np.int64))
            offset_parts.append(where.astype(np.int64))
            present_parts.append(np.repeat(coded[:, None], len(where), axis=1))
            cube_parts.append(cover[:, :, where].astype(np.int8))
        unit_item = np.concatenate(item_parts) if order else np.zeros(0, dtype=np.int64)
        unit_offset = np.concatenate(offset_parts) if order else np.zeros(0, dtype=np.int64)
        present = np.concatenate(present_parts, axis=1) if order else np.zeros((m, 0), dtype=bool)
        cube = (
            np.concatenate(cube_parts, axis=2)
            if order
            else np.zeros((len(codes), m, 0), dtype=np.int8)
        )
    values = {c.key: cube[k] for k, c in enumerate(codes)}
    return ReliabilityData(
        question=q,
        unit=unit,
        coders=names,
        codes=codes,
        unit_item=unit_item,
        unit_offset=unit_offset,
        present=present,
        values=values,
    )


# -- the result table ---------------------------------------------------------------------


def agreement(
    project: Project,
    question: str | None = None,
    coders: str | Sequence[str] | None = None,
    unit: str = "item",
) -> pd.DataFrame:
    """Agreement between coders on one question: a row per code (codebook order), then a
    ``pooled`` and a ``macro`` row (see the module docstring).

    Columns: question, code, label, kind ('code', 'pooled', 'macro'), units,
    units_complete, units_pairable, applied, percent_agreement (0-100), cohen_kappa,
    fleiss_kappa, krippendorff_alpha. The statistics columns are pandas' nullable
    ``Float64`` and ``applied`` ``Int64``: numbers, with ``pd.NA`` where a value is
    undefined (not NaN, so that it never passes for a computed number).
    ``frame.attrs`` holds question, question_text, codebook, title, kind, unit, coders,
    units, units_complete, units_pairable and macro_defined.
    """
    import pandas as pd

    data = reliability_data(project, question, coders, unit)
    q = data.question
    rows: list[dict[str, Any]] = []
    per_code: list[Statistics] = []
    for code in data.codes:
        stats = data.statistics(code.key)
        per_code.append(stats)
        applied = int(((data.values[code.key] == 1) & data.present).any(axis=0).sum())
        rows.append(_row(q.id, code.key, code.label, "code", stats, applied))
    pooled = data.statistics()
    total_applied = sum(r["applied"] for r in rows)
    pooled_label = _("Samlet: alle (enhed, kode)-par puljet")
    rows.append(_row(q.id, POOLED_KEY, pooled_label, "pooled", pooled, total_applied))
    macro: dict[str, Any] = {}
    defined: dict[str, int] = {}
    for stat in STATISTICS:
        got = [getattr(s, stat) for s in per_code if getattr(s, stat) is not None]
        defined[stat] = len(got)
        macro[stat] = float(sum(got) / len(got)) if got else None
    rows.append(
        {
            "question": q.id,
            "code": MACRO_KEY,
            "label": _("Gennemsnit af kodernes definerede værdier"),
            "kind": "macro",
            "units": data.n_units,
            "units_complete": per_code[0].units_complete if per_code else 0,
            "units_pairable": per_code[0].units_pairable if per_code else 0,
            "applied": None,
            **macro,
        }
    )
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    # numbers as numbers, an undefined value as pandas' NA (never NaN, never a 0)
    for col in STATISTICS:
        frame[col] = pd.array([r[col] for r in rows], dtype="Float64")
    frame["applied"] = pd.array([r["applied"] for r in rows], dtype="Int64")
    book = project.codebook(q.codebook)
    first = per_code[0] if per_code else pooled
    frame.attrs.update(
        {
            "question": q.id,
            "question_text": q.text,
            "codebook": book.stem,
            "title": book.title,
            "kind": q.kind,
            "unit": unit,
            "coders": list(data.coders),
            "units": data.n_units,
            "units_complete": first.units_complete if per_code else 0,
            "units_pairable": first.units_pairable if per_code else 0,
            "macro_defined": defined,
        }
    )
    return frame


def _row(
    question: str, key: str, label: str, kind: str, stats: Statistics, applied: int | None
) -> dict[str, Any]:
    return {
        "question": question,
        "code": key,
        "label": label,
        "kind": kind,
        "units": stats.units,
        "units_complete": stats.units_complete,
        "units_pairable": stats.units_pairable,
        "applied": applied,
        **{s: getattr(stats, s) for s in STATISTICS},
    }
