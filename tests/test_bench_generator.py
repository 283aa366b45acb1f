"""The benchmark generator (bench/generate.py) makes a valid, realistic project.

A small one (500 answers), so this stays in the normal suite: about a second.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import sqlite3
import sys
from pathlib import Path

import pytest

from helpers import REPO, run
from qualcode.core.codebook import load_codebook
from qualcode.core.project import Project

ANSWERS = 500


def _load(name: str):
    path = REPO / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    files = generate.write_files(tmp / "files", ANSWERS, seed=3, interviews=4, interview_words=800)
    db = tmp / "bench.db"
    times = generate.build(db, files)
    return files, db, times


def test_the_files_look_like_a_surveyxact_export(built):
    files, _db, _times = built
    raw = files.answers.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # Windows-1252, as Danish Excel writes it
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["jobcenter_id", "navn", "region", "stoerrelse"]
    assert len(header) == 4 + len(generate.QUESTIONS)
    assert len(body) == ANSWERS // len(generate.QUESTIONS) == files.respondents
    texts = [cell for row in body for cell in row[4:]]
    assert len(texts) == ANSWERS
    lengths = [generate.word_count(t) for t in texts]
    assert min(lengths) >= generate.MIN_WORDS and max(lengths) <= generate.MAX_WORDS
    assert 20 <= sum(lengths) / len(lengths) <= 55
    joined = " ".join(texts)
    assert any(ch in joined for ch in "æøå")
    assert len(files.interviews) == 4
    assert all(700 <= w <= 1200 for w in files.interview_words)


def test_the_same_seed_makes_the_same_files(tmp_path, built):
    files, _db, _times = built
    again = generate.write_files(tmp_path, ANSWERS, seed=3, interviews=4, interview_words=800)

    def digest(paths: list[Path]) -> list[str]:
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]

    assert digest([again.answers, again.codings, *again.interviews]) == digest(
        [files.answers, files.codings, *files.interviews]
    )


def test_the_project_holds_every_row_imported_through_the_importers(built):
    files, db, times = built
    assert set(times) >= {"answers_read", "answers_write", "codings_write"}
    with Project.open(db, coder="test") as p:
        questions = {q.id: q for q in p.questions()}
        assert set(questions) == {q for q, _c, _s in generate.QUESTIONS} | {"interview"}
        for qid, _col, stem in generate.QUESTIONS:
            assert questions[qid].codebook == stem
            assert len(p.items(qid)) == ANSWERS // len(generate.QUESTIONS)
        assert questions["interview"].codebook == generate.INTERVIEW_CODEBOOK
        excerpts = p.items("interview")
        assert excerpts and {i.respondent for i in excerpts} == {f.stem for f in files.interviews}
        assert len(p.respondents()) == files.respondents
        codings = p.codings()
        assert len(codings) == files.coding_rows
        assert {c.coder for c in codings} == set(generate.CODERS)
        assert any(c.is_span for c in codings if c.item_id in {i.id for i in excerpts})
        per_answer = sum(1 for c in codings if c.item_id not in {i.id for i in excerpts})
        assert 1.2 <= per_answer / ANSWERS <= 1.8
        # the importers logged what they did: answers, interviews, codings
        kinds = [r[0] for r in p.db.execute("SELECT kind FROM imports ORDER BY id")]
        assert kinds == ["answers", "interviews", "codings"]
        assert p.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for qid, _col, stem in generate.QUESTIONS:
            keys = set(load_codebook(stem).keys())
            assert {c.code for c in p.codings(question=qid)} <= keys


def test_qualcode_counts_works_on_it_and_matches_the_bare_query(built):
    _files, db, _times = built
    result = run("counts", db, "--question", "strategier", "--format", "csv")
    assert result.exit_code == 0, result.output
    got = {
        row["code"]: int(row["respondents"]) for row in csv.DictReader(io.StringIO(result.stdout))
    }
    conn = sqlite3.connect(db)
    bare = dict(
        conn.execute(
            "SELECT k.key, COUNT(DISTINCT i.respondent_id) FROM codings c"
            " JOIN items i ON i.id = c.item_id JOIN codes k ON k.id = c.code_id"
            " WHERE i.question_id = 'strategier' AND i.is_empty = 0 GROUP BY k.key"
        )
    )
    conn.close()
    assert got == {key: bare.get(key, 0) for key in got}
    assert sum(got.values()) > 0


def test_one_question_puts_every_answer_in_it(tmp_path):
    files = generate.write_files(
        tmp_path / "files", 60, seed=5, questions=1, interviews=1, interview_words=200
    )
    db = tmp_path / "one.db"
    generate.build(db, files)
    with Project.open(db, coder="test") as p:
        assert [q.id for q in p.questions()] == ["strategier", "interview"]
        assert len(p.items("strategier")) == 60 == len(p.respondents())
