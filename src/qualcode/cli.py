"""The qualcode command line. Heavy libraries load inside commands, so --help is instant.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 bad usage.

What is printed for people (tables, Markdown, summaries, errors) shows control characters
from the data as visible symbols (ESC as ␛), so an answer or a colleague's file cannot set
the terminal's title or clear it; CSV, JSON and YAML keep the data exactly as it is.
"""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from qualcode import __version__
from qualcode.errors import QualcodeError
from qualcode.safe import one_line, visible

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> None:
    # errors quote files, names and cells: one line, control characters as symbols
    click.echo(f"qualcode: error: {one_line(message)}", err=True)
    sys.exit(1)


def user_errors(fn):
    """Turn a QualcodeError (and a few environment errors) into one line and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import sqlite3

        try:
            return fn(*args, **kwargs)
        except QualcodeError as exc:
            _fail(str(exc))
        except sqlite3.OperationalError as exc:
            _fail(f"the project file could not be used ({exc})")
        except sqlite3.DatabaseError as exc:  # damaged pages met after opening
            from qualcode.store.db import damaged

            where = kwargs.get("db") or kwargs.get("target") or "the project file"
            _fail(str(damaged(str(where), exc)))
        except PermissionError as exc:
            _fail(f"{exc.filename}: permission denied")
        except OSError as exc:
            if exc.filename:
                _fail(f"{exc.filename}: {exc.strerror}")
            if _is_stdout_error(exc):  # click.echo could not write standard output
                _stdout_failed(exc)
            raise

    return wrapper


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
        project.on_wait = _say_waiting
        yield project


def open_project(db: str, *, write: bool = False, coder: str | None = None):
    """The project DB, opened for reading only (the default: nothing is written, not even a
    schema upgrade) or to ``write``; what opening found (an upgrade and its backup, an
    older file read as it is) is printed on stderr."""
    from qualcode.core.project import Project

    project = Project.open(db, readonly=not write, coder=coder)
    for notice in project.notices:
        click.echo(f"qualcode: note: {notice}", err=True)
    if write:
        project.on_wait = _say_waiting
    return project


def _say_waiting(message: str) -> None:
    click.echo(f"qualcode: {message} …", err=True)


def _stdout_failed(exc: OSError) -> None:
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
    _fail(f"could not write to standard output ({exc.strerror or exc})")


def _check_stdout() -> None:
    """Flush standard output; if that fails, end as :func:`_stdout_failed` says."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        _stdout_failed(exc)


def _is_stdout_error(exc: OSError) -> bool:
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
    if stream is sys.stdout or stream is sys.__stdout__:
        return True
    try:
        return stream.fileno() == sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return False


def emit(data: bytes, output: str | None, force: bool) -> None:
    """Write to a file (whole or nothing, see ``write_file``) or to stdout.

    A failure to write standard output is one line and exit 1, a closed pipe a quiet exit
    141 (see :func:`_stdout_failed`)."""
    if output and output != "-":
        from qualcode.io.export import write_file

        path = write_file(output, data, force=force)
        click.echo(f"wrote {path}", err=True)
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
        _stdout_failed(exc)


def warn_pii(project, db: str, questions: list[str]) -> None:
    """After an import: one warning line on stderr if the questions hold personal data."""
    if not questions:
        return
    from qualcode.core.pii import scan, summary_line

    hits = scan(project, questions=questions)
    if hits:
        click.echo(
            one_line(
                f"qualcode: warning: {summary_line(hits)} in "
                f"{', '.join(questions)}; list or redact them with "
                f"'qualcode scan-pii {db}'"
            ),
            err=True,
        )


