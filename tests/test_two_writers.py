"""Two writers on one project file: the workbench's store API in one process and the CLI (or
a second workbench) in another, coding the same file at once, on different and on the same
items. Nobody ever sees "database is locked" (WAL, BEGIN IMMEDIATE, and a writer that waits
for as long as another one writes, saying so after a second), no acknowledged coding is
lost, and the file stays sound.

That the workbench shows the other writer's codings when it refreshes (`r`) is tested in
tests/tui/test_tui_coding.py::test_refresh_picks_up_another_writer.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from crash_child import WAIT, Child, Model, check_round, integrity, parse, readonly, this_tree_env
from qualcode.core.project import Project
from qualcode.store.db import BUSY_TIMEOUT_MS


def writer_config(path: Path, coder: str, seed: int, *, answers: slice = slice(0, 8)) -> dict:
    with Project.open(path) as p:
        return {
            "path": str(path),
            "coder": coder,
            "seed": seed,
            "answers": [i.id for i in p.items("strategier")[answers]],
            "codes": p.codebook("strategier").keys()[:4],
            "excerpts": [i.id for i in p.items("interview")[:2]],
            "excerpt_codes": p.codebook("interview").keys()[:3],
            "settle_coder": f"consensus-{coder}",
            "max_seconds": 60,
        }


def finish_writer(child: Child, model: Model, conn) -> list[dict]:
    """The writer has been told to stop: it must end cleanly, and everything it acknowledged
    must be in the file. Returns its acknowledged actions."""
    code = child.finish()
    acked, inflight, other = parse(child.lines)
    assert code == 0 and [m["kind"] for m in other] == ["READY", "END"], (
        code,
        other,
        child.errors(),
    )
    assert not other[-1]["timed_out"], "the writer ran into its safety deadline"
    assert inflight is None
    assert "locked" not in child.errors()
    check_round(conn, model, acked, None)
    return acked


def interleaved(conn, a: str, b: str) -> bool:
    """Did some event of b land between a's first and last events (the writers overlapped)?"""
    lo, hi = conn.execute("SELECT MIN(id), MAX(id) FROM events WHERE actor = ?", [a]).fetchone()
    return (
        conn.execute(
            "SELECT COUNT(*) FROM events WHERE actor = ? AND id BETWEEN ? AND ?", [b, lo, hi]
        ).fetchone()[0]
        > 0
    )


def cli_code(
    path: Path, respondent: str, code: str, *, remove: bool
) -> subprocess.CompletedProcess:
    args = [
        sys.executable,
        "-m",
        "qualcode",
        "code",
        str(path),
        "--question",
        "strategier",
        "--respondent",
        respondent,
        "--code",
        code,
        "--coder",
        "cli",
    ]
    return subprocess.run(
        args + (["--remove"] if remove else []), capture_output=True, text=True, timeout=60
    )


