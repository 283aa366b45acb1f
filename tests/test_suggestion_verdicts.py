"""Accepting a suggestion never puts a code on an item twice; accepting and rejecting are
undone and redone like codings (one step each, from the event log, after a restart too)."""

from __future__ import annotations

import pytest

from qualcode.core.project import Project
from qualcode.errors import QualcodeError


def test_accepting_a_code_already_on_a_passage_adds_no_second_coding(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        span = p.add_coding(item.id, "fleksjob", start=0, end=5)
        accepted = p.accept_suggestion(item.id, "fleksjob", source="rule", score=0.8)
        assert accepted.id == span.id
        mine = [c for c in p.codings(item_id=item.id, coder="ida") if c.code == "fleksjob"]
        assert [(c.start, c.end) for c in mine] == [(0, 5)]
        assert ("fleksjob", "accepted") not in {(v[1], v[3]) for v in p.verdicts("strategier")}
        # a code not there yet is put on the whole item, once
        whole = p.accept_suggestion(item.id, "andet", source="model", score=0.7)
        again = p.accept_suggestion(item.id, "andet", source="model", score=0.7)
        assert whole.id == again.id and whole.start is None
        assert len([c for c in p.codings(item_id=item.id, coder="ida") if c.code == "andet"]) == 1


def _verdicts(p: Project, item_id: int) -> list[tuple[str, str]]:
    return [(v[1], v[3]) for v in p.verdicts("strategier", coder="ida") if v[0] == item_id]


def _codes(p: Project, item_id: int) -> list[str]:
    return [c.code for c in p.codings(item_id=item_id, coder="ida")]


def test_accepting_a_code_already_there_changes_nothing_at_all(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        p.add_coding(item.id, "fleksjob", start=0, end=5)
        before = p.snapshot()
        events = len(p.events())
        p.accept_suggestion(item.id, "fleksjob", source="rule", score=0.8)
        assert p.snapshot() == before
        assert len(p.events()) == events
        assert _verdicts(p, item.id) == []


def test_a_rejection_is_undone_and_redone_like_a_coding(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        first, second = p.items("strategier")[:2]
        p.add_coding(first.id, "andet")
        p.reject_suggestion(second.id, "fleksjob", source="model", score=0.6)
        assert _verdicts(p, second.id) == [("fleksjob", "rejected")]
        assert p.next_undo()["item_id"] == second.id
        change = p.undo()
        assert change is not None and change.item_id == second.id
        assert "afvisning af forslaget" in change.text
        assert _verdicts(p, second.id) == []
        assert _codes(p, first.id) == ["andet"]  # the older coding on another item stays
        p.redo()
        assert _verdicts(p, second.id) == [("fleksjob", "rejected")]
        assert _codes(p, first.id) == ["andet"]
    # the history is in the file: undo works after a restart
    with Project.open(demo_copy, coder="ida") as p:
        p.undo()
        assert _verdicts(p, second.id) == []
        p.undo()
        assert _codes(p, first.id) == []


def test_undoing_an_accepted_suggestion_takes_coding_and_verdict_back_in_one_step(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        p.mark_no_theme(item.id)
        p.accept_suggestion(item.id, "fleksjob", source="rule", score=0.8)
        assert _codes(p, item.id) == ["fleksjob"]
        assert p.no_theme_marks(item.id) == set()
        assert _verdicts(p, item.id) == [("fleksjob", "accepted")]
        p.undo()
        assert _codes(p, item.id) == []
        assert _verdicts(p, item.id) == []
        assert "ida" in p.no_theme_marks(item.id)  # the 'no theme' mark it took is back
        p.redo()
        assert _codes(p, item.id) == ["fleksjob"]
        assert _verdicts(p, item.id) == [("fleksjob", "accepted")]
        assert [c.origin for c in p.codings(item_id=item.id, coder="ida")] == ["rule"]


def test_undoing_a_rejection_puts_the_earlier_verdict_back(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        p.reject_suggestion(item.id, "fleksjob", source="rule", score=0.5)
        p.reject_suggestion(item.id, "fleksjob", source="model", score=0.9)
        p.undo()
        assert [(v[1], v[3], v[4]) for v in p.verdicts("strategier", coder="ida")] == [
            ("fleksjob", "rejected", "rule")
        ]


def test_a_suggestion_on_an_empty_answer_is_refused_and_nothing_changes(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        empty = next(i for i in p.items("strategier", include_empty=True) if i.is_empty)
        before = p.snapshot()
        with pytest.raises(QualcodeError, match="tomt svar"):
            p.accept_suggestion(empty.id, "fleksjob", source="rule", score=0.8)
        assert p.snapshot() == before
        assert not p.can_undo()


def test_a_verdict_logged_by_an_older_qualcode_is_passed_over_by_undo(demo_copy):
    """Before verdicts could be undone their events said too little to undo them: undo
    goes past them, to the coding before (as it did then)."""
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        p.add_coding(item.id, "andet")
        with p.transaction():
            p.log("suggestion.reject", item_id=item.id, code="fleksjob", coder="ida")
        assert p.next_undo()["action"] == "coding.add"
        p.undo()
        assert _codes(p, item.id) == []
