"""Co-occurrence (issue 15): for every pair of a question's themes, the jobcentres that
mention both and the Jaccard index, counted as ``qualcode counts`` counts. Checked against
plain SQL over the codings table, on the demo and on a second coder."""

from __future__ import annotations

import csv
import io
import sqlite3
from itertools import combinations
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run
from qualcode.core.cooccurrence import cooccurrence, jaccard
from qualcode.core.project import Project
from qualcode.io.cooccurrence import CSV_COLUMNS, FORMATS, render_cooccurrence

# a parent theme counts every jobcentre coded with it or a descendant (as counts does)
_MENTIONS = """
WITH RECURSIVE lineage(ancestor, code) AS (
    SELECT k.id, k.id FROM codes k JOIN questions q ON q.codebook_id = k.codebook_id
    WHERE q.id = :q
    UNION
    SELECT l.ancestor, k.id FROM lineage l JOIN codes k ON k.parent_id = l.code
)
SELECT DISTINCT a.key, i.respondent_id
FROM codings c JOIN items i ON i.id = c.item_id
JOIN lineage l ON l.code = c.code_id JOIN codes a ON a.id = l.ancestor
WHERE i.question_id = :q AND i.is_empty = 0 AND (:coder IS NULL OR c.coder = :coder)
"""


def by_sql(path: Path, qid: str, coder: str | None) -> dict:
    """What the numbers must be, worked out independently with sqlite3: per code the
    jobcentres mentioning it, per pair (in codebook order, a parent never with its own
    descendants) how many mention both and the Jaccard index."""
    conn = sqlite3.connect(path)
    try:
        keys = [
            r[0]
            for r in conn.execute(
                "SELECT k.key FROM codes k JOIN questions q ON q.codebook_id = k.codebook_id"
                " WHERE q.id = ? ORDER BY k.position",
                [qid],
            )
        ]
        nested = {
            frozenset(r)
            for r in conn.execute(
                "WITH RECURSIVE up(code, ancestor) AS ("
                " SELECT id, parent_id FROM codes WHERE parent_id IS NOT NULL"
                " UNION SELECT u.code, k.parent_id FROM up u JOIN codes k ON k.id = u.ancestor"
                " WHERE k.parent_id IS NOT NULL)"
                " SELECT c.key, a.key FROM up u JOIN codes c ON c.id = u.code"
                " JOIN codes a ON a.id = u.ancestor"
                " JOIN questions q ON q.codebook_id = c.codebook_id"
                " WHERE q.id = ?",
                [qid],
            )
        }
        who: dict[str, set[str]] = {k: set() for k in keys}
        for key, rid in conn.execute(_MENTIONS, {"q": qid, "coder": coder}):
            who[key].add(rid)
    finally:
        conn.close()
    pairs = {}
    for a, b in combinations(keys, 2):
        if frozenset((a, b)) in nested:
            continue
        both, n_a, n_b = len(who[a] & who[b]), len(who[a]), len(who[b])
        union = len(who[a] | who[b])
        pairs[(a, b)] = (both, n_a, n_b, both / union if union else None)
    return {"respondents": {k: len(v) for k, v in who.items()}, "pairs": pairs, "nested": nested}


def add_second_coder(path: Path) -> None:
    """A second coder, 'ida', who codes a few strategier answers, partly as guld did."""
    with Project.open(path) as p:
        for rid, keys in {
            "JC04": ["fleksjob", "borgere-paa-kanten"],
            "JC05": ["fleksjob", "borgere-paa-kanten", "beskaeftigelsesplan"],
            "JC07": ["beskaeftigelsesplan"],
            "JC08": ["borgere-paa-kanten"],
        }.items():
            item = p.items("strategier", respondent=rid)[0]
            for key in keys:
                p.toggle_code(item.id, key, coder="ida")


def assert_matches(result, expected) -> None:
    got = {
        (p.code_a, p.code_b): (p.both, p.respondents_a, p.respondents_b, p.jaccard)
        for p in result.pairs
    }
    assert set(got) == set(expected["pairs"])
    for key, (both, n_a, n_b, j) in expected["pairs"].items():
        g_both, g_a, g_b, g_j = got[key]
        assert (g_both, g_a, g_b) == (both, n_a, n_b), key
        assert (g_j is None) == (j is None), key
        if j is not None:
            assert g_j == pytest.approx(j, abs=1e-12), key
    assert {t.key: t.respondents for t in result.themes} == expected["respondents"]
    assert result.nested == expected["nested"]


