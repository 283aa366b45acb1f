"""The qualcode command line. Heavy libraries load inside commands, so --help is instant.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 bad usage.
"""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from qualcode import __version__
from qualcode.errors import QualcodeError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> None:
    click.echo(f"qualcode: error: {message}", err=True)
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
        except PermissionError as exc:
            _fail(f"{exc.filename}: permission denied")
        except OSError as exc:
            if exc.filename:
                _fail(f"{exc.filename}: {exc.strerror}")
            raise

    return wrapper


@contextmanager
def project_for_import(db: str):
    """Open (or create) a project; if this import created the file and fails, remove it."""
    from qualcode.core.project import Project

    path = Path(db)
    created = not path.exists()
    project = Project.open(path, create=True)
    ok = False
    try:
        yield project
        ok = True
    finally:
        project.close()
        if created and not ok:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def open_project(db: str):
    from qualcode.core.project import Project

    return Project.open(db)


def emit(data: bytes, output: str | None, force: bool) -> None:
    """Write to a file (whole or nothing) or to stdout."""
    if output and output != "-":
        from qualcode.io.export import write_file

        path = write_file(output, data, force=force)
        click.echo(f"wrote {path}", err=True)
    else:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            sys.stdout.flush()
            stream.write(data)
            stream.flush()


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
    click.echo(f"\nDemo project: {path}\nOpen it in a terminal with: qualcode tui {path}",
               err=True)


def _run_tui(db: str, question: str | None, coder: str | None) -> None:
    from qualcode.tui.app import make_app

    make_app(db, question, coder=coder).run()


def _print_all_counts(path: Path) -> None:
    from qualcode.io.export import render_counts

    with open_project(str(path)) as project:
        frames = [project.counts(q.id) for q in project.questions()]
    click.echo(render_counts(frames, "table").decode("utf-8"), nl=False)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID", help="Start on this question (default: the first).")
@click.option("--coder", metavar="NAME",
              help="Your coder name (default: $QUALCODE_CODER or your user name).")
@user_errors
def tui(db, question, coder) -> None:
    """Open the coding workbench on the project DB.

    Code answers with the number keys, move with n/p, undo with u, write memos with m,
    search with /, see every key with ?, and quit with q. F3 quotes, F4 counts, F5
    codebook, i import.
    """
    from qualcode.core.project import Project

    with Project.open(db, coder=coder) as project:  # fail early, with one line
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
    Tabel 1-3.
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
@click.option("--respondent-col", required=True, metavar="COL",
              help="Column with the jobcentre (respondent) id.")
@click.option("--text-col", multiple=True, metavar="COL",
              help="Column with the open answer. Repeat for a wide file (one column per "
                   "question), pairing each with a --question in the same order.")
@click.option("--question", multiple=True, metavar="QID",
              help="Question id for the answers in the matching --text-col.")
@click.option("--codebook", multiple=True, metavar="STEM",
              help="Codebook (stem in codebooks/ or a YAML path) for the question(s): one for "
                   "all, or one per --text-col.")
@click.option("--attr-col", multiple=True, metavar="COL",
              help="Column to keep as a respondent attribute (kommune, region, ...). Repeatable.")
@click.option("--all-attrs", is_flag=True, help="Keep every other column as an attribute.")
@click.option("--name-col", metavar="COL", help="Column with the jobcentre's name.")
@click.option("--sheet", metavar="NAME", help="XLSX: the sheet to read (default: the first).")
@user_errors
def import_answers(db, file, respondent_col, text_col, question, codebook, attr_col, all_attrs,
                   name_col, sheet) -> None:
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
        raise click.UsageError("give at least one --text-col (or use 'qualcode import "
                               "respondents' for a register without answers)")
    if not question:
        raise click.UsageError("give a --question for each --text-col")
    if not codebook:
        raise click.UsageError("give the --codebook the answers are coded with")
    with project_for_import(db) as project:
        table = read_answers(file, respondent_col=respondent_col, text_cols=text_col,
                             questions=question, codebooks=codebook, attr_cols=attr_col,
                             name_col=name_col, all_attrs=all_attrs, sheet=sheet,
                             project=project)
        summary = project.import_answers(table, progress=progress_bar("Importing answers"))
    click.echo(summary.describe())


