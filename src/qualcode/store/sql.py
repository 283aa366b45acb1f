"""SQL fragments every query module shares, each written once.

``CODABLE`` is the rule for the items that count: an answer that is not empty, or an
interview excerpt (never the interviewer's turns). Denominators, queues, progress and
search all use it, on an ``items`` table aliased ``i``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

CODABLE = "i.is_empty = 0 AND i.kind != 'interviewer'"
CHUNK = 500  # ids per IN (...) list: well under SQLite's limit on bound values

T = TypeVar("T")


def coder_filter(coder: str | None, alias: str = "c") -> tuple[str, list[Any]]:
    """`` AND c.coder = ?`` and its argument, or nothing when every coder counts."""
    if coder is None:
        return "", []
    return f" AND {alias}.coder = ?", [coder]


def marks(n: int) -> str:
    """``?,?,?`` for an IN list of ``n`` values."""
    return ",".join("?" * n)


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
