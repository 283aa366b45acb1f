"""Run every benchmark at 10k, 100k and 1M answers, print the tables, update
docs/performance.md.

    python bench/run.py                                   # 10,000, 100,000 and 1,000,000
    python bench/run.py --quick                           # no 1,000,000; fewer repeats
    python bench/run.py --sizes 10000 --no-doc            # one size, print only
    python bench/run.py --render run.json                 # the doc again from a --save

Each figure is printed beside its floor, measured in the same run on the same machine.
Every measurement runs in a process of its own (bench_commands.py, bench_import.py,
bench_counts.py, bench_start.py, bench_tui.py, bench_long.py; once per run, on the demo,
bench_screens.py), so one does not warm up or bloat another; the projects are generated
by bench/generate.py through the importers.

The results replace the block between ``<!-- bench:begin KEY -->`` and
``<!-- bench:end KEY -->`` in docs/performance.md (KEY comes from --label), with the date,
the machine, the load during the run and the source measured; the text around the block
is kept. For every target missed, the block gets the profile of where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH, REPO, machine, parse, user_env  # noqa: E402

DOC = REPO / "docs" / "performance.md"
DEFAULT_SIZES = "10000,100000,1000000"
BIG = 500_000  # from here on: fewer repeats of the slow measurements


class Runner:
    def __init__(self, python: str, src: Path | None, home: Path) -> None:
        self.python = python
        self.env = user_env(dict(os.environ, QUALCODE_CODER="bench", QUALCODE_HOME=str(home)))
        self.loads: list[float] = []
        if src is not None:  # another checkout's package first on the path
            self.env["PYTHONPATH"] = os.pathsep.join(
                [str(src), *filter(None, [os.environ.get("PYTHONPATH")])]
            )

    def load(self) -> None:
        self.loads.append(os.getloadavg()[0])

    def run(self, script: str, *args: object, timeout: float = 7200) -> dict:
        cmd = [self.python, str(BENCH / script), *map(str, args)]
        say("  $ " + " ".join(cmd[1:]))
        self.load()
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=timeout)
        self.load()
        if done.returncode != 0:
            raise SystemExit(
                f"{script} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                f"{done.stderr[-5000:]}"
            )
        say(f"    {time.perf_counter() - t0:.0f} s")
        return parse(done.stdout)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse_size(spec: str) -> tuple[int, int]:
    """'100000' -> (100000, 5 questions); '100000x1' -> (100000, 1 question)."""
    size, _, questions = spec.strip().replace("_", "").partition("x")
    return int(size), int(questions or 5)


def heading(r: dict) -> str:
    one = r.get("questions", 5) == 1
    return f"{r['size']:,} answers" + (", all in one question" if one else "")


# -- measuring ------------------------------------------------------------------------------
def generate(runner: Runner, size: int, questions: int, db: Path, files: Path, args) -> dict:
    if args.reuse and db.exists():
        return {"reused": True}
    say(f"generating {size:,} answers in {questions} questions ...")
    cmd = [
        runner.python, str(BENCH / "generate.py"), "--answers", str(size), "--out", str(db),
        "--workdir", str(files), "--seed", str(args.seed), "--json",
        "--questions", str(questions),
    ]  # fmt: skip
    runner.load()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=runner.env, text=True
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"generate.py failed:\n{stderr[-5000:]}")
    runner.load()
    say(f"  generated in {seconds:.1f} s")
    return {"seconds": seconds, "rss_kib": usage.ru_maxrss, **json.loads(stdout)}


def measure(runner: Runner, spec: str, workdir: Path, args) -> dict:
    size, questions = parse_size(spec)
    name = f"{size}" if questions == 5 else f"{size}x{questions}"
    db = workdir / f"bench{name}.db"
    files = workdir / f"files{name}"
    big = size >= BIG
    r: dict = {"size": size, "questions": questions, "db": str(db)}
    r["generate"] = generate(runner, size, questions, db, files, args)
    r["db_bytes"] = db.stat().st_size
    say(f"[{size:,}] commands as processes")
    r["commands"] = runner.run(
        "bench_commands.py", "--db", db, "--files", files,
        "--repeat", args.repeat if not big else max(3, args.repeat // 2),
        "--import-repeat", args.import_repeat if not big else max(3, args.import_repeat - 2),
    )["commands"]  # fmt: skip
    say(f"[{size:,}] import in-process")
    r["import"] = runner.run(
        "bench_import.py", "--files", files, "--repeat", 5 if size <= 20_000 else 1
    )
    say(f"[{size:,}] counts in-process")
    r["counts"] = runner.run("bench_counts.py", "--db", db)
    say(f"[{size:,}] workbench: process start to the first answer")
    r["start"] = runner.run(
        "bench_start.py", "--db", db, "--repeat", args.start_repeat if not big else 5
    )
    say(f"[{size:,}] workbench in-process start-up x{args.startup_runs}")
    r["startup"] = [
        runner.run("bench_tui.py", "startup", "--db", db) for _ in range(args.startup_runs)
    ]
    say(f"[{size:,}] workbench keys x{args.presses}")
    r["keys"] = runner.run("bench_tui.py", "keys", "--db", db, "--presses", args.presses)
    say(f"[{size:,}] the published views (qualcode serve)")
    r["views"] = runner.run("bench_views.py", "--db", db, "--json")
    say(f"[{size:,}] workbench memory")
    r["rss"] = runner.run("bench_tui.py", "rss", "--db", db)
    r["baseline"] = runner.run("bench_tui.py", "baseline", "--db", db)
    return r


# -- the targets ---------------------------------------------------------------------------
def command(r: dict, name: str) -> dict | None:
    return next((c for c in r.get("commands", []) if c["name"] == name), None)


def at_size(results: list[dict], size: int) -> dict | None:
    return next((r for r in results if r["size"] == size and r.get("questions", 5) == 5), None)


def targets(results: list[dict]) -> list[dict]:
    """Each target of issue 19 with its figure, its floor and whether it is met."""
    out = []

    def add(key, text, size, limit, unit, get) -> None:
        r = at_size(results, size)
        row = {"key": key, "target": text, "limit": limit, "unit": unit, "size": size}
        if r is None:
            out.append(row | {"measured": False})
            return
        figure, floor, floor_text = get(r)
        value = figure / floor if unit == "×" else figure
        out.append(
            row
            | {
                "measured": True,
                "figure": figure,
                "floor": floor,
                "floor_text": floor_text,
                "value": value,
                "met": value <= limit,
            }
        )

    def process(name: str):
        def get(r):
            c = command(r, name)
            return c["qualcode"]["wall"], c["floor"]["wall"], c["floor_contains"]

        return get

    add("info", "`qualcode info DB`, process vs bare-Python process", 10_000, 3.0, "×",
        process("info"))  # fmt: skip
    add("counts", "`qualcode counts DB --question Q`, process vs bare-Python process",
        10_000, 3.0, "×", process("counts"))  # fmt: skip

    def first_answer(r):
        s = r["start"]
        return (
            s["qualcode"]["seconds"]["median"],
            s["floor"]["seconds"]["median"],
            ("bare Python: the coding screen's statements, the text written to the terminal"),
        )

    add("start100k", "workbench, process start → first answer on screen", 100_000, 0.4, "s",
        first_answer)  # fmt: skip
    add("start1m", "workbench, process start → first answer on screen", 1_000_000, 1.0, "s",
        first_answer)  # fmt: skip
    add("import", "`qualcode import answers` as the user runs it vs read + insert floor",
        100_000, 1.3, "×", process("import"))  # fmt: skip

    def key(r):
        k = r["keys"]
        return k["p95"] / 1000, k["floor_p95"] / 1000, "the press's SQL run bare (p95)"

    add("key", "key → committed + repainted, p95", 100_000, 0.015, "s", key)

    def nested(r):
        c = r["counts"]["kompenserende-ordninger"]
        return c["counts"]["median"], c["counts_floor"]["median"], "the same SQL, bare"

    add("nested", "nested counts (`Project.counts`) vs the same SQL bare", 10_000, 1.5, "×",
        nested)  # fmt: skip

    def memory(r):
        return (
            r["rss"]["vmhwm_kib"] * 1024 / 1e6,
            r["baseline"]["vmhwm_kib"] * 1024 / 1e6,
            "the same imports and the project opened, no app",
        )

    add("memory", "workbench peak memory (VmHWM)", 1_000_000, 300.0, "MB", memory)
    return out


# -- rendering -------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f}" if seconds >= 0.0995 else f"{1000 * seconds:.1f}"


def spread(s: dict, key: str = "wall") -> str:
    return f"{ms(s[key])} ({ms(s[key + '_min'])}–{ms(s[key + '_max'])})"


def show_target(t: dict) -> tuple[str, ...]:
    size = f"{t['size']:,}"
    limit = f"≤ {t['limit']:g}×" if t["unit"] == "×" else (
        f"≤ {t['limit'] * 1000:.0f} ms" if t["key"] == "key" else f"≤ {t['limit']:g} {t['unit']}"
    )  # fmt: skip
    if not t["measured"]:
        return (t["target"], size, "not measured", "–", "–", limit, "–")
    if t["unit"] == "×":
        figure = f"{ms(t['figure'])} ms"
        floor = f"{ms(t['floor'])} ms"
        value = f"**{t['value']:.2f}×**"
    elif t["unit"] == "MB":
        figure, floor, value = (
            f"{t['figure']:.0f} MB",
            f"{t['floor']:.0f} MB",
            (f"**{t['value']:.0f} MB**"),
        )
    else:
        figure, floor = f"{ms(t['figure'])} ms", f"{ms(t['floor'])} ms"
        value = f"**{ms(t['value'])} ms**"
    met = "met" if t["met"] else "**missed**"
    return (t["target"], size, figure, floor, value, limit, met)


def md_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---"] * len(head)) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def plain_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    data = [head, *rows]
    widths = [max(len(row[i]) for row in data) for i in range(len(head))]
    return "\n".join(
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in data
    ).replace("**", "")


TARGET_HEAD = ("target", "answers", "qualcode", "floor", "result", "target", "met?")
COMMAND_HEAD = (
    "command",
    "qualcode, ms",
    "CPU",
    "peak RSS",
    "floor, ms",
    "CPU",
    "peak RSS",
    "ratio",
    "CPU ratio",
    "same SQL?",
)
FIGURE_HEAD = ("figure", "qualcode", "floor", "ratio")


def command_rows(r: dict) -> list[tuple[str, ...]]:
    rows = []
    for c in r["commands"]:
        q, f = c["qualcode"], c["floor"]
        sql = c.get("sql")
        same = "–" if not sql else (
            f"yes ({sql['qualcode_statements']})" if sql["same"] else
            f"**no**: +{len(sql['qualcode_only'])} −{len(sql['floor_only'])}"
        )  # fmt: skip
        ratio_cpu = c.get("ratio_cpu")
        rows.append(
            (
                f"`{c['command']}`",
                spread(q),
                ms(q["cpu"]),
                f"{q['rss_kib'] / 1024:.0f} MB",
                spread(f),
                ms(f["cpu"]),
                f"{f['rss_kib'] / 1024:.0f} MB",
                f"{c['ratio']:.2f}×",
                f"{ratio_cpu:.2f}×" if ratio_cpu else "–",
                same,
            )
        )
    return rows


def inprocess_rows(r: dict) -> list[tuple[str, ...]]:
    imp, cnt = r["import"], r["counts"]
    rows = []
    n = imp["answers"]

    def row(label: str, mine: float, floor: float, unit: str = "s") -> tuple[str, ...]:
        if unit == "s":
            a, b = f"{mine:.2f} s", f"{floor:.2f} s"
        else:
            a, b = f"{ms(mine)} ms", f"{ms(floor)} ms"
        return (label, a, b, f"{mine / floor:.2f}×")

    rows.append(
        row(
            f"import answers ({n:,}): read_answers + import_answers; floor: read + insert",
            imp["answers_total"],
            imp["floor_read_insert"],
        )
    )
    rows.append(row("· reading: read_answers; floor: read, decode, csv.reader",
                    imp["answers_read"], imp["floor_read"]))  # fmt: skip
    rows.append(row("· writing: import_answers; floor: insert of the parsed rows",
                    imp["answers_write"], imp["floor_insert"]))  # fmt: skip
    rows.append(row(f"import codings ({imp['codings']:,}); floor: executemany of the rows",
                    imp["codings_total"], imp["floor_codings"]))  # fmt: skip
    for qid, label in (("strategier", "flat"), ("kompenserende-ordninger", "nested")):
        if qid not in cnt:
            continue
        x = cnt[qid]
        for fn in ("counts", "respondent_counts"):
            mine, floor = x[fn], x[f"{fn}_floor"]
            rows.append(
                (
                    f"`Project.{fn}('{qid}')` ({label}, {x['items']:,} answers; "
                    f"median of {x.get(f'{fn}_repeat', '?')}); "
                    f"floor: its {x[f'{fn}_statements']} statements bare",
                    f"{ms(mine['median'])} ms ({ms(mine['min'])}–{ms(mine['max'])})",
                    f"{ms(floor['median'])} ms ({ms(floor['min'])}–{ms(floor['max'])})",
                    f"{mine['median'] / floor['median']:.2f}×",
                )
            )
    return rows


def workbench_rows(r: dict) -> list[tuple[str, ...]]:
    s, k = r["start"], r["keys"]
    q = s["qualcode"]["seconds"]
    rows = []
    for name, label in (
        ("floor", "bare Python: the same statements, the text to the terminal"),
        ("textual", "the smallest Textual app showing the text"),
    ):
        if name in s:
            f = s[name]["seconds"]
            rows.append(
                (
                    f"process start → first answer on screen; floor: {label}",
                    f"{ms(q['median'])} ms ({ms(q['min'])}–{ms(q['max'])})",
                    f"{ms(f['median'])} ms ({ms(f['min'])}–{ms(f['max'])})",
                    f"{q['median'] / f['median']:.2f}×",
                )
            )
    startup = sorted(x["startup"] for x in r["startup"])
    imports = sorted(x["imports"] for x in r["startup"])
    rows.append(
        (
            f"· in-process, headless: make_app → first item frame (median of {len(startup)})",
            f"{ms(startup[len(startup) // 2])} ms",
            "–",
            "–",
        )
    )
    imported = f"{ms(imports[len(imports) // 2])} ms"
    rows.append(("· in-process: importing Textual and qualcode's workbench", imported, "–", "–"))
    rows.append(
        (
            f"key '1' → committed + repainted, p50 / p95 / p99 ({k['presses']} presses); "
            f"floor: the press's SQL bare ({k['floor_presses']} presses)",
            f"{k['p50']:.1f} / {k['p95']:.1f} / {k['p99']:.1f} ms",
            f"{k['floor_p50']:.1f} / {k['floor_p95']:.1f} / {k['floor_p99']:.1f} ms",
            f"{k['p95'] / k['floor_p95']:.2f}× (p95)",
        )
    )
    slow, every = k.get("slowest_5pc"), k.get("all_presses")
    if slow and every:
        rows.append(
            (
                f"· where a press goes, mean of the slowest 5% ({slow['presses']}) / of all: "
                "committed + repainted = total, and the garbage collector's part",
                f"{slow['commit']:.1f} + {slow['repaint']:.1f} = {slow['total']:.1f} ms, "
                f"GC {slow['gc']:.1f} ms",
                f"{every['commit']:.1f} + {every['repaint']:.1f} = {every['total']:.1f} ms, "
                f"GC {every['gc']:.1f} ms",
                "–",
            )
        )
    rows.append(
        (
            "· key '1' → committed (toggle_code returned), p50 / p95 / p99",
            f"{k['commit_p50']:.1f} / {k['commit_p95']:.1f} / {k['commit_p99']:.1f} ms",
            "–",
            "–",
        )
    )
    mb = r["rss"]["vmhwm_kib"] * 1024 / 1e6
    base = r["baseline"]["vmhwm_kib"] * 1024 / 1e6
    rows.append(
        (
            "peak memory of the workbench (VmHWM); floor: the imports and the project opened",
            f"{mb:.0f} MB",
            f"{base:.0f} MB",
            f"{mb / base:.2f}×",
        )
    )
    return rows


LINEAR_HEAD = (
    "answers",
    "import (process)",
    "µs/answer",
    "floor µs/answer",
    "counts (process)",
    "Project.counts",
    "ns/answer",
    "first answer",
    "µs/answer",
    "key p95",
    "peak RSS",
)


def timeline_rows(r: dict) -> list[tuple[str, str]]:
    marks = r["start"].get("timeline") or []
    if not marks:
        return []
    first = r["start"]["qualcode"]["seconds"]["median"]
    rows = [("0", "the process starts (the interpreter, site, the virtual environment)")]
    rows += [(ms(at), label) for label, at in marks]
    rows.append((ms(first), "the first answer is on the terminal (median of the runs)"))
    return rows


VIEWS_HEAD = ("query (as Datasette runs it)", "median, ms", "lowest", "CPU", "of the 1 s limit")


def views_rows(r: dict) -> list[tuple[str, ...]]:
    views = r.get("views")
    if not views:
        return []
    return [
        (
            q["query"],
            f"{q['median']:,.1f}",
            f"{q['min']:,.1f}",
            f"{q['cpu']:,.1f}",
            f"{q['median'] / views['limit_ms']:.0%}",
        )
        for q in views["queries"]
    ]


def linear_rows(results: list[dict]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        n = r["size"]
        per_question = r["counts"]["strategier"]["items"]
        imp = command(r, "import")
        cnt = command(r, "counts")
        counts = r["counts"]["strategier"]["counts"]["median"]
        first = r["start"]["qualcode"]["seconds"]["median"]
        rows.append(
            (
                f"{n:,}",
                f"{imp['qualcode']['wall']:.2f} s" if imp else "–",
                f"{1e6 * imp['qualcode']['wall'] / n:.1f}" if imp else "–",
                f"{1e6 * imp['floor']['wall'] / n:.1f}" if imp else "–",
                f"{ms(cnt['qualcode']['wall'])} ms" if cnt else "–",
                f"{ms(counts)} ms",
                f"{1e9 * counts / per_question:.0f}",
                f"{ms(first)} ms",
                f"{1e6 * first / per_question:.1f}",
                f"{r['keys']['p95']:.1f} ms",
                f"{r['rss']['vmhwm_kib'] * 1024 / 1e6:.0f} MB",
            )
        )
    return rows


def describe_load(seen: list[float], nproc: str) -> str:
    if not seen:
        return ""
    return (
        f"The 1-minute load average, read before and after every measurement, was "
        f"{min(seen):.1f}–{max(seen):.1f} on {nproc} cores (median "
        f"{sorted(seen)[len(seen) // 2]:.1f})"
        + (": other work was running on the machine." if max(seen) > 1.5 else ".")
    )


SCREENS_HEAD = ("on the demo, in-process", "qualcode", "floor")


def screens_rows(s: dict) -> list[tuple[str, ...]]:
    """F7's answer and the screen switches (bench_screens.py), beside a bare Textual
    app's switch between two screens, measured in the same process."""
    floor = s["floor"]
    rows = [
        (
            f"F7's first table ({s['groups']} groups; the attribute picked to its frame)",
            f"{s['answer_first_ms']:.0f} ms",
            "",
        ),
        ("F7 counted again (r), median", f"{s['answer_again_median_ms']:.0f} ms", ""),
    ]
    for key, v in s["first_visit_ms"].items():
        rows.append((f"{key.upper()}, first visit, until settled", f"{v:.0f} ms", ""))
    for key, v in s["switch_median_ms"].items():
        rows.append(
            (
                f"switch to {key.upper()} after the first visit: first frame / settled (median)",
                f"{s['shown_median_ms'][key]:.0f} / {v:.0f} ms",
                f"{floor['shown_median_ms']:.0f} / {floor['switch_median_ms']:.0f} ms",
            )
        )
    rows.append(
        (
            f"slowest switch (p95 of {s['switches']})",
            f"{s['switch_p95_ms']:.0f} ms",
            f"{floor['switch_max_ms']:.0f} ms (max)",
        )
    )
    return rows


