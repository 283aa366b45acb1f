"""The analyst's memo (:class:`Memo`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Memo:
    id: int
    target: str
    target_id: str | None
    text: str
    author: str
    created_at: str
    updated_at: str
