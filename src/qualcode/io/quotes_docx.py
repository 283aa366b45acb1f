"""Quotes as a Word document, in the report's form: ``"…" – Arbejdsmarkedschef``.

One Heading 2 per theme (the code's label), each quote an italic paragraph in Word's
Quote style, attributed as ``attribute`` says (see :mod:`qualcode.io.quoting`: by role by
default, so a survey answer names no one); with ``respondent`` a small source line naming
the jobcentre and the question follows each quote. The page is the report's A4, or the
agency's template (:mod:`qualcode.io.word`); the proofing language is Danish. Control
characters in the text (which Word's XML cannot hold) are shown as visible symbols.

    >>> data = quotes_docx(project.quotes("hjaelpemidler"), title="Citater")  # doctest: +SKIP
    >>> write_file("citater.docx", data)                                      # doctest: +SKIP
"""

from __future__ import annotations

import io
from itertools import groupby
from typing import TYPE_CHECKING

from qualcode.i18n import translator
from qualcode.io.quoting import DASH, DEFAULT_ATTRIBUTE, check_attribute, source, speaker
from qualcode.safe import visible

_, _n = translator("io")

if TYPE_CHECKING:
    from qualcode.models import Quote


def source_style() -> str:
    """The paragraph style of a quote's source line (a style of its own, named in the
    language of the document)."""
    return _("Kilde")


def quotes_docx(
    quotes: list[Quote],
    *,
    title: str,
    attribute: str = DEFAULT_ATTRIBUTE,
    template: bytes | None = None,
) -> bytes:
    """A .docx with the quotes grouped under their theme, in the order given."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    from qualcode.io.word import add_heading, new_document, style_names

    check_attribute(attribute)
    doc = new_document(template, title=title)
    source_name = source_style()
    if source_name not in style_names(doc):
        style = doc.styles.add_style(source_name, WD_STYLE_TYPE.PARAGRAPH)
        if "Normal" in style_names(doc):
            style.base_style = doc.styles["Normal"]
        style.font.size = Pt(9)
        style.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(10)

    add_heading(doc, title, 1)
    if not quotes:
        doc.add_paragraph(_("Ingen citater."))
    for label, group in groupby(quotes, key=lambda q: q.label):
        add_heading(doc, label, 2)
        for q in group:
            para = doc.add_paragraph(style="Quote")
            said = para.add_run(visible(f'"{q.text}"'))
            said.italic = True
            if who := speaker(q, attribute):
                para.add_run(visible(f" {DASH} {who}")).italic = False
            if where := source(q, attribute):
                doc.add_paragraph(visible(where), style=source_name)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
