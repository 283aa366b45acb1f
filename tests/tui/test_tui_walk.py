"""Nothing falls through (issue 17): the whole workbench, the coding side and the analysis
screens, walked in the pseudo-language and in English, each in a process of its own (the
language is read as the modules are imported), by tests/tui/walk.py; and the judge the
walk relies on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from walk import STOPS, Judge, data_texts

from helpers import write_csv
from qualcode.core.project import Project

WALK = Path(__file__).with_name("walk.py")
PHONE, CPR, MAIL = "23 45 67 89", "010190-1234", "mette@jobcenter.dk"
TABLE = [["respondent", "svar"], ["JC01", "Mere samarbejde"]]  # for the import and file dialogs


@pytest.fixture(scope="module")
def walked_project(demo_db, tmp_path_factory) -> Path:
    """The demo with two more coders on 'strategier' (for F6) and a question whose
    answers hold personal data (for F8)."""
    from helpers import run

    folder = tmp_path_factory.mktemp("walked")
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


@dataclass
class Walked:
    """What the walk saw: (capture, where, text); the text of each capture, for a test
    to read; and a judge who knows the data."""

    seen: list[tuple[str, str, str]]
    texts: dict[str, str]
    judge: Judge


class _Walking:
    """A walk of a copy of ``project`` in ``lang``, in a process of its own started from a
    folder of its own (where the exports are written, with a table and a folder for the
    file dialogs)."""

    def __init__(self, lang: str, project: Path, tmp: Path) -> None:
        self.lang, self.project, self.tmp = lang, project, tmp
        projects, here, home = tmp / "projects", tmp / "here", tmp / "home"
        for folder in (projects, here / "mappe", home):
            folder.mkdir(parents=True)
        self.copy, self.empty = projects / project.name, projects / "tom.qualcode.db"
        shutil.copy(project, self.copy)
        Project.create(self.empty).close()
        write_csv(here / "tabel.csv", TABLE)
        env = {k: v for k, v in os.environ.items() if k != "QUALCODE_CONFIG"}
        env.update(QUALCODE_LANG=lang, QUALCODE_HOME=str(home), QUALCODE_CODER="ida")
        self.out, self.err = tmp / "walk.json", tmp / "walk.err"
        with self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(WALK), str(self.copy), str(self.empty), str(self.out)],
                cwd=here,
                env=env,
                stdout=err,
                stderr=err,
            )

    def result(self) -> Walked:
        """Wait for the walk; what it saw, with a judge who knows the data."""
        code = self.process.wait(timeout=900)
        assert code == 0, self.err.read_text(encoding="utf-8", errors="replace")[-4000:]
        result = json.loads(self.out.read_text(encoding="utf-8"))
        assert result["language"] == self.lang
        seen = [(name, where, text) for name, where, text in result["seen"]]
        texts: dict[str, str] = {}
        for name, _where, text in seen:
            texts[name] = f"{texts[name]}\n{text}" if name in texts else text
        # the data before the walk and after it (what it added, merged and deleted)
        more = [*result["more"], *(cell for row in TABLE for cell in row)]
        judge = Judge(data_texts(self.project, self.copy, self.empty, more=more))
        return Walked(seen, texts, judge)


@pytest.fixture(scope="module")
def _walking(request, walked_project, tmp_path_factory):
    """The walks this module's chosen tests need, started at once: a walk mostly waits for
    the screen to be idle, so the two take about the time of one."""
    wanted = {
        name
        for item in request.session.items
        if item.path == request.path
        for name in getattr(item, "fixturenames", ())
    }
    walking = {
        lang: _Walking(lang, walked_project, tmp_path_factory.mktemp(f"walk-{lang}"))
        for lang, fixture in (("qps", "pseudo"), ("en", "english_walk"))
        if fixture in wanted
    }
    yield walking
    for walk in walking.values():  # one whose test was not reached
        if walk.process.poll() is None:
            walk.process.kill()
            walk.process.wait()


@pytest.fixture(scope="module")
def pseudo(_walking) -> Walked:
    return _walking["qps"].result()


@pytest.fixture(scope="module")
def english_walk(_walking) -> Walked:
    return _walking["en"].result()


def _report(found: list[tuple[str, str, list[str]]]) -> str:
    return "\n".join(f"{name}: {where}: {piece!r}" for name, where, ps in found for piece in ps)


def test_every_text_of_the_walk_came_through_a_catalogue(pseudo):
    found = [(n, w, pseudo.judge.fell_through(t)) for n, w, t in pseudo.seen]
    found = [(n, w, ps) for n, w, ps in found if ps]
    assert not found, _report(found)


def test_the_walk_went_everywhere(pseudo):
    texts = pseudo.texts
    assert len(STOPS) >= 12
    for name in (
        "coding: empty project",
        "coding",
        "help",
        "palette",
        "palette: no match",
        "import",
        "import: no file",
        "kwic: hits",
        "dialog: overwrite",
        "dialog: language",
        "grid",
        "grid: columns",
        "grid: sorted",
        "grid: unknown code",
    ):
        assert "⟦" in texts[name], name
    assert "⟦palet⟧" in texts["coding"]  # the footer's ctrl+p
    assert "⟦Søg efter en kommando …⟧" in texts["palette"]
    assert "⟦Ingen kommandoer passer⟧" in texts["palette: no match"]
    assert "⟦Vil du afslutte?⟧" in texts["coding: ctrl+c"]
    # the analysis screens
    names = set(texts)
    assert {"F3 interview", "F4", "F5 merge confirm", "F6", "F7 table", "matrix table"} <= names
    assert {"F8 redact one", "F9 summary", "F4 report written"} <= names
    shown = "\n".join(texts.values())
    assert "⟦Nøgle:⟧" in shown and "⟦Andel⟧" in shown and "⟦Skjul valgte⟧" in shown


def test_english_shows_no_danish_letters_outside_data(english_walk):
    found = [(n, w, english_walk.judge.danish(t)) for n, w, t in english_walk.seen]
    found = [(n, w, ps) for n, w, ps in found if ps]
    assert not found, _report(found)


def test_english_speaks_english(english_walk):
    texts = english_walk.texts
    assert "Coding — coder: ida" in texts["coding"]
    assert "^p palette" in texts["coding"] and "1-9 Code" in texts["coding"]
    assert "Keys: Coding" in texts["help"] and "Next item in the queue" in texts["help"]
    assert "Search for a command …" in texts["palette"]
    palette = "".join(text for name, text in texts.items() if name.startswith("palette"))
    assert "Colour theme" in palette and "Next (n)" in palette and "Screenshot" in palette
    assert "No commands match" in texts["palette: no match"]
    assert "Import into the project" in texts["import"]
    assert "How to begin:" in texts["coding: empty project"]
    assert "The language is English; it is remembered." in texts["coding: language remembered"]
    # the analysis screens
    shown = "\n".join(texts.values())
    for text in ("Codebook", "Key:", "Showing table and chart", "Saved as CSV:", "Stated by"):
        assert text in shown
    assert "possible pieces of personal data in every question" in shown


# -- the judge ------------------------------------------------------------------------------

JUDGE = Judge(
    [
        "Mere samarbejde med virksomhederne og med organisationer om fleksjob",
        *("JC04", "Fleksjob", "ida", "demo.db"),
        'Generelt fokus på "borgere på kanten"',
        *("JC01", "Jobcenter Aarhus"),
        *("#BCBD22", "m•••@jobcenter.dk"),
    ]
)


@pytest.mark.parametrize(
    ("screen", "strays"),
    [
        ("⟦Kodning⟧ — ⟦koder: ida⟧ · demo.db", []),
        ("✓ JC04 Mere samarbejde med virk…  │ ⟦hele svaret⟧", []),  # cut data
        ("  ▊ JC04   med virksomhederne og med ▎", []),
        ("virksomhederne og med organisationer om\nfleksjob", []),  # wrapped data
        ("⟦Memo om ⟦kodningen Fleksjob⟧⟧", []),  # nested
        ("⟦Et langt tekst, som skæres af ved k…", []),  # cut at the screen's edge
        (" ^p palette ", ["^p palette"]),
        ("⟦Kodet⟧ JC04: Fleksjob  Search for commands…", ["Search for commands…"]),
        ("Ingen forslag til dette svar.", ["Ingen forslag til dette svar."]),
        ("✓ Kodet JC04: Fleksjob", ["Kodet"]),
        ("⟦Nøgle:⟧ JC01 Jobcenter Aarhus", []),  # wrapped, and data
        ('Generelt fokus på "borg…  ⟦15 af 35⟧', []),  # data cut off
        ("⟦Projektet har ingen\nspørgsmål endnu.⟧", []),  # wrapped over two lines
        ("⟦Rapport 20…  ⟦Andel⟧", []),  # cut off
        ("ingen spørgsmål endnu.⟧  JC01", []),  # its start cut off
        ("c ⟦Eksportér CSV⟧", []),  # a key
        ("Andel  ⟦Tema⟧", ["Andel"]),  # not through a catalogue
        ("JC01 har svaret", ["har svaret"]),  # data and not
        ("⟦Et langt tekst, som går\nover to linjer og skæres af ved", []),  # where it ends
        ("⟦Farve:⟧ #BCBD22 · m•••@jobcenter.dk", []),  # marks in data
        ("JC01 Jobcenter Aarhus har svaret", ["har svaret"]),
    ],
)
def test_the_judge_finds_what_fell_through(screen, strays):
    assert JUDGE.fell_through(screen) == strays


def test_the_judge_finds_danish_letters_in_english():
    assert JUDGE.danish("Coded JC04: Fleksjob · gennemgået") == ["gennemgået"]
    assert JUDGE.danish("Removed Fleksjob from JC04") == []
    assert JUDGE.danish("Key: JC01 · Jobcenter Aarhus") == []
    assert JUDGE.danish("Nøgle: JC01") == ["Nøgle:"]


def test_the_judge_lets_through_what_is_marked_elsewhere_for_now():
    """ELSEWHERE: texts of a part of qualcode whose texts are not marked yet."""
    judge = Judge(["ida"], elsewhere=[r"Kodet af: [^\n·⟦⟧]*"])
    assert judge.fell_through("⟦Tal⟧ · Kodet af: ida") == []
    assert Judge(["ida"], elsewhere=[]).fell_through("Kodet af: ida") == ["Kodet af:"]
