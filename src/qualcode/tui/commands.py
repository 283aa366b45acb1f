"""Command palette: every binding of the current screen, searchable by its description."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from qualcode.tui.shown import escaped


class BindingCommands(Provider):
    """Lists the active screen's and the app's bindings as palette commands."""

    def _commands(self):
        screen = self.screen
        seen = set()
        for active in screen.active_bindings.values():
            b = active.binding
            if not b.description or b.action in seen or not active.enabled:
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
