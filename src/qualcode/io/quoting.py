"""Who a quote is attributed to, in everything that is published: the report in every
format, ``qualcode quotes`` (Markdown and DOCX) and the workbench's quote exports.

The report's own practice (Epinion & Discus for STAR, 2019) is the default: an interview
quote ends with the speaker's role (``"…" – Arbejdsmarkedschef``) and a survey answer is
printed on its own, naming no one. Three choices, ``--attribute``:

``role`` (the default)
    The speaker's role where the excerpt has one: interview quotes. Survey answers have no
    role, so they stand alone. No quote names its jobcentre.
``respondent``
    Every quote names where it comes from: an interview quote ends with the role, a
    survey answer with the jobcentre's name, and a source line follows
    (``JC21 Jobcenter Bakkekammen, interview, uddrag 8``). For the analysts' own use.
``none``
    No quote is attributed at all, not even to a role.

    >>> quote_line(q, "role")          # doctest: +SKIP
    '"Vi bruger den næsten aldrig." – Arbejdsmarkedschef'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.i18n import translator

if TYPE_CHECKING:
    from qualcode.models import Quote

_, _n = translator("io")

ATTRIBUTES = ("role", "respondent", "none")
DEFAULT_ATTRIBUTE = "role"
DASH = "\u2013"


def check_attribute(attribute: str) -> str:
    if attribute not in ATTRIBUTES:
        raise QualcodeError(
            _("quotes are attributed by {choices}, not '{attribute}'").format(
                choices=", ".join(ATTRIBUTES), attribute=attribute
            )
        )
    return attribute


def speaker(quote: Quote, attribute: str = DEFAULT_ATTRIBUTE) -> str:
    """Whom the quote is attributed to ('' for no one): the role, or with ``respondent``
    the jobcentre where the excerpt has no role."""
    check_attribute(attribute)
    if attribute == "none":
        return ""
    if quote.role:
        return quote.role
    if attribute == "respondent":
        return quote.respondent_name or quote.respondent
    return ""


def quote_line(quote: Quote, attribute: str = DEFAULT_ATTRIBUTE) -> str:
    """'"…" – Arbejdsmarkedschef', or '"…"' when it is attributed to no one."""
    who = speaker(quote, attribute)
    return f'"{quote.text}" {DASH} {who}' if who else f'"{quote.text}"'


def source_line(quote: Quote) -> str:
    """'JC21 Jobcenter Bakkekammen, interview, uddrag 8': where the quote comes from."""
    where = f"{quote.respondent} {quote.respondent_name}".strip()
    if quote.role:
        return _("{respondent}, {question}, uddrag {number}").format(
            respondent=where, question=quote.question, number=quote.item_number
        )
    return f"{where}, {quote.question}"


def source(quote: Quote, attribute: str = DEFAULT_ATTRIBUTE) -> str:
    """The source line with ``respondent``, else '' (it names the jobcentre)."""
    return source_line(quote) if check_attribute(attribute) == "respondent" else ""
