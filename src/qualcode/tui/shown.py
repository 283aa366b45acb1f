"""Text from data on its way to the workbench's screen.

Answers, transcripts, code labels, file and coder names come from survey exports and
colleagues' files and may hold anything: escape sequences that set the terminal's title or
clear it, and square brackets that Textual and Rich would read as markup (``[bold]``,
``[/]``, ``[@click=app.quit]``, and the placeholders ``[CPR]``, ``[TELEFON]``,
``[E-MAIL]``). Everything the workbench shows of such text goes through one of these:

- :func:`shown`: the text with control characters as visible symbols (ESC as ␛), one
  character for one, so offsets into it still point at the same characters;
- :func:`plain`: the same as a Rich :class:`~rich.text.Text`, which is never parsed as
  markup (Labels, Statics, DataTable cells, OptionList prompts take it as it is);
- :func:`flat`: the same on one line (newlines as ⏎, tabs as spaces);
- :func:`escaped`: for the few places that only take a markup string (the command
  palette's help): the text with every ``[`` escaped, so it shows as typed.

:class:`HideControls` is the last line of defence: a line filter on everything the app
draws that drops any control character still left in the output, so none reaches the
terminal even from a place this module was forgotten in.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from qualcode.errors import QualcodeError
from qualcode.safe import one_line, visible

# every control character: C0 (tab and newline too: a terminal line holds neither), DEL, C1
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def shown(value: object) -> str:
    """``value`` as text for the screen: control characters as visible symbols."""
    return visible(value if isinstance(value, str) else str(value))


def plain(value: object, style: str = "", **kwargs) -> Text:
    """``value`` as a Text that is never read as markup, control characters visible."""
    return Text(shown(value), style=style, **kwargs)


def flat(value: object, style: str = "", **kwargs) -> Text:
    """:func:`plain` on one line: newlines as ⏎, tabs as spaces."""
    return Text(one_line(value if isinstance(value, str) else str(value)), style=style, **kwargs)


def reason(error: BaseException) -> str:
    """Why something failed, on one line: a :class:`~qualcode.errors.QualcodeError`'s own
    message (written for the analyst), any other error's type and message (a bug)."""
    text = str(error) if isinstance(error, QualcodeError) else f"{type(error).__name__}: {error}"
    return one_line(text)


def escaped(value: object) -> str:
    """``value`` inside a Textual markup string: shown as typed, never as markup."""
    return shown(value).replace("[", "\\[")


class HideControls(LineFilter):
    """Drops control characters from every drawn line (widths stay as laid out: they
    take no cell). Segments that are themselves terminal controls are left alone."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = segments
        for index, segment in enumerate(segments):
            if segment.control or not _ANY_CONTROL.search(segment.text):
                continue
            if out is segments:
                out = list(segments)
            out[index] = Segment(_ANY_CONTROL.sub("", segment.text), segment.style)
        return out
