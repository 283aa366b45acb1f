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

from qualcode.io.fmt import number
from qualcode.io.table import Column, table_lines
from qualcode.tui.shown import flat, plain

if TYPE_CHECKING:
    from qualcode.core.cooccurrence import Cooccurrence

WAITING = "Beregner hvilke temaer der nævnes sammen…"


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
        self.query_one(Static).update(flat(f"Kunne ikke beregne temaer nævnt sammen: {why}"))

    def show(self, result: Cooccurrence, key: str, width: int) -> None:
        """The partners of the theme ``key`` of ``result``, in ``width`` cells."""
        theme = result.theme(key)
        plural = result.noun.plural
        text = flat(f"Nævnt sammen med {theme.label}", style="bold")
        text.append(
            flat(
                f" · {theme.respondents} af {result.answered} {plural} nævner temaet"
                f" · {result.basis_label}"
            )
        )
        found = partners(result, key)
        others = len(result.with_theme(key)) - len(found)
        if theme.respondents == 0:
            text.append("\n")
            text.append(flat(f"Ingen {plural} nævner temaet."))
        elif not found:
            text.append("\n")
            text.append(flat(f"Ingen {plural} nævner temaet sammen med et andet tema."))
        else:
            rows = [[label, str(both), jaccard] for label, both, jaccard in found]
            room = max(20, width - len("Begge") - len("Jaccard") - 2 * 2 - 4)
            columns = [
                Column("Tema", max_width=room),
                Column("Begge", right=True),
                Column("Jaccard", right=True),
            ]
            text.append("\n")
            text.append(plain("\n".join(table_lines(columns, rows))))
            note = f"Jaccard: begge / {plural} der nævner mindst ét af de to."
            if others:
                note += f" Ikke nævnt sammen med {others} andre temaer."
            text.append("\n")
            text.append(flat(note, style="dim"))
        if any(result.is_nested(key, t.key) for t in result.themes if t.key != key):
            text.append(
                Text(
                    "\nOvertema og egne undertemaer parres ikke: undertemaerne tælles med i "
                    "overtemaet.",
                    style="dim",
                )
            )
        self.query_one(Static).update(text)
