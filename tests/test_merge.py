"""Merging coders' copies of a project (issue 6, part 3): the union of the codings, never a
duplicate, never a silent loss, what cannot be matched reported; all or nothing, and
merging again changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, snapshot, write_csv
from qualcode.core.merge import MergeRefused, merge_projects
from qualcode.core.project import Project
from qualcode.errors import QualcodeError

# the module is about the wording of English messages: read in English
pytestmark = pytest.mark.usefixtures("english")

CODING_SQL = (
    "SELECT i.question_id, i.respondent_id, i.position, k.key, c.coder, c.start,"
    ' c."end" FROM codings c JOIN items i ON i.id = c.item_id'
    " JOIN codes k ON k.id = c.code_id"
)


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def coding_rows(path: Path) -> list[tuple]:
    """Every coding as (question, respondent, position, code, coder, start, end)."""
    conn = read_only(path)
    try:
        return conn.execute(CODING_SQL).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def drop_guld(project: Project, respondents: set[str]) -> None:
    for c in project.codings(coder="guld"):
        if project.item(c.item_id).respondent in respondents:
            project.remove_coding(c.id)


@pytest.fixture(scope="module")
def made_copies(demo_db, tmp_path_factory) -> dict[str, Path]:
    """Three copies of the demo: the target holds guld's codings for the second half of the
    jobcentres; coder A's copy for the first half, plus ane's codings, star and memos; coder
    B's copy all of guld's plus bo's codings, a star on a guld coding and memos. Made once;
    each test gets its own copies of them (:func:`copies`)."""
    folder = tmp_path_factory.mktemp("copies")
    paths = {name: folder / f"{name}.qualcode.db" for name in ("target", "a", "b")}
    for path in paths.values():
        shutil.copy(demo_db, path)
    with Project.open(paths["target"]) as t:
        rids = sorted(r.id for r in t.respondents())
        first, second = set(rids[: len(rids) // 2]), set(rids[len(rids) // 2 :])
        drop_guld(t, first)
    with Project.open(paths["a"], coder="ane") as a:
        drop_guld(a, second)
        for item in a.items("strategier")[:6]:
            a.add_coding(item.id, "fleksjob")
        excerpt = a.items("interview")[0]
        span = a.add_coding(excerpt.id, "saerlige-tilgange", start=0, end=40, memo="godt citat")
        a.star(span.id)
        a.add_memo("item", excerpt.id, "Spørg til dette i næste runde")
        a.add_memo("coding", span.id, "Brug i afsnit 4.2")
    with Project.open(paths["b"], coder="bo") as b:
        for item in b.items("strategier")[3:9]:  # overlaps ane's items: another coder
            b.add_coding(item.id, "fleksjob")
        for item in b.items("udfordringer-fysiske")[:4]:
            b.add_coding(item.id, b.codebook("udfordringer-fysiske").keys()[0])
        guld_second = next(
            c for c in b.codings(coder="guld") if b.item(c.item_id).respondent in second
        )
        b.star(guld_second.id)
        b.add_memo("project", None, "Bo har kodet fysiske udfordringer")
        b.add_memo("item", b.items("interview")[0].id, "Spørg til dette i næste runde")
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths.values())
    return paths


@pytest.fixture
def copies(made_copies, tmp_path) -> dict[str, Path]:
    """This test's own copies of :func:`made_copies` (closed files, nothing beside them)."""
    paths = {name: tmp_path / path.name for name, path in made_copies.items()}
    for name, path in paths.items():
        shutil.copy(made_copies[name], path)
    return paths


def merged(paths: dict[str, Path], *sources: str, **options):
    with Project.open(paths["target"]) as t:
        return merge_projects(t, [paths[s] for s in sources], **options)


def test_merge_brings_in_the_union_of_the_codings(copies):
    before = {name: coding_rows(path) for name, path in copies.items()}
    union = set().union(*before.values())
    report = merged(copies, "a", "b")
    after = coding_rows(copies["target"])
    assert set(after) == union
    assert len(after) == len(union), "no coding twice"
    assert report.codings_added == len(union) - len(before["target"])
    assert report.codings_present == len(before["a"]) + len(before["b"]) - report.codings_added
    assert report.unmatched == [] and report.changed
    assert {r[4] for r in after} == {"guld", "ane", "bo"}


