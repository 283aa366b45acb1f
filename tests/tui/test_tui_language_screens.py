"""Nothing falls through (issue 17): the analysis screens speak only catalogue texts.

The workbench is walked in the pseudo-language (``QUALCODE_LANG=qps``: every text that
came through a catalogue is wrapped in ⟦ ⟧): the quotes (F3), the counts (F4) and their
dialogs, the codebook (F5) and its dialogs, the disagreements (F6), the crosstab (F7) and
the theme matrix, personal data (F8) and the framework matrix (F9). What each screen and
dialog draws, every notification and every key's description and tooltip is collected;
a word outside ⟦ ⟧ that is not data (answers, labels and definitions, respondents and
their attributes, question ids and texts, coder and file names, numbers, the noun) did
not come through a catalogue, and the test names it and where it was seen. The same walk
in English finds no Danish letter outside data.

The language is decided once per process, and the keys' descriptions are read when the
screens' modules are imported, so the walk runs in a process of its own: this file run
as a script (``python test_tui_language_screens.py PROJECT OUT.json``, with
QUALCODE_LANG set) walks the workbench and writes what it saw; the tests below start
it, and judge what it saw.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SIZE = (160, 50)  # wide: fewer texts cut off, so fewer pieces to judge
TYPED = ("Ny testkode", "Et kort resumé")  # what the walk types: data

# Texts drawn on these screens by code outside the tui that does not go through a
# catalogue: the verbal scale of the counts' frame, whose value is the same in every
# language (a contract of the files made from it; io.fmt.scale says it in the language).
ELSEWHERE_PLACES: list[str] = []
ELSEWHERE = [
    r"^(enkelte|flere|de fleste)$",
]

# words that are the same in every language: units, keys, file formats, the product
NEUTRAL = {
    "pp", "ctrl", "del", "esc", "enter", "tab", "shift", "qualcode", "csv", "xlsx", "md",
    "docx", "png", "svg", "yaml", "yml", "markdown", "excel", "word", "html", "rrggbb",
    "chi²", "fisher",  # the names of the tests, as the report and the io writers say them
}  # fmt: skip


# -- what the walk sees (run in its own process) ------------------------------------------


class _NoSuggestions:
    """The coding screen's suggester without spaCy (as tests/tui/conftest.py)."""

    model = None
    precision: dict[str, float] = {}

    def __init__(self, project, question: str, coder: str) -> None:
        self.project, self.question, self.coder = project, question, coder

    def for_item(self, item_id: int) -> list:
        return []

    def uncertainty(self, item_ids, *, cancelled=None) -> dict[int, float]:
        return {}


async def _settle(app, pilot) -> None:
    """Let the thread workers finish and their messages reach the screen."""
    await pilot.pause()
    for _ in range(50):
        running = [w for w in app.workers if not w.is_finished]
        if not running:
            break
        await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        await pilot.pause()
    await pilot.pause()


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
    """What a widget shows: a table's headings and cells and a list's options whole (so
    that data cut off to fit a column is still data), anything else as drawn."""
    from textual.geometry import Region
    from textual.widgets import DataTable, OptionList

    if isinstance(widget, DataTable):
        texts = [_plain(column.label) for column in widget.ordered_columns]
        for row in range(widget.row_count):
            texts += [_plain(cell) for cell in widget.get_row_at(row)]
        return texts
    if isinstance(widget, OptionList):
        return [_plain(option.prompt) for option in widget.options]
    width, height = widget.outer_size
    lines = widget.render_lines(Region(0, 0, width, height))
    return ["\n".join(strip.text.rstrip() for strip in lines)]


def _drawn(app, place: str) -> list[tuple[str, str]]:
    """Every widget's text on the screen (each on its own, so a text cut off or wrapped
    stays in one piece), the notifications since the last look, and the screen's keys."""
    from textual.widgets import DataTable, OptionList

    seen = []
    screen = app.screen
    for widget in screen.walk_children():  # a dialog's screen draws the one below it too
        if not widget.display or not widget.region.area:
            continue
        if any(isinstance(a, (DataTable, OptionList)) for a in widget.ancestors):
            continue
        for text in _texts(widget):
            if text.strip():
                seen.append((f"{place}: {type(widget).__name__}#{widget.id}", text.strip()))
    for note in app._notifications:
        seen.append((f"{place}: notice", f"{note.title}\n{note.message}".strip()))
    app.clear_notifications()
    for cls in type(screen).__mro__:  # the keys qualcode gives it (not Textual's own)
        if cls.__module__.startswith("qualcode"):
            for binding in cls.__dict__.get("BINDINGS", []):
                for text in (binding.description, binding.tooltip):
                    if text:
                        seen.append((f"{place}: key {binding.key}", str(text)))
    return seen


