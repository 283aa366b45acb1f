"""The queue of items to code, with a filter line and "gennemgået 12 af 35" (an item is
reviewed when it is coded, ✓, or marked 'no theme applies', ∅).

The list is virtual: it holds light rows (id, jobcentre, number, role) and draws only the
lines on screen, fetching their text when they scroll into view, so a question with
100,000 answers opens as fast as one with 35. The rows are kept as SQLite gave them
(:class:`Rows`: plain tuples, a :class:`QueueRow` made only for a row that is looked at),
and the coding screen may load a first page before the whole queue, and the marks and
progress after them (``progress=None`` until then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple, overload

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Click
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Label

from qualcode.core.query import Query
from qualcode.i18n import translator
from qualcode.tui.messages import ItemChosen
from qualcode.tui.shown import flat, shown

_, _n = translator("tui")

STATUS = ("alle", "ikke gennemgået", "gennemgået")  # the filter's states, in turn (f)


def status_label(status: str) -> str:
    """A filter state as the analyst reads it."""
    labels = {
        "alle": _("alle"),
        "ikke gennemgået": _("ikke gennemgået"),
        "gennemgået": _("gennemgået"),
    }
    return labels[status]


class QueueRow(NamedTuple):
    item_id: int
    respondent: str
    number: int
    role: str


class Rows(Sequence[QueueRow]):
    """The queue's rows as the store's plain tuples (id, respondent, number, role), seen as
    :class:`QueueRow` objects: nothing is made per row until a row is read, so 200,000 rows
    load as one list of tuples."""

    __slots__ = ("data",)

    def __init__(self, data: Sequence[tuple[int, str, int, str]]) -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    @overload
    def __getitem__(self, index: int) -> QueueRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[QueueRow]: ...
    def __getitem__(self, index: int | slice) -> QueueRow | list[QueueRow]:
        if isinstance(index, slice):
            return [QueueRow._make(r) for r in self.data[index]]
        return QueueRow._make(self.data[index])

    def __iter__(self) -> Iterator[QueueRow]:
        return map(QueueRow._make, self.data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rows):
            return list(self.data) == list(other.data)
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]  # a mutable view, as a list is


def index_of(rows: Sequence[QueueRow], item_id: int | None) -> int | None:
    """Where ``item_id`` is in ``rows`` (None if not there), without a row object each."""
    data = rows.data if isinstance(rows, Rows) else rows
    for index, row in enumerate(data):
        if row[0] == item_id:
            return index
    return None


class QueueList(ScrollView, can_focus=True):
    """One line per item; the highlighted line is the current item."""

    BINDINGS = [
        Binding("up", "move(-1)", _("Op"), show=False),
        Binding("down", "move(1)", _("Ned"), show=False),
        Binding("pageup", "page(-1)", _("Side op"), show=False),
        Binding("pagedown", "page(1)", _("Side ned"), show=False),
        Binding("home", "jump(0)", _("Første"), show=False),
        Binding("end", "jump(-1)", _("Sidste"), show=False),
    ]
    DEFAULT_CSS = """
    QueueList { background: $surface; overflow-x: hidden; }
    QueueList > .queue-list--cursor { background: $accent 40%; text-style: bold; }
    QueueList:focus > .queue-list--cursor { background: $accent; }
    """
    COMPONENT_CLASSES = {"queue-list--cursor"}

    cursor: reactive[int] = reactive(0, always_update=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: Sequence[QueueRow] = []
        self.coded: set[int] = set()
        self.none: set[int] = set()  # marked 'no theme applies'
        self.snippet_loader: Callable[[list[int]], dict[int, str]] = lambda ids: {}
        self._snippets: dict[int, str] = {}

    def set_rows(self, rows: Sequence[QueueRow], cursor: int = 0) -> None:
        self.rows = rows
        self.virtual_size = Size(0, len(rows))
        self.set_reactive(QueueList.cursor, max(0, min(cursor, len(rows) - 1)))
        self.refresh()
        if rows:
            self.scroll_to_cursor(center=True)
            # posted from this widget's own turn: a message created while the parent is
            # handling an event would carry the parent as sender and stop bubbling there
            item_id = rows[self.cursor].item_id
            self.call_later(lambda: self.post_message(ItemChosen(item_id)))

    @property
    def current(self) -> QueueRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def watch_cursor(self, old: int, new: int) -> None:
        if not self.rows:
            return
        self.scroll_to_cursor()
        self.refresh()
        self.post_message(ItemChosen(self.rows[new].item_id))

    def scroll_to_cursor(self, center: bool = False) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if center:
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, index: int) -> None:
        if self.rows:
            self.cursor = index % len(self.rows)

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self.cursor = index

    def refresh_item(self, item_id: int) -> None:
        """Repaint one item's line (if it is on screen), not the whole list."""
        index = (
            self.cursor
            if self.current and self.current.item_id == item_id
            else index_of(self.rows, item_id)
        )
        if index is None:
            return
        y = index - self.scroll_offset.y
        if 0 <= y < self.scrollable_content_region.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def forget_snippet(self, item_id: int) -> None:
        self._snippets.pop(item_id, None)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        if row.item_id not in self._snippets:
            height = self.scrollable_content_region.height
            window = [
                r.item_id
                for r in self.rows[index : index + height + 20]
                if r.item_id not in self._snippets
            ]
            self._snippets.update(self.snippet_loader(window))
            if len(self._snippets) > 20_000:  # keep memory flat on huge questions
                self._snippets = {k: self._snippets[k] for k in window if k in self._snippets}
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if row.item_id in self.coded:
            text.append("✓ ", style="green")
        elif row.item_id in self.none:
            text.append("∅ ", style="yellow")
        else:
            text.append("· ", style="dim")
        text.append(shown(row.respondent) + (f" #{row.number}" if row.role else ""), style="bold")
        text.append(" " + shown(" ".join(self._snippets.get(row.item_id, "").split())))
        if index == self.cursor:
            text.stylize(self.get_component_rich_style("queue-list--cursor"))
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        return Strip(segments, width).apply_style(self.rich_style or Style())


