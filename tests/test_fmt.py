"""Danish numbers (io.fmt) and the plain-text table writer (io.table)."""

import math

import pytest

from qualcode.io.fmt import (
    MISSING,
    integer,
    is_missing,
    number,
    p_value,
    percent,
    points,
    share,
)
from qualcode.io.table import Column, clip, display_width, pad, table_lines


def test_numbers_have_a_decimal_comma():
    assert number(3.14159) == "3,1"
    assert number(0.8141, 3) == "0,814"
    assert percent(42.857) == "42,9 %"
    assert percent(42.857, 0) == "43 %"
    assert integer(12345) == "12.345"
    assert share(15, 35, 42.857) == "15 af 35 (42,9 %)"


def test_points_are_signed_with_a_minus_sign():
    assert points(2.857) == "+2,9 pp"
    assert points(-1.04) == "−1,0 pp"
    assert points(0.04) == "±0,0 pp"
    assert points(-0.04) == "±0,0 pp"
    assert points(10.8, "") == "+10,8"


def test_p_values():
    assert p_value(0.04123) == "0,041"
    assert p_value(0.001) == "0,001"
    assert p_value(0.0002) == "< 0,001"


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
def test_a_missing_value_is_one_en_dash_everywhere(missing):
    assert MISSING == "\u2013"
    for text in (
        number(missing),
        percent(missing),
        points(missing),
        p_value(missing),
        integer(missing),
        share(missing, 10, missing),
    ):
        assert text == MISSING


def test_pandas_and_numpy_missing_values():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    assert is_missing(pd.NA) and is_missing(np.nan) and is_missing(pd.NaT)
    assert not is_missing(np.float64(1.5)) and not is_missing("") and not is_missing(0)
    assert percent(pd.array([None], dtype="Float64")[0]) == MISSING
    assert percent(np.float64(42.857)) == "42,9 %"
    assert share(None, 10, 1.0) == MISSING
    assert share(3, 10, None) == f"3 af 10 ({MISSING})"


def test_table_aligns_by_display_width():
    lines = table_lines(
        [Column("Tema"), Column("Andel", right=True)],
        [["Fleksjob", "42,9 %"], ["漢字", "8,6 %"]],
    )
    assert lines == [
        "Tema       Andel",
        "----------------",
        "Fleksjob  42,9 %",
        "漢字       8,6 %",
    ]
    assert {display_width(line) for line in lines} == {16}


def test_table_cells_are_one_line_with_symbols():
    lines = table_lines([Column("A"), Column("B")], [["x\x1b]0;t\x07\ny", "a\tb"]])
    assert lines[2] == "x␛]0;t␇⏎y  a b"
    assert all(ch.isprintable() for line in lines for ch in line)


def test_a_long_cell_is_clipped_and_a_rule_can_stand_above_a_row():
    lines = table_lines(
        [Column("Kode", max_width=6), Column("N", right=True)],
        [["Fleksjob", "3"], ["Samlet", "9"]],
        rule_before=[1],
    )
    assert lines == ["Kode    N", "---------", "Fleks…  3", "---------", "Samlet  9"]


def test_clip_and_pad_count_wide_characters_as_two():
    assert clip("漢字漢字", 5) == "漢字…"
    assert display_width(clip("漢字漢字", 5)) == 5
    assert clip("kort", 10) == "kort"
    assert pad("漢", 4) == "漢  " and pad("7", 3, right=True) == "  7"