def warn_quotes_pii(texts, db: str) -> None:
    """Before quotes leave the project: one warning line if they hold personal data."""
    from qualcode.core.pii import count_in_texts

    unredacted = count_in_texts(texts)
    if unredacted:
        click.echo(
            f"qualcode: warning: the quotes hold {unredacted} possible personal data "
            f"(CPR numbers, phone numbers or e-mail addresses) not yet redacted; see "
            f"'qualcode scan-pii {db}'",
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
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return update


@click.group(context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, prog_name="qualcode")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """qualcode: code open survey answers and interview excerpts against a codebook,
    count how many jobcentres mention each theme, and pick quotes.

    Run without a command to open the demo project (built on first use in your data
    folder) in the coding workbench; without a terminal it prints the demo's counts.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_demo)


@user_errors
def open_demo() -> None:
    from qualcode.demo import build_demo, demo_path

    path = demo_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        click.echo(f"Building the demo project at {path} …", err=True)
        build_demo(path, progress=lambda msg: click.echo(f"  {msg}", err=True))
    if sys.stdin.isatty() and sys.stdout.isatty():
        _run_tui(str(path), None, None)
        return
    _print_all_counts(path)
    click.echo(f"\nDemo project: {path}\nOpen it in a terminal with: qualcode tui {path}", err=True)


def _run_tui(db: str, question: str | None, coder: str | None) -> None:
    from qualcode.tui.app import make_app

    make_app(db, question, coder=coder).run()


def _print_all_counts(path: Path) -> None:
    from qualcode.core.waves import current_questions
    from qualcode.io.export import render_counts

    with open_project(str(path)) as project:
        frames = [project.counts(qid) for qid in current_questions(project)]
    click.echo(render_counts(frames, "table").decode("utf-8"), nl=False)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID", help="Start on this question (default: the first).")
@click.option(
    "--coder", metavar="NAME", help="Your coder name (default: $QUALCODE_CODER or your user name)."
)
@user_errors
def tui(db, question, coder) -> None:
    """Open the coding workbench on the project DB.

    Code answers with the number keys, move with n/p, undo with u, write memos with m,
    search with /, see every key with ?, and quit with q. F3 quotes, F4 counts, F5
    codebook, i import.
    """
    with open_project(db, write=True, coder=coder) as project:  # fail early, with one line
        if question:
            project.question(question)
    _run_tui(db, question, coder)


# -- demo -------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@user_errors
def demo(path: str, force: bool) -> None:
    """Build the demo project at PATH: the 2018 survey round with gold codings.

    82 jobcentres, the open answers behind the report's Tabel 1-3, 15 interview
    transcripts with the report's published quotes, and gold codings that reproduce
    Tabel 1-3; plus an invented 2017 wave of the open questions (synthetic, not the
    report's figures) for comparing waves with 'counts --waves'.
    """
    from qualcode.demo import build_demo

    build_demo(path, force=force, progress=lambda msg: click.echo(f"  {msg}", err=True))
    click.echo(f"Built the demo project at {path}")


# -- import -----------------------------------------------------------------------


@cli.group("import", context_settings=CONTEXT)
def import_() -> None:
    """Import answers, respondents, interview transcripts or codings into a project.

    Every import is all or nothing: when it fails, the project is left exactly as it
    was. Importing the same file again changes nothing. DB is created if missing.
    """


@import_.command("answers", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--respondent-col",
    required=True,
    metavar="COL",
    help="Column with the jobcentre (respondent) id.",
)
@click.option(
    "--text-col",
    multiple=True,
    metavar="COL",
    help="Column with the open answer. Repeat for a wide file (one column per "
    "question), pairing each with a --question in the same order.",
)
@click.option(
    "--question",
    multiple=True,
    metavar="QID",
    help="Question id for the answers in the matching --text-col.",
)
@click.option(
    "--codebook",
    multiple=True,
    metavar="STEM",
    help="Codebook (stem in codebooks/ or a YAML path) for the question(s): one for "
    "all, or one per --text-col.",
)
@click.option(
    "--attr-col",
    multiple=True,
    metavar="COL",
    help="Column to keep as a respondent attribute (kommune, region, ...). Repeatable.",
)
@click.option("--all-attrs", is_flag=True, help="Keep every other column as an attribute.")
@click.option("--name-col", metavar="COL", help="Column with the jobcentre's name.")
@click.option(
    "--sheet", metavar="NAME", help="XLSX: the sheet to read (default: the first visible one)."
)
@click.option(
    "--wave",
    metavar="WAVE",
    help="Survey wave of these answers (e.g. 2017). --question then names the "
    "question across waves: a question already in the project gets the id "
    "QID-WAVE (see 'qualcode waves').",
)
@user_errors
def import_answers(
    db,
    file,
    respondent_col,
    text_col,
    question,
    codebook,
    attr_col,
    all_attrs,
    name_col,
    sheet,
    wave,
) -> None:
    """Import open answers from a CSV (comma or semicolon; UTF-8, UTF-8 with BOM or
    Windows-1252) or XLSX FILE into the project DB.

    \b
    Long form:  --respondent-col id --text-col svar --question strategier \\
                --codebook lokalpolitiske-strategier
    Wide form:  --text-col q1 --question strategier --text-col q2 --question fysiske ...

    Empty or whitespace-only answers are stored but kept out of denominators.
    """
    from qualcode.io.answers import read_answers

    if not text_col:
        raise click.UsageError(
            "give at least one --text-col (or use 'qualcode import "
            "respondents' for a register without answers)"
        )
    if not question:
        raise click.UsageError("give a --question for each --text-col")
    if not codebook:
        raise click.UsageError("give the --codebook the answers are coded with")
    with project_for_import(db) as project:
        ids = list(question)
        if wave:
            from qualcode.core import waves as waves_

            ids = [waves_.wave_question_id(project, q, wave) for q in question]
        table = read_answers(
            file,
            respondent_col=respondent_col,
            text_cols=text_col,
            questions=ids,
            codebooks=codebook,
            attr_cols=attr_col,
            name_col=name_col,
            all_attrs=all_attrs,
            sheet=sheet,
            project=project,
        )
        if wave:
            summary = waves_.import_answers_wave(
                project,
                table,
                wave,
                dict(zip(ids, question, strict=True)),
                progress=progress_bar("Importing answers"),
            )
        else:
            summary = project.import_answers(table, progress=progress_bar("Importing answers"))
        click.echo(visible(summary.describe()))
        warn_pii(project, db, summary.questions)


@import_.command("respondents", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--respondent-col",
    required=True,
    metavar="COL",
    help="Column with the jobcentre (respondent) id.",
)
@click.option("--name-col", metavar="COL", help="Column with the jobcentre's name.")
@click.option("--attr-col", multiple=True, metavar="COL", help="Attribute column. Repeatable.")
@click.option("--all-attrs", is_flag=True, help="Keep every other column as an attribute.")
@click.option("--sheet", metavar="NAME", help="XLSX: the sheet to read.")
@user_errors
def import_respondents(db, file, respondent_col, name_col, attr_col, all_attrs, sheet) -> None:
    """Import a register of jobcentres (ids, names, attributes such as region, size and
    the closed answers) from CSV or XLSX, without answers."""
    from qualcode.io.answers import read_answers

    with project_for_import(db) as project:
        table = read_answers(
            file,
            respondent_col=respondent_col,
            attr_cols=attr_col,
            name_col=name_col,
            all_attrs=all_attrs,
            sheet=sheet,
        )
        summary = project.import_answers(table, progress=progress_bar("Importing register"))
    click.echo(visible(summary.describe()))


@import_.command("interviews", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--question",
    default="interview",
    show_default=True,
    metavar="QID",
    help="Question id the excerpts belong to.",
)
@click.option(
    "--codebook",
    default="kompenserende-ordninger",
    show_default=True,
    metavar="STEM",
    help="Codebook the excerpts are coded with.",
)
@click.option(
    "--split",
    type=click.Choice(["turn", "paragraph"]),
    default="turn",
    show_default=True,
    help="One excerpt per speaker turn, or per paragraph.",
)
@click.option(
    "--interviewer",
    multiple=True,
    metavar="LABEL",
    help="Another label that marks the interviewer's turns (besides Interviewer, I).",
)
@user_errors
def import_interviews(db, files, question, codebook, split, interviewer) -> None:
    """Import interview transcripts (TXT, Markdown or DOCX): '# ID Name' headers, and
    'Role: text' speaker turns. See the README for the format."""
    from qualcode.core.codebook import load_codebook
    from qualcode.io.interviews import read_interviews

    transcripts, digest = read_interviews(list(files), interviewer_labels=set(interviewer))
    with project_for_import(db) as project:
        book = (
            project.codebook(codebook)
            if project.has_codebook(codebook)
            else load_codebook(codebook)
        )
        summary = project.import_interviews(
            transcripts,
            question=question,
            codebook=book,
            file=", ".join(files) if len(files) <= 3 else f"{files[0]} and {len(files) - 1} more",
            sha256=digest,
            split=split,
            progress=progress_bar("Importing interviews"),
        )
        click.echo(visible(summary.describe()))
        warn_pii(project, db, summary.questions)


@import_.command("codings", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False, exists=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--coder",
    metavar="NAME",
    help="Coder for rows without a coder column (default: $QUALCODE_CODER or your user name).",
)
@click.option("--sheet", metavar="NAME", help="XLSX: the sheet to read.")
@user_errors
def import_codings(db, file, coder, sheet) -> None:
    """Import codings from CSV/XLSX with columns respondent,question,code[,coder].

    `code` is a code key or its exact label. Optional columns: item (excerpt number),
    text (an exact passage: codes just that span), start, end, memo. Unknown codes and
    answers the project does not hold are errors.
    """
    from qualcode.io.codings import read_codings
    from qualcode.paths import default_coder

    rows, table = read_codings(file, default_coder=coder or default_coder(), sheet=sheet)
    with open_project(db, write=True) as project:
        summary = project.import_codings(
            rows, file=table.file, sha256=table.sha256, progress=progress_bar("Importing codings")
        )
    click.echo(visible(summary.describe()))


# -- results ----------------------------------------------------------------------


def output_options(formats: tuple[str, ...], default: str):
    def decorate(fn):
        fn = click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")(fn)
        fn = click.option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write to FILE (written whole or not at all) instead of standard output.",
        )(fn)
        fn = click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            help=f"Output format (default: from FILE's extension, else {default}).",
        )(fn)
        return fn

    return decorate


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--question",
    metavar="QID",
    help="Question (default: every question; of a question asked in several waves, "
    "the newest wave).",
)
@click.option("--coder", metavar="NAME", help="Count only this coder's codings.")
@click.option(
    "--published/--no-published",
    default=None,
    help="Show the report's published figure beside the current count "
    "(default: when the codebook has one).",
)
@click.option(
    "--waves",
    "by_wave",
    is_flag=True,
    help="Compare the question's waves: each wave's share and the change from the "
    "previous wave to the newest in percentage points (default: every "
    "question asked in two or more waves).",
)
@output_options(("table", "csv", "md", "xlsx", "json"), "table")
@user_errors
def counts(db, question, coder, published, by_wave, fmt, output, force) -> None:
    """How many jobcentres mention each theme, out of those who answered.

    CSV columns: question, code, label, respondents, answered, percent, published, ...
    Markdown and XLSX follow the report's layout ("Anført af N ud af M jobcentre").
    With --waves, CSV columns: series, question, code, label, then n_WAVE, base_WAVE,
    pct_WAVE per wave (oldest first), and change_pp.
    """
    from qualcode.io.export import COUNT_FORMATS, format_from_path, render_counts

    fmt = format_from_path(output, fmt, COUNT_FORMATS, "table")
    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx needs -o FILE.xlsx")
    if by_wave:
        from qualcode.core import waves as waves_
        from qualcode.io.waves import render_comparison

        with open_project(db) as project:
            ids = (
                [project.question(question).id]
                if question
                else waves_.comparable_questions(project)
            )
            frames = [waves_.wave_comparison(project, qid, coder=coder) for qid in ids]
            if not ids or frames[0] is None:
                known = ", ".join(waves_.waves(project)) or "none"
                what = f"question '{question}' has" if question else "no question has"
                raise QualcodeError(
                    f"{what} answers from two or more waves to compare "
                    f"(waves in the project: {known})",
                    file=db,
                )
        emit(render_comparison(frames, fmt), output, force)
        return
    with open_project(db) as project:
        if question:
            ids = [question]
        else:
            from qualcode.core.waves import current_questions

            ids = current_questions(project)
        if not ids:
            raise QualcodeError("the project has no questions yet; import answers first", file=db)
        frames = [project.counts(qid, coder=coder) for qid in ids]
    emit(render_counts(frames, fmt, published=published), output, force)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--question",
    metavar="QID",
    help="Question (default: every question that the coders compared have coded).",
)
@click.option(
    "--coders",
    metavar="A,B,...",
    help="Comma-separated coders to compare (default: everybody who coded the question).",
)
@click.option(
    "--unit",
    type=click.Choice(("item", "character")),
    default="item",
    show_default=True,
    help="Unit of analysis: the answer (did the coder apply the code to it?), or "
    "each character, for span coding.",
)
@output_options(("table", "csv", "json"), "table")
@user_errors
def agreement(db, question, coders, unit, fmt, output, force) -> None:
    """Agreement between two or more coders, per code and overall: percent agreement,
    Cohen's kappa (two coders), Fleiss' kappa and Krippendorff's alpha (nominal).

    Units are the answers (or excerpts) at least one coder coded; with --unit character,
    the characters at least one coder's passages cover. A coder who coded nothing on an
    answer is missing there: Krippendorff's alpha allows that, the other statistics use
    the answers every coder coded. Undefined values (e.g. a code nobody used) are empty
    in CSV, null in JSON and "–" in the table. CSV columns: question, code, label, kind,
    units, units_complete, units_pairable, applied, percent_agreement, cohen_kappa,
    fleiss_kappa, krippendorff_alpha.
    """
    from qualcode.core import agreement as agr
    from qualcode.io.agreement import FORMATS, render_agreement
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, FORMATS, "table")
    names = agr.parse_coders(coders)
    if names is not None and len(names) < 2:
        raise click.UsageError("--coders needs two or more names, separated by commas")
    with open_project(db) as project:
        if question:
            frames = [agr.agreement(project, question, coders=names, unit=unit)]
        else:
            ids = []
            everybody: set[str] = set()
            for q in project.questions():
                known = agr.question_coders(project, q.id)
                everybody.update(known)
                if (set(names) <= set(known)) if names else len(known) >= 2:
                    ids.append(q.id)
            if not ids:
                known_text = ", ".join(sorted(everybody)) or "none"
                wanted = f"all of {', '.join(names)}" if names else "two or more coders"
                raise QualcodeError(
                    f"no question has codings by {wanted} (coders in the project: {known_text})",
                    file=db,
                )
            frames = [agr.agreement(project, qid, coders=names, unit=unit) for qid in ids]
    emit(render_agreement(frames, fmt), output, force)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--code", required=True, metavar="KEY", help="A code key or its exact label.")
@click.option("--question", metavar="QID", help="Only this question.")
@click.option("--coder", metavar="NAME", help="Only this coder's codings.")
@click.option("--anonymous", is_flag=True, help="Markdown: leave out the jobcentre line.")
@output_options(("md", "csv"), "md")
@user_errors
def quotes(db, code, question, coder, anonymous, fmt, output, force) -> None:
    """List the excerpts coded with a theme, as the report prints them:
    "…" – Arbejdsmarkedschef."""
    from qualcode.io.export import QUOTE_FORMATS, format_from_path, quotes_csv, quotes_markdown

    fmt = format_from_path(output, fmt, QUOTE_FORMATS, "md")
    with open_project(db) as project:
        found = project.quotes(code, question, coder=coder)
    if not found:
        click.echo(f"no excerpts are coded with '{code}' yet", err=True)
    warn_quotes_pii((q.text for q in found), db)
    data = (
        quotes_markdown(found, anonymous=anonymous).encode("utf-8")
        if fmt == "md"
        else quotes_csv(found)
    )
    emit(data, output, force)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@user_errors
def info(db) -> None:
    """Show a project's questions, codebooks, respondents and codings."""
    with open_project(db) as project:
        q_rows = project.questions()
        click.echo(f"{one_line(db)}: {project.respondent_count()} respondents")
        for q in q_rows:
            items, non_empty, coded, codings = project.tally(q.id)
            click.echo(
                one_line(
                    f"  {q.id} ({q.kind}, codebook {q.codebook}): {items} items, "
                    f"{non_empty} non-empty, {coded} coded, {codings} codings"
                )
            )


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", required=True, metavar="QID")
@click.option("--respondent", required=True, metavar="ID")
@click.option("--code", "code_", required=True, metavar="KEY", help="Code key or exact label.")
@click.option("--item", type=int, metavar="N", help="Excerpt number, for interviews.")
@click.option("--coder", metavar="NAME", help="Coder (default: $QUALCODE_CODER or your user).")
@click.option("--remove", is_flag=True, help="Remove the coding instead of adding it.")
@user_errors
def code(db, question, respondent, code_, item, coder, remove) -> None:
    """Code (or with --remove, uncode) one respondent's answer from the command line."""
    with open_project(db, write=True, coder=coder) as project:
        items = project.items(question, respondent=respondent, include_empty=True)
        if item is not None:
            items = [i for i in items if i.number == item]
        if len(items) != 1:
            raise QualcodeError(
                f"respondent '{respondent}' has {len(items)} items in "
                f"'{question}'" + ("; give --item" if len(items) > 1 else "")
            )
        target = items[0]
        if remove:
            key = project.codebook(question).code(code_).key
            mine = [
                c
                for c in project.codings(item_id=target.id, coder=project.coder)
                if c.code == key and c.start is None
            ]
            if not mine:
                raise QualcodeError(f"{respondent} is not coded '{key}' by {project.coder}")
            project.remove_coding(mine[0].id)
            click.echo(one_line(f"removed {key} from {respondent}"))
        else:
            c = project.add_coding(target.id, code_)
            click.echo(one_line(f"coded {respondent} with {c.code} (coder {c.coder})"))


# -- codebooks --------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def codebook() -> None:
    """List, show, validate and export codebooks."""


@codebook.command("list", context_settings=CONTEXT)
@user_errors
def codebook_list() -> None:
    """List the bundled codebooks."""
    from qualcode.core.codebook import list_codebooks, load_codebook

    for stem in list_codebooks():
        book = load_codebook(stem)
        click.echo(one_line(f"{stem:28} {len(book):3} codes  {book.title}"))


@codebook.command("validate", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False))
@user_errors
def codebook_validate(file) -> None:
    """Check a codebook YAML FILE: keys, labels, parents, colours, published counts."""
    from qualcode.core.codebook import load_codebook

    book = load_codebook(Path(file))
    nested = sum(1 for c in book if c.parent)
    click.echo(one_line(f"{file}: ok ({len(book)} codes, {nested} nested)"))


@codebook.command("show", context_settings=CONTEXT)
@click.argument("stem")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    help="Show the project's copy (with its edits) instead of the bundled file.",
)
@click.option("--yaml", "as_yaml", is_flag=True, help="Print as YAML.")
@user_errors
def codebook_show(stem, db, as_yaml) -> None:
    """Show a codebook's codes with key, label, colour and published count."""
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
        click.echo(one_line(f"definitions: {book.definition_source}"))
    for n, c in enumerate(book, start=1):
        indent = "  " * book.depth(c.key)
        pub = f"  [{c.published}]" if c.published else ""
        click.echo(f"{n:2}. {indent}" + one_line(f"{c.label}  ({c.key}, {c.color}){pub}"))
        if c.definition:
            click.echo(f"    {indent}{one_line(c.definition)}")


