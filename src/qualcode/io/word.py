"""Word documents laid out as the report is: A4, the report's margins, tables that fit the
text column, one numbered caption per table and figure, pictures within the text width,
or the agency's own Word template.

python-docx starts from US Letter with 2.5 cm margins; :func:`new_document` turns that into
an A4 page with 2.9 cm left and right margins, the report's 15.2 cm text column (the
width :mod:`qualcode.io.charts` draws its charts at), 2.5 cm top and bottom. With a
template (:func:`read_template`, a .dotx or .docx) the template's styles, page setup,
header and footer are kept and only its body text is left out; tables and pictures then
fit the template's own text column.

Tables (:func:`add_table`) have their widths set three times, as Word and LibreOffice
each read a different one: the table's width, the grid's columns and every cell, all
summing to the text width. The layout is fixed, so neither program re-flows the columns;
the header row repeats on every page and no row splits across a page break. Column widths
are chosen from the text (:func:`column_widths`): no column narrower than its longest
word where the page allows it, the room left given to the columns with the most text.

Captions (:func:`add_caption`) are paragraphs in Word's Caption style, "Tabel 1: …",
with the number as a SEQ field (fixed with ``\\r``, so Word's field update keeps the number
the other formats print), which Word's table of figures finds.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.i18n import numbers_language, translator
from qualcode.safe import visible

_, _n = translator("io")

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table

PAGE_CM = (21.0, 29.7)  # A4
MARGINS_CM = {"top": 2.5, "bottom": 2.5, "left": 2.9, "right": 2.9}
TEXT_WIDTH_CM = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]  # 15.2
EMU_PER_TWIP = 635  # Word keeps page and table measures in twentieths of a point
EMU_PER_CM = 360_000
CELL_MARGIN_CM = 0.1  # left and right in every cell (Word's default is 0.19)
TABLE_FONT_PT = 9
BODY_FONT = "Calibri"
TABLE_FONT_SIZES = (9.0, 8.0, 7.0)  # a table whose words do not fit at 9 pt tries these

DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
)
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


# -- the agency's template ------------------------------------------------------------


def read_template(path: str | Path) -> bytes:
    """The Word template at ``path`` as a .docx package python-docx opens: a .dotx's main
    part is given the document content type (in memory; the file is only read). A .docx
    is taken as it is. Anything else is a one-line error naming the file."""
    from qualcode.io.archive import open_zip

    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise QualcodeError(_("is a folder, not a Word template (.dotx)"), file=name) from None
    except FileNotFoundError:
        raise QualcodeError(_("no such Word template (.dotx)"), file=name) from None
    except OSError as exc:
        raise QualcodeError(
            _("cannot read the Word template ({reason})").format(reason=exc.strerror or exc),
            file=name,
        ) from None
    try:
        with open_zip(data, name, what=_("Word template (.dotx)")) as archive:
            types = _member(archive, "[Content_Types].xml", name)
            fixed = _document_types(types, name)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
                for info in archive.infolist():
                    body = fixed if info.filename == "[Content_Types].xml" else archive.read(info)
                    package.writestr(info.filename, body)
    except QualcodeError:
        raise
    except Exception as exc:  # a damaged member, a bad CRC: one line, not a traceback
        raise QualcodeError(
            _("not a readable Word template ({reason})").format(reason=exc), file=name
        ) from None
    data = out.getvalue()
    try:
        new_document(data)  # python-docx must open it, and it must have a page setup
    except QualcodeError as exc:
        raise QualcodeError(exc.detail, file=name) from None
    except Exception as exc:
        raise QualcodeError(
            _("not a readable Word template ({reason})").format(reason=exc), file=name
        ) from None
    return data


def _kind(content_types: set[str | None]) -> str:
    """What a package is, from its main parts' content types."""
    found = " ".join(sorted(t for t in content_types if t))
    if "spreadsheetml" in found:
        return _("not a Word template (.dotx) but an Excel workbook")
    if "presentationml" in found:
        return _("not a Word template (.dotx) but a PowerPoint presentation")
    if found:
        return _("not a Word template (.dotx) but a package of {types}").format(types=found)
    return _("not a Word template (.dotx) but a package without a main part")


def _member(archive, member: str, name: str) -> bytes:
    try:
        return archive.read(member)
    except KeyError:
        raise QualcodeError(
            _("not a Word template: the package has no {member}").format(member=member),
            file=name,
        ) from None


