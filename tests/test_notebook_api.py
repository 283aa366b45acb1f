"""The Project as a notebook uses it: a repr that says what it holds, every question's
counts in one tidy frame, respondents × themes as 0/1, crosstab, agreement and the theme
matrix as methods, frames of numbers (no display text), and a chart that shows as a
picture."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from helpers import run
from qualcode.core.agreement import agreement
from qualcode.core.crosstab import Group, crosstab
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.io.charts import chart_figure
from qualcode.io.matrix import CSV_COLUMNS as MATRIX_CSV_COLUMNS


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


# -- the theme matrix: as `qualcode matrix --format csv` counts it ------------------------

HIGH_LOW = ["høj=I høj grad,I meget høj grad", "lav=I nogen grad,I mindre grad"]
ACTORS = "samarbejde-lokale-virksomheder,samarbejde-satspulje,samarbejde-patientforeninger"
MATRICES = [
    ({"question": "strategier", "by": "lokalpolitisk_fokus"}, []),
    ({"question": "strategier", "by": "lokalpolitisk_fokus", "groups": HIGH_LOW}, []),
    ({"question": "interview", "by": "stoerrelse", "top": 2}, ["--top", "2"]),
    ({"questions": ACTORS.split(","), "top": 2}, ["--top", "2"]),
    ({"question": "strategier", "by": "region", "coder": "guld"}, ["--coder", "guld"]),
]


def cli_args(spec: dict, extra: list[str]) -> list[str]:
    if "questions" in spec:
        return ["--questions", ",".join(spec["questions"]), *extra]
    args = ["--question", spec["question"], "--by", spec["by"], *extra]
    for g in spec.get("groups", []):
        args += ["--group", g]
    return args


@pytest.mark.parametrize("spec,extra", MATRICES)
def test_matrix_is_the_cli_csv_as_a_frame(demo_db, spec, extra):
    with Project.open(demo_db, readonly=True) as p:
        frame = p.matrix(**spec)
    result = run("matrix", demo_db, *cli_args(spec, extra), "--format", "csv")
    assert result.exit_code == 0, result.output
    want = list(csv.reader(io.StringIO(result.stdout)))
    got = [MATRIX_CSV_COLUMNS] + [
        ["" if pd.isna(v) else str(v) for v in row]
        for row in frame[MATRIX_CSV_COLUMNS].itertuples(index=False)
    ]
    assert len(got) > 2
    assert got == want  # the same numbers, percent to one decimal, in the same order


def test_matrix_takes_groups_and_questions_as_a_notebook_writes_them(demo_db, english):
    with Project.open(demo_db, readonly=True) as p:
        by_spec = p.matrix("strategier", "lokalpolitisk_fokus", groups=HIGH_LOW)
        named = {
            "høj": ["I høj grad", "I meget høj grad"],
            "lav": ["I nogen grad", "I mindre grad"],
        }
        by_dict = p.matrix("strategier", "lokalpolitisk_fokus", groups=named)
        by_group = p.matrix(
            "strategier",
            "lokalpolitisk_fokus",
            groups=[Group(name, tuple(values)) for name, values in named.items()],
        )
        pd.testing.assert_frame_equal(by_spec, by_dict)
        pd.testing.assert_frame_equal(by_spec, by_group)
        assert by_spec.attrs["groups"] == ["høj", "lav"]
        actors = {"Lokale virksomheder": "samarbejde-lokale-virksomheder"}
        actors["Satspulje"] = "samarbejde-satspulje"
        frame = p.matrix(questions=actors, top=1)
        assert list(dict.fromkeys(frame["group"])) == list(actors)
        assert set(frame["question"]) == set(actors.values())
        with pytest.raises(QualcodeError, match="given twice"):
            p.matrix("strategier", "lokalpolitisk_fokus", groups=["a=I høj grad", "a=Ved ikke"])
        with pytest.raises(QualcodeError, match="name and its values"):
            p.matrix("strategier", "lokalpolitisk_fokus", groups={"tom": []})
        with pytest.raises(QualcodeError, match="either --questions or --question"):
            p.matrix("strategier", "lokalpolitisk_fokus", questions=["strategier"])


def test_the_matrix_rounds_the_exact_share_once(demo_db):
    """percent is the core's exact share rounded to one decimal, halves away from zero,
    as the CSV rounds it; the core's own frame, which the renderers format, stays exact."""
    from qualcode.core.matrix import theme_matrix
    from qualcode.core.numbers import round_half_up

    with Project.open(demo_db, readonly=True) as p:
        exact = theme_matrix(p, question="strategier", by="lokalpolitisk_fokus")
        rounded = p.matrix("strategier", "lokalpolitisk_fokus")
    assert (exact["percent"] != rounded["percent"]).any()  # 4 of 7 is 57.142…, not 57.1
    assert rounded["percent"].tolist() == [round_half_up(v, 1) for v in exact["percent"]]


