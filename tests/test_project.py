"""The Project API: coding, uncoding, spans, memos, the event log, and atomic actions."""

from __future__ import annotations

import pytest

from qualcode.core.project import Project
from qualcode.errors import NotFound, QualcodeError


def item_of(project, rid, question="strategier"):
    return project.items(question, respondent=rid, include_empty=True)[0]


def test_items_skip_empty_answers_unless_asked(project):
    ids = [i.respondent for i in project.items("strategier")]
    assert ids == ["JC01", "JC02", "JC04"]
    all_ids = [i.respondent for i in project.items("strategier", include_empty=True)]
    assert all_ids == ["JC01", "JC02", "JC03", "JC04"]
    assert item_of(project, "JC03").is_empty


def test_toggle_code_adds_then_removes_and_logs(project):
    it = item_of(project, "JC01")
    assert project.toggle_code(it.id, "borgere-paa-kanten") is True
    assert [c.code for c in project.codings(item_id=it.id)] == ["borgere-paa-kanten"]
    assert project.toggle_code(it.id, "borgere-paa-kanten") is False
    assert project.codings(item_id=it.id) == []
    actions = [e["action"] for e in project.events()][-2:]
    assert actions == ["coding.add", "coding.remove"]
    added = project.events()[-2]["payload"]["coding"]
    assert added["respondent"] == "JC01" and added["coder"] == "testkoder"


def test_add_coding_by_label_is_idempotent(project):
    it = item_of(project, "JC04")
    first = project.add_coding(it.id, "Fleksjob")
    again = project.add_coding(it.id, "fleksjob")
    assert first.id == again.id
    assert len(project.codings(item_id=it.id)) == 1


def test_span_coding_and_bounds(project, english):
    it = item_of(project, "JC04")
    c = project.add_coding(it.id, "fleksjob", start=0, end=8)
    assert it.text[c.start : c.end] == "Fleksjob"
    whole = project.add_coding(it.id, "fleksjob")
    assert whole.id != c.id, "a span and a whole-item coding are different codings"
    with pytest.raises(QualcodeError, match="outside"):
        project.add_coding(it.id, "fleksjob", start=5, end=10_000)
    with pytest.raises(QualcodeError, match="both start and end"):
        project.add_coding(it.id, "fleksjob", start=5)


def test_errors_change_nothing(project, english):
    before = project.snapshot()
    empty = item_of(project, "JC03")
    with pytest.raises(QualcodeError, match="empty answer"):
        project.add_coding(empty.id, "fleksjob")
    with pytest.raises(NotFound, match="no code"):
        project.add_coding(item_of(project, "JC01").id, "findes-ikke")
    with pytest.raises(NotFound):
        project.add_coding(999_999, "fleksjob")
    assert project.snapshot() == before


def test_codings_survive_reopen_and_other_coders_are_separate(project_path, project):
    it = item_of(project, "JC02")
    project.add_coding(it.id, "beskaeftigelsesplan")
    project.add_coding(it.id, "beskaeftigelsesplan", coder="anden")
    project.close()
    with Project.open(project_path) as again:
        coders = sorted(c.coder for c in again.codings(item_id=it.id))
        assert coders == ["anden", "testkoder"]


def test_memos(project):
    it = item_of(project, "JC01")
    memo = project.add_memo("item", it.id, "Tjek om ressourcer også betyder flere hænder.")
    assert memo.author == "testkoder"
    assert [m.text for m in project.memos("item", it.id)] == [memo.text]
    with pytest.raises(QualcodeError):
        project.add_memo("item", it.id, "   ")


def test_question_and_codebook_lookups(project, english):
    q = project.question("strategier")
    assert q.codebook == "lokalpolitiske-strategier" and q.kind == "open"
    assert project.question().id == "strategier"
    assert project.codebook("strategier").stem == "lokalpolitiske-strategier"
    with pytest.raises(NotFound, match="questions: strategier"):
        project.question("nope")
    assert project.respondent("JC02").attributes == {"region": "Sjælland"}


