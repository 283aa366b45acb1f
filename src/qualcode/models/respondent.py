"""Who answered (:class:`Respondent`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Respondent:
    id: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return f"{self.id} {self.name}".strip() if self.name and self.name != self.id else self.id
