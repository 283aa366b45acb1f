"""The quotes screen: pick a theme, read its coded excerpts in context, star the ones
worth quoting and export the starred ones in the report's form (``"…" – Leder``).

Left, the question's codes with the number of quotes (children included); middle, the
quotes of the highlighted code; right (below, on a narrow terminal), the excerpt with
the turns around it. Stars are committed before the screen shows them.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualcode.core.codebook import Codebook
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.models import Item, Quote
from qualcode.tui.messages import FileNotSaved, QuotesExported
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.footer import Footer

_, _n = translator("tui")

CONTEXT_TURNS = 2
LIST_CHARS = 160  # a quote's passage in the list, but the highlighted one's is whole
CODE_CHARS = 60  # a code's label in the list; the quotes' heading shows all of it
STAR = "★"
NO_STAR = "☆"

EXPORTS = {
    "md": ("Markdown", ".md"),
    "docx": ("Word (DOCX)", ".docx"),
}


def _readable_on(color: str) -> str:
    """Black or white, whichever reads better on the code's colour."""
    try:
        r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "white"
    return "black" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "white"


def _short(text: str, limit: int = LIST_CHARS) -> str:
    """On one line, cut to ``limit`` characters, control characters as symbols."""
    one = shown(" ".join(text.split()))
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


def _cut(text: str, limit: int = LIST_CHARS) -> tuple[str, bool]:
    """A quote's passage on one line, cut at a word to about ``limit`` characters; and
    whether it was cut."""
    one = shown(" ".join(text.split()))
    if len(one) <= limit:
        return one, False
    head = one[:limit].rsplit(" ", 1)[0] if " " in one[:limit] else one[:limit]
    return head.rstrip(" ,.;:–-"), True


