"""The disagreement screen (F6): items where coders differ, side by side, settled into an
agreed coding that is kept as its own coder ("consensus") for counts and reports."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualcode.core.agreement import question_coders
from qualcode.core.codebook import Codebook
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import MISSING, integer, number
from qualcode.models import Disagreement
from qualcode.safe import one_line
from qualcode.tui.messages import AgreementComputed
from qualcode.tui.screens.base import ProjectScreen, number_bindings, undo_bindings
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.footer import Footer

_, _n = translator("tui")


class DisagreementScreen(ProjectScreen):
    TITLE = _("Uenighed")
    BINDINGS = [
        *number_bindings(
            "toggle",
            _("Enighed: kode"),
            id="disagree-code",
            tooltip=_("Add or remove the code at that number in the agreed coding"),
        ),
        Binding(
            "a",
            "take(0)",
            _("Vælg 1. koder"),
            id="disagree-first",
            tooltip=_("Agree on the first coder's codes"),
        ),
        Binding(
            "b",
            "take(1)",
            _("Vælg 2. koder"),
            id="disagree-second",
            tooltip=_("Agree on the second coder's codes"),
        ),
        Binding(
            "f",
            "common",
            _("Kun fælles"),
            id="disagree-common",
            tooltip=_("Agree on the codes every coder applied"),
        ),
        Binding(
            "u",
            "union",
            _("Alle koder"),
            id="disagree-union",
            tooltip=_("Agree on every code any coder applied"),
        ),
        Binding("n", "move(1)", _("Næste"), id="disagree-next", tooltip=_("Next disagreement")),
        Binding(
            "p",
            "move(-1)",
            _("Forrige"),
            id="disagree-previous",
            tooltip=_("Previous disagreement"),
        ),
        Binding(
            "o",
            "toggle_open",
            _("Kun uafgjorte"),
            id="disagree-open",
            tooltip=_("Show only the disagreements not settled yet, or all"),
        ),
        Binding(
            "e",
            "choose_coders",
            _("Kodere"),
            id="disagree-coders",
            tooltip=_("Choose which coders to compare, from the question's coders"),
        ),
        *undo_bindings("consensus", keys="ctrl+z", display="ctrl+z"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Label("", id="disagree-head")
            yield Static("", id="disagree-stats")
            with Horizontal(id="disagree-main"):
                yield OptionList(id="disagree-list")
                with Vertical(id="disagree-pane"):
                    yield Static("", id="disagree-compare")
                    with VerticalScroll(id="disagree-text-box"):
                        yield Static("", id="disagree-text")
        yield Footer()

    def on_mount(self) -> None:
        self.coders: list[str] = []
        self.only_open = False
        self.book: Codebook | None = None
        self.found: list[Disagreement] = []
        self.shown: list[Disagreement] = []
        self.reload()
        self.query_one("#disagree-list").focus()

    def on_screen_resume(self) -> None:
        if self.changed_since_shown():
            self.reload()

    # -- loading ------------------------------------------------------------------
    def reload(self, keep: int | None = None) -> None:
        qid = self.app.question
        head = self.query_one("#disagree-head", Label)
        if qid is None:
            head.update(_("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."))
            return
        question = self.project.question(qid)
        self.book = self.project.codebook(question.codebook)
        others = [c for c in question_coders(self.project, qid) if c != self.project.CONSENSUS]
        if len([c for c in self.coders if c in others]) < 2:
            self.coders = others[:2]  # a pair; e chooses another from the list
        self.sub_title = f"{qid} · {self.book.title}"
        if len(self.coders) < 2:
            head.update(
                plain(
                    _(
                        "{question}: mindst to kodere skal have kodet spørgsmålet for at "
                        "sammenligne (kodere nu: {coders})."
                    ).format(question=qid, coders=", ".join(others) or _("ingen"))
                )
            )
            self.found, self.shown = [], []
            self.query_one("#disagree-stats", Static).update("")
            self.query_one("#disagree-list", OptionList).clear_options()
            self._show(None)
            return
        current = keep if keep is not None else self.current_item_id
        # only items every coder has reviewed (coded, or marked 'no theme') can differ;
        # the ones still waiting for a coder are counted apart
        self.found, waiting = self.project.compare(qid, self.coders)
        self.shown = [d for d in self.found if not (self.only_open and d.settled)]
        settled = sum(d.settled for d in self.found)
        found = len(self.found)
        parts = [
            f"{qid}: {' ↔ '.join(self.coders)}",
            _n(
                "{n} uenighed, {settled} afgjort", "{n} uenigheder, {settled} afgjort", found
            ).format(n=integer(found), settled=integer(settled)),
            _("{n} venter på en koder").format(n=integer(waiting)),
        ]
        if self.only_open:
            parts.append(_("viser uafgjorte"))
        head.update(flat(" · ".join(parts), style="bold"))
        self._agreement(qid, tuple(self.coders))
        ol = self.query_one("#disagree-list", OptionList)
        ol.clear_options()
        ol.add_options([Option(self._row(d), id=str(d.item.id)) for d in self.shown])
        if self.shown:
            index = next((i for i, d in enumerate(self.shown) if d.item.id == current), 0)
            ol.highlighted = index
            self._show(self.shown[index])
        else:
            self._show(None)

    # -- agreement for the pair, per code ---------------------------------------------
    @work(
        thread=True,
        exclusive=True,
        group="agreement",
        exit_on_error=False,
        description=_("Enigheden kunne ikke beregnes"),
    )
    def _agreement(self, qid: str, coders: tuple[str, ...]) -> None:
        """Kappa (Cohen's for a pair, Fleiss' for more) and Krippendorff's alpha per code,
        over the items every coder reviewed, as ``qualcode agreement`` computes them."""
        from qualcode.core.agreement import agreement
        from qualcode.core.counts import plain_value

        with self.app.worker_project(readonly=True) as project:
            frame = agreement(project, qid, list(coders))
        kappa = "cohen_kappa" if len(coders) == 2 else "fleiss_kappa"
        rows = [
            (str(r["label"]), plain_value(r[kappa]), plain_value(r["krippendorff_alpha"]))
            for r in frame.to_dict("records")
            if r["kind"] in ("code", "pooled")
        ]
        self.post_message(AgreementComputed(qid, coders, rows, int(frame.attrs["units_complete"])))

    @on(AgreementComputed)
    def _show_agreement(self, event: AgreementComputed) -> None:
        if event.question != self.app.question or list(event.coders) != self.coders:
            return  # the question or the coders changed meanwhile
        out = Text(no_wrap=False)
        out.append(
            _n(
                "Enighed over {n} svar, begge har gennemgået (κ / α):",
                "Enighed over {n} svar, begge har gennemgået (κ / α):",
                event.units,
            ).format(n=integer(event.units))
            + " ",
            style="dim",
        )
        for n, (label, kappa, alpha) in enumerate(event.rows):
            out.append(" · " if n else "")
            pooled = n == len(event.rows) - 1
            out.append(shown(_("samlet") if pooled else label), style="bold" if pooled else "")
            out.append(f" {self._stat(kappa)} / {self._stat(alpha)}")
        self.query_one("#disagree-stats", Static).update(out)

    @staticmethod
    def _stat(value: object) -> str:
        return number(float(value), 2) if isinstance(value, (int, float)) else MISSING

    def _label(self, key: str) -> str:
        code = self.book.find(key) if self.book else None
        return code.label if code else key

    def _row(self, d: Disagreement) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append("✓ " if d.settled else "! ", style="green" if d.settled else "yellow")
        row.append(
            one_line(d.item.respondent) + (f" #{d.item.number}" if d.item.speaker_role else ""),
            style="bold",
        )
        for coder in self.coders:
            codes = ", ".join(self._label(k) for k in sorted(d.codes[coder])) or "–"
            row.append(one_line(f"  {coder}: {codes}"))
        return row

    @property
    def current(self) -> Disagreement | None:
        ol = self.query_one("#disagree-list", OptionList)
        if ol.highlighted is None or ol.highlighted >= len(self.shown):
            return None
        return self.shown[ol.highlighted]

    @property
    def current_item_id(self) -> int | None:
        d = self.current
        return d.item.id if d else None

    @on(OptionList.OptionHighlighted, "#disagree-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(self.current)

    def _show(self, d: Disagreement | None) -> None:
        compare = self.query_one("#disagree-compare", Static)
        text = self.query_one("#disagree-text", Static)
        if d is None or self.book is None:
            compare.update(
                Text(_("Ingen uenigheder at vise.") if len(self.coders) >= 2 else "", style="dim")
            )
            text.update("")
            return
        table = Table(box=None, expand=False, pad_edge=False)
        table.add_column("#", justify="right", style="bold")
        table.add_column(_("Kode"))
        for coder in self.coders:  # a str header would be read as markup
            table.add_column(flat(coder), justify="center")
        table.add_column(_("Enighed"), justify="center", style="bold green")
        involved = d.any_coder() | d.consensus
        for n, code in enumerate(self.book, start=1):
            if code.key not in involved and n > 9:
                continue
            marks = ["■" if code.key in d.codes[c] else "·" for c in self.coders]
            agreed = "■" if code.key in d.consensus else ("·" if d.settled else "")
            label = Text()
            label.append("■ ", style=code.color)
            label.append(shown(code.label), style="" if code.key in involved else "dim")
            table.add_row(str(n) if n <= 9 else "", label, *marks, agreed)
        compare.update(table)
        body = Text()
        body.append(shown(f"{d.item.respondent} {d.item.respondent_name}".strip()), style="bold")
        if d.item.speaker_role:
            body.append(shown(f" · {d.item.speaker_role}"), style="bold")
        body.append("\n" + shown(d.item.text))
        text.update(body)

    # -- settling -------------------------------------------------------------------
    def action_undo(self) -> None:
        self.undo_group("consensus")

    def action_redo(self) -> None:
        self.undo_group("consensus", redo=True)

    def _settle(self, codes: set[str] | frozenset[str], what: str) -> None:
        d = self.current
        if d is None:
            self.notify(_("Ingen uenighed valgt."), severity="warning")
            return
        try:
            self.project.settle(d.item.id, codes)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload(keep=d.item.id)
        labels = ", ".join(self._label(k) for k in sorted(codes)) or _("ingen koder")
        self.notify(
            _("Afgjort {respondent}: {codes} ({how})").format(
                respondent=d.item.respondent, codes=labels, how=what
            ),
            timeout=2,
            markup=False,
        )

    # the screen's own 'toggle' (keys 1-9) takes the place of DOMNode's toggle-an-attribute
    # action, which no binding here uses: Textual calls actions by name, not through the type
    def action_toggle(self, number: int) -> None:  # type: ignore[override]
        d = self.current
        if d is None or self.book is None:
            return
        if not 1 <= number <= len(self.book):
            self.notify(_("Kodebogen har ingen kode nr. {n}.").format(n=number), severity="warning")
            return
        key = self.book.codes[number - 1].key
        start = set(d.consensus) if d.settled else set(d.agreed())
        start ^= {key}
        self._settle(start, _("rettet"))

    def action_take(self, index: int) -> None:
        d = self.current
        if d is None or index >= len(self.coders):
            return
        coder = self.coders[index]
        self._settle(d.codes[coder], _("som {coder}").format(coder=coder))

    def action_common(self) -> None:
        d = self.current
        if d is not None:
            self._settle(d.agreed(), _("kun fælles koder"))

    def action_union(self) -> None:
        d = self.current
        if d is not None:
            self._settle(d.any_coder(), _("alle koder"))

    def action_move(self, step: int) -> None:
        ol = self.query_one("#disagree-list", OptionList)
        if self.shown:
            current = ol.highlighted if ol.highlighted is not None else -1
            ol.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_toggle_open(self) -> None:
        self.only_open = not self.only_open
        self.reload()

    def action_choose_coders(self) -> None:
        """Pick the coders to compare from a list: every pair of the question's coders,
        and all of them together when there are more than two."""
        from itertools import combinations

        from qualcode.tui.widgets.dialogs import PickDialog

        qid = self.app.question
        if qid is None:
            return
        known = [c for c in question_coders(self.project, qid) if c != self.project.CONSENSUS]
        if len(known) < 2:
            self.notify(
                _("Mindst to kodere skal have kodet {question} (kodere nu: {coders}).").format(
                    question=qid, coders=", ".join(known) or _("ingen")
                ),
                severity="warning",
            )
            return
        groups = [list(pair) for pair in combinations(known, 2)]
        if len(known) > 2:
            groups.append(known)
        choices = [
            (str(n), " ↔ ".join(g) + ("  ← " + _("nu") if g == self.coders else ""))
            for n, g in enumerate(groups)
        ]

        def chosen(value: str | None) -> None:
            if value is not None:
                self.coders = groups[int(value)]
                self.reload()

        self.app.push_screen(
            PickDialog(_("Kodere der sammenlignes"), choices, id="disagree-pick"), chosen
        )
