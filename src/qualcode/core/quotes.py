"""Quotes: the coded excerpts for a theme, with jobcentre and speaker role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import NotFound
from qualcode.i18n import translator
from qualcode.models import Quote
from qualcode.store import codings as coding_store

_, _n = translator("core")

if TYPE_CHECKING:
    from qualcode.core.project import Project


def find_quotes(
    project: Project, code: str, question: str | None = None, *, coder: str | None = None
) -> list[Quote]:
    """Every coding of ``code`` (a key or exact label, children included), in file order.

    Without ``question``, every question whose codebook has the code is searched.
    """
    questions = [project.question(question)] if question else project.questions()
    out: list[Quote] = []
    found_code = False
    for q in questions:
        book = project.codebook(q.codebook)
        c = book.find(code)
        if c is None:
            continue
        found_code = True
        keys = [c.key] + [d.key for d in book.descendants(c.key)]
        rows = coding_store.quote_rows(project.db, q.id, book.stem, keys, coder or None)
        seen: set[tuple[int, int | None, int | None, str]] = set()
        for (
            cid,
            item_id,
            key,
            label,
            cdr,
            start,
            end,
            rid,
            name,
            role,
            text,
            position,
            starred,
        ) in rows:
            passage = text[start:end] if start is not None else text
            dedupe = (item_id, start, end, key)
            if dedupe in seen:  # two coders on the same passage: one quote
                continue
            seen.add(dedupe)
            out.append(
                Quote(
                    code=key,
                    label=label,
                    question=q.id,
                    respondent=rid,
                    respondent_name=name,
                    role=role or "",
                    text=passage.strip(),
                    item_id=item_id,
                    item_number=position + 1,
                    coding_id=cid,
                    coder=cdr,
                    start=start,
                    end=end,
                    starred=bool(starred),
                )
            )
    if not found_code:
        text = (
            _("no code with key or label '{code}' in question '{question}'")
            if question
            else _("no code with key or label '{code}' in any codebook in the project")
        )
        raise NotFound(text.format(code=code, question=question))
    return out
