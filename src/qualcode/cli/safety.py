"""Keeping the project safe: ``backup``, ``restore`` and ``scan-pii`` (personal data)."""

from __future__ import annotations

import click

from qualcode.cli.common import CONTEXT, emit, open_project, user_errors
from qualcode.cli.options import (
    db_argument,
    force_option,
    output_option,
    output_options,
    question_option,
)
from qualcode.i18n import translator
from qualcode.safe import one_line

_, _n = translator("cli")


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Back up the project DB: a consistent copy made through SQLite's backup API, also "
        "while the workbench or another command writes it. Without -o the copy goes into the "
        "rotating backups beside the project (DB.backups/, the newest 10 are kept).\n\n"
        "qualcode makes such a backup by itself before it upgrades an older project, merges, "
        "deletes or merges codes with codings, imports a REFI-QDA file into an existing "
        "project and restores a backup. Restore one with 'qualcode restore DB BACKUP'."
    ),
)
@db_argument
@output_option(_("Write the copy to FILE (a new file) instead of the backups folder."))
@click.option("--list", "list_", is_flag=True, help=_("List the project's backups instead."))
@user_errors
def backup(db, output, list_) -> None:
    from qualcode.io.fmt import number as fmt_number
    from qualcode.store import backup as backups
    from qualcode.store import restore

    if list_:
        if output:
            raise click.UsageError(_("--list and -o do not go together"))
        found = backups.list_backups(db)
        if not found:
            click.echo(
                _("{db}: no backups yet (in {folder})").format(
                    db=db, folder=backups.backups_folder(db)
                ),
                err=True,
            )
        for path in reversed(found):
            size = fmt_number(path.stat().st_size / 2**20)
            click.echo(_("{path}  {size} MB").format(path=path, size=size))
        return
    path = restore.backup_project(db, output)
    click.echo(_("backed up {db} to {path}").format(db=db, path=path))


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Make the project DB a copy of BACKUP (a backup from 'qualcode backup', the backups "
        "folder, or any copy of the project).\n\n"
        "DB as it was is backed up first, so a restore can be undone by restoring that. The "
        "copy is written through SQLite, so a workbench that has DB open sees the restored "
        "project after 'r'."
    ),
)
@db_argument
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False))
@force_option(
    _(
        "Also when DB is damaged or not a project: it is kept under another "
        "name (DB.ulaeselig-TIME), never deleted."
    )
)
@user_errors
def restore(db, backup_file, force) -> None:
    from qualcode.store import restore

    before, aside = restore.restore_project(db, backup_file, force=force)
    click.echo(_("restored {db} from {backup}").format(db=db, backup=backup_file))
    if before is not None:
        click.echo(_("the project as it was is kept at {path}").format(path=before), err=True)
    if aside is not None:
        click.echo(_("the unreadable file was kept as {path}").format(path=aside), err=True)


@click.command(
    "scan-pii",
    context_settings=CONTEXT,
    help=_(
        "Find personal data in answers and transcripts: Danish CPR numbers (with a valid "
        "date), phone numbers and e-mail addresses.\n\n"
        "Lists each match with question, jobcentre, excerpt, kind and context; the number "
        "found goes to stderr (exit 0 also when there are matches). CSV columns: question, "
        "respondent, name, item, role, kind, start, end, text, context. With --redact, each "
        "match is replaced by a placeholder and the redaction is written to the event log "
        "(where and what kind, never the matched text)."
    ),
)
@db_argument
@question_option(_("Only this question (default: all)."))
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(("cpr", "phone", "email")),
    help=_("Only this kind of personal data. Repeatable (default: all three)."),
)
@click.option(
    "--redact",
    is_flag=True,
    help=_(
        "Replace every match with [CPR], [TELEFON] or [E-MAIL] in the project, in "
        "one transaction; coded passages are moved to cover the same words."
    ),
)
@click.option("--mask", is_flag=True, help=_("List the matches masked (12••••-••••)."))
@output_options(("table", "csv"), "table")
@user_errors
def scan_pii(db, question, kinds, redact, mask, fmt, output, force) -> None:
    from qualcode.core import pii
    from qualcode.io.export import format_from_path

    fmt = format_from_path(output, fmt, ("table", "csv"), "table")
    with open_project(db, write=redact) as project:
        hits = pii.scan(project, questions=[question] if question else None, kinds=kinds or None)
        if redact:
            result = pii.redact_everywhere(project, hits)
            click.echo(
                _("redacted {done} of {found}").format(
                    done=result.done, found=pii.summary_line(hits)
                )
            )
            for line in result.details():
                click.echo(line, err=True)
            return
    click.echo(_("{found} found").format(found=pii.summary_line(hits)), err=True)
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


COMMANDS = [backup, restore, scan_pii]
