"""The codebook screen (F5): the current question's codebook, edited in the project.

Add, rename, recolour, re-describe, nest, merge and delete codes, and export the
project's copy of the codebook as YAML. Every change goes through
:class:`qualcode.core.project.Project`, which validates it like a codebook file and
commits it (with an event in the log) before the screen redraws and reports it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualcode.core.codebook import Code, Codebook
from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import integer
from qualcode.safe import one_line
from qualcode.tui.screens.base import ProjectScreen, undo_bindings
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.footer import Footer

_, _n = translator("tui")

TOP_LEVEL = "(top)"
"""The 'no parent' choice in the nest dialog (parentheses never occur in a code key)."""

_LONG_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def _swatch(color: str) -> str:
    """A colour Rich can draw: the code's own, or grey if it is not #RRGGBB."""
    return color if _LONG_HEX.match(color) and color.startswith("#") else "#7F7F7F"


def _codings(n: int) -> str:
    return _n("{n} kodning", "{n} kodninger", n).format(n=integer(n))


def _figure(code: Code) -> str:
    """The report's figure for a code: '15 af 35' (or '15' when the codebook has no base)."""
    count = integer(code.published_count)
    if code.published_base is None:
        return count
    return _("{n} af {base}").format(n=count, base=integer(code.published_base))


def _published(code: Code) -> str:
    """The report's figure in the list: 'rapporten 2018: 15 af 35'."""
    figure = _figure(code)
    if code.published_year:
        return _("rapporten {year}: {figure}").format(year=code.published_year, figure=figure)
    return _("rapporten: {figure}").format(figure=figure)


