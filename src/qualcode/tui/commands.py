"""Command palette: every binding of the current screen, searchable by its description,
in the workbench's language.

Textual writes its own texts in English (the palette's placeholder, "No matches found",
the widgets' key descriptions such as "Cursor up"); none of them reaches the analyst:
:class:`Palette` says its texts through the catalogue, and :class:`BindingCommands`
lists qualcode's own bindings only (see :func:`from_textual`).
"""

from __future__ import annotations

from functools import cache

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.widgets.option_list import Option

from qualcode.i18n import translator
from qualcode.tui.shown import escaped

_, _n = translator("tui")


@cache
def _textual_bindings(cls: type) -> frozenset[tuple[str, str]]:
    """(action, description) of every binding Textual's own classes give ``cls``."""
    found: set[tuple[str, str]] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith("textual."):
            continue
        for entry in base.__dict__.get("BINDINGS", ()):
            if isinstance(entry, Binding):
                found.add((entry.action, entry.description))
            elif len(entry) >= 3:
                found.add((entry[1], entry[2]))
    if any(base.__module__ == "textual.app" for base in cls.__mro__):
        found.add(("command_palette", "palette"))  # the one Textual adds as the app starts
    return frozenset(found)


def from_textual(node: DOMNode, binding: Binding) -> bool:
    """Is ``binding`` one of Textual's own (a widget's "Cursor up", the screen's "Focus
    Next"), described in English whatever the language? The palette and the help leave
    them out; qualcode's own keys say what the analyst needs."""
    return (binding.action, binding.description) in _textual_bindings(type(node))


class BindingCommands(Provider):
    """Lists the active screen's and the app's bindings as palette commands."""

    def _commands(self):
        screen = self.screen
        seen = set()
        # qualcode's keys with an id first: q 'Afslut' is listed, not its twin ctrl+q
        actives = sorted(screen.active_bindings.values(), key=lambda a: not a.binding.id)
        for active in actives:
            b = active.binding
            if (
                not b.description
                or b.action in seen
                or not active.enabled
                or from_textual(active.node, b)
            ):
                continue
            seen.add(b.action)
            key_display = self.app.get_key_display(b)
            # the palette reads help as markup: the tooltips' [CPR] must show as written
            yield (
                f"{b.description} ({key_display})",
                escaped(b.tooltip or ""),
                active.node,
                b.action,
            )

    async def discover(self) -> Hits:
        for text, help_text, node, action in self._commands():
            yield DiscoveryHit(text, self._runner(node, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, node, action in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), self._runner(node, action), help=help_text
                )

    def _runner(self, node, action: str):
        async def run() -> None:
            await self.app.run_action(action, node)

        return run


class Palette(CommandPalette):
    """Textual's command palette, with its placeholder and its "no matches" in the
    workbench's language."""

    def __init__(self, *args, placeholder: str | None = None, **kwargs) -> None:
        super().__init__(*args, placeholder=placeholder or _("Søg efter en kommando …"), **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # as Textual's own, with the text translated
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("Ingen kommandoer passer"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
