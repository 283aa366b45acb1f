"""The analyst's memos: ``memos`` lists them (written on the workbench: m on F2 and F5,
the memo screen M), with what each is attached to."""

from __future__ import annotations

import click

from qualcode.cli.common import CONTEXT, emit, open_project, user_errors
from qualcode.cli.options import db_argument, output_options
from qualcode.i18n import translator

_, _n = translator("cli")

KINDS = ("project", "item", "coding", "code", "respondent")
FORMATS = ("table", "csv", "json")
TABLE_COLUMNS = [
    ("id", _("Nr.")),
    ("kind_name", _("Slags")),
    ("about", _("Om")),
    ("author", _("Skrevet af")),
    ("date", _("Dato")),
    ("first_line", _("Første linje")),
]
KEYS = [
    "id",
    "kind",
    "about",
    "author",
    "created_at",
    "updated_at",
    "text",
    "item",
    "question",
    "respondent",
    "code",
    "codebook",
]


@click.command(
    context_settings=CONTEXT,
    help=_(
        "List the memos: on the project, on items, on codings, on codes and on "
        "respondents, newest change first, with what each is about and who wrote it.\n\n"
        "The table shows each memo's first line; CSV and JSON the whole text and the "
        "columns id, kind, about, author, created_at, updated_at, text, item, question, "
        "respondent, code, codebook. Memos are written in the workbench (m on F2 and F5, "
        "and the memo screen, M)."
    ),
)
@db_argument
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    help=_("Only memos on this kind of thing."),
)
@click.option(
    "--search",
    metavar="WORDS",
    default="",
    help=_(
        "Only memos whose text, target, author or kind hold every word (upper and lower "
        "case alike)."
    ),
)
@output_options(FORMATS, "table")
@user_errors
def memos(db, kind, search, fmt, output, force) -> None:
    from qualcode.core.memos import kind_name
    from qualcode.io.export import format_from_path
    from qualcode.io.fmt import date
    from qualcode.io.rows import render_rows
    from qualcode.io.table import clip

    fmt = format_from_path(output, fmt, FORMATS, "table")
    with open_project(db) as project:
        found = project.memo_entries(kind, search)
    rows = [
        {
            "id": e.memo.id,
            "kind": e.kind,
            "kind_name": kind_name(e.kind),
            "about": e.about if fmt != "table" else clip(e.about or _("(findes ikke længere)"), 50),
            "author": e.memo.author,
            "created_at": e.memo.created_at,
            "updated_at": e.memo.updated_at,
            "date": date(e.memo.updated_at),
            "text": e.memo.text,
            "first_line": clip(e.first_line, 60),
            "item": e.item_id,
            "question": e.question,
            "respondent": e.respondent,
            "code": e.code,
            "codebook": e.codebook,
        }
        for e in found
    ]
    if fmt == "table" and not rows:
        click.echo(_("Ingen memoer."), err=True)
        return
    emit(render_rows(rows, TABLE_COLUMNS, fmt, keys=KEYS, right=("id",)), output, force)


COMMANDS = [memos]