async def _walk(project: Path) -> list[tuple[str, str]]:
    from textual.widgets import Input, TextArea

    from qualcode.tui.app import make_app
    from qualcode.tui.screens import coding

    coding.load_suggester = lambda project, qid, coder, **_: (
        _NoSuggestions(project, qid, coder),
        "",
        "",
    )
    app = make_app(project, coder="ida")
    seen: list[tuple[str, str]] = []
    async with app.run_test(size=SIZE) as pilot:

        async def press(*keys: str) -> None:
            await pilot.press(*keys)
            await _settle(app, pilot)

        async def look(place: str, *keys: str) -> None:
            if keys:
                await press(*keys)
            seen.extend(_drawn(app, place))

        async def answer(place: str, text: str | None = None) -> None:
            """Look at the dialog on top, then give it ``text`` ('': what it suggests,
            None: close it)."""
            await look(place)
            if text is None:
                await press("escape")
            elif not text:
                await press("enter")
            elif app.screen.query(Input):
                app.screen.query_one(Input).value = text
                await press("enter")
            elif app.screen.query(TextArea):
                app.screen.query_one(TextArea).text = text
                await press("ctrl+s")
            else:
                await press(text)

        async def question(qid: str) -> None:
            app.set_question(qid)
            await _settle(app, pilot)
            app.screen.reload()
            await _settle(app, pilot)

        await _settle(app, pilot)
        app.clear_notifications()

        # F3 quotes: an interview (roles, excerpts, context), stars, exports
        await look("F3", "f3")
        await question("interview")
        await look("F3 interview")
        await look("F3 starred only", "a")
        await look("F3 all", "a")
        await look("F3 star", "s")
        await press("e")
        await answer("F3 export md", "")  # the name it suggests
        await look("F3 exported md")
        await press("d")
        await answer("F3 export docx")

        # F4 counts, an open question with the report's figures and a wave, then an
        # interview; the views, the pairs, every export and dialog
        await question("strategier")
        await look("F4", "f4")
        await look("F4 chart only", "b")
        await look("F4 table only", "b")
        await look("F4 both", "b")
        await look("F4 mentioned together", "s")
        await press("s")
        await look("F4 recount", "r")
        await press("c")
        await answer("F4 export csv", "")
        await look("F4 exported csv")
        await press("g")
        await answer("F4 save chart", "figur.svg")
        await look("F4 chart saved")
        await press("E")
        await answer("F4 noun")
        await press("p")
        await answer("F4 report", "rapport.md")
        await look("F4 report written")
        await question("interview")
        await look("F4 interview")

        # F5 codebook: add, colour, rename, define, nest, merge (and undo), delete, export
        await question("strategier")
        await look("F5", "f5")
        await press("a")
        await answer("F5 new code", TYPED[0])
        await answer("F5 new code's colour", "")
        await look("F5 added")
        for key, place in (("r", "rename"), ("c", "colour"), ("d", "definition")):
            await press(key)
            await answer(f"F5 {place}")
        await press("n")
        await answer("F5 nest")
        await press("g")
        await answer("F5 merge", "enter")
        await answer("F5 merge confirm", "j")
        await look("F5 merged")
        await look("F5 undo", "u")
        await press("delete")
        await answer("F5 delete")
        await press("e")
        await answer("F5 export", "")
        await look("F5 exported")

        # F6 disagreements: two coders, settle one, choose coders, only the open ones
        await look("F6", "f6")
        await look("F6 settle", "1")
        await look("F6 open only", "o")
        await press("o")
        await press("e")
        await answer("F6 coders")
        await look("F6 undo", "ctrl+z")

        # F7 crosstab and the theme matrix
        await look("F7", "f7")
        await press("a")
        await answer("F7 attribute", "enter")
        await look("F7 table")
        await press("g")
        await answer("F7 groups")
        await press("c")
        await answer("F7 export", "")
        await look("F7 exported")
        await look("matrix", "t")
        await press("a")
        await answer("matrix attribute", "enter")
        await look("matrix table")
        await press("n")
        await answer("matrix top", "2")
        await look("matrix top 2")
        await press("n")
        await answer("matrix top, not a number", "x")
        await look("matrix refused")
        await press("s")
        await answer("matrix questions")
        await press("m")
        await answer("matrix export", "")
        await look("matrix exported")
        await press("escape")
        await question("samarbejde-lokale-virksomheder")
        await look("matrix by question", "t")
        await press("escape")

        # F8 personal data: every question, one question, redact one
        await question("strategier")
        await look("F8", "f8")
        await press("r")
        await answer("F8 redact one")
        await press("R")
        await answer("F8 redact all")
        await look("F8 this question", "a")
        await press("a")
        await look("F8 rescan", "g")
        await press("r")
        await answer("F8 redact", "j")
        await look("F8 redacted")

        # F9 framework matrix: write a summary, delete it, undo
        await look("F9", "f9")
        await press("e")
        await answer("F9 summary", TYPED[1])
        await look("F9 written")
        await look("F9 deleted", "delete")
        await look("F9 undo", "u")
    return seen


