"""The checks an import makes on what it reads, and how it words what it finds.

Ids, names and attribute values are stored in Unicode NFC; ids that differ only in case,
spaces, invisible characters or leading zeros are pointed out (never merged); texts with
control characters are counted; and what an import skips is said one line per kind, with
the first few row numbers. Readers (:mod:`qualcode.io`) and the import writer
(:mod:`qualcode.core.importer`) share these.
"""

from __future__ import annotations

import gc
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from qualcode.core.numbers import integer
from qualcode.i18n import translator
from qualcode.safe import has_control, one_line
from qualcode.store import respondents as respondent_store

if TYPE_CHECKING:
    from qualcode.models import Noun

_, _n = translator("core")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import builds its rows.

    Reading 150,000 rows allocates a list and an object per row; none of them form
    reference cycles, but the collector, run every 700 allocations, walks every row read so
    far again and again: that took more time than parsing (0.8 s of 1.3 s for 150,000
    codings). Memory is still freed by reference counting meanwhile.

    What was built and is still alive at the end (the rows just read) lives on: it goes
    to the oldest generation at once (``gc.freeze()`` then ``gc.unfreeze()``) instead of
    being walked by the next young collection (another 85 ms for 150,000 codings). That
    is skipped when something is frozen already (the TUI freezes its loaded screens), as
    unfreezing would unfreeze that too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def rows_listed(first: list[int], count: int) -> str:
    """'row 4', 'rows 4, 7', or with more than ``first`` shows: 'rows 4, 7, ...'."""
    listed = ", ".join(map(str, first))
    if count > len(first):
        return _("rows {rows}, ...").format(rows=listed)
    return _n("row {rows}", "rows {rows}", count).format(rows=listed)


