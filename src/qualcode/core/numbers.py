"""One rounding rule for every number a reader sees: half away from zero, on the number
as it is written (31.25 -> 31.3, 2.675 -> 2.68, -0.05 -> -0.1).

It is the rule of a reader's calculator, of Excel's ROUND and of SQLite's round(), which
the project's views use, so a share reads the same on a screen, in a file and in a view.
Python's round() and format() round half to even on the binary value (31.25 -> 31.2,
2.675 -> 2.67), which is why nothing here uses them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from qualcode.i18n import numbers_language


def round_half_up(value: float, decimals: int = 1) -> float:
    """``value`` rounded to ``decimals`` places, halves away from zero."""
    return float(decimal_half_up(value, decimals))


def decimal_half_up(value: float, decimals: int = 1) -> Decimal:
    """The same as a Decimal with exactly ``decimals`` places (for formatting)."""
    # repr() is the shortest text that reads back as the same float: 31.25, not
    # 31.249999999999996447286321199499070644378662109375
    exact = Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def integer(value: int) -> str:
    """12345 -> '12.345' in Danish, '12,345' in English: a count in a message, in the
    language numbers are written in (see :func:`qualcode.i18n.numbers_language`)."""
    text = f"{value:,}"
    return text if numbers_language() == "en" else text.replace(",", ".")
