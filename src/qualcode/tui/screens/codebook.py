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
from qualcode.safe import one_line
from qualcode.tui.screens.base import ProjectScreen, undo_bindings
from qualcode.tui.shown import flat, plain, shown
from qualcode.tui.widgets.footer import Footer

TOP_LEVEL = "(top)"
"""The 'no parent' choice in the nest dialog (parentheses never occur in a code key)."""

_SHORT_HEX = re.compile(r"^#?([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")
_LONG_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def normalise_colour(text: str) -> str:
    """'#abc' -> '#AABBCC', '1f77b4' -> '#1F77B4'; anything else unchanged (the core rejects it).

    The terminal cannot draw the three-digit form, so it is never stored.
    """
    text = text.strip()
    short = _SHORT_HEX.match(text)
    if short:
        return "#" + "".join(ch * 2 for ch in short.groups()).upper()
    long = _LONG_HEX.match(text)
    if long:
        return "#" + long.group(1).upper()
    return text


def _swatch(color: str) -> str:
    """A colour Rich can draw: the code's own, or grey if it is not #RRGGBB."""
    return color if _LONG_HEX.match(color) and color.startswith("#") else "#7F7F7F"


def _codings(n: int) -> str:
    return f"{n} kodning" if n == 1 else f"{n} kodninger"


