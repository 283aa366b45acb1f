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

import io
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.safe import one_line, visible

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.models import Quote

COUNT_FORMATS = ("table", "csv", "md", "xlsx", "json")
QUOTE_FORMATS = ("md", "csv")
CSV_COLUMNS = ["question", "code", "label", "respondents", "answered", "percent", "published",
               "published_base", "published_year", "scale", "parent", "definition"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Prefix text a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# the characters XML 1.0 cannot hold (openpyxl refuses them), and CR, which XML would
# read back as a newline; and a literal '_xHHHH_' in the data, which Excel would decode
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]")
_OOXML_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def xlsx_text(text: str) -> str:
    """``text`` for an XLSX cell or sheet text, kept exactly: control characters as
    OOXML's ``_xHHHH_`` escape (ESC is ``_x001B_``), which Excel turns back into the
    character, and a '_' that starts such an escape in the data as ``_x005F_``."""
    if "_x" not in text and not _XML_ILLEGAL.search(text):
        return text
    text = _OOXML_ESCAPE.sub("_x005F_", text)
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def xlsx_cell(value: object) -> object:
    """A value for an XLSX cell: formula-safe (:func:`safe_cell`) and XML-safe
    (:func:`xlsx_text`); numbers and None as they are."""
    value = safe_cell(value)
    return xlsx_text(value) if isinstance(value, str) else value


