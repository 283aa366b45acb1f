"""Nothing falls through (issue 17): the workbench walked in the pseudo-language and in
English, each in a process of its own (the language is read as the modules are imported),
by tests/tui/walk.py; and the checker the walk relies on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from walk import STOPS, Data, danish_letters, fell_through

from qualcode.core.project import Project

WALK = Path(__file__).with_name("walk.py")


def _walked(lang: str, demo_db: Path, tmp: Path) -> dict:
    projects, here, home = tmp / "projects", tmp / "here", tmp / "home"
    for folder in (projects, here / "mappe", home):
        folder.mkdir(parents=True)
    project = projects / "demo.qualcode.db"
    shutil.copy(demo_db, project)
    Project.create(projects / "tom.qualcode.db").close()
    (here / "tabel.csv").write_text("respondent,svar\nJC01,Mere samarbejde\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "QUALCODE_CONFIG"}
    env.update(QUALCODE_LANG=lang, QUALCODE_HOME=str(home), QUALCODE_CODER="ida")
    out = tmp / "walk.json"
    run = subprocess.run(
        [sys.executable, str(WALK), str(project), str(projects / "tom.qualcode.db"), str(out)],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pseudo(demo_db, tmp_path_factory):
    return _walked("qps", demo_db, tmp_path_factory.mktemp("walk-qps"))


@pytest.fixture(scope="module")
def english_walk(demo_db, tmp_path_factory):
    return _walked("en", demo_db, tmp_path_factory.mktemp("walk-en"))


def _report(found: dict[str, list[str]], texts: dict[str, str]) -> str:
    return "\n".join(f"{name}: {words}\n{texts[name]}" for name, words in found.items() if words)


def test_every_text_of_the_walk_came_through_a_catalogue(pseudo):
    data = Data(pseudo["long"], pseudo["short"])
    found = {name: fell_through(text, data) for name, text in pseudo["texts"].items()}
    assert not any(found.values()), _report(found, pseudo["texts"])


def test_the_walk_went_everywhere(pseudo):
    texts = pseudo["texts"]
    assert len(STOPS) >= 5
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
    ):
        assert "⟦" in texts[name], name
    assert "⟦palet⟧" in texts["coding"]  # the footer's ctrl+p
    assert "⟦Søg efter en kommando …⟧" in texts["palette"]
    assert "⟦Ingen kommandoer passer⟧" in texts["palette: no match"]
    assert "⟦Vil du afslutte?⟧" in texts["coding: ctrl+c"]


def test_english_shows_no_danish_letters_outside_data(english_walk):
    data = Data(english_walk["long"], english_walk["short"])
    found = {name: danish_letters(text, data) for name, text in english_walk["texts"].items()}
    assert not any(found.values()), _report(found, english_walk["texts"])


def test_english_speaks_english(english_walk):
    texts = english_walk["texts"]
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


# -- the checker --------------------------------------------------------------------------

DATA = Data(
    ["Mere samarbejde med virksomhederne og med organisationer om fleksjob"],
    ["JC04", "Fleksjob", "ida", "demo.db"],
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
        (" ^p palette ", ["palette"]),
        ("⟦Kodet⟧ JC04: Fleksjob  Search for commands…", ["search", "for", "commands"]),
        ("Ingen forslag til dette svar.", ["ingen", "forslag", "til", "dette", "svar"]),
        ("✓ Kodet JC04: Fleksjob", ["kodet"]),
    ],
)
def test_the_checker_finds_what_fell_through(screen, strays):
    assert fell_through(screen, DATA) == strays


def test_the_checker_finds_danish_letters_in_english():
    assert danish_letters("Coded JC04: Fleksjob · gennemgået", DATA) == ["gennemgået"]
    assert danish_letters("Removed Fleksjob from JC04", DATA) == []
