"""What an undo or redo did (:class:`Change`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """What an undo or redo did, and to which item (None for a codebook edit)."""

    text: str
    item_id: int | None

    def __str__(self) -> str:
        return self.text
