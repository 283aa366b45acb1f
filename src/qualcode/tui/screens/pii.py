"""The personal-data screen (F8): CPR numbers, phone numbers and e-mail addresses found in
the project's answers and transcripts, masked, with the words around them (every match in
them masked too, of any kind); ``r`` redacts the selected match to a placeholder, ``R``
every match, each after asking (a redaction cannot be undone). Redactions are committed
and logged (without the matched text) before the screen says so.

Everything shown comes from data and is shown as plain text: control characters as
symbols, brackets as typed, so the placeholders read [CPR], [TELEFON] and [E-MAIL]."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Header, Label, Static

from qualcode.core import pii
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat, plain
from qualcode.tui.widgets.footer import Footer

_, _n = translator("tui")


def kind_text(kind: str) -> str:
    """A kind of match in the table's Type column."""
    return {"cpr": _("CPR-nummer"), "phone": _("Telefon"), "email": _("E-mail")}[kind]


def counted(kind: str, n: int) -> str:
    """'1 CPR-nummer', '2 telefonnumre', '3 e-mailadresser'."""
    if kind == "cpr":
        text = _n("{n} CPR-nummer", "{n} CPR-numre", n)
    elif kind == "phone":
        text = _n("{n} telefonnummer", "{n} telefonnumre", n)
    else:
        text = _n("{n} e-mailadresse", "{n} e-mailadresser", n)
    return text.format(n=integer(n))


def kind_name(kind: str) -> str:
    """A kind of match inside a sentence: 'CPR-nummer', 'telefonnummer', 'e-mail'."""
    return {"cpr": _("CPR-nummer"), "phone": _("telefonnummer"), "email": _("e-mail")}[kind]


def describe(hits: list[pii.Hit]) -> str:
    """'3 mulige persondata: 1 CPR-nummer, 2 telefonnumre' (the CLI's summary line)."""
    parts = []
    for kind in pii.KINDS:
        n = sum(1 for h in hits if h.kind == kind)
        if n:
            parts.append(counted(kind, n))
    total = _n("{n} mulig personoplysning", "{n} mulige persondata", len(hits)).format(
        n=integer(len(hits))
    )
    return total + (f": {', '.join(parts)}" if parts else "")


def placeholders() -> str:
    """'[CPR], [TELEFON] eller [E-MAIL]' (the placeholders are the same in every language)."""
    return _("{some} eller {last}").format(
        some=", ".join(pii.PLACEHOLDERS[k] for k in pii.KINDS[:-1]),
        last=pii.PLACEHOLDERS[pii.KINDS[-1]],
    )


