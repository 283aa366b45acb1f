"""Importing interview transcripts (TXT, Markdown, DOCX) as speaker turns.

The format (documented in the README)::

    # JC07 Jobcenter Ådalen          <- a jobcentre: its id, then its name (optional)

    Interviewer: Hvordan oplever I ...?
    Arbejdsmarkedschef: Første afsnit af svaret ...

    Et nyt afsnit i samme tur (en linje uden "Rolle:" fortsætter turen).

* ``# ID name`` starts a jobcentre; a file may hold several. Without one, the file
  name's stem is the jobcentre id.
* A line ``Label: text`` starts a turn. Labels ``Interviewer``, ``Intervieweren``,
  ``Int`` or ``I`` (or those given with ``--interviewer``) are the interviewer; any
  other label is the speaker's role (Arbejdsmarkedschef, Afdelingsleder, ...).
  Markdown bold (``**Afdelingsleder:**``) is fine.
* Lines without a label continue the current turn; a blank line starts a new paragraph.
* In DOCX files each paragraph is a line (a line break inside a paragraph starts another
  line of it), and a Heading paragraph is a ``#`` line. Tables, content controls, fields
  and tracked changes are read as Word shows them (see :mod:`qualcode.io.docx`).

Jobcentre ids, names and speaker roles are stored in Unicode NFC. What the import leaves
out or doubts (comments, footnotes and text boxes of a DOCX, transcripts already in the
project, look-alike jobcentre ids) becomes a line of ``ImportSummary.notes``:
:func:`read_interviews` returns the transcripts as a :class:`Transcripts` list that
carries them to the import.

Each respondent turn becomes one excerpt (or one per paragraph with
``split="paragraph"``); interviewer turns are kept for context but are not coded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.core.checks import nfc, nfc_note
from qualcode.core.importer import Transcript, Transcripts, Turn
from qualcode.errors import ImportError_
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.io.tabular import decode_text, sha256_of

_, _n = translator("io")

if TYPE_CHECKING:
    pass

INTERVIEWER_LABELS = {
    "interviewer",
    "intervieweren",
    "int",
    "i",
    "interviewer (discus)",
    "interviewer (epinion)",
    "spørger",
}
# '# ID name': what follows the id is parsed by _header(), not by a regex whose
# '(?P<name>.*?)\s*#*\s*$' took cubic time on a long line of spaces
_HEADER_ID = re.compile(r"#\s+(?P<id>\S+)")
_DASHES = "-–—:"
# a label: at most four words, starting with a capital letter ("Leder i jobcenter")
_TURN = re.compile(
    r"^\s*(?:\*\*|__)?(?P<label>[A-ZÆØÅ][^\s:*]*(?:[ ][^\s:*]+){0,3}?)"
    r"(?:\*\*|__)?\s*:(?:\*\*|__)?(?:\s+(?P<text>.*))?$"
)


@dataclass
class Lines:
    """A transcript file's lines, its raw bytes, and for a DOCX the Word paragraph each
    line comes from (1-based), with what reading the DOCX left out."""

    lines: list[str]
    data: bytes
    paragraphs: list[int] | None = None
    notes: list[str] = field(default_factory=list)


def read_lines(path: Path) -> tuple[list[str], bytes]:
    """The file's lines (DOCX paragraphs become lines) and its raw bytes."""
    read = _read(path)
    return read.lines, read.data


def _read(path: Path) -> Lines:
    name = str(path)
    if not path.is_file():
        raise ImportError_(_("no such file"), file=name)
    data = path.read_bytes()
    if not data.strip():
        raise ImportError_(_("file is empty"), file=name)
    if _is_docx(path, data):
        return _docx_lines(data, name)
    text, _encoding = decode_text(data, name)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Lines(lines, data)


def _is_docx(path: Path, data: bytes) -> bool:
    return path.suffix.lower() == ".docx" or data[:4] == b"PK\x03\x04"


def _docx_lines(data: bytes, name: str) -> Lines:
    """Each Word paragraph as a line (a heading as '# ' and its text on one line, another
    paragraph's line breaks as lines of their own), then a blank line."""
    from qualcode.io.docx import read_docx

    document = read_docx(data, name)
    lines: list[str] = []
    paragraphs: list[int] = []
    for number, para in enumerate(document.paragraphs, start=1):
        if para.heading and para.text.strip():
            parts = [f"# {para.text.replace(chr(10), ' ').strip()}"]
        else:
            parts = [part.strip() for part in para.text.split("\n")] or [""]
        lines += parts
        lines.append("")  # each Word paragraph is its own paragraph
        paragraphs += [number] * (len(parts) + 1)
    return Lines(lines, data, paragraphs, document.notes)


def _header(line: str) -> tuple[str, str] | None:
    """(id, name) of a '# ID name' line (a trailing '#' run and one leading dash or colon
    of the name dropped), or None if the line is no header."""
    match = _HEADER_ID.match(line)
    if match is None:
        return None
    rest = line[match.end() :].rstrip().rstrip("#").rstrip()
    if rest:
        rest = rest.lstrip()
        if rest[0] in _DASHES:
            rest = rest[1:].lstrip()
        if "\n" in rest:  # a DOCX heading with a line break inside its name
            return None
    return match["id"], rest


