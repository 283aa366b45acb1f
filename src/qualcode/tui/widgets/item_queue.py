"""The queue of items to code, with a filter line and "kodet 12 af 35"."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.tui.messages import ItemChosen

STATUS = ("alle", "ukodede", "kodede")


@dataclass(frozen=True)
class QueueEntry:
    item_id: int
    respondent: str
    number: int
    role: str
    text: str
    codes: frozenset[str]


def matches(entry: QueueEntry, query: str, status: str) -> bool:
    """Filter: status (alle/ukodede/kodede), and words; 'kode:KEY' and 'jc:ID' narrow further."""
    if status == "ukodede" and entry.codes:
        return False
    if status == "kodede" and not entry.codes:
        return False
    for word in query.split():
        low = word.casefold()
        if low.startswith(("kode:", "code:")):
            if low.split(":", 1)[1] not in {c.casefold() for c in entry.codes}:
                return False
        elif low.startswith(("jc:", "resp:")):
            if low.split(":", 1)[1] not in entry.respondent.casefold():
                return False
        elif low not in entry.text.casefold() and low not in entry.respondent.casefold():
            return False
    return True


class ItemQueue(Vertical):
    """Posts :class:`ItemChosen` when the highlighted item changes."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list[QueueEntry] = []
        self.shown: list[QueueEntry] = []
        self.status = "alle"

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ søg: ord, kode:KEY, jc:ID", id="queue-filter")
        yield Label("", id="queue-status")
        yield OptionList(id="queue-list")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#queue-list", OptionList)

    def load(self, entries: list[QueueEntry], progress: tuple[int, int],
             keep: int | None = None) -> None:
        self.entries = entries
        self._progress = progress
        self.apply_filter(keep=keep)

    def update_entry(self, entry: QueueEntry, progress: tuple[int, int]) -> None:
        """One item's codes changed: redraw its row without moving the cursor."""
        self.entries = [entry if e.item_id == entry.item_id else e for e in self.entries]
        self._progress = progress
        for index, e in enumerate(self.shown):
            if e.item_id == entry.item_id:
                self.shown[index] = entry
                self.option_list.replace_option_prompt_at_index(index, self._prompt(entry))
        self._update_status()

    def apply_filter(self, keep: int | None = None) -> None:
        query = self.query_one("#queue-filter", Input).value
        current = keep if keep is not None else self.current_item_id
        self.shown = [e for e in self.entries if matches(e, query, self.status)]
        ol = self.option_list
        ol.clear_options()
        ol.add_options([Option(self._prompt(e), id=str(e.item_id)) for e in self.shown])
        self._update_status()
        if not self.shown:
            return
        index = next((i for i, e in enumerate(self.shown) if e.item_id == current), 0)
        ol.highlighted = index

    def _update_status(self) -> None:
        coded, total = self._progress
        shown = f" · viser {len(self.shown)}" if len(self.shown) != len(self.entries) else ""
        self.query_one("#queue-status", Label).update(
            f"kodet {coded} af {total} · filter: {self.status}{shown}")

    @staticmethod
    def _prompt(e: QueueEntry) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append("✓ " if e.codes else "· ", style="green" if e.codes else "dim")
        row.append(e.respondent + (f" #{e.number}" if e.role else ""), style="bold")
        row.append(" " + " ".join(e.text.split())[:100])
        return row

    @property
    def current_item_id(self) -> int | None:
        ol = self.option_list
        if ol.highlighted is None or ol.highlighted >= len(self.shown):
            return None
        return self.shown[ol.highlighted].item_id

    def move(self, step: int) -> None:
        ol = self.option_list
        if not self.shown:
            return
        current = ol.highlighted if ol.highlighted is not None else -1
        ol.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def select(self, item_id: int) -> None:
        """Highlight an item; if the filter hides it, show everything first."""
        if item_id not in {e.item_id for e in self.shown}:
            self.status = "alle"
            self.query_one("#queue-filter", Input).value = ""
            self.apply_filter(keep=item_id)
        for index, e in enumerate(self.shown):
            if e.item_id == item_id:
                self.option_list.highlighted = index

    def cycle_status(self) -> str:
        self.status = STATUS[(STATUS.index(self.status) + 1) % len(STATUS)]
        self.apply_filter()
        return self.status

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self) -> None:
        self.option_list.focus()

    @on(OptionList.OptionHighlighted, "#queue-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(ItemChosen(int(event.option.id)))
