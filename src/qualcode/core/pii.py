"""Personal data in answers and transcripts: find it, list it, redact it.

Three kinds are found:

- ``cpr``: Danish CPR numbers, ``DDMMYY-XXXX`` or ``DDMMYYXXXX``, only when the date is a
  real date. The century comes from the 7th digit as the CPR register defines it (0–3:
  1900s; 4 and 9: 2000s up to year 36, else 1900s; 5–8: 2000s up to year 57, else
  1800s), so 29 February is valid only in leap years. There is no modulus-11 check:
  numbers issued since 2007 need not pass it.
- ``phone``: Danish phone numbers, eight digits starting with 2–9, optionally after
  ``+45`` or ``0045``, written together or spaced in pairs or fours (``12345678``,
  ``12 34 56 78``, ``1234 5678``). Two four-digit years (``2017 2018``) are not a number.
- ``email``: e-mail addresses.

Redaction replaces each match with a placeholder (``[CPR]``, ``[TELEFON]``,
``[E-MAIL]``) in one transaction; coded spans on the item are shifted so they still
cover the same words, cached NLP rows of the item are dropped, and each redaction is
logged with where and what kind, never the matched text. SQLite's ``secure_delete`` is
switched on for the update and the write-ahead log is checkpointed afterwards, so the
old text does not linger in the project file's free pages.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.core.numbers import integer
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.store import codings as coding_store
from qualcode.store import db as store
from qualcode.store import events as event_store
from qualcode.store import items as item_store
from qualcode.store import nlp as nlp_store
from qualcode.store import pii as pii_store
from qualcode.store.pii import SpanMove

if TYPE_CHECKING:
    from qualcode.core.project import Project

_, _n = translator("core")

KINDS = ("cpr", "phone", "email")
# written into the answers in place of what they replace: data, the same in every language
PLACEHOLDERS = {"cpr": "[CPR]", "phone": "[TELEFON]", "email": "[E-MAIL]"}


class _KindNames(Mapping[str, str]):
    """kind -> its name ('CPR-nummer'), in the language in use when it is read."""

    def __getitem__(self, kind: str) -> str:
        if kind == "cpr":
            return _("CPR-nummer")
        if kind == "phone":
            return _("telefonnummer")
        if kind == "email":
            return _("e-mail")
        raise KeyError(kind)

    def __iter__(self) -> Iterator[str]:
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


KIND_NAMES: Mapping[str, str] = _KindNames()

_CPR = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})-?(\d{4})(?![\w]|[.,]\d|-\d)")
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ -])(?:(?:\+|00)45[ ]?)?"
    r"([2-9]\d{7}|[2-9]\d[ ]\d{2}[ ]\d{2}[ ]\d{2}|[2-9]\d{3}[ ]\d{4})"
    r"(?!\w|[.,]\d|[ -]\d)"
)
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_YEAR = re.compile(r"^(19|20)\d\d$")
# What a text must hold for a pattern to match in it, read off the patterns without
# their look-arounds and prefixes (a test checks it on varied text against the scan
# without these checks):
# - a CPR number: six digits, an optional dash, four digits (_CPR's groups); a phone
#   number: eight digits together, in pairs or in fours (_PHONE's group; its first digit
#   2-9 is a digit). '\d' is any decimal digit, as in the patterns. Years ('2019'),
#   amounts and paragraph numbers hold none of these;
# - an e-mail address: an '@'.
# Most answers hold no digit and no '@': _could_hold rules them out with `in` (memchr,
# in C) before any pattern runs.
_NUMBER = re.compile(r"\d\d(?:\d{4}-?\d{4}|\d{6}|\d\d \d{4}| \d\d \d\d \d\d)")
_DIGIT = re.compile(r"\d")
CONTEXT = 30


def _could_hold(text: str) -> bool:
    """False only when ``text`` holds no '@' and no decimal digit, so no pattern can
    match: checked for '@' and '0'-'9' with `in`; a decimal digit other than those is
    above U+00FF (none in Latin-1), so only a text that is not Latin-1 is searched for
    one."""
    if (
        "@" in text
        or "0" in text
        or "1" in text
        or "2" in text
        or "3" in text
        or "4" in text
        or "5" in text
        or "6" in text
        or "7" in text
        or "8" in text
        or "9" in text
    ):
        return True
    if text.isascii():
        return False
    try:
        text.encode("latin-1")  # a one-byte string is copied, not scanned
    except UnicodeEncodeError:
        return _DIGIT.search(text) is not None
    return False


def cpr_date(digits: str) -> date | None:
    """The birth date of a 10-digit CPR number, or None if it is no real date."""
    if len(digits) != 10 or not digits.isdigit():
        return None
    day, month, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:  # 5-8
        century = 2000 if yy <= 57 else 1800
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


def is_cpr(text: str) -> bool:
    """Is ``text`` exactly a CPR number with a valid date (with or without the dash)?"""
    m = _CPR.fullmatch(text.strip())
    return m is not None and cpr_date("".join(m.groups())) is not None


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    text: str


def find_in_text(text: str, kinds: Iterable[str] = KINDS, *, prefilter: bool = True) -> list[Match]:
    """Every match in a text, by position; CPR numbers win over phone numbers.

    The patterns run only where they can match (see _NUMBER): ``prefilter=False`` runs
    them on every text, with the same result (for checking that)."""
    digits = email = True
    if prefilter:
        if not _could_hold(text):
            return []
        digits = _NUMBER.search(text) is not None
        email = "@" in text
        if not (digits or email):
            return []
    kinds = set(kinds)
    found: list[Match] = []
    if not digits:
        kinds.discard("cpr")
        kinds.discard("phone")
    if not email:
        kinds.discard("email")
    if "cpr" in kinds or "phone" in kinds:  # a CPR number is never also a phone number
        cprs = [m for m in _CPR.finditer(text) if cpr_date("".join(m.groups()))]
        if "cpr" in kinds:
            found += [Match("cpr", m.start(), m.end(), m.group()) for m in cprs]
    if "phone" in kinds:
        taken = [(m.start(), m.end()) for m in cprs]
        for m in _PHONE.finditer(text):
            body = m.group(1)
            halves = body.split(" ")
            if len(halves) == 2 and all(_YEAR.match(h) for h in halves):
                continue
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            found.append(Match("phone", m.start(), m.end(), m.group()))
    if "email" in kinds:
        found += [Match("email", m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]
    found.sort(key=lambda m: (m.start, -m.end))
    out: list[Match] = []
    for hit in found:  # drop overlaps (an e-mail holding digits): the first, longest wins
        if out and hit.start < out[-1].end:
            continue
        out.append(hit)
    return out


def mask(text: str, kind: str) -> str:
    """A match shown without giving it away: '12••••-••••', 'a•••@jobcenter.dk'."""
    if kind == "email":
        local, _at, domain = text.partition("@")
        return f"{local[:1]}•••@{domain}"
    shown, out = 0, []
    for ch in text:
        if ch.isdigit():
            out.append(ch if shown < 2 else "•")
            shown += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_all(text: str, matches: Iterable[Match], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with every match in it masked. A match that the window cuts
    is masked whole (its mask replaces the part inside), so no digit of it shows unmasked.
    ``matches`` are those of the whole text, by position (:func:`find_in_text`)."""
    end = len(text) if end is None else end
    out, pos = [], start
    for m in matches:
        if m.end <= start or m.start >= end or m.end <= pos:
            continue
        if m.start > pos:
            out.append(text[pos : m.start])
        out.append(mask(m.text, m.kind))
        pos = m.end
    if pos < end:
        out.append(text[pos:end])
    return "".join(out)


