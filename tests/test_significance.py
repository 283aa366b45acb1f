"""The crosstab's tests of independence in plain Python give what scipy gives: Fisher's
exact test on every small 2×2 table and some large ones, the chi-square test's p-value
on 2×k tables, and the chi-square tail far out (where e^-x/2 underflows)."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from scipy import stats

from qualcode.core.significance import chi2_independence, chi2_sf, fisher_two_sided


def test_fisher_as_scipy_on_every_small_table():
    for a, b, c, d in itertools.product(range(7), repeat=4):
        odds, p = fisher_two_sided(a, b, c, d)
        want = stats.fisher_exact([[a, b], [c, d]], alternative="two-sided")
        if math.isnan(want.statistic):
            assert math.isnan(odds) and p == 1.0
            continue
        assert odds == pytest.approx(want.statistic) or (
            math.isinf(odds) and math.isinf(want.statistic)
        ), (a, b, c, d)
        assert p == pytest.approx(want.pvalue, rel=1e-12), (a, b, c, d)


def test_fisher_as_scipy_on_large_tables():
    rng = random.Random(7)
    for _ in range(60):
        a, b, c, d = (rng.randint(0, 400) for _ in range(4))
        _odds, p = fisher_two_sided(a, b, c, d)
        want = stats.fisher_exact([[a, b], [c, d]]).pvalue
        assert p == pytest.approx(want, rel=1e-12, abs=1e-300), (a, b, c, d)


def test_fisher_by_hand():
    # 3 of 3 against 0 of 3: each extreme table has probability 1/20
    odds, p = fisher_two_sided(3, 0, 0, 3)
    assert math.isinf(odds) and p == pytest.approx(0.1, abs=1e-15)
    with pytest.raises(ValueError):
        fisher_two_sided(-1, 2, 3, 4)


def test_chi_square_as_scipy_on_two_by_k_tables():
    rng = random.Random(11)
    for k in range(2, 12):
        for _ in range(20):
            bases = [rng.randint(1, 80) for _ in range(k)]
            mentioned = [rng.randint(0, b) for b in bases]
            table = [mentioned, [b - n for n, b in zip(mentioned, bases, strict=True)]]
            if 0 in (sum(table[0]), sum(table[1])):
                continue
            statistic, p, expected = chi2_independence(table)
            chi2, want, _dof, want_expected = stats.chi2_contingency(table, correction=False)
            assert statistic == pytest.approx(chi2, rel=1e-12)
            assert p == pytest.approx(want, rel=1e-12, abs=1e-300)
            assert min(map(min, expected)) == pytest.approx(want_expected.min())


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 9, 50, 51, 400])
@pytest.mark.parametrize("x", [0.0, 0.001, 0.5, 3.0, 30.0, 300.0, 1500.0, 2000.0])
def test_chi_square_tail_as_scipy(dof, x):
    want = stats.chi2.sf(x, dof)
    assert chi2_sf(x, dof) == pytest.approx(want, rel=1e-10, abs=1e-290)
