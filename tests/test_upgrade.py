"""Upgrades: a project file written by the first released schema (migration 1 alone, the
fixture ``fixtures/schema1.qualcode.db`` made by ``fixtures/make_schema1.py``) opens with
the current code, is migrated to the current schema, and keeps every row it held.

The tests work on copies: the fixture in the repository is never opened, and its
sha256 is the same after every test."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sqlite3
from pathlib import Path

import pytest

from qualcode.core.project import Project
from qualcode.store.db import APP_ID, schema_version
from qualcode.store.schema import SCHEMA_VERSION, migrations

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "schema1.qualcode.db"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_schema1", FIXTURES / "make_schema1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _load_script()
ROWS, COLUMNS = SCRIPT.ROWS, SCRIPT.COLUMNS


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FIXTURE_SHA = sha256(FIXTURE)  # before any test here ran; checked again after each


@pytest.fixture(autouse=True)
def _fixture_untouched():
    yield
    assert sha256(FIXTURE) == FIXTURE_SHA, "a test changed the fixture in the repository"
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{FIXTURE}{suffix}").exists(), f"something opened the fixture ({suffix})"


@pytest.fixture
def old_file(tmp_path) -> Path:
    """A private copy of the fixture."""
    copy = tmp_path / "gammel.qualcode.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


def raw_rows(path: Path, table: str, columns: tuple[str, ...]) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{c}"' for c in columns)
        return conn.execute(f"SELECT {cols} FROM {table} ORDER BY rowid").fetchall()
    finally:
        conn.close()


def code_id_of(path: Path, key: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT id FROM codes WHERE key = ?", [key]).fetchone()[0])
    finally:
        conn.close()


def schema_of(conn) -> list[tuple]:
    return sorted(
        conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
    )


# -- the fixture is what it says it is ---------------------------------------------------


def test_fixture_is_a_checkpointed_schema_1_file_small_enough_to_keep():
    assert FIXTURE.stat().st_size < 200 * 1024
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{FIXTURE}{suffix}").exists()
    header = FIXTURE.read_bytes()[:100]
    assert header[:16] == b"SQLite format 3\x00"
    assert header[18:20] == b"\x02\x02", "not in WAL mode, as the first release wrote files"
    # read without creating -wal/-shm next to the fixture, and without changing it
    conn = sqlite3.connect(f"file:{FIXTURE}?immutable=1", uri=True)
    try:
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
        assert applied == ["m001_initial"]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APP_ID
        columns = [r[1] for r in conn.execute("PRAGMA table_info(codings)")]
        assert "starred" not in columns  # added by migration 2
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_fixture_holds_exactly_what_the_script_writes(tmp_path, old_file):
    """The script documents the file: rebuilt, it gives the same rows and schema."""
    rebuilt = SCRIPT.build(tmp_path / "rebuilt.qualcode.db")
    for table, columns in COLUMNS.items():
        assert raw_rows(old_file, table, columns) == ROWS[table], table
        assert raw_rows(rebuilt, table, columns) == ROWS[table], table
    with sqlite3.connect(old_file) as a, sqlite3.connect(rebuilt) as b:
        assert schema_of(a) == schema_of(b)
    assert len(ROWS["codings"]) >= 10 and any(r[3] is not None for r in ROWS["codings"])


# -- opening it with the current code --------------------------------------------------------


def test_old_file_is_migrated_to_the_current_schema(tmp_path, old_file):
    with Project.open(old_file) as p:
        assert schema_version(p.db) == SCHEMA_VERSION
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.db.execute("PRAGMA application_id").fetchone()[0] == APP_ID
        assert p.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = [r[0] for r in p.db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == [m.name for m in migrations._migrations]
        assert p.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert p.db.execute("PRAGMA foreign_key_check").fetchall() == []
        migrated = schema_of(p.db)
    with Project.open(tmp_path / "ny.qualcode.db", create=True) as fresh:
        assert migrated == schema_of(fresh.db), "the migrated schema differs from a new file's"


def test_every_row_of_every_original_table_is_kept(old_file):
    Project.open(old_file).close()
    for table, columns in COLUMNS.items():
        rows = raw_rows(old_file, table, columns)
        expected = ROWS[table]
        if table == "project":  # the upgrade adds what was counted (m008), nothing else
            assert ("noun", "jobcenter/jobcentre") in rows
            rows = [r for r in rows if r != ("noun", "jobcenter/jobcentre")]
        if table == "memos":  # a code's memo, on the code's key then, is on its id (m010)
            code_id = code_id_of(old_file, "kendskab-ordninger")
            expected = [
                (*r[:2], code_id, *r[3:]) if r[1:3] == ("code", "kendskab-ordninger") else r
                for r in expected
            ]
        assert rows == expected, table
    conn = sqlite3.connect(old_file)
    try:
        original = set(COLUMNS) | {"_sqlite_migrations"}
        assert original <= {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        # codings gained 'starred': every old coding is unstarred
        assert conn.execute(
            "SELECT starred, COUNT(*) FROM codings GROUP BY starred"
        ).fetchall() == [(0, len(ROWS["codings"]))]
    finally:
        conn.close()


def test_opening_twice_changes_nothing_more(old_file):
    Project.open(old_file).close()
    with Project.open(old_file) as p:
        first = p.snapshot()
    with Project.open(old_file) as p:
        assert p.snapshot() == first
        assert p.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == (
            SCHEMA_VERSION
        )


def test_counts_on_the_old_file(old_file):
    with Project.open(old_file) as p:
        counts = p.counts("strategier").set_index("code")
        assert counts["respondents"].to_dict() == {
            "borgere-paa-kanten": 1,
            "beskaeftigelsesplan": 2,
            "samarbejde-organisationer": 1,
            "kendskab-ordninger": 1,
            "fleksjob": 2,
            "tvaerfagligt-samarbejde": 1,
            "andet": 1,
        }
        assert set(counts["answered"]) == {4}  # JC04's answer is empty
        assert counts.loc["borgere-paa-kanten", "published"] == 15
        assert tuple(counts.loc["borgere-paa-kanten", ["respondents", "answered"]]) == (1, 4)
        assert list(counts.index)[-1] == "andet"
        mette = p.counts("strategier", coder="mette").set_index("code")["respondents"]
        assert (mette["fleksjob"], mette["kendskab-ordninger"]) == (1, 0)
        interview = p.counts("interview").set_index("code")["respondents"].to_dict()
        # the parent counts the jobcentre coded with its child
        assert interview == {"personlig-assistance": 1, "pa-arbejde": 1, "hjaelpemidler": 1}


def test_quotes_and_stars_on_the_old_file(old_file):
    with Project.open(old_file) as p:
        [quote] = p.quotes("pa-arbejde")
        assert quote.text == SCRIPT.SPAN_TEXT
        assert (quote.respondent, quote.role, quote.item_number) == ("JC07", "Afdelingsleder", 4)
        assert (quote.start, quote.end) == (SCRIPT.SPAN_START, SCRIPT.SPAN_END)
        assert not quote.starred
        assert [q.coding_id for q in p.quotes("personlig-assistance")] == [quote.coding_id]
        assert len(p.quotes("hjaelpemidler")) == 2
        p.star(quote.coding_id)
        assert p.quotes("pa-arbejde")[0].starred
    with Project.open(old_file) as p:  # the star was committed
        assert p.is_starred(quote.coding_id)


def test_old_event_log_still_drives_undo(old_file):
    """Undo replays the coder's own log: events the first release wrote work too."""
    with Project.open(old_file, coder="mette") as p:
        assert "fleksjob" not in {c.code for c in p.codings(item_id=1)}
        change = p.undo()  # mette's last action removed fleksjob from JC01: it comes back
        assert change is not None and "Fleksjob" in str(change) and "JC01" in str(change)
        assert "fleksjob" in {c.code for c in p.codings(item_id=1, coder="mette")}
        p.undo()  # and before that she had added it
        assert "fleksjob" not in {c.code for c in p.codings(item_id=1, coder="mette")}
        assert p.redo() is not None
    with Project.open(old_file, coder="jonas") as p:
        p.undo()  # jonas's last: hjælpemidler on JC07's second excerpt
        assert {c.code for c in p.codings(item_id=9, coder="jonas")} == set()


