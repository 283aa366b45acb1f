"""``qualcode import``: answers, respondents, interviews, codings, and REFI-QDA files
(qdc, qdpx)."""

from __future__ import annotations

import click

from qualcode.cli.common import (
    CONTEXT,
    open_project,
    progress_bar,
    project_for_import,
    user_errors,
    warn_pii,
)
from qualcode.cli.options import codebook_option, coder_option, db_argument, question_option
from qualcode.i18n import translator
from qualcode.io.importing import INTERVIEW_CODEBOOK, INTERVIEW_QUESTION, FileImport, personal_data
from qualcode.safe import visible

_, _n = translator("cli")

# the file to import
file_argument = click.argument("file", type=click.Path(dir_okay=False))
respondent_col_option = click.option(
    "--respondent-col",
    required=True,
    metavar="COL",
    help=_("Column with the respondent id (e.g. the jobcentre or kommune)."),
)
name_col_option = click.option(
    "--name-col", metavar="COL", help=_("Column with the respondent's name.")
)
all_attrs_option = click.option(
    "--all-attrs", is_flag=True, help=_("Keep every other column as an attribute.")
)


@click.group(
    "import",
    context_settings=CONTEXT,
    help=_(
        "Import answers, respondents, interview transcripts or codings into a project.\n\n"
        "Every import is all or nothing: when it fails, the project is left exactly as it "
        "was. Importing the same file again changes nothing. DB is created if missing."
    ),
)
def import_() -> None:
    pass


def _import(
    db: str, job: FileImport, progress: str | None = None, *, new: bool = True, warn: bool = False
) -> None:
    """Run ``job`` (see :mod:`qualcode.io.importing`) into the project DB and print its
    summary: the file is read first, then DB opened to write, or, when ``new`` and DB does
    not exist yet, created if the import succeeds. With ``warn``, one more line on stderr
    if the texts brought in hold personal data."""
    job.read()
    with project_for_import(db) if new else open_project(db, write=True) as project:
        summary = job.run(project, progress=progress_bar(progress) if progress else None)
        hits = personal_data(project, summary.questions) if warn else []
    click.echo(visible(summary.describe()))
    warn_pii(hits, db, summary.questions)


