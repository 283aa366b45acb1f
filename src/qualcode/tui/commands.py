"""Command palette: every action of the workbench, searchable by its description, in the
workbench's language. The app's own actions come first (the screens' F-keys, question,
coder, theme, help), then the current screen's, then every other screen's, each named
after its screen ("Kodebog (f5) › Farve (c)"); choosing one of those shows that screen and
runs it there.

Textual writes its own texts in English (the palette's placeholder, "No matches found",
the widgets' key descriptions such as "Cursor up"); none of them reaches the analyst:
:class:`Palette` says its texts through the catalogue, and :class:`BindingCommands`
lists qualcode's own bindings only (see :func:`from_textual`), and of those no key that
only moves (arrows, page keys, a widget's hidden twins of the screen's keys).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
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

# keys that only move the cursor or the focus: the palette has its own arrows
NAVIGATION = frozenset(
    {"up", "down", "left", "right", "home", "end", "pageup", "pagedown", "tab", "shift+tab"}
)


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


def from_textual(node: DOMNode | type[DOMNode], binding: Binding) -> bool:
    """Is ``binding`` one of Textual's own (a widget's "Cursor up", the screen's "Focus
    Next"), described in English whatever the language? The palette and the help leave
    them out; qualcode's own keys say what the analyst needs. ``node``: the widget, screen
    or app that has the binding, or its class."""
    cls = node if isinstance(node, type) else type(node)
    return (binding.action, binding.description) in _textual_bindings(cls)


def in_palette(node: DOMNode | type[DOMNode], binding: Binding) -> bool:
    """Is ``binding`` an action worth a line in the palette? Not Textual's own, not the
    palette's own key, not a key that only moves (an arrow, a page key), and not a hidden
    key without an id (a widget's twin of a screen key, the number keys after 1)."""
    if not binding.description or binding.action == "command_palette":
        return False
    keys = {key.strip() for key in binding.key.split(",")}
    if keys <= NAVIGATION:
        return False
    if not binding.id and not binding.show:
        return False
    return not from_textual(node, binding)


Runner = Callable[[], Awaitable[None]]


class BindingCommands(Provider):
    """Every action as a palette command: the app's, the screen's, the other screens'."""

    def _commands(self) -> Iterator[tuple[str, str, DOMNode | str, str]]:
        """(text, help, where, action) of every binding listed, in the palette's order:
        the app's, the current screen's, then each other screen's; ``where`` is the node
        that runs the action, or the mode of the screen to show first."""
        screen = self.screen
        app = self.app
        seen: set[tuple[bool, str]] = set()
        # qualcode's keys with an id first: q 'Afslut' is listed, not its twin ctrl+q
        actives = sorted(screen.active_bindings.values(), key=lambda a: not a.binding.id)
        mine = [a for a in actives if a.node is app]
        theirs = [a for a in actives if a.node is not app]
        for active in mine + theirs:
            b = active.binding
            key = (active.node is app, b.action)
            if key in seen or not active.enabled or not in_palette(active.node, b):
                continue
            seen.add(key)
            # the palette reads help as markup: the tooltips' [CPR] must show as written
            yield (
                f"{b.description} ({app.get_key_display(b)})",
                escaped(b.tooltip or ""),
                active.node,
                b.action,
            )
        yield from self._other_screens()

    def _other_screens(self) -> Iterator[tuple[str, str, DOMNode | str, str]]:
        """The bindings of every task screen but the one shown, named after their screen.
        Only over a task screen: a dialog or the import screen on top keeps its own."""
        from qualcode.tui.app import SCREENS, screen_class

        app = self.app
        stack = app.screen_stack
        if not stack or stack[0] is not self.screen:
            return
        names: dict[str, str] = {}
        for listed in app._bindings.key_to_bindings.values():
            for binding in listed:
                if binding.action.startswith("show("):
                    mode = binding.action[len("show('") : -len("')")]
                    names[mode] = f"{binding.description} ({app.get_key_display(binding)})"
        for mode in SCREENS:
            if mode == app.current_mode or mode not in names:
                continue
            cls = screen_class(mode)
            seen: set[str] = set()
            keys = cls._merge_bindings().key_to_bindings.values()
            bindings = [binding for listed in keys for binding in listed]
            for binding in sorted(bindings, key=lambda binding: not binding.id):
                if binding.action in seen or not in_palette(cls, binding):
                    continue
                seen.add(binding.action)
                yield (
                    f"{names[mode]} › {binding.description} ({app.get_key_display(binding)})",
                    escaped(binding.tooltip or ""),
                    mode,
                    binding.action,
                )

    def _entries(self) -> Iterator[tuple[str, str, Runner | Callable[[], object]]]:
        """(text, help, what to call): the app's keys, then Textual's system commands
        (the colour theme, a screenshot, in the workbench's language), then the screens'."""
        app_done = False
        for text, help_text, node, action in self._commands():
            if not app_done and node is not self.app:
                app_done = True
                yield from self._system_commands()
            yield text, help_text, self._runner(node, action)
        if not app_done:
            yield from self._system_commands()

    def _system_commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        for name, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield name, help_text, callback

    async def discover(self) -> Hits:
        for text, help_text, run in self._entries():
            yield DiscoveryHit(text, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, run in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, help=help_text)

    def _runner(self, node: DOMNode | str, action: str) -> Runner:
        """Run ``action`` on ``node``; for another screen's (``node`` its mode), show that
        screen first and run it there, as its key would."""
        app = self.app

        async def run() -> None:
            if isinstance(node, str):
                await app.switch_mode(node)
                await app.run_action(action, app.screen)
            else:
                await app.run_action(action, node)

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