@codebook.command("export", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("stem")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@user_errors
def codebook_export(db, stem, output, force) -> None:
    """Export the project's copy of a codebook (with its edits) as YAML."""
    with open_project(db) as project:
        book = project.codebook(stem)
    # a file of another name must say so inside, or loading it would be refused
    name = Path(output).stem if output and output != "-" else None
    emit(book.to_yaml(name).encode("utf-8"), output, force)


# -- suggestions: train, suggest, evaluate, keyword in context (spaCy) -------------------


def _codebook_questions(project, question: str | None) -> dict[str, list[str]]:
    """codebook stem -> its questions: the one asked for, or every question."""
    qs = [project.question(question)] if question else project.questions()
    out: dict[str, list[str]] = {}
    for q in qs:
        out.setdefault(q.codebook, []).append(q.id)
    return out


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--question",
    metavar="QID",
    help="Train the codebook of this question, on this question's codings only "
    "(default: every codebook, on all its questions).",
)
@click.option(
    "--out",
    metavar="DIR",
    help="Folder for the models, one subfolder per codebook (default: DB.models "
    "beside the project).",
)
@click.option(
    "--coder", metavar="NAME", help="Learn from this coder's codings only (default: everyone's)."
)
@click.option(
    "--epochs",
    type=click.IntRange(1, 500),
    metavar="N",
    help="Passes over the data (default: chosen from the data's size).",
)
@user_errors
def train(db, question, out, coder, epochs) -> None:
    """Train a code classifier per codebook from the project's codings.

    spaCy textcat_multilabel on lemmas, trained on every coded item (and items where a
    suggestion was rejected). The model can be used on this or any other project with the
    same codebook: `qualcode suggest DB --model DIR`.
    """
    from qualcode.nlp.textcat import TooFewCoded, default_folder, train_and_save

    with open_project(db) as project:
        folder = Path(out) if out else default_folder(project)
        trained = 0
        for stem, qids in _codebook_questions(project, question).items():
            try:
                model = train_and_save(
                    project,
                    stem,
                    folder,
                    questions=qids if question else (),
                    coder=coder,
                    epochs=epochs,
                )
            except TooFewCoded as exc:
                click.echo(f"{stem}: skipped, {exc.count} coded item(s)", err=True)
                continue
            trained += 1
            click.echo(
                f"{stem}: trained on {model.meta['trained_items']} coded items, "
                f"{len(model.labels)} codes, {model.meta['epochs']} epochs, "
                f"{model.meta['seconds']} s -> {model.path}"
            )
        if not trained:
            raise QualcodeError(
                "nothing to train: no codebook has two or more coded items", file=db
            )


