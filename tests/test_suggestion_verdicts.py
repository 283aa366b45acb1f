"""Accepting a suggestion never puts a code on an item twice."""

from __future__ import annotations

from qualcode.core.project import Project


def test_accepting_a_code_already_on_a_passage_adds_no_second_coding(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        item = p.items("strategier")[0]
        span = p.add_coding(item.id, "fleksjob", start=0, end=5)
        accepted = p.accept_suggestion(item.id, "fleksjob", source="rule", score=0.8)
        assert accepted.id == span.id
        mine = [c for c in p.codings(item_id=item.id, coder="ida") if c.code == "fleksjob"]
        assert [(c.start, c.end) for c in mine] == [(0, 5)]
        assert ("fleksjob", "accepted") in {(v[1], v[3]) for v in p.verdicts("strategier")}
        # a code not there yet is put on the whole item, once
        whole = p.accept_suggestion(item.id, "andet", source="model", score=0.7)
        again = p.accept_suggestion(item.id, "andet", source="model", score=0.7)
        assert whole.id == again.id and whole.start is None
        assert len([c for c in p.codings(item_id=item.id, coder="ida") if c.code == "andet"]) == 1
