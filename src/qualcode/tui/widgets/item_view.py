"""The current item's text: read-only, selectable, with coded spans in their code's colour."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.color import Color
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

    def show(self, text: str, spans: list[Span]) -> None:
        # control characters as visible symbols, one for one: every offset into the shown
        # text is the same offset into the stored one, so spans code what is selected
        text = shown(text)
        self.load_text(text)
        # the document breaks lines where str.splitlines() does (also at U+2028, U+0085
        # is already a symbol): start each line where the document starts it
        lines = text.splitlines(keepends=True)
        self._line_starts = [0]
        for line in lines:
            self._line_starts.append(self._line_starts[-1] + len(line))
        if lines and lines[-1].splitlines()[0] == lines[-1]:
            self._line_starts.pop()  # the last line ends without a break: none after it
        self.set_spans(spans)
        self.move_cursor((0, 0))

    def set_spans(self, spans: list[Span]) -> None:
        spans = sorted(spans, key=lambda s: (s.start, s.end))
        if spans == self.spans:
            return  # a whole-answer coding changes no passage: nothing to repaint
        self.spans = spans
        self._line_cache.clear()
        self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if not self.spans or line_index >= len(self._line_starts):
            return line
        start = self._line_starts[line_index]
        end = start + len(line.plain)
        for span in self.spans:
            if span.end <= start or span.start >= end:
                continue
            bg = Color.parse(span.color)
            style = Style(bgcolor=span.color, color=bg.get_contrast_text(1.0).hex6)
            line.stylize(style, max(span.start, start) - start, min(span.end, end) - start)
        return line

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