def parse_transcripts(
    path: str | Path, *, interviewer_labels: set[str] | None = None, respondent: str | None = None
) -> Transcripts:
    """Parse one transcript file into one or more :class:`Transcript`."""
    path = Path(path)
    name = str(path)
    labels = {x.casefold() for x in (interviewer_labels or set())} | INTERVIEWER_LABELS
    read = _read(path)
    lines, paragraph_of = read.lines, read.paragraphs

    def where(number: int) -> str:
        # a DOCX paragraph becomes a line or more and a blank line: name the Word paragraph
        if paragraph_of:
            return _("paragraph {n}").format(n=paragraph_of[number - 1])
        return _("line {n}").format(n=number)

    transcripts: list[Transcript] = []
    current: Transcript | None = None
    turn: Turn | None = None
    new_paragraph = False
    # the lines of the open paragraph, joined once when it closes (joining line by line
    # took quadratic time on a long paragraph)
    parts: list[str] = []
    renamed = 0  # ids and names stored in NFC, not as the file spells them
    unnamed: Transcript | None = None  # the transcript named after the file, if any

    def close_paragraph() -> None:
        if len(parts) > 1 and turn is not None:
            turn.paragraphs[-1] = " ".join(parts)
        parts.clear()

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        header = _header(line)
        if header:
            close_paragraph()
            current = Transcript(respondent=nfc(header[0]), name=nfc(header[1]), file=name)
            renamed += (current.respondent, current.name) != header
            transcripts.append(current)
            turn = None
            continue
        if not line.strip():
            new_paragraph = True
            continue
        match = _TURN.match(line)
        if match:
            if current is None:
                # (a macOS file name is NFD: 'JCÅrø.md' must give the id 'JCÅrø' in NFC)
                current = Transcript(respondent=nfc(respondent or path.stem), name="", file=name)
                renamed += current.respondent != (respondent or path.stem)
                unnamed = current
                transcripts.append(current)
            # in '__Leder__: ...' (Markdown bold) the label pattern keeps the closing '__'
            label = nfc(match["label"].strip().rstrip("_").strip())
            close_paragraph()
            turn = Turn(role=label, interviewer=label.casefold() in labels, line=number)
            if (match["text"] or "").strip():
                turn.paragraphs.append(match["text"].strip())
                parts.append(turn.paragraphs[-1])
            current.turns.append(turn)
            new_paragraph = False
            continue
        if turn is None:
            raise ImportError_(
                _(
                    "{where}: text before the first speaker turn; start each turn with "
                    "'Role: ' (e.g. 'Arbejdsmarkedschef: ...')"
                ).format(where=where(number)),
                file=name,
            )
        if new_paragraph or not turn.paragraphs:
            close_paragraph()
            turn.paragraphs.append(line.strip())
        parts.append(line.strip())
        new_paragraph = False
    close_paragraph()
    if not transcripts or not any(t.turns for t in transcripts):
        raise ImportError_(
            _("no speaker turns found (lines like 'Arbejdsmarkedschef: ...')"), file=name
        )
    seen: set[str] = set()
    for t in transcripts:
        if t.respondent in seen:
            raise ImportError_(
                _("jobcentre '{id}' appears twice in the file").format(id=t.respondent),
                file=name,
            )
        seen.add(t.respondent)
        if not t.turns:
            raise ImportError_(
                _("jobcentre '{id}' has no speaker turns").format(id=t.respondent), file=name
            )
        if all(turn.interviewer for turn in t.turns):
            raise ImportError_(
                _("jobcentre '{id}' has only interviewer turns").format(id=t.respondent),
                file=name,
            )
        for turn in t.turns:
            if not turn.paragraphs:
                raise ImportError_(
                    _("{where}: the turn of '{role}' is empty").format(
                        where=where(turn.line), role=turn.role
                    ),
                    file=name,
                )
    notes = list(read.notes)
    if len(transcripts) > 1 and unnamed is transcripts[0]:
        # turns, then '# ID' headers: the turns before the first header have no header of
        # their own and were given the file's name as their jobcentre
        count = len(unnamed.turns)
        notes.append(
            _n(
                "warning: the turns before the first '# ID' header ({n} turn from {where}) "
                "are imported as jobcentre '{id}', named after the file; add a header above "
                "them if they belong to another jobcentre",
                "warning: the turns before the first '# ID' header ({n} turns from {where}) "
                "are imported as jobcentre '{id}', named after the file; add a header above "
                "them if they belong to another jobcentre",
                count,
            ).format(n=integer(count), where=where(unnamed.turns[0].line), id=unnamed.respondent)
        )
    note = nfc_note({"jobcentre ids or names": renamed})
    if note:
        notes.append(note)
    return Transcripts(transcripts, notes)


def read_interviews(
    paths: Sequence[str | Path], *, interviewer_labels: set[str] | None = None
) -> tuple[Transcripts, str]:
    """Parse every file first (all or nothing); returns transcripts and a combined hash."""
    transcripts = Transcripts()
    digests = []
    owner: dict[str, str] = {}
    for p in paths:
        parsed = parse_transcripts(p, interviewer_labels=interviewer_labels)
        for note in parsed.notes:  # with several files, say which file a note is about
            kind, _sep, rest = note.partition(": ")
            transcripts.notes.append(f"{kind}: {p}: {rest}" if len(paths) > 1 else note)
        for t in parsed:
            if t.respondent in owner:
                raise ImportError_(
                    _("jobcentre '{id}' is also in {file}").format(
                        id=t.respondent, file=owner[t.respondent]
                    ),
                    file=str(p),
                )
            owner[t.respondent] = str(p)
            transcripts.append(t)
        digests.append(sha256_of(Path(p).read_bytes()))
    return transcripts, sha256_of("".join(digests).encode())
