"""The fast paths of an answers import (issue 19): each must give exactly what the slow
path gave.

- personal data: the cheap check that rules texts out before the patterns run
  (``find_in_text(..., prefilter=False)`` runs them on every text), and the scan made as
  the answers are written, against a scan of the project afterwards;
- a new project made without sqlite-utils (which imports pandas), against the same
  migrations applied by sqlite-utils;
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys

import pytest

from helpers import SEEDS
from qualcode.core import pii
from qualcode.core.project import Project
from qualcode.io.importing import FileImport, personal_data

# -- personal data: the prefilter -----------------------------------------------------------

TRICKY = [
    "",
    " ",
    "ingen tal her",
    "kun @ her",
    "@",
    "a@b",
    "mail: anne.hansen@jobcenter.dk, tlf. 20 30 40 50",
    "x@y.dk",
    "anne@jobcenter-nord.dk.",
    "010190-1234",
    "0101901234",
    "290200-4321 og 290201-1234",  # 29 February: a leap year, and not
    "3112999999",
    "ring 20304050 eller +45 2030 4050 eller 0045 20 30 40 50",
    "12 34 56 78",
    "2017 2018",
    "i 2019 og 2020",
    "paragraf 56, stk. 2",
    "1.234.567,89 kr.",
    "20-30-40-50",
    "٠١٠١٩٠١٢٣٤",  # Arabic-Indic digits: a CPR pattern's \\d matches them
    "١٢٣٤٥٦٧٨",
    "０１０１９０１２３４",  # fullwidth digits
    "२०३०४०५०",  # Devanagari
    "DISCUS⁹ Epinion ²³ ½",  # superscripts and fractions are no decimal digits
    "– ring 23 45 67 89 …",  # wide (not Latin-1) text with ASCII digits
    "🙂 ٢٣٤٥٦٧٨٩ 🙂",  # wide text with only non-ASCII digits
    "€ 20 ’ 30",
    "ÆØÅ æøå é 1",
    "cpr.nr. 010190‑1234",  # a non-breaking hyphen
    "tlf:+4520304050",
    "a@b@c.dk",
    "12345678@jobcenter.dk",
    "01019012345",
    "\x00 20 30 40 50 \x1f",
]

PIECES = [
    "borgere på kanten",
    "ring",
    "20",
    "30 40 50",
    "010190",
    "-",
    "1234",
    "a.b@jobcenter.dk",
    "@",
    "٣",
    "٠١٠١٩٠",
    "+45",
    "0045",
    " ",
    ".",
    ",",
    "2019",
    "fleksjob",
    "x@y",
    "–",
    "æ",
    "9",
    "\n",
    "１２",
]


def _varied(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        out.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))))
        # random characters from a small alphabet: digits, spaces and signs side by side
        out.append("".join(rng.choice("0123456789 @-+.,a٣１\n") for _ in range(rng.randint(1, 30))))
    return out


def _seed_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += text.splitlines()
        texts += text.split("\n\n")
        texts += [text[i : i + 300] for i in range(0, len(text), 150)]
    return texts


@pytest.mark.parametrize("kinds", [pii.KINDS, ("cpr",), ("phone",), ("email",), ("cpr", "email")])
def test_the_prefilter_finds_what_the_patterns_find(kinds):
    texts = TRICKY + _seed_texts() + _varied(1500, 19)
    fast = [pii.find_in_text(t, kinds) for t in texts]
    slow = [pii.find_in_text(t, kinds, prefilter=False) for t in texts]
    assert fast == slow
    # the cases are varied enough to mean something: every kind found, many texts not
    for kind in kinds:
        assert any(m.kind == kind for found in fast for m in found)
    assert sum(map(bool, fast)) < len(texts) // 2


def test_holding_lists_the_texts_with_matches():
    texts = TRICKY + _seed_texts() + _varied(500, 3)
    assert pii.holding(texts) == [
        i for i, t in enumerate(texts) if pii.find_in_text(t, prefilter=False)
    ]


def test_non_ascii_digits_are_found():
    """A text outside Latin-1 is searched for decimal digits of every script."""
    [hit] = pii.find_in_text("🙂 ٠١٠١٩٠١٢٣٤ 🙂")
    assert hit.kind == "cpr"
    assert pii.holding(["æ ½ ²", "– ٠١٠١٩٠١٢٣٤ –", "– ١٢٣٤٥٦٧٨ –"]) == [1]


# -- personal data: found as the answers are written ------------------------------------------


def _answers_csv(path, rows):
    lines = ["id;navn;a;b"] + [";".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _options(**more):
    options = {
        "respondent_col": "id",
        "name_col": "navn",
        "text_cols": ["a", "b"],
        "questions": ["strategier", "fysiske"],
        "codebooks": ["lokalpolitiske-strategier", "udfordringer-fysiske"],
    }
    options.update(more)
    return options


ROWS = [
    ("JC03", "Nord", "ring 20 30 40 50", "ingen"),
    ("JC01", "Syd", "intet her", "mail anne@jobcenter.dk eller 010190-1234"),
    ("JC02", "Øst", "paragraf 56 i 2019", ""),
    ("JC04", "Vest", "", "tlf. +45 2345 6789 og x@y.dk"),
    ("JC05", "Midt", "٠١٠١٩٠١٢٣٤", "2017 2018"),
]


def _import(project, path, **options):
    job = FileImport("answers", [path], _options(**options))
    return job.run(project)


def _hits(hits):
    return [(h.item_id, h.question, h.respondent, h.kind, h.start, h.text) for h in hits]


def _reads(monkeypatch) -> list:
    """The item ids each scan of the project read (None: all of the questions')."""
    from qualcode.store import pii as pii_store

    calls: list = []
    scan_rows = pii_store.scan_rows

    def spy(conn, qids=None, item_ids=None):
        calls.append(None if item_ids is None else sorted(item_ids))
        return scan_rows(conn, qids, item_ids)

    monkeypatch.setattr(pii_store, "scan_rows", spy)
    return calls


def test_personal_data_found_while_writing_is_the_whole_scan(tmp_path, monkeypatch):
    path = _answers_csv(tmp_path / "svar.csv", ROWS)
    reads = _reads(monkeypatch)
    with Project.create(tmp_path / "p.db") as project:
        summary = _import(project, path)
        fast = personal_data(project, summary.questions)
        full = pii.scan(project, questions=summary.questions)
    # the answers holding personal data were read back, not all of them
    assert reads == [[1, 4, 8, 9], None]
    assert _hits(fast) == _hits(full)
    assert [h.context() for h in fast] == [h.context() for h in full]
    assert {h.kind for h in fast} == {"cpr", "phone", "email"}
    assert len(fast) == 6


def test_personal_data_when_none_was_written(tmp_path, monkeypatch):
    path = _answers_csv(tmp_path / "svar.csv", [("JC01", "Nord", "ingen", "2019")])
    reads = _reads(monkeypatch)
    with Project.create(tmp_path / "p.db") as project:
        summary = _import(project, path)
        assert personal_data(project, summary.questions) == []
    assert reads == []


def test_personal_data_scans_the_questions_when_they_held_answers(tmp_path):
    """Answers already in the questions were not looked at as the import wrote: the
    questions are scanned as a whole (here the same file again: nothing is written)."""
    path = _answers_csv(tmp_path / "svar.csv", ROWS)
    more = _answers_csv(tmp_path / "mere.csv", [("JC09", "Ny", "ring 31 32 33 34", "")])
    with Project.create(tmp_path / "p.db") as project:
        _import(project, path)
        again = _import(project, path)
        assert not again.changed
        hits = personal_data(project, again.questions)
        assert _hits(hits) == _hits(pii.scan(project, questions=again.questions))
        assert len(hits) == 6
        added = _import(project, more)
        hits = personal_data(project, added.questions)
        assert len(hits) == 7
        assert _hits(hits) == _hits(pii.scan(project, questions=added.questions))


def test_personal_data_scans_again_after_a_change(tmp_path):
    """What the import found is used only while the project is as the import left it."""
    path = _answers_csv(tmp_path / "svar.csv", ROWS)
    with Project.create(tmp_path / "p.db") as project:
        summary = _import(project, path)
        pii.redact(project, [h for h in pii.scan(project) if h.kind == "email"])
        hits = personal_data(project, summary.questions)
        assert {h.kind for h in hits} == {"cpr", "phone"}
        assert _hits(hits) == _hits(pii.scan(project, questions=summary.questions))


def test_personal_data_of_another_connection_is_the_whole_scan(tmp_path):
    path = _answers_csv(tmp_path / "svar.csv", ROWS)
    with Project.create(tmp_path / "p.db") as project:
        summary = _import(project, path)
    with Project.open(tmp_path / "p.db") as other:
        assert len(personal_data(other, summary.questions)) == 6


def test_personal_data_of_a_wave_import(tmp_path):
    path = _answers_csv(tmp_path / "svar.csv", ROWS)
    with Project.create(tmp_path / "p.db") as project:
        _import(project, path)
        summary = _import(project, path, wave="2021")
        assert summary.questions and all(q.endswith("2021") for q in summary.questions)
        hits = personal_data(project, summary.questions)
        assert len(hits) == 6
        assert _hits(hits) == _hits(pii.scan(project, questions=summary.questions))


# -- a new project without sqlite-utils -----------------------------------------------------


def _migrated(path, migrate) -> sqlite3.Connection:

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    migrate(conn)
    conn.execute("COMMIT")
    return conn


def _contents(conn: sqlite3.Connection) -> dict:
    """The schema, every table's rows (the migrations' without the time they were
    applied), and the connection's settings the migrations leave."""
    master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    master = master.fetchall()
    out: dict = {"sqlite_master": master}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'items_fts_%'"
    ).fetchall():
        columns = "id, migration_set, name" if name == "_sqlite_migrations" else "*"
        out[name] = conn.execute(f'SELECT {columns} FROM "{name}" ORDER BY 1').fetchall()
    for pragma in ("user_version", "application_id", "recursive_triggers", "foreign_keys"):
        out[pragma] = conn.execute(f"PRAGMA {pragma}").fetchone()
    return out


