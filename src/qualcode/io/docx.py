"""The text of a Word document (DOCX), as Word shows it with every tracked change accepted.

Interview transcripts and the DOCX sources inside a REFI-QDA .qdpx are read here, from
``word/document.xml`` walked with lxml, not with python-docx's ``document.paragraphs``,
which drops the text of tracked insertions, tables, content controls and fields. Read:

* paragraphs in body order, the paragraphs of tables (row by row, cell by cell, nested
  tables in place) between them;
* tracked insertions and moves to (``w:ins``, ``w:moveTo``): the accepted text; tracked
  deletions and moves from (``w:del``, ``w:moveFrom``, ``w:delText``) and deleted table
  rows are left out, and a deleted paragraph mark joins its paragraph to the next;
* content controls (``w:sdt``), hyperlinks, smart tags and custom XML: their text;
* fields: the result Word displays (``w:fldSimple``'s runs, and a complex field's runs
  between ``separate`` and ``end``), never the instruction (``w:instrText``);
* tabs as tab characters, line breaks (and page and column breaks) as ``\\n``.

Left out, and said in :attr:`DocxText.notes`: comments, footnotes and endnotes, page
headers and footers, and text boxes, shapes and equations in the body. A paragraph whose
style is Heading 1, Overskrift 1, Title or Titel is marked as a heading.

The archive is opened with :func:`qualcode.io.archive.open_zip` (its directory's sizes
checked before anything is expanded) and its XML parsed without entities, DTDs or
network access; a DOCTYPE is refused.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from qualcode.errors import ImportError_
from qualcode.i18n import translator
from qualcode.io.archive import open_zip
from qualcode.io.fmt import integer

_, _n = translator("io")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
HEADING_STYLES = {"heading 1", "overskrift 1", "title", "titel"}
_DAMAGE = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


@dataclass
class Paragraph:
    text: str  # line breaks inside the paragraph as "\n", tabs as "\t"
    heading: bool = False


@dataclass
class DocxText:
    paragraphs: list[Paragraph] = field(default_factory=list)
    # what was left out or read specially, one line each (ImportSummary.notes)
    notes: list[str] = field(default_factory=list)


def read_docx(data: bytes, name: str) -> DocxText:
    """The document's paragraphs and notes, or a one-line ImportError_ naming ``name``."""
    archive = open_zip(data, name, what=_("DOCX file"))
    with archive:
        main = _target(archive, "_rels/.rels", "", "officeDocument") or "word/document.xml"
        root = _parse(archive, main, name)
        ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if ns not in (W_NS, W_STRICT_NS) or root.tag != f"{{{ns}}}document":
            local = root.tag.split("}")[-1]
            raise ImportError_(
                _unreadable(
                    _("its main part holds <{element}>, not a Word document").format(element=local)
                ),
                file=name,
            )
        rels = _rels_path(main)
        styles = _style_names(archive, rels, ns, name)
        walker = _Walker(ns, styles, name)
        body = root.find(f"{{{ns}}}body")
        if body is None:
            raise ImportError_(_unreadable(_("the document has no body")), file=name)
        walker.block(body)
        walker.finish()
        notes = walker.notes()
        skipped = _outside_body(archive, rels, ns, name) + walker.skipped()
        if skipped:
            notes.append(
                _(
                    "skipped: {what} (Word keeps them outside the text; they are not imported)"
                ).format(what=_and(skipped))
            )
    return DocxText(walker.paragraphs, notes)


def _unreadable(why: str) -> str:
    """'not a readable DOCX file (why)'."""
    return _("not a readable DOCX file ({reason})").format(reason=why)


# -- the package: parts, relationships, styles ----------------------------------------------


