"""Where coders differ (:class:`Disagreement`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.models import Item


@dataclass(frozen=True)
class Disagreement:
    """An item the coders coded differently: each coder's codes, and the agreed ones."""

    item: Item
    codes: dict[str, frozenset[str]]
    consensus: frozenset[str]
    settled: bool

    def agreed(self) -> frozenset[str]:
        """The codes every coder applied."""
        return frozenset.intersection(*self.codes.values())

    def any_coder(self) -> frozenset[str]:
        """The codes at least one coder applied."""
        return frozenset.union(*self.codes.values())