@dataclass(frozen=True)
class Hit:
    """One match in one item of the project.

    ``before`` and ``after`` are the text around the match as it is; ``masked_before``
    and ``masked_after`` the same with every personal data in them masked, also matches
    of other kinds and those the window cuts (set by :func:`scan`)."""

    item_id: int
    question: str
    respondent: str
    respondent_name: str
    item_number: int
    role: str
    kind: str
    start: int
    end: int
    text: str
    before: str
    after: str
    masked_before: str | None = None
    masked_after: str | None = None

    @property
    def masked(self) -> str:
        return mask(self.text, self.kind)

    def context(self, *, masked: bool = True) -> str:
        """The match with the words around it, on one line; ``masked``: every personal
        data in it masked, not only this match."""
        if not masked:
            return " ".join(f"{self.before}{self.text}{self.after}".split())
        before = (
            self.masked_before
            if self.masked_before is not None
            else mask_all(self.before, find_in_text(self.before))
        )
        after = (
            self.masked_after
            if self.masked_after is not None
            else mask_all(self.after, find_in_text(self.after))
        )
        return " ".join(f"{before}{self.masked}{after}".split())


def _kinds(kinds: Iterable[str] | None) -> list[str]:
    chosen = list(kinds) if kinds else list(KINDS)
    for k in chosen:
        if k not in KINDS:
            raise QualcodeError(
                _("unknown kind of personal data '{kind}' (use {kinds})").format(
                    kind=k, kinds=", ".join(KINDS)
                )
            )
    return chosen