SUGGEST_COLUMNS = [
    ("respondent", "Jobcenter"),
    ("question", "Spørgsmål"),
    ("code", "Kode"),
    ("label", "Label"),
    ("score", "Score"),
    ("source", "Kilde"),
    ("words", "Ord"),
]
SUGGEST_KEYS = ["respondent", "question", "code", "label", "score", "source", "item", "words"]


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID", required=True, help="The question to suggest for.")
@click.option(
    "--model",
    metavar="DIR",
    help="A model folder from `qualcode train` (default: DB.models beside the "
    "project, if it holds one for the question's codebook).",
)
@click.option(
    "--coder",
    metavar="NAME",
    help="Suggest for the items this coder has not coded (default: $QUALCODE_CODER "
    "or your user name).",
)
@click.option(
    "--source",
    "sources",
    type=click.Choice(["rule", "model", "both"]),
    default="both",
    show_default=True,
    help="Which suggestions to give.",
)
@click.option(
    "--cache",
    is_flag=True,
    help="Keep the text analyses in the project, so the next run (and the "
    "workbench) starts faster. This writes to DB; without it DB is only read.",
)
@output_options(("csv", "table", "json"), "table")
@user_errors
def suggest(db, question, model, coder, sources, cache, fmt, output, force) -> None:
    """Suggest codes for every item not yet coded, with scores.

    CSV columns: respondent, question, code, label, score, source (rule or model), item,
    words (the keywords matched). Nothing is coded: accept suggestions in the workbench.
    """
    from qualcode.io.export import format_from_path
    from qualcode.io.rows import render_rows
    from qualcode.nlp.suggest import Suggester
    from qualcode.nlp.textcat import default_model, load

    fmt = format_from_path(output, fmt, ("csv", "table", "json"), "table")
    with open_project(db, write=cache) as project:
        q = project.question(question)
        if model:
            fitted = load(model, q.codebook)
        else:
            fitted = default_model(project, q.codebook)
            if fitted is None and sources != "rule":
                click.echo(
                    f"qualcode: note: no model for codebook {q.codebook} (run "
                    f"'qualcode train {db}'); keyword rules only",
                    err=True,
                )
        suggester = Suggester(project, q.id, model=fitted, coder=coder)
        rows, coded = project.queue(q.id, coder=suggester.coder)
        todo = [r[0] for r in rows if r[0] not in coded]
        wanted = ("rule", "model") if sources == "both" else (sources,)
        found = suggester.for_items(todo, sources=wanted)
        out = [
            {
                "respondent": s.respondent,
                "question": s.question,
                "code": s.code,
                "label": s.label,
                "score": s.score,
                "source": s.source,
                "item": s.item_id,
                "words": list(s.words),
            }
            for iid in todo
            for s in found.get(iid, [])
        ]
    click.echo(
        one_line(f"{len(out)} suggestions for {len(todo)} items not coded by {suggester.coder}"),
        err=True,
    )
    emit(render_rows(out, SUGGEST_COLUMNS, fmt, keys=SUGGEST_KEYS, right=("score",)), output, force)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--question",
    metavar="QID",
    help="Evaluate this question (default: every question with enough coded items).",
)
@click.option(
    "--folds",
    type=int,
    default=5,
    show_default=True,
    metavar="K",
    help="Number of cross-validation folds.",
)
@click.option(
    "--coder", metavar="NAME", help="Take this coder's codings as the truth (default: everyone's)."
)
@click.option(
    "--epochs",
    type=click.IntRange(1, 500),
    metavar="N",
    help="Training passes per fold (default: chosen from the data's size).",
)
@output_options(("table", "csv", "json"), "table")
@user_errors
def evaluate(db, question, folds, coder, epochs, fmt, output, force) -> None:
    """How good the suggestions are: K-fold cross-validation on the coded items.

    Precision, recall and F1 per code and micro/macro overall, for the keyword rules
    alone, the model alone and both. Each fold's model is trained on the other folds.
    """
    from qualcode.io.export import format_from_path
    from qualcode.io.rows import render_rows
    from qualcode.nlp.evaluate import METHODS, Score
    from qualcode.nlp.evaluate import evaluate as run_evaluation
    from qualcode.nlp.rules import RuleMatcher
    from qualcode.nlp.textcat import coded_items

    fmt = format_from_path(output, fmt, ("table", "csv", "json"), "table")
    rows: list[dict] = []
    pooled = {m: Score(0, 0, 0) for m in METHODS}
    evaluated = 0
    with open_project(db) as project:
        qids = [project.question(question).id] if question else [q.id for q in project.questions()]
        for qid in qids:
            q = project.question(qid)
            book = project.codebook(q.codebook)
            data = coded_items(project, q.codebook, questions=[qid], coder=coder)
            if len(data) < folds and not question:
                click.echo(
                    one_line(f"{qid}: skipped, {len(data)} coded items (fewer than {folds})"),
                    err=True,
                )
                continue
            ev = run_evaluation(
                data, {c.key: c.label for c in book}, RuleMatcher(book), k=folds, epochs=epochs
            )
            evaluated += 1
            for r in ev.rows():
                rows.append({"question": qid, **r})
            for m in METHODS:
                s = ev.results[m].micro
                p = pooled[m]
                pooled[m] = Score(p.tp + s.tp, p.fp + s.fp, p.fn + s.fn)
        if not evaluated:
            raise QualcodeError(f"no question has {folds} or more coded items to evaluate", file=db)
    if evaluated > 1:
        total = {
            "question": "alle",
            "codebook": "",
            "code": "micro",
            "label": "micro, alle spørgsmål",
            "support": pooled["rules"].support,
        }
        for m in METHODS:
            total |= {
                f"{m}_precision": pooled[m].precision,
                f"{m}_recall": pooled[m].recall,
                f"{m}_f1": pooled[m].f1,
            }
        rows.append(total)
    columns = [("question", "Spørgsmål"), ("code", "Kode"), ("support", "N")]
    for m, name in zip(METHODS, ("regler", "model", "begge"), strict=True):
        columns += [
            (f"{m}_precision", f"{name} P"),
            (f"{m}_recall", f"{name} R"),
            (f"{m}_f1", f"{name} F1"),
        ]
    keys = ["question", "codebook", "code", "label", "support"] + [
        f"{m}_{x}" for m in METHODS for x in ("precision", "recall", "f1")
    ]
    emit(
        render_rows(
            rows,
            columns,
            fmt,
            keys=keys,
            right=[k for k, _ in columns if k not in ("question", "code")],
        ),
        output,
        force,
    )


