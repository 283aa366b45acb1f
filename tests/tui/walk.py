"""The "nothing falls through" walk of the workbench (issue 17).

Run as a program in a process of its own, with the language chosen in the environment
before qualcode is imported (the keys' descriptions are read as their modules are)::

    QUALCODE_LANG=qps python tests/tui/walk.py PROJECT EMPTY_PROJECT OUT.json

it opens the workbench on PROJECT, goes through every stop of :data:`STOPS` (screens,
dialogs, the help, the palette, notices), and writes what the terminal showed at each,
with the project's data, to OUT.json. The test (test_tui_walk.py) then looks for text that
did not come through a catalogue: under the pseudo-language ``qps`` every catalogued text
is wrapped in ⟦ ⟧, so a word outside them that is not data (an answer, a label, a name, a
file name, a key) fell through (:func:`fell_through`); in English, no æ, ø or å outside
data (:func:`danish_letters`).

A stop is an ``async def`` taking the :class:`Walk`, decorated with :func:`stop`: it goes
somewhere from the coding screen, calls ``await walk.capture("name")`` where there is
something to read, and may leave dialogs open (the walk closes them). Add the stops of
another screen here the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

SIZE = (120, 36)

# -- reading the screen --------------------------------------------------------------------


def screen_text(app) -> str:
    """Every line of the screen as the terminal gets it, without styles."""
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


_WRAPPED = re.compile("⟦[^⟦⟧]*⟧")
# where a text ends or starts outside the screen line: cut at the end of the line
_OPEN_TO_END = re.compile("⟦[^⟧\n]*$", re.MULTILINE)
_START_TO_CLOSE = re.compile("^[^⟦\n]*⟧", re.MULTILINE)
_CTRL_KEY = re.compile(r"\^[a-z]\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# pieces of a line that belong to different texts: two spaces (columns, padding), the
# marks the screens draw around data (·, ■, ✓, ∅, ✎ …) and box and bar characters
_SEPARATORS = re.compile(r" {2,}|[^\w\s.,;:!?'\"()\[\]{}/%&+*#@=<>’“”»«–-]|\s·\s|^·\s|\x00")
_MATCH = 12  # characters of data in a row that make a piece data, wherever it is cut


def unwrap(text: str) -> str:
    """``text`` with every catalogued (⟦ ⟧) text taken out, innermost first; texts that
    the screen cuts at its edge (an opening ⟦ with no end on its line) to the line's end;
    and the keys as Textual writes them with ctrl (^p)."""
    text = _CTRL_KEY.sub("\x00", text)
    previous = None
    while previous != text:
        previous, text = text, _WRAPPED.sub("\x00", text)
    text = _OPEN_TO_END.sub("\x00", text)
    return _START_TO_CLOSE.sub("\x00", text)


class Data:
    """The data the screens show, which is never translated: long texts (answers,
    question texts, definitions), which a screen shows cut and wrapped anywhere, and short
    ones (ids, labels, names, file names, keys), shown whole."""

    def __init__(self, long: Iterable[str], short: Iterable[str]) -> None:
        self.corpus = "\n".join(_norm(t) for t in [*long, *short] if t)
        self.short = {_norm(s) for s in short if s and s.strip()}

    def longest(self, text: str, start: int) -> int:
        """The end of the longest piece of data starting at ``start`` of ``text``."""
        lo, hi = start, len(text)
        while lo < hi:  # a piece that is not in the corpus has no longer one that is
            mid = (lo + hi + 1) // 2
            if text[start:mid] in self.corpus:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def strays(self, piece: str) -> list[str]:
        """The words of ``piece`` that are not data."""
        piece = _norm(piece).strip().rstrip("…").strip()
        if not _WORD.search(piece) or piece in self.corpus or piece in self.short:
            return []
        out, at = [], 0
        while at < len(piece):
            if not (piece[at].isalpha()):
                at += 1
                continue
            end = self.longest(piece, at)
            found = piece[at:end]
            word = _WORD.match(piece, at)
            assert word is not None
            whole = word.end() <= end and (end == len(piece) or not piece[end].isalnum())
            if end - at >= _MATCH or (whole and _is_short(found, self.short)) or end == len(piece):
                at = max(end, at + 1)
                continue
            out.append(word.group())
            at = word.end()
        return out


def _is_short(found: str, short: set[str]) -> bool:
    found = found.strip(" .,;:!?()")
    return found in short or all(w in short for w in found.split())


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def fell_through(text: str, data: Data) -> list[str]:
    """Words on a screen in the pseudo-language that are neither catalogued nor data."""
    out = []
    for line in unwrap(text).splitlines():
        for piece in _SEPARATORS.split(line):
            out += data.strays(piece)
    return out


def danish_letters(text: str, data: Data) -> list[str]:
    """Words with æ, ø or å on an English screen that are not data."""
    out = []
    for line in text.splitlines():
        for piece in _SEPARATORS.split(line):
            if re.search("[æøåÆØÅ]", piece):
                out += [w for w in data.strays(piece) if re.search("[æøåÆØÅ]", w)]
    return out


def project_data(project, extra: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(long, short) data of ``project``: every text of it a screen may show."""
    from qualcode.core.codebook import list_codebooks

    long: list[str] = []
    short: list[str] = ["qualcode", Path(project.path).name, *LANGUAGE_NAMES.split(), *extra]
    noun = project.noun()
    short += [noun.singular, noun.plural, noun.Plural, *project.coders()]
    for q in project.questions():
        short += [q.id, q.codebook]
        long.append(q.text)
        for it in project.items(q.id, include_interviewer=True, include_empty=True):
            long.append(it.text)
            short += [it.respondent, it.respondent_name, it.speaker_role or ""]
    for stem in project.codebook_stems():
        book = project.codebook(stem)
        short += [stem, book.title]
        long += [book.description, book.definition_source, book.published_source]
        for code in book:
            short += [code.key, code.label, *code.keywords]
            long.append(code.definition)
    for r in project.respondents():
        short += [r.id, r.name, *r.attributes]
        long += list(r.attributes.values())
    long += [m.text for m in project.memos()]
    short += list_codebooks()
    return long, short


