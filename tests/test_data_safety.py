"""Data safety as people really work (issue 11): reading never writes, refused files stay
as they were, older files are upgraded only to write and only after a backup, no writing
over a network file system, backups and restore, damaged files in one line, undo for
codebook edits and settlements, and redaction that leaves no copy behind."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, write_csv
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.store import backup as backups
from qualcode.store import db as store
from qualcode.store import fs, restore
from qualcode.store.schema import SCHEMA_VERSION

# the module is about the wording of English messages: read in English
pytestmark = pytest.mark.usefixtures("english")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "schema1.qualcode.db"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in the folder (recursively) with its sha256: what 'unchanged' means."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def wal_is_empty(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return not wal.exists() or wal.stat().st_size == 0


# -- reading never writes --------------------------------------------------------------

READ_COMMANDS = [
    ["counts", "{db}"],
    ["counts", "{db}", "--question", "strategier", "--format", "csv"],
    ["counts", "{db}", "--waves"],
    ["info", "{db}"],
    ["quotes", "{db}", "--code", "hjaelpemidler"],
    ["agreement", "{db}", "--question", "strategier", "--coders", "guld,ida"],
    ["crosstab", "{db}", "--question", "strategier", "--by", "region"],
    ["cooccurrence", "{db}", "--question", "strategier", "-o", "{out}/par.xlsx"],
    ["waves", "{db}"],
    ["kwic", "{db}", "fleksjob"],
    ["scan-pii", "{db}"],
    ["suggest", "{db}", "--question", "strategier", "--source", "rule", "--format", "csv"],
    ["codebook", "show", "lokalpolitiske-strategier", "--db", "{db}"],
    ["codebook", "export", "{db}", "lokalpolitiske-strategier"],
    ["export", "qdc", "{db}"],
    ["export", "qdpx", "{db}", "-o", "{out}/p.qdpx"],
    ["report", "{db}", "-o", "{out}/r.xlsx"],
    ["chart", "{db}", "--question", "strategier", "-o", "{out}/c.svg"],
    ["backup", "{db}", "-o", "{out}/kopi.db"],
    # Datasette answers one request and ends (--get): the views and the search read
    ["serve", "{db}", "--port", "0", "--", "--get", "/demo~2Equalcode/theme_counts.json"],
    ["serve", "{db}", "--port", "0", "--", "--get", "/demo~2Equalcode/answers.json?_search=og"],
]


@pytest.fixture
def coded_copy(demo_copy):
    """The demo with a second coder, so agreement has something to compare."""
    with Project.open(demo_copy, coder="ida") as p:
        for item in p.items("strategier")[:4]:
            p.toggle_code(item.id, "fleksjob")
    return demo_copy


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_read_command_leaves_the_project_byte_identical(coded_copy, tmp_path, args):
    out = tmp_path / "out"
    out.mkdir()
    before = digest(coded_copy)
    result = run(*[a.format(db=coded_copy, out=out) for a in args])
    assert result.exit_code == 0, result.output
    assert digest(coded_copy) == before
    assert wal_is_empty(coded_copy)  # nothing written through the log either
    assert not backups.list_backups(coded_copy) or args[0] == "backup"


def test_read_commands_refuse_an_empty_file_and_leave_it_empty(tmp_path):
    empty = tmp_path / "tom.db"
    empty.write_bytes(b"")
    for args in (
        ["counts", empty],
        ["info", empty],
        ["quotes", empty, "--code", "x"],
        ["export", "qdc", empty],
        ["scan-pii", empty],
    ):
        assert_one_line_error(run(*args), "tom.db", "is empty, not a qualcode project")
        assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tom.db"]


def _other_app_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE kunder (navn TEXT)")
    conn.execute("INSERT INTO kunder VALUES ('Ane')")
    conn.commit()
    conn.close()
    return path


def test_another_programs_database_is_refused_by_readers_and_writers_untouched(tmp_path):
    other = _other_app_db(tmp_path / "andet.db")
    before = digest(other)
    for args in (
        ["counts", other],
        ["info", other],
        ["code", other, "--question", "q", "--respondent", "r", "--code", "c"],
        ["tui", other],
        ["scan-pii", other, "--redact"],
    ):
        assert_one_line_error(run(*args), "andet.db", "other tables")
        assert digest(other) == before
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not made WAL
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["andet.db"]


def test_a_newer_qualcodes_file_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "ny.db"
    Project.open(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # as a newer qualcode might leave it
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('qualcode', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    before = digest(path)
    for args in (
        ["counts", path],
        ["code", path, "--question", "q", "--respondent", "r", "--code", "c"],
        ["tui", path],
    ):
        assert_one_line_error(run(*args), "newer qualcode")
        assert digest(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


@pytest.fixture
def old_file(tmp_path) -> Path:
    copy = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


def test_an_older_project_is_read_without_being_upgraded(old_file):
    before = digest(old_file)
    result = run("counts", old_file)
    assert result.exit_code == 0, result.output
    assert "older qualcode" in result.stderr and "without upgrading" in result.stderr
    result = run("info", old_file)
    assert result.exit_code == 0 and "strategier" in result.stdout
    assert digest(old_file) == before
    with Project.open(old_file, readonly=True) as p:  # the current schema, in memory
        assert p.codings() and "without upgrading" in p.notices[0]
        with pytest.raises(QualcodeError, match="reading only"):
            p.toggle_code(p.items("strategier")[0].id, "fleksjob")
    assert digest(old_file) == before
    assert not backups.list_backups(old_file)


def test_writing_an_older_project_backs_it_up_first_and_says_where(old_file):
    before = digest(old_file)
    result = run(
        "code",
        old_file,
        "--question",
        "strategier",
        "--respondent",
        "JC02",
        "--code",
        "fleksjob",
        "--coder",
        "ny",
    )
    assert result.exit_code == 0, result.output
    kept = backups.list_backups(old_file)
    assert len(kept) == 1 and str(kept[0]) in result.stderr and "upgraded" in result.stderr
    assert digest(kept[0]) != before  # a fresh file, in rollback mode...
    conn = sqlite3.connect(kept[0])  # ...holding the old schema and rows
    assert conn.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    with Project.open(old_file, readonly=True) as p:
        assert store.schema_version(p.db) == SCHEMA_VERSION and not p.notices


# -- network file systems ----------------------------------------------------------------


def test_writing_on_a_network_file_system_is_refused_reading_is_not(demo_copy, monkeypatch):
    monkeypatch.setattr(fs, "filesystem_type", lambda _path: 0x6969)  # NFS_SUPER_MAGIC
    before = digest(demo_copy)
    line = assert_one_line_error(
        run(
            "code",
            demo_copy,
            "--question",
            "strategier",
            "--respondent",
            "JC04",
            "--code",
            "fleksjob",
        ),
        "network file system (NFS)",
        "qualcode merge",
    )
    assert "local" in line
    with pytest.raises(QualcodeError, match="network file system"):
        Project.open(demo_copy)
    assert run("counts", demo_copy).exit_code == 0
    assert digest(demo_copy) == before
    monkeypatch.setattr(fs, "filesystem_type", lambda _path: 0xFF534D42)
    assert_one_line_error(
        run(
            "import",
            "answers",
            demo_copy.with_name("ny.db"),
            demo_copy,
            "--respondent-col",
            "x",
            "--text-col",
            "y",
            "--question",
            "q",
            "--codebook",
            "lokalpolitiske-strategier",
        ),
        "(CIFS)",
    )
    monkeypatch.setenv(fs.ALLOW_ENV, "1")
    assert (
        run(
            "code",
            demo_copy,
            "--question",
            "strategier",
            "--respondent",
            "JC04",
            "--code",
            "fleksjob",
        ).exit_code
        == 0
    )


def test_the_file_system_type_is_read_from_statfs(tmp_path):
    kind = fs.filesystem_type(tmp_path)
    assert kind is None or isinstance(kind, int | str)
    monkeypatch_free = fs._classify  # the table itself
    assert monkeypatch_free(0x6969) == "NFS" and monkeypatch_free(0x65735546) == "FUSE"
    assert monkeypatch_free(0xEF53) is None  # ext4
    assert monkeypatch_free("smbfs") == "SMB"


# -- a writer waits for another writer ---------------------------------------------------


def test_a_writer_waits_for_the_lock_and_says_so_once(project, project_path):
    holder = sqlite3.connect(project_path, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    told: list[str] = []
    project.on_wait = told.append
    project.write_patience = 60  # a hang guard: the lock is released after 1.6 s
    item = project.items("strategier")[0]
    release = threading.Timer(1.6, holder.commit)
    release.start()
    start = time.monotonic()
    project.toggle_code(item.id, "fleksjob")
    waited = time.monotonic() - start
    release.join()
    holder.close()
    assert waited >= 1.0
    assert len(told) == 1 and "waiting for another program" in told[0]
    assert [c.code for c in project.codings(item_id=item.id)] == ["fleksjob"]


def test_a_writer_gives_up_after_its_patience_with_one_line(project, project_path):
    holder = sqlite3.connect(project_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        project.write_patience = 0.3
        before = project.snapshot()
        with pytest.raises(store.WriterBusy, match="another program has been writing"):
            project.toggle_code(project.items("strategier")[0].id, "fleksjob")
    finally:
        holder.rollback()
        holder.close()
    assert project.snapshot() == before


# -- backups and restore -----------------------------------------------------------------


def _codings(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT item_id, code_id, coder, start, "end" FROM codings ORDER BY id'
        ).fetchall()
    finally:
        conn.close()


def test_backup_and_restore_from_the_cli(demo_copy, tmp_path):
    first = _codings(demo_copy)
    result = run("backup", demo_copy)
    assert result.exit_code == 0, result.output
    [kept] = backups.list_backups(demo_copy)
    assert str(kept) in result.stdout and _codings(kept) == first
    assert (
        run(
            "code",
            demo_copy,
            "--question",
            "strategier",
            "--respondent",
            "JC04",
            "--code",
            "fleksjob",
            "--coder",
            "ny",
        ).exit_code
        == 0
    )
    assert _codings(demo_copy) != first
    listed = run("backup", demo_copy, "--list")
    assert listed.exit_code == 0 and kept.name in listed.stdout
    with Project.open(demo_copy) as open_meanwhile:  # the workbench has it open
        result = run("restore", demo_copy, kept)
        assert result.exit_code == 0, result.output
        assert len(open_meanwhile.codings(coder="ny")) == 0  # it sees the restored project
    assert _codings(demo_copy) == first
    before_restore = [p for p in backups.list_backups(demo_copy) if "foer-gendannelse" in p.name]
    assert len(before_restore) == 1 and str(before_restore[0]) in result.stderr
    assert len(_codings(before_restore[0])) == len(first) + 1  # the restore can be undone
    assert_one_line_error(run("backup", demo_copy, "-o", kept), "already exists")


def test_restore_refuses_a_file_that_is_not_a_project(demo_copy, tmp_path):
    before = digest(demo_copy)
    other = _other_app_db(tmp_path / "andet.db")
    assert_one_line_error(run("restore", demo_copy, other), "andet.db", "other tables")
    assert_one_line_error(
        run("restore", demo_copy, tmp_path / "mangler.db"), "no such project file"
    )
    assert digest(demo_copy) == before


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of the file (the schema page stays readable)."""
    conn = sqlite3.connect(path)
    page, pages = (
        conn.execute("PRAGMA page_size").fetchone()[0],
        conn.execute("PRAGMA page_count").fetchone()[0],
    )
    conn.close()
    with open(path, "r+b") as fh:  # the test's own raw write: nothing else has it open
        for n in range(2, pages, 3):
            fh.seek(page * n)
            fh.write(b"\xa5" * page)


