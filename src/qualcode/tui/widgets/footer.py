"""The key bar at the bottom of every screen: Textual's footer, rebuilt only when what it
shows has changed.

Textual rebuilds its footer (a widget per key, each styled twice as it mounts) whenever
the screen's bindings may have changed: at every focus change and screen switch, several
times before one frame is drawn. Nearly all of those leave the keys as they were; this
footer compares what it would show with what it shows, and rebuilds once per frame at
most, and only when they differ. What it shows is exactly what Textual's footer shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer as TextualFooter

if TYPE_CHECKING:
    from textual.screen import Screen


class Footer(TextualFooter):
    _shown: tuple | None = None  # the keys last composed
    _pending = False  # a check is due after the next refresh

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