@import_.command(
    "answers",
    context_settings=CONTEXT,
    help=_(
        "Import open answers from a CSV (comma or semicolon; UTF-8, UTF-8 with BOM or "
        "Windows-1252) or XLSX FILE into the project DB.\n\n"
        "\b\n"
        "Long form:  --respondent-col id --text-col svar --question strategier \\\n"
        "            --codebook lokalpolitiske-strategier\n"
        "Wide form:  --text-col q1 --question strategier --text-col q2 --question fysiske ...\n\n"
        "Empty or whitespace-only answers are stored but kept out of denominators."
    ),
)
@db_argument
@file_argument
@respondent_col_option
@click.option(
    "--text-col",
    multiple=True,
    metavar="COL",
    help=_(
        "Column with the open answer. Repeat for a wide file (one column per "
        "question), pairing each with a --question in the same order."
    ),
)
@question_option(_("Question id for the answers in the matching --text-col."), multiple=True)
@codebook_option(
    multiple=True,
    help=_(
        "Codebook (stem in codebooks/ or a YAML path) for the question(s): one for "
        "all, or one per --text-col."
    ),
)
@click.option(
    "--attr-col",
    multiple=True,
    metavar="COL",
    help=_("Column to keep as a respondent attribute (kommune, region, ...). Repeatable."),
)
@all_attrs_option
@name_col_option
@click.option(
    "--sheet", metavar="NAME", help=_("XLSX: the sheet to read (default: the first visible one).")
)
@click.option(
    "--wave",
    metavar="WAVE",
    help=_(
        "Survey wave of these answers (e.g. 2017). --question then names the "
        "question across waves: a question already in the project gets the id "
        "QID-WAVE (see 'qualcode waves')."
    ),
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
    if not text_col:
        raise click.UsageError(
            _(
                "give at least one --text-col (or use 'qualcode import "
                "respondents' for a register without answers)"
            )
        )
    if not question:
        raise click.UsageError(_("give a --question for each --text-col"))
    if not codebook:
        raise click.UsageError(_("give the --codebook the answers are coded with"))
    options = {
        "respondent_col": respondent_col,
        "text_cols": text_col,
        "questions": question,
        "codebooks": codebook,
        "attr_cols": attr_col,
        "name_col": name_col,
        "all_attrs": all_attrs,
        "sheet": sheet,
        "wave": wave,
    }
    _import(db, FileImport("answers", [file], options), _("Importing answers"), warn=True)


@import_.command(
    "respondents",
    context_settings=CONTEXT,
    help=_(
        "Import a register of jobcentres (ids, names, attributes such as region, size and "
        "the closed answers) from CSV or XLSX, without answers."
    ),
)
@db_argument
@file_argument
@respondent_col_option
@name_col_option
@click.option("--attr-col", multiple=True, metavar="COL", help=_("Attribute column. Repeatable."))
@all_attrs_option
@click.option("--sheet", metavar="NAME", help=_("XLSX: the sheet to read."))
@user_errors
def import_respondents(db, file, respondent_col, name_col, attr_col, all_attrs, sheet) -> None:
    options = {
        "respondent_col": respondent_col,
        "attr_cols": attr_col,
        "name_col": name_col,
        "all_attrs": all_attrs,
        "sheet": sheet,
    }
    _import(db, FileImport("register", [file], options), _("Importing register"))


@import_.command(
    "interviews",
    context_settings=CONTEXT,
    help=_(
        "Import interview transcripts (TXT, Markdown or DOCX): '# ID Name' headers, and "
        "'Role: text' speaker turns. See the README for the format."
    ),
)
@db_argument
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@question_option(
    _("Question id the excerpts belong to."), default=INTERVIEW_QUESTION, show_default=True
)
@codebook_option(
    _("Codebook the excerpts are coded with."), default=INTERVIEW_CODEBOOK, show_default=True
)
@click.option(
    "--split",
    type=click.Choice(["turn", "paragraph"]),
    default="turn",
    show_default=True,
    help=_("One excerpt per speaker turn, or per paragraph."),
)
@click.option(
    "--interviewer",
    multiple=True,
    metavar="LABEL",
    help=_("Another label that marks the interviewer's turns (besides Interviewer, I)."),
)
@user_errors
def import_interviews(db, files, question, codebook, split, interviewer) -> None:
    options = {
        "question": question,
        "codebook": codebook,
        "split": split,
        "interviewer": interviewer,
    }
    _import(
        db, FileImport("interviews", list(files), options), _("Importing interviews"), warn=True
    )


@import_.command(
    "codings",
    context_settings=CONTEXT,
    help=_(
        "Import codings from CSV/XLSX with columns respondent,question,code[,coder].\n\n"
        "`code` is a code key or its exact label. Optional columns: item (excerpt number), "
        "text (an exact passage: codes just that span), start, end, memo. Unknown codes and "
        "answers the project does not hold are errors."
    ),
)
@db_argument
@file_argument
@coder_option(
    _("Coder for rows without a coder column (default: $QUALCODE_CODER or your user name).")
)
@click.option("--sheet", metavar="NAME", help=_("XLSX: the sheet to read."))
@user_errors
def import_codings(db, file, coder, sheet) -> None:
    job = FileImport("codings", [file], {"coder": coder, "sheet": sheet})
    _import(db, job, _("Importing codings"), new=False)


@import_.command(
    "qdc",
    context_settings=CONTEXT,
    help=_(
        "Import a REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, Taguette, ...: "
        "codes with nesting, colours (invalid ones get a palette colour) and Descriptions as "
        "definitions. Importing it again changes nothing."
    ),
)
@db_argument
@file_argument
@codebook_option(_("Stem of the codebook to create (default: from the file name)."))
@user_errors
def import_qdc(db, file, codebook) -> None:
    _import(db, FileImport("qdc", [file], {"codebook": codebook}))


@import_.command(
    "qdpx",
    context_settings=CONTEXT,
    help=_(
        "Import a REFI-QDA project (.qdpx, or a bare project .qde) written by NVivo, "
        "ATLAS.ti, MAXQDA, QualCoder or qualcode.\n\n"
        "Each text source becomes an item of --question, its case the respondent (variables "
        "become attributes), and each text selection a coding of that passage by its user. "
        "Pictures, PDFs, audio, video and sources whose text is missing are listed in the "
        "summary as skipped. All or nothing; importing the same file again changes nothing."
    ),
)
@db_argument
@file_argument
@question_option(
    _(
        "Question the text sources become items of (default: from the file name; a qualcode "
        "export keeps its own questions unless given)."
    )
)
@codebook_option(_("Codebook the codes go into (default: from the file name)."))
@coder_option(
    _(
        "Coder for codings whose user the file does not name (default: $QUALCODE_CODER or "
        "your user name)."
    )
)
@user_errors
def import_qdpx(db, file, question, codebook, coder) -> None:
    options = {"question": question, "codebook": codebook, "coder": coder}
    _import(db, FileImport("refiqda", [file], options))


COMMANDS = [import_]