@import_.command("respondents", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--respondent-col", required=True, metavar="COL",
              help="Column with the jobcentre (respondent) id.")
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
        table = read_answers(file, respondent_col=respondent_col, attr_cols=attr_col,
                             name_col=name_col, all_attrs=all_attrs, sheet=sheet)
        summary = project.import_answers(table, progress=progress_bar("Importing register"))
    click.echo(summary.describe())


@import_.command("interviews", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--question", default="interview", show_default=True, metavar="QID",
              help="Question id the excerpts belong to.")
@click.option("--codebook", default="kompenserende-ordninger", show_default=True,
              metavar="STEM", help="Codebook the excerpts are coded with.")
@click.option("--split", type=click.Choice(["turn", "paragraph"]), default="turn",
              show_default=True, help="One excerpt per speaker turn, or per paragraph.")
@click.option("--interviewer", multiple=True, metavar="LABEL",
              help="Another label that marks the interviewer's turns (besides Interviewer, I).")
@user_errors
def import_interviews(db, files, question, codebook, split, interviewer) -> None:
    """Import interview transcripts (TXT, Markdown or DOCX): '# ID Name' headers, and
    'Role: text' speaker turns. See the README for the format."""
    from qualcode.core.codebook import load_codebook
    from qualcode.io.interviews import read_interviews

    transcripts, digest = read_interviews(list(files), interviewer_labels=set(interviewer))
    with project_for_import(db) as project:
        book = (project.codebook(codebook) if project.has_codebook(codebook)
                else load_codebook(codebook))
        summary = project.import_interviews(
            transcripts, question=question, codebook=book,
            file=", ".join(files) if len(files) <= 3 else f"{files[0]} and {len(files) - 1} more",
            sha256=digest, split=split, progress=progress_bar("Importing interviews"))
    click.echo(summary.describe())


@import_.command("codings", context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False, exists=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--coder", metavar="NAME",
              help="Coder for rows without a coder column (default: $QUALCODE_CODER or your "
                   "user name).")
@click.option("--sheet", metavar="NAME", help="XLSX: the sheet to read.")
@user_errors
def import_codings(db, file, coder, sheet) -> None:
    """Import codings from CSV/XLSX with columns respondent,question,code[,coder].

    `code` is a code key or its exact label. Optional columns: item (excerpt number),
    text (an exact passage: codes just that span), start, end, memo. Unknown codes and
    answers the project does not hold are errors.
    """
    from qualcode.core.project import Project
    from qualcode.io.codings import read_codings
    from qualcode.paths import default_coder

    rows, table = read_codings(file, default_coder=coder or default_coder(), sheet=sheet)
    with Project.open(db) as project:
        summary = project.import_codings(rows, file=table.file, sha256=table.sha256,
                                         progress=progress_bar("Importing codings"))
    click.echo(summary.describe())


# -- results ----------------------------------------------------------------------

def output_options(formats: tuple[str, ...], default: str):
    def decorate(fn):
        fn = click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")(fn)
        fn = click.option("-o", "--output", metavar="FILE",
                          help="Write to FILE (written whole or not at all) instead of "
                               "standard output.")(fn)
        fn = click.option("--format", "fmt", type=click.Choice(formats),
                          help=f"Output format (default: from FILE's extension, else "
                               f"{default}).")(fn)
        return fn

    return decorate


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID", help="Question (default: every question).")
@click.option("--coder", metavar="NAME", help="Count only this coder's codings.")
@click.option("--published/--no-published", default=None,
              help="Show the report's published figure beside the current count "
                   "(default: when the codebook has one).")
@output_options(("table", "csv", "md", "xlsx", "json"), "table")
@user_errors
def counts(db, question, coder, published, fmt, output, force) -> None:
    """How many jobcentres mention each theme, out of those who answered.

    CSV columns: question, code, label, respondents, answered, percent, published, ...
    Markdown and XLSX follow the report's layout ("Anført af N ud af M jobcentre").
    """
    from qualcode.io.export import COUNT_FORMATS, format_from_path, render_counts

    fmt = format_from_path(output, fmt, COUNT_FORMATS, "table")
    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx needs -o FILE.xlsx")
    with open_project(db) as project:
        ids = [question] if question else [q.id for q in project.questions()]
        if not ids:
            raise QualcodeError("the project has no questions yet; import answers first",
                                file=db)
        frames = [project.counts(qid, coder=coder) for qid in ids]
    emit(render_counts(frames, fmt, published=published), output, force)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--question", metavar="QID",
              help="Question (default: every question that the coders compared have coded).")
