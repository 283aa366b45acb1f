"""Importing codings (respondent,question,code[,coder] + item,text,start,end,memo):
codes by key or exact label, passages as spans, and refusals that change nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, snapshot, write_csv, write_xlsx
from qualcode.core.codebook import load_codebook
from qualcode.core.project import Project
from qualcode.errors import ImportError_
from qualcode.io.codings import read_codings
from qualcode.io.interviews import read_interviews

HEAD = ["respondent", "question", "code"]
TRANSCRIPT = """# JC01 Jobcenter Nord

Interviewer: Hvilke ordninger bruger I?

Arbejdsmarkedschef: Hjælpemidler bruger vi mest, fx hæve-sænkeborde.

Interviewer: Og ellers?

Arbejdsmarkedschef: Mentorordningen og personlig assistance på arbejdspladsen.
"""


@pytest.fixture
def both(project, tmp_path):
    """The small project, plus JC01's interview (question 'interview')."""
    path = tmp_path / "JC01.md"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    transcripts, digest = read_interviews([path])
    project.import_interviews(
        transcripts,
        question="interview",
        codebook=load_codebook("kompenserende-ordninger"),
        file=str(path),
        sha256=digest,
    )
    return project


def import_file(project: Project, path: Path, coder: str = "testkoder"):
    rows, table = read_codings(str(path), default_coder=coder)
    return project.import_codings(rows, file=table.file, sha256=table.sha256)


def codings(project: Project) -> list[tuple]:
    """(respondent, question, item number, code, coder, coded text or None, memo)."""
    out = []
    for c in project.codings():
        it = project.item(c.item_id)
        span = it.text[c.start : c.end] if c.is_span else None
        out.append((it.respondent, it.question, it.number, c.code, c.coder, span, c.memo))
    return sorted(out, key=repr)


# -- what a good file gives ----------------------------------------------------------


def test_codes_by_key_and_by_exact_label(project, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv",
        [
            [*HEAD, "coder"],
            ["JC01", "strategier", "borgere-paa-kanten", "anna"],
            ["JC04", "strategier", "Fleksjob", ""],
            ["JC04", "strategier", 'generelt fokus på "borgere på kanten"', "anna"],
            ["JC02", "strategier", "Indarbejdelse i beskæftigelsesplan", "bo"],
        ],
    )
    summary = import_file(project, path)
    assert summary.codings_added == 4 and summary.questions == ["strategier"]
    assert codings(project) == sorted(
        [
            ("JC01", "strategier", 1, "borgere-paa-kanten", "anna", None, ""),
            ("JC04", "strategier", 1, "fleksjob", "testkoder", None, ""),
            ("JC04", "strategier", 1, "borgere-paa-kanten", "anna", None, ""),
            ("JC02", "strategier", 1, "beskaeftigelsesplan", "bo", None, ""),
        ],
        key=repr,
    )
    counts = project.counts("strategier").set_index("code")
    assert counts.loc["borgere-paa-kanten", "respondents"] == 2
    assert counts.loc["borgere-paa-kanten", "answered"] == 3
    [row] = project.db.execute("SELECT kind, file FROM imports WHERE kind = 'codings'")
    assert row == ("codings", str(path))


def test_cli_import_codings_with_coder_option_and_memo(project, project_path, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv",
        [
            [*HEAD, "memo"],
            ["JC01", "strategier", "borgere-paa-kanten", "Tydeligt"],
            ["JC02", "strategier", "beskaeftigelsesplan", ""],
        ],
    )
    result = run("import", "codings", project_path, path, "--coder", "carl")
    assert result.exit_code == 0, result.output
    assert "2 kodninger" in result.stdout
    with Project.open(project_path) as p:
        assert codings(p) == sorted(
            [
                ("JC01", "strategier", 1, "borgere-paa-kanten", "carl", None, "Tydeligt"),
                ("JC02", "strategier", 1, "beskaeftigelsesplan", "carl", None, ""),
            ],
            key=repr,
        )


