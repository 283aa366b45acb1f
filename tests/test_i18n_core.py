"""One language at a time in the core (issue 17): the messages of the rules, the storage
and the language tools read in Danish or English, undo and status messages name codes by
their label, and every message of the core comes through the catalogue (the
pseudo-language wraps all of it but the data put into it)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from qualcode.core.codebook import check_stem, parse_codebook
from qualcode.core.importer import CodingRow, CodingRows
from qualcode.core.project import Project
from qualcode.errors import CodebookError, ImportError_, NotFound, QualcodeError, WriterBusy

STEM = "lokalpolitiske-strategier"
LABEL = 'Generelt fokus på "borgere på kanten"'  # key: borgere-paa-kanten
DUPLICATE = {"title": "t", "codes": [{"key": "a", "label": "A"}, {"key": "b", "label": "a"}]}


def _bad_code(project: Project) -> ImportError_:
    rows = CodingRows(
        [CodingRow("kodninger.csv", 3, "JC01", "strategier", "ukendt", "ida")],
    )
    with pytest.raises(ImportError_) as caught:
        project.import_codings(rows, file="kodninger.csv", sha256="x")
    return caught.value


# -- the same errors, in Danish and in English ---------------------------------------------


def test_a_bad_codebook_in_danish():
    with pytest.raises(CodebookError) as caught:
        parse_codebook(DUPLICATE, stem="b")
    assert str(caught.value) == "<codebook>: etiketten 'a' findes to gange (koderne 'a' og 'b')"
    with pytest.raises(CodebookError) as caught:
        parse_codebook({"title": "t", "codes": [{"key": "x"}]}, stem="b", file="b.yaml")
    assert str(caught.value) == "b.yaml: kode 1: mangler 'label'"
    assert caught.value.file == "b.yaml"


def test_a_bad_codebook_in_english(english):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(DUPLICATE, stem="b")
    assert str(caught.value) == "<codebook>: duplicate label 'a' (codes 'a' and 'b')"
    with pytest.raises(CodebookError) as caught:
        parse_codebook({"title": "t", "codes": [{"key": "x"}]}, stem="b", file="b.yaml")
    assert str(caught.value) == "b.yaml: code 1: missing label"
    assert caught.value.file == "b.yaml"


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("da", "intet spørgsmål 'nope' i projektet (spørgsmål: strategier)"),
        ("en", "no question 'nope' in the project (questions: strategier)"),
    ],
)
def test_an_unknown_question(project, language, lang, want):
    language(lang)
    with pytest.raises(NotFound) as caught:
        project.question("nope")
    assert str(caught.value) == want


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("da", "et andet program har skrevet i projektet i N s; prøv igen, når det er færdigt"),
        ("en", "another program has been writing the project for N s; try again when it is done"),
    ],
)
def test_a_locked_project(project, project_path, language, lang, want):
    language(lang)
    holder = sqlite3.connect(project_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        project.write_patience = 0.2
        with pytest.raises(WriterBusy) as caught:
            project.toggle_code(project.items("strategier")[0].id, "fleksjob")
    finally:
        holder.rollback()
        holder.close()
    # how long it waited: 0 s, or more on a busy machine
    assert re.sub(r" \d+ s;", " N s;", str(caught.value)) == f"{project_path}: {want}"
    assert caught.value.file == str(project_path)


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("da", "projektet blev åbnet kun til læsning; intet blev ændret"),
        ("en", "the project was opened for reading only; nothing was changed"),
    ],
)
def test_a_project_opened_for_reading(project, project_path, language, lang, want):
    language(lang)
    with Project.open(project_path, readonly=True) as reader, pytest.raises(QualcodeError) as c:
        reader.add_memo("project", None, "et memo")
    caught = c
    assert str(caught.value) == f"{project_path}: {want}"


def test_a_row_and_column_error_in_danish(project):
    error = _bad_code(project)
    assert str(error) == (
        "kodninger.csv, række 3, kolonne 'code': koden 'ukendt' er ikke i kodebogen "
        f"'{STEM}' til spørgsmålet 'strategier' (tilføj den til kodebogen først)"
    )
    assert (error.file, error.row, error.column) == ("kodninger.csv", 3, "code")


def test_a_row_and_column_error_in_english(project, english):
    error = _bad_code(project)
    assert str(error) == (
        "kodninger.csv, row 3, column 'code': code 'ukendt' is not in codebook "
        f"'{STEM}' of question 'strategier' (add it to the codebook first)"
    )
    assert (error.file, error.row, error.column) == ("kodninger.csv", 3, "code")


def test_import_notes_and_plurals_follow_the_language(project, language):
    item = project.items("strategier")[0]
    rows = [
        CodingRow("k.csv", 2, item.respondent, "strategier", "fleksjob", "ida"),
        CodingRow("k.csv", 3, item.respondent, "strategier", "fleksjob", "ida"),
    ]
    summary = project.import_codings(CodingRows(rows), file="k.csv", sha256="x")
    assert summary.describe() == (
        "k.csv: importerede 1 kodning, 1 kodning fandtes allerede til strategier"
    )
    language("en")
    assert summary.describe() == (
        "k.csv: imported 1 coding, 1 coding already present for strategier"
    )


# -- undo and redo name codes by their label ------------------------------------------------


def test_undo_and_redo_name_the_code_by_its_label(project):
    item = project.items("strategier")[0]
    project.add_coding(item.id, "borgere-paa-kanten")
    change = project.undo()
    assert change is not None and change.item_id == item.id
    assert str(change) == f"Fortrudt: kodning af {LABEL} på {item.respondent}"
    assert str(project.redo()) == f"Gentaget: kodning af {LABEL} på {item.respondent}"
    assert "borgere-paa-kanten" not in str(change)


def test_undo_in_english_names_the_code_by_its_label(project, english):
    item = project.items("strategier")[0]
    project.add_coding(item.id, "borgere-paa-kanten")
    project.remove_coding(project.codings(item_id=item.id)[0].id)
    assert str(project.undo()) == f"Undone: removing {LABEL} from {item.respondent}"
    assert str(project.undo()) == f"Undone: coding {LABEL} on {item.respondent}"


def test_codebook_undo_and_refusals_name_codes_by_their_label(project, language):
    item = project.items("strategier")[0]
    project.add_coding(item.id, "fleksjob")
    project.add_code(STEM, "Nye job", key="nye-job", parent="fleksjob")
    assert str(project.undo(group="codebook")) == "Fortrudt: tilføjelse af koden Nye job"
    project.redo(group="codebook")
    with pytest.raises(QualcodeError, match="^'Fleksjob' har underkoder; flyt"):
        project.delete_code(STEM, "fleksjob")
    with pytest.raises(QualcodeError, match="^kan ikke flette 'Fleksjob' ind i sin egen"):
        project.merge_codes(STEM, "fleksjob", "nye-job")
    project.merge_codes(STEM, "nye-job", "borgere-paa-kanten")
    language("en")
    assert str(project.undo(group="codebook")) == f"Undone: merging Nye job into {LABEL}"
    project.delete_code(STEM, "nye-job")
    project.delete_code(STEM, "fleksjob")
    assert str(project.undo(group="codebook")) == "Undone: deleting the code Fleksjob (1 coding)"


# -- the pseudo-language: nothing of the core's wording comes past the catalogue -----------

WRAPPED = re.compile("⟦[^⟦⟧]*⟧")


def assert_wrapped(message: str, *data: object) -> None:
    """Everything in ``message`` but the data values put into it (file names, ids, labels)
    and punctuation came through the catalogue: wrapped in ⟦ ⟧ by the pseudo-language."""
    assert "⟦" in message, f"not from the catalogue: {message!r}"
    rest = message
    for value in sorted(map(str, data), key=len, reverse=True):
        rest = rest.replace(value, "")
    while WRAPPED.search(rest):
        rest = WRAPPED.sub("", rest)
    assert not re.search(r"[^\W\d_]", rest), f"not from the catalogue: {rest!r} in {message!r}"


def raised(call, *args, **kwargs) -> str:
    with pytest.raises(QualcodeError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


@pytest.fixture
def pseudo(language):
    language("qps")


def test_the_wrapping_check_catches_a_text_outside_the_catalogue(pseudo):
    assert_wrapped(str(QualcodeError("⟦x⟧", file="f.csv", row=2, column="svar")), "f.csv", "svar")
    with pytest.raises(AssertionError, match="not from the catalogue"):
        assert_wrapped(str(QualcodeError("⟦ok⟧ and plain", file="f.csv")), "f.csv")


def test_project_and_errors_speak_only_through_the_catalogue(project, project_path, pseudo):
    assert_wrapped(raised(project.question, "nope"), "nope", "strategier")
    assert_wrapped(raised(project.codebook, "nope"), "nope", STEM)
    assert_wrapped(raised(project.respondent, "JC99"), "JC99")
    assert_wrapped(raised(project.item, 999), "999")
    assert_wrapped(raised(project.add_memo, "project", None, " "))
    assert_wrapped(raised(project.set_noun, "kun"), "kun")
    assert_wrapped(raised(Project.create, project_path), project_path)
    error = _bad_code(project)
    assert_wrapped(str(error), "kodninger.csv", "ukendt", STEM, "strategier")
    item = project.items("strategier")[0]
    project.add_coding(item.id, "borgere-paa-kanten")
    assert_wrapped(str(project.undo()), LABEL, item.respondent)
    assert_wrapped(repr(project), project_path.name, "jobcentre", "testkoder")
    with Project.open(project_path, readonly=True) as reader:
        assert_wrapped(raised(reader.add_memo, "project", None, "x"), project_path)
    assert_wrapped(project.basis_label(None, ["ida"]), "ida")


def test_codebooks_and_names_speak_only_through_the_catalogue(tmp_path, pseudo):
    from qualcode.core.codebook import load_codebook

    bad = tmp_path / "b.yaml"
    bad.write_text("title: t\ncodes:\n  - label: A\n    color: rød\n", encoding="utf-8")
    assert_wrapped(raised(load_codebook, bad), bad, "A", "rød", "#RRGGBB", "#1F77B4")
    bad.write_text("title: t\ntitle: u\ncodes: []\n", encoding="utf-8")
    assert_wrapped(raised(load_codebook, bad), bad, "title")
    assert_wrapped(raised(load_codebook, "findes-ikke", tmp_path), "findes-ikke", tmp_path)
    assert_wrapped(raised(check_stem, "../hemmelig", "f.yaml"), "f.yaml", "../hemmelig", "hemmelig")


def test_imports_speak_only_through_the_catalogue(project, tmp_path, pseudo):
    from helpers import write_csv
    from qualcode.io.answers import read_answers

    path = write_csv(
        tmp_path / "nye.csv", [["jobcenter_id", "svar"], ["jc01", "Et svar"], ["JC01 ", "Et"]]
    )
    table = read_answers(
        str(path),
        respondent_col="jobcenter_id",
        text_cols=["svar"],
        questions=["nyt"],
        codebooks=[STEM],
    )
    summary = project.import_answers(table)
    notes = [n for n in summary.notes if "jc01" in n]
    assert notes
    for note in notes:
        assert_wrapped(note, "'jc01'", "'JC01 '", "'JC01'")
    assert_wrapped(summary.describe().splitlines()[0], path, "nyt")


def test_analyses_speak_only_through_the_catalogue(project, pseudo):
    from qualcode.core import pii, waves
    from qualcode.core.framework import Passage
    from qualcode.core.matrix import theme_matrix
    from qualcode.core.merge import merge_projects

    assert_wrapped(raised(project.agreement, "strategier"), "strategier")
    assert_wrapped(raised(project.crosstab, "strategier", "nope"), "nope", "region")
    assert_wrapped(raised(theme_matrix, project, top=0), "0")
    assert_wrapped(raised(pii.scan, project, kinds=["x"]), "'x'")
    assert_wrapped(pii.summary_line([]))
    assert_wrapped(raised(project.quotes, "nope"), "nope")
    assert_wrapped(raised(waves.set_wave, project, "strategier", "to ord"), "to ord")
    assert_wrapped(raised(merge_projects, project, []))
    assert_wrapped(raised(merge_projects, project, [project.path]), project.path)
    assert_wrapped(Passage(1, 3, "Chef", "t", None, None, (), ()).where(), "Chef")


def test_storage_speaks_only_through_the_catalogue(project, project_path, tmp_path, pseudo):
    from qualcode.core.publish import check
    from qualcode.store import backup, files
    from qualcode.store import codebooks as code_store
    from qualcode.store.restore import restore_project

    missing = tmp_path / "findes-ikke.db"
    assert_wrapped(raised(Project.open, missing), missing, "qualcode demo")
    assert_wrapped(raised(check, missing), missing)
    assert_wrapped(raised(backup.copy_to, project.db, project_path), project_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    kept = project.backup("test")
    assert_wrapped(raised(restore_project, junk, kept), junk, "SQLite", "--force")
    with project.transaction():
        row = code_store.code_row(project.db, STEM, "fleksjob")
        assert_wrapped(raised(code_store.insert_code, project.db, STEM, row), STEM, "fleksjob")
    tmp = tmp_path / "tmp"
    tmp.write_text("x")
    assert_wrapped(raised(files.publish, tmp, project_path), project_path)


def test_language_tools_and_the_demo_speak_only_through_the_catalogue(project, tmp_path, pseudo):
    from qualcode.demo import build_demo
    from qualcode.nlp import kwic, textcat
    from qualcode.nlp.evaluate import evaluate
    from qualcode.nlp.rules import RuleMatcher

    assert_wrapped(raised(kwic.kwic, project, " "), "WORD")
    assert_wrapped(raised(textcat.load, tmp_path), tmp_path, "qualcode-model.json")
    book = project.codebook(STEM)
    data = textcat.Labelled(STEM, book.keys())
    assert_wrapped(raised(evaluate, data, {}, RuleMatcher(book), k=1), "--folds", "1")
    existing = tmp_path / "demo.qualcode.db"
    existing.write_text("")
    assert_wrapped(raised(build_demo, existing), existing, "--force")
