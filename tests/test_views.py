"""The SQL views (theme_counts, coded_passages, starred_quotes, answers; quotes and
codings_readable are the old names): plain sqlite3, without qualcode, gives the same
numbers as Project.counts, so Datasette or any SQLite browser shows them."""

from __future__ import annotations

import sqlite3

from qualcode.core.counts import plain_value
from qualcode.core.project import Project


def readonly(path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def test_theme_counts_match_project_counts(demo_db):
    conn = readonly(demo_db)
    with Project.open(demo_db) as p:
        for q in p.questions():
            frame = p.counts(q.id)
            rows = conn.execute(
                "SELECT code, label, respondents, answered, percent FROM theme_counts"
                " WHERE question = ? AND coder = '*' ORDER BY position",
                [q.id],
            ).fetchall()
            assert [r[0] for r in rows] == list(frame["code"]), q.id
            assert [r[1] for r in rows] == list(frame["label"])
            assert [r[2] for r in rows] == [int(x) for x in frame["respondents"]], q.id
            assert {r[3] for r in rows} == {int(frame["answered"].iloc[0])}
            # one rounding rule: the view's percent is the frame's, to the last digit
            assert [r[4] for r in rows] == [plain_value(x) for x in frame["percent"]], q.id
    conn.close()


def test_a_half_rounds_the_same_in_the_view_and_the_counts(tmp_path):
    """5 of 16 is 31.25 %: 31.3 in the view, the frame, the table and the CSV."""
    from helpers import run, write_csv

    db = tmp_path / "halv.db"
    rows = [["id", "svar"]] + [[f"R{i:02}", f"Svar nummer {i}"] for i in range(16)]
    svar = write_csv(tmp_path / "svar.csv", rows)
    args = ["--respondent-col", "id", "--text-col", "svar", "--question", "q"]
    imported = run("import", "answers", db, svar, *args, "--codebook", "lokalpolitiske-strategier")
    assert imported.exit_code == 0, imported.output
    for i in range(5):
        coded = run("code", db, "--question", "q", "--respondent", f"R{i:02}", "--code", "fleksjob")
        assert coded.exit_code == 0, coded.output
    with Project.open(db, readonly=True) as p:
        frame = p.counts("q").set_index("code")
    assert frame.loc["fleksjob", "percent"] == 31.3
    conn = readonly(db)
    view = conn.execute(
        "SELECT percent FROM theme_counts WHERE question = 'q' AND code = 'fleksjob'"
        " AND coder = '*'"
    ).fetchone()
    conn.close()
    assert view == (31.3,)
    assert "31,3 %" in run("counts", db, "--question", "q").stdout
    assert ",31.3," in run("counts", db, "--question", "q", "--format", "csv").stdout


def test_theme_counts_rolls_children_into_parents(demo_db):
    conn = readonly(demo_db)
    n = conn.execute(
        "SELECT respondents FROM theme_counts WHERE question = 'interview'"
        " AND code = 'ordninger' AND coder = '*'"
    ).fetchone()[0]
    conn.close()
    with Project.open(demo_db) as p:
        frame = p.counts("interview")
    assert n == int(frame.loc[frame["code"] == "ordninger", "respondents"].iloc[0])
    assert n > 0


def test_theme_counts_per_coder_and_wave(demo_copy):
    with Project.open(demo_copy, coder="ane") as p:
        for item in p.items("strategier")[:3]:
            p.add_coding(item.id, "fleksjob")
        mine = p.counts("strategier", coder="ane")
        everyone = p.counts("strategier")
    conn = readonly(demo_copy)
    rows = dict(
        conn.execute(
            "SELECT code, respondents FROM theme_counts WHERE"
            " question = 'strategier' AND coder = 'ane'"
        ).fetchall()
    )
    assert rows == dict(zip(mine["code"], (int(x) for x in mine["respondents"]), strict=True))
    assert rows["fleksjob"] == 3
    all_rows = dict(
        conn.execute(
            "SELECT code, respondents FROM theme_counts WHERE"
            " question = 'strategier' AND coder = '*'"
        ).fetchall()
    )
    assert all_rows["fleksjob"] == int(
        everyone.loc[everyone["code"] == "fleksjob", "respondents"].iloc[0]
    )
    waves = conn.execute(
        "SELECT DISTINCT wave, series FROM theme_counts WHERE"
        " question IN ('strategier', 'strategier-2017') ORDER BY wave"
    ).fetchall()
    assert waves == [("2017", "strategier"), ("2018", "strategier")]
    conn.close()


def test_quotes_view_holds_the_starred_passages(demo_copy):
    with Project.open(demo_copy) as p:
        quotes = p.quotes("hjaelpemidler", "interview")
        starred = quotes[:2]
        for q in starred:
            p.star(q.coding_id)
    conn = readonly(demo_copy)
    rows = conn.execute(
        "SELECT question, respondent, name, role, code, text, coder, coding FROM quotes"
    ).fetchall()
    conn.close()
    assert sorted(r[7] for r in rows) == sorted(q.coding_id for q in starred)
    by_id = {r[7]: r for r in rows}
    for q in starred:
        row = by_id[q.coding_id]
        assert row[:5] == (q.question, q.respondent, q.respondent_name, q.role, q.code)
        assert row[5].strip() == q.text  # the coded span, with æ/ø/å intact
        assert row[6] == q.coder


def test_codings_readable_has_one_row_per_coding_with_names(demo_db):
    conn = readonly(demo_db)
    total = conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    rows = conn.execute(
        "SELECT question, respondent, name, code, label, coder, text FROM codings_readable"
    ).fetchall()
    conn.close()
    assert len(rows) == total > 0
    jc04 = [r for r in rows if r[0] == "strategier" and r[1] == "JC04"]
    assert {r[3] for r in jc04} == {"borgere-paa-kanten", "beskaeftigelsesplan"}
    assert jc04[0][2] == "Jobcenter Mosevang"
    assert 'Generelt fokus på "borgere på kanten"' in {r[4] for r in jc04}
    assert all(r[5] == "guld" and r[6] for r in rows)


def test_the_views_say_which_passages_they_hold_and_the_old_names_still_work(demo_copy):
    with Project.open(demo_copy) as p:
        starred = p.quotes("hjaelpemidler", "interview")[:2]
        for q in starred:
            p.star(q.coding_id)
    conn = readonly(demo_copy)
    try:
        every = conn.execute("SELECT * FROM coded_passages ORDER BY coding").fetchall()
        assert len(every) == conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        assert conn.execute("SELECT * FROM codings_readable ORDER BY coding").fetchall() == every
        quotes = conn.execute("SELECT * FROM starred_quotes").fetchall()
        assert sorted(r[-1] for r in quotes) == sorted(q.coding_id for q in starred)
        assert conn.execute("SELECT * FROM quotes").fetchall() == quotes
    finally:
        conn.close()


def test_answers_hold_every_non_empty_answer_and_interview_turn(demo_db):
    conn = readonly(demo_db)
    try:
        rows = conn.execute("SELECT id, question, respondent, kind, text FROM answers").fetchall()
        non_empty = conn.execute("SELECT COUNT(*) FROM items WHERE is_empty = 0").fetchone()[0]
        assert len(rows) == non_empty
        assert {r[3] for r in rows} == {"answer", "excerpt", "interviewer"}
        assert all(r[4].strip() for r in rows)
        assert ("strategier", "JC04") in {(r[1], r[2]) for r in rows}
    finally:
        conn.close()