def scan(
    project: Project,
    *,
    questions: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    item_ids: Iterable[int] | None = None,
    items: Iterable[tuple[str, str, int]] | None = None,
) -> list[Hit]:
    """Every match in the project's answers and transcript turns (interviewer turns
    included), in question and file order; only in the items with ``item_ids``, or those
    at ``items`` (question, respondent, position), when given."""
    chosen = _kinds(kinds)
    qs: list[str] | None = None
    ids: list[int] | None = None
    if questions is not None:
        qs = [project.question(q).id for q in questions]
        if not qs:
            return []
    if items is not None:
        ids = pii_store.item_ids(project.db, items)
        if item_ids is not None:
            wanted = set(item_ids)
            ids = [i for i in ids if i in wanted]
    elif item_ids is not None:
        ids = list(item_ids)
    if ids is not None and not ids:
        return []
    rows = pii_store.scan_rows(project.db, qs, ids)
    out = []
    every_kind = set(chosen) == set(KINDS)
    for item_id, qid, rid, name, position, role, text in rows:
        found = find_in_text(text, chosen)
        if not found:
            continue
        # the context is masked with every match of the text, of any kind
        everything = found if every_kind else find_in_text(text)
        for m in found:
            lo, hi = max(0, m.start - CONTEXT), m.end + CONTEXT
            out.append(
                Hit(
                    item_id=item_id,
                    question=qid,
                    respondent=rid,
                    respondent_name=name or "",
                    item_number=position + 1,
                    role=role or "",
                    kind=m.kind,
                    start=m.start,
                    end=m.end,
                    text=m.text,
                    before=text[lo : m.start],
                    after=text[m.end : hi],
                    masked_before=mask_all(text, everything, lo, m.start),
                    masked_after=mask_all(text, everything, m.end, hi),
                )
            )
    return out


def holding(texts: Iterable[str]) -> list[int]:
    """The positions of the texts that hold personal data of any kind (as
    :func:`find_in_text` finds it): most texts are ruled out by a check in C."""
    return [i for i, text in enumerate(texts) if _could_hold(text) and find_in_text(text)]


def count_in_texts(texts: Iterable[str], kinds: Iterable[str] | None = None) -> int:
    """How many matches a set of texts holds (for warning on exports)."""
    chosen = _kinds(kinds)
    return sum(len(find_in_text(t, chosen)) for t in texts)


def summary_line(hits: list[Hit]) -> str:
    """'3 possible personal data: 1 CPR number, 2 phone numbers'."""
    parts = []
    for kind in KINDS:
        n = sum(1 for h in hits if h.kind == kind)
        if not n:
            continue
        if kind == "cpr":
            text = _n("{n} CPR number", "{n} CPR numbers", n)
        elif kind == "phone":
            text = _n("{n} phone number", "{n} phone numbers", n)
        else:
            text = _n("{n} e-mail address", "{n} e-mail addresses", n)
        parts.append(text.format(n=integer(n)))
    if not parts:
        return _("{n} possible personal data").format(n=integer(len(hits)))
    return _("{n} possible personal data: {kinds}").format(
        n=integer(len(hits)), kinds=", ".join(parts)
    )


# -- redaction ------------------------------------------------------------------------


def _shift(pos: int, edits: list[tuple[int, int, int]], *, is_end: bool) -> int:
    """Where an old offset lands after replacing spans: edits are (start, end, new length),
    sorted. An offset inside a replaced span moves to the placeholder's start (a start) or
    end (an end), so a coded passage keeps covering the words it covered."""
    delta = 0
    for start, end, new_len in edits:
        if pos >= end:
            delta += new_len - (end - start)
        elif pos > start:
            return start + delta + (new_len if is_end else 0)
        else:
            break
    return pos + delta


def redact(project: Project, hits: Iterable[Hit]) -> int:
    """Replace each hit's text with its placeholder, in one transaction. Hits whose text
    is no longer where it was found (already redacted, or the item changed) are skipped.
    Returns how many were redacted."""
    by_item: dict[int, list[Hit]] = {}
    for h in hits:
        by_item.setdefault(h.item_id, []).append(h)
    if not by_item:
        return 0
    conn = project.db
    secure = pii_store.secure_delete(conn, 1)  # ON
    done = 0
    try:
        with project.transaction():
            for item_id, item_hits in sorted(by_item.items()):
                row = pii_store.item_text(project.db, item_id)
                if row is None:
                    continue
                text, qid, rid, position = row
                chosen: list[Hit] = []
                for h in sorted(item_hits, key=lambda h: h.start):
                    if text[h.start : h.end] != h.text or (chosen and h.start < chosen[-1].end):
                        continue
                    chosen.append(h)
                if not chosen:
                    continue
                edits = [(h.start, h.end, len(PLACEHOLDERS[h.kind])) for h in chosen]
                parts, last = [], 0
                for h in chosen:
                    parts += [text[last : h.start], PLACEHOLDERS[h.kind]]
                    last = h.end
                parts.append(text[last:])
                item_store.set_text(project.db, item_id, "".join(parts))
                shifted = _shift_codings(project, item_id, edits)
                nlp_store.forget(project.db, item_id)
                for h in chosen:
                    project.log(
                        "pii.redact",
                        item_id=item_id,
                        question=qid,
                        respondent=rid,
                        position=position,
                        kind=h.kind,
                        start=h.start,
                        end=h.end,
                        placeholder=PLACEHOLDERS[h.kind],
                        at=store.now(),
                        codings_shifted=shifted,
                    )
                done += len(chosen)
    finally:
        pii_store.secure_delete(conn, secure)
    return done


