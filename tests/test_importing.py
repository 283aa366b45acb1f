"""The one import flow (qualcode.io.importing) that the CLI and the workbench share, and
the one summary type every import returns."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from helpers import ANSWERS, REFI, needs_shared, run, write_csv
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.io.importing import KINDS, FileImport, import_file, personal_data
from qualcode.models import REFIQDA, ImportSummary

REFI_SAMPLE = REFI / "samples" / "sky-loom__refi-qda__TestProject.qdpx"
ANSWER_OPTIONS = {
    "respondent_col": "jobcenter_id",
    "text_cols": ["svar"],
    "questions": ["strategier"],
    "codebooks": ["lokalpolitiske-strategier"],
}


def opener(path):
    return lambda: Project.open(path, create=True)


def logged(path) -> list[tuple[str, dict]]:
    with Project.open(path) as p:
        rows = p.db.execute("SELECT kind, summary FROM imports ORDER BY rowid").fetchall()
    return [(kind, json.loads(summary)) for kind, summary in rows]


def test_the_flow_and_the_cli_say_the_same(tmp_path):
    src = write_csv(tmp_path / "svar.csv", ANSWERS)
    summary = import_file("answers", [str(src)], ANSWER_OPTIONS, opener(tmp_path / "a.db"))
    assert type(summary) is ImportSummary and summary.kind == "answers" and summary.changed
    cli = run(
        "import",
        "answers",
        tmp_path / "b.db",
        src,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert cli.exit_code == 0, cli.output
    assert cli.stdout == summary.describe() + "\n"
    assert logged(tmp_path / "a.db")[0][1] == logged(tmp_path / "b.db")[0][1]


def test_a_wave_puts_the_answers_under_their_series(tmp_path):
    src = write_csv(tmp_path / "svar.csv", ANSWERS)
    path = tmp_path / "p.db"
    import_file("answers", [str(src)], ANSWER_OPTIONS, opener(path))
    summary = import_file("answers", [str(src)], {**ANSWER_OPTIONS, "wave": "2017"}, opener(path))
    assert summary.questions == ["strategier-2017"]
    from qualcode.core import waves

    with Project.open(path) as p:
        assert waves.question_wave(p, "strategier-2017") == ("2017", "strategier")


def test_files_that_need_no_project_are_read_before_it_is_opened(tmp_path):
    opened = []

    @contextmanager
    def never():
        opened.append(True)
        yield None

    for kind in ("interviews", "codings", "qdc", "refiqda"):
        with pytest.raises((QualcodeError, OSError)):
            import_file(kind, [str(tmp_path / "mangler.x")], {}, never)
    assert not opened


def test_a_check_that_raises_stops_the_import_before_it_writes(tmp_path, project_path, project):
    src = write_csv(tmp_path / "mere.csv", ANSWERS)
    before = project.snapshot()

    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    job = FileImport("answers", [str(src)], {**ANSWER_OPTIONS, "questions": ["ny"]})
    with pytest.raises(Stop):
        job.run(project, check=stop)
    assert project.snapshot() == before


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="one of answers"):
        FileImport("pdf", ["x.pdf"])
    assert "refiqda" in KINDS and "qdc" in KINDS


@needs_shared(REFI_SAMPLE)
def test_a_refi_import_returns_an_import_summary_and_logs_its_counts(tmp_path, english):
    src = write_csv(tmp_path / "svar.csv", ANSWERS)
    path = tmp_path / "p.db"
    import_file("answers", [str(src)], ANSWER_OPTIONS, opener(path))
    summary = import_file("refiqda", [str(REFI_SAMPLE)], {"question": "refi"}, opener(path))
    assert type(summary) is ImportSummary and summary.kind == REFIQDA
    assert summary.codes_in_file == 14 and summary.sources_imported == 0
    assert summary.describe().startswith(f"{REFI_SAMPLE}: imported 14 codes (14 new)")
    (answers_kind, answers), (refi_kind, refi) = logged(path)
    # the log keeps what it kept before there was one summary type: the REFI-QDA counts
    # only for a REFI-QDA import, and never the kind (it has a column of its own)
    assert (answers_kind, refi_kind) == ("answers", "refiqda")
    assert "codes_in_file" not in answers and "skipped" not in answers and "kind" not in answers
    assert refi["codes_in_file"] == 14 and "kind" not in refi
    assert list(refi)[: len(answers)] == list(answers)


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (
            {
                "file": "ærø.qdpx",
                "codes_in_file": 3,
                "codes_imported": 3,
                "codes_added": 3,
                "sources_imported": 3,
                "items_added": 3,
                "selections_imported": 2,
                "codings_added": 1,
                "cases": 2,
                "respondents_added": 2,
                "memos_added": 1,
                "questions": ["aero"],
                "colours_replaced": 1,
                "skipped": ["source 'billede.jpg' (picture source is not text)"],
                "notes": ["the project as it was before this import is kept at x.db"],
            },
            "ærø.qdpx: imported 3 codes (3 new), 3 text sources (3 items new), 2 selections "
            "(1 coding new, 0 already present), 2 cases (2 respondents new), 1 memo new "
            "into aero; 1 invalid colour replaced; skipped 1: source 'billede.jpg' (picture "
            "source is not text)\n  the project as it was before this import is kept at x.db",
        ),
        (
            {"file": "k.qdc", "codes_in_file": 3, "codes_imported": 3},
            "k.qdc: nothing new (3 codes (0 new) already in the project)",
        ),
        (
            {"file": "tom.qdpx"},
            "tom.qdpx: nothing to import (the file has no codes and no sources)",
        ),
        (
            {"file": "a\x1b.qdc", "skipped": ["b\nc"]},
            "a␛.qdc: nothing new (0 codes (0 new) already in the project); skipped 1: b⏎c",
        ),
    ],
    ids=["everything", "nothing-new", "empty", "controls"],
)
def test_a_refi_summary_says_what_it_said_before(fields, text, english):
    assert ImportSummary(**fields, kind=REFIQDA).describe() == text


def test_other_summaries_keep_their_words(english):
    summary = ImportSummary(file="svar.csv", items_added=4, items_empty=1, questions=["q"])
    assert summary.describe() == "svar.csv: imported 4 items (1 empty) for q"
    assert ImportSummary(file="svar.csv").describe() == (
        "svar.csv: nothing new (already in the project)"
    )


def test_personal_data_is_looked_for_only_in_the_questions_given(project):
    assert personal_data(project, []) == []
    assert personal_data(project, ["strategier"]) == []
