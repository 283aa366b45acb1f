"""A cell of the framework matrix (:class:`Summary`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The analyst's summary of what one respondent says about one theme of a question:
    a cell of the framework matrix. ``code`` is the theme's key; ``author`` wrote it last."""

    question: str
    respondent: str
    code: str
    text: str
    author: str
    at: str
