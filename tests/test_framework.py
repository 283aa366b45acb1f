"""The framework matrix (issue 15, item 3): summaries per question, respondent and theme,
written, replaced and taken away in one transaction each, undone from the coder's own log
(also after a restart, and only in their own undo group), carried by ``merge`` with the
newer summary winning; and the matrix's cells holding the coded passages."""

from __future__ import annotations

import shutil
import sqlite3
from itertools import count
from pathlib import Path

import pytest

from helpers import run
from qualcode.core.merge import merge_projects
from qualcode.core.project import Project
from qualcode.errors import NotFound, QualcodeError

Q = "strategier"
SCHEMA1 = Path(__file__).resolve().parent / "fixtures" / "schema1.qualcode.db"


def rows(path: Path) -> list[tuple]:
    """Every row of the summaries table, from disk (those taken away too)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT question_id, respondent_id, code, text, author FROM summaries"
            " ORDER BY question_id, respondent_id, code"
        ).fetchall()
    finally:
        conn.close()


def texts(p: Project, question: str = Q) -> dict[tuple[str, str], str]:
    return {(s.respondent, s.code): s.text for s in p.summaries(question)}


@pytest.fixture
def clock(monkeypatch):
    """store.now() as a clock the test moves: every call one second later, from a start
    the test may set (``clock.at(hour)``)."""

    class Clock:
        def __init__(self) -> None:
            self.hour = 10
            self.ticks = count()

        def at(self, hour: int) -> None:
            self.hour = hour

        def __call__(self) -> str:
            tick = next(self.ticks)  # later every call, within the hour
            return f"2019-03-01T{self.hour:02d}:{tick // 60 % 60:02d}:{tick % 60:02d}.000000+00:00"

    clock = Clock()
    monkeypatch.setattr("qualcode.store.db.now", clock)
    return clock


@pytest.fixture
def demo(demo_copy) -> Path:
    return demo_copy


def first_rows(p: Project, n: int = 3) -> list[str]:
    return [r for r, _ in p.framework(Q).respondents[:n]]


# -- writing, replacing, taking away ------------------------------------------------------


def test_set_replace_and_clear_a_summary(demo):
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        assert p.summary(Q, jc, "fleksjob") is None
        assert p.set_summary(Q, jc, "fleksjob", "  Fleksjob som vej ind.\nTo linjer.  ")
        s = p.summary(Q, jc, "fleksjob")
        assert s is not None and (s.text, s.author) == ("Fleksjob som vej ind.\nTo linjer.", "ida")
        assert not p.set_summary(Q, jc, "fleksjob", "Fleksjob som vej ind.\nTo linjer.")
        p.coder = "bo"  # one summary per cell, whoever writes it
        assert p.set_summary(Q, jc, "Fleksjob", "Bo's udgave")  # by its exact label too
        assert texts(p) == {(jc, "fleksjob"): "Bo's udgave"}
        assert p.summary(Q, jc, "fleksjob").author == "bo"
        assert p.clear_summary(Q, jc, "fleksjob")
        assert not p.clear_summary(Q, jc, "fleksjob")
        assert p.summary(Q, jc, "fleksjob") is None and texts(p) == {}
        assert [e["action"] for e in p.events(3)] == ["summary.set", "summary.set", "summary.clear"]
    # committed: another connection sees it, and the cleared cell is kept as taken away
    assert rows(demo) == [(Q, jc, "fleksjob", "", "bo")]


def test_an_empty_text_takes_the_summary_away(demo):
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        p.set_summary(Q, jc, "andet", "Noget andet")
        assert p.set_summary(Q, jc, "andet", "   \n ")
        assert p.summary(Q, jc, "andet") is None
        assert p.events(1)[0]["action"] == "summary.clear"
        assert not p.set_summary(Q, jc, "andet", "")  # nothing to take away


def test_unknown_question_code_or_respondent_is_refused_and_writes_nothing(demo, english):
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        before = p.snapshot()
        with pytest.raises(NotFound, match="no question 'nope'"):
            p.set_summary("nope", jc, "fleksjob", "x")
        with pytest.raises(NotFound, match="no code with key or label 'hjaelpemidler'"):
            p.set_summary(Q, jc, "hjaelpemidler", "x")  # a code of another codebook
        with pytest.raises(NotFound, match="JC99"):
            p.set_summary(Q, "JC99", "fleksjob", "x")
        empty = next(i for i in p.items(Q, include_empty=True) if i.is_empty)
        with pytest.raises(NotFound, match=empty.respondent):  # no answer: no row
            p.set_summary(Q, empty.respondent, "fleksjob", "x")
        assert p.snapshot() == before


def test_a_readonly_project_refuses_a_summary(demo, english):
    with Project.open(demo, readonly=True) as p:
        jc = first_rows(p)[0]
        with pytest.raises(QualcodeError, match="reading only"):
            p.set_summary(Q, jc, "fleksjob", "x")


# -- undo and redo --------------------------------------------------------------------------


def test_undo_and_redo_across_a_restart(demo):
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        p.set_summary(Q, jc, "fleksjob", "Første")
        p.set_summary(Q, jc, "fleksjob", "Anden")
        p.set_summary(Q, jc, "andet", "Andet tema")
        p.clear_summary(Q, jc, "andet")
    with Project.open(demo, coder="ida") as p:  # a new session: the log drives undo
        change = p.undo("framework")
        assert change is not None and "sletning af resumé af Andet for" in change.text
        assert texts(p)[jc, "andet"] == "Andet tema"
        p.undo("framework")
        assert (jc, "andet") not in texts(p)
        p.undo("framework")
        assert texts(p) == {(jc, "fleksjob"): "Første"}
    with Project.open(demo, coder="ida") as p:
        assert p.redo("framework") is not None
        assert texts(p) == {(jc, "fleksjob"): "Anden"}
        p.undo("framework")
        p.undo("framework")
        assert texts(p) == {}
        assert p.undo("framework") is None  # nothing more of ida's
        assert not p.can_undo("framework") and p.can_redo("framework")


def test_summaries_have_their_own_undo_group(demo):
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        item = p.items(Q, respondent=jc)[0]
        p.set_summary(Q, jc, "fleksjob", "Resumé")
        p.toggle_code(item.id, "andet")
        assert p.undo("framework") is not None  # the summary, not the coding
        assert texts(p) == {} and "andet" in {c.code for c in p.codings(item_id=item.id)}
        p.set_summary(Q, jc, "fleksjob", "Igen")
        assert p.undo("coding") is not None  # the coding, not the summary
        assert "andet" not in {c.code for c in p.codings(item_id=item.id, coder="ida")}
        assert texts(p) == {(jc, "fleksjob"): "Igen"}


def test_undo_never_takes_away_what_another_coder_wrote_since(demo, english):
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        p.set_summary(Q, jc, "fleksjob", "Idas")
    with Project.open(demo, coder="bo") as p:
        p.set_summary(Q, jc, "fleksjob", "Bos")
    with Project.open(demo, coder="ida") as p:
        before = p.snapshot()
        with pytest.raises(QualcodeError, match="bo has changed the summary"):
            p.undo("framework")
        assert p.snapshot() == before and texts(p) == {(jc, "fleksjob"): "Bos"}


def test_an_undo_is_the_newest_word_in_a_merge(demo, tmp_path, clock):
    """Undoing writes the cell again now: a copy holding the undone text (older) does
    not bring it back."""
    copy = tmp_path / "kopi.qualcode.db"
    with Project.open(demo, coder="ida") as p:
        jc = first_rows(p)[0]
        p.set_summary(Q, jc, "fleksjob", "Gammel")
    shutil.copy(demo, copy)
    with Project.open(demo, coder="ida") as p:
        p.set_summary(Q, jc, "fleksjob", "Ny")
        p.undo("framework")
        p.undo("framework")
        assert texts(p) == {}
        report = merge_projects(p, [copy])
        assert texts(p) == {} and not report.changed and report.summaries_kept == 1


# -- the matrix --------------------------------------------------------------------------


def test_the_matrix_has_a_row_per_answering_jobcentre_and_the_codebooks_themes(demo):
    with Project.open(demo) as p:
        m = p.framework(Q)
        answered = {i.respondent for i in p.items(Q)}
        assert [r for r, _ in m.respondents] == sorted(answered)
        assert [c.key for c in m.codes] == p.codebook(Q).keys()
        some = next(iter(p.codings(question=Q)))
        item = p.item(some.item_id)
        cell = m.cell(item.respondent, some.code)
        assert [x.item_id for x in cell.passages] == [item.id]
        assert cell.passages[0].text == item.text.strip() and cell.passages[0].where() == ""
        # --codes: those themes, in the order given, by key or label
        only = p.framework(Q, codes=["andet", "Fleksjob", "andet"])
        assert [c.key for c in only.codes] == ["andet", "fleksjob"]
        with pytest.raises(NotFound):
            p.framework(Q, codes=["hjaelpemidler"])


def test_a_parent_theme_holds_its_childrens_passages_once(demo):
    with Project.open(demo, coder="ida") as p:
        book = p.codebook("interview")
        parent = next(c for c in book if book.children(c.key))
        child = book.children(parent.key)[0]
        item = p.items("interview")[2]
        p.add_coding(item.id, child.key, start=0, end=12)
        p.add_coding(item.id, parent.key, start=0, end=12)  # the same passage again
        p.coder = "bo"
        p.add_coding(item.id, child.key, start=0, end=12)  # and by another coder
        cell = p.framework("interview").cell(item.respondent, parent.key)
        mine = [x for x in cell.passages if (x.item_id, x.start, x.end) == (item.id, 0, 12)]
        assert len(mine) == 1
        assert mine[0].codes == tuple(sorted({parent.key, child.key}))
        assert mine[0].coders == ("bo", "ida")
        assert mine[0].text == item.text[:12].strip()
        assert mine[0].where() == f"uddrag {item.number}, {item.speaker_role}"
        # the child's own column has it too; on one coder's basis only theirs count
        only_bo = p.framework("interview", coder="bo").cell(item.respondent, parent.key)
        assert [(x.item_id, x.coders) for x in only_bo.passages] == [(item.id, ("bo",))]


def test_the_matrix_holds_the_summaries_and_counts_them(demo):
    with Project.open(demo, coder="ida") as p:
        a, b = first_rows(p, 2)
        p.set_summary(Q, a, "fleksjob", "A")
        p.set_summary(Q, b, "andet", "B")
        p.set_summary(Q, b, "fleksjob", "C")
        p.clear_summary(Q, b, "fleksjob")
        m = p.framework(Q)
        assert m.cell(a, "fleksjob").text == "A" and m.cell(b, "andet").text == "B"
        assert m.cell(b, "fleksjob").summary is None
        assert m.summarised == 2
        assert p.framework(Q, codes=["andet"]).summarised == 1


# -- merge --------------------------------------------------------------------------------


@pytest.fixture
def team(demo_db, tmp_path, clock) -> dict[str, Path]:
    """A target and two coders' copies of the demo, and the jobcentres to write about."""
    paths = {name: tmp_path / f"{name}.qualcode.db" for name in ("target", "ane", "bo")}
    for path in paths.values():
        shutil.copy(demo_db, path)
    return paths


