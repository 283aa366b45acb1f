"""Team coding that yields the right numbers (issue 12): "reviewed, no theme applies" per
coder and item (stored, undoable, carried by merge and by codings files), agreement over
what both coders reviewed (no theme included, checked against the reference packages),
and a disagreement list that leaves out the answers a coder has not reached yet."""

from __future__ import annotations

import shutil

import pytest

from helpers import assert_one_line_error, run, write_csv
from qualcode.core.agreement import agreement, reliability_data
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from test_agreement import assert_same, references


def item_of(p: Project, respondent: str, question: str = "strategier"):
    return p.items(question, respondent=respondent)[0]


# -- reviewed, no theme applies --------------------------------------------------------


def test_marking_no_theme_replaces_the_coders_own_codings_and_undo_brings_them_back(project):
    a = item_of(project, "JC01")
    project.toggle_code(a.id, "fleksjob")
    project.toggle_code(a.id, "andet", coder="en-anden")
    assert project.mark_no_theme(a.id)
    assert project.has_no_theme(a.id)
    assert [c.coder for c in project.codings(item_id=a.id)] == ["en-anden"]  # others stay
    assert not project.mark_no_theme(a.id)  # once is enough
    change = project.undo()
    assert change.text == "Fortrudt: ingen tema på JC01"
    assert not project.has_no_theme(a.id)
    assert sorted(c.code for c in project.codings(item_id=a.id)) == ["andet", "fleksjob"]
    project.redo()
    assert project.has_no_theme(a.id)
    assert [c.coder for c in project.codings(item_id=a.id)] == ["en-anden"]


def test_coding_a_theme_takes_the_mark_away_and_undo_puts_it_back(project):
    a = item_of(project, "JC01")
    project.mark_no_theme(a.id)
    project.toggle_code(a.id, "fleksjob")
    assert not project.has_no_theme(a.id)
    project.undo()  # the coding goes, the mark comes back
    assert project.has_no_theme(a.id) and not project.codings(item_id=a.id)
    project.redo()
    assert not project.has_no_theme(a.id)


def test_no_theme_is_no_theme_in_counts_but_counts_as_reviewed(project):
    a, b = item_of(project, "JC01"), item_of(project, "JC02")
    before = project.respondent_counts("strategier")
    project.mark_no_theme(a.id)
    project.toggle_code(b.id, "fleksjob")
    assert project.respondent_counts("strategier") == {**before, "fleksjob": 1}
    assert project.progress("strategier", coder=project.coder) == (1, 3)  # coded
    assert project.reviewed("strategier", coder=project.coder) == (2, 3)  # gennemgået
    assert project.no_theme_items("strategier") == {a.id}
    assert project.reviewed("strategier", coder="en-anden") == (0, 3)


def test_an_empty_answer_cannot_be_marked(project, english):
    empty = project.items("strategier", include_empty=True, respondent="JC03")[0]
    with pytest.raises(QualcodeError, match="empty answer"):
        project.mark_no_theme(empty.id)


def test_cli_code_none_marks_and_removes(project, project_path):
    project.close()
    result = run(
        "code",
        project_path,
        "--question",
        "strategier",
        "--respondent",
        "JC02",
        "--none",
        "--coder",
        "ida",
    )
    assert result.exit_code == 0 and "intet tema passer" in result.stdout
    with Project.open(project_path, readonly=True) as p:
        assert p.has_no_theme(item_of(p, "JC02").id, coder="ida")
    result = run(
        "code",
        project_path,
        "--question",
        "strategier",
        "--respondent",
        "JC02",
        "--none",
        "--remove",
        "--coder",
        "ida",
    )
    assert result.exit_code == 0
    assert_one_line_error(
        run(
            "code",
            project_path,
            "--question",
            "strategier",
            "--respondent",
            "JC02",
            "--none",
            "--remove",
            "--coder",
            "ida",
        ),
        "ikke markeret 'intet tema'",
    )
    bad = run("code", project_path, "--question", "strategier", "--respondent", "JC02")
    assert bad.exit_code == 2 and "--code KEY eller --none" in bad.output


# -- codings files: a '-' row -----------------------------------------------------------