def test_project_codebook_copy_is_kept(project):
    from qualcode.core.codebook import load_codebook

    assert project.install_codebook(load_codebook("lokalpolitiske-strategier")) is False
    assert project.install_codebook(load_codebook("eksterne-aktoerer")) is True
    assert "eksterne-aktoerer" in project.codebook_stems()


def test_undo_redo_is_driven_by_the_log_and_survives_reopen(project_path, project):
    a = item_of(project, "JC01")
    b = item_of(project, "JC02")
    project.toggle_code(a.id, "fleksjob")
    project.toggle_code(b.id, "beskaeftigelsesplan")
    assert project.undo().text == "Fortrudt: kodning af Indarbejdelse i beskæftigelsesplan på JC02"
    assert project.codings(item_id=b.id) == []
    project.close()
    with Project.open(project_path) as again:
        assert again.can_redo()
        assert again.redo().text.startswith("Gentaget")
        assert [c.code for c in again.codings(item_id=b.id)] == ["beskaeftigelsesplan"]
        assert again.undo() and again.undo()
        assert again.codings(question="strategier") == []
        assert again.undo() is None, "nothing more to undo"
        assert again.redo() and [c.code for c in again.codings()] == ["fleksjob"]
        # a new action clears the redo stack
        again.toggle_code(b.id, "andet")
        assert not again.can_redo()


def test_undo_of_a_removal_restores_the_coding(project):
    it = item_of(project, "JC04")
    first = project.add_coding(it.id, "fleksjob", memo="tydeligt")
    project.remove_coding(first.id)
    project.undo()
    (restored,) = project.codings(item_id=it.id)
    assert (restored.code, restored.memo, restored.created_at) == (
        "fleksjob",
        "tydeligt",
        first.created_at,
    )


def test_undo_is_per_coder(project_path, project):
    it = item_of(project, "JC01")
    project.toggle_code(it.id, "fleksjob")
    with Project.open(project_path, coder="anden") as other:
        assert other.undo() is None
        other.toggle_code(it.id, "andet")
    assert project.undo().text.endswith("Fleksjob på JC01")
    assert [c.code for c in project.codings(item_id=it.id)] == ["andet"]


def test_star_a_quote(project):
    it = item_of(project, "JC01")
    c = project.add_coding(it.id, "fleksjob")
    project.star(c.id)
    assert project.is_starred(c.id)
    assert project.quotes("fleksjob")[0].starred
    project.star(c.id, False)
    assert not project.is_starred(c.id)


def test_progress_and_live_counts(project):
    assert project.progress("strategier") == (0, 3)
    it = item_of(project, "JC01")
    project.add_coding(it.id, "fleksjob")
    project.add_coding(it.id, "andet")
    assert project.progress("strategier") == (1, 3)
    counts = project.respondent_counts("strategier")
    assert counts["fleksjob"] == 1 and counts["beskaeftigelsesplan"] == 0
    assert project.answered("strategier") == 3


def test_edit_codebook_in_project(project, english):
    stem = "lokalpolitiske-strategier"
    new = project.add_code(
        stem, "Virksomhedspartnerskaber", parent="samarbejde-organisationer", color="#123ABC"
    )
    assert new.key == "virksomhedspartnerskaber" and new.parent == "samarbejde-organisationer"
    book = project.codebook(stem)
    assert (
        book.keys().index("virksomhedspartnerskaber")
        == book.keys().index("samarbejde-organisationer") + 1
    )
    assert book.codes[-1].key == "andet"
    renamed = project.update_code(
        stem, "fleksjob", label="Fleksjob og skånejob", color="#00AA00", definition="Ny definition."
    )
    assert (renamed.label, renamed.color, renamed.definition) == (
        "Fleksjob og skånejob",
        "#00AA00",
        "Ny definition.",
    )
    with pytest.raises(QualcodeError, match="bad colour"):
        project.update_code(stem, "fleksjob", color="grøn")
    with pytest.raises(QualcodeError, match="duplicate label"):
        project.update_code(stem, "fleksjob", label="Andet")
    with pytest.raises(QualcodeError, match="loops back"):
        project.update_code(stem, "samarbejde-organisationer", parent="virksomhedspartnerskaber")
    assert project.update_code(stem, "virksomhedspartnerskaber", parent=None).parent is None