def test_merged_codings_keep_coder_time_memo_and_star(copies):
    with Project.open(copies["a"]) as a:
        (span,) = [c for c in a.codings(coder="ane") if c.start is not None]
    report = merged(copies, "a", "b")
    assert report.stars_added == 1  # bo's star on a guld coding the target had already
    with Project.open(copies["target"]) as t:
        (got,) = [c for c in t.codings(coder="ane") if c.start is not None]
        assert (got.code, got.start, got.end, got.created_at, got.memo) == (
            span.code,
            span.start,
            span.end,
            span.created_at,
            "godt citat",
        )
        assert t.is_starred(got.id)
        assert sum(t.is_starred(c.id) for c in t.codings(coder="guld")) == 1


def test_memos_come_along_on_the_matching_targets(copies):
    report = merged(copies, "a", "b")
    assert report.memos_added == 4  # ane's item and coding memo, bo's project and item memo
    with Project.open(copies["target"]) as t:
        excerpt = t.items("interview")[0]
        on_item = t.memos("item", excerpt.id)
        assert sorted((m.author, m.text) for m in on_item) == [
            ("ane", "Spørg til dette i næste runde"),
            ("bo", "Spørg til dette i næste runde"),
        ]
        (coding_memo,) = t.memos("coding")
        coding = t.coding(int(coding_memo.target_id))
        assert (coding.coder, coding.item_id, coding.start) == ("ane", excerpt.id, 0)
        assert coding_memo.text == "Brug i afsnit 4.2" and coding_memo.author == "ane"
        (project_memo,) = t.memos("project")
        assert project_memo.author == "bo"


def test_merging_again_changes_nothing_and_logs_nothing(copies):
    first = merged(copies, "a", "b")
    before = snapshot(copies["target"])
    again = merged(copies, "a", "b")
    assert not again.changed
    assert (again.codings_added, again.memos_added, again.stars_added) == (0, 0, 0)
    assert again.codings_present == first.codings_present + first.codings_added
    assert again.memos_present == first.memos_added
    assert snapshot(copies["target"]) == before


def test_one_merge_event_with_counts_and_sources(copies):
    with Project.open(copies["target"]) as t:
        n_before = len(t.events())
    report = merged(copies, "a", "b")
    with Project.open(copies["target"]) as t:
        events = t.events()
    assert len(events) == n_before + 1
    (event,) = [e for e in events if e["action"] == "merge"]
    assert event["payload"]["sources"] == [str(copies["a"]), str(copies["b"])]
    assert event["payload"]["codings_added"] == report.codings_added
    assert event["payload"]["memos_added"] == 4


def test_the_same_source_twice_in_one_merge_adds_once(copies):
    target, source = set(coding_rows(copies["target"])), set(coding_rows(copies["a"]))
    report = merged(copies, "a", "a")
    assert report.codings_added == len(source - target)
    assert report.codings_present == len(source & target) + len(source)
    after = coding_rows(copies["target"])
    assert set(after) == source | target and len(after) == len(set(after))


def test_sources_are_only_read(copies):
    before = {s: (digest(copies[s]), snapshot(copies[s])) for s in ("a", "b")}
    merged(copies, "a", "b")
    for s in ("a", "b"):
        assert digest(copies[s]) == before[s][0]
        assert snapshot(copies[s]) == before[s][1]


# -- what cannot be matched -------------------------------------------------------


def change_text(path: Path, question: str, index: int = 0) -> int:
    with Project.open(path) as p:
        item = p.items(question)[index]
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE items SET text = text || ' (rettet)' WHERE id = ?", [item.id])
    conn.close()
    return item.id


def test_an_item_whose_text_differs_is_reported_and_not_written(copies):
    item_id = change_text(copies["a"], "strategier", 0)  # ane coded it with fleksjob
    with Project.open(copies["a"]) as a:
        on_it = len(a.codings(item_id=item_id))
        respondent = a.item(item_id).respondent
    with Project.open(copies["target"]) as t:
        target_text = t.items("strategier", respondent=respondent)[0].text
    report = merged(copies, "a")
    (problem,) = report.unmatched
    assert (problem.what, problem.key, problem.codings) == (
        "item",
        f"strategier/{respondent}",
        on_it,
    )
    assert "text differs" in problem.reason
    assert report.codings_unmatched == on_it
    with Project.open(copies["target"]) as t:
        (item,) = t.items("strategier", respondent=respondent)
        assert item.text == target_text
        assert not [c for c in t.codings(item_id=item.id) if c.coder == "ane"]
    assert report.codings_added > 0  # the rest was merged


