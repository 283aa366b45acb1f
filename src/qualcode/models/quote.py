"""A coded excerpt as the report prints it (:class:`Quote`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    """A coded excerpt, ready to be printed the way the report prints quotes."""

    code: str
    label: str
    question: str
    respondent: str
    respondent_name: str
    role: str
    text: str
    item_id: int
    item_number: int
    coding_id: int
    coder: str
    start: int | None
    end: int | None
    starred: bool = False

    def formatted(self) -> str:
        """'"…" – Arbejdsmarkedschef', as the report prints an interview quote."""
        who = self.role or self.respondent_name or self.respondent
        return f'"{self.text}" \u2013 {who}'