def test_windows_1252_semicolon_codings_by_label(project, project_path, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv",
        [
            HEAD,
            ["JC01", "strategier", 'Generelt fokus på "borgere på kanten"'],
            ["JC02", "strategier", "Indarbejdelse i beskæftigelsesplan"],
        ],
        delimiter=";",
        encoding="cp1252",
    )
    assert b"p\xe5" in path.read_bytes()
    result = run("import", "codings", project_path, path)
    assert result.exit_code == 0, result.output
    with Project.open(project_path) as p:
        assert [c[3] for c in codings(p)] == ["borgere-paa-kanten", "beskaeftigelsesplan"]


def test_xlsx_codings(both, tmp_path):
    path = write_xlsx(
        tmp_path / "kodning.xlsx",
        [
            [*HEAD, "item", "coder"],
            ["JC04", "strategier", "fleksjob", None, "dorte"],
            ["JC01", "interview", "mentorordning", 4, "dorte"],
        ],
    )
    assert import_file(both, path).codings_added == 2
    assert codings(both) == sorted(
        [
            ("JC04", "strategier", 1, "fleksjob", "dorte", None, ""),
            ("JC01", "interview", 4, "mentorordning", "dorte", None, ""),
        ],
        key=repr,
    )


def test_passage_becomes_a_span_coding(both, project_path, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv",
        [
            [*HEAD, "text"],
            ["JC01", "interview", "hjaelpemidler", "  Hjælpemidler bruger vi mest  "],
            ["JC01", "interview", "Personlig assistance", "personlig assistance"],
            ["JC04", "strategier", "fleksjob", "Fleksjob"],
        ],
    )
    result = run("import", "codings", project_path, path)
    assert result.exit_code == 0, result.output
    with Project.open(project_path) as p:
        assert codings(p) == sorted(
            [
                (
                    "JC01",
                    "interview",
                    2,
                    "hjaelpemidler",
                    "testkoder",
                    "Hjælpemidler bruger vi mest",
                    "",
                ),
                (
                    "JC01",
                    "interview",
                    4,
                    "personlig-assistance",
                    "testkoder",
                    "personlig assistance",
                    "",
                ),
                ("JC04", "strategier", 1, "fleksjob", "testkoder", "Fleksjob", ""),
            ],
            key=repr,
        )
        quote = p.quotes("hjaelpemidler")[0]
        assert quote.formatted() == '"Hjælpemidler bruger vi mest" – Arbejdsmarkedschef'


def test_start_and_end_columns_give_a_span(project, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv",
        [[*HEAD, "start", "end"], ["JC04", "strategier", "fleksjob", "0", "8"]],
    )
    import_file(project, path)
    assert codings(project)[0][5] == "Fleksjob"


def test_item_column_picks_an_interview_excerpt(both, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv", [[*HEAD, "item"], ["JC01", "interview", "hjaelpemidler", "2"]]
    )
    import_file(both, path)
    assert codings(both) == [("JC01", "interview", 2, "hjaelpemidler", "testkoder", None, "")]


# -- re-imports ----------------------------------------------------------------------


def test_reimport_changes_nothing(both, project_path, tmp_path):
    path = write_csv(
        tmp_path / "kodning.csv",
        [
            [*HEAD, "text"],
            ["JC01", "strategier", "borgere-paa-kanten", ""],
            ["JC01", "interview", "mentorordning", "Mentorordningen"],
        ],
    )
    assert import_file(both, path).codings_added == 2
    before = both.snapshot()
    again = import_file(both, path)
    assert not again.changed and again.codings_existing == 2
    assert both.snapshot() == before
    result = run("import", "codings", project_path, path)
    assert result.exit_code == 0, result.output
    assert "intet nyt" in result.stdout
    assert snapshot(project_path) == before


def test_gold_codings_reimported_into_the_demo_change_nothing(demo_copy):
    from qualcode.paths import data_dir

    with Project.open(demo_copy) as p:
        before = p.snapshot()
        assert before["codings"]
    for name in ("gold_codings.csv", "gold_codings_interviews.csv"):
        result = run("import", "codings", demo_copy, data_dir() / name, "--coder", "guld")
        assert result.exit_code == 0, result.output
        assert "intet nyt" in result.stdout
    assert snapshot(demo_copy) == before


# -- refusals against the project: API and CLI, nothing changed ----------------------

