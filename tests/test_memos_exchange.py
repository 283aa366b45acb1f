"""Memos written in the workbench (on a code, a coding, an item, the project, a
respondent) travel: ``qualcode merge`` brings them in once (a second merge adds none),
and a REFI-QDA export puts each as a ``<Note>`` referred to (``<NoteRef>``) from where the
standard puts it, and reads them back."""

from __future__ import annotations

import shutil
import zipfile

from lxml import etree

from helpers import run
from qualcode.core.merge import merge_projects
from qualcode.core.project import Project

NS = {"q": "urn:QDA-XML:project:1.0"}


def _write_memos(path) -> dict[str, str]:
    with Project.open(path, coder="ane") as p:
        item = p.items("interview")[3]
        stem = p.question("interview").codebook
        key = p.codebook(stem).codes[1].key
        coding = p.add_coding(item.id, key, start=0, end=5)
        p.set_memo("code", p.code_ref(stem, key), "Koden overlapper en anden")
        p.set_memo("coding", coding.id, "Kodningen er usikker")
        memo = p.set_memo("item", item.id, "Første udkast")
        assert memo is not None
        p.set_memo("item", item.id, "Uddraget handler om hjælpemidler", memo_id=memo.id)
        p.set_memo("project", None, "Projektnotat")
        p.set_memo("respondent", item.respondent, "Interviewet to gange")
        return {"stem": stem, "key": key}


def _memos(path) -> list[tuple]:
    with Project.open(path, readonly=True) as p:
        return sorted((e.kind, e.about, e.memo.text, e.memo.author) for e in p.memo_entries())


def test_merge_brings_every_kind_of_memo_once(demo_db, tmp_path):
    target, copy = tmp_path / "t.qualcode.db", tmp_path / "ane.qualcode.db"
    shutil.copy(demo_db, target)
    shutil.copy(demo_db, copy)
    _write_memos(copy)
    with Project.open(target) as t:
        report = merge_projects(t, [copy])
    assert report.memos_added == 5 and report.unmatched == []
    assert _memos(target) == _memos(copy)
    with Project.open(target) as t:
        again = merge_projects(t, [copy])
    assert again.memos_added == 0 and again.memos_present == 5
    assert _memos(target) == _memos(copy)


def test_refiqda_puts_memos_where_the_standard_does_and_reads_them_back(demo_copy, tmp_path):
    where = _write_memos(demo_copy)
    out = tmp_path / "memoer.qdpx"
    assert run("export", "qdpx", demo_copy, "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as z:
        root = etree.fromstring(z.read("project.qde"))
    notes = {
        n.get("guid"): n.findtext("q:PlainTextContent", namespaces=NS)
        for n in root.iterfind("q:Notes/q:Note", NS)
    }
    assert sorted(notes.values()) == sorted(
        [
            "Koden overlapper en anden",
            "Kodningen er usikker",
            "Uddraget handler om hjælpemidler",
            "Projektnotat",
            "Interviewet to gange",
        ]
    )

    def referred(elements) -> set[str]:
        return {
            notes[r.get("targetGUID")]
            for el in elements
            for r in el.iterfind("q:NoteRef", NS)
            if r.get("targetGUID") in notes
        }

    assert referred([root]) == {"Projektnotat"}
    with Project.open(demo_copy, readonly=True) as p:
        label = p.codebook(where["stem"]).code(where["key"]).label
    codes = [c for c in root.iter(f"{{{NS['q']}}}Code") if c.get("name") == label]
    assert referred(codes) == {"Koden overlapper en anden"}
    assert referred(root.iter(f"{{{NS['q']}}}Coding")) == {"Kodningen er usikker"}
    assert "Uddraget handler om hjælpemidler" in referred(root.iter(f"{{{NS['q']}}}TextSource"))

    target = tmp_path / "ny.qualcode.db"
    assert run("import", "qdpx", target, out).exit_code == 0
    assert _memos(target) == _memos(demo_copy)


def test_a_memo_edited_in_a_copy_after_a_merge_is_updated_not_doubled(demo_db, tmp_path):
    target, copy = tmp_path / "t.qualcode.db", tmp_path / "ane.qualcode.db"
    shutil.copy(demo_db, target)
    shutil.copy(demo_db, copy)
    with Project.open(copy, coder="ane") as p:
        memo = p.set_memo("project", None, "Første udgave")
    with Project.open(target) as t:
        assert merge_projects(t, [copy]).memos_added == 1
    with Project.open(copy, coder="ane") as p:
        p.set_memo("project", None, "Anden udgave", memo_id=memo.id)
    with Project.open(target) as t:
        report = merge_projects(t, [copy])
        assert (report.memos_added, report.memos_updated) == (0, 1)
        assert "1 memo fik en nyere udgave" in report.describe()
        assert [m.text for m in t.memos()] == ["Anden udgave"]
    with Project.open(target) as t:  # the target's own later edit is kept
        (held,) = t.memos()
        t.set_memo("project", None, "Målets udgave", memo_id=held.id)
        again = merge_projects(t, [copy])
        assert (again.memos_added, again.memos_updated, again.memos_present) == (0, 0, 1)
        assert [m.text for m in t.memos()] == ["Målets udgave"]
