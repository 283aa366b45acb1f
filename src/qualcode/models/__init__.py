"""Plain dataclasses the project API hands out (never raw database rows), shared by every
layer. Imports nothing of qualcode but :mod:`qualcode.safe` and :mod:`qualcode.i18n`
(which import nothing of the layers above)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from qualcode.i18n import numbers_language, translator
from qualcode.safe import one_line

_, _n = translator("core")


def _count(n: int) -> str:
    """A count in a message: '12.345' in Danish, '12,345' in English."""
    text = f"{n:,}"
    return text if numbers_language() == "en" else text.replace(",", ".")


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
class Respondent:
    id: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return f"{self.id} {self.name}".strip() if self.name and self.name != self.id else self.id


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str  # 'open' or 'interview'
    codebook: str
    position: int


@dataclass(frozen=True)
class Item:
    """An open answer, or one turn of an interview transcript."""

    id: int
    question: str
    respondent: str
    position: int
    kind: str  # 'answer', 'excerpt' or 'interviewer'
    text: str
    speaker_role: str | None = None
    is_empty: bool = False
    respondent_name: str = ""

    @property
    def number(self) -> int:
        """1-based position within the respondent's transcript (always 1 for answers)."""
        return self.position + 1


@dataclass(frozen=True)
class Coding:
    id: int
    item_id: int
    code: str  # code key
    coder: str
    created_at: str
    start: int | None = None
    end: int | None = None
    memo: str = ""
    origin: str = ""  # '' typed by the coder; 'rule' or 'model' when an accepted suggestion

    @property
    def is_span(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class Quote:
    """A coded excerpt, ready to be printed the way the report prints quotes."""

    code: str
    label: str
    question: str
    respondent: str
    respondent_name: str
    role: str
    text: str
    item_id: int
    item_number: int
    coding_id: int
    coder: str
    start: int | None
    end: int | None
    starred: bool = False

    def formatted(self) -> str:
        """'"…" – Arbejdsmarkedschef', as the report prints an interview quote."""
        who = self.role or self.respondent_name or self.respondent
        return f'"{self.text}" \u2013 {who}'


@dataclass(frozen=True)
class Disagreement:
    """An item the coders coded differently: each coder's codes, and the agreed ones."""

    item: Item
    codes: dict[str, frozenset[str]]
    consensus: frozenset[str]
    settled: bool

    def agreed(self) -> frozenset[str]:
        """The codes every coder applied."""
        return frozenset.intersection(*self.codes.values())

    def any_coder(self) -> frozenset[str]:
        """The codes at least one coder applied."""
        return frozenset.union(*self.codes.values())


@dataclass(frozen=True)
class Change:
    """What an undo or redo did, and to which item (None for a codebook edit)."""

    text: str
    item_id: int | None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Summary:
    """The analyst's summary of what one respondent says about one theme of a question:
    a cell of the framework matrix. ``code`` is the theme's key; ``author`` wrote it last."""

    question: str
    respondent: str
    code: str
    text: str
    author: str
    at: str


@dataclass(frozen=True)
class Memo:
    id: int
    target: str
    target_id: str | None
    text: str
    author: str
    created_at: str
    updated_at: str


REFIQDA = "refiqda"  # ImportSummary.kind of a REFI-QDA import (.qdc, .qdpx, .qde)
# what only a REFI-QDA import counts (and logs)
_REFI_FIELDS = (
    "summaries_added",
    "codes_in_file",
    "codes_imported",
    "sources_imported",
    "selections_imported",
    "cases",
    "colours_replaced",
    "skipped",
    "sources_skipped",
    "codings_skipped",
    "positions",
)


@dataclass
class ImportSummary:
    """What an import did; ``changed`` is False when it found nothing new.

    Every kind of import returns one. A REFI-QDA import (``kind`` :data:`REFIQDA`) also
    counts what the file held (``codes_in_file`` ... ``colours_replaced``) and lists what
    it could not import (``skipped``), and :meth:`describe` says it in its own words.
    """

    file: str
    respondents_added: int = 0
    attributes_changed: int = 0
    items_added: int = 0
    items_empty: int = 0
    codings_added: int = 0
    codings_existing: int = 0
    codes_added: int = 0  # codes of codebooks the import brought into the project
    memos_added: int = 0
    no_theme_added: int = 0  # answers marked 'reviewed, no theme applies' (a '-' row)
    questions: list[str] = field(default_factory=list)
    # answers and excerpts whose text holds control characters (shown as symbols on screen)
    items_with_controls: int = 0
    # what the import left out or changed, and why, and what the analyst should check:
    # one line each ("skipped: ...", "warning: ..."); never dropped silently
    notes: list[str] = field(default_factory=list)
    # the import log's kind: 'answers' (also a register), 'interviews', 'codings', REFIQDA
    kind: str = ""
    # -- REFI-QDA only: what the file held, and what of it was imported
    summaries_added: int = 0  # framework summaries (a qualcode .qdpx's hints carry them)
    codes_in_file: int = 0
    codes_imported: int = 0
    sources_imported: int = 0
    selections_imported: int = 0
    cases: int = 0
    colours_replaced: int = 0
    skipped: list[str] = field(default_factory=list)  # what could not be imported, and why
    sources_skipped: int = 0  # sources without text (pictures, PDFs, audio, video, ...)
    codings_skipped: int = 0  # the codings those sources held
    # how the file's text positions were read ('UTF-16 code units, ...'), and why
    positions: str = ""

    @property
    def changed(self) -> bool:
        return bool(
            self.respondents_added
            or self.attributes_changed
            or self.items_added
            or self.codings_added
            or self.codes_added
            or self.memos_added
            or self.no_theme_added
            or self.summaries_added
        )

    def record(self) -> dict[str, object]:
        """The summary as the import log keeps it: every count, the REFI-QDA ones only for
        a REFI-QDA import (``kind`` is in the log's own column)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "kind"}
        if self.kind != REFIQDA:
            for name in _REFI_FIELDS:
                del data[name]
        return data

    def describe(self) -> str:
        """One line of what was imported, then one indented line per note."""
        if self.kind == REFIQDA:
            return self._describe_refi()
        return "\n".join([self._headline(), *(f"  {note}" for note in self.notes)])

    def _headline(self) -> str:
        if not self.changed:
            return _("{file}: nothing new (already in the project)").format(file=self.file)
        parts = []
        if self.respondents_added:
            n = self.respondents_added
            parts.append(_n("{n} respondent", "{n} respondents", n).format(n=_count(n)))
        if self.attributes_changed:
            n = self.attributes_changed
            parts.append(_n("{n} attribute value", "{n} attribute values", n).format(n=_count(n)))
        if self.items_added:
            n = self.items_added
            if self.items_empty:
                text = _n("{n} item ({empty} empty)", "{n} items ({empty} empty)", n)
            else:
                text = _n("{n} item", "{n} items", n)
            parts.append(text.format(n=_count(n), empty=_count(self.items_empty)))
        if self.codings_added:
            n = self.codings_added
            parts.append(_n("{n} coding", "{n} codings", n).format(n=_count(n)))
        if self.codings_existing:
            n = self.codings_existing
            parts.append(
                _n("{n} coding already present", "{n} codings already present", n).format(
                    n=_count(n)
                )
            )
        if self.no_theme_added:
            n = self.no_theme_added
            parts.append(
                _n("{n} answer marked 'no theme'", "{n} answers marked 'no theme'", n).format(
                    n=_count(n)
                )
            )
        if self.items_with_controls:
            n = self.items_with_controls
            parts.append(
                _n(
                    "{n} item holding control characters (kept as it is, shown as symbols)",
                    "{n} items holding control characters (kept as they are, shown as symbols)",
                    n,
                ).format(n=_count(n))
            )
        what = ", ".join(parts)
        if self.questions:
            return _("{file}: imported {what} for {questions}").format(
                file=self.file, what=what, questions=", ".join(self.questions)
            )
        return _("{file}: imported {what}").format(file=self.file, what=what)

    def _describe_refi(self) -> str:
        n = self.codes_imported
        parts = [_n("{n} code ({new} new)", "{n} codes ({new} new)", n).format(
            n=_count(n), new=_count(self.codes_added)
        )]  # fmt: skip
        if self.sources_imported:
            n = self.sources_imported
            new = _n("{n} item new", "{n} items new", self.items_added)
            parts.append(
                _n("{n} text source ({new})", "{n} text sources ({new})", n).format(
                    n=_count(n), new=new.format(n=_count(self.items_added))
                )
            )
            n = self.selections_imported
            new = _n(
                "{n} coding new, {present} already present",
                "{n} codings new, {present} already present",
                self.codings_added,
            ).format(n=_count(self.codings_added), present=_count(self.codings_existing))
            parts.append(
                _n("{n} selection ({new})", "{n} selections ({new})", n).format(
                    n=_count(n), new=new
                )
            )
        if self.cases:
            n = self.cases
            new = _n("{n} respondent new", "{n} respondents new", self.respondents_added)
            parts.append(
                _n("{n} case ({new})", "{n} cases ({new})", n).format(
                    n=_count(n), new=new.format(n=_count(self.respondents_added))
                )
            )
        if self.memos_added:
            n = self.memos_added
            parts.append(_n("{n} memo new", "{n} memos new", n).format(n=_count(n)))
        if self.summaries_added:
            n = self.summaries_added
            parts.append(
                _n("{n} framework summary new", "{n} framework summaries new", n).format(
                    n=_count(n)
                )
            )
        what, questions = ", ".join(parts), ", ".join(self.questions)
        if not self.codes_in_file and not self.sources_imported and not self.skipped:
            head = _("{file}: nothing to import (the file has no codes and no sources)").format(
                file=self.file
            )
        elif not self.changed:
            head = (
                _("{file}: nothing new ({what} into {questions} already in the project)")
                if questions
                else _("{file}: nothing new ({what} already in the project)")
            ).format(file=self.file, what=what, questions=questions)
        else:
            head = (
                _("{file}: imported {what} into {questions}")
                if questions
                else _("{file}: imported {what}")
            ).format(file=self.file, what=what, questions=questions)
        tail = []
        if self.colours_replaced:
            n = self.colours_replaced
            tail.append(
                _n("{n} invalid colour replaced", "{n} invalid colours replaced", n).format(
                    n=_count(n)
                )
            )
        if self.sources_skipped:
            n = self.sources_skipped
            codings = _n("{n} coding", "{n} codings", self.codings_skipped).format(
                n=_count(self.codings_skipped)
            )
            tail.append(
                _n(
                    "{n} source without text left out, with {codings}",
                    "{n} sources without text left out, with {codings}",
                    n,
                ).format(n=_count(n), codings=codings)
            )
        if self.positions:
            tail.append(self.positions)
        if self.skipped:
            tail.append(
                _("skipped {n}: {what}").format(
                    n=_count(len(self.skipped)), what="; ".join(self.skipped)
                )
            )
        head = "; ".join([head, *tail])
        # names and texts from the file stay on their line; a note is a line of its own
        return "\n".join([one_line(head), *(f"  {one_line(note)}" for note in self.notes)])
