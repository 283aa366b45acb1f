"""Cross-tabulation: shares per group, the difference in points, Fisher's exact test for two
groups and chi-square otherwise, checked against scipy and by hand; the CLI's formats and
its one-line errors."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from scipy import stats

from helpers import assert_one_line_error, run, snapshot, write_csv
from qualcode.core.crosstab import (
    SMALL_EXPECTED,
    Group,
    crosstab,
    independence_test,
    parse_groups,
)
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.io.fmt import p_value as p_text

HIGH = "høj/meget høj=I høj grad,I meget høj grad"
LOW = "nogen/mindre=I nogen grad,I mindre grad"


# -- the tests of independence ------------------------------------------------------


@pytest.mark.parametrize(
    "mentioned,bases",
    [([9, 6], [22, 13]), ([1, 7], [12, 9]), ([0, 5], [10, 6]), ([14, 3], [15, 20])],
)
def test_two_groups_use_fisher_exact_as_scipy(mentioned, bases):
    result = independence_test(mentioned, bases)
    table = [[mentioned[0], bases[0] - mentioned[0]], [mentioned[1], bases[1] - mentioned[1]]]
    want = stats.fisher_exact(table, alternative="two-sided")
    assert result.test == "fisher"
    assert result.p_value == pytest.approx(want.pvalue, rel=1e-12)
    assert result.statistic == pytest.approx(want.statistic) or (
        math.isinf(want.statistic) and math.isinf(result.statistic)
    )
    assert result.warning == ""  # Fisher's test is exact: no small-count warning


@pytest.mark.parametrize(
    "mentioned,bases",
    [
        ([5, 4, 1, 5], [15, 7, 2, 11]),
        ([20, 10, 30], [40, 35, 50]),
        ([3, 9, 2, 7, 4], [23, 17, 9, 14, 19]),
    ],
)
def test_more_groups_use_chi_square_as_scipy(mentioned, bases):
    result = independence_test(mentioned, bases)
    table = [mentioned, [b - n for n, b in zip(mentioned, bases, strict=True)]]
    chi2, p, _dof, expected = stats.chi2_contingency(table, correction=False)
    assert result.test == "chi2"
    assert result.p_value == pytest.approx(p, rel=1e-12)
    assert result.statistic == pytest.approx(chi2, rel=1e-12)
    assert result.min_expected == pytest.approx(expected.min())
    assert (result.warning == SMALL_EXPECTED) == bool(expected.min() < 5)


def test_hand_computed_fisher():
    # 3 of 3 against 0 of 3: P(table) = C(3,3)·C(3,0)/C(6,3) = 1/20; the mirror table is
    # as extreme, so the two-sided p is 2/20
    result = independence_test([3, 0], [3, 3])
    assert result.p_value == pytest.approx(0.1, abs=1e-12)
    # 2 of 4 against 2 of 4 is as independent as it gets
    assert independence_test([2, 2], [4, 4]).p_value == pytest.approx(1.0)


def test_hand_computed_chi_square():
    # mentioned 4, 0, 2 of 4 each: every expected count is 2, so the statistic is
    # 4 cells × (2²/2) = 8 with 2 degrees of freedom, and p = exp(−8/2) = e⁻⁴
    result = independence_test([4, 0, 2], [4, 4, 4])
    assert result.statistic == pytest.approx(8.0)
    assert result.p_value == pytest.approx(math.exp(-4), rel=1e-12)
    assert result.min_expected == pytest.approx(2.0)
    assert result.warning == SMALL_EXPECTED


def test_nobody_or_everybody_mentioning_gives_no_test():
    for mentioned in ([0, 0, 0], [5, 6, 7]):
        result = independence_test(mentioned, [5, 6, 7])
        assert result.test == "" and result.p_value is None and result.warning


def test_p_text():
    assert p_text(0.04123) == "0,041"
    assert p_text(0.0002) == "< 0,001"
    assert p_text(None) == "–"


# -- groups ---------------------------------------------------------------------------


def test_parse_groups():
    assert parse_groups([HIGH, LOW]) == [
        Group("høj/meget høj", ("I høj grad", "I meget høj grad")),
        Group("nogen/mindre", ("I nogen grad", "I mindre grad")),
    ]
    assert parse_groups([]) is None
    for bad in (["høj"], ["=I høj grad"], ["høj="], ["a=x", "a=y"], ["a=x,y", "b=y"]):
        with pytest.raises(QualcodeError):
            parse_groups(bad)


# -- on the demo ----------------------------------------------------------------------


def _by_hand(p: Project, question: str, code: str, attribute: str, values: set[str]):
    """(mentioning, answered) among jobcentres with the attribute in ``values``, by SQL."""
    marks = ",".join("?" * len(values))
    answered = {
        r[0]
        for r in p.db.execute(
            "SELECT DISTINCT i.respondent_id FROM items i JOIN attributes a ON"
            " a.respondent_id = i.respondent_id AND a.name = ? WHERE i.question_id = ?"
            f" AND i.is_empty = 0 AND a.value IN ({marks})",
            [attribute, question, *values],
        )
    }
    coded = {
        r[0]
        for r in p.db.execute(
            "SELECT DISTINCT i.respondent_id FROM codings c JOIN items i ON i.id = c.item_id"
            " JOIN codes k ON k.id = c.code_id WHERE i.question_id = ? AND k.key = ?",
            [question, code],
        )
    }
    return len(coded & answered), len(answered)


def test_demo_theme_by_lokalpolitisk_fokus(demo_db):
    with Project.open(demo_db) as p:
        frame = crosstab(p, "strategier", "lokalpolitisk_fokus", groups=parse_groups([HIGH, LOW]))
        rows = frame.set_index("code")
        assert frame.attrs["groups"] == ["høj/meget høj", "nogen/mindre"]
        assert (
            sum(frame.attrs["bases"].values())
            + frame.attrs["missing"]
            + sum(frame.attrs["ungrouped"].values())
            == p.answered("strategier")
            == 35
        )
        for code in rows.index:
            n1, b1 = _by_hand(
                p, "strategier", code, "lokalpolitisk_fokus", {"I høj grad", "I meget høj grad"}
            )
            n2, b2 = _by_hand(
                p, "strategier", code, "lokalpolitisk_fokus", {"I nogen grad", "I mindre grad"}
            )
            r = rows.loc[code]
            assert (r["n_høj/meget høj"], r["base_høj/meget høj"]) == (n1, b1)
            assert (r["n_nogen/mindre"], r["base_nogen/mindre"]) == (n2, b2)
            assert r["diff_pp"] == pytest.approx(100 * n1 / b1 - 100 * n2 / b2)
            want = stats.fisher_exact([[n1, b1 - n1], [n2, b2 - n2]]).pvalue
            assert r["test"] == "fisher"
            assert r["p_value"] == pytest.approx(want, rel=1e-12)
            assert r["significant"] == (want < 0.05)
    assert list(frame["label"])[0] == 'Generelt fokus på "borgere på kanten"'


def test_each_value_its_own_group_and_chi_square(demo_db):
    with Project.open(demo_db) as p:
        frame = crosstab(p, "strategier", "region")
        assert frame.attrs["groups"] == sorted(frame.attrs["groups"])
        assert len(frame.attrs["groups"]) == 5
        r = frame.set_index("code").loc["borgere-paa-kanten"]
        ns = [int(r[f"n_{g}"]) for g in frame.attrs["groups"]]
        bases = [int(r[f"base_{g}"]) for g in frame.attrs["groups"]]
        assert sum(bases) == 35
        chi2, pvalue, _, expected = stats.chi2_contingency(
            [ns, [b - n for n, b in zip(ns, bases, strict=True)]], correction=False
        )
        assert r["test"] == "chi2" and r["p_value"] == pytest.approx(pvalue, rel=1e-12)
        assert r["warning_text"] == (SMALL_EXPECTED if expected.min() < 5 else "")
        assert r["diff_pp"] is None or math.isnan(r["diff_pp"])


def test_nested_codes_roll_up_in_interview(demo_db):
    with Project.open(demo_db) as p:
        frame = crosstab(p, "interview", "stoerrelse").set_index("code")
        counts = p.counts("interview").set_index("code")
    groups = [c[2:] for c in frame.columns if c.startswith("n_")]
    for code in ("personlig-assistance", "hjaelpemidler"):
        assert (
            sum(int(frame.loc[code, f"n_{g}"]) for g in groups) == counts.loc[code, "respondents"]
        )


@pytest.fixture
def small(tmp_path):
    """Eight jobcentres: four 'Høj', two 'Lav', one 'Ved ikke', one without a value;
    one of the 'Lav' gave an empty answer."""
    rows = [
        ["id", "svar", "fokus"],
        ["J1", "Vi prioriterer fleksjob.", "Høj"],
        ["J2", "Fleksjob og mere.", "Høj"],
        ["J3", "Fleksjob hele vejen.", "Høj"],
        ["J4", "Noget andet.", "Høj"],
        ["J5", "Ingen plan endnu.", "Lav"],
        ["J6", "  ", "Lav"],
        ["J7", "Fleksjob.", "Ved ikke"],
        ["J8", "Fleksjob, især.", ""],
        ["J9", "Samarbejde på tværs.", "Lav"],
    ]
    path = tmp_path / "små.qualcode.db"
    from qualcode.io.answers import read_answers

    p = Project.open(path, create=True, coder="ane")
    p.import_answers(
        read_answers(
            str(write_csv(tmp_path / "svar.csv", rows)),
            respondent_col="id",
            text_cols=["svar"],
            questions=["strategier"],
            codebooks=["lokalpolitiske-strategier"],
            attr_cols=["fokus"],
        )
    )
    for rid in ("J1", "J2", "J3", "J7", "J8"):
        p.add_coding(p.items("strategier", respondent=rid)[0].id, "fleksjob")
    p.add_coding(p.items("strategier", respondent="J9")[0].id, "fleksjob", coder="bo")
    yield p, path
    p.close()


def test_left_out_jobcentres_are_counted_and_the_numbers_by_hand(small):
    p, _ = small
    frame = crosstab(p, "strategier", "fokus", groups=parse_groups(["høj=Høj", "lav=Lav"]))
    r = frame.set_index("code").loc["fleksjob"]
    # høj: J1-J3 of J1-J4; lav: J9 (coder bo) of J5, J9 (J6's answer is empty)
    assert (r["n_høj"], r["base_høj"], r["n_lav"], r["base_lav"]) == (3, 4, 1, 2)
    assert r["pct_høj"] == 75.0 and r["pct_lav"] == 50.0 and r["diff_pp"] == 25.0
    # P([[3,1],[1,1]]) = C(4,3)C(2,1)/C(6,4) = 8/15, and every table is at most as likely
    assert r["p_value"] == pytest.approx(1.0)
    assert frame.attrs["missing"] == 1 and frame.attrs["ungrouped"] == {"Ved ikke": 1}
    only_ane = (
        crosstab(p, "strategier", "fokus", groups=parse_groups(["høj=Høj", "lav=Lav"]), coder="ane")
        .set_index("code")
        .loc["fleksjob"]
    )
    assert (only_ane["n_høj"], only_ane["n_lav"]) == (3, 0)
    whole = crosstab(p, "strategier", "fokus")
    assert whole.attrs["groups"] == ["Høj", "Lav", "Ved ikke"]
    assert whole.attrs["missing"] == 1 and whole.attrs["ungrouped"] == {}


def test_a_group_nobody_in_answered_is_left_out_and_named(small):
    p, _ = small
    # J6, the only 'Tom', gave an empty answer
    p.db.execute("UPDATE attributes SET value = 'Tom' WHERE respondent_id = 'J6'")
    frame = crosstab(
        p, "strategier", "fokus", groups=parse_groups(["høj=Høj", "lav=Lav", "tom=Tom"])
    )
    assert frame.attrs["groups"] == ["høj", "lav"] and frame.attrs["empty_groups"] == ["tom"]
    from qualcode.io.crosstab import notes

    assert any("grupper uden svar: tom" in line for line in notes(frame))
    with pytest.raises(QualcodeError, match="færre end to grupper"):
        crosstab(p, "strategier", "fokus", groups=parse_groups(["høj=Høj", "tom=Tom"]))


# -- the CLI --------------------------------------------------------------------------


def test_cli_table_has_p_values_and_the_notes(demo_db):
    result = run(
        "crosstab",
        demo_db,
        "--question",
        "strategier",
        "--by",
        "lokalpolitisk_fokus",
        "--group",
        HIGH,
        "--group",
        LOW,
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "høj/meget høj" in lines[1] and "Forskel" in lines[1] and "p" in lines[1]
    first = next(line for line in lines if line.startswith("Generelt fokus"))
    assert "9 af 22 (40,9 %)" in first and "6 af 13 (46,2 %)" in first
    assert "−5,2 pp" in first and "Fisher" in first
    assert "Fishers eksakte test" in result.stdout


def test_cli_csv_json_md_and_xlsx_agree_with_core(demo_db, tmp_path):
    from openpyxl import load_workbook

    with Project.open(demo_db) as p:
        frame = crosstab(
            p, "strategier", "lokalpolitisk_fokus", groups=parse_groups([HIGH, LOW])
        ).set_index("code")
    args = [
        "crosstab",
        demo_db,
        "--question",
        "strategier",
        "--by",
        "lokalpolitisk_fokus",
        "--group",
        HIGH,
        "--group",
        LOW,
    ]
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert len(rows) == 7
    for row in rows:
        want = frame.loc[row["code"]]
        assert int(row["n_høj/meget høj"]) == want["n_høj/meget høj"]
        assert int(row["base_nogen/mindre"]) == want["base_nogen/mindre"]
        assert float(row["p_value"]) == pytest.approx(want["p_value"], rel=1e-12)
        assert row["test"] == "fisher" and row["significant"] in ("true", "false")
    doc = json.loads(run(*args, "--format", "json").stdout)
    assert doc["bases"] == {"høj/meget høj": 22, "nogen/mindre": 13}
    assert doc["codes"][0]["p_value"] == pytest.approx(frame.iloc[0]["p_value"])
    md = run(*args, "--format", "md").stdout
    assert "| Tema | høj/meget høj | nogen/mindre | Forskel | Test | p | Signifikant |" in md
    out = tmp_path / "kryds.xlsx"
    assert run(*args, "-o", out).exit_code == 0
    ws = load_workbook(out).active
    assert ws["A3"].value == 'Generelt fokus på "borgere på kanten"'
    assert (ws["B3"].value, ws["C3"].value, ws["D3"].value) == (9, 22, 40.9)
    assert ws["H3"].value == -5.2 and ws["I3"].value == "Fisher"
    assert ws["J3"].value == pytest.approx(frame.iloc[0]["p_value"])
    assert isinstance(ws["B3"].value, int)
    assert ws.column_dimensions["A"].width >= 40


def test_cli_warns_about_small_expected_counts(demo_db):
    result = run("crosstab", demo_db, "--question", "strategier", "--by", "region")
    assert result.exit_code == 0
    assert "forventet værdi under 5" in result.stderr
    assert "chi²*" in result.stdout and "* Advarsel" in result.stdout


@pytest.mark.parametrize(
    "extra,needles",
    [
        (["--by", "farve"], ["no respondent has the attribute 'farve'", "lokalpolitisk_fokus"]),
        (["--by", "region", "--group", "syd"], ["--group 'syd'", "NAME=VALUE"]),
        (["--by", "region", "--group", "a=Fyn"], ["--group 'a'", "region = 'Fyn'", "Sjælland"]),
        (
            ["--by", "region", "--group", "a=Sjælland", "--group", "b=Sjælland"],
            ["'Sjælland' is in both"],
        ),
        (["--by", "region", "--alpha", "1.5"], ["--alpha"]),
        (["--by", "region", "--group", "a=Sjælland"], ["fewer than two groups"]),
    ],
)
def test_cli_bad_input_is_one_line(demo_copy, extra, needles, english):
    before = snapshot(demo_copy)
    result = run("crosstab", demo_copy, "--question", "strategier", *extra)
    assert_one_line_error(result, *needles)
    assert snapshot(demo_copy) == before


def test_cli_unknown_question_and_existing_output(demo_db, tmp_path):
    assert_one_line_error(
        run("crosstab", demo_db, "--question", "nej", "--by", "region"), "intet spørgsmål 'nej'"
    )
    out = tmp_path / "k.csv"
    out.write_text("mine", encoding="utf-8")
    assert_one_line_error(
        run("crosstab", demo_db, "--question", "strategier", "--by", "region", "-o", out),
        "findes allerede",
    )
    assert out.read_text(encoding="utf-8") == "mine"


def test_the_plain_table_is_the_frame(demo_db):
    """The workbench's crosstab without pandas holds what the frame holds: the same rows
    (None where the frame has NaN or NA) and the same attrs, so F7 shows what
    `qualcode crosstab` prints."""
    from qualcode.core.crosstab import cross_table
    from qualcode.io.crosstab import display_rows, notes, records

    with Project.open(demo_db) as p:
        for attribute, groups in (
            ("lokalpolitisk_fokus", None),
            ("lokalpolitisk_fokus", ["a=I høj grad,I meget høj grad", "b=I nogen grad"]),
            ("stoerrelse", None),
        ):
            parsed = parse_groups(groups or [])
            table = cross_table(p, "strategier", attribute, groups=parsed)
            frame = crosstab(p, "strategier", attribute, groups=parsed)
            assert records(table) == records(frame)
            assert table.attrs == frame.attrs
            assert display_rows(table) == display_rows(frame)
            assert notes(table) == notes(frame)
            assert table.frame().equals(frame)