def main(argv: list[str]) -> int:
    project, out = Path(argv[1]), Path(argv[2])
    seen = asyncio.run(_walk(project))
    out.write_text(json.dumps(seen, ensure_ascii=False), encoding="utf-8")
    return 0


# -- judging what was seen ------------------------------------------------------------------


def data_texts(*projects: Path, more: tuple[str, ...] = ()) -> list[str]:
    """Every text the projects hold (answers, labels, definitions, names, attributes,
    questions, codebooks, coders, settings such as the noun; the personal data found,
    masked, with their placeholders), and the files' names, longest first."""
    from qualcode.core import pii
    from qualcode.core.project import Project

    texts: set[str] = set(more) | set(pii.PLACEHOLDERS.values())

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
        texts.update(w[:1].upper() + w[1:] for w in (noun.singular, noun.plural))
    return sorted(texts, key=len, reverse=True)


_WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
# where one text on a line ends and the next begins: panes, columns, marks and bars
_SPLIT = re.compile(r"(\n|·|│|┃|■|★|☆|✓|↔|←|→|—|[▏▎▍▌▋▊▉█]+| {2,})")


def unwrapped(text: str) -> str:
    """``text`` without what came through a catalogue: every ⟦…⟧ (the innermost first,
    across lines), then a ⟦ whose end was cut off (up to a '…' or the line's end) and a
    ⟧ whose start was (from the line's start)."""
    while True:
        shorter = _WRAPPED.sub(" ", text)
        if shorter == text:
            break
        text = shorter
    text = re.sub(r"⟦[^\n…]*…?", " ", text)
    return re.sub(r"^[^\n]*⟧", " ", text, flags=re.MULTILINE)


def _pattern(phrase: str) -> re.Pattern[str]:
    """A data text as it may be drawn: wrapped anywhere between its words."""
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


