"""``qualcode export``: the project for other QDA tools (REFI-QDA .qdc and .qdpx)."""

from __future__ import annotations

import click

from qualcode.cli.common import CONTEXT, emit, open_project, user_errors
from qualcode.cli.options import codebook_option, db_argument, force_option, output_option
from qualcode.i18n import translator

_, _n = translator("cli")


@click.group(
    "export",
    context_settings=CONTEXT,
    help=_(
        "Export a project for other QDA tools (REFI-QDA: NVivo, ATLAS.ti, MAXQDA, ...).\n\n"
        "Files are written whole or not at all, never over an existing file without --force."
    ),
)
def export_() -> None:
    pass


@export_.command(
    "qdc",
    context_settings=CONTEXT,
    help=_(
        "Export the project's codebook(s) as a REFI-QDA codebook (.qdc): codes, nesting, "
        "colours, and definitions as Descriptions."
    ),
)
@db_argument
@output_option()
@force_option()
@codebook_option(
    _(
        "Only this codebook (default: every codebook of the project; with more "
        "than one, each becomes a top-level code holding its codes)."
    )
)
@user_errors
def export_qdc(db, output, force, codebook) -> None:
    from qualcode.io.refiqda import export_qdc as write_qdc

    with open_project(db) as project:
        data = write_qdc(project, codebook)
    emit(data, output, force)


@export_.command(
    "qdpx",
    context_settings=CONTEXT,
    help=_(
        "Export the whole project as a REFI-QDA project (.qdpx): codebooks, respondents as "
        "cases with their attributes as variables, one text source per question and "
        "respondent, codings as text selections with their coder, and memos as notes.\n\n"
        "qualcode reads its own .qdpx back exactly (import qdpx); GUIDs are derived from the "
        "content, so exporting the same project twice gives the same file."
    ),
)
@db_argument
@output_option(required=True, help=_("The .qdpx file to write (whole or not at all)."))
@force_option()
@user_errors
def export_qdpx(db, output, force) -> None:
    from qualcode.io.refiqda import export_qdpx as write_qdpx

    with open_project(db) as project:
        data = write_qdpx(project)
    emit(data, output, force)


COMMANDS = [export_]