class CodebookScreen(ProjectScreen):
    TITLE = "Kodebog"
    BINDINGS = [
        Binding(
            "a",
            "add",
            "Ny kode",
            id="codebook-add",
            tooltip="Add a code at the top level (label, then an optional colour)",
        ),
        Binding(
            "r", "rename", "Omdøb", id="codebook-rename", tooltip="Rename the highlighted code"
        ),
        Binding(
            "c",
            "recolour",
            "Farve",
            id="codebook-colour",
            tooltip="Give the highlighted code another colour (#RRGGBB)",
        ),
        Binding(
            "d",
            "describe",
            "Definition",
            id="codebook-describe",
            tooltip="Edit the highlighted code's definition",
        ),
        Binding(
            "n",
            "nest",
            "Placér under",
            id="codebook-nest",
            tooltip="Nest the highlighted code under another code, or move it to the top",
        ),
        Binding(
            "g",
            "merge",
            "Slå sammen",
            id="codebook-merge",
            tooltip="Merge the highlighted code into another; its codings move there",
        ),
        Binding(
            "delete",
            "delete",
            "Slet",
            key_display="del",
            id="codebook-delete",
            tooltip="Delete the highlighted code and its codings (asks first)",
        ),
        Binding(
            "e",
            "export",
            "Eksportér",
            id="codebook-export",
            tooltip="Export the project's codebook to a YAML file",
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
        if getattr(self, "book", None) is not None:
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
                "Projektet har ingen spørgsmål endnu. Tryk i for at importere svar."
            )
            self._show_detail()
            return
        question = self.project.question(qid)
        self.book = self.project.codebook(question.codebook)
        self.usage = {c.key: self.project.code_usage(self.book.stem, c.key) for c in self.book}
        self.sub_title = f"{question.id} · {self.book.title}"
        head = flat(self.book.title, style="bold")
        head.append(one_line(f" · {self.book.stem} · {len(self.book)} koder"), style="dim")
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
            year = f" {code.published_year}" if code.published_year else ""
            base = f" af {code.published_base}" if code.published_base is not None else ""
            extra += shown(f" · rapporten{year}: {code.published_count}{base}")
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
                Text("Ingen kode valgt. Tryk a for at tilføje en kode.", style="dim")
                if self.book is not None
                else Text("")
            )
            return
        out = Text()
        out.append("■ ", style=_swatch(code.color))
        out.append(shown(code.label) + "\n", style="bold")
        out.append("Nøgle: ", style="dim")
        out.append(f"{shown(code.key)}\n")
        out.append("Farve: ", style="dim")
        out.append(f"{shown(code.color)}\n")
        out.append("Placering: ", style="dim")
        parent = self.book.find(code.parent) if code.parent else None
        out.append(f"under »{shown(parent.label)}«\n" if parent else "øverste niveau\n")
        children = self.book.children(code.key)
        if children:
            out.append("Underkoder: ", style="dim")
            out.append(f"{len(children)}\n")
        out.append("Kodninger: ", style="dim")
        out.append(
            f"{self.usage.get(code.key, 0)}" + (" (uden underkoderne)\n" if children else "\n")
        )
        if code.published:
            year = f" {code.published_year}" if code.published_year else ""
            out.append(f"Rapporten{year}: ", style="dim")
            out.append(shown(code.published) + "\n")
        out.append("\nDefinition\n", style="bold")
        out.append(
            shown(code.definition or "(ingen definition – tryk d)") + "\n",
            style="" if code.definition else "dim italic",
        )
        if code.source:
            out.append("\nKilde: ", style="dim")
            out.append(shown(code.source) + "\n")
        if code.keywords:
            out.append("\nNøgleord: ", style="dim")
            out.append(shown(", ".join(code.keywords)) + "\n")
        pane.update(out)

    # -- helpers ------------------------------------------------------------------
    def _need_book(self) -> bool:
        if self.book is None:
            self.notify("Projektet har ingen kodebog endnu: importér svar (i).", severity="warning")
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
            self.notify("Vælg først en kode i listen.", severity="warning")
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
    def action_undo(self) -> None:
        self.undo_group("codebook")

    def action_redo(self) -> None:
        self.undo_group("codebook", redo=True)

    def action_add(self) -> None:
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
                    f"Kodebogen har allerede koden »{taken[label.casefold()].label}«.",
                    severity="error",
                    markup=False,
                )
                return

            def got_colour(colour: str | None) -> None:
                if colour is None:
                    self.notify("Ingen kode tilføjet.", severity="warning")
                    return
                colour = normalise_colour(colour) or None
                self._apply(
                    lambda: self.project.add_code(stem, label, color=colour),
                    lambda code: f"Tilføjet: {code.label} ({code.key}, {code.color})",
                )

            title = f"Farve til »{label}« (#RRGGBB; tom = næste farve i paletten)"
            self.app.push_screen(
                InputDialog(title, placeholder="#1F77B4", id="codebook-colour-dialog"), got_colour
            )

        self.app.push_screen(
            InputDialog(
                "Ny kode: navn (som det skal stå i tabellen)",
                placeholder="fx Fleksjob",
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
                self.notify("Navnet er uændret.", timeout=2)
                return
            self._apply(
                lambda: self.project.update_code(stem, code.key, label=label),
                lambda new: f"Omdøbt: »{code.label}« hedder nu »{new.label}«",
            )

        self.app.push_screen(
            InputDialog(f"Nyt navn til »{code.label}«", code.label, id="codebook-rename-dialog"),
            got,
        )

    def action_recolour(self) -> None:
        from qualcode.tui.widgets.dialogs import InputDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem

        def got(colour: str | None) -> None:
            if colour is None:
                return
            colour = normalise_colour(colour)
            if colour == code.color:
                self.notify("Farven er uændret.", timeout=2)
                return
            self._apply(
                lambda: self.project.update_code(stem, code.key, color=colour),
                lambda new: f"Ny farve til {new.label}: {new.color}",
            )

        title = f"Farve til »{code.label}« (#RRGGBB)"
        self.app.push_screen(
            InputDialog(title, code.color, placeholder="#1F77B4", id="codebook-recolour-dialog"),
            got,
        )

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
                self.notify("Definitionen er uændret.", timeout=2)
                return
            self._apply(
                lambda: self.project.update_code(stem, code.key, definition=text),
                lambda new: f"Ny definition af {new.label} gemt",
            )

        title = f"Definition af »{code.label}«"
        self.app.push_screen(TextDialog(title, code.definition, id="codebook-describe-dialog"), got)

    def action_nest(self) -> None:
        from qualcode.tui.widgets.dialogs import PickDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem
        exclude = {code.key} | {c.key for c in self._loaded_book.descendants(code.key)}
        choices = [(TOP_LEVEL, "(intet: øverste niveau)"), *self._choices(exclude)]

        def got(choice: str | None) -> None:
            if choice is None:
                return
            parent = None if choice == TOP_LEVEL else choice
            if parent == code.parent:
                self.notify(f"»{code.label}« er allerede placeret der.", timeout=2, markup=False)
                return

            def done(new: Code) -> str:
                if new.parent is None:
                    return f"{new.label} er nu på øverste niveau"
                return f"{new.label} ligger nu under {self._loaded_book.code(new.parent).label}"

            self._apply(lambda: self.project.update_code(stem, code.key, parent=parent), done)

        self.app.push_screen(
            PickDialog(f"Placér »{code.label}« under …", choices, id="codebook-nest-dialog"), got
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
            self.notify("Der er ingen anden kode at slå sammen med.", severity="warning")
            return

        def got(target_key: str | None) -> None:
            if target_key is None:
                return
            target = self._loaded_book.code(target_key)
            usage = self.usage.get(code.key, 0)
            children = self._loaded_book.children(code.key)
            question = (
                f"Slå »{code.label}« sammen med »{target.label}«?\n"
                f"{_codings(usage).capitalize()} flyttes til »{target.label}«, "
                f"og »{code.label}« slettes."
            )
            if children:
                question += f" Dens {len(children)} underkode(r) flyttes også."

            def confirmed(yes: bool | None) -> None:
                if not yes:
                    return
                self._apply(
                    lambda: self.project.merge_codes(stem, code.key, target.key),
                    lambda moved: (
                        f"»{code.label}« er slået sammen med "
                        f"»{target.label}«: {_codings(moved)} flyttet"
                    ),
                    select=target.key,
                )

            self.app.push_screen(
                ConfirmDialog(question, yes="Slå sammen", id="codebook-merge-confirm"), confirmed
            )

        self.app.push_screen(
            PickDialog(f"Slå »{code.label}« sammen med …", choices, id="codebook-merge-dialog"), got
        )

    def action_delete(self) -> None:
        from qualcode.tui.widgets.dialogs import ConfirmDialog

        code = self._need_code()
        if code is None:
            return
        stem = self._loaded_book.stem
        children = self._loaded_book.children(code.key)
        if children:
            self.notify(
                f"»{code.label}« har {len(children)} underkode(r): flyt (n), slå "
                "sammen (g) eller slet dem først.",
                severity="error",
                markup=False,
            )
            return
        usage = self.usage.get(code.key, 0)
        question = (
            f"Slet koden »{code.label}«?\nDen har {_codings(usage)}, som også slettes."
            if usage
            else f"Slet koden »{code.label}«?\nDen har ingen kodninger."
        )

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            self._apply(
                lambda: self.project.delete_code(stem, code.key),
                lambda gone: f"Slettet: {code.label} ({_codings(gone)})",
                select="",
            )

        self.app.push_screen(
            ConfirmDialog(question, yes="Slet", id="codebook-delete-confirm"), confirmed
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
            self.notify(f"Kodebogen er gemt i {path}", markup=False)

        ask_for_file(
            self,
            "Eksportér kodebogen til YAML-fil",
            f"{book.stem}.yaml",
            write,
            suffix=".yaml",
            allowed=(".yaml", ".yml"),
            dialog_id="codebook-export-dialog",
            confirm_id="codebook-overwrite-confirm",
        )
