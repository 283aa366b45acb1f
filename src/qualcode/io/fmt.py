"""Numbers as the report prints them: a Danish decimal comma, "42,9 %", "+3,1 pp"; in
English (``QUALCODE_LANG=en``, see :mod:`qualcode.i18n`) "42.9%", "+3.1 pp".

Every human-readable output (terminal tables, Markdown, HTML, DOCX, the workbench's
screens) formats its numbers here, so that a share reads the same everywhere. A value
that is missing or undefined (``None``, NaN, pandas' NA) is always :data:`MISSING`, an
en dash. CSV, JSON and XLSX do not come here: they keep numbers as numbers and a missing
value as an empty cell or ``null``.

    >>> percent(42.857)
    '42,9 %'
    >>> points(-1.04)
    '−1,0 pp'
    >>> p_value(0.0002)
    '< 0,001'
    >>> share(15, 35, 42.857)
    '15 af 35 (42,9 %)'
    >>> number(None)
    '–'

Imports nothing heavy: the workbench's screens use it on their UI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qualcode.core.numbers import decimal_half_up, round_half_up
from qualcode.i18n import numbers_language, translator

_, _n = translator("io")

MISSING = "–"  # U+2013 EN DASH: the one answer for a value that is missing or undefined
MINUS = "−"  # U+2212 MINUS SIGN, as the report writes a fall in percentage points


def is_missing(value: object) -> bool:
    """``None``, NaN (float or numpy) or pandas' NA / NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # only NaN (and NaT) differs from itself
    except TypeError:  # pandas.NA: a comparison with it is NA, which has no truth value
        return True


def number(value: float | None, decimals: int = 1) -> str:
    """3.14159 -> '3,1' (``decimals`` places, decimal comma, halves away from zero as
    everywhere: see :mod:`qualcode.core.numbers`)."""
    if value is None or is_missing(value):
        return MISSING
    rounded = decimal_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    text = f"{rounded:f}"
    return text if _english() else text.replace(".", ",")


def _english() -> bool:
    return numbers_language() == "en"


def integer(value: int | None) -> str:
    """12345 -> '12.345' (a point between thousands, as in Danish; '12,345' in English)."""
    if is_missing(value):
        return MISSING
    text = f"{value:,}"
    return text if _english() else text.replace(",", ".")


def percent(value: float | None, decimals: int = 1) -> str:
    """42.857 -> '42,9 %'; with ``decimals=0``, as the report's tables: '43 %'. In
    English without the space: '42.9%'."""
    if is_missing(value):
        return MISSING
    return f"{number(value, decimals)}{'' if _english() else ' '}%"


def points(diff: float | None, unit: str = " pp") -> str:
    """A difference in percentage points, to one decimal, always signed: +2.86 ->
    '+2,9 pp', -1.04 -> '−1,0 pp' (a minus sign), and anything that rounds to zero ->
    '±0,0 pp'. ``unit=""`` leaves out the ' pp' where a column heading says it."""
    if diff is None or is_missing(diff):
        return MISSING
    rounded = round_half_up(float(diff), 1)
    if rounded == 0:
        return f"±{number(0.0)}{unit}"
    sign = "+" if rounded > 0 else MINUS
    return f"{sign}{number(abs(rounded))}{unit}"


def p_value(p: float | None) -> str:
    """0.0412 -> '0,041'; below 0.001 -> '< 0,001'."""
    if p is None or is_missing(p):
        return MISSING
    return f"< {number(0.001, 3)}" if p < 0.001 else number(p, 3)


def share(n: int | None, base: int | None, pct: float | None) -> str:
    """'15 af 35 (42,9 %)': how many of how many, and the share; no count -> '–'."""
    if is_missing(n):
        return MISSING
    return _("{n} af {base} ({percent})").format(n=n, base=base, percent=percent(pct))


def units(attrs: Mapping[str, Any]) -> str:
    """The plural of what a frame counted ("jobcentre", "kommuner"), from its attrs."""
    return str(attrs.get("noun_plural") or "jobcentre")


def units_title(attrs: Mapping[str, Any]) -> str:
    """The same with a capital, for a column heading ("Jobcentre", "Kommuner")."""
    plural = units(attrs)
    return plural[:1].upper() + plural[1:]


def _months() -> tuple[str, ...]:
    return (
        _("januar"),
        _("februar"),
        _("marts"),
        _("april"),
        _("maj"),
        _("juni"),
        _("juli"),
        _("august"),
        _("september"),
        _("oktober"),
        _("november"),
        _("december"),
    )


def date(value: str | None) -> str:
    """A date (or a timestamp) as a person reads it: '2026-12-04T05:40:41Z' ->
    '4. december 2026' ('4 December 2026' in English). A value that is no date is
    returned as it is; none at all is :data:`MISSING`."""
    if value is None or is_missing(value) or not value:
        return MISSING
    text = str(value)
    try:
        year, month, day = (int(part) for part in text[:10].split("-"))
        name = _months()[month - 1]
    except (ValueError, IndexError):
        return text
    if not (1 <= day <= 31 and month >= 1):
        return text
    return f"{day} {name} {year}" if _english() else f"{day}. {name} {year}"


def themes(n: int) -> str:
    """'1 tema', '7 temaer'."""
    return _n("{n} tema", "{n} temaer", n).format(n=n)


def scale(n: int) -> str:
    """The report's words for how many interviewed mention a theme (section 4.2):
    enkelte 1–3, flere 4–8, de fleste more than 8 (the thresholds of
    :func:`qualcode.core.counts.verbal_scale`, in the language in use)."""
    if n <= 0:
        return _("ingen")
    if n <= 3:
        return _("enkelte")
    if n <= 8:
        return _("flere")
    return _("de fleste")


def scale_note(attrs: Mapping[str, Any]) -> str:
    """The line under an interview question's table that says what the words mean."""
    return _(
        "Enkelte = 1–3, flere = 4–8, de fleste = mere end 8 af de interviewede {units}."
    ).format(units=units(attrs))


def mentioned(kind: str, n: int, base: int, plural: str) -> str:
    """How many mention a theme, as the report's tables say it, in the project's noun:
    'Anført af 15 ud af 35 jobcentre'; an interview question 'Nævnt af flere (5 af 15)
    jobcentre'."""
    if kind == "interview":
        return _("Nævnt af {scale} ({n} af {base}) {units}").format(
            scale=scale(int(n)), n=n, base=base, units=plural
        )
    return _("Anført af {n} ud af {base} {units}").format(n=n, base=base, units=plural)
