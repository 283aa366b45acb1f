"""The fast import paths (issue 7): batched respondent upserts, answers and codings written
in batches of 500 with INSERT OR IGNORE, the CSV reader's shortcuts, and the paused
garbage collector. Each is checked against what the row-by-row code did."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, snapshot, write_csv
from qualcode.core.checks import gc_paused
from qualcode.core.importer import Writer
from qualcode.core.project import Project
from qualcode.errors import ImportError_
from qualcode.io.answers import read_answers
from qualcode.io.codings import read_codings
from qualcode.io.tabular import MAX_CELL_CHARS, _lines, decode_text, read_table
from qualcode.models import ImportSummary
from qualcode.store import db as store

REGIONS = ["Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland"]


def upsert_one_by_one(
    project: Project, rid: str, name: str, attrs: dict[str, str], summary: ImportSummary
) -> None:
    """The upsert as it was before it was batched: one SELECT per respondent and attribute."""
    row = project.db.execute("SELECT name FROM respondents WHERE id = ?", [rid]).fetchone()
    if row is None:
        project.db.execute(
            "INSERT INTO respondents (id, name, created_at) VALUES (?,?,?)",
            [rid, name, store.now()],
        )
        summary.respondents_added += 1
    elif name and row[0] != name:
        project.db.execute("UPDATE respondents SET name = ? WHERE id = ?", [name, rid])
        summary.attributes_changed += 1
    for key, value in attrs.items():
        old = project.db.execute(
            "SELECT value FROM attributes WHERE respondent_id = ? AND name = ?", [rid, key]
        ).fetchone()
        if old is None or old[0] != value:
            project.db.execute(
                "INSERT OR REPLACE INTO attributes (respondent_id, name, value) VALUES (?,?,?)",
                [rid, key, value],
            )
            summary.attributes_changed += 1


def respondent_state(project: Project) -> tuple[list, list]:
    """Respondents (without the timestamp) and attributes in rowid order: a changed
    attribute is rewritten (REPLACE), which moves it to the end of respondent().attributes."""
    return (
        project.db.execute("SELECT id, name FROM respondents ORDER BY id").fetchall(),
        project.db.execute(
            "SELECT rowid, respondent_id, name, value FROM attributes ORDER BY rowid"
        ).fetchall(),
    )


def seeded(path: Path) -> Project:
    """600 respondents already in the project, with names and two attributes each."""
    project = Project.open(path, create=True)
    summary = ImportSummary(file="seed")
    with project.transaction():
        for n in range(600):
            upsert_one_by_one(
                project,
                f"JC{n:04d}",
                f"Jobcenter {n} Ådalen",
                {"region": REGIONS[n % 5], "størrelse": "stor"},
                summary,
            )
    return project


def test_batched_upsert_does_what_one_upsert_per_row_did(tmp_path):
    rows = []
    for n in range(0, 1300, 2):  # 650 ids: half already there (two chunks of 500 looked up)
        rid = f"JC{n:04d}"
        if n % 4 == 0:  # the same name and attributes: nothing changes
            rows.append(
                (rid, f"Jobcenter {n} Ådalen", {"region": REGIONS[n % 5], "størrelse": "stor"})
            )
        elif n % 3 == 0:  # a new name, no name (kept), a changed and a new attribute
            rows.append((rid, f"Jobcenter {n} Østerå", {"region": "Færøerne", "ny": "ja"}))
        else:
            rows.append((rid, "", {"størrelse": "lille"}))
    rows += [
        ("JC0002", "Jobcenter Æblerød", {"region": "Bornholm"}),  # again in one batch
        ("JC9999", "", {}),
        ("JC9999", "Nyt navn", {"region": "Sjælland"}),
        ("JC0004", "", {"region": REGIONS[4 % 5]}),
    ]  # repeated: unchanged

    batched, reference = seeded(tmp_path / "a.db"), seeded(tmp_path / "b.db")
    got, want = ImportSummary(file="x"), ImportSummary(file="x")
    with batched.transaction():
        Writer(batched, got).upsert_respondents(rows)
    with reference.transaction():
        for rid, name, attrs in rows:
            upsert_one_by_one(reference, rid, name, attrs, want)

    assert respondent_state(batched) == respondent_state(reference)
    assert (got.respondents_added, got.attributes_changed) == (
        want.respondents_added,
        want.attributes_changed,
    )
    assert got.respondents_added == 351  # JC0600, JC0602, ..., JC1298 and JC9999
    assert batched.respondent("JC0006").name == "Jobcenter 6 Østerå"
    assert batched.respondent("JC0002").attributes == {"størrelse": "lille", "region": "Bornholm"}
    assert batched.respondent("JC9999").name == "Nyt navn"


@pytest.mark.parametrize(
    "rows",
    [
        # all new, each once: written without comparing
        [
            (f"JC{n}", f"Jobcenter {n} Øst" if n % 2 else "", {"region": REGIONS[n % 5]})
            for n in range(2000, 2700)
        ],
        # all new, one twice: the second is compared with the first
        [
            ("JC2000", "Ny", {"region": "Sjælland"}),
            ("JC2001", "", {}),
            ("JC2000", "Nyere", {"region": "Sjælland", "størrelse": "lille"}),
        ],
    ],
    ids=["all-new", "new-twice"],
)
def test_batched_upsert_of_new_respondents(tmp_path, rows):
    batched, reference = seeded(tmp_path / "a.db"), seeded(tmp_path / "b.db")
    got, want = ImportSummary(file="x"), ImportSummary(file="x")
    with batched.transaction():
        Writer(batched, got).upsert_respondents(rows)
    with reference.transaction():
        for rid, name, attrs in rows:
            upsert_one_by_one(reference, rid, name, attrs, want)
    assert respondent_state(batched) == respondent_state(reference)
    assert (got.respondents_added, got.attributes_changed) == (
        want.respondents_added,
        want.attributes_changed,
    )


def test_single_upsert_still_works_for_the_other_importers(tmp_path):
    project = seeded(tmp_path / "p.db")
    summary = ImportSummary(file="x")
    with project.transaction():
        Writer(project, summary).upsert_respondents([("JC0001", "", {"region": "Bornholm"})])
        Writer(project, summary).upsert_respondents([("JC7777", "Jobcenter Ø", {})])
    assert (summary.respondents_added, summary.attributes_changed) == (1, 1)
    assert project.respondent("JC0001").attributes == {"størrelse": "stor", "region": "Bornholm"}


# -- answers in batches ----------------------------------------------------------------


def _answers_file(path: Path, n: int, *, changed: int | None = None) -> Path:
    rows = [["jobcenter_id", "svar", "andet", "region"]]
    for i in range(n):
        text = "" if i % 7 == 0 else f"Svar {i}: fleksjob og hjælpemidler på tværs."
        if i == changed:
            text = "Et helt andet svar om kanten."
        rows.append([f"R{i:05d}", text, f"Andet {i} æøå", REGIONS[i % 5]])
    return write_csv(path, rows, delimiter=";", encoding="cp1252")


def _read(path: Path, project: Project | None = None):
    return read_answers(
        str(path),
        respondent_col="jobcenter_id",
        text_cols=["svar", "andet"],
        questions=["strategier", "andet"],
        codebooks=["lokalpolitiske-strategier"],
        attr_cols=["region"],
        project=project,
    )


def test_answers_are_written_in_batches_in_file_order(tmp_path):
    path = _answers_file(tmp_path / "svar.csv", 1203)
    calls = []
    with Project.open(tmp_path / "p.db", create=True) as p:
        summary = p.import_answers(_read(path), progress=lambda d, t: calls.append((d, t)))
        assert calls == [(500, 1203), (1000, 1203), (1203, 1203)]
        assert summary.respondents_added == 1203 and summary.attributes_changed == 1203
        assert summary.items_added == 2406 and summary.items_empty == 172  # every 7th
        rows = p.db.execute(
            "SELECT question_id, respondent_id, text, is_empty, source FROM items ORDER BY id"
        ).fetchall()
        assert rows[:3] == [
            ("strategier", "R00000", "", 1, str(path)),
            ("andet", "R00000", "Andet 0 æøå", 0, str(path)),
            ("strategier", "R00001", "Svar 1: fleksjob og hjælpemidler på tværs.", 0, str(path)),
        ]
        assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # row by row, as read
        assert p.respondent("R01202").attributes == {"region": REGIONS[1202 % 5]}
        logged = [e for e in p.events() if e["action"] == "import.answers"]
        assert logged[0]["payload"]["summary"]["items_added"] == 2406
        again = p.import_answers(_read(path, p))
        assert not again.changed and again.items_added == 0


def test_a_conflict_in_a_later_batch_leaves_the_project_as_it_was(tmp_path, english):
    project_path = tmp_path / "p.db"
    with Project.open(project_path, create=True) as p:
        p.import_answers(_read(_answers_file(tmp_path / "svar.csv", 1203)))
    before = snapshot(project_path)
    changed = _answers_file(tmp_path / "ændret.csv", 1300, changed=1100)
    with Project.open(project_path) as p, pytest.raises(ImportError_) as err:
        p.import_answers(_read(changed, p))
    assert "row 1102" in str(err.value) and "column 'svar'" in str(err.value)
    assert snapshot(project_path) == before  # not the 97 new rows, nor batches 1 and 2
    result = run(
        "import",
        "answers",
        project_path,
        changed,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--text-col",
        "andet",
        "--question",
        "strategier",
        "--question",
        "andet",
        "--codebook",
        "lokalpolitiske-strategier",
        "--attr-col",
        "region",
    )
    assert_one_line_error(result, str(changed), "row 1102", "R01100", "different answer")
    assert snapshot(project_path) == before


# -- codings in batches ----------------------------------------------------------------


@pytest.fixture
def coded(tmp_path):
    """Two questions answered by 700 respondents (every 7th left 'strategier' empty);
    'strategier' of ten of them already coded by ane."""
    path = _answers_file(tmp_path / "svar.csv", 700)
    p = Project.open(tmp_path / "p.db", create=True)
    p.import_answers(
        read_answers(
            str(path),
            respondent_col="jobcenter_id",
            text_cols=["svar", "andet"],
            questions=["strategier", "andet"],
            codebooks=["lokalpolitiske-strategier", "eksterne-aktoerer"],
        )
    )
    first = write_csv(
        tmp_path / "første.csv",
        [["respondent", "question", "code"]]
        + [[f"R{i:05d}", "strategier", "borgere-paa-kanten"] for i in range(1, 12) if i % 7],
    )
    rows, table = read_codings(str(first), default_coder="ane")
    p.import_codings(rows, file=table.file, sha256=table.sha256)
    yield p
    p.close()


def test_codings_in_batches_count_what_was_there_and_what_the_file_repeats(coded, tmp_path):
    rows = [["respondent", "question", "code", "coder"]]
    rows += [[f"R{i:05d}", "strategier", "borgere-paa-kanten", ""] for i in range(1, 12) if i % 7]
    rows += [["R00001", "andet", "jobformidling", ""]]  # the first coding added
    rows += [[f"R{i:05d}", "strategier", "beskaeftigelsesplan", ""] for i in range(1, 700) if i % 7]
    rows += [
        ["R00001", "andet", "jobformidling", ""],  # repeated in the file
        ["R00001", "andet", "jobformidling", "bo"],
    ]  # another coder: a coding of its own
    path = write_csv(tmp_path / "kodninger.csv", rows)
    parsed, table = read_codings(str(path), default_coder="ane")
    calls = []
    summary = coded.import_codings(
        parsed, file=table.file, sha256=table.sha256, progress=lambda d, t: calls.append((d, t))
    )
    total = len(rows) - 1
    assert calls == [(500, total), (total, total)]
    assert summary.codings_existing == 11
    assert summary.codings_added == total - 11 == 602
    assert summary.questions == ["andet", "strategier"]  # in the order first added
    stored = coded.db.execute(
        "SELECT i.respondent_id, i.question_id, k.key, c.coder FROM codings c"
        " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
        " ORDER BY c.id"
    ).fetchall()
    assert stored[10:12] == [
        ("R00001", "andet", "jobformidling", "ane"),
        ("R00001", "strategier", "beskaeftigelsesplan", "ane"),
    ]
    assert stored[-1] == ("R00001", "andet", "jobformidling", "bo")
    assert len(stored) == 612
    again = coded.import_codings(parsed, file=table.file, sha256=table.sha256)
    assert (again.codings_added, again.codings_existing, again.questions) == (0, total, [])
    assert not again.changed


def test_a_bad_coding_in_a_later_batch_leaves_the_project_as_it_was(coded, tmp_path, english):
    rows = [["respondent", "question", "code"]]
    rows += [[f"R{i:05d}", "andet", "jobformidling"] for i in range(1, 700) if i % 7]
    rows += [["R00007", "strategier", "borgere-paa-kanten"]]  # R00007 left it empty
    path = write_csv(tmp_path / "kodninger.csv", rows)
    before = coded.snapshot()
    with pytest.raises(ImportError_, match="left 'strategier' empty"):
        parsed, table = read_codings(str(path), default_coder="ane")
        coded.import_codings(parsed, file=table.file, sha256=table.sha256)
    assert coded.snapshot() == before
    result = run("import", "codings", coded.path, path)
    assert_one_line_error(result, str(path), f"row {len(rows)}", "R00007", "empty answer")
    assert coded.snapshot() == before


def test_spans_and_passages_still_read_the_text(coded, tmp_path, english):
    text = coded.items("strategier", respondent="R00003")[0].text
    path = write_csv(
        tmp_path / "spans.csv",
        [
            ["respondent", "question", "code", "text", "start", "end"],
            ["R00003", "strategier", "fleksjob", "hjælpemidler", "", ""],
            ["R00004", "strategier", "fleksjob", "", "0", "4"],
        ],
    )
    summary = _import(coded, path)
    assert summary.codings_added == 2
    spans = {(c.start, c.end) for c in coded.codings() if c.code == "fleksjob"}
    at = text.index("hjælpemidler")
    assert spans == {(at, at + len("hjælpemidler")), (0, 4)}
    too_long = write_csv(
        tmp_path / "lang.csv",
        [
            ["respondent", "question", "code", "start", "end"],
            ["R00004", "strategier", "fleksjob", "0", "999"],
        ],
    )
    with pytest.raises(ImportError_, match="span 0-999 is outside"):
        _import(coded, too_long)


def _import(project: Project, path: Path) -> ImportSummary:
    rows, table = read_codings(str(path), default_coder="ane")
    return project.import_codings(rows, file=table.file, sha256=table.sha256)


# -- reading CSV fast ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a",
        "a\n",
        "a\r\nb",
        "a\r\nb\r\n",
        "a\nb\n\n",
        "\n\n",
        "a\rb",
        "a\r\nb\rc",
        "\r",
        "\r\n",
        '"a\r\nb";c\r\nd',
        '"a\nb";c',
        "a\u2028b\nc\x85d\x0be",
        "æ;ø\r\nå;\r\n",
    ],
)
def test_lines_are_the_lines_a_stringio_gives(text):
    assert list(_lines(text)) == list(io.StringIO(text, newline=""))
    want = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert list(csv.reader(_lines(text), delimiter=";")) == want


def test_a_blank_cell_over_the_limit_past_the_header_is_still_ignored(tmp_path):
    """The first read uses the cell limit as the csv field limit; a file over it is read
    again the careful way, which ignores blank cells past the header as before."""
    path = tmp_path / "svar.csv"
    path.write_text(
        'id,svar\r\nJC01,hej,"' + " " * (MAX_CELL_CHARS + 1) + '"\r\n', encoding="utf-8"
    )
    table = read_table(path)
    assert table.rows == [(2, {"id": "JC01", "svar": "hej"})]
    path.write_text('id,svar\r\nJC01,"' + "x" * (MAX_CELL_CHARS + 1) + '"\r\n', encoding="utf-8")
    with pytest.raises(ImportError_, match="række 2, kolonne 'svar': cellen er på 1.000.001"):
        read_table(path)


def test_blank_rows_keep_the_spreadsheet_row_numbers(tmp_path):
    path = write_csv(
        tmp_path / "svar.csv", [["", ""], ["id", "svar"], [" ", ""], ["JC01", "hej"], ["JC02"]]
    )
    table = read_table(path)
    assert table.numbers == [4, 5] and table.records == [["JC01", "hej"], ["JC02", ""]]
    assert table.rows == [(4, {"id": "JC01", "svar": "hej"}), (5, {"id": "JC02", "svar": ""})]


def test_utf8_is_checked_to_the_end_not_only_its_first_64_kb():
    late = ("a" * 70_000 + "Ø").encode("utf-8") + b" \xe6 "  # æ in Windows-1252, late
    with pytest.raises(ImportError_, match=r"blander UTF-8 .* \(byte 70003 er ikke UTF-8\)"):
        decode_text(late, "svar.csv")
    cut = ("a" * 65_535 + "å").encode("utf-8")  # å straddles the 64 KB mark
    assert decode_text(cut, "svar.csv") == ("a" * 65_535 + "å", "utf-8")
    windows = ("a" * 70_000).encode() + "Så går vi".encode("cp1252")
    assert decode_text(windows, "svar.csv") == ("a" * 70_000 + "Så går vi", "cp1252")
    # â (0xe2) in Windows-1252 text is not the start of a UTF-8 dash
    assert decode_text("Côte â la".encode("cp1252"), "f")[1] == "cp1252"


def test_control_characters_are_counted_in_windows_1252_text():
    text = "Så er det sagt\x07\x1b. " * 5 + "x" * 2000
    assert decode_text(text.encode("cp1252"), "f") == (text, "cp1252")  # 10: under 1 %
    binary = "Så\x01\x02\x03\x04\x05\x06\x0e\x0f\x10\x11" * 10
    with pytest.raises(ImportError_, match="ligner en binær fil"):
        decode_text(binary.encode("cp1252"), "f")


# -- the garbage collector -------------------------------------------------------------


def test_gc_paused_restores_the_collector_and_leaves_frozen_objects_frozen():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the outer one turns it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()
    kept = [[n] for n in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            rows = [[n] for n in range(1000)]
        assert gc.get_freeze_count() == frozen  # the TUI's frozen screens stay frozen
    finally:
        gc.unfreeze()
    assert len(rows) == 1000 and len(kept) == 100


def test_import_summary_and_log_are_as_before(tmp_path, coded):
    payloads = [
        json.loads(r[0])
        for r in coded.db.execute("SELECT summary FROM imports WHERE kind = 'codings'")
    ]
    assert payloads == [
        {
            "file": str(tmp_path / "første.csv"),
            "respondents_added": 0,
            "attributes_changed": 0,
            "items_added": 0,
            "items_empty": 0,
            "codings_added": 10,
            "codings_existing": 0,
            "codes_added": 0,
            "memos_added": 0,
            "no_theme_added": 0,
            "questions": ["strategier"],
            "items_with_controls": 0,
            "notes": [],
        }
    ]
