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


def test_span_coding_and_bounds(project):
    it = item_of(project, "JC04")
    c = project.add_coding(it.id, "fleksjob", start=0, end=8)
    assert it.text[c.start:c.end] == "Fleksjob"
    whole = project.add_coding(it.id, "fleksjob")
    assert whole.id != c.id, "a span and a whole-item coding are different codings"
    with pytest.raises(QualcodeError, match="outside"):
        project.add_coding(it.id, "fleksjob", start=5, end=10_000)
    with pytest.raises(QualcodeError, match="both start and end"):
        project.add_coding(it.id, "fleksjob", start=5)


def test_errors_change_nothing(project):
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


def test_question_and_codebook_lookups(project):
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
