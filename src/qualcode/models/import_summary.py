"""What an import did (:class:`ImportSummary`); see :mod:`qualcode.models`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from qualcode.i18n import numbers_language, translator
from qualcode.models import REFIQDA
from qualcode.safe import one_line

_, _n = translator("core")


def _count(n: int) -> str:
    """A count in a message: '12.345' in Danish, '12,345' in English."""
    text = f"{n:,}"
    return text if numbers_language() == "en" else text.replace(",", ".")


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
