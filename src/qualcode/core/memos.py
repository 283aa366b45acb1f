"""Memos as a list: every memo of the project with what it is attached to, in words,
for the memo screen (M) and ``qualcode memos``. Writing memos is
:meth:`qualcode.core.project.Project.set_memo` (one undoable action each)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from qualcode.i18n import translator
from qualcode.models import Memo
from qualcode.store import memos as memo_store

_, _n = translator("core")

KINDS = ("project", "item", "coding", "code", "respondent")
"""What a memo can be about, in the order lists show them."""


def kind_name(kind: str) -> str:
    """A memo's kind in words."""
    return {
        "project": _("projekt"),
        "item": _("tekst"),
        "coding": _("kodning"),
        "code": _("kode"),
        "respondent": _("respondent"),
    }.get(kind, kind)


@dataclass(frozen=True)
class MemoEntry:
    """A memo and what it is attached to. ``item_id`` is the item to show (a memo on an
    item or on one of its codings), ``about`` the target in words ('' if it is gone)."""

    memo: Memo
    about: str
    item_id: int | None = None
    question: str | None = None
    respondent: str | None = None
    code: str | None = None  # the code's key (a code's memo, or a coding's)
    codebook: str | None = None

    @property
    def kind(self) -> str:
        return self.memo.target

    @property
    def first_line(self) -> str:
        lines = [line.strip() for line in self.memo.text.splitlines() if line.strip()]
        return lines[0] if lines else ""

    @property
    def gone(self) -> bool:
        """The memo's target was deleted (a memo from an older qualcode, or a file)."""
        return not self.about

    def matches(self, words: list[str]) -> bool:
        """Every word (case-insensitive) in the text, the target, the author or kind."""
        hay = " ".join(
            (self.memo.text, self.about, self.memo.author, kind_name(self.kind))
        ).casefold()
        return all(w.casefold() in hay for w in words)


def _entry(row: tuple[Any, ...]) -> MemoEntry:
    memo = Memo(*row[:7])
    (item_id, question, respondent, position, item_kind, key, label, stem) = row[7:15]
    start, _end, coder, name = row[15:19]
    place = ""
    if item_id is not None:
        place = f"{question}/{respondent}" + ("" if item_kind == "answer" else f" #{position + 1}")
    about = ""
    if memo.target == "project":
        about = _("projektet")
    elif memo.target == "item":
        about = place
    elif memo.target == "coding" and item_id is not None and label is not None:
        whole = _("hele teksten") if start is None else _("udsnit")
        about = f"{place}: {label} ({whole}, {coder})"
    elif memo.target == "code" and label is not None:
        about = f"{stem}: {label}"
    elif memo.target == "respondent" and respondent is not None:
        about = f"{respondent} {name}".strip() if name and name != respondent else respondent
    return MemoEntry(
        memo,
        about,
        item_id=item_id,
        question=question,
        respondent=respondent,
        code=key,
        codebook=stem,
    )


def entries(conn: sqlite3.Connection, kind: str | None = None, search: str = "") -> list[MemoEntry]:
    """The memos (of one kind), newest change first, those whose text, target, author or
    kind hold every word of ``search``."""
    words = search.split()
    found = [_entry(row) for row in memo_store.listed(conn, kind)]
    return [e for e in found if e.matches(words)] if words else found