# -- the numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("qid", ["strategier", "udfordringer-psykiske", "interview"])
def test_pairs_match_sql_on_the_demo(demo_db, qid):
    with Project.open(demo_db, readonly=True) as p:
        result = cooccurrence(p, qid)
        counts = p.counts(qid)
    assert_matches(result, by_sql(demo_db, qid, None))
    # each theme's total is the number qualcode counts shows
    assert {t.key: t.respondents for t in result.themes} == dict(
        zip(counts["code"], counts["respondents"], strict=True)
    )
    assert result.answered == int(counts["answered"].iloc[0])
    assert result.basis_label == "Kodet af: alle kodere (guld)"


def test_pairs_are_sorted_by_both_then_jaccard(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        pairs = cooccurrence(p, "interview").pairs
    keys = [(-p.both, -(p.jaccard or 0.0)) for p in pairs]
    assert keys == sorted(keys)
    assert (
        pairs[0].both == 10
    )  # "Handicapindsatsen udbredes" with "Handicapkompenserende ordninger"


def test_a_parent_is_not_paired_with_its_own_children_but_with_other_themes(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        result = cooccurrence(p, "interview")
    keys = {(p.code_a, p.code_b) for p in result.pairs}
    assert ("ordninger", "hjaelpemidler") not in keys
    assert ("personlig-assistance", "pa-arbejde") not in keys
    assert ("ordninger", "pa-uddannelse") not in keys  # a grandchild too
    assert ("personlig-assistance", "hjaelpemidler") in keys  # siblings are paired
    assert result.is_nested("pa-arbejde", "ordninger")
    # the matrix still has their overlap: every jobcentre with the child
    assert result.both("ordninger", "hjaelpemidler") == result.theme("hjaelpemidler").respondents
    n = len(result.themes)
    assert len(result.pairs) == n * (n - 1) // 2 - len(result.nested)


def test_coder_basis_counts_one_coder(demo_copy):
    add_second_coder(demo_copy)
    with Project.open(demo_copy, readonly=True) as p:
        for coder in ("guld", "ida", None):
            result = cooccurrence(p, "strategier", coder=coder)
            assert_matches(result, by_sql(demo_copy, "strategier", coder))
        ida = cooccurrence(p, "strategier", coder="ida")
        assert ida.basis_label == "Kodet af: ida"
        assert cooccurrence(p, "strategier").basis_label == "Kodet af: alle kodere (guld, ida)"
    pair = {(q.code_a, q.code_b): q for q in ida.pairs}[("borgere-paa-kanten", "fleksjob")]
    assert (pair.both, pair.respondents_a, pair.respondents_b) == (2, 3, 2)
    assert pair.jaccard == pytest.approx(2 / 3)


def test_jaccard_is_undefined_when_nobody_mentions_either():
    assert jaccard(0, 0, 0) is None
    assert jaccard(0, 3, 0) == 0.0
    assert jaccard(2, 2, 2) == 1.0


def test_undefined_jaccard_is_a_dash_or_empty_in_every_format(demo_copy, tmp_path):
    add_second_coder(demo_copy)
    with Project.open(demo_copy, readonly=True) as p:
        result = cooccurrence(p, "strategier", coder="ida")
    undefined = [p for p in result.pairs if p.jaccard is None]
    assert undefined and all(p.both == p.respondents_a == p.respondents_b == 0 for p in undefined)
    assert all(p.jaccard is not None for p in result.pairs if p.either)
    rows = list(csv.DictReader(io.StringIO(render_cooccurrence(result, "csv").decode())))
    for row in rows:
        if row["respondents_a"] == row["respondents_b"] == "0":
            assert row["jaccard"] == ""
        else:
            float(row["jaccard"])
    table = render_cooccurrence(result, "table").decode().splitlines()
    assert sum(line.endswith("  –") for line in table) == len(undefined)
    header = next(i for i, line in enumerate(table) if line.endswith("Jaccard"))
    assert table[header + 2 + len(result.pairs)] == ""  # every pair, then the notes
    md = render_cooccurrence(result, "md").decode()
    assert "| Fleksjob | Andet | 0 | 2 | 0 | 0,00 |" in md
    assert "| Tværfagligt samarbejde i kommunen | Andet | 0 | 0 | 0 | – |" in md
    from openpyxl import load_workbook

    path = tmp_path / "par.xlsx"
    path.write_bytes(render_cooccurrence(result, "xlsx"))
    ws = load_workbook(path)["Par"]
    values = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[3] == 0 and r[4] == 0]
    assert values and all(r[5] is None for r in values)


# -- the formats ---------------------------------------------------------------------------


def test_csv_has_the_columns_and_every_pair(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        result = cooccurrence(p, "interview")
    rows = list(csv.DictReader(io.StringIO(render_cooccurrence(result, "csv").decode())))
    assert list(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS[1:9] == [
        "code_a",
        "label_a",
        "code_b",
        "label_b",
        "both",
        "respondents_a",
        "respondents_b",
        "jaccard",
    ]
    assert len(rows) == len(result.pairs)
    first = rows[0]
    assert (first["code_a"], first["code_b"], first["both"]) == (
        result.pairs[0].code_a,
        result.pairs[0].code_b,
        "10",
    )
    assert float(first["jaccard"]) == pytest.approx(result.pairs[0].jaccard, abs=1e-4)
    assert {r["question"] for r in rows} == {"interview"} and {r["coder"] for r in rows} == {"*"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_and_names_the_basis(demo_db, tmp_path, fmt):
    with Project.open(demo_db, readonly=True) as p:
        result = cooccurrence(p, "interview", coder="guld")
    data = render_cooccurrence(result, fmt)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        path = tmp_path / "x.xlsx"
        path.write_bytes(data)
        wb = load_workbook(path)
        assert wb.sheetnames == ["Par", "Matrix"]
        pairs, matrix = wb["Par"], wb["Matrix"]
        assert pairs["C1"].value == "Kodet af: guld" and matrix["B1"].value == "Kodet af: guld"
        assert [c.value for c in pairs[2]] == [
            "Tema A",
            "Tema B",
            "Begge",
            "A i alt",
            "B i alt",
            "Jaccard",
        ]
        top = [c.value for c in pairs[3]]
        assert top[2:5] == [10, 11, 14] and top[5] == pytest.approx(10 / 15)
        # the square matrix: themes by themes, each theme's count on the diagonal
        labels = [t.label for t in result.themes]
        assert [c.value for c in matrix[2]][1:] == labels
        for i, a in enumerate(result.themes):
            row = [c.value for c in matrix[3 + i]]
            assert row[0].strip() == a.label
            assert row[1:] == [result.both(a.key, b.key) for b in result.themes]
            assert row[1 + i] == a.respondents
        return
    text = data.decode("utf-8")
    if fmt == "csv":  # the basis in a column of its own
        assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
        assert text.splitlines()[1].endswith(",guld")
        return
    assert "Kodet af: guld" in text
    lines = text.splitlines()
    label_a, label_b = result.pairs[0].label_a, result.pairs[0].label_b
    if fmt == "table":
        assert (
            lines[0] == "interview: Temaer i de kvalitative interview (15 interviewede jobcentre)"
        )
        assert lines[3].split() == [
            "Tema",
            "A",
            "Tema",
            "B",
            "Begge",
            "A",
            "i",
            "alt",
            "B",
            "i",
            "alt",
            "Jaccard",
        ]
        assert lines[5].startswith(label_a[:30]) and lines[5].endswith(
            "10       11       14     0,67"
        )
    else:
        assert f"| {label_a} | {label_b} | 10 | 11 | 14 | 0,67 |" in lines
    assert any("overtema ikke med sine egne undertemaer" in line for line in lines)


def test_text_from_data_cannot_reach_the_terminal_or_break_a_table(demo_copy):
    with Project.open(demo_copy) as p:
        p.update_code(p.codebook("strategier").stem, "fleksjob", label="Flex\x1b]0;pwn\x07 | job")
        result = cooccurrence(p, "strategier")
    table = render_cooccurrence(result, "table").decode()
    md = render_cooccurrence(result, "md").decode()
    assert "\x1b" not in table and "\x1b" not in md and "\x07" not in md
    assert "Flex␛]0;pwn␇ \\| job" in md
    rows = list(csv.DictReader(io.StringIO(render_cooccurrence(result, "csv").decode())))
    assert "Flex\x1b]0;pwn\x07 | job" in {r["label_a"] for r in rows} | {r["label_b"] for r in rows}


def test_every_format_counts_in_the_projects_noun(demo_copy, tmp_path):
    with Project.open(demo_copy) as p:
        p.set_noun("kommune/kommuner")
        result = cooccurrence(p, "strategier")
    table = render_cooccurrence(result, "table").decode()
    assert table.startswith("strategier: ") and "(35 kommuner har svaret)" in table
    assert "Temaer nævnt sammen af de samme kommuner" in table
    assert "tælles én gang pr. kommune" in table and "– når ingen kommuner nævner" in table
    md = render_cooccurrence(result, "md").decode()
    assert "35 kommuner har svaret" in md and "jobcent" not in md + table
    from openpyxl import load_workbook

    path = tmp_path / "par.xlsx"
    path.write_bytes(render_cooccurrence(result, "xlsx"))
    assert load_workbook(path)["Matrix"]["A1"].value.endswith("kommuner der nævner begge temaer")


def test_a_question_without_codings_has_pairs_with_no_jaccard(project):
    result = cooccurrence(project, "strategier")
    assert result.pairs and all(p.both == 0 and p.jaccard is None for p in result.pairs)
    assert result.answered == 3


# -- the command -------------------------------------------------------------------------


def test_cli_writes_each_format_to_stdout_or_a_file(demo_db, tmp_path):
    out = run("cooccurrence", demo_db, "--question", "interview")
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[2] == "Kodet af: alle kodere (guld)"
    csv_out = run("cooccurrence", demo_db, "--question", "strategier", "--format", "csv")
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith(",".join(CSV_COLUMNS))
    md = run("cooccurrence", demo_db, "--question", "strategier", "--format", "md")
    assert md.exit_code == 0 and md.stdout.startswith("### ")
    target = tmp_path / "par.xlsx"
    done = run("cooccurrence", demo_db, "--question", "interview", "-o", target)
    assert done.exit_code == 0 and done.stderr == f"skrev {target}\n"
    assert target.read_bytes()[:2] == b"PK"
    csv_file = tmp_path / "par.csv"
    assert run("cooccurrence", demo_db, "--question", "interview", "-o", csv_file).exit_code == 0
    assert csv_file.read_text(encoding="utf-8").startswith(",".join(CSV_COLUMNS))


def test_cli_coder_basis_as_counts(demo_copy):
    add_second_coder(demo_copy)
    joined = run("cooccurrence", demo_copy, "--question", "strategier", "--format", "csv")
    assert joined.exit_code == 0
    warning = joined.stderr.splitlines()
    assert len(warning) == 1 and warning[0].startswith(
        "qualcode: advarsel: strategier er kodet af 2"
    )
    ida = run("cooccurrence", demo_copy, "--question", "strategier", "--coder", "ida")
    assert ida.exit_code == 0 and ida.stderr == ""
    assert "Kodet af: ida" in ida.stdout
    star = run("cooccurrence", demo_copy, "--question", "strategier", "--coder", "*")
    assert "Kodet af: alle kodere (guld, ida)" in star.stdout and "advarsel" in star.stderr
    # the project's stored basis is the default, as for counts
    assert run("basis", demo_copy, "--set", "ida").exit_code == 0
    stored = run("cooccurrence", demo_copy, "--question", "strategier", "--format", "csv")
    assert stored.exit_code == 0 and stored.stderr == ""
    rows = list(csv.DictReader(io.StringIO(stored.stdout)))
    assert {r["coder"] for r in rows} == {"ida"}
    expected = by_sql(demo_copy, "strategier", "ida")["pairs"]
    assert {(r["code_a"], r["code_b"]): int(r["both"]) for r in rows} == {
        k: v[0] for k, v in expected.items()
    }


def test_cli_unknown_question_is_one_line_and_writes_nothing(demo_db, tmp_path, english):
    target = tmp_path / "par.csv"
    line = assert_one_line_error(
        run("cooccurrence", demo_db, "--question", "nope", "-o", target), "no question 'nope'"
    )
    assert "strategier" in line  # the questions there are
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_cli_bad_format_or_file_writes_nothing(demo_db, tmp_path):
    target = tmp_path / "par.pdf"
    bad = run("cooccurrence", demo_db, "--question", "strategier", "--format", "pdf", "-o", target)
    # a wrongly typed option is a usage error (exit 2), as for every command
    assert bad.exit_code == 2 and "'pdf' er ikke en af" in bad.stderr  # click's words too
    assert not target.exists()
    xlsx = run("cooccurrence", demo_db, "--question", "strategier", "--format", "xlsx")
    assert xlsx.exit_code == 2 and "--format xlsx kræver -o FILE.xlsx" in xlsx.stderr
    assert xlsx.stdout == ""
    missing = run("cooccurrence", demo_db)
    assert missing.exit_code == 2 and "--question" in missing.stderr
    existing = tmp_path / "par.csv"
    existing.write_text("mine\n")
    assert_one_line_error(
        run("cooccurrence", demo_db, "--question", "strategier", "-o", existing), "par.csv"
    )
    assert existing.read_text() == "mine\n"
    assert_one_line_error(
        run("cooccurrence", tmp_path / "intet.db", "--question", "strategier"), "intet.db"
    )
    assert sorted(x.name for x in tmp_path.iterdir()) == ["par.csv"]