def write(path: Path, coder: str, *cells: tuple[str, str, str]) -> None:
    with Project.open(path, coder=coder) as p:
        for rid, code, text in cells:
            if text:
                p.set_summary(Q, rid, code, text)
            else:
                p.clear_summary(Q, rid, code)


def test_summaries_survive_a_merge_and_the_newer_wins(team, clock, english):
    t, ane, bo = team["target"], team["ane"], team["bo"]
    with Project.open(t) as p:
        jc1, jc2, jc3, jc4 = first_rows(p, 4)
    clock.at(9)
    write(t, "ida", (jc1, "fleksjob", "Target, ældst"), (jc2, "fleksjob", "Target, kl. 9"))
    write(bo, "bo", (jc4, "andet", "Bos, ryddes senere"))
    clock.at(10)
    write(ane, "ane", (jc1, "fleksjob", "Ane, nyere"), (jc3, "andet", "Ane alene"))
    write(ane, "ane", (jc4, "andet", "Anes, kl. 10"))
    clock.at(8)
    write(bo, "bo", (jc2, "fleksjob", "Bo, ældre end target"))
    clock.at(11)
    write(bo, "bo", (jc4, "andet", ""))  # bo took it away, after ane wrote hers
    with Project.open(t, coder="ida") as p:
        report = merge_projects(p, [ane, bo])
        assert texts(p) == {
            (jc1, "fleksjob"): "Ane, nyere",
            (jc2, "fleksjob"): "Target, kl. 9",
            (jc3, "andet"): "Ane alene",
        }
        assert p.summary(Q, jc1, "fleksjob").author == "ane"
        assert p.summary(Q, jc1, "fleksjob").at.startswith("2019-03-01T10:")
        assert (report.summaries_added, report.summaries_replaced) == (2, 1)
        assert (report.summaries_cleared, report.summaries_kept) == (1, 1)
        described = report.describe()
        assert "2 summaries added" in described and "1 summary replaced" in described
        assert "1 older summary in the copies was not taken" in described
        event = p.events(1)[0]
        assert event["action"] == "merge" and event["payload"]["summaries_added"] == 2
        # what the merge replaced or took away stays in its event
        before = {tuple(r[:4]) for r in event["payload"]["summaries_before"]}
        assert before == {(Q, jc1, "fleksjob", "Target, ældst"), (Q, jc4, "andet", "Anes, kl. 10")}
        # merging again changes nothing, and logs nothing
        snap = p.snapshot()
        again = merge_projects(p, [ane, bo])
        assert not again.changed and p.snapshot() == snap