def test_store_api_and_cli_code_the_same_file_at_once(demo_copy, tmp_path):
    """The workbench's API codes items 0-7 non-stop while two CLI loops code items 4-11:
    four items both code, four only the API, four only the CLI."""
    config = {**writer_config(demo_copy, "api", seed=11), "pause": 0.004}
    with Project.open(demo_copy) as p:
        items = p.items("strategier")
    shared = [i.respondent for i in items[4:8]]
    cli_only = [i.respondent for i in items[8:12]]
    codes = config["codes"]
    api = Child("writer", config, tmp_path / "api.stderr")
    api.until("READY")

    cli_state: dict[tuple[str, str], bool] = {}
    cli_runs: list[tuple[str, str, bool]] = []
    failures: list[str] = []

    def cli_loop(respondents: list[str], seed: int, runs: int) -> None:
        rng = random.Random(seed)
        pairs = [(r, c) for r in respondents for c in codes]
        for _ in range(runs):
            respondent, code = rng.choice(pairs)
            remove = cli_state.get((respondent, code), False)
            result = cli_code(demo_copy, respondent, code, remove=remove)
            want = (
                f"fjernede {code} fra {respondent}"
                if remove
                else f"kodede {respondent} med {code} (koder cli)"
            )
            if result.returncode != 0 or result.stdout.strip() != want or result.stderr:
                failures.append(
                    f"{respondent} {code} remove={remove}: exit "
                    f"{result.returncode} {result.stdout!r} {result.stderr!r}"
                )
                return
            cli_state[respondent, code] = not remove
            cli_runs.append((respondent, code, remove))

    # each loop owns its (respondent, code) pairs, so each one's expected state is exact
    loops = [
        threading.Thread(target=cli_loop, args=(shared[:2] + cli_only[:2], 1, 4)),
        threading.Thread(target=cli_loop, args=(shared[2:] + cli_only[2:], 2, 4)),
    ]
    for t in loops:
        t.start()
    for t in loops:
        t.join(timeout=5 * WAIT)
    model = Model(coder="api", settle_coder="consensus-api")
    with readonly(demo_copy) as conn:
        acked = finish_writer(api, model, conn)
        assert not failures, failures
        assert len(cli_runs) == 8
        integrity(conn)
        by_respondent = {i.respondent: i.id for i in items}
        got = {
            (r, k)
            for r, k in conn.execute(
                "SELECT i.respondent_id, k.key FROM codings c JOIN items i ON i.id = c.item_id"
                " JOIN codes k ON k.id = c.code_id WHERE c.coder = 'cli'"
            )
        }
        assert got == {pair for pair, on in cli_state.items() if on}
        logged = sorted(
            (json.loads(p)["coding"]["item_id"], json.loads(p)["coding"]["code"], a)
            for a, p in conn.execute("SELECT action, payload FROM events WHERE actor = 'cli'")
        )
        assert logged == sorted(
            (by_respondent[r], k, "coding.remove" if rm else "coding.add") for r, k, rm in cli_runs
        )
        assert interleaved(conn, "api", "cli"), "the two writers never overlapped"
    print(f"api: {len(acked)} acknowledged actions; cli: {len(cli_runs)} commands")


def test_two_workbenches_code_the_same_items_at_once(demo_copy, tmp_path):
    """Two coders' workbenches (two processes on the store API) code the same eight items,
    with undo, redo, memos and settling, as fast as they can: 1500 actions each (what they
    managed in the three seconds this test used to give them), at once."""
    children = {
        coder: Child(
            "writer",
            {**writer_config(demo_copy, coder, seed=n), "actions": 1500},
            tmp_path / f"{coder}.stderr",
        )
        for n, coder in enumerate(["ane", "bo"])
    }
    for child in children.values():
        child.until("READY")
    for child in children.values():
        child.send(op="go")
    for child in children.values():
        child.until("END")
    with readonly(demo_copy) as conn:
        done = {
            coder: len(finish_writer(child, Model(coder, f"consensus-{coder}"), conn))
            for coder, child in children.items()
        }
        integrity(conn)
        assert interleaved(conn, "ane", "bo")
    assert all(done.values()), done
    print(f"acknowledged actions: {done}")


def waits_on_the_lock(pid: int, path: Path) -> float:
    """Return once the process has the project file open (it is about to write), or after
    a few seconds where /proc is not there to tell: the moment it had it open."""
    deadline = time.monotonic() + 10
    fd_dir = Path(f"/proc/{pid}/fd")
    while time.monotonic() < deadline:
        try:
            if any(str(path) in str(f.readlink()) for f in fd_dir.iterdir()):
                break
        except OSError:
            if not fd_dir.parent.exists():
                time.sleep(3)
                return time.monotonic()
        time.sleep(0.02)
    opened = time.monotonic()
    time.sleep(0.5)  # past the reads, into BEGIN IMMEDIATE's busy wait
    return opened


