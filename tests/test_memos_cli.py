"""``qualcode memos DB``: the memos as a table, CSV or JSON, by kind and by search words;
a bad option is one error line and nothing is changed."""

from __future__ import annotations

import csv
import io
import json

from tests.helpers import run

from qualcode.core.project import Project


def _memos(path) -> None:
    with Project.open(path, coder="ida") as p:
        item = p.items("strategier")[0]
        stem = p.question("strategier").codebook
        key = p.codebook(stem).codes[0].key
        coding = p.add_coding(item.id, key)
        p.set_memo("item", item.id, "Nævner fleksjob\nog mentorordninger")
        p.set_memo("coding", coding.id, "Usikker kodning")
        p.set_memo("code", p.code_ref(stem, key), "Definitionen er for bred")
        p.set_memo("project", None, "=SUM(A1) er ingen formel")


def test_memos_table_lists_every_kind_with_its_first_line(demo_copy):
    _memos(demo_copy)
    result = run("memos", demo_copy)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["Nr.", "Slags", "Om"]
    body = "\n".join(lines[2:])
    assert "Nævner fleksjob" in body and "mentorordninger" not in body  # the first line
    for kind in ("tekst", "kodning", "kode", "projekt"):
        assert kind in body
    assert "projektet" in body and "ida" in body


def test_memos_by_kind_and_search_as_csv_and_json(demo_copy):
    _memos(demo_copy)
    result = run("memos", demo_copy, "--kind", "code", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["kind"], r["text"]) for r in rows] == [("code", "Definitionen er for bred")]
    assert rows[0]["codebook"] and rows[0]["code"]

    result = run("memos", demo_copy, "--search", "FLEKSJOB mentor", "--format", "json")
    found = json.loads(result.stdout)
    assert [m["text"] for m in found] == ["Nævner fleksjob\nog mentorordninger"]
    assert found[0]["item"] is not None and found[0]["question"] == "strategier"

    # a formula in a memo never reaches a spreadsheet as one
    result = run("memos", demo_copy, "--kind", "project", "--format", "csv")
    assert "'=SUM(A1) er ingen formel" in result.stdout


def test_memos_with_none_and_a_bad_kind(demo_copy):
    result = run("memos", demo_copy)
    assert result.exit_code == 0 and result.stdout == ""
    result = run("memos", demo_copy, "--format", "json")
    assert json.loads(result.stdout) == []
    result = run("memos", demo_copy, "--kind", "elefant")
    assert result.exit_code == 2 and "elefant" in result.output
