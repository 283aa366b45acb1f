"""The qualcode command line. Heavy libraries load inside commands, and a command's module
only when that command runs or its help is shown (see ``COMMAND_MODULES``), so that every
command starts with little more than click loaded.

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

import gc
import os
import sys
from collections.abc import Iterator, MutableMapping

# A command imports a few thousand objects (click, the command's module, the core) and
# frees nearly all of them by reference counting; the collector's youngest generation,
# run every 700 allocations by default, finds no cycles there and costs about 4 ms of a
# 55 ms command. Every 50,000 allocations it still runs, a few times in a short command.
gc.set_threshold(50_000, 20, 20)

import click  # noqa: E402

from qualcode import __version__, i18n  # noqa: E402

# click's variable for the shell's completion requests of the program named qualcode
# (``_{PROG_NAME}_COMPLETE``; main() names it qualcode)
COMPLETE_VAR = "_QUALCODE_COMPLETE"


def _speak_for_click() -> None:
    """click's own words ("Usage:", "Missing argument 'DB'.", "Show this message and
    exit.") in the language qualcode speaks, from the ``click`` catalogue: click looks
    them up with the standard library's gettext, which would follow the locale. Done
    before any command is declared, as click reads some of them then. (The progress
    bar's module, which click loads only for a bar, is handed its words when qualcode
    draws one: :func:`.common.progress_bar`. Shell completion's module, which click loads
    only when the shell asks for completions, is loaded here then, so that its words are
    handed over too; any other time a command does not pay for it.)"""
    if os.environ.get(COMPLETE_VAR):
        import click.shell_completion  # noqa: F401 (loaded so that its words are handed over)

    i18n.install("click", [m for name, m in list(sys.modules.items()) if name.startswith("click.")])


_speak_for_click()

from qualcode.cli.common import (  # noqa: E402 (after click speaks qualcode's language)
    CONTEXT,
    check_stdout,
    is_stdout_error,
    stdout_failed,
)

_, _n = i18n.translator("cli")

# Every command, by the name it is called by, and the module (of this package) that
# declares it (in its ``COMMANDS``). A command's module is imported when the command is
# run or its help is shown, not before: ``qualcode info`` loads ``results`` only, while
# ``qualcode --help``, which lists every command with its short help, loads them all.
# tests/test_startup_imports.py checks this table against the modules' COMMANDS.
COMMAND_MODULES = {
    "tui": "workbench",
    "demo": "workbench",
    "init": "workbench",
    "import": "imports",
    "counts": "results",
    "quotes": "results",
    "info": "results",
    "report": "results",
    "chart": "results",
    "crosstab": "results",
    "waves": "results",
    "basis": "results",
    "cooccurrence": "cooccurrence",
    "matrix": "matrix",
    "attributes": "matrix",
    "code": "team",
    "merge": "team",
    "agreement": "team",
    "codebook": "codebooks",
    "train": "suggestions",
    "suggest": "suggestions",
    "evaluate": "suggestions",
    "kwic": "suggestions",
    "export": "exchange",
    "backup": "safety",
    "restore": "safety",
    "scan-pii": "safety",
    "framework": "framework",
    "serve": "publishing",
    "memos": "memos",
}


class LazyCommands(MutableMapping):
    """The group's commands (click's ``Group.commands``): the names are known from
    ``COMMAND_MODULES`` without importing anything, a command is imported when it is
    looked up (``get`` or ``[name]``; iterating over the items imports them all)."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = dict(modules)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module = self._modules[name]  # KeyError: no such command
            import importlib

            for command in importlib.import_module(f"{__name__}.{module}").COMMANDS:
                self._loaded.setdefault(command.name, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._modules.pop(name, None)
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._modules, *self._loaded]))

    def __len__(self) -> int:
        return len(set(self._modules) | set(self._loaded))

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self._loaded


@click.group(
    commands=LazyCommands(COMMAND_MODULES),
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
        from qualcode.cli.workbench import open_demo

        ctx.invoke(open_demo)


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
    # The command is done and its output flushed. At exit the garbage collector would
    # walk every object the process made, modules and all (about 5 ms, a tenth of a
    # short command such as info): frozen, they are left to module teardown and the
    # operating system. atexit handlers and teardown still run; what a command opens
    # (projects, files) it closes in with-blocks, so no cycle holds anything to close.
    import gc

    gc.freeze()
    sys.exit(code)
