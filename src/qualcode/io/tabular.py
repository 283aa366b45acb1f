"""Reading the tables analysts get from SurveyXact and Excel: CSV and XLSX.

CSV may be comma-, semicolon- or tab-separated, and UTF-8, UTF-8 with BOM or
Windows-1252 (Danish Excel's "CSV (semikolonsepareret)"). Every error names the
file, the spreadsheet row (the header is row 1) and the column.
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from pathlib import Path

from qualcode.errors import ImportError_

MAX_CELL_CHARS = 1_000_000  # an open answer longer than this is a broken export
MAX_FILE_BYTES = 500 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
# control characters other than tab and line breaks: a text file holds few of them
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20)])
# UTF-8 encodings of letters Danish text uses: æøåÆØÅé and the dashes/quotes Word inserts
_UTF8_DANISH = re.compile(rb"\xc3[\xa5\xa6\xb8\x85\x86\x98\xa9]|\xe2\x80[\x93\x94\x9c\x9d\xa6]")


@dataclass
class Table:
    file: str
    headers: list[str]
    # each row's cells, one per header in the headers' order, and its spreadsheet row number
    # (two lists: a tuple per row would be one more object per row for the garbage collector)
    records: list[list[str]]
    numbers: list[int]
    sha256: str
    encoding: str = ""
    delimiter: str = ""

    @cached_property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, cells by header). Importers read :attr:`records` by
        position instead: a dict per row is slow on 100,000 rows."""
        return [(number, dict(zip(self.headers, cells, strict=True)))
                for number, cells in zip(self.numbers, self.records, strict=True)]

    def require(self, column: str, option: str = "") -> str:
        """The header matching ``column`` (exactly, else case-insensitively)."""
        if column in self.headers:
            return column
        folded = [h for h in self.headers if h.casefold() == column.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        hint = f" (given with {option})" if option else ""
        raise ImportError_(f"no column '{column}'{hint}; the columns are: "
                           f"{', '.join(repr(h) for h in self.headers)}", file=self.file)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import builds its rows.

    Reading 150,000 rows allocates a list and an object per row; none of them form
    reference cycles, but the collector, run every 700 allocations, walks every row read so
    far again and again: that took more time than parsing (0.8 s of 1.3 s for 150,000
    codings). Memory is still freed by reference counting meanwhile.

    What was built and is still alive at the end (the rows just read) lives on: it goes
    to the oldest generation at once (``gc.freeze()`` then ``gc.unfreeze()``) instead of
    being walked by the next young collection (another 85 ms for 150,000 codings). That
    is skipped when something is frozen already (the TUI freezes its loaded screens), as
    unfreezing would unfreeze that too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file into a :class:`Table`, or fail with a one-line error."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ImportError_("no such file", file=name)
    if path.is_dir():
        raise ImportError_("is a folder, not a file", file=name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportError_(f"file is {size // 2**20} MB; the limit is "
                           f"{MAX_FILE_BYTES // 2**20} MB", file=name)
    data = path.read_bytes()
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        raise ImportError_("file is empty", file=name)
    digest = sha256_of(data)
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        with gc_paused():
            return _read_xlsx(data, name, digest, sheet)
    if path.suffix.lower() == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportError_("old Excel .xls files are not supported; save as .xlsx or CSV",
                           file=name)
    with gc_paused():
        return _read_csv(data, name, digest)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or Windows-1252; refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" and Notepad's "Unicode": say so, not "a binary file"
        raise ImportError_("is UTF-16 text; save it as UTF-8 (or, for a table, as CSV UTF-8 "
                           "or CSV (semikolonsepareret))", file=name)
    if b"\x00" in data:
        raise ImportError_("looks like a binary file (it holds NUL bytes), not CSV or text",
                           file=name)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ImportError_(f"starts as UTF-8 but byte {exc.start + 3} is not UTF-8",
                               file=name) from None
    try:
        # a Windows-1252 file fails in its first lines: try those before decoding it all
        # (an incomplete character at the cut is not an error, as final=False)
        codecs.utf_8_decode(data[:65536], "strict", False)
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    # (single-byte `in` tests first, in C: a Windows-1252 file rarely holds Ã or â)
    if (b"\xc3" in data or b"\xe2" in data) and _UTF8_DANISH.search(data):
        # valid UTF-8 letters (æ, ø, å, –, …) next to bytes that are not: decoding all of it
        # as Windows-1252 would silently garble every Danish letter
        raise ImportError_(f"mixes UTF-8 with another encoding (byte {bad} is not UTF-8); "
                           "save the file again as UTF-8 or as Windows-1252", file=name)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportError_(f"neither UTF-8 nor Windows-1252 text (byte {exc.start}); "
                           "is it a binary file?", file=name) from None
    # Windows-1252 is one byte per character and keeps bytes 0x00-0x1f as those characters,
    # so the control characters of the text are counted in the bytes, in C
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(text) // 100):
        raise ImportError_("looks like a binary file, not CSV or text", file=name)
    return text, "cp1252"


# the first line as str.splitlines() sees it, with its line break (without splitting it all)
_FIRST_LINE = re.compile(r"([^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*)"
                         r"(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])?")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delim: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n


def _read_csv(data: bytes, name: str, digest: str) -> Table:
    text, encoding = decode_text(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    first = _FIRST_LINE.match(text)
    first_line = first[1]
    if first_line.lower().startswith("sep=") and len(first_line) in (5, 6):
        # Excel's "sep=;" hint line (ended by CRLF, LF or a Mac's lone CR)
        delimiter = first_line[4:5] or ","
        text = text[first.end():]
    else:
        delimiter = sniff_delimiter(first_line)
    old_limit = csv.field_size_limit()
    try:
        # First with the cell limit as the csv module's field limit: then no cell needs its
        # length checked. A file that breaks it (or any csv rule) is read again with a
        # higher limit, and the cell or the row at fault is named.
        csv.field_size_limit(MAX_CELL_CHARS)
        try:
            records = list(csv.reader(_lines(text), delimiter=delimiter, strict=False))
            checked = True
        except csv.Error:
            csv.field_size_limit(max(old_limit, MAX_CELL_CHARS * 20))
            reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)
            records = []
            try:
                records.extend(reader)  # the rows read before an error stay in the list
            except csv.Error as exc:
                raise ImportError_(f"unreadable CSV ({exc})", file=name,
                                   row=len(records) + 1) from None
            checked = False
    finally:
        csv.field_size_limit(old_limit)
    return _to_table(records, name, digest, encoding=encoding, delimiter=delimiter,
                     cells_checked=checked)


def _lines(text: str) -> list[str] | io.StringIO:
    """The text's lines with their line breaks, as ``io.StringIO(text, newline="")`` gives
    them to the csv module (a line ends at CRLF, LF or a lone CR).

    Without a lone CR that is a split at each LF, which is a third faster than iterating
    a StringIO (the csv module's input is then a plain list); with one, the StringIO.
    """
    lines = text.split("\n")
    last = lines.pop()  # after the final LF: "" (no line), else a last line without a break
    # each CRLF left a line ending in CR; any other CR is a lone one
    if text.count("\r") != sum(map(str.endswith, lines, repeat("\r"))):
        return io.StringIO(text, newline="")
    lines = [line + "\n" for line in lines]
    if last:
        lines.append(last)
    return lines


def _read_xlsx(data: bytes, name: str, digest: str, sheet: str | None) -> Table:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a declared dependency
        raise ImportError_("reading XLSX needs openpyxl", file=name) from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ImportError_(f"not a readable XLSX file (truncated or damaged: {exc})",
                           file=name) from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise ImportError_(f"not a readable XLSX file ({type(exc).__name__})",
                           file=name) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise ImportError_(f"no sheet '{sheet}' (sheets: {', '.join(wb.sheetnames)})",
                                   file=name)
            ws = wb[sheet]
        elif wb.worksheets:
            ws = wb.worksheets[0]
        else:
            raise ImportError_("the workbook has no worksheet", file=name)
        records = []
        try:
            for row in ws.iter_rows(values_only=True):
                records.append(["" if v is None else _cell_text(v) for v in row])
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise ImportError_(f"not a readable XLSX file (truncated or damaged: {exc})",
                               file=name) from None
        except Exception as exc:  # a damaged sheet: XML ParseError, TypeError, ...
            raise ImportError_(f"not a readable XLSX file (damaged sheet: "
                               f"{type(exc).__name__})", file=name) from None
    finally:
        wb.close()
    return _to_table(records, name, digest, encoding="xlsx")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_table(records: list[list[str]], name: str, digest: str, *, encoding: str,
              delimiter: str = "", cells_checked: bool = False) -> Table:
    """The header and the rows; ``cells_checked``: no cell is over MAX_CELL_CHARS."""
    kept = [n for n, r in enumerate(records, start=1) if any(map(str.strip, r))]
    if not kept:
        raise ImportError_("file is empty (no header row)", file=name)
    header_row = kept[0]
    header = records[header_row - 1]
    headers = [h.strip() for h in header]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        raise ImportError_("the header row is empty", file=name, row=1)
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        if not h:
            raise ImportError_(f"column {i} has no name in the header", file=name,
                               row=header_row)
        if h in seen:
            raise ImportError_(f"column name '{h}' appears twice in the header", file=name,
                               row=header_row)
        seen[h] = i
    width = len(headers)
    rows: list[list[str]] = []
    for number in kept[1:]:
        record = records[number - 1]
        fields = len(record)
        if fields > width:
            if any(map(str.strip, record[width:])):
                raise ImportError_(f"has {fields} fields but the header has "
                                   f"{width} (a stray delimiter or quote?)",
                                   file=name, row=number)
            record = record[:width]
        if not cells_checked and max(map(len, record), default=0) > MAX_CELL_CHARS:
            column, cell = next((h, c) for h, c in zip(headers, record, strict=False)
                                if len(c) > MAX_CELL_CHARS)
            raise ImportError_(f"cell is {len(cell):,} characters; the limit is "
                               f"{MAX_CELL_CHARS:,}", file=name, row=number, column=column)
        if fields < width:  # short rows: trailing empty cells left out
            record = record + [""] * (width - fields)
        rows.append(record)
    if not rows:
        raise ImportError_("the file has a header row but no rows below it", file=name,
                           row=header_row)
    return Table(file=name, headers=headers, records=rows, numbers=kept[1:], sha256=digest,
                 encoding=encoding, delimiter=delimiter)