def test_merge_moves_codings_to_the_survivor(project):
    stem = "lokalpolitiske-strategier"
    a, b = item_of(project, "JC01"), item_of(project, "JC04")
    project.add_coding(a.id, "tvaerfagligt-samarbejde")
    project.add_coding(b.id, "tvaerfagligt-samarbejde")
    project.add_coding(b.id, "samarbejde-organisationer")
    assert project.merge_codes(stem, "tvaerfagligt-samarbejde", "samarbejde-organisationer") == 1
    counts = project.respondent_counts("strategier")
    assert counts["samarbejde-organisationer"] == 2
    remaining = project.codebook(stem).keys()
    assert "tvaerfagligt-samarbejde" not in remaining
    assert len(project.codings(item_id=b.id)) == 1, "the duplicate was folded, not doubled"
    assert project.events()[-1]["action"] == "code.merge"


def test_delete_code_removes_its_codings_and_logs_them(project, english):
    stem = "lokalpolitiske-strategier"
    it = item_of(project, "JC01")
    project.add_coding(it.id, "fleksjob")
    assert project.code_usage(stem, "fleksjob") == 1
    assert project.delete_code(stem, "fleksjob") == 1
    assert project.codings(item_id=it.id) == []
    event = project.events()[-1]
    assert event["action"] == "code.delete"
    assert event["payload"]["codings"][0]["respondent"] == "JC01"
    with pytest.raises(QualcodeError, match="child codes"):
        project.add_code(stem, "Barn", parent="andet")
        project.delete_code(stem, "andet")


def test_add_code_picks_a_free_key(project):
    stem = "lokalpolitiske-strategier"
    assert project.add_code(stem, "Fleksjob!").key == "fleksjob-2"
    assert project.add_code(stem, "Fleksjob?").key == "fleksjob-3"


def test_disagreements_and_settling_into_consensus(project, english):
    a, b, c = (item_of(project, r) for r in ("JC01", "JC02", "JC04"))
    for coder, item, code in (
        ("ane", a, "fleksjob"),
        ("bo", a, "andet"),
        ("ane", b, "beskaeftigelsesplan"),
        ("bo", b, "beskaeftigelsesplan"),
        ("ane", c, "fleksjob"),
    ):
        project.add_coding(item.id, code, coder=coder)
    assert project.coders("strategier") == ["ane", "bo"]
    found = project.disagreements("strategier", ["ane", "bo"])
    assert [d.item.respondent for d in found] == ["JC01"]  # bo has not reached JC04 yet
    assert project.awaiting("strategier", ["ane", "bo"]) == 1
    project.mark_no_theme(c.id, coder="bo")  # bo read it: no theme applies
    found = project.disagreements("strategier", ["ane", "bo"])
    assert [d.item.respondent for d in found] == ["JC01", "JC04"]
    assert found[1].codes == {"ane": {"fleksjob"}, "bo": set()}
    assert project.awaiting("strategier", ["ane", "bo"]) == 0
    first = found[0]
    assert first.codes == {"ane": {"fleksjob"}, "bo": {"andet"}}
    assert first.agreed() == set() and first.any_coder() == {"fleksjob", "andet"}
    assert not first.settled
    project.settle(a.id, ["fleksjob"])
    project.settle(c.id, [])
    again = project.disagreements("strategier", ["ane", "bo"])
    assert all(d.settled for d in again)
    assert again[0].consensus == {"fleksjob"}
    counts = project.respondent_counts("strategier", coder="consensus")
    assert counts["fleksjob"] == 1 and counts["andet"] == 0
    project.settle(a.id, ["Andet"])  # by label; replaces, never adds up
    assert [x.code for x in project.codings(item_id=a.id, coder="consensus")] == ["andet"]
    with pytest.raises(QualcodeError, match="at least two coders"):
        project.disagreements("strategier", ["ane"])