class CodebookScreen(ProjectScreen):
    TITLE = _("Kodebog")
    BINDINGS = [
        Binding(
            "a",
            "add",
            _("Ny kode"),
            id="codebook-add",
            tooltip=_("Add a code at the top level (label, then an optional colour)"),
        ),
        Binding(
            "r",
            "rename",
            _("Omdøb"),
            id="codebook-rename",
            tooltip=_("Rename the highlighted code"),
        ),
        Binding(
            "c",
            "recolour",
            _("Farve"),
            id="codebook-colour",
            tooltip=_("Give the highlighted code another colour: a name, a swatch or #RRGGBB"),
        ),
        Binding(
            "d",
            "describe",
            _("Definition"),
            id="codebook-describe",
            tooltip=_("Edit the highlighted code's definition"),
        ),
        Binding(
            "n",
            "nest",
            _("Placér under"),
            id="codebook-nest",
            tooltip=_("Nest the highlighted code under another code, or move it to the top"),
        ),
        Binding(
            "g",
            "merge",
            _("Slå sammen"),
            id="codebook-merge",
            tooltip=_("Merge the highlighted code into another; its codings move there"),
        ),
        Binding(
            "delete",
            "delete",
            _("Slet"),
            key_display="del",
            id="codebook-delete",
            tooltip=_("Delete the highlighted code and its codings (asks first)"),
        ),
        Binding(
            "m",
            "memo",
            _("Memo"),
            id="codebook-memo",
            show=False,  # the footer is full: ? and the palette list it
            tooltip=_("Write (or edit) your memo on the highlighted code; saved empty, deleted"),
        ),
        Binding(
            "e",
            "export",
            _("Eksportér"),
            id="codebook-export",
            tooltip=_("Export the project's codebook to a YAML file"),
        ),
        *undo_bindings("codebook"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Label("", id="codebook-head")
            with Horizontal(id="codebook-main"):
                yield OptionList(id="codebook-list")
                with VerticalScroll(id="codebook-detail"):
                    yield Static("", id="codebook-detail-text")
        yield Footer()

    # -- loading ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.book: Codebook | None = None
        self.usage: dict[str, int] = {}
        self.reload()
        self.query_one("#codebook-list", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.changed_since_shown() and getattr(self, "book", None) is not None:
            self.reload()

    def reload(self, select: str | None = None) -> None:
        """(Re)read the question's codebook from the project; keep or move the highlight."""
        listing = self.query_one("#codebook-list", OptionList)
        keep_key = select or self.current_key()
        keep_index = listing.highlighted
        qid = self.app.question
        if qid is None:
            self.book, self.usage = None, {}
            listing.clear_options()
            self.query_one("#codebook-head", Label).update(
                _("Projektet har ingen spørgsmål endnu. Tryk i for at importere svar.")
            )
            self._show_detail()
            return
        question = self.project.question(qid)
        self.book = self.project.codebook(question.codebook)
        self.usage = {c.key: self.project.code_usage(self.book.stem, c.key) for c in self.book}
        self.sub_title = f"{question.id} · {self.book.title}"
        head = flat(self.book.title, style="bold")
        n = len(self.book)
        codes = _n("{n} kode", "{n} koder", n).format(n=integer(n))
        head.append(one_line(f" · {self.book.stem} · {codes}"), style="dim")
        self.query_one("#codebook-head", Label).update(head)
        listing.clear_options()
        listing.add_options([Option(self._prompt(c), id=c.key) for c in self.book])
        if not len(self.book):
            self._show_detail()
            return
        keys = self.book.keys()
        if keep_key in keys:
            listing.highlighted = keys.index(keep_key)
        elif keep_index is not None:
            listing.highlighted = min(keep_index, len(keys) - 1)
        else:
            listing.highlighted = 0
        self._show_detail()

    def _prompt(self, code: Code) -> Table:
        """Swatch and label, then key, codings and the report's figure; wrapped lines hang."""
        depth = self.book.depth(code.key) if self.book else 0
        grid = Table.grid(padding=0, expand=True)
        grid.add_column(width=2 * depth + 2, no_wrap=True)
        grid.add_column(ratio=1)
        body = plain(code.label)
        extra = f"\n{shown(code.key)} · {_codings(self.usage.get(code.key, 0))}"
        if code.published_count is not None:
            extra += shown(f" · {_published(code)}")
        body.append(extra, style="dim")
        grid.add_row(Text("  " * depth + "■", style=_swatch(code.color)), body)
        return grid

    def current_key(self) -> str | None:
        """The key of the highlighted code, if any."""
        try:
            option = self.query_one("#codebook-list", OptionList).highlighted_option
        except Exception:  # not composed yet
            return None
        return option.id if option is not None else None

    def current_code(self) -> Code | None:
        key = self.current_key()
        if self.book is None or key is None:
            return None
        return self.book.find(key)

    @on(OptionList.OptionHighlighted, "#codebook-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        pane = self.query_one("#codebook-detail-text", Static)
        code = self.current_code()
        if code is None or self.book is None:
            pane.update(
                Text(_("Ingen kode valgt. Tryk a for at tilføje en kode."), style="dim")
                if self.book is not None
                else Text("")
            )
            return
        out = Text()
        out.append("■ ", style=_swatch(code.color))
        out.append(shown(code.label) + "\n", style="bold")
        out.append(_("Nøgle:") + " ", style="dim")
        out.append(f"{shown(code.key)}\n")
        out.append(_("Farve:") + " ", style="dim")
        out.append(f"{shown(code.color)}\n")
        out.append(_("Placering:") + " ", style="dim")
        parent = self.book.find(code.parent) if code.parent else None
        out.append(
            (
                _("under »{label}«").format(label=shown(parent.label))
                if parent
                else _("øverste niveau")
            )
            + "\n"
        )
        children = self.book.children(code.key)
        if children:
            out.append(_("Underkoder:") + " ", style="dim")
            out.append(f"{integer(len(children))}\n")
        out.append(_("Kodninger:") + " ", style="dim")
        used = integer(self.usage.get(code.key, 0))
        out.append((_("{n} (uden underkoderne)").format(n=used) if children else used) + "\n")
        if code.published_count is not None:
            heading = (
                _("Rapporten {year}:").format(year=code.published_year)
                if code.published_year
                else _("Rapporten:")
            )
            out.append(heading + " ", style="dim")
            out.append(_figure(code) + "\n")
        out.append("\n" + _("Definition") + "\n", style="bold")
        out.append(
            shown(code.definition or _("(ingen definition – tryk d)")) + "\n",
            style="" if code.definition else "dim italic",
        )
        if code.source:
            out.append("\n" + _("Kilde:") + " ", style="dim")
            out.append(shown(code.source) + "\n")
        if code.keywords:
            out.append("\n" + _("Nøgleord:") + " ", style="dim")
            out.append(shown(", ".join(code.keywords)) + "\n")
        memos = self.project.memos("code", self.project.code_ref(self.book.stem, code.key))
        if memos:
            out.append("\n" + _("Memoer") + "\n", style="bold")
            for memo in memos:
                out.append(shown(f"✎ {memo.text} ({memo.author})") + "\n", style="italic")
        pane.update(out)

    # -- helpers ------------------------------------------------------------------
    def _need_book(self) -> bool:
        if self.book is None:
            self.notify(
                _("Projektet har ingen kodebog endnu: importér svar (i)."), severity="warning"
            )
            return False
        return True

    @property
    def _loaded_book(self) -> Codebook:
        """The question's codebook, for what runs after :meth:`_need_book` found one."""
        assert self.book is not None
        return self.book

    def _need_code(self) -> Code | None:
        if not self._need_book():
            return None
        code = self.current_code()
        if code is None:
            self.notify(_("Vælg først en kode i listen."), severity="warning")
        return code

    def _apply(self, change, done, *, select: str | None = None) -> bool:
        """Run one core call; on a QualcodeError show it and leave the screen as it is.

        ``done(result)`` gives the message to show once the change is committed.
        """
        try:
            result = change()
        except QualcodeError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        self.reload(select=select if select is not None else getattr(result, "key", None))
        self.notify(done(result), markup=False)
        return True

    def _choices(self, exclude: set[str]) -> list[tuple[str, str]]:
        assert self.book is not None
        return [
            (c.key, "  " * self.book.depth(c.key) + c.label)
            for c in self.book
            if c.key not in exclude
        ]

    # -- actions ------------------------------------------------------------------
    def action_memo(self) -> None:
        """The coder's own memo on the highlighted code: written, edited, or (saved
        empty) deleted, in one change u takes back."""
        from qualcode.tui.widgets.dialogs import TextDialog

        code = self._need_code()
        if code is None:
            return
        ref = self.project.code_ref(self._loaded_book.stem, code.key)
        mine = [m for m in self.project.memos("code", ref) if m.author == self.project.coder]
        memo = mine[-1] if mine else None

        def save(text: str | None) -> None:
            if text is None or (memo is None and not text.strip()):
                return
            if memo is not None and text.strip() == memo.text:
                return
            self._apply(
                lambda: self.project.set_memo(
                    "code", ref, text.strip(), memo_id=memo.id if memo else None
                ),
                lambda kept: (
                    _("Memo gemt på {what}") if kept else _("Memo slettet på {what}")
                ).format(what=code.label),
                select=code.key,
            )

        title = (
            _("Memo om koden »{label}« (tom: slet memoet)")
            if memo
            else _("Memo om koden »{label}«")
        ).format(label=code.label)
        self.app.push_screen(
            TextDialog(title, memo.text if memo else "", id="codebook-memo-dialog"), save
        )

    def action_undo(self) -> None:
        self.undo_group("codebook")

    def action_redo(self) -> None:
        self.undo_group("codebook", redo=True)

    def action_add(self) -> None:
        from qualcode.tui.widgets.colours import ColourDialog
        from qualcode.tui.widgets.dialogs import InputDialog

        if not self._need_book():
            return
        stem = self._loaded_book.stem

        def got_label(label: str | None) -> None:
            if label is None or not label.strip():
                return
            label = " ".join(label.split())
            taken = {c.label.casefold(): c for c in self._loaded_book}
            if label.casefold() in taken:
                self.notify(
                    _("Kodebogen har allerede koden »{label}«.").format(
                        label=taken[label.casefold()].label
                    ),
                    severity="error",
                    markup=False,
                )
                return

            def got_colour(colour: str | None) -> None:
                if colour is None:
                    self.notify(_("Ingen kode tilføjet."), severity="warning")
                    return
                colour = colour or None  # '': the next colour of the palette
                self._apply(
                    lambda: self.project.add_code(stem, label, color=colour),
                    lambda code: _("Tilføjet: {label} ({key}, {color})").format(
                        label=code.label, key=code.key, color=code.color
                    ),
                )

            title = _("Farve til »{label}« (tom = næste farve i paletten)").format(label=label)
            self.app.push_screen(
                ColourDialog(title, allow_empty=True, id="codebook-colour-dialog"), got_colour
            )

        self.app.push_screen(
            InputDialog(
                _("Ny kode: navn (som det skal stå i tabellen)"),
                placeholder=_("fx Fleksjob"),
                id="codebook-label-dialog",
            ),
            got_label,
        )

    def action_rename(self) -> None:
        from qualcode.tui.widgets.dialogs import InputDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem

        def got(label: str | None) -> None:
            if label is None:
                return
            if " ".join(label.split()) == code.label:
                self.notify(_("Navnet er uændret."), timeout=2)
                return
            self._apply(
                lambda: self.project.update_code(stem, code.key, label=label),
                lambda new: _("Omdøbt: »{old}« hedder nu »{new}«").format(
                    old=code.label, new=new.label
                ),
            )

        self.app.push_screen(
            InputDialog(
                _("Nyt navn til »{label}«").format(label=code.label),
                code.label,
                id="codebook-rename-dialog",
            ),
            got,
        )

    def action_recolour(self) -> None:
        from qualcode.tui.widgets.colours import ColourDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem

        def got(colour: str | None) -> None:
            if colour is None:
                return
            if colour == code.color:
                self.notify(_("Farven er uændret."), timeout=2)
                return
            self._apply(
                lambda: self.project.update_code(stem, code.key, color=colour),
                lambda new: _("Ny farve til {label}: {color}").format(
                    label=new.label, color=new.color
                ),
            )

        title = _("Farve til »{label}«").format(label=code.label)
        self.app.push_screen(ColourDialog(title, code.color, id="codebook-recolour-dialog"), got)

    def action_describe(self) -> None:
        from qualcode.tui.widgets.dialogs import TextDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem

        def got(text: str | None) -> None:
            if text is None:
                return
            if " ".join(text.split()) == code.definition:
                self.notify(_("Definitionen er uændret."), timeout=2)
                return
            self._apply(
                lambda: self.project.update_code(stem, code.key, definition=text),
                lambda new: _("Ny definition af {label} gemt").format(label=new.label),
            )

        title = _("Definition af »{label}«").format(label=code.label)
        self.app.push_screen(TextDialog(title, code.definition, id="codebook-describe-dialog"), got)

    def action_nest(self) -> None:
        from qualcode.tui.widgets.dialogs import PickDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem
        exclude = {code.key} | {c.key for c in self._loaded_book.descendants(code.key)}
        choices = [(TOP_LEVEL, _("(intet: øverste niveau)")), *self._choices(exclude)]

        def got(choice: str | None) -> None:
            if choice is None:
                return
            parent = None if choice == TOP_LEVEL else choice
            if parent == code.parent:
                self.notify(
                    _("»{label}« er allerede placeret der.").format(label=code.label),
                    timeout=2,
                    markup=False,
                )
                return

            def done(new: Code) -> str:
                if new.parent is None:
                    return _("{label} er nu på øverste niveau").format(label=new.label)
                return _("{label} ligger nu under {parent}").format(
                    label=new.label, parent=self._loaded_book.code(new.parent).label
                )

            self._apply(lambda: self.project.update_code(stem, code.key, parent=parent), done)

        self.app.push_screen(
            PickDialog(
                _("Placér »{label}« under …").format(label=code.label),
                choices,
                id="codebook-nest-dialog",
            ),
            got,
        )

    def action_merge(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog, PickDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem
        exclude = {code.key} | {c.key for c in self._loaded_book.descendants(code.key)}
        choices = self._choices(exclude)
        if not choices:
            self.notify(_("Der er ingen anden kode at slå sammen med."), severity="warning")
            return

        def got(target_key: str | None) -> None:
            if target_key is None:
                return
            target = self._loaded_book.code(target_key)
            usage = self.usage.get(code.key, 0)
            children = self._loaded_book.children(code.key)
            question = (
                _("Slå »{source}« sammen med »{target}«?").format(
                    source=code.label, target=target.label
                )
                + "\n"
                + _n(
                    "{n} kodning flyttes til »{target}«, og »{source}« slettes.",
                    "{n} kodninger flyttes til »{target}«, og »{source}« slettes.",
                    usage,
                ).format(n=integer(usage), source=code.label, target=target.label)
            )
            if children:
                n = len(children)
                question += " " + _n(
                    "Dens underkode flyttes også.",
                    "Dens {n} underkoder flyttes også.",
                    n,
                ).format(n=integer(n))

            def confirmed(yes: bool | None) -> None:
                if not yes:
                    return
                self._apply(
                    lambda: self.project.merge_codes(stem, code.key, target.key),
                    lambda moved: _n(
                        "»{source}« er slået sammen med »{target}«: {n} kodning flyttet",
                        "»{source}« er slået sammen med »{target}«: {n} kodninger flyttet",
                        moved,
                    ).format(source=code.label, target=target.label, n=integer(moved)),
                    select=target.key,
                )

            self.app.push_screen(
                ConfirmDialog(question, yes=_("Slå sammen"), id="codebook-merge-confirm"),
                confirmed,
            )

        self.app.push_screen(
            PickDialog(
                _("Slå »{label}« sammen med …").format(label=code.label),
                choices,
                id="codebook-merge-dialog",
            ),
            got,
        )

    def action_delete(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem
        children = self._loaded_book.children(code.key)
        if children:
            n = len(children)
            self.notify(
                _n(
                    "»{label}« har en underkode: flyt (n), slå sammen (g) eller slet den først.",
                    "»{label}« har {n} underkoder: flyt (n), slå sammen (g) eller slet dem først.",
                    n,
                ).format(label=code.label, n=integer(n)),
                severity="error",
                markup=False,
            )
            return
        usage = self.usage.get(code.key, 0)
        question = (
            _("Slet koden »{label}«?").format(label=code.label)
            + "\n"
            + (
                _n(
                    "Den har {n} kodning, som også slettes.",
                    "Den har {n} kodninger, som også slettes.",
                    usage,
                ).format(n=integer(usage))
                if usage
                else _("Den har ingen kodninger.")
            )
        )

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            self._apply(
                lambda: self.project.delete_code(stem, code.key),
                lambda gone: _("Slettet: {label} ({codings})").format(
                    label=code.label, codings=_codings(gone)
                ),
                select="",
            )

        self.app.push_screen(
            ConfirmDialog(question, yes=_("Slet"), id="codebook-delete-confirm"), confirmed
        )

    def action_export(self) -> None:
        from qualcode.tui.widgets.dialogs import ask_for_file

        if not self._need_book():
            return
        book = self._loaded_book

        def write(path: Path, force: bool) -> None:
            from qualcode.io.export import write_file

            # the file's stem names the codebook; keep the two in step so the file loads
            out = book if path.stem == book.stem else replace(book, stem=path.stem)
            try:
                write_file(path, out.to_yaml().encode("utf-8"), force=force)
            except QualcodeError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            except OSError as exc:
                self.notify(f"{path}: {exc.strerror or exc}", severity="error", markup=False)
                return
            self.notify(_("Kodebogen er gemt i {path}").format(path=path), markup=False)

        ask_for_file(
            self,
            _("Eksportér kodebogen til YAML-fil"),
            f"{book.stem}.yaml",
            write,
            suffix=".yaml",
            allowed=(".yaml", ".yml"),
            dialog_id="codebook-export-dialog",
            confirm_id="codebook-overwrite-confirm",
        )