KWIC_COLUMNS = [
    ("respondent", "Jobcenter"),
    ("question", "Spørgsmål"),
    ("left", "Før"),
    ("match", "Ord"),
    ("right", "Efter"),
]


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("word")
@click.option("--question", metavar="QID", help="Search this question only.")
@click.option(
    "--width",
    type=click.IntRange(5, 200),
    default=40,
    show_default=True,
    help="Characters of context each side.",
)
@output_options(("table", "csv", "json"), "table")
@user_errors
def kwic(db, word, question, width, fmt, output, force) -> None:
    """Keyword in context: every answer and interview turn with WORD in any inflection.

    WORD may be a phrase ("borgere på kanten") or end in * to match word starts
    ("fleksjob*"). Matching is on lemmas, and ae/oe/aa match æ/ø/å.
    """
    from qualcode.io.export import format_from_path
    from qualcode.io.rows import render_rows
    from qualcode.nlp.kwic import kwic as find

    fmt = format_from_path(output, fmt, ("table", "csv", "json"), "table")
    with open_project(db) as project:
        hits = find(project, word, question=question, width=width)
        rows = [
            {
                "respondent": h.respondent,
                "name": h.name,
                "question": h.question,
                "role": h.role,
                "item": h.item_id,
                "start": h.start,
                "end": h.end,
                "left": h.left,
                "match": h.match,
                "right": h.right,
            }
            for h in hits
        ]
    click.echo(f"{len(rows)} hits for {word!r}", err=True)
    emit(
        render_rows(
            rows,
            KWIC_COLUMNS,
            fmt,
            right=("left",),
            keys=[
                "respondent",
                "name",
                "question",
                "role",
                "item",
                "start",
                "end",
                "left",
                "match",
                "right",
            ],
        ),
        output,
        force,
    )