def _document_types(types: bytes, name: str) -> bytes:
    """[Content_Types].xml with the template's main part typed as a document's."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(types, parser)
    except etree.XMLSyntaxError:
        raise QualcodeError(
            _("not a Word template: its [Content_Types].xml is damaged"), file=name
        ) from None
    main = [
        o
        for o in root.iter(f"{{{_CT_NS}}}Override")
        if (o.get("ContentType") or "").endswith(".main+xml")
    ]
    kinds = {o.get("ContentType") for o in main}
    if kinds & set(MACRO_TYPES):
        raise QualcodeError(
            _("a Word template with macros (.dotm) is not used; save it as a .dotx"), file=name
        )
    words = [o for o in main if o.get("ContentType") in (DOCUMENT_TYPE, TEMPLATE_TYPE)]
    if not words:
        raise QualcodeError(_kind(kinds), file=name)
    for override in words:
        override.set("ContentType", DOCUMENT_TYPE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -- a new document -----------------------------------------------------------------------


def new_document(template: bytes | None = None, *, title: str = "") -> DocxDocument:
    """A document to write the report into: python-docx's own, on A4 with the report's
    margins and marked in the language in use (Danish or English, for Word's
    spelling); or the template's (from :func:`read_template`) with its
    body emptied, its page setup, header, footer and styles kept. The styles the report
    uses are added where the template lacks them."""
    from docx import Document
    from docx.shared import Cm

    if template is None:
        doc = Document()
        set_language(doc)
        # python-docx's own theme sets the text in Cambria (a serif); the report, its
        # charts and the HTML are in Calibri
        doc.styles["Normal"].font.name = BODY_FONT
        for section in doc.sections:
            section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
            section.top_margin, section.bottom_margin = (
                Cm(MARGINS_CM["top"]),
                Cm(MARGINS_CM["bottom"]),
            )
            section.left_margin, section.right_margin = (
                Cm(MARGINS_CM["left"]),
                Cm(MARGINS_CM["right"]),
            )
    else:
        doc = Document(io.BytesIO(template))
        _empty_body(doc)
        text_width(doc)  # a template without a page size or margins is refused
    ensure_styles(doc)
    if title:
        doc.core_properties.title = visible(title)
    doc.core_properties.language = language_tag()
    return doc


def _empty_body(doc: DocxDocument) -> None:
    """Leave out the template's body text (paragraphs, tables, content controls), keeping
    the last section's properties: the page setup and the header and footer it names."""
    doc.element.body.clear_content()


def language_tag() -> str:
    """The language of the text qualcode writes, as Word names it: 'da-DK', 'en-GB'."""
    return {"en": "en-GB"}.get(numbers_language(), "da-DK")


def set_language(doc: DocxDocument) -> None:
    """Mark the default text as Danish (or English), so Word spell-checks it as such."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language_tag())


def text_width(doc: DocxDocument) -> int:
    """The width of the last section's text column, in EMU."""
    section = doc.sections[-1]
    page, left, right = section.page_width, section.left_margin, section.right_margin
    if page is None or left is None or right is None:
        raise QualcodeError(_("the Word template has no page size or margins"))
    width = int(page) - int(left) - int(right)
    if width <= 2 * EMU_PER_CM:
        raise QualcodeError(_("the Word template's text column is narrower than 2 cm"))
    return width


def style_names(doc: DocxDocument) -> set[str]:
    return {s.name for s in doc.styles if s.name}


