"""The bar chart's drawing: bar lengths in eighths of a cell, labels, markers."""

from __future__ import annotations

from rich.cells import cell_len

from qualcode.tui.widgets.bar_chart import EIGHTHS, FULL, MARKER, Bar, bar_cells, chart_lines, clip


def test_zero_and_nothing_draw_nothing():
    assert bar_cells(0, 10, 20) == ""
    assert bar_cells(-3, 10, 20) == ""
    assert bar_cells(None, 10, 20) == ""
    assert bar_cells(float("nan"), 10, 20) == ""
    assert bar_cells(5, 0, 20) == ""
    assert bar_cells(5, 10, 0) == ""


def test_full_fills_every_cell():
    assert bar_cells(10, 10, 20) == FULL * 20
    assert bar_cells(12, 10, 7) == FULL * 7  # above the maximum: clamped


def test_whole_cells():
    assert bar_cells(5, 10, 20) == FULL * 10
    assert bar_cells(1, 4, 8) == FULL * 2


def test_partial_cells_use_eighths():
    assert EIGHTHS[1:] == ("▏", "▎", "▍", "▌", "▋", "▊", "▉")
    # 1 cell wide, each eighth of the maximum adds one eighth of a block
    for n in range(1, 8):
        assert bar_cells(n, 8, 1) == EIGHTHS[n]
    assert bar_cells(1, 2, 3) == FULL + "▌"  # half of 3 cells = 1½
    assert bar_cells(3, 16, 2) == "▍"  # 3/16 of 2 cells = 3 eighths
    assert bar_cells(42.9, 100, 10) == FULL * 4 + "▎"  # 4.29 cells -> 4 and 2/8


def test_tiny_value_still_shows():
    assert bar_cells(0.001, 100, 10) == "▏"


def test_length_is_monotonic_and_never_too_wide():
    widths = [len(bar_cells(v, 100, 13)) for v in range(0, 101)]
    assert widths == sorted(widths)
    assert max(widths) == 13


def test_clip():
    assert clip("Fleksjob", 20) == "Fleksjob"
    assert clip("Fleksjob", 5) == "Flek…"
    assert clip("Fleksjob", 0) == ""
    assert cell_len(clip("Tværfagligt samarbejde i kommunen", 12)) == 12


BARS = [
    Bar('Generelt fokus på "borgere på kanten"', 42.9, "15 (42,9 %)", "#1F77B4", 0, 42.9),
    Bar("Fleksjob", 14.3, "5 (14,3 %)", "#9467BD", 1, 20.0),
    Bar("Andet", 0.0, "0 (0,0 %)", "#7F7F7F"),
]


def test_chart_lines_label_bar_and_value():
    lines = chart_lines(BARS, 60)
    assert len(lines) == 3
    assert all(cell_len(line.plain) == 60 for line in lines)
    first, second, third = (line.plain for line in lines)
    assert first.startswith("Generelt fokus") and "…" in first  # label cut to fit
    assert first.endswith(" 15 (42,9 %)")
    assert second.startswith("  Fleksjob")  # indented by depth
    assert second.endswith("  5 (14,3 %)")  # the numbers line up
    assert FULL not in third and third.endswith("  0 (0,0 %)")
    # the longest bar (with its marker at its end) uses all the room for bars
    bar_area = first[first.index(" ", 24) : -len(" 15 (42,9 %)")]
    assert bar_area.strip().replace(MARKER, FULL) == FULL * len(bar_area.strip())


def test_chart_lines_colours_and_marker_with_legend():
    lines = chart_lines(BARS, 60, marker_label="Rapport 2018")
    assert len(lines) == 4
    assert lines[-1].plain.strip() == f"{MARKER} = Rapport 2018"
    second = lines[1]
    assert MARKER in second.plain
    # the marker for 20 % stands right of the 14.3 % bar, on a 42.9 % scale
    assert second.plain.index(MARKER) > second.plain.rindex(FULL)
    colours = {
        str(span.style.color.name).lower()
        for span in lines[0].spans
        if hasattr(span.style, "color") and span.style.color is not None
    }
    assert "#1f77b4" in colours


def test_chart_lines_without_markers_has_no_legend():
    bars = [Bar("A", 1.0, "1"), Bar("B", 2.0, "2")]
    lines = chart_lines(bars, 30, marker_label="Rapport 2018")
    assert len(lines) == 2
    # the largest bar takes all the room: 30 cells less label, value and two spaces
    assert lines[1].plain == "B " + FULL * 26 + " 2"
    assert lines[0].plain == "A " + FULL * 13 + " " * 13 + " 1"


def test_chart_lines_fit_narrow_widths():
    for width in (80, 40, 24, 12, 5):
        for line in chart_lines(BARS, width, marker_label="Rapport 2018"):
            assert cell_len(line.plain) <= width
    assert chart_lines(BARS, 0) == []


def test_explicit_maximum_scales_bars():
    lines = chart_lines([Bar("A", 50.0, "x")], 22, maximum=100.0)
    # 22 - 1 (text) - 2 spaces = 19 cells of room; the label takes 1, bars get 18
    assert lines[0].plain.count(FULL) == 9