# -- the walk ----------------------------------------------------------------------------

# how Textual writes keys (no language), and the languages by their own names
KEY_NAMES = "ctrl shift esc tab enter space home end pgup pgdn up down left right delete"
LANGUAGE_NAMES = "dansk English"

Stop = Callable[["Walk"], Awaitable[None]]
STOPS: list[Stop] = []


def stop(function: Stop) -> Stop:
    """Add a stop to the walk (in the order they are defined)."""
    STOPS.append(function)
    return function


class Walk:
    def __init__(self, app, pilot) -> None:
        self.app, self.pilot = app, pilot
        self.texts: dict[str, str] = {}
        self.typed: list[str] = []  # what the walk typed: data too

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
        assert name not in self.texts, f"two stops named {name!r}"
        await self.settle()
        self.texts[name] = screen_text(self.app)
        if os.environ.get("QUALCODE_WALK_TRACE"):
            print(f"-- {name}\n{self.texts[name]}", file=sys.stderr, flush=True)

    async def pages(self, name: str, key: str = "pagedown", most: int = 12) -> None:
        """Capture what ``key`` scrolls into view, page by page, as "NAME: page N"."""
        last = self.texts[name]
        for page in range(2, most + 2):
            await self.press(key)
            text = screen_text(self.app)
            if text == last:
                return
            await self.capture(f"{name}: page {page}")
            last = text

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


# -- the stops of the coding screen, its dialogs, the help, the palette, import, KWIC -------


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
    await walk.press("m")
    await walk.capture("dialog: memo")
    await walk.type("notat")
    await walk.press("ctrl+s")
    await walk.capture("coding: memo saved")
    await walk.press("m")
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
    await walk.back()


@stop
async def help_and_palette(walk: Walk) -> None:
    app = walk.app
    await walk.press("question_mark")
    await walk.capture("help")
    await walk.back()
    await walk.press("ctrl+p")
    await walk.capture("palette")
    await walk.pages("palette")  # every command, whatever order the providers answer in
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
    await walk.back()


@stop
async def kwic(walk: Walk) -> None:
    await walk.press("w")
    await walk.capture("kwic")
    await walk.type("samarbejde")
    await walk.press("enter")
    await walk.capture("kwic: hits")
    await walk.press("1")
    await walk.capture("kwic: coded")
    await walk.back()


async def _walk(project_path: str, empty_path: str) -> dict:
    from qualcode.core.project import Project
    from qualcode.tui.app import make_app

    texts: dict[str, str] = {}
    typed: list[str] = []
    app = make_app(empty_path, coder="ida")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        walk = Walk(app, pilot)
        await walk.capture("coding: empty project")
        texts.update(walk.texts)
    app = make_app(project_path, coder="ida")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        walk = Walk(app, pilot)
        for go in STOPS:
            await go(walk)
            await walk.back()
        texts.update(walk.texts)
        typed += walk.typed
    with Project.open(project_path) as project:
        long, short = project_data(project, typed)
    with Project.open(empty_path) as project:
        more_long, more_short = project_data(project)
    themes = list(app.available_themes)
    here = Path.cwd()
    files = [p.name for p in here.iterdir()] + [str(here), *here.parts]
    keys = [*_key_displays(app), *KEY_NAMES.split()]
    return {
        "texts": texts,
        "long": long + more_long,
        "short": short + more_short + themes + files + keys,
    }


def _key_displays(app) -> list[str]:
    """How the keys are written on the screen (f2, ^p, 1-9, esc): no language."""
    from textual.binding import Binding

    from qualcode.tui.app import QualcodeApp

    out = []
    classes = [QualcodeApp, *_screen_classes()]
    for cls in classes:
        for entry in getattr(cls, "BINDINGS", []):
            if isinstance(entry, Binding):
                out.append(app.get_key_display(entry))
                out += entry.key.split(",")
    return out


def _screen_classes() -> list[type]:
    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.screens.help import HelpScreen
    from qualcode.tui.screens.import_screen import ImportScreen
    from qualcode.tui.screens.kwic import KwicScreen

    return [CodingScreen, HelpScreen, ImportScreen, KwicScreen]


def main(argv: list[str]) -> None:
    project, empty, out = argv
    # the coding screen's suggestions load spaCy's pipeline: not what the walk is about
    from qualcode.tui.screens import coding

    coding.load_suggester = _stub_suggester
    result = asyncio.run(_walk(project, empty))
    result["language"] = os.environ.get("QUALCODE_LANG", "")
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


class _NoSuggestions:
    """A suggester with no rules and no model (as tests/tui/conftest.py's)."""

    model = None
    precision: dict[str, float] = {}

    def __init__(self, project, question: str, coder: str) -> None:
        self.project, self.question, self.coder = project, question, coder

    def for_item(self, item_id: int) -> list:
        return []

    def uncertainty(self, item_ids, *, cancelled=None) -> dict[int, float]:
        return {}


def _stub_suggester(project, qid, coder, **_options):
    return _NoSuggestions(project, qid, coder), "", ""


if __name__ == "__main__":
    main(sys.argv[1:])
