"""qualcode serve: the project published read-only with Datasette.

The server runs as a real process (``python -m qualcode serve``) on a free local port and
is asked through Datasette's JSON API: the metadata (titles, hidden tables, canned
queries), the views, the search, a change made by a writer while it runs, and that it
never writes. On a generated 100,000-answer project (marked ``datasette_100k``; built
once per session) every view and the search answer within Datasette's default time limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import REPO, assert_one_line_error, run, write_csv
from qualcode.core.project import Project
from qualcode.io import datasette as metadata_file
from qualcode.store import publish

pytest.importorskip("datasette")

DEFAULT_LIMIT_MS = 1000  # Datasette's sql_time_limit_ms
CPR = "010190-1234"
VIEWS = ["theme_counts", "coded_passages", "starred_quotes", "answers"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Server:
    """``qualcode serve DB`` in a process of its own, asked over HTTP."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.name = metadata_file.database_name(db)
        self.path = "/" + metadata_file.url_name(self.name)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])]
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qualcode", "serve", str(db), "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(f"serve ended early ({self.proc.returncode}): {err.decode()}")
            with contextlib.suppress(OSError):
                if self.get("/-/versions.json")[0] == 200:
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("serve did not start within 60 s")
            time.sleep(0.2)

    def get(self, path: str) -> tuple[int, dict, float]:
        """(status, JSON, seconds) of a GET."""
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        return status, json.loads(body or b"{}"), time.perf_counter() - start

    def json(self, path: str) -> dict:
        status, data, _seconds = self.get(path)
        assert status == 200, (path, status, data)
        return data

    def table(self, view: str, **params: str) -> dict:
        query = urllib.parse.urlencode({**params, "_shape": "objects"})
        return self.json(f"{self.path}/{view}.json?{query}")

    def stop(self) -> tuple[int, str]:
        """Ctrl+C, as a user stops it; (exit code, what it wrote on stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _out, err = self.proc.communicate()
        return self.proc.returncode, err.decode()


@contextlib.contextmanager
def serving(db: Path):
    server = Server(db)
    try:
        yield server
    finally:
        code, err = server.stop()
        assert code == 0, err


# -- one-line errors ----------------------------------------------------------------------


def test_a_missing_file_is_one_line(tmp_path, english):
    assert_one_line_error(run("serve", tmp_path / "ingen.db"), "ingen.db", "no such project")
    assert list(tmp_path.iterdir()) == []


def test_another_programs_database_and_an_empty_file_are_refused_untouched(tmp_path, english):
    other = tmp_path / "andet.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE kunder (navn TEXT)")
    conn.commit()
    conn.close()
    before = digest(other)
    assert_one_line_error(run("serve", other), "andet.db", "not a qualcode project")
    assert digest(other) == before
    empty = tmp_path / "tom.db"
    empty.write_bytes(b"")
    assert_one_line_error(run("serve", empty), "tom.db", "not a qualcode project")
    assert empty.read_bytes() == b""


def test_an_older_project_is_not_upgraded_by_serve(tmp_path, english):
    old = tmp_path / "gammel.qualcode.db"
    old.write_bytes((REPO / "tests" / "fixtures" / "schema1.qualcode.db").read_bytes())
    before = digest(old)
    line = assert_one_line_error(run("serve", old), "gammel.qualcode.db", "older qualcode")
    assert "qualcode tui" in line
    assert digest(old) == before
    wal = Path(f"{old}-wal")  # SQLite may make an empty -wal beside a file it only reads
    assert not wal.exists() or wal.stat().st_size == 0
    assert not list(tmp_path.glob("*.backups"))


def test_without_datasette_it_says_what_to_install(demo_copy, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a, **k: None if name == "datasette" else real(name, *a, **k),
    )
    assert_one_line_error(run("serve", demo_copy), "pip install 'qualcode[serve]'")


def test_a_taken_port_is_one_line(demo_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert_one_line_error(
            run("serve", demo_copy, "--port", port), f"127.0.0.1:{port}", "--port"
        )


def test_an_option_datasette_does_not_know_is_one_line(demo_copy):
    result = run("serve", demo_copy, "--port", "0", "--", "--no-such-option")
    assert_one_line_error(result, "datasette", "--no-such-option")


def test_options_after_the_double_dash_reach_datasette(demo_copy):
    """Datasette's --get answers one request without starting a server."""
    result = run("serve", demo_copy, "--port", "0", "--", "--get", "/-/settings.json")
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)
    assert settings["suggest_facets"] is False  # serve's own setting
    assert settings["sql_time_limit_ms"] == DEFAULT_LIMIT_MS  # Datasette's default kept


