"""The Danish text pipeline: sentences, lemmas and the keys that words are matched on.

spaCy's Danish language class with a sentencizer, and the lemma table of spaCy's lookup
lemmatizer from spacy-lookups-data (read from an indexed file, see :mod:`.lemmas`, so the
553,116 words are not all held in memory): nothing is downloaded, so the pipeline works
offline on a fresh machine. Two small additions make it fit survey answers:

* The lookup table is case-sensitive and has lower-case entries, so a capitalised first word
  ("Arbejdsgiverne") is looked up in lower case too.
* Danish writes compounds as one word, and answers are full of compounds the table lacks
  ("fleksjobordningen"). A word the table does not know is lemmatised on its longest known
  tail: "fleksjob" + lemma("ordningen") = "fleksjobordning".

Every token gets a *match key*: its lemma in lower case with æ/ø/å folded to the ae/oe/aa
that people type on a foreign keyboard, so "følge", "foelge" and "følger" meet. Keys are what
the rules, the classifier and keyword-in-context search compare.

Results are cached in the project (table ``nlp_docs``, one row per item, keyed by the
pipeline's version and a hash of the text) so each item is processed once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qualcode.nlp.lemmas import lookup
from qualcode.store import nlp as nlp_store

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.core.project import Project

PIPELINE_ID = "da-lookup-2"
BATCH = 256
WRITE_BATCH = 1000  # items analysed and written to the cache per transaction
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})
_UNFOLD = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
_WORD = re.compile(r"\w", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, with æ/ø/å written as ae/oe/aa: the form both spellings share."""
    return text.lower().translate(_FOLD)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    lemma: str  # lower-case lemma, Danish letters kept
    key: str  # fold(lemma): what matching compares

    @property
    def is_word(self) -> bool:
        return bool(_WORD.search(self.key))


@dataclass(frozen=True)
class Analysis:
    """One text after the pipeline: its sentences (character spans) and tokens."""

    sents: tuple[tuple[int, int], ...]
    tokens: tuple[Token, ...]

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.tokens]

    def to_json(self) -> tuple[str, str]:
        return (
            json.dumps([list(s) for s in self.sents]),
            json.dumps([[t.start, t.end, t.lemma, t.key] for t in self.tokens], ensure_ascii=False),
        )

    @classmethod
    def from_json(cls, sents: str, tokens: str) -> Analysis:
        return cls(
            tuple(tuple(s) for s in json.loads(sents)), tuple(Token(*t) for t in json.loads(tokens))
        )


@lru_cache(maxsize=1)
def get_nlp():
    """The pipeline, built once per process: blank Danish + sentencizer. Lemmas come from
    :func:`lemma_of` (the lookup lemmatizer's table, with the fallbacks above)."""
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    return nlp


@lru_cache(maxsize=200_000)
def lemma_of(word: str) -> str:
    """The lower-case lemma of one word, with the fallbacks described in the module doc."""
    lower = word.lower()
    found = lookup(lower)
    if found is not None:
        return found
    # typed without Danish letters: "aendringer" -> "ændringer"
    restored = lower
    for ascii_, danish in _UNFOLD:
        restored = restored.replace(ascii_, danish)
    if restored != lower and (found := lookup(restored)) is not None:
        return found
    # an unknown compound: lemmatise its longest known tail (at least 4 letters)
    for i in range(2, len(lower) - 3):
        tail = lower[i:]
        if tail.isalpha() and (found := lookup(tail)) is not None:
            return lower[:i] + found
    return lower


def analyse_doc(doc) -> Analysis:
    """Sentences and tokens of a processed Doc, read through ``Doc.to_array`` (one spaCy
    Token object per token, made and dropped, was most of the pipeline's time)."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH, LIKE_NUM, SENT_START

    text = doc.text
    sents: list[tuple[int, int]] = []
    tokens: list[Token] = []
    start = end = -1  # the current sentence's first and last non-space characters
    for idx, length, space, num, sent_start in doc.to_array(
        [IDX, LENGTH, IS_SPACE, LIKE_NUM, SENT_START]
    ).tolist():
        if sent_start == 1 and start >= 0:
            sents.append((start, end))
            start = -1
        if space:
            continue
        word = text[idx : idx + length]
        wordlike = word.isalpha() or _WORD.search(word) is not None
        lemma = lemma_of(word) if wordlike and not num else word.lower()
        tokens.append(Token(idx, idx + length, lemma, fold(lemma)))
        if start < 0:
            start = idx
        end = idx + length
    if start >= 0:
        sents.append((start, end))
    return Analysis(tuple(sents), tuple(tokens))


def analyse(texts: Iterable[str], *, batch_size: int = BATCH) -> Iterable[Analysis]:
    """Run texts through the pipeline in batches (``nlp.pipe``), in order."""
    for doc in get_nlp().pipe(texts, batch_size=batch_size):
        yield analyse_doc(doc)


def analyse_text(text: str) -> Analysis:
    return next(iter(analyse([text])))


def text_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


Progress = Callable[[int, int], None]


def analyses(
    project: Project,
    item_ids: Sequence[int],
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    store: bool = True,
) -> dict[int, Analysis]:
    """Each item's analysis, from the cache where it is current, else computed and cached.

    Computed results are written in batches, each in its own short transaction, so a
    cancelled or interrupted run keeps what it finished. With ``store=False`` nothing is
    written: the workbench's one-item look-ups must never hold the write lock that the
    analyst's next coding waits for."""
    store = store and not project.readonly  # reading never writes, not even this cache
    wanted = list(dict.fromkeys(item_ids))
    out: dict[int, Analysis] = {}
    texts: dict[int, str] = {}
    for iid, text, pipeline, sha, sents, toks in nlp_store.texts_and_cache(project.db, wanted):
        if pipeline == PIPELINE_ID and sha == text_sha(text) and sents and toks:
            out[iid] = Analysis.from_json(sents, toks)
        else:
            texts[iid] = text
    total, done = len(wanted), len(out)
    if progress:
        progress(done, total)
    todo = list(texts)
    if store and todo:
        # the cache is derived data: a crash may lose it, never the analyst's work, so
        # its commits skip the fsync that codings get (synchronous=FULL, see store.db)
        sync = nlp_store.synchronous(project.db, 1)  # NORMAL
    try:
        _analyse_into(project, todo, texts, out, store, progress, cancelled, done, total)
    finally:
        if store and todo:
            nlp_store.synchronous(project.db, sync)
    return out


def _analyse_into(
    project: Project,
    todo: list[int],
    texts: dict[int, str],
    out: dict[int, Analysis],
    store: bool,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    done: int,
    total: int,
) -> None:
    for chunk in _chunks(todo, WRITE_BATCH):
        if cancelled and cancelled():
            break
        rows = []
        for iid, result in zip(chunk, analyse(texts[i] for i in chunk), strict=True):
            out[iid] = result
            rows.append((iid, PIPELINE_ID, text_sha(texts[iid]), *result.to_json()))
        if store:
            with project.transaction() as conn:
                nlp_store.cache(conn, rows)
        done += len(chunk)
        if progress:
            progress(done, total)


def _chunks(seq: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]