def write_file(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write all of ``data`` to ``path`` or nothing; refuse to overwrite unless ``force``."""
    path = Path(path)
    if path.is_dir():
        raise QualcodeError("is a folder; give a file name", file=str(path))
    if path.exists() and not force:
        raise QualcodeError("already exists; use --force to overwrite it", file=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise QualcodeError("its folder does not exist", file=str(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; give it the mode a normal new file would get
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, no permission, ...: one line, no file
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise QualcodeError(f"could not be written ({reason}); nothing was written",
                                file=str(path)) from None
        raise
    return path


def format_from_path(path: str | Path | None, given: str | None, allowed: tuple[str, ...],
                     default: str) -> str:
    if given:
        return given
    if path is not None:
        suffix = Path(path).suffix.lower().lstrip(".")
        suffix = {"markdown": "md", "txt": "table"}.get(suffix, suffix)
        if suffix in allowed:
            return suffix
    return default


# -- counts ----------------------------------------------------------------------

def _pct(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:.{decimals}f}".replace(".", ",")
    return f"{text} %"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """A table cell: on one line, control characters as symbols (one for one, so the
    width is the same), padded to ``width``."""
    text = one_line(text)
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _has_published(frame: pd.DataFrame) -> bool:
    return bool(frame["published"].notna().any())


def counts_table(frame: pd.DataFrame, *, published: bool | None = None) -> str:
    """A plain-text table for the terminal."""
    published = _has_published(frame) if published is None else published
    answered = int(frame["answered"].iloc[0]) if len(frame) else 0
    kind = frame.attrs.get("kind", "open")
    title = frame.attrs.get("title", "")
    who = "interviewede jobcentre" if kind == "interview" else "jobcentre har svaret"
    lines = [one_line(f"{frame.attrs.get('question', '')}: {title} ({answered} {who})")]
    header = ["Tema", "Jobcentre", "Andel"]
    if kind == "interview":
        header.append("Omfang")
    if published:
        year = frame["published_year"].dropna()
        header.append(f"Rapport {int(year.iloc[0])}" if len(year) else "Rapport")
    body = []
    for r in frame.itertuples():
        row = ["  " * int(r.depth) + r.label, f"{r.respondents} af {r.answered}",
               _pct(r.percent)]
        if kind == "interview":
            row.append(r.scale)
        if published:
            row.append("" if _na(r.published) else f"{r.published} af {r.published_base}")
        body.append(row)
    widths = [max(_width(x) for x in col) for col in zip(header, *body, strict=True)]
    widths[0] = min(widths[0], 70)
    fmt = []
    for row in [header, *body]:
        cells = [_pad(_clip(row[0], widths[0]), widths[0])]
        cells += [_pad(c, w, right=True) for c, w in zip(row[1:], widths[1:], strict=True)]
        fmt.append("  ".join(cells).rstrip())
    lines.append(fmt[0])
    lines.append("-" * _width(fmt[0]))
    lines.extend(fmt[1:])
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    text = one_line(text)
    return text if _width(text) <= width else text[: width - 1] + "…"


def _na(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def counts_csv(frame: pd.DataFrame) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rec in frame[CSV_COLUMNS].itertuples(index=False):
        writer.writerow([safe_cell("" if _na(v) else v) for v in rec])
    return buf.getvalue().encode("utf-8")


def _md(text: object) -> str:
    """A Markdown table cell or heading: '|' escaped, on one line, control characters
    as symbols."""
    return visible(str(text).replace("|", "\\|").replace("\n", " "))


def counts_markdown(frames: list[pd.DataFrame], *, published: bool | None = None) -> str:
    """The report's layout: theme, essence, 'Anført af N ud af M jobcentre'."""
    parts = []
    for frame in frames:
        show_pub = _has_published(frame) if published is None else published
        kind = frame.attrs.get("kind", "open")
        parts.append(f"### {frame.attrs.get('title', '')}\n")
        q = frame.attrs.get("question_text") or frame.attrs.get("question", "")
        parts.append(f"Spørgsmål: {_md(q)} (`{frame.attrs.get('question', '')}`)\n")
        head = ["Tema", "Essensen af temaet", "Antal jobcentre der nævner temaet", "Andel"]
        if show_pub:
            year = frame["published_year"].dropna()
            head.append(f"Rapporten {int(year.iloc[0])}" if len(year) else "Rapporten")
        parts.append("| " + " | ".join(head) + " |")
        parts.append("|" + "|".join(["---", "---", "---", "---:"] + (["---"] if show_pub else []))
                     + "|")
        for r in frame.itertuples():
            label = ("&nbsp;&nbsp;" * int(r.depth)) + _md(r.label)
            cells = [label, _md(r.definition), r.mentioned, _pct(r.percent, 0)]
            if show_pub:
                cells.append("" if _na(r.published) else
                             f"Anført af {r.published} ud af {r.published_base} jobcentre")
            parts.append("| " + " | ".join(cells) + " |")
        if kind == "interview":
            parts.append("\nEnkelte = 1–3, flere = 4–8, de fleste = mere end 8 af de "
                         "interviewede jobcentre.")
        source = frame.attrs.get("published_source")
        if show_pub and source:
            parts.append(f"\nRapportens tal: {source}.")
        parts.append("")
    return visible("\n".join(parts))


def counts_json(frames: list[pd.DataFrame]) -> bytes:
    out = []
    for frame in frames:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        out.append({"question": frame.attrs.get("question"),
                    "codebook": frame.attrs.get("codebook"), "title": frame.attrs.get("title"),
                    "answered": int(frame["answered"].iloc[0]) if len(frame) else 0,
                    "codes": records})
    return (json.dumps(out if len(out) != 1 else out[0], ensure_ascii=False, indent=2)
            + "\n").encode("utf-8")


def counts_xlsx(frames: list[pd.DataFrame], *, published: bool | None = None) -> bytes:
    """One sheet per question, numbers as numbers, column widths set."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for frame in frames:
        show_pub = _has_published(frame) if published is None else published
        ws = wb.create_sheet(_sheet_name(frame.attrs.get("question", "ark"), wb.sheetnames))
        ws.append([xlsx_cell(frame.attrs.get("title", ""))])
        ws["A1"].font = Font(bold=True, size=12)
        head = ["Tema", "Essensen af temaet", "Antal jobcentre der nævner temaet", "Jobcentre",
                "Besvaret", "Andel (%)"]
        if show_pub:
            head += ["Rapporten: jobcentre", "Rapporten: besvaret", "Rapporten: andel (%)"]
        ws.append(head)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r in frame.itertuples():
            row = [xlsx_cell(("  " * int(r.depth)) + r.label), xlsx_cell(r.definition),
                   xlsx_cell(r.mentioned), int(r.respondents), int(r.answered),
                   None if _na(r.percent) else float(r.percent)]
            if show_pub:
                row += [None if _na(r.published) else int(r.published),
                        None if _na(r.published_base) else int(r.published_base),
                        None if _na(r.published_percent) else float(r.published_percent)]
            ws.append(row)
        for row in ws.iter_rows(min_row=3):
            row[1].alignment = Alignment(wrap_text=True, vertical="top")
            row[5].number_format = "0.0"
            if show_pub:
                row[8].number_format = "0.0"
        for letter, width in zip("ABCDEFGHI", (48, 60, 36, 11, 11, 11, 20, 20, 20),
                                 strict=False):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_name(name: str, taken: list[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" or not ch.isprintable() else ch
                    for ch in name)[:31] or "ark"
    candidate, n = clean, 2
    while candidate in taken:
        candidate = f"{clean[:28]}-{n}"
        n += 1
    return candidate


def render_counts(frames: list[pd.DataFrame], fmt: str, *,
                  published: bool | None = None) -> bytes:
    if fmt == "table":
        return "\n".join(counts_table(f, published=published) for f in frames).encode("utf-8")
    if fmt == "csv":
        import pandas as pd

        return counts_csv(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
    if fmt == "md":
        return counts_markdown(frames, published=published).encode("utf-8")
    if fmt == "json":
        return counts_json(frames)
    if fmt == "xlsx":
        return counts_xlsx(frames, published=published)
    raise QualcodeError(f"unknown format '{fmt}' (use {', '.join(COUNT_FORMATS)})")


# -- quotes ----------------------------------------------------------------------

def quotes_markdown(quotes: list[Quote], *, anonymous: bool = False) -> str:
    """The quotes under their theme, as the report prints them; control characters in
    the text as visible symbols."""
    parts: list[str] = []
    current = None
    for q in quotes:
        if q.label != current:
            parts.append(f"## {q.label}\n")
            current = q.label
        if anonymous and not q.role:
            parts.append(f'"{q.text}" \u2013 Jobcenter')  # no role: do not name the jobcentre
        else:
            parts.append(q.formatted())
        if not anonymous:
            where = f"{q.respondent} {q.respondent_name}".strip()
            excerpt = f", uddrag {q.item_number}" if q.role else ""
            parts.append(f"*({where}, {q.question}{excerpt})*")
        parts.append("")
    return visible("\n".join(parts) + ("\n" if parts else ""))


QUOTE_CSV_COLUMNS = ["code", "label", "question", "respondent", "name", "role", "text", "item",
                     "start", "end", "coder", "formatted"]


def quotes_csv(quotes: list[Quote]) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(QUOTE_CSV_COLUMNS)
    for q in quotes:
        writer.writerow([safe_cell(v) for v in (
            q.code, q.label, q.question, q.respondent, q.respondent_name, q.role, q.text,
            q.item_number, "" if q.start is None else q.start, "" if q.end is None else q.end,
            q.coder, q.formatted())])
    return buf.getvalue().encode("utf-8")
