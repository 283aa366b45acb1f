"""The current item's text: read-only, selectable, with coded spans in their code's colour.

A long answer (5,000 words, often one paragraph: one line of 30,000 characters) costs
what a short one costs: the text is wrapped once per width (Textual's wrapped document),
and each row on screen is drawn from its own piece of the line, with the coded spans,
the selection and the cursor that fall on it, and kept until one of those changes. So
PageDown draws one screenful of rows, and coding a passage redraws the rows it touches.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Document

from qualcode.i18n import translator
from qualcode.tui.shown import shown

_, _n = translator("tui")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    color: str
    key: str


class CodedTextArea(TextArea):
    """A read-only TextArea whose selection codes a span; coded spans are coloured."""

    BINDINGS = [
        Binding("ctrl+z", "screen.undo", _("Fortryd"), show=False),
        Binding("ctrl+y", "screen.redo", _("Gentag"), show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(
            "",
            read_only=True,
            soft_wrap=True,
            show_line_numbers=False,
            highlight_cursor_line=False,
            **kwargs,
        )
        self.spans: list[Span] = []
        self._line_starts: list[int] = [0]
        self._span_styles: list[tuple[int, int, Style]] = []  # (start, end, style), sorted
        self._rows: dict[tuple, Strip] = {}  # rows drawn, by everything they are drawn from
        self._version = 0  # the text shown: a new one, new rows
        self._first_rows: list[int] = []  # each line's first row, as wrapped now
        self._rows_total = 0
        self._keep_sections()

    def show(self, text: str, spans: list[Span]) -> None:
        # control characters as visible symbols, one for one: every offset into the shown
        # text is the same offset into the stored one, so spans code what is selected
        text = shown(text)
        self.load_text(text)
        self._keep_sections()
        # the document breaks lines where str.splitlines() does (also at U+2028, U+0085
        # is already a symbol): start each line where the document starts it
        lines = text.splitlines(keepends=True)
        self._line_starts = [0]
        for line in lines:
            self._line_starts.append(self._line_starts[-1] + len(line))
        if lines and lines[-1].splitlines()[0] == lines[-1]:
            self._line_starts.pop()  # the last line ends without a break: none after it
        self._version += 1
        self._rows.clear()
        self.set_spans(spans)
        self.move_cursor((0, 0))

    def _keep_sections(self) -> None:
        """Keep each line's wrapped pieces until the text is wrapped again. Textual's
        wrapped document divides the whole line into its pieces again each time it maps
        a row to a column (the cursor, PageDown, a click, each row drawn): on a line of
        30,000 characters 10 ms, dozens of times a key. The text never changes between
        two :meth:`show` (read-only), so the pieces change only with the width."""
        wrapped = self.wrapped_document
        pieces: dict[int, list[str]] = {}
        divide, wrap = wrapped.get_sections, wrapped.wrap
        self._first_rows = []

        def get_sections(line_index: int) -> list[str]:
            found = pieces.get(line_index)
            if found is None:
                found = pieces[line_index] = divide(line_index)
            return found

        def rewrap(width: int, tab_width: int | None = None) -> None:
            pieces.clear()
            wrap(width, tab_width)
            self._first_rows = []
            self._version += 1  # every row drawn before is of the old width
            self._rows.clear()

        # on this document only (a new one comes with the next text), not the class
        wrapped.get_sections = get_sections  # type: ignore[method-assign]
        wrapped.wrap = rewrap  # type: ignore[method-assign]

    def set_spans(self, spans: list[Span]) -> None:
        spans = sorted(spans, key=lambda s: (s.start, s.end))
        if spans == self.spans:
            return  # a whole-answer coding changes no passage: nothing to repaint
        self.spans = spans
        self._span_styles = [(s.start, s.end, self._span_style(s.color)) for s in spans]
        self._line_cache.clear()
        self.refresh()  # only the rows a changed span is on are drawn again (render_line)

    @staticmethod
    def _span_style(color: str) -> Style:
        bg = Color.parse(color)
        return Style(bgcolor=color, color=bg.get_contrast_text(1.0).hex6)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if not self.spans or line_index >= len(self._line_starts):
            return line
        start = self._line_starts[line_index]
        end = start + len(line.plain)
        for span_start, span_end, style in self._span_styles:
            if span_end <= start or span_start >= end:
                continue
            line.stylize(style, max(span_start, start) - start, min(span_end, end) - start)
        return line

    # -- drawing: one row of the wrapped text at a time ------------------------------------
    def render_line(self, y: int) -> Strip:
        """Row ``y`` on screen: its piece of the line (as wrapped), with the coded spans,
        selection and cursor on it. Textual's own drawing styles and divides the whole
        line for every row, and draws every row again whenever the cursor moves."""
        theme = self._theme
        if theme is None or not self.soft_wrap or self.show_line_numbers:
            return super().render_line(y)
        base = theme.base_style if theme.base_style is not None else self.rich_style
        wrapped = self.wrapped_document
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row >= wrapped.height:
            return Strip.blank(self.size.width, base)
        if not self._first_rows or self._rows_total != wrapped.height:
            rows, first_rows = 0, []
            for index in range(self.document.line_count):
                first_rows.append(rows)
                rows += len(wrapped.get_offsets(index)) + 1
            self._first_rows, self._rows_total = first_rows, rows
        line_index = bisect_right(self._first_rows, row) - 1
        section = row - self._first_rows[line_index]
        line = self._plain_document().get_line(line_index)
        if "\t" in line:  # tabs are widened as Textual does: its own drawing
            return super().render_line(y)
        offsets = wrapped.get_offsets(line_index)
        first = offsets[section - 1] if section else 0
        last_section = section >= len(offsets)
        stop = len(line) if last_section else offsets[section]
        # the selection and the cursor as they fall on this row
        selected: tuple[int, int] | None = None
        selection = self.selection
        top, bottom = sorted(selection)
        if selection.start != selection.end and top[0] <= line_index <= bottom[0]:
            a = top[1] if line_index == top[0] else 0
            b = bottom[1] if line_index == bottom[0] else len(line)
            if not line:  # an empty line in the selection: a mark (not where the cursor is)
                selected = (0, 0) if line_index != selection.end[0] else None
            elif max(a, first) < min(b, stop):
                selected = (max(a, first) - first, min(b, stop) - first)
        cursor_row, cursor_column = selection.end
        cursor: int | None = None
        if (
            self.show_cursor
            and self.has_focus
            and cursor_row == line_index
            and first <= cursor_column
            and (cursor_column < stop or last_section)
        ):
            cursor = cursor_column - first
        at = self._line_starts[line_index] + first if line_index < len(self._line_starts) else 0
        end = at + (stop - first)
        spans = tuple(
            (max(a, at) - at, min(b, end) - at, style)
            for a, b, style in self._span_styles
            if a < end and b > at
        )
        look = (base, theme.base_style, theme.selection_style, theme.cursor_style)  # ctrl+t
        key = (self._version, row, width, look, spans, selected, cursor)
        strip = self._rows.get(key)
        if strip is None:
            strip = self._draw_row(
                line[first:stop], last_section, spans, selected, cursor, width, base
            )
            if len(self._rows) > 4096:  # a screenful is 40 rows: keep the last few pages
                self._rows.clear()
            self._rows[key] = strip
        return strip

    def _draw_row(
        self,
        piece: str,
        last_section: bool,
        spans: tuple[tuple[int, int, Style], ...],
        selected: tuple[int, int] | None,
        cursor: int | None,
        width: int,
        base: Style,
    ) -> Strip:
        """One row: ``piece`` of its line, the coded ``spans``, the ``selected`` columns
        and the ``cursor``'s column on it (each relative to the piece)."""
        theme = self._theme
        assert theme is not None  # render_line draws its own rows only with a theme
        text = Text(piece, end="", no_wrap=True)
        if last_section:
            text.append(" ")  # where the cursor rests after the last character
        for start, end, style in spans:
            text.stylize(style, start, end)
        if selected is not None and theme.selection_style is not None:
            if not piece:
                text = Text("▌", end="", no_wrap=True)
                text.stylize(Style(color=theme.selection_style.bgcolor))
            else:
                text.stylize(theme.selection_style, *selected)
        if cursor is not None and theme.cursor_style is not None:
            text.stylize(theme.cursor_style, cursor, cursor + 1)
        strip = Strip(text.render(self.app.console), cell_length=text.cell_len)
        return strip.extend_cell_length(width, theme.base_style).apply_style(base)

    def go_to_start(self) -> None:
        """The cursor to the first character, and the text shown from its top (ctrl+home)."""
        self.move_cursor((0, 0))
        self.scroll_home(animate=False, immediate=True)

    def go_to_end(self) -> None:
        """The cursor after the last character, and the end of the text shown (ctrl+end)."""
        self.move_cursor(self.document.end)
        self.scroll_end(animate=False, immediate=True)

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as character offsets into the text, or None if nothing is selected."""
        sel = self.selection
        if sel.is_empty:
            return None
        document = self._plain_document()
        a = document.get_index_from_location(sel.start)
        b = document.get_index_from_location(sel.end)
        start, end = min(a, b), max(a, b)
        text = self.text
        while start < end and text[start].isspace():  # trim, so spans stay tidy
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    def clear_selection(self) -> None:
        self.selection = self.selection.cursor(self.selection.end)

    def select_offsets(self, start: int, end: int) -> None:
        """Select characters start..end (used by tests and by 'jump to span')."""
        from textual.widgets.text_area import Selection

        document = self._plain_document()
        self.selection = Selection(
            document.get_location_from_index(start), document.get_location_from_index(end)
        )

    def _plain_document(self) -> Document:
        """The text's document, which maps offsets to locations (Textual types it as the
        abstract DocumentBase, which does not). With no language set it is a Document."""
        document = self.document
        assert isinstance(document, Document)
        return document
