"""The framework matrix: ``framework`` exports a question's respondents × themes with the
analyst's summaries (written on the workbench's F9), and optionally the coded passages."""

from __future__ import annotations

import os
from pathlib import Path

import click

from qualcode.cli.common import CONTEXT, emit, open_project, resolve_basis, user_errors
from qualcode.cli.options import (
    coder_option,
    csv_dialect_option,
    db_argument,
    force_option,
    output_option,
    question_option,
    template_option,
)
from qualcode.errors import QualcodeError
from qualcode.i18n import translator

_, _n = translator("cli")

# as qualcode.io.framework.FORMATS (not imported here: it loads the exporters, and every
# command's start would pay for them; tests/test_startup_imports.py checks the two agree)
FORMATS = ("xlsx", "docx", "md", "csv")


def _format(fmt: str | None, output: str | None) -> str:
    """The format asked for, else the one -o's name ends in, else Markdown on stdout; a
    format that is not one of them, or XLSX/DOCX without a file, is one error line."""
    listed = ", ".join(FORMATS)
    if output and output != "-":  # a folder is named as write_file would name it
        if output.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
            raise QualcodeError(_("names a folder; give a file name"), file=output)
        if Path(output).is_dir():
            raise QualcodeError(_("is a folder; give a file name"), file=output)
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise QualcodeError(
                _("unknown format '{format}' (use {formats})").format(format=fmt, formats=listed)
            )
    elif output and output != "-":
        suffix = Path(output).suffix.lower().lstrip(".")
        fmt = {"markdown": "md"}.get(suffix, suffix)
        if fmt not in FORMATS:
            raise QualcodeError(
                _(
                    "cannot tell the format from the file name (use {suffixes}, or give --format)"
                ).format(suffixes="." + ", .".join(FORMATS)),
                file=output,
            )
    else:
        fmt = "md"
    if fmt in ("xlsx", "docx") and (not output or output == "-"):
        raise QualcodeError(_("--format {format} needs -o FILE.{format}").format(format=fmt))
    return fmt


def _codes(codes: str | None) -> list[str] | None:
    if codes is None:
        return None
    keys = [k.strip() for k in codes.split(",") if k.strip()]
    if not keys:
        raise QualcodeError(_("--codes needs one or more code keys, separated by commas"))
    return keys


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Export a question's framework matrix: the jobcentres as rows, the codebook's themes "
        "as columns, and in each cell the analyst's summary (written on the workbench's F9 "
        "Rammematrix), with --passages the coded passages too.\n\n"
        "XLSX: a sheet with the matrix (and with --passages a sheet of passages); DOCX and "
        "Markdown: the matrix as a table (and with --passages, per jobcentre and theme the "
        "summary and the passages). CSV: a row per cell, columns question, respondent, name, "
        "code, label, summary, author, at, n_passages, passages (the passages column is "
        "filled with --passages; --dialect excel-da for Danish Excel). DOCX is on A4, or in "
        "the agency's --template. Written whole or not at all."
    ),
)
@db_argument
@question_option(required=True, help=_("The question whose matrix to export."))
@click.option(
    "--codes",
    metavar="K1,K2,...",
    help=_(
        "Only these themes (code keys or exact labels, comma-separated), in this order "
        "(default: the codebook's themes in its order)."
    ),
)
@coder_option(
    _(
        "Count this coder's codings (a name, or consensus); '*' counts every coder together. "
        "Default: the project's basis (see 'qualcode basis'), else every coder. Decides whose "
        "coded passages the cells hold."
    )
)
@click.option("--passages", is_flag=True, help=_("Include the coded passages of every cell."))
@click.option(
    "--format",
    "fmt",
    metavar="FORMAT",
    help=_("xlsx, docx, md or csv (default: from FILE's extension, else md)."),
)
@template_option
@output_option()
@force_option()
@csv_dialect_option(FORMATS, "md")
@user_errors
def framework(db, question, codes, coder, passages, template, fmt, output, force) -> None:
    from qualcode.io.framework import render_framework

    fmt = _format(fmt, output)
    if template and fmt != "docx":
        raise QualcodeError(_("--template goes with DOCX output (-o FILE.docx)"))
    layout = None
    if template:
        from qualcode.io.word import read_template

        layout = read_template(template)  # a bad template fails before anything is read
    keys = _codes(codes)
    with open_project(db) as project:
        qid = project.question(question).id
        basis = resolve_basis(project, coder, [qid])
        matrix = project.framework(qid, codes=keys, coder=basis)
    emit(render_framework(matrix, fmt, passages=passages, template=layout), output, force)


COMMANDS = [framework]
