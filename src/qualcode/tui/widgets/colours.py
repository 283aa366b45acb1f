"""A code's colour chosen by name (Danish or English: "rød", "red"), from a row of
swatches (arrows and Enter, or the mouse), or as #RRGGBB as before.

The named colours are twelve that read well on both the light and the dark theme: none
too pale for a white background, none too dark for a black one."""

from __future__ import annotations

import re

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label

from qualcode.i18n import translator
from qualcode.safe import one_line
from qualcode.tui.shown import plain

_, _n = translator("tui")


def _names() -> list[tuple[str, str]]:
    """(hex, name in the workbench's language) of the named colours, in the swatches'
    order (the rainbow, then brown and grey)."""
    return [
        ("#D62728", _("rød")),
        ("#FF7F0E", _("orange")),
        ("#E6B800", _("gul")),
        ("#BCBD22", _("oliven")),
        ("#2CA02C", _("grøn")),
        ("#17BECF", _("turkis")),
        ("#1F77B4", _("blå")),
        ("#5B5FC7", _("indigo")),
        ("#9467BD", _("lilla")),
        ("#E377C2", _("lyserød")),
        ("#8C564B", _("brun")),
        ("#7F7F7F", _("grå")),
    ]


# every name a colour is known by, in both languages, whatever the workbench's language
ALIASES: dict[str, str] = {
    "#D62728": "rød red",
    "#FF7F0E": "orange",
    "#E6B800": "gul yellow",
    "#BCBD22": "oliven olivengrøn olive",
    "#2CA02C": "grøn green",
    "#17BECF": "turkis turkisblå turquoise teal cyan",
    "#1F77B4": "blå blue",
    "#5B5FC7": "indigo",
    "#9467BD": "lilla violet purple",
    "#E377C2": "lyserød pink rosa",
    "#8C564B": "brun brown",
    "#7F7F7F": "grå grey gray",
}
NAMED = tuple(ALIASES)


def _fold(text: str) -> str:
    """As typed: case folded, æ ø å also as ae oe aa, spaces and hyphens ignored."""
    folded = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[\s-]+", "", folded)


_BY_NAME = {_fold(name): hex_ for hex_, names in ALIASES.items() for name in names.split()}
_SHORT_HEX = re.compile(r"^#?([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")
_LONG_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def parse_colour(text: str) -> str | None:
    """'rød', 'Red', '#abc', '1f77b4' -> '#RRGGBB'; '' for nothing typed; None when it
    is neither a colour's name nor a hex colour."""
    text = text.strip()
    if not text:
        return ""
    named = _BY_NAME.get(_fold(text))
    if named is not None:
        return named
    short = _SHORT_HEX.match(text)
    if short:
        return "#" + "".join(ch * 2 for ch in short.groups()).upper()
    long = _LONG_HEX.match(text)
    if long:
        return "#" + long.group(1).upper()
    return None


def colour_name(hex_: str) -> str | None:
    """The name of a named colour in the workbench's language, or None."""
    return dict(_names()).get(hex_.upper())


class Swatches(Widget, can_focus=True):
    """The named colours as a row of blocks: ←/→ move, Enter (or a click) picks one."""

    DEFAULT_CSS = """
    Swatches { height: 1; width: auto; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", _("Forrige farve"), show=False),
        Binding("right", "move(1)", _("Næste farve"), show=False),
        Binding("enter", "pick", _("Vælg farven"), show=False),
    ]
    CELL = 4  # " ██ ": a block and its margins, the click's target

    index: reactive[int] = reactive(0)

    class Picked(Message):
        def __init__(self, colour: str) -> None:
            super().__init__()
            self.colour = colour

    def __init__(self, current: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        upper = current.upper()
        self.set_reactive(Swatches.index, NAMED.index(upper) if upper in NAMED else 0)

    def render(self) -> Text:
        out = Text()
        for n, hex_ in enumerate(NAMED):
            mark = self.has_focus and n == self.index
            out.append("▕" if mark else " ", style="bold")
            out.append("██", style=hex_)
            out.append("▏" if mark else " ", style="bold")
        return out

    def get_content_width(self, container, viewport) -> int:
        return self.CELL * len(NAMED)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, step: int) -> None:
        self.index = (self.index + step) % len(NAMED)

    def action_pick(self) -> None:
        self.post_message(self.Picked(NAMED[self.index]))

    def on_click(self, event: events.Click) -> None:
        n = event.x // self.CELL
        if 0 <= n < len(NAMED):
            self.index = n
            self.focus()
            self.action_pick()


class ColourDialog(ModalScreen[str | None]):
    """A colour: typed as a name or #RRGGBB, or picked among the swatches; Escape cancels.
    Dismisses with '#RRGGBB' (or '' when ``allow_empty`` and nothing is typed); what is
    neither stays in the dialog with a one-line message, so nothing is changed."""

    DEFAULT_CSS = """
    ColourDialog #colour-swatches { margin: 1 0 0 0; }
    ColourDialog #colour-error { color: $text-error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", _("Fortryd"), tooltip=_("Close without changes")),
        Binding("down", "swatches", _("Farverne"), show=False),
    ]

    def __init__(
        self, title: str, value: str = "", *, allow_empty: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.value = value
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Input(
                one_line(self.value),
                placeholder=_("fx rød, blå eller #1F77B4"),
                id="dialog-input",
            )
            yield Swatches(self.value, id="colour-swatches")
            yield Label(self._swatch_name(self.value), id="colour-name")
            yield Label(
                _("Skriv et navn eller #RRGGBB, eller vælg en farve: ↓, så ←/→ og Enter."),
                classes="dialog-keys dim",
            )
            yield Label("", id="colour-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), variant="primary", id="ok")
                yield Button(_("Fortryd"), id="cancel")

    @staticmethod
    def _swatch_name(hex_: str) -> Text:
        hex_ = hex_.upper() if hex_.upper() in NAMED else NAMED[0]
        return Text.assemble(
            ("■ ", hex_),
            (
                # TRANSLATORS: a named colour in the colour dialog: 'lilla (#9467BD)'
                _("{name} ({colour})").format(name=colour_name(hex_), colour=hex_),
                "dim",
            ),
        )

    def on_mount(self) -> None:
        swatches = self.query_one(Swatches)
        self.watch(swatches, "index", self._swatch_moved, init=False)

    def _swatch_moved(self, index: int) -> None:
        self.query_one("#colour-name", Label).update(self._swatch_name(NAMED[index]))

    def action_swatches(self) -> None:
        self.query_one(Swatches).focus()

    @on(Swatches.Picked)
    def _picked(self, event: Swatches.Picked) -> None:
        self.dismiss(event.colour)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def accept(self) -> None:
        typed = self.query_one(Input).value
        colour = parse_colour(typed)
        if colour is not None and (colour or self.allow_empty):
            self.dismiss(colour)
            return
        message = (
            _(
                "»{typed}« er ingen farve: skriv fx rød, blue eller #1F77B4, eller vælg en "
                "af farverne."
            ).format(typed=one_line(typed.strip()))
            if typed.strip()
            else _("Skriv en farve, eller vælg en af farverne.")
        )
        self.query_one("#colour-error", Label).update(plain(message, style="bold"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
