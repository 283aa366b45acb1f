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
