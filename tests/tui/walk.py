"""The "nothing falls through" walk of the workbench (issue 17).

Run as a program in a process of its own, with the language chosen in the environment
before qualcode is imported (the keys' descriptions are read as their modules are)::

    QUALCODE_LANG=qps python tests/tui/walk.py PROJECT EMPTY_PROJECT OUT.json

it opens the workbench on EMPTY_PROJECT (what a new project first shows), then on PROJECT
goes through every stop of :data:`STOPS`: the coding screen and its dialogs, the help, the
palette, import and KWIC; the quotes (F3), the counts (F4) and their dialogs, the codebook
(F5) and its dialogs, the disagreements (F6), the crosstab (F7) and the theme matrix,
personal data (F8), the framework matrix (F9) and the memos (M). At each capture it takes
what every widget shows (a table's cells and a list's options whole, so that data cut to
fit is still data), the notices since the last capture, and the descriptions and tooltips
of the keys qualcode gives the screen; and writes it to OUT.json, with what only the workbench knows
to be data (what the walk typed, the colour themes' names, the keys as written, the files
in its folder).

The test (test_tui_walk.py) judges it with a :class:`Judge`, who knows the data (every
text the projects hold): under the pseudo-language ``qps`` every catalogued text is
wrapped in ⟦ ⟧, so a word outside them that is not data fell through
(:meth:`Judge.fell_through`); in English, no æ, ø or å outside data
(:meth:`Judge.danish`).

A stop is an ``async def`` taking the :class:`Walk`, decorated with :func:`stop`: it goes
somewhere from the coding screen, calls ``await walk.capture("name")`` (or ``look``,
``answer``) where there is something to read, and may leave dialogs and screens open (the
walk goes back to the coding screen after it). Add the stops of another screen the same
way.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

SIZE = (160, 50)  # wide: fewer texts cut off, and fewer widgets out of sight

# Texts drawn by code outside the tui that is not marked: none now that every part of the
# program speaks through its catalogue. A pattern here lets a text through the judge (see
# the test of the mechanism); keep it empty.
ELSEWHERE: list[str] = []

# words that are the same in every language: units, keys as Textual writes them, file
# formats, the names of the tests, the product, and the languages by their own names
NEUTRAL = {
    "pp", "ctrl", "shift", "esc", "tab", "enter", "space", "home", "end", "pgup", "pgdn",
    "up", "down", "left", "right", "del", "delete", "qualcode", "csv", "xlsx", "md", "docx",
    "png", "svg", "yaml", "yml", "markdown", "excel", "word", "html", "rrggbb",
    "chi²", "fisher",  # the names of the tests, as the report and the io writers say them
    "dansk", "english",
}  # fmt: skip

# -- what the screen shows ------------------------------------------------------------------


def _plain(renderable) -> str:
    """A cell's or an option's text, whole (as wide as it needs)."""
    from io import StringIO

    from rich.console import Console
    from rich.text import Text

    if isinstance(renderable, Text):
        return renderable.plain
    if isinstance(renderable, str):
        return renderable
    console = Console(file=StringIO(), width=400, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _texts(widget) -> list[str]:
    """What a widget shows: a table's headings, row labels and cells and a list's options
    whole (so that data cut off to fit a column is still data), anything else as drawn."""
    from textual.geometry import Region
    from textual.widgets import DataTable, OptionList

    if isinstance(widget, DataTable):
        texts = [_plain(column.label) for column in widget.ordered_columns]
        texts += [_plain(row.label) for row in widget.ordered_rows if row.label is not None]
        for row in range(widget.row_count):
            texts += [_plain(cell) for cell in widget.get_row_at(row)]
        return texts
    if isinstance(widget, OptionList):
        return [_plain(option.prompt) for option in widget.options]
    width, height = widget.outer_size
    lines = widget.render_lines(Region(0, 0, width, height))
    return ["\n".join(strip.text.rstrip() for strip in lines)]


# -- the walk ------------------------------------------------------------------------------

Stop = Callable[["Walk"], Awaitable[None]]
STOPS: list[Stop] = []


def stop(function: Stop) -> Stop:
    """Add a stop to the walk (in the order they are defined)."""
    STOPS.append(function)
    return function


class Walk:
    """The workbench being walked, and what it showed: ``seen``, a list of (capture,
    where, text); and what of it is data: ``typed``, what the walk typed, and ``keys``,
    the keys as the screens write them."""

    def __init__(self, app, pilot) -> None:
        self.app, self.pilot = app, pilot
        self.seen: list[tuple[str, str, str]] = []
        self.names: set[str] = set()
        self.typed: list[str] = []
        self.keys_read: set[type] = set()
        self.keys: list[str] = []

    async def settle(self) -> None:
        """Let the workers finish and their results reach the screen."""
        from textual.widgets import DirectoryTree

        pilot, app = self.pilot, self.app
        await pilot.pause()
        for _ in range(50):
            # a folder tree's loader waits for folders to open as long as the tree lives
            running = [
                w
                for w in app.workers
                if not w.is_finished and not isinstance(w.node, DirectoryTree)
            ]
            if not running:
                break
            await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
            await pilot.pause()
        await pilot.pause()

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.settle()

    async def type(self, text: str) -> None:
        """Type ``text`` (data, as an analyst would type it) into the focused field."""
        self.typed.append(text)
        await self.press(*text)

    async def capture(self, name: str) -> None:
        """Take what the screen shows now (see :func:`drawn`) as ``name``."""
        assert name not in self.names, f"two captures named {name!r}"
        self.names.add(name)
        await self.settle()
        seen = self.drawn()
        self.seen += [(name, where, text) for where, text in seen]
        if os.environ.get("QUALCODE_WALK_TRACE"):
            shown = "\n".join(f"[{where}] {text}" for where, text in seen)
            print(f"-- {name}\n{shown}", file=sys.stderr, flush=True)

    def drawn(self) -> list[tuple[str, str]]:
        """Every widget's text on the top screen (each on its own, so a text cut off or
        wrapped stays in one piece), the notifications since the last look, and the keys
        qualcode gives the screen and the app (Textual's own are looked at in the help and
        the palette), the first time the walk is on a screen of that kind."""
        from textual.binding import Binding
        from textual.widgets import DataTable, OptionList

        app, seen = self.app, []
        screen = app.screen
        for widget in screen.walk_children():  # a dialog's, not the screen below it
            if not widget.display or not widget.region.area:
                continue
            if any(isinstance(a, (DataTable, OptionList)) for a in widget.ancestors):
                continue
            for text in _texts(widget):
                if text.strip():
                    seen.append((f"{type(widget).__name__}#{widget.id}", text.strip()))
        for note in app._notifications:
            seen.append(("notice", f"{note.title}\n{note.message}".strip()))
        app.clear_notifications()
        for cls in (*type(screen).__mro__, *type(app).__mro__):
            if cls in self.keys_read or not cls.__module__.startswith("qualcode"):
                continue
            self.keys_read.add(cls)
            for binding in cls.__dict__.get("BINDINGS", []):
                if not isinstance(binding, Binding):
                    continue
                for text in (binding.description, binding.tooltip):
                    if text:
                        seen.append((f"key {binding.key} of {cls.__name__}", str(text)))
                # the keys as the screen writes them (f2, ^p, 1-9, esc): data
                self.keys += [app.get_key_display(binding), *binding.key.split(",")]
        return seen

    async def look(self, name: str, *keys: str) -> None:
        """Press ``keys``, then capture what is shown as ``name``."""
        if keys:
            await self.press(*keys)
        await self.capture(name)

    async def answer(self, name: str, text: str | None = None) -> None:
        """Capture the dialog on top as ``name``, then give it ``text`` ('': what it
        suggests, None: close it; in a dialog with no field to type in, a key)."""
        from textual.widgets import Input, TextArea

        app = self.app
        await self.capture(name)
        if text is None:
            await self.press("escape")
        elif not text:
            await self.press("enter")
        elif app.screen.query(Input):
            app.screen.query_one(Input).value = text
            self.typed.append(text)
            await self.press("enter")
        elif app.screen.query(TextArea):
            app.screen.query_one(TextArea).text = text
            self.typed.append(text)
            await self.press("ctrl+s")
        else:
            await self.press(text)

    async def question(self, qid: str) -> None:
        """Work on question ``qid`` (the screen on show reads it again)."""
        self.app.set_question(qid)
        await self.settle()
        reload = getattr(self.app.screen, "reload", None)
        if reload is not None:
            reload()
            await self.settle()

    async def back(self) -> None:
        """Close every dialog and go back to the coding screen."""
        from textual.screen import ModalScreen

        while isinstance(self.app.screen, ModalScreen):
            self.app.pop_screen()
            await self.pilot.pause()
        if self.app.current_mode != "coding":
            self.app.switch_mode("coding")
        await self.settle()


def _(text: str) -> str:
    from qualcode.i18n import translator

    return translator("tui")[0](text)


# -- the coding screen, its dialogs, the help, the palette, import, KWIC --------------------


@stop
async def coding(walk: Walk) -> None:
    app = walk.app
    await walk.capture("coding")
    await walk.press("1")
    await walk.capture("coding: coded")
    await walk.press("1", "0")
    await walk.capture("coding: no theme")
    await walk.press("0", "f")
    await walk.capture("coding: filter")
    await walk.press("f", "f", "h")
    await walk.capture("coding: blind")
    await walk.press("h", "o")
    await walk.capture("coding: no model")
    await walk.press("x", "9")
    await walk.capture("coding: no suggestion, no code 9")
    app.screen.query_one("#queue-filter").value = "kode:zz"
    walk.typed.append("kode:zz")
    await asyncio.sleep(0.3)  # the filter waits for typing to pause
    await walk.capture("coding: unknown code")
    app.screen.query_one("#queue-filter").value = ""
    await asyncio.sleep(0.3)
    await walk.press("r")
    await walk.capture("coding: reloaded")
    app.set_question("interview")
    await walk.press("n")
    await walk.capture("coding: interview")
    app.set_question(app.project.questions()[0].id)
    await walk.settle()


@stop
async def suggestions(walk: Walk) -> None:
    """The suggestions numbered, the bar awaiting a number, an accept undone (a suggester
    with fixed suggestions, stubs.FixedSuggestions, for this stop only)."""
    from stubs import fixed_suggester, no_suggester

    from qualcode.tui.screens import coding

    screen = walk.app.screen
    coding.load_suggester = fixed_suggester
    try:
        screen._start_assistant()
        await walk.settle()
        await walk.capture("coding: suggestions")
        await walk.press("a")
        await walk.capture("coding: which suggestion")
        await walk.press("9")
        await walk.capture("coding: no suggestion 9")
        await walk.press("a", "2")
        await walk.capture("coding: suggestion accepted")
        await walk.press("u", "x", "x")
        await walk.capture("coding: suggestion rejected")
        await walk.press("u")
        await walk.capture("coding: rejection undone")
    finally:
        coding.load_suggester = no_suggester
        screen._start_assistant()
        await walk.settle()


@stop
async def dialogs(walk: Walk) -> None:
    from qualcode.tui.widgets.dialogs import ask_for_file

    app = walk.app
    await walk.press("v")
    await walk.capture("dialog: question")
    await walk.back()
    await walk.press("k")
    await walk.capture("dialog: coder")
    await walk.back()
    await walk.press("c")
    await walk.capture("dialog: code by name")
    await walk.type("zq")
    await walk.capture("dialog: code by name, nothing found")
    await walk.back()
    await walk.press("m")  # the item is coded: what is the memo about?
    await walk.capture("dialog: memo about")
    await walk.press("enter")
    await walk.capture("dialog: memo")
    await walk.type("notat")
    await walk.press("ctrl+s")
    await walk.capture("coding: memo saved")
    await walk.press("m", "enter")
    await walk.capture("dialog: memo to change")
    await walk.back()
    app.choose_basis()
    await walk.capture("dialog: basis")
    await walk.back()
    await walk.press("L")
    await walk.capture("dialog: language")
    await walk.press("down", "enter")
    await walk.capture("coding: language remembered")
    # where to write a file: an existing one asks first, then says it was not written
    existing = Path.cwd() / "tabel.csv"
    ask_for_file(app.screen, _("Gem"), existing.name, lambda path, force: None, suffix=".csv")
    await walk.capture("dialog: file name")
    await walk.press("enter")
    await walk.capture("dialog: overwrite")
    await walk.press("n")
    await walk.capture("coding: not overwritten")
    folder = Path.cwd() / "mappe"
    ask_for_file(app.screen, _("Gem"), folder.name, lambda path, force: None, suffix=".csv")
    await walk.press("enter")
    ask_for_file(
        app.screen,
        _("Gem"),
        "tabel.txt",
        lambda path, force: None,
        suffix=".csv",
        allowed=(".csv", ".xlsx"),
        strict=True,
    )
    await walk.press("enter")
    await walk.capture("coding: not a file name")


@stop
async def help_and_palette(walk: Walk) -> None:
    app = walk.app
    await walk.press("question_mark")
    await walk.capture("help")
    await walk.back()
    await walk.press("ctrl+p")
    await walk.capture("palette")  # every command: the list's options are taken whole
    await walk.type("zqxv")
    await asyncio.sleep(0.7)  # the palette says there is no match after a moment
    await walk.capture("palette: no match")
    await walk.back()
    app.search_themes()
    await walk.capture("palette: themes")
    await walk.back()
    await walk.press("ctrl+c")
    await walk.capture("coding: ctrl+c")


@stop
async def import_screen(walk: Walk) -> None:
    from textual.widgets import Input, Select

    app = walk.app
    await walk.press("i")
    await walk.capture("import")
    screen = app.screen
    for kind in ("interviews", "codings", "register", "refiqda"):
        screen.query_one("#import-kind", Select).value = kind
        await walk.capture(f"import: {kind}")
    screen.query_one("#import-kind", Select).value = "answers"
    await walk.press("ctrl+r")
    await walk.capture("import: no file")
    screen.query_one("#import-path", Input).value = "tabel.csv"
    await walk.settle()
    await walk.capture("import: columns")
    await walk.press("ctrl+r")
    await walk.capture("import: what is missing")
    screen.query_one("#import-kind", Select).value = "interviews"
    screen.query_one("#import-path", Input).value = "mappe"
    await walk.capture("import: a folder of transcripts")
    await walk.press("ctrl+p")
    await walk.capture("import: palette")


@stop
async def kwic(walk: Walk) -> None:
    await walk.press("w")
    await walk.capture("kwic")
    await walk.type("samarbejde")
    await walk.press("enter")
    await walk.capture("kwic: hits")
    await walk.press("1")
    await walk.capture("kwic: coded")


@stop
async def grid(walk: Walk) -> None:
    """F2's g: the grid of answers, its columns, a sort, filters (one on a cell's value,
    two that match nothing), and Enter back to the coding screen on an answer."""
    app = walk.app
    await walk.look("grid", "g")
    await walk.press("a")
    await walk.capture("grid: columns")
    await walk.press("space", "down", "space", "enter")
    await walk.capture("grid: with columns")
    await walk.look("grid: sorted", "right", "right", "right", "s")
    await walk.look("grid: sorted the other way", "s")
    await walk.look("grid: filtered on a value", "equals_sign")
    await walk.look("grid: nothing to filter on", "left", "left", "equals_sign")
    for name, typed in (("grid: unknown code", "kode:zz"), ("grid: unknown value", "region:xx")):
        app.screen.query_one("#grid-filter").value = typed
        walk.typed.append(typed)
        await walk.look(name, "slash", "enter")
    app.screen.query_one("#grid-filter").value = ""
    await walk.press("slash", "enter", "down", "enter")
    await walk.capture("coding: from the grid")


# -- the analysis screens --------------------------------------------------------------------
# on the project as the walk's test makes it: two more coders on 'strategier' (for F6) and
# a question 'kontakt' whose answers hold personal data (for F8)

TYPED = ("Ny testkode", "Et kort resumé")  # typed into the dialogs of F5 and F9


@stop
async def quotes(walk: Walk) -> None:
    """F3: an interview (roles, excerpts, context), stars, exports."""
    await walk.look("F3", "f3")
    await walk.question("interview")
    await walk.look("F3 interview")
    await walk.look("F3 starred only", "a")
    await walk.look("F3 all", "a")
    await walk.look("F3 star", "s")
    await walk.press("e")
    await walk.answer("F3 export md", "")  # the name it suggests
    await walk.look("F3 exported md")
    await walk.press("d")
    await walk.answer("F3 export docx")


@stop
async def counts(walk: Walk) -> None:
    """F4: an open question with the report's figures and a wave, then an interview; the
    views, the pairs, every export and dialog."""
    await walk.question("strategier")
    await walk.look("F4", "f4")
    await walk.look("F4 chart only", "b")
    await walk.look("F4 table only", "b")
    await walk.look("F4 both", "b")
    await walk.look("F4 mentioned together", "s")
    await walk.press("s")
    await walk.look("F4 recount", "r")
    await walk.press("c")
    await walk.answer("F4 export csv", "")
    await walk.look("F4 exported csv")
    await walk.press("g")
    await walk.answer("F4 save chart", "figur.svg")
    await walk.look("F4 chart saved")
    await walk.press("E")
    await walk.answer("F4 noun")
    await walk.press("p")
    await walk.answer("F4 report", "rapport.md")
    await walk.look("F4 report written")
    await walk.question("interview")
    await walk.look("F4 interview")


@stop
async def codebook(walk: Walk) -> None:
    """F5: add, colour, rename, define, nest, merge (and undo), delete, export."""
    await walk.question("strategier")
    await walk.look("F5", "f5")
    await walk.press("a")
    await walk.answer("F5 new code", TYPED[0])
    await walk.answer("F5 new code's colour", "")
    await walk.look("F5 added")
    for key, name in (("r", "rename"), ("c", "colour"), ("d", "definition")):
        await walk.press(key)
        if key == "c":  # a colour by name or swatch; what is none says so
            await walk.answer("F5 colour", "ikke-en-farve")
        await walk.answer(f"F5 {name}" if key != "c" else "F5 colour: no colour")
    await walk.press("n")
    await walk.answer("F5 nest")
    await walk.press("g")
    await walk.answer("F5 merge", "enter")
    await walk.answer("F5 merge confirm", "j")
    await walk.look("F5 merged")
    await walk.look("F5 undo", "u")
    await walk.press("delete")
    await walk.answer("F5 delete")
    await walk.press("e")
    await walk.answer("F5 export", "")
    await walk.look("F5 exported")


@stop
async def disagreements(walk: Walk) -> None:
    """F6: two coders, settle one, choose coders, only the open ones."""
    await walk.question("strategier")
    await walk.look("F6", "f6")
    await walk.look("F6 settle", "1")
    await walk.look("F6 open only", "o")
    await walk.press("o")
    await walk.press("e")
    await walk.answer("F6 coders")
    await walk.look("F6 undo", "ctrl+z")


@stop
async def crosstab_and_matrix(walk: Walk) -> None:
    """F7, and the theme matrix (t) by an attribute and by question."""
    await walk.question("strategier")
    await walk.look("F7", "f7")
    await walk.press("a")
    await walk.answer("F7 attribute", "enter")
    await walk.look("F7 table")
    await walk.press("g")
    await walk.answer("F7 groups")
    await walk.press("o")
    await walk.answer("F7 order", "")
    await walk.look("F7 order kept")
    await walk.look("F7 order undone", "u")
    await walk.press("c")
    await walk.answer("F7 export", "")
    await walk.look("F7 exported")
    await walk.look("matrix", "t")
    await walk.press("a")
    await walk.answer("matrix attribute", "enter")
    await walk.look("matrix table")
    await walk.press("n")
    await walk.answer("matrix top", "2")
    await walk.look("matrix top 2")
    await walk.press("n")
    await walk.answer("matrix top, not a number", "x")
    await walk.look("matrix refused")
    await walk.press("s")
    await walk.answer("matrix questions")
    await walk.press("m")
    await walk.answer("matrix export", "")
    await walk.look("matrix exported")
    await walk.press("escape")
    await walk.question("samarbejde-lokale-virksomheder")
    await walk.look("matrix by question", "t")


@stop
async def personal_data(walk: Walk) -> None:
    """F8: every question, one question, redact one."""
    await walk.question("strategier")
    await walk.look("F8", "f8")
    await walk.press("r")
    await walk.answer("F8 redact one")
    await walk.press("R")
    await walk.answer("F8 redact all")
    await walk.look("F8 this question", "a")
    await walk.press("a")
    await walk.look("F8 rescan", "g")
    await walk.press("r")
    await walk.answer("F8 redact", "j")
    await walk.look("F8 redacted")


@stop
async def framework(walk: Walk) -> None:
    """F9: write a summary, delete it, undo."""
    await walk.question("strategier")
    await walk.look("F9", "f9")
    await walk.press("e")
    await walk.answer("F9 summary", TYPED[1])
    await walk.look("F9 written")
    await walk.look("F9 deleted", "delete")
    await walk.look("F9 undo", "u")


@stop
async def memos(walk: Walk) -> None:
    """m on F5 (a code's memo) and on F2 (a coding's); the memo screen M: a project memo,
    a search that finds nothing, edit, delete (asked first), undo, and Enter jumps."""
    app = walk.app
    await walk.question("strategier")
    await walk.press("f5", "m")
    await walk.answer("F5 memo", "kodenotat")
    await walk.look("F5 memo written")
    await walk.press("f2", "m")
    await walk.capture("F2 memo about")
    await walk.press("down", "enter")
    await walk.answer("F2 coding memo", "kodningsnotat")
    await walk.look("F2 coding memo written")
    await walk.look("M", "M")
    await walk.look("M jumped", "enter")  # the newest memo, the coding's: to its text
    await walk.look("M again", "M")
    await walk.press("p")
    await walk.answer("M project memo", "projektnotat")
    await walk.look("M project memo written")
    await walk.press("slash")
    await walk.type("zzq")
    await walk.capture("M nothing found")
    app.screen.query_one("#memos-search-box").value = ""
    await walk.press("escape", "e")
    await walk.answer("M edit", "projektnotat 2")
    await walk.press("delete")
    await walk.answer("M delete", "j")
    await walk.look("M deleted")
    await walk.look("M undo", "u")
    await walk.look("M redo", "ctrl+y")
    for _n in range(5):  # the project memo's three changes, the coding's, the code's
        await walk.press("u")
    await walk.look("M nothing to undo", "u")


# -- the walk as a program ---------------------------------------------------------------------


async def _walk(project_path: str, empty_path: str) -> dict:
    from qualcode.tui.app import make_app

    here = Path.cwd()  # its files are data; those the walk writes are named by the screens
    files = [p.name for p in here.iterdir()] + [str(here), *here.parts]
    walks = []
    app = make_app(empty_path, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        walks.append(walk := Walk(app, pilot))
        await walk.capture("coding: empty project")
    app = make_app(project_path, coder="ida")
    async with app.run_test(size=SIZE) as pilot:
        walks.append(walk := Walk(app, pilot))
        for go in STOPS:
            await go(walk)
            await walk.back()
    more = [*files, *app.available_themes]
    for walk in walks:
        more += [*walk.typed, *walk.keys]
    return {"seen": [seen for walk in walks for seen in walk.seen], "more": more}


def main(argv: list[str]) -> None:
    project, empty, out = argv
    from stubs import no_suggester

    from qualcode.tui.screens import coding

    # the coding screen's suggestions load spaCy's pipeline: not what the walk is about
    coding.load_suggester = no_suggester
    result = asyncio.run(_walk(project, empty))
    result["language"] = os.environ.get("QUALCODE_LANG", "")
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# -- judging what was seen -------------------------------------------------------------------


def data_texts(*projects: Path, more: Iterable[str] = ()) -> list[str]:
    """Every text the projects hold (answers, labels, definitions, names, attributes,
    questions, codebooks, coders, memos, settings such as the noun; the personal data
    found, masked, with their placeholders), the codebooks qualcode comes with, the files'
    names, and ``more`` (what only the walk knows to be data)."""
    from qualcode.core import pii
    from qualcode.core.codebook import list_codebooks
    from qualcode.core.project import Project

    texts: set[str] = {*more, *pii.PLACEHOLDERS.values(), *list_codebooks()}

    def add(value: object) -> None:
        if isinstance(value, str):
            value = value.strip()
            if value[:1] in "[{":
                try:
                    add(json.loads(value))
                    return
                except ValueError:
                    pass
            if value:
                texts.add(value)
                texts.update(p.strip() for p in value.split("/") if p.strip())
        elif isinstance(value, dict):
            for v in value.values():
                add(v)
        elif isinstance(value, list):
            for v in value:
                add(v)

    for project in projects:
        texts.add(project.name)
        conn = sqlite3.connect(project)
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and "fts" not in name
            and name not in ("events", "nlp_docs")
        ]  # fmt: skip
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (its own names)
                for value in row:
                    add(value)
        conn.close()
        with Project.open(project) as p:
            noun = p.noun()
            for hit in pii.scan(p):
                texts.update((hit.masked, hit.context()))
        texts.update((noun.singular, noun.plural, noun.Plural))
        texts.update(w[:1].upper() + w[1:] for w in (noun.singular, noun.plural))
    return sorted(texts)


_WRAPPED = re.compile("⟦[^⟦⟧]*⟧")
# where one text on a line ends and the next begins: two spaces (columns, padding), the
# marks the screens draw around data (·, ■, ✓, ∅, ✎, ★, ↔ …) and box and bar characters
# (anything but a letter, a digit, a space, the marks of ordinary text, "…" where a text is
# cut and "•" where personal data is masked)
_SPLIT = re.compile(r"\n| {2,}|[^\w\s^•.,;:!?'\"()\[\]{}/%&+*#@=<>’“”»«–…-]+")
_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]{2,}")  # a word: two letters or more
_DANISH = re.compile("[æøåÆØÅ]")
_PUNCTUATION = " .,;:!?'\"()[]{}’“”»«–-"
_LONG = 15  # characters (or three words) of data in a row: data, wherever it is cut


def unwrapped(text: str) -> str:
    """``text`` (what a widget shows) without what came through a catalogue: every ⟦…⟧
    (the innermost first, across lines), then a text whose start the widget cut off (from
    the widget's start to a ⟧ with no ⟦) and one whose end it cut off (from a ⟦ with no ⟧
    up to a '…', or else to the widget's end)."""
    while True:
        shorter = _WRAPPED.sub("\x00", text)
        if shorter == text:
            break
        text = shorter
    text = re.sub(r"^[^⟦]*⟧", "\x00", text)
    return re.sub(r"⟦[^…]*…?", "\x00", text)


class Judge:
    """Takes data out of what was seen; what is left is the program's own text, which is
    to have come through a catalogue.

    A text is cut into pieces where the screens put different texts side by side (see
    ``_SPLIT``); in a piece, from each word on, the longest run that is data (a part of a
    data text) is data if it is long (15 characters or three words: a shorter one could be
    any text, but a longer one is data cut to fit or wrapped anywhere), if it is a whole
    data text (an id, a label, a name, a key), or if the screen cut it ('…'); a word that
    is none of these is the program's, unless the piece and the one on the next or the
    line before, read as one, are data (a text wrapped onto the next line)."""

    def __init__(self, data: Iterable[str], elsewhere: Iterable[str] = ELSEWHERE) -> None:
        texts = {" ".join(d.split()) for d in data} - {""}
        self.blob = "\x00" + "\x00".join(texts) + "\x00"
        self.whole = texts | {t.strip(_PUNCTUATION) for t in texts}
        self.elsewhere = [re.compile(p, re.MULTILINE) for p in elsewhere]
        self.judged: dict[tuple[str, bool], list[str]] = {}

    def fell_through(self, text: str) -> list[str]:
        """What of a text seen in the pseudo-language is neither catalogued (⟦ ⟧) nor
        data: the pieces with a word (of two letters or more, not the same in every
        language)."""
        return self._judge(text, True)

    def danish(self, text: str) -> list[str]:
        """What of a text seen in English has æ, ø or å outside data."""
        return self._judge(text, False)

    def _judge(self, text: str, pseudo: bool) -> list[str]:
        key = (text, pseudo)
        if key not in self.judged:  # the same texts come back at many captures
            if pseudo:
                found = [p for p in self.left(unwrapped(text)) if self.words(p)]
            elif _DANISH.search(text):
                found = [p for p in self.left(text) if _DANISH.search(p)]
            else:
                found = []
            self.judged[key] = found
        return self.judged[key]

    def left(self, text: str) -> list[str]:
        """What is left of ``text`` once the data is taken out."""
        for pattern in self.elsewhere:
            text = pattern.sub("\x00", text)
        rows = [
            [p for p in (" ".join(p.split()) for p in _SPLIT.split(line)) if _WORD.search(p)]
            for line in text.split("\n")
        ]
        found = {(r, n): self._not_data(p) for r, row in enumerate(rows) for n, p in enumerate(row)}
        for r in range(1, len(rows)):  # a data text wrapped onto the next line
            if rows[r - 1] and rows[r]:
                last, first = (r - 1, len(rows[r - 1]) - 1), (r, 0)
                if (found[last] or found[first]) and not self._not_data(
                    f"{rows[r - 1][-1]} {rows[r][0]}"
                ):
                    found[last] = found[first] = []
        return [s for r, row in enumerate(rows) for n in range(len(row)) for s in found[r, n]]

    @staticmethod
    def words(piece: str) -> list[str]:
        """The piece's words that are not the same in every language."""
        return [w for w in _LETTERS.findall(piece) if w.lower() not in NEUTRAL]

    def _not_data(self, piece: str) -> list[str]:
        """The runs of words of ``piece`` that are not data (see the class), with the
        marks around them."""
        marks = bytearray(len(piece))  # 1: a word that is not data, 2: data
        at = 0
        while word := _WORD.search(piece, at):
            at = word.start()
            end = self._data_to(piece, at)
            if end > at:
                marks[at:end] = b"\x02" * (end - at)
                at = end
            else:
                marks[at : word.end()] = b"\x01" * (word.end() - at)
                at = word.end()
        out = []
        for run in re.finditer(rb"\x01(?:[\x00\x01]*\x01)?", bytes(marks)):
            start, stop = run.span()
            while start and marks[start - 1] == 0 and not piece[start - 1].isspace():
                start -= 1
            while stop < len(piece) and marks[stop] == 0 and not piece[stop].isspace():
                stop += 1
            out.append(piece[start:stop])
        return out

    def _data_to(self, piece: str, at: int) -> int:
        """Where the data starting at ``at`` ends (``at``: none)."""
        end = self._longest(piece, at)
        run = piece[at:end].rstrip()
        if len(run) >= _LONG or len(run.split()) >= 3:
            return end
        if run and piece[end:].lstrip().startswith("…"):  # cut to fit
            return end
        token = at  # with the marks before it ('#', '@', '(')
        while token and not piece[token - 1].isspace():
            token -= 1
        for stop in range(end, at, -1):  # a whole data text, to the end of a word
            if stop < len(piece) and piece[stop].isalnum() or not piece[stop - 1].isalnum():
                continue
            if piece[at:stop] in self.whole or piece[token:stop] in self.whole:
                return stop
        return at

    def _longest(self, piece: str, start: int) -> int:
        """The end of the longest run from ``start`` that is a part of a data text."""
        lo, hi = start, len(piece)
        while lo < hi:  # a run that is not data has no longer one that is
            mid = (lo + hi + 1) // 2
            if piece[start:mid] in self.blob:
                lo = mid
            else:
                hi = mid - 1
        return lo


if __name__ == "__main__":
    main(sys.argv[1:])