def test_waves_and_counts_tables_show_a_missing_value_as_an_en_dash():
    pd = pytest.importorskip("pandas")
    from qualcode.io.export import render_counts
    from qualcode.io.waves import render_comparison

    frame = pd.DataFrame(
        [
            {"code": "a", "label": "Alfa", "n_2017": 3, "base_2017": 10, "pct_2017": 30.0}
            | {"n_2018": 5, "base_2018": 20, "pct_2018": 25.0, "change_pp": -5.0},
            {"code": "b", "label": "Ny", "n_2017": None, "base_2017": 10, "pct_2017": None}
            | {"n_2018": 2, "base_2018": 20, "pct_2018": 10.0, "change_pp": None},
        ]
    )
    for w in ("2017", "2018"):
        for col, dtype in (("n", "Int64"), ("base", "Int64"), ("pct", "Float64")):
            frame[f"{col}_{w}"] = frame[f"{col}_{w}"].astype(dtype)
    frame["change_pp"] = frame["change_pp"].astype("Float64")
    frame.attrs.update(waves=["2017", "2018"], series="s", question="s", title="T", coder="")
    frame.attrs["questions"] = {"2017": "s-2017", "2018": "s"}
    table = [
        " ".join(line.split()) for line in render_comparison([frame], "table").decode().splitlines()
    ]
    assert table[-2] == "Alfa 3 af 10 (30,0 %) 5 af 20 (25,0 %) −5,0 pp"
    assert table[-1] == "Ny – 2 af 20 (10,0 %) –"
    assert (
        "| Ny | – | Anført af 2 ud af 20 (10,0 %) | – |"
        in render_comparison([frame], "md").decode()
    )
    assert "s,s,b,Ny,,10,,2,20,10.0,\n" in render_comparison([frame], "csv").decode()

    nobody = pd.DataFrame(
        [
            {"question": "q", "code": "a", "label": "Alfa", "respondents": 0, "answered": 0}
            | {"percent": None, "depth": 0}
            | {"definition": "", "parent": "", "color": "#000", "scale": ""}
            | {"published": None, "published_base": None, "published_year": None}
            | {"published_percent": None}
        ]
    )
    for col in ("published", "published_base", "published_year"):
        nobody[col] = nobody[col].astype("Int64")
    nobody.attrs.update(question="q", title="T", kind="open")
    last = render_counts([nobody], "table").decode().splitlines()[-1]
    assert " ".join(last.split()) == "Alfa 0 af 0 –"
    assert (
        "| Alfa |  | Anført af 0 ud af 0 jobcentre | – |" in render_counts([nobody], "md").decode()
    )


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (100 * 5 / 16, 1, "31,3"),  # 31.25: Python's round() gives 31.2
        (12.5, 0, "13"),
        (13.5, 0, "14"),
        (2.675, 2, "2,68"),  # 2.67499999… as a binary float, 2.675 as written
        (0.05, 1, "0,1"),
        (-0.05, 1, "-0,1"),
        (-0.04, 1, "0,0"),  # never "-0,0"
        (31.24, 1, "31,2"),
    ],
)
def test_halves_round_away_from_zero(value, decimals, shown):
    assert number(value, decimals) == shown


def test_the_one_rule_is_sqlites_and_the_counts_use_it(tmp_path):
    import sqlite3

    from qualcode.core.numbers import round_half_up

    conn = sqlite3.connect(":memory:")
    for n, base in [(5, 16), (1, 8), (3, 8), (7, 40), (1, 3), (2, 19), (1, 200), (15, 35)]:
        for decimals in (0, 1):
            sql = conn.execute("SELECT round(100.0 * ? / ?, ?)", [n, base, decimals]).fetchone()
            assert round_half_up(100.0 * n / base, decimals) == sql[0], (n, base, decimals)
    assert percent(100 * 5 / 16) == "31,3 %" and points(-0.05) == "−0,1 pp"
    assert points(0.04) == "±0,0 pp"


def test_themes_in_the_singular_and_the_plural():
    from qualcode.io.fmt import themes

    assert [themes(n) for n in (0, 1, 2, 17)] == ["0 temaer", "1 tema", "2 temaer", "17 temaer"]


def test_dates_read_as_a_person_writes_them_in_either_language(language):
    from qualcode.io.fmt import MISSING, date

    assert date("2026-12-04T05:40:41Z") == "4. december 2026"
    assert date("2019-03-01") == "1. marts 2019"
    assert date(None) == MISSING and date("") == MISSING
    assert date("i går") == "i går"  # no date: shown as it is
    assert date("2026-13-01") == "2026-13-01"
    language("en")
    assert date("2026-12-04T05:40:41Z") == "4 December 2026"
