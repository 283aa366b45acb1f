"""Reading the tables analysts get from SurveyXact and Excel: CSV and XLSX.

CSV may be comma-, semicolon- or tab-separated, and UTF-8, UTF-8 with BOM or
Windows-1252 (Danish Excel's "CSV (semikolonsepareret)"); UTF-16 without a byte order
mark and Mac Roman are recognised and refused with a hint. Every error names the file,
the spreadsheet row (the header is row 1) and the column, or the cell.

An XLSX sheet is streamed from its XML: every row it holds, whatever its <dimension>
says, and no row built wider than the header. A formula without a saved result or a
merged range holding a value is refused by cell; without a sheet name the first visible
sheet is read. What a read skips or should be checked (blank rows, the sheet read) is in
:attr:`Table.notes`. Helpers at the end serve all importers: NFC for ids, look-alike ids,
texts holding control characters.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path

from qualcode.core.checks import gc_paused, nfc, nfc_all, rows_listed
from qualcode.errors import ImportError_
from qualcode.i18n import translator
from qualcode.io.archive import check_zip
from qualcode.io.fmt import integer
from qualcode.safe import one_line

_, _n = translator("io")

MAX_CELL_CHARS = 1_000_000  # an open answer longer than this is a broken export
MAX_FILE_BYTES = 500 * 1024 * 1024
# rows x columns of a table, checked before short rows are padded to the header's
# width: a 2 MB file of 16,384 column names and a million one-cell rows would
# otherwise become 16 billion cells
MAX_TABLE_CELLS = 30_000_000
DELIMITERS = (";", ",", "\t")
# control characters other than tab and line breaks: a text file holds few of them
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
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
    # what reading the file skipped or should be checked, one line each (ImportSummary.notes)
    notes: list[str] = field(default_factory=list)
    # how many values of each kind were stored in NFC ("column names": 2); see nfc_note()
    normalized: dict[str, int] = field(default_factory=dict)
    # True when the reader saw, in C, that no cell holds a control character other than
    # tab and line breaks: the importers need not look for them (items_with_controls)
    no_controls: bool = False

    @cached_property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, cells by header). Importers read :attr:`records` by
        position instead: a dict per row is slow on 100,000 rows."""
        return [
            (number, dict(zip(self.headers, cells, strict=True)))
            for number, cells in zip(self.numbers, self.records, strict=True)
        ]

    def require(self, column: str, option: str = "") -> str:
        """The header matching ``column`` (exactly, else case-insensitively)."""
        if column in self.headers:
            return column
        column = nfc(column)
        if column in self.headers:
            return column
        folded = [h for h in self.headers if h.casefold() == column.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        columns = ", ".join(repr(h) for h in self.headers)
        if option:
            message = _("no column '{column}' (given with {option}); the columns are: {columns}")
        else:
            message = _("no column '{column}'; the columns are: {columns}")
        raise ImportError_(
            message.format(column=column, option=option, columns=columns), file=self.file
        )


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file into a :class:`Table`, or fail with a one-line error."""
    data, name, digest, xlsx = _load(path)
    with gc_paused():
        if xlsx:
            return _read_xlsx(data, name, digest, sheet)
        return _read_csv(data, name, digest)


def _load(path: str | Path) -> tuple[bytes, str, str, bool]:
    """The file's bytes, its name, their SHA-256 and whether it is an XLSX file; the errors
    of a file that is no table (missing, a folder, too large, empty, an old .xls)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ImportError_(_("no such file"), file=name)
    if path.is_dir():
        raise ImportError_(_("is a folder, not a file"), file=name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportError_(too_large(size, MAX_FILE_BYTES), file=name)
    data = path.read_bytes()
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        raise ImportError_(_("file is empty"), file=name)
    digest = sha256_of(data)
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return data, name, digest, True
    if path.suffix.lower() == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportError_(
            _("old Excel .xls files are not supported; save as .xlsx or CSV"), file=name
        )
    return data, name, digest, False


@dataclass
class TableStream:
    """A table read row by row (:func:`stream_table`): the header and the first row are
    read and checked at once, the rest as :attr:`rows` is iterated, with every check of
    :func:`read_table` (an error names the file, row and column when the row is reached).

    :attr:`notes` is complete once :attr:`rows` is exhausted (the blank rows are noted at
    the end)."""

    file: str
    headers: list[str]
    # (spreadsheet row number, cells one per header), as read
    rows: Iterator[tuple[int, list[str]]]
    sha256: str
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    normalized: dict[str, int] = field(default_factory=dict)
    no_controls: bool = False
    expected: int = 0  # at most this many rows (for progress); the count when known

    def require(self, column: str, option: str = "") -> str:
        return Table.require(self, column, option)  # type: ignore[arg-type]


def stream_table(path: str | Path, *, sheet: str | None = None) -> TableStream:
    """Read a CSV file row by row as it is decoded (the whole decoded text and its rows are
    never held at once); an XLSX file is read whole (its sheet is streamed from the XML
    already) and handed out the same way. The same rows, notes and errors as
    :func:`read_table`; only when they come differs."""
    data, name, digest, xlsx = _load(path)
    if xlsx:
        with gc_paused():
            return _as_stream(_read_xlsx(data, name, digest, sheet))
    encoding, no_controls = _encoding_of(data, name)
    # every record ends at a line break (a CRLF is one) or at the end of the file, so
    # there are no more records than lines: at most LF + CR, counted exactly only when
    # that could pass MAX_TABLE_CELLS (a table that may is read whole, which names its
    # size); the larger of the two is the lines of a file with one kind of break (the
    # estimate for progress)
    lf = data.count(b"\n")
    cr = data.count(b"\r") if b"\r" in data else 0
    last = 0 if data.endswith((b"\n", b"\r")) else 1  # the last line, without a break

    def line_count() -> int:
        return lf + cr - (data.count(b"\r\n") if lf and cr else 0) + last

    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    first = text.readline()
    if first.startswith("\ufeff"):
        first = first[1:]
    delimiter, hint = delimiter_of(first)
    first = first[hint:]
    lines = itertools.chain([first] if first else [], text)
    records = _csv_records(lines, delimiter, data, name, digest)
    stream = _stream_rows(
        records,
        name,
        digest,
        (lf + cr + last, line_count, max(lf, cr) + last),
        encoding=encoding,
        delimiter=delimiter,
    )
    if stream is None:  # possibly over MAX_TABLE_CELLS: read whole, for the exact error
        with gc_paused():
            return _as_stream(_read_csv(data, name, digest))
    stream.no_controls = no_controls
    return stream


def _as_stream(table: Table) -> TableStream:
    return TableStream(
        file=table.file,
        headers=table.headers,
        rows=zip(table.numbers, table.records, strict=True),
        sha256=table.sha256,
        encoding=table.encoding,
        delimiter=table.delimiter,
        notes=table.notes,
        normalized=table.normalized,
        no_controls=table.no_controls,
        expected=len(table.records),
    )


def header_names(header: list[str], name: str, header_row: int) -> tuple[list[str], int]:
    """The header row's column names: trimmed, without empty ones at its end, in NFC (and
    how many were not). An empty header, a column without a name or a name twice is
    refused, naming the file and the row. The whole-file and the streamed reading share
    it."""
    headers = [h.strip() for h in header]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        raise ImportError_(_("the header row is empty"), file=name, row=1)
    headers, renamed = nfc_all(headers)
    seen: set[str] = set()
    for i, h in enumerate(headers, start=1):
        if not h:
            raise ImportError_(
                _("column {n} has no name in the header").format(n=i), file=name, row=header_row
            )
        if h in seen:
            raise ImportError_(
                _("column name '{name}' appears twice in the header").format(name=h),
                file=name,
                row=header_row,
            )
        seen.add(h)
    return headers, renamed


def delimiter_of(text: str) -> tuple[str, int]:
    """The delimiter of a CSV text from its first line, and how many characters of the text
    are Excel's "sep=;" hint line (ended by CRLF, LF or a Mac's lone CR), 0 if there is
    none: the hint names the delimiter, else it is sniffed."""
    line = _FIRST_LINE.match(text)
    assert line is not None  # the pattern matches any text, the empty one too
    first_line = line[1]
    if first_line.lower().startswith("sep=") and len(first_line) in (5, 6):
        return first_line[4:5] or ",", line.end()
    return sniff_delimiter(first_line), 0


def _csv_records(
    lines: Iterator[str], delimiter: str, data: bytes, name: str, digest: str
) -> Iterator[list[str]]:
    """The records, with the cell limit as the csv module's field limit (as
    :func:`_read_csv` reads them first); a file that breaks it or any csv rule is read
    again whole by :func:`_read_csv`, which names the cell or the row at fault."""
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    while True:
        old_limit = csv.field_size_limit(MAX_CELL_CHARS)
        try:
            # a few rows at a time under the limit: it is the module's, not the reader's
            batch = list(itertools.islice(reader, 64))
        except csv.Error as exc:
            csv.field_size_limit(old_limit)
            _read_csv(data, name, digest)  # raises the error that names the row
            raise ImportError_(
                _("unreadable CSV ({reason})").format(reason=exc), file=name
            ) from None
        finally:
            csv.field_size_limit(old_limit)
        if not batch:
            return
        yield from batch


@dataclass
class _Skipped:
    count: int
    first: list[int]


def _stream_rows(
    records: Iterator[list[str]],
    name: str,
    digest: str,
    lines: tuple[int, Callable[[], int], int],
    *,
    encoding: str,
    delimiter: str,
) -> TableStream | None:
    """:func:`_to_table` for records read one by one (cells are within MAX_CELL_CHARS, the
    csv module's limit): the header and the first row now, the others as they are
    iterated. ``lines``: no fewer than the records, a function counting them more closely
    (still no fewer), and an estimate. None when there could be more records than
    MAX_TABLE_CELLS allows."""
    most, closer, estimate = lines
    numbered = enumerate(records, start=1)
    header: list[str] | None = None
    header_row = 0
    for number, record in numbered:
        if any(map(str.strip, record)):
            header, header_row = record, number
            break
    if header is None:
        raise ImportError_(_("file is empty (no header row)"), file=name)
    headers, renamed = header_names(header, name, header_row)
    width = len(headers)
    if (most - 1) * width > MAX_TABLE_CELLS and (closer() - 1) * width > MAX_TABLE_CELLS:
        return None
    # blank rows between kept rows (those before the header too, not those at the end):
    # how many, and the first five
    skipped = _Skipped(header_row - 1, list(range(1, min(header_row, 6))))
    pending: list[int] = []  # blank rows since the last row kept
    notes: list[str] = []

    def kept() -> Iterator[tuple[int, list[str]]]:
        for number, record in numbered:
            if not any(map(str.strip, record)):
                pending.append(number)
                continue
            if pending:
                skipped.count += len(pending)
                skipped.first.extend(pending[: 5 - len(skipped.first)])
                pending.clear()
            fields = len(record)
            if fields > width:
                if any(map(str.strip, record[width:])):
                    raise ImportError_(
                        _(
                            "has {n} fields but the header has {width} (a stray delimiter or "
                            "quote?)"
                        ).format(n=fields, width=width),
                        file=name,
                        row=number,
                    )
                record = record[:width]
            elif fields < width:  # short rows: trailing empty cells left out
                record = record + [""] * (width - fields)
            yield number, record

    rows = kept()
    first_row = next(rows, None)
    if first_row is None:
        raise ImportError_(
            _("the file has a header row but no rows below it"), file=name, row=header_row
        )

    def everything() -> Iterator[tuple[int, list[str]]]:
        yield first_row
        yield from rows
        if skipped.count:
            notes.append(
                _n(
                    "skipped: {n} blank row ({rows})",
                    "skipped: {n} blank rows ({rows})",
                    skipped.count,
                ).format(n=integer(skipped.count), rows=rows_listed(skipped.first, skipped.count))
            )

    stream = TableStream(
        file=name,
        headers=headers,
        rows=everything(),
        sha256=digest,
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
        expected=max(1, estimate - header_row),
    )
    if renamed:
        stream.normalized["column names"] = renamed
    return stream


def too_large(size: int, limit: int) -> str:
    """'file is 600 MB; the limit is 500 MB'."""
    return _("file is {size} MB; the limit is {limit} MB").format(
        size=integer(size // 2**20), limit=integer(limit // 2**20)
    )


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or Windows-1252; refuse binary data, and
    text that only decodes to the wrong letters (UTF-16 without a BOM, Mac Roman)."""
    text, encoding, _clean = _decode(data, name)
    return text, encoding


def _no_controls(data: bytes) -> bool:
    """Do UTF-8 bytes hold no control character but tab and line breaks (C0, DEL, C1)?
    In C: a byte translation (about 1 ns a byte), then memchr and a prefixed search."""
    return (
        len(data.translate(None, _CONTROL_BYTES)) == len(data)
        and b"\x7f" not in data
        and not (b"\xc2" in data and _UTF8_C1.search(data))
    )


_UTF8_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _decode(data: bytes, name: str) -> tuple[str, str, bool]:
    """:func:`decode_text`, and whether the text is known to hold no control characters
    other than tab and line breaks (see :attr:`Table.no_controls`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" and Notepad's "Unicode": say so, not "a binary file"
        raise ImportError_(
            _(
                "is UTF-16 text; save it as UTF-8 (or, for a table, as CSV UTF-8 or CSV "
                "(semikolonsepareret))"
            ),
            file=name,
        )
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16:
            raise ImportError_(
                _(
                    "is {encoding} text without a byte order mark (every other byte is NUL); "
                    "save it as UTF-8 (or, for a table, as CSV UTF-8 or CSV "
                    "(semikolonsepareret))"
                ).format(encoding=utf16),
                file=name,
            )
        raise ImportError_(
            _("looks like a binary file (it holds NUL bytes), not CSV or text"), file=name
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", _no_controls(data)
        except UnicodeDecodeError as exc:
            raise ImportError_(
                _("starts as UTF-8 but byte {n} is not UTF-8").format(n=exc.start + 3),
                file=name,
            ) from None
    try:
        # a Windows-1252 file fails in its first lines: try those before decoding it all
        # (an incomplete character at the cut is not an error, as final=False)
        codecs.utf_8_decode(data[:65536], "strict", False)
        return data.decode("utf-8"), "utf-8", _no_controls(data)
    except UnicodeDecodeError as exc:
        bad = exc.start
    # (single-byte `in` tests first, in C: a Windows-1252 file rarely holds Ã or â)
    if (b"\xc3" in data or b"\xe2" in data) and _UTF8_DANISH.search(data):
        # valid UTF-8 letters (æ, ø, å, –, …) next to bytes that are not: decoding all of it
        # as Windows-1252 would silently garble every Danish letter
        raise ImportError_(
            _(
                "mixes UTF-8 with another encoding (byte {n} is not UTF-8); save the file "
                "again as UTF-8 or as Windows-1252"
            ).format(n=bad),
            file=name,
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        if any(letter in data.decode("mac_roman") for letter in "æøåÆØÅ"):
            # Å is byte 0x81 on a Mac, a byte Windows-1252 leaves undefined
            raise ImportError_(
                _("byte {n} is neither UTF-8 nor Windows-1252; {hint}").format(
                    n=exc.start, hint=_mac_hint()
                ),
                file=name,
            ) from None
        raise ImportError_(
            _("neither UTF-8 nor Windows-1252 text (byte {n}); is it a binary file?").format(
                n=exc.start
            ),
            file=name,
        ) from None
    # Windows-1252 is one byte per character and keeps bytes 0x00-0x1f as those characters,
    # so the control characters of the text are counted in the bytes, in C
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(text) // 100):
        raise ImportError_(_("looks like a binary file, not CSV or text"), file=name)
    # memchr, in C: real Windows-1252 Danish holds æ, ø or å early on (a Mac Roman file
    # reads those bytes as 'Ê', '¯' and 'Â'), and the bytes of 'Œ¾¿¯Ž' hardly ever
    if not (b"\xe6" in data or b"\xf8" in data or b"\xe5" in data) and any(
        byte in data for byte in _MAC_ROMAN_BYTES
    ):
        match = _MAC_ROMAN.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            if "\n" not in text:
                line = text.count("\r", 0, match.start()) + 1
            word = _word_at(text, match.start())
            raise ImportError_(
                _(
                    "line {line} reads '{word}' as Windows-1252, which is how Danish letters "
                    "saved on a Mac look; {hint}"
                ).format(line=line, word=word, hint=_mac_hint()),
                file=name,
            )
    # (Windows-1252 has no C1 controls: Python refuses its five undefined bytes)
    return text, "cp1252", not controls and b"\x7f" not in data


# bytes Windows-1252 leaves undefined (Python's codec refuses them)
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_CHUNK = 1 << 20


def _encoding_of(data: bytes, name: str) -> tuple[str, bool]:
    """:func:`_decode`'s encoding and whether the text holds no control characters, for
    decoding as the file is read: the common cases are checked on the bytes and in chunks,
    without holding the whole decoded text; every other case (and every error) is
    :func:`_decode`'s."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        pass  # refused by _decode
    elif data.startswith(b"\xef\xbb\xbf"):
        if _is_utf8(data, 3):
            return "utf-8-sig", _no_controls_in_chunks(data)
    else:
        try:
            codecs.utf_8_decode(data[:65536], "strict", False)
            starts_utf8 = True
        except UnicodeDecodeError:
            starts_utf8 = False
        if starts_utf8 and _is_utf8(data, 0):
            return "utf-8", _no_controls_in_chunks(data)
        if not starts_utf8:
            controls = _controls(data)
            if (
                not ((b"\xc3" in data or b"\xe2" in data) and _UTF8_DANISH.search(data))
                and not any(byte in data for byte in _CP1252_UNDEFINED)
                and controls <= max(8, len(data) // 100)
                and (
                    b"\xe6" in data
                    or b"\xf8" in data
                    or b"\xe5" in data
                    or not any(byte in data for byte in _MAC_ROMAN_BYTES)
                )
            ):
                return "cp1252", not controls and b"\x7f" not in data
    _text, encoding, no_controls = _decode(data, name)
    return encoding, no_controls


def _chunks(data: bytes) -> Iterator[bytes]:
    """The bytes a megabyte at a time (copied one at a time: a translation of the whole
    file would be a copy of the whole file)."""
    for at in range(0, len(data), _CHUNK):
        yield data[at : at + _CHUNK]


def _controls(data: bytes) -> int:
    """How many bytes are control characters other than tab and line breaks."""
    return sum(len(chunk) - len(chunk.translate(None, _CONTROL_BYTES)) for chunk in _chunks(data))


def _no_controls_in_chunks(data: bytes) -> bool:
    """:func:`_no_controls`, a chunk at a time (a C1 control's two bytes may be cut
    between two chunks: the search for those runs on the whole)."""
    return (
        all(len(chunk.translate(None, _CONTROL_BYTES)) == len(chunk) for chunk in _chunks(data))
        and b"\x7f" not in data
        and not (b"\xc2" in data and _UTF8_C1.search(data))
    )


def _is_utf8(data: bytes, start: int) -> bool:
    """Is ``data[start:]`` UTF-8? Decoded a chunk at a time, each dropped at once."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    try:
        for at in range(start, len(data), _CHUNK):
            decoder.decode(view[at : at + _CHUNK])
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def _mac_hint() -> str:
    return _(
        "the file looks like Mac Roman text (a Mac's 'Western (Mac OS Roman)'): save it as "
        "UTF-8 (in Excel: 'CSV UTF-8') and import it again"
    )


# Danish letters saved as Mac Roman and read as Windows-1252: 'på' is 'pŒ', 'være' 'v¾re',
# 'først' 'f¿rst', 'Ø' '¯' and 'é' 'Ž' (and 'Å' is 0x81, undefined in Windows-1252). None of
# these follows a small letter in real Windows-1252 text ('¿' opens a Spanish question,
# 'Œ' and 'Ž' are capitals, '¾' and '¯' are signs).
_MAC_ROMAN = re.compile("(?<=[a-zæøåéüöä])[Œ¾¿¯Ž]")
_MAC_ROMAN_BYTES = [b"\x8c", b"\xbe", b"\xbf", b"\xaf", b"\x8e"]


def _word_at(text: str, at: int) -> str:
    """The word around ``text[at]`` (at most 15 characters each side), for a message."""
    start, end = at, at + 1
    while start > max(0, at - 15) and not (text[start - 1].isspace() or text[start - 1] in ',;"\t'):
        start -= 1
    while end < min(len(text), at + 16) and not (text[end].isspace() or text[end] in ',;"\t'):
        end += 1
    return one_line(text[start:end])


def _utf16_without_bom(data: bytes) -> str | None:
    """'UTF-16 LE' or 'UTF-16 BE' if the bytes read as UTF-16 text without a byte order mark:
    the high byte of nearly every character NUL (all of Danish is below U+0100), the low
    byte hardly ever, and no broken surrogate pair."""
    pairs = len(data) // 2
    if pairs < 2:
        return None
    even, odd = data[0 : pairs * 2 : 2].count(0), data[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.02:
        codec, label = "utf-16-le", "UTF-16 LE"
    elif even >= pairs * 0.3 and odd <= pairs * 0.02:
        codec, label = "utf-16-be", "UTF-16 BE"
    else:
        return None
    try:
        data[: pairs * 2].decode(codec)
    except UnicodeDecodeError:
        return None
    return label


# the first line as str.splitlines() sees it, with its line break (without splitting it all)
_FIRST_LINE = re.compile(
    r"([^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*)"
    r"(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])?"
)


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
    text, encoding, no_controls = _decode(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter, hint = delimiter_of(text)
    text = text[hint:]
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
                raise ImportError_(
                    _("unreadable CSV ({reason})").format(reason=exc),
                    file=name,
                    row=len(records) + 1,
                ) from None
            checked = False
    finally:
        csv.field_size_limit(old_limit)
    table = _to_table(
        records, name, digest, encoding=encoding, delimiter=delimiter, cells_checked=checked
    )
    table.no_controls = no_controls
    return table


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


# -- XLSX ---------------------------------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}f"
_INLINE, _TEXT, _RUN, _MERGE = f"{_NS}is", f"{_NS}t", f"{_NS}r", f"{_NS}mergeCell"
MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 1_048_576, 16_384  # Excel's: A1:XFD1048576
_DAMAGE = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError)


def _read_xlsx(data: bytes, name: str, digest: str, sheet: str | None) -> Table:
    """The sheet's rows as they are in its XML, streamed: whatever its ``<dimension>``
    says (openpyxl's read-only mode trusts it: a stale one cut rows off, and one that
    claims A1:XFD1048576 with a cell at its corner made it pad a billion empty cells)."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a declared dependency
        raise ImportError_(_("reading XLSX needs openpyxl"), file=name) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, name, what=_("XLSX file"))  # before anything is expanded
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportError_(_damaged_xlsx(exc), file=name) from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ImportError_(_damaged_xlsx(exc), file=name) from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise ImportError_(
            _("not a readable XLSX file ({reason})").format(reason=type(exc).__name__),
            file=name,
        ) from None
    try:
        ws, notes = _choose_sheet(wb, sheet, name)
        records, numbers = _SheetReader(wb, ws, name, notes).read()
    finally:
        wb.close()
    return _to_table(records, name, digest, encoding="xlsx", numbers=numbers, notes=notes)


def _choose_sheet(wb, sheet: str | None, name: str):
    """The sheet to read, and a note saying which when that could surprise: without
    ``sheet``, the first visible worksheet (Excel shows no hidden one)."""
    names = wb.sheetnames
    sheets_listed = ", ".join(map(one_line, names))
    if sheet is not None:
        wanted = sheet if sheet in names else nfc(sheet)
        if wanted not in names:
            raise ImportError_(
                _("no sheet '{sheet}' (sheets: {sheets})").format(
                    sheet=one_line(sheet), sheets=sheets_listed
                ),
                file=name,
            )
        ws = wb[wanted]
        if not hasattr(ws, "_worksheet_path"):
            raise ImportError_(
                _("sheet '{sheet}' is a chart, not a table").format(sheet=one_line(wanted)),
                file=name,
            )
        hidden = (
            [_("note: sheet '{sheet}' is hidden in the workbook").format(sheet=one_line(wanted))]
            if ws.sheet_state != "visible"
            else []
        )
        return ws, hidden
    sheets = wb.worksheets
    if not sheets:
        raise ImportError_(_("the workbook has no worksheet"), file=name)
    shown = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not shown:
        raise ImportError_(
            _(
                "every sheet of the workbook is hidden; choose one with --sheet (sheets: {sheets})"
            ).format(sheets=sheets_listed),
            file=name,
        )
    ws = shown[0]
    notes = []
    hidden = [s.title for s in sheets[: sheets.index(ws)]]
    if hidden or len(names) > 1:
        others = ", ".join(repr(one_line(n)) for n in names if n != ws.title)
        if hidden:
            note = _(
                "note: read sheet '{sheet}', the first visible one (hidden before it: "
                "{hidden}); not read: {others} (choose another sheet with --sheet)"
            ).format(
                sheet=one_line(ws.title),
                hidden=", ".join(repr(one_line(h)) for h in hidden),
                others=others,
            )
        else:
            note = _(
                "note: read sheet '{sheet}'; not read: {others} (choose another sheet with --sheet)"
            ).format(sheet=one_line(ws.title), others=others)
        notes.append(note)
    return ws, notes


class _SheetReader:
    """One worksheet's XML, streamed row by row with lxml.

    Only the rows and cells the XML holds are built (a row missing from the XML is never
    padded in), each row as wide as the header at most: a value right of the header is an
    error, so nothing read is dropped and memory is bounded by the table the file really
    holds. Values are what openpyxl reads with ``data_only=True`` (shared and inline
    strings, numbers as text, dates as ``2019-03-01 00:00:00``), except that a formula
    without a saved result and a merged range holding a value are refused, not read as
    empty cells."""

    def __init__(self, wb, ws, name: str, notes: list[str]) -> None:
        self.wb, self.ws, self.name, self.notes = wb, ws, name, notes
        self.columns: dict[str, int] = {}

    def column(self, ref: str) -> int:
        letters = ref.rstrip("0123456789")
        number = self.columns.get(letters)
        if number is None:
            if not (
                0 < len(letters) <= 3
                and letters.isascii()
                and letters.isalpha()
                and letters.isupper()
            ):
                raise self.damaged(_("cell reference '{ref}'").format(ref=one_line(ref[:20])))
            number = 0
            for letter in letters:
                number = number * 26 + ord(letter) - 64
            self.columns[letters] = number
        return number

    def damaged(self, what: str) -> ImportError_:
        return ImportError_(
            _("not a readable XLSX file (damaged sheet '{sheet}': {what})").format(
                sheet=one_line(self.ws.title), what=what
            ),
            file=self.name,
        )

    def read(self) -> tuple[list[list[str]], list[int]]:
        from lxml import etree

        try:
            source = self.wb._archive.open(self.ws._worksheet_path)
        except KeyError:
            raise self.damaged(_("its XML part is missing")) from None
        except _DAMAGE as exc:
            raise ImportError_(_damaged_xlsx(exc), file=self.name) from None
        try:
            with source:
                parts = etree.iterparse(
                    source,
                    events=("end",),
                    tag=(_ROW, _MERGE),
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                    huge_tree=False,
                    remove_comments=True,
                    remove_pis=True,
                )
                return self._rows(parts)
        except ImportError_:
            raise
        except etree.XMLSyntaxError as exc:
            raise self.damaged(
                _("not well-formed XML, {reason}").format(reason=(exc.msg or "").split(", line")[0])
            ) from None
        except _DAMAGE as exc:
            raise ImportError_(_damaged_xlsx(exc), file=self.name) from None
        except Exception as exc:  # a damaged value: int('x'), a string index out of range
            raise self.damaged(type(exc).__name__) from None

    def _rows(self, parts) -> tuple[list[list[str]], list[int]]:
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        wb = self.wb
        shared = self.ws._shared_strings
        dates: set[int] = getattr(wb, "_date_formats", set())
        durations: set[int] = getattr(wb, "_timedelta_formats", set())
        epoch = wb.epoch
        column_of = self.column
        records: list[list[str]] = []
        numbers: list[int] = []
        width = 0  # the header's, once it is read
        no_result: list[str] = []  # cells holding a formula without a saved result
        merged: list[str] = []
        number = 0
        for _event, element in parts:
            if element.tag == _MERGE:
                merged.append(element.get("ref") or "")
                continue
            r = element.get("r")
            row = int(r) if r else number + 1
            if row <= number:
                raise self.damaged(
                    _("row {row} comes after row {before}").format(row=row, before=number)
                )
            if row > MAX_SHEET_ROWS:
                raise ImportError_(
                    _(
                        "the sheet '{sheet}' has a row {row}; Excel's sheets end at row "
                        "{last} (a damaged file?)"
                    ).format(
                        sheet=one_line(self.ws.title),
                        row=integer(row),
                        last=integer(MAX_SHEET_ROWS),
                    ),
                    file=self.name,
                )
            number = row
            cols: list[int] = []
            texts: list[str] = []
            col = 0
            for cell in element.iterchildren(_CELL):
                ref = cell.get("r")
                at = column_of(ref) if ref else col + 1
                if at <= col:
                    raise self.damaged(
                        _("cell {cell} repeats or comes before column {column}").format(
                            cell=ref or at, column=col
                        )
                    )
                if at > MAX_SHEET_COLUMNS:
                    raise self.damaged(
                        _("cell {cell} is right of column XFD, Excel's last").format(cell=ref)
                    )
                col = at
                kind = cell.get("t")
                value = None
                formula = has_value = False
                inline = None
                for child in cell:
                    tag = child.tag
                    if tag == _VALUE:
                        has_value, value = True, child.text
                    elif tag == _FORMULA:
                        formula = True
                    elif tag == _INLINE:
                        inline = child
                if kind == "inlineStr":
                    text = _inline_text(inline) if inline is not None else ""
                elif not value:
                    text = ""
                    if formula and not (has_value and kind == "str"):
                        no_result.append(ref or f"{_letters(at)}{row}")
                elif kind is None or kind == "n":
                    if "." in value or "E" in value or "e" in value:
                        number_ = float(value)
                    else:
                        number_ = int(value)
                    style = cell.get("s")
                    if style and int(style) in dates:
                        try:
                            text = str(
                                from_excel(number_, epoch, timedelta=int(style) in durations)
                            )
                        except (OverflowError, ValueError):
                            text = "#VALUE!"
                    elif isinstance(number_, float) and number_.is_integer():
                        text = str(int(number_))
                    else:
                        text = str(number_)
                elif kind == "s":
                    text = str(shared[int(value)])
                elif kind == "b":
                    text = str(bool(int(value)))
                elif kind == "d":
                    text = str(from_ISO8601(value))
                else:  # 'str' (a formula's text), 'e' (#N/A, #DIV/0!, ...)
                    text = value
                cols.append(at)
                texts.append(text)
            # the row's XML is done with: drop it and the rows before it from the tree
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
            if not texts:
                continue
            limit = width or col  # no row is built wider than the header
            if col != len(cols) or col > limit:  # cells left out of the XML, or too far right
                full = [""] * min(col, limit)
                for at, text in zip(cols, texts, strict=True):
                    if at <= limit:
                        full[at - 1] = text
                    elif text.strip():
                        raise ImportError_(
                            _(
                                "cell {cell} holds '{text}' but its column has no name in the "
                                "header (the last named column is {last})"
                            ).format(
                                cell=f"{_letters(at)}{row}",
                                text=one_line(text[:40]),
                                last=_letters(width),
                            ),
                            file=self.name,
                            row=row,
                        )
                texts = full
            if not width:
                if not any(map(str.strip, texts)):
                    continue
                width = len(texts)
                while not texts[width - 1].strip():
                    width -= 1
            if not any(map(str.strip, texts)):
                continue
            records.append(texts)
            numbers.append(row)
            if len(records) * width > MAX_TABLE_CELLS:
                raise _too_big(self.name, len(records), width, more=True)
        if no_result:
            raise ImportError_(
                _n(
                    "cell {cells} holds a formula with no saved result (the file was written "
                    "by a program, not saved by a spreadsheet); open and save the file in "
                    "Excel or LibreOffice, then import it again",
                    "cells {cells} hold formulas with no saved result (the file was written "
                    "by a program, not saved by a spreadsheet); open and save the file in "
                    "Excel or LibreOffice, then import it again",
                    len(no_result),
                ).format(cells=listed(no_result)),
                file=self.name,
            )
        if merged:
            self._merged(merged, records, numbers)
        return records, numbers

    def _merged(self, ranges: list[str], records: list[list[str]], numbers: list[int]):
        """Refuse merged ranges that hold a value (Excel keeps it in the range's first cell
        and shows it across the range: read cell by cell, the rest would be empty); note
        the empty ones."""
        from openpyxl.utils.cell import range_boundaries

        at_row = dict(zip(numbers, records, strict=True))
        full: list[str] = []
        empty: list[str] = []
        for ref in ranges:
            try:
                min_col, min_row, max_col, max_row = range_boundaries(ref)
            except (ValueError, TypeError):
                raise self.damaged(
                    _("merged range '{range}'").format(range=one_line(ref[:30]))
                ) from None
            if (min_col, min_row) == (max_col, max_row):
                continue
            record = at_row.get(min_row, ())
            holds = min_col <= len(record) and record[min_col - 1].strip()
            (full if holds else empty).append(ref)
        if full:
            raise ImportError_(
                _(
                    "merged cells {cells}: a merged range keeps its value in its first cell "
                    "only, so the others would read as empty; unmerge them (in Excel: Merge & "
                    "Center, Unmerge Cells), fill in the values and import again"
                ).format(cells=listed(full)),
                file=self.name,
            )
        if empty:
            self.notes.append(
                _("note: merged cells {cells} are empty; read as empty cells").format(
                    cells=listed(empty)
                )
            )


def listed(items: list[str], show: int = 8) -> str:
    """'A1, B2 and 3 more': the first ``show`` of ``items``, and how many more."""
    shown = ", ".join(items[:show])
    if len(items) <= show:
        return shown
    more = len(items) - show
    return _("{items} and {n} more").format(items=shown, n=integer(more))


def _damaged_xlsx(exc: BaseException) -> str:
    return _("not a readable XLSX file (truncated or damaged: {reason})").format(reason=exc)


def _inline_text(element) -> str:
    """An inline string's text: its ``<t>``, or its rich-text runs' ``<t>`` joined (as
    openpyxl's ``Text.content``; phonetic runs are left out)."""
    plain = element.find(_TEXT)
    runs = element.findall(_RUN)
    if not runs:
        return (plain.text or "") if plain is not None else ""
    parts = [plain.text or ""] if plain is not None else []
    for run in runs:
        t = run.find(_TEXT)
        if t is not None and t.text:
            parts.append(t.text)
    return "".join(parts)


def _letters(column: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _too_big(name: str, rows: int, width: int, *, more: bool = False) -> ImportError_:
    text = (
        _(
            "the table has {rows} or more rows of {columns} columns, more than {limit} "
            "cells; split the file or drop unused columns"
        )
        if more
        else _n(
            "the table has {rows} row of {columns} columns, more than {limit} cells; split "
            "the file or drop unused columns",
            "the table has {rows} rows of {columns} columns, more than {limit} cells; split "
            "the file or drop unused columns",
            rows,
        )
    )
    return ImportError_(
        text.format(rows=integer(rows), columns=integer(width), limit=integer(MAX_TABLE_CELLS)),
        file=name,
    )


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_table(
    records: list[list[str]],
    name: str,
    digest: str,
    *,
    encoding: str,
    delimiter: str = "",
    cells_checked: bool = False,
    numbers: list[int] | None = None,
    notes: list[str] | None = None,
) -> Table:
    """The header and the rows; ``cells_checked``: no cell is over MAX_CELL_CHARS;
    ``numbers``: each record's spreadsheet row number, if not 1, 2, 3, ... (an XLSX
    reader passes only the rows its sheet holds)."""
    notes = notes if notes is not None else []
    kept = [i for i, r in enumerate(records) if any(map(str.strip, r))]
    if not kept:
        raise ImportError_(_("file is empty (no header row)"), file=name)
    row_of = (lambda i: i + 1) if numbers is None else numbers.__getitem__
    header_row = row_of(kept[0])
    header = records[kept[0]]
    headers, renamed = header_names(header, name, header_row)
    width = len(headers)
    if (len(kept) - 1) * width > MAX_TABLE_CELLS:
        raise _too_big(name, len(kept) - 1, width)
    rows: list[list[str]] = []
    for index in kept[1:]:
        record = records[index]
        fields = len(record)
        if fields > width:
            if any(map(str.strip, record[width:])):
                raise ImportError_(
                    _(
                        "has {n} fields but the header has {width} (a stray delimiter or quote?)"
                    ).format(n=fields, width=width),
                    file=name,
                    row=row_of(index),
                )
            record = record[:width]
        if not cells_checked and max(map(len, record), default=0) > MAX_CELL_CHARS:
            column, cell = next(
                (h, c) for h, c in zip(headers, record, strict=False) if len(c) > MAX_CELL_CHARS
            )
            raise ImportError_(
                _("cell is {n} characters; the limit is {limit}").format(
                    n=integer(len(cell)), limit=integer(MAX_CELL_CHARS)
                ),
                file=name,
                row=row_of(index),
                column=column,
            )
        if fields < width:  # short rows: trailing empty cells left out
            record = record + [""] * (width - fields)
        rows.append(record)
    if not rows:
        raise ImportError_(
            _("the file has a header row but no rows below it"), file=name, row=header_row
        )
    kept_numbers = [row_of(i) for i in kept] if numbers is not None else [i + 1 for i in kept]
    blank = _missing(kept_numbers)
    if blank:
        notes.append(
            _n(
                "skipped: {n} blank row ({rows})", "skipped: {n} blank rows ({rows})", blank[0]
            ).format(n=integer(blank[0]), rows=rows_listed(blank[1], blank[0]))
        )
    table = Table(
        file=name,
        headers=headers,
        records=rows,
        numbers=kept_numbers[1:],
        sha256=digest,
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
    )
    if renamed:
        table.normalized["column names"] = renamed
    return table


def _missing(numbers: list[int], show: int = 5) -> tuple[int, list[int]] | None:
    """How many of the row numbers 1 .. numbers[-1] are not in ``numbers`` (ascending),
    and the first ``show`` of them; None if none."""
    count = numbers[-1] - len(numbers)
    if not count:
        return None
    first: list[int] = []
    expected = 1
    for n in numbers:
        if n > expected:
            first.extend(range(expected, min(n, expected + show - len(first))))
            if len(first) >= show:
                break
        expected = n + 1
    return count, first