# -- the metadata file ---------------------------------------------------------------------


def test_the_metadata_hides_every_table_and_describes_the_views(demo_db):
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        tables, views = publish.tables(conn), publish.views(conn)
    finally:
        conn.close()
    data = metadata_file.metadata(demo_db, tables=tables, views=views)
    entries = data["databases"][metadata_file.database_name(demo_db)]["tables"]
    assert {"items", "codings", "events", "theme_respondents", "items_fts"} <= set(tables)
    assert all(entries[t] == {"hidden": True} for t in tables)
    assert set(VIEWS) | {"quotes", "codings_readable"} == set(views)
    assert entries["coded_passages"]["title"] == "Alle kodede passager"
    assert entries["starred_quotes"]["title"] == "Stjernemarkerede citater"
    assert entries["answers"]["fts_table"] == "items_fts"
    assert entries["answers"]["fts_pk"] == "id"
    assert "gammelt navn" in entries["quotes"]["title"]
    json.dumps(data)  # a file Datasette can read


def test_the_canned_queries_give_what_qualcode_gives(demo_copy):
    with Project.open(demo_copy) as p:
        star = p.quotes("hjaelpemidler", "interview")[0]
        p.star(star.coding_id)
        frame = p.counts("strategier")
        quotes = p.quotes("ordninger")  # a parent: its children's passages too
    conn = sqlite3.connect(f"file:{demo_copy}?mode=ro", uri=True)
    try:
        counts = conn.execute(
            publish.QUERIES["counts_per_question"], {"question": "strategier", "coder": ""}
        ).fetchall()
        assert [(r[0], r[2]) for r in counts] == [
            (c, int(n)) for c, n in zip(frame["code"], frame["respondents"], strict=True)
        ]
        rows = conn.execute(
            publish.QUERIES["quotes_per_theme"],
            {"theme": "ordninger", "question": "", "only_starred": ""},
        ).fetchall()
        assert {(r[1], r[7].strip()) for r in rows} == {(q.respondent, q.text) for q in quotes}
        starred = conn.execute(
            publish.QUERIES["quotes_per_theme"],
            {"theme": "Hjælpemidler", "question": "interview", "only_starred": "ja"},
        ).fetchall()
        assert [r[7].strip() for r in starred] == [star.text]
    finally:
        conn.close()


