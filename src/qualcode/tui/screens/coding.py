"""The coding screen: the queue, the current item, and the question's codebook.

Number keys toggle the code at that position on the whole item, or on the selected
text when there is a selection. Every change is committed before the screen shows it.

Suggestions (keyword rules and the trained model, :mod:`qualcode.nlp.suggest`) are worked
out in thread workers on the screen's own connection, so moving between items never waits
for spaCy. ``a`` then a suggestion's number accepts it, ``x`` then a number rejects it (Enter,
or the letter again, takes the first; both are undone with ``u``), ``T`` retrains the model
with a progress bar (``T`` again cancels), ``o`` orders the queue by the model's uncertainty.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Input, Label, ProgressBar, Static
from textual.worker import Worker, get_current_worker

from qualcode.core.codebook import Codebook
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import number
from qualcode.models import Coding, Item
from qualcode.tui.messages import (
    AssistantReady,
    CodeChosen,
    ItemChosen,
    SuggestionsFound,
    TrainingDone,
    TrainingProgress,
    UncertaintyOrdered,
    WorkerFailed,
)
from qualcode.tui.screens.base import ProjectScreen, number_bindings
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.code_panel import CodePanel
from qualcode.tui.widgets.footer import Footer
from qualcode.tui.widgets.item_queue import ItemQueue, Query, Rows, index_of
from qualcode.tui.widgets.item_view import CodedTextArea, Span
from qualcode.tui.widgets.suggestion_bar import SuggestionBar

if TYPE_CHECKING:
    from qualcode.nlp.suggest import Suggester, Suggestion

_, _n = translator("tui")

NOTES_LINES = 6  # the height of the pane of the item's codings and memos (app.tcss)


def load_suggester(
    project: Project, qid: str, coder: str, *, blind: bool = False
) -> tuple[Suggester, str, str]:
    """The question's suggester as ``coder`` sees it (keyword rules, and the trained model
    when there is one), the note shown beside its suggestions and a warning (or ''). Runs
    in the coding screen's worker: the first call loads spaCy's pipeline. The TUI tests
    replace it with one that never suggests anything (tests/tui/conftest.py).

    ``blind`` (blind double-coding): nothing derived from other coders. The rules are
    scored on the coder's own codings, and the model is one trained on them alone (T in
    blind mode trains it, kept apart from the shared model); the shared model, learned
    mostly from the first coder, is never used."""
    from qualcode.nlp.suggest import Suggester
    from qualcode.nlp.textcat import coder_folder, default_folder, load, model_folder

    note, warning = "", ""
    model = None
    stem = project.question(qid).codebook
    try:
        folder = model_folder(
            coder_folder(project, coder) if blind else default_folder(project), stem
        )
    except QualcodeError as exc:  # a codebook name that cannot name a folder: no model
        folder, warning = None, str(exc)
    if folder is not None and folder.exists():
        try:
            model = load(folder, stem)
        except QualcodeError as exc:
            warning = _("Modellen kunne ikke indlæses: {error}").format(error=exc)
    assist = Suggester(project, qid, model=model, coder=coder, own_only=blind)
    if blind:
        note = (
            _("· blind: nøgleord og din egen model")
            if assist.model is not None
            else _("· blind: kun nøgleord (T træner på dine egne kodninger)")
        )
    elif assist.model is None:
        note = _("· kun nøgleord (T træner)")
    return assist, note, warning


class CodingScreen(ProjectScreen):
    TITLE = _("Kodning")
    BINDINGS = [
        *number_bindings(
            "toggle_code",
            _("Kod"),
            id="code",
            tooltip=_("Toggle the code at that number (on the selected text, if any)"),
        ),
        Binding(
            "0",
            "no_theme",
            _("Ingen tema"),
            id="none",
            tooltip=_("Reviewed, no theme applies (again: take the mark away)"),
        ),
        Binding(
            "c",
            "pick_code",
            _("Kod ved navn"),
            id="pick",
            tooltip=_("Type a part of a code's name (any code, not only 1-9); recent codes first"),
        ),
        Binding("n", "next", _("Næste"), id="next", tooltip=_("Next item in the queue")),
        Binding(
            "p", "previous", _("Forrige"), id="previous", tooltip=_("Previous item in the queue")
        ),
        Binding(
            "u,ctrl+z",
            "undo",
            _("Fortryd"),
            id="undo",
            key_display="u",
            tooltip=_("Undo your latest coding (also after a restart)"),
        ),
        Binding("ctrl+y", "redo", _("Gentag"), id="redo", tooltip=_("Redo what you undid")),
        Binding(
            "m",
            "memo",
            _("Memo"),
            id="memo",
            tooltip=_("Write a memo on the item or on one of its codings"),
        ),
        Binding(
            "slash",
            "search",
            _("Søg"),
            id="search",
            key_display="/",
            tooltip=_("Filter the queue: words, kode:KEY, jc:ID"),
        ),
        Binding(
            "f",
            "cycle_filter",
            _("Filter"),
            id="filter",
            tooltip=_("Show all, uncoded or coded items"),
        ),
        Binding(
            "t",
            "focus_text",
            _("Markér tekst"),
            id="text",
            tooltip=_(
                "Focus the text to select a passage with shift+arrows; ctrl+home and ctrl+end "
                "go to its start and end"
            ),
        ),
        Binding(
            "ctrl+home",
            "text_start",
            _("Tekstens start"),
            id="text-start",
            show=False,
            tooltip=_("Go to the start of the text (a long answer or excerpt)"),
        ),
        Binding(
            "ctrl+end",
            "text_end",
            _("Tekstens slutning"),
            id="text-end",
            show=False,
            tooltip=_("Go to the end of the text (a long answer or excerpt)"),
        ),
        Binding(
            "r",
            "refresh",
            _("Opdatér"),
            id="refresh",
            tooltip=_("Reload from the project file (shows other coders' new work)"),
        ),
        Binding(
            "h",
            "toggle_blind",
            _("Skjul andre"),
            id="blind",
            tooltip=_("Show only your own codings (blind double-coding), or everyone's"),
        ),
        Binding(
            "a",
            "accept_suggestion",
            _("Acceptér"),
            id="accept",
            tooltip=_("Accept a suggestion: a, then its number (a again or Enter: the first)"),
        ),
        Binding(
            "x",
            "reject_suggestion",
            _("Afvis"),
            id="reject",
            tooltip=_("Reject a suggestion: x, then its number (x again or Enter: the first)"),
        ),
        Binding(
            "T",
            "train",
            _("Træn"),
            id="train",
            tooltip=_("Retrain the suggestion model on the codings so far (T again cancels)"),
        ),
        Binding(
            "w",
            "kwic",
            _("Ord i kontekst"),
            id="kwic",
            tooltip=_("Find a word in any inflection, with context; code from the list"),
        ),
        Binding(
            "o",
            "toggle_order",
            _("Rækkefølge"),
            id="order",
            tooltip=_("Queue in file order, or the items the model is least sure of first"),
        ),
        Binding(
            "g",
            "grid",
            _("Svartabel"),
            id="grid",
            show=False,  # in the help (?) and the palette; the footer is full
            tooltip=_(
                "The answers as a table with attribute columns: sort, filter, Enter opens one"
            ),
        ),
        Binding("escape", "focus_queue", _("Kø"), show=False),
        # after a or x, the number of the suggestion (these keys do nothing else then;
        # check_action lets them through to their usual bindings the rest of the time)
        *(
            Binding(str(n), f"pick_suggestion({n})", show=False, priority=True)
            for n in range(1, 10)
        ),
        Binding("enter", "pick_suggestion(1)", show=False, priority=True),
        Binding("escape", "cancel_suggestion", show=False, priority=True),
    ]

    blind = False  # show only the current coder's codings

    @property
    def shown_coder(self) -> str | None:
        """Whose codings the screen shows: only the current coder's when blind, else all."""
        return self.project.coder if self.blind else None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="coding-main"):
            yield ItemQueue(id="queue")
            with Vertical(id="item-pane"):
                yield Label("", id="item-head")
                yield Label("", id="item-context")
                yield Label("", id="question-text")
                yield CodedTextArea(id="item-text")
                yield Label("", id="last-action")
                # the item's codings and memos: scrolls (mouse, or tab to it and the
                # arrows) when they are more than its few lines
                with VerticalScroll(id="item-notes"):
                    yield Static("", id="item-codings")
            with Vertical(id="codes-pane"):
                yield CodePanel(id="codes")
                yield ProgressBar(id="train-progress", show_eta=False)
                yield SuggestionBar(id="suggestions")
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self._loaded: tuple = ()
        self._rest: str | None = None  # the question whose queue has only its first page
        self.book: Codebook | None = None
        self.item: Item | None = None
        self.order = "file"  # or "uncertainty"
        self._unsure: dict[int, float] = {}
        self._attributes: dict[str, dict[str, str]] = {}  # respondent -> attributes, shown
        self._assist: Suggester | None = None  # on its own connection, used in workers only
        self._assist_for: tuple = ()
        self._assist_loader: Worker | None = None
        self._assist_lock = threading.Lock()
        self._training: Worker | None = None
        self.query_one("#train-progress", ProgressBar).display = False
        self.reload()
        self.query_one("#queue-list").focus()

    def on_screen_resume(self) -> None:
        # coming back from another screen: reload only if something changed meanwhile
        if getattr(self, "book", None) is not None and self._stamp() != self._loaded:
            self.reload()

    def _stamp(self) -> tuple:
        """What the screen shows depends on: the log's last event, question, coder, mode."""
        return (self.project.last_change(), self.app.question, self.project.coder, self.blind)

    def _first_steps(self) -> str:
        """What to do in a project without questions: how to import the first answers."""
        name = Path(self.project.path).name
        units = self.project.noun().plural
        return _(
            "Sådan kommer du i gang:\n\n"
            "Tryk i for at importere svar (CSV eller XLSX, ét svar pr. række), interview "
            "(TXT, MD eller DOCX) eller en REFI-QDA-fil (QDPX) fra NVivo, MAXQDA eller "
            "ATLAS.ti.\n\n"
            "Et register over {units} (CSV med en kolonne pr. oplysning) kan importeres "
            "på samme måde; så kan tabellerne deles op efter oplysningerne.\n\n"
            "Fra kommandolinjen:\n"
            "  qualcode import answers {name} svar.csv --question ID --codebook NAVN\n\n"
            "Ved importen vælger du en kodebog; F5 viser og redigerer den bagefter."
        ).format(units=units, name=name)

    def reload(self, *, top: bool = False) -> None:
        """(Re)load the question: queue, codebook panel and current item (the same one,
        or with ``top`` the first in the queue)."""
        qid = self.app.question
        queue = self.query_one(ItemQueue)
        if qid is None:
            self.query_one("#item-head", Label).update(_("Projektet har ingen spørgsmål endnu."))
            self.query_one(CodedTextArea).show(self._first_steps(), [])
            return
        question = self.project.question(qid)
        self.book = self.project.codebook(question.codebook)
        where = f"{question.id} · {self.book.title}"
        self.sub_title = (
            _("blind: kun dine kodninger · {question}").format(question=where)
            if self.blind
            else where
        )
        self.query_one("#question-text", Label).update(plain(question.text, style="italic"))
        current = self.item.id if self.item and self.item.question == qid else None
        if top:
            current = None
        self.item = None
        self._rest = None
        if current is None and not top and self._first_page_will_do(queue):
            self._load_first_page(qid, queue)
        else:
            self._load_queue(qid, keep=current, top=top)
        self._loaded = self._stamp()

    # the first screenful of the queue, shown before the rest is read (a question of a
    # million answers has 200,000 items: reading them all and counting takes ~0.5 s)
    FIRST_PAGE = 200
    _notes_height: int | None = None  # the codings pane's height last drawn (lines)

    def _first_page_will_do(self, queue: ItemQueue) -> bool:
        """Whether the first page of the queue in file order is what the whole queue would
        show first: no filter that needs the marks, no order that needs the model."""
        return queue.status == "alle" and not (self.order == "uncertainty" and self._unsure)

    def _load_first_page(self, qid: str, queue: ItemQueue) -> None:
        """Show the first page of the queue and its first item now, with no marks, counts
        or progress; the rest (:meth:`_finish_load`) right after the first frame, or as
        soon as anything needs it."""
        rows = self.project.queue_rows(qid, limit=self.FIRST_PAGE)
        self._rest = qid
        self.counts: dict[str, int] = {}
        self.progress = (0, len(rows))
        queue.load(
            Rows(rows),
            set(),
            None,
            none=set(),
            snippet_loader=self.project.snippets,
            searcher=self._search,
        )
        assert self.book is not None  # loaded by reload() before the queue
        self.query_one(CodePanel).load(self.book, {}, set(), pending=True)
        if queue.current_item_id is not None:
            self.show_item(queue.current_item_id)
        if getattr(self.app, "started", True):
            self.call_after_refresh(self._finish_load)
        else:  # the app calls after_first_frame once its first frame is on the terminal
            self.set_timer(2.0, self._finish_load)  # (and should it not, this does)

    def after_first_frame(self) -> None:
        self._finish_load()

    def _finish_load(self) -> None:
        """Read the whole queue, the marks, the progress and the live counts, if only the
        first page is loaded (on the item shown, wherever the cursor went meanwhile).
        Everything that changes or filters the queue calls it first."""
        qid, self._rest = self._rest, None
        if qid is None or qid != self.app.question or not self.is_attached:
            return
        keep = self.item.id if self.item is not None else None
        self._load_queue(qid, keep=keep, top=False, shown=keep)

    def _load_queue(
        self, qid: str, *, keep: int | None, top: bool, shown: int | None = None
    ) -> None:
        """Load the whole queue, its marks, progress and the live counts; then show the
        item ``keep`` (or the first), unless it is ``shown`` already."""
        queue = self.query_one(ItemQueue)
        rows = self.project.queue_rows(qid)
        coded = self.project.coded_items(qid, coder=self.shown_coder)
        if self.order == "uncertainty" and self._unsure:
            # the items the model is least sure of first; coded ones after, in file order
            rows.sort(key=lambda r: (r[0] in coded, -self._unsure.get(r[0], -1.0)))
        # counts are computed once here, then kept up to date by each action's delta
        self.counts = self.project.respondent_counts(qid, coder=self.shown_coder)
        none = self.project.no_theme_items(qid, coder=self.shown_coder)
        reviewed = coded | none
        self.progress = (sum(1 for r in rows if r[0] in reviewed), len(rows))
        if top and rows:
            keep = rows[0][0]
        queue.load(
            Rows(rows),
            coded,
            self.progress,
            none=none,
            snippet_loader=self.project.snippets,
            searcher=self._search,
            keep=keep,
        )
        assert self.book is not None  # loaded by reload() before the queue
        self.query_one(CodePanel).load(self.book, self.counts, set())
        if self._assist_for != self._assist_key():
            self._start_assistant()
        current = queue.current_item_id
        if current is not None and current != shown:
            self.show_item(current)
        else:
            self._refresh_codes()
        # the queue's rows live as long as the screen: keep the garbage collector from
        # walking them on every key press (full collections cost 50-100 ms at 100k rows)
        gc.collect()
        gc.freeze()

    def _search(self, query: Query) -> set[int]:
        qid = self.app.question
        assert qid is not None  # the queue is loaded, and searched, only for a question
        unknown = [c for c in query.codes if self.book is None or self.book.find(c) is None]
        if unknown:  # an empty queue would look like "nothing is coded with it"
            known = ", ".join(c.key for c in self.book) if self.book else ""
            self.notify(
                _("Ukendt kode: {codes}. Kodebogen har: {known}").format(
                    codes=", ".join(unknown), known=known
                ),
                severity="warning",
                timeout=6,
            )
            return set()
        allowed: set[int] | None = None
        for code in query.codes or (None,):
            found = self.project.search_items(
                qid, words=list(query.words), code=code, coder=self.shown_coder
            )
            allowed = found if allowed is None else allowed & found
        return allowed or set()

    def _refresh_codes(self) -> None:
        applied = (
            {c.code for c in self.project.codings(item_id=self.item.id, coder=self.shown_coder)}
            if self.item
            else set()
        )
        self.query_one(CodePanel).update_counts(self.counts, applied)

    def _closure(self, keys: set[str]) -> set[str]:
        """The codes and every ancestor of them: what a parent's count includes."""
        assert self.book is not None  # loaded with the item whose codes these are
        out = set()
        for key in keys:
            code = self.book.find(key)
            while code is not None:
                out.add(code.key)
                code = self.book.find(code.parent) if code.parent else None
        return out

    # -- the current item -----------------------------------------------------------
    @on(ItemChosen)
    def _chosen(self, event: ItemChosen) -> None:
        if self.item is None or self.item.id != event.item_id:  # not shown by _sync_item yet
            self.show_item(event.item_id)

    def _sync_item(self) -> bool:
        """Show the item the queue is on, if its ItemChosen message has not arrived yet: a
        key typed right after n (type-ahead) is handled before that message, and must act
        on the item the queue moved to, never on the one left. True if it changed."""
        current = self.query_one(ItemQueue).current_item_id
        if current is None or (self.item is not None and self.item.id == current):
            return False
        self.show_item(current)
        return True

    def show_item(self, item_id: int) -> None:
        self.item = self.project.item(item_id)
        it = self.item
        parts = [f"{it.respondent} {it.respondent_name}".strip()]
        if it.speaker_role:
            total = len(
                self.project.items(it.question, respondent=it.respondent, include_interviewer=True)
            )
            parts += [
                it.speaker_role,
                _("uddrag {number} af {total}").format(number=it.number, total=total),
            ]
        self.query_one("#item-head", Label).update(flat(" · ".join(parts), style="bold"))
        self.query_one("#item-context", Label).update(
            flat(self._item_context(it), no_wrap=True, overflow="ellipsis"), layout=False
        )
        self.query_one(CodedTextArea).show(it.text, self._spans())
        self._show_codings()
        self._refresh_codes()
        self._request_suggestions()

    def _item_context(self, it: Item) -> str:
        """What to know while coding the item: for an interview excerpt the interviewer's
        question before it, and the respondent's attributes (kommune, region, closed
        answers), as the register has them."""
        parts = []
        if it.speaker_role:
            turns = self.project.items(
                it.question, respondent=it.respondent, include_interviewer=True
            )
            asked = [t for t in turns if t.kind == "interviewer" and t.position < it.position]
            if asked:
                parts.append(_("Spørgsmål: {text}").format(text=" ".join(asked[-1].text.split())))
        attributes = self._attributes.get(it.respondent)
        if attributes is None:
            attributes = self.project.respondent(it.respondent).attributes
            self._attributes[it.respondent] = attributes
        parts += [f"{name}: {value}" for name, value in attributes.items() if value.strip()]
        return " · ".join(parts)

    def _spans(self) -> list[Span]:
        assert self.item is not None  # the spans of the item shown
        colors = {c.key: c.color for c in self.book} if self.book else {}
        return [
            Span(c.start, c.end, colors.get(c.code, "#7F7F7F"), c.code)
            for c in self.project.codings(item_id=self.item.id, coder=self.shown_coder)
            if c.start is not None and c.end is not None  # a span, not the whole item
        ]

    def _show_codings(self) -> None:
        out = Text()
        if self.item is None:
            self._show_notes(out)
            return
        notes: dict[tuple[str, str], list] = {}  # the memos on the item and on each coding
        for memo in self.project.item_memos(self.item.id):
            notes.setdefault((memo.target, memo.target_id or ""), []).append(memo)
        for c in self.project.codings(item_id=self.item.id, coder=self.shown_coder):
            code = self.book.find(c.code) if self.book else None
            color = code.color if code else "#7F7F7F"
            label = code.label if code else c.code
            where = (
                _("hele svaret")
                if not c.is_span
                else "»" + " ".join(self.item.text[c.start : c.end].split())[:50] + "«"
            )
            out.append("■ ", style=color)
            out.append(shown(label), style="bold")
            origin = {"rule": _("forslag: regel"), "model": _("forslag: model")}.get(c.origin)
            who = f"{c.coder}, {origin}" if origin else c.coder
            out.append(shown(f" – {where} ({who})") + "\n", style="dim")
            for memo in notes.get(("coding", str(c.id)), ()):
                out.append(shown(f"  ✎ {memo.text} ({memo.author})") + "\n", style="italic")
        marks = self.project.no_theme_marks(self.item.id)
        for coder in sorted(marks if self.shown_coder is None else marks & {self.shown_coder}):
            out.append("∅ ", style="yellow")
            out.append(_("Ingen tema"), style="bold")
            out.append(
                shown(" – " + _("gennemgået ({coder})").format(coder=coder)) + "\n", style="dim"
            )
        for memo in notes.get(("item", str(self.item.id)), ()):
            out.append(shown(f"✎ {memo.text} ({memo.author})") + "\n", style="italic")
        if not out.plain:
            out.append(
                _("Ikke gennemgået endnu: tryk et tal for at kode, 0 hvis intet tema passer."),
                style="dim",
            )
        self._show_notes(out)

    def _show_notes(self, out: Text) -> None:
        """The codings and memos in their pane (a fixed height, app.tcss). The text is at
        least as tall as the pane, so only a change of its height (a text taller than the
        pane scrolls) needs a new layout; most key presses redraw it alone."""
        static = self.query_one("#item-codings", Static)
        width = static.size.width
        floor = NOTES_LINES
        height = max(floor, len(out.wrap(self.app.console, width))) if width else None
        static.update(out, layout=height is None or height != self._notes_height)
        self._notes_height = height

    def _state(self) -> tuple[set[str], bool, bool]:
        """The respondent's codes (with ancestors), whether the item is coded and whether
        it is marked 'no theme': the part of counts and progress one action can change."""
        self._finish_load()  # the counts and marks a change updates
        it = self.item
        assert it is not None  # a change is made to the item shown
        codes = self.project.respondent_codes(it.question, it.respondent, coder=self.shown_coder)
        coded = bool(self.project.codings(item_id=it.id, coder=self.shown_coder))
        marks = self.project.no_theme_marks(it.id)
        none = bool(marks) if self.shown_coder is None else self.shown_coder in marks
        return self._closure(codes), coded, none

    def _after_change(self, message: str, before: tuple[set[str], bool, bool]) -> None:
        """Redraw what a committed change touched, then say it is done."""
        assert self.item is not None  # a change is made to the item shown
        after_codes, after_coded, after_none = self._state()
        for key in before[0] ^ after_codes:
            self.counts[key] = self.counts.get(key, 0) + (1 if key in after_codes else -1)
        reviewed, total = self.progress
        was, now = before[1] or before[2], after_coded or after_none
        self.progress = (reviewed + int(now) - int(was), total)
        text_area = self.query_one(CodedTextArea)
        text_area.set_spans(self._spans())
        self._show_codings()
        self._refresh_codes()
        self.query_one(ItemQueue).set_coded(
            self.item.id, after_coded, self.progress, none=after_none
        )
        # said on a line of its own, not in a toast: a toast per key press would slow a
        # fast coder down and cover the codebook
        self.query_one("#last-action", Label).update(
            flat(f"✓ {message}", style="green"), layout=False
        )
        self._loaded = self._stamp()  # our own change is already on screen
        self._request_suggestions()  # a code just put on (or taken off) is (or is again) offered

    # -- actions ------------------------------------------------------------------
    def action_toggle_code(self, number: int) -> None:
        key = self.query_one(CodePanel).key_at(number)
        if key is None:
            self.notify(
                _("Kodebogen har ingen kode nr. {number}.").format(number=number),
                severity="warning",
            )
            return
        self.toggle(key)

    @on(CodeChosen)
    def _code_chosen(self, event: CodeChosen) -> None:
        self.toggle(event.key)

    def toggle(self, key: str) -> None:
        self._sync_item()
        if self.item is None:
            self.notify(_("Intet svar valgt."), severity="warning")
            return
        assert self.book is not None  # loaded with the item
        label = self.book.code(key).label
        text_area = self.query_one(CodedTextArea)
        span = text_area.selected_span()
        item = self.item
        before = self._state()

        def do(project: Project) -> str:
            if span is None:
                added = project.toggle_code(item.id, key)
                return (
                    _("Kodet {respondent}: {code}").format(respondent=item.respondent, code=label)
                    if added
                    else _("Fjernet {code} fra {respondent}").format(
                        code=label, respondent=item.respondent
                    )
                )
            start, end = span
            mine = [
                c
                for c in project.codings(item_id=item.id, coder=project.coder)
                if c.code == key and (c.start, c.end) == (start, end)
            ]
            if mine:
                project.remove_coding(mine[0].id)
                return _("Fjernet {code} fra udsnittet").format(code=label)
            project.add_coding(item.id, key, start=start, end=end)
            return _n(
                "Kodet udsnit ({n} tegn): {code}", "Kodet udsnit ({n} tegn): {code}", end - start
            ).format(n=end - start, code=label)

        def done(message: str) -> None:
            if span is not None:
                text_area.clear_selection()
            self._after_change(message, before)

        self.app.write(self, do, done)

    def action_pick_code(self) -> None:
        """Code by name: a type-ahead list of the whole codebook, codes used last first;
        the chosen code is toggled as a number key would (on the selected text, if any)."""
        from qualcode.tui.widgets.dialogs import CodePicker

        self._sync_item()
        if self.item is None or self.book is None:
            self.notify(_("Intet svar valgt."), severity="warning")
            return
        codes = [(c.key, c.label, c.keywords) for c in self.book]
        recent = self.project.recent_codes(self.book.stem)

        def chosen(key: str | None) -> None:
            if key is not None:
                self.toggle(key)

        self.app.push_screen(CodePicker(_("Kod ved navn"), codes, recent, id="code-picker"), chosen)

    def action_no_theme(self) -> None:
        """Reviewed, and no theme of the codebook applies (per coder; it takes away the
        coder's own codings of the item, undoable with u). Pressed again: mark removed."""
        self._sync_item()
        if self.item is None:
            self.notify(_("Intet svar valgt."), severity="warning")
            return
        item = self.item
        before = self._state()

        def do(project: Project) -> str:
            if project.toggle_no_theme(item.id):
                return _("Ingen tema: {respondent} er gennemgået").format(
                    respondent=item.respondent
                )
            return _("Fjernet 'ingen tema' fra {respondent}").format(respondent=item.respondent)

        self.app.write(self, do, lambda message: self._after_change(message, before))

    def action_next(self) -> None:
        self.query_one(ItemQueue).move(1)

    def action_previous(self) -> None:
        self.query_one(ItemQueue).move(-1)

    def action_undo(self) -> None:
        self._undo_redo("undo", _("Intet at fortryde."))

    def action_redo(self) -> None:
        self._undo_redo("redo", _("Intet at gentage."))

    def _undo_redo(self, which: str, nothing: str) -> None:
        project = self.project
        event = project.next_undo(redo=which == "redo")
        if event is None:
            self.notify(nothing, severity="warning", timeout=2)
            return
        target = event["item_id"] if "item_id" in event else event["coding"]["item_id"]
        self._finish_load()
        queue = self.query_one(ItemQueue)
        if self.item is None or target != self.item.id:
            queue.select(target)
            self.show_item(target)
        before = self._state()
        change = project.undo() if which == "undo" else project.redo()
        if change is None:
            self.notify(nothing, severity="warning", timeout=2)
            return
        self._after_change(change.text, before)

    def action_memo(self) -> None:
        """A memo on the item, or on one of its codings: the selected passage's coding
        straight away; else, when the item has codings, a list to pick from (the item
        first). The coder's own memo on it is opened to edit; saved empty, it is deleted."""
        from qualcode.tui.widgets.dialogs import PickDialog

        self._sync_item()
        if self.item is None:
            return
        item = self.item
        span = self.query_one(CodedTextArea).selected_span()
        codings = self.project.codings(item_id=item.id, coder=self.shown_coder)
        if span is not None:
            coded = [c for c in codings if (c.start, c.end) == span]
            if coded:
                self._write_memo("coding", coded[0].id)
                return
        if not codings:
            self._write_memo("item", item.id)
            return
        mine = {
            (m.target, m.target_id)
            for m in self.project.item_memos(item.id)
            if m.author == self.project.coder
        }
        choices = [(f"item:{item.id}", self._memo_choice(("item", str(item.id)) in mine))]
        for c in codings:
            choices.append((f"coding:{c.id}", self._memo_choice(("coding", str(c.id)) in mine, c)))

        def chosen(value: str | None) -> None:
            if value is not None:
                kind, _sep, ref = value.partition(":")
                self._write_memo(kind, int(ref))

        self.app.push_screen(PickDialog(_("Memo om …"), choices, id="memo-target"), chosen)

    def _memo_choice(self, has_memo: bool, coding: Coding | None = None) -> str:
        """A line of the list m shows: the item, or a coding (code, where, coder)."""
        assert self.item is not None
        mark = " ✎" if has_memo else ""
        if coding is None:
            where = self.item.respondent
            if self.item.speaker_role:  # an interview excerpt: which one
                where += f" #{self.item.number}"
            return _("Teksten: {where}").format(where=where) + mark
        code = self.book.find(coding.code) if self.book else None
        where = (
            _("hele svaret")
            if not coding.is_span
            else "»" + " ".join(self.item.text[coding.start : coding.end].split())[:40] + "«"
        )
        label = code.label if code else coding.code
        return (
            _("Kodningen {code} – {where} ({coder})").format(
                code=label, where=where, coder=coding.coder
            )
            + mark
        )

    def _write_memo(self, target: str, target_id: int) -> None:
        from qualcode.tui.widgets.dialogs import TextDialog

        if self.item is None:
            return
        item = self.item
        what = f"{item.respondent} #{item.number}"
        if target == "coding":
            coding = self.project.coding(target_id)
            code = self.book.find(coding.code) if self.book else None
            what = _("kodningen {code}").format(code=code.label if code else coding.code)
        mine = [m for m in self.project.memos(target, target_id) if m.author == self.project.coder]
        memo = mine[-1] if mine else None
        before = self._state()

        def save(text: str | None) -> None:
            if text is None or (memo is None and not text.strip()):
                return  # cancelled, or nothing written
            if memo is not None and text.strip() == memo.text:
                return

            def do(project: Project) -> str:
                kept = project.set_memo(
                    target,
                    target_id,
                    text.strip(),
                    memo_id=memo.id if memo else None,
                    item_id=item.id,
                )
                return (_("Memo gemt på {what}") if kept else _("Memo slettet på {what}")).format(
                    what=what
                )

            self.app.write(self, do, lambda message: self._after_change(message, before))

        title = (_("Memo om {what} (tom: slet memoet)") if memo else _("Memo om {what}")).format(
            what=what
        )
        self.app.push_screen(TextDialog(title, memo.text if memo else "", id="memo-text"), save)

    def go_to(self, item_id: int) -> None:
        """Show this item of the current question (the memo screen's Enter jumps here)."""
        self.item = self.project.item(item_id)  # reload keeps it current
        self.reload()
        queue = self.query_one(ItemQueue)
        if queue.current_item_id != item_id:  # a filter hid it: show everything
            queue.select(item_id)
            self.show_item(item_id)

    def action_search(self) -> None:
        self._finish_load()
        self.query_one("#queue-filter", Input).focus()

    def action_cycle_filter(self) -> None:
        self._finish_load()
        status = self.query_one(ItemQueue).cycle_status()
        self.notify(_("Viser {status}").format(status=status), timeout=1.5)

    def action_refresh(self) -> None:
        self.reload()
        self.notify(_("Opdateret fra projektfilen"), timeout=1.5)

    def action_toggle_blind(self) -> None:
        self.blind = not self.blind
        self.reload()
        self.notify(
            _("Viser kun dine kodninger (blind kodning)")
            if self.blind
            else _("Viser alle koderes kodninger"),
            timeout=2,
        )

    def action_focus_text(self) -> None:
        self.query_one(CodedTextArea).focus()

    def action_text_start(self) -> None:
        self.query_one(CodedTextArea).go_to_start()

    def action_text_end(self) -> None:
        self.query_one(CodedTextArea).go_to_end()

    def action_focus_queue(self) -> None:
        self.query_one("#queue-list").focus()

    # -- suggestions ----------------------------------------------------------------
    def _assist_key(self) -> tuple:
        """What the suggester depends on: question, coder and blind mode."""
        return (self.app.question, self.project.coder, self.blind)

    def _start_assistant(self) -> None:
        self._assist_for = self._assist_key()
        self.query_one(SuggestionBar).say(_("Forslag indlæses …"))
        # the one whose suggester counts: an earlier load still running (the question
        # changed, or T trained a new model meanwhile) is cancelled, and its result dropped
        self._assist_loader = self._load_assistant(
            self.app.question, self.project.coder, self.blind
        )

    @work(
        thread=True,
        exclusive=True,
        group="assist-load",
        exit_on_error=False,
        description=_("Forslagene kunne ikke indlæses"),
    )
    def _load_assistant(self, qid: str, coder: str, blind: bool) -> None:
        # the suggester's own connection, kept while the question is shown: it writes only
        # the NLP cache (derived data), without an fsync per batch (see
        # nlp.pipeline.analyses), so the analyst's codings never wait for it
        worker = get_current_worker()
        project = self.app.worker_project(coder=coder)
        try:
            assist, note, warning = load_suggester(project, qid, coder, blind=blind)
            with self._assist_lock:
                assist.precision  # noqa: B018 - warm the pipeline and the rule scores
        except BaseException:
            project.close()
            raise
        ready = AssistantReady(worker, (qid, coder, blind), assist, note, warning)
        if worker.is_cancelled or not self.post_message(ready):
            project.close()  # a later load replaces it, or the screen is gone

    @on(AssistantReady)
    def _assistant_ready(self, event: AssistantReady) -> None:
        assist = event.assist
        if event.worker is not self._assist_loader or event.key != self._assist_for:
            assist.project.close()  # a later load is under way
            return
        old, self._assist = self._assist, assist
        if old is not None:
            with self._assist_lock:
                old.project.close()
        self.query_one(SuggestionBar).sources_note = event.note
        # the pipeline, its tables and the model are long-lived: keep the garbage
        # collector from walking them on every full collection (as reload() does)
        gc.collect()
        gc.freeze()
        if event.warning:
            self.notify(event.warning, severity="warning", timeout=6)
        self._request_suggestions()

    def _request_suggestions(self) -> None:
        if self.item is None:
            return
        if self._assist is None:
            self.query_one(SuggestionBar).say(_("Forslag indlæses …"))
            return
        self._suggest(self.item.id)

    @work(
        thread=True,
        exclusive=True,
        group="assist",
        exit_on_error=False,
        description=_("Forslagene til svaret kunne ikke findes"),
    )
    def _suggest(self, item_id: int) -> None:
        worker = get_current_worker()
        with self._assist_lock:
            if worker.is_cancelled or self._assist is None:
                return
            found = self._assist.for_item(item_id)
        if not worker.is_cancelled:
            self.post_message(SuggestionsFound(item_id, found))

    @on(SuggestionsFound)
    def _show_suggestions(self, event: SuggestionsFound) -> None:
        if self.item is not None and self.item.id == event.item_id and self.book is not None:
            colors = {c.key: c.color for c in self.book}
            self.query_one(SuggestionBar).show(event.found, colors, item_id=event.item_id)

    @on(WorkerFailed)
    def _worker_failed(self, event: WorkerFailed) -> None:
        """A suggestion worker failed (the app has said why): put the bar, the progress
        bar and the training state back, so that T, o and the next item try again."""
        bar = self.query_one(SuggestionBar)
        group = event.worker.group
        if group == "assist-load" and event.worker is self._assist_loader:
            self._assist_for = ()  # the next reload (r) loads again
            bar.say(_("Ingen forslag: de kunne ikke indlæses (r prøver igen)."))
        elif group == "assist-train":
            self._training = None
            self.query_one("#train-progress", ProgressBar).display = False
            self._request_suggestions()  # the old model (if any) still suggests
        elif event.worker.name == "uncertainty":  # the queue keeps its order
            self._request_suggestions()
        elif group == "assist" and self.item is not None and bar.item_id != self.item.id:
            bar.say(_("Ingen forslag til dette svar: de kunne ikke findes."))

    _bar: SuggestionBar | None = None  # found once: these run on every key press

    def _awaited(self) -> str | None:
        """'accept' or 'reject' while the number of a suggestion is awaited, else None."""
        if self._bar is None:
            found = self.query(SuggestionBar)
            if not found:
                return None  # not composed yet
            self._bar = found.first()
        return self._bar.pending

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pick_suggestion", "cancel_suggestion"):
            return self._awaited() is not None
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        # any other key than a suggestion's number, Enter, Escape, a or x: no number awaited
        if event.key not in ("a", "x") and self._awaited() is not None:
            self.query_one(SuggestionBar).ask(None)

    def _suggestions_ready(self) -> bool:
        """Are the suggestions shown those of the item shown, and is there one? Says why
        not if they are not."""
        if self._sync_item():
            self._suggestions_not_ready()
            return False
        bar = self.query_one(SuggestionBar)
        if self.item is not None and bar.entries and bar.item_id != self.item.id:
            self._suggestions_not_ready()  # still those of the item just left
            return False
        if self.item is None or not bar.entries:
            self.notify(_("Ingen forslag at tage stilling til."), severity="warning", timeout=2)
            return False
        return True

    def _suggestions_not_ready(self) -> None:
        # the bar still holds the suggestions of the item just left
        self.notify(_("Forslagene til dette svar indlæses …"), severity="warning", timeout=2)

    def _ask_for_suggestion(self, verdict: str) -> None:
        """a or x: await the number of the suggestion; pressed again, take the first."""
        bar = self.query_one(SuggestionBar)
        if bar.pending == verdict:
            self.action_pick_suggestion(1)
        elif self._suggestions_ready():
            bar.ask(verdict)

    def action_accept_suggestion(self) -> None:
        self._ask_for_suggestion("accept")

    def action_reject_suggestion(self) -> None:
        self._ask_for_suggestion("reject")

    def action_cancel_suggestion(self) -> None:
        self.query_one(SuggestionBar).ask(None)

    def action_pick_suggestion(self, number: int) -> None:
        bar = self.query_one(SuggestionBar)
        verdict = bar.pending
        bar.ask(None)
        if verdict is None or not self._suggestions_ready():
            return
        entry = bar.entry(number)
        if entry is None:
            self.notify(
                _("Der er intet forslag nr. {number}.").format(number=number),
                severity="warning",
                timeout=2,
            )
            return
        self._decide(verdict, entry)

    def _decide(self, verdict: str, entry: tuple[str, float, list[Suggestion]]) -> None:
        """Accept or reject one suggestion (its best-scoring source): committed, then shown.
        A code the coder has put on the item already is not put on again."""
        assert self.item is not None  # there are suggestions only with an item
        item = self.item
        code, _score, group = entry
        best = max(group, key=lambda s: s.score)
        bar = self.query_one(SuggestionBar)
        if any(
            c.code == code for c in self.project.codings(item_id=item.id, coder=self.project.coder)
        ):
            bar.drop(code)
            self.query_one("#last-action", Label).update(
                flat(
                    _("{code} er allerede på svaret; intet tilføjet.").format(code=best.label),
                    style="yellow",
                ),
                layout=False,
            )
            return
        if verdict == "accept":
            before = self._state()

            def accept(project: Project) -> str:
                project.accept_suggestion(item.id, code, source=best.source, score=best.score)
                return _("Forslag accepteret, {respondent}: {code}").format(
                    respondent=item.respondent, code=best.label
                )

            def accepted(message: str) -> None:
                bar.drop(code)
                self._after_change(message, before)

            self.app.write(self, accept, accepted)
            return

        def reject(project: Project) -> str:
            project.reject_suggestion(item.id, code, source=best.source, score=best.score)
            return "✗ " + _("Forslag afvist: {code}").format(code=best.label)

        def rejected(message: str) -> None:
            bar.drop(code)
            self.query_one("#last-action", Label).update(
                flat(message, style="yellow"), layout=False
            )
            self._loaded = self._stamp()

        self.app.write(self, reject, rejected)

    def action_train(self) -> None:
        if self._training is not None:
            self._training.cancel()
            self.notify(_("Træningen afbrydes …"), timeout=2)
            return
        if self.app.question is None:
            return
        bar = self.query_one("#train-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one(SuggestionBar).say(_("Træner modellen … (T afbryder)"))
        self._training = self._train(self.app.question, self.project.coder, self.blind)

    @work(
        thread=True,
        exclusive=True,
        group="assist-train",
        exit_on_error=False,
        description=_("Træningen mislykkedes"),
    )
    def _train(self, qid: str, coder: str, blind: bool) -> None:
        """Train the question's model: the shared one on every coder's codings, or in
        blind mode one on the coder's own codings only (see :func:`load_suggester`)."""
        from qualcode.nlp.textcat import coder_folder, default_folder, train_and_save

        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            self.post_message(TrainingProgress(done, total))

        try:
            with self.app.worker_project(coder=coder) as project:
                stem = project.question(qid).codebook
                model = train_and_save(
                    project,
                    stem,
                    coder_folder(project, coder) if blind else default_folder(project),
                    coder=coder if blind else None,
                    progress=progress,
                    cancelled=lambda: worker.is_cancelled,
                )
        except Exception as exc:
            if worker.is_cancelled:  # T again: whatever stopped it, the old model stays
                text = _("Træningen blev afbrudt; den gamle model gælder stadig")
            elif isinstance(exc, QualcodeError):  # e.g. too few codings to learn from
                text = str(exc)
            else:
                raise  # a bug: the app reports it, and _worker_failed puts the screen back
            self.post_message(TrainingDone(False, text))
            return
        self.post_message(
            TrainingDone(
                True,
                _n(
                    "Model trænet på {n} kodet svar ({seconds} s)",
                    "Model trænet på {n} kodede svar ({seconds} s)",
                    model.meta["trained_items"],
                ).format(n=model.meta["trained_items"], seconds=number(model.meta["seconds"], 1)),
            )
        )

    @on(TrainingProgress)
    def _train_progress(self, event: TrainingProgress) -> None:
        self.query_one("#train-progress", ProgressBar).update(
            total=event.total, progress=event.done
        )

    @on(TrainingDone)
    def _trained(self, event: TrainingDone) -> None:
        self._training = None
        self.query_one("#train-progress", ProgressBar).display = False
        self.notify(event.text, severity="information" if event.ok else "warning", timeout=4)
        self._start_assistant()  # load the new model

    def action_toggle_order(self) -> None:
        if self.order == "uncertainty":
            self.order, self._unsure = "file", {}
            self.reload()
            self.notify(_("Køen i filens rækkefølge"), timeout=2)
            return
        if self._assist is None or self._assist.model is None:
            self.notify(
                _("Ingen model endnu: tryk T for at træne en."), severity="warning", timeout=3
            )
            return
        self.query_one(SuggestionBar).say(_("Finder de svar, modellen er mest i tvivl om …"))
        self._order_by_uncertainty(self.app.question)

    @work(
        thread=True,
        exclusive=True,
        group="assist",
        name="uncertainty",
        exit_on_error=False,
        description=_("Køen kunne ikke ordnes efter modellens tvivl"),
    )
    def _order_by_uncertainty(self, qid: str) -> None:
        worker = get_current_worker()
        with self._assist_lock:
            assist = self._assist
            assert assist is not None  # ordering is asked for only once a model is loaded
            rows, coded = assist.project.queue(qid, coder=assist.coder)
            scores = assist.uncertainty(
                [r[0] for r in rows if r[0] not in coded], cancelled=lambda: worker.is_cancelled
            )
        if not worker.is_cancelled:
            self.post_message(UncertaintyOrdered(qid, scores))

    @on(UncertaintyOrdered)
    def _apply_order(self, event: UncertaintyOrdered) -> None:
        if event.question != self.app.question:
            return
        self.order, self._unsure = "uncertainty", event.scores
        self.reload(top=True)
        self.notify(_("Køen: de svar, modellen er mest i tvivl om, først"), timeout=2)

    def on_unmount(self) -> None:
        if self._assist is not None:
            with self._assist_lock:
                self._assist.project.close()

    def action_kwic(self) -> None:
        from qualcode.tui.screens.kwic import KwicScreen

        if self.app.question is None:
            return

        def go(item_id: int | None) -> None:
            if item_id is not None:
                self._finish_load()
                queue = self.query_one(ItemQueue)
                if index_of(queue.shown, item_id) is None:
                    queue.select(item_id)  # clears a filter that hides it
                self.item = self.project.item(item_id)  # reload keeps it current
                self.reload()
            elif self._stamp() != self._loaded:
                self.reload()  # codings made from the list

        self.app.push_screen(KwicScreen(self.app.question), go)

    def action_grid(self) -> None:
        """The question's answers as a grid (tui/screens/grid.py); the answer opened there
        (Enter) becomes the current one here."""
        from qualcode.tui.screens.grid import GridScreen

        if self.app.question is None:
            return

        def go(item_id: int | None) -> None:
            if item_id is not None:
                self.open_item(item_id)
            elif self._stamp() != self._loaded:
                self.reload()

        current = self.item.id if self.item is not None else None
        self.app.push_screen(GridScreen(coder=self.shown_coder, current=current), go)

    def open_item(self, item_id: int) -> None:
        """Make ``item_id`` the current item, in the queue too (a filter that hides it is
        cleared), as a list elsewhere (the grid) asked."""
        self._finish_load()  # the item may be past the first page
        if self._stamp() != self._loaded:  # changed meanwhile: read again, on the item
            self.item = self.project.item(item_id)
            self.reload()
        self.query_one(ItemQueue).select(item_id)
        if self.item is None or self.item.id != item_id:
            self.show_item(item_id)
