"""Writing counts and quotes: terminal table, CSV, Markdown (the report's layout), XLSX, JSON.

Files are written whole or not at all (a temporary file renamed into place), never
over an existing file unless asked, and CSV/XLSX cells that a spreadsheet would run
as a formula are neutralised.

Text from data may hold control characters (an escape sequence that sets the terminal's
title, a BEL, a C1 control): the human formats (the terminal table, Markdown) show them
as visible symbols (:mod:`qualcode.safe`), one character for one; CSV and JSON keep the
data exactly as it is; XLSX keeps it too, with OOXML's ``_xHHHH_`` escape for the
characters XML 1.0 cannot hold (Excel reads them back as they were: :func:`xlsx_cell`).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import is_missing, mentioned, percent, scale, scale_note, units, units_title
from qualcode.io.table import Column, table_lines
from qualcode.safe import one_line, visible

_, _n = translator("io")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.counts import CountTable
    from qualcode.models import Quote

    # a question's counts, as the CLI counts them or as Project.counts returns them
    Counts: TypeAlias = CountTable | pd.DataFrame

COUNT_FORMATS = ("table", "csv", "md", "xlsx", "json")
QUOTE_FORMATS = ("md", "csv", "docx")
CSV_COLUMNS = [
    "question",
    "code",
    "label",
    "respondents",
    "answered",
    "percent",
    "published",
    "published_base",
    "published_year",
    "scale",
    "parent",
    "definition",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Prefix text a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# the characters XML 1.0 cannot hold (openpyxl refuses them), and CR, which XML would
# read back as a newline; and a literal '_xHHHH_' in the data, which Excel would decode.
# Patterns as text, compiled (once, by re's cache) when first used: a command that
# writes no spreadsheet does not pay for them.
_XML_ILLEGAL = "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]"
_OOXML_ESCAPE = "_(?=x[0-9A-Fa-f]{4}_)"


def xlsx_text(text: str) -> str:
    """``text`` for an XLSX cell or sheet text, kept exactly: control characters as
    OOXML's ``_xHHHH_`` escape (ESC is ``_x001B_``), which Excel turns back into the
    character, and a '_' that starts such an escape in the data as ``_x005F_``."""
    if "_x" not in text and not re.search(_XML_ILLEGAL, text):
        return text
    text = re.sub(_OOXML_ESCAPE, "_x005F_", text)
    return re.sub(_XML_ILLEGAL, lambda m: f"_x{ord(m.group()):04X}_", text)


def xlsx_cell(value: object) -> object:
    """A value for an XLSX cell: XML-safe (:func:`xlsx_text`); numbers and None as they
    are. Text that looks like a formula stays text as it is, without an apostrophe: the
    workbook is saved by :func:`workbook_bytes`, which types every text cell as a string
    (never a formula) and marks those with Excel's quote prefix."""
    return xlsx_text(value) if isinstance(value, str) else value


A4_TEXT_WIDTH = 100  # characters of column width that fit a portrait A4 page; wider: landscape
LINE_HEIGHT = 15.0  # points per line of 11 pt text, for rows of wrapped text


def workbook_bytes(wb: Any) -> bytes:
    """The workbook as XLSX bytes, each sheet ready to print and filter: text cells are
    strings (a cell with '=SUM(A1)' from an answer is text, shown without an apostrophe
    and kept from being read as a formula when edited), A4 fitted to the page width
    (landscape when the columns are wide), the header row repeated on every page and
    with an autofilter, and rows of wrapped text tall enough to show it. Every XLSX
    qualcode writes is saved here (tests/test_architecture.py checks it)."""
    for ws in wb.worksheets:
        _text_cells(ws)
        _print_ready(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text_cells(ws: Any) -> None:
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if cell.data_type == "f":  # openpyxl takes any text starting with '=' as one
                    cell.data_type = "s"
                if cell.value.startswith(_FORMULA_START):
                    cell.quotePrefix = True


def _header_row(ws: Any) -> int | None:
    """The table's header row: the one above the frozen panes, if the sheet has them."""
    from openpyxl.utils.cell import coordinate_from_string

    if not ws.freeze_panes:
        return None
    _col, row = coordinate_from_string(ws.freeze_panes)
    return int(row) - 1 if row > 1 else None


def _print_ready(ws: Any) -> None:
    from openpyxl.utils import get_column_letter

    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    last = max(1, ws.max_column)
    widths = {
        i: ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, last + 1)
    }
    setup.orientation = "landscape" if sum(widths.values()) > A4_TEXT_WIDTH else "portrait"
    ws.print_options.gridLines = False
    header = _header_row(ws)
    if header is not None:
        ws.print_title_rows = f"{header}:{header}"
        end = header
        while end < ws.max_row and any(c.value not in (None, "") for c in ws[end + 1]):
            end += 1
        ws.auto_filter.ref = f"A{header}:{get_column_letter(last)}{end}"
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if cell.alignment is not None and cell.alignment.wrap_text and cell.value:
                width = max(4.0, float(widths.get(cell.column, 8.43)) * 1.1)
                text_lines = str(cell.value).split("\n")
                lines = max(lines, sum(max(1, math.ceil(len(t) / width)) for t in text_lines))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = LINE_HEIGHT * lines


