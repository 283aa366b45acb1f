"""Quotes as a Word document, in the report's form: ``"…" – Arbejdsmarkedschef``.

One Heading 2 per theme (the code's label), each quote an italic paragraph in Word's
Quote style followed by `` – Role``, and unless anonymous a small source line naming
the jobcentre and the question. The page is the report's A4 (:mod:`qualcode.io.word`);
the proofing language is Danish. Control
characters in the text (which Word's XML cannot hold) are shown as visible symbols.

    >>> data = quotes_docx(project.quotes("hjaelpemidler"), title="Citater")  # doctest: +SKIP
    >>> write_file("citater.docx", data)                                      # doctest: +SKIP
"""

from __future__ import annotations

import io
from itertools import groupby
from typing import TYPE_CHECKING

from qualcode.safe import visible

if TYPE_CHECKING:
    from qualcode.models import Quote

SOURCE_STYLE = "Kilde"
ANONYMOUS_SPEAKER = "Jobcenter"
_DASH = "\u2013"


def speaker(quote: Quote, *, anonymous: bool = False) -> str:
    """Who the quote is attributed to: the role, as the report prints it.

    Answers without a role are attributed to the jobcentre, or to "Jobcenter" when the
    document is anonymous, so an anonymous document never names a jobcentre.
    """
    if quote.role:
        return quote.role
    if anonymous:
        return ANONYMOUS_SPEAKER
    return quote.respondent_name or quote.respondent


def source_line(quote: Quote) -> str:
    """'JC21 Jobcenter Bakkekammen, interview, uddrag 8' (as the Markdown export has it)."""
    where = f"{quote.respondent} {quote.respondent_name}".strip()
    excerpt = f", uddrag {quote.item_number}" if quote.role else ""
    return f"{where}, {quote.question}{excerpt}"


def quotes_docx(quotes: list[Quote], *, title: str, anonymous: bool = False) -> bytes:
    """A .docx with the quotes grouped under their theme, in the order given."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    from qualcode.io.word import new_document, style_names

    doc = new_document(title=title)
    styles = style_names(doc)
    quote_style = "Quote"
    if SOURCE_STYLE not in styles:
        source = doc.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        source.base_style = doc.styles["Normal"]
        source.font.size = Pt(9)
        source.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        source.paragraph_format.space_before = Pt(0)
        source.paragraph_format.space_after = Pt(10)

    doc.add_heading(visible(title), level=1)
    if not quotes:
        doc.add_paragraph("Ingen citater.")
    for label, group in groupby(quotes, key=lambda q: q.label):
        doc.add_heading(visible(label), level=2)
        for q in group:
            para = doc.add_paragraph(style=quote_style)
            said = para.add_run(visible(f'"{q.text}"'))
            said.italic = True
            who = para.add_run(visible(f" {_DASH} {speaker(q, anonymous=anonymous)}"))
            who.italic = False
            if not anonymous:
                doc.add_paragraph(visible(source_line(q)), style=SOURCE_STYLE)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