def listing(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the language in use."""
    if len(parts) < 2:
        return "".join(parts)
    return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])


# -- ids: Unicode normalization and look-alikes ---------------------------------------------


def nfc(text: str) -> str:
    """``text`` in Unicode NFC: 'å' as one character, as most keyboards type it, not 'a'
    and a combining ring (as macOS file names and some exports hold it)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def nfc_all(values: list[str]) -> tuple[list[str], int]:
    """The values in NFC, and how many changed. One C-level check of all of them first:
    only a column that is not NFC already is normalised value by value."""
    joined = "\x00".join(values)  # NUL composes with nothing: NFC as a whole = NFC each
    if joined.isascii() or unicodedata.is_normalized("NFC", joined):
        return values, 0
    out = [unicodedata.normalize("NFC", v) for v in values]
    return out, sum(a != b for a, b in zip(values, out, strict=True))


_SINGULAR = re.compile(r"s\b")  # 'respondent ids' -> 'respondent id'


def _values(kind: str, n: int) -> str:
    """'3 respondent ids', in the language in use, for the kinds of values that imports
    store in NFC (the keys of :func:`nfc_note`'s counts)."""
    forms = {
        "respondent ids": _n("{n} respondent id", "{n} respondent ids", n),
        "names": _n("{n} name", "{n} names", n),
        "attribute values": _n("{n} attribute value", "{n} attribute values", n),
        "question ids": _n("{n} question id", "{n} question ids", n),
        "column names": _n("{n} column name", "{n} column names", n),
        "jobcentre ids or names": _n("{n} jobcentre id or name", "{n} jobcentre ids or names", n),
        "respondent fields": _n("{n} respondent field", "{n} respondent fields", n),
        "question fields": _n("{n} question field", "{n} question fields", n),
        "code fields": _n("{n} code field", "{n} code fields", n),
        "coder fields": _n("{n} coder field", "{n} coder fields", n),
    }
    form = forms.get(kind)
    if form is None:  # a kind not listed above: its own words
        return f"{integer(n)} {kind if n != 1 else _SINGULAR.sub('', kind)}"
    return form.format(n=integer(n))


def nfc_note(counts: dict[str, int]) -> str | None:
    """One note for the values an import stored in NFC; None if none. ``counts``: how
    many values of each kind ('respondent ids', 'column names', ...: see :func:`_values`)
    were changed."""
    parts = [_values(what, n) for what, n in counts.items() if n]
    if not parts:
        return None
    return _(
        "changed: {values} written with decomposed letters (such as 'a' + a combining "
        "ring for '{letter}') are stored composed (Unicode NFC), so they match the same text "
        "typed elsewhere"
    ).format(values=listing(parts), letter="å")


_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_IGNORED_IN_IDS = re.compile(f"[\\s{_ZERO_WIDTH}]+")
_ZERO_WIDTH_RUN = re.compile(f"[{_ZERO_WIDTH}]+")
_SPACES = re.compile(r"\s+")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_ASPECTS = (
    ("case", str.casefold),
    ("invisible characters", lambda s: _ZERO_WIDTH_RUN.sub("", s)),
    ("spaces", lambda s: _SPACES.sub("", s)),
    ("leading zeros", lambda s: _LEADING_ZEROS.sub("", s)),
)


def _aspect(name: str) -> str:
    """An aspect of :data:`_ASPECTS` in the language in use."""
    return {
        "case": _("case"),
        "invisible characters": _("invisible characters"),
        "spaces": _("spaces"),
        "leading zeros": _("leading zeros"),
    }[name]


_SHOW_INVISIBLE = {ord(c): f"<U+{ord(c):04X}>" for c in _ZERO_WIDTH}
MAX_LOOKALIKE_NOTES = 10


def lookalike_groups(ids: list[str]) -> list[list[str]]:
    """Groups of two or more different ids that differ only in case, spaces, zero-width
    characters or leading zeros of a number ('JC07', 'jc07', 'JC07 ', 'JC7', 'JC\\u200b07').

    The common case, no such group, costs a join, a casefold, two regex substitutions over
    the joined text and a set: all in C."""
    distinct = list(dict.fromkeys(ids))
    joined = _IGNORED_IN_IDS.sub("", "\x00".join(distinct).casefold())
    keys = _LEADING_ZEROS.sub("", joined).split("\x00")
    if len(set(keys)) == len(distinct):
        return []
    groups: dict[str, list[str]] = {}
    for key, rid in zip(keys, distinct, strict=True):
        groups.setdefault(key, []).append(rid)
    return [group for group in groups.values() if len(group) > 1]


def lookalikes_in_project(
    conn: sqlite3.Connection, ids: list[str]
) -> tuple[list[list[str]], set[str]]:
    """Look-alike groups among ``ids`` (a file's respondent ids) and between them and the
    project's respondents, each group holding at least one of ``ids``; and which of
    ``ids`` the project holds already.

    Ids the project holds were compared with its other ids when they came in, so the
    project's ids are read and compared only when the file brings new ones (the few ids of
    a transcript import are looked up, not the whole table read)."""
    distinct = list(dict.fromkeys(ids))
    if len(distinct) <= 2000:
        held = respondent_store.held(conn, distinct)
        if len(held) == len(distinct):
            return lookalike_groups(distinct), held
    known = respondent_store.ids(conn)
    held = set(known)
    if all(rid in held for rid in distinct):
        return lookalike_groups(distinct), held
    mine = set(distinct)
    groups = lookalike_groups(distinct + known)
    return [g for g in groups if any(rid in mine for rid in g)], held & mine


def _differences(group: list[str]) -> list[str]:
    """The aspects ('case', 'spaces', ...) the ids of a look-alike group differ in."""
    out = []
    for name, _f in _ASPECTS:
        others = [f for n, f in _ASPECTS if n != name]

        def key(text: str, others: list[Callable[[str], str]] = others) -> str:
            for f in others:
                text = f(text)
            return text

        if len({key(rid) for rid in group}) > 1:
            out.append(name)
    return out


def shown(text: str, limit: int = 60) -> str:
    """``text`` quoted for a one-line message: controls and zero-width characters visible."""
    text = one_line(text.translate(_SHOW_INVISIBLE))
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


def lookalike_notes(
    groups: list[list[str]], where: Callable[[str], str], noun: Noun | None = None
) -> list[str]:
    """One warning per group ("respondent ids ... differ only in case; they are kept as 2
    different respondents"); ``where(id)`` says where an id is ('row 5', 'in the
    project'). With ``noun`` (a transcript import) the ids are the noun's ("jobcenter
    ids ... 2 different jobcentre")."""
    notes = []
    for group in groups[:MAX_LOOKALIKE_NOTES]:
        names = listing([f"{shown(rid)} ({where(rid)})" for rid in group])
        differ = listing([_aspect(a) for a in _differences(group)])
        text = (
            _(
                "warning: respondent ids {ids} differ only in {differ}; they are kept as "
                "{n} different respondents (are they the same?)"
            )
            if noun is None
            else _(
                "warning: {noun} ids {ids} differ only in {differ}; they are kept as "
                "{n} different {nouns} (are they the same?)"
            )
        )
        notes.append(
            text.format(
                ids=names,
                differ=differ,
                n=len(group),
                noun=noun.singular if noun else "",
                nouns=noun.plural if noun else "",
            )
        )
    more = len(groups) - MAX_LOOKALIKE_NOTES
    if more > 0:
        text = (
            _n(
                "warning: {n} more group of respondent ids differ only in case, spaces, "
                "invisible characters or leading zeros",
                "warning: {n} more groups of respondent ids differ only in case, spaces, "
                "invisible characters or leading zeros",
                more,
            )
            if noun is None
            else _n(
                "warning: {n} more group of {noun} ids differ only in case, spaces, "
                "invisible characters or leading zeros",
                "warning: {n} more groups of {noun} ids differ only in case, spaces, "
                "invisible characters or leading zeros",
                more,
            )
        )
        notes.append(text.format(n=integer(more), noun=noun.singular if noun else ""))
    return notes


def count_with_controls(texts: list[str]) -> int:
    """How many of the texts hold control characters (one regex over them all first)."""
    if not has_control("\n".join(texts)):  # a newline is no control for has_control()
        return 0
    return sum(map(has_control, texts))
