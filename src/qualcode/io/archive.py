"""Zip archives from other people (XLSX, DOCX, .qdpx, and a DOCX inside a .qdpx), opened
with limits that are checked on the archive's directory before anything is expanded.

Python's zipfile never expands a member past the size the directory declares (a member
that holds more fails its CRC check), so checking the declared sizes is enough to bound
the memory and time an archive can cost: a 4.8 KB file cannot become 23 GB.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import ImportError_
from qualcode.i18n import translator
from qualcode.io.fmt import integer, number

_, _n = translator("io")


@dataclass(frozen=True)
class Limits:
    """How much one archive may expand to."""

    member_bytes: int = 256 * 2**20  # one member, uncompressed
    total_bytes: int = 1024 * 2**20  # all members together, uncompressed
    members: int = 100_000  # entries in the directory
    # uncompressed / compressed for a member over ``ratio_floor`` bytes: XML of real
    # spreadsheets and documents compresses 5-30 times, a zip bomb thousands of times
    ratio: int = 200
    ratio_floor: int = 2**20


OFFICE = Limits()  # XLSX and DOCX files, each on its own or inside a .qdpx


def open_zip(
    data: bytes | Path, name: str, limits: Limits = OFFICE, *, what: str | None = None
) -> zipfile.ZipFile:
    """The archive, once its directory passed ``limits``; else a one-line ImportError_
    naming ``name`` (the file, or 'file.qdpx: Sources/x.docx') and the member at fault.

    A file that is not a zip archive at all fails with "not a zip archive". ``what`` is
    what the archive should be ("DOCX file", in the language in use); "archive" if not
    given."""
    what = what or _("archive")
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise ImportError_(
            _("not a zip archive, so not a readable {what}").format(what=what), file=name
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise ImportError_(
            _("not a readable {what} ({reason})").format(what=what, reason=exc), file=name
        ) from None
    try:
        check_zip(archive, name, limits, what=what)
    except BaseException:
        archive.close()
        raise
    return archive


def check_zip(
    archive: zipfile.ZipFile, name: str, limits: Limits = OFFICE, *, what: str | None = None
) -> None:
    """Refuse an archive whose directory declares more than ``limits`` allow."""
    what = what or _("archive")
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise ImportError_(
            _("the {what} holds {n} entries; the limit is {limit}").format(
                what=what, n=integer(len(infos)), limit=integer(limits.members)
            ),
            file=name,
        )
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.member_bytes:
            raise ImportError_(
                _(
                    "'{member}' inside the {what} expands to {size}; the limit is {limit} "
                    "(a damaged file or a zip bomb?)"
                ).format(
                    member=info.filename[:80],
                    what=what,
                    size=_mb(size),
                    limit=_mb(limits.member_bytes),
                ),
                file=name,
            )
        if size > limits.ratio_floor and size > limits.ratio * max(info.compress_size, 1):
            raise ImportError_(
                _(
                    "'{member}' inside the {what} expands {times} times (to {size}); more "
                    "than {limit} times is refused as a zip bomb"
                ).format(
                    member=info.filename[:80],
                    what=what,
                    times=integer(size // max(info.compress_size, 1)),
                    size=_mb(size),
                    limit=limits.ratio,
                ),
                file=name,
            )
        total += size
        if total > limits.total_bytes:
            raise ImportError_(
                _("the {what} expands to more than {limit} (a damaged file or a zip bomb?)").format(
                    what=what, limit=_mb(limits.total_bytes)
                ),
                file=name,
            )


def _mb(size: int) -> str:
    """'1,5 MB' or '12.345 bytes' (in the language's way)."""
    if size >= 2**20:
        return _("{size} MB").format(size=number(size / 2**20, 1))
    return _n("{n} byte", "{n} bytes", size).format(n=integer(size))
