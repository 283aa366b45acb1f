"""The arguments and options many commands take, each written once.

Each is a decorator, or a function returning one where the help text is the command's
own (``--question`` means "start on" for ``tui`` and "only this" for ``quotes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from qualcode.i18n import translator
from qualcode.io.quoting import ATTRIBUTES, DEFAULT_ATTRIBUTE

_, _n = translator("cli")

# the project file: DB in every command's usage line
db_argument = click.argument("db", type=click.Path(dir_okay=False))

COUNT_CODER_HELP = _(
    "Count this coder's codings (a name, or consensus); '*' counts every coder together. "
    "Default: the project's basis (see 'qualcode basis'), else every coder."
)
OVERWRITE_HELP = _("Overwrite FILE if it exists.")
OUTPUT_HELP = _("Write to FILE (written whole or not at all) instead of standard output.")
GROUP_HELP = _(
    "A named group of the attribute's values, NAME=VALUE[,VALUE...], e.g. "
    '--group "høj/meget høj=I høj grad,I meget høj grad". Repeatable; without '
    "it each distinct value is its own group."
)


def question_option(help: str | None = None, **attrs: Any) -> Callable:
    """``--question QID``; ``attrs`` as click.option takes them (required, multiple, ...)."""
    return click.option("--question", metavar="QID", help=help, **attrs)


def coder_option(help: str) -> Callable:
    """``--coder NAME``, with what the coder is for in this command."""
    return click.option("--coder", metavar="NAME", help=help)


def codebook_option(help: str, **attrs: Any) -> Callable:
    """``--codebook STEM``."""
    return click.option("--codebook", metavar="STEM", help=help, **attrs)


def output_option(help: str = OUTPUT_HELP, **attrs: Any) -> Callable:
    """``-o/--output FILE``."""
    return click.option("-o", "--output", metavar="FILE", help=help, **attrs)


def force_option(help: str = OVERWRITE_HELP) -> Callable:
    """``--force``: write over an existing file."""
    return click.option("--force", is_flag=True, help=help)


# --group NAME=VALUES, for the crosstab of an attribute's values (crosstab, report)
group_option = click.option(
    "--group", "group_specs", multiple=True, metavar="NAME=VALUES", help=GROUP_HELP
)


DIALECTS = ("plain", "excel-da")
DIALECT_HELP = _(
    "CSV for people or for tools: excel-da is what Danish Excel opens by double-click "
    "(UTF-8 with BOM, semicolons, decimal commas); plain (the default) is comma-separated "
    "UTF-8 with decimal points and no BOM."
)


def output_options(formats: tuple[str, ...], default: str) -> Callable:
    """``--format`` (one of ``formats``), ``-o/--output FILE`` and ``--force``: for a command
    that writes a table or text to standard output or a file (see :func:`.common.emit`);
    with ``csv`` among the formats also ``--dialect plain|excel-da``, which
    :func:`.common.emit` applies to the command's CSV."""

    def decorate(fn):
        if "csv" in formats:
            fn = _csv_dialect(fn, formats, default)
        fn = force_option()(fn)
        fn = output_option()(fn)
        fn = click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            help=_("Output format (default: from FILE's extension, else {default}).").format(
                default=default
            ),
        )(fn)
        return fn

    return decorate


def csv_dialect_option(formats: tuple[str, ...], default: str) -> Callable:
    """``--dialect plain|excel-da`` alone, for a command that reads its own ``--format``
    (see :func:`output_options`)."""
    return lambda fn: _csv_dialect(fn, formats, default)


def _csv_dialect(fn: Callable, formats: tuple[str, ...], default: str) -> Callable:
    """Add ``--dialect``, and tell :func:`.common.emit` (through the click context) which
    dialect the command's output is in: only a CSV output has one."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from qualcode.cli.common import fail
        from qualcode.io.export import format_from_path

        dialect = kwargs.pop("dialect")
        fmt = format_from_path(kwargs.get("output"), kwargs.get("fmt"), formats, default)
        if dialect != "plain" and fmt != "csv":
            fail(
                _("--dialect {dialect} is for CSV output, not {format}").format(
                    dialect=dialect, format=fmt
                )
            )
        click.get_current_context().meta["qualcode.dialect"] = dialect if fmt == "csv" else None
        return fn(*args, **kwargs)

    return click.option(
        "--dialect", type=click.Choice(DIALECTS), default="plain", help=DIALECT_HELP
    )(wrapper)


ATTRIBUTE_HELP = _(
    "Who quotes are attributed to: role (the default, as the report: an interview quote "
    "ends with the speaker's role, a survey answer names no one), respondent (every quote "
    "names its jobcentre, with a source line; for your own use), or none."
)

# --attribute role|respondent|none: quotes in what is published (report, quotes)
attribute_option = click.option(
    "--attribute",
    type=click.Choice(ATTRIBUTES),
    default=DEFAULT_ATTRIBUTE,
    show_default=True,
    help=ATTRIBUTE_HELP,
)

# --template FILE.dotx: the agency's Word template for a DOCX
template_option = click.option(
    "--template",
    metavar="FILE.dotx",
    type=click.Path(dir_okay=True),
    help=_(
        "Write the DOCX in this Word template (.dotx, or a .docx): its styles, page "
        "setup, header and footer; its body text is left out."
    ),
)
