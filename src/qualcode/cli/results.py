"""Reading the results: ``counts``, ``quotes``, ``info``, ``report``, ``chart``, ``crosstab``
and ``waves``."""

from __future__ import annotations

import click

from qualcode.cli.common import (
    CONTEXT,
    emit,
    open_project,
    resolve_basis,
    user_errors,
    warn_quotes_pii,
)
from qualcode.cli.options import (
    COUNT_CODER_HELP,
    attribute_option,
    coder_option,
    db_argument,
    force_option,
    group_option,
    output_option,
    output_options,
    question_option,
    template_option,
)
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("cli")


@click.command(
    context_settings=CONTEXT,
    help=_(
        "How many jobcentres mention each theme, out of those who answered.\n\n"
        "CSV columns: question, code, label, respondents, answered, percent, published, ... "
        'Markdown and XLSX follow the report\'s layout ("Anført af N ud af M jobcentre"). '
        "With --waves, CSV columns: series, question, code, label, then n_WAVE, base_WAVE, "
        "pct_WAVE per wave (oldest first), and change_pp."
    ),
)
@db_argument
@question_option(
    _("Question (default: every question; of a question asked in several waves, the newest wave).")
)
@coder_option(COUNT_CODER_HELP)
@click.option(
    "--published/--no-published",
    default=None,
    help=_(
        "Show the report's published figure beside the current count "
        "(default: when the codebook has one)."
    ),
)
@click.option(
    "--waves",
    "by_wave",
    is_flag=True,
    help=_(
        "Compare the question's waves: each wave's share and the change from the "
        "previous wave to the newest in percentage points (default: every "
        "question asked in two or more waves)."
    ),
)
@output_options(("table", "csv", "md", "xlsx", "json"), "table")
@user_errors
def counts(db, question, coder, published, by_wave, fmt, output, force) -> None:
    from qualcode.io.export import COUNT_FORMATS, format_from_path, render_counts

    fmt = format_from_path(output, fmt, COUNT_FORMATS, "table")
    if fmt == "xlsx" and not output:
        raise click.UsageError(_("--format xlsx needs -o FILE.xlsx"))
    if by_wave:
        from qualcode.core import waves as waves_
        from qualcode.io.waves import render_comparison

        with open_project(db) as project:
            ids = (
                [project.question(question).id]
                if question
                else waves_.comparable_questions(project)
            )
            coder = resolve_basis(project, coder, ids)
            frames = [waves_.wave_comparison(project, qid, coder=coder) for qid in ids]
            if not ids or frames[0] is None:
                known = ", ".join(waves_.waves(project)) or _("none")
                if question:
                    text = _(
                        "question '{question}' has no answers from two or more waves to compare "
                        "(waves in the project: {waves})"
                    )
                else:
                    text = _(
                        "no question has answers from two or more waves to compare "
                        "(waves in the project: {waves})"
                    )
                raise QualcodeError(text.format(question=question, waves=known), file=db)
        emit(render_comparison(frames, fmt), output, force)
        return
    with open_project(db) as project:
        if question:
            ids = [question]
        else:
            from qualcode.core.waves import current_questions

            ids = current_questions(project)
        if not ids:
            raise QualcodeError(
                _("the project has no questions yet; import answers first"), file=db
            )
        coder = resolve_basis(project, coder, ids)
        # plain tables, not DataFrames: pandas (and numpy) cost most of the command
        tables = [project.count_table(qid, coder=coder) for qid in ids]
    emit(render_counts(tables, fmt, published=published), output, force)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "List the excerpts coded with a theme, as the report prints them: "
        '"…" – Arbejdsmarkedschef; survey answers anonymous unless --attribute respondent.\n\n'
        "Markdown and DOCX (-o FILE.docx, optionally in the agency's --template) are for "
        "reading; CSV is the data, every column (respondent, name, role) included."
    ),
)
@db_argument
@click.option("--code", required=True, metavar="KEY", help=_("A code key or its exact label."))
@question_option(_("Only this question."))
@coder_option(_("Only this coder's codings."))
@attribute_option
@click.option(
    "--anonymous",
    is_flag=True,
    hidden=True,  # before --attribute: what is now the default, --attribute role
    help=_("The same as --attribute role (the default)."),
)
@template_option
@output_options(("md", "csv", "docx"), "md")
@user_errors
def quotes(db, code, question, coder, attribute, anonymous, template, fmt, output, force) -> None:
    from qualcode.io.export import QUOTE_FORMATS, format_from_path, quotes_csv, quotes_markdown

    fmt = format_from_path(output, fmt, QUOTE_FORMATS, "md")
    if anonymous and attribute == "respondent":
        raise click.UsageError(_("--anonymous and --attribute respondent contradict each other"))
    if fmt == "docx" and (not output or output == "-"):
        raise click.UsageError(_("--format docx needs -o FILE.docx"))
    if template and fmt != "docx":
        raise click.UsageError(_("--template goes with DOCX output (-o FILE.docx)"))
    layout = None
    if template:
        from qualcode.io.word import read_template

        layout = read_template(template)  # a bad template fails before anything is read
    with open_project(db) as project:
        found = project.quotes(code, question, coder=coder)
    if not found:
        click.echo(_("no excerpts are coded with '{code}' yet").format(code=code), err=True)
    warn_quotes_pii((q.text for q in found), db)
    if fmt == "md":
        data = quotes_markdown(found, attribute=attribute).encode("utf-8")
    elif fmt == "docx":
        from qualcode.io.quotes_docx import quotes_docx

        label = found[0].label if found and len({q.label for q in found}) == 1 else code
        title = _("Citater: {label}").format(label=label)
        data = quotes_docx(found, title=title, attribute=attribute, template=layout)
    else:
        data = quotes_csv(found)
    emit(data, output, force)