class ItemQueue(Vertical):
    """The filter line, the status line and the list. Posts :class:`ItemChosen`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.all_rows: Sequence[QueueRow] = []
        self.status = "alle"
        self._progress: tuple[int, int] | None = (0, 0)
        self.searcher: Callable[[Query], set[int] | None] = lambda q: None
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("/ søg: ord, kode:KEY, jc:ID"), id="queue-filter")
        yield Label("", id="queue-status")
        yield QueueList(id="queue-list")

    @property
    def option_list(self) -> QueueList:
        return self.query_one("#queue-list", QueueList)

    @property
    def shown(self) -> Sequence[QueueRow]:
        return self.option_list.rows

    @property
    def coded(self) -> set[int]:
        return self.option_list.coded

    def load(
        self,
        rows: Sequence[QueueRow],
        coded: set[int],
        progress: tuple[int, int] | None,
        snippet_loader: Callable[[list[int]], dict[int, str]],
        searcher: Callable[[Query], set[int] | None],
        keep: int | None = None,
        none: set[int] | None = None,
    ) -> None:
        """``progress``: (items reviewed, items), or None while not counted yet (the
        status shows … for it); ``none``: items marked 'no theme'."""
        ql = self.option_list
        self.all_rows = rows
        ql.coded = coded
        ql.none = none or set()
        ql.snippet_loader = snippet_loader
        ql._snippets = {}
        self.searcher = searcher
        self._progress = progress
        self.apply_filter(keep=keep)

    def set_coded(
        self, item_id: int, coded: bool, progress: tuple[int, int], *, none: bool = False
    ) -> None:
        """One item's state changed (coded, or marked 'no theme'): redraw without moving
        the cursor."""
        ql = self.option_list
        was = (item_id in ql.coded, item_id in ql.none)
        for marks, wanted in ((ql.coded, coded), (ql.none, none)):
            if wanted:
                marks.add(item_id)
            else:
                marks.discard(item_id)
        if was != (coded, none):
            ql.refresh_item(item_id)
        if progress != self._progress:
            self._progress = progress
            self._update_status()

    def apply_filter(self, keep: int | None = None) -> None:
        ql = self.option_list
        current = keep if keep is not None else self.current_item_id
        query = Query.parse(self.query_one("#queue-filter", Input).value)
        rows: Sequence[QueueRow] = self.all_rows
        if self.status != "alle":
            done = ql.coded | ql.none
            want = self.status == "gennemgået"
            rows = [r for r in rows if (r.item_id in done) == want]
        if query.respondents:
            rows = [r for r in rows if all(p in r.respondent.casefold() for p in query.respondents)]
        if query.words or query.codes:
            allowed = self.searcher(query)
            if allowed is not None:
                rows = [r for r in rows if r.item_id in allowed]
        ql.set_rows(rows, index_of(rows, current) or 0)
        self._update_status()

    def _update_status(self) -> None:
        reviewed, total = self._progress or ("…", "…")
        n_shown, n_all = len(self.shown), len(self.all_rows)
        parts = [
            _("gennemgået {reviewed} af {total}").format(reviewed=reviewed, total=total),
            _("filter: {status}").format(status=status_label(self.status)),
        ]
        search = " ".join(self.query_one("#queue-filter", Input).value.split())
        if search:
            parts.append(_("søgning: {words}").format(words=search))
        if n_shown != n_all:
            parts.append(_("viser {n}").format(n=n_shown))
        self.query_one("#queue-status", Label).update(flat(" · ".join(parts)), layout=False)

    @property
    def current_item_id(self) -> int | None:
        row = self.option_list.current
        return row.item_id if row else None

    def move(self, step: int) -> None:
        self.option_list.action_move(step)

    def select(self, item_id: int) -> None:
        """Highlight an item; if the filter hides it, show everything first."""
        if index_of(self.shown, item_id) is None:
            self.status = "alle"
            self.query_one("#queue-filter", Input).value = ""
            self.apply_filter(keep=item_id)
        index = index_of(self.shown, item_id)
        if index is not None:
            self.option_list.cursor = index

    def cycle_status(self) -> str:
        """The next filter state (f); returns it as the analyst reads it."""
        self.status = STATUS[(STATUS.index(self.status) + 1) % len(STATUS)]
        self.apply_filter()
        return status_label(self.status)

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self) -> None:
        # a word search runs SQL over every answer: wait until typing pauses
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.2, self.apply_filter)

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.apply_filter()
        self.option_list.focus()