class QuotesScreen(ProjectScreen):
    TITLE = _("Citater")
    HORIZONTAL_BREAKPOINTS = [(0, "-quotes-narrow"), (110, "-quotes-wide")]
    BINDINGS = [
        Binding(
            "s",
            "star",
            _("Stjerne"),
            id="quotes-star",
            tooltip=_("Star or unstar the highlighted quote (stars mark quotes to export)"),
        ),
        Binding(
            "a",
            "only_starred",
            _("Kun stjernede"),
            id="quotes-only-starred",
            tooltip=_("Show only the starred quotes, or all quotes"),
        ),
        Binding(
            "c",
            "focus_context",
            _("Kontekst"),
            id="quotes-context",
            tooltip=_("Focus the context pane to scroll through the turns around the quote"),
        ),
        Binding(
            "e",
            "export('md')",
            _("Eksport .md"),
            id="quotes-export-md",
            tooltip=_("Save the question's starred quotes as Markdown"),
        ),
        Binding(
            "d",
            "export('docx')",
            _("Eksport .docx"),
            id="quotes-export-docx",
            tooltip=_("Save the question's starred quotes as a Word document"),
        ),
        Binding(
            "escape",
            "focus_codes",
            _("Koder"),
            show=False,
            id="quotes-codes",
            tooltip=_("Back to the list of codes"),
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="quotes-main"):
            yield OptionList(id="quotes-codes")
            with Vertical(id="quotes-pane"):
                yield Label("", id="quotes-head")
                yield OptionList(id="quotes-list")
            with VerticalScroll(id="quotes-context"):
                yield Static("", id="quotes-context-text")
        yield Footer()

    # -- state ----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.book: Codebook | None = None
        self.qid: str | None = None
        self.only_starred = False
        self.code_key: str | None = None  # the code whose quotes are listed
        self.quotes_by_code: dict[str, list[Quote]] = {}
        self.shown: list[Quote] = []  # the quotes in the middle list, in its order
        self.current: Quote | None = None  # the quote shown in context
        self.context_text = Text()
        self.whole: int | None = None  # the index of the quote listed whole
        self.reload()
        self.query_one("#quotes-codes", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.changed_since_shown() and getattr(self, "quotes_by_code", None) is not None:
            self.reload()

    def reload(self) -> None:
        """(Re)load the current question: codes, counts, quotes and context."""
        qid = self.app.question
        codes = self.query_one("#quotes-codes", OptionList)
        if qid is None:
            self.book, self.qid, self.quotes_by_code = None, None, {}
            codes.clear_options()
            self.sub_title = ""
            self._show_quotes(
                None,
                message=_("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."),
            )
            return
        question = self.project.question(qid)
        if qid != self.qid:
            self.code_key = None
        self.qid = qid
        self.book = self.project.codebook(question.codebook)
        self.sub_title = f"{question.id} · {self.book.title}"
        self.quotes_by_code = {c.key: self.project.quotes(c.key, qid) for c in self.book}
        self._fill_codes()
        keep = self.current.coding_id if self.current else None
        self._show_code(self.code_key, keep=keep)

    def _fill_codes(self) -> None:
        assert self.book is not None  # reload() loads it first
        codes = self.query_one("#quotes-codes", OptionList)
        with self.app.batch_update():
            codes.clear_options()
            codes.add_options([Option(self._code_prompt(c.key), id=c.key) for c in self.book])
            if not len(self.book):
                self.code_key = None
            else:
                if self.code_key is None or self.book.find(self.code_key) is None:
                    self.code_key = self.book.codes[0].key
                codes.highlighted = codes.get_option_index(self.code_key)
                self.call_after_refresh(codes.scroll_to_highlight)

    def _code_prompt(self, key: str) -> Text:
        assert self.book is not None  # only codes of the loaded codebook are drawn
        code = self.book.code(key)
        quotes = self.quotes_by_code.get(key, [])
        starred = sum(q.starred for q in quotes)
        text = Text("  " * self.book.depth(key))
        text.append("■ ", style=code.color)
        text.append(_short(code.label, CODE_CHARS), style="bold" if quotes else "dim")
        if self.only_starred:
            text.append(f" ({STAR}{starred})", style="yellow" if starred else "dim")
        else:
            stars = f" {STAR}{starred}" if starred else ""
            text.append(f" ({len(quotes)}{stars})", style="cyan" if quotes else "dim")
        return text

    def _refresh_code_prompts(self) -> None:
        codes = self.query_one("#quotes-codes", OptionList)
        if self.book is None:
            return
        for index, code in enumerate(self.book):
            codes.replace_option_prompt_at_index(index, self._code_prompt(code.key))

    # -- the quotes of one code -----------------------------------------------------------
    def _visible(self, key: str) -> list[Quote]:
        quotes = self.quotes_by_code.get(key, [])
        return [q for q in quotes if q.starred] if self.only_starred else quotes

    def _show_code(self, key: str | None, *, keep: int | None = None) -> None:
        if self.book is None or key is None:
            self._show_quotes(
                None,
                message=_(
                    "Spørgsmålets kodebog har ingen koder endnu. Tilføj koder under Kodebog (F5)."
                ),
            )
            return
        self.code_key = key
        code = self.book.code(key)
        everything = self.quotes_by_code.get(key, [])
        quotes = self._visible(key)
        message = None
        if not any(self.quotes_by_code.values()):
            message = _(
                "Ingen kodede uddrag i »{question}« endnu. Kod svarene under "
                "Kodning (F2); så kommer citaterne her."
            ).format(question=self.qid)
        elif not everything:
            message = _("Ingen citater for »{label}« endnu.").format(label=code.label)
        elif not quotes:
            message = _(
                "Ingen stjernemarkerede citater for »{label}«. Tryk s på et "
                "citat for at stjernemarkere det, eller a for at se alle."
            ).format(label=code.label)
        starred = sum(q.starred for q in everything)
        total = len(everything)
        if self.only_starred:
            head = _n(
                "{label} – {starred} {star} af {n} citat",
                "{label} – {starred} {star} af {n} citater",
                total,
            ).format(label=code.label, starred=integer(starred), star=STAR, n=integer(total))
        else:
            head = _n("{label} – {n} citat", "{label} – {n} citater", total).format(
                label=code.label, n=integer(total)
            ) + (f", {integer(starred)} {STAR}" if starred else "")
        self._show_quotes(quotes, message=message, head=head, keep=keep)

    def _show_quotes(
        self,
        quotes: list[Quote] | None,
        *,
        message: str | None = None,
        head: str = "",
        keep: int | None = None,
    ) -> None:
        listing = self.query_one("#quotes-list", OptionList)
        self.shown = quotes or []
        self.query_one("#quotes-head", Label).update(flat(head))
        with self.app.batch_update():
            listing.clear_options()
            if not self.shown:
                listing.add_option(
                    Option(plain(message or _("Ingen citater."), style="italic dim"), disabled=True)
                )
                self._show_context(None)
                return
            listing.add_options(
                [Option(self._quote_prompt(q), id=str(q.coding_id)) for q in self.shown]
            )
            self.whole = None
            ids = [q.coding_id for q in self.shown]
            index = ids.index(keep) if keep in ids else 0
            listing.highlighted = index
            self._show_whole(index)
            self.call_after_refresh(listing.scroll_to_highlight)
        self._show_context(self.shown[index])

    def _show_whole(self, index: int | None) -> None:
        """List the quote at ``index`` whole (the highlighted one), the one before cut."""
        listing = self.query_one("#quotes-list", OptionList)
        if self.whole is not None and self.whole != index and self.whole < len(self.shown):
            listing.replace_option_prompt_at_index(
                self.whole, self._quote_prompt(self.shown[self.whole])
            )
        if index is not None and index < len(self.shown):
            listing.replace_option_prompt_at_index(
                index, self._quote_prompt(self.shown[index], whole=True)
            )
        self.whole = index

    def _quote_prompt(self, q: Quote, *, whole: bool = False) -> Text:
        """The star, who said it, and the passage: whole when ``whole``, else cut at a word
        with '… (mere)' after it, so a cut never passes for the end of the quote."""
        text = Text()
        text.append(
            f"{STAR} " if q.starred else f"{NO_STAR} ", style="bold yellow" if q.starred else "dim"
        )
        text.append(shown(f"{q.respondent} {q.respondent_name}".strip()), style="bold")
        if q.role:
            text.append(shown(f" · {q.role}"), style="italic")
        if self.code_key and q.code != self.code_key and self.book is not None:
            child = self.book.find(q.code)
            text.append(shown(f" · {child.label if child else q.code}"), style="dim")
        text.append("\n")
        if whole:
            text.append(f'"{shown(q.text.strip())}"')
            return text
        passage, cut = _cut(q.text)
        text.append(f'"{passage}')
        if cut:
            text.append(" … " + _("(mere)"), style="bold")
        else:
            text.append('"')
        return text

    def _quote_in_view(self) -> Quote | None:
        """The quote shown in the context pane, if the list still holds it; else the
        highlighted one."""
        if self.current is not None:
            for q in self.shown:
                if q.coding_id == self.current.coding_id:
                    return q
        return self._highlighted_quote()

    def _highlighted_quote(self) -> Quote | None:
        option = self.query_one("#quotes-list", OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        return next((q for q in self.shown if str(q.coding_id) == option.id), None)

    @on(OptionList.OptionHighlighted, "#quotes-codes")
    def _code_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.code_key:
            self._show_code(event.option.id)

    @on(OptionList.OptionSelected, "#quotes-codes")
    def _code_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.code_key:
            self._show_code(event.option.id)
        self.query_one("#quotes-list", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#quotes-list")
    def _quote_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        quote = self._highlighted_quote()
        listing = self.query_one("#quotes-list", OptionList)
        if listing.highlighted != self.whole:
            self._show_whole(listing.highlighted)
        if quote is not None and quote is not self.current:
            self._show_context(quote)

    @on(OptionList.OptionSelected, "#quotes-list")
    def _quote_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_focus_context()

    # -- context ------------------------------------------------------------------------
    def _show_context(self, quote: Quote | None) -> None:
        self.current = quote
        out = Text()
        if quote is None:
            out.append(_("Vælg et citat for at læse det i sammenhæng."), style="dim italic")
        else:
            out = self._context_for(quote)
        self.context_text = out
        self.query_one("#quotes-context-text", Static).update(out)
        self.query_one("#quotes-context", VerticalScroll).scroll_home(animate=False)

    def _context_for(self, quote: Quote) -> Text:
        code = self.book.find(quote.code) if self.book else None
        color = code.color if code else "#7F7F7F"
        mark = Style(color=_readable_on(color), bgcolor=color, bold=True)
        turns: list[Item] = self.project.context(quote.item_id, turns=CONTEXT_TURNS)
        out = Text()
        head = [f"{quote.respondent} {quote.respondent_name}".strip()]
        if quote.role:
            head += [quote.role, _("uddrag {n}").format(n=quote.item_number)]
        out.append(shown(" · ".join(head)), style="bold")
        if quote.starred:
            out.append(f"  {STAR} " + _("stjernemarkeret"), style="yellow")
        out.append("\n\n")
        for turn in turns:
            interviewer = turn.kind == "interviewer"
            role = turn.speaker_role or (_("Svar") if turn.kind == "answer" else "")
            body = "dim" if interviewer else ""
            if role:
                out.append(shown(f"{role}: "), style="dim italic" if interviewer else "bold")
            said = shown(turn.text)  # one symbol per control character: offsets still fit
            if turn.id == quote.item_id:
                start = 0 if quote.start is None else quote.start
                end = len(said) if quote.end is None else quote.end
                out.append(said[:start], style=body)
                out.append(said[start:end], style=mark)
                out.append(said[end:], style=body)
            else:
                out.append(said, style=body)
            out.append("\n\n")
        out.rstrip()
        return out

    # -- actions ------------------------------------------------------------------------
    def action_star(self) -> None:
        """Star the quote in view: the one highlighted in the list, listed whole and shown
        in context (after a reload they are the same one again; see :meth:`_show_quotes`)."""
        quote = self._quote_in_view()
        if quote is None:
            self.notify(_("Intet citat valgt."), severity="warning", timeout=2)
            return
        # a quote is listed only under a code of the question's codebook
        assert self.book is not None and self.qid is not None and self.code_key is not None
        starred = not quote.starred
        try:
            self.project.star(quote.coding_id, starred)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.quotes_by_code = {c.key: self.project.quotes(c.key, self.qid) for c in self.book}
        self._refresh_code_prompts()
        keep: int | None = quote.coding_id
        if self.only_starred and not starred:  # it leaves the list: keep the place
            ids = [q.coding_id for q in self.shown]
            at = ids.index(quote.coding_id)
            rest = [q.coding_id for q in self._visible(self.code_key)]
            keep = rest[min(at, len(rest) - 1)] if rest else None
        self._show_code(self.code_key, keep=keep)
        who = f"{quote.respondent}" + (f" ({quote.role})" if quote.role else "")
        done = _("Stjernemarkeret: {who}") if starred else _("Stjerne fjernet: {who}")
        self.notify(done.format(who=who), timeout=2, markup=False)

    def action_only_starred(self) -> None:
        self.only_starred = not self.only_starred
        if self.book is not None:
            self._refresh_code_prompts()
            keep = self.current.coding_id if self.current else None
            self._show_code(self.code_key, keep=keep)
        self.notify(
            _("Viser kun stjernemarkerede citater")
            if self.only_starred
            else _("Viser alle citater"),
            timeout=1.5,
        )

    def action_focus_context(self) -> None:
        self.query_one("#quotes-context", VerticalScroll).focus()

    def action_focus_codes(self) -> None:
        self.query_one("#quotes-codes", OptionList).focus()

    # -- export ---------------------------------------------------------------------
    def starred_quotes(self) -> list[Quote]:
        """The question's starred quotes, one group per code, in codebook order."""
        if self.book is None or self.qid is None:
            return []
        out: list[Quote] = []
        for code in self.book:
            out += [
                q
                for q in self.project.quotes(code.key, self.qid)
                if q.code == code.key and q.starred
            ]
        return out

    def export_title(self) -> str:
        return _("Citater: {title}").format(title=self.book.title) if self.book else _("Citater")

    def action_export(self, fmt: str) -> None:
        from qualcode.tui.widgets.dialogs import ask_for_file

        if self.qid is None:
            self.notify(_("Projektet har ingen spørgsmål endnu."), severity="warning")
            return
        quotes = self.starred_quotes()
        if not quotes:
            self.notify(
                _(
                    "Ingen stjernemarkerede citater i »{question}«: tryk s på de citater, "
                    "der skal med."
                ).format(question=self.qid),
                severity="warning",
                markup=False,
            )
            return
        what, suffix = EXPORTS[fmt]
        n = len(quotes)
        title = self.export_title()
        ask_for_file(
            self,
            _n(
                "Gem {n} stjernemarkeret citat som {format} – filnavn:",
                "Gem {n} stjernemarkerede citater som {format} – filnavn:",
                n,
            ).format(n=integer(n), format=what),
            _("citater-{question}").format(question=self.qid) + suffix,
            lambda path, force: self._write(path, fmt, title, quotes, force=force),
            suffix=suffix,
            dialog_id="quotes-export-dialog",
        )

    @staticmethod
    def _render_export(fmt: str, title: str, quotes: list[Quote]) -> bytes:
        if fmt == "docx":
            from qualcode.io.quotes_docx import quotes_docx

            return quotes_docx(quotes, title=title)
        from qualcode.io.export import quotes_markdown

        return (f"# {title}\n\n" + quotes_markdown(quotes)).encode("utf-8")

    @work(
        thread=True,
        group="quotes-export",
        exit_on_error=False,
        description=_("Citaterne kunne ikke gemmes"),
    )
    def _write(self, path: Path, fmt: str, title: str, quotes: list[Quote], *, force: bool) -> None:
        """Render and write the quotes in a worker (Word files take a while); the quotes
        were read in the UI thread, so the worker needs no connection."""
        from qualcode.core.pii import count_in_texts
        from qualcode.io.export import write_file

        try:
            write_file(path, self._render_export(fmt, title, quotes), force=force)
        except QualcodeError as exc:
            reason = {
                "already exists; use --force to overwrite it": _("findes allerede"),
                "is a folder": _("er en mappe"),
                "its folder does not exist": _("mappen findes ikke"),
            }.get(exc.detail, exc.detail)
            self.post_message(FileNotSaved(path, reason))
            return
        except OSError as exc:
            self.post_message(FileNotSaved(path, str(exc.strerror or exc)))
            return
        unredacted = count_in_texts(q.text for q in quotes)
        self.post_message(QuotesExported(path, len(quotes), unredacted))

    @on(FileNotSaved)
    def _not_written(self, event: FileNotSaved) -> None:
        self.notify(
            _("Ikke gemt: {path}: {reason}.").format(path=event.path, reason=event.reason),
            severity="error",
            timeout=6,
            markup=False,
        )

    @on(QuotesExported)
    def _written(self, event: QuotesExported) -> None:
        path, count, unredacted = event.path, event.count, event.unredacted
        self.notify(
            _n("Gemt {n} citat i {path}", "Gemt {n} citater i {path}", count).format(
                n=integer(count), path=path
            ),
            timeout=4,
            markup=False,
        )
        if unredacted:  # the same warning as the CLI's
            self.notify(
                _n(
                    "Advarsel: citaterne indeholder {n} mulig personoplysning "
                    "(et CPR-nummer, telefonnummer eller en e-mail), der ikke er redigeret ud. "
                    "Se F8 Persondata.",
                    "Advarsel: citaterne indeholder {n} mulige personoplysninger "
                    "(CPR-numre, telefonnumre eller e-mails), der ikke er redigeret ud. "
                    "Se F8 Persondata.",
                    unredacted,
                ).format(n=integer(unredacted)),
                severity="warning",
                timeout=8,
                markup=False,
            )
