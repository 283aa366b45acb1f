"""The Project as a notebook uses it: a repr that says what it holds, every question's
counts in one tidy frame, respondents × themes as 0/1, crosstab and agreement as methods,
and a chart that shows as a picture."""

from __future__ import annotations

import pandas as pd

from qualcode.core.agreement import agreement
from qualcode.core.crosstab import crosstab
from qualcode.core.project import Project
from qualcode.io.charts import chart_figure


def test_repr_and_html_say_what_the_project_holds(demo_copy, english):
    with Project.open(demo_copy, coder="ida") as p:
        p.set_noun("kommune/kommuner")
        text = repr(p)
        assert text.startswith("<Project demo.qualcode.db: 82 kommuner,") and "coder ida" in text
        html = p._repr_html_()
        assert html.count("<tr>") == len(p.questions()) + 1
        assert "strategier" in html and "&lt;Project" in html  # escaped, never raw markup
    assert "closed" in repr(p)


def test_counts_without_a_question_is_every_question_in_one_frame(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        whole = p.counts()
        one_by_one = [p.counts(q.id) for q in p.questions()]
    assert list(whole["question"].unique()) == [f.attrs["question"] for f in one_by_one]
    pd.testing.assert_frame_equal(whole, pd.concat(one_by_one, ignore_index=True))


def test_coded_frame_is_respondents_by_themes_and_adds_up_to_the_counts(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        first = p.items("strategier")[0]
        p.add_coding(first.id, "andet")  # a second coder: the basis decides
        for question in ("strategier", "interview"):  # interview: children roll up
            for coder in (None, "guld", "ida"):
                frame = p.coded_frame(question, coder=coder)
                counts = p.counts(question, coder=coder).set_index("code")
                assert list(frame.columns) == list(counts.index)
                assert set(frame.to_numpy().ravel()) <= {0, 1}
                assert len(frame) == int(counts["answered"].iloc[0])
                assert frame.sum().to_dict() == counts["respondents"].to_dict(), (question, coder)
        ida = p.coded_frame("strategier", coder="ida")
        assert ida.loc[first.respondent].to_dict() == {
            key: int(key == "andet") for key in ida.columns
        }


def test_crosstab_and_agreement_are_methods(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        for item in p.items("strategier")[:5]:
            p.add_coding(item.id, "andet")
        pd.testing.assert_frame_equal(
            p.crosstab("strategier", "lokalpolitisk_fokus"),
            crosstab(p, "strategier", "lokalpolitisk_fokus"),
        )
        pd.testing.assert_frame_equal(
            p.agreement("strategier", ["guld", "ida"]),
            agreement(p, "strategier", ["guld", "ida"]),
        )


def test_a_chart_shows_as_a_picture_in_a_notebook(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        fig = chart_figure(p.counts("strategier"))
    png = fig._repr_png_()  # what Jupyter's display asks an object for
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
