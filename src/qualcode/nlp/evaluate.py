"""How good the suggestions are, measured by K-fold cross-validation on the coded items.

The coded items of a codebook are split into K folds (a seeded shuffle, so runs repeat).
For each fold a model is trained on the other K-1 folds and asked about the held-out fold;
the keyword rules need no training. Predictions of all folds are pooled and compared with
the analysts' codes: precision, recall and F1 per code, micro (pooled over codes) and macro
(the mean over codes that occur or are predicted), for the rules alone, the model alone and
both together (a code is suggested when either source suggests it).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.nlp.rules import RuleMatcher
from qualcode.nlp.textcat import Labelled, train

_, _n = translator("core")

METHODS = ("rules", "model", "both")


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Metrics:
    per_code: dict[str, Score]

    @property
    def micro(self) -> Score:
        return Score(
            sum(s.tp for s in self.per_code.values()),
            sum(s.fp for s in self.per_code.values()),
            sum(s.fn for s in self.per_code.values()),
        )

    def macro(self) -> tuple[float, float, float]:
        """Mean precision, recall and F1 over the codes (as scikit-learn's 'macro',
        zero_division=0, over the labels given)."""
        scores = list(self.per_code.values())
        if not scores:
            return (0.0, 0.0, 0.0)
        n = len(scores)
        return (
            sum(s.precision for s in scores) / n,
            sum(s.recall for s in scores) / n,
            sum(s.f1 for s in scores) / n,
        )


def metrics(
    truth: Sequence[set[str]], predicted: Sequence[set[str]], labels: Sequence[str]
) -> Metrics:
    """Multi-label precision/recall/F1 per label, from the sets of codes per item."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    per = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if label in t and label in p)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if label not in t and label in p)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if label in t and label not in p)
        per[label] = Score(tp, fp, fn)
    return Metrics(per)


@dataclass
class Evaluation:
    stem: str
    labels: list[str]
    label_names: dict[str, str]
    items: int
    folds: int
    results: dict[str, Metrics] = field(default_factory=dict)

    def rows(self) -> list[dict]:
        """One row per code, then 'micro' and 'macro': the printable table."""
        out = []
        for code in self.labels:
            row = {
                "codebook": self.stem,
                "code": code,
                "label": self.label_names[code],
                "support": self.results["rules"].per_code[code].support,
            }
            for m in METHODS:
                s = self.results[m].per_code[code]
                row |= {f"{m}_precision": s.precision, f"{m}_recall": s.recall, f"{m}_f1": s.f1}
            out.append(row)
        micro = {
            "codebook": self.stem,
            "code": "micro",
            "label": _("micro (alle koder)"),
            "support": self.results["rules"].micro.support,
        }
        macro = {
            "codebook": self.stem,
            "code": "macro",
            "label": _("macro (gennemsnit)"),
            "support": micro["support"],
        }
        for m in METHODS:
            s = self.results[m].micro
            micro |= {f"{m}_precision": s.precision, f"{m}_recall": s.recall, f"{m}_f1": s.f1}
            p, r, f = self.results[m].macro()
            macro |= {f"{m}_precision": p, f"{m}_recall": r, f"{m}_f1": f}
        return [*out, micro, macro]


def folds_of(n: int, k: int, seed: int = 0) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def evaluate(
    data: Labelled,
    label_names: dict[str, str],
    matcher: RuleMatcher,
    *,
    k: int = 5,
    seed: int = 0,
    epochs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """K-fold cross-validation of rules, model and both on one codebook's coded items."""
    n = len(data)
    if k < 2:
        raise QualcodeError(_("--folds: must be at least 2, not {k}").format(k=k))
    if n < k:
        raise QualcodeError(
            _n(
                "codebook {codebook} has {n} coded item, fewer than the {k} folds asked for "
                "(--folds)",
                "codebook {codebook} has {n} coded items, fewer than the {k} folds asked for "
                "(--folds)",
                n,
            ).format(codebook=repr(data.stem), n=n, k=k)
        )
    rules = [
        {h.code for h in matcher.match(t, a)}
        for t, a in zip(data.texts, data.analyses, strict=True)
    ]
    model: list[set[str]] = [set() for _i in range(n)]
    for i, test in enumerate(folds_of(n, k, seed)):
        held = set(test)
        train_part = Labelled(data.stem, data.labels)
        for j in range(n):
            if j not in held:
                train_part.item_ids.append(data.item_ids[j])
                train_part.texts.append(data.texts[j])
                train_part.codes.append(data.codes[j])
                train_part.analyses.append(data.analyses[j])
        fitted = train(train_part, seed=seed, epochs=epochs)
        for j, scores in zip(test, fitted.scores([data.analyses[j] for j in test]), strict=True):
            model[j] = {c for c, v in scores.items() if v >= fitted.threshold}
        if progress:
            progress(i + 1, k)
    both = [r | m for r, m in zip(rules, model, strict=True)]
    ev = Evaluation(data.stem, data.labels, label_names, n, k)
    for name, predicted in zip(METHODS, (rules, model, both), strict=True):
        ev.results[name] = metrics(data.codes, predicted, data.labels)
    return ev
