"""Plain dataclasses the project API hands out (never raw database rows), shared by every
layer. Imports nothing of qualcode but :mod:`qualcode.safe` and :mod:`qualcode.i18n`
(which import nothing of the layers above).

The classes nearly every command needs (:class:`Code`, :class:`Noun`, :class:`Question`)
are here; the others (:class:`Item`, :class:`Coding`, :class:`Respondent`, :class:`Quote`,
:class:`Disagreement`, :class:`Change`, :class:`Summary`, :class:`Memo`,
:class:`ImportSummary`) are each in a module of this package, loaded when the class is
first named: ``from qualcode.models import Quote`` works as it always did. Building a
frozen dataclass costs about half a millisecond (Python compiles each of its methods),
and ``qualcode counts`` or ``info`` make none of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.i18n import translator

if TYPE_CHECKING:
    from qualcode.models.change import Change as Change
    from qualcode.models.coding import Coding as Coding
    from qualcode.models.disagreement import Disagreement as Disagreement
    from qualcode.models.import_summary import ImportSummary as ImportSummary
    from qualcode.models.item import Item as Item
    from qualcode.models.memo import Memo as Memo
    from qualcode.models.quote import Quote as Quote
    from qualcode.models.respondent import Respondent as Respondent
    from qualcode.models.summary import Summary as Summary

_, _n = translator("core")

# the classes loaded when first named, and the module of this package each is in
_LOADED_LATER = {
    "Change": "change",
    "Coding": "coding",
    "Disagreement": "disagreement",
    "ImportSummary": "import_summary",
    "Item": "item",
    "Memo": "memo",
    "Quote": "quote",
    "Respondent": "respondent",
    "Summary": "summary",
}


# mypy sees the real classes through the imports above; these are hidden from it, so that
# a misspelt name is still an error there
if not TYPE_CHECKING:

    def __getattr__(name: str) -> type:
        """``qualcode.models.Quote`` (and ``from qualcode.models import Quote``): the class,
        from its module, imported the first time it is named (PEP 562)."""
        module = _LOADED_LATER.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        cls: type = getattr(import_module(f"{__name__}.{module}"), name)
        globals()[name] = cls  # named from now on without this function
        return cls

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LOADED_LATER})


@dataclass(frozen=True)
class Code:
    """One theme in a codebook."""

    key: str
    label: str
    definition: str = ""
    source: str = ""
    color: str = "#7F7F7F"
    keywords: tuple[str, ...] = ()
    parent: str | None = None
    published_count: int | None = None
    published_base: int | None = None
    published_year: int | None = None
    other: bool = False

    @property
    def published(self) -> str:
        """The report's figure ("Rapporten: 15 ud af 35"), or '' if the codebook has none."""
        if self.published_count is None:
            return ""
        if self.published_base is None:
            return _("Rapporten: {n}").format(n=self.published_count)
        return _("Rapporten: {n} ud af {base}").format(
            n=self.published_count, base=self.published_base
        )


@dataclass(frozen=True)
class Noun:
    """What a project's respondents are, singular and plural ("jobcenter/jobcentre",
    "kommune/kommuner"): the unit every table, chart and message counts in."""

    singular: str
    plural: str

    MAX = 40  # characters of each form

    @classmethod
    def parse(cls, text: str) -> Noun:
        """'kommune/kommuner' -> Noun; ValueError (one line, saying what is wrong) else."""
        parts = [p.strip() for p in str(text).split("/")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(
                _("the noun must be 'singular/plural', e.g. 'kommune/kommuner', not {text}").format(
                    text=repr(text)
                )
            )
        for part in parts:
            if len(part) > cls.MAX or any(not ch.isprintable() for ch in part):
                raise ValueError(
                    _("the noun {noun} must be printable text of at most {n} characters").format(
                        noun=repr(part), n=cls.MAX
                    )
                )
        return cls(parts[0], parts[1])

    def __str__(self) -> str:
        return f"{self.singular}/{self.plural}"

    @property
    def Plural(self) -> str:  # noqa: N802 - the plural as a heading starts a sentence
        return self.plural[:1].upper() + self.plural[1:]


JOBCENTRE = Noun("jobcenter", "jobcentre")  # the agency's surveys, and every older project


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str  # 'open' or 'interview'
    codebook: str
    position: int


REFIQDA = "refiqda"  # ImportSummary.kind of a REFI-QDA import (.qdc, .qdpx, .qde)