def block(results: list[dict], profiles: dict, meta: dict, screens: dict | None = None) -> str:
    m = meta["machine"]
    out = [
        f"Measured {meta['date']} with `{meta['command']}` ({meta['minutes']:.0f} minutes). "
        f"Source: {meta['source']}.",
        "",
        f"Machine: {m['cpu']}, {m['nproc']} cores (nproc), {m['memory']} memory, "
        f"{m['os']}; Python {m['python']}, SQLite {m['sqlite']}, Textual "
        f"{m['textual']}. {describe_load(meta.get('loads', []), m['nproc'])}",
        "",
        "#### The targets",
        "",
        md_table(TARGET_HEAD, [show_target(t) for t in targets(results)]),
        "",
    ]
    if len(results) > 1:
        out += [
            "#### Scale: time per answer",
            "",
            "Import and counts as processes (median); `Project.counts` on the flat "
            "question (a fifth of the answers); the first answer and the key press as "
            "in the tables below. Per answer: of the project for the import, of the "
            "question for the counts and the workbench (its queue).",
            "",
            md_table(LINEAR_HEAD, linear_rows(results)),
            "",
        ]
    for r in results:
        imp = r["import"]
        gen = r.get("generate", {})
        made = (
            f" Generated in {gen['seconds']:.0f} s (peak memory {gen['rss_kib'] / 1024:.0f} MB,"
            f" the files alone {gen['write_files']:.1f} s)."
            if gen.get("seconds")
            else ""
        )
        out += [
            f"#### {heading(r)}",
            "",
            f"{imp['respondents']:,} jobcentres × {r.get('questions', 5)} questions, "
            f"{imp['words']:,} words of answers ({imp['csv_bytes'] / 1e6:.1f} MB of CSV), "
            f"{imp['codings']:,} codings, 15 interviews of about 5,000 words; project file "
            f"{r['db_bytes'] / 1e6:.0f} MB; the coding screen opens on 'strategier' "
            f"({r['startup'][0]['queue']:,} items in its queue).{made}",
            "",
            f"Commands as processes, start to exit: median of {command(r, 'counts')['repeat']} "
            f"runs (lowest–highest), import {command(r, 'import')['repeat']} runs; load "
            f"{min(c['load_min'] for c in r['commands']):.1f}–"
            f"{max(c['load_max'] for c in r['commands']):.1f}.",
            "",
            md_table(COMMAND_HEAD, command_rows(r)),
            "",
            "In-process, beside the same work done bare in the same process:",
            "",
            md_table(FIGURE_HEAD, inprocess_rows(r)),
            "",
            f"The workbench (process start: median of {r['start']['repeat']} runs under a "
            f"pseudo-terminal, load {r['start']['load_min']:.1f}–{r['start']['load_max']:.1f}):",
            "",
            md_table(FIGURE_HEAD, workbench_rows(r)),
            "",
        ]
        if timeline_rows(r):
            out += [
                "Where the workbench's start goes (median of the runs; the imports and the "
                "openings of the project file, noted by an audit hook in the process):",
                "",
                md_table(("ms since process start", "what happens"), timeline_rows(r)),
                "",
            ]
        if views_rows(r):
            out += [
                f"The published views (`qualcode serve`; `bench_views.py`, median of "
                f"{r['views']['repeat']} on a read-only connection):",
                "",
                md_table(VIEWS_HEAD, views_rows(r)),
                "",
            ]
    if long_rows(meta):
        out += [
            "#### A long answer (issue 18)",
            "",
            long_intro(meta["long"]),
            "",
            md_table(LONG_HEAD, long_rows(meta)),
            "",
        ]
    if screens:
        out += [
            "#### The workbench's screens on the demo",
            "",
            "`bench_screens.py`: F7's answer and switching F2, F3, F4, F5, F7 in one "
            "process under Pilot (headless, 120x36); the floor is a bare Textual app "
            "switching between two screens, in the same process.",
            "",
            md_table(SCREENS_HEAD, screens_rows(screens)),
            "",
        ]
    if profiles:
        out += ["#### Where the time goes (the targets missed)", ""]
        for title, text in profiles.items():
            text = "\n".join(  # without pstats' line naming its temporary file
                line for line in text.splitlines() if not line.rstrip().endswith(".prof")
            )
            out += [f"{title}:", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(out)


LONG_HEAD = ("key", "long answer, ms", "short answer (floor), ms", "ratio")


def long_intro(long: dict) -> str:
    return (
        f"`bench_long.py`: one answer of {long['words']:,} words (one paragraph, "
        f"{long['long_chars']:,} characters) and one of {long['floor_words']} words, in the "
        f"workbench headless (120 × 36); from the key event to the first frame after its "
        f"work, median (p95) of {long['presses']} presses each, interleaved. The floor is "
        f"the same key on the short answer: the key's dispatch, the text area's action, the "
        f"coding's transaction and the redraw of a text that fits on the screen."
    )


def long_rows(meta: dict) -> list[tuple[str, ...]]:
    long = meta.get("long")
    if not long:
        return []
    rows = []
    for kind, label in (("pagedown", "PageDown"), ("code", "1 on a selected passage")):
        mine, floor = long[kind]["long"], long[kind]["short"]
        rows.append(
            (
                label,
                f"{mine['median']:.1f} ({mine['p95']:.1f})",
                f"{floor['median']:.1f} ({floor['p95']:.1f})",
                f"{long[kind]['ratio']:.2f}×",
            )
        )
    return rows


def source_description(src: Path | None, label: str | None) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    if src is not None:
        return f"the qualcode package in `{src}`" + (f" ({label})" if label else "")
    head = git("log", "-1", "--format=%h %s")
    changed = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    text = f"the working tree at commit {head}" if head else "this checkout"
    if changed:
        text += " with uncommitted changes in " + ", ".join(f"`{c}`" for c in changed)
    return text


def update_doc(doc: Path, key: str, title: str, body: str) -> None:
    begin, end = f"<!-- bench:begin {key} -->", f"<!-- bench:end {key} -->"
    new = f"{begin}\n### {title}\n\n{body.rstrip()}\n{end}"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: new, text)
    else:
        text = text.rstrip() + "\n\n" + new + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    tmp = doc.with_suffix(".md.tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    tmp.replace(doc)


# -- the profiles of the misses ------------------------------------------------------------
def profile_misses(runner: Runner, results: list[dict], args) -> dict[str, str]:
    """For each target missed: where its time goes, measured on its own project."""
    out: dict[str, str] = {}
    missed = {t["key"]: t for t in targets(results) if t.get("measured") and not t["met"]}
    if args.profile == "never":
        return out
    if args.profile == "always":
        missed = {t["key"]: t for t in targets(results) if t.get("measured")}

    def project(size: int) -> str:
        return at_size(results, size)["db"]

    for key in ("info", "counts"):
        if key in missed:
            db = project(missed[key]["size"])
            argv = ["info", db] if key == "info" else ["counts", db, "--question", "strategier"]
            found = runner.run("profile_command.py", "--json", "--top", 30, "--min-ms", 8, *argv)
            out[f"`qualcode {key}` ({missed[key]['size']:,} answers): imports (cumulative, "
                f"under -X importtime), then cProfile's top 30 by cumulative time"] = (
                f"imports: {found['imports_ms']:.0f} ms\n{found['import_tree']}\n\n"
                f"{found['calls']}"
            )  # fmt: skip
    if "import" in missed:
        size = missed["import"]["size"]
        r = at_size(results, size)
        files = Path(r["db"]).parent / f"files{size}"
        new = Path(r["db"]).parent / "profile-import.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{new}{suffix}").unlink(missing_ok=True)
        argv = ["import", "answers", str(new), str(files / "svar.csv"),
                "--respondent-col", "jobcenter_id", "--name-col", "navn",
                "--attr-col", "region", "--attr-col", "stoerrelse"]  # fmt: skip
        from generate import QUESTIONS

        for qid, col, _stem in QUESTIONS:
            argv += ["--text-col", col, "--question", qid]
        for _qid, _col, stem in QUESTIONS:
            argv += ["--codebook", stem]
        found = runner.run(
            "profile_command.py", "--json", "--top", 40, "--min-ms", 20, "--fresh", new, *argv
        )
        out[f"`qualcode import answers` ({size:,} answers): imports, then cProfile's top 40"] = (
            f"imports: {found['imports_ms']:.0f} ms\n{found['import_tree']}\n\n{found['calls']}"
        )
    for key in ("start100k", "start1m", "key"):
        if key not in missed:
            continue
        size = missed[key]["size"]
        prof = runner.run("bench_tui.py", "profile", "--db", project(size))
        if key.startswith("start"):
            found = runner.run(
                "profile_command.py", "--json", "--min-ms", 15, "--imports-of",
                "from qualcode.cli import main; import qualcode.tui.app",
            )  # fmt: skip
            out[f"Workbench start ({size:,} answers): the imports of `qualcode tui`"] = (
                f"imports: {found['imports_ms']:.0f} ms\n{found['import_tree']}"
            )
            out[f"Workbench start ({size:,} answers): make_app → first item frame, "
                f"cProfile ({prof['startup']:.2f} s under the profiler)"] = (
                prof["startup_profile"]
            )  # fmt: skip
        else:
            slow = prof["slow_keys_ms"]
            out[f"The slowest 5% of 200 key presses ({size:,} answers; each press profiled "
                f"on its own: {len(slow)} presses of {min(slow):.0f}–{max(slow):.0f} ms under "
                f"the profiler, median of all {prof['all_keys_median_ms']:.0f} ms), "
                "their profiles added"] = prof["slow_keys_profile"]  # fmt: skip
            asked = "\n".join(
                f"{n:5d}  {widget:<20} {where}" for n, widget, where in prof["layout_requests"]
            )
            out[f"Who asks for a new layout (a whole-screen re-render) during "
                f"{prof['layout_presses']} number-key presses ({size:,} answers): "
                "Widget.refresh(layout=True) calls, with qualcode's caller"] = (
                asked or "(none)"
            )  # fmt: skip
    if "nested" in missed:
        size = missed["nested"]["size"]
        found = runner.run(
            "bench_counts.py", "--db", project(size), "--profile", "kompenserende-ordninger",
            "--repeat", 200,
        )  # fmt: skip
        out[f"`Project.counts` on the nested codebook ({size:,} answers), 200 warm calls"] = found[
            "profile"
        ]
    if "memory" in missed:
        out["Workbench memory"] = "(see the VmHWM figures above; no profile taken)"
    return out


