"""Every CLI command as the user runs it (a process, from start to exit), beside a bare
Python process doing the same SQL with the same pragmas.

    python bench/bench_commands.py --db /tmp/bench10k.db --files /tmp/files10k [--repeat 11]

For each command, qualcode and its floor run ``--repeat`` times each, interleaved (qualcode
then floor, then floor then qualcode, ...) so that both meet the machine in the same
state; before that, each runs once untimed (the page cache is warm, the bytecode
compiled) and their outputs are compared. A run is timed from just before the process is
started to its exit (``os.wait4``, which also gives the CPU time it used and its peak
memory). The floors are the scripts in ``bench/floors/``: the same interpreter (no
``-S``: site and the virtual environment's .pth files are read, as for qualcode), the
standard library only; each script's docstring says exactly what it runs.

* ``python -c pass``: the interpreter's own start and exit, for reference.
* ``qualcode --help``; floor: ``python -c`` writing the same text.
* ``qualcode info DB``, ``qualcode counts DB --question Q``, ``qualcode quotes DB
  --question Q --code KEY``: floors open the file read-only as qualcode does (``mode=ro``
  URI, busy_timeout, query_only, foreign_keys) and run the statements qualcode runs.
* ``qualcode code COPY --question Q --respondent R --code KEY``: a new coding, committed
  (WAL, synchronous=FULL). qualcode and the floor each work on their own copy of DB and
  code the same respondent in the same run (a different respondent in each run).
* ``qualcode import answers NEW.db FILE.csv ...`` of the generated wide CSV into a new
  project; the floor reads and hashes the file, splits it with csv.reader, creates the
  project from qualcode's schema and writes the same rows (synchronous=FULL, WAL).

The SQL is checked, not assumed: for info, counts, quotes and code both processes are
also run once with every statement traced (``_trace_sql.py``), and the distinct
statements (values as ``?``, without qualcode's cache probes) are compared; a
difference is printed and reported. The outputs are compared too (the same text, the
same numbers; for code and import the same rows in the files).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH, emit, median, user_env  # noqa: E402
from _trace_sql import statements  # noqa: E402
from generate import QUESTIONS  # noqa: E402

FLOORS = BENCH / "floors"
ALL = ("python", "help", "info", "counts", "quotes", "code", "import")


@dataclass
class Case:
    name: str
    shown: str  # the command as the user types it
    floor_contains: str
    qualcode: Callable[[int], list[str]]  # run index -> argv (-1: the untimed run)
    floor: Callable[[int], list[str]]
    before: Callable[[int], None] | None = None  # not timed: e.g. remove the new project
    verify: Callable[[tuple[str, str], tuple[str, str]], str] | None = None
    trace: bool = False  # compare the statements of the two
    repeat: int | None = None
    runs: dict[str, list[dict]] = field(default_factory=lambda: {"qualcode": [], "floor": []})


def run_process(argv: list[str], env: dict) -> dict:
    """Start ``argv``, wait for its exit: wall and CPU seconds (user + system)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode(errors="replace")
            raise RuntimeError(f"{shlex.join(argv)} failed ({proc.returncode}):\n{text[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime}


def run_captured(argv: list[str], env: dict, workdir: Path) -> dict:
    """Run ``argv`` once, untimed, through a small launcher: its output and its peak
    resident memory (see _rss.py)."""
    rss_file = workdir / "rss.txt"
    done = subprocess.run(
        [sys.executable, str(BENCH / "_rss.py"), str(rss_file), *argv],
        capture_output=True,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(argv)} failed ({done.returncode}):\n"
            f"{done.stdout.decode(errors='replace')[-2000:]}\n"
            f"{done.stderr.decode(errors='replace')[-3000:]}"
        )
    return {
        "stdout": done.stdout.decode("utf-8", "replace"),
        "stderr": done.stderr.decode("utf-8", "replace"),
        "rss_kib": int(rss_file.read_text()),
    }


