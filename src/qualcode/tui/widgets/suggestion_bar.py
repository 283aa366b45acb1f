"""The suggestions for the current item: code, score, where it came from, matched words.

Only shows; the coding screen decides what a key does. The first suggestion is the one
``a`` accepts and ``x`` rejects, so it is drawn highlighted.
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

    def show(
        self, suggestions: list[Suggestion], colors: dict[str, str], *, item_id: int | None = None
    ) -> None:
        self.entries = merged(suggestions)
        self.item_id = item_id
        self.code_colors = colors
        self.note = ""
        self._draw()

    def say(self, note: str) -> None:
        """A state instead of suggestions: loading, no model, training..."""
        self.entries, self.note, self.item_id = [], note, None
        self._draw()

    def drop(self, code: str) -> None:
        self.entries = [e for e in self.entries if e[0] != code]
        self._draw()

    @property
    def first(self) -> tuple[str, float, list[Suggestion]] | None:
        return self.entries[0] if self.entries else None

    def _draw(self) -> None:
        out = Text()
        if not self.entries:
            out.append(self.note or _("Ingen forslag til dette svar."), style="dim")
            if not self.note and self.sources_note:
                out.append(f" {self.sources_note}", style="dim italic")
            self.update(out)
            return
        out.append(_("Forslag") + " ", style="bold")
        out.append(_("a acceptér · x afvis"), style="dim")
        if self.sources_note:
            out.append(f" {self.sources_note}", style="dim italic")
        out.append("\n")
        for n, (code, _score, group) in enumerate(self.entries):
            label = group[0].label
            first = n == 0
            out.append("> " if first else "  ", style="bold yellow")
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
        self.update(out)
