"""What a project counts: `qualcode init --noun`, the noun stored in the project, and a
project of kommuner whose tables, charts and reports never say "jobcentre"."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, write_csv
from qualcode.core.project import Project
from qualcode.models import JOBCENTRE, Noun

ANSWERS = [
    ["kommune_id", "svar", "landsdel"],
    ["K01", "Vi har øget fokus på borgere på kanten.", "Øst"],
    ["K02", "Målet er skrevet ind i beskæftigelsesplanen.", "Vest"],
    ["K03", "Fleksjob og samarbejde med virksomheder.", "Øst"],
    ["K04", "Mere fokus på borgere på kanten og fleksjob.", "Vest"],
    ["K05", "", "Øst"],
]


def test_noun_parse_and_its_refusals():
    assert Noun.parse(" kommune / kommuner ") == Noun("kommune", "kommuner")
    assert str(Noun.parse("by/byer")) == "by/byer"
    for bad in ("kommune", "kommune/", "/kommuner", "a/b/c", "a\x1b/b", "x" * 41 + "/y"):
        with pytest.raises(ValueError):
            Noun.parse(bad)


def test_init_creates_an_empty_project_with_its_noun(tmp_path):
    db = tmp_path / "kommuner.db"
    result = run("init", db, "--noun", "kommune/kommuner")
    assert result.exit_code == 0, result.output
    assert "kommune/kommuner" in result.stdout
    with Project.open(db, readonly=True) as p:
        assert p.noun() == Noun("kommune", "kommuner")
        assert p.questions() == [] and p.respondent_count() == 0
    # on an existing project: shows it, or changes it
    assert "kommune/kommuner" in run("init", db).stdout
    assert run("init", db, "--noun", "by/byer").exit_code == 0
    with Project.open(db, readonly=True) as p:
        assert p.noun() == Noun("by", "byer")


def test_a_project_from_before_the_noun_counts_jobcentres(demo_copy, tmp_path):
    with Project.open(demo_copy, readonly=True) as p:
        assert p.noun() == JOBCENTRE
    with sqlite3.connect(demo_copy) as conn:  # the migration wrote it into the file
        assert conn.execute("SELECT value FROM project WHERE key = 'noun'").fetchone() == (
            "jobcenter/jobcentre",
        )
        conn.execute("DELETE FROM project WHERE key = 'noun'")  # and without it: the same
    with Project.open(demo_copy, readonly=True) as p:
        assert p.noun() == JOBCENTRE


def test_init_refuses_a_bad_noun_and_writes_nothing(tmp_path, english):
    db = tmp_path / "x.db"
    assert_one_line_error(run("init", db, "--noun", "kommune"), "--noun", "singular/plural")
    assert not db.exists() and list(tmp_path.iterdir()) == []
    assert run("init", db, "--noun", "kommune/kommuner").exit_code == 0
    before = db.read_bytes()
    assert_one_line_error(run("init", db, "--noun", "a/b/c"), "--noun")
    assert db.read_bytes() == before


def test_init_refuses_a_folder_and_another_programs_file(tmp_path):
    assert run("init", tmp_path).exit_code != 0
    other = tmp_path / "andet.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    assert run("init", other, "--noun", "by/byer").exit_code == 1
    assert other.read_bytes() == before


def _texts(path: Path) -> str:
    """Every piece of text a file holds: a zip's XML parts without tags, else the bytes."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(path) as z:
            parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        return re.sub(r"<[^>]+>", "", "\n".join(parts))
    return data.decode("utf-8", "replace")


@pytest.fixture
def kommuner(tmp_path) -> Path:
    db = tmp_path / "kommuner.db"
    assert run("init", db, "--noun", "kommune/kommuner").exit_code == 0
    svar = write_csv(tmp_path / "svar.csv", ANSWERS)
    result = run(
        "import", "answers", db, svar, "--respondent-col", "kommune_id", "--text-col", "svar",
        "--question", "q1", "--codebook", "lokalpolitiske-strategier", "--attr-col", "landsdel",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    codings = [
        ("K01", "borgere-paa-kanten"),
        ("K02", "beskaeftigelsesplan"),
        ("K03", "fleksjob"),
        ("K04", "borgere-paa-kanten"),
        ("K04", "fleksjob"),
    ]
    for who, code in codings:
        assert (
            run("code", db, "--question", "q1", "--respondent", who, "--code", code).exit_code == 0
        )
    return db


def test_a_project_of_kommuner_never_says_jobcentre(kommuner, tmp_path):
    out = tmp_path / "ud"
    out.mkdir()
    outputs = []
    for fmt in ("table", "csv", "md", "json", "xlsx"):
        target = out / f"tabel.{fmt}"
        result = run("counts", kommuner, "--question", "q1", "--format", fmt, "-o", target)
        assert result.exit_code == 0, result.output
        outputs.append(target)
    for suffix in ("md", "html", "docx", "xlsx"):
        target = out / f"rapport.{suffix}"
        result = run("report", kommuner, "-o", target, "--by", "landsdel")
        assert result.exit_code == 0, result.output
        outputs.append(target)
    for suffix in ("svg",):
        target = out / f"figur.{suffix}"
        assert run("chart", kommuner, "--question", "q1", "-o", target).exit_code == 0
        outputs.append(target)
    for fmt in ("table", "md", "xlsx"):
        target = out / f"kryds.{fmt}"
        result = run(
            "crosstab", kommuner, "--question", "q1", "--by", "landsdel", "--format", fmt,
            "-o", target,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(target)
    outputs += sorted(out.glob("*.png"))  # the Markdown report's charts: binary, no text
    for path in outputs:
        text = _texts(path)
        assert "jobcent" not in text.casefold(), path.name
    table = (out / "tabel.table").read_text(encoding="utf-8")
    assert "4 kommuner har svaret" in table and "Kommuner" in table
    md = (out / "tabel.md").read_text(encoding="utf-8")
    assert "Anført af 2 ud af 4 kommuner" in md and "Antal kommuner der nævner temaet" in md
    assert "kommuner der har svaret" in (out / "rapport.md").read_text(encoding="utf-8")
    assert "kommuner" in _texts(out / "figur.svg")
