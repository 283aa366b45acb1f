"""Memos are written, edited and deleted in one undoable action each (also after a
restart), and nothing else is touched."""

from __future__ import annotations

import pytest

from qualcode.core.project import Project
from qualcode.errors import QualcodeError


def texts(p: Project, item_id: int) -> list[tuple[str, str]]:
    return [(m.text, m.author) for m in p.memos("item", item_id)]


def test_write_edit_delete_and_undo_each_across_a_restart(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        first = p.set_memo("item", item.id, "Nævner kun fleksjob")
        assert first is not None and texts(p, item.id) == [("Nævner kun fleksjob", "ida")]
        edited = p.set_memo("item", item.id, "Nævner fleksjob og mentor", memo_id=first.id)
        assert edited is not None and edited.id == first.id
        assert edited.created_at == first.created_at
        assert texts(p, item.id) == [("Nævner fleksjob og mentor", "ida")]
        assert p.set_memo("item", item.id, "  ", memo_id=first.id) is None
        assert texts(p, item.id) == []
    with Project.open(demo_copy, coder="ida") as p:  # a restart: the log still undoes
        change = p.undo()
        assert change is not None and "sletning af memo" in change.text
        assert texts(p, item.id) == [("Nævner fleksjob og mentor", "ida")]
        assert p.undo() is not None
        assert texts(p, item.id) == [("Nævner kun fleksjob", "ida")]
        assert p.undo() is not None and texts(p, item.id) == []
        assert p.redo() is not None and texts(p, item.id) == [("Nævner kun fleksjob", "ida")]


def test_memo_refusals_change_nothing(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        before = p.memos()
        with pytest.raises(QualcodeError):
            p.set_memo("item", item.id, "   ")
        with pytest.raises(QualcodeError):
            p.set_memo("item", item.id, "tekst", memo_id=99999)
        assert p.memos() == before


def all_memos(p: Project) -> list[tuple]:
    return [(m.target, m.target_id, m.text, m.author) for m in p.memos()]


def test_memos_on_a_code_a_coding_the_project_and_a_respondent(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        stem = p.question("strategier").codebook
        key = p.codebook(stem).codes[0].key
        coding = p.add_coding(item.id, key)
        on_code = p.set_memo("code", p.code_ref(stem, key), "Koden overlapper med mentor")
        on_coding = p.set_memo("coding", coding.id, "Usikker kodning")
        on_project = p.set_memo("project", None, "Første runde færdig\nanden linje")
        on_respondent = p.set_memo("respondent", item.respondent, "Interviewet to gange")
        assert on_code and on_coding and on_project and on_respondent
        entries = {e.memo.id: e for e in p.memo_entries()}
        label = p.codebook(stem).codes[0].label
        assert entries[on_code.id].about == f"{stem}: {label}"
        assert entries[on_coding.id].item_id == item.id  # a coding's memo jumps to its item
        assert entries[on_coding.id].code == key
        assert entries[on_project.id].first_line == "Første runde færdig"
        assert entries[on_respondent.id].respondent == item.respondent
        # each is undone where it was made: the code's with the codebook, the coding's
        # with the codings, the project's and the respondent's with the memos
        assert p.next_undo("codebook")["action"] == "memo.code"
        assert p.next_undo("memo")["action"] == "memo.project"
        assert p.next_undo("coding")["action"] == "memo.set"
    with Project.open(demo_copy, coder="ida") as p:  # a restart: still undoable
        change = p.undo_memo()  # the newest memo change of all: the respondent's
        assert change is not None and "memo om" in change.text
        assert [m.text for m in p.memos("respondent")] == []
        assert p.undo_memo() is not None and p.memos("project") == []
        assert p.undo_memo() is not None and p.memos("coding") == []
        assert p.undo_memo() is not None and p.memos("code") == []
        assert p.undo_memo() is None and p.memos() == []
        assert p.redo("codebook") is not None
        assert [m.text for m in p.memos("code")] == ["Koden overlapper med mentor"]


def test_list_and_search_memos(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        p.set_memo("item", item.id, "Nævner Fleksjob")
        p.set_memo("project", None, "Æblerne er modne")
        assert [e.memo.text for e in p.memo_entries(search="fleksjob")] == ["Nævner Fleksjob"]
        assert [e.memo.text for e in p.memo_entries(search="ÆBLERNE modne")] == ["Æblerne er modne"]
        # the target's words are searched too: the respondent's id
        assert [e.kind for e in p.memo_entries(search=item.respondent)] == ["item"]
        assert [e.kind for e in p.memo_entries("project")] == ["project"]
        newest_first = [e.memo.text for e in p.memo_entries()]
        assert newest_first == ["Æblerne er modne", "Nævner Fleksjob"]


def test_refused_memos_change_nothing(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        before, events = p.memos(), p.last_change()
        for target, ref in [
            ("coding", 99999),
            ("code", 99999),
            ("item", "abc"),
            ("respondent", "JC-FINDES-IKKE"),
            ("project", "5"),
            ("elefant", None),
        ]:
            with pytest.raises(QualcodeError):
                p.set_memo(target, ref, "tekst")
        with pytest.raises(QualcodeError):
            p.memo_entries("elefant")
        assert p.memos() == before and p.last_change() == events


def test_a_memo_outlives_its_coding_and_its_code(demo_copy):
    """A deleted coding's memo moves to its item, a deleted code's to the project: never
    onto the next coding or code that gets the freed id."""
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        stem = p.question("strategier").codebook
        key = p.codebook(stem).codes[0].key
        coding = p.add_coding(item.id, key, start=0, end=4)
        p.set_memo("coding", coding.id, "Om udsnittet")
        p.remove_coding(coding.id)
        assert [(m.target, m.target_id) for m in p.memos()] == [("item", str(item.id))]
        again = p.add_coding(item.id, key, start=0, end=4)
        assert p.memos("coding", again.id) == []
        code = p.add_code(stem, "Midlertidig")
        p.set_memo("code", p.code_ref(stem, code.key), "Skal den med?")
        p.delete_code(stem, code.key)
        assert [m.text for m in p.memos("project")] == ["Midlertidig: Skal den med?"]


def test_undoing_a_memo_change_after_its_code_was_deleted_keeps_it_on_something(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        stem = p.question("strategier").codebook
        code = p.add_code(stem, "Midlertidig")
        memo = p.set_memo("code", p.code_ref(stem, code.key), "Første tanke")
        assert memo is not None
        p.set_memo("code", None, "Anden tanke", memo_id=memo.id)
        p.delete_code(stem, code.key)  # the memo moves to the project
        # the project's own undo of the deletion, then of the memo's edit: the memo's
        # code is gone, so its earlier text comes back where the memo is now
        while p.next_undo("codebook")["action"] != "memo.code":
            assert p.undo("codebook") is not None
        assert p.undo("codebook") is not None
        (after,) = p.memos()
        assert after.text == "Første tanke"
        assert p.memo_entries()[0].about  # on something that exists


def test_an_old_files_memos_list_with_what_they_are_on(tmp_path):
    """The first release put a code's memo on the code's key: upgraded, it is on the code
    (listed with its codebook and label), as the other memos are."""
    import shutil
    from pathlib import Path

    old = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema1.qualcode.db", old)
    with Project.open(old, readonly=True) as p:  # read through an upgraded copy
        read = {e.kind: e.about for e in p.memo_entries()}
    with Project.open(old) as p:  # upgraded in place
        upgraded = {e.kind: e.about for e in p.memo_entries()}
    assert read == upgraded
    assert upgraded["code"] == (
        "lokalpolitiske-strategier: Udbrede kendskab til handicapkompenserende ordninger"
    )
    assert upgraded["item"] == "strategier/JC03" and upgraded["project"] == "projektet"
