"""The grid of answers: a question's answers one per row, with the codes on them and the
respondent attributes the analyst chooses, sorted by any column and filtered by words,
codes and attribute values (QualCoder's issue #411, QDA Miner's grid).

    >>> grid = project.grid("strategier", attributes=["region"],
    ...                     query="kode:fleksjob region:nordjylland",
    ...                     sort=SortBy("region", attribute=True))  # doctest: +SKIP
    >>> len(grid), grid.rows(0, 20)  # doctest: +SKIP

The filter is the coding queue's search syntax (:class:`qualcode.core.query.Query`) with
``NAME:VALUE`` for an attribute: a value matches without case, as a whole or by its start
(``region:nord``); several values of one attribute are either, different attributes both.

The order is worked out once, over light rows (id, respondent, position and the sort
value), and kept as a list of ids; a page of rows is read for its ids only. An attribute
with a survey order (``qualcode attributes DB NAME --order ...``) sorts in that order,
anything else in Danish order: case aside, numbers as numbers, æ, ø and å after z. Rows
without a value come last either way; rows that tie keep the file's order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.core.crosstab import stored_order
from qualcode.core.query import Query
from qualcode.errors import NotFound
from qualcode.i18n import translator
from qualcode.store import grid as grid_store

if TYPE_CHECKING:
    from qualcode.core.project import Project

_, _n = translator("core")

RESPONDENT, TEXT, CODES = "respondent", "text", "codes"  # the columns every grid has
TEXT_CHARS = 300  # of an answer read for its row (its first line, cut there)
SORT_CHARS = 80  # of an answer its place in a sort by the text is decided on

_DIGITS = re.compile(r"(\d+)")
# æ, ø and å (and ä, ö as the same letters) after z, in that order; other accents go
_ACCENTS = re.compile("[\u0300-\u036f]")  # combining marks, once decomposed
_DANISH = (("æ", "{"), ("ä", "{"), ("ø", "|"), ("ö", "|"), ("å", "}"))


def danish_key(text: str) -> tuple[Any, ...]:
    """A sort key for text in Danish order: without case or accents (é as e), æ, ø and å
    after z, and a run of digits as its number ("JC2" before "JC10"); ties by the text."""
    folded = text.strip().casefold()
    if not folded.isascii():
        for letter, after_z in _DANISH:
            folded = folded.replace(letter, after_z)
        folded = _ACCENTS.sub("", unicodedata.normalize("NFD", folded))
    parts = _DIGITS.split(folded)
    if len(parts) > 1:  # text, digits, text, ...: each in its place the same type
        parts[1::2] = [(int(p), p) for p in parts[1::2]]
    return (tuple(parts), text)


@dataclass(frozen=True)
class SortBy:
    """A sort: by one of the grid's own columns (:data:`RESPONDENT`, :data:`TEXT`,
    :data:`CODES`), or with ``attribute`` by the attribute of that name."""

    column: str
    attribute: bool = False
    descending: bool = False

    def flipped(self) -> SortBy:
        return SortBy(self.column, self.attribute, not self.descending)


@dataclass(frozen=True)
class GridRow:
    """One answer as the grid shows it."""

    item_id: int
    respondent: str
    text: str  # the answer's first line (of its first TEXT_CHARS characters)
    cut: bool  # the answer goes on after it
    codes: tuple[str, ...]  # the labels of the codes on it, in the codebook's order
    values: tuple[str, ...]  # the chosen attributes' values, in their order ('' for none)


class Grid:
    """The answers of a question that match a filter, in a chosen order. The order is
    decided when it is made; :meth:`rows` reads a page of it from the project."""

    def __init__(
        self,
        project: Project,
        question: str,
        *,
        attributes: Sequence[str] = (),
        query: str | Query = "",
        sort: SortBy | None = None,
        coder: str | None = None,
    ) -> None:
        self.project = project
        self.question = project.question(question)
        self.book = project.codebook(self.question.codebook)
        known = project.grid_attributes()
        missing = [a for a in attributes if a not in known]
        if missing:
            raise _unknown_attribute(missing[0], known)
        if sort is not None and sort.attribute and sort.column not in known:
            raise _unknown_attribute(sort.column, known)
        self.attributes = tuple(dict.fromkeys(attributes))
        self.query = query if isinstance(query, Query) else Query.parse(query, known)
        self.sort = sort
        self.coder = coder
        self.warnings: list[str] = []  # what in the filter matched nothing it could
        self.total = grid_store.count(project.db, self.question.id)
        self.ids = self._ordered(self._matching())
        self._index: dict[int, int] | None = None

    # -- which answers ------------------------------------------------------------------
    def _matching(self) -> list[tuple[int, str, int]]:
        db, query = self.project.db, self.query
        codes: list[list[str]] = []
        for wanted in query.codes:
            found = self.book.find(wanted)
            if found is None:
                self.warnings.append(
                    _("Ukendt kode: {code}. Kodebogen har: {known}").format(
                        code=wanted, known=", ".join(c.key for c in self.book)
                    )
                )
                continue
            codes.append([found.key, *(c.key for c in self.book.descendants(found.key))])
        values: dict[str, list[str]] = {}
        for name, typed in query.attributes:
            found_values = _values_matching(grid_store.distinct_values(db, name), typed)
            if not found_values:
                self.warnings.append(
                    _("Ingen har {attribute} = »{value}« (værdier: {values})").format(
                        attribute=name,
                        value=typed,
                        values=", ".join(self._value_order(name)) or "–",
                    )
                )
            values.setdefault(name, [])
            values[name] += [v for v in found_values if v not in values[name]]
        if self.warnings:
            return []  # an empty grid would look like "none has it": the warning says why
        rows = grid_store.matching(
            db,
            self.question.id,
            words=query.words,
            stem=self.book.stem,
            codes=codes,
            attributes=values,
            coder=self.coder,
        )
        if query.respondents:
            rows = [r for r in rows if all(p in r[1].casefold() for p in query.respondents)]
        return rows

    # -- in which order -----------------------------------------------------------------
    def _ordered(self, rows: list[tuple[int, str, int]]) -> list[int]:
        sort = self.sort
        if sort is None:
            return [r[0] for r in rows]  # the file's order, as the queue
        key = self._sort_key(sort, rows)
        keyed = [(key(r), r[0]) for r in rows]
        present = [k for k in keyed if k[0] is not None]
        missing = [item for k, item in keyed if k is None]
        present.sort(key=lambda k: k[0], reverse=sort.descending)  # stable: ties keep order
        return [item for _k, item in present] + missing

    def _sort_key(
        self, sort: SortBy, rows: list[tuple[int, str, int]]
    ) -> Callable[[tuple[int, str, int]], Any]:
        db, qid = self.project.db, self.question.id
        if sort.attribute:
            by_respondent = grid_store.attribute_values(db, sort.column)
            rank = {v: n for n, v in enumerate(self._value_order(sort.column))}

            def attribute(r: tuple[int, str, int]) -> Any:
                value = by_respondent.get(r[1], "")
                return rank.get(value) if value.strip() else None

            return attribute
        if sort.column == RESPONDENT:  # by rank: each respondent's key worked out once
            rank = {rid: n for n, rid in enumerate(sorted({r[1] for r in rows}, key=danish_key))}
            return lambda r: (rank[r[1]], r[2])
        if sort.column == TEXT:
            starts = grid_store.text_starts(db, qid, SORT_CHARS)
            return lambda r: danish_key(starts[r[0]]) if starts.get(r[0], "").strip() else None
        if sort.column == CODES:
            place = {c.key: n for n, c in enumerate(self.book)}
            on = grid_store.item_codes(db, qid, self.coder)
            return lambda r: (
                tuple(sorted(place.get(k, len(place)) for k in on[r[0]])) if r[0] in on else None
            )
        raise ValueError(f"no grid column {sort.column!r}")

    def _value_order(self, attribute: str) -> list[str]:
        """The attribute's values: the survey's order first (if the project has one), the
        rest in Danish order."""
        values = grid_store.distinct_values(self.project.db, attribute)
        first = [v for v in stored_order(self.project, attribute) if v in values]
        rest = sorted((v for v in values if v not in first), key=danish_key)
        return first + rest

    # -- the rows ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, offset: int, limit: int) -> list[GridRow]:
        """The rows from ``offset`` on, ``limit`` of them at most."""
        ids = self.ids[max(0, offset) : max(0, offset) + max(0, limit)]
        items, codes, values = grid_store.page(
            self.project.db, ids, self.attributes, self.coder, TEXT_CHARS
        )
        order = {c.key: n for n, c in enumerate(self.book)}
        labels = {c.key: c.label for c in self.book}
        out = []
        for item_id in ids:
            if item_id not in items:  # deleted since the order was made
                continue
            respondent, start, length = items[item_id]
            lines = start.strip().splitlines() or [""]
            keys = sorted(codes.get(item_id, ()), key=lambda k: (order.get(k, len(order)), k))
            out.append(
                GridRow(
                    item_id=item_id,
                    respondent=respondent,
                    text=lines[0].strip(),
                    cut=len(lines) > 1 or length > len(start),
                    codes=tuple(labels.get(k, k) for k in keys),
                    values=tuple(values.get((respondent, a), "") for a in self.attributes),
                )
            )
        return out

    def index(self, item_id: int) -> int | None:
        """Where the item is in the grid (None: the filter leaves it out)."""
        if self._index is None:
            self._index = {item_id: n for n, item_id in enumerate(self.ids)}
        return self._index.get(item_id)


def _values_matching(values: Sequence[str], typed: str) -> list[str]:
    """The values a typed value means: the one equal to it without case, else those that
    start with it."""
    folded = typed.strip().casefold()
    same = [v for v in values if v.strip().casefold() == folded]
    return same or [v for v in values if v.strip().casefold().startswith(folded)]


def _unknown_attribute(name: str, known: Sequence[str]) -> NotFound:
    return NotFound(
        _("Ingen har oplysningen »{attribute}« (oplysninger: {known})").format(
            attribute=name, known=", ".join(known) or "–"
        )
    )
