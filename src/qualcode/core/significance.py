"""The crosstab's two tests of independence, in plain Python: Fisher's exact test of a 2×2
table (two-sided) and the p-value of Pearson's chi-square statistic.

They give what ``scipy.stats.fisher_exact`` and ``scipy.stats.chi2_contingency`` give (the
tests compare them), without importing scipy.stats: that import alone took most of a
second, longer than every count of the crosstab together, and the workbench's F7 paid it
on every first table. Fisher's test is computed on whole numbers, so its p-value is exact
before the last rounding to a float; the chi-square distribution's tail has a closed form
for the whole degrees of freedom a 2×k table has.
"""

from __future__ import annotations

import math


def fisher_two_sided(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """(odds ratio, p-value) of the 2×2 table [[a, b], [c, d]]: the p-value sums the
    probabilities (hypergeometric, the margins fixed) of every table no more likely than
    the one observed, as scipy does. A table with an empty row or column has p = 1 and no
    odds ratio (NaN); a zero off the diagonal makes the odds ratio infinite."""
    if min(a, b, c, d) < 0:
        raise ValueError("a table of counts has no negative cells")
    row1, row2, col1 = a + b, c + d, a + c
    if 0 in (row1, row2, col1, b + d):
        return math.nan, 1.0
    odds = a * d / (b * c) if b > 0 and c > 0 else math.inf
    # weight(x) = C(row1, x) * C(row2, col1 - x): the number of tables with x in the corner
    low, high = max(0, col1 - row2), min(row1, col1)
    weights = []
    w = math.comb(row1, low) * math.comb(row2, col1 - low)
    for x in range(low, high + 1):
        weights.append(w)
        if x < high:  # the next weight, exactly (the division leaves no remainder)
            w = w * (row1 - x) * (col1 - x) // ((x + 1) * (row2 - col1 + x + 1))
    observed = weights[a - low]
    total = sum(weights)
    tail = sum(w for w in weights if w <= observed)
    return odds, min(1.0, tail / total)


def chi2_sf(statistic: float, dof: int) -> float:
    """P(X >= statistic) for X chi-square distributed with ``dof`` (a whole number >= 1)
    degrees of freedom: the regularised upper incomplete gamma function Q(dof/2, x/2),
    which for whole ``dof`` is a finite sum (with erfc for odd ``dof``)."""
    if dof < 1:
        raise ValueError("degrees of freedom must be 1 or more")
    if statistic <= 0:
        return 1.0
    h = statistic / 2.0
    if dof % 2 == 0:  # e^-h * sum_{i < dof/2} h^i / i!
        first, count, start = 0.0, dof // 2, 0.0
    else:  # erfc(sqrt h) + e^-h * sum_{1 <= i <= (dof-1)/2} h^(i-1/2) / Gamma(i+1/2)
        first, count, start = math.erfc(math.sqrt(h)), (dof - 1) // 2, 0.5
    if count == 0:
        return first
    if h > 600:  # e^-h is near underflow: sum the terms from their logarithms
        log_h = math.log(h)
        logs = [-h + (i + start) * log_h - math.lgamma(i + start + 1) for i in range(count)]
        top = max(logs)
        total = math.exp(top) * math.fsum(math.exp(x - top) for x in logs)
    else:  # term(i+1) = term(i) * h / (i + 1 + start), from e^-h (or its odd first term)
        term = math.exp(-h + start * math.log(h) - math.lgamma(start + 1))
        total = 0.0
        for i in range(count):
            total += term
            term *= h / (i + start + 1)
    return min(1.0, first + total)


def chi2_independence(table: list[list[int]]) -> tuple[float, float, list[list[float]]]:
    """(statistic, p-value, expected counts) of Pearson's chi-square test of an r×k table
    of counts, without the continuity correction (as ``chi2_contingency(table,
    correction=False)``). Every row and column must have a count."""
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table, strict=True)]
    total = sum(rows)
    expected = [[r * c / total for c in cols] for r in rows]
    statistic = math.fsum(
        (o - e) ** 2 / e
        for obs_row, exp_row in zip(table, expected, strict=True)
        for o, e in zip(obs_row, exp_row, strict=True)
    )
    dof = (len(rows) - 1) * (len(cols) - 1)
    return statistic, chi2_sf(statistic, dof), expected