def test_a_damaged_project_gives_one_line_in_every_command(demo_copy):
    restore.backup_project(demo_copy)
    _damage(demo_copy)
    for args in (
        ["counts", demo_copy],
        ["info", demo_copy],
        ["quotes", demo_copy, "--code", "hjaelpemidler"],
        [
            "code",
            demo_copy,
            "--question",
            "strategier",
            "--respondent",
            "JC04",
            "--code",
            "fleksjob",
        ],
        ["export", "qdc", demo_copy],
    ):
        result = run(*args)
        line = assert_one_line_error(result)
        assert "damaged" in line or "malformed" in line or "not a database" in line, line


def test_restore_sets_an_unreadable_project_aside_only_with_force(demo_copy, tmp_path):
    kept = restore.backup_project(demo_copy, tmp_path / "kopi.db")
    demo_copy.write_bytes(b"this is no longer a database" * 100)
    assert_one_line_error(run("restore", demo_copy, kept), "--force")
    assert demo_copy.read_bytes().startswith(b"this is no longer")
    result = run("restore", demo_copy, kept, "--force")
    assert result.exit_code == 0, result.output
    aside = [
        p
        for p in tmp_path.iterdir()
        if ".ulaeselig-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]  # they go with it, when there
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is no longer")
    assert str(aside[0]) in result.stderr
    assert _codings(demo_copy) == _codings(kept)


def test_backups_rotate_keeping_the_newest_ten(project, project_path):
    made = [project.backup(f"test-{n}") for n in range(12)]
    kept = backups.list_backups(project_path)
    assert kept == made[2:]
    assert all(p.parent == project_path.with_name(project_path.name + ".backups") for p in kept)


def test_merge_keeps_a_copy_of_the_target_and_a_dry_run_does_not(demo_copy, tmp_path):
    other = tmp_path / "ida.db"
    shutil.copyfile(demo_copy, other)
    with Project.open(other, coder="ida") as p:
        p.toggle_code(p.items("strategier")[3].id, "fleksjob")
    dry = run("merge", demo_copy, other, "--dry-run")
    assert dry.exit_code == 0 and not backups.list_backups(demo_copy)
    result = run("merge", demo_copy, other)
    assert result.exit_code == 0, result.output
    [kept] = backups.list_backups(demo_copy)
    assert str(kept) in result.stdout
    assert len(_codings(kept)) == len(_codings(demo_copy)) - 1
    again = run("merge", demo_copy, other)  # nothing new: no second copy
    assert again.exit_code == 0 and backups.list_backups(demo_copy) == [kept]


# -- undo for codebook edits and settlements ---------------------------------------------


def _codebook_rows(p: Project, stem: str) -> list[tuple]:
    return p.db.execute(
        "SELECT key, label, definition, color, parent_id IS NULL, position,"
        " other FROM codes WHERE codebook_id = ? ORDER BY key",
        [stem],
    ).fetchall()


def test_deleting_a_used_code_backs_up_and_can_be_undone_and_redone(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        stem = p.question("strategier").codebook
        codes_before, codings_before = _codebook_rows(p, stem), p.codings(question="strategier")
        used = p.code_usage(stem, "fleksjob")
        assert used > 0
        assert p.delete_code(stem, "fleksjob") == used
        assert len(backups.list_backups(demo_copy)) == 1
        assert p.undo() is None  # a codebook edit is not a coding: F2's undo leaves it
        change = p.undo("codebook")
        assert change.text.startswith("Undone: deleting the code Fleksjob")
        assert _codebook_rows(p, stem) == codes_before
        after = p.codings(question="strategier")
        assert sorted((c.item_id, c.code, c.coder) for c in after) == sorted(
            (c.item_id, c.code, c.coder) for c in codings_before
        )
        p.redo("codebook")
        assert p.codebook(stem).find("fleksjob") is None
        p.undo("codebook")
        assert p.code_usage(stem, "fleksjob") == used


def test_merging_codes_can_be_undone(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        stem = p.question("strategier").codebook
        keys = p.codebook(stem).keys()
        a, b = keys[0], keys[1]
        items = p.items("strategier")
        p.toggle_code(items[0].id, a)
        p.toggle_code(items[0].id, b)  # a duplicate once merged
        before = sorted((c.item_id, c.code, c.coder) for c in p.codings(question="strategier"))
        rows = _codebook_rows(p, stem)
        p.merge_codes(stem, a, b)
        assert p.codebook(stem).find(a) is None
        p.undo("codebook")
        assert _codebook_rows(p, stem) == rows
        assert (
            sorted((c.item_id, c.code, c.coder) for c in p.codings(question="strategier")) == before
        )


def test_adding_and_renaming_codes_can_be_undone(project):
    stem = project.question("strategier").codebook
    rows = _codebook_rows(project, stem)
    project.add_code(stem, "Nyt tema", color="#123456")
    project.update_code(stem, "fleksjob", label="Fleksjob og løntilskud", color="#AA0000")
    assert project.undo("codebook").text == "Undone: changing the code Fleksjob"
    assert project.undo("codebook").text == "Undone: adding the code Nyt tema"
    assert _codebook_rows(project, stem) == rows
    assert project.redo("codebook") and project.codebook(stem).find("nyt-tema")


def test_undoing_an_added_code_that_is_in_use_is_refused(project):
    stem = project.question("strategier").codebook
    project.add_code(stem, "Nyt tema")
    project.toggle_code(project.items("strategier")[0].id, "nyt-tema", coder="en-anden")
    before = project.snapshot()
    with pytest.raises(QualcodeError, match="it has 1 coding now"):
        project.undo("codebook")
    assert project.snapshot() == before


def test_settlements_can_be_undone_and_an_undone_first_settlement_is_unsettled(demo_copy):
    with Project.open(demo_copy, coder="ida") as p:
        items = p.items("strategier")
        p.toggle_code(items[0].id, "fleksjob")
        [first] = [
            d for d in p.disagreements("strategier", ["guld", "ida"]) if d.item.id == items[0].id
        ]
        assert not first.settled
        p.settle(items[0].id, [])  # settled: no code applies
        assert [
            d.settled
            for d in p.disagreements("strategier", ["guld", "ida"])
            if d.item.id == items[0].id
        ] == [True]
        p.settle(items[0].id, ["fleksjob"])
        assert p.undo("consensus").text == f"Undone: consensus on {items[0].respondent}"
        assert p.codings(item_id=items[0].id, coder="consensus") == []
        assert [
            d.settled
            for d in p.disagreements("strategier", ["guld", "ida"])
            if d.item.id == items[0].id
        ] == [True]  # back to "settled as empty"
        p.undo("consensus")
        assert [
            d.settled
            for d in p.disagreements("strategier", ["guld", "ida"])
            if d.item.id == items[0].id
        ] == [False]
        p.redo("consensus")
        assert [
            d.settled
            for d in p.disagreements("strategier", ["guld", "ida"])
            if d.item.id == items[0].id
        ] == [True]


# -- redaction leaves no copy ------------------------------------------------------------

EMAIL = "ane.hemmelig@eksempel.dk"
CPR = "010203-1234"


def test_redaction_removes_every_copy_qualcode_keeps(tmp_path):
    folder = tmp_path / "projekt"
    folder.mkdir()
    db = folder / "p.db"
    rows = [["id", "svar"]]
    rows += [[f"JC{n:02d}", f"Fleksjob og mentor hjælper borger nummer {n}."] for n in range(20)]
    rows.append(["JC99", f"Skriv til {EMAIL} eller ring; cpr {CPR} er borgerens."])
    write_csv(tmp_path / "svar.csv", rows)
    assert (
        run(
            "import",
            "answers",
            db,
            tmp_path / "svar.csv",
            "--respondent-col",
            "id",
            "--text-col",
            "svar",
            "--question",
            "strategier",
            "--codebook",
            "lokalpolitiske-strategier",
        ).exit_code
        == 0
    )
    with Project.open(db, coder="ane") as p:
        for item in p.items("strategier"):
            p.toggle_code(item.id, "fleksjob" if item.id % 2 else "andet")
        p.backup("foer")
    assert run("train", db, "--question", "strategier", "--epochs", "2").exit_code == 0
    assert (
        run(
            "suggest", db, "--question", "strategier", "--cache", "--coder", "bo", "--format", "csv"
        ).exit_code
        == 0
    )  # the text analyses are cached in the file
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert EMAIL.encode() in everything and CPR.encode() in everything

    result = run("scan-pii", db, "--redact")
    assert result.exit_code == 0, result.output
    assert "gone from the project file" in result.stderr
    assert "removed 1 backup that held it" in result.stderr
    assert "suggestion model trained on it" in result.stderr
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert EMAIL.encode() not in data and CPR.encode() not in data, path
            assert b"hemmelig" not in data, path
    assert wal_is_empty(db)
    with Project.open(db, readonly=True) as p:
        assert "[E-MAIL]" in p.items("strategier", respondent="JC99")[0].text


def test_redaction_says_when_another_reader_keeps_the_old_text_in_the_log(
    project, project_path, monkeypatch
):
    from qualcode.core import pii

    # the checkpoint waits for the reader for as long as SQLite's busy timeout, twice; the
    # reader keeps its snapshot until the end however long that is, so 0.1 s will do
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)
    item = project.items("strategier")[0]
    with project.transaction():
        project.db.execute("UPDATE items SET text = ? WHERE id = ?", [f"mail {EMAIL}", item.id])
    reader = sqlite3.connect(project_path)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM items").fetchone()  # holds a read snapshot
    try:
        result = pii.redact_everywhere(project, pii.scan(project))
        assert result.done == 1 and result.purged is False
        assert "-wal file" in " ".join(result.details())
    finally:
        reader.rollback()
        reader.close()
    again = pii.redact_everywhere(project, pii.scan(project))  # the reader has gone
    assert again.done == 0 and again.purged is True