@click.command(
    context_settings=CONTEXT,
    help=_("Show a project's questions, codebooks, respondents and codings."),
)
@db_argument
@user_errors
def info(db) -> None:
    kinds = {"open": _("open"), "interview": _("interview")}  # a question's kind
    with open_project(db) as project:
        q_rows = project.questions()
        n = project.respondent_count()
        click.echo(
            _n("{db}: {n} respondent", "{db}: {n} respondents", n).format(db=one_line(db), n=n)
        )
        for q in q_rows:
            items, non_empty, coded, codings = project.tally(q.id)
            counted = ", ".join(
                (
                    _n("{n} item", "{n} items", items).format(n=items),
                    _n("{n} non-empty", "{n} non-empty", non_empty).format(n=non_empty),
                    _n("{n} coded", "{n} coded", coded).format(n=coded),
                    _n("{n} coding", "{n} codings", codings).format(n=codings),
                )
            )
            click.echo(
                one_line(
                    _("  {question} ({kind}, codebook {codebook}): {counted}").format(
                        question=q.id,
                        kind=kinds.get(q.kind, q.kind),
                        codebook=q.codebook,
                        counted=counted,
                    )
                )
            )


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Write the report: per coded question the table in the report's layout (FOKUSPUNKT, "
        'ESSENSEN AF FOKUSPUNKTET, "Anført af N ud af M jobcentre", percent; with '
        "--compare-published the published figure), its bar chart, the comparison with "
        "earlier waves, the starred quotes per theme (anonymous survey answers unless "
        "--attribute respondent), and with --by a crosstab; then a theme matrix of the "
        "questions that share a codebook.\n\n"
        "The format comes from FILE's suffix; DOCX is laid out on A4 as the report, or in the "
        "agency's --template. Written whole or not at all."
    ),
)
@db_argument
@output_option(
    required=True,
    help=_(
        "FILE.docx, .xlsx, .html or .md (Markdown: the charts are written beside "
        "it as FILE_figur_N.png)."
    ),
)
@question_option(
    multiple=True,
    help=_(
        "A question to include (repeatable; default: every question with codings; "
        "of a question asked in several waves the newest, compared with the "
        "earlier ones)."
    ),
)
@coder_option(COUNT_CODER_HELP)
@click.option(
    "--by",
    metavar="ATTRIBUTE",
    help=_("Add a crosstab of each question by this respondent attribute."),
)
@group_option
@click.option(
    "--alpha",
    type=float,
    default=0.05,
    show_default=True,
    help=_("Significance level of the crosstab's tests."),
)
@click.option(
    "--matrix",
    "matrix_specs",
    multiple=True,
    metavar="Q1,Q2,...",
    help=_(
        "A theme matrix of these questions (one codebook; NAME=QID names a row), as "
        "'qualcode matrix --questions'. Repeatable; default: one per set of the report's "
        "questions that share a codebook."
    ),
)
@click.option(
    "--top",
    type=int,
    metavar="N",
    help=_("The theme matrices show each question's N most frequent themes (ties kept)."),
)
@click.option(
    "--compare-published",
    is_flag=True,
    help=_(
        "Put the published figure (the codebook's count from the earlier report) beside "
        "each count, with its source, and mark it in the charts; in every format."
    ),
)
@attribute_option
@template_option
@force_option(_("Overwrite FILE (and its charts) if they exist."))
@user_errors
def report(
    db,
    output,
    question,
    coder,
    by,
    group_specs,
    alpha,
    matrix_specs,
    top,
    compare_published,
    attribute,
    template,
    force,
) -> None:
    from qualcode.core.crosstab import parse_groups
    from qualcode.core.matrix import parse_questions
    from qualcode.io.report import build_report, charts_needed, report_format, write_report

    fmt = report_format(output)
    layout = None
    if template:
        from qualcode.io.word import read_template

        if fmt != "docx":
            raise QualcodeError(
                _("--template is for a .docx report, not .{format}").format(format=fmt),
                file=str(output),
            )
        layout = read_template(template)  # a bad template fails before anything is counted
    groups = parse_groups(group_specs)
    if groups and not by:
        raise click.UsageError(_("--group needs --by ATTRIBUTE"))
    if top is not None and top < 1:
        raise QualcodeError(_("--top must be 1 or more, not {top}").format(top=top))
    matrices = [parse_questions(spec) for spec in matrix_specs] or None
    with open_project(db) as project:
        coder = resolve_basis(project, coder, list(question) or None)
        built = build_report(
            project,
            questions=list(question) or None,
            coder=coder,
            by=by,
            groups=groups,
            alpha=alpha,
            charts=charts_needed(fmt),
            matrices=matrices,
            matrix_top=top,
            compare_published=compare_published,
            attribute=attribute,
        )
    warn_quotes_pii(
        (q.text for s in built.sections for _code, quotes in s.quotes for q in quotes), db
    )
    for path in write_report(built, output, force=force, template=layout):
        click.echo(_("wrote {path}").format(path=path), err=True)
    tables, matrices_n = len(built.sections), len(built.matrices)
    ids = one_line(", ".join(s.question.id for s in built.sections))
    summary = _n("{n} table: {questions}", "{n} tables: {questions}", tables).format(
        n=tables, questions=ids
    )
    if matrices_n:
        matrix_text = _n("{n} theme matrix", "{n} theme matrices", matrices_n).format(n=matrices_n)
        summary = f"{summary}; {matrix_text}"
    click.echo(summary)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "A horizontal bar chart of a question's counts: percent of the jobcentres that "
        "answered, the number of jobcentres on each bar, the report's figure as a mark."
    ),
)
@db_argument
@question_option(required=True, help=_("The question to chart."))
@output_option(_("FILE.png or FILE.svg."), required=True)
@coder_option(COUNT_CODER_HELP)
@force_option()
@user_errors
def chart(db, question, output, coder, force) -> None:
    from qualcode.io.charts import chart_bytes, chart_format
    from qualcode.io.export import write_file

    fmt = chart_format(output)
    with open_project(db) as project:
        coder = resolve_basis(project, coder, [question])
        frame = project.counts(question, coder=coder)
    path = write_file(output, chart_bytes(frame, fmt), force=force)
    click.echo(_("wrote {path}").format(path=path), err=True)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Per theme, the share of jobcentres mentioning it in each group of an attribute, "
        "the difference in percentage points (two groups), and a test of independence: "
        "Fisher's exact test for two groups, chi-square otherwise (with a warning when an "
        "expected count is below 5), with the p-value and whether p < --alpha.\n\n"
        "Base per group: the group's jobcentres that answered the question; jobcentres "
        "without the attribute (or with a value in no --group) are left out and counted. "
        "CSV columns: question, code, label, n_G, base_G, pct_G per group, diff_pp, test, "
        "statistic, p_value, significant, min_expected, warning."
    ),
)
@db_argument
@question_option(required=True, help=_("The question."))
@click.option(
    "--by",
    required=True,
    metavar="ATTRIBUTE",
    help=_("The respondent attribute to group by (e.g. lokalpolitisk_fokus)."),
)
@group_option
@coder_option(COUNT_CODER_HELP)
@click.option("--alpha", type=float, default=0.05, show_default=True, help=_("Significance level."))
@output_options(("table", "csv", "md", "xlsx", "json"), "table")
@user_errors
def crosstab(db, question, by, group_specs, coder, alpha, fmt, output, force) -> None:
    from qualcode.core import crosstab as xt
    from qualcode.io.crosstab import FORMATS as XT_FORMATS
    from qualcode.io.crosstab import render_crosstab
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, XT_FORMATS, "table")
    if fmt == "xlsx" and not output:
        raise click.UsageError(_("--format xlsx needs -o FILE.xlsx"))
    groups = xt.parse_groups(group_specs)
    with open_project(db) as project:
        coder = resolve_basis(project, coder, [question])
        frame = xt.crosstab(project, question, by, groups=groups, coder=coder, alpha=alpha)
    emit(render_crosstab(frame, fmt), output, force)
    if (frame["warning_text"] == xt.SMALL_EXPECTED).any():
        click.echo(
            _(
                "warning: some chi-square tests have an expected count below 5; their "
                "p-values are unreliable (marked * in the table)"
            ),
            err=True,
        )