def test_a_code_the_target_lacks_is_reported_not_added(copies):
    with Project.open(copies["a"], coder="ane") as a:
        a.add_code("lokalpolitiske-strategier", "Ny kode", key="ny-kode")
        for item in a.items("strategier")[:3]:
            a.add_coding(item.id, "ny-kode")
    with Project.open(copies["target"]) as t:
        codes_before = t.snapshot()["codes"]
    report = merged(copies, "a")
    (problem,) = report.unmatched
    assert (problem.what, problem.key, problem.codings) == (
        "code",
        "lokalpolitiske-strategier:ny-kode",
        3,
    )
    assert "a.qualcode.db: code lokalpolitiske-strategier:ny-kode" in str(problem)
    assert snapshot(copies["target"])["codes"] == codes_before


def test_respondents_and_questions_the_target_lacks_are_reported(copies, tmp_path):
    from qualcode.io.answers import read_answers

    csv_file = write_csv(
        tmp_path / "ekstra.csv",
        [
            ["jobcenter_id", "svar", "nyt"],
            ["JC99", "Vi har fokus på fleksjob.", "Samarbejde med virksomheder."],
            ["JC01", "", "Vi samarbejder med de faglige organisationer."],
        ],
    )
    with Project.open(copies["b"], coder="bo") as b:
        # JC99 is new; 'nyt' is a question the target does not have
        b.import_answers(
            read_answers(
                str(csv_file),
                respondent_col="jobcenter_id",
                text_cols=["svar", "nyt"],
                questions=["ekstra", "nyt"],
                codebooks=["lokalpolitiske-strategier", "eksterne-aktoerer"],
                project=b,
            )
        )
        for qid in ("ekstra", "nyt"):
            for item in b.items(qid):
                b.add_coding(item.id, b.codebook(qid).keys()[0])
        b.add_memo("respondent", "JC99", "Nyt jobcenter")
    before = snapshot(copies["target"])
    report = merged(copies, "b")
    found = {(u.what, u.key): u for u in report.unmatched}
    assert set(found) == {("question", "ekstra"), ("question", "nyt"), ("respondent", "JC99")}
    assert found[("question", "nyt")].codings == 2
    assert found[("respondent", "JC99")].memos == 1
    after = snapshot(copies["target"])
    for table in ("respondents", "attributes", "questions", "items", "codes", "codebooks"):
        assert after[table] == before[table], table


def test_a_question_bound_to_another_codebook_is_reported(copies):
    with Project.open(copies["a"], coder="ane") as a:
        a.add_coding(
            a.items("udfordringer-fysiske")[0].id, a.codebook("udfordringer-fysiske").keys()[0]
        )
    conn = sqlite3.connect(copies["a"])
    with conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(
            "UPDATE questions SET codebook_id = 'udfordringer-psykiske'"
            " WHERE id = 'udfordringer-fysiske'"
        )
    conn.close()
    report = merged(copies, "a")
    (problem,) = report.unmatched
    assert (problem.what, problem.key) == ("question", "udfordringer-fysiske")
    assert "codebook 'udfordringer-psykiske'" in problem.reason
    assert problem.codings >= 1


def test_the_report_lists_the_first_few_and_counts_the_rest(copies):
    with Project.open(copies["a"], coder="ane") as a:
        ids = [i.id for i in a.items("strategier")[:8]]
        for item_id in ids:
            a.add_coding(item_id, "andet")
    conn = sqlite3.connect(copies["a"])
    with conn:
        conn.executemany("UPDATE items SET text = text || '!' WHERE id = ?", [[i] for i in ids])
    conn.close()
    report = merged(copies, "a")
    assert len(report.unmatched) == 8
    text = report.describe(limit=5)
    assert "… and 3 more" in text
    assert text.count("text differs") == 5


