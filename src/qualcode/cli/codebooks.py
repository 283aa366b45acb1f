"""``qualcode codebook``: list, show, validate and export codebooks."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.common import CONTEXT, emit, open_project, user_errors
from qualcode.cli.options import db_argument, force_option, output_option
from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("cli")


@click.group(context_settings=CONTEXT, help=_("List, show, validate and export codebooks."))
def codebook() -> None:
    pass


@codebook.command("list", context_settings=CONTEXT, help=_("List the bundled codebooks."))
@user_errors
def codebook_list() -> None:
    from qualcode.core.codebook import list_codebooks, load_codebook

    for stem in list_codebooks():
        book = load_codebook(stem)
        codes = _n("{n} code", "{n} codes", len(book)).format(n=f"{len(book):3}")
        click.echo(one_line(f"{stem:28} {codes:9}  {book.title}"))


@codebook.command(
    "validate",
    context_settings=CONTEXT,
    help=_("Check a codebook YAML FILE: keys, labels, parents, colours, published counts."),
)
@click.argument("file", type=click.Path(dir_okay=False))
@user_errors
def codebook_validate(file) -> None:
    from qualcode.core.codebook import load_codebook

    book = load_codebook(Path(file))
    nested = sum(1 for c in book if c.parent)
    click.echo(
        one_line(
            _n(
                "{file}: ok ({n} code, {nested} nested)",
                "{file}: ok ({n} codes, {nested} nested)",
                len(book),
            ).format(file=file, n=len(book), nested=nested)
        )
    )


@codebook.command(
    "show",
    context_settings=CONTEXT,
    help=_("Show a codebook's codes with key, label, colour and published count."),
)
@click.argument("stem")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    help=_("Show the project's copy (with its edits) instead of the bundled file."),
)
@click.option("--yaml", "as_yaml", is_flag=True, help=_("Print as YAML."))
@user_errors
def codebook_show(stem, db, as_yaml) -> None:
    from qualcode.core.codebook import load_codebook

    if db:
        with open_project(db) as project:
            book = project.codebook(stem)
    else:
        book = load_codebook(stem)
    if as_yaml:
        click.echo(book.to_yaml(), nl=False)
        return
    click.echo(one_line(f"{book.stem}: {book.title}"))
    if book.definition_source:
        click.echo(one_line(_("definitions: {source}").format(source=book.definition_source)))
    for n, c in enumerate(book, start=1):
        indent = "  " * book.depth(c.key)
        pub = f"  [{c.published}]" if c.published else ""
        click.echo(f"{n:2}. {indent}" + one_line(f"{c.label}  ({c.key}, {c.color}){pub}"))
        if c.definition:
            click.echo(f"    {indent}{one_line(c.definition)}")


@codebook.command(
    "export",
    context_settings=CONTEXT,
    help=_("Export the project's copy of a codebook (with its edits) as YAML."),
)
@db_argument
@click.argument("stem")
@output_option(_("Write to FILE instead of standard output."))
@force_option()
@user_errors
def codebook_export(db, stem, output, force) -> None:
    with open_project(db) as project:
        book = project.codebook(stem)
    # a file of another name must say so inside, or loading it would be refused
    name = Path(output).stem if output and output != "-" else None
    emit(book.to_yaml(name).encode("utf-8"), output, force)


COMMANDS = [codebook]