def test_a_merge_in_the_other_order_ends_the_same(team, clock):
    t, ane, bo = team["target"], team["ane"], team["bo"]
    with Project.open(t) as p:
        jc1 = first_rows(p, 1)[0]
    clock.at(9)
    write(ane, "ane", (jc1, "fleksjob", "Ane kl. 9"))
    clock.at(10)
    write(bo, "bo", (jc1, "fleksjob", "Bo kl. 10"))
    clock.at(12)
    shutil.copy(t, team["target"].with_name("other.qualcode.db"))
    other = team["target"].with_name("other.qualcode.db")
    with Project.open(t) as p:
        merge_projects(p, [ane, bo])
        one = texts(p)
    with Project.open(other) as p:
        merge_projects(p, [bo, ane])
        assert texts(p) == one == {(jc1, "fleksjob"): "Bo kl. 10"}


def test_a_summary_the_target_cannot_place_is_reported(team, clock, english):
    t, ane = team["target"], team["ane"]
    with Project.open(ane, coder="ane") as p:
        jc1 = first_rows(p, 1)[0]
        p.set_summary(Q, jc1, "fleksjob", "Om fleksjob")
        p.add_code(p.codebook(Q).stem, "Nyt tema", key="nyt-tema")
        p.set_summary(Q, jc1, "nyt-tema", "Om det nye tema")
    with Project.open(t) as p:
        report = merge_projects(p, [ane])
        assert texts(p) == {(jc1, "fleksjob"): "Om fleksjob"}
        [problem] = [u for u in report.unmatched if u.what == "code"]
        assert problem.summaries == 1 and "nyt-tema" in problem.key
        assert "1 summary not merged" in str(problem)