@click.option("--coders", metavar="A,B,...",
              help="Comma-separated coders to compare (default: everybody who coded the "
                   "question).")
@click.option("--unit", type=click.Choice(("item", "character")), default="item",
              show_default=True,
              help="Unit of analysis: the answer (did the coder apply the code to it?), or "
                   "each character, for span coding.")
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
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, agr.FORMATS, "table")
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
                raise QualcodeError(f"no question has codings by {wanted} "
                                    f"(coders in the project: {known_text})", file=db)
            frames = [agr.agreement(project, qid, coders=names, unit=unit) for qid in ids]
    emit(agr.render_agreement(frames, fmt), output, force)


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
    data = (quotes_markdown(found, anonymous=anonymous).encode("utf-8") if fmt == "md"
            else quotes_csv(found))
    emit(data, output, force)


@cli.command(context_settings=CONTEXT)
@click.argument("db", type=click.Path(dir_okay=False))
@user_errors
def info(db) -> None:
    """Show a project's questions, codebooks, respondents and codings."""
    with open_project(db) as project:
        q_rows = project.questions()
        n_resp = project.db.execute("SELECT COUNT(*) FROM respondents").fetchone()[0]
        click.echo(f"{db}: {n_resp} respondents")
        for q in q_rows:
            items = project.db.execute(
                "SELECT COUNT(*), SUM(is_empty = 0) FROM items WHERE question_id = ?"
                " AND kind != 'interviewer'", [q.id]).fetchone()
            coded = project.db.execute(
                "SELECT COUNT(DISTINCT item_id), COUNT(*) FROM codings WHERE item_id IN"
                " (SELECT id FROM items WHERE question_id = ?)", [q.id]).fetchone()
            click.echo(f"  {q.id} ({q.kind}, codebook {q.codebook}): {items[0]} items, "
                       f"{items[1] or 0} non-empty, {coded[0]} coded, {coded[1]} codings")


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
    from qualcode.core.project import Project

    with Project.open(db, coder=coder) as project:
        items = project.items(question, respondent=respondent, include_empty=True)
        if item is not None:
            items = [i for i in items if i.number == item]
        if len(items) != 1:
            raise QualcodeError(f"respondent '{respondent}' has {len(items)} items in "
                                f"'{question}'" + ("; give --item" if len(items) > 1 else ""))
        target = items[0]
        if remove:
            key = project.codebook(question).code(code_).key
            mine = [c for c in project.codings(item_id=target.id, coder=project.coder)
                    if c.code == key and c.start is None]
            if not mine:
                raise QualcodeError(f"{respondent} is not coded '{key}' by {project.coder}")
            project.remove_coding(mine[0].id)
            click.echo(f"removed {key} from {respondent}")
        else:
            c = project.add_coding(target.id, code_)
            click.echo(f"coded {respondent} with {c.code} (coder {c.coder})")


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
        click.echo(f"{stem:28} {len(book):3} codes  {book.title}")


@codebook.command("validate", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False))
@user_errors
def codebook_validate(file) -> None:
    """Check a codebook YAML FILE: keys, labels, parents, colours, published counts."""
    from qualcode.core.codebook import load_codebook

    book = load_codebook(Path(file))
    nested = sum(1 for c in book if c.parent)
    click.echo(f"{file}: ok ({len(book)} codes, {nested} nested)")


@codebook.command("show", context_settings=CONTEXT)
@click.argument("stem")
@click.option("--db", type=click.Path(dir_okay=False),
              help="Show the project's copy (with its edits) instead of the bundled file.")
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
    click.echo(f"{book.stem}: {book.title}")
    if book.definition_source:
        click.echo(f"definitions: {book.definition_source}")
    for n, c in enumerate(book, start=1):
        indent = "  " * book.depth(c.key)
        pub = f"  [{c.published}]" if c.published else ""
        click.echo(f"{n:2}. {indent}{c.label}  ({c.key}, {c.color}){pub}")
        if c.definition:
            click.echo(f"    {indent}{c.definition}")


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


# -- merge ------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT)
@click.argument("target", type=click.Path(dir_okay=False))
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True,
              help="Merge nothing (exit 1) if anything in the sources cannot be matched.")
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

    with open_project(target) as project:
        report = merge_projects(project, [Path(s) for s in sources], strict=strict,
                                dry_run=dry_run)
    click.echo(report.describe())


def main() -> None:
    cli(prog_name="qualcode")


if __name__ == "__main__":
    main()
