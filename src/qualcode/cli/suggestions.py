"""Code suggestions and searching the texts (spaCy, offline): ``train``, ``suggest``,
``evaluate`` and ``kwic``."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.common import CONTEXT, emit, open_project, user_errors
from qualcode.cli.options import coder_option, db_argument, output_options, question_option
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("cli")


def _codebook_questions(project, question: str | None) -> dict[str, list[str]]:
    """codebook stem -> its questions: the one asked for, or every question."""
    qs = [project.question(question)] if question else project.questions()
    out: dict[str, list[str]] = {}
    for q in qs:
        out.setdefault(q.codebook, []).append(q.id)
    return out


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Train a code classifier per codebook from the project's codings.\n\n"
        "spaCy textcat_multilabel on lemmas, trained on every coded item (and items where a "
        "suggestion was rejected). The model can be used on this or any other project with "
        "the same codebook: `qualcode suggest DB --model DIR`."
    ),
)
@db_argument
@question_option(
    _(
        "Train the codebook of this question, on this question's codings only "
        "(default: every codebook, on all its questions)."
    )
)
@click.option(
    "--out",
    metavar="DIR",
    help=_(
        "Folder for the models, one subfolder per codebook (default: DB.models beside the project)."
    ),
)
@coder_option(_("Learn from this coder's codings only (default: everyone's)."))
@click.option(
    "--epochs",
    type=click.IntRange(1, 500),
    metavar="N",
    help=_("Passes over the data (default: chosen from the data's size)."),
)
@user_errors
def train(db, question, out, coder, epochs) -> None:
    from qualcode.nlp.textcat import TooFewCoded, default_folder, train_and_save

    with open_project(db) as project:
        folder = Path(out) if out else default_folder(project)
        trained = 0
        for stem, qids in _codebook_questions(project, question).items():
            try:
                model = train_and_save(
                    project,
                    stem,
                    folder,
                    questions=qids if question else (),
                    coder=coder,
                    epochs=epochs,
                )
            except TooFewCoded as exc:
                click.echo(
                    _n(
                        "{codebook}: skipped, {n} coded item",
                        "{codebook}: skipped, {n} coded items",
                        exc.count,
                    ).format(codebook=stem, n=exc.count),
                    err=True,
                )
                continue
            trained += 1
            click.echo(
                _(
                    "{codebook}: trained on {items} coded items, {codes} codes, {epochs} "
                    "epochs, {seconds} s -> {path}"
                ).format(
                    codebook=stem,
                    items=model.meta["trained_items"],
                    codes=len(model.labels),
                    epochs=model.meta["epochs"],
                    seconds=model.meta["seconds"],
                    path=model.path,
                )
            )
        if not trained:
            raise QualcodeError(
                _("nothing to train: no codebook has two or more coded items"), file=db
            )


SUGGEST_COLUMNS = [
    ("respondent", _("Jobcenter")),
    ("question", _("Spørgsmål")),
    ("code", _("Kode")),
    ("label", _("Label")),
    ("score", _("Score")),
    ("source", _("Kilde")),
    ("words", _("Nøgleord")),
]
SUGGEST_KEYS = ["respondent", "question", "code", "label", "score", "source", "item", "words"]


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Suggest codes for every item not yet coded, with scores.\n\n"
        "CSV columns: respondent, question, code, label, score, source (rule or model), item, "
        "words (the keywords matched). Nothing is coded: accept suggestions in the workbench."
    ),
)
@db_argument
@question_option(required=True, help=_("The question to suggest for."))
@click.option(
    "--model",
    metavar="DIR",
    help=_(
        "A model folder from `qualcode train` (default: DB.models beside the "
        "project, if it holds one for the question's codebook)."
    ),
)
@coder_option(
    _(
        "Suggest for the items this coder has not coded (default: $QUALCODE_CODER or your "
        "user name)."
    )
)
@click.option(
    "--source",
    "sources",
    type=click.Choice(["rule", "model", "both"]),
    default="both",
    show_default=True,
    help=_("Which suggestions to give."),
)
@click.option(
    "--cache",
    is_flag=True,
    help=_(
        "Keep the text analyses in the project, so the next run (and the "
        "workbench) starts faster. This writes to DB; without it DB is only read."
    ),
)
@output_options(("csv", "table", "json"), "table")
@user_errors
def suggest(db, question, model, coder, sources, cache, fmt, output, force) -> None:
    from qualcode.io.export import format_from_path
    from qualcode.io.rows import render_rows
    from qualcode.nlp.suggest import Suggester
    from qualcode.nlp.textcat import Model, default_model, load

    fmt = format_from_path(output, fmt, ("csv", "table", "json"), "table")
    with open_project(db, write=cache) as project:
        q = project.question(question)
        fitted: Model | None
        if model:
            fitted = load(model, q.codebook)
        else:
            fitted = default_model(project, q.codebook)
            if fitted is None and sources != "rule":
                click.echo(
                    _(
                        "qualcode: note: no model for codebook {codebook} (run "
                        "'qualcode train {db}'); keyword rules only"
                    ).format(codebook=q.codebook, db=db),
                    err=True,
                )
        suggester = Suggester(project, q.id, model=fitted, coder=coder)
        rows, coded = project.queue(q.id, coder=suggester.coder)
        todo = [r[0] for r in rows if r[0] not in coded]
        wanted = ("rule", "model") if sources == "both" else (sources,)
        found = suggester.for_items(todo, sources=wanted)
        out = [
            {
                "respondent": s.respondent,
                "question": s.question,
                "code": s.code,
                "label": s.label,
                "score": s.score,
                "source": s.source,
                "item": s.item_id,
                "words": list(s.words),
            }
            for iid in todo
            for s in found.get(iid, [])
        ]
    click.echo(
        one_line(
            _("{suggestions} for {items} not coded by {coder}").format(
                suggestions=_n("{n} suggestion", "{n} suggestions", len(out)).format(n=len(out)),
                items=_n("{n} item", "{n} items", len(todo)).format(n=len(todo)),
                coder=suggester.coder,
            )
        ),
        err=True,
    )
    emit(render_rows(out, SUGGEST_COLUMNS, fmt, keys=SUGGEST_KEYS, right=("score",)), output, force)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "How good the suggestions are: K-fold cross-validation on the coded items.\n\n"
        "Precision, recall and F1 per code and micro/macro overall, for the keyword rules "
        "alone, the model alone and both. Each fold's model is trained on the other folds."
    ),
)
@db_argument
@question_option(_("Evaluate this question (default: every question with enough coded items)."))
@click.option(
    "--folds",
    type=int,
    default=5,
    show_default=True,
    metavar="K",
    help=_("Number of cross-validation folds."),
)
@coder_option(_("Take this coder's codings as the truth (default: everyone's)."))
@click.option(
    "--epochs",
    type=click.IntRange(1, 500),
    metavar="N",
    help=_("Training passes per fold (default: chosen from the data's size)."),
)
@output_options(("table", "csv", "json"), "table")
@user_errors
def evaluate(db, question, folds, coder, epochs, fmt, output, force) -> None:
    from qualcode.io.export import format_from_path
    from qualcode.io.rows import render_rows
    from qualcode.nlp.evaluate import METHODS, Score
    from qualcode.nlp.evaluate import evaluate as run_evaluation
    from qualcode.nlp.rules import RuleMatcher
    from qualcode.nlp.textcat import coded_items

    fmt = format_from_path(output, fmt, ("table", "csv", "json"), "table")
    rows: list[dict] = []
    pooled = {m: Score(0, 0, 0) for m in METHODS}
    evaluated = 0
    with open_project(db) as project:
        qids = [project.question(question).id] if question else [q.id for q in project.questions()]
        for qid in qids:
            q = project.question(qid)
            book = project.codebook(q.codebook)
            data = coded_items(project, q.codebook, questions=[qid], coder=coder)
            if len(data) < folds and not question:
                click.echo(
                    one_line(
                        _n(
                            "{question}: skipped, {n} coded item (fewer than {folds})",
                            "{question}: skipped, {n} coded items (fewer than {folds})",
                            len(data),
                        ).format(question=qid, n=len(data), folds=folds)
                    ),
                    err=True,
                )
                continue
            ev = run_evaluation(
                data, {c.key: c.label for c in book}, RuleMatcher(book), k=folds, epochs=epochs
            )
            evaluated += 1
            for r in ev.rows():
                rows.append({"question": qid, **r})
            for m in METHODS:
                s = ev.results[m].micro
                p = pooled[m]
                pooled[m] = Score(p.tp + s.tp, p.fp + s.fp, p.fn + s.fn)
        if not evaluated:
            raise QualcodeError(
                _("no question has {folds} or more coded items to evaluate").format(folds=folds),
                file=db,
            )
    if evaluated > 1:
        total = {
            "question": _("alle"),
            "codebook": "",
            "code": "micro",
            "label": _("micro, alle spørgsmål"),
            "support": pooled["rules"].support,
        }
        for m in METHODS:
            total |= {
                f"{m}_precision": pooled[m].precision,
                f"{m}_recall": pooled[m].recall,
                f"{m}_f1": pooled[m].f1,
            }
        rows.append(total)
    columns = [("question", _("Spørgsmål")), ("code", _("Kode")), ("support", "N")]
    for m, name in zip(METHODS, (_("regler"), _("model"), _("begge")), strict=True):
        columns += [
            (f"{m}_precision", f"{name} P"),
            (f"{m}_recall", f"{name} R"),
            (f"{m}_f1", f"{name} F1"),
        ]
    keys = ["question", "codebook", "code", "label", "support"] + [
        f"{m}_{x}" for m in METHODS for x in ("precision", "recall", "f1")
    ]
    emit(
        render_rows(
            rows,
            columns,
            fmt,
            keys=keys,
            right=[k for k, _heading in columns if k not in ("question", "code")],
        ),
        output,
        force,
    )


KWIC_COLUMNS = [
    ("respondent", _("Jobcenter")),
    ("question", _("Spørgsmål")),
    ("left", _("Før")),
    ("match", _("Ord")),
    ("right", _("Efter")),
]


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Keyword in context: every answer and interview turn with WORD in any inflection.\n\n"
        'WORD may be a phrase ("borgere på kanten") or end in * to match word starts '
        '("fleksjob*"). Matching is on lemmas, and ae/oe/aa match "æ", "ø" and "å".'
    ),
)
@db_argument
@click.argument("word")
@question_option(_("Search this question only."))
@click.option(
    "--width",
    type=click.IntRange(5, 200),
    default=40,
    show_default=True,
    help=_("Characters of context each side."),
)
@output_options(("table", "csv", "json"), "table")
@user_errors
def kwic(db, word, question, width, fmt, output, force) -> None:
    from qualcode.io.export import format_from_path
    from qualcode.io.rows import render_rows
    from qualcode.nlp.kwic import kwic as find

    fmt = format_from_path(output, fmt, ("table", "csv", "json"), "table")
    with open_project(db) as project:
        hits = find(project, word, question=question, width=width)
        rows = [
            {
                "respondent": h.respondent,
                "name": h.name,
                "question": h.question,
                "role": h.role,
                "item": h.item_id,
                "start": h.start,
                "end": h.end,
                "left": h.left,
                "match": h.match,
                "right": h.right,
            }
            for h in hits
        ]
    click.echo(
        _n("{n} hit for {word}", "{n} hits for {word}", len(rows)).format(
            n=len(rows), word=repr(word)
        ),
        err=True,
    )
    emit(
        render_rows(
            rows,
            KWIC_COLUMNS,
            fmt,
            right=("left",),
            keys=[
                "respondent",
                "name",
                "question",
                "role",
                "item",
                "start",
                "end",
                "left",
                "match",
                "right",
            ],
        ),
        output,
        force,
    )


COMMANDS = [train, suggest, evaluate, kwic]