# -- merge ------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("target", type=click.Path(dir_okay=False))
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--strict",
    is_flag=True,
    help="Merge nothing (exit 1) if anything in the sources cannot be matched.",
)
@click.option("--dry-run", is_flag=True, help="Report what would be merged; write nothing.")
@user_errors
def merge(target, sources, strict, dry_run) -> None:
    """Bring other coders' codings and memos from copies of the project into TARGET.

    Items are matched by question, respondent and transcript position and must have the
    same text; codes by codebook and key. Codings TARGET has already are skipped, so merging
    again changes nothing. Questions, respondents, items and codes TARGET lacks are never
    added: they are reported with the codings and memos left out. All or nothing: on any
    error TARGET is left exactly as it was. SOURCES are only read.
    """
    from qualcode.core.merge import merge_projects

    with open_project(target, write=True) as project:
        report = merge_projects(project, [Path(s) for s in sources], strict=strict, dry_run=dry_run)
    click.echo(visible(report.describe()))


# -- backup and restore ---------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write the copy to FILE (a new file) instead of the backups folder.",
)
@click.option("--list", "list_", is_flag=True, help="List the project's backups instead.")
@user_errors
def backup(db, output, list_) -> None:
    """Back up the project DB: a consistent copy made through SQLite's backup API, also
    while the workbench or another command writes it. Without -o the copy goes into the
    rotating backups beside the project (DB.backups/, the newest 10 are kept).

    qualcode makes such a backup by itself before it upgrades an older project, merges,
    deletes or merges codes with codings, imports a REFI-QDA file into an existing project
    and restores a backup. Restore one with 'qualcode restore DB BACKUP'.
    """
    from qualcode.store import backup as backups
    from qualcode.store import restore

    if list_:
        if output:
            raise click.UsageError("--list and -o do not go together")
        found = backups.list_backups(db)
        if not found:
            click.echo(f"{db}: no backups yet (in {backups.backups_folder(db)})", err=True)
        for path in reversed(found):
            click.echo(f"{path}  {path.stat().st_size / 2**20:.1f} MB")
        return
    path = restore.backup_project(db, output)
    click.echo(f"backed up {db} to {path}")


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Also when DB is damaged or not a project: it is kept under another "
    "name (DB.ulaeselig-TIME), never deleted.",
)
@user_errors
def restore(db, backup_file, force) -> None:
    """Make the project DB a copy of BACKUP (a backup from 'qualcode backup', the backups
    folder, or any copy of the project).

    DB as it was is backed up first, so a restore can be undone by restoring that. The
    copy is written through SQLite, so a workbench that has DB open sees the restored
    project after 'r'.
    """
    from qualcode.store import restore

    before, aside = restore.restore_project(db, backup_file, force=force)
    click.echo(f"restored {db} from {backup_file}")
    if before is not None:
        click.echo(f"the project as it was is kept at {before}", err=True)
    if aside is not None:
        click.echo(f"the unreadable file was kept as {aside}", err=True)


# -- report, chart, crosstab ------------------------------------------------------

