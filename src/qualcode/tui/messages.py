"""Messages the widgets and the workers post; screens handle them and call the core."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.worker import Worker

    from qualcode.core.cooccurrence import Cooccurrence
    from qualcode.nlp.kwic import Hit
    from qualcode.nlp.suggest import Suggester, Suggestion
    from qualcode.tui.screens.counts import CountTable
    from qualcode.tui.screens.crosstab import CrossView
    from qualcode.tui.screens.matrix import MatrixView


@dataclass
class ItemChosen(Message):
    """The queue's highlighted item changed."""

    item_id: int


@dataclass
class CodeChosen(Message):
    """A code in the codebook panel was picked (Enter or click)."""

    key: str


@dataclass
class ProjectChanged(Message):
    """Something in the project changed (a coding, an import): views refresh."""

    what: str = ""


# -- what background workers report ------------------------------------------------------
# Every thread worker ends by posting one of these to the screen that started it (posting
# is thread-safe; the screen handles it with @on in the UI thread). A worker that raises
# instead is reported by the app (QualcodeApp._worker_state_changed), which then posts
# WorkerFailed to the screen so that it can put its progress bar and state back.


@dataclass
class WorkerFailed(Message, bubble=False):
    """A worker of this screen's raised an unexpected error; the app has said so in an
    error notification. The screen puts back what the worker was showing as busy."""

    worker: Worker
    error: BaseException


@dataclass
class AssistantReady(Message):
    """The coding screen's suggester for (question, coder, blind) is loaded, by ``worker``."""

    worker: Worker
    key: tuple[str, str, bool]
    assist: Suggester  # on a connection of its own (closed by the screen)
    note: str  # shown beside the suggestions, e.g. that there is no model yet
    warning: str  # why the trained model could not be loaded, or ''


@dataclass
class SuggestionsFound(Message):
    """The suggestions for one item."""

    item_id: int
    found: list[Suggestion]


@dataclass
class TrainingProgress(Message):
    """How far the training is: ``done`` of ``total`` steps."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:  # only the latest counts
        return isinstance(message, TrainingProgress)


@dataclass
class TrainingDone(Message):
    """The training has ended: a new model (ok), or why not (cancelled, too few codings)."""

    ok: bool
    text: str


@dataclass
class UncertaintyOrdered(Message):
    """The model's uncertainty for the question's uncoded items, for the queue's order."""

    question: str
    scores: dict[int, float]


@dataclass
class CountsComputed(Message):
    """The counts screen's table (and the other waves' shares) for a question."""

    question: str
    table: CountTable
    waves: dict | None
    announce: bool


@dataclass
class CooccurrenceComputed(Message):
    """Every pair of a question's themes (F4's "nævnt sammen" panel), on the basis the
    counts use."""

    question: str
    result: Cooccurrence


@dataclass
class TableExported(Message):
    """The counts table is on disk, as ``fmt`` (csv, xlsx, md)."""

    path: Path
    fmt: str


@dataclass
class ChartSaved(Message):
    """The question's bar chart is on disk (PNG or SVG)."""

    path: Path


@dataclass
class ReportWritten(Message):
    """The report is on disk: ``tables`` tables, and ``unredacted`` possible personal data
    left in its quotes."""

    path: Path
    tables: int
    unredacted: int


@dataclass
class QuotesExported(Message):
    """The question's starred quotes are on disk: ``count`` quotes, ``unredacted`` possible
    personal data left in them."""

    path: Path
    count: int
    unredacted: int


@dataclass
class FileNotSaved(Message):
    """A file could not be written (it exists, its folder is missing, the disk is full):
    nothing was written. ``reason`` is one line for the analyst."""

    path: Path
    reason: str


@dataclass
class CrosstabComputed(Message):
    """The crosstab screen's table, with every export rendered."""

    view: CrossView


@dataclass
class MatrixComputed(Message):
    """The theme matrix screen's table, with every export rendered."""

    view: MatrixView


@dataclass
class KwicFound(Message):
    """The hits of a keyword-in-context search, or why there are none."""

    word: str
    hits: list[Hit]
    error: str = ""


@dataclass
class WrittenLate(Message):
    """A change that waited for another program's write is written (or refused)."""

    screen: Screen
    text: str
    failed: bool


@dataclass
class AgreementComputed(Message):
    """Kappa and alpha per code for the coders F6 compares (computed in a worker).
    ``rows``: (label, kappa, alpha) with None where undefined; the pooled row last."""

    question: str
    coders: tuple[str, ...]
    rows: list[tuple[str, float | None, float | None]]
    units: int
