"""Import throughput in-process, beside its floors measured in the same process on the
same file.

    python bench/bench_import.py --files /tmp/bench100k.db.files [--repeat 3]

qualcode: ``read_answers`` + ``Project.import_answers`` on the generator's wide CSV
(Windows-1252, semicolons), into a new project file: what ``qualcode import answers``
does, minus the interpreter start-up, the imports and creating the file (bench_commands.py
times the command as a process). Then interviews and codings the same way.

Floors, on the same machine and run, into a file with qualcode's schema, codebooks and
questions (made before the clock starts, as qualcode's is) and qualcode's pragmas for
writing: WAL, synchronous=FULL, foreign keys on.

The floors run with the garbage collector off, as qualcode's importer runs.

* read + insert (the floor of the target): read the file's bytes, decode them as
  Windows-1252, split them with ``csv.reader``, build the respondent, attribute and item
  rows, and write them in one transaction: respondents and attributes by executemany,
  items up to 500 rows per INSERT (as qualcode.store.items.insert_many: the full-text
  index's triggers fire per row, and one INSERT per row is three times slower).
* · insert: the same writes of the rows already parsed (what putting the rows on disk
  costs), and · read: the reading and splitting alone.
* codings: the resolved coding rows (item id, code id, span, coder) by executemany into a
  copy of the project taken just before the codings import.
* nlp.pipe (only with ``--nlp``): ``spacy.blank("da")`` with a sentencizer over the same
  texts; qualcode's import does not run spaCy.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median  # noqa: E402
from generate import INTERVIEW_CODEBOOK, INTERVIEW_QUESTION, QUESTIONS, Files  # noqa: E402
from generate import import_answers as qualcode_import_answers  # noqa: E402


def files_in(workdir: Path) -> Files:
    answers = workdir / "svar.csv"
    codings = workdir / "kodninger.csv"
    with open(codings, encoding="utf-8", newline="") as fh:
        coding_rows = sum(1 for _ in csv.reader(fh)) - 1
    with open(answers, encoding="cp1252", newline="") as fh:
        header = next(csv.reader(fh, delimiter=";"))
    questions = sum(1 for _q, col, _s in QUESTIONS if col in header)
    return Files(
        answers=answers,
        interviews=sorted(workdir.glob("*.md")),
        codings=codings,
        respondents=0,
        answer_count=0,
        coding_rows=coding_rows,
        questions=questions,
    )


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def qualcode_run(files: Files, path: Path, floor_copy: Path) -> dict[str, float]:
    """The real import path; leaves a copy of the project just before the codings import."""
    from qualcode.core.codebook import load_codebook
    from qualcode.core.project import Project
    from qualcode.io.codings import read_codings
    from qualcode.io.interviews import read_interviews

    remove(path)
    remove(floor_copy)
    out: dict[str, float] = {}
    with Project.create(path, coder="bench") as project:
        out |= qualcode_import_answers(project, files)
        t0 = time.perf_counter()
        transcripts, digest = read_interviews(files.interviews)
        project.import_interviews(
            transcripts,
            question=INTERVIEW_QUESTION,
            codebook=load_codebook(INTERVIEW_CODEBOOK),
            file=str(files.interviews[0].parent),
            sha256=digest,
        )
        out["interviews"] = time.perf_counter() - t0
        backup = sqlite3.connect(floor_copy)
        project.db.backup(backup)
        backup.close()
        t0 = time.perf_counter()
        rows, table = read_codings(str(files.codings), default_coder="bench")
        t1 = time.perf_counter()
        summary = project.import_codings(rows, file=table.file, sha256=table.sha256)
        t2 = time.perf_counter()
        if summary.codings_added != files.coding_rows:
            raise RuntimeError(f"{summary.codings_added} codings of {files.coding_rows}")
        out |= {"codings_read": t1 - t0, "codings_write": t2 - t1}
    return out


def floor_rows(files: Files) -> tuple[list, list, list, list[str]]:
    """respondents, attributes and item rows exactly as qualcode writes them; the texts."""
    from qualcode.io.answers import read_answers
    from qualcode.store.db import now

    specs = files.question_specs
    table = read_answers(
        str(files.answers),
        respondent_col="jobcenter_id",
        text_cols=[col for _q, col, _s in specs],
        questions=[q for q, _c, _s in specs],
        codebooks=[s for _q, _c, s in specs],
        attr_cols=["region", "stoerrelse"],
        name_col="navn",
    )
    respondents = [(r.respondent, r.name, now()) for r in table.rows]
    attributes = [(r.respondent, k, v) for r in table.rows for k, v in r.attributes.items()]
    items = [
        (qid, r.respondent, 0, "answer", None, r.texts[qid], int(not r.texts[qid]), table.file)
        for r in table.rows
        for qid, _c, _b in table.questions
    ]
    texts = [row[5] for row in items if row[5]]
    return respondents, attributes, items, texts


def empty_project(path: Path, specs: list[tuple[str, str, str]]) -> None:
    """qualcode's schema, codebooks and questions, and nothing else (not timed)."""
    from qualcode.core.codebook import load_codebook
    from qualcode.core.project import Project

    remove(path)
    with Project.create(path, coder="bench") as project:
        for position, (qid, _col, stem) in enumerate(specs):
            project.install_codebook(load_codebook(stem))
            project.db.execute(
                "INSERT INTO questions (id, text, kind, codebook_id, position)"
                " VALUES (?, '', 'open', ?, ?)",
                [qid, stem, position],
            )
        project.db.commit()


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


