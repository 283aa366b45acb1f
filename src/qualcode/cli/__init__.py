"""The qualcode command line. Heavy libraries load inside commands, so --help is instant.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 bad usage.

What is printed for people (tables, Markdown, summaries, errors) shows control characters
from the data as visible symbols (ESC as ␛), so an answer or a colleague's file cannot set
the terminal's title or clear it; CSV, JSON and YAML keep the data exactly as it is.

One module per group of commands; what they share is in :mod:`.common` (errors, opening
the project, output) and :mod:`.options` (the options every command repeats):

=================  ==========================================================
``workbench``      the bare ``qualcode`` (the demo), ``tui``, ``demo``
``imports``        ``import answers|respondents|interviews|codings|qdc|qdpx``
``results``        ``counts``, ``quotes``, ``report``, ``chart``, ``crosstab``,
                   ``waves``, ``info``
``cooccurrence``   ``cooccurrence``
``matrix``         ``matrix``, ``attributes``
``team``           ``code``, ``merge``, ``agreement``
``codebooks``      ``codebook list|show|validate|export``
``suggestions``    ``train``, ``suggest``, ``evaluate``, ``kwic``
``exchange``       ``export qdc|qdpx``
``safety``         ``backup``, ``restore``, ``scan-pii``
``framework``      ``framework`` (the framework matrix's summaries)
``publishing``     ``serve`` (Datasette, read-only)
``memos``          ``memos`` (the analyst's memos, listed and searched)
=================  ==========================================================
"""

from __future__ import annotations

import sys

import click

from qualcode import __version__, i18n


def _speak_for_click() -> None:
    """click's own words ("Usage:", "Missing argument 'DB'.", "Show this message and
    exit.") in the language qualcode speaks, from the ``click`` catalogue: click looks
    them up with the standard library's gettext, which would follow the locale. Done
    before any command is declared, as click reads some of them then."""
    import click._termui_impl
    import click.shell_completion  # noqa: F401 (loaded so that its words are handed over too)

    i18n.install("click", [m for name, m in list(sys.modules.items()) if name.startswith("click.")])


_speak_for_click()

from qualcode.cli import (  # noqa: E402 (after click speaks qualcode's language)
    codebooks,
    cooccurrence,
    exchange,
    framework,
    imports,
    matrix,
    memos,
    publishing,
    results,
    safety,
    suggestions,
    team,
    workbench,
)
from qualcode.cli.common import (  # noqa: E402
    CONTEXT,
    check_stdout,
    is_stdout_error,
    stdout_failed,
)

_, _n = i18n.translator("cli")


@click.group(
    context_settings=CONTEXT,
    invoke_without_command=True,
    help=_(
        "qualcode: code open survey answers and interview excerpts against a codebook, "
        "count how many jobcentres mention each theme, and pick quotes.\n\n"
        "Run without a command to open the demo project (built on first use in your data "
        "folder) in the coding workbench; without a terminal it prints the demo's counts."
    ),
)
@click.version_option(__version__, prog_name="qualcode")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """The ``qualcode`` group (its help is above, for the catalogue)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(workbench.open_demo)


for _module in (
    workbench,
    imports,
    results,
    cooccurrence,
    matrix,
    team,
    codebooks,
    suggestions,
    exchange,
    safety,
    framework,
    publishing,
    memos,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """The ``qualcode`` program. Standard output is flushed here, before Python exits, so
    that output that fails only then (still buffered when the command ended) is reported
    too: one line, ``qualcode: error: could not write to standard output (REASON)``, and
    exit 1 instead of a traceback. A closed pipe (``qualcode counts DB | head -1``) ends
    quietly with exit 141 (128 + SIGPIPE), as git does."""
    import errno

    try:
        cli(prog_name="qualcode")
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:  # outside a command: --help, a usage message
        if is_stdout_error(exc):
            stdout_failed(exc)
        raise
    else:
        code = 0
    if type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper":
        # click met the closed pipe itself (outside a command) and ended with 1
        stdout_failed(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    check_stdout()
    sys.exit(code)
