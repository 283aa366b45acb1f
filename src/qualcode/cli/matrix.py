"""The theme matrix: ``matrix`` (groups by themes) and ``attributes`` (the respondents'
attributes, their values in the survey's order)."""

from __future__ import annotations

import click

from qualcode.cli.common import CONTEXT, emit, open_project, resolve_basis, user_errors
from qualcode.cli.options import (
    COUNT_CODER_HELP,
    coder_option,
    db_argument,
    group_option,
    output_options,
    question_option,
    template_option,
)
from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("cli")


@click.command(
    context_settings=CONTEXT,
    help=_(
        "The theme matrix: a row per group of jobcentres, a column per theme, each cell the "
        "jobcentres in the group that mention the theme, out of those in the group who "
        "answered, with the percent.\n\n"
        "\b\n"
        "qualcode matrix demo.db --question strategier --by lokalpolitisk_fokus\n"
        "qualcode matrix demo.db --questions strategier,strategier-2017\n"
        "qualcode matrix demo.db --questions samarbejde-lokale-virksomheder,... --top 2\n\n"
        "The groups are the values of an attribute among the jobcentres that answered "
        "--question (or named groups of values, --group NAME=V1,V2), or the questions of "
        "--questions, which must share one codebook. CSV columns: group, question, code, "
        "label, respondents, answered, percent, rank (one line per group and theme; with "
        "--top the themes kept). DOCX (-o FILE.docx) is on A4 as the report, or in the "
        "agency's --template."
    ),
)
@db_argument
@question_option(_("The question whose jobcentres --by splits into groups."))
@click.option(
    "--by",
    metavar="ATTRIBUTE",
    help=_(
        "A row per value of this respondent attribute (e.g. lokalpolitisk_fokus), in the "
        "survey's order when the project has it (see 'qualcode attributes')."
    ),
)
@group_option
@click.option(
    "--questions",
    "question_list",
    metavar="Q1,Q2,...",
    help=_(
        "Instead of --question/--by: a row per question, all coded with one codebook. "
        'NAME=QID shows a question as NAME ("Lokale virksomheder=samarbejde-lokale-'
        'virksomheder").'
    ),
)
@coder_option(COUNT_CODER_HELP)
@click.option(
    "--top",
    type=int,
    metavar="N",
    help=_(
        "Per group only the N most frequent themes, most frequent first; themes as "
        "frequent as the N-th are kept too (the report's Tabel 4)."
    ),
)
@template_option
@output_options(("table", "csv", "md", "xlsx", "docx"), "table")
@user_errors
def matrix(
    db, question, by, group_specs, question_list, coder, top, template, fmt, output, force
) -> None:
    from qualcode.core import crosstab as xt
    from qualcode.core import matrix as mx
    from qualcode.errors import QualcodeError
    from qualcode.io.export import format_from_path
    from qualcode.io.matrix import FORMATS, render_matrix

    fmt = format_from_path(output, fmt, FORMATS, "table")
    if fmt in ("xlsx", "docx") and not output:
        raise click.UsageError(_("--format {format} needs -o FILE.{format}").format(format=fmt))
    if template and fmt != "docx":
        raise click.UsageError(_("--template goes with DOCX output (-o FILE.docx)"))
    layout = None
    if template:
        from qualcode.io.word import read_template

        layout = read_template(template)  # a bad template fails before anything is counted
    groups = xt.parse_groups(group_specs)
    if groups and not by:
        raise QualcodeError(_("--group needs --by ATTRIBUTE"))
    wanted = mx.parse_questions(question_list) if question_list is not None else None
    if wanted is not None and (question or by):
        raise QualcodeError(_("give either --questions or --question with --by, not both"))
    if wanted is None and not (question and by):
        raise QualcodeError(
            _("say which groups: --question QID --by ATTRIBUTE, or --questions Q1,Q2,...")
        )
    if top is not None and top < 1:
        raise QualcodeError(_("--top must be 1 or more, not {top}").format(top=top))
    with open_project(db) as project:
        ids = [g.question for g in wanted] if wanted else [question]
        coder = resolve_basis(project, coder, [project.question(q).id for q in ids])
        frame = mx.theme_matrix(
            project,
            question=question,
            by=by,
            groups=groups,
            questions=wanted,
            coder=coder,
            top=top,
        )
    emit(render_matrix(frame, fmt, template=layout), output, force)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "List the respondents' attributes and their values (with how many respondents have "
        "each), or one attribute's; with --order, store the survey's order of its values, "
        "which matrix rows and the workbench's theme matrix follow.\n\n"
        "\b\n"
        "qualcode attributes demo.db\n"
        "qualcode attributes demo.db lokalpolitisk_fokus \\\n"
        '    --order "I meget høj grad,I høj grad,I nogen grad,I mindre grad,Ved ikke"'
    ),
)
@db_argument
@click.argument("name", required=False)
@click.option(
    "--order",
    metavar="V1,V2,...",
    help=_(
        "Store the survey's order of NAME's values (as the questionnaire lists them); "
        "values left out follow, sorted. '' forgets the order."
    ),
)
@user_errors
def attributes(db, name, order) -> None:
    from qualcode.core import crosstab as xt
    from qualcode.core import matrix as mx
    from qualcode.core.crosstab import attribute_values
    from qualcode.errors import NotFound, QualcodeError

    if order is not None and not name:
        raise QualcodeError(_("--order needs the attribute's NAME"))
    with open_project(db, write=order is not None) as project:
        if order is not None:
            mx.set_value_order(project, name, [v.strip() for v in order.split(",") if v.strip()])
        known = attribute_values(project)
        if name and name not in known:
            raise NotFound(
                _("no respondent has the attribute '{name}' (attributes: {known})").format(
                    name=name, known=", ".join(known) or _("none")
                )
            )
        names = [name] if name else list(known)
        lines = []
        for attr in names:
            ordered = bool(xt.stored_order(project, attr))
            values = ", ".join(f"{v} ({known[attr][v]})" for v in xt.value_order(project, attr))
            text = _("{attribute} (survey order): {values}") if ordered else "{attribute}: {values}"
            lines.append(text.format(attribute=attr, values=values))
    for line in lines:
        click.echo(one_line(line))


COMMANDS = [matrix, attributes]
