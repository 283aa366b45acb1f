"""Issue 6 end to end: two coders code the demo's first question in their own files,
merge joins them, agreement matches the reference packages, settling gives a consensus
that counts can use."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from helpers import run
from qualcode.core.project import Project

sklearn_metrics = pytest.importorskip("sklearn.metrics")
krippendorff = pytest.importorskip("krippendorff")


def test_two_coders_merge_agree_settle_count(demo_db, tmp_path):
    target, ane, bo = (tmp_path / f"{n}.db" for n in ("projekt", "ane", "bo"))
    for path in (target, ane, bo):
        shutil.copy(demo_db, path)
    with Project.open(demo_db) as p:
        gold = {}
        for c in p.codings(question="strategier", coder="guld"):
            gold.setdefault(p.item(c.item_id).respondent, set()).add(c.code)
    respondents = sorted(gold)
    # ane follows the gold coding; bo misses 'borgere-paa-kanten' on every third answer
    for coder, path in (("ane", ane), ("bo", bo)):
        for n, rid in enumerate(respondents):
            for key in sorted(gold[rid]):
                if coder == "bo" and key == "borgere-paa-kanten" and n % 3 == 0:
                    continue
                result = run(
                    "code",
                    path,
                    "--question",
                    "strategier",
                    "--respondent",
                    rid,
                    "--code",
                    key,
                    "--coder",
                    coder,
                )
                assert result.exit_code == 0, result.stderr
    merged = run("merge", target, ane, bo)
    assert merged.exit_code == 0, merged.stderr
    assert run("merge", target, ane, bo).exit_code == 0  # idempotent
    out = run(
        "agreement", target, "--question", "strategier", "--coders", "ane,bo", "--format", "csv"
    )
    assert out.exit_code == 0, out.stderr
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    a = [int("borgere-paa-kanten" in gold[r]) for r in respondents]
    b = [int("borgere-paa-kanten" in gold[r] and n % 3 != 0) for n, r in enumerate(respondents)]
    row = rows["borgere-paa-kanten"]
    assert int(row["units"]) == len(respondents)
    assert float(row["cohen_kappa"]) == pytest.approx(
        sklearn_metrics.cohen_kappa_score(a, b), abs=1e-9
    )
    assert float(row["krippendorff_alpha"]) == pytest.approx(
        krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"), abs=1e-9
    )
    assert rows["fleksjob"]["percent_agreement"] not in ("", None)
    with Project.open(target) as p:
        found = p.disagreements("strategier", ["ane", "bo"])
        assert found and all(d.codes["ane"] > d.codes["bo"] for d in found)
        for d in found:
            p.settle(d.item.id, d.codes["ane"])
        for item in p.items("strategier"):
            if not p.codings(item_id=item.id, coder="consensus"):
                p.settle(item.id, {c.code for c in p.codings(item_id=item.id, coder="bo")})
    counts = run(
        "counts", target, "--question", "strategier", "--coder", "consensus", "--format", "csv"
    )
    got = {r["code"]: int(r["respondents"]) for r in csv.DictReader(io.StringIO(counts.stdout))}
    assert got["borgere-paa-kanten"] == 15 and got["beskaeftigelsesplan"] == 10
