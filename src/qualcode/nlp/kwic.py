"""Keyword in context: every occurrence of a word, in any inflection, with what surrounds it.

The word (or phrase, or ``prefix*``) is matched on lemma keys exactly as the keyword rules
match (see :mod:`qualcode.nlp.rules`), so "fleksjob" finds "fleksjobbet" and "fleksjobs",
and "foelge" finds "følger".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.core.codebook import Code, Codebook
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.nlp.pipeline import analyses
from qualcode.nlp.rules import RuleMatcher
from qualcode.store import nlp as nlp_store

_, _n = translator("core")

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.core.project import Project


@dataclass(frozen=True)
class Hit:
    item_id: int
    question: str
    respondent: str
    name: str
    role: str
    start: int
    end: int
    left: str
    match: str
    right: str


def _one_line(text: str) -> str:
    return " ".join(text.split())


def matcher_for(word: str) -> RuleMatcher:
    word = word.strip()
    if not word or not word.rstrip("*").strip():
        raise QualcodeError(_("WORD: give a word to look for"))
    return RuleMatcher(
        Codebook(stem="kwic", codes=[Code(key="hit", label="hit", keywords=(word,))])
    )


def kwic(
    project: Project,
    word: str,
    *,
    question: str | None = None,
    width: int = 40,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Hit]:
    """Every hit of WORD in the project's answers and interview turns (or one question's),
    in file order, with ``width`` characters of context each side."""
    matcher = matcher_for(word)
    qid = None if question is None else project.question(question).id
    rows = nlp_store.searchable(project.db, qid)
    found = analyses(project, [r[0] for r in rows], progress=progress, cancelled=cancelled)
    hits = []
    for iid, qid, rid, name, role, text in rows:
        if iid not in found:
            continue
        for hit in matcher.match(text, found[iid]):
            for start, end in hit.spans:
                left = _one_line(text[max(0, start - width * 2) : start])[-width:]
                right = _one_line(text[end : end + width * 2])[:width]
                hits.append(
                    Hit(iid, qid, rid, name, role, start, end, left, text[start:end], right)
                )
    return hits