def test_a_dash_row_in_a_codings_file_marks_no_theme(project, project_path, tmp_path, english):
    project.close()
    rows = [
        ["respondent", "question", "code", "coder"],
        ["JC01", "strategier", "-", "ane"],
        ["JC02", "strategier", "fleksjob", "ane"],
        ["JC04", "strategier", "-", "bo"],
    ]
    result = run("import", "codings", project_path, write_csv(tmp_path / "k.csv", rows))
    assert result.exit_code == 0, result.output
    assert "2 answers marked 'no theme'" in result.stdout
    with Project.open(project_path, readonly=True) as p:
        assert p.no_theme_items("strategier", coder="ane") == {item_of(p, "JC01").id}
        assert p.no_theme_items("strategier", coder="bo") == {item_of(p, "JC04").id}
    again = run("import", "codings", project_path, tmp_path / "k.csv")
    assert again.exit_code == 0 and "nothing new" in again.stdout


def test_a_dash_row_beside_a_theme_of_the_same_coder_is_refused(
    project, project_path, tmp_path, english
):
    project.close()
    before = project_path.read_bytes()
    rows = [
        ["respondent", "question", "code", "coder"],
        ["JC01", "strategier", "fleksjob", "ane"],
        ["JC01", "strategier", "-", "ane"],
    ]
    assert_one_line_error(
        run("import", "codings", project_path, write_csv(tmp_path / "k.csv", rows)),
        "k.csv",
        "row 3",
        "no theme applies",
        "'ane' codes themes",
    )
    assert project_path.read_bytes() == before
    rows = [
        ["respondent", "question", "code", "text"],
        ["JC01", "strategier", "-", "borgere på kanten"],
    ]
    assert_one_line_error(
        run("import", "codings", project_path, write_csv(tmp_path / "p.csv", rows)),
        "it has no passage",
    )


# -- merge ------------------------------------------------------------------------------


def test_merge_brings_no_theme_marks_and_never_puts_one_over_codings(demo_copy, tmp_path, english):
    ane, bo = tmp_path / "ane.db", tmp_path / "bo.db"
    shutil.copyfile(demo_copy, ane)
    shutil.copyfile(demo_copy, bo)
    with Project.open(ane, coder="ane") as p:
        first, second = p.items("strategier")[:2]
        p.mark_no_theme(first.id)
        p.toggle_code(second.id, "fleksjob")
    with Project.open(bo, coder="ane") as p:  # the same coder, another copy: a conflict
        p.mark_no_theme(second.id)
    result = run("merge", demo_copy, ane, bo)
    assert result.exit_code == 0, result.output
    assert "1 'no theme' mark added" in result.stdout
    assert "'no theme' mark strategier/" in result.stdout and "kept the target's" in result.stdout
    with Project.open(demo_copy, readonly=True) as p:
        assert p.no_theme_items("strategier", coder="ane") == {first.id}
        assert [c.code for c in p.codings(item_id=second.id, coder="ane")] == ["fleksjob"]
    again = run("merge", demo_copy, ane)
    assert again.exit_code == 0 and "nothing new" in again.stdout


# -- agreement over what both reviewed ---------------------------------------------------


def _two_coders(p: Project) -> list:
    """ane reviews all four answers, bo three of them: both find no theme in one."""
    items = p.items("strategier")
    jc01, jc02, jc04 = items[0], items[1], items[2]
    extra = p.items("strategier", include_empty=True)
    assert len(extra) == 4  # JC03 is empty
    p.toggle_code(jc01.id, "fleksjob", coder="ane")
    p.toggle_code(jc01.id, "fleksjob", coder="bo")
    p.mark_no_theme(jc02.id, coder="ane")
    p.mark_no_theme(jc02.id, coder="bo")
    p.toggle_code(jc04.id, "andet", coder="ane")  # bo has not reached JC04
    return [jc01, jc02, jc04]


