"""Start-up at the floor (issue 19): the commands people run most, and the workbench's
first screen, load none of the heavy libraries (pandas, numpy, spaCy, matplotlib, nor
sqlite-utils, which would bring pandas). Each runs in a fresh interpreter, as the user
starts it, and the modules it had loaded when it ended are checked; how fast that is
lives in bench/ (bench_commands.py), not here."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# a library named here is loaded by none of the commands below; (sqlite_utils would bring
# pandas and numpy with it: store/db.py loads it only to upgrade an older project)
HEAVY = ("pandas", "numpy", "spacy", "matplotlib", "sqlite_utils")

# Runs `qualcode ARGS...` through the CLI's own main, then writes the top-level names of
# the modules loaded at the end, with the exit code, to the file named by argv[1].
COMMAND = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["qualcode", *args]
from qualcode.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}, f)
"""


def loaded_by(tmp_path: Path, *args: object) -> tuple[set[str], str]:
    """The top-level modules `qualcode ARGS` had loaded when it ended, and what it printed
    (it must have succeeded)."""
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", COMMAND, str(report), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert report.exists(), done.stderr
    result = json.loads(report.read_text())
    assert result["code"] in (0, None), done.stdout + done.stderr
    return set(result["modules"]), done.stdout


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in HEAVY if m in modules)


@pytest.fixture(scope="module")
def respondent(demo_db) -> str:
    """A jobcentre that answered strategier."""
    with sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True) as con:
        (rid,) = con.execute(
            "SELECT respondent_id FROM items WHERE question_id = 'strategier' AND NOT is_empty "
            "ORDER BY respondent_id LIMIT 1"
        ).fetchone()
    return str(rid)


def test_help_lists_every_command_and_loads_only_their_modules(tmp_path):
    modules, out = loaded_by(tmp_path, "--help")
    assert heavy(modules) == []
    assert "counts " in out and "tui " in out and "scan-pii " in out
    assert "ctypes" not in modules  # the file-system check is a writer's, at write time


def test_info_loads_nothing_heavy_and_only_its_own_command(tmp_path, demo_db):
    modules, out = loaded_by(tmp_path, "info", demo_db)
    assert "strategier" in out
    assert heavy(modules) == []
    # only the results commands' module is imported, not every command's (nor ctypes,
    # which only a writer's file-system check needs)
    assert not {"openpyxl", "docx", "yaml", "textual", "ctypes"} & modules
    assert "qualcode.cli.framework" not in _submodules(tmp_path, "info", demo_db)


@pytest.mark.parametrize("fmt", ["table", "csv", "md", "json"])
def test_counts_loads_nothing_heavy(tmp_path, demo_db, fmt):
    modules, out = loaded_by(
        tmp_path, "counts", demo_db, "--question", "strategier", "--format", fmt
    )
    assert "15" in out and "35" in out  # Tabel 1's first line: 15 of 35
    assert heavy(modules) == []


def test_counts_of_every_question_loads_nothing_heavy(tmp_path, demo_db):
    modules, out = loaded_by(tmp_path, "counts", demo_db)
    assert "udfordringer-psykiske" in out
    assert heavy(modules) == []


# What only some actions need: the store modules of the log and undo, files, imports,
# memos, 'no theme' marks, framework summaries, the file-system check and backups; and
# every model class but Code, Noun and Question, each in a module of qualcode.models that
# is loaded when the class is first named. A command that only reads loads none of them.
NOT_FOR_READING = {
    "qualcode.store.events",
    "qualcode.store.files",
    "qualcode.store.imports",
    "qualcode.store.memos",
    "qualcode.store.reviews",
    "qualcode.store.summaries",
    "qualcode.store.fs",
    "qualcode.store.backup",
    "click.shell_completion",  # loaded only when the shell asks for completions
}


