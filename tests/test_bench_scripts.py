"""The benchmarks (bench/run.py and the scripts it runs) work end to end on a tiny project,
so that they do not rot between the runs that fill docs/performance.md.

One run of bench/run.py on 300 answers with one repeat of everything (about half a
minute, most of it starting processes): every command beside its floor, with the SQL
traced and compared, the imports, the counts, the workbench under a pseudo-terminal, the
key presses and the memory; then the doc rendered from the saved figures.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from helpers import REPO


def _load(name: str):
    path = REPO / "bench" / f"{name}.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench-run")
    out = tmp / "run.json"
    env = dict(os.environ, QUALCODE_HOME=str(tmp / "home"))
    argv = [
        sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "300", "--repeat", "1",
        "--import-repeat", "1", "--start-repeat", "1", "--presses", "6",
        "--startup-runs", "1", "--screen-rounds", "1", "--no-doc", "--profile", "never",
        "--save", str(out),
        "--workdir", str(tmp / "work"),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def test_every_command_ran_beside_its_floor_with_the_same_sql(saved):
    data, printed = saved
    (r,) = data["results"]
    names = [c["name"] for c in r["commands"]]
    assert names == [
        "python", "help", "info", "counts", "counts_nested", "quotes", "code", "import",
    ]  # fmt: skip
    for c in r["commands"]:
        assert c["qualcode"]["wall"] > 0 and c["floor"]["wall"] > 0, c
        assert c["qualcode"]["rss_kib"] > 1000 and c["floor"]["rss_kib"] > 1000, c
        if c["name"] != "python":
            assert c["verified"], c["name"]  # the outputs were compared
        if c["sql"] is not None:
            assert c["sql"]["same"], (c["name"], c["sql"])
    assert "`qualcode counts DB --question strategier`" in printed.replace("| ", "")
    traced = {c["name"] for c in r["commands"] if c["sql"]}
    assert traced == {"info", "counts", "counts_nested", "quotes", "code"}


def test_the_in_process_and_workbench_figures_are_there(saved):
    data, _printed = saved
    (r,) = data["results"]
    imp = r["import"]
    assert imp["answers"] == 300 and imp["floor_read_insert"] > 0
    for qid in ("strategier", "kompenserende-ordninger"):
        c = r["counts"][qid]
        assert c["counts_statements"] >= 2 and c["counts_floor"]["median"] > 0
    start = r["start"]
    for who in ("qualcode", "floor", "textual"):
        assert 0 < start[who]["seconds"]["median"] < 60
    assert start["qualcode"]["on_terminal"][0] is not None  # the frame reached the terminal
    keys = r["keys"]
    assert keys["presses"] == 6 and keys["floor_presses"] >= 100
    assert any("BEGIN IMMEDIATE" in s for s in keys["floor_sql_add"])
    slow = keys["slowest_5pc"]
    assert abs(slow["commit"] + slow["repaint"] - slow["total"]) < 0.01
    assert start["timeline"] and any("qualcode.cli" in m[0] for m in start["timeline"])
    assert r["rss"]["vmhwm_kib"] > r["baseline"]["vmhwm_kib"] > 0
    assert any(q["query"].startswith("theme_counts") for q in r["views"]["queries"])
    long = data["meta"]["long"]  # the long answer and its floor, once per run
    assert long["presses"] == 6 and long["words"] == 5000
    for kind in ("pagedown", "code"):
        assert long[kind]["long"]["median"] > 0 and long[kind]["short"]["median"] > 0


def test_the_screens_on_the_demo_beside_their_floor(saved):
    data, printed = saved
    s = data["screens"]
    assert s["groups"] == 4 and s["answer_first_ms"] > 0 and s["switches"] == 5
    assert set(s["first_visit_ms"]) == {"f2", "f3", "f4", "f5", "f7"}
    assert 0 < s["shown_median_ms"]["f7"] <= s["switch_median_ms"]["f7"]
    assert s["floor"]["switch_median_ms"] > 0
    assert "screens on the demo" in printed


def test_the_doc_is_rendered_with_every_target(saved, tmp_path):
    data, _printed = saved
    run = _load("run")
    (r,) = data["results"]
    # the same figures standing in for the three sizes the targets are set at
    results = []
    for size in (10_000, 100_000, 1_000_000):
        results.append(copy.deepcopy(r) | {"size": size})
    save = tmp_path / "run.json"
    save.write_text(json.dumps(data | {"results": results}), encoding="utf-8")
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nText kept.\n", encoding="utf-8")
    assert run.main(["--render", str(save), "--doc", str(doc), "--label", "One run"]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nText kept.\n")
    assert "<!-- bench:begin one-run -->" in text and "<!-- bench:end one-run -->" in text
    targets = text.split("#### The targets", 1)[1].split("####", 1)[0]
    assert targets.count("| met |") + targets.count("| **missed** |") == 8
    assert "not measured" not in targets
    assert "#### Scale: time per answer" in text
    assert "#### A long answer (issue 18)" in text and "| PageDown |" in text
    assert "#### The workbench's screens on the demo" in text and "F7's first table" in text


def test_profile_command_shows_the_import_tree():
    profile = _load("profile_command")
    found = profile.import_profile("import json", min_ms=0.0)
    assert "json" in found["import_tree"] and found["imports_ms"] > 0


def test_sql_is_compared_without_its_values():
    trace = _load("_trace_sql")
    assert trace.normalise("SELECT a FROM t WHERE id IN (1, 2,3) AND k = 'x''y'") == (
        "SELECT a FROM t WHERE id IN (?, …) AND k = ?"
    )
    assert trace.normalise("PRAGMA busy_timeout = 10000;") == "PRAGMA busy_timeout = ?"