# -- frames of numbers: display text stays in the renderers ----------------------------

# the text columns a frame may have: names, keys and categories, never a number in words
TEXT_COLUMNS = {
    "question", "code", "label", "group", "definition", "parent", "color", "scale", "test",
    "kind",
}  # fmt: skip
# what display text looks like: "15 af 35", "Anført af …", "42,9 %", "Rapporten 2018: …"
DISPLAY = re.compile(r"\d+ (ud )?af \d+|\d %|^(Anført|Nævnt) af|Rapporten")


def assert_frame_of_numbers(frame: pd.DataFrame, what: str) -> None:
    """Every column is a number (or a yes/no), or text that is a name, key or category;
    a column of text for display is named ``…_text``."""
    assert len(frame), what
    for col in frame.columns:
        if str(col).endswith("_text"):
            continue
        dtype = frame[col].dtype
        if col in TEXT_COLUMNS:
            assert not pd.api.types.is_numeric_dtype(dtype), (what, col, dtype)
            shown = [v for v in frame[col].dropna() if DISPLAY.search(str(v))]
            assert not shown, (what, col, shown[:3])
        else:
            assert pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype), (
                what,
                col,
                dtype,
            )


def test_every_notebook_frame_holds_numbers_and_names_its_display_text(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        for item in p.items("strategier")[:12]:  # a second coder, who never uses most codes
            p.add_coding(item.id, "andet") if item.id % 2 else p.mark_no_theme(item.id)
        p.add_coding(p.items("strategier")[13].id, "fleksjob", coder="bo")
        frames = {
            "counts()": p.counts(),
            "counts(interview)": p.counts("interview"),
            "coded_frame": p.coded_frame("strategier"),
            "crosstab, two groups": p.crosstab(
                "strategier",
                "lokalpolitisk_fokus",
                groups=[
                    Group("høj", ("I høj grad", "I meget høj grad")),
                    Group("lav", ("I nogen grad", "I mindre grad")),
                ],
            ),
            "crosstab, four groups": p.crosstab("strategier", "lokalpolitisk_fokus"),
            "agreement, two coders": p.agreement("strategier", ["guld", "ida"]),
            "agreement, three coders": p.agreement("strategier", ["guld", "ida", "bo"]),
            "matrix": p.matrix("strategier", "lokalpolitisk_fokus"),
            "matrix, top": p.matrix(questions=ACTORS.split(","), top=2),
        }
    for what, frame in frames.items():
        assert_frame_of_numbers(frame, what)
    assert "mentioned" not in frames["counts()"].columns
    assert "mentioned" not in frames["matrix"].columns
    # a value that does not apply is missing, and the column stays a number
    assert frames["counts(interview)"]["published_percent"].isna().all()
    assert frames["crosstab, four groups"]["diff_pp"].isna().all()
    three = frames["agreement, three coders"].set_index("code")
    assert three["cohen_kappa"].isna().all()  # Cohen's kappa is for two coders
    assert three.loc["_macro", "applied"] is pd.NA
    assert "warning_text" in frames["crosstab, four groups"].columns