@pytest.mark.parametrize(
    "args",
    [("info",), ("counts", "--question", "strategier"), ("counts",)],
    ids=["info", "counts", "counts-all"],
)
def test_reading_commands_load_only_what_reading_needs(tmp_path, demo_db, args):
    report = tmp_path / "all.json"
    done = subprocess.run(
        [sys.executable, "-c", SUBMODULES, str(report), args[0], str(demo_db), *args[1:]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(report.read_text())
    assert result["code"] in (0, None), done.stdout + done.stderr
    assert "strategier" in done.stdout
    loaded = set(result["modules"])
    assert "qualcode.core.project" in loaded and "qualcode.models" in loaded
    assert sorted(NOT_FOR_READING & loaded) == []
    assert sorted(m for m in loaded if m.startswith("qualcode.models.")) == []


def test_shell_completion_speaks_qualcodes_language_when_the_shell_asks():
    """click's shell completion module is loaded only when the shell asks for completions
    (click's _QUALCODE_COMPLETE), and then its words come from qualcode's catalogue."""
    check = (
        "import gettext, sys\n"
        "import qualcode.cli\n"
        "module = sys.modules.get('click.shell_completion')\n"
        "print(module is not None and module._ is not gettext.gettext)\n"
    )
    for value, expected in (("bash_source", "True"), ("", "False")):
        env = dict(os.environ, _QUALCODE_COMPLETE=value)
        done = subprocess.run(
            [sys.executable, "-c", check], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.stdout.strip() == expected, done.stderr


def test_every_model_is_a_dataclass_of_qualcode_models():
    """The classes built when first named are there to import, as before, and are the
    dataclasses of their modules; a name qualcode.models does not have is an error."""
    import dataclasses
    import importlib

    import qualcode.models as models

    names = ["Code", "Noun", "Question", "Respondent", "Item", "Coding", "Quote"]
    names += ["Disagreement", "Change", "Summary", "Memo", "ImportSummary"]
    for name in names:
        cls = getattr(models, name)
        assert dataclasses.is_dataclass(cls) and cls.__name__ == name
        assert getattr(importlib.import_module(cls.__module__), name) is cls
        assert name in dir(models)
        assert cls.__dataclass_params__.frozen == (name != "ImportSummary")
    with pytest.raises(AttributeError, match="Quotes"):
        models.Quotes  # noqa: B018
    with pytest.raises(ImportError):
        exec("from qualcode.models import Quotes", {})


def test_quotes_loads_nothing_heavy(tmp_path, demo_db):
    modules, out = loaded_by(
        tmp_path, "quotes", demo_db, "--question", "strategier", "--code", "fleksjob"
    )
    assert out.startswith("## ")
    assert heavy(modules) == []


def _codings_of(db: Path, respondent: str, coder: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        (n,) = con.execute(
            "SELECT count(*) FROM codings JOIN items ON items.id = codings.item_id "
            "WHERE items.respondent_id = ? AND items.question_id = 'strategier' AND coder = ?",
            (respondent, coder),
        ).fetchone()
    return int(n)


def test_code_loads_nothing_heavy(tmp_path, demo_db, respondent):
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    args = ("--question", "strategier", "--respondent", respondent, "--code", "fleksjob")
    modules, _out = loaded_by(tmp_path, "code", copy, *args)
    assert heavy(modules) == []
    # it did code the answer (as the tests' coder: see conftest.py)
    assert _codings_of(copy, respondent, os.environ["QUALCODE_CODER"]) == 1


def test_the_check_sees_a_heavy_library_when_one_is_loaded(tmp_path, demo_db):
    """The probe itself: a command that builds a DataFrame (crosstab) does show pandas."""
    args = ("--question", "strategier", "--by", "lokalpolitisk_fokus")
    modules, _out = loaded_by(tmp_path, "crosstab", demo_db, *args)
    assert "pandas" in heavy(modules)


def test_the_command_table_names_each_command_where_it_is_declared():
    """``qualcode.cli.COMMAND_MODULES`` (which module to import for a command) against
    the commands each module declares; and the framework command's formats, which it
    names itself, against the exporter's."""
    import importlib
    import pkgutil

    import qualcode.cli
    from qualcode.cli import COMMAND_MODULES
    from qualcode.io.framework import FORMATS

    declared = {}
    for info in pkgutil.iter_modules(qualcode.cli.__path__):
        if info.name == "__main__":  # runs the program
            continue
        module = importlib.import_module(f"qualcode.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            declared[command.name] = info.name
    assert declared == COMMAND_MODULES
    assert importlib.import_module("qualcode.cli.framework").FORMATS == FORMATS


SUBMODULES = COMMAND.replace('{m.split(".")[0] for m in sys.modules}', "set(sys.modules)")


def _submodules(tmp_path: Path, *args: object) -> set[str]:
    report = tmp_path / "all.json"
    subprocess.run(
        [sys.executable, "-c", SUBMODULES, str(report), *map(str, args)],
        capture_output=True,
        timeout=120,
    )
    return set(json.loads(report.read_text())["modules"])


# The workbench's first screen: `qualcode tui COPY` through the CLI's main (its own check
# that the project opens included), with the app run headless (run_test) instead of on the
# terminal, until the coding screen shows its first answer. That is the first screen: what
# the main thread loads to show it. The coding screen also starts a worker thread that
# loads the code suggestions (spaCy, and numpy with it) beside it, by design, so as not to
# hold the first screen up; here that worker waits until the first answer has been seen,
# so that what it loads (later, in its own thread) is not counted, whichever is faster.
WORKBENCH = """
import asyncio, json, sys, threading
out, db = sys.argv[1], sys.argv[2]
from qualcode.cli import cli
import qualcode.cli.workbench as workbench
from qualcode.tui.screens import coding

first_shown = threading.Event()
real_loader = coding.load_suggester

def waiting_loader(*args, **kwargs):
    first_shown.wait(60)
    return real_loader(*args, **kwargs)

coding.load_suggester = waiting_loader
result = {}

async def first_screen(app):
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3000):
            screen = app.screen
            if type(screen).__name__ == "CodingScreen" and getattr(screen, "item", None):
                result["text"] = screen.item.text
                break
            await pilot.pause(0.01)
        result["modules"] = sorted({m.split(".")[0] for m in sys.modules})
        app.exit()

def run_tui(db, question, coder):
    from qualcode.tui.app import make_app

    asyncio.run(first_screen(make_app(db, question, coder=coder)))

workbench._run_tui = run_tui
cli(["tui", db], prog_name="qualcode", standalone_mode=False)
with open(out, "w") as f:
    json.dump(result, f)
import os
os._exit(0)  # the suggestion worker waits still: no need to let it load spaCy
"""


def test_the_workbench_first_screen_loads_nothing_heavy(tmp_path, demo_db):
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    report = tmp_path / "first.json"
    done = subprocess.run(
        [sys.executable, "-c", WORKBENCH, str(report), str(copy)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert report.exists(), done.stderr
    result = json.loads(report.read_text())
    assert result.get("text"), "the coding screen never showed an answer"
    modules = set(result["modules"])
    assert "textual" in modules
    assert heavy(modules) == []


# -- the counts without pandas write what the DataFrame wrote ---------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "md", "json"])
def test_counts_from_plain_tables_are_the_frames_byte_for_byte(demo_db, fmt):
    """`qualcode counts` renders CountTables (no pandas); the workbench and a notebook
    render the DataFrames of Project.counts: every question, the interview's scale and
    the report's published figures included, the bytes are the same."""
    from qualcode.core.counts import CountTable
    from qualcode.core.project import Project
    from qualcode.io.export import render_counts

    with Project.open(demo_db) as p:
        ids = [q.id for q in p.questions()]
        tables = [p.count_table(qid) for qid in ids]
        frames = [p.counts(qid) for qid in ids]
    for published in (None, True, False):
        plain = render_counts(tables, fmt, published=published)
        assert plain == render_counts(frames, fmt, published=published)
        assert plain == render_counts([CountTable.of(f) for f in frames], fmt, published=published)
    single = render_counts(tables[:1], fmt)
    assert single == render_counts(frames[:1], fmt) and single


def test_a_count_table_is_the_frame_of_project_counts(demo_db):
    from qualcode.core.counts import COLUMNS
    from qualcode.core.project import Project

    with Project.open(demo_db) as p:
        table = p.count_table("interview")
        frame = p.counts("interview")
    rebuilt = table.frame()
    assert list(rebuilt.columns) == COLUMNS
    assert rebuilt.equals(frame) and dict(rebuilt.dtypes) == dict(frame.dtypes)
    assert rebuilt.attrs == frame.attrs and table.attrs["kind"] == "interview"
    assert [r["scale"] for r in table.rows] == list(frame["scale"])
    assert all(type(r["respondents"]) is int for r in table.rows)
