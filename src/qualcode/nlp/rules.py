"""Rule suggestions: each code's keywords, matched on lemmas.

A keyword is run through the same pipeline as the answers, so "arbejdsgiver" in the codebook
matches "arbejdsgiverne", "arbejdsgivers" and "Arbejdsgivere", and "følge" matches "foelger".
A keyword of several words ("borgere på kanten") matches those lemmas in a row. A keyword
ending in ``*`` matches every word that starts with it ("fleksjob*" finds
"fleksjobansættelser"). Matching is spaCy's Matcher on the token NORM, set to the match key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from qualcode.core.codebook import Codebook
from qualcode.nlp.pipeline import Analysis, analyse, fold, get_nlp


@dataclass(frozen=True)
class RuleHit:
    code: str
    spans: tuple[tuple[int, int], ...]  # character spans of the matched words
    words: tuple[str, ...]  # the matched words as written, in order, without repeats


class RuleMatcher:
    """The keyword rules of one codebook."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.keywords: dict[str, list[str]] = {
            c.key: [k for k in c.keywords if k.strip()] for c in codebook if c.keywords
        }

    @cached_property
    def _matcher(self):
        from spacy.matcher import Matcher

        nlp = get_nlp()
        matcher = Matcher(nlp.vocab)
        for code, words in self.keywords.items():
            patterns = []
            for word in words:
                prefix = word.rstrip().endswith("*")
                analysis = next(iter(analyse([word.rstrip().rstrip("*")])))
                keys = [t.key for t in analysis.tokens if t.is_word]
                if not keys:
                    continue
                pattern: list[dict[str, Any]] = [{"NORM": k} for k in keys]
                if prefix:
                    # the stem as typed, folded: a prefix of the word, not of its lemma
                    stem = fold(word.rstrip().rstrip("*").split()[-1])
                    pattern[-1] = {"NORM": {"REGEX": "^" + _escape(stem)}}
                patterns.append(pattern)
            if patterns:
                matcher.add(code, patterns)
        return matcher

    def match(self, text: str, analysis: Analysis) -> list[RuleHit]:
        """The codes whose keywords occur in the text, in codebook order."""
        if not self.keywords or not analysis.tokens:
            return []
        from spacy.tokens import Doc

        nlp = get_nlp()
        words = [text[t.start : t.end] for t in analysis.tokens]
        spaces = [
            a.end < b.start for a, b in zip(analysis.tokens, analysis.tokens[1:], strict=False)
        ]
        doc = Doc(nlp.vocab, words=words, spaces=[*spaces, False])
        for tok, t in zip(doc, analysis.tokens, strict=True):
            tok.norm_ = t.key
        found: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self._matcher(doc):
            code = nlp.vocab.strings[match_id]
            span = (analysis.tokens[start].start, analysis.tokens[end - 1].end)
            found.setdefault(code, []).append(span)
        hits = []
        for code in (c.key for c in self.codebook):
            if code in found:
                spans = tuple(sorted(set(found[code])))
                words_seen = tuple(dict.fromkeys(text[s:e] for s, e in spans))
                hits.append(RuleHit(code, spans, words_seen))
        return hits

    def match_many(self, pairs: Iterable[tuple[str, Analysis]]) -> list[list[RuleHit]]:
        return [self.match(text, a) for text, a in pairs]


def _escape(text: str) -> str:
    import re

    return re.escape(text)