ITEM_INSERT = (
    "INSERT INTO items (question_id, respondent_id, position, kind, speaker_role, text,"
    " is_empty, source) VALUES "
)


@contextmanager
def gc_off():
    """The floors build and write rows with the garbage collector off, as qualcode does
    (its importer pauses it): otherwise its passes over the benchmark's own objects would
    be counted against the floor."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def write_rows(conn: sqlite3.Connection, respondents, attributes, items) -> None:
    """The rows in one transaction: respondents and attributes by executemany, items up
    to 500 per INSERT."""
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO respondents (id, name, created_at) VALUES (?,?,?)", respondents)
    conn.executemany(
        "INSERT INTO attributes (respondent_id, name, value) VALUES (?,?,?)", attributes
    )
    for start in range(0, len(items), 500):
        batch = items[start : start + 500]
        conn.execute(
            ITEM_INSERT + ",".join(["(?,?,?,?,?,?,?,?)"] * len(batch)),
            [value for row in batch for value in row],
        )
    conn.execute("COMMIT")


def check_written(conn: sqlite3.Connection, items: list) -> None:
    n = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    if n != len(items):
        raise RuntimeError(f"floor wrote {n} rows of {len(items)}")


def insert_floor(path: Path, specs, respondents, attributes, items) -> float:
    """The rows already parsed, written."""
    empty_project(path, specs)
    conn = bare_connection(path)
    with gc_off():
        t0 = time.perf_counter()
        write_rows(conn, respondents, attributes, items)
        took = time.perf_counter() - t0
    check_written(conn, items)
    conn.close()
    return took


def parse_rows(path: Path, specs) -> tuple[list, list, list]:
    """Read, decode and split the file; the rows as qualcode writes them."""
    from qualcode.store.db import now

    text = io.TextIOWrapper(io.BytesIO(path.read_bytes()), encoding="cp1252", newline="")
    rows = csv.reader(text, delimiter=";")
    header = next(rows)
    at = header.index
    rid_i, name_i = at("jobcenter_id"), at("navn")
    attr_i = [(a, at(a)) for a in ("region", "stoerrelse")]
    text_i = [(qid, at(col)) for qid, col, _s in specs]
    stamp = now()
    source = str(path)
    respondents, attributes, items = [], [], []
    for row in rows:
        rid = row[rid_i].strip()
        respondents.append((rid, row[name_i].strip(), stamp))
        attributes += [(rid, a, row[i].strip()) for a, i in attr_i]
        for qid, i in text_i:
            answer = row[i].strip()
            items.append((qid, rid, 0, "answer", None, answer, int(not answer), source))
    return respondents, attributes, items


def read_insert_floor(path: Path, csv_path: Path, specs) -> tuple[float, float]:
    """(seconds of read + insert, seconds of the reading alone)."""
    empty_project(path, specs)
    conn = bare_connection(path)
    with gc_off():
        t0 = time.perf_counter()
        respondents, attributes, items = parse_rows(csv_path, specs)
        t1 = time.perf_counter()
        write_rows(conn, respondents, attributes, items)
        t2 = time.perf_counter()
    check_written(conn, items)
    conn.close()
    return t2 - t0, t1 - t0


def codings_floor(source: Path, copy: Path) -> float:
    """executemany of the coding rows qualcode resolved, into the pre-codings copy."""
    src = sqlite3.connect(source)
    rows = src.execute(
        'SELECT item_id, code_id, start, "end", coder, created_at, memo FROM codings ORDER BY id'
    ).fetchall()
    src.close()
    conn = bare_connection(copy)
    gc.disable()
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        'INSERT INTO codings (item_id, code_id, start, "end", coder,'
        " created_at, memo) VALUES (?,?,?,?,?,?,?)",
        rows,
    )
    conn.execute("COMMIT")
    took = time.perf_counter() - t0
    gc.enable()
    conn.close()
    return took


def nlp_floor(texts: list[str]) -> tuple[float, float]:
    """(seconds to load spaCy, seconds of nlp.pipe over the texts)."""
    t0 = time.perf_counter()
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("sentencizer")
    t1 = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts))
    t2 = time.perf_counter()
    assert tokens > 0
    return t1 - t0, t2 - t1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--files",
        type=Path,
        required=True,
        help="the generator's folder (svar.csv, *.md, kodninger.csv)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians reported")
    parser.add_argument("--nlp", action="store_true", help="also time the nlp.pipe floor")
    args = parser.parse_args(argv)
    files = files_in(args.files)
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-import-") as tmp:
        tmpdir = Path(tmp)
        respondents, attributes, items, texts = floor_rows(files)
        for _ in range(args.repeat):
            q = qualcode_run(files, tmpdir / "qualcode.db", tmpdir / "before-codings.db")
            for key, value in q.items():
                runs.setdefault(key, []).append(value)
            total, read = read_insert_floor(
                tmpdir / "floor-read.db", files.answers, files.question_specs
            )
            runs.setdefault("floor_read_insert", []).append(total)
            runs.setdefault("floor_read", []).append(read)
            runs.setdefault("floor_insert", []).append(
                insert_floor(
                    tmpdir / "floor.db", files.question_specs, respondents, attributes, items
                )
            )
            runs.setdefault("floor_codings", []).append(
                codings_floor(tmpdir / "qualcode.db", tmpdir / "before-codings.db")
            )
        if args.nlp:
            load, pipe = nlp_floor(texts)
            runs["nlp_load"] = [load]
            runs["floor_nlp_pipe"] = [pipe]
    result = {key: median(values) for key, values in runs.items()}
    result |= {
        "questions": files.questions,
        "answers": len(texts),
        "answer_rows": len(items),
        "respondents": len(respondents),
        "attributes": len(attributes),
        "codings": files.coding_rows,
        "words": sum(len(t.split()) for t in texts),
        "csv_bytes": files.answers.stat().st_size,
        "repeat": args.repeat,
    }
    result["answers_total"] = result["answers_read"] + result["answers_write"]
    result["codings_total"] = result["codings_read"] + result["codings_write"]
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
