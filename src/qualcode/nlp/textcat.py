"""Learned suggestions: a spaCy multi-label text classifier per codebook.

The classifier (``textcat_multilabel``, bag of lemma uni- and bigrams) is trained on the
items the analysts have coded: an item's labels are the codes put on it, anywhere in it, by
the coders chosen. Items where a suggestion was rejected count as coded too, so rejections
teach the model what a code is not. Its input is the items' match keys (lemmas, folded; see
:mod:`qualcode.nlp.pipeline`), so inflections and ae/oe/aa spellings look the same to it.

A trained model is a folder: spaCy's ``nlp.to_disk`` plus ``qualcode-model.json`` naming the
codebook, its labels and what it was trained on. A model trained on one project applies to
any project with the same codebook stem (codes it does not know are never suggested).

Models live in a models folder (``<project>.models/`` by default, or the ``--out`` folder),
one subfolder per codebook, named after its stem. A stem comes from data (a YAML file's
name, a REFI-QDA file), so :func:`model_folder` takes it only if it is a plain file name
and the folder it gives stays inside the models folder. Training writes the new model to
a temporary folder inside the models folder and renames it into place; the folder it
replaces must be a qualcode model folder (it holds ``qualcode-model.json``) and is removed
only once the new one is in place. Nothing else is ever removed.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.nlp.pipeline import PIPELINE_ID, Analysis, analyses
from qualcode.safe import check_path_name, is_path_name
from qualcode.store import nlp as nlp_store

_, _n = translator("core")

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.core.project import Project

META = "qualcode-model.json"
THRESHOLD = 0.5


@dataclass
class Labelled:
    """The coded items of one codebook: what a model is trained and evaluated on."""

    stem: str
    labels: list[str]  # code keys, codebook order
    item_ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    codes: list[set[str]] = field(default_factory=list)
    analyses: list[Analysis] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.item_ids)


def coded_items(
    project: Project,
    stem: str,
    *,
    questions: Sequence[str] = (),
    coder: str | None = None,
    progress=None,
    cancelled=None,
    limit: int | None = None,
) -> Labelled:
    """Every item of the codebook's questions that has been coded (or had a suggestion
    rejected), with the set of codes on it; the first ``limit`` of them if given."""
    book = project.codebook(stem)
    qids = list(questions) or [q.id for q in project.questions() if q.codebook == stem]
    if not qids:
        raise QualcodeError(_("no question uses codebook {codebook}").format(codebook=repr(stem)))
    codes = nlp_store.coded(project.db, qids, coder)
    # file order without reading every text: ids first, then the texts of those kept
    order = [iid for iid in nlp_store.codable_order(project.db, qids) if iid in codes][:limit]
    texts = project.texts(order)
    rows = [(iid, texts[iid]) for iid in order]
    found = analyses(project, [r[0] for r in rows], progress=progress, cancelled=cancelled)
    out = Labelled(stem, book.keys())
    for iid, text in rows:
        if iid in found:
            out.item_ids.append(iid)
            out.texts.append(text)
            out.codes.append(codes[iid])
            out.analyses.append(found[iid])
    return out


def _doc(nlp, analysis: Analysis):
    from spacy.tokens import Doc

    words = [t.key for t in analysis.tokens if t.is_word] or [""]
    return Doc(nlp.vocab, words=words)


def _blank(labels: Sequence[str]):
    import spacy

    nlp = spacy.blank("da")
    textcat = nlp.add_pipe(
        "textcat_multilabel",
        config={
            "threshold": THRESHOLD,
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": False,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": 262144,
            },
        },
    )
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]  # a TextCategorizer
    return nlp


class TooFewCoded(QualcodeError):
    def __init__(self, stem: str, count: int) -> None:
        super().__init__(
            _n(
                "codebook {codebook}: only {n} coded item; code a few more before training",
                "codebook {codebook}: only {n} coded items; code a few more before training",
                count,
            ).format(codebook=repr(stem), n=count)
        )
        self.count = count


class Model:
    """A trained classifier and what it knows."""

    def __init__(self, nlp, meta: dict[str, Any], path: Path | None = None) -> None:
        self.nlp = nlp
        self.meta = meta
        self.path = path

    @property
    def stem(self) -> str:
        return self.meta["codebook"]

    @property
    def labels(self) -> list[str]:
        return list(self.meta["labels"])

    @property
    def threshold(self) -> float:
        return float(self.meta.get("threshold", THRESHOLD))

    def scores(self, items: Sequence[Analysis]) -> list[dict[str, float]]:
        docs = [_doc(self.nlp, a) for a in items]
        textcat = self.nlp.get_pipe("textcat_multilabel")
        out = []
        for doc in textcat.pipe(docs, batch_size=256):
            out.append({k: float(v) for k, v in doc.cats.items()})
        return out

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        self.nlp.to_disk(folder)
        (folder / META).write_text(
            json.dumps(self.meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        self.path = folder
        return folder


def train(
    data: Labelled,
    *,
    epochs: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Model:
    """Train a classifier on coded items. Deterministic for the same data and seed."""
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    if len(data) < 2:
        raise TooFewCoded(data.stem, len(data))
    spacy.util.fix_random_seed(seed)
    nlp = _blank(data.labels)
    examples = []
    for analysis, codes in zip(data.analyses, data.codes, strict=True):
        doc = _doc(nlp, analysis)
        cats = {label: float(label in codes) for label in data.labels}
        examples.append(Example.from_dict(doc, {"cats": cats}))
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples)
    # small data needs more passes; large data converges in a few
    epochs = epochs or max(6, min(30, 6000 // max(1, len(examples))))
    rng = random.Random(seed)
    for epoch in range(epochs):
        if cancelled and cancelled():
            raise QualcodeError(_("training cancelled"))
        rng.shuffle(examples)
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.1)
        if progress:
            progress(epoch + 1, epochs)
    meta = {
        "codebook": data.stem,
        "labels": data.labels,
        "threshold": THRESHOLD,
        "pipeline": PIPELINE_ID,
        "trained_items": len(data),
        "epochs": epochs,
        "seconds": round(time.perf_counter() - started, 2),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "qualcode_model": 1,
    }
    return Model(nlp, meta)


def load(folder: str | Path, stem: str | None = None) -> Model:
    """A saved model: FOLDER itself, or FOLDER/<codebook stem> when given a parent folder."""
    import spacy

    folder = Path(folder)
    if stem is not None:
        inner = model_folder(folder, stem)  # a codebook name from data: checked first
        if not (folder / META).exists() and (inner / META).exists():
            folder = inner
    meta_file = folder / META
    if not meta_file.exists():
        raise QualcodeError(
            (
                _("not a qualcode model folder (no {file} here or in {folder}/)")
                if stem
                else _("not a qualcode model folder (no {file})")
            ).format(file=META, folder=stem),
            file=str(folder),
        )
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        labels = meta["labels"]
        meta["codebook"]  # noqa: B018 - a model must name its codebook
    except (ValueError, KeyError, TypeError) as exc:
        raise QualcodeError(
            _("damaged model description: {problem}").format(problem=exc), file=str(meta_file)
        ) from None
    if stem is not None and meta["codebook"] != stem:
        raise QualcodeError(
            _("the model is for codebook {codebook}, not {other}").format(
                codebook=repr(meta["codebook"]), other=repr(stem)
            ),
            file=str(folder),
        )
    try:
        nlp = spacy.load(folder)
    except Exception as exc:  # spaCy raises many kinds for a damaged folder
        raise QualcodeError(
            _("cannot load the model: {problem}").format(problem=str(exc).splitlines()[0]),
            file=str(folder),
        ) from None
    if list(nlp.get_pipe("textcat_multilabel").labels) != list(labels):  # type: ignore[attr-defined]
        raise QualcodeError(_("the model's labels do not match its description"), file=str(folder))
    return Model(nlp, meta, folder)


def model_folder(models: str | Path, stem: str) -> Path:
    """``models/<stem>``: where the codebook's model is saved in a models folder.

    ``stem`` comes from data, so it must be a plain file name (no '..', no '/', no drive),
    and the folder, with links followed, must be a folder right inside ``models``; else a
    one-line QualcodeError. Nothing is created or looked into but the two paths."""
    models = Path(models)
    try:
        check_path_name(stem, _("the codebook name"))
    except ValueError as exc:
        raise QualcodeError(
            _("{problem}; no model folder can be made for it").format(problem=exc),
            file=str(models),
        ) from None
    target = models / stem
    if target.resolve().parent != models.resolve():
        raise QualcodeError(
            _(
                "the model folder for codebook '{codebook}' is a link to a folder outside the "
                "models folder; refused"
            ).format(codebook=stem),
            file=str(target),
        )
    return target


def is_model_folder(path: Path) -> bool:
    """Is ``path`` a qualcode model folder (a real folder holding qualcode-model.json)?"""
    return path.is_dir() and not path.is_symlink() and (path / META).is_file()


def _check_replaceable(target: Path) -> None:
    """A model may go to ``target`` only if nothing is there or a qualcode model is."""
    if (target.exists() or target.is_symlink()) and not is_model_folder(target):
        raise QualcodeError(
            _(
                "exists and is not a qualcode model folder (it has no {file}); it is left "
                "alone and no model was saved"
            ).format(file=META),
            file=str(target),
        )


def train_and_save(
    project: Project,
    stem: str,
    folder: Path,
    *,
    questions: Sequence[str] = (),
    coder: str | None = None,
    epochs: int | None = None,
    progress=None,
    cancelled=None,
) -> Model:
    """Train the codebook's model on the project's codings and save it as FOLDER/<stem>.

    The model is written to a temporary folder inside FOLDER and renamed into place, so a
    failed or cancelled run keeps the old model. An old model is first renamed aside, then
    the new one in, then the old one removed; a FOLDER/<stem> that is not a qualcode model
    folder is refused before training (nothing outside FOLDER is touched, nothing inside
    it but qualcode model folders)."""
    import os
    import shutil
    import tempfile

    folder = Path(folder)
    target = model_folder(folder, stem)  # before the minutes of training, not after
    if folder.exists() and not folder.is_dir():
        raise QualcodeError(_("is not a folder"), file=str(folder))
    _check_replaceable(target)
    data = coded_items(project, stem, questions=questions, coder=coder, cancelled=cancelled)
    model = train(data, epochs=epochs, progress=progress, cancelled=cancelled)
    model.meta["questions"] = list(questions) or [
        q.id for q in project.questions() if q.codebook == stem
    ]
    model.meta["project"] = Path(project.path).name
    model.meta["coder"] = coder  # whose codings it learned from (None: every coder's)
    folder.mkdir(parents=True, exist_ok=True)
    target = model_folder(folder, stem)  # the folder may have been made (or moved) since
    tmp = Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".new", dir=folder))
    old: Path | None = None
    try:
        model.save(tmp)
        _check_replaceable(target)
        if is_model_folder(target):
            aside = tmp.with_name(tmp.name.removesuffix(".new") + ".old")  # as unique as tmp
            if aside.exists() or aside.is_symlink():
                raise QualcodeError(
                    _("is in the way of replacing the model; remove it"), file=str(aside)
                )
            os.rename(target, aside)
            old = aside
        try:
            os.rename(tmp, target)
        except BaseException:
            if old is not None and not target.exists():
                os.rename(old, target)  # the old model back in place
                old = None
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)  # a leftover is hidden and harmless
    model.path = target
    model.meta["trained_on"] = len(data)
    return model


def default_folder(project: Project, stem: str | None = None) -> Path:
    """Where ``qualcode train`` puts models by default: beside the project file; with
    ``stem``, the codebook's model folder there (see :func:`model_folder`)."""
    from qualcode.paths import models_folder

    models = models_folder(project.path)
    return models if stem is None else model_folder(models, stem)


def coder_folder(project: Project, coder: str) -> Path:
    """The models folder of models trained on one coder's own codings (blind coding):
    ``<models>/.coders/<digest>/``. A coder name comes from data, so the folder is named
    by a digest of it, never by the name."""
    import hashlib

    from qualcode.paths import models_folder

    digest = hashlib.sha256(coder.encode("utf-8")).hexdigest()[:16]
    return models_folder(project.path) / ".coders" / digest


def default_model(project: Project, stem: str) -> Model | None:
    """The codebook's model from the default models folder, or None if there is none (a
    codebook whose name cannot name a folder has none). A damaged one is a QualcodeError."""
    if not is_path_name(stem):
        return None
    folder = default_folder(project, stem)
    return load(folder, stem) if folder.exists() else None
