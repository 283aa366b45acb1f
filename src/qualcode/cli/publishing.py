"""Publishing the project: ``serve`` (Datasette, read-only; ``pip install 'qualcode[serve]'``)."""

from __future__ import annotations

import click

from qualcode.cli.common import CONTEXT, fail, os_reason, user_errors
from qualcode.cli.options import db_argument
from qualcode.i18n import translator

_, _n = translator("cli")

INSTALL_HINT = "pip install 'qualcode[serve]'"

# Datasette's settings serve changes (options after -- can change them back). Facet
# suggestions try every column of a view three ways, each up to 50 ms: on 100,000 answers
# they added about 2 s to every page of a view, and suggested nothing in that time.
SETTINGS = {"suggest_facets": "off"}


@click.command(
    context_settings=CONTEXT,
    help=_(
        "Publish the project DB with Datasette, read-only, until Ctrl+C.\n\n"
        "Datasette shows the project's views with titles and descriptions (counts per theme, "
        "all coded passages, starred quotes, the answers with full-text search), two canned "
        "queries (counts for one question, quotes for one theme) and hides the tables. It "
        "reads the file as the workbench writes it, and shows each commit on the next page "
        "load; it never writes to it. Options after -- go to 'datasette serve' as they are, "
        "e.g. -- --setting sql_time_limit_ms 3000.\n\n"
        "Anyone who can reach the address can read everything in the project, hidden tables "
        "and memos included (with SQL): redact personal data first (qualcode scan-pii)."
    ),
)
@db_argument
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=_(
        "Address to listen on. The default lets only this computer in; 0.0.0.0 lets in "
        "every computer that can reach this one."
    ),
)
@click.option(
    "-p",
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help=_("Port to listen on (0: any free port, which Datasette names when it starts)."),
)
@click.argument("datasette_options", nargs=-1, type=click.UNPROCESSED, metavar="[-- OPTIONS]")
@user_errors
def serve(db, host, port, datasette_options) -> None:
    import importlib.util
    import tempfile
    from pathlib import Path

    from qualcode.core.publish import check
    from qualcode.io import datasette as metadata_file

    project = check(db)
    if importlib.util.find_spec("datasette") is None:
        fail(
            _("datasette is not installed, and serve needs it: {install}").format(
                install=INSTALL_HINT
            )
        )
    if port:
        _check_port(host, port)
    url = metadata_file.url_name(metadata_file.database_name(project.path))
    data = metadata_file.metadata(
        project.path,
        tables=project.tables,
        views=project.views,
        noun=project.noun.plural,
    )
    from datasette.cli import cli as datasette_cli

    with tempfile.TemporaryDirectory(prefix="qualcode-serve-") as folder:
        meta = metadata_file.write_metadata(Path(folder) / "metadata.json", data)
        args = ["serve", str(db), "--metadata", str(meta), "--host", host, "--port", str(port)]
        args += [opt for pair in SETTINGS.items() for opt in ("--setting", *pair)]
        args += list(datasette_options)
        try:  # options Datasette does not know: one line, before anything starts
            datasette_cli.commands["serve"].make_context("datasette serve", args[1:])
        except click.ClickException as exc:
            fail(f"datasette: {exc.format_message()}")
        if port:
            text = _("qualcode: serving {db} read-only at {url}; Ctrl+C stops it")
        else:
            text = _("qualcode: serving {db} read-only at {host} (a free port); Ctrl+C stops it")
        click.echo(text.format(db=db, url=f"http://{host}:{port}/{url}", host=host), err=True)
        try:
            datasette_cli.main(args=args, prog_name="datasette", standalone_mode=False)
        except click.ClickException as exc:
            fail(f"datasette: {exc.format_message()}")


def _check_port(host: str, port: int) -> None:
    """One line now, instead of the server's own log lines and traceback later, when the
    port is taken or the address is not this computer's."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        fail(
            _("cannot listen on {host} ({reason}); check --host").format(
                host=host, reason=exc.strerror or exc
            )
        )
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            fail(
                _("cannot listen on {host}:{port} ({reason}); choose another --port").format(
                    host=host, port=port, reason=os_reason(exc)
                )
            )


COMMANDS = [serve]