@dataclass
class Redaction:
    """What a redaction did, and where copies of the personal data were removed."""

    done: int
    found: int
    # the project file and its WAL hold no copy any more (None: nothing was ever redacted)
    purged: bool | None = None
    backups_removed: list[Path] = field(default_factory=list)
    models_removed: list[Path] = field(default_factory=list)

    def details(self) -> list[str]:
        """One line per thing a user should know beyond the count, in the language in
        use."""
        out: list[str] = []
        if self.purged:
            out.append(
                _(
                    "the personal data is gone from the project file and its log "
                    "(VACUUM, WAL truncated)"
                )
            )
        elif self.purged is not None:
            out.append(
                _(
                    "another program has the project open: the old text stays in the "
                    "project's -wal file until it closes; run 'qualcode scan-pii --redact' "
                    "again then"
                )
            )
        if self.backups_removed:
            n = len(self.backups_removed)
            out.append(
                _n(
                    "removed {n} backup that held it: {files}",
                    "removed {n} backups that held it: {files}",
                    n,
                ).format(n=integer(n), files=", ".join(p.name for p in self.backups_removed))
            )
        if self.models_removed:
            n = len(self.models_removed)
            out.append(
                _n(
                    "removed {n} suggestion model trained on it (train again: qualcode "
                    "train): {folders}",
                    "removed {n} suggestion models trained on it (train again: qualcode "
                    "train): {folders}",
                    n,
                ).format(n=integer(n), folders=", ".join(p.name for p in self.models_removed))
            )
        return out


def redact_everywhere(project: Project, hits: Iterable[Hit]) -> Redaction:
    """Redact the hits (see :func:`redact`), then remove every copy of the redacted text
    that qualcode keeps: the freed pages and the WAL of the project file, the project's
    backups that hold it, and the suggestion models trained on it. Nothing outside the
    project's own backups and models folders is touched."""
    hits = list(hits)
    result = Redaction(done=redact(project, hits), found=len(hits))
    if not event_store.any_of(project.db, "pii.redact"):
        return result
    # also when nothing was left to redact: an earlier run may have been kept from emptying
    # the WAL by another program that had the project open
    result.purged = store.purge_freed(project.db)
    texts = sorted({h.text for h in hits if h.text})
    result.backups_removed = _remove_backups_holding(project, texts)
    stems = {project.question(q).codebook for q in {h.question for h in hits}}
    result.models_removed = _remove_models_holding(project, texts, stems)
    return result


def _remove_backups_holding(project: Project, texts: list[str]) -> list[Path]:
    from qualcode.store import backup as backups

    removed = []
    for path in backups.list_backups(project.path):
        try:
            conn = store.open_file(path)
        except QualcodeError:
            holds = True  # a backup that cannot be read cannot be shown to be clean
        else:
            try:
                holds = pii_store.holds_any(conn, texts)
            except sqlite3.DatabaseError:
                holds = True
            finally:
                conn.close()
        if holds:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _remove_models_holding(project: Project, texts: list[str], stems: set[str]) -> list[Path]:
    """The models of the codebooks whose texts were redacted, and any other model folder
    (in the project's own models folder) with a file holding the text: spaCy keeps every
    string it saw in the model's vocabulary."""
    import shutil

    from qualcode.paths import models_folder
    from qualcode.safe import is_path_name

    models = models_folder(project.path)
    if not models.is_dir():
        return []
    needles = [t.encode("utf-8") for t in texts]
    removed = []
    for folder in sorted(models.iterdir()):
        if (
            not is_path_name(folder.name)
            or folder.is_symlink()
            or not folder.is_dir()
            or not (folder / "qualcode-model.json").is_file()
        ):
            continue
        files = [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]
        if folder.name in stems or any(n in f.read_bytes() for f in files for n in needles):
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


def _shift_codings(project: Project, item_id: int, edits: list[tuple[int, int, int]]) -> int:
    """Move the coded spans of an item past the replaced text; returns how many moved.
    Two codings that become identical are merged (the later one is deleted)."""
    moves: list[SpanMove] = []
    for cid, code_id, coder, start, end in coding_store.item_spans(project.db, item_id):
        new = (_shift(start, edits, is_end=False), _shift(end, edits, is_end=True))
        if new != (start, end):
            moves.append((cid, code_id, coder, *new))
    if not moves:
        return 0
    pii_store.move_spans(project.db, item_id, moves)
    return len(moves)
