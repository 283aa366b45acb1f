"""Co-occurrence: which themes the same respondents (jobcentres) mention together.

For every pair of a question's themes: how many distinct respondents (jobcentres, or the
project's noun) mention both, how many mention each, and the Jaccard index, ``both /
(respondents that mention at least one of the two)`` — the overlap as a share of everyone
the pair concerns, 1 when the two themes always come together, 0 when never. It is
undefined (None, shown as "–", never a number) when no respondent mentions either.

Counted from :func:`qualcode.core.counts.mentions`, the sets the counts and the crosstab
count from, so the numbers agree with ``qualcode counts``: per respondent (two mentions
count once, also across several items or passages of one respondent), on non-empty items
only, on one coder basis, and a parent theme stands for itself and all its children (a
respondent coded with a child mentions the parent). A parent and its own descendants are
therefore not paired: they come together by construction, not by what was said.
:meth:`Cooccurrence.both` still gives their overlap, for a full matrix.

    >>> result = cooccurrence(project, "strategier", coder="guld")  # doctest: +SKIP
    >>> result.pairs[0].both, result.pairs[0].jaccard                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from qualcode.core.counts import mentions

if TYPE_CHECKING:
    from qualcode.core.project import Project
    from qualcode.models import Noun


def jaccard(both: int, a: int, b: int) -> float | None:
    """``both / (a + b - both)``: the respondents mentioning both themes as a share of those
    mentioning at least one; None when no respondent mentions either."""
    either = a + b - both
    return both / either if either else None


@dataclass(frozen=True)
class Theme:
    """A theme of the codebook and how many respondents mention it (children included)."""

    key: str
    label: str
    depth: int
    respondents: int


@dataclass(frozen=True)
class Pair:
    """Two themes, in codebook order, and the respondents that mention them."""

    code_a: str
    label_a: str
    code_b: str
    label_b: str
    both: int
    respondents_a: int
    respondents_b: int

    @property
    def either(self) -> int:
        """Respondents that mention at least one of the two."""
        return self.respondents_a + self.respondents_b - self.both

    @property
    def jaccard(self) -> float | None:
        return jaccard(self.both, self.respondents_a, self.respondents_b)

    def other(self, key: str) -> str:
        """The pair's other theme's key."""
        return self.code_b if key == self.code_a else self.code_a


@dataclass(frozen=True)
class Cooccurrence:
    """A question's themes and every pair of them, most mentioned together first."""

    question: str
    question_text: str
    title: str
    kind: str
    answered: int  # respondents with a non-empty answer (interviewed, for interviews)
    noun: Noun  # what the respondents are: jobcenter/jobcentre unless the project says
    basis: str | None  # the coder counted on; None: every coder together
    coders: tuple[str, ...]  # everyone who has coded the question
    basis_label: str  # "Kodet af: guld"
    themes: tuple[Theme, ...]  # codebook order
    pairs: tuple[Pair, ...]  # by both (desc), Jaccard (desc, undefined last), codebook order
    members: Mapping[str, frozenset[str]] = field(repr=False)  # key -> its respondents
    nested: frozenset[frozenset[str]] = field(repr=False)  # {parent, descendant} pairs

    def both(self, a: str, b: str) -> int:
        """Respondents that mention both themes (a theme with itself: those that mention
        it); also for a parent and its child, which :attr:`pairs` leaves out."""
        return len(self.members[a] & self.members[b])

    def is_nested(self, a: str, b: str) -> bool:
        """Is one of the two themes the other's parent (or further up)?"""
        return frozenset((a, b)) in self.nested

    def theme(self, key: str) -> Theme:
        return next(t for t in self.themes if t.key == key)

    def with_theme(self, key: str) -> list[Pair]:
        """The pairs of one theme, in :attr:`pairs`' order (the most shared first)."""
        return [p for p in self.pairs if key in (p.code_a, p.code_b)]


def cooccurrence(project: Project, question: str, *, coder: str | None = None) -> Cooccurrence:
    """Every pair of the question's themes, counted on ``coder``'s codings (None: every
    coder together), as :mod:`qualcode.core.counts` counts."""
    q = project.question(question)
    book = project.codebook(q.codebook)
    answered, by_code = mentions(project, q, book, coder=coder or None)
    members = {code.key: frozenset(by_code[code.key]) for code in book}
    nested = {
        frozenset((code.key, child.key)) for code in book for child in book.descendants(code.key)
    }
    themes = tuple(Theme(c.key, c.label, book.depth(c.key), len(members[c.key])) for c in book)
    position = {t.key: i for i, t in enumerate(themes)}
    pairs = [
        Pair(
            a.key,
            a.label,
            b.key,
            b.label,
            len(members[a.key] & members[b.key]),
            a.respondents,
            b.respondents,
        )
        for a, b in combinations(themes, 2)
        if frozenset((a.key, b.key)) not in nested
    ]

    def order(p: Pair) -> tuple[int, bool, float, int, int]:
        j = p.jaccard
        return (-p.both, j is None, -(j or 0.0), position[p.code_a], position[p.code_b])

    coders = tuple(project.coders(q.id))
    return Cooccurrence(
        question=q.id,
        question_text=q.text,
        title=book.title,
        kind=q.kind,
        answered=len(answered),
        noun=project.noun(),
        basis=coder or None,
        coders=coders,
        basis_label=project.basis_label(coder or None, coders),
        themes=themes,
        pairs=tuple(sorted(pairs, key=order)),
        members=members,
        nested=frozenset(nested),
    )