def test_agreement_counts_agreeing_on_no_theme_and_leaves_unreached_answers_out(project):
    jc01, jc02, jc04 = _two_coders(project)
    data = reliability_data(project, "strategier", ["ane", "bo"])
    assert list(data.unit_item) == [jc01.id, jc02.id, jc04.id]
    assert data.present.tolist() == [[True, True, True], [True, True, False]]
    assert data.matrix("fleksjob") == [[1, 0, 0], [1, 0, None]]
    for code in data.codes:
        assert_same(
            data.statistics(code.key).cohen_kappa,
            references(data.matrix(code.key))["cohen_kappa"],
            code.key,
        )
        assert_same(
            data.statistics(code.key).krippendorff_alpha,
            references(data.matrix(code.key))["krippendorff_alpha"],
            code.key,
        )
    frame = agreement(project, "strategier", ["ane", "bo"])
    row = frame.set_index("code").loc["fleksjob"]
    assert row["units_complete"] == 2 and row["percent_agreement"] == 100.0
    assert frame.attrs["coders"] == ["ane", "bo"]


def test_disagreements_leave_out_what_the_second_coder_has_not_reached(project):
    jc01, jc02, jc04 = _two_coders(project)
    assert project.disagreements("strategier", ["ane", "bo"]) == []  # they agree on both
    assert project.awaiting("strategier", ["ane", "bo"]) == 1
    project.mark_no_theme(jc04.id, coder="bo")
    [found] = project.disagreements("strategier", ["ane", "bo"])
    assert found.item.id == jc04.id and found.codes == {"ane": {"andet"}, "bo": set()}


# -- one coder basis for every number ----------------------------------------------------


@pytest.fixture
def three_coders(demo_copy):
    """guld coded every answer (the demo); ida and consensus code a few more."""
    with Project.open(demo_copy) as p:
        items = p.items("strategier")
        for item in items[:3]:
            p.add_coding(item.id, "fleksjob", coder="ida")
        p.settle(items[0].id, ["fleksjob"])
    return demo_copy


def _fleksjob(result) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith("Fleksjob"))


def test_counts_per_basis_and_a_warning_for_all_coders(three_coders):
    with Project.open(three_coders, readonly=True) as p:
        guld = p.respondent_counts("strategier", coder="guld")["fleksjob"]
        union = p.respondent_counts("strategier")["fleksjob"]
        ida = p.respondent_counts("strategier", coder="ida")["fleksjob"]
        assert p.respondent_counts("strategier", coder="consensus")["fleksjob"] == 1
        assert ida == 3 and union >= guld
    for coder, n in (("guld", guld), ("ida", 3), ("consensus", 1), ("*", union)):
        result = run("counts", three_coders, "--question", "strategier", "--coder", coder)
        assert result.exit_code == 0
        assert f"{n} af 35" in _fleksjob(result)
        label = "alle kodere (consensus, guld, ida)" if coder == "*" else coder
        assert f"Kodet af: {label}" in result.stdout
        warned = [line for line in result.stderr.splitlines() if "advarsel" in line]
        assert len(warned) == (1 if coder == "*" else 0), result.stderr
    warned = run("counts", three_coders, "--question", "strategier").stderr
    assert "kodet af 3 kodere (consensus, guld, ida)" in warned


def test_the_basis_is_stored_and_used_by_every_counting_command(three_coders, tmp_path):
    result = run("basis", three_coders, "--set", "consensus")
    assert result.exit_code == 0 and result.stdout.strip() == "Kodet af: consensus"
    counted = run("counts", three_coders, "--question", "strategier")
    assert "1 af 35" in _fleksjob(counted) and not counted.stderr
    data = run("counts", three_coders, "--question", "strategier", "--format", "json").stdout
    assert '"basis": "consensus"' in data
    report = run("report", three_coders, "--question", "strategier", "-o", tmp_path / "r.md")
    assert report.exit_code == 0, report.output
    assert "Kodet af: consensus." in (tmp_path / "r.md").read_text(encoding="utf-8")
    crossed = run("crosstab", three_coders, "--question", "strategier", "--by", "region")
    assert crossed.exit_code == 0 and "Kodet af: consensus." in crossed.stdout
    back = run("basis", three_coders, "--set", "*")
    assert back.stdout.startswith("Kodet af: alle kodere")
    with Project.open(three_coders, readonly=True) as p:
        assert p.basis() is None