def copy_db(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- the new project the import floor starts from -----------------------------------------
def fresh_project_sql(specs: list[tuple[str, str, str]], workdir: Path) -> str:
    """The CREATE statements of a new qualcode project and the rows qualcode writes into it
    before the answers (migrations, the questions' codebooks and codes, the questions and
    their events), as one SQL script. Made with qualcode's own API, not timed."""
    from qualcode.core.codebook import load_codebook
    from qualcode.core.project import Project

    path = workdir / "fresh.db"
    remove_db(path)
    with Project.create(path, coder="bench") as project, project.transaction():
        for qid, _col, stem in specs:
            project.ensure_question(qid, "open", load_codebook(stem), "")
    conn = sqlite3.connect(path)
    script = []
    shadow = re.compile(r"^items_fts_|^sqlite_")
    objects = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    for kind, name, sql in objects:
        if kind == "table" and shadow.match(name):
            continue  # made by CREATE VIRTUAL TABLE, or SQLite's own
        script.append(sql.strip() + ";")
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).fetchall():
        if shadow.match(table) or table == "items_fts":
            continue
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        quoted = " || ',' || ".join(f'quote("{c}")' for c in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        for (values,) in conn.execute(f'SELECT {quoted} FROM "{table}"'):
            script.append(f'INSERT INTO "{table}" ({names}) VALUES ({values});')
    for pragma in ("user_version", "application_id"):
        value = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        script.append(f"PRAGMA {pragma} = {value};")
    conn.close()
    remove_db(path)
    return "\n".join(script) + "\n"


def file_summary(path: Path) -> tuple:
    """What an import put in a project: respondents, attributes, items and their text,
    the full-text index, the codebooks' codes."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (
            conn.execute("SELECT COUNT(*) FROM respondents").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM attributes").fetchone()[0],
            conn.execute("SELECT COUNT(*), SUM(is_empty), SUM(LENGTH(text)) FROM items").fetchone(),
            conn.execute(
                "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'fleksjob'"
            ).fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM codes").fetchone()[0],
            conn.execute("PRAGMA integrity_check").fetchone()[0],
        )
    finally:
        conn.close()


# -- the commands ---------------------------------------------------------------------------
def cases(args, workdir: Path, env: dict) -> list[Case]:
    python = sys.executable
    qualcode = str(Path(python).with_name("qualcode"))
    db = str(args.db)
    question, code = args.question, args.code
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    respondents = [
        r[0]
        for r in conn.execute(
            "SELECT respondent_id FROM items WHERE question_id = ? AND is_empty = 0"
            " ORDER BY respondent_id",
            [question],
        ).fetchmany(200)
    ]
    conn.close()
    out: list[Case] = []

    def same_text(q: tuple[str, str], f: tuple[str, str]) -> str:
        if q[0] != f[0]:
            raise AssertionError(f"outputs differ:\n{q[0][:800]}\n---\n{f[0][:800]}")
        return "the same text"

    def same_numbers(q: tuple[str, str], f: tuple[str, str]) -> str:
        pattern = re.compile(r"(\d+) (?:af|of) (\d+)")
        got, want = pattern.findall(q[0]), pattern.findall(f[0])
        if got != want or not got:
            raise AssertionError(f"counts differ: {got} against {want}")
        return f"the same {len(got)} 'N of M' figures"

    if "python" in args.only:
        out.append(
            Case(
                "python",
                "python -c pass",
                "nothing: the interpreter starts (site, the venv's .pth files) and exits",
                lambda _i: [python, "-c", "pass"],
                lambda _i: [python, "-c", "pass"],
            )
        )
    if "help" in args.only:
        text = run_captured([qualcode, "--help"], env, workdir)["stdout"]
        help_file = workdir / "help.txt"
        help_file.write_text(text, encoding="utf-8")
        writer = "import sys; sys.stdout.write(open(sys.argv[1], encoding='utf-8').read())"
        out.append(
            Case(
                "help",
                "qualcode --help",
                "`python -c` that writes the same help text (read from a file)",
                lambda _i: [qualcode, "--help"],
                lambda _i: [python, "-c", writer, str(help_file)],
                verify=same_text,
            )
        )
    if "info" in args.only:
        out.append(
            Case(
                "info",
                "qualcode info DB",
                "bench/floors/info.py: open read-only, the project checks, questions, "
                "respondents, per question the items and codings (the same statements)",
                lambda _i: [qualcode, "info", db],
                lambda _i: [python, str(FLOORS / "info.py"), db],
                verify=same_text,
                trace=True,
            )
        )
    if "counts" in args.only:
        out.append(
            Case(
                "counts",
                f"qualcode counts DB --question {question}",
                "bench/floors/counts.py: open read-only, the project checks, basis and "
                "coders, question, codebook and codes, the denominator, the count query "
                "of qualcode.store.counts, the noun (the same statements); prints N af M",
                lambda _i: [qualcode, "counts", db, "--question", question],
                lambda _i: [python, str(FLOORS / "counts.py"), db, question],
                verify=same_numbers,
                trace=True,
            )
        )
        nested = args.nested_question
        if nested and nested != question:
            out.append(
                Case(
                    "counts_nested",
                    f"qualcode counts DB --question {nested}",
                    "as above, with the recursive roll-up query of a nested codebook",
                    lambda _i: [qualcode, "counts", db, "--question", nested],
                    lambda _i: [python, str(FLOORS / "counts.py"), db, nested],
                    verify=same_numbers,
                    trace=True,
                )
            )
    if "quotes" in args.only:
        out.append(
            Case(
                "quotes",
                f"qualcode quotes DB --question {question} --code {code}",
                "bench/floors/quotes.py: open read-only, the project checks, question, "
                "codebook and codes, the quotes query of qualcode.store.codings "
                "(the same statements); prints the same Markdown",
                lambda _i: [qualcode, "quotes", db, "--question", question, "--code", code],
                lambda _i: [python, str(FLOORS / "quotes.py"), db, question, code],
                verify=same_text,
                trace=True,
            )
        )
    if "code" in args.only:
        mine, theirs = workdir / "code-qualcode.db", workdir / "code-floor.db"
        copy_db(args.db, mine)
        copy_db(args.db, theirs)

        def who(i: int) -> str:
            return respondents[i % len(respondents)]

        def check_code(q: tuple[str, str], f: tuple[str, str]) -> str:
            same_text(q, f)
            rows = []
            for path in (mine, theirs):
                c = sqlite3.connect(path)
                rows.append(
                    c.execute(
                        "SELECT c.item_id, c.code_id, c.start, c.memo, c.origin FROM codings c"
                        " WHERE c.coder = 'bench' ORDER BY c.item_id"
                    ).fetchall()
                )
                c.close()
            if rows[0] != rows[1] or not rows[0]:
                raise AssertionError(f"the codings differ: {rows[0]} against {rows[1]}")
            return "the same line, the same coding in each copy"

        out.append(
            Case(
                "code",
                f"qualcode code COPY --question {question} --respondent R --code {code}",
                "bench/floors/code.py: open to write (WAL, synchronous=FULL), the project "
                "checks, question, item, codebook and codes, then BEGIN IMMEDIATE, the "
                "duplicate check, the coding, its event, COMMIT (the same statements)",
                lambda i: [
                    qualcode,
                    "code",
                    str(mine),
                    "--question",
                    question,
                    "--respondent",
                    who(i),
                    "--code",
                    code,
                    "--coder",
                    "bench",
                ],  # fmt: skip
                lambda i: [
                    python,
                    str(FLOORS / "code.py"),
                    str(theirs),
                    question,
                    who(i),
                    code,
                    "bench",
                ],  # fmt: skip
                verify=check_code,
                trace=True,
            )
        )
    if "import" in args.only and args.files:
        csv_path = args.files / "svar.csv"
        with open(csv_path, encoding="cp1252", newline="") as fh:
            header = fh.readline().strip().split(";")
        specs = [(q, col, stem) for q, col, stem in QUESTIONS if col in header]
        setup = workdir / "fresh-project.sql"
        setup.write_text(fresh_project_sql(specs, workdir), encoding="utf-8")
        new_q, new_f = workdir / "import-qualcode.db", workdir / "import-floor.db"
        options = ["--respondent-col", "jobcenter_id", "--name-col", "navn"]
        options += ["--attr-col", "region", "--attr-col", "stoerrelse"]
        for qid, col, _stem in specs:
            options += ["--text-col", col, "--question", qid]
        for _qid, _col, stem in specs:
            options += ["--codebook", stem]

        def clean(_i: int) -> None:
            remove_db(new_q)
            remove_db(new_f)

        def check_import(_q: tuple[str, str], _f: tuple[str, str]) -> str:
            a, b = file_summary(new_q), file_summary(new_f)
            if a != b:
                raise AssertionError(f"the new projects differ: {a} against {b}")
            return "the same respondents, attributes, items, texts and full-text index"

        out.append(
            Case(
                "import",
                "qualcode import answers NEW.db svar.csv (5 text columns, 2 attributes)",
                "bench/floors/import_answers.py: read + SHA-256 + cp1252 decode + "
                "csv.reader of the file; qualcode's schema and the codebooks' rows "
                "(one script, one transaction); respondents, attributes, items (500 per "
                "INSERT, the FTS5 triggers firing) and the import's log row in one "
                "transaction; WAL, synchronous=FULL",
                lambda _i: [qualcode, "import", "answers", str(new_q), str(csv_path), *options],
                lambda _i: [
                    python,
                    str(FLOORS / "import_answers.py"),
                    str(new_f),
                    str(csv_path),
                    str(setup),
                    "jobcenter_id",
                    "navn",
                    "region,stoerrelse",
                    *[f"{col}={qid}" for qid, col, _s in specs],
                ],  # fmt: skip
                before=clean,
                verify=check_import,
                repeat=args.import_repeat,
            )
        )
    return out


def trace_check(case: Case, env: dict, workdir: Path) -> dict:
    """The distinct statements of qualcode and of the floor, compared."""
    tracer = str(BENCH / "_trace_sql.py")
    python = sys.executable
    q_log, f_log = workdir / f"{case.name}-qualcode.sql", workdir / f"{case.name}-floor.sql"
    q_argv, f_argv = case.qualcode(-2), case.floor(-2)
    run_process([python, tracer, str(q_log), "qualcode", *q_argv[1:]], env)
    run_process([python, tracer, str(f_log), *f_argv[1:]], env)
    mine, theirs = statements(str(q_log)), statements(str(f_log))
    return {
        "qualcode_statements": len(mine),
        "floor_statements": len(theirs),
        "qualcode_only": sorted(mine - theirs),
        "floor_only": sorted(theirs - mine),
        "same": mine == theirs,
    }


def measure(case: Case, env: dict, repeat: int, workdir: Path) -> dict:
    if case.before:
        case.before(-1)
    q = run_captured(case.qualcode(-1), env, workdir)
    f = run_captured(case.floor(-1), env, workdir)
    verified = (
        case.verify((q["stdout"], q["stderr"]), (f["stdout"], f["stderr"])) if (case.verify) else ""
    )
    sql = trace_check(case, env, workdir) if case.trace else None
    if sql and not sql["same"]:
        print(
            f"{case.name}: the floor's SQL differs from qualcode's:\n  qualcode only: "
            f"{sql['qualcode_only']}\n  floor only: {sql['floor_only']}",
            file=sys.stderr,
        )
    loads = [os.getloadavg()[0]]
    runs: dict[str, list[dict]] = {"qualcode": [], "floor": []}
    for i in range(case.repeat or repeat):
        order = ("qualcode", "floor") if i % 2 == 0 else ("floor", "qualcode")
        for who in order:
            if case.before:
                case.before(i)
            argv = case.qualcode(i) if who == "qualcode" else case.floor(i)
            runs[who].append(run_process(argv, env))
        loads.append(os.getloadavg()[0])

    def summary(values: list[dict], rss_kib: int) -> dict:
        walls = sorted(r["wall"] for r in values)
        return {
            "rss_kib": rss_kib,
            "wall": median(walls),
            "wall_min": walls[0],
            "wall_max": walls[-1],
            "cpu": median([r["cpu"] for r in values]),
            "walls": [round(w, 4) for w in walls],
        }

    mine = summary(runs["qualcode"], q["rss_kib"])
    theirs = summary(runs["floor"], f["rss_kib"])
    pairs = [a["wall"] / b["wall"] for a, b in zip(runs["qualcode"], runs["floor"], strict=True)]
    return {
        "name": case.name,
        "command": case.shown,
        "floor_contains": case.floor_contains,
        "repeat": len(runs["qualcode"]),
        "qualcode": mine,
        "floor": theirs,
        "ratio": mine["wall"] / theirs["wall"],
        "ratio_cpu": mine["cpu"] / theirs["cpu"] if theirs["cpu"] else None,
        "pair_ratio_median": median(pairs),
        "verified": verified,
        "sql": sql,
        "load_min": min(loads),
        "load_max": max(loads),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a generated project")
    parser.add_argument(
        "--files", type=Path, help="the generator's folder (svar.csv): for import answers"
    )
    parser.add_argument("--repeat", type=int, default=11, help="timed runs of each")
    parser.add_argument("--import-repeat", type=int, default=5)
    parser.add_argument("--question", default="strategier")
    parser.add_argument("--nested-question", default="kompenserende-ordninger")
    parser.add_argument("--code", default="fleksjob")
    parser.add_argument(
        "--only", default=",".join(ALL), help=f"comma-separated, of: {', '.join(ALL)}"
    )
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(ALL)
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    result: dict = {"commands": []}
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-commands-") as tmp:
        workdir = Path(tmp)
        env = user_env(dict(os.environ, QUALCODE_CODER="bench"))
        env.setdefault("QUALCODE_HOME", str(workdir / "home"))
        for case in cases(args, workdir, env):
            print(f"  {case.shown}", file=sys.stderr, flush=True)
            result["commands"].append(measure(case, env, args.repeat, workdir))
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
