"""Code suggestions for an item, from the keyword rules and the trained model together.

A suggestion is only ever a proposal: nothing is coded until the analyst accepts it
(:meth:`qualcode.core.project.Project.accept_suggestion`). A code the coder has already put
on the item, or rejected on it, is not suggested again.

* ``rule``: the code's keywords occur in the item. Its score is how often such a hit was
  coded with that code among the items coded so far (Laplace-smoothed; 0.5 before any).
* ``model``: the classifier's probability, shown when it reaches the model's threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from qualcode.nlp.pipeline import Analysis, analyses
from qualcode.nlp.rules import RuleHit, RuleMatcher
from qualcode.store import nlp as nlp_store

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.core.project import Project
    from qualcode.nlp.textcat import Model

SOURCES = ("rule", "model")
PRECISION_SAMPLE = 2000


@dataclass(frozen=True)
class Suggestion:
    item_id: int
    respondent: str
    question: str
    code: str
    label: str
    score: float
    source: str  # 'rule' or 'model'
    words: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()


def rule_precision(
    matcher: RuleMatcher, texts: Sequence[str], found: Sequence[Analysis], codes: Sequence[set[str]]
) -> dict[str, float]:
    """Per code, the smoothed share of coded items with a keyword hit that carry the code."""
    hits: dict[str, int] = {}
    right: dict[str, int] = {}
    for text, analysis, coded in zip(texts, found, codes, strict=True):
        for hit in matcher.match(text, analysis):
            hits[hit.code] = hits.get(hit.code, 0) + 1
            right[hit.code] = right.get(hit.code, 0) + (hit.code in coded)
    return {c: (right.get(c, 0) + 1) / (hits.get(c, 0) + 2) for c in matcher.keywords}


class Suggester:
    """Suggestions for one question's items, as a given coder sees them."""

    def __init__(
        self,
        project: Project,
        question: str,
        *,
        model: Model | None = None,
        coder: str | None = None,
        own_only: bool = False,
    ) -> None:
        """``own_only`` (blind coding): nothing learned from other coders, so the rules'
        precision is measured on the coder's own codings, and a ``model`` must have been
        trained on them alone (another is not used)."""
        self.project = project
        self.question = project.question(question)
        self.book = project.codebook(self.question.codebook)
        self.rules = RuleMatcher(self.book)
        self.coder = coder or project.coder
        self.own_only = own_only
        if model is not None and (
            model.stem != self.book.stem or (own_only and model.meta.get("coder") != self.coder)
        ):
            model = None
        self.model = model
        self._labels = {c.key: c.label for c in self.book}

    @cached_property
    def precision(self) -> dict[str, float]:
        from qualcode.nlp.textcat import coded_items

        # a sample is enough for a share, and keeps the first suggestion quick on 100k items
        data = coded_items(
            self.project,
            self.book.stem,
            questions=[self.question.id],
            coder=self.coder if self.own_only else None,
            limit=PRECISION_SAMPLE,
        )
        return rule_precision(self.rules, data.texts, data.analyses, data.codes)

    def _done(self, item_ids: Sequence[int]) -> dict[int, set[str]]:
        """Codes the coder has already put on, or rejected on, each item."""
        out: dict[int, set[str]] = {i: set() for i in item_ids}
        for iid, key in nlp_store.decided(self.project.db, self.coder, item_ids):
            out[iid].add(key)
        return out

    def for_items(
        self,
        item_ids: Sequence[int],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        sources: Iterable[str] = SOURCES,
        store: bool = True,
    ) -> dict[int, list[Suggestion]]:
        """Each item's suggestions, best first. ``store``: cache the NLP results."""
        sources = set(sources)
        ids = list(item_ids)
        found = analyses(self.project, ids, progress=progress, cancelled=cancelled, store=store)
        ids = [i for i in ids if i in found]
        items = {i: self.project.item(i) for i in ids}
        done = self._done(ids)
        scores = (
            self.model.scores([found[i] for i in ids])
            if self.model is not None and "model" in sources
            else [{} for _id in ids]
        )
        out: dict[int, list[Suggestion]] = {}
        for iid, model_scores in zip(ids, scores, strict=True):
            item = items[iid]
            skip = done[iid]
            result: list[Suggestion] = []
            if "rule" in sources:
                for hit in self.rules.match(item.text, found[iid]):
                    if hit.code not in skip:
                        result.append(
                            self._make(
                                item, hit.code, self.precision.get(hit.code, 0.5), "rule", hit
                            )
                        )
            threshold = self.model.threshold if self.model is not None else 1.0
            for code, score in model_scores.items():
                if code in self._labels and code not in skip and score >= threshold:
                    result.append(self._make(item, code, score, "model"))
            result.sort(key=lambda s: (-s.score, s.source))
            out[iid] = result
        return out

    def for_item(self, item_id: int) -> list[Suggestion]:
        """One item's suggestions, computed without writing to the project (see
        :func:`qualcode.nlp.pipeline.analyses`)."""
        return self.for_items([item_id], store=False).get(item_id, [])

    def uncertainty(
        self, item_ids: Sequence[int], *, progress=None, cancelled=None
    ) -> dict[int, float]:
        """How unsure the model is of each item: 1 at a score of 0.5 for some code, 0 when
        every score is 0 or 1. Items are best coded most-unsure first."""
        if self.model is None:
            return {}
        found = analyses(self.project, list(item_ids), progress=progress, cancelled=cancelled)
        ids = [i for i in item_ids if i in found]
        scores = self.model.scores([found[i] for i in ids])
        return {
            iid: max((1 - abs(2 * v - 1) for v in s.values()), default=0.0)
            for iid, s in zip(ids, scores, strict=True)
        }

    def _make(
        self, item, code: str, score: float, source: str, hit: RuleHit | None = None
    ) -> Suggestion:
        return Suggestion(
            item.id,
            item.respondent,
            item.question,
            code,
            self._labels[code],
            round(score, 4),
            source,
            hit.words if hit else (),
            hit.spans if hit else (),
        )


def merged(suggestions: Sequence[Suggestion]) -> list[tuple[str, float, list[Suggestion]]]:
    """One entry per code: (code, best score, the suggestions for it), best first."""
    by_code: dict[str, list[Suggestion]] = {}
    for s in suggestions:
        by_code.setdefault(s.code, []).append(s)
    rows = [(code, max(s.score for s in group), group) for code, group in by_code.items()]
    rows.sort(key=lambda r: -r[1])
    return rows
