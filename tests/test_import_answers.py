"""Importing open answers from CSV and XLSX: encodings, delimiters, the wide form,
re-imports, and every bad input refused in one line with the project left as it was."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from helpers import ANSWERS, assert_one_line_error, run, snapshot, write_csv, write_xlsx
from qualcode.core.project import Project
from qualcode.errors import ImportError_, QualcodeError
from qualcode.io.answers import read_answers

LONG = [
    "--respondent-col",
    "jobcenter_id",
    "--text-col",
    "svar",
    "--question",
    "strategier",
    "--codebook",
    "lokalpolitiske-strategier",
]
WIDE_COLS = {
    "strategier": ("strategier", "lokalpolitiske-strategier"),
    "udfordringer-fysiske": ("udfordringer_fysiske", "udfordringer-fysiske"),
    "udfordringer-psykiske": ("udfordringer_psykiske", "udfordringer-psykiske"),
}


def read_long(path: Path, project: Project | None = None, **kw):
    args = {
        "respondent_col": "jobcenter_id",
        "text_cols": ["svar"],
        "questions": ["strategier"],
        "codebooks": ["lokalpolitiske-strategier"],
        "project": project,
        **kw,
    }
    return read_answers(str(path), **args)


def answer_texts(project: Project, question: str = "strategier") -> dict[str, str]:
    return {i.respondent: i.text for i in project.items(question, include_empty=True)}


def import_options(project: Project) -> list[dict]:
    return [json.loads(r[0]) for r in project.db.execute("SELECT options FROM imports")]


# -- what a good file gives ----------------------------------------------------------


def test_long_form_stores_answers_attributes_and_keeps_empty_out_of_denominator(
    project_path, answers_csv
):
    with Project.open(project_path, create=True) as p:
        summary = p.import_answers(read_long(answers_csv, attr_cols=["region"]))
        assert (summary.respondents_added, summary.items_added, summary.items_empty) == (4, 4, 1)
        assert answer_texts(p) == {row[0]: row[1].strip() for row in ANSWERS[1:]}
        empty = p.items("strategier", respondent="JC03", include_empty=True)[0]
        assert empty.is_empty and empty.text == ""
        assert [i.respondent for i in p.items("strategier")] == ["JC01", "JC02", "JC04"]
        assert p.respondent("JC04").attributes == {"region": "Nordjylland"}
        assert set(p.counts("strategier")["answered"]) == {3}
        q = p.question("strategier")
        assert (q.kind, q.codebook) == ("open", "lokalpolitiske-strategier")
        [log] = p.db.execute("SELECT kind, file, sha256 FROM imports").fetchall()
        assert log[0] == "answers" and log[1] == str(answers_csv) and len(log[2]) == 64
        assert "import.answers" in [e["action"] for e in p.events()]


def test_cli_import_answers(project_path, answers_csv):
    result = run("import", "answers", project_path, answers_csv, *LONG, "--attr-col", "region")
    assert result.exit_code == 0, result.output
    assert "4 respondenter" in result.stdout and "4 elementer (tomme: 1)" in result.stdout
    with Project.open(project_path) as p:
        assert answer_texts(p) == {row[0]: row[1].strip() for row in ANSWERS[1:]}
        assert p.respondent("JC02").attributes == {"region": "Sjælland"}
        assert set(p.counts("strategier")["answered"]) == {3}


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_comma_and_semicolon_files_give_the_same_answers(tmp_path, delimiter):
    rows = [
        ["jobcenter_id", "svar", "region"],
        ["JC01", "Fleksjob, mentorer; og hjælpemidler", "Hovedstaden"],
        ["JC02", 'Vi siger "ja" til flere ressourcer', "Sjælland"],
    ]
    path = write_csv(tmp_path / "svar.csv", rows, delimiter=delimiter)
    with Project.open(tmp_path / "p.db", create=True) as p:
        p.import_answers(read_long(path, attr_cols=["region"]))
        assert answer_texts(p) == {
            "JC01": "Fleksjob, mentorer; og hjælpemidler",
            "JC02": 'Vi siger "ja" til flere ressourcer',
        }
        assert p.respondent("JC01").attributes == {"region": "Hovedstaden"}
        assert import_options(p)[0]["delimiter"] == delimiter


def test_windows_1252_semicolon_file_keeps_danish_letters(tmp_path):
    rows = [
        ["jobcenter_id", "svar", "region"],
        ["JC01", "Øget fokus på borgere på kanten – også i Århus.", "Sjælland"],
        ["JC02", "Målet er skrevet ind i beskæftigelsesplanen; æ, ø, å, Æ, Ø, Å.", "Nordjylland"],
    ]
    path = write_csv(tmp_path / "svar.csv", rows, delimiter=";", encoding="cp1252")
    raw = path.read_bytes()
    assert b"\xf8" in raw and b"\xe5" in raw  # really Windows-1252, not UTF-8
    with Project.open(tmp_path / "api.db", create=True) as p:
        p.import_answers(read_long(path, attr_cols=["region"]))
        assert answer_texts(p) == {r[0]: r[1] for r in rows[1:]}
        assert p.respondent("JC01").attributes == {"region": "Sjælland"}
        assert import_options(p)[0]["encoding"] == "cp1252"
    result = run("import", "answers", tmp_path / "cli.db", path, *LONG, "--attr-col", "region")
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "cli.db") as p:
        assert answer_texts(p) == {r[0]: r[1] for r in rows[1:]}


def test_utf8_with_bom_finds_the_first_column(tmp_path):
    path = write_csv(tmp_path / "svar.csv", ANSWERS, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfjobcenter_id")
    result = run("import", "answers", tmp_path / "p.db", path, *LONG)
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "p.db") as p:
        assert sorted(r.id for r in p.respondents()) == ["JC01", "JC02", "JC03", "JC04"]
        assert answer_texts(p)["JC01"].startswith("Vi har øget fokus")
        assert import_options(p)[0]["encoding"] == "utf-8-sig"


def test_excel_sep_line_and_multiline_answers(tmp_path):
    body = 'jobcenter_id;svar\r\nJC01;"Første linje\r\nanden linje"\r\nJC02;kort\r\nJC01;igen\r\n'
    path = tmp_path / "svar.csv"
    path.write_bytes(("sep=;\r\n" + body).encode("cp1252"))
    with Project.open(tmp_path / "p.db", create=True) as p:
        with pytest.raises(ImportError_) as err:
            read_long(path, project=p)
        # the multi-line cell is one spreadsheet row: the duplicate is on row 4
        assert "række 4" in str(err.value) and "første gang i række 2" in str(err.value)
        path.write_bytes(("sep=;\r\n" + body.rsplit("JC01;igen", 1)[0]).encode("cp1252"))
        p.import_answers(read_long(path, project=p))
        assert answer_texts(p) == {"JC01": "Første linje\nanden linje", "JC02": "kort"}


def test_xlsx_import_numbers_become_text(tmp_path):
    rows = [
        ["jobcenter_id", "svar", "ansatte", "andel"],
        [101, "Fleksjob og mentorer i Ølstykke", 250, 0.5],
        [102, None, 80, 3.0],
        [103, "Hjælpemidler", None, None],
    ]
    path = write_xlsx(tmp_path / "svar.xlsx", rows)
    with Project.open(tmp_path / "api.db", create=True) as p:
        p.import_answers(read_long(path, attr_cols=["ansatte", "andel"]))
        assert answer_texts(p) == {
            "101": "Fleksjob og mentorer i Ølstykke",
            "102": "",
            "103": "Hjælpemidler",
        }
        assert p.respondent("101").attributes == {"ansatte": "250", "andel": "0.5"}
        assert p.respondent("102").attributes == {"ansatte": "80", "andel": "3"}
        assert set(p.counts("strategier")["answered"]) == {2}
        assert import_options(p)[0]["encoding"] == "xlsx"
    result = run("import", "answers", tmp_path / "cli.db", path, *LONG)
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "cli.db") as p:
        assert answer_texts(p)["101"] == "Fleksjob og mentorer i Ølstykke"


def wide_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "svar_2018.csv",
        [
            ["jobcenter_id", "strategier", "udfordringer_fysiske", "udfordringer_psykiske"],
            [
                "JC01",
                "",
                "Arbejdsgiverne er bekymrede.",
                "Manglende kendskab til psykiske lidelser.",
            ],
            ["JC02", "Fleksjob", "  ", "Borgerne mangler motivation."],
            ["JC03", "Mere fokus på kanten", "Svært at finde et match", ""],
        ],
        delimiter=";",
        encoding="cp1252",
    )


def check_wide(p: Project) -> None:
    assert [q.id for q in p.questions()] == list(WIDE_COLS)
    assert {q.id: q.codebook for q in p.questions()} == {
        qid: stem for qid, (_col, stem) in WIDE_COLS.items()
    }
    assert answer_texts(p, "udfordringer-fysiske") == {
        "JC01": "Arbejdsgiverne er bekymrede.",
        "JC02": "",
        "JC03": "Svært at finde et match",
    }
    assert answer_texts(p, "udfordringer-psykiske")["JC02"] == "Borgerne mangler motivation."
    answered = {qid: int(p.counts(qid)["answered"].iloc[0]) for qid in WIDE_COLS}
    assert answered == {"strategier": 2, "udfordringer-fysiske": 2, "udfordringer-psykiske": 2}
    assert len(p.respondents()) == 3
    assert p.db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 9


def test_wide_form_with_three_questions(tmp_path):
    path = wide_file(tmp_path)
    with Project.open(tmp_path / "api.db", create=True) as p:
        p.import_answers(
            read_answers(
                str(path),
                respondent_col="jobcenter_id",
                text_cols=[c for c, _s in WIDE_COLS.values()],
                questions=list(WIDE_COLS),
                codebooks=[s for _c, s in WIDE_COLS.values()],
                project=p,
            )
        )
        check_wide(p)
    args = []
    for qid, (col, stem) in WIDE_COLS.items():
        args += ["--text-col", col, "--question", qid, "--codebook", stem]
    result = run(
        "import", "answers", tmp_path / "cli.db", path, "--respondent-col", "jobcenter_id", *args
    )
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "cli.db") as p:
        check_wide(p)


def test_wide_form_needs_a_question_per_text_column(tmp_path):
    result = run(
        "import",
        "answers",
        tmp_path / "p.db",
        wide_file(tmp_path),
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "strategier",
        "--text-col",
        "udfordringer_fysiske",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert_one_line_error(result, "ét --question pr. --text-col")
    assert not (tmp_path / "p.db").exists()


# -- re-imports ----------------------------------------------------------------------


def test_reimport_of_the_same_file_changes_nothing(project, project_path, answers_csv):
    before = project.snapshot()
    summary = project.import_answers(read_long(answers_csv, project=project, attr_cols=["region"]))
    assert not summary.changed
    assert project.snapshot() == before
    result = run("import", "answers", project_path, answers_csv, *LONG, "--attr-col", "region")
    assert result.exit_code == 0, result.output
    assert "intet nyt" in result.stdout
    assert snapshot(project_path) == before


def test_reimport_with_one_more_row_adds_only_that_row(project, tmp_path):
    path = write_csv(tmp_path / "svar2.csv", [*ANSWERS, ["JC05", "Fleksjob", "Sjælland"]])
    summary = project.import_answers(read_long(path, project=project, attr_cols=["region"]))
    assert (summary.respondents_added, summary.items_added) == (1, 1)
    assert len(project.items("strategier", include_empty=True)) == 5
    assert answer_texts(project)["JC05"] == "Fleksjob"


def test_reimport_of_a_changed_answer_is_refused(project, project_path, tmp_path):
    rows = [ANSWERS[0], ["JC05", "Et nyt svar", "Sjælland"], *ANSWERS[1:]]
    rows[3] = ["JC02", "Et helt andet svar", "Sjælland"]
    path = write_csv(tmp_path / "svar2.csv", rows)
    before = project.snapshot()
    with pytest.raises(ImportError_) as err:
        project.import_answers(read_long(path, project=project, attr_cols=["region"]))
    assert "række 4" in str(err.value) and "kolonne 'svar'" in str(err.value)
    assert "'JC02' har allerede et andet svar" in str(err.value)
    assert project.snapshot() == before  # JC05 (row 2) was not kept either
    result = run("import", "answers", project_path, path, *LONG, "--attr-col", "region")
    assert_one_line_error(result, str(path), "række 4", "kolonne 'svar'", "JC02", "et andet svar")
    assert snapshot(project_path) == before


def test_cancelled_import_leaves_nothing(project_path, answers_csv):
    def cancel(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with Project.open(project_path, create=True) as p:
        before = p.snapshot()
        with pytest.raises(KeyboardInterrupt):
            p.import_answers(read_long(answers_csv), progress=cancel)
        assert p.snapshot() == before
        assert p.questions() == []


def test_question_bound_to_another_codebook_is_refused(project, project_path, answers_csv):
    before = project.snapshot()
    with pytest.raises(QualcodeError, match="kodes med kodebogen 'lokalpolitiske-strategier'"):
        project.import_answers(
            read_long(answers_csv, project=project, codebooks=["eksterne-aktoerer"])
        )
    assert project.snapshot() == before


# -- bad inputs: each refused through the API and the CLI, nothing changed -----------


def _missing_column(d: Path) -> Path:
    return write_csv(d / "svar.csv", [["id", "svar"], ["JC01", "x"]])


def _duplicate_respondent(d: Path) -> Path:
    rows = [ANSWERS[0], ANSWERS[1], ANSWERS[2], ["JC01", "Et andet svar", "Hovedstaden"]]
    return write_csv(d / "svar.csv", rows)


def _empty(d: Path) -> Path:
    (d / "svar.csv").write_bytes(b"")
    return d / "svar.csv"


def _blank(d: Path) -> Path:
    (d / "svar.csv").write_bytes(b" \r\n\r\n  \n")
    return d / "svar.csv"


def _header_only(d: Path) -> Path:
    return write_csv(d / "svar.csv", ANSWERS[:1])


def _random_bytes(d: Path) -> Path:
    data = bytearray(random.Random(7).randbytes(4000))
    data[100] = 0
    (d / "svar.csv").write_bytes(bytes(data))
    return d / "svar.csv"


def _png(d: Path) -> Path:
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
        b"\x00\x00\x00\x1f\xf3\xffa" + os.urandom(500)
    )
    (d / "svar.csv").write_bytes(png)
    return d / "svar.csv"


def _huge_cell(d: Path) -> Path:
    rows = [ANSWERS[0], ANSWERS[1], ["JC02", "ø" * 10_000_000, "Sjælland"]]
    return write_csv(d / "svar.csv", rows)


def _truncated_xlsx(d: Path) -> Path:
    rows = [ANSWERS[0]] + [[f"JC{n:02}", f"Svar nummer {n} " * 20, "Region"] for n in range(1, 200)]
    data = write_xlsx(d / "full.xlsx", rows).read_bytes()
    (d / "svar.xlsx").write_bytes(data[: len(data) // 2])
    return d / "svar.xlsx"


def _too_many_fields(d: Path) -> Path:
    rows = [ANSWERS[0], ANSWERS[1], ["JC02", "Målet er", " skrevet ind", "Sjælland"]]
    return write_csv(d / "svar.csv", rows)


def _old_xls(d: Path) -> Path:
    (d / "svar.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    return d / "svar.xls"


def _empty_respondent(d: Path) -> Path:
    return write_csv(d / "svar.csv", [ANSWERS[0], ANSWERS[1], [" ", "Et svar", "Fyn"]])


BAD = {
    # case: (writes the file, what the one-line message must name)
    "missing column": (
        _missing_column,
        ["ingen kolonne 'jobcenter_id'", "--respondent-col", "'id', 'svar'"],
    ),
    "duplicate respondent": (
        _duplicate_respondent,
        ["række 4", "kolonne 'jobcenter_id'", "'JC01' optræder igen", "første gang i række 2"],
    ),
    "empty file": (_empty, ["filen er tom"]),
    "blank file": (_blank, ["filen er tom"]),
    "header only": (_header_only, ["række 1", "ingen rækker under"]),
    "random bytes": (_random_bytes, ["binær fil"]),
    "png": (_png, ["binær fil"]),
    "10 MB cell": (
        _huge_cell,
        ["række 3", "kolonne 'svar'", "10.000.000 tegn", "grænsen er 1.000.000"],
    ),
    "truncated xlsx": (_truncated_xlsx, ["ikke en læsbar XLSX-fil", "afkortet eller beskadiget"]),
    "too many fields": (_too_many_fields, ["række 3", "har 4 felter, men overskriftsrækken har 3"]),
    "old xls": (_old_xls, ["gamle Excel .xls"]),
    "empty respondent id": (
        _empty_respondent,
        ["række 3", "kolonne 'jobcenter_id'", "respondentens id er tomt"],
    ),
}


@pytest.fixture(params=list(BAD), ids=list(BAD))
def bad_file(request, tmp_path):
    writer, needles = BAD[request.param]
    folder = tmp_path / "bad"
    folder.mkdir()
    return writer(folder), needles


def test_bad_file_is_refused_by_the_api(bad_file, project):
    path, needles = bad_file
    before = project.snapshot()
    with pytest.raises(ImportError_) as err:
        project.import_answers(read_long(path, project=project, attr_cols=[]))
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message, (needle, message)
    assert project.snapshot() == before


def test_bad_file_is_refused_by_the_cli_into_an_existing_project(bad_file, project, project_path):
    path, needles = bad_file
    before = project.snapshot()
    result = run("import", "answers", project_path, path, *LONG)
    assert_one_line_error(result, str(path), *needles)
    assert snapshot(project_path) == before


def test_bad_file_leaves_no_new_project_behind(bad_file, tmp_path):
    path, needles = bad_file
    db = tmp_path / "ny.qualcode.db"
    result = run("import", "answers", db, path, *LONG)
    assert_one_line_error(result, *needles)
    assert sorted(p.name for p in tmp_path.iterdir() if "ny.qualcode" in p.name) == []


def test_unknown_codebook_and_missing_file(tmp_path, answers_csv):
    result = run(
        "import",
        "answers",
        tmp_path / "p.db",
        answers_csv,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "findes-ikke",
    )
    assert_one_line_error(result, "ingen kodebog med navnet 'findes-ikke'")
    result = run("import", "answers", tmp_path / "p.db", tmp_path / "nope.csv", *LONG)
    assert_one_line_error(result, "nope.csv", "filen findes ikke")
    assert not (tmp_path / "p.db").exists()


def test_usage_errors_exit_2(tmp_path, answers_csv):
    no_text = run(
        "import", "answers", tmp_path / "p.db", answers_csv, "--respondent-col", "jobcenter_id"
    )
    assert no_text.exit_code == 2 and "--text-col" in no_text.stderr
    no_resp = run("import", "answers", tmp_path / "p.db", answers_csv, "--text-col", "svar")
    assert no_resp.exit_code == 2 and "--respondent-col" in no_resp.stderr
    assert not (tmp_path / "p.db").exists()


def test_utf8_with_a_stray_windows_byte_is_refused_not_garbled(project_path, tmp_path):
    from qualcode.errors import QualcodeError
    from qualcode.io.answers import read_answers

    path = tmp_path / "blandet.csv"
    path.write_bytes(
        "id;svar\nJC01;Større fokus på målgruppen\n".encode()
        + "JC02;Fleksjob på vej\n".encode("cp1252")
    )
    with pytest.raises(QualcodeError, match="blander UTF-8 med en anden tegnkodning"):
        read_answers(
            str(path),
            respondent_col="id",
            text_cols=["svar"],
            questions=["q"],
            codebooks=["lokalpolitiske-strategier"],
        )