def test_a_new_file_is_migrated_as_sqlite_utils_migrates_it(tmp_path):
    from qualcode.store import db
    from qualcode.store.schema import MIGRATIONS

    ours = _migrated(tmp_path / "ours.db", db.migrate_new_file)
    theirs = _migrated(tmp_path / "theirs.db", db.migrate_with_sqlite_utils)
    mine, reference = _contents(ours), _contents(theirs)
    assert mine == reference
    assert len(mine["_sqlite_migrations"]) == len(MIGRATIONS)
    assert len(mine["sqlite_master"]) > 50
    # and sqlite-utils finds nothing left to apply on the file made without it
    from sqlite_utils import Database

    from qualcode.store.schema import migrator

    assert migrator().pending(Database(ours)) == []


def test_a_failed_migration_of_a_new_file_leaves_it_empty(tmp_path, monkeypatch):
    from qualcode.store import db, schema

    def broken(_db):
        raise RuntimeError("broken")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS[:2], broken])
    conn = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(RuntimeError):
        db.migrate_new_file(conn)
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_creating_a_project_imports_neither_sqlite_utils_nor_pandas(tmp_path):
    code = (
        "import sys\n"
        "from qualcode.core.project import Project\n"
        f"with Project.create({str(tmp_path / 'p.db')!r}) as p:\n"
        "    assert p.questions() == []\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'sqlite_utils') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    with Project.open(tmp_path / "p.db") as project:
        assert project.questions() == []


# -- answers read as they are written ---------------------------------------------------------

CSV_FILES = {
    "plain": b"id;svar\r\nJC01;hej\r\nJC02;med dig\r\n",
    "blank rows": b"\r\n\r\nid,svar\r\n\r\nJC01,hej\r\n,\r\n \r\nJC02,x\r\n\r\n\r\n",
    "many blank rows": b"id,svar\n" + b"".join(b"JC%02d,x\n\n" % i for i in range(9)),
    "sep line": b"sep=,\r\nid;x,svar\r\nJC01;1,hej\r\n",
    "sep line and CR": b"SEP=;\rid;svar\rJC01;a\rJC02;b",
    "BOM": "\ufeffid;svar\nJC01;æøå\n".encode(),
    "two BOMs": "\ufeff\ufeffid;svar\nJC01;æøå\n".encode(),
    "Windows-1252": "id;svar;navn\r\nJC01;æøå – ok;Jobcenter Ø\r\n".encode("cp1252"),
    "no final newline": b"id\tsvar\nJC01\thej",
    "quoted line breaks": b'id,svar\r\nJC01,"en\r\nto\n\ntre"\r\nJC02,"a ""b"""\r\n',
    "short and long rows": b"id,svar,region\nJC01\nJC02,x,y,,\nJC03,a,b\n",
    "NFC": "id;sva\u0308r\nJC0\u0308;a\u030a\n".encode(),
    "controls": b"id;svar\nJC01;a\x07b\n",
    "lone CR inside": b"id,svar\nJC01,a\rb\nJC02,c\n",
    "vertical tab in header": b"id\x0bx;svar\nJC01;a\n",
}


def _both(path):
    from qualcode.io.tabular import read_table, stream_table

    table = read_table(path)
    stream = stream_table(path)
    rows = list(stream.rows)
    return table, stream, rows


@pytest.mark.parametrize("name", list(CSV_FILES))
def test_a_streamed_table_is_the_table_read_whole(tmp_path, name):
    path = tmp_path / "svar.csv"
    path.write_bytes(CSV_FILES[name])
    table, stream, rows = _both(path)
    assert stream.headers == table.headers
    assert rows == list(zip(table.numbers, table.records, strict=True))
    for attribute in ("notes", "encoding", "delimiter", "no_controls", "normalized", "sha256"):
        assert getattr(stream, attribute) == getattr(table, attribute), attribute
    # the rows expected (for progress): the lines of a file with one kind of line break
    if name in ("plain", "no final newline", "NFC", "Windows-1252"):
        assert stream.expected == len(rows)


def test_a_streamed_xlsx_is_the_sheet_read_whole(tmp_path):
    from helpers import write_xlsx

    path = write_xlsx(tmp_path / "svar.xlsx", [["id", "svar"], [], ["JC01", "hej"], [7, 1.5]])
    table, stream, rows = _both(path)
    assert rows == list(zip(table.numbers, table.records, strict=True))
    assert (stream.headers, stream.notes, stream.encoding) == (
        table.headers,
        table.notes,
        table.encoding,
    )


BAD_FILES = {
    "too many fields": b"id,svar\nJC01,a\nJC02,b,c\n",
    "no rows": b"id,svar\n\n\n",
    "no header": b"\n ,\n",
    "header twice": b"id,id\nJC01,a\n",
    "unnamed column": b"id,,svar\nJC01,a,b\n",
    "NUL": b"id,svar\nJC01,a\x00\n",
    "mixed encodings": "id;svar\nJC01;æ\n".encode() + b"JC02;\xe6\n",
    "Mac Roman": "id;svar\nJC01;p\u00e5 f\u00f8rst\n".encode("mac_roman"),
    "UTF-16": "id;svar\nJC01;a\n".encode("utf-16-le"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_streamed_table_fails_as_the_table_read_whole(tmp_path, name):
    from qualcode.errors import QualcodeError

    path = tmp_path / "svar.csv"
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(QualcodeError) as whole:
        _both(path)
    from qualcode.io.tabular import stream_table

    with pytest.raises(QualcodeError) as streamed:
        list(stream_table(path).rows)
    assert str(streamed.value) == str(whole.value)


def test_a_cell_over_the_limit_is_named_as_when_read_whole(tmp_path, monkeypatch):
    from qualcode.errors import QualcodeError
    from qualcode.io import tabular

    monkeypatch.setattr(tabular, "MAX_CELL_CHARS", 50)
    path = tmp_path / "svar.csv"
    rows = b"".join(b"JC%03d,kort\n" % i for i in range(100))
    path.write_bytes(b"id,svar\n" + rows + b"JC999," + b"a" * 60 + b"\n")
    with pytest.raises(QualcodeError) as whole:
        tabular.read_table(path)
    rows = tabular.stream_table(path).rows
    assert next(rows) == (2, ["JC000", "kort"])  # read as it comes: the bad cell is later
    with pytest.raises(QualcodeError) as streamed:
        list(rows)
    assert str(streamed.value) == str(whole.value)
    assert "række 102" in str(whole.value) and "svar" in str(whole.value)


def test_a_table_that_may_be_too_big_is_refused_as_when_read_whole(tmp_path, monkeypatch):
    from qualcode.errors import QualcodeError
    from qualcode.io import tabular

    monkeypatch.setattr(tabular, "MAX_TABLE_CELLS", 10)
    path = tmp_path / "svar.csv"
    path.write_bytes(b"id,svar\n" + b"".join(b"JC%02d,x\n" % i for i in range(6)))
    with pytest.raises(QualcodeError) as whole:
        tabular.read_table(path)
    with pytest.raises(QualcodeError) as streamed:
        tabular.stream_table(path)
    assert str(streamed.value) == str(whole.value)
    # at the limit: read (whole, as the lines could have been more rows)
    path.write_bytes(b"id,svar\n" + b"".join(b"JC%02d,x\n" % i for i in range(5)))
    assert len(list(tabular.stream_table(path).rows)) == 5


def _big_csv(path, n, *, last=None):
    from helpers import write_csv

    rows = [["id", "navn", "svar", "andet", "region"]]
    for i in range(n):
        rows.append([f"R{i:05d}", f"Navn {i}", f"Svar {i} æøå", "" if i % 7 else "x", "Syd"])
    if last is not None:
        rows.append(last)
    return write_csv(path, rows, delimiter=";", encoding="cp1252")


def _answers_options():
    return {
        "respondent_col": "id",
        "name_col": "navn",
        "text_cols": ["svar", "andet"],
        "questions": ["strategier", "andet"],
        "codebooks": ["lokalpolitiske-strategier"],
        "attr_cols": ["region"],
    }


@pytest.mark.parametrize(
    "last, message",
    [
        (["R00003", "Igen", "", "", "Syd"], "R00003"),
        (["R09999", "x", "y", "z", "Syd", "for meget"], "felter"),
        (["", "Ingen id", "", "", ""], "tom"),
    ],
)
def test_an_error_in_the_last_row_leaves_the_project_as_it_was(tmp_path, last, message):
    """The rows before it are written by then (in batches of 500): the import's one
    transaction is rolled back."""
    from qualcode.errors import QualcodeError

    path = _big_csv(tmp_path / "svar.csv", 1203, last=last)
    with Project.create(tmp_path / "p.db") as project:
        FileImport("answers", [str(_big_csv(tmp_path / "ok.csv", 10))], _answers_options()).run(
            project
        )
        before = project.snapshot()
        calls: list = []
        with pytest.raises(QualcodeError) as error:
            FileImport("answers", [str(path)], _answers_options()).run(
                project, progress=lambda d, t: calls.append(d)
            )
        assert calls == [500, 1000]  # two batches were written before the error
        assert project.snapshot() == before
    assert "række 1205" in str(error.value) and message in str(error.value)


def test_a_streamed_import_is_the_import_of_the_file_read_whole(tmp_path):
    """The same project, summary and notes (blank rows, NFC, look-alike ids among the
    file's and against the project's, answers already there), whichever way the file is
    read; progress ends at the rows written."""
    import shutil

    from helpers import write_csv
    from qualcode.io.answers import read_answers

    rows = [["id", "navn", "svar", "andet", "region", "ekstra"], []]
    for i in range(1100):
        rows.append([f"R{i:05d}", f"Navn {i}", f"Svar {i}", "", "Syd", "-"])
    rows += [["r00001 ", "Ligner", "x", "", "Nord", ""], ["JCa\u0308", "NFC", "y", "", "", ""]]
    rows += [["JC7", "Ligner projektets", "z", "", "", ""], ["JC05", "Findes", "", "", "", ""]]
    rows += [[], [], ["JC99", "Sidst", "w", "", "", ""], []]
    path = write_csv(tmp_path / "svar.csv", rows, delimiter=";", encoding="utf-8")
    seed = _answers_csv(tmp_path / "seed.csv", [("JC07", "Syv", "a", ""), ("JC05", "Fem", "", "")])
    with Project.create(tmp_path / "a.db") as project:
        _import(project, seed, questions=["andet", "tredje"])
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    calls: list = []
    with Project.open(tmp_path / "a.db") as a, Project.open(tmp_path / "b.db") as b:
        streamed = FileImport("answers", [str(path)], _answers_options()).run(
            a, progress=lambda d, t: calls.append((d, t))
        )
        table = read_answers(str(path), **_answers_options(), project=b)
        whole = b.import_answers(table)
        assert streamed.notes == whole.notes
        assert streamed.record() == whole.record()
        assert len(streamed.notes) == 6, streamed.notes
        assert "NFC" in streamed.notes[2]
        for query in (
            "SELECT id, name FROM respondents ORDER BY 1",
            "SELECT * FROM attributes ORDER BY 1, 2",
            "SELECT * FROM items ORDER BY 1",
            "SELECT id, codebook_id, kind FROM questions ORDER BY 1",
            "SELECT kind, file, sha256, options, summary FROM imports ORDER BY 1",
        ):
            assert a.db.execute(query).fetchall() == b.db.execute(query).fetchall()
    assert [d for d, _t in calls] == [500, 1000, 1105, 1105]
    assert calls[-1] == (1105, 1105) and all(t >= d for d, t in calls)


def test_a_register_is_read_as_it_is_written(tmp_path):
    from qualcode.errors import QualcodeError

    path = _big_csv(tmp_path / "register.csv", 1203)
    options = {"respondent_col": "id", "name_col": "navn", "attr_cols": ["region"]}
    with Project.create(tmp_path / "p.db") as project:
        summary = FileImport("register", [str(path)], options).run(project)
        assert (summary.respondents_added, summary.attributes_changed) == (1203, 1203)
        assert summary.notes == [
            "sprunget over: 2 kolonner ikke importeret: 'svar', 'andet' (ikke valgt som "
            "tekst-, navne- eller attributkolonner; --attr-col eller --all-attrs gemmer dem som "
            "attributter)"
        ]
        before = project.snapshot()
        again = _big_csv(tmp_path / "igen.csv", 1203, last=["R00002", "x", "", "", "Nord"])
        with pytest.raises(QualcodeError, match="R00002"):
            FileImport("register", [str(again)], options).run(project)
        assert project.snapshot() == before
