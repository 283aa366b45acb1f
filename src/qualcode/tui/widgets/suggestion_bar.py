"""The suggestions for the current item: code, score, where it came from, matched words.

Only shows; the coding screen decides what a key does. The suggestions are numbered: ``a``
(accept) or ``x`` (reject) and then a number picks one, Enter (or the same letter again)
the first, which is drawn highlighted; Escape lets it be. While a number is awaited the bar
says so (:attr:`SuggestionBar.pending`).

Its height is set in the stylesheet (app.tcss), never by its content, so a new text is
drawn without a layout of the whole screen (``update(layout=False)``): this bar is redrawn
after every key that codes.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from qualcode.i18n import translator
from qualcode.io.fmt import number
from qualcode.nlp.suggest import Suggestion, merged
from qualcode.tui.shown import shown

_, _n = translator("tui")

SOURCE_NAMES = {"rule": _("regel"), "model": _("model")}


class SuggestionBar(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.entries: list[tuple[str, float, list[Suggestion]]] = []
        self.item_id: int | None = None  # the item the entries were found for
        self.note = ""
        self.code_colors: dict[str, str] = {}
        self.sources_note = ""  # e.g. that there is no model yet, shown with the suggestions
        self.pending: str | None = None  # "accept" or "reject": a number is awaited

    def show(
        self, suggestions: list[Suggestion], colors: dict[str, str], *, item_id: int | None = None
    ) -> None:
        self.entries = merged(suggestions)
        if item_id != self.item_id or not self.entries:
            self.pending = None  # a number is picked among the suggestions it was asked for
        self.item_id = item_id
        self.code_colors = colors
        self.note = ""
        self._draw()

    def say(self, note: str) -> None:
        """A state instead of suggestions: loading, no model, training..."""
        self.entries, self.note, self.item_id, self.pending = [], note, None, None
        self._draw()

    def drop(self, code: str) -> None:
        self.entries = [e for e in self.entries if e[0] != code]
        if not self.entries:
            self.pending = None
        self._draw()

    def ask(self, verdict: str | None) -> None:
        """Await the number of the suggestion to accept or reject (None: no longer)."""
        if verdict != self.pending:
            self.pending = verdict
            self._draw()

    @property
    def first(self) -> tuple[str, float, list[Suggestion]] | None:
        return self.entries[0] if self.entries else None

    def entry(self, number: int) -> tuple[str, float, list[Suggestion]] | None:
        """The suggestion shown with ``number`` (from 1), if there is one."""
        return self.entries[number - 1] if 1 <= number <= len(self.entries) else None

    def _draw(self) -> None:
        out = Text()
        if not self.entries:
            out.append(self.note or _("Ingen forslag til dette svar."), style="dim")
            if not self.note and self.sources_note:
                out.append(f" {self.sources_note}", style="dim italic")
            self.update(out, layout=False)
            return
        out.append(_("Forslag") + " ", style="bold")
        last = min(len(self.entries), 9)
        if self.pending is not None:
            ask = (
                _("Acceptér hvilket? Tast 1–{last} · Enter: nr. 1 · Esc: fortryd")
                if self.pending == "accept"
                else _("Afvis hvilket? Tast 1–{last} · Enter: nr. 1 · Esc: fortryd")
            )
            out.append(ask.format(last=last), style="bold yellow")
        else:
            out.append(_("a acceptér · x afvis + nr."), style="dim")
            if self.sources_note:
                out.append(f" {self.sources_note}", style="dim italic")
        out.append("\n")
        for n, (code, _score, group) in enumerate(self.entries, start=1):
            label = group[0].label
            first = n == 1
            out.append(f"{n} " if n <= 9 else "  ", style="bold yellow" if first else "bold")
            out.append("■ ", style=self.code_colors.get(code, "#7F7F7F"))
            out.append(shown(label), style="bold reverse" if first else "")
            sources = []
            for s in sorted(group, key=lambda s: s.source):
                part = f"{SOURCE_NAMES[s.source]} {number(s.score, 2)}"
                if s.words:
                    part += ": " + shown(", ".join(s.words[:4]))
                sources.append(part)
            out.append("\n    ")
            out.append(f"{'; '.join(sources)}\n", style="dim")
        self.update(out, layout=False)
