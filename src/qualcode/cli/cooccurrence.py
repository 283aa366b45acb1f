"""``cooccurrence``: which themes the same respondents (jobcentres) mention together."""

from __future__ import annotations

import click

from qualcode.cli.common import CONTEXT, emit, open_project, resolve_basis, user_errors
from qualcode.cli.options import (
    COUNT_CODER_HELP,
    coder_option,
    db_argument,
    output_options,
    question_option,
)
from qualcode.i18n import translator

_, _n = translator("cli")


@click.command(
    context_settings=CONTEXT,
    help=_(
        "For each pair of a question's themes, the respondents (jobcentres) that mention "
        "both, and the Jaccard index: both / the respondents that mention at least one of the "
        "two (empty, or '–', when none mentions either). Most mentioned together first.\n\n"
        "Counted as 'qualcode counts' counts: distinct respondents, non-empty answers, one "
        "coder basis, a parent theme with its children (so a parent is not paired with its "
        "own children). CSV columns: question, code_a, label_a, code_b, label_b, both, "
        "respondents_a, respondents_b, jaccard, coder. XLSX adds a square matrix."
    ),
)
@db_argument
@question_option(required=True, help=_("The question whose themes to pair."))
@coder_option(COUNT_CODER_HELP)
@output_options(("table", "csv", "md", "xlsx"), "table")
@user_errors
def cooccurrence(db, question, coder, fmt, output, force) -> None:
    from qualcode.core.cooccurrence import cooccurrence as pairs_of
    from qualcode.io.cooccurrence import FORMATS, render_cooccurrence
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, FORMATS, "table")
    if fmt == "xlsx" and not output:
        raise click.UsageError(_("--format xlsx needs -o FILE.xlsx"))
    with open_project(db) as project:
        qid = project.question(question).id
        result = pairs_of(project, qid, coder=resolve_basis(project, coder, [qid]))
    emit(render_cooccurrence(result, fmt), output, force)


COMMANDS = [cooccurrence]
