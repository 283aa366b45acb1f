"""The question's codebook: number key, colour, label and the live count of jobcentres."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qualcode.core.codebook import Codebook
from qualcode.tui.messages import CodeChosen
from qualcode.tui.shown import shown


class CodePanel(OptionList):
    """Posts :class:`CodeChosen` when a code is picked with Enter or a click."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.book: Codebook | None = None
        self.counts: dict[str, int] = {}
        self.applied: set[str] = set()
        self.pending = False  # the counts are not read yet: … for each

    def load(
        self, book: Codebook, counts: dict[str, int], applied: set[str], *, pending: bool = False
    ) -> None:
        keep = self.highlighted
        self.book = book
        self.pending = pending
        self.counts, self.applied = dict(counts), set(applied)  # copies: updates compare
        self.clear_options()
        self.add_options([Option(self._prompt(i, c), id=c.key) for i, c in enumerate(book)])
        if keep is not None and keep < len(book):
            self.highlighted = keep

    def update_counts(self, counts: dict[str, int], applied: set[str]) -> None:
        """Redraw only the rows whose count or mark changed: a key press touches one or two."""
        shown = (
            {c.key: (self.counts.get(c.key, 0), c.key in self.applied) for c in self.book}
            if self.book is not None
            else {}
        )
        self.counts, self.applied = dict(counts), set(applied)
        if self.book is None:
            return
        for i, c in enumerate(self.book):
            if shown.get(c.key) != (self.counts.get(c.key, 0), c.key in self.applied):
                self.replace_option_prompt_at_index(i, self._prompt(i, c))

    def key_at(self, number: int) -> str | None:
        """The code shown at position ``number`` (1-9)."""
        if self.book is None or not 1 <= number <= len(self.book):
            return None
        return self.book.codes[number - 1].key

    def _prompt(self, index: int, code) -> Text:
        number = f"{index + 1}" if index < 9 else " "
        depth = self.book.depth(code.key) if self.book else 0
        applied = code.key in self.applied
        text = Text()
        text.append(f"{number} ", style="bold")
        text.append("● " if applied else "■ ", style=code.color)
        count = "…" if self.pending else self.counts.get(code.key, 0)
        text.append(f"{count:>3} ", style="cyan")
        text.append("  " * depth + shown(code.label), style="bold" if applied else "")
        return text

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(CodeChosen(event.option.id))