def test_a_conflicting_memo_on_a_coding_keeps_the_targets(copies):
    with Project.open(copies["a"], coder="ane") as a:
        item = a.items("strategier")[10]
        a.add_coding(item.id, "andet", memo="ane's note")
    shutil.copy(copies["a"], copies["b"])
    conn = sqlite3.connect(copies["b"])
    with conn:
        conn.execute("UPDATE codings SET memo = 'changed' WHERE memo = 'ane''s note'")
    conn.close()
    report = merged(copies, "a", "b")
    (problem,) = report.unmatched
    assert problem.what == "coding" and "memo differs" in problem.reason
    with Project.open(copies["target"]) as t:
        assert [c.memo for c in t.codings(coder="ane") if c.code == "andet"] == ["ane's note"]


# -- refused sources, all or nothing ---------------------------------------------------


@pytest.fixture
def bad_sources(tmp_path) -> list[tuple[str, Path]]:
    """(what the error says, a file that is not a qualcode project)"""
    text = tmp_path / "noter.txt"
    text.write_text("ikke et projekt\n", encoding="utf-8")
    other = tmp_path / "andet.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE foo (x)")
    conn.close()
    empty = tmp_path / "tom.db"
    empty.write_bytes(b"")
    folder = tmp_path / "mappe.db"
    folder.mkdir()
    return [
        ("not an SQLite file", text),
        ("other tables", other),
        ("is empty, not a qualcode project", empty),
        ("folder", folder),
        ("no such project file", tmp_path / "findes-ikke.db"),
    ]


def test_a_source_that_is_not_a_project_is_refused_and_nothing_is_written(copies, bad_sources):
    before = snapshot(copies["target"])
    for needle, bad in bad_sources:
        with Project.open(copies["target"]) as t, pytest.raises(QualcodeError) as err:
            merge_projects(t, [copies["a"], bad])  # a good source first: still nothing written
        assert needle in str(err.value) and str(bad) in str(err.value)
        assert "\n" not in str(err.value)
    assert snapshot(copies["target"]) == before


def test_the_target_itself_is_refused(copies, tmp_path):
    link = tmp_path / "samme.db"
    link.symlink_to(copies["target"])
    before = snapshot(copies["target"])
    for same in (copies["target"], link, copies["target"].parent / "." / "target.qualcode.db"):
        with (
            Project.open(copies["target"]) as t,
            pytest.raises(QualcodeError, match="target project itself"),
        ):
            merge_projects(t, [same])
    assert snapshot(copies["target"]) == before


def test_a_source_from_a_newer_qualcode_is_refused(copies):
    conn = sqlite3.connect(copies["a"])
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('qualcode', 'm999_future', '2030-01-01')"
        )
    conn.close()
    with Project.open(copies["target"]) as t, pytest.raises(QualcodeError, match="newer"):
        merge_projects(t, [copies["a"]])


def test_a_source_from_before_stars_is_merged(copies):
    conn = sqlite3.connect(copies["a"])
    with conn:
        conn.execute("DROP INDEX events_actor")
        # the views and the index of later migrations read 'starred'; a file from before
        # stars had none
        for view in ("quotes", "codings_readable", "starred_quotes", "coded_passages"):
            conn.execute(f"DROP VIEW {view}")
        conn.execute("DROP INDEX codings_starred")
        conn.execute("ALTER TABLE codings DROP COLUMN starred")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_quote_stars'")
    conn.close()
    report = merged(copies, "a")
    assert report.codings_added > 0 and report.stars_added == 0


def test_an_error_midway_leaves_the_target_as_it_was(copies, monkeypatch):
    from qualcode.core import merge as merge_module

    original = merge_module._Merger.merge
    calls = []

    def merge_then_fail(self, source):
        original(self, source)
        calls.append(source.name)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(merge_module._Merger, "merge", merge_then_fail)
    before = snapshot(copies["target"])
    with Project.open(copies["target"]) as t, pytest.raises(RuntimeError):
        merge_projects(t, [copies["a"], copies["b"]])
    assert len(calls) == 2
    assert snapshot(copies["target"]) == before