@click.command(
    "waves",
    context_settings=CONTEXT,
    help=_(
        "List the project's survey waves, or put a question in a wave.\n\n"
        "\b\n"
        "qualcode waves projekt.db\n"
        "qualcode waves projekt.db --question strategier --set 2018\n"
        "qualcode waves projekt.db --question strategier-17 --set 2017 --series strategier"
    ),
)
@db_argument
@question_option(_("With --set: the question to put in a wave."))
@click.option(
    "--set",
    "set_to",
    metavar="WAVE",
    help=_("Put --question in this wave ('' takes it out of its wave)."),
)
@click.option(
    "--series",
    metavar="QID",
    help=_(
        "With --set: the question id shared by all waves of this question "
        "(default: keep its series, which is its own id unless set)."
    ),
)
@user_errors
def waves_command(db, question, set_to, series) -> None:
    from qualcode.core import waves as waves_

    if set_to is not None and not question:
        raise click.UsageError(_("--set needs --question"))
    if (question or series) and set_to is None:
        raise click.UsageError(_("--question and --series go with --set WAVE"))
    with open_project(db, write=set_to is not None) as project:
        if set_to is not None:
            qid = project.question(question).id
            changed = waves_.set_wave(project, qid, set_to, series=series)
            wave, ser = waves_.question_wave(project, qid)
            if wave:
                text = (
                    _("{question}: wave {wave}, series {series}")
                    if changed
                    else _("{question}: wave {wave}, series {series} (unchanged)")
                )
            else:
                text = (
                    _("{question}: no wave, series {series}")
                    if changed
                    else _("{question}: no wave, series {series} (unchanged)")
                )
            click.echo(one_line(text.format(question=qid, wave=wave, series=ser)))
            return
        no_wave = _("(no wave)")
        for ser, members in waves_.series_list(project):
            shown = ", ".join(f"{w or no_wave}: {q}" for w, q in members)
            click.echo(one_line(f"{ser}: {shown}"))


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Show or set the coder basis the project's numbers are counted on by default: one "
        "coder's codings, the agreed coding (consensus), or every coder together.\n\n"
        "counts, chart, crosstab, report and the workbench use it when no --coder is given; "
        'every table says which basis it counts ("Kodet af: consensus").'
    ),
)
@db_argument
@click.option(
    "--set",
    "set_to",
    metavar="CODER",
    help=_(
        "Make CODER (a coder's name, or consensus) the basis; '*' makes it every coder together."
    ),
)
@user_errors
def basis(db, set_to) -> None:
    with open_project(db, write=set_to is not None) as project:
        if set_to is not None:
            project.set_basis(set_to)
        chosen = project.basis()
        coders = project.coders()
    click.echo(one_line(project.basis_label(chosen, coders)))
    if chosen is not None and chosen not in coders:
        click.echo(
            _("qualcode: note: '{coder}' has coded nothing yet").format(coder=one_line(chosen)),
            err=True,
        )


COMMANDS = [counts, quotes, info, report, chart, crosstab, waves_command, basis]