def test_old_file_takes_new_codings_memos_and_imports(old_file, tmp_path):
    from helpers import write_csv
    from qualcode.io.codings import read_codings

    with Project.open(old_file, coder="ida") as p:
        p.add_coding(3, "andet")  # JC03's answer
        codings = write_csv(
            tmp_path / "kodninger.csv",
            [
                ["respondent", "question", "code", "text"],
                ["JC07", "interview", "hjaelpemidler", "Hjælpemidlerne fungerer rigtig godt."],
            ],
        )
        rows, table = read_codings(str(codings), default_coder="ida")
        assert p.import_codings(rows, file=table.file, sha256=table.sha256).codings_added == 1
        p.add_memo("item", 7, "Efter opgraderingen")
        assert p.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(p.codings()) == len(ROWS["codings"]) + 2


def test_the_upgrade_counts_and_indexes_what_the_old_file_held(old_file):
    """Migration 9 on a schema-1 file: the table of counts holds the old file's codings
    (theme_counts as it was counted from them), the full-text index its texts, and the
    renamed views and their old names all read."""
    from test_theme_tally import assert_in_step

    Project.open(old_file).close()
    conn = sqlite3.connect(old_file)
    try:
        assert conn.execute("SELECT COUNT(*) FROM theme_respondents").fetchone()[0] > 0
        assert_in_step(conn, "after the upgrade")
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
        hits = conn.execute(
            "SELECT respondent_id, position FROM items WHERE id IN"
            " (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)",
            [f'"{SCRIPT.SPAN_TEXT}"'],
        ).fetchall()
        assert hits == [("JC07", 3)]
        codings = conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        for view in ("coded_passages", "codings_readable"):
            assert conn.execute(f"SELECT COUNT(*) FROM {view}").fetchone()[0] == codings
        for view in ("starred_quotes", "quotes"):
            assert conn.execute(f"SELECT COUNT(*) FROM {view}").fetchone()[0] == 0
        non_empty = conn.execute("SELECT COUNT(*) FROM items WHERE is_empty = 0").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == non_empty
    finally:
        conn.close()


def test_reading_the_old_file_shows_the_new_views_without_writing_it(old_file):
    before = sha256(old_file)
    with Project.open(old_file, readonly=True) as p:  # an upgraded copy in memory
        assert p.db.execute("SELECT COUNT(*) FROM theme_counts").fetchone()[0] > 0
        assert p.db.execute(
            "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'assistance'"
        ).fetchone()[0]
    assert sha256(old_file) == before