def test_a_long_write_transaction_makes_the_other_writer_wait_not_fail(demo_copy, tmp_path):
    with Project.open(demo_copy, coder="waiter") as p:
        assert p.db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS == 10_000
        items = p.items("strategier")
        before = p.counts("strategier")
    holder = Child("hold", {"path": str(demo_copy), "coder": "holder"}, tmp_path / "holder.stderr")
    holder.until("READY")
    try:
        # the store API (as the workbench calls it), in this process
        holder.send(item=items[0].id, code="fleksjob")
        held = holder.until("HOLDING")["id"]
        outcome: dict[str, object] = {}

        def write() -> None:
            try:
                with Project.open(demo_copy, coder="waiter") as waiter:
                    # reading is never blocked, and sees only what is committed
                    outcome["counts"] = waiter.counts("strategier")
                    outcome["coding"] = waiter.add_coding(items[0].id, "fleksjob")
            except Exception as exc:  # noqa: BLE001 (reported below)
                outcome["error"] = exc

        writing = threading.Thread(target=write)
        writing.start()
        writing.join(timeout=1.0)
        assert "error" not in outcome, outcome  # it waits, it does not fail
        assert writing.is_alive() and "coding" not in outcome  # it cannot finish first
        assert outcome["counts"].equals(before)
        holder.send(op="commit")
        assert holder.until("COMMITTED")["id"] == held
        writing.join(timeout=WAIT)
        assert "error" not in outcome, outcome
        waited = outcome["coding"]

        # the CLI, in a third process, waiting longer than SQLite's busy timeout: it must
        # wait for as long as the other program writes, say so once, and never fail
        holder.send(item=items[1].id, code="fleksjob")
        held2 = holder.until("HOLDING")["id"]
        cli = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qualcode",
                "code",
                str(demo_copy),
                "--question",
                "strategier",
                "--respondent",
                items[1].respondent,
                "--code",
                "fleksjob",
                "--coder",
                "cli",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=this_tree_env(),
        )
        said: list[tuple[float, str]] = []  # (when, line) of the CLI's stderr
        listening = threading.Thread(
            target=lambda: said.extend((time.monotonic(), line) for line in cli.stderr)
        )
        listening.start()
        opened = waits_on_the_lock(cli.pid, demo_copy)
        until = time.monotonic() + BUSY_TIMEOUT_MS / 1000 + 2  # past the old 10 s failure
        while time.monotonic() < until:
            assert cli.poll() is None, (cli.returncode, said)  # still waiting, not failed
            time.sleep(0.2)
        waiting_lines = list(said)  # what it said while it waited
        holder.send(op="commit")
        assert holder.until("COMMITTED")["id"] == held2
        out = cli.stdout.read()
        cli.wait(timeout=WAIT)
        listening.join(timeout=WAIT)
        err = "".join(line for _, line in said)
        assert "locked" not in err
        assert (cli.returncode, out.strip()) == (
            0,
            f"kodede {items[1].respondent} med fleksjob (koder cli)",
        ), err
        assert [line for _, line in said] == [
            f"qualcode: venter på et andet program, der skriver i {demo_copy} …\n"
        ]
        # said while it waited, once its first attempt (a second) had run out
        assert waiting_lines == said, "the note came only after the wait"
        assert said[0][0] - opened > 0.5, "the note came before the first attempt ran out"
    finally:
        holder.finish()
    with readonly(demo_copy) as conn:
        integrity(conn)
        order = [
            tuple(r)
            for r in conn.execute(
                "SELECT actor, json_extract(payload, '$.coding.id') FROM events"
                " WHERE action = 'coding.add' AND actor IN ('holder', 'waiter', 'cli') ORDER BY id"
            )
        ]
        cli_id = conn.execute("SELECT id FROM codings WHERE coder = 'cli'").fetchone()[0]
    # each waiting writer committed after the transaction it waited for
    assert order == [("holder", held), ("waiter", waited.id), ("holder", held2), ("cli", cli_id)]


OPENER = """
import sys
from qualcode.core.project import Project
print("READY", flush=True)
for path in sys.stdin:
    try:
        Project.open(path.strip()).close()
        print("OK", flush=True)
    except Exception as exc:
        print("FAIL", type(exc).__name__, exc, flush=True)
"""


def test_two_processes_opening_a_file_that_needs_migrating_both_succeed(tmp_path):
    """After an upgrade the workbench and the CLI may be the first two to open an old file,
    at the same moment: both must open it, and it must be migrated once."""
    from sqlite_utils import Database

    from qualcode.store.db import schema_version
    from qualcode.store.schema import SCHEMA_VERSION, migrations

    last = migrations._migrations[-1].name
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    try:
        for p in openers:
            assert p.stdout.readline().strip() == "READY"
        results = []
        for trial in range(3):
            path = tmp_path / f"old{trial}.qualcode.db"
            db = Database(path)
            db.execute("PRAGMA journal_mode = WAL")
            migrations.apply(db, stop_before=last)  # the schema one version back
            db.close()
            for p in openers:  # as close to the same moment as we can
                p.stdin.write(f"{path}\n")
            for p in openers:
                p.stdin.flush()
            results += [p.stdout.readline().strip() for p in openers]
            with Project.open(path) as project:
                assert schema_version(project.db) == SCHEMA_VERSION
                assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        for p in openers:
            p.stdin.close()
            p.wait(timeout=WAIT)
    assert results == ["OK"] * len(results), results