def ensure_styles(doc: DocxDocument) -> None:
    """Add the paragraph styles the report uses where the document has none of that name:
    Heading 1-4, Caption and Quote (a template need not define them)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    have = style_names(doc)
    normal = doc.styles["Normal"] if "Normal" in have else None
    for level, size in ((1, 16), (2, 13), (3, 12), (4, 11)):
        name = f"Heading {level}"
        if name in have:
            continue
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold = True
        style.font.size = Pt(size)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12 if level < 3 else 8)
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level - 1))
        style.element.get_or_add_pPr().append(outline)
    if "Caption" not in have:
        style = doc.styles.add_style("Caption", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold = True
        style.font.size = Pt(9)
        style.paragraph_format.space_after = Pt(4)
    if "Quote" not in have:
        style = doc.styles.add_style("Quote", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.italic = True
        style.paragraph_format.left_indent = Cm(1)
        style.paragraph_format.right_indent = Cm(1)


def add_heading(doc: DocxDocument, text: str, level: int) -> None:
    doc.add_heading(visible(text), level=level)


def add_note(doc: DocxDocument, text: str) -> None:
    """A note under a table or figure: small italics."""
    from docx.shared import Pt

    run = doc.add_paragraph().add_run(visible(text))
    run.italic = True
    run.font.size = Pt(8)


# -- captions ---------------------------------------------------------------------------


def add_caption(doc: DocxDocument, label: str, number: int, text: str) -> None:
    """'Tabel 1: …' in the Caption style, above its table or figure (kept on its page)."""
    para = doc.add_paragraph(style="Caption")
    para.paragraph_format.keep_with_next = True
    para.add_run(f"{label} ")
    _seq_field(para, label, number)
    para.add_run(visible(f": {text}"))


def _seq_field(para, label: str, number: int) -> None:
    """A SEQ field numbering ``label`` (its shown result ``number``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(tag: str, **attrs: str):
        run = para.add_run()
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        run._r.append(element)
        return element

    run_with("w:fldChar", **{"w:fldCharType": "begin"})
    instr = run_with("w:instrText", **{"xml:space": "preserve"})
    instr.text = f" SEQ {label} \\* ARABIC \\r {number} "
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    para.add_run(str(number))
    run_with("w:fldChar", **{"w:fldCharType": "end"})


# -- pictures ---------------------------------------------------------------------------


def add_picture(doc: DocxDocument, image: bytes) -> None:
    """The picture at its own size, or narrowed to the text width if it is wider."""
    from docx.image.image import Image
    from docx.shared import Emu

    native = int(Image.from_blob(image).width)
    para = doc.add_paragraph()
    para.add_run().add_picture(io.BytesIO(image), width=Emu(min(native, text_width(doc))))


# -- tables -----------------------------------------------------------------------------


def add_table(
    doc: DocxDocument,
    head: list[str],
    body: list[list[str]],
    *,
    numeric: frozenset[int] | set[int] = frozenset(),
) -> Table:
    """A table over the whole text width: the head bold and repeated on every page, rows
    that do not split, 9 pt text (smaller where the words need it, see
    :func:`fit_columns`) made safe (control characters as symbols; an indent of two
    spaces kept; no line break inside "43 %" or "+2,9 pp"), the ``numeric`` columns
    right-aligned.

    The columns' widths come from :func:`fit_columns`."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    head_text, cells_text = _prepared(head, body)
    total = text_width(doc) // EMU_PER_TWIP
    twips, size = fit_columns(head_text, cells_text, total)
    table = doc.add_table(rows=1, cols=len(head))
    grid(doc, table)
    table.autofit = False
    _table_width(table, total)
    _cell_margins(table)
    for col, w in zip(table._tbl.tblGrid.gridCol_lst, twips, strict=True):
        col.w = w * EMU_PER_TWIP
    for cell, text in zip(table.rows[0].cells, head_text, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    for cells in cells_text:
        row = table.add_row().cells
        for i, (cell, text) in enumerate(zip(row, cells, strict=True)):
            para = cell.paragraphs[0]
            para.add_run(text).font.size = Pt(size)
            if i in numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for i, row in enumerate(table.rows):
        _row_properties(row, header=i == 0)
        for cell, w in zip(row.cells, twips, strict=True):
            cell.width = w * EMU_PER_TWIP
    return table


def grid(doc: DocxDocument, table: Table) -> None:
    """Thin lines around every cell: the document's Table Grid style, or in a template
    without it, borders on the table itself."""
    if "Table Grid" in style_names(doc):
        table.style = doc.styles["Table Grid"]
    else:
        _borders(table)


def _prepared(head: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    return [_cell_text(h) for h in head], [[_cell_text(c) for c in row] for row in body]


def _cell_text(text: str) -> str:
    """Text for a cell: control characters as symbols, a two-space indent kept, and a
    unit kept on the line of its number."""
    out = visible(text).replace("  ", "\u00a0\u00a0")
    return out.replace(" %", "\u00a0%").replace(" pp", "\u00a0pp")


def _cell_margins(table: Table) -> None:
    """Left and right cell margins of :data:`CELL_MARGIN_CM`, for every cell."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round(CELL_MARGIN_CM * EMU_PER_CM / EMU_PER_TWIP)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    _insert(
        table._tbl.tblPr,
        margins,
        after=(
            "w:tblStyle",
            "w:tblpPr",
            "w:tblOverlap",
            "w:bidiVisual",
            "w:tblStyleRowBandSize",
            "w:tblStyleColBandSize",
            "w:tblW",
            "w:jc",
            "w:tblCellSpacing",
            "w:tblInd",
            "w:tblBorders",
            "w:shd",
            "w:tblLayout",
        ),
    )