class Judge:
    """Takes data out of what was seen; what is left is the program's own text."""

    def __init__(self, data: list[str], elsewhere: list[str], elsewhere_places: list[str]) -> None:
        self.data = data
        self.patterns: dict[str, re.Pattern[str]] = {}
        self.blob = "\x00".join(" ".join(d.split()) for d in data)
        self.elsewhere = [re.compile(p, re.MULTILINE) for p in elsewhere]
        self.elsewhere_places = [re.compile(p) for p in elsewhere_places]

    def mine(self, place: str) -> bool:
        """Whether what was seen at ``place`` is drawn by the screens walked here."""
        return not any(p.search(place) for p in self.elsewhere_places)

    def _without_data(self, text: str) -> str:
        for pattern in self.elsewhere:
            text = pattern.sub(" ", text)
        text = "\n".join(  # data cut off to fit, first: its words are data too
            "".join(" " if self._is_data(p, cut_only=True) else p for p in _SPLIT.split(line))
            for line in text.split("\n")
        )
        for phrase in self.data:
            first = phrase.split()[0] if phrase.split() else ""
            if not first or first not in text:
                continue
            pattern = self.patterns.get(phrase)
            if pattern is None:
                pattern = self.patterns[phrase] = _pattern(phrase)
            text = pattern.sub(" ", text)
        return text

    def _is_data(self, piece: str, *, cut_only: bool = False) -> bool:
        """A piece of data cut off ('…') to fit, or wrapped onto lines of its own (at
        least 15 characters or three words: a shorter one could be any text)."""
        cut = "…" in piece
        if cut_only and not cut:
            return False
        parts = [
            " ".join(part.split()).strip(" \"'()[]:;,.")
            for part in piece.split("…")
            if re.search(r"[^\W\d_]", part)
        ]
        if not parts:
            return False
        if not cut and not (len(parts[0]) >= 15 or len(parts[0].split()) >= 3):
            return False
        return all(part in self.blob for part in parts)

    def pieces(self, text: str) -> list[str]:
        """What is left of ``text`` once data is taken out, in pieces that hold a word."""
        left = self._without_data(text)
        return [
            piece.strip()
            for piece in _SPLIT.split(left)
            if re.search(r"[^\W\d_]", piece) and not self._is_data(piece)
        ]

    @staticmethod
    def words(piece: str) -> list[str]:
        """The piece's words (of two letters or more) that are not the same in every
        language."""
        return [w for w in re.findall(r"[^\W\d_]{2,}", piece) if w.lower() not in NEUTRAL]


def not_from_a_catalogue(seen: list[tuple[str, str]], judge: Judge) -> list[str]:
    """Where a word outside ⟦ ⟧ was seen that is not data: 'place: piece'."""
    found = []
    for place, text in seen:
        if not judge.mine(place):
            continue
        for piece in judge.pieces(unwrapped(text)):
            if judge.words(piece):
                found.append(f"{place}: {piece!r}")
    return sorted(set(found))


def danish_outside_data(seen: list[tuple[str, str]], judge: Judge) -> list[str]:
    """Where a Danish letter was seen outside data: 'place: piece'."""
    found = []
    for place, text in seen:
        if not judge.mine(place):
            continue
        for piece in judge.pieces(text):
            if re.search("[æøåÆØÅ]", piece):
                found.append(f"{place}: {piece!r}")
    return sorted(set(found))


# -- the tests ------------------------------------------------------------------------------

PHONE, CPR, MAIL = "23 45 67 89", "010190-1234", "mette@jobcenter.dk"


