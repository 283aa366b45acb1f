"""What ``qualcode serve`` checks before it publishes a project with Datasette: that the
file is a qualcode project with the views it publishes (schema 9 or later), and what it
holds (its tables to hide, its views to describe, what its respondents are). Read through
a read-only connection; nothing is written, not even an upgrade."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.models import JOBCENTRE, Noun
from qualcode.store import db as store
from qualcode.store import publish
from qualcode.store import settings as settings_store
from qualcode.store.schema import SCHEMA_VERSION

_, _n = translator("core")

# the migration that made the views and the search index serve publishes
PUBLISHED_SINCE = 9


@dataclass(frozen=True)
class Publishable:
    path: Path
    tables: list[str]
    views: list[str]
    noun: Noun


def check(path: str | Path) -> Publishable:
    """The project at ``path`` as serve publishes it; a one-line QualcodeError if it is no
    project (missing, empty, another program's database, damaged, a newer qualcode's) or
    one written before the published views existed."""
    path = Path(path)
    conn = store.open_file(path)
    try:
        applied = store.schema_version(conn)
        if applied < PUBLISHED_SINCE:
            raise QualcodeError(
                _(
                    "was written by an older qualcode (schema {applied} of {current}) and has "
                    "no published views yet; open it once to write, e.g. 'qualcode tui "
                    "{path}', which upgrades it (after a backup), then serve it"
                ).format(applied=applied, current=SCHEMA_VERSION, path=path),
                file=str(path),
            )
        value = settings_store.get(conn, "noun")
        try:
            noun = Noun.parse(value) if value else JOBCENTRE
        except ValueError:
            noun = JOBCENTRE
        return Publishable(path, publish.tables(conn), publish.views(conn), noun)
    finally:
        conn.close()