def add_captioned_table(
    doc: DocxDocument,
    label: str,
    number: int,
    caption: str,
    head: list[str],
    body: list[list[str]],
    *,
    numeric: frozenset[int] | set[int] = frozenset(),
    notes: list[str] | tuple[str, ...] = (),
) -> Table:
    """ "Tabel N: …", the table and its notes; on landscape pages of their own when the
    table's longest words do not fit the text column even at 7 pt (a theme matrix with a
    column per theme). Call :func:`finish` before saving."""
    wide = not fits(doc, head, body)
    if wide:
        _turn(doc, landscape=True)
    add_caption(doc, label, number, caption)
    table = add_table(doc, head, body, numeric=numeric)
    for note in notes:
        add_note(doc, note)
    if wide:
        _turn(doc, landscape=False)
    return table


def fits(doc: DocxDocument, head: list[str], body: list[list[str]]) -> bool:
    """Whether the table's longest words fit the text column (at 7 pt or more)."""
    return fitting(*_prepared(head, body), text_width(doc) // EMU_PER_TWIP) is not None


def _turn(doc: DocxDocument, *, landscape: bool) -> None:
    """A new section on a new page, turned; margins, header and footer as before."""
    from docx.enum.section import WD_SECTION

    turn(doc.add_section(WD_SECTION.NEW_PAGE), landscape=landscape)


def turn(section, *, landscape: bool) -> None:
    """Lay ``section``'s pages on their side (or upright again)."""
    from docx.enum.section import WD_ORIENT

    width, height = section.page_width, section.page_height
    if width is not None and height is not None and (width > height) != landscape:
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def finish(doc: DocxDocument) -> None:
    """Drop a last section with nothing in it (after a landscape table at the very end),
    so the document does not end on an empty page."""
    from docx.oxml.ns import qn

    body = doc.element.body
    children = list(body)
    if len(children) < 2 or children[-1].tag != qn("w:sectPr"):
        return
    last = children[-2]
    if last.tag != qn("w:p") or last.find(qn("w:pPr")) is None:
        return
    inner = last.find(qn("w:pPr")).find(qn("w:sectPr"))
    if inner is None or "".join(last.itertext()).strip() or len(last) > 1:
        return
    body.remove(children[-1])
    body.remove(last)
    body.append(inner)


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` twips split in proportion to ``weights``, as whole twips summing to it."""
    scale = total / sum(weights)
    out = [int(w * scale) for w in weights]
    for i in range(total - sum(out)):  # the rounding's remainder, a twip each
        out[i % len(out)] += 1
    return out


def _table_width(table: Table, twips: int) -> None:
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        from docx.oxml import OxmlElement

        width = OxmlElement("w:tblW")
        _insert(tbl_pr, width, after=("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(twips))


def _row_properties(row, *, header: bool) -> None:
    """cantSplit on every row; tblHeader on the head (in the schema's order)."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.insert_element_before(
        OxmlElement("w:cantSplit"),
        *("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins"),
        *("w:del", "w:trPrChange"),
    )
    if header:
        tr_pr.insert_element_before(
            OxmlElement("w:tblHeader"),
            *("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),
        )


def _borders(table: Table) -> None:
    """Thin borders on every cell, for a template without the Table Grid style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "auto")
        borders.append(line)
    _insert(
        table._tbl.tblPr,
        borders,
        after=(
            "w:tblStyle",
            "w:tblpPr",
            "w:tblOverlap",
            "w:bidiVisual",
            "w:tblStyleRowBandSize",
            "w:tblStyleColBandSize",
            "w:tblW",
            "w:jc",
            "w:tblCellSpacing",
            "w:tblInd",
        ),
    )


def _insert(parent, child, *, after: tuple[str, ...]) -> None:
    """Put ``child`` after the last of ``parent``'s children named in ``after``."""
    from docx.oxml.ns import qn

    tags = {qn(t) for t in after}
    position = 0
    for i, existing in enumerate(parent):
        if existing.tag in tags:
            position = i + 1
    parent.insert(position, child)


# -- column widths ------------------------------------------------------------------------


def _font(bold: bool):
    """DejaVu Sans, which matplotlib always carries: wider than Calibri (the document's
    font), Carlito, Arial and Liberation Sans, and what LibreOffice falls back to where
    none of those is installed; a column wide enough in it is wide enough in any of them."""
    import matplotlib
    from matplotlib.ft2font import FT2Font

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return FT2Font(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name))


_FONTS: dict[bool, object] = {}
_WIDTHS: dict[tuple[str, bool], float] = {}


def text_cm(text: str, *, font_pt: float = TABLE_FONT_PT, bold: bool = False) -> float:
    """The width of ``text`` on one line, in cm (measured in DejaVu Sans)."""
    key = (text, bold)
    if key not in _WIDTHS:
        font = _FONTS.get(bold)
        if font is None:
            font = _FONTS[bold] = _font(bold)
        font.set_size(100, 72)  # type: ignore[attr-defined]
        font.set_text(text, 0.0)  # type: ignore[attr-defined]
        width = font.get_width_height()[0] / 64  # type: ignore[attr-defined]
        _WIDTHS[key] = width / 100  # in ems
    return _WIDTHS[key] * font_pt * 2.54 / 72


def _words(text: str) -> list[str]:
    """The parts a line may break between: split at spaces, not at no-break spaces."""
    return [w for w in re.split(r"[ \t\n]+", text) if w]


def column_widths(
    head: list[str], body: list[list[str]], total: int, *, font_pt: float = TABLE_FONT_PT
) -> list[int] | None:
    """Widths in twips for the columns of a table ``total`` twips wide, summing to it; or
    None when the longest words do not fit at ``font_pt``.

    As a browser lays out a table: each column needs at least its longest word (the
    head's in bold) and would like its longest cell on one line. When everything fits
    on one line the room is shared in proportion; else every column gets its longest word
    and the room left goes to the columns in proportion to how much more they would like."""
    pad = 2 * CELL_MARGIN_CM + 0.08
    least: list[float] = []
    most: list[float] = []
    for i, title in enumerate(head):
        column = [row[i] for row in body if i < len(row)]
        words = [text_cm(w, font_pt=font_pt, bold=True) for w in _words(title)]
        words += [text_cm(w, font_pt=font_pt) for cell in column for w in _words(cell)]
        lines = [text_cm(title, font_pt=font_pt, bold=True)]
        lines += [text_cm(cell, font_pt=font_pt) for cell in column]
        least.append(max(words, default=0.0) + pad)
        most.append(max(lines) + pad)
    avail = total * EMU_PER_TWIP / EMU_PER_CM
    if sum(least) > avail:
        return None
    if sum(most) <= avail:
        widths = [m * avail / sum(most) for m in most]
    else:
        room, wanted = avail - sum(least), sum(most) - sum(least)
        widths = [lo + (hi - lo) * room / wanted for lo, hi in zip(least, most, strict=True)]
    return _split(total, widths)


def fitting(head: list[str], body: list[list[str]], total: int) -> tuple[list[int], float] | None:
    """Column widths (twips) and the font size for a table ``total`` twips wide: 9 pt, or
    8 or 7 pt when the longest words need it; None if they do not fit even at 7 pt."""
    for size in TABLE_FONT_SIZES:
        widths = column_widths(head, body, total, font_pt=size)
        if widths is not None:
            return widths, size
    return None


def fit_columns(head: list[str], body: list[list[str]], total: int) -> tuple[list[int], float]:
    """As :func:`fitting`; a table too wide even at 7 pt gets its columns in proportion
    to their longest words (and the longest break)."""
    fitted = fitting(head, body, total)
    if fitted is not None:
        return fitted
    size = TABLE_FONT_SIZES[-1]
    least = [
        max(
            [text_cm(w, font_pt=size, bold=True) for w in _words(title)]
            + [text_cm(w, font_pt=size) for row in body for w in _words(row[i])],
            default=0.0,
        )
        + 2 * CELL_MARGIN_CM
        for i, title in enumerate(head)
    ]
    return _split(total, least), size
