"""Counts: the demo's gold codings reproduce every row of the report's Tabel 1-3, and the
arithmetic (distinct jobcentres, empty answers, nesting, coders) is right."""

from __future__ import annotations

import pytest

from qualcode.core.counts import verbal_scale
from qualcode.core.project import Project
from qualcode.io.export import counts_markdown
from test_codebook import report_table


@pytest.mark.parametrize(
    "number,question",
    [(1, "strategier"), (2, "udfordringer-fysiske"), (3, "udfordringer-psykiske")],
)
def test_demo_reproduces_report_table(demo_db, number, question):
    with Project.open(demo_db) as p:
        frame = p.counts(question)
    got = [(r.label, r.definition, r.respondents, r.answered) for r in frame.itertuples()]
    want = [(label, essence, n, base) for label, essence, n, base in report_table(number)]
    assert got == want
    first = frame.iloc[0]
    if number == 1:
        assert first["label"] == 'Generelt fokus på "borgere på kanten"'
        assert "| Anført af 15 ud af 35 jobcentre | 43 % |" in counts_markdown([frame])
        assert first["percent"] == pytest.approx(42.9)


def test_counts_columns_and_published_figures(demo_db):
    with Project.open(demo_db) as p:
        frame = p.counts("udfordringer-psykiske")
    for col in ("question", "code", "label", "respondents", "answered", "percent"):
        assert col in frame.columns
    assert (frame["respondents"] == frame["published"]).all()
    assert frame.iloc[-1]["label"] == "Andet"


def test_two_mentions_by_one_jobcentre_count_once(project):
    it = project.items("strategier", respondent="JC04")[0]
    project.add_coding(it.id, "fleksjob")
    project.add_coding(it.id, "fleksjob", start=0, end=8)
    project.add_coding(it.id, "fleksjob", coder="anden")
    frame = project.counts("strategier").set_index("code")
    assert frame.loc["fleksjob", "respondents"] == 1
    assert frame.loc["fleksjob", "answered"] == 3, "the blank answer is not in the denominator"
    only_other = project.counts("strategier", coder="anden").set_index("code")
    assert only_other.loc["fleksjob", "respondents"] == 1
    assert (
        project.counts("strategier", coder="ingen").set_index("code").loc["fleksjob", "respondents"]
        == 0
    )


def test_parent_counts_children_once(demo_db):
    with Project.open(demo_db) as p:
        frame = p.counts("interview").set_index("code")
        # recompute the parent's distinct jobcentres by hand
        book = p.codebook("interview")
        keys = {"personlig-assistance"} | {c.key for c in book.descendants("personlig-assistance")}
        by_hand = {
            c_item.respondent
            for c in p.codings(question="interview")
            if c.code in keys
            for c_item in [p.item(c.item_id)]
        }
    assert frame.loc["personlig-assistance", "respondents"] == len(by_hand)
    assert (
        frame.loc["personlig-assistance", "respondents"] >= frame.loc["pa-arbejde", "respondents"]
    )
    assert frame.loc["pa-arbejde", "depth"] == 2
    assert frame.loc["hjaelpemidler", "scale"] == verbal_scale(
        int(frame.loc["hjaelpemidler", "respondents"])
    )
    assert frame["answered"].iloc[0] == 15


@pytest.mark.parametrize(
    "n,word",
    [
        (0, "ingen"),
        (1, "enkelte"),
        (3, "enkelte"),
        (4, "flere"),
        (8, "flere"),
        (9, "de fleste"),
        (15, "de fleste"),
    ],
)
def test_verbal_scale_follows_section_4_2(n, word):
    assert verbal_scale(n) == word


def test_no_answers_gives_no_percent(project_path, tmp_path):
    from helpers import write_csv
    from qualcode.io.answers import read_answers

    path = write_csv(tmp_path / "tom.csv", [["id", "svar"], ["A", ""], ["B", " "]])
    with Project.open(project_path, create=True) as p:
        p.import_answers(
            read_answers(
                str(path),
                respondent_col="id",
                text_cols=["svar"],
                questions=["q"],
                codebooks=["udfordringer-fysiske"],
            )
        )
        frame = p.counts("q")
    assert (frame["answered"] == 0).all()
    assert frame["percent"].isna().all()
