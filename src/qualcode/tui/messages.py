"""Messages the widgets post; screens handle them and call the core."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


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