def test_a_dry_run_writes_no_summary(team, clock):
    t, ane = team["target"], team["ane"]
    with Project.open(ane) as p:
        jc1 = first_rows(p, 1)[0]
    write(ane, "ane", (jc1, "fleksjob", "Om fleksjob"))
    with Project.open(t) as p:
        report = merge_projects(p, [ane], dry_run=True)
        assert report.summaries_added == 1 and texts(p) == {}


def test_the_cli_merge_says_how_many_summaries(team, clock, english):

    t, ane = team["target"], team["ane"]
    with Project.open(ane) as p:
        jc1 = first_rows(p, 1)[0]
    write(ane, "ane", (jc1, "fleksjob", "Om fleksjob"))
    result = run("merge", t, ane)
    assert result.exit_code == 0, result.output
    assert "1 summary added" in result.output


def test_a_source_from_the_first_release_has_no_summaries(team, tmp_path):
    """A copy from before summaries is read through an upgraded copy in memory: it merges,
    bringing none, and stays as it was."""

    old = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(SCHEMA1, old)
    target = tmp_path / "ny.qualcode.db"
    shutil.copyfile(SCHEMA1, target)
    with Project.open(target, coder="ida") as p:  # upgraded: it can hold summaries
        jc = first_rows(p, 1)[0]
        p.set_summary(Q, jc, "fleksjob", "Efter opgraderingen")
    data = old.read_bytes()
    result = run("merge", target, old)
    assert result.exit_code == 0, result.output
    assert old.read_bytes() == data
    with Project.open(target) as p:
        assert texts(p) == {(jc, "fleksjob"): "Efter opgraderingen"}


