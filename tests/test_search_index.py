"""The full-text index over the items' texts (items_fts, migration 9) is kept in step by
triggers: after an import, a change of a text and a redaction it finds what the texts
hold and nothing else, and a redacted CPR number is gone from the index's own tables down
to their bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from helpers import run, write_csv
from qualcode.core import pii
from qualcode.core.project import Project
from qualcode.store import search

CPR = "010190-1234"
MAIL = "søren.ågård@jobcenter-ådalen.dk"
ANSWERS = [
    ["jobcenter_id", "svar"],
    ["JC01", "Fleksjob og mentorordning hjælper borgerne videre."],
    ["JC02", f"Borgeren (CPR {CPR}) har fået hjælpemidler. Skriv til {MAIL}."],
    ["JC03", "Vi har øget fokus på borgere på kanten."],
    ["JC04", "   "],
]
SHADOW = ("items_fts_data", "items_fts_idx", "items_fts_docsize", "items_fts_config")


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "soeg.qualcode.db"
    src = write_csv(tmp_path / "svar.csv", ANSWERS)
    result = run(
        "import",
        "answers",
        path,
        src,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert result.exit_code == 0, result.output
    return path


def found(path: Path, query: str) -> list[str]:
    """The respondents whose items match an FTS5 query."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT respondent_id FROM items WHERE id IN"
                " (SELECT rowid FROM items_fts WHERE items_fts MATCH ?) ORDER BY respondent_id",
                [query],
            )
        ]
    finally:
        conn.close()


def assert_index_matches_the_texts(path: Path) -> None:
    """FTS5's own check (the index against the items' texts), and every word of every
    text found in its item."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
        for item_id, text in conn.execute("SELECT id, text FROM items"):
            for word in {w.strip(".,()[]") for w in text.split()} - {""}:
                if word.isalnum():
                    ids = search.matching_ids(conn, f'"{word}"')
                    assert item_id in ids, (item_id, word)
    finally:
        conn.close()


def shadow_bytes(path: Path) -> bytes:
    """Every value of the index's own tables, as stored."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = []
        for table in SHADOW:
            for row in conn.execute(f"SELECT * FROM {table}"):
                for value in row:
                    out.append(value if isinstance(value, bytes) else str(value).encode())
        return b"\0".join(out)
    finally:
        conn.close()


def file_bytes(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def test_the_index_finds_what_an_import_wrote(db):
    assert found(db, "fleksjob") == ["JC01"]
    assert found(db, '"hjælpemidler"') == ["JC02"]
    assert found(db, "borgere") == ["JC03"]  # words, not parts of words: not 'borgerne'
    assert found(db, "borgerne OR borgere") == ["JC01", "JC03"]
    assert found(db, "øget") == ["JC03"]  # æ, ø and å are letters, not accents
    assert found(db, "oget") == []
    assert_index_matches_the_texts(db)


def test_interviews_are_indexed_too(demo_db):
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        total = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        indexed = conn.execute("SELECT COUNT(*) FROM items_fts_docsize").fetchone()[0]
        assert indexed == total > 0
        kinds = {
            r[0]
            for r in conn.execute(
                "SELECT kind FROM items WHERE id IN"
                " (SELECT rowid FROM items_fts WHERE items_fts MATCH 'hjælpemidler')"
            )
        }
        assert "excerpt" in kinds
    finally:
        conn.close()


def test_the_index_follows_a_changed_text_and_codings_leave_it_alone(db):
    with Project.open(db) as p:
        jc01 = p.items("strategier", respondent="JC01")[0]
        p.add_coding(jc01.id, "fleksjob")
        p.toggle_code(jc01.id, "andet")
        with p.transaction():  # a text changed by hand (qualcode itself only redacts)
            p.db.execute(
                "UPDATE items SET text = 'Virksomhedspraktik virker' WHERE id = ?", [jc01.id]
            )
    assert found(db, "fleksjob") == []
    assert found(db, "virksomhedspraktik") == ["JC01"]
    assert_index_matches_the_texts(db)


def test_a_redacted_cpr_number_cannot_be_found_nor_read_from_the_index(db):
    assert found(db, f'"{CPR}"') == ["JC02"]  # the two numbers as a phrase
    assert found(db, '"ågård"') == ["JC02"]
    before = shadow_bytes(db)
    assert b"010190" in before, "the check below could not see the number"
    result = run("scan-pii", db, "--redact")
    assert result.exit_code == 0, result.output
    assert found(db, f'"{CPR}"') == [] and found(db, "010190") == [] and found(db, "1234") == []
    assert found(db, '"ågård"') == [] and found(db, "ådalen") == []
    assert found(db, "CPR") == ["JC02"]  # the placeholder is a word like any other
    after = shadow_bytes(db)
    for piece in (b"010190", b"1234", "ågård".encode(), "ådalen".encode()):
        assert piece not in after, piece
    everything = file_bytes(db)  # (not '1234': a timestamp's microseconds may hold it)
    for piece in (b"010190", "ågård".encode(), "ådalen".encode()):
        assert piece not in everything, piece
    assert_index_matches_the_texts(db)


def test_without_merging_the_index_the_number_would_stay(db, monkeypatch):
    """Why redaction merges the index: FTS5 leaves a deleted text's words in the older
    segment and writes them again as a delete marker."""
    monkeypatch.setattr(search, "forget_deleted", lambda conn: None)
    with Project.open(db) as p:
        assert pii.redact_everywhere(p, pii.scan(p, kinds=["cpr"])).done == 1
    assert found(db, "010190") == []  # the index answers right...
    assert b"010190" in shadow_bytes(db)  # ...but still holds the number