# -- main ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated numbers of answers (default: {DEFAULT_SIZES}); "
        "NxQ puts them in Q questions",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a quick look: leave out sizes of 1,000,000 and more, fewer repeats and presses",
    )
    parser.add_argument("--repeat", type=int, default=11, help="runs of each command")
    parser.add_argument("--import-repeat", type=int, default=5)
    parser.add_argument("--start-repeat", type=int, default=7)
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument(
        "--long-presses",
        type=int,
        help="presses of each kind on the long answer and its floor (default: 20, at most "
        "--presses)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--screen-rounds",
        type=int,
        default=10,
        help="rounds of screen switches on the demo (bench_screens.py); 0: none",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where projects go (default: a temporary folder, removed after)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse projects already in --workdir (same seed and source!)",
    )
    parser.add_argument(
        "--src", type=Path, help="benchmark the qualcode package in this src/ folder instead"
    )
    parser.add_argument("--label", help="what is measured; also names the block in the doc")
    parser.add_argument(
        "--profile",
        choices=["auto", "always", "never"],
        default="auto",
        help="profiles of the targets missed (auto), of all, or none",
    )
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument("--save", type=Path, help="also write the raw figures as JSON here")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="measure nothing: print and write the doc from a --save file",
    )
    args = parser.parse_args(argv)
    key = re.sub(r"[^a-z0-9]+", "-", (args.label or "results").lower()).strip("-")
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        return report(
            saved["results"], saved["profiles"], saved["meta"], args, key, saved.get("screens")
        )
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for spec in sizes:
        try:
            parse_size(spec)
        except ValueError:
            parser.error(f"--sizes: '{spec}' is not N or NxQUESTIONS")
    if args.quick:
        sizes = [s for s in sizes if parse_size(s)[0] < 1_000_000]
        args.repeat, args.import_repeat = min(args.repeat, 5), min(args.import_repeat, 3)
        args.start_repeat, args.presses = min(args.start_repeat, 3), min(args.presses, 300)
    meta = {
        "source": source_description(args.src, args.label),
        "machine": machine(),
        "date": subprocess.run(["date"], capture_output=True, text=True).stdout.strip(),
        "command": shlex.join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
    }
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        runner = Runner(sys.executable, args.src, Path(tmp) / "home")
        results = [measure(runner, size, workdir, args) for size in sizes]
        say("a long answer: PageDown and coding a passage, beside a short one")
        presses = args.long_presses or min(20, args.presses)
        meta["long"] = runner.run("bench_long.py", "--presses", presses)
        screens = None
        if args.screen_rounds > 0:
            say("workbench screens on the demo: F7's answer and switching screens")
            screens = runner.run("bench_screens.py", "--json", "--rounds", args.screen_rounds)
        profiles = profile_misses(runner, results, args)
    meta["minutes"] = (time.perf_counter() - t0) / 60
    meta["loads"] = runner.loads
    if args.save:
        args.save.write_text(
            json.dumps(
                {"meta": meta, "results": results, "profiles": profiles, "screens": screens},
                indent=1,
            ),
            encoding="utf-8",
        )
    return report(results, profiles, meta, args, key, screens)


