"""What every command shares: errors as one line, opening the project, writing output,
warnings on stderr and the progress bar.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 bad usage,
141 standard output was a closed pipe.
"""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("cli")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(message: str) -> None:
    # errors quote files, names and cells: one line, control characters as symbols
    click.echo(_("qualcode: error: {message}").format(message=one_line(message)), err=True)
    sys.exit(1)


def os_reason(exc: OSError) -> str:
    """Why the system refused, in qualcode's language where the reason is a common one
    (the system's own words are English); else the system's words."""
    import errno

    reasons = {
        errno.ENOENT: _("no such file or folder"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("permission denied"),
        errno.EISDIR: _("is a folder"),
        errno.ENOTDIR: _("a part of the path is not a folder"),
        errno.ENOSPC: _("no space left on the disk"),
        errno.EEXIST: _("exists already"),
        errno.EROFS: _("the disk is read-only"),
    }
    return reasons.get(exc.errno or -1) or exc.strerror or str(exc)


def user_errors(fn):
    """Turn a QualcodeError (and a few environment errors) into one line and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import sqlite3

        try:
            result = fn(*args, **kwargs)
        except QualcodeError as exc:
            fail(str(exc))
        except sqlite3.OperationalError as exc:
            fail(_("the project file could not be used ({reason})").format(reason=exc))
        except sqlite3.DatabaseError as exc:  # damaged pages met after opening
            from qualcode.store.db import damaged

            where = kwargs.get("db") or kwargs.get("target") or _("the project file")
            fail(str(damaged(str(where), exc)))
        except PermissionError as exc:
            fail(_("{file}: permission denied").format(file=exc.filename))
        except OSError as exc:
            if exc.filename:
                fail(f"{exc.filename}: {os_reason(exc)}")
            if is_stdout_error(exc):  # click.echo could not write standard output
                stdout_failed(exc)
            raise
        for line in _pending().pop("lines", []):  # only a command that succeeded warns
            click.echo(line, err=True)
        return result

    return wrapper


def _pending() -> dict:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.setdefault("qualcode.warnings", {}) if ctx else {}


def warn_after(message: str) -> None:
    """A warning line shown once the command has done its work; a command that fails
    shows its one error line and nothing else."""
    line = one_line(_("qualcode: warning: {message}").format(message=message))
    pending = _pending()
    if click.get_current_context(silent=True) is None:
        click.echo(line, err=True)
    else:
        pending.setdefault("lines", []).append(line)


@contextmanager
def project_for_import(db: str, *, coder: str | None = None):
    """The project to import into: opened to write, or, when DB does not exist yet, built
    under a private name and given its name only if the import succeeds (a failed import
    leaves no file)."""
    from qualcode.core.project import Project

    if Path(db).exists():
        with open_project(db, write=True, coder=coder) as project:
            yield project
        return
    with Project.building(db, coder=coder) as project:
        project.on_wait = say_waiting
        yield project


def open_project(db: str, *, write: bool = False, coder: str | None = None):
    """The project DB, opened for reading only (the default: nothing is written, not even a
    schema upgrade) or to ``write``; what opening found (an upgrade and its backup, an
    older file read as it is) is printed on stderr."""
    from qualcode.core.project import Project

    project = Project.open(db, readonly=not write, coder=coder)
    for notice in project.notices:
        click.echo(_("qualcode: note: {message}").format(message=notice), err=True)
    if write:
        project.on_wait = say_waiting
    return project


def say_waiting(message: str) -> None:
    click.echo(f"qualcode: {message} …", err=True)


def stdout_failed(exc: OSError) -> None:
    """Standard output cannot be written: a closed pipe (``| head``) ends quietly with exit
    141, as git does; anything else (a full disk) is one line and exit 1. What is still
    buffered for standard output is dropped, so Python has nothing to complain about when
    it exits."""
    import errno
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # not a real file (tests): nothing to drop
        fd = None
    if fd is not None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)
    if exc.errno == errno.EPIPE:
        sys.exit(141)
    fail(_("could not write to standard output ({reason})").format(reason=os_reason(exc)))


def check_stdout() -> None:
    """Flush standard output; if that fails, end as :func:`stdout_failed` says."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        stdout_failed(exc)


def is_stdout_error(exc: OSError) -> bool:
    """Was ``exc`` raised by click.echo writing standard output? (Commands print with
    click.echo, which writes and flushes at once; emit handles its own writes.)"""
    tb = exc.__traceback__
    if exc.filename or tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    if tb.tb_frame.f_code is not click.utils.echo.__code__:
        return False
    stream = tb.tb_frame.f_locals.get("file")
    if stream is None:
        return False
    if stream is sys.stdout or stream is sys.__stdout__:
        return True
    try:
        return bool(stream.fileno() == sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):
        return False


def emit(data: bytes, output: str | None, force: bool) -> None:
    """Write to a file (whole or nothing, see ``write_file``) or to stdout.

    A failure to write standard output is one line and exit 1, a closed pipe a quiet exit
    141 (see :func:`stdout_failed`). CSV is written in the dialect ``--dialect`` asked
    for (see :func:`qualcode.cli.options.output_options`)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("qualcode.dialect") == "excel-da":
        from qualcode.io.export import excel_da

        data = excel_da(data)
    if output and output != "-":
        from qualcode.io.export import write_file

        path = write_file(output, data, force=force)
        click.echo(_("wrote {path}").format(path=path), err=True)
        return
    try:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
        else:
            sys.stdout.flush()
            stream.write(data)
            stream.flush()
    except OSError as exc:
        stdout_failed(exc)


def resolve_basis(project, coder: str | None, questions: list[str] | None = None) -> str | None:
    """The coder basis a counting command counts on: ``--coder`` if given ('*' is every
    coder together), else the project's basis. When that is every coder and a question
    has been coded by more than one, one warning line says so on stderr."""
    basis = (None if coder == project.ALL_CODERS else coder) if coder else project.basis()
    if basis is None:
        ids = questions or [q.id for q in project.questions()]
        mixed = {qid: who for qid in ids if len(who := project.coders(qid)) > 1}
        if mixed:
            qid, who = next(iter(mixed.items()))
            values = {"question": qid, "n": len(who), "coders": ", ".join(who)}
            if len(mixed) == 1:
                text = _(
                    "{question} is coded by {n} coders ({coders}) and these numbers join "
                    "them all; count one basis with --coder NAME (e.g. --coder consensus) or "
                    "set it with 'qualcode basis'"
                )
            else:
                values["more"] = len(mixed) - 1
                text = _n(
                    "{question} (and {more} more question) is coded by {n} coders ({coders}) "
                    "and these numbers join them all; count one basis with --coder NAME (e.g. "
                    "--coder consensus) or set it with 'qualcode basis'",
                    "{question} (and {more} more questions) is coded by {n} coders "
                    "({coders}) and these numbers join them all; count one basis with --coder "
                    "NAME (e.g. --coder consensus) or set it with 'qualcode basis'",
                    len(mixed) - 1,
                )
            warn_after(text.format(**values))
    return basis


def warn_pii(hits: list, db: str, questions: list[str]) -> None:
    """After an import: one warning line on stderr if the texts it brought into
    ``questions`` hold personal data (``hits``: see
    :func:`qualcode.io.importing.personal_data`)."""
    if not hits:
        return
    from qualcode.core.pii import summary_line

    click.echo(
        one_line(
            _(
                "qualcode: warning: {found} in {questions}; list or redact them with "
                "'qualcode scan-pii {db}'"
            ).format(found=summary_line(hits), questions=", ".join(questions), db=db)
        ),
        err=True,
    )


def warn_quotes_pii(texts, db: str) -> None:
    """Before quotes leave the project: one warning line if they hold personal data."""
    from qualcode.core.pii import count_in_texts

    unredacted = count_in_texts(texts)
    if unredacted:
        click.echo(
            _n(
                "qualcode: warning: the quotes hold {n} possible personal data (CPR "
                "numbers, phone numbers or e-mail addresses) not yet redacted; see "
                "'qualcode scan-pii {db}'",
                "qualcode: warning: the quotes hold {n} possible personal data (CPR "
                "numbers, phone numbers or e-mail addresses) not yet redacted; see "
                "'qualcode scan-pii {db}'",
                unredacted,
            ).format(n=unredacted, db=db),
            err=True,
        )


def progress_bar(label: str):
    """A progress callback for long imports, drawn on stderr when it is a terminal."""
    state: dict = {}

    def update(done: int, total: int) -> None:
        if total < 1000 or not sys.stderr.isatty():
            return
        bar = state.get("bar")
        if bar is None:
            import click._termui_impl

            from qualcode.i18n import install

            install("click", [click._termui_impl])  # its words ("d" for days), as the rest's
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return update
