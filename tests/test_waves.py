"""Survey waves: a question asked in 2017 and 2018 is compared per code, each wave's share
and the change in percentage points, as the report compares 2018 with 2017."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3

import pytest

from helpers import assert_one_line_error, run, snapshot, write_csv
from qualcode.core import waves
from qualcode.core.project import Project


def test_demo_has_two_waves(demo_db):
    with Project.open(demo_db) as p:
        assert waves.waves(p) == ["2017", "2018"]
        assert waves.question_wave(p, "strategier") == ("2018", "strategier")
        assert waves.question_wave(p, "strategier-2017") == ("2017", "strategier")
        assert waves.question_wave(p, "interview") == ("", "interview")


def test_demo_2018_counts_are_unchanged(demo_db):
    with Project.open(demo_db) as p:
        frame = p.counts("strategier")
    assert frame.loc[0, "respondents"] == 15 and frame.loc[0, "answered"] == 35


def test_wave_comparison_columns_and_values(demo_db):
    with Project.open(demo_db) as p:
        frame = waves.wave_comparison(p, "strategier")
        same = waves.wave_comparison(p, "strategier-2017")
        old = p.counts("strategier-2017")
    assert list(frame.columns) == [
        "code",
        "label",
        "n_2017",
        "base_2017",
        "pct_2017",
        "n_2018",
        "base_2018",
        "pct_2018",
        "change_pp",
    ]
    assert frame.attrs["waves"] == ["2017", "2018"]
    assert frame.equals(same)
    first = frame.iloc[0]
    assert first["code"] == "borgere-paa-kanten"
    assert (first["n_2017"], first["base_2017"]) == (old.loc[0, "respondents"], 28)
    assert (first["n_2018"], first["base_2018"]) == (15, 35)
    assert first["pct_2018"] == pytest.approx(42.9)
    for row in frame.itertuples():
        assert row.change_pp == pytest.approx(round(row.pct_2018 - row.pct_2017, 1))
    assert frame.iloc[-1]["code"] == "andet"


def test_no_other_wave_gives_none(demo_db, project):
    with Project.open(demo_db) as p:
        assert waves.wave_comparison(p, "interview") is None
    assert waves.wave_comparison(project, "strategier") is None
    assert waves.waves(project) == []


def test_comparison_by_coder(demo_copy):
    with Project.open(demo_copy, coder="bo") as p:
        item = p.items("strategier-2017")[0]
        p.add_coding(item.id, "fleksjob")
        frame = waves.wave_comparison(p, "strategier", coder="bo")
    fleks = frame[frame["code"] == "fleksjob"].iloc[0]
    assert (fleks["n_2017"], fleks["n_2018"]) == (1, 0)
    assert fleks["change_pp"] == pytest.approx(-round(100 / 28, 1))


def test_three_waves_change_is_newest_minus_previous(demo_copy, tmp_path):
    rows = [["id", "svar"], ["JC01", "Fleksjob er i fokus."], ["JC02", "Intet nyt."]]
    src = write_csv(tmp_path / "svar_2019.csv", rows)
    result = run(
        "import",
        "answers",
        demo_copy,
        src,
        "--respondent-col",
        "id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
        "--wave",
        "2019",
    )
    assert result.exit_code == 0, result.output
    assert "strategier-2019" in result.stdout
    with Project.open(demo_copy) as p:
        p.add_coding(p.items("strategier-2019", respondent="JC01")[0].id, "fleksjob")
        frame = waves.wave_comparison(p, "strategier")
    assert frame.attrs["waves"] == ["2017", "2018", "2019"]
    fleks = frame[frame["code"] == "fleksjob"].iloc[0]
    assert fleks["pct_2019"] == 50.0
    assert fleks["change_pp"] == pytest.approx(50.0 - 14.3)


# -- importing a wave ---------------------------------------------------------------


def test_import_answers_with_waves_names_the_questions(tmp_path, english):
    path = tmp_path / "runder.qualcode.db"
    first = write_csv(
        tmp_path / "svar_2017.csv",
        [["id", "svar"], ["JC01", "Fleksjob."], ["JC02", "Fokus på kanten."]],
    )
    second = write_csv(
        tmp_path / "svar_2018.csv",
        [
            ["id", "svar"],
            ["JC01", "Mere fleksjob."],
            ["JC03", "Borgere på kanten."],
            ["JC04", "Plan for beskæftigelse."],
        ],
    )
    args = (
        "--respondent-col",
        "id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert run("import", "answers", path, first, *args, "--wave", "2017").exit_code == 0
    assert run("import", "answers", path, second, *args, "--wave", "2018").exit_code == 0
    again = run("import", "answers", path, second, *args, "--wave", "2018")
    assert "nothing new" in again.stdout
    with Project.open(path) as p:
        assert [q.id for q in p.questions()] == ["strategier", "strategier-2018"]
        assert waves.question_wave(p, "strategier") == ("2017", "strategier")
        assert waves.question_wave(p, "strategier-2018") == ("2018", "strategier")
        assert p.answered("strategier-2018") == 3
        frame = waves.wave_comparison(p, "strategier-2018")
        events = [e["action"] for e in p.events()]
    assert frame.attrs["waves"] == ["2017", "2018"]
    assert list(frame["base_2017"].unique()) == [2] and list(frame["base_2018"].unique()) == [3]
    assert "question.wave" in events


def test_a_bad_wave_name_changes_nothing(demo_copy, tmp_path, english):
    src = write_csv(tmp_path / "s.csv", [["id", "svar"], ["JC01", "Fleksjob."]])
    before = snapshot(demo_copy)
    result = run(
        "import",
        "answers",
        demo_copy,
        src,
        "--respondent-col",
        "id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
        "--wave",
        "20 17",
    )
    assert_one_line_error(result, "wave '20 17'")
    assert snapshot(demo_copy) == before


def test_a_failed_wave_import_leaves_no_wave_behind(demo_copy, tmp_path, monkeypatch):
    src = write_csv(tmp_path / "s.csv", [["id", "svar"], ["JC01", "Fleksjob."]])
    before = snapshot(demo_copy)

    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(waves, "_assign", boom)
    with Project.open(demo_copy) as p, pytest.raises(RuntimeError):
        from qualcode.io.answers import read_answers

        table = read_answers(
            str(src),
            respondent_col="id",
            text_cols=["svar"],
            questions=["strategier-2016"],
            codebooks=["lokalpolitiske-strategier"],
            project=p,
        )
        waves.import_answers_wave(p, table, "2016", {"strategier-2016": "strategier"})
    assert snapshot(demo_copy) == before


def test_waves_command_lists_and_sets(demo_copy):
    listing = run("waves", demo_copy)
    assert "strategier: 2017: strategier-2017, 2018: strategier" in listing.stdout
    assert "interview: (ingen bølge): interview" in listing.stdout
    result = run("waves", demo_copy, "--question", "interview", "--set", "2018")
    assert result.stdout.strip() == "interview: bølge 2018, serie interview"
    assert "(uændret)" in run("waves", demo_copy, "--question", "interview", "--set", "2018").stdout
    clash = run("waves", demo_copy, "--question", "strategier-2017", "--set", "2018")
    assert_one_line_error(clash, "strategier", "allerede bølge 2018")
    out = run("waves", demo_copy, "--question", "interview", "--set", "")
    assert out.stdout.strip() == "interview: ingen bølge, serie interview"
    assert run("waves", demo_copy, "--set", "2018").exit_code == 2


# -- counts --waves -----------------------------------------------------------------


def test_counts_waves_table(demo_db):
    result = run("counts", demo_db, "--question", "strategier", "--waves")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("Generelt fokus"))
    assert "15 af 35 (42,9 %)" in line and "(32,1 %)" in line and "+10,8 pp" in line
    everything = run("counts", demo_db, "--waves").stdout
    assert everything.count("Ændring 2017–2018") == 3


def test_counts_waves_csv_json_md_xlsx(demo_db, tmp_path):
    from openpyxl import load_workbook

    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "counts",
                    demo_db,
                    "--question",
                    "udfordringer-psykiske",
                    "--waves",
                    "--format",
                    "csv",
                ).stdout
            )
        )
    )
    assert list(rows[0]) == [
        "series",
        "question",
        "code",
        "label",
        "n_2017",
        "base_2017",
        "pct_2017",
        "n_2018",
        "base_2018",
        "pct_2018",
        "change_pp",
    ]
    arb = next(r for r in rows if r["code"] == "arbejdsgivere")
    assert (arb["n_2018"], arb["base_2018"], arb["base_2017"]) == ("9", "19", "15")
    data = json.loads(
        run("counts", demo_db, "--question", "strategier", "--waves", "--format", "json").stdout
    )
    assert data["waves"] == ["2017", "2018"] and data["codes"][0]["n_2018"] == 15
    md = run("counts", demo_db, "--question", "strategier", "--waves", "--format", "md").stdout
    assert "Anført af 15 ud af 35 (42,9 %)" in md and "+10,8 pp" in md
    out = tmp_path / "runder.xlsx"
    assert run("counts", demo_db, "--waves", "-o", out).exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["strategier", "udfordringer-fysiske", "udfordringer-psykiske"]
    ws = wb["strategier"]
    assert ws["A3"].value == 'Generelt fokus på "borgere på kanten"'
    assert ws["E3"].value == 15 and isinstance(ws["E3"].value, int)
    assert ws["H3"].value == pytest.approx(10.8)


def test_counts_waves_errors(demo_db, project_path, project):
    assert_one_line_error(
        run("counts", demo_db, "--question", "interview", "--waves"),
        "interview",
        "to eller flere bølger",
        "2017, 2018",
    )
    assert_one_line_error(run("counts", project_path, "--waves"), "intet spørgsmål har")


def test_counts_default_shows_the_newest_wave(demo_db):
    rows = list(csv.DictReader(io.StringIO(run("counts", demo_db, "--format", "csv").stdout)))
    assert "strategier-2017" not in {r["question"] for r in rows}
    old = run("counts", demo_db, "--question", "strategier-2017", "--format", "csv").stdout
    assert {r["question"] for r in csv.DictReader(io.StringIO(old))} == {"strategier-2017"}


# -- upgrade ------------------------------------------------------------------------


def test_a_schema_1_file_gets_the_wave_columns(tmp_path):
    from pathlib import Path

    fixture = Path(__file__).resolve().parent / "fixtures" / "schema1.qualcode.db"
    copy = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(fixture, copy)
    with Project.open(copy) as p:
        assert waves.waves(p) == []
        ids = [q.id for q in p.questions()]
        assert ids and all(waves.question_wave(p, q) == ("", q) for q in ids)
        assert waves.current_questions(p) == ids
    conn = sqlite3.connect(copy)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    conn.close()
    assert {"theme_counts", "quotes", "codings_readable"} <= names
