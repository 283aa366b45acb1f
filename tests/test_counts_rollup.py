"""Counts are computed in SQL (children rolled up into their ancestors there); these tests
hold them against a plain Python recount from the public API: every coding of the question,
its item, and the parent chain of its code."""

from __future__ import annotations

import csv
import io
import random

import pytest

from helpers import run
from qualcode.core.project import Project


def by_hand(p: Project, qid: str, coder: str | None = None) -> dict[str, int]:
    """Distinct respondents per code, walking each coding up its code's parent chain."""
    book = p.codebook(qid)
    parent = {c.key: c.parent for c in book}
    seen: dict[str, set[str]] = {c.key: set() for c in book}
    for coding in p.codings(question=qid):
        if coder is not None and coding.coder != coder:
            continue
        item = p.item(coding.item_id)
        if item.is_empty:
            continue
        key: str | None = coding.code
        while key is not None:
            seen[key].add(item.respondent)
            key = parent[key]
    return {key: len(members) for key, members in seen.items()}


def frame_counts(p: Project, qid: str, coder: str | None = None) -> dict[str, int]:
    frame = p.counts(qid, coder=coder)
    return dict(zip(frame["code"], (int(n) for n in frame["respondents"]), strict=True))


def cli_counts(path, qid: str, coder: str | None = None) -> dict[str, int]:
    args = ["counts", path, "--question", qid, "--format", "csv"]
    result = run(*args, *(["--coder", coder] if coder else []))
    assert result.exit_code == 0, result.output
    return {
        row["code"]: int(row["respondents"]) for row in csv.DictReader(io.StringIO(result.stdout))
    }


CODERS = ("anne", "bø", "guld")


def test_sql_rollup_matches_python_on_a_deep_tree_and_several_coders(demo_copy):
    qid = "interview"
    with Project.open(demo_copy) as p:
        # two more levels under ordninger > personlig-assistance > pa-arbejde
        p.add_code("interviewtemaer", "Assistance på deltid", key="pa-deltid", parent="pa-arbejde")
        p.add_code(
            "interviewtemaer", "Deltid i små virksomheder", key="pa-deltid-små", parent="pa-deltid"
        )
        book = p.codebook(qid)
        assert book.depth("pa-deltid-små") == 4
        keys = book.keys()
        deep = [
            "ordninger",
            "personlig-assistance",
            "pa-arbejde",
            "pa-deltid",
            "pa-deltid-små",
            "pa-uddannelse",
        ]
        rng = random.Random(20261122)
        items = p.items(qid, include_interviewer=True)
        for item in items:
            for _ in range(rng.choice((0, 0, 0, 0, 0, 1, 1, 2))):
                key = rng.choice(deep if rng.random() < 0.6 else keys)
                span = (None, None)
                if len(item.text) > 4 and rng.random() < 0.3:
                    span = (0, rng.randint(1, len(item.text)))
                p.add_coding(item.id, key, coder=rng.choice(CODERS), start=span[0], end=span[1])
        # codings on an answer that has since become empty are not counted
        gone = next(i for i in items if p.codings(item_id=i.id))
        with p.transaction():
            p.db.execute("UPDATE items SET is_empty = 1 WHERE id = ?", [gone.id])

        for coder in (None, *CODERS, "ingen"):
            want = by_hand(p, qid, coder)
            assert p.respondent_counts(qid, coder=coder) == want, coder
            assert frame_counts(p, qid, coder) == want, coder
        everyone = by_hand(p, qid)
        # the recount is not trivially equal to anything simpler
        assert everyone["pa-deltid-små"] > 0 and everyone["ordninger"] > everyone["pa-arbejde"]
        assert everyone["ordninger"] < sum(everyone[c.key] for c in book.children("ordninger"))
        assert by_hand(p, qid, "anne") != by_hand(p, qid, "bø")
    assert cli_counts(demo_copy, qid) == everyone
    with Project.open(demo_copy) as p:
        assert cli_counts(demo_copy, qid, "bø") == by_hand(p, qid, "bø")


