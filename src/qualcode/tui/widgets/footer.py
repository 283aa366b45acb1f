"""The key bar at the bottom of every screen: Textual's footer, rebuilt only when what it
shows has changed.

Textual rebuilds its footer (a widget per key, each styled twice as it mounts) whenever
the screen's bindings may have changed: at every focus change and screen switch, several
times before one frame is drawn. Nearly all of those leave the keys as they were; this
footer compares what it would show with what it shows, and rebuilds once per frame at
most, and only when they differ. What it shows is what Textual's footer shows, but for
one key: `?` (every key, the F-keys among them) is pinned at the right beside the palette,
so that on a narrow terminal, where the screen's own keys fill the bar, it still says
where the rest are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import HorizontalGroup
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

PINNED = "question_mark"  # the key kept in view at every width


class Footer(TextualFooter):
    _shown: tuple | None = None  # the keys last composed
    _pending = False  # a check is due after the next refresh

    DEFAULT_CSS = """
    Footer #footer-pinned {
        dock: right;
        width: auto;
        height: 1;
        border-left: vkey $foreground 20%;
    }
    Footer #footer-pinned FooterKey {
        padding-right: 1;
    }
    """

    def compose(self) -> ComposeResult:
        pinned: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.key == PINNED and not pinned:
                pinned.append(widget)
            elif isinstance(widget, FooterKey) and widget.has_class("-command-palette"):
                widget.remove_class("-command-palette")
                pinned.append(widget)
            else:
                yield widget
        if pinned:
            with HorizontalGroup(id="footer-pinned"):
                yield from pinned

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _keys(self) -> tuple:
        """Everything of the screen's active bindings that the footer draws."""
        return (
            self.show_command_palette,
            tuple(
                (binding, self.app.get_key_display(binding), enabled, tooltip)
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
        )

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