# -- an older project ----------------------------------------------------------------------


def test_an_old_project_is_upgraded_and_takes_summaries(tmp_path):
    old = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(SCHEMA1, old)
    conn = sqlite3.connect(old)
    assert "summaries" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    with Project.open(old, readonly=True) as p:  # read as it is: upgraded in memory only
        assert p.summaries(Q) == [] and p.framework(Q).summarised == 0
    conn = sqlite3.connect(old)
    assert "summaries" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    with Project.open(old, coder="mette") as p:
        jc = first_rows(p, 1)[0]
        assert p.set_summary(Q, jc, "fleksjob", "Opgraderet")
        assert p.undo("framework") is not None and p.summaries(Q) == []
        assert p.redo("framework") is not None
    with Project.open(old, coder="mette") as p:
        assert texts(p) == {(jc, "fleksjob"): "Opgraderet"}
        assert p.db.execute("PRAGMA foreign_key_check").fetchall() == []


# -- REFI-QDA ------------------------------------------------------------------------------


def test_summaries_round_trip_through_qdpx(demo, tmp_path, english):
    with Project.open(demo, coder="ida") as p:
        jc1, jc2 = first_rows(p, 2)
        p.set_summary(Q, jc1, "fleksjob", "Om fleksjob\nto linjer")
        p.set_summary(Q, jc2, "andet", "Andet 😀")
        p.set_summary(Q, jc2, "fleksjob", "Væk")
        p.clear_summary(Q, jc2, "fleksjob")
        before = sorted(
            (s.question, s.respondent, s.code, s.text, s.author, s.at) for s in p.summaries(Q)
        )
    out = tmp_path / "projekt.qdpx"
    assert run("export", "qdpx", demo, "-o", out).exit_code == 0
    back = tmp_path / "tilbage.qualcode.db"
    result = run("import", "qdpx", back, out)
    assert result.exit_code == 0, result.output
    assert "2 framework summaries new" in result.output
    with Project.open(back) as p:
        after = sorted(
            (s.question, s.respondent, s.code, s.text, s.author, s.at) for s in p.summaries(Q)
        )
    assert after == before
    again = run("import", "qdpx", back, out)  # importing again changes nothing
    assert again.exit_code == 0 and "framework summaries" not in again.output


def test_a_project_without_summaries_exports_no_summary_hint(demo_db, tmp_path):
    import zipfile

    out = tmp_path / "demo.qdpx"
    assert run("export", "qdpx", demo_db, "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as z:
        assert b'"summaries"' not in z.read("project.qde")
