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
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat, plain
from qualcode.tui.widgets.footer import Footer

KIND_TEXT = {"cpr": "CPR-nummer", "phone": "Telefon", "email": "E-mail"}
NAMES = {
    "cpr": ("CPR-nummer", "CPR-numre"),
    "phone": ("telefonnummer", "telefonnumre"),
    "email": ("e-mailadresse", "e-mailadresser"),
}


def describe(hits: list[pii.Hit]) -> str:
    """'3 mulige persondata: 1 CPR-nummer, 2 telefonnumre' (the CLI's summary line)."""
    parts = []
    for kind in pii.KINDS:
        n = sum(1 for h in hits if h.kind == kind)
        if n:
            parts.append(f"{n} {NAMES[kind][n != 1]}")
    return f"{len(hits)} mulige persondata" + (f": {', '.join(parts)}" if parts else "")


PLACEHOLDERS = (
    ", ".join(pii.PLACEHOLDERS[k] for k in pii.KINDS[:-1])
    + f" eller {pii.PLACEHOLDERS[pii.KINDS[-1]]}"
)  # '[CPR], [TELEFON] eller [E-MAIL]'


class PiiScreen(ProjectScreen):
    TITLE = "Persondata"
    BINDINGS = [
        # the tooltip as Content: a str tooltip is read as markup, and [CPR] would vanish
        Binding(
            "r",
            "redact_one",
            "Skjul valgte",
            id="pii-redact",
            # Binding types tooltip as str, but Textual shows any visual there (the footer
            # passes it on as a widget tooltip, which takes Content)
            tooltip=Content(  # type: ignore[arg-type]
                "Replace the selected match with its placeholder ([CPR], "
                "[TELEFON], [E-MAIL]; asks first)"
            ),
        ),
        Binding(
            "R",
            "redact_all",
            "Skjul alle",
            id="pii-redact-all",
            tooltip="Replace every match in the list with its placeholder (asks first)",
        ),
        Binding("g", "rescan", "Søg igen", id="pii-rescan", tooltip="Scan the project file again"),
        Binding(
            "a",
            "toggle_scope",
            "Alle/spørgsmål",
            id="pii-scope",
            tooltip="Show matches in every question, or only the current one",
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
        for key, label in (
            ("jc", "Jobcenter"),
            ("q", "Spørgsmål"),
            ("kind", "Type"),
            ("text", "Fund (skjult)"),
            ("context", "Sammenhæng"),
        ):
            table.add_column(label, key=key)
        table.focus()

    def on_screen_resume(self) -> None:
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
                flat(KIND_TEXT[h.kind]),
                flat(h.masked),
                flat(h.context(), no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        if self.hits:
            table.move_cursor(row=min(keep, len(self.hits) - 1))
        where = "i alle spørgsmål" if self.everywhere else f"i {self.app.question}"
        if self.hits:
            counts = ", ".join(
                f"{sum(1 for h in self.hits if h.kind == k)} {KIND_TEXT[k]}"
                for k in pii.KINDS
                if any(h.kind == k for h in self.hits)
            )
            status = f"{len(self.hits)} mulige persondata {where} ({counts})"
        else:
            status = f"Ingen persondata fundet {where}."
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
            f"uddrag {hit.item_number}{role}"
        )

    @on(DataTable.RowHighlighted, "#pii-table")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- actions ------------------------------------------------------------------
    def action_rescan(self) -> None:
        self.reload()
        self.notify(f"Søgt igen: {len(self.hits)} fund", timeout=2)

    def action_toggle_scope(self) -> None:
        if self.app.question is None:
            return
        self.everywhere = not self.everywhere
        self.reload()

    def action_redact_one(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        hit = self._selected()
        if hit is None:
            self.notify("Intet at skjule.", severity="warning")
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._redact([hit])

        self.app.push_screen(
            ConfirmDialog(
                f"Erstat {pii.KIND_NAMES[hit.kind]} {hit.masked} ({self._where(hit)}) med "
                f"{pii.PLACEHOLDERS[hit.kind]}? Det kan ikke fortrydes.",
                yes="Skjul",
                id="pii-confirm-one",
            ),
            confirmed,
        )

    def action_redact_all(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        if not self.hits:
            self.notify("Intet at skjule.", severity="warning")
            return
        hits = list(self.hits)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._redact(hits)

        self.app.push_screen(
            ConfirmDialog(
                f"Erstat alle {len(hits)} fund med {PLACEHOLDERS}? Det kan ikke fortrydes.",
                yes="Skjul alle",
                id="pii-confirm",
            ),
            confirmed,
        )

    def _redact(self, hits: list[pii.Hit]) -> None:
        try:
            result = pii.redact_everywhere(self.project, hits)
        except QualcodeError as exc:
            self.notify(f"Kunne ikke skjule: {exc}", severity="error")
            return
        self.reload()
        lines = [f"Skjult: {result.done} fund erstattet med pladsholdere"]
        if result.purged is not None:
            lines.append(
                "Teksten er væk fra projektfilen og dens log."
                if result.purged
                else "Et andet program har projektet åbent: den gamle tekst ligger i "
                "projektets -wal-fil, til det lukker; skjul igen derefter."
            )
        if result.backups_removed:
            lines.append(f"{len(result.backups_removed)} sikkerhedskopier med teksten er slettet.")
        if result.models_removed:
            lines.append(
                f"{len(result.models_removed)} forslagsmodeller trænet på teksten er "
                "slettet (træn igen med T)."
            )
        self.notify(
            "\n".join(lines),
            timeout=6,
            severity="warning" if result.purged is False else "information",
        )