# -- the server -------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path) -> Path:
    """A small project with a CPR number in one answer, coded and starred."""
    db = tmp_path / "lille.qualcode.db"
    rows = [["id", "svar"]]
    rows += [[f"JC{n:02d}", f"Fleksjob og mentor hjælper borger nummer {n}."] for n in range(9)]
    rows.append(["JC99", f"Borgeren med cpr {CPR} fik hjælpemidler og fleksjob."])
    write_csv(tmp_path / "svar.csv", rows)
    args = ["--respondent-col", "id", "--text-col", "svar", "--question", "strategier"]
    result = run(
        "import",
        "answers",
        db,
        tmp_path / "svar.csv",
        *args,
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert result.exit_code == 0, result.output
    with Project.open(db, coder="ane") as p:
        for item in p.items("strategier")[:4]:
            p.star(p.add_coding(item.id, "fleksjob").id)
    return db


def test_the_server_publishes_titles_hidden_tables_queries_and_views(small):
    with serving(small) as server:
        meta = server.json("/-/metadata.json")
        tables = meta["databases"][server.name]["tables"]
        assert tables["starred_quotes"]["title"] == "Stjernemarkerede citater"
        database = server.json(f"{server.path}.json")
        listed = {t["name"]: t["hidden"] for t in database["tables"]}
        assert listed["codings"] and listed["items"] and listed["events"]
        assert all(listed.values()), "a table is not hidden"
        assert {v["name"] for v in database["views"]} >= set(VIEWS)
        assert {q["name"] for q in database["queries"]} == set(publish.QUERIES)
        counts = server.table("counts_per_question", question="strategier", coder="")
        by_code = {r["code"]: r["respondents"] for r in counts["rows"]}
        assert by_code["fleksjob"] == 4 and by_code["andet"] == 0
        quotes = server.table("starred_quotes")["rows"]
        assert len(quotes) == 4 and {q["label"] for q in quotes} == {"Fleksjob"}
        found = server.table("answers", _search="hjælpemidler")["rows"]
        assert [r["respondent"] for r in found] == ["JC99"]


def test_the_server_never_writes_and_shows_what_a_writer_commits(small):
    before = digest(small)
    with serving(small) as server:
        row = server.table("theme_counts", question="strategier", coder="*", code="andet")
        assert row["rows"][0]["respondents"] == 0
        # the workbench (another process, here this one) codes while the server runs
        with Project.open(small, coder="bo") as p:
            for item in p.items("strategier")[:3]:
                p.add_coding(item.id, "andet")
            # a text changed: the search follows it
            with p.transaction():
                p.db.execute(
                    "UPDATE items SET text = 'Virksomhedspraktik' WHERE id = ?",
                    [p.items("strategier")[0].id],
                )
        row = server.table("theme_counts", question="strategier", coder="*", code="andet")
        assert row["rows"][0]["respondents"] == 3
        assert [
            r["respondent"] for r in server.table("answers", _search="virksomhedspraktik")["rows"]
        ] == ["JC00"]
        # and a redaction while it runs: the number is gone from the search at once
        assert [r["respondent"] for r in server.table("answers", _search=CPR)["rows"]] == ["JC99"]
        assert run("scan-pii", small, "--redact").exit_code == 0
        assert server.table("answers", _search=CPR)["rows"] == []
        assert server.table("answers", _search="010190")["rows"] == []
        after_redaction = digest(small)
    code, err = server.stop()
    assert code == 0, err
    assert digest(small) == after_redaction, "the server wrote to the project"
    assert after_redaction != before  # (the writer did)
    wal = Path(f"{small}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_serving_an_untouched_project_leaves_it_byte_identical(small):
    before = digest(small)
    with serving(small) as server:
        for view in VIEWS:
            server.table(view)
        server.table("answers", _search="fleksjob")
    assert digest(small) == before
    wal = Path(f"{small}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


# -- 100,000 answers ---------------------------------------------------------------------


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def project_100k(tmp_path_factory) -> Path:
    """100,000 answers (20,000 jobcentres x 5 questions), about 150,000 codings and 15
    interviews, built through the importers (bench/generate.py); once per session."""
    generate = _load_generator()
    folder = tmp_path_factory.mktemp("serve100k")
    files = generate.write_files(folder / "files", 100_000, seed=1)
    db = folder / "bench100k.qualcode.db"
    generate.build(db, files)
    with Project.open(db, coder="bench") as p:  # a few starred quotes to list
        for coding in p.codings(question="strategier")[:50]:
            p.star(coding.id)
    return db


@pytest.mark.datasette_100k
def test_every_view_and_the_search_answer_within_the_limit_on_100k_answers(project_100k):
    timings: dict[str, float] = {}
    with serving(project_100k) as server:
        base = server.path
        requests = {f"{view}": f"{base}/{view}.json" for view in [*VIEWS, "quotes"]}
        requests["codings_readable"] = f"{base}/codings_readable.json"
        requests["theme_counts, one question"] = (
            f"{base}/theme_counts.json?question=strategier&coder=%2A"
        )
        requests["search (common word)"] = f"{base}/answers.json?_search=og"
        requests["search (rare word)"] = f"{base}/answers.json?_search=fleksjob"
        requests["counts_per_question"] = (
            f"{base}/counts_per_question.json?question=strategier&coder="
        )
        requests["quotes_per_theme"] = (
            f"{base}/quotes_per_theme.json?theme=fleksjob&question=strategier&only_starred="
        )
        for label, path in requests.items():
            status, data, seconds = server.get(path)
            # Datasette ends a query over its limit with an error, not a slow page
            assert status == 200, (label, status, data.get("error"))
            assert data.get("ok", True), (label, data)
            assert data["rows"], label
            timings[label] = seconds
        # the counts of the views were within the limit too (Datasette leaves them out
        # when their query runs over it)
        for view in ("theme_counts", "answers"):
            data = server.json(f"{base}/{view}.json")
            assert data["filtered_table_rows_count"], view
    print("\nqualcode serve on 100,000 answers, seconds per page (JSON):")
    for label, seconds in timings.items():
        print(f"  {label:28} {seconds:.3f}")


@pytest.mark.parametrize("name", ["projekt.qualcode", "to ord", "æøå~x/y", "plain_-1"])
def test_addresses_name_the_database_as_datasette_does(name):
    from datasette.utils import tilde_encode

    assert metadata_file.url_name(name) == tilde_encode(name)