def _parse(archive: zipfile.ZipFile, member: str, name: str):
    from lxml import etree

    try:
        data = archive.read(member)
    except KeyError:
        raise ImportError_(
            _unreadable(_("{part} is missing").format(part=member)), file=name
        ) from None
    except _DAMAGE as exc:
        raise ImportError_(
            _unreadable(_("truncated or damaged: {reason}").format(reason=exc)), file=name
        ) from None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = (exc.msg or _("syntax error")).split(", line ")[0]
        raise ImportError_(
            _unreadable(_("damaged {part}: {reason}").format(part=member, reason=message)),
            file=name,
        ) from None
    except ValueError as exc:
        raise ImportError_(
            _unreadable(_("damaged {part}: {reason}").format(part=member, reason=exc)),
            file=name,
        ) from None
    if root is None:
        raise ImportError_(_unreadable(_("{part} is empty").format(part=member)), file=name)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ImportError_(
            _("{part} has a DOCTYPE; Word never writes one, and it is refused for safety").format(
                part=member
            ),
            file=name,
        )
    return root


def _rels_path(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _targets(archive: zipfile.ZipFile, rels: str, folder: str, kind: str) -> list[str]:
    """The parts a relationships part points at with a type ending in '/kind'."""
    if rels not in archive.NameToInfo:
        return []
    from lxml import etree

    try:
        root = etree.fromstring(
            archive.read(rels),
            etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False),
        )
    except (etree.XMLSyntaxError, *_DAMAGE):
        return []
    out = []
    for rel in root.iter(_REL):
        if (rel.get("Type") or "").endswith("/" + kind) and rel.get("TargetMode") != "External":
            target = rel.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out.append(posixpath.normpath(path))
    return out


def _target(archive: zipfile.ZipFile, rels: str, folder: str, kind: str) -> str | None:
    found = [t for t in _targets(archive, rels, folder, kind) if t in archive.NameToInfo]
    return found[0] if found else None


def _style_names(archive: zipfile.ZipFile, rels: str, ns: str, name: str) -> dict[str, str]:
    """Paragraph style id -> its name in lower case ('Overskrift1' -> 'heading 1')."""
    folder = posixpath.dirname(posixpath.dirname(rels))
    part = _target(archive, rels, folder, "styles")
    if part is None:
        return {}
    root = _parse(archive, part, name)
    w = f"{{{ns}}}"
    names = {}
    for style in root.iter(f"{w}style"):
        if style.get(f"{w}type", "paragraph") != "paragraph":
            continue
        style_name = style.find(f"{w}name")
        if style_name is not None:
            names[style.get(f"{w}styleId") or ""] = (style_name.get(f"{w}val") or "").lower()
    return names


def _outside_body(archive: zipfile.ZipFile, rels: str, ns: str, name: str) -> list[str]:
    """What the document holds outside its body: '2 comments', '1 footnote', ..."""
    folder = posixpath.dirname(posixpath.dirname(rels))
    w = f"{{{ns}}}"
    out = []
    for kind, element in (
        ("comments", "comment"),
        ("footnotes", "footnote"),
        ("endnotes", "endnote"),
    ):
        count = 0
        for part in _targets(archive, rels, folder, kind):
            if part in archive.NameToInfo:
                for note in _parse(archive, part, name).iter(f"{w}{element}"):
                    if note.get(f"{w}type") in (None, "normal") and _has_text(note, w):
                        count += 1
        if count:
            out.append(_outside_text(kind, count))
    pages = 0
    for kind in ("header", "footer"):
        for part in _targets(archive, rels, folder, kind):
            if part in archive.NameToInfo and _has_text(_parse(archive, part, name), w):
                pages += 1
    if pages:
        out.append(
            _n(
                "the text of {n} page header or footer",
                "the text of {n} page headers or footers",
                pages,
            ).format(n=integer(pages))
        )
    return out


def _outside_text(kind: str, n: int) -> str:
    """'2 comments', '1 footnote', '3 endnotes'."""
    if kind == "comments":
        text = _n("{n} comment", "{n} comments", n)
    elif kind == "footnotes":
        text = _n("{n} footnote", "{n} footnotes", n)
    else:
        text = _n("{n} endnote", "{n} endnotes", n)
    return text.format(n=integer(n))