def test_strict_refuses_when_anything_is_unmatched(copies):
    change_text(copies["a"], "strategier", 0)
    before = snapshot(copies["target"])
    with Project.open(copies["target"]) as t, pytest.raises(MergeRefused) as err:
        merge_projects(t, [copies["a"], copies["b"]], strict=True)
    assert len(err.value.report.unmatched) == 1
    assert snapshot(copies["target"]) == before


def test_dry_run_reports_and_writes_nothing(copies):
    before = snapshot(copies["target"])
    dry = merged(copies, "a", "b", dry_run=True)
    assert snapshot(copies["target"]) == before
    real = merged(copies, "a", "b")
    assert (dry.codings_added, dry.memos_added, dry.stars_added) == (
        real.codings_added,
        real.memos_added,
        real.stars_added,
    )
    assert "dry run" in dry.describe()


# -- the command -------------------------------------------------------------------


def test_cli_merges_and_says_what_it_did(copies):
    union = set().union(*(coding_rows(p) for p in copies.values()))
    result = run("merge", copies["target"], copies["a"], copies["b"])
    assert result.exit_code == 0, result.output
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith(f"merged {copies['a']}, {copies['b']} into {copies['target']}")
    assert "4 memos added" in first_line
    assert set(coding_rows(copies["target"])) == union
    again = run("merge", copies["target"], copies["a"], copies["b"])
    assert again.exit_code == 0
    assert "nothing new" in again.stdout


def test_cli_lists_what_could_not_be_matched(copies):
    change_text(copies["a"], "strategier", 0)
    result = run("merge", copies["target"], copies["a"])
    assert result.exit_code == 0
    assert "could not be matched (1;" in result.stdout
    assert "text differs" in result.stdout


def test_cli_strict_with_unmatched_exits_1_and_writes_nothing(copies):
    change_text(copies["a"], "strategier", 0)
    before = snapshot(copies["target"])
    result = run("merge", copies["target"], copies["a"], copies["b"], "--strict")
    assert_one_line_error(result, "--strict", "text differs", "nothing was merged")
    assert snapshot(copies["target"]) == before
    ok = run("merge", copies["target"], copies["b"], "--strict")
    assert ok.exit_code == 0 and "merged" in ok.stdout


def test_cli_dry_run(copies):
    before = snapshot(copies["target"])
    result = run("merge", copies["target"], copies["a"], "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("would merge") and "dry run: nothing was written" in (
        result.stdout
    )
    assert snapshot(copies["target"]) == before


def test_cli_refuses_a_source_that_is_not_a_project(copies, bad_sources):
    before = snapshot(copies["target"])
    bad = bad_sources[0][1]
    result = run("merge", copies["target"], copies["a"], bad)
    assert_one_line_error(result, str(bad), "not a qualcode project")
    result = run("merge", copies["target"], copies["target"])
    assert_one_line_error(result, "target project itself")
    result = run("merge", copies["target"].parent / "ingen.db", copies["a"])
    assert_one_line_error(result, "ingen.db", "no such project file")
    assert snapshot(copies["target"]) == before


def test_cli_needs_a_source(copies):
    result = run("merge", copies["target"])
    assert result.exit_code == 2


def test_accepted_and_rejected_suggestions_come_along(copies):
    """A coder's verdicts on suggestions travel with the merge: the coding keeps its origin,
    and a rejection reaches the target, where the next training learns from it."""
    with Project.open(copies["a"], coder="ane") as a:
        items = a.items("udfordringer-psykiske")
        a.accept_suggestion(items[0].id, "motivation", source="model", score=0.8)
        a.reject_suggestion(items[1].id, "match", source="rule", score=0.4)
    report = merged(copies, "a")
    assert report.verdicts_added == 2 and "2 suggestion verdicts added" in report.describe()
    with Project.open(copies["target"]) as t:
        items = t.items("udfordringer-psykiske")
        (accepted,) = [
            c for c in t.codings(item_id=items[0].id, coder="ane") if c.code == "motivation"
        ]
        assert accepted.origin == "model"
        assert t.verdicts("udfordringer-psykiske") == [
            (items[0].id, "motivation", "ane", "accepted", "model"),
            (items[1].id, "match", "ane", "rejected", "rule"),
        ]
    assert merged(copies, "a").verdicts_added == 0  # idempotent