def report(
    results: list[dict], profiles: dict, meta: dict, args, key: str, screens: dict | None = None
) -> int:
    print("\ntargets")
    print(plain_table(TARGET_HEAD, [show_target(t) for t in targets(results)]))
    if len(results) > 1:
        print("\nscale")
        print(plain_table(LINEAR_HEAD, linear_rows(results)))
    for r in results:
        print(f"\n{heading(r)}")
        print(plain_table(COMMAND_HEAD, command_rows(r)))
        print(plain_table(FIGURE_HEAD, inprocess_rows(r)))
        print(plain_table(FIGURE_HEAD, workbench_rows(r)))
        if timeline_rows(r):
            print(plain_table(("ms since process start", "what happens"), timeline_rows(r)))
        if views_rows(r):
            print(plain_table(VIEWS_HEAD, views_rows(r)))
    if long_rows(meta):
        print(f"\n{long_intro(meta['long'])}")
        print(plain_table(LONG_HEAD, long_rows(meta)))
    if screens:
        print("\nscreens on the demo")
        print(plain_table(SCREENS_HEAD, screens_rows(screens)))
    for title, text in profiles.items():
        print(f"\n{title}\n{text}")
    if not args.no_doc:
        title = args.label or "Results"
        update_doc(args.doc, key, title, block(results, profiles, meta, screens))
        say(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