@pytest.fixture(scope="module")
def walked_project(demo_db, tmp_path_factory) -> Path:
    """The demo with two more coders on 'strategier' (for F6) and a question whose
    answers hold personal data (for F8)."""
    import shutil

    from helpers import run, write_csv
    from qualcode.core.project import Project

    folder = tmp_path_factory.mktemp("walk")
    project = folder / "demo.qualcode.db"
    shutil.copy(demo_db, project)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QUALCODE_HOME", str(folder / "home"))
        src = write_csv(
            folder / "svar.csv",
            [
                ["jobcenter_id", "svar"],
                ["JC01", f"Ring til Jens på {PHONE} om fleksjob."],
                ["JC02", f"Borgeren (CPR {CPR}) kan kontaktes via {MAIL}."],
            ],
        )
        result = run(
            "import", "answers", project, src, "--respondent-col", "jobcenter_id",
            "--text-col", "svar", "--question", "kontakt",
            "--codebook", "lokalpolitiske-strategier",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    with Project.open(project) as p:
        items = p.items("strategier")[:3]
        plan = {"ane": [["fleksjob"], ["andet"]], "bo": [["fleksjob", "andet"], ["andet"]]}
        for coder, codes in plan.items():
            for item, keys in zip(items, codes, strict=False):
                for key in keys:
                    p.add_coding(item.id, key, coder=coder)
    return project


def walk(project: Path, folder: Path, lang: str) -> tuple[list[tuple[str, str]], Judge]:
    """Walk a copy of ``project`` in ``lang`` in a process of its own, in ``folder``
    (where the exports are written): what it saw, and a judge who knows its data (the
    project's before and after the walk)."""
    import shutil

    folder.mkdir()
    copy = folder / project.name
    shutil.copy(project, copy)
    out = folder / "seen.json"
    env = {**os.environ, "QUALCODE_LANG": lang, "QUALCODE_HOME": str(folder / "home")}
    done = subprocess.run(
        [sys.executable, __file__, str(copy), str(out)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    seen = [(place, text) for place, text in json.loads(out.read_text("utf-8"))]
    data = data_texts(project, copy, more=(*TYPED, str(folder)))
    return seen, Judge(data, ELSEWHERE, ELSEWHERE_PLACES)


def test_the_judge_finds_what_did_not_come_through_a_catalogue():
    judge = Judge(['Generelt fokus på "borgere på kanten"', "JC01", "Jobcenter Aarhus"], [], [])
    seen = [
        ("wrapped, and data", "⟦Nøgle:⟧ JC01 Jobcenter Aarhus"),
        ("data cut off", 'Generelt fokus på "borg…  ⟦15 af 35⟧'),
        ("wrapped over two lines", "⟦Projektet har ingen\nspørgsmål endnu.⟧"),
        ("cut off", "⟦Rapport 20…  ⟦Andel⟧"),
        ("its start cut off", "ingen spørgsmål endnu.⟧  JC01"),
        ("a key", "c ⟦Eksportér CSV⟧"),
        ("not through a catalogue", "Andel  ⟦Tema⟧"),
        ("data and not", "JC01 har svaret"),
    ]
    assert not_from_a_catalogue(seen, judge) == [
        "data and not: 'har svaret'",
        "not through a catalogue: 'Andel'",
    ]
    english = [("data", "Key: JC01 · Jobcenter Aarhus"), ("Danish", "Nøgle: JC01")]
    assert danish_outside_data(english, judge) == ["Danish: 'Nøgle:'"]


def test_the_analysis_screens_speak_only_catalogue_texts(walked_project, tmp_path):
    seen, judge = walk(walked_project, tmp_path / "qps", "qps")
    places = {place.split(":")[0] for place, _ in seen}
    assert {"F3 interview", "F4", "F5 merge confirm", "F6", "F7 table", "matrix table"} <= places
    assert {"F8 redact one", "F9 summary", "F4 report written"} <= places
    shown = "\n".join(text for _, text in seen)
    assert "⟦Nøgle:⟧" in shown and "⟦Andel⟧" in shown and "⟦Skjul valgte⟧" in shown
    assert not_from_a_catalogue(seen, judge) == []


def test_the_analysis_screens_in_english_have_no_danish_letters(walked_project, tmp_path):
    seen, judge = walk(walked_project, tmp_path / "en", "en")
    shown = "\n".join(text for _, text in seen)
    for text in ("Codebook", "Key:", "Showing table and chart", "Saved as CSV:", "Stated by"):
        assert text in shown
    assert "possible pieces of personal data in every question" in shown
    assert danish_outside_data(seen, judge) == []


async def test_counts_and_codebook_read_in_english_with_its_numbers(english, demo_copy):
    """In the test's own process: what the screens say when they are drawn follows the
    language (the keys' descriptions were read in Danish when the modules were imported)."""
    from textual.widgets import DataTable

    from helpers import settle
    from qualcode.tui.app import make_app

    app = make_app(demo_copy, coder="ida")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        status = str(app.screen.query_one("#counts-status").render())
        assert "7 themes · 35 jobcentre answered · Report 2018:" in status
        table = app.screen.query_one("#counts-table", DataTable)
        heads = [column.label.plain for column in table.ordered_columns]
        assert heads[:3] == ["Theme", "Stated by", "Share"] and "Difference" in heads
        assert table.get_row_at(0)[2].plain == "42.9%"
        await pilot.press("f5")
        await settle(app, pilot)
        detail = str(app.screen.query_one("#codebook-detail-text").render())
        assert "Key: borgere-paa-kanten" in detail and "Codings: 24" in detail
        assert "The report 2018: 15 of 35" in detail


if __name__ == "__main__":
    sys.exit(main(sys.argv))
