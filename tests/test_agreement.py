"""Agreement between coders: every statistic matches its reference implementation
(scikit-learn's Cohen's kappa, statsmodels' Fleiss' kappa, the krippendorff package) to
1e-9 on hand-made and random data, units are built as documented (items or characters,
missing coders), undefined values stay undefined, and the CLI writes the required CSV."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import subprocess
import sys
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from helpers import assert_one_line_error, run
from qualcode.core.agreement import (
    CSV_COLUMNS,
    MACRO_KEY,
    POOLED_KEY,
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    reliability_data,
    statistics,
)
from qualcode.core.agreement import fleiss_kappa as our_fleiss
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.io.agreement import agreement_csv, agreement_json

TOL = 1e-9
REQUIRED = ["code", "label", "units", "percent_agreement", "cohen_kappa", "krippendorff_alpha"]
STATS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")


# -- references -----------------------------------------------------------------------------


def _defined(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def complete_units(data):
    return [col for col in zip(*data, strict=True) if all(v is not None for v in col)]


def ref_percent(data) -> float | None:
    cols = complete_units(data)
    if not cols:
        return None
    return 100.0 * sum(len(set(col)) == 1 for col in cols) / len(cols)


def ref_cohen(data) -> float | None:
    if len(data) != 2:
        return None
    cols = complete_units(data)
    if not cols:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _defined(cohen_kappa_score([a for a, _ in cols], [b for _, b in cols]))


def ref_fleiss(data) -> float | None:
    cols = complete_units(data)
    if not cols:
        return None
    table, _ = aggregate_raters(np.array(cols))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _defined(fleiss_kappa(table))


def ref_alpha(data) -> float | None:
    arr = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _defined(
                krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
            )
    except ValueError:  # one value in the domain, or no unit with two values: undefined
        return None


def references(data) -> dict[str, float | None]:
    return {
        "percent_agreement": ref_percent(data),
        "cohen_kappa": ref_cohen(data),
        "fleiss_kappa": ref_fleiss(data),
        "krippendorff_alpha": ref_alpha(data),
    }


def assert_same(got, want, what=""):
    """Both undefined (None from the statistics, pandas' NA in a frame; never NaN), or
    both numbers within 1e-9."""
    if want is None:
        assert got is None or got is pd.NA, (what, got)
    else:
        assert got is not None and got is not pd.NA, (what, want)
        assert isinstance(got, float), (what, type(got))
        assert abs(got - want) <= TOL, (what, got, want)


def assert_matches_references(data, what=""):
    got = statistics(data)
    for stat, want in references(data).items():
        assert_same(getattr(got, stat), want, f"{what} {stat}")
    return got


# -- the statistics on hand-made data ---------------------------------------------------------


def test_two_coders_complete():
    data = [[1, 0, 1, 1, 0, 0, 1, 0, 1, 1], [1, 0, 0, 1, 0, 1, 1, 0, 1, 0]]
    got = assert_matches_references(data)
    assert got.percent_agreement == pytest.approx(70.0)
    # by hand: po = 0.7, pe = 0.6*0.5 + 0.4*0.5 = 0.5, kappa = 0.4
    assert got.cohen_kappa == pytest.approx(0.4, abs=TOL)
    assert (got.units, got.units_complete, got.units_pairable) == (10, 10, 10)
    assert cohen_kappa(data) == got.cohen_kappa
    assert percent_agreement(data) == got.percent_agreement


def test_three_coders_with_missing_values_krippendorff_textbook_example():
    """Krippendorff's own example (nominal alpha 0.691), four categories, missing values."""
    nan = None
    data = [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
    got = assert_matches_references(data)
    assert krippendorff_alpha(data) == pytest.approx(0.691358, abs=1e-6)
    assert got.cohen_kappa is None, "Cohen's kappa is for exactly two coders"
    assert got.units == 13, "two units nobody coded are not units"
    assert got.units_complete == 2 and got.units_pairable == 12
    # only units 6 (3, 3, 4) and 7 (4, 4, 4) have all three values; one of them agrees
    assert got.percent_agreement == pytest.approx(50.0)
    assert our_fleiss(data) == got.fleiss_kappa


def test_two_coders_with_missing_values_use_the_units_both_coded():
    data = [[1, 1, 0, None, 0, 1, None, 0], [1, 0, 0, 1, None, 1, None, 1]]
    got = assert_matches_references(data)
    assert got.units == 7 and got.units_complete == 5 and got.units_pairable == 5
    assert got.cohen_kappa == pytest.approx(
        cohen_kappa_score([1, 1, 0, 1, 0], [1, 0, 0, 1, 1]), abs=TOL
    )


def test_string_categories_and_nan_for_missing():
    data = [["ja", "nej", "ja", float("nan")], ["ja", "nej", "nej", "ja"]]
    got = statistics(data)
    ints = [[{"ja": 1, "nej": 0}.get(v) for v in row] for row in data]
    for stat, want in references(ints).items():
        assert_same(getattr(got, stat), want, stat)


@pytest.mark.parametrize(
    "data",
    [
        [[0, 0, 0], [0, 0, 0]],  # a code nobody applied
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],  # applied by everybody everywhere
        [[2, 2], [2, None]],
    ],
)
def test_a_single_category_is_undefined_not_a_number(data):
    got = assert_matches_references(data)
    assert got.cohen_kappa is None and got.fleiss_kappa is None
    assert got.krippendorff_alpha is None
    assert got.percent_agreement == 100.0, "all coders do agree on every unit"


def test_no_units_or_no_common_units_is_undefined():
    empty = statistics([[], []])
    assert empty.units == 0
    assert all(getattr(empty, s) is None for s in STATS)
    apart = statistics([[1, None, 0], [None, 0, None]])  # never two values on one unit
    assert apart.units == 3 and apart.units_complete == 0 and apart.units_pairable == 0
    assert all(getattr(apart, s) is None for s in STATS)
    assert ref_alpha([[1, None, 0], [None, 0, None]]) is None


def test_two_categories_but_one_among_pairable_values_is_undefined():
    data = [[1, 0, 0], [None, 0, 0]]  # the 1 has no partner: alpha's expected disagreement is 0
    got = assert_matches_references(data)
    assert got.krippendorff_alpha is None


def test_perfect_disagreement_is_a_number():
    data = [[1, 0, 1, 0], [0, 1, 0, 1]]
    got = assert_matches_references(data)
    assert got.percent_agreement == 0.0
    assert got.cohen_kappa == pytest.approx(-1.0, abs=TOL)


# -- the statistics on random data --------------------------------------------------------------


def random_data(
    rng: np.random.Generator, coders: int, units: int, categories: int, p_missing: float
) -> list[list[int | None]]:
    values = rng.integers(0, categories, size=(coders, units))
    # mostly agreeing coders now and then, so kappas are spread over their whole range
    if rng.random() < 0.5:
        truth = rng.integers(0, categories, size=units)
        keep = rng.random((coders, units)) < rng.random()
        values = np.where(keep, truth, values)
    missing = rng.random((coders, units)) < p_missing
    return [
        [None if missing[j, u] else int(values[j, u]) for u in range(units)] for j in range(coders)
    ]


def test_random_data_matches_the_references():
    rng = np.random.default_rng(20180)
    seen = {s: 0 for s in STATS}
    undefined = 0
    for trial in range(1500):
        data = random_data(
            rng,
            coders=int(rng.choice([2, 2, 3, 4, 5])),
            units=int(rng.integers(1, 40)),
            categories=int(rng.integers(1, 5)),
            p_missing=float(rng.choice([0.0, 0.1, 0.3, 0.6])),
        )
        got = assert_matches_references(data, f"trial {trial}")
        for s in STATS:
            seen[s] += getattr(got, s) is not None
        undefined += got.krippendorff_alpha is None
    assert min(seen.values()) > 300, seen  # each statistic was really compared, many times
    assert undefined > 10, "degenerate cases were exercised too"


def test_random_binary_data_with_many_units_matches_the_references():
    rng = np.random.default_rng(7)
    for trial in range(40):
        data = random_data(
            rng,
            coders=int(rng.integers(2, 5)),
            units=2000,
            categories=2,
            p_missing=float(rng.choice([0.0, 0.05, 0.4])),
        )
        assert_matches_references(data, f"trial {trial}")


# -- units built from a project -------------------------------------------------------------------


def code_by(project, respondent, code, coder, start=None, end=None):
    item = project.items("strategier", respondent=respondent)[0]
    return project.add_coding(item.id, code, coder=coder, start=start, end=end)


@pytest.fixture
def three_coders(project):
    """JC01, JC02 and JC04 answered (JC03 is blank). C coded nothing on JC01, B nothing on
    JC04: they are missing there."""
    code_by(project, "JC01", "borgere-paa-kanten", "A")
    code_by(project, "JC01", "borgere-paa-kanten", "B")
    code_by(project, "JC01", "andet", "B")
    for coder in "ABC":
        code_by(project, "JC02", "beskaeftigelsesplan", coder)
    code_by(project, "JC04", "fleksjob", "A")
    code_by(project, "JC04", "fleksjob", "C")
    code_by(project, "JC04", "samarbejde-organisationer", "C")
    return project


def test_item_units_and_missing_coders_by_hand(three_coders):
    data = reliability_data(three_coders, "strategier")
    assert data.coders == ["A", "B", "C"]
    assert data.n_units == 3
    assert data.matrix("andet") == [[0, 0, 0], [1, 0, None], [None, 0, 0]]
    assert data.matrix("fleksjob") == [[0, 0, 1], [0, 0, None], [None, 0, 1]]

    frame = agreement(three_coders, "strategier").set_index("code")
    andet = frame.loc["andet"]
    assert (andet["units"], andet["units_complete"], andet["units_pairable"]) == (3, 1, 3)
    assert andet["applied"] == 1
    # by hand: n0 = 6, n1 = 1, one disagreeing pair each way on JC01: 1 - 6 * 2 / 12 = 0
    assert andet["krippendorff_alpha"] == pytest.approx(0.0, abs=TOL)
    assert andet["percent_agreement"] == 100.0, "JC02, the only unit all three coded"
    assert andet["fleiss_kappa"] is pd.NA, "one category on the complete unit"
    assert andet["cohen_kappa"] is pd.NA, "three coders"
    assert frame.loc["fleksjob", "krippendorff_alpha"] == pytest.approx(1.0, abs=TOL)

    unused = frame.loc["tvaerfagligt-samarbejde"]
    assert unused["applied"] == 0 and unused["percent_agreement"] == 100.0
    for stat in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        assert unused[stat] is pd.NA, stat
    assert frame.loc[POOLED_KEY, "units"] == 3 * 7
    assert frame.loc[POOLED_KEY, "kind"] == "pooled"
    assert frame.loc[MACRO_KEY, "applied"] is pd.NA


def test_two_of_three_coders(three_coders):
    frame = agreement(three_coders, "strategier", coders="A, B").set_index("code")
    andet = frame.loc["andet"]
    assert (andet["units"], andet["units_complete"], andet["units_pairable"]) == (3, 2, 2)
    # A = [0, 0], B = [1, 0] on JC01, JC02: po = 0.5, pe = 0.5, kappa = 0
    assert andet["cohen_kappa"] == pytest.approx(0.0, abs=TOL)
    assert andet["cohen_kappa"] == pytest.approx(cohen_kappa_score([0, 0], [1, 0]), abs=TOL)
    assert frame.attrs["coders"] == ["A", "B"]


def test_character_units_by_hand(project):
    text = project.items("strategier", respondent="JC02")[0].text
    code_by(project, "JC01", "borgere-paa-kanten", "A", 0, 10)
    code_by(project, "JC01", "borgere-paa-kanten", "B", 5, 15)
    code_by(project, "JC02", "beskaeftigelsesplan", "A", 0, 5)
    code_by(project, "JC02", "beskaeftigelsesplan", "B")  # the whole answer
    data = reliability_data(project, "strategier", unit="character")
    assert data.n_units == 15 + len(text), "JC01's characters 0-15, all of JC02"
    assert list(data.unit_offset[:15]) == list(range(15))
    frame = agreement(project, "strategier", unit="character").set_index("code")
    kanten = frame.loc["borgere-paa-kanten"]
    assert kanten["applied"] == 15
    assert kanten["percent_agreement"] == pytest.approx(100 * (5 + len(text)) / (15 + len(text)))
    plan = frame.loc["beskaeftigelsesplan"]
    assert plan["percent_agreement"] == pytest.approx(100 * (15 + 5) / (15 + len(text)))
    for key in ("borgere-paa-kanten", "beskaeftigelsesplan"):
        for stat, want in references(data.matrix(key)).items():
            assert_same(frame.loc[key, stat], want, f"{key} {stat}")


def test_a_parent_code_is_compared_on_its_own_codings(demo_copy):
    with Project.open(demo_copy) as p:
        item = p.items("interview")[0]
        p.add_coding(item.id, "pa-arbejde", coder="A")
        p.add_coding(item.id, "personlig-assistance", coder="B")
        data = reliability_data(p, "interview", coders=["A", "B"])
    assert data.n_units == 1
    assert data.matrix("personlig-assistance") == [[0], [1]]
    assert data.matrix("pa-arbejde") == [[1], [0]]


def test_errors(three_coders, project, english):
    with pytest.raises(QualcodeError, match=r"no codings by 'X' .*its coders: A, B, C"):
        agreement(three_coders, "strategier", coders=["A", "X"])
    with pytest.raises(QualcodeError, match="two or more coders"):
        agreement(three_coders, "strategier", coders="A")
    with pytest.raises(QualcodeError, match="unknown unit 'word'"):
        agreement(three_coders, "strategier", unit="word")
    with pytest.raises(QualcodeError, match="no question 'nej'"):
        agreement(three_coders, "nej")


def test_one_coder_is_an_error(demo_db, english):
    with Project.open(demo_db) as p, pytest.raises(QualcodeError, match=r"only 1 .*guld"):
        agreement(p, "strategier")


# -- random codings in a copy of the demo, checked against references built independently --------


def add_coders(path, seed: int = 2019) -> None:
    """'anden' copies the gold codings with changes; 'tredje' too, and skips some items."""
    rng = random.Random(seed)
    with Project.open(path) as p:
        for q in ("strategier", "interview"):
            keys = p.codebook(q).keys()
            skipped = {it.id for it in p.items(q) if rng.random() < 0.15}
            for c in p.codings(question=q, coder="guld"):
                text = p.item(c.item_id).text
                for coder in ("anden", "tredje"):
                    if coder == "tredje" and c.item_id in skipped:
                        continue
                    roll = rng.random()
                    if roll < 0.12:
                        continue  # missed this code
                    code = rng.choice(keys) if roll < 0.22 else c.code
                    start, end = c.start, c.end
                    if start is not None and rng.random() < 0.5:  # a passage cut differently
                        start = max(0, start + rng.randint(-15, 15))
                        end = min(len(text), max(start + 1, end + rng.randint(-15, 15)))
                    elif start is None and rng.random() < 0.1:
                        start, end = 0, max(1, len(text) // 2)
                    p.add_coding(c.item_id, code, coder=coder, start=start, end=end)
            for it in p.items(q):  # now and then a code on an item gold left alone
                if rng.random() < 0.05:
                    p.add_coding(it.id, rng.choice(keys), coder="anden")


def independent_matrices(p: Project, question: str, coders: list[str], unit: str):
    """The reliability data per code, rebuilt from the codings with plain Python."""
    items = {it.id: it for it in p.items(question)}
    mine = [c for c in p.codings(question=question) if c.coder in coders and c.item_id in items]
    keys = p.codebook(question).keys()
    units: list[tuple[int, int | None]] = []
    for item_id, item in items.items():
        on_item = [c for c in mine if c.item_id == item_id]
        if not on_item:
            continue
        if unit == "item":
            units.append((item_id, None))
        else:
            covered = set()
            for c in on_item:
                covered |= set(
                    range(0, len(item.text)) if c.start is None else range(c.start, c.end)
                )
            units += [(item_id, k) for k in sorted(covered)]
    coded = {(c.coder, c.item_id) for c in mine}
    spans: dict[tuple[str, int, str], list[tuple[int | None, int | None]]] = {}
    for c in mine:
        spans.setdefault((c.coder, c.item_id, c.code), []).append((c.start, c.end))

    def value(coder, key, item_id, k):
        if (coder, item_id) not in coded:
            return None
        return int(
            any(
                k is None or start is None or start <= k < end
                for start, end in spans.get((coder, item_id, key), [])
            )
        )

    return units, {
        key: [[value(coder, key, i, k) for i, k in units] for coder in coders] for key in keys
    }


@pytest.mark.parametrize(
    "question,unit", [("strategier", "item"), ("interview", "item"), ("strategier", "character")]
)
@pytest.mark.parametrize("coders", [["guld", "anden"], ["guld", "anden", "tredje"]])
def test_demo_with_more_coders_matches_references(demo_copy, question, unit, coders):
    add_coders(demo_copy)
    with Project.open(demo_copy) as p:
        frame = agreement(p, question, coders=coders, unit=unit)
        units, matrices = independent_matrices(p, question, coders, unit)
        data = reliability_data(p, question, coders=coders, unit=unit)
    assert [
        (int(i), None if k < 0 else int(k))
        for i, k in zip(data.unit_item, data.unit_offset, strict=True)
    ] == units
    rows = frame.set_index("code")
    compared = 0
    for key, matrix in matrices.items():
        assert data.matrix(key) == matrix, key
        assert rows.loc[key, "units"] == len(units)
        for stat, want in references(matrix).items():
            assert_same(rows.loc[key, stat], want, f"{key} {stat}")
            compared += want is not None
    assert compared > 10
    pooled = [sum((m[j] for m in matrices.values()), []) for j in range(len(coders))]
    for stat, want in references(pooled).items():
        assert_same(rows.loc[POOLED_KEY, stat], want, f"pooled {stat}")
    assert rows.loc[POOLED_KEY, "units"] == len(units) * len(matrices)
    for stat in STATS:
        defined = [v for v in (references(m)[stat] for m in matrices.values()) if v is not None]
        want = sum(defined) / len(defined) if defined else None
        assert_same(rows.loc[MACRO_KEY, stat], want, f"macro {stat}")
        assert frame.attrs["macro_defined"][stat] == len(defined)
    if len(coders) == 3:
        assert frame.attrs["units_complete"] < frame.attrs["units_pairable"] <= len(units)
        assert all(v is pd.NA for v in frame["cohen_kappa"])


def test_interview_character_units_match_references(demo_copy):
    add_coders(demo_copy, seed=5)
    coders = ["guld", "anden", "tredje"]
    with Project.open(demo_copy) as p:
        frame = agreement(p, "interview", coders=coders, unit="character").set_index("code")
        data = reliability_data(p, "interview", coders=coders, unit="character")
        units, matrices = independent_matrices(p, "interview", coders, "character")
    assert data.n_units == len(units) > 1000
    assert sum(p is None for p in data.matrix(data.codes[0].key)[2]) > 100, "tredje skipped some"
    below_one = 0
    for key, matrix in matrices.items():
        assert data.matrix(key) == matrix, key
        for stat, want in references(matrix).items():
            assert_same(frame.loc[key, stat], want, f"{key} {stat}")
            below_one += want is not None and want < 0.99
        # two coders: Cohen against scikit-learn
        assert_same(statistics(matrix[:2]).cohen_kappa, ref_cohen(matrix[:2]), key)
    assert below_one > 5, "the passages really differ"


def test_the_runtime_does_not_import_the_reference_libraries(demo_copy):
    add_coders(demo_copy)
    code = (
        "import sys\nfrom qualcode.core.project import Project\n"
        "from qualcode.core.agreement import agreement\n"
        f"p = Project.open({str(demo_copy)!r})\n"
        "agreement(p, 'strategier', unit='character')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sklearn', 'krippendorff', 'statsmodels', 'scipy'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- output ---------------------------------------------------------------------------------------


def test_undefined_is_an_empty_csv_cell_and_json_null(three_coders):
    frame = agreement(three_coders, "strategier")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(agreement_csv([frame]).decode()))}
    unused = rows["tvaerfagligt-samarbejde"]
    assert unused["cohen_kappa"] == unused["fleiss_kappa"] == unused["krippendorff_alpha"] == ""
    assert unused["percent_agreement"] == "100.0"
    assert float(rows["andet"]["krippendorff_alpha"]) == 0.0
    data = json.loads(agreement_json([frame]))
    by_code = {c["code"]: c for c in data["codes"]}
    assert by_code["tvaerfagligt-samarbejde"]["krippendorff_alpha"] is None
    assert data["coders"] == ["A", "B", "C"] and data["unit"] == "item"
    assert data["pooled"]["units"] == 21 and "defined" in data["macro"]
    assert "nan" not in agreement_csv([frame]).decode().lower()


def add_second_coder(path) -> None:
    """'anden' = the gold codings of strategier, with a few changes."""
    with Project.open(path) as p:
        codings = p.codings(question="strategier", coder="guld")
        for n, c in enumerate(codings):
            if n % 9 == 4:
                continue
            code = "andet" if n % 11 == 3 else c.code
            p.add_coding(c.item_id, code, coder="anden", start=c.start, end=c.end)


def test_cli_csv_end_to_end(demo_copy):
    add_second_coder(demo_copy)
    result = run("agreement", demo_copy, "--question", "strategier", "--format", "csv")
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames == CSV_COLUMNS
    assert [c for c in reader.fieldnames if c in REQUIRED] == REQUIRED
    rows = list(reader)
    with Project.open(demo_copy) as p:
        frame = agreement(p, "strategier", coders=["anden", "guld"])
        data = reliability_data(p, "strategier", coders=["anden", "guld"])
        keys = p.codebook("strategier").keys()
    assert [r["code"] for r in rows] == list(frame["code"]) == [*keys, POOLED_KEY, MACRO_KEY]
    assert rows[0]["label"] == 'Generelt fokus på "borgere på kanten"'
    for row in rows[:-2]:
        assert int(row["units"]) == data.n_units == 35
        want = references(data.matrix(row["code"]))
        for stat, value in want.items():
            assert_same(
                None if row[stat] == "" else float(row[stat]), value, f"{row['code']} {stat}"
            )
    assert float(rows[-2]["cohen_kappa"]) < 1.0


def test_cli_table_json_and_output_file(demo_copy, tmp_path):
    add_second_coder(demo_copy)
    table = run("agreement", demo_copy)
    assert table.exit_code == 0, table.output
    assert "strategier" in table.stdout and "interview" not in table.stdout.split("\n")[0]
    assert "Cohens κ" in table.stdout and "Krippendorffs α" in table.stdout
    assert "Kodere: anden, guld" in table.stdout
    assert "Samlet" in table.stdout and "Gennemsnit" in table.stdout
    line = next(x for x in table.stdout.splitlines() if x.startswith("Generelt fokus"))
    assert "," in line and "%" in line
    data = json.loads(run("agreement", demo_copy, "--format", "json", "--unit", "character").stdout)
    assert data["unit"] == "character" and data["units"] > 35
    out = tmp_path / "enighed.csv"
    assert run("agreement", demo_copy, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(",".join(CSV_COLUMNS))
    again = run("agreement", demo_copy, "-o", out)
    assert_one_line_error(again, "findes allerede; brug --force")
    assert run("agreement", demo_copy, "-o", out, "--force").exit_code == 0


def test_cli_undefined_shows_a_dash(three_coders, project_path):
    result = run("agreement", project_path, "--coders", "A,B,C")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("Tværfagligt"))
    assert line.split()[-2:] == ["–", "–"]
    assert "Cohens κ" not in result.stdout.splitlines()[2], "three coders: no Cohen column"


def test_cli_errors(demo_db, demo_copy):
    assert_one_line_error(
        run("agreement", demo_db, "--question", "strategier"), "to eller flere kodere", "guld"
    )
    assert_one_line_error(
        run("agreement", demo_db), "intet spørgsmål er kodet af to eller flere", "guld"
    )
    add_second_coder(demo_copy)
    assert_one_line_error(
        run("agreement", demo_copy, "--question", "strategier", "--coders", "guld,nogen"),
        "'nogen'",
        "anden, guld",
    )
    assert_one_line_error(
        run("agreement", demo_copy, "--coders", "guld,nogen"), "nogen", "anden, guld"
    )
    assert_one_line_error(run("agreement", demo_copy, "--question", "nej"), "intet spørgsmål 'nej'")
    assert run("agreement", demo_copy, "--coders", "guld").exit_code == 2
    assert run("agreement", demo_copy, "--unit", "word").exit_code == 2
    assert run("agreement", demo_copy, "--format", "xlsx").exit_code == 2