class PiiScreen(ProjectScreen):
    TITLE = _("Persondata")
    BINDINGS = [
        # the tooltip as Content: a str tooltip is read as markup, and [CPR] would vanish
        Binding(
            "r",
            "redact_one",
            _("Skjul valgte"),
            id="pii-redact",
            # Binding types tooltip as str, but Textual shows any visual there (the footer
            # passes it on as a widget tooltip, which takes Content)
            tooltip=Content(  # type: ignore[arg-type]
                _(
                    "Replace the selected match with its placeholder ([CPR], "
                    "[TELEFON], [E-MAIL]; asks first)"
                )
            ),
        ),
        Binding(
            "R",
            "redact_all",
            _("Skjul alle"),
            id="pii-redact-all",
            tooltip=_("Replace every match in the list with its placeholder (asks first)"),
        ),
        Binding(
            "g", "rescan", _("Søg igen"), id="pii-rescan", tooltip=_("Scan the project file again")
        ),
        Binding(
            "a",
            "toggle_scope",
            _("Alle/spørgsmål"),
            id="pii-scope",
            tooltip=_("Show matches in every question, or only the current one"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[pii.Hit] = []
        self.everywhere = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="pii-status")
        yield DataTable(id="pii-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pii-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#pii-table", DataTable)
        singular = self.project.noun().singular
        for key, label in (
            ("jc", singular[:1].upper() + singular[1:]),
            ("q", _("Spørgsmål")),
            ("kind", _("Type")),
            ("text", _("Fund (skjult)")),
            ("context", _("Sammenhæng")),
        ):
            table.add_column(flat(label), key=key)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.changed_since_shown():
            self.reload()

    def reload(self) -> None:
        questions = None
        if not self.everywhere and self.app.question is not None:
            questions = [self.app.question]
        self.hits = pii.scan(self.project, questions=questions)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#pii-table", DataTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear()
        for n, h in enumerate(self.hits):
            who = f"{h.respondent} {h.respondent_name}".strip()
            # Text cells, never str (read as markup); every match in the context masked
            table.add_row(
                flat(who),
                flat(h.question),
                flat(kind_text(h.kind)),
                flat(h.masked),
                flat(h.context(), no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        if self.hits:
            table.move_cursor(row=min(keep, len(self.hits) - 1))
        if self.hits:
            counts = ", ".join(
                counted(k, n) for k in pii.KINDS if (n := sum(1 for h in self.hits if h.kind == k))
            )
            n = len(self.hits)
            if self.everywhere:
                status = _n(
                    "{n} mulig personoplysning i alle spørgsmål ({counts})",
                    "{n} mulige persondata i alle spørgsmål ({counts})",
                    n,
                )
            else:
                status = _n(
                    "{n} mulig personoplysning i {question} ({counts})",
                    "{n} mulige persondata i {question} ({counts})",
                    n,
                )
            status = status.format(n=integer(n), counts=counts, question=self.app.question)
        elif self.everywhere:
            status = _("Ingen persondata fundet i alle spørgsmål.")
        else:
            status = _("Ingen persondata fundet i {question}.").format(question=self.app.question)
        self.query_one("#pii-status", Label).update(flat(status))
        self._show_detail()

    def _selected(self) -> pii.Hit | None:
        table = self.query_one("#pii-table", DataTable)
        if not self.hits or not table.row_count:
            return None
        return self.hits[min(table.cursor_row, len(self.hits) - 1)]

    def _show_detail(self) -> None:
        hit = self._selected()
        detail = self.query_one("#pii-detail", Static)
        if hit is None:
            detail.update("")
            return
        detail.update(
            plain(f"{self._where(hit)}\n…{hit.context()}… → {pii.PLACEHOLDERS[hit.kind]}")
        )

    @staticmethod
    def _where(hit: pii.Hit) -> str:
        role = f", {hit.role}" if hit.role else ""
        return (
            f"{hit.respondent} {hit.respondent_name} · {hit.question} · "
            + _("uddrag {n}").format(n=hit.item_number)
            + role
        )

    @on(DataTable.RowHighlighted, "#pii-table")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- actions ------------------------------------------------------------------
    def action_rescan(self) -> None:
        self.reload()
        self.notify(_("Søgt igen: {n} fund").format(n=integer(len(self.hits))), timeout=2)

    def action_toggle_scope(self) -> None:
        if self.app.question is None:
            return
        self.everywhere = not self.everywhere
        self.reload()

    def action_redact_one(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        hit = self._selected()
        if hit is None:
            self.notify(_("Intet at skjule."), severity="warning")
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._redact([hit])

        self.app.push_screen(
            ConfirmDialog(
                _(
                    "Erstat {kind} {masked} ({where}) med {placeholder}? Det kan ikke fortrydes."
                ).format(
                    kind=kind_name(hit.kind),
                    masked=hit.masked,
                    where=self._where(hit),
                    placeholder=pii.PLACEHOLDERS[hit.kind],
                ),
                yes=_("Skjul"),
                id="pii-confirm-one",
            ),
            confirmed,
        )

    def action_redact_all(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        if not self.hits:
            self.notify(_("Intet at skjule."), severity="warning")
            return
        hits = list(self.hits)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._redact(hits)

        self.app.push_screen(
            ConfirmDialog(
                _n(
                    "Erstat fundet med {placeholders}? Det kan ikke fortrydes.",
                    "Erstat alle {n} fund med {placeholders}? Det kan ikke fortrydes.",
                    len(hits),
                ).format(n=integer(len(hits)), placeholders=placeholders()),
                yes=_("Skjul alle"),
                id="pii-confirm",
            ),
            confirmed,
        )

    def _redact(self, hits: list[pii.Hit]) -> None:
        try:
            result = pii.redact_everywhere(self.project, hits)
        except QualcodeError as exc:
            self.notify(_("Kunne ikke skjule: {reason}").format(reason=exc), severity="error")
            return
        self.reload()
        lines = [
            _n(
                "Skjult: {n} fund erstattet med en pladsholder",
                "Skjult: {n} fund erstattet med pladsholdere",
                result.done,
            ).format(n=integer(result.done))
        ]
        if result.purged is not None:
            lines.append(
                _("Teksten er væk fra projektfilen og dens log.")
                if result.purged
                else _(
                    "Et andet program har projektet åbent: den gamle tekst ligger i "
                    "projektets -wal-fil, til det lukker; skjul igen derefter."
                )
            )
        if result.backups_removed:
            n = len(result.backups_removed)
            lines.append(
                _n(
                    "{n} sikkerhedskopi med teksten er slettet.",
                    "{n} sikkerhedskopier med teksten er slettet.",
                    n,
                ).format(n=integer(n))
            )
        if result.models_removed:
            n = len(result.models_removed)
            lines.append(
                _n(
                    "{n} forslagsmodel trænet på teksten er slettet (træn igen med T).",
                    "{n} forslagsmodeller trænet på teksten er slettet (træn igen med T).",
                    n,
                ).format(n=integer(n))
            )
        self.notify(
            "\n".join(lines),
            timeout=6,
            severity="warning" if result.purged is False else "information",
        )
