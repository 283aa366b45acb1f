"""A horizontal bar chart for the terminal, drawn with Unicode block characters.

One row per bar: the label on the left (indented by depth, cut with "…" to fit), the bar
in the bar's colour scaled to the width that is left, and ``N (pct %)`` at the end. A
bar's length is drawn in eighths of a cell (▏▎▍▌▋▊▉█), so small differences still show.
An optional thin marker (│) on each row shows a reference figure on the same scale, such
as the report's published percentage.

The drawing is done by two pure functions, :func:`bar_cells` and :func:`chart_lines`, that
the widget only calls with its current width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("tui")

FULL = "█"
EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
MARKER = "│"


def bar_cells(value: float | None, maximum: float | None, width: int) -> str:
    """The characters of one bar: ``value`` of ``maximum`` drawn across ``width`` cells.

    0 (or less, or no value) draws nothing, ``maximum`` or more fills every cell with █,
    and the last, partly filled cell is one of the eighth blocks ▏▎▍▌▋▊▉. A value above
    zero is never drawn as nothing: at the very least it gets ▏.
    """
    if width > 0 and _positive(value) and _positive(maximum):
        share = min(float(value), float(maximum)) / float(maximum)
        eighths = max(1, round(share * width * 8))
        full, rest = divmod(eighths, 8)
        return FULL * full + EIGHTHS[rest]
    return ""


def _positive(x: float | None) -> TypeGuard[float]:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and x > 0


@dataclass(frozen=True)
class Bar:
    """One row of the chart. ``value`` and ``marker`` are on the same scale (e.g. percent)."""

    label: str
    value: float | None
    text: str = ""
    color: str = "#7F7F7F"
    depth: int = 0
    marker: float | None = None


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, ending in "…" when it was cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _contrast(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (#RRGGBB)."""
    try:
        c = color.lstrip("#")
        if len(c) == 3:
            c = "".join(ch * 2 for ch in c)
        r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "white"
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "white"


def chart_lines(
    bars: Sequence[Bar], width: int, *, maximum: float | None = None, marker_label: str = ""
) -> list[Text]:
    """The chart as lines of at most ``width`` cells, one per bar, plus a legend line for the
    marker when any bar has one and ``marker_label`` is given.

    ``maximum`` is the value of a full-width bar; by default the largest value or marker,
    so the longest bar uses all the room there is.
    """
    if width <= 0:
        return []
    values = [b.value for b in bars if _positive(b.value)]
    values += [b.marker for b in bars if _positive(b.marker)]
    top = maximum if _positive(maximum) else (max(values) if values else 1.0)
    # labels come from data: on one line, control characters as symbols (they take no
    # cell as they are, so they would also throw the widths off)
    labels = ["  " * b.depth + one_line(b.label) for b in bars]
    text_w = max((cell_len(b.text) for b in bars), default=0)
    room = width - text_w - 2  # a space after the label and one before the text
    label_w = min(max((cell_len(x) for x in labels), default=0), max(6, room * 2 // 5))
    label_w = max(0, min(label_w, room - 4)) if room > 10 else max(0, min(label_w, room))
    bar_w = max(0, room - label_w)
    lines = []
    for bar, label in zip(bars, labels, strict=True):
        line = Text(no_wrap=True, overflow="crop", end="")
        shown = clip(label, label_w)
        line.append(shown + " " * (label_w - cell_len(shown)))
        line.append(" ")
        line.append_text(_bar_text(bar, top, bar_w))
        line.append(" ")
        line.append(bar.text.rjust(text_w), style="bold")
        line.truncate(width)
        lines.append(line)
    if marker_label and any(_positive(b.marker) for b in bars):
        legend = Text(no_wrap=True, overflow="crop", end="")
        legend.append(" " * (label_w + 1))
        legend.append(MARKER, style="bold")
        legend.append(f" = {marker_label}", style="dim")
        legend.truncate(width)
        lines.append(legend)
    return lines


def _bar_text(bar: Bar, top: float, width: int) -> Text:
    """The bar's ``width`` cells: the blocks in the bar's colour, padding, and the marker."""
    cells = bar_cells(bar.value, top, width).ljust(width)
    at = None
    if width > 0 and _positive(bar.marker):
        x = min(float(bar.marker), top) / top * width
        at = min(width - 1, max(0, math.ceil(x) - 1))
    try:
        color = Style(color=bar.color)
    except Exception:  # an unreadable colour draws in the terminal's own colour
        color = Style()
    if at is None:
        return Text(cells, style=color, end="")
    inside = cells[at] == FULL
    out = Text(end="")
    out.append(cells[:at], style=color)
    mark = Style(bold=True)
    if inside and color.color is not None:
        mark += Style(color=_contrast(bar.color), bgcolor=color.color)
    out.append(MARKER, style=mark)
    out.append(cells[at + 1 :], style=color)
    return out


class BarChart(Widget):
    """A horizontal bar chart; give it bars with :meth:`set_bars`. As tall as its bars."""

    DEFAULT_CSS = """
    BarChart {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(
        self,
        bars: Sequence[Bar] = (),
        *,
        maximum: float | None = None,
        marker_label: str = "",
        empty: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.bars: list[Bar] = list(bars)
        self.maximum = maximum
        self.marker_label = marker_label
        self.empty = _("Ingen tal at vise.") if empty is None else empty

    def set_bars(
        self, bars: Sequence[Bar], *, maximum: float | None = None, marker_label: str = ""
    ) -> None:
        self.bars = list(bars)
        self.maximum = maximum
        self.marker_label = marker_label
        self.refresh(layout=True)

    def lines(self, width: int | None = None) -> list[Text]:
        """What the chart draws at ``width`` (default: its current width)."""
        width = self.content_size.width if width is None else width
        if not self.bars:
            return [Text(clip(self.empty, width), style="dim")]
        return chart_lines(self.bars, width, maximum=self.maximum, marker_label=self.marker_label)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.bars:
            return 1
        legend = bool(self.marker_label and any(_positive(b.marker) for b in self.bars))
        return len(self.bars) + int(legend)

    def render(self) -> Text:
        return Text("\n", no_wrap=True, overflow="crop").join(self.lines())
