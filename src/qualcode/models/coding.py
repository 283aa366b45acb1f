"""A code applied to an item (:class:`Coding`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coding:
    id: int
    item_id: int
    code: str  # code key
    coder: str
    created_at: str
    start: int | None = None
    end: int | None = None
    memo: str = ""
    origin: str = ""  # '' typed by the coder; 'rule' or 'model' when an accepted suggestion

    @property
    def is_span(self) -> bool:
        return self.start is not None