def test_a_jobcentre_coded_with_a_child_and_its_parent_counts_once(project, project_path):
    p = project
    p.add_code("lokalpolitiske-strategier", "Samarbejde", key="samarbejde")
    p.add_code(
        "lokalpolitiske-strategier",
        "Samarbejde med virksomheder",
        key="virksomheder",
        parent="samarbejde",
    )
    p.add_code(
        "lokalpolitiske-strategier", "Små virksomheder på Ærø", key="smaa", parent="virksomheder"
    )

    def item(rid: str) -> int:
        return p.items("strategier", respondent=rid)[0].id

    p.add_coding(item("JC04"), "samarbejde")
    p.add_coding(item("JC04"), "virksomheder")
    p.add_coding(item("JC04"), "virksomheder", start=0, end=5)
    p.add_coding(item("JC02"), "samarbejde")
    p.add_coding(item("JC01"), "smaa", coder="anden")
    p.add_coding(item("JC01"), "virksomheder", coder="anden")

    want = {
        None: {"samarbejde": 3, "virksomheder": 2, "smaa": 1},
        "testkoder": {"samarbejde": 2, "virksomheder": 1, "smaa": 0},
        "anden": {"samarbejde": 1, "virksomheder": 1, "smaa": 1},
        "ingen": {"samarbejde": 0, "virksomheder": 0, "smaa": 0},
    }
    for coder, expected in want.items():
        live = p.respondent_counts("strategier", coder=coder)
        assert {k: live[k] for k in expected} == expected, coder
        assert live == by_hand(p, "strategier", coder) == frame_counts(p, "strategier", coder)
    frame = p.counts("strategier").set_index("code")
    assert tuple(frame.loc["samarbejde", ["respondents", "answered"]]) == (3, 3)
    assert frame.loc["smaa", "depth"] == 2


@pytest.mark.parametrize("coder", [None, "guld", "anne", "ingen"])
def test_flat_codebook_shared_by_two_waves_counts_each_question_alone(demo_copy, coder):
    with Project.open(demo_copy) as p:
        assert p.codebook("strategier").stem == p.codebook("strategier-2017").stem
        assert not any(c.parent for c in p.codebook("strategier"))
        rng = random.Random(5)
        for item in p.items("strategier-2017")[:10]:
            p.add_coding(item.id, rng.choice(p.codebook("strategier").keys()), coder="anne")
        for qid in ("strategier", "strategier-2017"):
            want = by_hand(p, qid, coder)
            assert p.respondent_counts(qid, coder=coder) == want, qid
            assert frame_counts(p, qid, coder) == want, qid
        if coder is None:  # the report's figures are untouched by the 2017 codings
            assert by_hand(p, "strategier")["fleksjob"] == 5


def test_progress_counts_items_with_any_coding(demo_copy):
    with Project.open(demo_copy) as p:
        items = p.items("strategier")
        p.add_coding(items[0].id, "fleksjob", coder="anne")
        p.add_coding(items[1].id, "andet", coder="anne")
        p.add_coding(items[1].id, "fleksjob", coder="anne", start=0, end=3)
        for coder in (None, "anne", "guld", "ingen"):
            coded = {
                c.item_id
                for c in p.codings(question="strategier")
                if coder is None or c.coder == coder
            }
            assert p.progress("strategier", coder=coder) == (len(coded), len(items)), coder
        assert p.progress("strategier", coder="anne")[0] == 2


TRANSCRIPTS = """# JC07 Jobcenter Ådalen

**Interviewer:** Hvordan samarbejder I med virksomhederne?

**Arbejdsmarkedschef:** Vi har faste virksomhedskonsulenter.

**Interviewer**: Og jobformidlingen?

__Teamleder__: Den går gennem de samme konsulenter, også på Ærø.

# JC12 – Jobcenter Vesterå

Interviewer: Hvad med opkvalificering?
**Arbejdsmarkedschef:** Det har vi meget af.
"""


@pytest.mark.parametrize("coder", [None, "anne", "bø"])
def test_flat_interview_counts_jobcentres_not_excerpts(tmp_path, coder):
    from qualcode.core.codebook import load_codebook
    from qualcode.io.interviews import read_interviews

    path = tmp_path / "interviews.md"
    path.write_text(TRANSCRIPTS, encoding="utf-8")
    with Project.open(tmp_path / "p.db", create=True) as p:
        transcripts, digest = read_interviews([path])
        p.import_interviews(
            transcripts,
            question="samtaler",
            codebook=load_codebook("eksterne-aktoerer"),
            file=str(path),
            sha256=digest,
        )
        jc07 = p.items("samtaler", respondent="JC07")
        jc12 = p.items("samtaler", respondent="JC12")
        assert len(jc07) == 2 and len(jc12) == 1
        first = p.codebook("samtaler").keys()[0]
        for item in jc07:  # two excerpts of one jobcentre, two coders
            p.add_coding(item.id, first, coder="anne")
            p.add_coding(item.id, first, coder="bø")
        p.add_coding(jc12[0].id, first, coder="bø")
        want = by_hand(p, "samtaler", coder)
        assert want[first] == {None: 2, "anne": 1, "bø": 2}[coder]
        assert p.respondent_counts("samtaler", coder=coder) == want
        assert frame_counts(p, "samtaler", coder) == want
        assert p.counts("samtaler")["answered"].iloc[0] == 2
