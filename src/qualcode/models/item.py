"""An answer or a turn of a transcript (:class:`Item`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """An open answer, or one turn of an interview transcript."""

    id: int
    question: str
    respondent: str
    position: int
    kind: str  # 'answer', 'excerpt' or 'interviewer'
    text: str
    speaker_role: str | None = None
    is_empty: bool = False
    respondent_name: str = ""

    @property
    def number(self) -> int:
        """1-based position within the respondent's transcript (always 1 for answers)."""
        return self.position + 1