def _has_text(element, w: str) -> bool:
    return any((t.text or "").strip() for t in element.iter(f"{w}t"))


def _and(parts: list[str]) -> str:
    """'a, b and c'."""
    if len(parts) == 1:
        return parts[0]
    return _("{items} and {last}").format(items=", ".join(parts[:-1]), last=parts[-1])


# -- the body ---------------------------------------------------------------------------------


class _Walker:
    """Walks the body in reading order, collecting paragraphs."""

    def __init__(self, ns: str, styles: dict[str, str], name: str) -> None:
        w = self.w = f"{{{ns}}}"
        self.name = name
        self.styles = styles
        self.paragraphs: list[Paragraph] = []
        self.fields: list[bool] = []  # per open complex field: still in its instruction?
        self.field_opened = 0  # the paragraph the outermost open field began in
        self.join_next = False  # the last paragraph's mark was deleted (a tracked change)
        self.inserted = self.deleted = 0
        self.boxes = self.equations = 0
        self.P, self.TBL, self.TR, self.TC = f"{w}p", f"{w}tbl", f"{w}tr", f"{w}tc"
        self.R, self.T, self.SDT, self.SDT_CONTENT = f"{w}r", f"{w}t", f"{w}sdt", f"{w}sdtContent"
        self.INS, self.DEL = f"{w}ins", f"{w}del"
        self.MOVE_TO, self.MOVE_FROM = f"{w}moveTo", f"{w}moveFrom"
        self.FLD_CHAR, self.FLD_TYPE = f"{w}fldChar", f"{w}fldCharType"
        # inline wrappers whose children are read as if they were the paragraph's own
        self.wrappers = {
            f"{w}hyperlink",
            f"{w}smartTag",
            f"{w}customXml",
            f"{w}fldSimple",
            f"{w}dir",
            f"{w}bdo",
            self.INS,
            self.MOVE_TO,
        }
        self.blocks = {f"{w}customXml", self.INS, self.MOVE_TO}
        self.boxes_tags = {f"{w}drawing", f"{w}pict", f"{w}object", _MC}
        self.text_of = {
            f"{w}t": None,
            f"{w}tab": "\t",
            f"{w}ptab": "\t",
            f"{w}br": "\n",
            f"{w}cr": "\n",
            f"{w}noBreakHyphen": "-",
        }
        self.heading_ids = {"heading1", "overskrift1", "title", "titel"}

    # blocks: paragraphs, tables, content controls
    def block(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == self.P:
                self.paragraph(child)
            elif tag == self.TBL:
                self.table(child)
            elif tag == self.SDT:
                content = child.find(self.SDT_CONTENT)
                if content is not None:
                    self.block(content)
            elif tag in self.blocks:
                self.block(child)
            elif tag in (self.DEL, self.MOVE_FROM):
                self.deleted += 1
            elif tag == _MC or tag in self.boxes_tags:
                self.boxes += self._holds_text(child)

    def table(self, table) -> None:
        self.join_next = False
        for row in self._within(table, self.TR):
            properties = row.find(f"{self.w}trPr")
            if properties is not None and properties.find(self.DEL) is not None:
                self.deleted += 1  # a deleted row: gone once the changes are accepted
                continue
            for cell in self._within(row, self.TC):
                self.join_next = False
                self.block(cell)
        self.join_next = False

    def _within(self, element, tag: str):
        """``element``'s children with ``tag``, also inside content controls and custom
        XML (rows and cells may be wrapped in those)."""
        for child in element:
            if child.tag == tag:
                yield child
            elif child.tag == self.SDT:
                content = child.find(self.SDT_CONTENT)
                if content is not None:
                    yield from self._within(content, tag)
            elif child.tag == f"{self.w}customXml":
                yield from self._within(child, tag)

    def paragraph(self, p) -> None:
        parts: list[str] = []
        self.inline(p, parts)
        text = "".join(parts)
        w = self.w
        heading = False
        mark_deleted = False
        properties = p.find(f"{w}pPr")
        if properties is not None:
            style = properties.find(f"{w}pStyle")
            if style is not None:
                style_id = style.get(f"{w}val") or ""
                style_name = self.styles.get(style_id)
                heading = (
                    style_name in HEADING_STYLES
                    if style_name is not None
                    else style_id.lower() in self.heading_ids
                )
            run_properties = properties.find(f"{w}rPr")
            mark_deleted = run_properties is not None and (
                run_properties.find(self.DEL) is not None
                or run_properties.find(self.MOVE_FROM) is not None
            )
        if self.join_next and self.paragraphs:
            # the previous paragraph's mark was deleted: accepted, the two are one paragraph
            # with this one's properties
            self.paragraphs[-1] = Paragraph(self.paragraphs[-1].text + text, heading)
        else:
            self.paragraphs.append(Paragraph(text, heading))
        self.join_next = mark_deleted

    # inline content: runs and their wrappers
    def inline(self, element, parts: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag == self.R:
                self.run(child, parts)
            elif tag in self.wrappers:
                if tag in (self.INS, self.MOVE_TO):
                    self.inserted += 1
                self.inline(child, parts)
            elif tag == self.SDT:
                content = child.find(self.SDT_CONTENT)
                if content is not None:
                    self.inline(content, parts)
            elif tag in (self.DEL, self.MOVE_FROM):
                self.deleted += 1
            elif tag in self.boxes_tags:
                self.boxes += self._holds_text(child)
            elif isinstance(tag, str) and tag.startswith(_MATH):
                self.equations += 1

    def run(self, run, parts: list[str]) -> None:
        fields = self.fields
        text_of = self.text_of
        for child in run:
            tag = child.tag
            if tag == self.FLD_CHAR:
                kind = child.get(self.FLD_TYPE)
                if kind == "begin":
                    if not fields:
                        self.field_opened = len(self.paragraphs) + 1
                    fields.append(True)
                elif kind == "separate" and fields:
                    fields[-1] = False
                elif kind == "end" and fields:
                    fields.pop()
            elif fields and fields[-1]:
                continue  # a field's instruction ('PAGE', 'HYPERLINK "..."'): not shown
            elif tag in text_of:
                value = text_of[tag]
                parts.append(child.text or "" if value is None else value)
            elif tag in self.boxes_tags:
                self.boxes += self._holds_text(child)

    def _holds_text(self, element) -> int:
        return int(any((t.text or "").strip() for t in element.iter(self.T)))

    def finish(self) -> None:
        if self.fields:
            raise ImportError_(
                _unreadable(
                    _(
                        "a field that begins in paragraph {n} never ends, so the text after it "
                        "would be hidden"
                    ).format(n=self.field_opened)
                ),
                file=self.name,
            )

    def notes(self) -> list[str]:
        if self.inserted or self.deleted:
            insertions = _n("{n} insertion", "{n} insertions", self.inserted)
            deletions = _n("{n} deletion", "{n} deletions", self.deleted)
            return [
                _(
                    "note: the document has tracked changes ({insertions}, {deletions}); read "
                    "as if all were accepted"
                ).format(
                    insertions=insertions.format(n=integer(self.inserted)),
                    deletions=deletions.format(n=integer(self.deleted)),
                )
            ]
        return []

    def skipped(self) -> list[str]:
        out = []
        if self.boxes:
            out.append(
                _n(
                    "{n} text box or shape with text",
                    "{n} text boxes or shapes with text",
                    self.boxes,
                ).format(n=integer(self.boxes))
            )
        if self.equations:
            out.append(
                _n("{n} equation", "{n} equations", self.equations).format(
                    n=integer(self.equations)
                )
            )
        return out