_GROUP_HELP = (
    "A named group of the attribute's values, NAME=VALUE[,VALUE...], e.g. "
    '--group "høj/meget høj=I høj grad,I meget høj grad". Repeatable; without '
    "it each distinct value is its own group."
)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE",
    help="FILE.docx, .xlsx, .html or .md (Markdown: the charts are written beside "
    "it as FILE_figur_N.png).",
)
@click.option(
    "--question",
    multiple=True,
    metavar="QID",
    help="A question to include (repeatable; default: every question with codings; "
    "of a question asked in several waves the newest, compared with the "
    "earlier ones).",
)
@click.option("--coder", metavar="NAME", help="Count only this coder's codings.")
@click.option(
    "--by",
    metavar="ATTRIBUTE",
    help="Add a crosstab of each question by this respondent attribute.",
)
@click.option("--group", "group_specs", multiple=True, metavar="NAME=VALUES", help=_GROUP_HELP)
@click.option(
    "--alpha",
    type=float,
    default=0.05,
    show_default=True,
    help="Significance level of the crosstab's tests.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE (and its charts) if they exist.")
@user_errors
def report(db, output, question, coder, by, group_specs, alpha, force) -> None:
    """Write the report: per coded question the table in the report's layout (theme,
    essence, "Anført af N ud af M jobcentre", percent, the published figure), its bar
    chart, the comparison with earlier waves, the starred quotes per theme, and with --by
    a crosstab.

    The format comes from FILE's suffix. Written whole or not at all.
    """
    from qualcode.core.crosstab import parse_groups
    from qualcode.io.report import build_report, charts_needed, report_format, write_report

    fmt = report_format(output)
    groups = parse_groups(group_specs)
    if groups and not by:
        raise click.UsageError("--group needs --by ATTRIBUTE")
    with open_project(db) as project:
        built = build_report(
            project,
            questions=list(question) or None,
            coder=coder,
            by=by,
            groups=groups,
            alpha=alpha,
            charts=charts_needed(fmt),
        )
    warn_quotes_pii((q.text for s in built.sections for _, quotes in s.quotes for q in quotes), db)
    for path in write_report(built, output, force=force):
        click.echo(f"wrote {path}", err=True)
    click.echo(
        f"{len(built.sections)} tables: "
        + one_line(", ".join(s.question.id for s in built.sections))
    )


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", required=True, metavar="QID", help="The question to chart.")
@click.option("-o", "--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@click.option("--coder", metavar="NAME", help="Count only this coder's codings.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@user_errors
def chart(db, question, output, coder, force) -> None:
    """A horizontal bar chart of a question's counts: percent of the jobcentres that
    answered, the number of jobcentres on each bar, the report's figure as a mark."""
    from qualcode.io.charts import chart_bytes, chart_format
    from qualcode.io.export import write_file

    fmt = chart_format(output)
    with open_project(db) as project:
        frame = project.counts(question, coder=coder)
    path = write_file(output, chart_bytes(frame, fmt), force=force)
    click.echo(f"wrote {path}", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", required=True, metavar="QID", help="The question.")
@click.option(
    "--by",
    required=True,
    metavar="ATTRIBUTE",
    help="The respondent attribute to group by (e.g. lokalpolitisk_fokus).",
)
@click.option("--group", "group_specs", multiple=True, metavar="NAME=VALUES", help=_GROUP_HELP)
@click.option("--coder", metavar="NAME", help="Count only this coder's codings.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level.")
@output_options(("table", "csv", "md", "xlsx", "json"), "table")
@user_errors
def crosstab(db, question, by, group_specs, coder, alpha, fmt, output, force) -> None:
    """Per theme, the share of jobcentres mentioning it in each group of an attribute,
    the difference in percentage points (two groups), and a test of independence:
    Fisher's exact test for two groups, chi-square otherwise (with a warning when an
    expected count is below 5), with the p-value and whether p < --alpha.

    Base per group: the group's jobcentres that answered the question; jobcentres
    without the attribute (or with a value in no --group) are left out and counted.
    CSV columns: question, code, label, n_G, base_G, pct_G per group, diff_pp, test,
    statistic, p_value, significant, min_expected, warning.
    """
    from qualcode.core import crosstab as xt
    from qualcode.io.crosstab import FORMATS, render_crosstab
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, FORMATS, "table")
    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx needs -o FILE.xlsx")
    groups = xt.parse_groups(group_specs)
    with open_project(db) as project:
        frame = xt.crosstab(project, question, by, groups=groups, coder=coder, alpha=alpha)
    emit(render_crosstab(frame, fmt), output, force)
    if (frame["warning"] == xt.SMALL_EXPECTED).any():
        click.echo(
            "warning: some chi-square tests have an expected count below 5; their "
            "p-values are unreliable (marked * in the table)",
            err=True,
        )


# -- waves ------------------------------------------------------------------------


@cli.command("waves", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID", help="With --set: the question to put in a wave.")
@click.option(
    "--set",
    "set_to",
    metavar="WAVE",
    help="Put --question in this wave ('' takes it out of its wave).",
)
@click.option(
    "--series",
    metavar="QID",
    help="With --set: the question id shared by all waves of this question "
    "(default: keep its series, which is its own id unless set).",
)
@user_errors
def waves_command(db, question, set_to, series) -> None:
    """List the project's survey waves, or put a question in a wave.

    \b
    qualcode waves projekt.db
    qualcode waves projekt.db --question strategier --set 2018
    qualcode waves projekt.db --question strategier-17 --set 2017 --series strategier
    """
    from qualcode.core import waves as waves_

    if set_to is not None and not question:
        raise click.UsageError("--set needs --question")
    if (question or series) and set_to is None:
        raise click.UsageError("--question and --series go with --set WAVE")
    with open_project(db, write=set_to is not None) as project:
        if set_to is not None:
            qid = project.question(question).id
            changed = waves_.set_wave(project, qid, set_to, series=series)
            wave, ser = waves_.question_wave(project, qid)
            where = f"wave {wave}" if wave else "no wave"
            click.echo(
                one_line(f"{qid}: {where}, series {ser}") + ("" if changed else " (unchanged)")
            )
            return
        for ser, members in waves_.series_list(project):
            shown = ", ".join(f"{w or '(no wave)'}: {q}" for w, q in members)
            click.echo(one_line(f"{ser}: {shown}"))


# -- scan-pii ---------------------------------------------------------------------


@cli.command("scan-pii", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID", help="Only this question (default: all).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(("cpr", "phone", "email")),
    help="Only this kind of personal data. Repeatable (default: all three).",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace every match with [CPR], [TELEFON] or [E-MAIL] in the project, in "
    "one transaction; coded passages are moved to cover the same words.",
)
@click.option("--mask", is_flag=True, help="List the matches masked (12••••-••••).")
@output_options(("table", "csv"), "table")
@user_errors
def scan_pii(db, question, kinds, redact, mask, fmt, output, force) -> None:
    """Find personal data in answers and transcripts: Danish CPR numbers (with a valid
    date), phone numbers and e-mail addresses.

    Lists each match with question, jobcentre, excerpt, kind and context; the number found
    goes to stderr (exit 0 also when there are matches). CSV columns: question,
    respondent, name, item, role, kind, start, end, text, context. With --redact, each
    match is replaced by a placeholder and the redaction is written to the event log
    (where and what kind, never the matched text).
    """
    from qualcode.core import pii
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, ("table", "csv"), "table")
    with open_project(db, write=redact) as project:
        hits = pii.scan(project, questions=[question] if question else None, kinds=kinds or None)
        if redact:
            result = pii.redact_everywhere(project, hits)
            click.echo(f"redacted {result.done} of {pii.summary_line(hits)}")
            for line in result.details():
                click.echo(line, err=True)
            return
    click.echo(f"{pii.summary_line(hits)} found", err=True)
    if hits or fmt == "csv":
        emit(render_pii(hits, fmt, mask), output, force)


def render_pii(hits, fmt: str, masked: bool) -> bytes:
    import csv
    import io

    from qualcode.io.export import safe_cell

    rows = [
        [
            h.question,
            h.respondent,
            h.respondent_name,
            h.item_number,
            h.role,
            h.kind,
            h.start,
            h.end,
            h.masked if masked else h.text,
            h.context(masked=masked),
        ]
        for h in hits
    ]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(
            [
                "question",
                "respondent",
                "name",
                "item",
                "role",
                "kind",
                "start",
                "end",
                "text",
                "context",
            ]
        )
        writer.writerows([[safe_cell(v) for v in row] for row in rows])
        return buf.getvalue().encode("utf-8")
    # the table for people: each field on one line, control characters as symbols
    lines = [one_line(f"{r[0]}  {r[1]} #{r[3]}  {r[5]:5}  {r[8]}   …{r[9]}…") for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- REFI-QDA (.qdc / .qdpx) --------------------------------------------------------


@cli.group("export", context_settings=CONTEXT)
def export_() -> None:
    """Export a project for other QDA tools (REFI-QDA: NVivo, ATLAS.ti, MAXQDA, ...).

    Files are written whole or not at all, never over an existing file without --force.
    """


@export_.command("qdc", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write to FILE (written whole or not at all) instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option(
    "--codebook",
    metavar="STEM",
    help="Only this codebook (default: every codebook of the project; with more "
    "than one, each becomes a top-level code holding its codes).",
)
@user_errors
def export_qdc(db, output, force, codebook) -> None:
    """Export the project's codebook(s) as a REFI-QDA codebook (.qdc): codes, nesting,
    colours, and definitions as Descriptions."""
    from qualcode.io.refiqda import export_qdc as write_qdc

    with open_project(db) as project:
        data = write_qdc(project, codebook)
    emit(data, output, force)


@export_.command("qdpx", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    required=True,
    help="The .qdpx file to write (whole or not at all).",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@user_errors
def export_qdpx(db, output, force) -> None:
    """Export the whole project as a REFI-QDA project (.qdpx): codebooks, respondents as
    cases with their attributes as variables, one text source per question and respondent,
    codings as text selections with their coder, and memos as notes.

    qualcode reads its own .qdpx back exactly (import qdpx); GUIDs are derived from the
    content, so exporting the same project twice gives the same file.
    """
    from qualcode.io.refiqda import export_qdpx as write_qdpx

    with open_project(db) as project:
        data = write_qdpx(project)
    emit(data, output, force)


def _refi_import(db, file, reader, question, codebook, coder) -> None:
    from qualcode.io.refiqda import import_refiqda

    refi = reader(file)
    with project_for_import(db) as project:
        summary = import_refiqda(project, refi, question=question, codebook=codebook, coder=coder)
    click.echo(visible(summary.describe()))


_REFI_OPTIONS = [
    click.option(
        "--question",
        metavar="QID",
        help="Question the text sources become items of (default: from the file "
        "name; a qualcode export keeps its own questions unless given).",
    ),
    click.option(
        "--codebook",
        metavar="STEM",
        help="Codebook the codes go into (default: from the file name).",
    ),
    click.option(
        "--coder",
        metavar="NAME",
        help="Coder for codings whose user the file does not name (default: "
        "$QUALCODE_CODER or your user name).",
    ),
]


def _refi_options(fn):
    for option in reversed(_REFI_OPTIONS):
        fn = option(fn)
    return fn


@import_.command("qdc", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--codebook",
    metavar="STEM",
    help="Stem of the codebook to create (default: from the file name).",
)
@user_errors
def import_qdc(db, file, codebook) -> None:
    """Import a REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, Taguette, ...:
    codes with nesting, colours (invalid ones get a palette colour) and Descriptions as
    definitions. Importing it again changes nothing."""
    from qualcode.io.refiqda import read_qdc

    _refi_import(db, file, read_qdc, None, codebook, None)


@import_.command("qdpx", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@_refi_options
@user_errors
def import_qdpx(db, file, question, codebook, coder) -> None:
    """Import a REFI-QDA project (.qdpx, or a bare project .qde) written by NVivo,
    ATLAS.ti, MAXQDA, QualCoder or qualcode.

    Each text source becomes an item of --question, its case the respondent (variables
    become attributes), and each text selection a coding of that passage by its user.
    Pictures, PDFs, audio, video and sources whose text is missing are listed in the
    summary as skipped. All or nothing; importing the same file again changes nothing.
    """
    from qualcode.io.refiqda import read_refiqda

    _refi_import(db, file, read_refiqda, question, codebook, coder)


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
        if _is_stdout_error(exc):
            _stdout_failed(exc)
        raise
    else:
        code = 0
    if type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper":
        # click met the closed pipe itself (outside a command) and ended with 1
        _stdout_failed(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    _check_stdout()
    sys.exit(code)


if __name__ == "__main__":
    main()