REFUSED = {
    "unknown code": (
        [
            HEAD,
            ["JC01", "strategier", "fleksjob"],
            ["JC02", "strategier", "ny-kode-der-ikke-findes"],
        ],
        [
            "row 3",
            "column 'code'",
            "'ny-kode-der-ikke-findes' is not in codebook 'lokalpolitiske-strategier'",
        ],
    ),
    "label not exact": (
        [HEAD, ["JC01", "strategier", "Fleksjobs"]],
        ["row 2", "column 'code'", "'Fleksjobs' is not in codebook"],
    ),
    "unknown question": (
        [HEAD, ["JC01", "strategier", "fleksjob"], ["JC01", "findes-ikke", "fleksjob"]],
        [
            "row 3",
            "column 'question'",
            "no question 'findes-ikke'",
            "questions: strategier, interview",
        ],
    ),
    "unknown respondent": (
        [HEAD, ["JC99", "strategier", "fleksjob"]],
        ["row 2", "column 'respondent'", "no respondent 'JC99'"],
    ),
    "no answer to the question": (
        [HEAD, ["JC02", "interview", "hjaelpemidler"]],
        ["row 2", "'JC02' has no answer to 'interview'"],
    ),
    "empty answer": (
        [HEAD, ["JC03", "strategier", "fleksjob"]],
        ["row 2", "'JC03' left 'strategier' empty", "an empty answer cannot be coded"],
    ),
    "empty answer with passage": (
        [[*HEAD, "text"], ["JC03", "strategier", "fleksjob", "x"]],
        ["row 2", "'JC03' left 'strategier' empty"],
    ),
    "ambiguous interview coding": (
        [HEAD, ["JC01", "interview", "hjaelpemidler"]],
        ["row 2", "'JC01' has 2 excerpts in 'interview'", "'item' or 'text' column"],
    ),
    "passage not found": (
        [[*HEAD, "text"], ["JC01", "interview", "mentorordning", "Mentorordningen er fantastisk"]],
        ["row 2", "column 'text'", "'Mentorordningen er fantastisk'"],
    ),
    "item is an interviewer turn": (
        [[*HEAD, "item"], ["JC01", "interview", "mentorordning", "3"]],
        ["row 2", "column 'item'", "item 3", "interviewer turn"],
    ),
    "no such item": (
        [[*HEAD, "item"], ["JC01", "interview", "mentorordning", "9"]],
        ["row 2", "column 'item'", "no item 9", "(1-4)"],
    ),
    "span outside the text": (
        [[*HEAD, "start", "end"], ["JC04", "strategier", "fleksjob", "5", "5000"]],
        ["row 2", "column 'start'", "span 5-5000 is outside"],
    ),
    "start without end": (
        [[*HEAD, "start"], ["JC04", "strategier", "fleksjob", "5"]],
        ["row 2", "both start and end"],
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_codings_change_nothing(both, project_path, tmp_path, case, english):
    rows, needles = REFUSED[case]
    path = write_csv(tmp_path / "kodning.csv", rows)
    codes_before = both.db.execute("SELECT * FROM codes ORDER BY id").fetchall()
    before = both.snapshot()
    with pytest.raises(ImportError_) as err:
        import_file(both, path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    for needle in needles:
        assert needle in message, (needle, message)
    assert both.snapshot() == before
    assert both.db.execute("SELECT * FROM codes ORDER BY id").fetchall() == codes_before
    result = run("import", "codings", project_path, path)
    assert_one_line_error(result, str(path), *needles)
    assert snapshot(project_path) == before


# -- bad files -----------------------------------------------------------------------


def _write(name: str, content: bytes):
    def writer(d: Path) -> Path:
        (d / name).write_bytes(content)
        return d / name

    return writer


def _truncated_xlsx(d: Path) -> Path:
    rows = [HEAD] + [[f"JC{n:02}", "strategier", "fleksjob"] for n in range(400)]
    data = write_xlsx(d / "full.xlsx", rows).read_bytes()
    (d / "kodning.xlsx").write_bytes(data[: len(data) // 2])
    return d / "kodning.xlsx"


def _huge_text(d: Path) -> Path:
    return write_csv(
        d / "kodning.csv", [[*HEAD, "text"], ["JC01", "strategier", "fleksjob", "a" * 10_000_000]]
    )


BAD_FILES = {
    "missing column": (
        _write("k.csv", b"respondent,question,kode\nJC01,strategier,fleksjob\n"),
        ["ingen kolonne 'code'", "'respondent', 'question', 'kode'"],
    ),
    "empty file": (_write("k.csv", b""), ["filen er tom"]),
    "header only": (_write("k.csv", b"respondent,question,code\r\n"), ["ingen rækker under"]),
    "binary": (_write("k.csv", os.urandom(1000) + b"\x00" + os.urandom(1000)), ["binær fil"]),
    "png": (
        _write("k.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(300)),
        ["binær fil"],
    ),
    "truncated xlsx": (_truncated_xlsx, ["ikke en læsbar XLSX-fil"]),
    "10 MB cell": (_huge_text, ["række 2", "kolonne 'text'", "10.000.000 tegn"]),
    "too many fields": (
        _write("k.csv", b"respondent,question,code\nJC01,strategier,a,b\n"),
        ["række 2", "har 4 felter, men overskriftsrækken har 3"],
    ),
    "empty code": (
        _write("k.csv", b"respondent,question,code\nJC01,strategier, \n"),
        ["række 2", "kolonne 'code'", "koden er tom"],
    ),
    "item not a number": (
        _write("k.csv", b"respondent,question,code,item\nJC01,interview,andet,to\n"),
        ["række 2", "kolonne 'item'", "'to' er ikke et helt tal"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_codings_files_are_refused(both, project_path, tmp_path, case):
    writer, needles = BAD_FILES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    path = writer(folder)
    before = both.snapshot()
    with pytest.raises(ImportError_) as err:
        import_file(both, path)
    assert "\n" not in str(err.value)
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))
    result = run("import", "codings", project_path, path)
    assert_one_line_error(result, str(path), *needles)
    assert snapshot(project_path) == before


def test_one_bad_row_refuses_the_whole_file(project, project_path, tmp_path):
    rows = [HEAD] + [[f"JC0{n}", "strategier", "andet"] for n in (1, 2, 4)]
    rows.append(["JC04", "strategier", "findes-ikke"])
    path = write_csv(tmp_path / "kodning.csv", rows)
    before = project.snapshot()
    result = run("import", "codings", project_path, path)
    assert_one_line_error(result, "række 5", "'findes-ikke'")
    assert snapshot(project_path) == before
    assert project.codings() == []


def test_codings_need_an_existing_project(tmp_path):
    path = write_csv(tmp_path / "kodning.csv", [HEAD, ["JC01", "strategier", "fleksjob"]])
    db = tmp_path / "ny.qualcode.db"
    result = run("import", "codings", db, path)
    assert_one_line_error(result, str(db), "projektfilen findes ikke")
    assert not db.exists()


def test_passage_in_two_excerpts_is_ambiguous(tmp_path):
    from qualcode.core.codebook import load_codebook
    from qualcode.errors import QualcodeError
    from qualcode.io.codings import read_codings
    from qualcode.io.interviews import read_interviews

    transcript = tmp_path / "JC01.md"
    transcript.write_text(
        "# JC01 Jobcenter Ø\n\nInterviewer: Hvad virker?\n\n"
        "Leder: Hjælpemidler virker.\n\nInterviewer: Og ellers?\n\n"
        "Leder: Igen: Hjælpemidler virker.\n",
        encoding="utf-8",
    )
    codings = tmp_path / "k.csv"
    codings.write_text(
        "respondent,question,code,text\nJC01,interview,hjaelpemidler,Hjælpemidler virker\n",
        encoding="utf-8",
    )
    with Project.open(tmp_path / "p.db", create=True) as p:
        transcripts, digest = read_interviews([transcript])
        p.import_interviews(
            transcripts,
            question="interview",
            codebook=load_codebook("kompenserende-ordninger"),
            file=str(transcript),
            sha256=digest,
        )
        rows, table = read_codings(str(codings), default_coder="ida")
        before = p.snapshot()
        with pytest.raises(QualcodeError, match=r"forekommer i 2 uddrag .*elementerne 2, 4"):
            p.import_codings(rows, file=table.file, sha256=table.sha256)
        assert p.snapshot() == before
