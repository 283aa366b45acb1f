"""Coding as a team: ``code`` (one coding from the command line), ``merge`` (coders' copies
into one project) and ``agreement`` (between coders)."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.common import CONTEXT, emit, open_project, user_errors
from qualcode.cli.options import coder_option, db_argument, output_options, question_option
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.safe import one_line, visible

_, _n = translator("cli")


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Agreement between two or more coders, per code and overall: percent agreement, "
        "Cohen's kappa (two coders), Fleiss' kappa and Krippendorff's alpha (nominal).\n\n"
        "Units are the answers (or excerpts) at least one coder coded; with --unit character, "
        "the characters at least one coder's passages cover. A coder who coded nothing on an "
        "answer is missing there: Krippendorff's alpha allows that, the other statistics use "
        "the answers every coder coded. Undefined values (e.g. a code nobody used) are empty "
        'in CSV, null in JSON and "–" in the table. CSV columns: question, code, label, kind, '
        "units, units_complete, units_pairable, applied, percent_agreement, cohen_kappa, "
        "fleiss_kappa, krippendorff_alpha."
    ),
)
@db_argument
@question_option(_("Question (default: every question that the coders compared have coded)."))
@click.option(
    "--coders",
    metavar="A,B,...",
    help=_("Comma-separated coders to compare (default: everybody who coded the question)."),
)
@click.option(
    "--unit",
    type=click.Choice(("item", "character")),
    default="item",
    show_default=True,
    help=_(
        "Unit of analysis: the answer (did the coder apply the code to it?), or "
        "each character, for span coding."
    ),
)
@output_options(("table", "csv", "json"), "table")
@user_errors
def agreement(db, question, coders, unit, fmt, output, force) -> None:
    from qualcode.core import agreement as agr
    from qualcode.io.agreement import FORMATS, render_agreement
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, FORMATS, "table")
    names = agr.parse_coders(coders)
    if names is not None and len(names) < 2:
        raise click.UsageError(_("--coders needs two or more names, separated by commas"))
    with open_project(db) as project:
        if question:
            frames = [agr.agreement(project, question, coders=names, unit=unit)]
        else:
            ids = []
            everybody: set[str] = set()
            for q in project.questions():
                known = agr.question_coders(project, q.id)
                everybody.update(known)
                if (set(names) <= set(known)) if names else len(known) >= 2:
                    ids.append(q.id)
            if not ids:
                known_text = ", ".join(sorted(everybody)) or _("none")
                if names:
                    text = _(
                        "no question has codings by all of {coders} (coders in the project: "
                        "{known})"
                    )
                else:
                    text = _(
                        "no question has codings by two or more coders (coders in the "
                        "project: {known})"
                    )
                raise QualcodeError(
                    text.format(coders=", ".join(names or []), known=known_text), file=db
                )
            frames = [agr.agreement(project, qid, coders=names, unit=unit) for qid in ids]
    emit(render_agreement(frames, fmt), output, force)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Code (or with --remove, uncode) one respondent's answer from the command line; "
        "with --none, mark it 'reviewed, no theme applies'."
    ),
)
@db_argument
@question_option(_("The question of the answer."), required=True)
@click.option("--respondent", required=True, metavar="ID", help=_("The respondent's id."))
@click.option("--code", "code_", metavar="KEY", help=_("Code key or exact label."))
@click.option(
    "--none",
    "no_theme",
    is_flag=True,
    help=_(
        "Reviewed, no theme applies: mark the answer instead of coding it (with --remove, "
        "take the mark away). Your own codings of the answer go; it never counts as a theme."
    ),
)
@click.option("--item", type=int, metavar="N", help=_("Excerpt number, for interviews."))
@coder_option(_("Coder (default: $QUALCODE_CODER or your user)."))
@click.option("--remove", is_flag=True, help=_("Remove the coding instead of adding it."))
@user_errors
def code(db, question, respondent, code_, no_theme, item, coder, remove) -> None:
    if bool(code_) == no_theme:
        raise click.UsageError(_("give --code KEY or --none"))
    with open_project(db, write=True, coder=coder) as project:
        items = project.items(question, respondent=respondent, include_empty=True)
        if item is not None:
            items = [i for i in items if i.number == item]
        if len(items) != 1:
            if len(items) > 1:
                text = _n(
                    "respondent '{respondent}' has {n} item in '{question}'; give --item",
                    "respondent '{respondent}' has {n} items in '{question}'; give --item",
                    len(items),
                )
            else:
                text = _n(
                    "respondent '{respondent}' has {n} item in '{question}'",
                    "respondent '{respondent}' has {n} items in '{question}'",
                    len(items),
                )
            raise QualcodeError(text.format(respondent=respondent, n=len(items), question=question))
        target = items[0]
        if no_theme:
            if remove:
                if not project.clear_no_theme(target.id):
                    raise QualcodeError(
                        _("{respondent} is not marked 'no theme' by {coder}").format(
                            respondent=respondent, coder=project.coder
                        )
                    )
                click.echo(
                    one_line(
                        _("took the 'no theme' mark away from {respondent}").format(
                            respondent=respondent
                        )
                    )
                )
            else:
                project.mark_no_theme(target.id)
                click.echo(
                    one_line(
                        _("marked {respondent}: no theme applies (coder {coder})").format(
                            respondent=respondent, coder=project.coder
                        )
                    )
                )
        elif remove:
            key = project.codebook(question).code(code_).key
            mine = [
                c
                for c in project.codings(item_id=target.id, coder=project.coder)
                if c.code == key and c.start is None
            ]
            if not mine:
                raise QualcodeError(
                    _("{respondent} is not coded '{code}' by {coder}").format(
                        respondent=respondent, code=key, coder=project.coder
                    )
                )
            project.remove_coding(mine[0].id)
            click.echo(
                one_line(
                    _("removed {code} from {respondent}").format(code=key, respondent=respondent)
                )
            )
        else:
            c = project.add_coding(target.id, code_)
            click.echo(
                one_line(
                    _("coded {respondent} with {code} (coder {coder})").format(
                        respondent=respondent, code=c.code, coder=c.coder
                    )
                )
            )


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Bring other coders' codings and memos from copies of the project into TARGET.\n\n"
        "Items are matched by question, respondent and transcript position and must have the "
        "same text; codes by codebook and key. Codings TARGET has already are skipped, so "
        "merging again changes nothing. Questions, respondents, items and codes TARGET lacks "
        "are never added: they are reported with the codings and memos left out. All or "
        "nothing: on any error TARGET is left exactly as it was. SOURCES are only read."
    ),
)
@click.argument("target", type=click.Path(dir_okay=False))
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--strict",
    is_flag=True,
    help=_("Merge nothing (exit 1) if anything in the sources cannot be matched."),
)
@click.option("--dry-run", is_flag=True, help=_("Report what would be merged; write nothing."))
@user_errors
def merge(target, sources, strict, dry_run) -> None:
    from qualcode.core.merge import merge_projects

    with open_project(target, write=True) as project:
        report = merge_projects(project, [Path(s) for s in sources], strict=strict, dry_run=dry_run)
    click.echo(visible(report.describe()))


COMMANDS = [code, merge, agreement]
