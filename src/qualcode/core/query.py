"""The search syntax of the coding queue's filter line and of the grid of answers:
words, ``kode:KEY``, ``jc:ID`` and, where the caller knows the project's attributes,
``NAME:VALUE`` (a value of more words in quotes: ``region:"Region Nordjylland"``; a name
of more words too, as a register's column headings often are: ``"Antal borgere":"1-5"``).

    >>> Query.parse("fleksjob kode:andet region:nord", attributes=["region"])
    Query(words=('fleksjob',), codes=('andet',), respondents=(), attributes=(('region', 'nord'),))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# a term: "A NAME":VALUE, NAME:"a value of more words" (or both quoted), or anything up to
# the next space
_TERM = re.compile(r'"[^"]*":(?:"[^"]*"?|[^\s"]*)|[^\s:"]+:"[^"]*"?|\S+')
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def fold_name(name: str) -> str:
    """An attribute's name as typed or stored, compared: ``Størrelse`` finds ``stoerrelse``."""
    return name.casefold().translate(_FOLD)


@dataclass(frozen=True)
class Query:
    """What a filter line asks for: words, codes (kode:KEY), respondents (jc:ID) and
    attribute values (NAME:VALUE, with NAME as the project stores it)."""

    words: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    respondents: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str, attributes: Iterable[str] = ()) -> Query:
        """Read a filter line. ``attributes``: the names a ``NAME:VALUE`` term may use (its
        name compared without case, æ/ø/å as ae/oe/aa); any other such term is a word."""
        names = {fold_name(a): a for a in attributes}
        words, codes, resp, attrs = [], [], [], []
        for term in _TERM.findall(text):
            low = term.casefold()
            if term.startswith('"') and '":' in term:  # a name in quotes: an attribute's
                name, colon, value = term[1:].partition('":')
            else:
                name, colon, value = term.partition(":")
            if colon and len(value) > 1 and value.startswith('"'):
                value = value.strip('"')
            if low.startswith(("kode:", "code:")):
                codes.append(value)
            elif low.startswith(("jc:", "resp:")):
                resp.append(value.casefold())
            elif colon and fold_name(name) in names and value:
                attrs.append((names[fold_name(name)], value))
            else:
                words.append(term)
        return cls(tuple(words), tuple(codes), tuple(resp), tuple(attrs))
