"""Plain-text tables for the terminal: every command's ``--format table`` is drawn here.

A table is a header line, a rule of '-' as wide as the table, and one line per row.
Columns are as wide as their widest cell, measured in terminal cells (a CJK character
takes two), separated by two spaces; numbers are right-aligned; trailing spaces are cut.
Every cell is shown on one line, with control characters from the data as visible
symbols (:func:`qualcode.safe.one_line`), so a hostile label can neither break the layout
nor reach the terminal raw. A column may have a largest width: longer cells end in '…'.

    >>> print("\\n".join(table_lines([Column("Tema"), Column("Andel", right=True)],
    ...                               [["Fleksjob", "42,9 %"], ["Andet", "8,6 %"]])))
    Tema       Andel
    ----------------
    Fleksjob  42,9 %
    Andet      8,6 %
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from qualcode.safe import one_line

GAP = "  "  # between two columns


@dataclass(frozen=True)
class Column:
    """A column's heading, its alignment, and the widest it may get (None: no limit)."""

    header: str
    right: bool = False
    max_width: int | None = None


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` cells with '…' at the end when it was cut."""
    text = one_line(text)
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += display_width(ch)
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def pad(text: str, width: int, right: bool = False) -> str:
    """A table cell: on one line, control characters as symbols (one for one, so the
    width is the same), padded to ``width`` cells on the right (or on the left)."""
    text = one_line(text)
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table_lines(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    rule_before: Collection[int] = (),
) -> list[str]:
    """The header, the rule and one line per row; another rule above each row whose
    index is in ``rule_before`` (e.g. above a total). Lines have no newline."""
    widths = []
    for i, col in enumerate(columns):
        width = max(display_width(one_line(c)) for c in [col.header, *(r[i] for r in rows)])
        widths.append(width if col.max_width is None else min(width, col.max_width))

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, col, width in zip(cells, columns, widths, strict=True):
            text = clip(cell, width) if col.max_width is not None else cell
            out.append(pad(text, width, col.right))
        return GAP.join(out).rstrip()

    rule = "-" * (sum(widths) + len(GAP) * (len(widths) - 1))
    lines = [line([c.header for c in columns]), rule]
    for i, row in enumerate(rows):
        if i in rule_before:
            lines.append(rule)
        lines.append(line(row))
    return lines
