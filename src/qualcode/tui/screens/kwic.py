"""Keyword in context over the question's items: find a word in any inflection, code from
the list.

Opened with ``w`` from the coding screen. The word is matched on lemmas
(:mod:`qualcode.nlp.kwic`), so "fleksjob" lists "fleksjobbet" and "Fleksjobberne". Each hit
shows the jobcentre and the words around it; number keys code the hit's item with the code
at that position (as in the coding screen), Enter goes to the item, Escape closes.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.safe import one_line
from qualcode.tui.messages import KwicFound, WorkerFailed
from qualcode.tui.screens.base import WorkerScreen, number_bindings
from qualcode.tui.shown import flat, reason

_, _n = translator("tui")


class KwicScreen(WorkerScreen, ModalScreen[int | None]):
    BINDINGS = [
        *number_bindings(
            "toggle_code",
            _("Kod"),
            id="kwic-code",
            tooltip=_("Toggle the code at that number on the highlighted hit's item"),
        ),
        Binding("escape", "close", _("Luk"), id="kwic-close", tooltip=_("Back to coding")),
    ]

    def __init__(self, question: str, word: str = "") -> None:
        super().__init__()
        self.question = question
        self.word = word
        self.hits: list = []

    @property
    def project(self):
        return self.app.project

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="kwic"):
            yield Label(
                flat(
                    _(
                        "Ord i kontekst · {question} (bøjninger og ae/oe/aa findes også; "
                        "ord* = begynder med)"
                    ).format(question=self.question)
                ),
                classes="dialog-title",
            )
            yield Input(self.word, placeholder=_("ord eller frase, fx fleksjob"), id="kwic-word")
            yield Label("", id="kwic-status")
            yield OptionList(id="kwic-hits")

    def on_mount(self) -> None:
        self.book = self.project.codebook(self.project.question(self.question).codebook)
        self.query_one("#kwic-word", Input).focus()
        if self.word:
            self.search(self.word)

    @on(Input.Submitted, "#kwic-word")
    def _submitted(self, event: Input.Submitted) -> None:
        self.search(event.value)

    def search(self, word: str) -> None:
        self.word = word
        self.query_one("#kwic-status", Label).update(_("Søger …"))
        self._search(word)

    @work(
        thread=True,
        exclusive=True,
        group="kwic",
        exit_on_error=False,
        description=_("Søgningen mislykkedes"),
    )
    def _search(self, word: str) -> None:
        from qualcode.nlp.kwic import kwic

        worker = get_current_worker()
        # writable: the words' analyses go to the project's NLP cache for the next search
        with self.app.worker_project() as project:
            try:
                hits = kwic(
                    project, word, question=self.question, cancelled=lambda: worker.is_cancelled
                )
                error = ""
            except QualcodeError as exc:  # e.g. no word in what was typed
                hits, error = [], str(exc)
        if not worker.is_cancelled:
            self.post_message(KwicFound(word, hits, error))

    @on(WorkerFailed)
    def _failed(self, event: WorkerFailed) -> None:
        self.query_one("#kwic-status", Label).update(flat(reason(event.error)))

    @on(KwicFound)
    def _show(self, event: KwicFound) -> None:
        word, hits, error = event.word, event.hits, event.error
        if word != self.word:
            return
        self.hits = hits
        status = error or _n(
            "{n} fund af »{word}« · tal koder svaret, Enter går til det, Esc lukker",
            "{n} fund af »{word}« · tal koder svaret, Enter går til det, Esc lukker",
            len(hits),
        ).format(n=len(hits), word=word)
        self.query_one("#kwic-status", Label).update(flat(status))
        options = self.query_one("#kwic-hits", OptionList)
        options.clear_options()
        options.add_options([Option(self._prompt(h), id=str(n)) for n, h in enumerate(hits)])
        if hits:
            options.highlighted = 0
            options.focus()

    def _prompt(self, hit) -> Text:
        codes = {
            c.code for c in self.project.codings(item_id=hit.item_id, coder=self.project.coder)
        }
        text = Text()
        text.append(f"{one_line(hit.respondent):<6}", style="bold")
        for code in self.book:
            if code.key in codes:
                text.append("■", style=code.color)
        text.append(" ")
        text.append(f"{one_line(hit.left):>40} ", style="dim")
        text.append(one_line(hit.match), style="bold reverse")
        text.append(f" {one_line(hit.right)}", style="dim")
        return text

    def _current(self):
        options = self.query_one("#kwic-hits", OptionList)
        if options.highlighted is None or not self.hits:
            return None
        return self.hits[options.highlighted]

    def action_toggle_code(self, number: int) -> None:
        hit = self._current()
        if hit is None or not 1 <= number <= len(self.book):
            return
        code = self.book.codes[number - 1]
        try:
            added = self.project.toggle_code(hit.item_id, code.key)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        options = self.query_one("#kwic-hits", OptionList)
        index = options.highlighted
        for n, other in enumerate(self.hits):  # every hit in the same item shows the mark
            if other.item_id == hit.item_id:
                options.replace_option_prompt_at_index(n, self._prompt(other))
        options.highlighted = index
        done = (
            _("Kodet {respondent}: {code}") if added else _("Fjernet {code} fra {respondent}")
        ).format(respondent=hit.respondent, code=code.label)
        self.query_one("#kwic-status", Label).update(flat(f"✓ {done}", style="green"))

    @on(OptionList.OptionSelected, "#kwic-hits")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:  # every hit's option has its index as id
            return
        self.dismiss(self.hits[int(event.option.id)].item_id)

    def action_close(self) -> None:
        self.dismiss(None)
