"""The workbench and the demo: a bare ``qualcode`` (the demo project, in the workbench or
as counts), ``tui``, ``demo`` and ``init`` (an empty project, and what it counts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli.common import CONTEXT, open_project, user_errors
from qualcode.cli.options import coder_option, db_argument, force_option, question_option
from qualcode.errors import QualcodeError
from qualcode.i18n import translator

if TYPE_CHECKING:
    from qualcode.core.project import Project

_, _n = translator("cli")


@user_errors
def open_demo() -> None:
    from qualcode.demo import build_demo, demo_path

    path = demo_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        click.echo(_("Building the demo project at {path} …").format(path=path), err=True)
        build_demo(path, progress=lambda msg: click.echo(f"  {msg}", err=True))
    if sys.stdin.isatty() and sys.stdout.isatty():
        _run_tui(str(path), None, None)
        return
    _print_all_counts(path)
    click.echo(
        "\n"
        + _("Demo project: {path}\nOpen it in a terminal with: qualcode tui {path}").format(
            path=path
        ),
        err=True,
    )


def _run_tui(db: str | Project, question: str | None, coder: str | None) -> None:
    from qualcode.tui.app import make_app

    make_app(db, question, coder=coder).run()


def _print_all_counts(path: Path) -> None:
    from qualcode.core.waves import current_questions
    from qualcode.io.export import render_counts

    with open_project(str(path)) as project:
        tables = [project.count_table(qid) for qid in current_questions(project)]
    click.echo(render_counts(tables, "table").decode("utf-8"), nl=False)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Open the coding workbench on the project DB.\n\n"
        "Code answers with the number keys, move with n/p, undo with u, write memos with m, "
        "search with /, see every key with ?, and quit with q. F3 quotes, F4 counts, F5 "
        "codebook, i import."
    ),
)
@db_argument
@question_option(_("Start on this question (default: the first)."))
@coder_option(_("Your coder name (default: $QUALCODE_CODER or your user name)."))
@user_errors
def tui(db, question, coder) -> None:
    # opened once, here (so that a wrong file fails with one line before the screen
    # changes), and handed to the workbench, which closes it
    project = open_project(db, write=True, coder=coder)
    try:
        if question:
            project.question(question)
        project.on_wait = None  # the workbench says it is waiting, not a line on stderr
    except BaseException:
        project.close()
        raise
    _run_tui(project, question, coder)


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Build the demo project at PATH: the 2018 survey round with gold codings.\n\n"
        "82 jobcentres, the open answers behind the report's Tabel 1-3, 15 interview "
        "transcripts with the report's published quotes, and gold codings that reproduce "
        "Tabel 1-3; plus an invented 2017 wave of the open questions (synthetic, not the "
        "report's figures) for comparing waves with 'counts --waves'."
    ),
)
@click.argument("path", type=click.Path(dir_okay=False))
@force_option(_("Replace PATH if it exists."))
@user_errors
def demo(path: str, force: bool) -> None:
    from qualcode.demo import build_demo

    build_demo(path, force=force, progress=lambda msg: click.echo(f"  {msg}", err=True))
    click.echo(_("Built the demo project at {path}").format(path=path))


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Create an empty project DB, ready for 'qualcode import'; on an existing project, "
        "set (or show) what its respondents are called.\n\n"
        "\b\n"
        "  qualcode init kommuner.db --noun kommune/kommuner\n"
        "  qualcode import answers kommuner.db svar.csv --question q1 --codebook temaer"
    ),
)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--noun",
    metavar="SINGULAR/PLURAL",
    help=_(
        "What the respondents are, e.g. kommune/kommuner (default: jobcenter/jobcentre). "
        "Every table, chart, report and screen counts in it."
    ),
)
@user_errors
def init(db: str, noun: str | None) -> None:
    from qualcode.core.project import Project
    from qualcode.models import Noun

    try:
        wanted = Noun.parse(noun) if noun is not None else None
    except ValueError as exc:
        raise QualcodeError(f"--noun: {exc}") from None
    if Path(db).exists():
        with open_project(db, write=wanted is not None) as project:
            if wanted is not None:
                was = project.noun()
                project.set_noun(wanted)
                click.echo(
                    _("{db}: the respondents are now {noun} (were {was})").format(
                        db=db, noun=wanted, was=was
                    )
                )
            else:
                click.echo(_("{db}: the respondents are {noun}").format(db=db, noun=project.noun()))
        return
    with Project.building(db) as project:
        if wanted is not None:
            project.set_noun(wanted)
        made = project.noun()
    click.echo(
        _(
            "Created the empty project {db} (respondents: {noun}). Import answers with "
            "'qualcode import answers {db} FILE --question ID --codebook NAME'."
        ).format(db=db, noun=made)
    )


COMMANDS = [tui, demo, init]