# -- writing files whole or not at all ----------------------------------------------

# temporary files are named '.NAME.qualcode-<pid>-<8 hex>.tmp' beside the target, so that
# a later run can tell its own leftovers (from a killed run) from anything else
_TEMP_TAG = ".qualcode-"
_LEFTOVER_AGE = 24 * 3600  # seconds; older leftovers go even if their pid is alive again
_KINDS = (
    (stat.S_ISCHR, "device"),
    (stat.S_ISBLK, "device"),
    (stat.S_ISFIFO, "pipe"),
    (stat.S_ISSOCK, "socket"),
)


def write_file(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write all of ``data`` to ``path`` or nothing; refuse to overwrite unless ``force``.

    The data goes to a temporary file beside the target, is flushed to disk (fsync) and
    renamed over the target, so a reader sees the old file or the new one, never a part.
    A new file gets the mode any new file would get (umask), a replaced one keeps its mode.

    Refused, with one line naming the path and nothing written: a name ending in a path
    separator ("names a folder"), a folder, a missing folder, an existing file without
    ``force``, and anything that is not a regular file (a device such as ``/dev/null``,
    a named pipe, a socket), with or without ``force``: to reach a pipe or device, write
    to standard output. A symbolic link is followed: with ``force`` the regular file it
    points to is replaced in place (the link stays a link, pointing at the new file); a
    link to anything else, to a missing file or in a loop is refused.

    Leftover temporary files of this target from an earlier run that was killed (its
    process is gone, or the file is more than a day old) are removed; nothing else is.
    """
    return write_files([(path, data)], force=force)[0]


def write_files(files: list[tuple[str | Path, bytes]], *, force: bool = False) -> list[Path]:
    """Write several files all or nothing (a report and the charts beside it).

    ``files`` is a list of (path, bytes); the first is the main file. Every target is
    checked as in :func:`write_file` before anything is written; then every file is
    written to its temporary name and flushed to disk, and only then renamed into place,
    the main file last. If anything fails before the main file is in place, the files
    already placed are taken back (a file that was replaced under ``force`` gets its old
    content back), every temporary file is removed, and one line names the file that
    failed. A kill during the renames (a moment) can still leave new charts
    without the new main file; a kill at any other moment leaves only temporary files,
    which the next run removes. Returns the paths as given.
    """
    checked = [(_check_target(path, force), data) for path, data in files]
    seen: dict[str, str] = {}
    for (given, real, _old), _data in checked:
        key = os.path.normcase(os.path.abspath(real))
        if key in seen:
            raise QualcodeError(
                _("is the same file as {other}; nothing was written").format(other=seen[key]),
                file=str(given),
            )
        seen[key] = str(given)
    for (_given, real, _old), _data in checked:
        _remove_leftovers(real)

    temps: list[Path] = []  # every temporary file this call made (backups too)
    placed: list[tuple[Path, Path | None]] = []  # (target, backup of its old content)
    current = checked[0][0][0]
    done = False
    try:
        staged = []
        for (given, real, old), data in checked:
            current = given
            staged.append((given, real, _write_temp(real, data, old, temps)))
        # the main file last: until it is in place, everything can be taken back
        for n, (given, real, tmp) in enumerate(staged[1:] + staged[:1], start=1):
            current = given
            old = _check_target(given, force)[2]  # again: the folder may have changed
            last = n == len(staged)
            backup = _backup(real, temps) if old is not None and not last else None
            os.replace(tmp, real)
            temps.remove(tmp)
            placed.append((real, backup))
        done = True
    except BaseException as exc:
        for real, backup in reversed(placed):
            if not _take_back(real, backup) and backup is not None:
                temps.remove(backup)  # the old content is kept, under the backup's name
        for tmp in temps:
            _unlink_quietly(tmp)
        if isinstance(exc, OSError):  # disk full, no permission, ...: one line, no file
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise QualcodeError(
                _("could not be written ({reason}); nothing was written").format(reason=reason),
                file=str(current),
            ) from None
        raise
    finally:
        if done:
            for tmp in temps:  # the backups: the new files are in place
                _unlink_quietly(tmp)
    _sync_folders({real.parent for real, _ in placed})
    return [Path(given) for (given, _, _), _data in checked]


def _check_target(path: str | Path, force: bool) -> tuple[str | Path, Path, os.stat_result | None]:
    """(path as given, the file to write, its stat if it exists) or a QualcodeError."""
    text = os.fspath(path)
    if not text:
        raise QualcodeError(_("no file name given; give a file name"))
    separators = tuple(s for s in (os.sep, os.altsep) if s)
    if text.endswith(separators) or os.path.basename(text) in (".", ".."):
        raise QualcodeError(_("names a folder; give a file name"), file=text)
    real = Path(text)
    try:
        info = os.lstat(real)
        if stat.S_ISLNK(info.st_mode):
            real = Path(os.path.realpath(real))
            info = os.stat(real)
    except FileNotFoundError:
        if real != Path(text):
            raise QualcodeError(
                _("is a symbolic link to a file that does not exist; nothing was written"),
                file=text,
            ) from None
        info = None
    except NotADirectoryError:
        raise QualcodeError(_("its folder does not exist"), file=text) from None
    except OSError as exc:  # a link loop, no permission to look, a name too long, ...
        raise QualcodeError(
            _("cannot be used ({reason}); nothing was written").format(reason=exc.strerror or exc),
            file=text,
        ) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise QualcodeError(_("is a folder; give a file name"), file=text)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "")
            raise QualcodeError(_not_regular(kind, linked=real != Path(text)), file=text)
        if not force:
            raise QualcodeError(_("already exists; use --force to overwrite it"), file=text)
    elif not real.parent.is_dir():
        raise QualcodeError(_("its folder does not exist"), file=text)
    return path, real, info


def _not_regular(kind: str, *, linked: bool) -> str:
    """Why a target that is not a regular file is refused (``kind``: see _KINDS)."""
    what = {
        ("device", False): _("is a device"),
        ("pipe", False): _("is a named pipe"),
        ("socket", False): _("is a socket"),
        ("", False): _("is not a file"),
        ("device", True): _("is a symbolic link to a device"),
        ("pipe", True): _("is a symbolic link to a named pipe"),
        ("socket", True): _("is a symbolic link to a socket"),
        ("", True): _("is a symbolic link to something that is not a file"),
    }[kind, linked]
    return _(
        "{what}, not a regular file, and is never replaced; nothing was written (to "
        "write to a pipe or device, leave out -o and redirect standard output)"
    ).format(what=what)


def _temp_prefix(name: str) -> str:
    # the name is cut so that the temporary name stays within the usual 255-byte limit
    return "." + os.fsdecode(os.fsencode(name)[:200]) + _TEMP_TAG


def _temp_name(target: Path) -> Path:
    # os.urandom, as secrets.token_hex uses, without loading secrets (hashlib, random,
    # base64) for every command that only prints
    return target.with_name(f"{_temp_prefix(target.name)}{os.getpid()}-{os.urandom(4).hex()}.tmp")


def _write_temp(target: Path, data: bytes, old: os.stat_result | None, temps: list[Path]) -> Path:
    """``data`` in a new temporary file beside ``target``, flushed to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    # a new file: the mode any new file gets (0o666 less the umask); a replaced one: private
    # while it is written, then the old file's mode
    mode = 0o666 if old is None else 0o600
    while True:
        tmp = _temp_name(target)
        try:
            fd = os.open(tmp, flags, mode)
        except FileExistsError:
            continue
        break
    temps.append(tmp)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if old is not None:
        os.chmod(tmp, stat.S_IMODE(old.st_mode))
    return tmp


def _backup(target: Path, temps: list[Path]) -> Path:
    """A temporary second name for ``target``'s old content, to take a replace back."""
    while True:
        backup = _temp_name(target)
        try:
            os.link(target, backup)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: a copy
            import shutil

            temps.append(backup)
            shutil.copy2(target, backup)
            return backup
        temps.append(backup)
        return backup


def _take_back(target: Path, backup: Path | None) -> bool:
    """Remove a file placed by this call, or put its old content back; False if that
    failed (the error that got us here is the one to report)."""
    try:
        if backup is None:
            target.unlink(missing_ok=True)
        else:
            os.replace(backup, target)
    except OSError:
        return False
    return True


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _sync_folders(folders: set[Path]) -> None:
    """Flush the renames to disk too (where the system allows opening a folder)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            with contextlib.suppress(OSError):
                os.fsync(fd)
        finally:
            os.close(fd)


def _remove_leftovers(target: Path) -> None:
    """Remove temporary files of ``target`` that an earlier, killed run left behind: named
    as :func:`_temp_name` names them, regular files, and either their process is gone or
    they are more than a day old. Anything else is left alone; errors are ignored."""
    prefix = _temp_prefix(target.name)
    pattern = re.compile(re.escape(prefix) + r"([1-9][0-9]{0,9})-[0-9a-f]{8}\.tmp")
    folder = target.parent
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return
    now = time.time()
    for name in names:
        match = pattern.fullmatch(name)
        if not match:
            continue
        leftover = folder / name
        try:
            info = os.lstat(leftover)
            if not stat.S_ISREG(info.st_mode):
                continue
            if now - info.st_mtime < _LEFTOVER_AGE and _process_alive(int(match.group(1))):
                continue
            os.unlink(leftover)
        except OSError:
            continue


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill would end the process there: go by age alone
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # EPERM: alive, another user's
        return True
    return True


_DECIMAL = r"-?\d+\.\d+(?:[eE][-+]?\d+)?"  # compiled when first used, as above


def excel_da(data: bytes) -> bytes:
    """Plain CSV (comma, decimal point, UTF-8) as Danish Excel opens it by double-click:
    a BOM, semicolons, decimal commas in numbers, CRLF line ends. Text cells are kept as
    they are (a cell that is a number written with a point becomes one with a comma, as
    Excel would otherwise read "3.5" as a date)."""
    import csv

    text = data.decode("utf-8").removeprefix("\ufeff")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([c.replace(".", ",") if re.fullmatch(_DECIMAL, c) else c for c in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def format_from_path(
    path: str | Path | None, given: str | None, allowed: tuple[str, ...], default: str
) -> str:
    if given:
        return given
    if path is not None:
        suffix = Path(path).suffix.lower().lstrip(".")
        suffix = {"markdown": "md", "txt": "table"}.get(suffix, suffix)
        if suffix in allowed:
            return suffix
    return default


# -- counts ----------------------------------------------------------------------


def _table(counts: Counts) -> CountTable:
    """A question's counts as plain rows: the renderers below take a
    :class:`~qualcode.core.counts.CountTable` (what the CLI counts, without pandas) or
    the DataFrame of ``Project.counts`` (a notebook's, the workbench's) alike."""
    from qualcode.core.counts import CountTable

    return CountTable.of(counts)


def _has_published(table: CountTable) -> bool:
    return any(not is_missing(r["published"]) for r in table.rows)


def _published_year(table: CountTable) -> int | None:
    """The year of the report's figures: the first code's that has one."""
    years = [r["published_year"] for r in table.rows if not is_missing(r["published_year"])]
    return int(years[0]) if years else None


def _answered(table: CountTable) -> int:
    return int(table.rows[0]["answered"]) if table.rows else 0


def counts_table(frame: Counts, *, published: bool | None = None) -> str:
    """A plain-text table for the terminal."""
    table = _table(frame)
    attrs = table.attrs
    published = _has_published(table) if published is None else published
    answered = _answered(table)
    kind = attrs.get("kind", "open")
    title = attrs.get("title", "")
    noun = units(attrs)
    question = attrs.get("question", "")
    if kind == "interview":
        head = _("{question}: {title} ({n} interviewede {units})")
    else:
        head = _("{question}: {title} ({n} {units} har svaret)")
    lines = [one_line(head.format(question=question, title=title, n=answered, units=noun))]
    if attrs.get("basis_label"):
        lines.append(one_line(attrs["basis_label"]))
    header = [_("Tema"), units_title(attrs), _("Andel")]
    if kind == "interview":
        header.append(_("Omfang"))
    if published:
        year = _published_year(table)
        header.append(_("Rapport {year}").format(year=year) if year is not None else _("Rapport"))
    body = []
    for r in table.rows:
        row = [
            "  " * int(r["depth"]) + r["label"],
            _("{n} af {base}").format(n=r["respondents"], base=r["answered"]),
            percent(r["percent"]),
        ]
        if kind == "interview":
            row.append(scale(int(r["respondents"])))
        if published:
            row.append(
                ""
                if is_missing(r["published"])
                else _("{n} af {base}").format(n=r["published"], base=r["published_base"])
            )
        body.append(row)
    columns = [Column(header[0], max_width=70)] + [Column(h, right=True) for h in header[1:]]
    lines += table_lines(columns, body)
    return "\n".join(lines) + "\n"


def counts_csv(frame: Counts | list[Counts]) -> bytes:
    """The counts of one question, or of several one after another, as CSV."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for table in map(_table, frame if isinstance(frame, list) else [frame]):
        for r in table.rows:
            writer.writerow([safe_cell("" if is_missing(r[c]) else r[c]) for c in CSV_COLUMNS])
    return buf.getvalue().encode("utf-8")


def md_cell(text: object) -> str:
    """A Markdown table cell or heading: '|' escaped, on one line, control characters
    as symbols."""
    return visible(str(text).replace("|", "\\|").replace("\n", " "))


def counts_markdown(frames: list[Counts], *, published: bool | None = None) -> str:
    """The report's layout: theme, essence, 'Anført af N ud af M jobcentre' (the
    project's noun)."""
    parts = []
    for table in map(_table, frames):
        attrs = table.attrs
        show_pub = _has_published(table) if published is None else published
        kind = attrs.get("kind", "open")
        parts.append(f"### {attrs.get('title', '')}\n")
        q = attrs.get("question_text") or attrs.get("question", "")
        asked = _("Spørgsmål: {text} ({id})").format(
            text=md_cell(q), id=f"`{attrs.get('question', '')}`"
        )
        parts.append(f"{asked}\n")
        if attrs.get("basis_label"):
            parts.append(f"{md_cell(attrs['basis_label'])}\n")
        noun = units(attrs)
        head = theme_heads(table)
        if show_pub:
            year = _published_year(table)
            head.append(
                _("Rapporten {year}").format(year=year) if year is not None else _("Rapporten")
            )
        parts.append("| " + " | ".join(head) + " |")
        parts.append(
            "|" + "|".join(["---", "---", "---", "---:"] + (["---"] if show_pub else [])) + "|"
        )
        for r in table.rows:
            label = ("&nbsp;&nbsp;" * int(r["depth"])) + md_cell(r["label"])
            said = mentioned(kind, int(r["respondents"]), int(r["answered"]), noun)
            cells = [label, md_cell(r["definition"]), said, percent(r["percent"], 0)]
            if show_pub:
                cells.append(
                    ""
                    if is_missing(r["published"])
                    else mentioned("open", r["published"], r["published_base"], noun)
                )
            parts.append("| " + " | ".join(cells) + " |")
        if kind == "interview":
            parts.append(f"\n{scale_note(attrs)}")
        source = attrs.get("published_source")
        if show_pub and source:
            parts.append("\n" + _("Rapportens tal: {source}.").format(source=source))
        parts.append("")
    return visible("\n".join(parts))


_BEFORE_MENTIONED = ("question", "code", "label", "respondents", "answered", "percent")


def theme_heads(frame: Counts) -> list[str]:
    """The counts' column headings in the report's layout, in the project's noun: Tema,
    Essensen af temaet, Antal jobcentre der nævner temaet, Andel."""
    return [
        _("Tema"),
        _("Essensen af temaet"),
        _("Antal {units} der nævner temaet").format(units=units(frame.attrs)),
        _("Andel"),
    ]


def counts_json(frames: list[Counts]) -> bytes:
    import json  # here, not at the top: only this format needs it

    out = []
    for table in map(_table, frames):
        attrs = table.attrs
        kind, noun = attrs.get("kind", "open"), units(attrs)
        # the report's words after the percent, where JSON has always had them
        records = [
            {
                **{k: v for k, v in rec.items() if k in _BEFORE_MENTIONED},
                "mentioned": mentioned(kind, rec["respondents"], rec["answered"], noun),
                **{k: v for k, v in rec.items() if k not in _BEFORE_MENTIONED},
            }
            for rec in table.rows
        ]
        out.append(
            {
                "question": attrs.get("question"),
                "codebook": attrs.get("codebook"),
                "title": attrs.get("title"),
                "basis": attrs.get("basis") or "*",
                "coders": attrs.get("coders", []),
                "answered": _answered(table),
                "codes": records,
            }
        )
    return (
        json.dumps(out if len(out) != 1 else out[0], ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")


def counts_xlsx(frames: list[Counts], *, published: bool | None = None) -> bytes:
    """One sheet per question, numbers as numbers, column widths set."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for table in map(_table, frames):
        attrs = table.attrs
        show_pub = _has_published(table) if published is None else published
        ws = wb.create_sheet(sheet_name(attrs.get("question") or "", wb.sheetnames))
        ws.append(
            [
                xlsx_cell(attrs.get("title", "")),
                "",
                xlsx_cell(attrs.get("basis_label", "")),
            ]
        )
        ws["A1"].font = Font(bold=True, size=12)
        noun = units(attrs)
        head = [*theme_heads(table)[:3], units_title(attrs), _("Besvaret"), _("Andel (%)")]
        if show_pub:
            report = _("Rapporten")
            head += [
                f"{report}: {noun}",
                _("{report}: besvaret").format(report=report),
                _("{report}: andel (%)").format(report=report),
            ]
        ws.append(head)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        kind = attrs.get("kind", "open")
        for r in table.rows:
            row = [
                xlsx_cell(("  " * int(r["depth"])) + r["label"]),
                xlsx_cell(r["definition"]),
                xlsx_cell(mentioned(kind, int(r["respondents"]), int(r["answered"]), noun)),
                int(r["respondents"]),
                int(r["answered"]),
                None if is_missing(r["percent"]) else float(r["percent"]),
            ]
            if show_pub:
                row += [
                    None if is_missing(r["published"]) else int(r["published"]),
                    None if is_missing(r["published_base"]) else int(r["published_base"]),
                    None if is_missing(r["published_percent"]) else float(r["published_percent"]),
                ]
            ws.append(row)
        for row in ws.iter_rows(min_row=3):
            row[1].alignment = Alignment(wrap_text=True, vertical="top")
            row[5].number_format = "0.0"
            if show_pub:
                row[8].number_format = "0.0"
        for letter, width in zip("ABCDEFGHI", (48, 60, 36, 11, 11, 11, 20, 20, 20), strict=False):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A3"
    return workbook_bytes(wb)


def sheet_name(name: str, taken: list[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" or not ch.isprintable() else ch for ch in name)[
        :31
    ] or _("ark")
    candidate, n = clean, 2
    while candidate in taken:
        candidate = f"{clean[:28]}-{n}"
        n += 1
    return candidate


def render_counts(frames: list[Counts], fmt: str, *, published: bool | None = None) -> bytes:
    """The counts of one or more questions (CountTables or DataFrames, see
    :func:`_table`) in ``fmt``; only XLSX loads a library for it."""
    if fmt == "table":
        return "\n".join(counts_table(f, published=published) for f in frames).encode("utf-8")
    if fmt == "csv":
        return counts_csv(list(frames))
    if fmt == "md":
        return counts_markdown(frames, published=published).encode("utf-8")
    if fmt == "json":
        return counts_json(frames)
    if fmt == "xlsx":
        return counts_xlsx(frames, published=published)
    raise QualcodeError(
        _("unknown format '{format}' (use {formats})").format(
            format=fmt, formats=", ".join(COUNT_FORMATS)
        )
    )


# -- quotes ----------------------------------------------------------------------


def quotes_markdown(quotes: list[Quote], *, attribute: str = "role") -> str:
    """The quotes under their theme, as the report prints them, attributed as
    ``attribute`` says (:mod:`qualcode.io.quoting`: by role, survey answers anonymous, by
    default; ``respondent`` adds the source line); control characters in the text as
    visible symbols."""
    from qualcode.io.quoting import check_attribute, quote_line, source

    check_attribute(attribute)
    parts: list[str] = []
    current = None
    for q in quotes:
        if q.label != current:
            parts.append(f"## {q.label}\n")
            current = q.label
        parts.append(quote_line(q, attribute))
        if where := source(q, attribute):
            parts.append(f"*({where})*")
        parts.append("")
    return visible("\n".join(parts) + ("\n" if parts else ""))


QUOTE_CSV_COLUMNS = [
    "code",
    "label",
    "question",
    "respondent",
    "name",
    "role",
    "text",
    "item",
    "start",
    "end",
    "coder",
    "formatted",
]


def quotes_csv(quotes: list[Quote]) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(QUOTE_CSV_COLUMNS)
    for q in quotes:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    q.code,
                    q.label,
                    q.question,
                    q.respondent,
                    q.respondent_name,
                    q.role,
                    q.text,
                    q.item_number,
                    "" if q.start is None else q.start,
                    "" if q.end is None else q.end,
                    q.coder,
                    q.formatted(),
                )
            ]
        )
    return buf.getvalue().encode("utf-8")
