"""F4's "Nævnt sammen" panel: the themes the same respondents mention together with the
theme under the cursor, with how many mention both and the Jaccard index (as
``qualcode cooccurrence``). The screen counts in a worker and hands the result here;
drawing is on the UI thread and needs no pandas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from qualcode.i18n import translator
from qualcode.io.fmt import number
from qualcode.io.table import Column, table_lines
from qualcode.tui.shown import flat, plain

if TYPE_CHECKING:
    from qualcode.core.cooccurrence import Cooccurrence

_, _n = translator("tui")

WAITING = _("Beregner hvilke temaer der nævnes sammen…")


def partners(result: Cooccurrence, key: str) -> list[tuple[str, int, str]]:
    """The themes mentioned together with ``key`` by at least one respondent, the most
    shared first: (label, respondents that mention both, Jaccard as shown)."""
    out = []
    for pair in result.with_theme(key):
        if pair.both == 0:
            break  # sorted by both: no later pair shares a respondent either
        label = pair.label_b if pair.code_a == key else pair.label_a
        out.append((label, pair.both, number(pair.jaccard, 2)))
    return out


class CooccurrencePanel(VerticalScroll, can_focus=False):
    """Shown under the counts table when ``s`` is pressed; hidden again by ``s``."""

    def compose(self) -> ComposeResult:
        yield Static(WAITING, id="counts-cooc")

    def waiting(self) -> None:
        self.query_one(Static).update(WAITING)

    def failed(self, why: str) -> None:
        self.query_one(Static).update(
            flat(_("Kunne ikke beregne temaer nævnt sammen: {why}").format(why=why))
        )

    def show(self, result: Cooccurrence, key: str, width: int) -> None:
        """The partners of the theme ``key`` of ``result``, in ``width`` cells."""
        theme = result.theme(key)
        plural = result.noun.plural
        text = flat(_("Nævnt sammen med {theme}").format(theme=theme.label), style="bold")
        mention = _("{n} af {total} {units} nævner temaet").format(
            n=theme.respondents, total=result.answered, units=plural
        )
        text.append(flat(f" · {mention} · {result.basis_label}"))
        found = partners(result, key)
        others = len(result.with_theme(key)) - len(found)
        if theme.respondents == 0:
            text.append("\n")
            text.append(flat(_("Ingen {units} nævner temaet.").format(units=plural)))
        elif not found:
            text.append("\n")
            text.append(
                flat(
                    _("Ingen {units} nævner temaet sammen med et andet tema.").format(units=plural)
                )
            )
        else:
            rows = [[label, str(both), jaccard] for label, both, jaccard in found]
            both, jaccard = _("Begge"), _("Jaccard")
            room = max(20, width - len(both) - len(jaccard) - 2 * 2 - 4)
            columns = [
                Column(_("Tema"), max_width=room),
                Column(both, right=True),
                Column(jaccard, right=True),
            ]
            text.append("\n")
            text.append(plain("\n".join(table_lines(columns, rows))))
            note = _("Jaccard: begge / {units} der nævner mindst ét af de to.").format(units=plural)
            if others:
                note += " " + _n(
                    "Ikke nævnt sammen med {n} andet tema.",
                    "Ikke nævnt sammen med {n} andre temaer.",
                    others,
                ).format(n=others)
            text.append("\n")
            text.append(flat(note, style="dim"))
        if any(result.is_nested(key, t.key) for t in result.themes if t.key != key):
            text.append(
                Text(
                    "\n"
                    + _(
                        "Overtema og egne undertemaer parres ikke: undertemaerne tælles med i "
                        "overtemaet."
                    ),
                    style="dim",
                )
            )
        self.query_one(Static).update(text)
